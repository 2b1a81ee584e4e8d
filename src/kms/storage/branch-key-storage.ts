/**
 * The branch key store's IndexedDB storage (the core's BranchKeyStorage): the KMS layer owns
 * browser storage, so the core keeps only the interface and its memory storage. Loading this module
 * lets `new BranchKeyStore({ storage: 'indexeddb' })` use it; `envelope-kit` and `envelope-kit/kms`
 * load it.
 *
 * Schema, version 1: object store `branch-keys` (out-of-line key `[branch-key-id, type]`, because
 * IndexedDB key paths cannot name the hyphenated attributes) and object store `meta`
 * (`logical-key-store-name` -> the logical name the database was created for). A later schema bumps
 * the version and migrates in `upgrade`; open connections close themselves when asked (`blocking`).
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { bytesEqual } from '../../core/bytes.js';
import { BranchKeyStoreError, BranchKeyStoreErrorCode } from '../../core/branch-key-store-errors.js';
import { ACTIVE_TYPE, type BranchKeyRecord } from '../../core/branch-key-store-records.js';
import { alreadyExists, conflict, keyOf, registerIndexedDbStorage, storageFailure, type BranchKeyStorage } from '../../core/branch-key-store-storage.js';

interface BranchKeyDb extends DBSchema {
  'branch-keys': { key: [string, string]; value: BranchKeyRecord };
  meta: { key: string; value: string };
}

const SCHEMA_VERSION = 1;
const LOGICAL_NAME_KEY = 'logical-key-store-name';

/**
 * Branch key records in their own IndexedDB database, `name`, holding one logical key store.
 *
 * @example
 * ```ts
 * const store = new BranchKeyStore({ kms, kmsKeyId, logicalKeyStoreName: 'app', storage: indexedDbBranchKeyStorage('app-branch-keys', 'app') });
 * ```
 */
export function indexedDbBranchKeyStorage(name: string, logicalName: string): BranchKeyStorage {
  let opening: Promise<IDBPDatabase<BranchKeyDb>> | undefined;
  const open = (): Promise<IDBPDatabase<BranchKeyDb>> => {
    opening ??= (async () => {
      const db = await openDB<BranchKeyDb>(name, SCHEMA_VERSION, {
        upgrade(database, oldVersion, _newVersion, transaction) {
          if (oldVersion < 1) {
            database.createObjectStore('branch-keys');
            database.createObjectStore('meta');
            void transaction.objectStore('meta').put(logicalName, LOGICAL_NAME_KEY);
          }
        },
        // Another tab wants a newer schema: step aside, and reopen on the next call.
        blocking() {
          db.close();
          opening = undefined;
        },
        terminated() {
          opening = undefined;
        },
      });
      const stored = await db.get('meta', LOGICAL_NAME_KEY);
      if (stored !== logicalName) {
        db.close();
        throw new BranchKeyStoreError(
          BranchKeyStoreErrorCode.STORAGE_FAILURE,
          `IndexedDB database ${JSON.stringify(name)} holds logical key store ${JSON.stringify(stored)}, not ${JSON.stringify(logicalName)}; give each logical key store its own name`,
        );
      }
      return db;
    })();
    opening.catch(() => (opening = undefined));
    return opening;
  };

  return {
    async get(branchKeyId, type) {
      const db = await open();
      try {
        return await db.get('branch-keys', [branchKeyId, type]);
      } catch (cause) {
        throw storageFailure('read', cause);
      }
    },
    async create(list) {
      const db = await open();
      const tx = db.transaction('branch-keys', 'readwrite');
      // add() refuses a taken key with ConstraintError, which aborts the whole transaction.
      const results = await Promise.allSettled([...list.map((r) => tx.store.add(r, keyOf(r))), tx.done]);
      const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as DOMException);
      if (failures.some((e) => e?.name === 'ConstraintError')) throw alreadyExists(list);
      if (failures.length > 0) throw storageFailure('write', failures[0]);
    },
    async version(versionRecord, activeRecord, expectedActiveEnc) {
      const db = await open();
      const tx = db.transaction('branch-keys', 'readwrite');
      const done = tx.done;
      done.catch(() => undefined);
      // Only this transaction's own requests are awaited in it (house style 6): KMS work is done.
      const current = await tx.store.get([activeRecord['branch-key-id'], ACTIVE_TYPE]);
      const taken = await tx.store.getKey(keyOf(versionRecord));
      if (!(current?.enc instanceof Uint8Array) || !bytesEqual(current.enc, expectedActiveEnc) || taken !== undefined) {
        tx.abort();
        throw conflict(activeRecord);
      }
      const writes = [tx.store.add(versionRecord, keyOf(versionRecord)), tx.store.put(activeRecord, keyOf(activeRecord))];
      const results = await Promise.allSettled([...writes, done]);
      const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failure) throw storageFailure('write', failure.reason);
    },
    async all() {
      const db = await open();
      try {
        return await db.getAll('branch-keys');
      } catch (cause) {
        throw storageFailure('read', cause);
      }
    },
    async replace(list) {
      const db = await open();
      const tx = db.transaction('branch-keys', 'readwrite', { durability: 'strict' });
      const results = await Promise.allSettled([tx.store.clear(), ...list.map((r) => tx.store.put(r, keyOf(r))), tx.done]);
      const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failure) throw storageFailure('write', failure.reason);
    },
    close() {
      void opening?.then((db) => db.close(), () => undefined);
      opening = undefined;
    },
  };
}

registerIndexedDbStorage(indexedDbBranchKeyStorage);
