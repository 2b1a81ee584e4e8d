/**
 * Where branch key records live: memory (here), or an IndexedDB database of their own (one per
 * store `name`; src/kms/storage/branch-key-storage.ts, in the layer that owns storage). Both give the two atomic writes the specification asks of DynamoDB TransactWriteItems
 * (spec: framework/branch-key-store.md, "Writing Branch Key and Beacon Key to Keystore", "VersionKey"):
 * CreateKey's records are all new or none is written, and VersionKey's write happens only while the
 * ACTIVE record still has the `enc` that was read and authenticated (the spec's `enc = :encOld`).
 *
 * Storage is outside the trust boundary: whatever is read is checked and then authenticated by KMS.
 *
 */
import { bytesEqual } from './bytes.js';
import { BranchKeyStoreError, BranchKeyStoreErrorCode } from './branch-key-store-errors.js';
import { ACTIVE_TYPE, type BranchKeyRecord } from './branch-key-store-records.js';
import { rangeError } from './arguments.js';

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

/** The storage key of a record: `[branch-key-id, type]`. Shared with the IndexedDB storage. */
export const keyOf = (record: BranchKeyRecord): [string, string] => [record['branch-key-id'], record.type];

/** The error of a CreateKey whose key is taken. Shared with the IndexedDB storage. */
export function alreadyExists(records: readonly BranchKeyRecord[]): BranchKeyStoreError {
  return new BranchKeyStoreError(
    BranchKeyStoreErrorCode.ALREADY_EXISTS,
    `branch key ${JSON.stringify(records[0]?.['branch-key-id'])} already exists in this store; choose another branch key id or omit it`,
  );
}

/** The error of a VersionKey that lost a race. Shared with the IndexedDB storage. */
export function conflict(record: BranchKeyRecord): BranchKeyStoreError {
  return new BranchKeyStoreError(
    BranchKeyStoreErrorCode.VERSION_CONFLICT,
    `branch key ${JSON.stringify(record['branch-key-id'])} was versioned by another writer (another tab or store) between this ` +
      'VersionKey\'s read and its write, so nothing was written: the other writer\'s new version is active now. ' +
      'Call versionKey again only if yet another version is wanted.',
  );
}

/** A storage failure as a BranchKeyStoreError. Shared with the IndexedDB storage. */
export function storageFailure(what: string, cause: unknown): BranchKeyStoreError {
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

/**
 * The IndexedDB storage, set by the KMS layer (src/kms/storage/branch-key-storage.ts) when it is
 * loaded: IndexedDB belongs to the layer that owns storage, so the core stays WebCrypto-only while
 * `new BranchKeyStore({ storage: 'indexeddb' })` keeps working wherever `envelope-kit` or
 * `envelope-kit/kms` is loaded.
 */
let indexedDbFactory: ((name: string, logicalName: string) => BranchKeyStorage) | undefined;

/** Called once by the KMS layer's IndexedDB branch key storage module. */
export function registerIndexedDbStorage(factory: (name: string, logicalName: string) => BranchKeyStorage): void {
  indexedDbFactory = factory;
}

/** The IndexedDB storage of `name`; a RangeError naming the option when no storage layer is loaded. */
export function indexedDbStorage(name: string, logicalName: string): BranchKeyStorage {
  if (!indexedDbFactory) {
    throw rangeError('BranchKeyStore options.storage', "is 'indexeddb', which lives in the KMS layer: import 'envelope-kit' or 'envelope-kit/kms' (or use storage: 'memory')");
  }
  return indexedDbFactory(name, logicalName);
}
