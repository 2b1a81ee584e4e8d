/**
 * RSAES-OAEP encryption with an asymmetric ENCRYPT_DECRYPT key. AWS KMS returns the bare OAEP
 * ciphertext (modulus-sized), with no header: Decrypt must be told the KeyId and the algorithm.
 */
import type { Bytes } from '../../core/types.js';
import { kmsError } from '../errors.js';
import type { KeyRecord } from '../storage/records.js';
import type { RegionRuntime } from '../requests/region-runtime.js';
import { oaepMaxPlaintext, specInfo, type EncryptionAlgorithmSpec } from '../keys/specs.js';

const hashOf = (algorithm: EncryptionAlgorithmSpec) => (algorithm === 'RSAES_OAEP_SHA_1' ? 'SHA-1' : 'SHA-256');

export async function rsaEncrypt(record: KeyRecord, arn: string, algorithm: EncryptionAlgorithmSpec, plaintext: Bytes): Promise<Bytes> {
  const max = oaepMaxPlaintext(specInfo(record.KeySpec).size, algorithm);
  if (plaintext.length > max) {
    throw kmsError('ValidationException', `Plaintext is ${plaintext.length} bytes; ${algorithm} with ${arn} (${record.KeySpec}) takes at most ${max}.`);
  }
  const key = await crypto.subtle.importKey('spki', record.publicKey!, { name: 'RSA-OAEP', hash: hashOf(algorithm) }, false, ['encrypt']);
  return new Uint8Array(await crypto.subtle.encrypt({ name: 'RSA-OAEP' }, key, plaintext));
}

export async function rsaDecrypt(runtime: RegionRuntime, record: KeyRecord, algorithm: EncryptionAlgorithmSpec, ciphertext: Bytes): Promise<Bytes> {
  const key = await runtime.cryptoKey(record, record.currentMaterialId!, `RSA-OAEP:${hashOf(algorithm)}`);
  try {
    return new Uint8Array(await crypto.subtle.decrypt({ name: 'RSA-OAEP' }, key, ciphertext));
  } catch {
    throw kmsError('InvalidCiphertextException', 'The ciphertext is not valid for this KMS key and encryption algorithm.');
  }
}
