/**
 * The kit's branch keys (issue 6): one BranchKeyStore per (region, KMS key ARN), all writing to the
 * kit's one IndexedDB database (protocol.ts, branchKeyStoreNames), and the hierarchical keyrings
 * that use them, kept for the worker's life so that branch key materials stay cached between
 * batches. Runs in the worker: branch keys never leave it.
 */
import {
  BranchKeyStore,
  BranchKeyStoreError,
  BranchKeyStoreErrorCode,
  HIERARCHY_PROVIDER_ID,
  HierarchicalKeyring,
  LocalMaterialsCache,
  type DecryptionMaterials,
  type EncryptedDataKey,
  type EncryptionMaterials,
  type Keyring,
  type BranchKeyMaterials,
  type BranchKeySource,
  type KmsClientSupplier,
} from '../src/core/index.js';
import { DEFAULT_BRANCH_KEY_TTL_SECONDS, branchKeyStoreNames } from '../src/client/protocol.js';
import { BRANCH_KEY_ACTIVE_TYPE as ACTIVE_TYPE, EnvelopeError, ErrorCode, parseKmsKeyArn, type BatchDecryptingKeyring, type BranchKeyRecord, type BranchKeyStorage, type DataKeyUnwrapper } from '../src/core/index.js';
import { indexedDbBranchKeyStorage as indexedDbStorage } from '../src/kms/index.js';

/** UTF-8 text of provider info and ARNs (fatal: a malformed byte is an error, not U+FFFD). */
const utf8Text = new TextDecoder('utf-8', { fatal: true });
const fromUtf8 = (bytes: Uint8Array): string => utf8Text.decode(bytes);

/** Equality of two public byte strings (provider info): not for secrets, which need a constant-time compare. */
function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Where a branch key's records are authenticated: the KMS key that wraps them. */
interface Owner {
  readonly region: string;
  readonly kmsKeyArn: string;
}

/**
 * Entries of the shared branch key materials cache. One entry per (branch key, version) in use;
 * far more than a page needs, and small (a CryptoKey handle each).
 */
const CACHE_CAPACITY = 1000;

/** The kit's branch key stores and hierarchical keyrings. */
export class KitBranchKeys {
  readonly #clientFor: KmsClientSupplier;
  readonly #logicalName: string;
  readonly #database: string;
  readonly #stores = new Map<string, BranchKeyStore>();
  readonly #keyrings = new Map<string, HierarchicalKeyring>();
  readonly #owners = new Map<string, Owner>();
  /**
   * One cache for every keyring (each still applies its own TTL to an entry's age), so that a
   * batch with another `ttlSeconds` does not fetch the branch key from KMS again.
   */
  readonly #cache = new LocalMaterialsCache({ capacity: CACHE_CAPACITY });
  /** Same for every keyring of this worker: entries are shared between them (HierarchicalKeyring, partitionId). */
  readonly #partitionId = crypto.randomUUID();
  /** Reads the ACTIVE record's `kms-arn` to find a branch key's store; what it reads is authenticated by KMS afterwards. */
  #records: BranchKeyStorage | undefined;
  /** In a batch helper (workers/pool): branch keys come from the kit worker, by TTL; no store, no KMS. */
  #remote: ((ttlSeconds: number) => BranchKeySource) | undefined;
  /**
   * Fetched materials by [branch key, version], for this worker's keyrings and the batch helpers
   * alike, so that a batch spread over helpers costs no more KMS calls than one kept here.
   */
  readonly #shared = new Map<string, { readonly fetchedAt: number; readonly value: Promise<BranchKeyMaterials> }>();

  constructor(kitName: string, clientFor: KmsClientSupplier) {
    const { logicalKeyStoreName, database } = branchKeyStoreNames(kitName);
    this.#logicalName = logicalKeyStoreName;
    this.#database = database;
    this.#clientFor = clientFor;
  }

  /**
   * Branch keys for a batch helper: keyrings get their materials from `sourceFor(ttlSeconds)` (the
   * kit worker, over a port) instead of a store of their own.
   */
  static remote(kitName: string, sourceFor: (ttlSeconds: number) => BranchKeySource): KitBranchKeys {
    // Named like the kit's own, so logical store names (part of each keyring's cache ids) agree;
    // the store, its database and the KMS supplier are never used in remote mode.
    const keys = new KitBranchKeys(kitName, () => {
      throw new Error('a batch helper has no KMS client');
    });
    keys.#remote = sourceFor;
    return keys;
  }

  /**
   * Branch key materials for this worker's keyrings and for the batch helpers: fetched through the
   * branch key's store (one KMS Decrypt) at most once per `ttlSeconds` however many ask. The branch
   * key stays a non-extractable CryptoKey when cloned to a helper.
   */
  materials(branchKeyId: string, version: string | undefined, ttlSeconds: number): Promise<BranchKeyMaterials> {
    const id = JSON.stringify([branchKeyId, version ?? null]);
    const now = Date.now();
    const known = this.#shared.get(id);
    // Usable by this caller if fetched within the caller's own TTL (another caller may allow longer).
    if (known && now - known.fetchedAt < ttlSeconds * 1000) return known.value;
    if (this.#shared.size >= CACHE_CAPACITY) this.#shared.clear();
    const value = this.#owner(branchKeyId).then((owner) => {
      const store = this.#store(owner);
      return version === undefined ? store.getActiveKey(branchKeyId) : store.getKeyVersion(branchKeyId, version);
    });
    this.#shared.set(id, { fetchedAt: now, value });
    value.then(
      (materials) => {
        // The ACTIVE version is also that version: decrypting what was just encrypted needs no second fetch.
        const versioned = JSON.stringify([branchKeyId, materials.branchKeyVersion]);
        if (version === undefined && !this.#shared.has(versioned)) this.#shared.set(versioned, { fetchedAt: now, value });
      },
      () => {
        if (this.#shared.get(id)?.value === value) this.#shared.delete(id);
      },
    );
    return value;
  }

  /** CreateKey in the store of `kmsKeyArn`; the id is remembered with its owner. */
  async create(kmsKeyArn: string): Promise<string> {
    const owner = ownerOf(kmsKeyArn);
    const branchKeyId = await this.#store(owner).createKey();
    this.#owners.set(branchKeyId, owner);
    return branchKeyId;
  }

  /** The keyring that encrypts under `branchKeyId`, its materials cached for `ttlSeconds`. */
  async keyring(branchKeyId: string, ttlSeconds: number): Promise<HierarchicalKeyring> {
    const owner = this.#remote ? undefined : await this.#owner(branchKeyId);
    const key = JSON.stringify([owner?.region, owner?.kmsKeyArn, branchKeyId, ttlSeconds]);
    let keyring = this.#keyrings.get(key);
    if (!keyring) {
      const keyStore: BranchKeySource = owner
        ? {
            logicalKeyStoreName: this.#logicalName,
            getActiveKey: (id) => this.materials(id, undefined, ttlSeconds),
            getKeyVersion: (id, version) => this.materials(id, version, ttlSeconds),
          }
        : this.#remote!(ttlSeconds);
      keyring = new HierarchicalKeyring({ keyStore, branchKeyId, ttlSeconds, cache: this.#cache, partitionId: this.#partitionId });
      this.#keyrings.set(key, keyring);
    }
    return keyring;
  }

  /** The beacon key of `branchKeyId` (records' searchable beacons), read from the store that holds the branch key. */
  async beaconKeySource(branchKeyId: string): Promise<{ getBeaconKey: BranchKeyStore['getBeaconKey'] }> {
    const store = this.#store(await this.#owner(branchKeyId));
    return { getBeaconKey: (id) => store.getBeaconKey(id) };
  }

  /**
   * A decrypt-only keyring for messages of any of the kit's branch keys: each `aws-kms-hierarchy`
   * copy names its branch key, whose store is found from the key's ACTIVE record. Messages with no
   * such copy are handed to `fallback` (the kit's KMS keyrings), so a batch may mix both kinds.
   */
  decryptingKeyring(fallback: Keyring): Keyring & BatchDecryptingKeyring {
    return {
      onEncrypt: async (_materials: EncryptionMaterials) => {
        throw new EnvelopeError(ErrorCode.KEYRING_FAILURE, 'the branch key decrypting keyring is decrypt-only');
      },
      onDecrypt: (materials, edks) => this.#decrypt(materials, edks, fallback),
      dataKeyUnwrapper: () => this.#unwrapper(),
    };
  }

  /** The logical key store name bound into every record's KMS encryption context. */
  get logicalName(): string {
    return this.#logicalName;
  }

  /** Every stored record, as stored (a key-store backup: kit-backup.ts). */
  allRecords(): Promise<unknown[]> {
    this.#records ??= indexedDbStorage(this.#database, this.#logicalName);
    return this.#records.all();
  }

  /** Replaces every record (a key-store restore) and forgets what was cached from the old ones. */
  async replaceRecords(records: readonly BranchKeyRecord[]): Promise<void> {
    this.#records ??= indexedDbStorage(this.#database, this.#logicalName);
    await this.#records.replace(records);
    this.#owners.clear();
    this.#keyrings.clear();
    this.#cache.clear();
  }

  /** Drops every cached branch key material (the kit was locked). */
  forgetMaterials(): void {
    this.#keyrings.clear();
    this.#cache.clear();
  }

  close(): void {
    for (const store of this.#stores.values()) store.close();
    this.#stores.clear();
    this.#keyrings.clear();
    this.#shared.clear();
    this.#records?.close();
    this.#records = undefined;
  }

  /**
   * decryptMany's path for one batch (see BatchDecryptingKeyring): each `aws-kms-hierarchy` copy is
   * tried with the batch unwrapper of its branch key's keyring, made once per branch key per batch.
   * Undefined when none unwraps (or the message has no such copy): decryptMany then runs onDecrypt,
   * which also hands messages without a branch key copy to the KMS keyrings.
   */
  #unwrapper(): DataKeyUnwrapper {
    // By branch key id: the keyring's unwrapper once known (undefined: not one of this kit's keys), a promise until then.
    const unwrappers = new Map<string, DataKeyUnwrapper | undefined | Promise<DataKeyUnwrapper | undefined>>();
    let last: { readonly bytes: Uint8Array; readonly id: string } | undefined;
    return {
      derivationKey: async (suite, edks, encryptionContext) => {
        for (const edk of edks) {
          if (edk.providerId !== HIERARCHY_PROVIDER_ID) continue;
          let id: string;
          try {
            if (!last || !bytesEqual(last.bytes, edk.providerInfo)) last = { bytes: edk.providerInfo.slice(), id: fromUtf8(edk.providerInfo) };
            id = last.id;
          } catch {
            continue;
          }
          let unwrapper = unwrappers.get(id);
          if (unwrapper === undefined && !unwrappers.has(id)) {
            const pending = this.keyring(id, DEFAULT_BRANCH_KEY_TTL_SECONDS).then(
              (keyring) => keyring.dataKeyUnwrapper(),
              () => undefined,
            );
            unwrappers.set(id, pending);
            void pending.then((known) => unwrappers.set(id, known));
            unwrapper = pending;
          }
          const known = unwrapper instanceof Promise ? await unwrapper : unwrapper;
          const key = await known?.derivationKey(suite, [edk], encryptionContext);
          if (key) return key;
        }
        return undefined;
      },
    };
  }

  async #decrypt(materials: DecryptionMaterials, edks: readonly EncryptedDataKey[], fallback: Keyring): Promise<DecryptionMaterials> {
    const ours = edks.filter((edk) => edk.providerId === HIERARCHY_PROVIDER_ID);
    if (ours.length === 0) return fallback.onDecrypt(materials, edks);
    const errors: unknown[] = [];
    for (const edk of ours) {
      try {
        const keyring = await this.keyring(fromUtf8(edk.providerInfo), DEFAULT_BRANCH_KEY_TTL_SECONDS);
        await keyring.onDecrypt(materials, [edk]);
        if (materials.plaintextDataKey) return materials;
      } catch (error) {
        errors.push(error);
      }
    }
    // One copy (the usual case): its own error, with its own code, is the answer.
    if (errors.length === 1) throw errors[0];
    const detail = errors.map((e, i) => `(${i + 1}) ${(e as Error)?.message}`).join('; ');
    throw new EnvelopeError(ErrorCode.NO_DECRYPTING_KEYRING, `no branch key copy of the message could be decrypted: ${detail}`, { cause: new AggregateError(errors) });
  }

  async #owner(branchKeyId: string): Promise<Owner> {
    const known = this.#owners.get(branchKeyId);
    if (known) return known;
    this.#records ??= indexedDbStorage(this.#database, this.#logicalName);
    const record = (await this.#records.get(branchKeyId, ACTIVE_TYPE)) as { 'kms-arn'?: unknown } | undefined;
    if (record === undefined) {
      throw new BranchKeyStoreError(BranchKeyStoreErrorCode.NOT_FOUND, `branch key ${JSON.stringify(branchKeyId)} is not in this kit's branch key store (${this.#logicalName})`);
    }
    const arn = record?.['kms-arn'];
    if (typeof arn !== 'string' || !parseKmsKeyArn(arn)) {
      throw new BranchKeyStoreError(BranchKeyStoreErrorCode.RECORD_INVALID, `the ACTIVE record of branch key ${JSON.stringify(branchKeyId)} names no KMS key ARN`);
    }
    const owner = ownerOf(arn);
    this.#owners.set(branchKeyId, owner);
    return owner;
  }

  #store(owner: Owner): BranchKeyStore {
    const key = `${owner.region} ${owner.kmsKeyArn}`;
    let store = this.#stores.get(key);
    if (!store) {
      store = new BranchKeyStore({
        kms: this.#clientFor(owner.region),
        kmsKeyId: owner.kmsKeyArn,
        logicalKeyStoreName: this.#logicalName,
        storage: 'indexeddb',
        name: this.#database,
      });
      this.#stores.set(key, store);
    }
    return store;
  }
}

function ownerOf(kmsKeyArn: string): Owner {
  const arn = parseKmsKeyArn(kmsKeyArn);
  if (!arn) throw new BranchKeyStoreError(BranchKeyStoreErrorCode.RECORD_INVALID, `${JSON.stringify(kmsKeyArn)} is not a KMS key ARN`);
  return { region: arn.region, kmsKeyArn };
}
