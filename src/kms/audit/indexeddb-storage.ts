/**
 * IndexedDB audit storage through idb: one database per region, `<name>-audit-<region>`, kept apart
 * from the KMS's own region databases so that the audit log's schema can evolve (and be exported or
 * deleted) on its own. Object stores (storage.ts has the table): `records` and `digests` with
 * out-of-line integer keys, `meta` with `'head'` and `'signingKey'`.
 *
 * Every commit is one readwrite transaction over all three stores: read the head, compare, write the
 * records, the digests and the new head. Its only awaits are its own requests, so it cannot
 * auto-commit half-way (idb README, "Transaction lifetime"); the hashing and signing happen before it
 * opens. `add` (never `put`) for records and digests: even a bug in the writer cannot overwrite one.
 */
import { deleteDB, unwrap, type DBSchema, type IDBPDatabase } from 'idb';
import { openUnblocked } from '../storage/blocked-open.js';
import type { AuditDigest, AuditSigningKey } from './digests.js';
import { deleteJournals } from './journal.js';
import { EMPTY_TIP, type AuditRecord } from './hash-chain.js';
import { checkBatch, sameHead, type AuditBatch, type AuditHead, type AuditRegionStore, type AuditSnapshot, type AuditStorage, type AuditRestore, type CommitResult, type InheritedSigningKey, type KeyRange, type StoredEntry } from './storage.js';
import { argumentError, typeError } from '../../core/arguments.js';

export interface AuditDB extends DBSchema {
  records: { key: number; value: AuditRecord };
  digests: { key: number; value: AuditDigest };
  /** `journal:<id>`: the highest entry of write-ahead journal `id` committed (journal.ts). */
  /** `inheritedKeys`: signing keys of the log before a restore (storage.ts, InheritedSigningKey); `unmarkedHead`: the head a version 1 database had when it was upgraded (storage.ts, unmarkedHead). */
  meta: { key: 'head' | 'signingKey' | 'inheritedKeys' | 'unmarkedHead' | `journal:${string}`; value: AuditHead | AuditSigningKey | number | InheritedSigningKey[] };
}

/**
 * Version 1: the layout above. Version 2 (issue 11): heads carry a high-water mark (seal.ts); the
 * upgrade keeps a copy of the unmarked head it found, the one head accepted without a mark, until
 * the first commit marks it. A later layout appends a migration step, as the KMS's schema.ts does.
 */
export const AUDIT_SCHEMA_VERSION = 2;
const EMPTY_HEAD: AuditHead = { tip: EMPTY_TIP, digest: null };

export interface IndexedDbAuditOptions {
  /**
   * The durability hint of append transactions (IndexedDB 3.0). `default` (the default) leaves it to
   * the browser, as the KMS's own stores do, so a record is as durable as the key change it records.
   * `relaxed` resolves once the OS has the data: it survives a tab or browser crash, not a power
   * loss, and can commit faster (Chromium: 1.6 times the one-at-a-time rate in our runs).
   * `strict` waits for the disk.
   */
  readonly durability?: 'default' | 'strict' | 'relaxed';
}

/**
 * IndexedDB storage; `name` prefixes every region's database name.
 *
 * @example
 * ```ts
 * const storage = new IndexedDbAuditStorage('envelope-kit-kms:111122223333');
 * const audit = await AuditLog.open({ storage, account: '111122223333', regions: ['us-east-1'] });
 * // database "envelope-kit-kms:111122223333-audit-us-east-1"
 * ```
 */
export class IndexedDbAuditStorage implements AuditStorage {
  readonly name: string;
  readonly durability: 'default' | 'strict' | 'relaxed';

  constructor(name: string, options: IndexedDbAuditOptions = {}) {
    if (typeof name !== 'string' || name.length === 0) throw typeError('name', 'a non-empty string');
    const durability = options.durability ?? 'default';
    if (!['default', 'strict', 'relaxed'].includes(durability)) throw typeError('options.durability', "'default', 'strict' or 'relaxed'");
    this.name = name;
    this.durability = durability;
  }

  databaseName(region: string): string {
    return `${this.name}-audit-${region}`;
  }

  async open(region: string): Promise<AuditRegionStore> {
    if (typeof indexedDB === 'undefined') {
      throw argumentError('IndexedDbAuditStorage', 'needs IndexedDB (a page or a worker); use MemoryAuditStorage in Node');
    }
    // Not openDB: an upgrade another tab blocks must fail with a clear error, not hang (storage/blocked-open.ts).
    const db = await openUnblocked<AuditDB>(this.databaseName(region), AUDIT_SCHEMA_VERSION, {
      async upgrade(database, oldVersion, _newVersion, transaction) {
        if (oldVersion < 1) {
          database.createObjectStore('records');
          database.createObjectStore('digests');
          database.createObjectStore('meta');
        }
        if (oldVersion === 1) {
          // Only the versionchange transaction's own requests are awaited here (house style 6).
          const meta = transaction.objectStore('meta');
          const head = (await meta.get('head')) as AuditHead | undefined;
          if (head && head.mark === undefined) await meta.put(head, 'unmarkedHead');
        }
      },
      // A newer version of the kit in another tab wants to upgrade: step aside rather than block it.
      blocking: () => db.close(),
    });
    return new IndexedDbAuditRegionStore(region, db, this.durability, this.databaseName(region));
  }

  /** Deletes the audit databases of `regions` and their orphaned journals (tests, and a full reset of the kit's storage). */
  async delete(regions: readonly string[]): Promise<void> {
    for (const region of regions) {
      await deleteDB(this.databaseName(region));
      await deleteJournals(this.databaseName(region));
    }
  }
}

class IndexedDbAuditRegionStore implements AuditRegionStore {
  readonly region: string;
  readonly journalName: string;
  readonly journalWrites: boolean;
  readonly #db: IDBPDatabase<AuditDB>;
  readonly #durability: 'default' | 'strict' | 'relaxed';

  constructor(region: string, db: IDBPDatabase<AuditDB>, durability: 'default' | 'strict' | 'relaxed', databaseName: string) {
    this.region = region;
    this.#db = db;
    this.#durability = durability;
    this.journalName = databaseName;
    // A journal write is as durable as a relaxed transaction (journal.ts): not with 'strict'.
    this.journalWrites = durability !== 'strict';
  }

  async journalMark(id: string): Promise<number> {
    const mark = await this.#db.get('meta', `journal:${id}`);
    return typeof mark === 'number' ? mark : 0;
  }

  async forgetJournal(id: string): Promise<void> {
    await this.#db.delete('meta', `journal:${id}`);
  }

  async signingKey(create: () => Promise<AuditSigningKey>): Promise<AuditSigningKey> {
    const existing = (await this.#db.get('meta', 'signingKey')) as AuditSigningKey | undefined;
    if (existing) return existing;
    // Generate outside the transaction, then add-if-absent inside it: the first tab's key wins.
    const created = await create();
    const tx = this.#db.transaction('meta', 'readwrite');
    const raced = (await tx.store.get('signingKey')) as AuditSigningKey | undefined;
    if (!raced) await tx.store.put(created, 'signingKey');
    await tx.done;
    return raced ?? created;
  }

  async head(): Promise<AuditHead> {
    return ((await this.#db.get('meta', 'head')) as AuditHead | undefined) ?? EMPTY_HEAD;
  }

  #unmarked: boolean | undefined;

  async unmarkedHead(): Promise<AuditHead | undefined> {
    const head = (await this.#db.get('meta', 'unmarkedHead')) as AuditHead | undefined;
    this.#unmarked = head !== undefined;
    return head;
  }

  commit(expected: AuditHead, batch: AuditBatch): Promise<CommitResult> {
    try {
      checkBatch(expected, batch);
    } catch (error) {
      return Promise.reject(error);
    }
    // The raw IndexedDB API here, not idb's promises: this runs once per sequential KMS call, and
    // the wrapper's proxies and promise per request cost about a quarter of the commit itself.
    // Every request is issued at once, the head read first: one round trip to the database rather
    // than two (read, then write). Requests run and report in order, so the head's answer arrives
    // before any write is committed; if another writer has moved the head, abort() undoes the
    // writes (an `add` over a sequence that writer used would fail and abort the same way).
    // Compare-and-set as before: nothing is committed unless the head is the expected one.
    return new Promise<CommitResult>((resolve, reject) => {
      let tx: IDBTransaction;
      try {
        tx = unwrap(this.#db).transaction(['records', 'digests', 'meta'], 'readwrite', { durability: this.#durability });
      } catch (error) {
        reject(error);
        return;
      }
      let conflict: AuditHead | undefined;
      let failure: unknown;
      let dropsUnmarked = false;
      const meta = tx.objectStore('meta');
      const read = meta.get('head');
      read.onsuccess = () => {
        const current = (read.result as AuditHead | undefined) ?? EMPTY_HEAD;
        if (!sameHead(current, expected)) {
          conflict = current;
          abort(tx);
        }
      };
      try {
        const records = tx.objectStore('records');
        for (const record of batch.records) records.add(record, record.chain.sequence);
        const digests = tx.objectStore('digests');
        for (const digest of batch.digests) digests.add(digest, digest.lastSequence);
        meta.put(batch.head, 'head');
        // The upgrade's unmarked head is accepted only until a marked one replaces it.
        if (this.#unmarked !== false && batch.head.mark !== undefined) {
          meta.delete('unmarkedHead');
          dropsUnmarked = true;
        }
        for (const { id, upTo } of batch.journals ?? []) meta.put(upTo, `journal:${id}`);
      } catch (error) {
        // A value IndexedDB cannot clone: nothing is committed.
        failure = error;
        abort(tx);
      }
      tx.oncomplete = () => {
        if (dropsUnmarked) this.#unmarked = false;
        resolve({ ok: true });
      };
      tx.onabort = () => {
        if (conflict) resolve({ ok: false, head: conflict });
        else reject(failure ?? tx.error ?? new Error(`audit log ${this.region}: the append transaction was aborted`));
      };
    });
  }

  async records(range?: KeyRange): Promise<StoredEntry<AuditRecord>[]> {
    return this.#entries('records', range);
  }

  async digests(range?: KeyRange): Promise<StoredEntry<AuditDigest>[]> {
    return this.#entries('digests', range);
  }

  async inheritedKeys(): Promise<InheritedSigningKey[]> {
    return ((await this.#db.get('meta', 'inheritedKeys')) as InheritedSigningKey[] | undefined) ?? [];
  }

  async replace(contents: AuditRestore): Promise<void> {
    // One transaction over the three stores: a restore interrupted half-way leaves the old log.
    // Journal watermarks are kept: they describe this database's journals, not the log's content.
    const tx = this.#db.transaction(['records', 'digests', 'meta'], 'readwrite', { durability: 'strict' });
    const records = tx.objectStore('records');
    const digests = tx.objectStore('digests');
    const meta = tx.objectStore('meta');
    await Promise.all([
      records.clear(),
      digests.clear(),
      ...contents.records.map((e) => records.add(e.value, e.key)),
      ...contents.digests.map((e) => digests.add(e.value, e.key)),
      meta.put(contents.head, 'head'),
      meta.put([...contents.inheritedKeys], 'inheritedKeys'),
      tx.done,
    ]);
  }

  async snapshot(): Promise<AuditSnapshot> {
    // One transaction: another tab committing meanwhile cannot make the head and the records disagree.
    const tx = this.#db.transaction(['records', 'digests', 'meta'], 'readonly');
    const records = tx.objectStore('records');
    const digests = tx.objectStore('digests');
    const [head, recordKeys, recordValues, digestKeys, digestValues] = await Promise.all([
      tx.objectStore('meta').get('head') as Promise<AuditHead | undefined>,
      records.getAllKeys(),
      records.getAll(),
      digests.getAllKeys(),
      digests.getAll(),
      tx.done,
    ]);
    return {
      head: head ?? EMPTY_HEAD,
      records: recordKeys.map((key, i) => ({ key, value: recordValues[i]! })),
      digests: digestKeys.map((key, i) => ({ key, value: digestValues[i]! })),
    };
  }

  async #entries<S extends 'records' | 'digests'>(store: S, range: KeyRange | undefined): Promise<StoredEntry<AuditDB[S]['value']>[]> {
    const query = keyRange(range);
    // One readonly transaction for keys and values, so the two lists describe the same state.
    const tx = this.#db.transaction(store, 'readonly');
    const [keys, values] = await Promise.all([tx.store.getAllKeys(query), tx.store.getAll(query), tx.done]);
    return keys.map((key, i) => ({ key, value: values[i]! }));
  }

  close(): void {
    this.#db.close();
  }
}

function abort(tx: { abort(): void }): void {
  try {
    tx.abort();
  } catch {
    // already finished or aborted
  }
}

function keyRange(range: KeyRange | undefined): IDBKeyRange | undefined {
  const from = range?.from;
  const to = range?.to;
  if (from === undefined && to === undefined) return undefined;
  if (from === undefined) return IDBKeyRange.upperBound(to!);
  if (to === undefined) return IDBKeyRange.lowerBound(from);
  return IDBKeyRange.bound(from, to);
}
