/**
 * ECDSA footer signatures (spec: data-format/message-footer.md). One-shot messages sign and verify
 * with WebCrypto over the whole message. Streams and large messages cannot (WebCrypto signs only
 * whole inputs), so they hash incrementally (hashing/, WebAssembly) and sign the digest with
 * @noble/curves, both loaded on demand.
 * The footer holds a DER signature; WebCrypto speaks IEEE P1363 (r || s), so both are converted.
 */
import type { Bytes, SigningKey, VerificationKey } from './types.js';
import type { CurveName, HashName } from './suites.js';
import { fromBase64, toBase64 } from './bytes.js';
import { EnvelopeError, ErrorCode } from './errors.js';
import type { SignatureHash } from './hashing/incremental-hash.js';
import type { MessageHasher, SignatureHashName, SignatureHasher } from './options.js';
import type { SigningKeySource } from './materials-managers.js';
import { typeError } from './arguments.js';

const subtle = (): SubtleCrypto => globalThis.crypto.subtle;
const SCALAR_LENGTH: Record<CurveName, number> = { 'P-256': 32, 'P-384': 48 };

/** SEC1 compressed form of an uncompressed point (0x04 || x || y). */
export function compressPoint(uncompressed: Uint8Array): Bytes {
  const n = (uncompressed.length - 1) / 2;
  const out = new Uint8Array(n + 1);
  out[0] = 0x02 | (uncompressed[uncompressed.length - 1]! & 1);
  out.set(uncompressed.subarray(1, n + 1), 1);
  return out;
}

/**
 * Generates a one-time ECDSA signing key for a signed message: the private key (non-extractable
 * unless `extractable`, which only streams and large messages need, their incremental signer
 * reading the scalar) and the compressed public point the message's encryption context carries.
 * The building block of a {@link SigningKeySource} (DefaultCmm's `signingKeys`), e.g. one that
 * generates keys ahead in another worker: CryptoKeys keep their extractability when posted.
 *
 * @example
 * ```ts
 * import { DefaultCmm, encrypt, generateSigningKey, RawAesKeyring } from 'envelope-kit/core';
 * const keyring = new RawAesKeyring({ keyNamespace: 'app', keyName: 'k', wrappingKey: crypto.getRandomValues(new Uint8Array(32)) });
 * const ahead = [await generateSigningKey('P-384')];
 * const cmm = new DefaultCmm({ keyring, signingKeys: async (curve, { extractable }) => (!extractable && ahead.pop()) || generateSigningKey(curve, extractable) });
 * const { header } = await encrypt(cmm, new Uint8Array(16));
 * if (header.suiteId !== 0x0578) throw new Error('not signed');
 * ```
 */
export async function generateSigningKey(curve: CurveName, extractable = false): Promise<SigningKey> {
  const pair = await subtle().generateKey({ name: 'ECDSA', namedCurve: curve }, extractable, ['sign']);
  const raw = new Uint8Array(await subtle().exportKey('raw', pair.publicKey));
  return { privateKey: pair.privateKey, publicKeyBase64: toBase64(compressPoint(raw)) };
}

const spare = new Map<CurveName, Promise<SigningKey>>();

/**
 * A fresh non-extractable signing key for one message. Each key is used once; one spare per curve
 * is generated ahead in the background, so WebCrypto's key generation (the largest per-message cost
 * of signed suites) overlaps with the rest of the previous message's work.
 */
export function takeSigningKey(curve: CurveName): Promise<SigningKey> {
  const next = spare.get(curve) ?? generateSigningKey(curve);
  const ahead = generateSigningKey(curve);
  ahead.catch(() => spare.delete(curve));
  spare.set(curve, ahead);
  return next;
}

async function nobleCurve(curve: CurveName) {
  const { p256, p384 } = await import('@noble/curves/nist.js');
  return curve === 'P-256' ? p256 : p384;
}

/** Imports the `aws-crypto-public-key` value of a signed message's context. */
export async function importVerificationKey(curve: CurveName, publicKeyBase64: string): Promise<VerificationKey> {
  const compressed = fromBase64(publicKeyBase64);
  const expected = SCALAR_LENGTH[curve] + 1;
  if (!compressed || compressed.length !== expected || (compressed[0] !== 2 && compressed[0] !== 3)) {
    throw new EnvelopeError(ErrorCode.MALFORMED_MESSAGE, `the message's aws-crypto-public-key is not a compressed ${curve} point`);
  }
  const algorithm = { name: 'ECDSA', namedCurve: curve };
  let point: Bytes;
  try {
    // Node and Chromium import compressed points directly; others need the point decompressed.
    const key = await subtle().importKey('raw', compressed, algorithm, true, ['verify']);
    point = new Uint8Array(await subtle().exportKey('raw', key));
  } catch {
    try {
      point = (await nobleCurve(curve)).Point.fromBytes(compressed).toBytes(false) as Bytes;
    } catch {
      throw new EnvelopeError(ErrorCode.MALFORMED_MESSAGE, `the message's aws-crypto-public-key is not a point on ${curve}`);
    }
  }
  const publicKey = await subtle().importKey('raw', point, algorithm, false, ['verify']);
  return { publicKey, publicPoint: point };
}

function derInteger(value: Uint8Array): Bytes {
  let start = 0;
  while (start < value.length - 1 && value[start] === 0) start++;
  const body = value.subarray(start);
  const pad = body[0]! & 0x80 ? 1 : 0;
  const out = new Uint8Array(2 + pad + body.length);
  out[0] = 0x02;
  out[1] = pad + body.length;
  out.set(body, 2 + pad);
  return out;
}

/** IEEE P1363 (r || s) to DER. Lengths stay below 128 for P-256 and P-384, so short form only. */
export function p1363ToDer(signature: Uint8Array): Bytes {
  const n = signature.length / 2;
  const r = derInteger(signature.subarray(0, n));
  const s = derInteger(signature.subarray(n));
  const out = new Uint8Array(2 + r.length + s.length);
  out[0] = 0x30;
  out[1] = r.length + s.length;
  out.set(r, 2);
  out.set(s, 2 + r.length);
  return out;
}

/** The group orders n of the curves (FIPS 186-4, D.1.2.3 and D.1.2.4). */
const ORDER: Record<CurveName, bigint> = {
  'P-256': 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  'P-384': 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
};

/**
 * The length every footer signature is brought to (DER: 6 bytes of tags and lengths, one integer
 * of the scalar's length and one with a sign byte more), as the AWS Encryption SDK for Python does:
 * 71 bytes for P-256, 103 for P-384. A fixed length lets one-shot encrypt lay the message out in a
 * buffer of its final size instead of copying it once signed.
 */
export const SIGNATURE_LENGTH: Record<CurveName, number> = { 'P-256': 71, 'P-384': 103 };

/**
 * The DER footer signature of an IEEE P1363 one (r || s). (r, s) and (r, n - s) are the same
 * signature to every ECDSA verifier; the one whose DER is {@link SIGNATURE_LENGTH} long is taken
 * (the choice depends only on public bytes). When r itself is short (about 1 in 256), neither is,
 * and the DER is shorter.
 */
export function footerSignature(raw: Uint8Array, curve: CurveName): Bytes {
  const target = SIGNATURE_LENGTH[curve];
  const der = p1363ToDer(raw);
  if (der.length === target) return der;
  const n = raw.length / 2;
  let value = ORDER[curve] - BigInt(`0x${Array.from(raw.subarray(n), (b) => b.toString(16).padStart(2, '0')).join('')}`);
  const negated = new Uint8Array(raw);
  for (let i = raw.length - 1; i >= n; i--, value >>= 8n) negated[i] = Number(value & 0xffn);
  const other = p1363ToDer(negated);
  // The target length if the negation reaches it; otherwise the shorter of the two.
  return other.length === target || other.length < der.length ? other : der;
}

/** Strict DER to IEEE P1363; undefined when the bytes are not a minimal DER ECDSA signature. */
export function derToP1363(der: Uint8Array, scalarLength: number): Bytes | undefined {
  if (der.length < 8 || der[0] !== 0x30 || der[1] !== der.length - 2) return undefined;
  const out = new Uint8Array(scalarLength * 2);
  let offset = 2;
  for (let i = 0; i < 2; i++) {
    if (der[offset] !== 0x02) return undefined;
    const length = der[offset + 1]!;
    offset += 2;
    if (length === 0 || length > 127 || offset + length > der.length) return undefined;
    let value = der.subarray(offset, offset + length);
    offset += length;
    if (value[0]! & 0x80) return undefined; // negative
    if (value.length > 1 && value[0] === 0 && !(value[1]! & 0x80)) return undefined; // not minimal
    if (value[0] === 0 && value.length > 1) value = value.subarray(1);
    if (value.length > scalarLength) return undefined;
    out.set(value, i * scalarLength + scalarLength - value.length);
  }
  return offset === der.length ? out : undefined;
}

/** Signs all of `data` (one-shot messages) and returns the DER signature ({@link footerSignature}). */
export async function signMessage(key: SigningKey, curve: CurveName, hash: HashName, data: Uint8Array): Promise<Bytes> {
  const raw = new Uint8Array(await subtle().sign({ name: 'ECDSA', hash }, key.privateKey, data as Bytes));
  return footerSignature(raw, curve);
}

/** Verifies a DER signature over all of `data`. */
export async function verifyMessage(
  key: VerificationKey,
  curve: CurveName,
  hash: HashName,
  derSignature: Uint8Array,
  data: Uint8Array,
): Promise<boolean> {
  const raw = derToP1363(derSignature, SCALAR_LENGTH[curve]);
  if (!raw) return false;
  return subtle().verify({ name: 'ECDSA', hash }, key.publicKey, raw, data as Bytes);
}

export type { IncrementalHash } from './hashing/incremental-hash.js';

/** A signed message's footer hash as the core uses it: the built-in one, or a caller's {@link SignatureHasher}. */
export interface MessageHash {
  /** Awaited by the caller before it reuses `data`. */
  update(data: Uint8Array): void | Promise<void>;
  digest(): Bytes | Promise<Bytes>;
  /** The message failed: the digest will not be asked for (see MessageHasher.end). */
  end?(): void;
}

const DIGEST_LENGTH: Record<string, number> = { 'SHA-256': 32, 'SHA-384': 48 };

/**
 * An incremental hash for messages signed or verified piece by piece: the caller's `hasher` when
 * given (options.signatureHasher), else WebAssembly where it compiles and @noble/hashes elsewhere
 * (see hashing/incremental-hash.ts), loaded on first use.
 */
export async function incrementalHash(hash: HashName, hasher?: SignatureHasher): Promise<MessageHash> {
  if (hasher) return checkedHasher(await hasher(hash as SignatureHashName), hash);
  const { createIncrementalHash } = await import('./hashing/incremental-hash.js');
  return createIncrementalHash(hash as SignatureHash);
}

function checkedHasher(hasher: MessageHasher, hash: HashName): MessageHash {
  if (!hasher || typeof hasher.update !== 'function' || typeof hasher.digest !== 'function') {
    throw typeError('options.signatureHasher', 'a function returning an object with update() and digest()');
  }
  return {
    update: (data) => hasher.update(data),
    end: () => hasher.end?.(),
    digest: async () => {
      const digest = await hasher.digest();
      if (!(digest instanceof Uint8Array) || digest.length !== DIGEST_LENGTH[hash]) {
        throw typeError('options.signatureHasher', `a hasher whose digest() gives the ${DIGEST_LENGTH[hash]}-byte ${hash} digest`);
      }
      return digest as Bytes;
    },
  };
}

/** Signs a digest with the extractable private key of a stream's signing key. */
export async function signDigest(key: SigningKey, curve: CurveName, digest: Uint8Array): Promise<Bytes> {
  if (!key.privateKey.extractable) {
    throw new EnvelopeError(
      ErrorCode.KEYRING_FAILURE,
      'a streaming signature needs an extractable signing key: the materials manager returned a non-extractable one',
    );
  }
  const jwk = await subtle().exportKey('jwk', key.privateKey);
  const scalar = fromBase64Url(jwk.d!);
  try {
    const ec = await nobleCurve(curve);
    return footerSignature(ec.sign(digest, scalar, { prehash: false, lowS: false, format: 'compact' }), curve);
  } finally {
    scalar.fill(0);
  }
}

/** Verifies a DER signature over a digest (streams). */
export async function verifyDigest(key: VerificationKey, curve: CurveName, derSignature: Uint8Array, digest: Uint8Array): Promise<boolean> {
  if (!derToP1363(derSignature, SCALAR_LENGTH[curve])) return false;
  const ec = await nobleCurve(curve);
  try {
    return ec.verify(derSignature, digest, key.publicPoint, { prehash: false, lowS: false, format: 'der' });
  } catch {
    return false;
  }
}

function fromBase64Url(text: string): Bytes {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  return fromBase64(b64 + '='.repeat((4 - (b64.length % 4)) % 4))!;
}
