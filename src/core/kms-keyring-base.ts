/**
 * What the two KMS keyrings with configured keys share ({@link KmsKeyring}, {@link KmsMrkAwareKeyring}):
 * checking their options, one client per region, and the multi-key composition of the spec
 * (framework/aws-kms/aws-kms-multi-keyrings.md, aws-kms-mrk-multi-keyrings.md): the generator makes
 * the data key with GenerateDataKey, every other key adds a copy with Encrypt; on decrypt, keys are
 * tried in configuration order (generator first), each against the message's matching copies.
 * They differ only in what "matching" means, which each subclass supplies.
 */
import type { Bytes, DecryptionMaterials, EncryptedDataKey, EncryptionMaterials, Keyring } from './types.js';
import type { KmsClient, KmsClientSupplier } from './kms-client.js';
import { zero } from './bytes.js';
import { EnvelopeError, ErrorCode, typeError } from './errors.js';
import { checkKmsIdentifier, regionOf } from './kms-arn.js';
import {
  assertNoDataKey,
  decryptFirst,
  encryptDataKey,
  generateDataKey,
  kmsEncryptedDataKeys,
  type DecryptAttempt,
  type KmsKey,
} from './kms-data-keys.js';
import { findSuite } from './suites.js';

/** Options of {@link KmsKeyring} and {@link KmsMrkAwareKeyring}. */
export interface KmsKeyringOptions {
  /** Makes the data key (GenerateDataKey). Any KMS identifier; only a key ARN can also decrypt. */
  readonly generatorKeyId?: string;
  /** Each adds a copy of the data key (Encrypt) and may decrypt. Key ARNs, as for the generator. */
  readonly keyIds?: readonly string[];
  /** The client for a region; called once per region when the keyring is made. */
  readonly clientFor: KmsClientSupplier;
  /** Sent with every KMS call (AWS KMS grant tokens). */
  readonly grantTokens?: readonly string[];
  /**
   * The region for identifiers that name none (a bare key id such as `1234abcd-…`, `mrk-…`, or
   * `alias/name`). ARNs always use their own region. Required only when such an identifier is given.
   */
  readonly region?: string;
}

/** Checks `grantTokens` and returns a private copy (undefined when absent or empty). */
export function checkGrantTokens(value: unknown, keyring: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((t) => typeof t !== 'string' || t.length === 0)) {
    throw typeError(`${keyring} options.grantTokens`, 'an array of non-empty strings');
  }
  return value.length === 0 ? undefined : [...(value as string[])];
}

/** Calls `clientFor(region)` and checks that it gave a client with the three operations. */
export function clientForRegion(clientFor: KmsClientSupplier, region: string, keyring: string): KmsClient {
  const client = clientFor(region);
  for (const operation of ['generateDataKey', 'encrypt', 'decrypt'] as const) {
    if (typeof (client as Partial<KmsClient> | undefined)?.[operation] !== 'function') {
      throw typeError(`${keyring} options.clientFor(${JSON.stringify(region)})`, `a KMS client with generateDataKey, encrypt and decrypt methods`);
    }
  }
  return client;
}

/** The shared implementation; see the module comment. */
export abstract class KmsKeyringBase implements Keyring {
  /** The generator's identifier as configured. */
  readonly generatorKeyId?: string;
  /** The other keys' identifiers as configured. */
  readonly keyIds: readonly string[];
  readonly #generator?: KmsKey;
  readonly #keys: readonly KmsKey[];
  readonly #grantTokens?: string[];
  readonly #name: string;

  protected constructor(options: KmsKeyringOptions, name: string) {
    if (options === null || typeof options !== 'object') throw typeError(`${name} options`, 'an object');
    this.#name = name;
    const { generatorKeyId, keyIds = [], clientFor, region } = options;
    if (generatorKeyId !== undefined) checkKmsIdentifier(generatorKeyId, `${name} options.generatorKeyId`);
    if (!Array.isArray(keyIds)) throw typeError(`${name} options.keyIds`, 'an array of KMS key identifiers');
    keyIds.forEach((id, i) => checkKmsIdentifier(id, `${name} options.keyIds[${i}]`));
    if (generatorKeyId === undefined && keyIds.length === 0) {
      throw typeError(`${name} options`, 'a generatorKeyId, keyIds or both (to decrypt with any key, use KmsMrkDiscoveryKeyring)');
    }
    if (typeof clientFor !== 'function') throw typeError(`${name} options.clientFor`, 'a function from a region name to a KMS client');
    if (region !== undefined && (typeof region !== 'string' || region.length === 0)) throw typeError(`${name} options.region`, 'a non-empty string');
    this.#grantTokens = checkGrantTokens(options.grantTokens, name);
    this.checkIdentifiers(generatorKeyId === undefined ? [...keyIds] : [generatorKeyId, ...keyIds]);

    const clients = new Map<string, KmsClient>();
    const keyOf = (keyId: string, argument: string): KmsKey => {
      const keyRegion = regionOf(keyId, region, `${name} ${argument}`);
      let client = clients.get(keyRegion);
      if (!client) clients.set(keyRegion, (client = clientForRegion(clientFor, keyRegion, name)));
      return { keyId, client };
    };
    this.generatorKeyId = generatorKeyId;
    this.keyIds = Object.freeze([...keyIds]);
    this.#generator = generatorKeyId === undefined ? undefined : keyOf(generatorKeyId, 'options.generatorKeyId');
    this.#keys = Object.freeze(keyIds.map((id, i) => keyOf(id, `options.keyIds[${i}]`)));
  }

  /** Extra checks on the configured identifiers (the MRK-aware keyring refuses related replicas). */
  protected abstract checkIdentifiers(identifiers: readonly string[]): void;

  /** Whether the configured `keyId` may decrypt a copy made under `providerKeyArn`. */
  protected abstract matches(keyId: string, providerKeyArn: string): boolean;

  /**
   * Without a data key in the materials the generator makes one (GenerateDataKey); with one (as a
   * child of a MultiKeyring) the generator wraps it with Encrypt like every other key, as the AWS
   * Encryption SDK for JavaScript does. The materials change only if every call succeeds.
   */
  async onEncrypt(materials: EncryptionMaterials): Promise<EncryptionMaterials> {
    const suite = findSuite(materials.suiteId)!;
    const { encryptionContext } = materials;
    const grantTokens = this.#grantTokens;
    let plaintext = materials.plaintextDataKey;
    let generated: Bytes | undefined;
    const added: EncryptedDataKey[] = [];
    const wrapping = [...this.#keys];
    if (!plaintext) {
      if (!this.#generator) {
        throw new EnvelopeError(ErrorCode.KEYRING_FAILURE, `${this.#name} has no generatorKeyId and the materials hold no data key; configure a generator`);
      }
      const made = await generateDataKey(this.#name, this.#generator, suite.keyLength, encryptionContext, grantTokens);
      plaintext = generated = made.plaintext;
      added.push(made.edk);
    } else if (this.#generator) {
      wrapping.unshift(this.#generator);
    }
    try {
      for (const key of wrapping) added.push(await encryptDataKey(this.#name, key, plaintext, encryptionContext, grantTokens));
    } catch (error) {
      zero(generated);
      throw error;
    }
    if (generated) materials.plaintextDataKey = generated;
    materials.encryptedDataKeys.push(...added);
    return materials;
  }

  /**
   * Decrypts the first copy one of its keys can (KMS Decrypt with that key's identifier and client),
   * in configuration order. Throws NO_DECRYPTING_KEYRING naming each KMS error if every attempt
   * failed; returns the materials unchanged if no copy matched any key.
   */
  async onDecrypt(materials: DecryptionMaterials, encryptedDataKeys: readonly EncryptedDataKey[]): Promise<DecryptionMaterials> {
    assertNoDataKey(this.#name, materials);
    const candidates = kmsEncryptedDataKeys(this.#name, encryptedDataKeys);
    const keys = this.#generator ? [this.#generator, ...this.#keys] : this.#keys;
    const seen = new Set<string>();
    const attempts: DecryptAttempt[] = [];
    for (const key of keys) {
      if (seen.has(key.keyId)) continue;
      seen.add(key.keyId);
      for (const { edk, keyArn } of candidates) {
        if (this.matches(key.keyId, keyArn)) attempts.push({ client: key.client, keyId: key.keyId, edk });
      }
    }
    return decryptFirst(this.#name, attempts, materials, findSuite(materials.suiteId)!.keyLength, this.#grantTokens);
  }
}
