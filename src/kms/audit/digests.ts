/**
 * Signed digests, modelled on CloudTrail's digest files (CloudTrail user guide, "CloudTrail digest
 * file structure"): each covers a contiguous run of a region's records, fixes the hash of the last
 * one, carries the previous digest's signature (so digests chain too), and is signed with ECDSA
 * P-256 / SHA-256 under a key the audit store keeps for the purpose. The private key is a
 * non-extractable CryptoKey that never leaves the store; the public key travels in every digest
 * (SPKI, base64), so an exported log can be checked anywhere, with WebCrypto alone.
 *
 * Signed bytes: the UTF-8 canonical JSON (canonical-json.ts) of the digest without
 * `digestSignature`. Signature: IEEE P1363 (r || s, 64 bytes), WebCrypto's native ECDSA format,
 * base64; Java names this algorithm SHA256withECDSAinP1363Format.
 *
 * Trust: a signature proves the digest was made with the key named in it. Someone able to rewrite a
 * whole exported log could re-sign it with a key of their own, so an offline checker compares the
 * key (or its fingerprint) with one it already trusts: `audit.verify(text, { trustedPublicKeys })`.
 */
import { fromBase64, toBase64 } from '../../core/bytes.js';
import { canonicalJson } from './canonical-json.js';
import { hex } from './hash-chain.js';

export const DIGEST_SIGNATURE_ALGORITHM = 'SHA256withECDSAinP1363Format';
const ECDSA = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;

/** The key pair a region's audit store signs digests with. */
export interface AuditSigningKey {
  /** Non-extractable; usable only for signing. */
  readonly privateKey: CryptoKey;
  /** SubjectPublicKeyInfo DER, base64. */
  readonly publicKeySpki: string;
  /** Lower-case hex SHA-256 of the SPKI bytes. */
  readonly fingerprint: string;
  readonly createdAt: number;
}

export interface AuditDigest {
  /** Tells a digest line from a record line in an export. */
  type: 'digest';
  awsAccountId: string;
  awsRegion: string;
  /** The previous digest's digestEndTime, or the first covered record's eventTime. */
  digestStartTime: string;
  /** When the digest was made (the injected clock). */
  digestEndTime: string;
  oldestEventTime: string;
  newestEventTime: string;
  /** The sequence numbers covered, inclusive; firstSequence is the previous digest's lastSequence + 1. */
  firstSequence: number;
  lastSequence: number;
  /** chain.hash of record lastSequence. */
  lastHash: string;
  hashAlgorithm: 'SHA-256';
  /** The previous digest's digestSignature; null for a region's first digest. */
  previousDigestSignature: string | null;
  digestPublicKey: string;
  digestPublicKeyFingerprint: string;
  digestSignatureAlgorithm: typeof DIGEST_SIGNATURE_ALGORITHM;
  digestSignature: string;
}

export type UnsignedDigest = Omit<AuditDigest, 'digestSignature' | 'digestPublicKey' | 'digestPublicKeyFingerprint' | 'digestSignatureAlgorithm' | 'type' | 'hashAlgorithm'>;

const encoder = new TextEncoder();

/**
 * A new signing key pair: the private half non-extractable, the public half exported once as SPKI.
 *
 * @example
 * ```ts
 * const key = await createSigningKey(Date.now());
 * key.privateKey.extractable; // false
 * ```
 */
export async function createSigningKey(now: number): Promise<AuditSigningKey> {
  const pair = await crypto.subtle.generateKey(ECDSA, false, ['sign', 'verify']);
  const spki = new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey));
  const fingerprint = hex(new Uint8Array(await crypto.subtle.digest('SHA-256', spki)));
  return { privateKey: pair.privateKey, publicKeySpki: toBase64(spki), fingerprint, createdAt: now };
}

/**
 * Signs a digest body with `key`.
 *
 * @example
 * ```ts
 * const digest = await signDigest({ awsAccountId, awsRegion, digestStartTime, digestEndTime, oldestEventTime,
 *   newestEventTime, firstSequence: 1, lastSequence: 100, lastHash, previousDigestSignature: null }, key);
 * await digestSignatureValid(digest); // true
 * ```
 */
export async function signDigest(body: UnsignedDigest, key: AuditSigningKey): Promise<AuditDigest> {
  const unsigned = {
    type: 'digest' as const,
    ...body,
    hashAlgorithm: 'SHA-256' as const,
    digestPublicKey: key.publicKeySpki,
    digestPublicKeyFingerprint: key.fingerprint,
    digestSignatureAlgorithm: DIGEST_SIGNATURE_ALGORITHM as typeof DIGEST_SIGNATURE_ALGORITHM,
  };
  const signature = await crypto.subtle.sign(SIGN, key.privateKey, encoder.encode(canonicalJson(unsigned, 'digest')));
  return { ...unsigned, digestSignature: toBase64(new Uint8Array(signature)) };
}

/** Imported public keys by SPKI text: verifying a long log imports each key once. */
const imported = new Map<string, Promise<CryptoKey>>();

/**
 * True when `digest.digestSignature` is a valid signature of the digest by `digest.digestPublicKey`
 * and the fingerprint matches that key. Any malformed field makes it false, never a throw.
 *
 * @example
 * ```ts
 * await digestSignatureValid({ ...digest, lastSequence: 99 }); // false
 * ```
 */
export async function digestSignatureValid(digest: AuditDigest): Promise<boolean> {
  try {
    if (digest.digestSignatureAlgorithm !== DIGEST_SIGNATURE_ALGORITHM) return false;
    const spki = fromBase64(digest.digestPublicKey);
    const signature = fromBase64(digest.digestSignature);
    if (!spki || !signature) return false;
    const fingerprint = hex(new Uint8Array(await crypto.subtle.digest('SHA-256', spki)));
    if (fingerprint !== digest.digestPublicKeyFingerprint) return false;
    let key = imported.get(digest.digestPublicKey);
    if (!key) {
      // A hostile export could name many keys; keep the cache small rather than grow with it.
      if (imported.size >= 16) imported.clear();
      key = crypto.subtle.importKey('spki', spki, ECDSA, false, ['verify']);
      key.catch(() => imported.delete(digest.digestPublicKey));
      imported.set(digest.digestPublicKey, key);
    }
    const { digestSignature: _signature, ...unsigned } = digest;
    return await crypto.subtle.verify(SIGN, await key, signature, encoder.encode(canonicalJson(unsigned, 'digest')));
  } catch {
    return false;
  }
}
