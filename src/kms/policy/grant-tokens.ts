/**
 * Grant tokens (AWS KMS Developer Guide, "Grant tokens"): opaque strings CreateGrant returns, which
 * name the grant before it is visible everywhere. Every CreateGrant returns a fresh token, even a
 * retry that returns an existing grant, and all tokens of one grant are interchangeable (API
 * reference, CreateGrant, Name). Ours are base64url of
 * `ekgt2:<region>:<keyId>:<grantId>:<nonce>:<tag>`: enough to find the grant for RetireGrant, and
 * nothing secret (a token gives no permission the grant does not give its grantee). `tag` is an
 * HMAC-SHA-256 (first 16 bytes, hex) of everything before it under a key only the issuing region
 * holds (derived from its root sealing key, {@link deriveGrantTokenKey}): a token with a real key id
 * and a made-up grant id or nonce is not one this KMS issued, and is refused (issue 11, defect 3;
 * tokens of the first format, `ekgt1`, carried no tag and could be forged that way).
 *
 * Every operation that takes GrantTokens (the cryptographic operations, CreateGrant) and RetireGrant
 * by GrantToken checks that each token is one this KMS issued, and answers anything else with
 * InvalidGrantTokenException, "The request was rejected because the specified grant token is not
 * valid." (API reference, the operations' Errors). A token of a grant that has since
 * been retired or revoked is NOT invalid: AWS documents no error for it, and its tokens are
 * described only as a way to use a new grant before it is visible everywhere ("Using a grant
 * token"), never as a permission of their own. So such a token is accepted and adds nothing: the
 * request is decided on the key policy, IAM policies and the grants that still exist, and is
 * AccessDeniedException when nothing else allows it. RetireGrant by such a token finds no grant
 * and is NotFoundException, the error RetireGrant documents for a grant that does not exist.
 */
import { fromUtf8, randomBytes, utf8, zero } from '../../core/bytes.js';
import { kmsError, type KmsError } from '../errors.js';
import { isKeyId } from '../keys/identifiers.js';

const PREFIX = 'ekgt2';

export interface GrantTokenContents {
  readonly region: string;
  readonly keyId: string;
  readonly grantId: string;
}

/** The regions that may have issued a token: the region a call runs in, and its peers. */
export interface GrantTokenIssuers {
  /** The token key of `region`, or undefined when this KMS does not run that region. */
  grantTokenKey(region: string): Promise<CryptoKey> | undefined;
}

/** Decoded token: what it names, the text its tag covers, and the tag. */
interface ParsedToken extends GrantTokenContents {
  readonly signed: string;
  readonly tag: string;
}

const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
const TAG_BYTES = 16;
/**
 * Fixed by design: the derivation must give the same key every time the region opens. One block of
 * a fixed label under a fixed IV reveals nothing about the sealing key, and the sealing key's own
 * 96-bit IVs are random, so a collision with this one is as unlikely as any two of them colliding.
 */
const DERIVATION_IV = utf8('ek-gt-key-v1');
const DERIVATION_AAD = utf8('envelope-kit grant token MAC key, version 1');

/**
 * The HMAC-SHA-256 key a region tags its grant tokens with, derived from the region's root sealing
 * key (AES-256-GCM, records.ts RootKeys.seal), so nothing new is stored and every tab of the region
 * derives the same key. The 32 derived bytes are the AES-GCM keystream block under a fixed IV and
 * label; they are imported non-extractable and zeroed.
 *
 * @example
 * ```ts
 * const key = await deriveGrantTokenKey(root.seal); // HMAC, usages sign/verify, not extractable
 * ```
 */
export async function deriveGrantTokenKey(seal: CryptoKey): Promise<CryptoKey> {
  const out = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv: DERIVATION_IV, additionalData: DERIVATION_AAD }, seal, new Uint8Array(32)));
  const raw = out.slice(0, 32);
  zero(out);
  try {
    return await crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  } finally {
    zero(raw);
  }
}

const toBase64Url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/**
 * A new token for a grant, tagged with the issuing region's token key.
 *
 * @example
 * ```ts
 * const token = await grantToken(await runtime.grantTokenKey(), 'us-east-1', keyId, grantId);
 * decodeGrantToken(token)?.grantId === grantId; // true
 * ```
 */
export async function grantToken(key: CryptoKey, region: string, keyId: string, grantId: string): Promise<string> {
  const signed = `${PREFIX}:${region}:${keyId}:${grantId}:${hex(randomBytes(8))}`;
  const tag = new Uint8Array(await crypto.subtle.sign('HMAC', key, utf8(signed))).slice(0, TAG_BYTES);
  return toBase64Url(utf8(`${signed}:${hex(tag)}`));
}

/**
 * What a token names, or undefined when it does not have the shape of a grant token of the
 * simulated KMS. The shape only: {@link checkIssuedGrantTokens} checks that this KMS issued it.
 *
 * @example
 * ```ts
 * decodeGrantToken('not a token'); // undefined
 * ```
 */
export function decodeGrantToken(token: string): GrantTokenContents | undefined {
  const parsed = parseToken(token);
  return parsed ? { region: parsed.region, keyId: parsed.keyId, grantId: parsed.grantId } : undefined;
}

function parseToken(token: string): ParsedToken | undefined {
  if (typeof token !== 'string' || !/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  let text: string;
  try {
    const binary = atob(token.replace(/-/g, '+').replace(/_/g, '/'));
    text = fromUtf8(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  } catch {
    return undefined;
  }
  const parts = text.split(':');
  if (
    parts.length !== 6 ||
    parts[0] !== PREFIX ||
    !/^[a-z]{2}(-[a-z]+)+-\d$/.test(parts[1]!) ||
    !isKeyId(parts[2]!) ||
    !/^[0-9a-f]{64}$/.test(parts[3]!) ||
    !/^[0-9a-f]{16}$/.test(parts[4]!) ||
    !/^[0-9a-f]{32}$/.test(parts[5]!)
  ) {
    return undefined;
  }
  return { region: parts[1]!, keyId: parts[2]!, grantId: parts[3]!, signed: parts.slice(0, 5).join(':'), tag: parts[5]! };
}

/**
 * Whether `token` is one this KMS issued: well formed, naming a region this KMS runs, with a tag
 * that region's token key made. Never throws for a bad token.
 *
 * @example
 * ```ts
 * await isIssuedGrantToken(issuers, GrantToken); // true for a CreateGrant response's token
 * ```
 */
export async function isIssuedGrantToken(issuers: GrantTokenIssuers, token: string): Promise<boolean> {
  const parsed = parseToken(token);
  if (!parsed) return false;
  const key = issuers.grantTokenKey(parsed.region);
  if (!key) return false;
  const tag = Uint8Array.from(parsed.tag.match(/../g)!, (h) => parseInt(h, 16));
  // WebCrypto's verify compares in constant time; it takes the full 32-byte MAC, so sign and compare.
  const full = new Uint8Array(await crypto.subtle.sign('HMAC', await key, utf8(parsed.signed)));
  let diff = 0;
  for (let i = 0; i < TAG_BYTES; i++) diff |= full[i]! ^ tag[i]!;
  return diff === 0;
}

/**
 * AWS KMS's answer to a grant token it did not issue. `member` names the request member at fault
 * (`GrantTokens.2`, `GrantToken`); the token itself is not repeated.
 *
 * @example
 * ```ts
 * throw invalidGrantToken('GrantTokens.1');
 * ```
 */
export function invalidGrantToken(member: string): KmsError {
  return kmsError(
    'InvalidGrantTokenException',
    `The request was rejected because the specified grant token is not valid: ${member} is not a grant token this KMS issued. Pass the GrantToken a CreateGrant response returned, unchanged.`,
  );
}

/**
 * Checks the shape of every token of a GrantTokens list (already 0..10 strings of 1..8192).
 *
 * @throws KmsError InvalidGrantTokenException naming the first token (1-based, as AWS numbers list members) that this KMS did not issue.
 * @example
 * ```ts
 * checkGrantTokens([GrantToken]); // passes for a token from createGrant, even after the grant is retired
 * ```
 */
export function checkGrantTokens(tokens: readonly string[]): void {
  tokens.forEach((token, i) => {
    if (!decodeGrantToken(token)) throw invalidGrantToken(`GrantTokens.${i + 1}`);
  });
}

/**
 * Checks that this KMS issued every token of a GrantTokens list (after {@link checkGrantTokens}).
 *
 * @throws KmsError InvalidGrantTokenException naming the first token this KMS did not issue.
 * @example
 * ```ts
 * await checkIssuedGrantTokens(runtime, tokens);
 * ```
 */
export async function checkIssuedGrantTokens(issuers: GrantTokenIssuers, tokens: readonly string[]): Promise<void> {
  const issued = await Promise.all(tokens.map((token) => isIssuedGrantToken(issuers, token)));
  const bad = issued.indexOf(false);
  if (bad >= 0) throw invalidGrantToken(`GrantTokens.${bad + 1}`);
}
