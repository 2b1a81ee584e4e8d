/**
 * What makes a cut-short log detectable (issue 11, defect 1): digests prove that the records they
 * cover are intact, but not that nothing came after them. An export cut right after any digest, or
 * with one region's lines and its header entry removed, or a stored log with its newest records
 * (and last digest) removed and its head moved back, was a shorter log whose every link still held.
 *
 * Two signed statements of where a log ends, both signed with the regions' digest keys (digests.ts:
 * ECDSA P-256 / SHA-256, P1363 signature, base64, over the UTF-8 canonical JSON of the statement
 * without its signature):
 *
 * - **The export seal**, the last line of every export: the export's account, time, the SHA-256 of
 *   its header line, and for EVERY region exported (records or not) its last sequence number, the
 *   chain hash its last digest fixes and that digest's signature; signed by each of those regions'
 *   keys. Cutting the text anywhere loses the seal or contradicts it; dropping a region's lines
 *   contradicts its entry; dropping the entry too breaks every other region's signature, and a
 *   single-region export without its region's signature is not sealed at all.
 * - **The stored high-water mark**: the same statement for one region's stored head (its last
 *   sequence number and hash, its last digest), signed at every commit and stored with the head in
 *   the commit's transaction. Moving the head back to hide the newest records needs a new mark,
 *   which needs the region's private key.
 *
 * What neither can catch (README, "What verify can and cannot detect"): someone who can use the
 * private key (code running in the origin: the key is non-extractable, not unusable) can re-sign a
 * shortened log; a whole stored log rolled back to an earlier copy of itself (head, mark and all)
 * is a log that really was; a verifier that trusts whatever key a text names accepts a text
 * re-signed throughout with another key (pass `trustedPublicKeys`).
 */
import { SimulatorError, SimulatorErrorCode } from '../errors.js';
import { fromBase64, toBase64 } from '../../core/bytes.js';
import { canonicalJson, isPlainObject } from './canonical-json.js';
import { DIGEST_SIGNATURE_ALGORITHM, type AuditSigningKey } from './digests.js';
import { sameHead, type AuditHead } from './storage.js';

const ECDSA = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
const encoder = new TextEncoder();

/** Where one region's exported (or stored) log ends. */
export interface RegionEnd {
  readonly awsRegion: string;
  /** The last record's sequence number; 0 for a region with no records. */
  readonly lastSequence: number;
  /** The `lastHash` of the digest over the last record (GENESIS_HASH for an empty region). */
  readonly lastHash: string;
  /** That digest's signature; null for an empty region. */
  readonly lastDigestSignature: string | null;
}

/** One region key's signature of a seal. */
export interface SealSignature {
  readonly awsRegion: string;
  /** SPKI, base64: the same key as that region's digests. */
  readonly digestPublicKey: string;
  readonly signature: string;
}

/** The last line of an export. */
export interface ExportSeal {
  readonly type: 'seal';
  readonly format: string;
  readonly version: number;
  readonly account: string;
  readonly exportedAt: string;
  /** Lower-case hex SHA-256 of the header line's exact UTF-8 text. */
  readonly headerSha256: string;
  /** Every region exported, in header order first, then the regions without records. */
  readonly regions: readonly RegionEnd[];
  readonly signatureAlgorithm: typeof DIGEST_SIGNATURE_ALGORITHM;
  /** One per entry of `regions`, same order. */
  readonly signatures: readonly SealSignature[];
}

/** The statement a stored head's mark signs. */
export interface HighWaterMarkBody {
  readonly type: 'high-water-mark';
  readonly awsAccountId: string;
  readonly awsRegion: string;
  readonly sequence: number;
  readonly hash: string;
  readonly digestLastSequence: number;
  readonly digestSignature: string | null;
}

async function sign(key: CryptoKey, body: unknown, label: string): Promise<string> {
  return toBase64(new Uint8Array(await crypto.subtle.sign(SIGN, key, encoder.encode(canonicalJson(body, label)))));
}

const imported = new Map<string, Promise<CryptoKey>>();

/** Whether `signature` is `spki`'s signature of `body`; false for anything malformed, never a throw. */
async function valid(spki: string, signature: string, body: unknown, label: string): Promise<boolean> {
  try {
    const spkiBytes = fromBase64(spki);
    const signatureBytes = fromBase64(signature);
    if (!spkiBytes || !signatureBytes) return false;
    let key = imported.get(spki);
    if (!key) {
      // A hostile export could name many keys; keep the cache small rather than grow with it.
      if (imported.size >= 16) imported.clear();
      key = crypto.subtle.importKey('spki', spkiBytes, ECDSA, false, ['verify']);
      key.catch(() => imported.delete(spki));
      imported.set(spki, key);
    }
    return await crypto.subtle.verify(SIGN, await key, signatureBytes, encoder.encode(canonicalJson(body, label)));
  } catch {
    return false;
  }
}

/**
 * Lower-case hex SHA-256 of a text's UTF-8 bytes.
 *
 * @example
 * ```ts
 * await textSha256(headerLine); // '9f86d0…'
 * ```
 */
export async function textSha256(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
  return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Signs a seal with each region's key (`keys` has one per entry of `body.regions`).
 *
 * @example
 * ```ts
 * const seal = await signSeal({ type: 'seal', format, version, account, exportedAt, headerSha256, regions, signatureAlgorithm }, keys);
 * ```
 */
export async function signSeal(body: Omit<ExportSeal, 'signatures'>, keys: ReadonlyMap<string, AuditSigningKey>): Promise<ExportSeal> {
  const signatures = await Promise.all(
    body.regions.map(async ({ awsRegion }) => {
      const key = keys.get(awsRegion);
      if (!key) throw new RangeError(`no signing key for ${awsRegion}`);
      return { awsRegion, digestPublicKey: key.publicKeySpki, signature: await sign(key.privateKey, body, 'seal') };
    }),
  );
  return { ...body, signatures };
}

const SEAL_MEMBERS = ['type', 'format', 'version', 'account', 'exportedAt', 'headerSha256', 'regions', 'signatureAlgorithm', 'signatures'];
const END_MEMBERS = ['awsRegion', 'lastSequence', 'lastHash', 'lastDigestSignature'];
const SIGNATURE_MEMBERS = ['awsRegion', 'digestPublicKey', 'signature'];

/** No member missing and none added: the signatures do not cover themselves, so nothing may ride along in them. */
function hasExactly(value: Record<string, unknown>, members: readonly string[]): boolean {
  const keys = Object.keys(value);
  return keys.length === members.length && members.every((m) => Object.hasOwn(value, m));
}

/**
 * Whether a parsed line has the shape of a seal (its signatures are {@link sealSignaturesValid}'s).
 *
 * @example
 * ```ts
 * if (!isSeal(JSON.parse(lastLine))) throw new Error('not sealed');
 * ```
 */
export function isSeal(value: unknown): value is ExportSeal {
  if (!isPlainObject(value) || value.type !== 'seal' || !hasExactly(value, SEAL_MEMBERS)) return false;
  const { regions, signatures } = value;
  return (
    typeof value.format === 'string' &&
    Number.isSafeInteger(value.version) &&
    typeof value.account === 'string' &&
    typeof value.exportedAt === 'string' &&
    typeof value.headerSha256 === 'string' &&
    value.signatureAlgorithm === DIGEST_SIGNATURE_ALGORITHM &&
    Array.isArray(regions) &&
    regions.every(
      (r) =>
        isPlainObject(r) &&
        hasExactly(r, END_MEMBERS) &&
        typeof r.awsRegion === 'string' &&
        Number.isSafeInteger(r.lastSequence) &&
        (r.lastSequence as number) >= 0 &&
        typeof r.lastHash === 'string' &&
        (r.lastDigestSignature === null || typeof r.lastDigestSignature === 'string'),
    ) &&
    Array.isArray(signatures) &&
    signatures.every((s) => isPlainObject(s) && hasExactly(s, SIGNATURE_MEMBERS) && typeof s.awsRegion === 'string' && typeof s.digestPublicKey === 'string' && typeof s.signature === 'string')
  );
}

/**
 * The statement a stored head's mark signs.
 *
 * @example
 * ```ts
 * const body = highWaterMarkBody('111122223333', 'us-east-1', head);
 * ```
 */
export function highWaterMarkBody(account: string, region: string, head: { readonly tip: { readonly sequence: number; readonly hash: string }; readonly digest: { readonly lastSequence: number; readonly signature: string } | null }): HighWaterMarkBody {
  return {
    type: 'high-water-mark',
    awsAccountId: account,
    awsRegion: region,
    sequence: head.tip.sequence,
    hash: head.tip.hash,
    digestLastSequence: head.digest?.lastSequence ?? 0,
    digestSignature: head.digest?.signature ?? null,
  };
}

/**
 * Checks a seal's signatures: one per region entry, in the same order, each by the key `expectedKey`
 * names for that region (the key of its digests, when it has any) and valid over the seal body.
 * Returns the first problem, or undefined.
 *
 * @example
 * ```ts
 * const problem = await sealProblem(seal, (region) => publicKeys[region], trusted);
 * ```
 */
export async function sealProblem(seal: ExportSeal, expectedKey: (region: string) => string | undefined, trusted?: ReadonlySet<string>): Promise<string | undefined> {
  if (seal.regions.length === 0) return 'the seal covers no region, so no region key signed it';
  if (seal.signatures.length !== seal.regions.length) return `the seal has ${seal.signatures.length} signatures for ${seal.regions.length} regions`;
  const { signatures, ...body } = seal;
  for (const [i, s] of signatures.entries()) {
    const region = seal.regions[i]!.awsRegion;
    if (s.awsRegion !== region) return `the seal's signature ${i + 1} is for ${JSON.stringify(s.awsRegion)}, not ${JSON.stringify(region)}`;
    const expected = expectedKey(region);
    if (expected !== undefined && s.digestPublicKey !== expected) return `the seal is signed for ${region} by a different key than its digests`;
    if (trusted && !trusted.has(s.digestPublicKey)) return `the seal is signed for ${region} by a key that is not trusted`;
    if (!(await valid(s.digestPublicKey, s.signature, body, 'seal'))) return `the seal's signature for ${region} is invalid (the seal was edited)`;
  }
  return undefined;
}

/**
 * The mark of a stored head: the region key's signature of {@link HighWaterMarkBody}.
 *
 * @example
 * ```ts
 * const mark = await signHighWaterMark(body, key.privateKey);
 * await highWaterMarkValid(body, mark, key.publicKeySpki); // true
 * ```
 */
export function signHighWaterMark(body: HighWaterMarkBody, key: CryptoKey): Promise<string> {
  return sign(key, body, 'mark');
}

/**
 * Whether `mark` is the signature of `body` by the key `spki`.
 *
 * @example
 * ```ts
 * await highWaterMarkValid({ ...body, sequence: body.sequence - 1 }, mark, spki); // false
 * ```
 */
export function highWaterMarkValid(body: HighWaterMarkBody, mark: string, spki: string): Promise<boolean> {
  return valid(spki, mark, body, 'mark');
}

/**
 * What is wrong with a stored head's mark, or undefined when the head may be trusted: the empty
 * head needs none; a head from before marks is accepted only as the schema upgrade recorded it
 * (`unmarked`); any other head must carry the region key's signature of itself.
 *
 * @example
 * ```ts
 * const problem = await headMarkProblem(head, { account, region, spki: key.publicKeySpki });
 * if (problem) throw new AuditIntegrityError(region, problem);
 * ```
 */
export async function headMarkProblem(head: AuditHead, where: { account: string; region: string; spki: string; unmarked?: AuditHead | undefined }): Promise<string | undefined> {
  if (head.mark === undefined) {
    if (head.tip.sequence === 0 && head.digest === null) return undefined;
    if (where.unmarked && sameHead(where.unmarked, head)) return undefined;
    return `the head (record ${head.tip.sequence}) carries no high-water mark: it was replaced (the newest records or digests removed?)`;
  }
  const ok = await highWaterMarkValid(highWaterMarkBody(where.account, where.region, head), head.mark, where.spki);
  return ok ? undefined : `the head's high-water mark is not ${where.region}'s signature of it (record ${head.tip.sequence}): the head was moved, so records or digests may be missing from the end`;
}

/**
 * The audit log's own storage does not hold what its writer wrote (seal.ts): appending is refused,
 * so that a chain is never continued, and so laundered, from a head someone moved back. `verify()`
 * reports the same problem; export the log and start a new one to go on. A SimulatorError with
 * code STORAGE_FAILED (the kit's page sees a KitError STORAGE_FAILED), named AuditIntegrityError.
 *
 * @example
 * ```ts
 * try {
 *   await kms.region('us-east-1').listKeys();
 * } catch (error) {
 *   if (error instanceof AuditIntegrityError) console.warn(`${error.region}: export the log and start a new one`);
 * }
 * ```
 */
export class AuditIntegrityError extends SimulatorError {
  readonly region: string;
  constructor(region: string, problem: string) {
    super(SimulatorErrorCode.STORAGE_FAILED, `audit log ${region}: ${problem}. Appending is refused until this is resolved: verify() and export() still work; export the log and delete it to start a new one.`);
    this.name = 'AuditIntegrityError';
    this.region = region;
  }
}
