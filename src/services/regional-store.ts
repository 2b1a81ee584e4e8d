/**
 * Where one service keeps its records in one region: memory (Node, tests) or one IndexedDB
 * database (`<name>:<account>:<region>:<service>`), like the KMS's own stores (kms/storage/). A
 * service describes its object stores once ({@link StoreLayout}: name, key path, indexes); both
 * implementations give the same guarantees:
 *
 * - `commit` applies its writes atomically (one IndexedDB transaction) or none of them;
 * - records come back as they were stored: plain data, Uint8Arrays and CryptoKeys (the structured
 *   clone keeps a non-extractable key non-extractable).
 *
 * Callers do their crypto and KMS calls first and commit after: nothing but the transaction's own
 * requests is awaited inside it (house style rule 6).
 */
import { openDB, deleteDB, unwrap, type IDBPDatabase } from 'idb';
import { LargeBodies, type LargeBodySpec } from './large-bodies.js';

/** One object store: its records are keyed by the string member `keyPath`; `indexes` name string members. */
export interface StoreSpec {
  readonly keyPath: string;
  readonly indexes?: readonly string[];
}

/** A service's stores, and the schema version that layout is (bump it when a store or index is added). */
export interface StoreLayout {
  readonly service: string;
  readonly version: number;
  readonly stores: Readonly<Record<string, StoreSpec>>;
}

/**
 * One write of a commit: `value` stores (replacing), `delete` removes the record with that key.
 * `ifAbsent` stores only where no record has the key, and leaves an existing one as it is: how a
 * service makes a key of its own once, whichever tab gets there first.
 */
export type StoreWrite = { readonly store: string; readonly value: object; readonly ifAbsent?: true } | { readonly store: string; readonly delete: string };

/** The records of one service in one region. */
export interface RegionalStore {
  get<T>(store: string, key: string): Promise<T | undefined>;
  all<T>(store: string): Promise<T[]>;
  /** The records whose indexed member `index` equals `value`. */
  byIndex<T>(store: string, index: string, value: string): Promise<T[]>;
  commit(writes: readonly StoreWrite[]): Promise<void>;
  close(): void;
}

/** How a service's stores are opened: the kind of storage and the name prefix shared with the KMS. */
export interface RegionalStoreOptions {
  readonly storage: 'memory' | 'indexeddb';
  /** Database name prefix; the KMS's default is `envelope-kit-kms`. */
  readonly name: string;
  readonly account: string;
  readonly region: string;
  /** IndexedDB only: a byte member kept in OPFS from a size on (ignored in memory). */
  readonly largeBodies?: LargeBodySpec;
}

/** The IndexedDB database name of a service's region. */
export const regionalDatabaseName = (options: RegionalStoreOptions, service: string): string => `${options.name}:${options.account}:${options.region}:${service}`;

// Named memory stores are shared within the JS realm, as IndexedDB databases are within an origin.
const memoryDatabases = new Map<string, Map<string, Map<string, object>>>();

/**
 * Opens (creating on first use) a service's stores in one region.
 *
 * @example
 * ```ts
 * const store = await openRegionalStore({ storage: 'memory', name: 'demo', account: '111122223333', region: 'us-east-1' },
 *   { service: 's3', version: 1, stores: { buckets: { keyPath: 'Name' } } });
 * await store.commit([{ store: 'buckets', value: { Name: 'photos' } }]);
 * ```
 */
export async function openRegionalStore(options: RegionalStoreOptions, layout: StoreLayout): Promise<RegionalStore> {
  const dbName = regionalDatabaseName(options, layout.service);
  if (options.storage === 'memory') {
    let db = memoryDatabases.get(dbName);
    if (!db) memoryDatabases.set(dbName, (db = new Map()));
    for (const name of Object.keys(layout.stores)) if (!db.has(name)) db.set(name, new Map());
    return new MemoryRegionalStore(db, layout);
  }
  const db = await openDB(dbName, layout.version, {
    upgrade(database) {
      // Stores and indexes are only ever added: an upgrade creates what the stored version lacks.
      for (const [name, spec] of Object.entries(layout.stores)) {
        const os = database.objectStoreNames.contains(name) ? undefined : database.createObjectStore(name, { keyPath: spec.keyPath });
        for (const index of spec.indexes ?? []) if (os && !os.indexNames.contains(index)) os.createIndex(index, index);
      }
    },
    blocking() {
      // A newer kit in another tab wants to upgrade: step aside rather than block it.
      db.close();
    },
  });
  return new IndexedDbRegionalStore(db as unknown as IDBPDatabase, layout, options.largeBodies ? new LargeBodies(dbName, options.largeBodies) : undefined);
}

/** Deletes a service's database in one region (tests, and "forget everything" in the demo). */
export async function deleteRegionalStore(options: RegionalStoreOptions, service: string): Promise<void> {
  const dbName = regionalDatabaseName(options, service);
  if (options.storage === 'memory') memoryDatabases.delete(dbName);
  else {
    await deleteDB(dbName);
    await LargeBodies.remove(dbName);
  }
}

class MemoryRegionalStore implements RegionalStore {
  readonly #db: Map<string, Map<string, object>>;
  readonly #layout: StoreLayout;
  constructor(db: Map<string, Map<string, object>>, layout: StoreLayout) {
    this.#db = db;
    this.#layout = layout;
  }
  #store(name: string): Map<string, object> {
    const store = this.#db.get(name);
    if (!store) throw new RangeError(`no store ${JSON.stringify(name)} in the ${this.#layout.service} layout`);
    return store;
  }
  async get<T>(store: string, key: string): Promise<T | undefined> {
    const found = this.#store(store).get(key);
    // A copy, as IndexedDB's structured clone gives: a caller changing it changes nothing stored.
    return found === undefined ? undefined : (structuredClone(found) as T);
  }
  async all<T>(store: string): Promise<T[]> {
    return [...this.#store(store).values()].map((v) => structuredClone(v) as T);
  }
  async byIndex<T>(store: string, index: string, value: string): Promise<T[]> {
    return (await this.all<Record<string, unknown>>(store)).filter((r) => r[index] === value) as T[];
  }
  async commit(writes: readonly StoreWrite[]): Promise<void> {
    for (const w of writes) this.#store(w.store);
    for (const w of writes) {
      const store = this.#store(w.store);
      if ('delete' in w) store.delete(w.delete);
      else {
        const key = String((w.value as Record<string, unknown>)[this.#layout.stores[w.store]!.keyPath]);
        if (!(w.ifAbsent && store.has(key))) store.set(key, structuredClone(w.value));
      }
    }
  }
  close(): void {}
}

class IndexedDbRegionalStore implements RegionalStore {
  readonly #db: IDBPDatabase;
  readonly #layout: StoreLayout;
  readonly #large: LargeBodies | undefined;
  constructor(db: IDBPDatabase, layout: StoreLayout, large: LargeBodies | undefined) {
    this.#db = db;
    this.#layout = layout;
    this.#large = large;
  }
  async get<T>(store: string, key: string): Promise<T | undefined> {
    const found = (await this.#db.get(store, key)) as T | undefined;
    return this.#large ? this.#large.hydrate(store, found) : found;
  }
  async all<T>(store: string): Promise<T[]> {
    return (await this.#db.getAll(store)) as T[];
  }
  async byIndex<T>(store: string, index: string, value: string): Promise<T[]> {
    return (await this.#db.getAllFromIndex(store, index, value)) as T[];
  }
  async commit(writes: readonly StoreWrite[]): Promise<void> {
    const names = [...new Set(writes.map((w) => w.store))];
    if (names.length === 0) return;
    const large = this.#large;
    // Large members go to OPFS first, and the files the writes replace are noted (house style rule
    // 6: nothing but the transaction's own requests is awaited inside it).
    const prepared: StoreWrite[] = [];
    const replaced: string[] = [];
    for (const w of writes) {
      if (!large) {
        prepared.push(w);
        continue;
      }
      const key = 'delete' in w ? w.delete : String((w.value as Record<string, unknown>)[this.#layout.stores[w.store]!.keyPath]);
      const old = large.reference(w.store, await this.#db.get(w.store, key));
      if (old !== undefined) replaced.push(old);
      prepared.push('delete' in w ? w : { ...w, value: await large.spill(w.store, w.value) });
    }
    const tx = this.#db.transaction(names, 'readwrite');
    for (const w of prepared) {
      const os = tx.objectStore(w.store);
      if ('delete' in w) void os.delete(w.delete);
      else if (w.ifAbsent) {
        // add() fails on an existing key; handling its error event keeps the transaction alive.
        const request = unwrap(os).add(w.value);
        request.onerror = (event) => {
          event.preventDefault();
          event.stopPropagation();
        };
      } else void os.put(w.value);
    }
    try {
      await tx.done;
    } catch (error) {
      // Nothing references the files this commit wrote: remove them.
      if (large) await large.release(prepared.flatMap((w) => ('delete' in w ? [] : [large.reference(w.store, w.value)].filter((f): f is string => f !== undefined))));
      throw error;
    }
    if (large) {
      const kept = new Set(prepared.flatMap((w) => ('delete' in w ? [] : [large.reference(w.store, w.value)])));
      await large.release(replaced.filter((f) => !kept.has(f)));
    }
  }
  close(): void {
    this.#db.close();
  }
}
