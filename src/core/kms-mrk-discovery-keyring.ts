/**
 * The AWS KMS multi-Region-key-aware discovery keyring (spec:
 * framework/aws-kms/aws-kms-mrk-discovery-keyring.md): decrypt-only, with no key configured.
 */
import type { DecryptionMaterials, EncryptedDataKey, EncryptionMaterials, Keyring } from './types.js';
import type { KmsClient, KmsClientSupplier } from './kms-client.js';
import { EnvelopeError, ErrorCode, typeError } from './errors.js';
import { formatKmsArn } from './kms-arn.js';
import { assertNoDataKey, decryptFirst, kmsEncryptedDataKeys, type DecryptAttempt } from './kms-data-keys.js';
import { checkGrantTokens, clientForRegion } from './kms-keyring-base.js';
import { findSuite } from './suites.js';

/** Limits discovery to keys of these accounts in this partition. */
export interface KmsDiscoveryFilter {
  /** e.g. `aws`, `aws-cn`, `aws-us-gov`. */
  readonly partition: string;
  /** At least one account id, e.g. `111122223333`. */
  readonly accountIds: readonly string[];
}

/** Options of {@link KmsMrkDiscoveryKeyring}. */
export interface KmsMrkDiscoveryKeyringOptions {
  /** The region this keyring calls; the only one. */
  readonly region: string;
  /** Called once, with `region`, when the keyring is made. */
  readonly clientFor: KmsClientSupplier;
  /** Without one, any account's key may be asked to decrypt: set it unless you trust every writer. */
  readonly discoveryFilter?: KmsDiscoveryFilter;
  readonly grantTokens?: readonly string[];
}

const NAME = 'KmsMrkDiscoveryKeyring';

function checkFilter(value: unknown): KmsDiscoveryFilter | undefined {
  if (value === undefined) return undefined;
  const filter = value as Partial<KmsDiscoveryFilter> | null;
  if (filter === null || typeof filter !== 'object') throw typeError(`${NAME} options.discoveryFilter`, 'an object { partition, accountIds }');
  if (typeof filter.partition !== 'string' || filter.partition.length === 0) {
    throw typeError(`${NAME} options.discoveryFilter.partition`, "a non-empty string such as 'aws'");
  }
  const { accountIds } = filter;
  // An empty list would match nothing: refuse it now rather than fail every decrypt later.
  if (!Array.isArray(accountIds) || accountIds.length === 0 || accountIds.some((a) => typeof a !== 'string' || a.length === 0)) {
    throw typeError(`${NAME} options.discoveryFilter.accountIds`, 'a non-empty array of account ids');
  }
  return Object.freeze({ partition: filter.partition, accountIds: Object.freeze([...accountIds]) });
}

/**
 * Decrypts any `aws-kms` copy it can reach from its one region, without being told key ARNs: a
 * multi-Region key's copy through this region's replica (the ARN's region is replaced by this
 * keyring's), a single-Region key's copy only if that key lives in this region. An optional
 * discovery filter limits the partition and accounts (set it: without one, any account's key the
 * caller may use is trusted). It cannot encrypt.
 *
 * @throws TypeError / RangeError (`code: 'INVALID_ARGUMENT'`) from the constructor: a bad region,
 *   `clientFor` or filter.
 * @throws {@link EnvelopeError} `KEYRING_FAILURE` on encrypt; `NO_DECRYPTING_KEYRING` from decrypt
 *   when no copy could be unwrapped.
 *
 * @example
 * ```ts
 * import { createKms } from 'envelope-kit/kms';
 * import { encrypt, decrypt, KmsMrkAwareKeyring, KmsMrkDiscoveryKeyring } from 'envelope-kit/core';
 * const kms = await createKms({ storage: 'memory' });
 * const { KeyMetadata } = await kms.region('us-east-1').createKey({ MultiRegion: true });
 * await kms.region('us-east-1').replicateKey({ KeyId: KeyMetadata.KeyId, ReplicaRegion: 'eu-west-1' });
 * const writer = new KmsMrkAwareKeyring({ generatorKeyId: KeyMetadata.Arn, clientFor: (region) => kms.region(region) });
 * const { ciphertext } = await encrypt(writer, new TextEncoder().encode('hello'));
 * // The reader names no key: it decrypts what eu-west-1 can, for the accounts it trusts.
 * const reader = new KmsMrkDiscoveryKeyring({
 *   region: 'eu-west-1',
 *   clientFor: (region) => kms.region(region),
 *   discoveryFilter: { partition: 'aws', accountIds: [KeyMetadata.AWSAccountId] },
 * });
 * const { plaintext } = await decrypt(reader, ciphertext);
 * if (new TextDecoder().decode(plaintext) !== 'hello') throw new Error('discovery decrypt failed');
 * await kms.close();
 * ```
 */
export class KmsMrkDiscoveryKeyring implements Keyring {
  readonly region: string;
  readonly discoveryFilter?: KmsDiscoveryFilter;
  readonly #client: KmsClient;
  readonly #grantTokens?: string[];

  constructor(options: KmsMrkDiscoveryKeyringOptions) {
    if (options === null || typeof options !== 'object') throw typeError(`${NAME} options`, 'an object');
    const { region, clientFor } = options;
    if (typeof region !== 'string' || region.length === 0) throw typeError(`${NAME} options.region`, "a region name such as 'eu-west-1'");
    if (typeof clientFor !== 'function') throw typeError(`${NAME} options.clientFor`, 'a function from a region name to a KMS client');
    this.region = region;
    this.discoveryFilter = checkFilter(options.discoveryFilter);
    this.#grantTokens = checkGrantTokens(options.grantTokens, NAME);
    // The spec asks to check that the client is in `region`; here the keyring makes the client for
    // that region itself, so they cannot disagree.
    this.#client = clientForRegion(clientFor, region, NAME);
  }

  /** Always fails: a discovery keyring has no key to encrypt with (spec: OnEncrypt MUST fail). */
  async onEncrypt(_materials: EncryptionMaterials): Promise<EncryptionMaterials> {
    throw new EnvelopeError(ErrorCode.KEYRING_FAILURE, `${NAME} cannot encrypt: it has no key; encrypt with a KmsMrkAwareKeyring or KmsKeyring`);
  }

  /**
   * Tries, in message order, every `aws-kms` copy that passes the filter, calling Decrypt in this
   * region. Throws NO_DECRYPTING_KEYRING naming each KMS error if all attempts failed.
   */
  async onDecrypt(materials: DecryptionMaterials, encryptedDataKeys: readonly EncryptedDataKey[]): Promise<DecryptionMaterials> {
    assertNoDataKey(NAME, materials);
    const filter = this.discoveryFilter;
    const attempts: DecryptAttempt[] = [];
    for (const { edk, keyArn, arn } of kmsEncryptedDataKeys(NAME, encryptedDataKeys)) {
      if (filter && (arn.partition !== filter.partition || !filter.accountIds.includes(arn.account))) continue;
      const multiRegion = arn.resourceId.startsWith('mrk-');
      // A single-Region key exists in one region only; asking another region's KMS is pointless.
      if (!multiRegion && arn.region !== this.region) continue;
      const keyId = multiRegion ? formatKmsArn({ ...arn, region: this.region }) : keyArn;
      attempts.push({ client: this.#client, keyId, edk });
    }
    return decryptFirst(NAME, attempts, materials, findSuite(materials.suiteId)!.keyLength, this.#grantTokens);
  }
}
