/**
 * Verification of one region's log, stored or exported: a single pass over its records and digests
 * in order, stopping at the first broken link.
 *
 * Records: each must sit under its own sequence number (stored logs), carry the next sequence
 * (1, 2, …), hash to its own `chain.hash`, and, where a write group starts (hash-chain.ts), carry
 * the hash of everything before it. So an edited field breaks that record's hash, a removed record
 * leaves a gap, an inserted one repeats a sequence or breaks a link, and a reordering puts a
 * sequence out of place.
 *
 * Digests: each must start where the previous one ended, name the previous one's signature, fix the
 * hash of the records up to the one it follows, be signed by the same key as the region's other digests (and by a
 * trusted key when the caller names some), and carry a valid signature. So a consistently rewritten
 * chain (every hash recomputed) still fails at the first digest it crosses.
 *
 * The end: a stored log must end where its head says (catching a removed or added last record), and
 * the head must carry the region key's high-water mark (seal.ts: catching a head moved back with the
 * newest records); an export must end with a digest over each region's last record, and with a seal
 * (audit-export.ts) that names every region's end (catching a truncated or extended export, or a
 * region removed from it).
 */
import { isPlainObject } from './canonical-json.js';
import { digestSignatureValid, type AuditDigest } from './digests.js';
import { GENESIS_HASH, groupHash, recordHash, type AuditRecord } from './hash-chain.js';
import type { AuditHead, InheritedSigningKey } from './storage.js';
import { headMarkProblem } from './seal.js';

/** Where and why an audit log's hash chain or digests fail to verify. */
export interface BrokenLink {
  readonly region: string;
  /** The sequence number where the chain breaks (the missing one, for a removed record). */
  readonly sequence: number;
  readonly reason: string;
  /** The 1-based line of an exported text, when verifying one. */
  readonly line?: number;
}

/**
 * What `kms.audit.verify()` (or verifying an export) found: whether every link and digest holds,
 * how many were checked, and the first break.
 */
export interface AuditVerification {
  readonly ok: boolean;
  /** Records whose links were checked. */
  readonly checked: number;
  /** Digests whose signatures were checked. */
  readonly digests: number;
  /** The first break, in region order, then sequence order. */
  readonly firstBroken?: BrokenLink;
  /** Each region's digest signing key (SPKI, base64), for comparison with a key you trust. */
  readonly publicKeys: Readonly<Record<string, string>>;
}

export type LogItem =
  | { readonly kind: 'record'; readonly value: unknown; readonly key?: number; readonly line?: number }
  | { readonly kind: 'digest'; readonly value: unknown; readonly key?: number; readonly line?: number };

export interface RegionLog {
  readonly region: string;
  readonly items: readonly LogItem[];
  /** Stored logs: the head the log must end at. */
  readonly head?: AuditHead;
  /** Stored logs: the region's own signing key; digests signed by another fail. */
  readonly signingKey?: string;
  /** Stored logs restored from a backup: the keys that signed the digests up to each `upTo` (oldest first). */
  readonly inheritedKeys?: readonly InheritedSigningKey[];
  /** Stored logs: the account the head's high-water mark names. */
  readonly account?: string;
  /** Stored logs: a pre-mark head the schema upgrade recorded (storage.ts, unmarkedHead). */
  readonly unmarkedHead?: AuditHead | undefined;
  /** Exports: the log must end with a digest over its last record. */
  readonly requireFinalDigest?: boolean;
  /** Exports: the header lists this region, so its records must be there. */
  readonly requireRecords?: boolean;
}

export interface RegionResult {
  readonly checked: number;
  readonly digests: number;
  readonly broken?: BrokenLink;
  readonly publicKey?: string;
  /** The last record's sequence number (0: none). */
  readonly lastSequence: number;
  /** The last digest read, valid, when the region verified. */
  readonly lastDigest?: AuditDigest;
}

class Broken extends Error {
  readonly sequence: number;
  readonly line: number | undefined;
  constructor(sequence: number, reason: string, line?: number) {
    super(reason);
    this.sequence = sequence;
    this.line = line;
  }
}

/**
 * Verifies one region's log.
 *
 * @example
 * ```ts
 * const result = await verifyRegion({ region: 'us-east-1', items, requireFinalDigest: true });
 * if (result.broken) console.log(`${result.broken.region} #${result.broken.sequence}: ${result.broken.reason}`);
 * ```
 */
export async function verifyRegion(log: RegionLog, trusted?: ReadonlySet<string>): Promise<RegionResult> {
  const { region } = log;
  // Every record's own hash, computed concurrently up front, a thousand at a time (a value that
  // cannot be hashed, such as a Date slipped into stored data, counts as a mismatch).
  const ownHashes: (string | null)[] = [];
  for (let i = 0; i < log.items.length; i += 1024) {
    const slice = log.items.slice(i, i + 1024);
    ownHashes.push(...(await Promise.all(slice.map((item) => (item.kind === 'record' && isRecord(item.value) ? recordHash(item.value).catch(() => null) : null)))));
  }
  let expected = 1;
  // The write group being read: the previousHash its records share, their hashes, and whether a
  // digest has closed it (a legitimate writer starts a new group after every digest).
  let groupPrevious = GENESIS_HASH;
  let groupHashes: string[] = [];
  let groupClosed = false;
  let tipCache: string | undefined;
  const tipHash = async () => (tipCache ??= groupHashes.length === 0 ? groupPrevious : await groupHash(groupHashes));
  let previousDigest: AuditDigest | null = null;
  let key = log.signingKey;
  let checked = 0;
  let digests = 0;
  let lastItem: LogItem | undefined;
  try {
    if (log.requireRecords && log.items.length === 0) throw new Broken(1, 'the export header lists this region but none of its records are in the export');
    for (const [index, item] of log.items.entries()) {
      lastItem = item;
      if (item.kind === 'record') {
        const r = item.value as AuditRecord;
        if (!isRecord(r)) throw new Broken(expected, 'the record is malformed: it has no chain link', item.line);
        const seq = r.chain.sequence;
        if (item.key !== undefined && item.key !== seq) throw new Broken(item.key, `stored under key ${item.key} but its chain.sequence is ${seq} (moved or reordered)`);
        if (r.awsRegion !== region) throw new Broken(seq, `awsRegion is ${JSON.stringify(r.awsRegion)} in ${region}'s chain`, item.line);
        if (seq > expected) throw new Broken(expected, `record ${expected} is missing (the next record is ${seq})`, item.line);
        if (seq < expected) throw new Broken(seq, `record ${seq} appears again or out of order (expected ${expected})`, item.line);
        if (r.chain.previousHash !== groupPrevious || groupClosed) {
          // A new write group: it must carry the hash of everything before it.
          if (r.chain.previousHash !== (await tipHash())) {
            throw new Broken(seq, `previousHash does not match the hash of the records before ${seq} (inserted, removed or reordered)`, item.line);
          }
          groupPrevious = r.chain.previousHash;
          groupHashes = [];
          groupClosed = false;
        }
        if (ownHashes[index] !== r.chain.hash) throw new Broken(seq, "the record's hash does not match its contents (edited)", item.line);
        groupHashes.push(r.chain.hash);
        tipCache = undefined;
        expected += 1;
        checked += 1;
        continue;
      }
      const d = item.value as AuditDigest;
      if (!isDigest(d)) throw new Broken(expected - 1, 'the digest is malformed', item.line);
      const end = d.lastSequence;
      if (item.key !== undefined && item.key !== end) throw new Broken(item.key, `a digest stored under key ${item.key} ends at ${end}`);
      if (d.awsRegion !== region) throw new Broken(end, `a digest for ${JSON.stringify(d.awsRegion)} is in ${region}'s log`, item.line);
      if (end !== expected - 1) throw new Broken(end, `a digest ending at record ${end} follows record ${expected - 1}`, item.line);
      const start = (previousDigest?.lastSequence ?? 0) + 1;
      if (d.firstSequence !== start) throw new Broken(end, `the digest starts at ${d.firstSequence}, not where the previous digest ended (${start})`, item.line);
      if (d.previousDigestSignature !== (previousDigest?.digestSignature ?? null)) throw new Broken(end, "previousDigestSignature does not match the previous digest's signature", item.line);
      if (d.lastHash !== (await tipHash())) throw new Broken(end, `the digest's lastHash is not the hash of the records up to ${end} (the records were rewritten)`, item.line);
      if (trusted && !trusted.has(d.digestPublicKey)) throw new Broken(end, 'the digest is signed by a key that is not trusted', item.line);
      const inherited = log.inheritedKeys?.find((k) => end <= k.upTo);
      if (inherited) {
        if (d.digestPublicKey !== inherited.publicKeySpki) throw new Broken(end, 'the digest is not signed by the key that signed this part of the log before it was restored', item.line);
      } else if ((key ??= d.digestPublicKey) !== d.digestPublicKey) throw new Broken(end, `the digest is signed by a different key than ${log.signingKey ? "this region's signing key" : "the region's other digests"}`, item.line);
      if (!(await digestSignatureValid(d))) throw new Broken(end, 'the digest signature is invalid (the digest was edited)', item.line);
      previousDigest = d;
      groupClosed = true;
      digests += 1;
    }
    const last = expected - 1;
    if (log.head) {
      const head = log.head;
      if (head.tip.sequence > last) throw new Broken(last + 1, `record ${last + 1} is missing (the log ends at ${last}, its head at ${head.tip.sequence})`);
      if (head.tip.sequence < last) throw new Broken(head.tip.sequence + 1, `record ${head.tip.sequence + 1} is beyond the log's head (inserted)`);
      if (head.tip.hash !== (await tipHash())) throw new Broken(last, `the records up to ${last} are not the ones the head was written with`);
      if ((head.digest?.signature ?? null) !== (previousDigest?.digestSignature ?? null)) throw new Broken(head.digest?.lastSequence ?? last, 'the last digest is not the one the head was written with (removed or replaced)');
      if (log.signingKey !== undefined && log.account !== undefined) {
        const problem = await headMarkProblem(head, { account: log.account, region, spki: log.signingKey, unmarked: log.unmarkedHead });
        if (problem) throw new Broken(head.tip.sequence, problem);
      }
    }
    if (log.requireFinalDigest && lastItem && (previousDigest === null || previousDigest.lastSequence !== last)) {
      throw new Broken(last, `records after ${previousDigest?.lastSequence ?? 0} are not covered by a digest (an export ends with one: truncated or extended)`, lastItem.line);
    }
  } catch (error) {
    if (!(error instanceof Broken)) throw error;
    const broken: BrokenLink = { region, sequence: error.sequence, reason: error.message, ...(error.line !== undefined ? { line: error.line } : {}) };
    return { checked, digests, broken, lastSequence: expected - 1, ...(key ? { publicKey: key } : {}) };
  }
  return { checked, digests, lastSequence: expected - 1, ...(key ? { publicKey: key } : {}), ...(previousDigest ? { lastDigest: previousDigest } : {}) };
}

/**
 * Verifies several regions' logs, in order; the first broken region (in `logs` order) is reported.
 * `extra` is a break found before any region could be read (an unparsable export line).
 *
 * @example
 * ```ts
 * const verification = await verifyRegions([{ region: 'us-east-1', items }], new Set([trustedSpki]));
 * ```
 */
export async function verifyRegions(
  logs: readonly RegionLog[],
  trusted?: ReadonlySet<string>,
  extra?: BrokenLink,
  /** Exports: the seal's check, once every region verified (audit-export.ts). */
  after?: (results: ReadonlyMap<string, RegionResult>) => Promise<BrokenLink | undefined>,
): Promise<AuditVerification> {
  let checked = 0;
  let digests = 0;
  let firstBroken: BrokenLink | undefined = extra;
  const publicKeys: Record<string, string> = {};
  const results = new Map<string, RegionResult>();
  for (const log of logs) {
    const result = await verifyRegion(log, trusted);
    checked += result.checked;
    digests += result.digests;
    firstBroken ??= result.broken;
    results.set(log.region, result);
    if (result.publicKey) publicKeys[log.region] = result.publicKey;
  }
  if (!firstBroken && after) firstBroken = await after(results);
  return { ok: firstBroken === undefined, checked, digests, ...(firstBroken ? { firstBroken } : {}), publicKeys };
}

function isRecord(value: unknown): value is AuditRecord {
  if (!isPlainObject(value) || !isPlainObject(value.chain)) return false;
  const { sequence, previousHash, hash } = value.chain;
  return Number.isSafeInteger(sequence) && typeof previousHash === 'string' && typeof hash === 'string';
}

function isDigest(value: unknown): value is AuditDigest {
  if (!isPlainObject(value)) return false;
  return (
    value.type === 'digest' &&
    Number.isSafeInteger(value.firstSequence) &&
    Number.isSafeInteger(value.lastSequence) &&
    typeof value.lastHash === 'string' &&
    typeof value.digestPublicKey === 'string' &&
    typeof value.digestSignature === 'string' &&
    (value.previousDigestSignature === null || typeof value.previousDigestSignature === 'string')
  );
}
