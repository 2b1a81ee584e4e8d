/**
 * Where branch key records live: an IndexedDB database of their own (one per store `name`), or
 * memory. Both give the two atomic writes the specification asks of DynamoDB TransactWriteItems
 * (spec: framework/branch-key-store.md, "Writing Branch Key and Beacon Key to Keystore", "VersionKey"):
 * CreateKey's records are all new or none is written, and VersionKey's write happens only while the
 * ACTIVE record still has the `enc` that was read and authenticated (the spec's `enc = :encOld`).
 *
 * Storage is outside the trust boundary: whatever is read is checked and then authenticated by KMS.
 *
 * IndexedDB schema, version 1: object store `branch-keys` (out-of-line key `[branch-key-id, type]`,
 * because IndexedDB key paths cannot name the hyphenated attributes) and object store `meta`
 * (`logical-key-store-name` → the logical name the database was created for). A later schema bumps
 * the version and migrates in `upgrade`; open connections close themselves when asked (`blocking`).
 */
import type { DBSchema, IDBPDatabase } from 'idb';
import { bytesEqual } from './bytes.js';
import { BranchKeyStoreError, BranchKeyStoreErrorCode } from './branch-key-store-errors.js';
import { ACTIVE_TYPE, type BranchKeyRecord } from './branch-key-store-records.js';

/** The atomic operations the branch key store needs from its storage. */
export interface BranchKeyStorage {
  /** The raw stored value (unchecked) for `[branchKeyId, type]`, or undefined. */
  get(branchKeyId: string, type: string): Promise<unknown>;
  /** Writes all records or none; fails with ALREADY_EXISTS if any of their keys is taken. */
  create(records: readonly BranchKeyRecord[]): Promise<void>;
  /**
   * Adds `versionRecord` (a new key) and replaces the ACTIVE record with `activeRecord`, in one
   * transaction that first checks the ACTIVE record's `enc` still equals `expectedActiveEnc`;
   * fails with VERSION_CONFLICT otherwise.
   */
  version(versionRecord: BranchKeyRecord, activeRecord: BranchKeyRecord, expectedActiveEnc: Uint8Array): Promise<void>;
  /** Every stored record, unchecked (a key-store backup, which the restore's KMS authenticates on use). */
  all(): Promise<unknown[]>;
  /** Replaces every record at once (a key-store restore). */
  replace(records: readonly BranchKeyRecord[]): Promise<void>;
  close(): void;
}

interface BranchKeyDb extends DBSchema {
  'branch-keys': { key: [string, string]; value: BranchKeyRecord };
  meta: { key: string; value: string };
}

const SCHEMA_VERSION = 1;
const LOGICAL_NAME_KEY = 'logical-key-store-name';

const keyOf = (record: BranchKeyRecord): [string, string] => [record['branch-key-id'], record.type];

function alreadyExists(records: readonly BranchKeyRecord[]): BranchKeyStoreError {
  return new BranchKeyStoreError(
    BranchKeyStoreErrorCode.ALREADY_EXISTS,
    `branch key ${JSON.stringify(records[0]?.['branch-key-id'])} already exists in this store; choose another branch key id or omit it`,
  );
}

function conflict(record: BranchKeyRecord): BranchKeyStoreError {
  return new BranchKeyStoreError(
    BranchKeyStoreErrorCode.VERSION_CONFLICT,
    `branch key ${JSON.stringify(record['branch-key-id'])} was versioned by another writer (another tab or store) between this ` +
      'VersionKey\'s read and its write, so nothing was written: the other writer\'s new version is active now. ' +
      'Call versionKey again only if yet another version is wanted.',
  );
}

function storageFailure(what: string, cause: unknown): BranchKeyStoreError {
  return new BranchKeyStoreError(BranchKeyStoreErrorCode.STORAGE_FAILURE, `IndexedDB ${what} failed: ${String((cause as Error)?.message ?? cause)}`, { cause });
}

/** Memory databases by name: two stores given the same name share records, as with IndexedDB. */
const memoryDatabases = new Map<string, { logicalName: string; records: Map<string, BranchKeyRecord> }>();
const memoryKey = (branchKeyId: string, type: string): string => JSON.stringify([branchKeyId, type]);

/**
 * The live record map of a memory database (tests use it to tamper with records). Not exported
 * from the package.
 */
export function memoryRecords(name: string): Map<string, BranchKeyRecord> | undefined {
  return memoryDatabases.get(name)?.records;
}

/** Storage in memory, shared by name within this JavaScript realm. Each call runs atomically. */
export function memoryStorage(name: string, logicalName: string): BranchKeyStorage {
  let db = memoryDatabases.get(name);
  if (!db) memoryDatabases.set(name, (db = { logicalName, records: new Map() }));
  if (db.logicalName !== logicalName) {
    throw new BranchKeyStoreError(
      BranchKeyStoreErrorCode.STORAGE_FAILURE,
      `memory store ${JSON.stringify(name)} holds logical key store ${JSON.stringify(db.logicalName)}, not ${JSON.stringify(logicalName)}; give each logical key store its own name`,
    );
  }
  const { records } = db;
  return {
    async get(branchKeyId, type) {
      const record = records.get(memoryKey(branchKeyId, type));
      // A clone, as IndexedDB would give: callers never hold the stored object.
      return record === undefined ? undefined : structuredClone(record);
    },
    async create(list) {
      if (list.some((r) => records.has(memoryKey(...keyOf(r))))) throw alreadyExists(list);
      for (const r of list) records.set(memoryKey(...keyOf(r)), structuredClone(r));
    },
    async version(versionRecord, activeRecord, expectedActiveEnc) {
      const current = records.get(memoryKey(activeRecord['branch-key-id'], ACTIVE_TYPE));
      if (!(current?.enc instanceof Uint8Array) || !bytesEqual(current.enc, expectedActiveEnc)) throw conflict(activeRecord);
      if (records.has(memoryKey(...keyOf(versionRecord)))) throw conflict(activeRecord);
      records.set(memoryKey(...keyOf(versionRecord)), structuredClone(versionRecord));
      records.set(memoryKey(...keyOf(activeRecord)), structuredClone(activeRecord));
    },
    async all() {
      return [...records.values()].map((r) => structuredClone(r));
    },
    async replace(list) {
      const copies = list.map((r) => structuredClone(r));
      records.clear();
      for (const r of copies) records.set(memoryKey(...keyOf(r)), r);
    },
    close() {},
  };
}

/** Storage in its own IndexedDB database; idb is loaded on first use, so the core stays WebCrypto-only. */
export function indexedDbStorage(name: string, logicalName: string): BranchKeyStorage {
  let opening: Promise<IDBPDatabase<BranchKeyDb>> | undefined;
  const open = (): Promise<IDBPDatabase<BranchKeyDb>> => {
    opening ??= (async () => {
      const { openDB } = await import('idb');
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
