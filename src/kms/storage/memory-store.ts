/**
 * In-memory storage for Node and tests, with the IndexedDB store's semantics: records are copied in
 * and out (a caller never holds a live reference), writes are version-checked and atomic. Stores
 * created with the same database name share their data while the process lives, as two tabs share
 * IndexedDB: that is how the Node tests open a "second tab".
 */
import type { AliasRecord, GrantRecord, ImportRecord, KeyRecord, RootKeys } from './records.js';
import { checkExpected, type RegionContents, type RegionStore, type Write } from './store.js';

interface Tables {
  root?: RootKeys;
  keys: Map<string, KeyRecord>;
  aliases: Map<string, AliasRecord>;
  imports: Map<string, ImportRecord>;
  grants: Map<string, GrantRecord>;
}

const shared = new Map<string, Tables>();
const byCreation = (a: GrantRecord, b: GrantRecord) => a.CreationDate - b.CreationDate || (a.GrantId < b.GrantId ? -1 : 1);

/** Key and alias records hold only data (no CryptoKeys), so structuredClone copies them exactly. */
const copy = <T>(value: T): T => structuredClone(value);
/** Import records hold a CryptoKey: copy the data, share the (immutable) key object. */
const copyImport = (record: ImportRecord): ImportRecord => ({ ...record });

export class MemoryStore implements RegionStore {
  readonly region: string;
  readonly #tables: Tables;

  constructor(databaseName: string, region: string) {
    this.region = region;
    let tables = shared.get(databaseName);
    if (!tables) {
      tables = { keys: new Map(), aliases: new Map(), imports: new Map(), grants: new Map() };
      shared.set(databaseName, tables);
    }
    this.#tables = tables;
  }

  /** Forgets every memory database whose name starts with `prefix` (tests). */
  static forget(prefix: string): void {
    for (const name of [...shared.keys()]) if (name.startsWith(prefix)) shared.delete(name);
  }

  async root(create: () => Promise<RootKeys>): Promise<RootKeys> {
    if (this.#tables.root) return this.#tables.root;
    const created = await create();
    this.#tables.root ??= created;
    return this.#tables.root;
  }

  async getKey(keyId: string) {
    const record = this.#tables.keys.get(keyId);
    return record && copy(record);
  }
  async allKeys() {
    return [...this.#tables.keys.values()].map(copy);
  }
  async getAlias(aliasName: string) {
    const record = this.#tables.aliases.get(aliasName);
    return record && copy(record);
  }
  async allAliases() {
    return [...this.#tables.aliases.values()].map(copy);
  }
  async getImport(tokenId: string) {
    const record = this.#tables.imports.get(tokenId);
    return record && copyImport(record);
  }
  async allImports() {
    return [...this.#tables.imports.values()].map(copyImport);
  }

  async getGrant(grantId: string) {
    const record = this.#tables.grants.get(grantId);
    return record && copy(record);
  }
  async grantsForKey(keyId: string) {
    const out: GrantRecord[] = [];
    for (const g of this.#tables.grants.values()) if (g.KeyId === keyId) out.push(copy(g));
    return out.sort(byCreation);
  }
  async allGrants() {
    return [...this.#tables.grants.values()].map(copy).sort(byCreation);
  }

  async commit(writes: readonly Write[]): Promise<void> {
    // Check everything first, then apply: all or nothing, with no await in between.
    for (const write of writes) checkExpected(write, this.#table(write).get(write.id));
    for (const write of writes) {
      const table = this.#table(write);
      if (write.value === undefined) table.delete(write.id);
      else table.set(write.id, write.store === 'imports' ? copyImport(write.value as ImportRecord) : copy(write.value));
    }
  }

  async replace(contents: RegionContents): Promise<void> {
    // Copied first, swapped in after: nothing is half-replaced.
    const keys = new Map(contents.keys.map((r) => [r.KeyId, copy(r)]));
    const aliases = new Map(contents.aliases.map((r) => [r.AliasName, copy(r)]));
    const grants = new Map(contents.grants.map((r) => [r.GrantId, copy(r)]));
    const t = this.#tables;
    for (const [table, next] of [[t.keys, keys], [t.aliases, aliases], [t.grants, grants]] as [Map<string, unknown>, Map<string, unknown>][]) {
      table.clear();
      for (const [k, v] of next) table.set(k, v);
    }
    t.imports.clear();
  }

  #table(write: Write): Map<string, { version: number }> {
    return this.#tables[write.store] as Map<string, { version: number }>;
  }

  close(): void {}
}
