/**
 * The export format: JSON Lines (one JSON object per line, `\n`-terminated, UTF-8).
 *
 * ```
 * {"type":"header","format":"envelope-kit-audit","version":1,"account":"111122223333","regions":["us-east-1"],"exportedAt":"…"}
 * {"eventVersion":"1.08","userIdentity":{…},"eventName":"CreateKey",…,"chain":{"sequence":1,…}}   a record
 * …
 * {"type":"digest","awsRegion":"us-east-1","firstSequence":1,"lastSequence":100,…,"digestSignature":"…"}
 * ```
 *
 * Records are the CloudTrail-shaped records as stored (so `jq 'select(.eventName == "Decrypt")'`
 * works on an export); a digest line, told apart by `"type":"digest"`, follows the record it ends
 * at; each region's lines end with a digest made for the export. The header is informational and
 * unsigned; the records and digests carry their own proof. Regions follow one another in the order
 * of the header.
 *
 * Verification needs nothing but this text and WebCrypto ({@link verifyAuditExport}).
 */
import { isPlainObject } from './canonical-json.js';
import type { AuditDigest } from './digests.js';
import type { AuditRecord } from './hash-chain.js';
import type { InheritedSigningKey, StoredEntry } from './storage.js';
import { verifyRegions, type AuditVerification, type BrokenLink, type LogItem, type RegionLog } from './verify.js';
import { typeError } from '../../core/arguments.js';

export const EXPORT_FORMAT = 'envelope-kit-audit';
export const EXPORT_VERSION = 1;

export interface ExportHeader {
  type: 'header';
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  account: string;
  /** The regions whose records follow (regions with no records are left out). */
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
 *
 * @example
 * ```ts
 * const text = await kms.audit.export();
 * const result = await verifyAuditExport(text);
 * result.ok; // true
 * const tampered = text.replace('"Decrypt"', '"Encrypt"');
 * (await verifyAuditExport(tampered)).firstBroken; // { region, sequence, reason: "the record's hash does not match its contents (edited)", line }
 * ```
 */
export async function verifyAuditExport(text: string, options: VerifyOptions = {}): Promise<AuditVerification> {
  if (typeof text !== 'string') throw typeError('text', 'the string audit.export() returned');
  const trusted = trustedSet(options);
  const byRegion = new Map<string, LogItem[]>();
  let headerRegions: string[] = [];
  let inherited: Record<string, InheritedSigningKey[]> = {};
  let problem: BrokenLink | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length && !problem; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      problem = { region: '', sequence: 0, reason: `line ${i + 1} is not JSON`, line: i + 1 };
      break;
    }
    if (isPlainObject(value) && value.type === 'header' && i === 0) {
      if (value.format !== EXPORT_FORMAT || value.version !== EXPORT_VERSION) {
        problem = { region: '', sequence: 0, reason: `not an ${EXPORT_FORMAT} v${EXPORT_VERSION} export`, line: 1 };
      }
      headerRegions = Array.isArray(value.regions) ? value.regions.filter((r): r is string => typeof r === 'string') : [];
      if (isPlainObject(value.inheritedKeys)) inherited = inheritedFrom(value.inheritedKeys);
      continue;
    }
    const region = isPlainObject(value) ? value.awsRegion : undefined;
    if (typeof region !== 'string') {
      problem = { region: '', sequence: 0, reason: `line ${i + 1} is neither a record nor a digest (no awsRegion)`, line: i + 1 };
      break;
    }
    let items = byRegion.get(region);
    if (!items) byRegion.set(region, (items = []));
    items.push({ kind: (value as { type?: unknown }).type === 'digest' ? 'digest' : 'record', value, line: i + 1 });
  }
  const logs: RegionLog[] = [];
  // The header lists the regions that had records; one of them missing from the text fails.
  for (const region of headerRegions) if (!byRegion.has(region)) logs.push({ region, items: [], requireRecords: true });
  for (const [region, items] of byRegion) logs.push({ region, items, requireFinalDigest: true, ...(inherited[region] ? { inheritedKeys: inherited[region] } : {}) });
  const order = (r: string) => (headerRegions.includes(r) ? headerRegions.indexOf(r) : headerRegions.length);
  logs.sort((a, b) => order(a.region) - order(b.region));
  return verifyRegions(logs, trusted, problem);
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
