/**
 * Sealing secret values as AWS Secrets Manager does ("How AWS Secrets Manager uses AWS KMS"):
 * for every new version, GenerateDataKey (AES_256) under the secret's KMS key with the encryption
 * context `{ SecretARN, SecretVersionId }`; the value is encrypted with the plaintext data key
 * outside the KMS (here AES-256-GCM, the ARN and version id as AAD), the plaintext key is dropped,
 * and only its encrypted copy is stored. Reading calls Decrypt with the same context.
 *
 * KMS failures become the documented Secrets Manager errors: the KMS refusing the caller is
 * AccessDeniedException ("Access to KMS is not allowed"); a key that cannot be used (disabled,
 * pending deletion, not found, not a symmetric encryption key) is EncryptionFailure or
 * DecryptionFailure; a failing KMS Region (outage, throttling) is InternalServiceError.
 */
import type { KmsRegionClient } from '../../kms/index.js';
import { utf8, zero } from '../../core/bytes.js';
import { kmsFailureKind, SecretsManagerServiceException } from '../errors.js';
import type { SealedValue, WrappedDataKey } from './schema.js';

/** The default key, created on first use (kms.awsManagedKey). */
export const DEFAULT_KEY_ALIAS = 'alias/aws/secretsmanager';

/** The encryption context Secrets Manager uses for a version ("Secrets Manager encryption context"). */
export function encryptionContext(secretArn: string, versionId: string): Record<string, string> {
  return { SecretARN: secretArn, SecretVersionId: versionId };
}

/** A plaintext secret value as the API carries it. */
export type SecretValue = { readonly type: 'string'; readonly text: string } | { readonly type: 'binary'; readonly bytes: Uint8Array<ArrayBuffer> };

function kmsError(error: unknown, direction: 'encrypt' | 'decrypt', keyId: string): SecretsManagerServiceException {
  const kind = kmsFailureKind(error);
  const reason = (error as Error).name;
  if (kind === 'access-denied') return new SecretsManagerServiceException('AccessDeniedException', `Access to KMS is not allowed (${keyId}).`, { cause: error });
  if (kind === 'unavailable') return new SecretsManagerServiceException('InternalServiceError', `AWS KMS in this Region could not be reached (${reason}); retry the request.`, { cause: error });
  return direction === 'encrypt'
    ? new SecretsManagerServiceException('EncryptionFailure', `Secrets Manager can't encrypt the protected secret text using the provided KMS key ${keyId}. Check that the KMS key is available, enabled, a symmetric encryption key, and not in an invalid state (${reason}).`, { cause: error })
    : new SecretsManagerServiceException('DecryptionFailure', `Secrets Manager can't decrypt the protected secret text using the provided KMS key ${keyId} (${reason}).`, { cause: error });
}

function aad(secretArn: string, versionId: string): Uint8Array<ArrayBuffer> {
  return utf8(JSON.stringify(encryptionContext(secretArn, versionId)));
}

async function aesKey(bytes: Uint8Array<ArrayBuffer>, usage: 'encrypt' | 'decrypt'): Promise<CryptoKey> {
  try {
    return await crypto.subtle.importKey('raw', bytes, 'AES-GCM', false, [usage]);
  } finally {
    zero(bytes);
  }
}

function plaintextOf(value: SecretValue): Uint8Array<ArrayBuffer> {
  return value.type === 'string' ? utf8(value.text) : new Uint8Array(value.bytes);
}

/** Seals `value` for version `versionId` of `secretArn` under `keyId` (a key id, ARN or alias). */
export async function seal(kms: KmsRegionClient, options: { keyId: string; secretArn: string; versionId: string; value: SecretValue }): Promise<SealedValue> {
  const { keyId, secretArn, versionId, value } = options;
  let dataKey;
  try {
    dataKey = await kms.generateDataKey({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: encryptionContext(secretArn, versionId) });
  } catch (error) {
    throw kmsError(error, 'encrypt', keyId);
  }
  const key = await aesKey(dataKey.Plaintext as Uint8Array<ArrayBuffer>, 'encrypt');
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const plaintext = plaintextOf(value);
  const ciphertext = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad(secretArn, versionId) }, key, plaintext));
  zero(plaintext);
  return { type: value.type, iv, ciphertext, dataKeys: [{ KeyArn: dataKey.KeyId, CiphertextBlob: dataKey.CiphertextBlob as Uint8Array<ArrayBuffer> }] };
}

/** The plaintext data key of a sealed value (the caller zeroes it), trying the preferred key's wrap first. */
async function dataKeyOf(kms: KmsRegionClient, sealed: SealedValue, secretArn: string, versionId: string, preferredKeyArn?: string): Promise<{ bytes: Uint8Array<ArrayBuffer>; wrap: WrappedDataKey }> {
  const wraps = [...sealed.dataKeys].sort((a, b) => Number(b.KeyArn === preferredKeyArn) - Number(a.KeyArn === preferredKeyArn));
  let first: unknown;
  for (const wrap of wraps) {
    try {
      const { Plaintext } = await kms.decrypt({ KeyId: wrap.KeyArn, CiphertextBlob: wrap.CiphertextBlob, EncryptionContext: encryptionContext(secretArn, versionId) });
      return { bytes: Plaintext as Uint8Array<ArrayBuffer>, wrap };
    } catch (error) {
      first ??= error;
    }
  }
  throw kmsError(first, 'decrypt', wraps[0]?.KeyArn ?? 'none');
}

/** Opens a sealed value. */
export async function open(kms: KmsRegionClient, options: { sealed: SealedValue; secretArn: string; versionId: string; preferredKeyArn?: string }): Promise<SecretValue> {
  const { sealed, secretArn, versionId } = options;
  const { bytes } = await dataKeyOf(kms, sealed, secretArn, versionId, options.preferredKeyArn);
  const key = await aesKey(bytes, 'decrypt');
  let plaintext: Uint8Array<ArrayBuffer>;
  try {
    plaintext = new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: sealed.iv, additionalData: aad(secretArn, versionId) }, key, sealed.ciphertext));
  } catch (error) {
    throw new SecretsManagerServiceException('DecryptionFailure', `Secrets Manager can't decrypt version ${versionId} of ${secretArn}: the stored ciphertext does not authenticate.`, { cause: error });
  }
  if (sealed.type === 'binary') return { type: 'binary', bytes: plaintext };
  const text = new TextDecoder().decode(plaintext);
  zero(plaintext);
  return { type: 'string', text };
}

/**
 * Adds a wrap of the version's data key under `newKeyId`: Decrypt under a key it has, then
 * Encrypt under the new one with the same context (UpdateSecret with a new KmsKeyId, "Change the
 * encryption key for a secret": old wraps stay, so the version opens with either key). Returns
 * undefined when the caller cannot decrypt the old wrap: AWS then leaves the version as it was.
 */
export async function rewrap(kms: KmsRegionClient, options: { sealed: SealedValue; secretArn: string; versionId: string; newKeyId: string }): Promise<SealedValue | undefined> {
  const { sealed, secretArn, versionId, newKeyId } = options;
  let old;
  try {
    old = await dataKeyOf(kms, sealed, secretArn, versionId);
  } catch {
    return undefined;
  }
  try {
    const { CiphertextBlob, KeyId } = await kms.encrypt({ KeyId: newKeyId, Plaintext: old.bytes, EncryptionContext: encryptionContext(secretArn, versionId) });
    const others = sealed.dataKeys.filter((w) => w.KeyArn !== KeyId);
    return { ...sealed, dataKeys: [{ KeyArn: KeyId, CiphertextBlob: CiphertextBlob as Uint8Array<ArrayBuffer> }, ...others] };
  } catch (error) {
    throw kmsError(error, 'encrypt', newKeyId);
  } finally {
    zero(old.bytes);
  }
}

/** Whether two values are the same (ClientRequestToken idempotency), without early exit on content. */
export function sameValue(a: SecretValue, b: SecretValue): boolean {
  if (a.type !== b.type) return false;
  const x = a.type === 'string' ? utf8(a.text) : a.bytes;
  const y = b.type === 'string' ? utf8(b.text) : b.bytes;
  if (x.length !== y.length) return false;
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i]! ^ y[i]!;
  return diff === 0;
}
