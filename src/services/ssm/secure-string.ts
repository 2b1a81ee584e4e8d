/**
 * SecureString encryption as Parameter Store does it ("How AWS Systems Manager Parameter Store
 * uses AWS KMS"), always with the encryption context `{ PARAMETER_ARN: <parameter ARN> }`:
 *
 * - Standard tier: the value (at most 4 KB) is encrypted by the KMS key directly, with Encrypt;
 *   the stored value is the KMS ciphertext blob, read back with Decrypt.
 * - Advanced tier: envelope encryption with the AWS Encryption SDK: the stored value is an ESDK
 *   message whose data key comes from GenerateDataKey under the KMS key (here, the kit's core and
 *   its KMS keyring), read back through the keyring's Decrypt.
 *
 * Every KMS call is made as the caller through `ssm.<region>.amazonaws.com`. KMS failures become
 * Parameter Store's errors: a refused caller AccessDeniedException; a key that cannot be used
 * (disabled, pending deletion, not found, not symmetric) InvalidKeyId; a failing KMS Region
 * InternalServerError.
 */
import { decrypt, encrypt } from '../../core/index.js';
import { KmsKeyring } from '../../core/kms-keyring.js';
import type { KmsClient } from '../../core/kms-client.js';
import { fromUtf8, utf8, zero } from '../../core/bytes.js';
import { KmsError, type KmsRegionClient } from '../../kms/index.js';
import { kmsFailureKind, SSMServiceException } from '../errors.js';

/** The encryption context Parameter Store uses for a parameter. */
export function encryptionContext(parameterArn: string): Record<string, string> {
  return { PARAMETER_ARN: parameterArn };
}

/** The KMS error somewhere in `error`'s cause chain (the ESDK keyring wraps the KMS's errors). */
function kmsCause(error: unknown): KmsError | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof KmsError) return e;
  }
  return undefined;
}

function ssmError(error: unknown, keyId: string): SSMServiceException {
  const cause = kmsCause(error);
  if (!cause) {
    return new SSMServiceException('InvalidKeyId', `The SecureString value could not be decrypted with ${keyId}: the stored ciphertext does not authenticate.`, { cause: error });
  }
  const kind = kmsFailureKind(cause);
  if (kind === 'access-denied') return new SSMServiceException('AccessDeniedException', `${cause.message} (Service: AWSKMS)`, { cause });
  if (kind === 'unavailable') return new SSMServiceException('InternalServerError', `AWS KMS in this Region could not be reached (${cause.name}); retry the request.`, { cause });
  return new SSMServiceException('InvalidKeyId', `${keyId}: ${cause.message} (Service: AWSKMS; ${cause.name})`, { cause });
}

/** A SecureString value as stored. */
export interface Sealed {
  readonly ciphertext: Uint8Array<ArrayBuffer>;
  /** The ARN of the KMS key that encrypted it. */
  readonly keyArn: string;
}

function keyringFor(kms: KmsRegionClient, keyId: string, role: 'generate' | 'decrypt'): KmsKeyring {
  const client = kms as unknown as KmsClient;
  return role === 'generate' ? new KmsKeyring({ generatorKeyId: keyId, clientFor: () => client, region: kms.region }) : new KmsKeyring({ keyIds: [keyId], clientFor: () => client, region: kms.region });
}

/** Encrypts a SecureString value for `tier`. */
export async function encryptValue(kms: KmsRegionClient, options: { value: string; keyId: string; parameterArn: string; tier: 'Standard' | 'Advanced' }): Promise<Sealed> {
  const { value, keyId, parameterArn, tier } = options;
  const plaintext = utf8(value);
  try {
    if (tier === 'Standard') {
      const { CiphertextBlob, KeyId } = await kms.encrypt({ KeyId: keyId, Plaintext: plaintext, EncryptionContext: encryptionContext(parameterArn) });
      return { ciphertext: CiphertextBlob as Uint8Array<ArrayBuffer>, keyArn: KeyId };
    }
    const { ciphertext, header } = await encrypt(keyringFor(kms, keyId, 'generate'), plaintext, { encryptionContext: encryptionContext(parameterArn) });
    // The KMS keyring's provider info is the key ARN (ESDK specification, aws-kms-keyring.md).
    return { ciphertext: ciphertext as Uint8Array<ArrayBuffer>, keyArn: fromUtf8(header.encryptedDataKeys[0]!.providerInfo) };
  } catch (error) {
    throw ssmError(error, keyId);
  } finally {
    zero(plaintext);
  }
}

/** Decrypts a stored SecureString value. */
export async function decryptValue(kms: KmsRegionClient, options: { ciphertext: Uint8Array<ArrayBuffer>; keyArn: string; parameterArn: string; tier: 'Standard' | 'Advanced' }): Promise<string> {
  const { ciphertext, keyArn, parameterArn, tier } = options;
  let plaintext: Uint8Array;
  try {
    if (tier === 'Standard') {
      ({ Plaintext: plaintext } = await kms.decrypt({ KeyId: keyArn, CiphertextBlob: ciphertext, EncryptionContext: encryptionContext(parameterArn) }));
    } else {
      ({ plaintext } = await decrypt(keyringFor(kms, keyArn, 'decrypt'), ciphertext, { encryptionContext: encryptionContext(parameterArn) }));
    }
  } catch (error) {
    throw ssmError(error, keyArn);
  }
  const text = fromUtf8(plaintext);
  zero(plaintext);
  return text;
}
