/**
 * The wrapping side of imported key material (developer guide, "Importing key material"): the RSA
 * key pair GetParametersForImport hands out, and opening what ImportKeyMaterial receives.
 *
 * - RSAES_OAEP_SHA_1 / RSAES_OAEP_SHA_256: the material is RSA-OAEP-encrypted directly.
 * - RSA_AES_KEY_WRAP_SHA_1 / _SHA_256: the material is wrapped with AES key wrap with padding
 *   (RFC 5649) under an ephemeral AES-256 key, which is RSA-OAEP-encrypted in front of it:
 *   `RSA-OAEP(ephemeral) || AES-KWP(ephemeral, material)`. WebCrypto's AES-KW is RFC 3394 only,
 *   so AES-KWP comes from @noble/ciphers (design.md: an audited library where WebCrypto lacks a
 *   primitive), loaded on first use.
 * - RSAES_PKCS1_V1_5 is refused: WebCrypto has no RSAES-PKCS1-v1_5 decryption (and AWS deprecates it).
 * - SM2PKE is refused: no SM2 in WebCrypto (AWS offers it in China Regions only).
 *
 * The private key is generated non-extractable and kept (structured-cloned into IndexedDB) only
 * until the import token expires.
 */
import { zero } from '../../core/bytes.js';
import type { Bytes } from '../../core/types.js';
import { kmsError } from '../errors.js';
import type { WrappingAlgorithm } from '../keys/specs.js';

export type WrappingKeySpec = 'RSA_2048' | 'RSA_3072' | 'RSA_4096' | 'SM2';

const hashOf = (algorithm: WrappingAlgorithm) => (algorithm.endsWith('SHA_1') ? 'SHA-1' : 'SHA-256');

export function checkWrapping(algorithm: WrappingAlgorithm, spec: WrappingKeySpec): void {
  if (algorithm === 'RSAES_PKCS1_V1_5') {
    throw kmsError(
      'UnsupportedOperationException',
      'WrappingAlgorithm RSAES_PKCS1_V1_5 is not supported by the simulated KMS: WebCrypto has no RSAES-PKCS1-v1_5. Use RSAES_OAEP_SHA_256 or RSA_AES_KEY_WRAP_SHA_256.',
    );
  }
  if (algorithm === 'SM2PKE' || spec === 'SM2') {
    throw kmsError('UnsupportedOperationException', 'SM2 wrapping keys are available in China Regions only and are not supported by the simulated KMS.');
  }
}

export async function createWrappingKeyPair(algorithm: WrappingAlgorithm, spec: WrappingKeySpec): Promise<{ privateKey: CryptoKey; publicKey: Bytes }> {
  const pair = (await crypto.subtle.generateKey(
    { name: 'RSA-OAEP', hash: hashOf(algorithm), modulusLength: Number(spec.slice(4)), publicExponent: new Uint8Array([1, 0, 1]) },
    false,
    ['encrypt', 'decrypt'],
  )) as CryptoKeyPair;
  return { privateKey: pair.privateKey, publicKey: new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey)) };
}

async function oaepDecrypt(privateKey: CryptoKey, ciphertext: Bytes): Promise<Bytes> {
  try {
    return new Uint8Array(await crypto.subtle.decrypt({ name: 'RSA-OAEP' }, privateKey, ciphertext));
  } catch {
    throw kmsError('InvalidCiphertextException', 'The EncryptedKeyMaterial could not be decrypted with the wrapping key of this import token.');
  }
}

/** The plaintext key material; the caller zeroes it once it is wrapped. */
export async function openImportedMaterial(algorithm: WrappingAlgorithm, privateKey: CryptoKey, encrypted: Bytes): Promise<Bytes> {
  if (algorithm === 'RSAES_OAEP_SHA_1' || algorithm === 'RSAES_OAEP_SHA_256') return oaepDecrypt(privateKey, encrypted);
  const modulusBytes = (privateKey.algorithm as RsaHashedKeyAlgorithm).modulusLength / 8;
  if (encrypted.length <= modulusBytes) throw kmsError('InvalidCiphertextException', 'The EncryptedKeyMaterial is too short for RSA_AES_KEY_WRAP.');
  const kek = await oaepDecrypt(privateKey, encrypted.slice(0, modulusBytes) as Bytes);
  try {
    if (kek.length !== 32) throw kmsError('InvalidCiphertextException', 'The ephemeral AES key of RSA_AES_KEY_WRAP must be 256 bits.');
    const { aeskwp } = await import('@noble/ciphers/aes.js');
    try {
      return aeskwp(kek).decrypt(encrypted.slice(modulusBytes)) as Bytes;
    } catch {
      throw kmsError('InvalidCiphertextException', 'The AES key wrap (RFC 5649) part of the EncryptedKeyMaterial does not verify.');
    }
  } finally {
    zero(kek);
  }
}
