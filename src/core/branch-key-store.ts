/**
 * The branch key store (spec: framework/branch-key-store.md, version 0.9.0) with IndexedDB or memory
 * in place of DynamoDB. Branch keys are 32-byte keys made by KMS GenerateDataKeyWithoutPlaintext and
 * stored only wrapped, each record bound by its KMS encryption context to its branch key id, type,
 * version, creation time, KMS key and the logical key store name. Every read is verified by KMS:
 * a record is used only after KMS Decrypt accepted it under the context rebuilt from the record.
 *
 * KMS configuration: the specification's "KMS Key ARN" (exact ARN match). Discovery, MRDiscovery
 * and MRK compatibility are not implemented; neither are CreateKeyStore / GetKeyStoreInfo's table
 * parts, which have no meaning without DynamoDB.
 */
import type { EncryptionContext } from './types.js';
import type { KmsClient } from './kms-client.js';
import { zero } from './bytes.js';
import { rangeError, typeError } from './errors.js';
import { parseKmsKeyArn } from './kms-arn.js';
import { describeKmsError } from './kms-data-keys.js';
import { checkGrantTokens } from './kms-keyring-base.js';
import { BranchKeyStoreError, BranchKeyStoreErrorCode } from './branch-key-store-errors.js';
import {
  ACTIVE_TYPE,
  BEACON_TYPE,
  VERSION_TYPE_PREFIX,
  activeContext,
  beaconContext,
  checkRecord,
  createTime,
  customContext,
  decryptOnlyContext,
  recordContext,
  recordFromContext,
  recordVersion,
  type BranchKeyRecord,
  type ContextBase,
} from './branch-key-store-records.js';
import { indexedDbStorage, memoryStorage, type BranchKeyStorage } from './branch-key-store-storage.js';
import { importBranchKey } from './hierarchical-keyring-wrap.js';

/** Branch key materials (spec: framework/structures.md#branch-key-materials). */
export interface BranchKeyMaterials {
  readonly branchKeyIdentifier: string;
  /** The version, a UUID string. */
  readonly branchKeyVersion: string;
  /**
   * The 32-byte branch key as a non-extractable HMAC-SHA-256 CryptoKey (the PRF of the keyring's
   * KDF): the plaintext KMS returned was zeroed as soon as it was imported.
   */
  readonly branchKey: CryptoKey;
  /** The custom encryption context given at CreateKey, without its `aws-crypto-ec:` prefix. */
  readonly encryptionContext: EncryptionContext;
}

/** Beacon key materials (spec: framework/structures.md#beacon-key-materials). */
export interface BeaconKeyMaterials {
  readonly beaconKeyIdentifier: string;
  /** The 32-byte beacon key as a non-extractable HKDF CryptoKey (beacons derive their keys from it). */
  readonly beaconKey: CryptoKey;
  readonly encryptionContext: EncryptionContext;
}

/** What the hierarchical keyring needs of a key store; {@link BranchKeyStore} is one. */
export interface BranchKeySource {
  readonly logicalKeyStoreName: string;
  getActiveKey(branchKeyId: string): Promise<BranchKeyMaterials>;
  getKeyVersion(branchKeyId: string, version: string): Promise<BranchKeyMaterials>;
}

/** A KMS client able to create and version branch keys: the optional methods are required here. */
export type BranchKeyStoreKmsClient = KmsClient & Required<Pick<KmsClient, 'generateDataKeyWithoutPlaintext' | 'reEncrypt'>>;

/**
 * Options of {@link BranchKeyStore}: the KMS key that wraps branch keys, and where the records
 * live.
 */
export interface BranchKeyStoreOptions {
  /**
   * The KMS client of the key's region (what `clientFor(region)` returns, e.g. `kms.region('us-east-1')`).
   * Reading needs `decrypt` only; `createKey` and `versionKey` also need `generateDataKeyWithoutPlaintext` and `reEncrypt`.
   */
  readonly kms: KmsClient;
  /** The KMS key ARN that wraps every branch key (spec: an ARN, never an alias). */
  readonly kmsKeyId: string;
  /** Bound into every record's encryption context as `tablename`; one per physical store. */
  readonly logicalKeyStoreName: string;
  /** `indexeddb` (pages and workers; persistent) or `memory` (Node, tests). */
  readonly storage: 'indexeddb' | 'memory';
  /** Database name; default `envelope-kit-branch-keys:<logicalKeyStoreName>`. Same name, same records. */
  readonly name?: string;
  /** Grant tokens passed with every KMS call the store makes. */
  readonly grantTokens?: readonly string[];
  /** The clock (epoch ms) for `create-time`; default Date.now. */
  readonly now?: () => number;
}

/** Options of {@link BranchKeyStore.createKey}. */
export interface CreateBranchKeyOptions {
  /** Default: a fresh v4 UUID. The specification requires `encryptionContext` whenever this is given. */
  readonly branchKeyId?: string;
  /** Custom context bound to every version (stored as `aws-crypto-ec:<key>` attributes). */
  readonly encryptionContext?: EncryptionContext;
}

const BRANCH_KEY_LENGTH = 32;

function checkId(value: unknown, argument: string): string {
  if (typeof value !== 'string' || value.length === 0) throw typeError(argument, 'a non-empty string');
  return value;
}

/**
 * Creates, versions and reads branch keys for the hierarchical keyring, in IndexedDB (its own
 * database) or memory, following the ESDK branch key store specification.
 *
 * @example
 * ```ts
 * import { createKms } from 'envelope-kit/kms';
 * import { BranchKeyStore, HierarchicalKeyring, encrypt } from 'envelope-kit/core';
 * const kms = await createKms({ storage: 'indexeddb' });
 * const { KeyMetadata } = await kms.region('us-east-1').createKey({});
 * const keyStore = new BranchKeyStore({ kms: kms.region('us-east-1'), kmsKeyId: KeyMetadata.Arn, logicalKeyStoreName: 'app-keys', storage: 'indexeddb' });
 * const branchKeyId = await keyStore.createKey();
 * const keyring = new HierarchicalKeyring({ keyStore, branchKeyId, ttlSeconds: 900 });
 * const { ciphertext } = await encrypt(keyring, new TextEncoder().encode('note'));
 * await keyStore.versionKey(branchKeyId); // rotate: new messages use the new version, old ones still decrypt
 * ```
 */
export class BranchKeyStore implements BranchKeySource {
  readonly kmsKeyId: string;
  readonly logicalKeyStoreName: string;
  readonly storage: 'indexeddb' | 'memory';
  /** The database name. */
  readonly name: string;
  readonly #kms: KmsClient;
  readonly #grantTokens: string[] | undefined;
  readonly #now: () => number;
  readonly #records: BranchKeyStorage;

  constructor(options: BranchKeyStoreOptions) {
    if (options === null || typeof options !== 'object') throw typeError('BranchKeyStore options', 'an object');
    const { kms, kmsKeyId, logicalKeyStoreName, storage, name, now } = options;
    if (kms === null || typeof kms !== 'object' || typeof kms.decrypt !== 'function') {
      throw typeError('BranchKeyStore options.kms', 'a KMS client (with decrypt; createKey and versionKey also need generateDataKeyWithoutPlaintext and reEncrypt)');
    }
    if (typeof kmsKeyId !== 'string') throw typeError('BranchKeyStore options.kmsKeyId', 'a KMS key ARN string');
    if (!parseKmsKeyArn(kmsKeyId)) {
      throw rangeError('BranchKeyStore options.kmsKeyId', 'must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>); aliases and bare key ids are not allowed (spec: branch-key-store.md, "AWS KMS Configuration")');
    }
    this.logicalKeyStoreName = checkId(logicalKeyStoreName, 'BranchKeyStore options.logicalKeyStoreName');
    if (storage !== 'indexeddb' && storage !== 'memory') throw typeError('BranchKeyStore options.storage', "'indexeddb' or 'memory'");
    if (name !== undefined) checkId(name, 'BranchKeyStore options.name');
    if (now !== undefined && typeof now !== 'function') throw typeError('BranchKeyStore options.now', 'a function returning epoch milliseconds');
    if (storage === 'indexeddb' && typeof indexedDB === 'undefined') {
      throw rangeError('BranchKeyStore options.storage', "is 'indexeddb' but this environment has no IndexedDB; use 'memory' here");
    }
    this.kmsKeyId = kmsKeyId;
    this.storage = storage;
    this.name = name ?? `envelope-kit-branch-keys:${this.logicalKeyStoreName}`;
    this.#kms = kms;
    this.#grantTokens = checkGrantTokens(options.grantTokens, 'BranchKeyStore');
    this.#now = now ?? Date.now;
    this.#records = storage === 'memory' ? memoryStorage(this.name, this.logicalKeyStoreName) : indexedDbStorage(this.name, this.logicalKeyStoreName);
  }

  /**
   * CreateKey (spec: "CreateKey"): a new branch key with its first version, its ACTIVE record and its
   * beacon key, written together. Returns the branch key id.
   */
  async createKey(options: CreateBranchKeyOptions = {}): Promise<string> {
    const kms = this.#writer('createKey');
    if (options === null || typeof options !== 'object') throw typeError('createKey options', 'an object');
    if (options.branchKeyId !== undefined) checkId(options.branchKeyId, 'createKey options.branchKeyId');
    const custom = checkCustomContext(options.encryptionContext);
    if (options.branchKeyId !== undefined && options.encryptionContext === undefined) {
      // spec: "If an optional branch key id is provided and no encryption context is provided this operation MUST fail."
      throw rangeError('createKey options.encryptionContext', 'is required when options.branchKeyId is given (use {} for none)');
    }
    const base: ContextBase = {
      branchKeyId: options.branchKeyId ?? crypto.randomUUID(),
      createTime: createTime(this.#now()),
      kmsArn: this.kmsKeyId,
      logicalKeyStoreName: this.logicalKeyStoreName,
      custom,
    };
    const version = crypto.randomUUID();
    const decryptOnly = decryptOnlyContext(base, version);
    const active = activeContext(base, version);
    const beacon = beaconContext(base);
    const [versionEnc, beaconEnc] = await Promise.all([this.#generate(kms, decryptOnly), this.#generate(kms, beacon)]);
    const activeEnc = await this.#reEncrypt(kms, versionEnc, decryptOnly, active, base.branchKeyId);
    await this.#records.create([recordFromContext(decryptOnly, versionEnc), recordFromContext(active, activeEnc), recordFromContext(beacon, beaconEnc)]);
    return base.branchKeyId;
  }

  /**
   * VersionKey (spec: "VersionKey"): makes a new version active; older versions stay readable.
   * Race-safe: all KMS work is done first, then one transaction writes only if the ACTIVE record is
   * still the one read; a concurrent winner makes this call fail with VERSION_CONFLICT. Returns the
   * new version.
   */
  async versionKey(branchKeyId: string): Promise<string> {
    const kms = this.#writer('versionKey');
    checkId(branchKeyId, 'branchKeyId');
    const current = await this.#read(branchKeyId, ACTIVE_TYPE);
    const context = recordContext(current, this.logicalKeyStoreName);
    // spec: "Authenticating a Keystore item": ReEncrypt under the record's own context, both ways.
    await this.#reEncrypt(kms, current.enc, context, context, branchKeyId);
    const base: ContextBase = {
      branchKeyId,
      createTime: createTime(this.#now()),
      kmsArn: this.kmsKeyId,
      logicalKeyStoreName: this.logicalKeyStoreName,
      // spec: "Across all versions of a Branch Key, the custom encryption context MUST be equal."
      custom: customContext(current),
    };
    const version = crypto.randomUUID();
    const decryptOnly = decryptOnlyContext(base, version);
    const active = activeContext(base, version);
    const versionEnc = await this.#generate(kms, decryptOnly);
    const activeEnc = await this.#reEncrypt(kms, versionEnc, decryptOnly, active, branchKeyId);
    await this.#records.version(recordFromContext(decryptOnly, versionEnc), recordFromContext(active, activeEnc), current.enc);
    return version;
  }

  /** GetActiveBranchKey (spec: "GetActiveBranchKey"): the active version, verified by KMS. */
  async getActiveKey(branchKeyId: string): Promise<BranchKeyMaterials> {
    checkId(branchKeyId, 'branchKeyId');
    return this.#materials(await this.#read(branchKeyId, ACTIVE_TYPE));
  }

  /** GetBranchKeyVersion (spec: "GetBranchKeyVersion"): one version, verified by KMS. */
  async getKeyVersion(branchKeyId: string, version: string): Promise<BranchKeyMaterials> {
    checkId(branchKeyId, 'branchKeyId');
    checkId(version, 'version');
    return this.#materials(await this.#read(branchKeyId, VERSION_TYPE_PREFIX + version));
  }

  /** GetBeaconKey (spec: "GetBeaconKey"): the beacon key, for searchable encryption. */
  async getBeaconKey(branchKeyId: string): Promise<BeaconKeyMaterials> {
    checkId(branchKeyId, 'branchKeyId');
    const record = await this.#read(branchKeyId, BEACON_TYPE);
    const beaconKey = await this.#unwrap(record, (bytes) => crypto.subtle.importKey('raw', bytes as Uint8Array<ArrayBuffer>, 'HKDF', false, ['deriveBits', 'deriveKey']));
    return Object.freeze({ beaconKeyIdentifier: branchKeyId, beaconKey, encryptionContext: customContext(record) });
  }

  /** GetKeyStoreInfo, as far as it applies without DynamoDB. */
  getKeyStoreInfo(): { logicalKeyStoreName: string; kmsKeyId: string; storage: 'indexeddb' | 'memory'; name: string; grantTokens: string[] } {
    return { logicalKeyStoreName: this.logicalKeyStoreName, kmsKeyId: this.kmsKeyId, storage: this.storage, name: this.name, grantTokens: [...(this.#grantTokens ?? [])] };
  }

  /** Closes the IndexedDB connection (it reopens on the next call). */
  close(): void {
    this.#records.close();
  }

  #writer(operation: string): BranchKeyStoreKmsClient {
    const kms = this.#kms;
    if (typeof kms.generateDataKeyWithoutPlaintext !== 'function' || typeof kms.reEncrypt !== 'function') {
      throw typeError(`BranchKeyStore options.kms (for ${operation})`, 'a KMS client with generateDataKeyWithoutPlaintext and reEncrypt');
    }
    return kms as BranchKeyStoreKmsClient;
  }

  /** Reads and checks one record: the one asked for, wrapped by this store's KMS key. */
  async #read(branchKeyId: string, type: string): Promise<BranchKeyRecord> {
    const where = `branch key ${JSON.stringify(branchKeyId)} (${type})`;
    const value = await this.#records.get(branchKeyId, type);
    if (value === undefined) {
      throw new BranchKeyStoreError(BranchKeyStoreErrorCode.NOT_FOUND, `${where} is not in logical key store ${JSON.stringify(this.logicalKeyStoreName)} (${this.storage} ${JSON.stringify(this.name)})`);
    }
    const record = checkRecord(value, where);
    if (record['branch-key-id'] !== branchKeyId || record.type !== type) {
      throw new BranchKeyStoreError(BranchKeyStoreErrorCode.RECORD_INVALID, `the record stored for ${where} is the record of another branch key or type`);
    }
    if (record['kms-arn'] !== this.kmsKeyId) {
      // spec: "the kms-arn field ... MUST be compatible with the configured KMS Key ... or the operation MUST fail".
      throw new BranchKeyStoreError(BranchKeyStoreErrorCode.RECORD_INVALID, `${where} is wrapped by KMS key ${record['kms-arn']}, not by this store's ${this.kmsKeyId}`);
    }
    return record;
  }

  async #materials(record: BranchKeyRecord): Promise<BranchKeyMaterials> {
    const branchKey = await this.#unwrap(record, importBranchKey);
    return Object.freeze({
      branchKeyIdentifier: record['branch-key-id'],
      branchKeyVersion: recordVersion(record),
      branchKey,
      encryptionContext: Object.freeze(customContext(record)),
    });
  }

  /** spec: "AWS KMS Branch Key Decryption": Decrypt with the configured key and the record's context. */
  async #unwrap(record: BranchKeyRecord, importKey: (bytes: Uint8Array) => Promise<CryptoKey>): Promise<CryptoKey> {
    const context = recordContext(record, this.logicalKeyStoreName);
    const branchKeyId = record['branch-key-id'];
    const response = await this.#call('Decrypt', branchKeyId, record.type, () =>
      this.#kms.decrypt({ KeyId: this.kmsKeyId, CiphertextBlob: record.enc, EncryptionContext: context, GrantTokens: this.#tokens() }),
    );
    const plaintext = response?.Plaintext;
    try {
      if (response?.KeyId !== this.kmsKeyId) throw kmsAnswer('Decrypt', branchKeyId, `an answer for another key (${String(response?.KeyId)})`);
      if (!(plaintext instanceof Uint8Array) || plaintext.length !== BRANCH_KEY_LENGTH) throw kmsAnswer('Decrypt', branchKeyId, `no ${BRANCH_KEY_LENGTH}-byte Plaintext`);
      return await importKey(plaintext);
    } finally {
      zero(plaintext);
    }
  }

  async #generate(kms: BranchKeyStoreKmsClient, context: EncryptionContext): Promise<Uint8Array> {
    const branchKeyId = context['branch-key-id']!;
    const response = await this.#call('GenerateDataKeyWithoutPlaintext', branchKeyId, context.type!, () =>
      kms.generateDataKeyWithoutPlaintext({ KeyId: this.kmsKeyId, NumberOfBytes: BRANCH_KEY_LENGTH, EncryptionContext: context, GrantTokens: this.#tokens() }),
    );
    if (response?.KeyId !== this.kmsKeyId) throw kmsAnswer('GenerateDataKeyWithoutPlaintext', branchKeyId, `an answer for another key (${String(response?.KeyId)})`);
    if (!(response.CiphertextBlob instanceof Uint8Array) || response.CiphertextBlob.length === 0) throw kmsAnswer('GenerateDataKeyWithoutPlaintext', branchKeyId, 'no CiphertextBlob');
    return response.CiphertextBlob;
  }

  async #reEncrypt(kms: BranchKeyStoreKmsClient, blob: Uint8Array, source: EncryptionContext, destination: EncryptionContext, branchKeyId: string): Promise<Uint8Array> {
    const response = await this.#call('ReEncrypt', branchKeyId, source.type!, () =>
      kms.reEncrypt({
        CiphertextBlob: blob,
        SourceKeyId: this.kmsKeyId,
        SourceEncryptionContext: source,
        DestinationKeyId: this.kmsKeyId,
        DestinationEncryptionContext: destination,
        GrantTokens: this.#tokens(),
      }),
    );
    if (response?.KeyId !== this.kmsKeyId) throw kmsAnswer('ReEncrypt', branchKeyId, `an answer for another key (${String(response?.KeyId)})`);
    if (!(response.CiphertextBlob instanceof Uint8Array) || response.CiphertextBlob.length === 0) throw kmsAnswer('ReEncrypt', branchKeyId, 'no CiphertextBlob');
    return response.CiphertextBlob;
  }

  /** Runs a KMS call; InvalidCiphertextException means the record's context or ciphertext is not the original. */
  async #call<T>(operation: string, branchKeyId: string, type: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (cause) {
      if ((cause as { name?: unknown })?.name === 'InvalidCiphertextException') {
        throw new BranchKeyStoreError(
          BranchKeyStoreErrorCode.RECORD_NOT_AUTHENTIC,
          `KMS ${operation} refused the ${type} record of branch key ${JSON.stringify(branchKeyId)} under the record's encryption context: ` +
            `the record was altered, its wrapped key swapped, or it belongs to another logical key store than ${JSON.stringify(this.logicalKeyStoreName)}`,
          { cause },
        );
      }
      throw new BranchKeyStoreError(BranchKeyStoreErrorCode.KMS_FAILURE, `KMS ${operation} for branch key ${JSON.stringify(branchKeyId)} failed: ${describeKmsError(cause)}`, { cause });
    }
  }

  #tokens(): string[] | undefined {
    return this.#grantTokens ? [...this.#grantTokens] : undefined;
  }
}

function kmsAnswer(operation: string, branchKeyId: string, what: string): BranchKeyStoreError {
  return new BranchKeyStoreError(BranchKeyStoreErrorCode.KMS_FAILURE, `KMS ${operation} for branch key ${JSON.stringify(branchKeyId)} returned ${what}`);
}

function checkCustomContext(value: unknown): EncryptionContext {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw typeError('createKey options.encryptionContext', 'an object mapping strings to strings');
  for (const [key, field] of Object.entries(value)) {
    if (key.length === 0) throw rangeError('createKey options.encryptionContext', 'must not have an empty key');
    if (typeof field !== 'string') throw typeError(`createKey options.encryptionContext[${JSON.stringify(key)}]`, 'a string');
  }
  return Object.fromEntries(Object.entries(value)) as EncryptionContext;
}
