/**
 * Key material at rest and in use: the region root keys, generating KMS key material, wrapping it
 * for storage, re-wrapping it for another region, and unwrapping it into non-extractable CryptoKeys.
 *
 * Key hierarchy (design.md): region root -> key material versions -> data keys -> content.
 * Each region has two non-extractable AES-256 root keys, created once and kept in its store:
 *
 * - `wrap` (AES-KW, RFC 3394) wraps raw material whose length is a multiple of 8 bytes: symmetric
 *   keys (32 bytes) and HMAC-256/384/512 keys (32/48/64 bytes). AES-KW is deterministic and
 *   integrity-checked, the standard way to wrap a key under a key.
 * - `seal` (AES-GCM) takes everything AES-KW cannot: PKCS#8 DER of RSA and EC keys (lengths such as
 *   1217 bytes are not multiples of 8) and HMAC-224's 28 bytes. Each seal has a random 96-bit IV and
 *   AAD naming the key id, material id and format, so a sealed blob cannot be moved onto another
 *   key record. We chose a second root key over padding (e.g. a JWK padded with spaces to a
 *   multiple of 8 for AES-KW) because padding schemes are easy to get subtly wrong and GCM gives
 *   authenticated binding to the record for free.
 *
 * New material is generated as an extractable CryptoKey only for as long as `wrapKey` needs it;
 * from then on it exists as wrapped bytes in the store and as non-extractable CryptoKeys in memory.
 * Two exceptions, both where WebCrypto lacks the operation: HMAC-224 (no SHA-224; @noble/hashes)
 * and ECDSA signing of a pre-computed DIGEST (@noble/curves). Their material is unsealed into
 * bytes for the duration of a call, then zeroed.
 */
import { randomBytes, utf8, zero } from '../../core/bytes.js';
import type { Bytes } from '../../core/types.js';
import type { MaterialRecord, RootKeys, WrappedMaterial } from '../storage/records.js';
import { specInfo, type KeySpec, type KeyUsage as KmsKeyUsage } from '../keys/specs.js';

const subtle = () => globalThis.crypto.subtle;

export async function createRootKeys(now: number): Promise<RootKeys> {
  const [wrap, seal] = await Promise.all([
    subtle().generateKey({ name: 'AES-KW', length: 256 }, false, ['wrapKey', 'unwrapKey']),
    subtle().generateKey({ name: 'AES-GCM', length: 256 }, false, ['wrapKey', 'unwrapKey', 'encrypt', 'decrypt']),
  ]);
  return { wrap, seal, createdAt: now };
}

const sealAad = (keyId: string, materialId: string, format: string) => utf8(`envelope-kit/kms material 1|${keyId}|${materialId}|${format}`);

/** How a material's bytes are interpreted when it is unwrapped extractably (for re-wrapping). */
function importAlgorithm(spec: KeySpec, usage: KmsKeyUsage): AlgorithmIdentifier | RsaHashedImportParams | EcKeyImportParams | HmacImportParams {
  const info = specInfo(spec);
  switch (info.family) {
    case 'symmetric':
      return { name: 'AES-GCM' };
    case 'hmac':
      return { name: 'HMAC', hash: info.hash!, length: info.size * 8 };
    case 'rsa':
      return usage === 'ENCRYPT_DECRYPT' ? { name: 'RSA-OAEP', hash: 'SHA-256' } : { name: 'RSA-PSS', hash: 'SHA-256' };
    case 'ecc':
      return { name: 'ECDSA', namedCurve: info.namedCurve! };
  }
}

/** WebCrypto usages of the private (or only) half and of the public half. */
function usagesFor(spec: KeySpec, usage: KmsKeyUsage, privateHalf: boolean): KeyUsage[] {
  const family = specInfo(spec).family;
  if (family === 'symmetric') return ['encrypt', 'decrypt'];
  if (family === 'hmac') return ['sign', 'verify'];
  if (usage === 'ENCRYPT_DECRYPT') return privateHalf ? ['decrypt'] : ['encrypt'];
  return privateHalf ? ['sign'] : ['verify'];
}

/** Wraps an extractable CryptoKey under the region root: AES-KW for raw, AES-GCM for PKCS#8. */
async function wrap(key: CryptoKey, format: 'raw' | 'pkcs8', root: RootKeys, keyId: string, materialId: string): Promise<WrappedMaterial> {
  if (format === 'raw') {
    const bytes = new Uint8Array(await subtle().wrapKey('raw', key, root.wrap, 'AES-KW'));
    return { alg: 'AES-KW', format, bytes };
  }
  const iv = randomBytes(12);
  const params = { name: 'AES-GCM', iv, additionalData: sealAad(keyId, materialId, format) };
  const bytes = new Uint8Array(await subtle().wrapKey('pkcs8', key, root.seal, params));
  return { alg: 'AES-GCM', format, iv, bytes };
}

async function sealBytes(raw: Bytes, root: RootKeys, keyId: string, materialId: string): Promise<WrappedMaterial> {
  const iv = randomBytes(12);
  const bytes = new Uint8Array(await subtle().encrypt({ name: 'AES-GCM', iv, additionalData: sealAad(keyId, materialId, 'raw') }, root.seal, raw));
  return { alg: 'AES-GCM', format: 'raw', iv, bytes };
}

/** HMAC-224 material (and any raw material sealed with AES-GCM) as bytes; the caller zeroes them. */
export async function unsealBytes(material: WrappedMaterial, root: RootKeys, keyId: string, materialId: string): Promise<Bytes> {
  const params = { name: 'AES-GCM', iv: material.iv!, additionalData: sealAad(keyId, materialId, material.format) };
  return new Uint8Array(await subtle().decrypt(params, root.seal, material.bytes));
}

export interface NewMaterial {
  readonly wrapped: WrappedMaterial;
  /** SubjectPublicKeyInfo DER, for asymmetric keys. */
  readonly publicKey?: Bytes;
}

/** Generates fresh key material for a key spec and returns it wrapped under `root`. */
export async function generateMaterial(spec: KeySpec, usage: KmsKeyUsage, root: RootKeys, keyId: string, materialId: string): Promise<NewMaterial> {
  const info = specInfo(spec);
  if (info.family === 'hmac' && info.size % 8 !== 0) {
    const raw = randomBytes(info.size);
    try {
      return { wrapped: await sealBytes(raw, root, keyId, materialId) };
    } finally {
      zero(raw);
    }
  }
  if (info.family === 'symmetric' || info.family === 'hmac') {
    const algorithm = info.family === 'symmetric' ? { name: 'AES-GCM', length: 256 } : { name: 'HMAC', hash: info.hash!, length: info.size * 8 };
    const key = (await subtle().generateKey(algorithm, true, usagesFor(spec, usage, true))) as CryptoKey;
    return { wrapped: await wrap(key, 'raw', root, keyId, materialId) };
  }
  const algorithm =
    info.family === 'ecc'
      ? { name: 'ECDSA', namedCurve: info.namedCurve! }
      : { ...(importAlgorithm(spec, usage) as RsaHashedImportParams), modulusLength: info.size, publicExponent: new Uint8Array([1, 0, 1]) };
  const pair = (await subtle().generateKey(algorithm, true, [...usagesFor(spec, usage, true), ...usagesFor(spec, usage, false)])) as CryptoKeyPair;
  const [wrapped, spki] = await Promise.all([wrap(pair.privateKey, 'pkcs8', root, keyId, materialId), subtle().exportKey('spki', pair.publicKey)]);
  return { wrapped, publicKey: new Uint8Array(spki) };
}

/** Wraps an extractable symmetric CryptoKey that came from outside (imported key material). */
export function wrapImported(key: CryptoKey, root: RootKeys, keyId: string, materialId: string): Promise<WrappedMaterial> {
  return wrap(key, 'raw', root, keyId, materialId);
}

/** Re-wraps a material from one region's root to another's (ReplicateKey, rotation reaching replicas). */
export async function rewrap(material: MaterialRecord, from: RootKeys, to: RootKeys, keyId: string, spec: KeySpec, usage: KmsKeyUsage): Promise<MaterialRecord> {
  const w = material.wrapped;
  if (w.alg === 'AES-GCM' && w.format === 'raw') {
    const raw = await unsealBytes(w, from, keyId, material.id);
    try {
      return { ...material, wrapped: await sealBytes(raw, to, keyId, material.id) };
    } finally {
      zero(raw);
    }
  }
  const key = await unwrapAs(w, from, keyId, material.id, importAlgorithm(spec, usage), true, usagesFor(spec, usage, true));
  return { ...material, wrapped: await wrap(key, w.format, to, keyId, material.id) };
}

/** Unwraps a stored material into a CryptoKey for one algorithm and usage set. */
export function unwrapAs(
  w: WrappedMaterial,
  root: RootKeys,
  keyId: string,
  materialId: string,
  algorithm: AlgorithmIdentifier | RsaHashedImportParams | EcKeyImportParams | HmacImportParams,
  extractable: boolean,
  usages: KeyUsage[],
): Promise<CryptoKey> {
  const unwrapping = w.alg === 'AES-KW' ? root.wrap : root.seal;
  const params = w.alg === 'AES-KW' ? 'AES-KW' : { name: 'AES-GCM', iv: w.iv!, additionalData: sealAad(keyId, materialId, w.format) };
  return subtle().unwrapKey(w.format, w.bytes, unwrapping, params, algorithm, extractable, usages);
}
