/**
 * Symmetric encryption under a KMS key: AES-256-GCM with the key's current material, a random
 * 96-bit IV, and AAD = blob header || encoded encryption context (ciphertext-blob.ts,
 * encryption-context.ts). Each material version is its own AES key, so the random-IV bound (2^32
 * messages per key, NIST SP 800-38D section 8.3) applies per version and rotation renews it.
 */
import { concat, randomBytes } from '../../core/bytes.js';
import type { Bytes } from '../../core/types.js';
import { assembleBlob, blobHeader, IV_BYTES, type ParsedBlob } from './ciphertext-blob.js';
import { encodeEncryptionContext } from './encryption-context.js';
import { kmsError } from '../errors.js';
import type { KeyRecord } from '../storage/records.js';
import type { RegionRuntime } from '../requests/region-runtime.js';
import type { EncryptionContextType } from '../types.js';

export async function sealSymmetric(
  runtime: RegionRuntime,
  record: KeyRecord,
  plaintext: Bytes,
  context: EncryptionContextType | undefined,
): Promise<{ blob: Bytes; materialId: string }> {
  const materialId = record.currentMaterialId;
  if (!materialId) throw kmsError('KMSInvalidStateException', `${runtime.arn(record.KeyId)} is pending import.`);
  const key = await runtime.cryptoKey(record, materialId, 'AES-GCM');
  const iv = randomBytes(IV_BYTES);
  const header = blobHeader(record.KeyId, materialId, iv);
  const additionalData = concat([header, encodeEncryptionContext(context)]);
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData }, key, plaintext));
  return { blob: assembleBlob(header, sealed), materialId };
}

/** Opens a parsed blob; a wrong context, a tampered byte or a wrong key is InvalidCiphertextException. */
export async function openSymmetric(
  runtime: RegionRuntime,
  record: KeyRecord,
  blob: ParsedBlob,
  context: EncryptionContextType | undefined,
): Promise<Bytes> {
  const key = await runtime.cryptoKey(record, blob.materialId, 'AES-GCM');
  const additionalData = concat([blob.header, encodeEncryptionContext(context)]);
  try {
    return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: blob.iv, additionalData }, key, blob.sealed));
  } catch {
    throw kmsError('InvalidCiphertextException', 'The ciphertext or its encryption context is not valid for this KMS key.');
  }
}
