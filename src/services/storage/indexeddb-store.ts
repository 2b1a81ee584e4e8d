/**
 * IndexedDB storage: one database per service and region, through idb, typed by the service's
 * DBSchema (for example secrets-manager/schema.ts). Every `commit` is one readwrite transaction
 * over the stores it touches: it reads each record's version, checks it against the version the
 * caller read, and writes; the only awaits inside are the transaction's own requests, so it cannot
 * auto-commit half-way (idb README, "Transaction lifetime").
 */
import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import { checkExpected, type ServiceStore, type ServiceWrite, type StoreMap, type StoredRecord } from './store.js';

/** One schema step: takes the database from version n to n + 1 inside the versionchange transaction. */
export type ServiceMigration<DB extends DBSchema> = (
  db: IDBPDatabase<DB>,
  transaction: IDBPTransaction<DB, StoreNames<DB>[], 'versionchange'>,
) => void;

// The generic store addresses its object stores by plain strings; each service's DBSchema types them
// at its own boundary (the StoreMap it passes), so here idb is used untyped.
type UntypedDb = IDBPDatabase<unknown>;

/** A service's store in one Region on IndexedDB. */
export class IndexedDbServiceStore<S extends StoreMap> implements ServiceStore<S> {
  readonly region: string;
  readonly #db: UntypedDb;

  private constructor(region: string, db: UntypedDb) {
    this.region = region;
    this.#db = db;
  }

  /**
   * Opens (creating or upgrading) a service database. `migrations[n]` takes it from version n to
   * n + 1; a future change appends a step, never edits an old one.
   */
  static async open<S extends StoreMap, DB extends DBSchema>(databaseName: string, region: string, migrations: readonly ServiceMigration<DB>[]): Promise<IndexedDbServiceStore<S>> {
    if (typeof indexedDB === 'undefined') {
      throw new TypeError("storage 'indexeddb' needs IndexedDB (a page or a worker); create the KMS with storage: 'memory' in Node");
    }
    const db = await openDB<DB>(databaseName, migrations.length, {
      upgrade: (database, oldVersion, _newVersion, transaction) => {
        for (let v = oldVersion; v < migrations.length; v++) migrations[v]!(database, transaction);
      },
      // A newer version of the kit in another tab wants to upgrade: step aside rather than block it.
      blocking: () => db.close(),
    });
    return new IndexedDbServiceStore<S>(region, db as unknown as UntypedDb);
  }

  async get<K extends keyof S & string>(store: K, id: string): Promise<S[K] | undefined> {
    return (await this.#db.get(store as never, id)) as S[K] | undefined;
  }

  async all<K extends keyof S & string>(store: K): Promise<S[K][]> {
    return (await this.#db.getAll(store as never)) as S[K][];
  }

  async commit(writes: readonly ServiceWrite<S>[]): Promise<void> {
    if (writes.length === 0) return;
    const names = [...new Set(writes.map((w) => w.store))];
    const tx = this.#db.transaction(names as never[], 'readwrite');
    try {
      for (const write of writes) {
        const store = tx.objectStore(write.store as never);
        checkExpected(write, (await store.get(write.id)) as StoredRecord | undefined);
        if (write.value === undefined) await store.delete(write.id);
        else await store.put(write.value as never);
      }
      await tx.done;
    } catch (error) {
      // Abort so no write of a refused commit lands; the transaction may already be finished.
      try {
        tx.abort();
      } catch {
        /* already committed or aborted */
      }
      await tx.done.catch(() => undefined);
      throw error;
    }
  }

  close(): void {
    this.#db.close();
  }
}
