/**
 * Where a locked KMS keeps its key-encryption hierarchy (key-lock.ts): one small database per
 * account, `<name>:<account>:lock`, beside the region databases (like the IAM store), or memory.
 *
 * | store     | key               | value         |
 * | --------- | ----------------- | ------------- |
 * | `entries` | `'lock'`          | LockRecord    |
 * | `entries` | `'root:<region>'` | WrappedRoot   |
 *
 * Nothing here is secret without the passphrase (or a passkey): the master key is stored only
 * wrapped under passphrase- and passkey-derived keys, and the region roots only wrapped under the
 * master key. `create` is add-if-absent in one transaction, so two tabs setting up the same kit
 * agree on one lock (the first writer's).
 */
import { deleteDB, openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { Bytes } from '../../core/types.js';
import type { KdfParameters } from '../backup/passphrase-kdf.js';

/** The master key wrapped under a passphrase-derived key. */
export interface PassphraseSlot {
  readonly kind: 'passphrase';
  readonly kdf: KdfParameters;
  /** AES-KW (RFC 3394) of the 32-byte master key. */
  readonly wrappedMaster: Bytes;
}

/** The master key wrapped under a key derived (HKDF-SHA-256) from a passkey's WebAuthn PRF output. */
export interface PrfSlot {
  readonly kind: 'prf';
  /** The WebAuthn credential's raw id. */
  readonly credentialId: Bytes;
  /** The PRF input (`eval.first`) the output was made from. */
  readonly prfSalt: Bytes;
  readonly wrappedMaster: Bytes;
  readonly createdAt: number;
}

export type LockSlot = PassphraseSlot | PrfSlot;

export interface LockRecord {
  readonly version: 1;
  readonly createdAt: number;
  /** One passphrase slot, then any passkey slots. */
  readonly slots: readonly LockSlot[];
}

/** A region's two root keys, each wrapped (AES-KW) under the master key. */
export interface WrappedRoot {
  readonly wrap: Bytes;
  readonly seal: Bytes;
  readonly createdAt: number;
}

/**
 * The lock's storage, as key-lock.ts uses it.
 *
 * @example
 * ```ts
 * const store: LockStore = new MemoryLockStore(lockDatabaseName('my-app', '111122223333'));
 * await store.lock(); // undefined until a lock is created
 * ```
 */
export interface LockStore {
  lock(): Promise<LockRecord | undefined>;
  root(region: string): Promise<WrappedRoot | undefined>;
  /** Writes the record and roots unless a lock exists already; resolves with the lock that is stored. */
  create(record: LockRecord, roots: ReadonlyMap<string, WrappedRoot>): Promise<LockRecord>;
  putLock(record: LockRecord): Promise<void>;
  /** Adds a root for a region the lock had none for (a region added later); the first writer wins. */
  addRoot(region: string, root: WrappedRoot): Promise<WrappedRoot>;
  close(): void;
}

interface LockDB extends DBSchema {
  entries: { key: string; value: LockRecord | WrappedRoot };
}

/**
 * The lock database of a Kms.
 *
 * @example
 * ```ts
 * lockDatabaseName('my-app', '111122223333'); // 'my-app:111122223333:lock'
 * ```
 */
export const lockDatabaseName = (name: string, account: string) => `${name}:${account}:lock`;

/**
 * The lock's IndexedDB database.
 *
 * @example
 * ```ts
 * const store = await IndexedDbLockStore.open(lockDatabaseName('my-app', '111122223333'));
 * ```
 */
export class IndexedDbLockStore implements LockStore {
  readonly #db: IDBPDatabase<LockDB>;

  private constructor(db: IDBPDatabase<LockDB>) {
    this.#db = db;
  }

  static async open(databaseName: string): Promise<IndexedDbLockStore> {
    const db = await openDB<LockDB>(databaseName, 1, {
      upgrade: (database, oldVersion) => {
        // 0 -> 1: the initial layout; later versions append steps, as storage/schema.ts does.
        if (oldVersion < 1) database.createObjectStore('entries');
      },
      blocking: () => db.close(),
    });
    return new IndexedDbLockStore(db);
  }

  static delete(databaseName: string): Promise<void> {
    return deleteDB(databaseName);
  }

  async lock() {
    return (await this.#db.get('entries', 'lock')) as LockRecord | undefined;
  }
  async root(region: string) {
    return (await this.#db.get('entries', `root:${region}`)) as WrappedRoot | undefined;
  }
  async create(record: LockRecord, roots: ReadonlyMap<string, WrappedRoot>) {
    const tx = this.#db.transaction('entries', 'readwrite', { durability: 'strict' });
    const existing = (await tx.store.get('lock')) as LockRecord | undefined;
    if (!existing) {
      await tx.store.put(record, 'lock');
      for (const [region, root] of roots) await tx.store.put(root, `root:${region}`);
    }
    await tx.done;
    return existing ?? record;
  }
  async putLock(record: LockRecord) {
    await this.#db.put('entries', record, 'lock');
  }
  async addRoot(region: string, root: WrappedRoot) {
    const tx = this.#db.transaction('entries', 'readwrite', { durability: 'strict' });
    const existing = (await tx.store.get(`root:${region}`)) as WrappedRoot | undefined;
    if (!existing) await tx.store.put(root, `root:${region}`);
    await tx.done;
    return existing ?? root;
  }
  close() {
    this.#db.close();
  }
}

const shared = new Map<string, Map<string, LockRecord | WrappedRoot>>();

/**
 * Memory storage (Node, tests); stores of one name share their entries, as IndexedDB does.
 *
 * @example
 * ```ts
 * const store = new MemoryLockStore(lockDatabaseName('test', '111122223333'));
 * ```
 */
export class MemoryLockStore implements LockStore {
  readonly #entries: Map<string, LockRecord | WrappedRoot>;

  constructor(databaseName: string) {
    let entries = shared.get(databaseName);
    if (!entries) shared.set(databaseName, (entries = new Map()));
    this.#entries = entries;
  }

  /** Forgets every memory lock store whose name starts with `prefix` (tests). */
  static forget(prefix: string): void {
    for (const name of [...shared.keys()]) if (name.startsWith(prefix)) shared.delete(name);
  }

  async lock() {
    const found = this.#entries.get('lock') as LockRecord | undefined;
    return found && structuredClone(found);
  }
  async root(region: string) {
    const found = this.#entries.get(`root:${region}`) as WrappedRoot | undefined;
    return found && structuredClone(found);
  }
  async create(record: LockRecord, roots: ReadonlyMap<string, WrappedRoot>) {
    const existing = this.#entries.get('lock') as LockRecord | undefined;
    if (existing) return structuredClone(existing);
    this.#entries.set('lock', structuredClone(record));
    for (const [region, root] of roots) this.#entries.set(`root:${region}`, structuredClone(root));
    return record;
  }
  async putLock(record: LockRecord) {
    this.#entries.set('lock', structuredClone(record));
  }
  async addRoot(region: string, root: WrappedRoot) {
    const key = `root:${region}`;
    if (!this.#entries.has(key)) this.#entries.set(key, structuredClone(root));
    return structuredClone(this.#entries.get(key) as WrappedRoot);
  }
  close() {}
}
