/**
 * IndexedDB storage: one database per region (schema.ts), through idb. Every `commit` is one
 * readwrite transaction over the stores it touches: it reads each record's current version, checks
 * it against the version the caller read, and writes; the only awaits inside are the transaction's
 * own requests, so the transaction cannot auto-commit half-way (idb README, "Transaction lifetime").
 * A tab closed mid-commit leaves the old state; a concurrent writer makes the commit throw
 * StaleWriteError, and the caller retries.
 */
import type { IDBPDatabase } from 'idb';
import { openUnblocked } from './blocked-open.js';
import type { GrantRecord, RootKeys } from '../records.js';

const byCreation = (a: GrantRecord, b: GrantRecord) => a.CreationDate - b.CreationDate || (a.GrantId < b.GrantId ? -1 : 1);
import { SCHEMA_VERSION, upgrade, type KmsRegionDB } from './schema.js';
import { checkExpected, type RegionStore, type Write } from './store.js';

export class IndexedDbStore implements RegionStore {
  readonly region: string;
  readonly #db: IDBPDatabase<KmsRegionDB>;

  private constructor(region: string, db: IDBPDatabase<KmsRegionDB>) {
    this.region = region;
    this.#db = db;
  }

  static async open(databaseName: string, region: string): Promise<IndexedDbStore> {
    if (typeof indexedDB === 'undefined') {
      throw new TypeError("storage 'indexeddb' needs IndexedDB (a page or a worker); use storage: 'memory' in Node");
    }
    // Not openDB: an upgrade another tab blocks must fail with a clear error, not hang (blocked-open.ts).
    const db = await openUnblocked<KmsRegionDB>(databaseName, SCHEMA_VERSION, {
      upgrade: (database, oldVersion, _newVersion, transaction) => upgrade(database, oldVersion, transaction),
      // A newer version of the kit in another tab wants to upgrade: step aside rather than block it.
      blocking: () => db.close(),
    });
    return new IndexedDbStore(region, db);
  }

  async root(create: () => Promise<RootKeys>): Promise<RootKeys> {
    const existing = await this.#db.get('meta', 'root');
    if (existing) return existing;
    // Generate outside the transaction, then add-if-absent inside it: the first tab's keys win.
    const created = await create();
    const tx = this.#db.transaction('meta', 'readwrite');
    const raced = await tx.store.get('root');
    if (!raced) await tx.store.put(created, 'root');
    await tx.done;
    return raced ?? created;
  }

  getKey(keyId: string) {
    return this.#db.get('keys', keyId);
  }
  allKeys() {
    return this.#db.getAll('keys');
  }
  getAlias(aliasName: string) {
    return this.#db.get('aliases', aliasName);
  }
  allAliases() {
    return this.#db.getAll('aliases');
  }
  getImport(tokenId: string) {
    return this.#db.get('imports', tokenId);
  }
  allImports() {
    return this.#db.getAll('imports');
  }

  getGrant(grantId: string) {
    return this.#db.get('grants', grantId);
  }
  async grantsForKey(keyId: string) {
    return (await this.#db.getAllFromIndex('grants', 'byKey', keyId)).sort(byCreation);
  }
  async allGrants() {
    return (await this.#db.getAll('grants')).sort(byCreation);
  }

  async commit(writes: readonly Write[]): Promise<void> {
    if (writes.length === 0) return;
    const names = [...new Set(writes.map((w) => w.store))];
    const tx = this.#db.transaction(names, 'readwrite');
    try {
      // Reads first: all version checks pass before any write is issued.
      const current = await Promise.all(writes.map((w) => tx.objectStore(w.store).get(w.id)));
      writes.forEach((w, i) => checkExpected(w, current[i]));
      await Promise.all(
        writes.map((w) => {
          const store = tx.objectStore(w.store);
          // The stores use in-line keys (keyPath), so put() takes the record alone.
          return w.value === undefined ? store.delete(w.id) : store.put(w.value as never);
        }),
      );
      await tx.done;
    } catch (error) {
      try {
        tx.abort();
      } catch {
        // already finished or aborted
      }
      await tx.done.catch(() => undefined);
      throw error;
    }
  }

  close(): void {
    this.#db.close();
  }
}
