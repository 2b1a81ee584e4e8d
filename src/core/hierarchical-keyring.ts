/**
 * The AWS KMS hierarchical keyring (spec: framework/aws-kms/aws-kms-hierarchical-keyring.md, 0.2.0):
 * data keys wrapped by keys derived from a branch key, the branch key fetched from a branch key
 * store (one KMS Decrypt) and then cached for `ttlSeconds`, so most messages need no KMS call.
 * Provider id `aws-kms-hierarchy`, provider info the branch key id (UTF-8); the byte layout is in
 * hierarchical-keyring-wrap.ts. Messages are byte-compatible with the AWS Encryption SDK's
 * hierarchical keyring (the Node SDK's KmsHierarchicalKeyRingNode decrypts them, and the reverse).
 */
import type { DecryptionMaterials, EncryptedDataKey, EncryptionContext, EncryptionMaterials, Keyring } from './types.js';
import type { BranchKeyMaterials, BranchKeySource } from './branch-key-store.js';
import { bytesEqual, randomBytes, utf8, zero } from './bytes.js';
import { serializeContext } from './encryption-context.js';
import { RandomPool } from './random-pool.js';
import type { BatchDecryptingKeyring, BatchEncryptingKeyring, DataKeyUnwrapper, DataKeyWrapper } from './batch-keyrings.js';
import type { AlgorithmSuite } from './suites.js';
import { EnvelopeError, ErrorCode, rangeError, typeError } from './errors.js';
import { assertNoDataKey, describeKmsError } from './kms-data-keys.js';
import { LocalMaterialsCache } from './materials-cache.js';
import { findSuite } from './suites.js';
import {
  HIERARCHY_PROVIDER_ID,
  bytesToUuid,
  hierarchyCacheId,
  parseWrappedDataKey,
  unwrapDataKey,
  unwrapDerivationKey,
  uuidToBytes,
  wrapDataKey,
  wrapDataKeyInto,
  wrappingAad,
  CIPHERTEXT_OVERHEAD,
  IV_LENGTH,
  SALT_LENGTH,
} from './hierarchical-keyring-wrap.js';

/** Picks the branch key for a message from its encryption context (one branch key per tenant). */
export type BranchKeyIdSupplier = (encryptionContext: EncryptionContext) => string | Promise<string>;

/**
 * Options of {@link HierarchicalKeyring}: where branch keys come from, which one a message uses,
 * and how long fetched branch key materials are cached.
 */
export interface HierarchicalKeyringOptions {
  /** Where branch keys come from: a {@link BranchKeyStore} (or anything with its read methods). */
  readonly keyStore: BranchKeySource;
  /** The branch key for every message; give this or `branchKeyIdSupplier`. */
  readonly branchKeyId?: string;
  /** Picks the branch key per message from the encryption context (on decrypt too). */
  readonly branchKeyIdSupplier?: BranchKeyIdSupplier;
  /** How long fetched branch key materials may be used, in seconds (> 0). */
  readonly ttlSeconds: number;
  /** Entry capacity of the private cache (LRU); default 1000, 0 disables caching. */
  readonly cacheLimit?: number;
  /** A shared cache instead of a private one (then `cacheLimit` and `now` do not apply). */
  readonly cache?: LocalMaterialsCache;
  /** Keyrings with the same partition id, logical key store and branch key share entries of a shared cache; default: unique. */
  readonly partitionId?: string;
  /** The private cache's clock (epoch ms); default Date.now. Tests inject one instead of sleeping. */
  readonly now?: () => number;
}

const DEFAULT_CACHE_LIMIT = 1000;
/** Memoized cache ids (a SHA-384 each): bounded, cleared when full. */
const MAX_MEMOIZED_IDS = 1024;
/** Branch key versions a decrypt batch remembers (a batch rarely spans more than a rotation or two). */
const MAX_BATCH_VERSIONS = 16;

/**
 * Wraps data keys under per-message keys derived from a branch key (AWS KMS hierarchical keyring,
 * byte-compatible with the AWS Cryptographic Material Providers Library's). A branch key is fetched
 * from the {@link BranchKeyStore} (one KMS Decrypt) and cached for `ttlSeconds`, so most messages
 * cost no KMS call at all; with `branchKeyIdSupplier` each tenant gets its own branch key.
 *
 * @throws TypeError / RangeError (`code: 'INVALID_ARGUMENT'`) from the constructor: no key store,
 *   neither or both of `branchKeyId` and `branchKeyIdSupplier`, a `ttlSeconds` that is not
 *   positive.
 * @throws {@link BranchKeyStoreError} when a branch key cannot be read (not found, wrong store,
 *   corrupt record); the KMS's errors when it cannot be decrypted; {@link EnvelopeError}
 *   `NO_DECRYPTING_KEYRING` from decrypt when no copy is for this keyring's branch keys.
 *
 * @example
 * ```ts
 * import { createKms } from 'envelope-kit/kms';
 * import { BranchKeyStore, HierarchicalKeyring, encrypt, decrypt } from 'envelope-kit/core';
 * const kms = await createKms({ storage: 'memory' });
 * const { KeyMetadata } = await kms.region('us-east-1').createKey({ Description: 'wraps branch keys' });
 * const keyStore = new BranchKeyStore({ kms: kms.region('us-east-1'), kmsKeyId: KeyMetadata.Arn, logicalKeyStoreName: 'app-keys', storage: 'memory' });
 * const branchKeys = new Map([['acme', await keyStore.createKey()], ['globex', await keyStore.createKey()]]);
 * const keyring = new HierarchicalKeyring({
 *   keyStore,
 *   branchKeyIdSupplier: (context) => {
 *     const branchKeyId = branchKeys.get(context.tenant ?? '');
 *     if (!branchKeyId) throw new Error('no branch key for this tenant');
 *     return branchKeyId; // one branch key per tenant
 *   },
 *   ttlSeconds: 900,
 * });
 * const { ciphertext } = await encrypt(keyring, new TextEncoder().encode('note'), { encryptionContext: { tenant: 'acme' } });
 * const { plaintext } = await decrypt(keyring, ciphertext);
 * if (new TextDecoder().decode(plaintext) !== 'note') throw new Error('round trip failed');
 * await kms.close();
 * ```
 */
export class HierarchicalKeyring implements Keyring, BatchEncryptingKeyring, BatchDecryptingKeyring {
  readonly keyStore: BranchKeySource;
  readonly branchKeyId?: string;
  readonly branchKeyIdSupplier?: BranchKeyIdSupplier;
  readonly ttlSeconds: number;
  readonly #ttlMs: number;
  readonly #cache: LocalMaterialsCache;
  readonly #partitionId: Uint8Array;
  readonly #ids = new Map<string, Promise<string>>();
  /** Fetches under way, by cache id: concurrent messages on a cold cache share one KMS call. */
  readonly #inflight = new Map<string, Promise<BranchKeyMaterials>>();

  constructor(options: HierarchicalKeyringOptions) {
    if (options === null || typeof options !== 'object') throw typeError('HierarchicalKeyring options', 'an object');
    const { keyStore, branchKeyId, branchKeyIdSupplier, ttlSeconds, cacheLimit, cache, partitionId, now } = options;
    if (keyStore === null || typeof keyStore !== 'object' || typeof keyStore.getActiveKey !== 'function' || typeof keyStore.getKeyVersion !== 'function') {
      throw typeError('HierarchicalKeyring options.keyStore', 'a branch key store (getActiveKey, getKeyVersion)');
    }
    if (typeof keyStore.logicalKeyStoreName !== 'string') throw typeError('HierarchicalKeyring options.keyStore.logicalKeyStoreName', 'a string');
    if (branchKeyId !== undefined && (typeof branchKeyId !== 'string' || branchKeyId.length === 0)) throw typeError('HierarchicalKeyring options.branchKeyId', 'a non-empty string');
    if (branchKeyIdSupplier !== undefined && typeof branchKeyIdSupplier !== 'function') {
      throw typeError('HierarchicalKeyring options.branchKeyIdSupplier', 'a function from an encryption context to a branch key id');
    }
    if ((branchKeyId === undefined) === (branchKeyIdSupplier === undefined)) {
      throw typeError('HierarchicalKeyring options', 'either a branchKeyId or a branchKeyIdSupplier (not both)');
    }
    if (typeof ttlSeconds !== 'number' || Number.isNaN(ttlSeconds)) throw typeError('HierarchicalKeyring options.ttlSeconds', 'a number of seconds');
    // spec: "Cache Limit TTL ... This value MUST be greater than zero."
    if (!(ttlSeconds > 0) || ttlSeconds * 1000 > Number.MAX_SAFE_INTEGER) throw rangeError('HierarchicalKeyring options.ttlSeconds', 'must be greater than 0 and finite');
    if (cache !== undefined) {
      if (!(cache instanceof LocalMaterialsCache)) throw typeError('HierarchicalKeyring options.cache', 'a LocalMaterialsCache');
      if (cacheLimit !== undefined || now !== undefined) throw typeError('HierarchicalKeyring options', 'a cache or cacheLimit/now, not both (a shared cache has its own capacity and clock)');
    }
    if (partitionId !== undefined && (typeof partitionId !== 'string' || partitionId.length === 0)) throw typeError('HierarchicalKeyring options.partitionId', 'a non-empty string');
    this.keyStore = keyStore;
    this.branchKeyId = branchKeyId;
    this.branchKeyIdSupplier = branchKeyIdSupplier;
    this.ttlSeconds = ttlSeconds;
    this.#ttlMs = ttlSeconds * 1000;
    // spec: "If no max cache size is provided, the cryptographic materials cache MUST be configured to a max cache size of 1000."
    this.#cache = cache ?? new LocalMaterialsCache({ capacity: cacheLimit ?? DEFAULT_CACHE_LIMIT, now });
    // spec: "If the PartitionId is NOT provided by the user, it MUST be set to the 16 byte representation of a v4 UUID."
    this.#partitionId = partitionId !== undefined ? utf8(partitionId) : uuidToBytes(crypto.randomUUID())!;
  }

  async onEncrypt(materials: EncryptionMaterials): Promise<EncryptionMaterials> {
    const suite = findSuite(materials.suiteId)!;
    const branchKeyId = await this.#branchKeyIdFor(materials.encryptionContext);
    let branch: BranchKeyMaterials;
    try {
      branch = await this.#branchKey(branchKeyId);
    } catch (cause) {
      throw new EnvelopeError(ErrorCode.KEYRING_FAILURE, `HierarchicalKeyring could not get the active version of branch key ${JSON.stringify(branchKeyId)}: ${describeKmsError(cause)}`, { cause });
    }
    // spec: "If the input encryption materials do not contain a plaintext data key, OnEncrypt MUST generate a random plaintext data key".
    const generated = materials.plaintextDataKey ? undefined : randomBytes(suite.keyLength);
    let ciphertext: Uint8Array;
    try {
      ciphertext = await wrapDataKey({
        branchKey: branch.branchKey,
        branchKeyId,
        branchKeyVersion: branch.branchKeyVersion,
        dataKey: materials.plaintextDataKey ?? generated!,
        encryptionContext: materials.encryptionContext,
      });
    } catch (cause) {
      // spec: "If the keyring is unable to wrap a plaintext data key, OnEncrypt MUST fail and MUST NOT modify" the materials.
      zero(generated);
      throw new EnvelopeError(ErrorCode.KEYRING_FAILURE, `HierarchicalKeyring could not wrap the data key under branch key ${JSON.stringify(branchKeyId)}`, { cause });
    }
    if (generated) materials.plaintextDataKey = generated;
    materials.encryptedDataKeys.push({ providerId: HIERARCHY_PROVIDER_ID, providerInfo: utf8(branchKeyId), ciphertext });
    return materials;
  }

  async onDecrypt(materials: DecryptionMaterials, encryptedDataKeys: readonly EncryptedDataKey[]): Promise<DecryptionMaterials> {
    // spec: "If the decryption materials already contain a PlainTextDataKey, OnDecrypt MUST fail."
    assertNoDataKey('HierarchicalKeyring', materials);
    const suite = findSuite(materials.suiteId)!;
    const branchKeyId = await this.#branchKeyIdFor(materials.encryptionContext);
    const providerInfo = utf8(branchKeyId);
    const errors: Error[] = [];
    let authenticationFailures = 0;
    for (const edk of encryptedDataKeys) {
      if (edk.providerId !== HIERARCHY_PROVIDER_ID || !bytesEqual(edk.providerInfo, providerInfo)) continue;
      const wrapped = parseWrappedDataKey(edk.ciphertext, suite.keyLength);
      if (!wrapped) {
        errors.push(new Error(`an encrypted data key of branch key ${JSON.stringify(branchKeyId)} is ${edk.ciphertext.length} bytes, not ${CIPHERTEXT_OVERHEAD + suite.keyLength}`));
        continue;
      }
      const version = bytesToUuid(wrapped.version);
      let branch: BranchKeyMaterials;
      try {
        branch = await this.#branchKey(branchKeyId, version);
      } catch (cause) {
        errors.push(new Error(`version ${version} of branch key ${JSON.stringify(branchKeyId)}: ${describeKmsError(cause)}`, { cause }));
        continue;
      }
      try {
        materials.plaintextDataKey = await unwrapDataKey(branch.branchKey, branchKeyId, wrapped, materials.encryptionContext);
        return materials;
      } catch (cause) {
        authenticationFailures++;
        errors.push(new Error(`the data key wrapped under version ${version} of branch key ${JSON.stringify(branchKeyId)} did not authenticate`, { cause }));
      }
    }
    if (errors.length === 0) return materials;
    const detail = errors.map((e, i) => `(${i + 1}) ${e.message}`).join('; ');
    const cause = new AggregateError(errors, `${errors.length} encrypted data key(s) of branch key ${JSON.stringify(branchKeyId)} failed`);
    const required = materials.requiredEncryptionContextKeys;
    if (required.length > 0 && authenticationFailures === errors.length) {
      throw new EnvelopeError(
        ErrorCode.ENCRYPTION_CONTEXT_MISMATCH,
        `HierarchicalKeyring could not decrypt the data key with the supplied encryption context: the message does not store key(s) ` +
          `${required.map((k) => JSON.stringify(k)).join(', ')}; supply only pairs it was encrypted with (${detail})`,
        { cause },
      );
    }
    throw new EnvelopeError(ErrorCode.NO_DECRYPTING_KEYRING, `HierarchicalKeyring could not decrypt the data key: ${detail}`, { cause });
  }

  /**
   * The batch form of {@link onEncrypt} (used by `encryptMany`): the branch key id, the serialized
   * context and the wrapping AAD are made once; each `wrap` still gets the active branch key
   * materials as `onEncrypt` would (the same cache entry, re-fetched once this keyring's TTL or the
   * entry's expiry has passed) and a fresh random salt and IV. The context is copied now; later
   * changes to the caller's object do not reach the batch.
   *
   * @example
   * ```ts
   * const wrapper = await keyring.dataKeyWrapper({ tenant: 'acme' }, findSuite(0x0478)!);
   * const edk = new Uint8Array(wrapper.ciphertextLength);
   * await wrapper.wrap(dataKey, edk, 0); // salt | IV | version | encrypted data key | tag
   * ```
   */
  async dataKeyWrapper(encryptionContext: EncryptionContext, suite: AlgorithmSuite): Promise<DataKeyWrapper> {
    const context = Object.freeze({ ...encryptionContext });
    const branchKeyId = await this.#branchKeyIdFor(context);
    const providerInfo = utf8(branchKeyId);
    const contextBytes = serializeContext(context);
    interface Active {
      readonly branchKey: CryptoKey;
      readonly version: Uint8Array;
      readonly aad: Uint8Array;
      readonly usableUntil: number;
    }
    const fetchActive = async (): Promise<Active> => {
      let entry;
      try {
        entry = await this.#branchKeyEntry(branchKeyId);
      } catch (cause) {
        throw new EnvelopeError(ErrorCode.KEYRING_FAILURE, `HierarchicalKeyring could not get the active version of branch key ${JSON.stringify(branchKeyId)}: ${describeKmsError(cause)}`, { cause });
      }
      const version = uuidToBytes(entry.value.branchKeyVersion)!;
      return { branchKey: entry.value.branchKey, version, aad: wrappingAad(providerInfo, version, contextBytes), usableUntil: entry.usableUntil };
    };
    let active = await fetchActive();
    let refreshing: Promise<Active> | undefined;
    const random = new RandomPool();
    return {
      providerId: HIERARCHY_PROVIDER_ID,
      providerInfo,
      ciphertextLength: CIPHERTEXT_OVERHEAD + suite.keyLength,
      wrap: async (dataKey, out, offset) => {
        if (dataKey.length !== suite.keyLength) throw new EnvelopeError(ErrorCode.KEYRING_FAILURE, 'the data key is not of the suite\'s length');
        if (this.#cache.now() > active.usableUntil) {
          refreshing ??= fetchActive().finally(() => (refreshing = undefined));
          active = await refreshing;
        }
        const { branchKey, version, aad } = active;
        random.take(SALT_LENGTH + IV_LENGTH, out, offset);
        try {
          await wrapDataKeyInto(branchKey, version, aad, dataKey, out, offset);
        } catch (cause) {
          throw new EnvelopeError(ErrorCode.KEYRING_FAILURE, `HierarchicalKeyring could not wrap the data key under branch key ${JSON.stringify(branchKeyId)}`, { cause });
        }
      },
    };
  }

  /**
   * The batch form of {@link onDecrypt} (used by `decryptMany`): the same EDK choice, branch key
   * versions and AAD, but the data key is unwrapped into an HKDF CryptoKey for the message key
   * derivation. Versions, version strings and AADs are remembered for the batch; materials are
   * re-fetched once this keyring's TTL or the cache entry's expiry has passed. Any failure gives
   * undefined: `decryptMany` then runs {@link onDecrypt} on that message for the exact error.
   *
   * @example
   * ```ts
   * const unwrapper = keyring.dataKeyUnwrapper();
   * const ikm = await unwrapper.derivationKey(suite, header.encryptedDataKeys, Object.freeze({ ...header.encryptionContext }));
   * // ikm: a non-extractable HKDF CryptoKey for deriveKey / deriveBits, or undefined
   * ```
   */
  dataKeyUnwrapper(): DataKeyUnwrapper {
    interface Version {
      readonly bytes: Uint8Array;
      readonly name: string;
      entry?: { readonly branchKey: CryptoKey; readonly usableUntil: number };
      aad?: { readonly context: EncryptionContext; readonly branchKeyId: string; readonly bytes: Uint8Array };
    }
    const versions: Version[] = [];
    const versionOf = (bytes: Uint8Array): Version => {
      for (const known of versions) if (bytesEqual(known.bytes, bytes)) return known;
      if (versions.length >= MAX_BATCH_VERSIONS) versions.shift();
      const version: Version = { bytes: bytes.slice(), name: bytesToUuid(bytes) };
      versions.push(version);
      return version;
    };
    let lastId: { readonly id: string; readonly bytes: Uint8Array } | undefined;
    return {
      derivationKey: async (suite, encryptedDataKeys, encryptionContext) => {
        if (!suite.kdfHash) return undefined;
        let branchKeyId = this.branchKeyId;
        if (branchKeyId === undefined) {
          try {
            branchKeyId = await this.#branchKeyIdFor(encryptionContext);
          } catch {
            return undefined; // onDecrypt asks the supplier again and fails as it does
          }
        }
        if (lastId?.id !== branchKeyId) lastId = { id: branchKeyId, bytes: utf8(branchKeyId) };
        const providerInfo = lastId.bytes;
        for (const edk of encryptedDataKeys) {
          if (edk.providerId !== HIERARCHY_PROVIDER_ID || !bytesEqual(edk.providerInfo, providerInfo)) continue;
          const wrapped = parseWrappedDataKey(edk.ciphertext, suite.keyLength);
          if (!wrapped) continue;
          const version = versionOf(wrapped.version);
          try {
            if (!version.entry || this.#cache.now() > version.entry.usableUntil) {
              const entry = await this.#branchKeyEntry(branchKeyId, version.name);
              version.entry = { branchKey: entry.value.branchKey, usableUntil: entry.usableUntil };
            }
            if (version.aad?.context !== encryptionContext || version.aad.branchKeyId !== branchKeyId) {
              version.aad = { context: encryptionContext, branchKeyId, bytes: wrappingAad(providerInfo, version.bytes, encryptionContext) };
            }
            return await unwrapDerivationKey(version.entry.branchKey, wrapped, version.aad.bytes);
          } catch {
            // onDecrypt will say what failed.
          }
        }
        return undefined;
      },
    };
  }

  async #branchKeyIdFor(encryptionContext: EncryptionContext): Promise<string> {
    if (this.branchKeyId !== undefined) return this.branchKeyId;
    const id = await this.branchKeyIdSupplier!({ ...encryptionContext });
    if (typeof id !== 'string' || id.length === 0) {
      throw typeError('HierarchicalKeyring options.branchKeyIdSupplier(encryptionContext)', 'a non-empty branch key id string');
    }
    return id;
  }

  /**
   * Branch key materials from the cache, or from the key store (then cached): the active version
   * when `version` is undefined. The entry must also be within this keyring's TTL (spec: a shared
   * cache's entry may have been put by a keyring with a longer TTL).
   */
  async #branchKey(branchKeyId: string, version?: string): Promise<BranchKeyMaterials> {
    return (await this.#branchKeyEntry(branchKeyId, version)).value;
  }

  /**
   * {@link #branchKey} with the last clock time (cache clock, ms) at which a message may still use
   * the materials without asking the cache again: the earlier of the entry's own expiry and this
   * keyring's TTL from when it was put; never (-Infinity) when the cache holds nothing.
   */
  async #branchKeyEntry(branchKeyId: string, version?: string): Promise<{ readonly value: BranchKeyMaterials; readonly usableUntil: number }> {
    const id = await this.#cacheId(branchKeyId, version);
    const entry = this.#cache.get<BranchKeyMaterials>(id);
    if (entry && this.#cache.now() - entry.createdAt <= this.#ttlMs) {
      return { value: entry.value, usableUntil: Math.min(entry.expiresAt, entry.createdAt + this.#ttlMs) };
    }
    let pending = this.#inflight.get(id);
    if (!pending) {
      const fetch = version === undefined ? this.keyStore.getActiveKey(branchKeyId) : this.keyStore.getKeyVersion(branchKeyId, version);
      pending = fetch
        .then((branch) => {
          checkMaterials(branch, branchKeyId, version);
          this.#cache.put(id, branch, { ttlMs: this.#ttlMs });
          return branch;
        })
        .finally(() => this.#inflight.delete(id));
      this.#inflight.set(id, pending);
    }
    const value = await pending;
    const cached = this.#cache.get<BranchKeyMaterials>(id);
    return { value, usableUntil: cached?.value === value ? Math.min(cached.expiresAt, cached.createdAt + this.#ttlMs) : -Infinity };
  }

  #cacheId(branchKeyId: string, version: string | undefined): Promise<string> {
    const memo = JSON.stringify([branchKeyId, version ?? null]);
    let id = this.#ids.get(memo);
    if (!id) {
      if (this.#ids.size >= MAX_MEMOIZED_IDS) this.#ids.clear();
      id = hierarchyCacheId(this.#partitionId, this.keyStore.logicalKeyStoreName, branchKeyId, version);
      this.#ids.set(memo, id);
    }
    return id;
  }
}

/** The key store is trusted to authenticate records, but it must answer the question asked. */
function checkMaterials(branch: BranchKeyMaterials, branchKeyId: string, version: string | undefined): void {
  if (branch?.branchKeyIdentifier !== branchKeyId) throw new Error(`the key store answered for branch key ${JSON.stringify(branch?.branchKeyIdentifier)}`);
  if (version !== undefined && branch.branchKeyVersion !== version) throw new Error(`the key store answered with version ${branch.branchKeyVersion}, not ${version}`);
  if (!uuidToBytes(branch.branchKeyVersion)) throw new Error(`branch key version ${JSON.stringify(branch.branchKeyVersion)} is not a UUID`);
  if (typeof CryptoKey !== 'undefined' && !(branch.branchKey instanceof CryptoKey)) throw new Error('the key store returned no branch key CryptoKey');
}
