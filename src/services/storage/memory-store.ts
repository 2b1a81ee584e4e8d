/**
 * Memory storage for Node and tests. Databases live in a module-level registry by name, so two
 * service instances over the same (named) KMS share state as two tabs share IndexedDB; records are
 * structured-cloned in and out, so a caller can never change stored state by mutating a result.
 */
import { checkExpected, type ServiceStore, type ServiceWrite, type StoreMap, type StoredRecord } from './store.js';

const databases = new Map<string, Map<string, Map<string, StoredRecord>>>();

/** A service's store in one Region in memory (Node, tests). */
export class MemoryServiceStore<S extends StoreMap> implements ServiceStore<S> {
  readonly region: string;
  readonly #stores: Map<string, Map<string, StoredRecord>>;
  #closed = false;

  constructor(databaseName: string, region: string, storeNames: readonly (keyof S & string)[]) {
    this.region = region;
    let db = databases.get(databaseName);
    if (!db) databases.set(databaseName, (db = new Map()));
    for (const name of storeNames) if (!db.has(name)) db.set(name, new Map());
    this.#stores = db;
  }

  #store(name: string): Map<string, StoredRecord> {
    if (this.#closed) throw new TypeError('this service store is closed');
    const store = this.#stores.get(name);
    if (!store) throw new TypeError(`no object store ${JSON.stringify(name)} in this service's schema`);
    return store;
  }

  async get<K extends keyof S & string>(store: K, id: string): Promise<S[K] | undefined> {
    const found = this.#store(store).get(id);
    return found === undefined ? undefined : (structuredClone(found) as S[K]);
  }

  async all<K extends keyof S & string>(store: K): Promise<S[K][]> {
    const records = [...this.#store(store).values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return structuredClone(records) as S[K][];
  }

  async commit(writes: readonly ServiceWrite<S>[]): Promise<void> {
    // Check everything first: a stale write leaves the whole commit unapplied, as a transaction would.
    for (const write of writes) checkExpected(write, this.#store(write.store).get(write.id));
    for (const write of writes) {
      const store = this.#store(write.store);
      if (write.value === undefined) store.delete(write.id);
      else store.set(write.id, structuredClone(write.value));
    }
  }

  close(): void {
    this.#closed = true;
  }
}

/** Forgets a memory database (tests). */
export function deleteMemoryServiceStore(databaseName: string): void {
  databases.delete(databaseName);
}
