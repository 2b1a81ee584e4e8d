/**
 * ECDSA over a pre-computed digest: Sign and Verify with `MessageType: 'DIGEST'` for ECC_NIST_*
 * keys. WebCrypto always hashes the message itself, so this path runs on the audited
 * @noble/curves, loaded on demand. Signing needs the private scalar as bytes: the key's sealed
 * PKCS#8 is unsealed for the length of one call, the scalar is read from it in place, and every
 * copy is zeroed before the call returns. Nothing is cached. Verifying needs only the public key.
 */
import { zero } from '../../core/bytes.js';
import type { Bytes } from '../../core/types.js';
import { derToP1363 } from './ecdsa-der.js';
import { kmsError } from '../errors.js';
import type { KeyRecord } from '../storage/records.js';
import type { RegionRuntime } from '../requests/region-runtime.js';
import { specInfo } from '../keys/specs.js';

type NamedCurve = 'P-256' | 'P-384' | 'P-521';

/** RFC 5915, section 3: the private key is an OCTET STRING of ceiling(log2(n) / 8) bytes. */
const SCALAR_BYTES = { 'P-256': 32, 'P-384': 48, 'P-521': 66 } as const satisfies Record<NamedCurve, number>;

// Pre-hashed, and without low-S normalisation: AWS KMS (and WebCrypto) accept either half of s.
const NOBLE_OPTIONS = { prehash: false, lowS: false, format: 'der' } as const;

async function nobleCurve(namedCurve: NamedCurve) {
  const { p256, p384, p521 } = await import('@noble/curves/nist.js');
  return { 'P-256': p256, 'P-384': p384, 'P-521': p521 }[namedCurve];
}

const curveOf = (record: KeyRecord): NamedCurve => specInfo(record.KeySpec).namedCurve!;

// The material is ours and authenticated by its AES-GCM seal, so a parse failure is a fault of
// the simulator, not of the caller; the message names no bytes.
const unreadable = () => kmsError('KMSInternalException', 'The key material of this KMS key could not be read.');

/** Bounds of the content of the DER TLV at `pos`, which must have tag `tag` (definite length, at most 2 length bytes). */
function readTlv(der: Uint8Array, pos: number, tag: number, end = der.length): { start: number; end: number } {
  if (pos >= end || der[pos] !== tag) throw unreadable();
  let at = pos + 1;
  let length = der[at++];
  if (length === undefined) throw unreadable();
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 2 || at + count > end) throw unreadable();
    length = 0;
    for (let i = 0; i < count; i++) length = (length << 8) | der[at++]!;
  }
  if (at + length > end) throw unreadable();
  return { start: at, end: at + length };
}

/**
 * The `privateKey` OCTET STRING of an EC PKCS#8 blob, as a view into `pkcs8` (no copy).
 * PrivateKeyInfo (RFC 5208, section 5) = SEQUENCE { INTEGER version, AlgorithmIdentifier,
 * OCTET STRING { ECPrivateKey (RFC 5915, section 3) = SEQUENCE { INTEGER 1, OCTET STRING d, ... } } }.
 */
function privateScalar(pkcs8: Uint8Array): Uint8Array {
  const info = readTlv(pkcs8, 0, 0x30);
  if (info.end !== pkcs8.length) throw unreadable();
  const version = readTlv(pkcs8, info.start, 0x02, info.end);
  const algorithm = readTlv(pkcs8, version.end, 0x30, info.end);
  const wrapped = readTlv(pkcs8, algorithm.end, 0x04, info.end);
  const ecPrivateKey = readTlv(pkcs8, wrapped.start, 0x30, wrapped.end);
  const ecVersion = readTlv(pkcs8, ecPrivateKey.start, 0x02, ecPrivateKey.end);
  const d = readTlv(pkcs8, ecVersion.end, 0x04, ecPrivateKey.end);
  return pkcs8.subarray(d.start, d.end);
}

/**
 * Signs a digest with the current material of an ECC signing key; returns the DER signature
 * AWS KMS returns. The caller has checked the digest's length against the signing algorithm.
 */
export async function signEcdsaDigest(runtime: RegionRuntime, record: KeyRecord, digest: Bytes): Promise<Bytes> {
  const namedCurve = curveOf(record);
  const size = SCALAR_BYTES[namedCurve];
  const ec = await nobleCurve(namedCurve); // loaded before unsealing, to keep the bytes' life short
  const material = record.materials.find((m) => m.id === record.currentMaterialId);
  if (material?.wrapped.format !== 'pkcs8') throw unreadable();
  const pkcs8 = await runtime.materialBytes(record, material.id);
  let padded: Uint8Array | undefined;
  try {
    let scalar = privateScalar(pkcs8);
    if (scalar.length === 0 || scalar.length > size) throw unreadable();
    // RFC 5915 fixes the length, but an encoder that drops leading zeros must not make us fail.
    if (scalar.length < size) {
      padded = new Uint8Array(size);
      padded.set(scalar, size - scalar.length);
      scalar = padded;
    }
    return ec.sign(digest, scalar, NOBLE_OPTIONS) as Bytes;
  } finally {
    zero(pkcs8);
    if (padded) zero(padded);
  }
}

/**
 * Verifies a DER signature over a digest with the key's public key. Accepts exactly the DER
 * the RAW path accepts (ecdsa-der.ts), so both message types agree on what a signature is.
 */
export async function verifyEcdsaDigest(record: KeyRecord, signature: Bytes, digest: Bytes): Promise<boolean> {
  const namedCurve = curveOf(record);
  if (!derToP1363(signature, SCALAR_BYTES[namedCurve])) return false;
  // WebCrypto turns the stored SubjectPublicKeyInfo into the uncompressed point noble takes.
  const publicKey = await crypto.subtle.importKey('spki', record.publicKey!, { name: 'ECDSA', namedCurve }, true, ['verify']);
  const point = new Uint8Array(await crypto.subtle.exportKey('raw', publicKey));
  const ec = await nobleCurve(namedCurve);
  try {
    return ec.verify(signature, digest, point, NOBLE_OPTIONS);
  } catch {
    return false;
  }
}
