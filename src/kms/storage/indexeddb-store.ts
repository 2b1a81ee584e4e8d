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
import type { GrantRecord, RootKeys } from './records.js';

const byCreation = (a: GrantRecord, b: GrantRecord) => a.CreationDate - b.CreationDate || (a.GrantId < b.GrantId ? -1 : 1);
import { SCHEMA_VERSION, upgrade, type KmsRegionDB } from './schema.js';
import { checkExpected, type RegionContents, type RegionStore, type Write } from './store.js';
import { storageRequest } from '../errors.js';
import { argumentError } from '../../core/arguments.js';

export class IndexedDbStore implements RegionStore {
  readonly region: string;
  readonly #db: IDBPDatabase<KmsRegionDB>;

  private constructor(region: string, db: IDBPDatabase<KmsRegionDB>) {
    this.region = region;
    this.#db = db;
  }

  static async open(databaseName: string, region: string): Promise<IndexedDbStore> {
    if (typeof indexedDB === 'undefined') {
      throw argumentError('storage', "'indexeddb' needs IndexedDB (a page or a worker); use storage: 'memory' in Node");
    }
    // Not openDB: an upgrade another tab blocks must fail with a clear error, not hang (blocked-open.ts).
    const db = await storageRequest(`open ${databaseName}`, () =>
      openUnblocked<KmsRegionDB>(databaseName, SCHEMA_VERSION, {
        upgrade: (database, oldVersion, _newVersion, transaction) => upgrade(database, oldVersion, transaction),
        // A newer version of the kit in another tab wants to upgrade: step aside rather than block it.
        blocking: () => db.close(),
      }),
    );
    return new IndexedDbStore(region, db);
  }

  async root(create: () => Promise<RootKeys>): Promise<RootKeys> {
    const existing = await storageRequest('read root keys', () => this.#db.get('meta', 'root'));
    if (existing) return existing;
    // Generate outside the transaction, then add-if-absent inside it: the first tab's keys win.
    const created = await create();
    return storageRequest('store root keys', async () => {
      const tx = this.#db.transaction('meta', 'readwrite');
      const raced = await tx.store.get('root');
      if (!raced) await tx.store.put(created, 'root');
      await tx.done;
      return raced ?? created;
    });
  }

  getKey(keyId: string) {
    return storageRequest('getKey', () => this.#db.get('keys', keyId));
  }
  allKeys() {
    return storageRequest('allKeys', () => this.#db.getAll('keys'));
  }
  getAlias(aliasName: string) {
    return storageRequest('getAlias', () => this.#db.get('aliases', aliasName));
  }
  allAliases() {
    return storageRequest('allAliases', () => this.#db.getAll('aliases'));
  }
  getImport(tokenId: string) {
    return storageRequest('getImport', () => this.#db.get('imports', tokenId));
  }
  allImports() {
    return storageRequest('allImports', () => this.#db.getAll('imports'));
  }

  getGrant(grantId: string) {
    return storageRequest('getGrant', () => this.#db.get('grants', grantId));
  }
  async grantsForKey(keyId: string) {
    return (await storageRequest('grantsForKey', () => this.#db.getAllFromIndex('grants', 'byKey', keyId))).sort(byCreation);
  }
  async allGrants() {
    return (await storageRequest('allGrants', () => this.#db.getAll('grants'))).sort(byCreation);
  }

  async commit(writes: readonly Write[]): Promise<void> {
    if (writes.length === 0) return;
    return storageRequest(`commit ${writes.length} write(s)`, () => this.#commit(writes));
  }

  async #commit(writes: readonly Write[]): Promise<void> {
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

  async replace(contents: RegionContents): Promise<void> {
    // One transaction: an interrupted restore leaves the region as it was. Strict durability: a
    // restore is rare and the user was told it is done.
    const tx = this.#db.transaction(['keys', 'aliases', 'grants', 'imports'], 'readwrite', { durability: 'strict' });
    const [keys, aliases, grants, imports] = (['keys', 'aliases', 'grants', 'imports'] as const).map((n) => tx.objectStore(n));
    await Promise.all([
      keys!.clear(),
      aliases!.clear(),
      grants!.clear(),
      imports!.clear(),
      ...contents.keys.map((r) => keys!.put(r as never)),
      ...contents.aliases.map((r) => aliases!.put(r as never)),
      ...contents.grants.map((r) => grants!.put(r as never)),
      tx.done,
    ]);
  }

  close(): void {
    this.#db.close();
  }
}
