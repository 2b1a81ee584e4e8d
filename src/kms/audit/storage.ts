/**
 * Where a region's audit log lives. Two implementations with the same guarantees: memory
 * (memory-storage.ts, Node and tests) and IndexedDB (indexeddb-storage.ts, pages and workers).
 *
 * Per region, three tables keyed as follows:
 *
 * | table     | key                   | value                                             |
 * | --------- | --------------------- | ------------------------------------------------- |
 * | `records` | chain.sequence        | AuditRecord                                       |
 * | `digests` | lastSequence covered  | AuditDigest                                       |
 * | `meta`    | `'head'`, `'signingKey'` | AuditHead; AuditSigningKey (non-extractable CryptoKey) |
 *
 * Keys are stored beside (not inside) the values, so a record moved to another key is visible to
 * `verify()` as the tampering it is.
 *
 * `commit` is compare-and-set: it writes a batch (records, optionally a digest, and the new head)
 * only if the stored head still equals the head the batch was chained from, all in one transaction;
 * otherwise it writes nothing and returns the stored head, and the writer re-chains and retries. Two
 * tabs appending to one region therefore serialize: no record is lost, no sequence is used twice, the
 * chain never forks.
 */
import type { AuditDigest, AuditSigningKey } from './digests.js';
import type { AuditRecord, ChainTip } from './hash-chain.js';
import { rangeError } from '../../core/arguments.js';

/** The last digest of a region, as the next digest needs it. */
export interface DigestTip {
  readonly lastSequence: number;
  readonly signature: string;
  readonly endTime: string;
}

/** A region's chain tip and last digest, kept in `meta` and updated with every commit. */
export interface AuditHead {
  readonly tip: ChainTip;
  readonly digest: DigestTip | null;
  /**
   * The high-water mark (seal.ts): the region key's signature of this head, made by the writer
   * before the commit that stores it. Absent only from the empty head, and from a head written
   * before marks existed (see {@link AuditRegionStore.unmarkedHead}).
   */
  readonly mark?: string;
}

export interface AuditBatch {
  /** Records tip.sequence + 1 … in order. */
  readonly records: readonly AuditRecord[];
  /** Digests made with the batch, in order; the last one is the new head's digest. */
  readonly digests: readonly AuditDigest[];
  /** The head after the batch. */
  readonly head: AuditHead;
  /**
   * Write-ahead journal watermarks (journal.ts): the batch holds journal `id`'s entries up to
   * `upTo`. A store with journals stores them in the same transaction; others ignore them.
   */
  readonly journals?: readonly { readonly id: string; readonly upTo: number }[];
}

export type CommitResult = { readonly ok: true } | { readonly ok: false; readonly head: AuditHead };

export interface StoredEntry<T> {
  readonly key: number;
  readonly value: T;
}

/** Inclusive bounds on the key. */
export interface KeyRange {
  readonly from?: number;
  readonly to?: number;
}

export interface AuditSnapshot {
  readonly head: AuditHead;
  readonly records: StoredEntry<AuditRecord>[];
  readonly digests: StoredEntry<AuditDigest>[];
}

/**
 * A key that signed a region's digests before the log was restored from a backup (key-store
 * backup, src/kms/backup/): digests ending at or before `upTo` are signed by it, later ones by the
 * region's own key. Signing keys are non-extractable, so a restored log cannot keep its old key;
 * the backup (authenticated under the passphrase) carries the old public key instead.
 */
export interface InheritedSigningKey {
  /** SubjectPublicKeyInfo DER, base64. */
  readonly publicKeySpki: string;
  /** The last sequence whose digest this key signed. */
  readonly upTo: number;
}

/** What a restore writes into one region's audit store, replacing what was there. */
export interface AuditRestore {
  readonly head: AuditHead;
  readonly records: readonly StoredEntry<AuditRecord>[];
  readonly digests: readonly StoredEntry<AuditDigest>[];
  /** Oldest first; empty when the region's own key signed everything. */
  readonly inheritedKeys: readonly InheritedSigningKey[];
}

export interface AuditRegionStore {
  readonly region: string;
  /** Keys that signed digests before a restore (oldest first; empty if none). */
  inheritedKeys?(): Promise<InheritedSigningKey[]>;
  /** Replaces records, digests, head and inherited keys in one transaction (restore); the signing key stays. */
  replace?(contents: AuditRestore): Promise<void>;
  /** The region's signing key; `create` runs only if none is stored, and the first writer wins. */
  signingKey(create: () => Promise<AuditSigningKey>): Promise<AuditSigningKey>;
  head(): Promise<AuditHead>;
  /**
   * Compare-and-set (see above). On success the store owns the batch's objects: the writer keeps
   * no reference and hands none out, so a store may keep them without copying.
   */
  commit(expected: AuditHead, batch: AuditBatch): Promise<CommitResult>;
  /** Records in key order, as stored (copies). */
  records(range?: KeyRange): Promise<StoredEntry<AuditRecord>[]>;
  /** Digests in key order, as stored (copies). */
  digests(range?: KeyRange): Promise<StoredEntry<AuditDigest>[]>;
  /** Head, records and digests read together (one transaction): what `verify()` checks. */
  snapshot(): Promise<AuditSnapshot>;
  /**
   * A head stored before heads carried marks (an IndexedDB log of schema version 1), as the schema
   * upgrade found it: accepted without a mark until the next commit marks it. Undefined otherwise.
   */
  unmarkedHead?(): Promise<AuditHead | undefined>;
  close(): void;
  /** Memory: a queued record is as stored as a committed one (region-writer.ts, persist). */
  readonly volatile?: boolean;
  /** Stores that keep write-ahead journals (journal.ts): the name journals are filed under (recovered on open). */
  readonly journalName?: string;
  /** Whether new records may go to a journal first (not under `durability: 'strict'`). */
  readonly journalWrites?: boolean;
  /** The watermark stored for journal `id` (0 if none). */
  journalMark?(id: string): Promise<number>;
  /** Forgets journal `id`'s watermark once its files are gone. */
  forgetJournal?(id: string): Promise<void>;
}

/**
 * A storage backend: opens one region's audit store.
 *
 * @example
 * ```ts
 * const storage = new MemoryAuditStorage('test');
 * const east = await storage.open('us-east-1');
 * await east.head(); // { tip: { sequence: 0, hash: '000…' }, digest: null }
 * ```
 */
export interface AuditStorage {
  open(region: string): Promise<AuditRegionStore>;
}

/**
 * Whether two heads are the same state (the compare of compare-and-set).
 *
 * @example
 * ```ts
 * if (!sameHead(stored, expected)) return { ok: false, head: stored };
 * ```
 */
export function sameHead(a: AuditHead, b: AuditHead): boolean {
  return (
    a.tip.sequence === b.tip.sequence &&
    a.tip.hash === b.tip.hash &&
    (a.digest?.lastSequence ?? 0) === (b.digest?.lastSequence ?? 0) &&
    (a.digest?.signature ?? null) === (b.digest?.signature ?? null)
  );
}

/**
 * Throws if a batch cannot follow `expected` (a bug in the writer, never a race).
 *
 * @example
 * ```ts
 * checkBatch(expected, batch); // RangeError when batch.records[0] is not expected.tip.sequence + 1
 * ```
 */
export function checkBatch(expected: AuditHead, batch: AuditBatch): void {
  batch.records.forEach((record, i) => {
    if (record.chain.sequence !== expected.tip.sequence + 1 + i) throw rangeError(`batch.records[${i}]`, `has sequence ${record.chain.sequence}, expected ${expected.tip.sequence + 1 + i}`);
  });
  const last = batch.digests.at(-1);
  if (last && last.lastSequence !== batch.head.digest?.lastSequence) throw rangeError('the', 'last of batch.digests must be the batch head\'s digest');
}
