/**
 * The three AWS KMS calls of the KMS keyrings, each with the checks the specification puts on its
 * response (spec: framework/aws-kms/aws-kms-keyring.md, OnEncrypt and OnDecrypt), and the error
 * reporting they share. Plaintext data keys from KMS are copied into buffers the kit owns and the
 * client's buffer is zeroed: an SDK may hand out a view into a shared pool (Node's Buffer does).
 */
import type { Bytes, DecryptionMaterials, EncryptedDataKey, EncryptionContext } from './types.js';
import type { KmsClient } from './kms-client.js';
import { copyBytes, fromUtf8, utf8, zero } from './bytes.js';
import { EnvelopeError, ErrorCode } from './errors.js';
import { parseKmsKeyArn, type KmsArn } from './kms-arn.js';

/** The provider id of every encrypted data key a KMS keyring writes or reads. */
export const KMS_PROVIDER_ID = 'aws-kms';

/** One configured key and the client for its region. */
export interface KmsKey {
  readonly keyId: string;
  readonly client: KmsClient;
}

/** `NotFoundException: <message>` for a KMS error; a short description for anything else. */
export function describeKmsError(error: unknown): string {
  if (error instanceof Error || (typeof error === 'object' && error !== null && 'name' in error)) {
    const { name, message } = error as { name?: unknown; message?: unknown };
    return `${String(name ?? 'Error')}: ${String(message ?? '')}`.trim();
  }
  return `non-Error thrown (${typeof error})`;
}

function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array;
}

function edkOf(keyArn: string, ciphertext: Uint8Array): EncryptedDataKey {
  return { providerId: KMS_PROVIDER_ID, providerInfo: utf8(keyArn), ciphertext: copyBytes(ciphertext) };
}

/** Calls KMS, turning its failure into KEYRING_FAILURE that names the operation, key and exception. */
async function call<T>(keyring: string, operation: string, keyId: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (cause) {
    throw new EnvelopeError(ErrorCode.KEYRING_FAILURE, `${keyring}: ${operation} with ${keyId} failed: ${describeKmsError(cause)}`, { cause });
  }
}

function badResponse(keyring: string, operation: string, keyId: string, what: string): EnvelopeError {
  return new EnvelopeError(ErrorCode.KEYRING_FAILURE, `${keyring}: ${operation} with ${keyId} returned ${what}`);
}

/**
 * GenerateDataKey: a fresh data key of `keyLength` bytes and its first encrypted copy. The caller
 * owns (and must zero on failure) the returned plaintext.
 */
export async function generateDataKey(
  keyring: string,
  key: KmsKey,
  keyLength: number,
  encryptionContext: EncryptionContext,
  grantTokens: string[] | undefined,
): Promise<{ plaintext: Bytes; edk: EncryptedDataKey }> {
  const response = await call(keyring, 'GenerateDataKey', key.keyId, () =>
    key.client.generateDataKey({ KeyId: key.keyId, NumberOfBytes: keyLength, EncryptionContext: { ...encryptionContext }, GrantTokens: grantTokens }),
  );
  const { KeyId, Plaintext, CiphertextBlob } = response ?? {};
  try {
    if (!isBytes(Plaintext) || Plaintext.length !== keyLength) {
      throw badResponse(keyring, 'GenerateDataKey', key.keyId, `a Plaintext that is not ${keyLength} bytes (the suite's data key length)`);
    }
    if (typeof KeyId !== 'string' || !parseKmsKeyArn(KeyId)) throw badResponse(keyring, 'GenerateDataKey', key.keyId, 'a KeyId that is not a key ARN');
    if (!isBytes(CiphertextBlob) || CiphertextBlob.length === 0) throw badResponse(keyring, 'GenerateDataKey', key.keyId, 'no CiphertextBlob');
    return { plaintext: copyBytes(Plaintext), edk: edkOf(KeyId, CiphertextBlob) };
  } finally {
    if (isBytes(Plaintext)) zero(Plaintext);
  }
}

/** Encrypt: another encrypted copy of a data key the materials already hold. */
export async function encryptDataKey(
  keyring: string,
  key: KmsKey,
  plaintext: Uint8Array,
  encryptionContext: EncryptionContext,
  grantTokens: string[] | undefined,
): Promise<EncryptedDataKey> {
  const response = await call(keyring, 'Encrypt', key.keyId, () =>
    key.client.encrypt({ KeyId: key.keyId, Plaintext: plaintext, EncryptionContext: { ...encryptionContext }, GrantTokens: grantTokens }),
  );
  const { KeyId, CiphertextBlob } = response ?? {};
  if (typeof KeyId !== 'string' || !parseKmsKeyArn(KeyId)) throw badResponse(keyring, 'Encrypt', key.keyId, 'a KeyId that is not a key ARN');
  if (!isBytes(CiphertextBlob) || CiphertextBlob.length === 0) throw badResponse(keyring, 'Encrypt', key.keyId, 'no CiphertextBlob');
  return edkOf(KeyId, CiphertextBlob);
}

/** An `aws-kms` encrypted data key with its provider info read as a key ARN. */
export interface KmsEncryptedDataKey {
  readonly edk: EncryptedDataKey;
  readonly keyArn: string;
  readonly arn: KmsArn;
}

/**
 * The message's `aws-kms` encrypted data keys. One whose provider info is not a key ARN fails the
 * whole call, as the spec requires (aws-kms-keyring.md#ondecrypt): it was not written by an ESDK.
 */
export function kmsEncryptedDataKeys(keyring: string, encryptedDataKeys: readonly EncryptedDataKey[]): KmsEncryptedDataKey[] {
  const out: KmsEncryptedDataKey[] = [];
  for (const edk of encryptedDataKeys) {
    if (edk.providerId !== KMS_PROVIDER_ID) continue;
    let keyArn: string | undefined;
    try {
      keyArn = fromUtf8(edk.providerInfo);
    } catch {
      keyArn = undefined;
    }
    const arn = keyArn === undefined ? undefined : parseKmsKeyArn(keyArn);
    if (keyArn === undefined || !arn) {
      throw new EnvelopeError(ErrorCode.MALFORMED_MESSAGE, `${keyring}: an aws-kms encrypted data key's provider info is not a KMS key ARN`);
    }
    out.push({ edk, keyArn, arn });
  }
  return out;
}

/** One Decrypt the keyring will try: which client, which KeyId, and which KeyId must come back. */
export interface DecryptAttempt {
  readonly client: KmsClient;
  readonly keyId: string;
  readonly edk: EncryptedDataKey;
}

/**
 * Tries each Decrypt in order until one passes the spec's checks (response KeyId equals the requested
 * key; Plaintext has the suite's length), and sets the materials' data key. Failures are collected;
 * if nothing decrypts and something failed, throws NO_DECRYPTING_KEYRING naming every KMS error
 * (their `name`s, e.g. AccessDeniedException) with the errors as an AggregateError `cause`. If no
 * attempt was possible the materials come back unchanged, so a multi-keyring moves on quietly.
 */
export async function decryptFirst(
  keyring: string,
  attempts: readonly DecryptAttempt[],
  materials: DecryptionMaterials,
  keyLength: number,
  grantTokens: string[] | undefined,
): Promise<DecryptionMaterials> {
  const errors: Error[] = [];
  for (const { client, keyId, edk } of attempts) {
    let plaintext: Uint8Array | undefined;
    try {
      const response = await client.decrypt({
        KeyId: keyId,
        CiphertextBlob: edk.ciphertext,
        EncryptionContext: { ...materials.encryptionContext },
        GrantTokens: grantTokens,
      });
      plaintext = isBytes(response?.Plaintext) ? response.Plaintext : undefined;
      if (response?.KeyId !== keyId) {
        errors.push(new Error(`Decrypt with ${keyId} answered for another key (${String(response?.KeyId)})`));
      } else if (!plaintext || plaintext.length !== keyLength) {
        errors.push(new Error(`Decrypt with ${keyId} returned a Plaintext that is not ${keyLength} bytes (the suite's data key length)`));
      } else {
        materials.plaintextDataKey = copyBytes(plaintext);
        return materials;
      }
    } catch (error) {
      errors.push(Object.assign(new Error(`Decrypt with ${keyId} failed: ${describeKmsError(error)}`, { cause: error }), { name: 'KmsDecryptError' }));
    } finally {
      zero(plaintext);
    }
  }
  if (errors.length === 0) return materials;
  const detail = errors.map((e, i) => `(${i + 1}) ${e.message}`).join('; ');
  const cause = new AggregateError(errors, `${errors.length} KMS Decrypt attempt(s) failed`);
  const required = materials.requiredEncryptionContextKeys;
  // KMS answers a context mismatch with InvalidCiphertextException. When decrypt was given pairs the
  // message does not store, those pairs are the likeliest cause: say so, as the materials manager
  // does for keyrings that fail quietly.
  if (required.length > 0 && errors.every((e) => (e.cause as { name?: string } | undefined)?.name === 'InvalidCiphertextException')) {
    throw new EnvelopeError(
      ErrorCode.ENCRYPTION_CONTEXT_MISMATCH,
      `${keyring} could not decrypt the data key with the supplied encryption context: the message does not store key(s) ` +
        `${required.map((k) => JSON.stringify(k)).join(', ')}; supply only pairs it was encrypted with (${detail})`,
      { cause },
    );
  }
  throw new EnvelopeError(ErrorCode.NO_DECRYPTING_KEYRING, `${keyring} could not decrypt the data key: ${detail}`, { cause });
}

/** Refuses materials that already hold a data key (spec: aws-kms-keyring.md#ondecrypt; multi-keyring.md). */
export function assertNoDataKey(keyring: string, materials: DecryptionMaterials): void {
  if (materials.plaintextDataKey) {
    throw new EnvelopeError(ErrorCode.KEYRING_FAILURE, `${keyring}: the decryption materials already hold a data key; call onDecrypt with fresh materials`);
  }
}
