/**
 * The per-region hash chain, built from write groups (the records one transaction commits):
 *
 *   record.chain.hash         = hex SHA-256 of the UTF-8 canonicalJson (canonical-json.ts) of the
 *                               record with chain = { previousHash, sequence }, i.e. without `hash`
 *   record.chain.previousHash = the hash of everything before the record's group: GENESIS_HASH for
 *                               the first group, else the previous group's hash
 *   group hash                = the record's hash, for a group of one record; else hex SHA-256 of
 *                               canonicalJson([the group's record hashes, in sequence order])
 *
 * A log written one record at a time is therefore the classic chain (previousHash = the previous
 * record's hash). In general every record's hash covers all its fields, its sequence number and,
 * through previousHash, everything before its group; a group's hash covers all its records, and the
 * next group's records carry it. A group is read back as a maximal run of consecutive records with
 * the same previousHash. Editing a field breaks that record's hash; removing, inserting or
 * reordering records breaks a sequence number or the next group's previousHash; a consistently
 * recomputed tail is caught by the signed digests (digests.ts), which fix the hash of the group they
 * end at, and by the stored head.
 *
 * Why groups, and not "previousHash = the previous record's hash" everywhere: that chain makes
 * hashing strictly sequential, and WebCrypto's digest is asynchronous, so each link costs a round
 * trip to the crypto thread (about 50 µs in Node on two cores, more in browsers). That capped a
 * region at roughly 13 k records/s however appends were batched, and halved the KMS's throughput in
 * bench/audit.mjs. Within a group the record hashes are independent and computed together; one
 * sequential digest per group remains. The evidence is the same: every record is bound to all that
 * precedes it, and each record's own hash still pinpoints an edit to that record.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { canonicalJson, canonicalSplit } from './canonical-json.js';
import type { AuditEvent } from './cloudtrail-record.js';

/** previousHash of the first group of every region: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

export interface ChainLink {
  /** 1, 2, 3, … without gaps, per region. */
  sequence: number;
  /** The hash of the previous write group ({@link GENESIS_HASH} for the first). */
  previousHash: string;
  /** SHA-256 (lower-case hex) of this record's canonical JSON without `chain.hash`. */
  hash: string;
}

/** A stored audit record: the CloudTrail-shaped event plus its link in the region's chain. */
export interface AuditRecord extends AuditEvent {
  chain: ChainLink;
}

/** Where a region's chain ends: the last sequence written and the hash of the last group (0 and GENESIS_HASH when empty). */
export interface ChainTip {
  readonly sequence: number;
  readonly hash: string;
}

export const EMPTY_TIP: ChainTip = { sequence: 0, hash: GENESIS_HASH };

const encoder = new TextEncoder();
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * Lower-case hex of bytes (hashes and fingerprints; never key material).
 *
 * @example
 * ```ts
 * hex(new Uint8Array([0, 255])); // '00ff'
 * ```
 */
export function hex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += HEX[b]!;
  return out;
}

/** Lower-case hex of a 32-byte digest, four bytes at a time (a record's hash is made once per record). */
function digestHex(digest: ArrayBuffer): string {
  const view = new DataView(digest);
  let out = '';
  for (let i = 0; i < view.byteLength; i += 4) out += view.getUint32(i).toString(16).padStart(8, '0');
  return out;
}

/**
 * Lower-case hex SHA-256 of a string's UTF-8 bytes (WebCrypto).
 *
 * @example
 * ```ts
 * await sha256Hex('abc'); // 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
 * ```
 */
export async function sha256Hex(text: string): Promise<string> {
  return sha256HexSync(text);
}

/**
 * {@link sha256Hex}, synchronously (@noble/hashes, the same SHA-256): what the append path uses.
 * WebCrypto's digest is asynchronous, and each call is a round trip to the crypto thread (tens of
 * microseconds in Node, more in a browser worker, plus the task it resolves in) for a hash that
 * takes about 10 µs in JavaScript on a 1.5 KB record. Computed inline, a batch is chained without
 * leaving the writer's turn. Same function, same hex: the chain and verify() are unchanged.
 *
 * @example
 * ```ts
 * sha256HexSync('abc'); // 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
 * ```
 */
export function sha256HexSync(text: string): string {
  return hex(sha256(encoder.encode(text)));
}

/**
 * The hash a record must carry: over the record with `chain.hash` removed (and nothing else
 * removed, so a field added inside `chain` breaks the hash too).
 *
 * @example
 * ```ts
 * (await recordHash(record)) === record.chain.hash; // true unless the record was edited
 * ```
 */
export function recordHash(record: AuditRecord): Promise<string> {
  const { hash: _hash, ...link } = record.chain;
  return sha256Hex(canonicalJson({ ...record, chain: link }, 'record'));
}

/**
 * The hash of a write group, from its records' hashes in sequence order.
 *
 * @example
 * ```ts
 * const next = await groupHash(records.map((r) => r.chain.hash)); // the next group's previousHash
 * ```
 */
export async function groupHash(hashes: readonly string[]): Promise<string> {
  // A lone record needs no second digest (one round trip to the crypto thread saved per call for
  // sequential callers); its hash already covers everything before it.
  return groupHashSync(hashes);
}

/** {@link groupHash}, synchronously. */
export function groupHashSync(hashes: readonly string[]): string {
  return hashes.length === 1 ? hashes[0]! : sha256HexSync(canonicalJson(hashes));
}

/**
 * An event's canonical JSON with a hole where `chain` goes: `before + chainJson + after` is
 * canonicalJson({ ...event, chain }). Taken once per append, it validates the event (a TypeError
 * names any non-JSON value) and spares a second serialization once the link is known.
 *
 * @example
 * ```ts
 * const { before, after } = eventTemplate(event);
 * const hashed = `${before}{"previousHash":"${previousHash}","sequence":${sequence}}${after}`;
 * ```
 */
export interface EventTemplate {
  readonly event: AuditEvent;
  readonly before: string;
  readonly after: string;
}

export function eventTemplate(event: AuditEvent): EventTemplate {
  const [before, after] = canonicalSplit(event, 'chain', 'record');
  return { event, before, after };
}

/**
 * Chains one write group after `tip`: sequence tip + 1, tip + 2, …, all with previousHash tip.hash.
 * The record hashes are computed concurrently; the new tip's hash is the group hash.
 *
 * @example
 * ```ts
 * const { records, tip } = await chainGroup([eventTemplate(a), eventTemplate(b)], EMPTY_TIP);
 * records[1].chain.previousHash === GENESIS_HASH; // true: same group
 * ```
 */
export async function chainGroup(templates: readonly EventTemplate[], tip: ChainTip): Promise<{ records: AuditRecord[]; tip: ChainTip }> {
  if (templates.length === 0) return { records: [], tip };
  const previousHash = tip.hash;
  // Each record's hashed text is before + link + after; the three parts are encoded one after the
  // other rather than joined into one string first (a copy of every record's text saved).
  const link = (i: number) => `{"previousHash":"${previousHash}","sequence":${tip.sequence + 1 + i}}`;
  let hashes: string[];
  let group: string;
  if (templates.length <= SYNC_GROUP) {
    hashes = templates.map((t, i) => sha256HexSync(`${t.before}${link(i)}${t.after}`));
    group = groupHashSync(hashes);
  } else {
    hashes = await digestAll(templates.map((t, i) => [t.before, link(i), t.after]));
    // The group hash covers every record hash (67 bytes each): WebCrypto too, once per group.
    [group] = await digestAll([[canonicalJson(hashes)]]);
  }
  // The events are the writer's own copies: link them in place rather than copy every member again.
  const records = templates.map((t, i): AuditRecord => Object.assign(t.event, { chain: { sequence: tip.sequence + 1 + i, previousHash, hash: hashes[i]! } }));
  return { records, tip: { sequence: tip.sequence + templates.length, hash: group! } };
}

/**
 * Groups this small are hashed inline (sha256HexSync): a lone caller's record costs about 10 µs
 * of JavaScript instead of a round trip to WebCrypto's thread, which in a browser worker was most
 * of the audit's cost per sequential call. Larger groups (calls in flight together) go to WebCrypto
 * concurrently, which hashes them off the JavaScript thread, where the KMS's own work runs.
 */
const SYNC_GROUP = 2;

/**
 * Scratch space for encoding records before digest(): reused by every group, since digest() takes
 * a copy of its input when it is called (WebCrypto: "get a copy of the bytes held by data").
 * A fresh buffer per group (three bytes per character, for hundreds of records) was garbage the
 * size of the group's text, twice over.
 */
let scratch = new Uint8Array(64 * 1024);

/** The hex SHA-256 of each text, a text given as the parts it is the concatenation of. */
function digestAll(texts: readonly (readonly string[])[]): Promise<string[]> {
  return Promise.all(
    texts.map((parts) => {
      // UTF-8 takes at most 3 bytes per UTF-16 unit.
      const most = parts.reduce((n, part) => n + part.length * 3, 0);
      if (scratch.length < most) scratch = new Uint8Array(Math.max(most, scratch.length * 2));
      let written = 0;
      for (const part of parts) written += encoder.encodeInto(part, scratch.subarray(written)).written;
      return crypto.subtle.digest('SHA-256', scratch.subarray(0, written)).then(digestHex);
    }),
  );
}
