/**
 * Materials for one item: the data key under intermediate key wrapping, over any keyring of the
 * core (MPL algorithm-suites.md, "Intermediate Key Wrapping"), and the ECDSA keys of suite 0x6701.
 *
 * The core's keyrings wrap data keys of the message format's suites; here they wrap the 32-byte
 * intermediate key instead, asked as for suite 0x0478 (same key length, same wrapping), so the
 * hierarchical keyring writes the `aws-kms-hierarchy` EDKs the DB-ESDK writes. A MultiKeyring is
 * taken apart and each of its keyrings gets an intermediate key of its own, so each recipient has
 * its own recipient tag and cannot forge another's. A keyring of another kind that writes several
 * EDKs (e.g. KMS keyrings over many keys) wraps one intermediate key for all of them.
 */
import type { Bytes, DecryptionMaterials, EncryptedDataKey, EncryptionContext, EncryptionMaterials, Keyring } from '../core/types.js';
import { concat, randomBytes, zero } from '../core/bytes.js';
import { serializeContext } from '../core/encryption-context.js';
import { AES_256_GCM_HKDF_SHA512_COMMIT_KEY } from '../core/suites.js';
import { MultiKeyring } from '../core/multi-keyring.js';
import { ItemErrorCode, itemError } from './errors.js';
import { KEY_LENGTH, SEALED_DATA_KEY_LENGTH, deriveIntermediateKeys, openDataKey, sealDataKey } from './crypt.js';

/** What encryption needs once the keyring has run. */
export interface ItemEncryptionMaterials {
  readonly dataKey: Bytes;
  readonly encryptedDataKeys: readonly EncryptedDataKey[];
  /** One HMAC-SHA-384 key per EDK, in EDK order. */
  readonly symmetricSigningKeys: readonly CryptoKey[];
}

/** The keyrings that wrap: a MultiKeyring's generator and children (recursively), or the keyring itself. */
function recipients(keyring: Keyring): Keyring[] {
  if (!(keyring instanceof MultiKeyring)) return [keyring];
  return [...(keyring.generator ? recipients(keyring.generator) : []), ...keyring.children.flatMap(recipients)];
}

/**
 * Generates a data key and wraps it for every recipient of `keyring`, each recipient under an
 * intermediate key of its own (so each gets its own recipient tag key, as the MPL requires).
 */
export async function encryptionMaterials(keyring: Keyring, context: EncryptionContext, requiredKeys: readonly string[]): Promise<ItemEncryptionMaterials> {
  const dataKey = randomBytes(KEY_LENGTH);
  const aad = serializeContext(context);
  const encryptedDataKeys: EncryptedDataKey[] = [];
  const symmetricSigningKeys: CryptoKey[] = [];
  try {
    for (const recipient of recipients(keyring)) {
      const intermediate = randomBytes(KEY_LENGTH);
      const materials: EncryptionMaterials = {
        suiteId: AES_256_GCM_HKDF_SHA512_COMMIT_KEY,
        encryptionContext: context,
        requiredEncryptionContextKeys: requiredKeys,
        plaintextDataKey: intermediate.slice(),
        encryptedDataKeys: [],
      };
      try {
        let wrapped: EncryptionMaterials;
        try {
          wrapped = await recipient.onEncrypt(materials);
        } catch (cause) {
          throw itemError(ItemErrorCode.NO_DECRYPTING_KEYRING, `the keyring could not wrap the item's data key: ${(cause as Error)?.message ?? cause}`, cause);
        }
        if (wrapped.encryptedDataKeys.length === 0) continue;
        const { keyEncryptionKey, symmetricSigningKey } = await deriveIntermediateKeys(intermediate);
        const sealed = await sealDataKey(keyEncryptionKey, dataKey, aad);
        for (const edk of wrapped.encryptedDataKeys) {
          encryptedDataKeys.push({ providerId: edk.providerId, providerInfo: edk.providerInfo, ciphertext: concat([sealed, edk.ciphertext]) });
          symmetricSigningKeys.push(symmetricSigningKey);
        }
      } finally {
        zero(intermediate);
        zero(materials.plaintextDataKey);
      }
    }
    if (encryptedDataKeys.length === 0) throw itemError(ItemErrorCode.NO_DECRYPTING_KEYRING, 'the keyring wrapped no data key');
    return { dataKey, encryptedDataKeys, symmetricSigningKeys };
  } catch (error) {
    zero(dataKey);
    throw error;
  }
}

/** What decryption gets from the first EDK the keyring can open. */
export interface ItemDecryptionMaterials {
  readonly dataKey: Bytes;
  readonly symmetricSigningKey: CryptoKey;
}

/**
 * Offers the keyring one EDK at a time (the core's keyrings do not say which EDK they opened, and
 * the sealed data key to open is that EDK's), and opens the data key of the first that unwraps.
 */
export async function decryptionMaterials(keyring: Keyring, context: EncryptionContext, requiredKeys: readonly string[], edks: readonly EncryptedDataKey[]): Promise<ItemDecryptionMaterials> {
  const aad = serializeContext(context);
  const failures: string[] = [];
  for (const [index, edk] of edks.entries()) {
    if (edk.ciphertext.length <= SEALED_DATA_KEY_LENGTH) {
      failures.push(`EDK ${index} (${edk.providerId}) is too short`);
      continue;
    }
    const sealed = edk.ciphertext.subarray(0, SEALED_DATA_KEY_LENGTH);
    const inner: EncryptedDataKey = { providerId: edk.providerId, providerInfo: edk.providerInfo, ciphertext: edk.ciphertext.subarray(SEALED_DATA_KEY_LENGTH) };
    const materials: DecryptionMaterials = { suiteId: AES_256_GCM_HKDF_SHA512_COMMIT_KEY, encryptionContext: context, requiredEncryptionContextKeys: requiredKeys };
    let intermediate: Bytes | undefined;
    try {
      intermediate = (await keyring.onDecrypt(materials, [inner])).plaintextDataKey;
    } catch (cause) {
      failures.push(`EDK ${index} (${edk.providerId}): ${(cause as Error)?.message ?? cause}`);
      continue;
    }
    if (!intermediate) {
      failures.push(`EDK ${index} (${edk.providerId}): not for this keyring`);
      continue;
    }
    try {
      const { keyEncryptionKey, symmetricSigningKey } = await deriveIntermediateKeys(intermediate);
      const dataKey = await openDataKey(keyEncryptionKey, sealed, aad);
      return { dataKey, symmetricSigningKey };
    } catch {
      failures.push(`EDK ${index} (${edk.providerId}): the sealed data key did not authenticate`);
    } finally {
      zero(intermediate);
    }
  }
  throw itemError(ItemErrorCode.NO_DECRYPTING_KEYRING, `no encrypted data key of the item could be decrypted (wrong key, wrong table name, or a changed key attribute): ${failures.join('; ')}`);
}
