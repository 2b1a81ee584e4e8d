/**
 * The keyrings behind `kit.encrypt` and `kit.decrypt`: which KMS keys wrap a data key, and which
 * regions are asked to unwrap one. Runs in the worker, next to the KMS.
 */
import {
  KmsMrkAwareKeyring,
  KmsMrkDiscoveryKeyring,
  type DecryptionMaterials,
  type EncryptedDataKey,
  type EncryptionMaterials,
  type Keyring,
  type KmsClientSupplier,
  type KmsDiscoveryFilter,
} from '../src/core/index.js';
import { EnvelopeError, ErrorCode, parseKmsKeyArn } from '../src/core/index.js';

/** UTF-8 text of provider info and ARNs (fatal: a malformed byte is an error, not U+FFFD). */
const utf8Text = new TextDecoder('utf-8', { fatal: true });
const fromUtf8 = (bytes: Uint8Array): string => utf8Text.decode(bytes);

/**
 * Wraps under every key in `keyIds` (the first generates the data key, each other adds a copy).
 * MRK-aware so that a message written under one replica of a multi-Region key names a key that
 * any other replica can unwrap; it also refuses two replicas of one key in one message, which
 * would only duplicate a copy.
 */
export function encryptingKeyring(keyIds: readonly string[], clientFor: KmsClientSupplier, region: string): Keyring {
  const [generatorKeyId, ...others] = keyIds;
  return new KmsMrkAwareKeyring({ generatorKeyId, keyIds: others, clientFor, region });
}

/**
 * With a region: the MRK discovery keyring of that region, which unwraps a multi-Region key's copy
 * through the region's own replica (the use case: the key's home region is down) and a single-Region
 * key's copy only if the key lives there. Without one: {@link MessageRegionsKeyring}.
 * Both are limited to the kit's own account: a message naming a foreign account's key is refused
 * without a call.
 */
export function decryptingKeyring(region: string | undefined, clientFor: KmsClientSupplier, filter: KmsDiscoveryFilter): Keyring {
  if (region !== undefined) return new KmsMrkDiscoveryKeyring({ region, clientFor, discoveryFilter: filter });
  return new MessageRegionsKeyring(clientFor, filter);
}

/**
 * Discovery in the regions the message itself names: for each `aws-kms` copy in header order, the
 * region in its key ARN is asked (each region once). The header is only known once decryption has
 * started, hence a keyring rather than a list built up front; regions are not guessed, so a failed
 * decrypt leaves no stray calls in other regions' audit logs.
 */
export class MessageRegionsKeyring implements Keyring {
  readonly #clientFor: KmsClientSupplier;
  readonly #filter: KmsDiscoveryFilter;

  constructor(clientFor: KmsClientSupplier, filter: KmsDiscoveryFilter) {
    this.#clientFor = clientFor;
    this.#filter = filter;
  }

  async onEncrypt(_materials: EncryptionMaterials): Promise<EncryptionMaterials> {
    throw new EnvelopeError(ErrorCode.KEYRING_FAILURE, 'MessageRegionsKeyring is decrypt-only');
  }

  async onDecrypt(materials: DecryptionMaterials, encryptedDataKeys: readonly EncryptedDataKey[]): Promise<DecryptionMaterials> {
    const regions: string[] = [];
    for (const edk of encryptedDataKeys) {
      if (edk.providerId !== 'aws-kms') continue;
      let arn;
      try {
        arn = parseKmsKeyArn(fromUtf8(edk.providerInfo));
      } catch {
        continue; // not UTF-8: the discovery keyring reports it if it is ever asked
      }
      if (arn && !regions.includes(arn.region)) regions.push(arn.region);
    }
    if (regions.length === 0) {
      throw new EnvelopeError(ErrorCode.NO_DECRYPTING_KEYRING, 'the message has no AWS KMS wrapped data key; pass options.region to choose a region');
    }
    const failures: string[] = [];
    for (const region of regions) {
      let keyring: KmsMrkDiscoveryKeyring;
      try {
        keyring = new KmsMrkDiscoveryKeyring({ region, clientFor: this.#clientFor, discoveryFilter: this.#filter });
      } catch (error) {
        // A region this kit does not have: say so, and try the next one.
        failures.push(`${region}: ${(error as Error).message}`);
        continue;
      }
      try {
        await keyring.onDecrypt(materials, encryptedDataKeys);
        if (materials.plaintextDataKey) return materials;
      } catch (error) {
        failures.push(`${region}: ${(error as Error).message}`);
      }
    }
    throw new EnvelopeError(
      ErrorCode.NO_DECRYPTING_KEYRING,
      `no region named by the message could decrypt its data key (${failures.join('; ') || 'no matching key'}); pass options.region to use a replica elsewhere`,
    );
  }
}
