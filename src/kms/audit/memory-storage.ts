/**
 * In-memory audit storage for Node and tests, with IndexedDB's semantics: `commit` checks and writes
 * without an await in between (atomic), takes ownership of the batch (the writer never touches it
 * again, so it is not copied), reads hand out copies (structuredClone), and two
 * storages created with the same name share their tables while the process lives, as two tabs share
 * IndexedDB: that is how the Node tests open a "second tab".
 */
import type { AuditDigest, AuditSigningKey } from './digests.js';
import { EMPTY_TIP, type AuditRecord } from './hash-chain.js';
import { checkBatch, sameHead, type AuditBatch, type AuditHead, type AuditRegionStore, type AuditSnapshot, type AuditStorage, type AuditRestore, type CommitResult, type InheritedSigningKey, type KeyRange, type StoredEntry } from './storage.js';
import { typeError } from '../../core/arguments.js';

/** One region's tables. Exposed (see {@link MemoryAuditStorage.unsafeTables}) so tests can tamper. */
export interface MemoryAuditTables {
  readonly records: Map<number, AuditRecord>;
  readonly digests: Map<number, AuditDigest>;
  head: AuditHead;
  signingKey?: AuditSigningKey;
  inheritedKeys?: InheritedSigningKey[];
}

const shared = new Map<string, MemoryAuditTables>();
const EMPTY_HEAD: AuditHead = { tip: EMPTY_TIP, digest: null };

/**
 * Memory storage; storages with the same `name` share data (default: a private, random name).
 *
 * @example
 * ```ts
 * const audit = await AuditLog.open({ storage: new MemoryAuditStorage(), account: '111122223333', regions: ['us-east-1'] });
 * ```
 */
export class MemoryAuditStorage implements AuditStorage {
  readonly name: string;

  constructor(name: string = `memory-${crypto.randomUUID()}`) {
    if (typeof name !== 'string' || name.length === 0) throw typeError('name', 'a non-empty string');
    this.name = name;
  }

  async open(region: string): Promise<AuditRegionStore> {
    return new MemoryAuditRegionStore(region, this.unsafeTables(region));
  }

  /**
   * The live tables of one region, for tests that simulate an attacker editing storage directly.
   * Anything written here bypasses the chain; `verify()` is expected to notice.
   */
  unsafeTables(region: string): MemoryAuditTables {
    const id = `${this.name}\u0000${region}`;
    let tables = shared.get(id);
    if (!tables) {
      tables = { records: new Map(), digests: new Map(), head: EMPTY_HEAD };
      shared.set(id, tables);
    }
    return tables;
  }

  /** Forgets every memory audit log whose storage name starts with `prefix` (tests). */
  static forget(prefix: string): void {
    for (const id of [...shared.keys()]) if (id.startsWith(prefix)) shared.delete(id);
  }
}

class MemoryAuditRegionStore implements AuditRegionStore {
  readonly region: string;
  readonly volatile = true;
  readonly #tables: MemoryAuditTables;

  constructor(region: string, tables: MemoryAuditTables) {
    this.region = region;
    this.#tables = tables;
  }

  async signingKey(create: () => Promise<AuditSigningKey>): Promise<AuditSigningKey> {
    if (this.#tables.signingKey) return this.#tables.signingKey;
    const created = await create();
    // Another instance may have created one while we awaited: the first one stored wins.
    this.#tables.signingKey ??= created;
    return this.#tables.signingKey;
  }

  async head(): Promise<AuditHead> {
    return structuredClone(this.#tables.head);
  }

  async commit(expected: AuditHead, batch: AuditBatch): Promise<CommitResult> {
    checkBatch(expected, batch);
    const tables = this.#tables;
    if (!sameHead(tables.head, expected)) return { ok: false, head: structuredClone(tables.head) };
    // The batch is the writer's to give (storage.ts, commit): stored as is, copied on the way out.
    for (const record of batch.records) tables.records.set(record.chain.sequence, record);
    for (const digest of batch.digests) tables.digests.set(digest.lastSequence, digest);
    tables.head = batch.head;
    return { ok: true };
  }

  async records(range?: KeyRange): Promise<StoredEntry<AuditRecord>[]> {
    return entries(this.#tables.records, range);
  }

  async digests(range?: KeyRange): Promise<StoredEntry<AuditDigest>[]> {
    return entries(this.#tables.digests, range);
  }

  async inheritedKeys(): Promise<InheritedSigningKey[]> {
    return structuredClone(this.#tables.inheritedKeys ?? []);
  }

  async replace(contents: AuditRestore): Promise<void> {
    // Built aside, then swapped in with no await in between: all or nothing, as a transaction.
    const records = new Map(contents.records.map((e) => [e.key, structuredClone(e.value)]));
    const digests = new Map(contents.digests.map((e) => [e.key, structuredClone(e.value)]));
    const tables = this.#tables;
    tables.records.clear();
    tables.digests.clear();
    for (const [k, v] of records) tables.records.set(k, v);
    for (const [k, v] of digests) tables.digests.set(k, v);
    tables.head = structuredClone(contents.head);
    tables.inheritedKeys = structuredClone([...contents.inheritedKeys]);
  }

  async snapshot(): Promise<AuditSnapshot> {
    return { head: structuredClone(this.#tables.head), records: entries(this.#tables.records, undefined), digests: entries(this.#tables.digests, undefined) };
  }

  close(): void {}
}

function entries<T>(table: Map<number, T>, range: KeyRange | undefined): StoredEntry<T>[] {
  const from = range?.from ?? -Infinity;
  const to = range?.to ?? Infinity;
  // A short range of integer keys (the writer reading one record back): look the keys up rather
  // than sort the whole table. A tampered table may hold other keys; full reads still see them.
  if (Number.isSafeInteger(from) && Number.isSafeInteger(to) && to - from < 64) {
    const out: StoredEntry<T>[] = [];
    for (let key = from; key <= to; key++) if (table.has(key)) out.push({ key, value: structuredClone(table.get(key)!) });
    return out;
  }
  return [...table.keys()]
    .filter((key) => key >= from && key <= to)
    .sort((a, b) => a - b)
    .map((key) => ({ key, value: structuredClone(table.get(key)!) }));
}
