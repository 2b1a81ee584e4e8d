/**
 * The export format: JSON Lines (one JSON object per line, `\n`-terminated, UTF-8).
 *
 * ```
 * {"type":"header","format":"envelope-kit-audit","version":2,"account":"111122223333","regions":["us-east-1"],"exportedAt":"…"}
 * {"eventVersion":"1.08","userIdentity":{…},"eventName":"CreateKey",…,"chain":{"sequence":1,…}}   a record
 * …
 * {"type":"digest","awsRegion":"us-east-1","firstSequence":1,"lastSequence":100,…,"digestSignature":"…"}
 * …
 * {"type":"seal","format":"envelope-kit-audit","version":2,…,"regions":[{"awsRegion":"us-east-1","lastSequence":113,…}],"signatures":[…]}
 * ```
 *
 * Records are the CloudTrail-shaped records as stored (so `jq 'select(.eventName == "Decrypt")'`
 * works on an export); a digest line, told apart by `"type":"digest"`, follows the record it ends
 * at; each region's lines end with a digest made for the export. Regions follow one another in the
 * order of the header, which lists the regions that have records. The last line is the seal
 * (seal.ts): where every exported region ends and the SHA-256 of the header line, signed by every
 * exported region's key. Version 2 added the seal; a version 1 export (no seal) cannot show that it
 * is complete, and is refused.
 *
 * Verification needs nothing but this text and WebCrypto ({@link verifyAuditExport}).
 */
import { isPlainObject } from './canonical-json.js';
import type { AuditDigest } from './digests.js';
import type { AuditRecord } from './hash-chain.js';
import type { InheritedSigningKey, StoredEntry } from './storage.js';
import { GENESIS_HASH } from './hash-chain.js';
import { isSeal, sealProblem, textSha256, type ExportSeal, type RegionEnd } from './seal.js';
import { verifyRegions, type AuditVerification, type BrokenLink, type LogItem, type RegionLog, type RegionResult } from './verify.js';
import { typeError } from '../../core/arguments.js';

export const EXPORT_FORMAT = 'envelope-kit-audit';
export const EXPORT_VERSION = 2;

export interface ExportHeader {
  type: 'header';
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  account: string;
  /** The regions whose records follow (regions with no records are left out; the seal names them). */
  regions: string[];
  exportedAt: string;
  /**
   * Regions restored from a key-store backup: the keys that signed their digests before the
   * restore, and up to which record (storage.ts, InheritedSigningKey). Absent when none was.
   * Like the rest of the header it is a claim, not a proof: compare every key with ones you trust
   * (`trustedPublicKeys`), as for the region's own key.
   */
  inheritedKeys?: Record<string, InheritedSigningKey[]>;
}

/**
 * Stored records and digests interleaved: each digest right after the record it ends at.
 *
 * @example
 * ```ts
 * const items = interleave(await store.records(), await store.digests()); // record 1 … record 100, digest 1-100, record 101 …
 * ```
 */
export function interleave(records: readonly StoredEntry<AuditRecord>[], digests: readonly StoredEntry<AuditDigest>[]): LogItem[] {
  const items: LogItem[] = [];
  let d = 0;
  for (const record of records) {
    while (d < digests.length && digests[d]!.key < record.key) items.push({ kind: 'digest', value: digests[d]!.value, key: digests[d++]!.key });
    items.push({ kind: 'record', value: record.value, key: record.key });
    while (d < digests.length && digests[d]!.key === record.key) items.push({ kind: 'digest', value: digests[d]!.value, key: digests[d++]!.key });
  }
  while (d < digests.length) items.push({ kind: 'digest', value: digests[d]!.value, key: digests[d++]!.key });
  return items;
}

/**
 * The JSON Lines text of a header and each region's items.
 *
 * @example
 * ```ts
 * const text = formatExport(header, [{ items: interleave(records, digests) }]); // one JSON object per line
 * ```
 */
export function formatExport(header: ExportHeader, regions: readonly { items: readonly LogItem[] }[]): string {
  const lines = [JSON.stringify(header)];
  for (const region of regions) for (const item of region.items) lines.push(JSON.stringify(item.value));
  return lines.join('\n') + '\n';
}

/**
 * Where an exported region ends, from its exported items (the last must be the digest the export
 * made over its last record; none for a region without records).
 *
 * @example
 * ```ts
 * regionEnd('us-east-1', interleave(records, digests)); // { awsRegion, lastSequence: 13, lastHash, lastDigestSignature }
 * ```
 */
export function regionEnd(region: string, items: readonly LogItem[]): RegionEnd {
  const last = items.at(-1);
  if (!last) return { awsRegion: region, lastSequence: 0, lastHash: GENESIS_HASH, lastDigestSignature: null };
  if (last.kind !== 'digest') throw new Error(`audit log ${region}: an export must end with a digest`);
  const digest = last.value as AuditDigest;
  return { awsRegion: region, lastSequence: digest.lastSequence, lastHash: digest.lastHash, lastDigestSignature: digest.digestSignature };
}

/**
 * The seal body of an export's text (everything but the signatures, which the region keys add).
 *
 * @example
 * ```ts
 * const seal = await signSeal(await sealBody(header, text, ends), keys);
 * ```
 */
export async function sealBody(header: ExportHeader, text: string, ends: readonly RegionEnd[]): Promise<Omit<ExportSeal, 'signatures'>> {
  const headerLine = text.slice(0, text.indexOf('\n'));
  return {
    type: 'seal',
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    account: header.account,
    exportedAt: header.exportedAt,
    headerSha256: await textSha256(headerLine),
    regions: ends,
    signatureAlgorithm: 'SHA256withECDSAinP1363Format',
  };
}

export interface VerifyOptions {
  /**
   * SPKI (base64) public keys whose digests you trust, e.g. from `audit.publicKey(region)` kept
   * elsewhere. Without it, each region's digests need only agree on one key, the one reported in
   * `publicKeys`: compare it with one you trust.
   */
  readonly trustedPublicKeys?: readonly string[];
}

/**
 * Verifies an exported log (the text of `audit.export()`), offline: WebCrypto only, no storage.
 * Each region's chain and digests, then the seal on the last line: present, signed by every
 * exported region's key, naming the header line and each region's end as the text has them.
 *
 * @example
 * ```ts
 * const text = await kms.audit.export();
 * const result = await verifyAuditExport(text);
 * result.ok; // true
 * const tampered = text.replace('"Decrypt"', '"Encrypt"');
 * (await verifyAuditExport(tampered)).firstBroken; // { region, sequence, reason: "the record's hash does not match its contents (edited)", line }
 * (await verifyAuditExport(text.split('\n').slice(0, 5).join('\n'))).ok; // false: the seal is gone
 * ```
 */
export async function verifyAuditExport(text: string, options: VerifyOptions = {}): Promise<AuditVerification> {
  if (typeof text !== 'string') throw typeError('text', 'the string audit.export() returned');
  const trusted = trustedSet(options);
  const byRegion = new Map<string, LogItem[]>();
  let header: Record<string, unknown> | undefined;
  let headerLine = '';
  let seal: { value: ExportSeal; line: number } | undefined;
  let inherited: Record<string, InheritedSigningKey[]> = {};
  let problem: BrokenLink | undefined;
  const broken = (reason: string, line: number): BrokenLink => ({ region: '', sequence: 0, reason, line });
  // Lines are found one at a time, never split into one array: a hostile text's size is all it costs.
  let i = 0;
  for (let start = 0; start < text.length && !problem; i++) {
    const newline = text.indexOf('\n', start);
    const end = newline === -1 ? text.length : newline;
    const line = text.slice(start, end);
    start = end + 1;
    if (line.trim() === '') continue;
    if (seal) {
      problem = broken(`line ${i + 1} follows the seal (the seal must be the last line)`, i + 1);
      break;
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      problem = broken(`line ${i + 1} is not JSON`, i + 1);
      break;
    }
    if (i === 0) {
      if (!isPlainObject(value) || value.type !== 'header') {
        problem = broken('line 1 is not the export header', 1);
        break;
      }
      if (value.format !== EXPORT_FORMAT || value.version !== EXPORT_VERSION) {
        problem = broken(`not an ${EXPORT_FORMAT} v${EXPORT_VERSION} export${value.version === 1 ? ' (version 1 exports have no seal, so nothing shows they are complete)' : ''}`, 1);
        break;
      }
      if (isPlainObject(value.inheritedKeys)) inherited = inheritedFrom(value.inheritedKeys);
      header = value;
      headerLine = line;
      continue;
    }
    if (isPlainObject(value) && value.type === 'seal') {
      if (!isSeal(value)) {
        problem = broken(`line ${i + 1}: the seal is malformed`, i + 1);
        break;
      }
      seal = { value, line: i + 1 };
      continue;
    }
    const region = isPlainObject(value) ? value.awsRegion : undefined;
    if (typeof region !== 'string') {
      problem = broken(`line ${i + 1} is neither a record, a digest nor the seal (no awsRegion)`, i + 1);
      break;
    }
    let items = byRegion.get(region);
    if (!items) byRegion.set(region, (items = []));
    items.push({ kind: (value as { type?: unknown }).type === 'digest' ? 'digest' : 'record', value, line: i + 1 });
  }
  if (!problem && !header) problem = broken('the text has no export header', 1);
  const headerRegions = Array.isArray(header?.regions) ? header.regions.filter((r): r is string => typeof r === 'string') : [];
  const logs: RegionLog[] = [];
  // The header lists the regions that had records; one of them missing from the text fails.
  for (const region of headerRegions) if (!byRegion.has(region)) logs.push({ region, items: [], requireRecords: true });
  for (const [region, items] of byRegion) logs.push({ region, items, requireFinalDigest: true, ...(inherited[region] ? { inheritedKeys: inherited[region] } : {}) });
  const order = (r: string) => (headerRegions.includes(r) ? headerRegions.indexOf(r) : headerRegions.length);
  logs.sort((a, b) => order(a.region) - order(b.region));
  const lastLine = i;
  return verifyRegions(logs, trusted, problem, async (results) => {
    if (!seal) return broken('the export does not end with a seal: it was cut short (or is not an export)', lastLine);
    return checkSeal(seal.value, seal.line, { header: header!, headerLine, headerRegions, results, trusted });
  });
}

/** The seal against the text it ends: header, regions, each region's end, signatures. */
async function checkSeal(
  seal: ExportSeal,
  line: number,
  text: { header: Record<string, unknown>; headerLine: string; headerRegions: readonly string[]; results: ReadonlyMap<string, RegionResult>; trusted: ReadonlySet<string> | undefined },
): Promise<BrokenLink | undefined> {
  const broken = (reason: string, region = '', sequence = 0): BrokenLink => ({ region, sequence, reason, line });
  if (seal.format !== EXPORT_FORMAT || seal.version !== EXPORT_VERSION) return broken(`the seal is not an ${EXPORT_FORMAT} v${EXPORT_VERSION} seal`);
  if (seal.account !== text.header.account || seal.exportedAt !== text.header.exportedAt) return broken("the seal's account or time differs from the header's");
  if (seal.headerSha256 !== (await textSha256(text.headerLine))) return broken('the header line is not the one the seal was made for (edited)');
  const names = seal.regions.map((r) => r.awsRegion);
  if (new Set(names).size !== names.length) return broken('the seal names a region twice');
  const withRecords = seal.regions.filter((r) => r.lastSequence > 0).map((r) => r.awsRegion);
  if (withRecords.join('\n') !== text.headerRegions.join('\n')) return broken(`the header lists ${JSON.stringify(text.headerRegions)} but the seal's regions with records are ${JSON.stringify(withRecords)} (a region was removed or added)`);
  for (const region of text.results.keys()) if (!names.includes(region)) return broken(`the text has records of ${region}, which the seal does not name`, region);
  for (const end of seal.regions) {
    const result = text.results.get(end.awsRegion);
    const last = result?.lastSequence ?? 0;
    if (last !== end.lastSequence) return broken(`the seal says ${end.awsRegion} ends at record ${end.lastSequence}, the text at ${last} (records removed or added)`, end.awsRegion, Math.min(last, end.lastSequence) + 1);
    if (end.lastSequence === 0) {
      if (end.lastHash !== GENESIS_HASH || end.lastDigestSignature !== null) return broken(`the seal's end of ${end.awsRegion} is malformed`, end.awsRegion);
      continue;
    }
    const digest = result?.lastDigest;
    if (!digest || digest.lastHash !== end.lastHash || digest.digestSignature !== end.lastDigestSignature) {
      return broken(`the last digest of ${end.awsRegion} is not the one the seal names (records or digests replaced)`, end.awsRegion, end.lastSequence);
    }
  }
  const problem = await sealProblem(seal, (region) => text.results.get(region)?.publicKey, text.trusted);
  return problem === undefined ? undefined : broken(problem);
}

/**
 * The trusted keys of `options` as a set (undefined: trust the keys the log names), checked.
 *
 * @example
 * ```ts
 * trustedSet({ trustedPublicKeys: [audit.publicKey('us-east-1').spki] });
 * ```
 */
export function trustedSet(options: VerifyOptions): ReadonlySet<string> | undefined {
  const keys = options.trustedPublicKeys;
  if (keys === undefined) return undefined;
  if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string')) throw typeError('options.trustedPublicKeys', 'an array of SPKI base64 strings');
  return new Set(keys);
}

/** The header's inheritedKeys, keeping only well-formed entries (a malformed one then fails as a foreign key would). */
function inheritedFrom(value: Record<string, unknown>): Record<string, InheritedSigningKey[]> {
  const out: Record<string, InheritedSigningKey[]> = {};
  for (const [region, list] of Object.entries(value)) {
    if (!Array.isArray(list)) continue;
    out[region] = list.filter(
      (k): k is InheritedSigningKey => isPlainObject(k) && typeof k.publicKeySpki === 'string' && Number.isSafeInteger(k.upTo),
    );
  }
  return out;
}
