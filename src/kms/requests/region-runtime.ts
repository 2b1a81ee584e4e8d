/**
 * One region of the simulated KMS as the operations see it: its store, its root keys, its cache of
 * unwrapped key material, its simulation settings, and a way to reach the other regions (for
 * multi-Region keys). Nothing here knows an operation; operations/ use it through CallContext.
 */
import type { RootKeys, KeyRecord } from '../storage/records.js';
import type { RegionStore } from '../storage/store.js';
import { RegionSimulation } from './simulation.js';
import { unwrapAs, unsealBytes } from '../crypto/key-material.js';
import { keyArn } from '../keys/identifiers.js';
import { kmsError } from '../errors.js';
import type { Bytes } from '../../core/types.js';
import type { Iam } from '../policy/iam.js';
import { KitError, KitErrorCode } from '../../client/errors.js';
import { deriveGrantTokenKey, type GrantTokenIssuers } from '../policy/grant-tokens.js';

/** A service event (AwsServiceEvent): something the KMS did by itself, not at a caller's request. */
export interface ServiceEvent {
  readonly eventName: 'RotateKey' | 'DeleteKey' | 'DeleteExpiredKeyMaterial' | 'SynchronizeMultiRegionKey';
  readonly region: string;
  readonly keyArn: string;
  readonly eventTime: number;
}

/** What a material is unwrapped for: each WebCrypto algorithm/hash pair is its own CryptoKey. */
export type Purpose =
  | 'AES-GCM'
  | 'RSA-OAEP:SHA-1'
  | 'RSA-OAEP:SHA-256'
  | 'RSA-PSS:SHA-256'
  | 'RSA-PSS:SHA-384'
  | 'RSA-PSS:SHA-512'
  | 'RSASSA-PKCS1-v1_5:SHA-256'
  | 'RSASSA-PKCS1-v1_5:SHA-384'
  | 'RSASSA-PKCS1-v1_5:SHA-512'
  | 'ECDSA'
  | 'HMAC';

const CACHE_LIMIT = 4096;

/** The set of regions one Kms instance runs, as a region sees its peers. */
export interface RegionDirectory {
  readonly account: string;
  readonly regionNames: readonly string[];
  peer(region: string): RegionRuntime | undefined;
  now(): number;
  /** The account's IAM (identity policies), shared by every region. */
  readonly iam: Iam;
  /** Records a service event; awaited, so the record is stored before the triggering call returns. */
  serviceEvent(event: ServiceEvent): Promise<void>;
}

export class RegionRuntime implements GrantTokenIssuers {
  readonly region: string;
  readonly store: RegionStore;
  /** Undefined while the KMS is locked (lock/key-lock.ts). */
  #root: RootKeys | undefined;
  readonly simulation = new RegionSimulation();
  readonly directory: RegionDirectory;
  /** Unwrapped, non-extractable CryptoKeys by `keyId|materialId|purpose`. Material is immutable, so entries never go stale; shredding evicts them. */
  readonly #cache = new Map<string, Promise<CryptoKey>>();

  constructor(region: string, store: RegionStore, root: RootKeys | undefined, directory: RegionDirectory) {
    this.region = region;
    this.store = store;
    this.#root = root;
    this.directory = directory;
  }

  /** The region's root keys; throws KitError LOCKED while the KMS is locked, so every call that needs a key refuses. */
  get root(): RootKeys {
    if (!this.#root) throw new KitError(KitErrorCode.LOCKED, `the kit is locked: unlock it (with its passphrase or a passkey) before using a key in ${this.region}`);
    return this.#root;
  }

  get locked(): boolean {
    return this.#root === undefined;
  }

  /** Unlocks with `root`, or (undefined) locks: forgets the root and every material unwrapped under it. */
  setRoot(root: RootKeys | undefined): void {
    this.#root = root;
    // Grant tokens are tagged under a key derived from the root: derive it again from the next root.
    this.#tokenKey = undefined;
    if (!root) this.#cache.clear();
  }

  #tokenKey: Promise<CryptoKey> | undefined;

  /** The key `region`'s grant tokens are tagged with (grant-tokens.ts); undefined for a region this KMS does not run. */
  grantTokenKey(region: string = this.region): Promise<CryptoKey> | undefined {
    const runtime = region === this.region ? this : this.directory.peer(region);
    if (!runtime) return undefined;
    if (!runtime.#tokenKey) {
      runtime.#tokenKey = deriveGrantTokenKey(runtime.root.seal);
      runtime.#tokenKey.catch(() => (runtime.#tokenKey = undefined));
    }
    return runtime.#tokenKey;
  }

  get account(): string {
    return this.directory.account;
  }

  now(): number {
    return this.directory.now();
  }

  arn(keyId: string): string {
    return keyArn(this.region, this.account, keyId);
  }

  /** A non-extractable CryptoKey for one material of `record`, unwrapped once and cached. */
  cryptoKey(record: KeyRecord, materialId: string, purpose: Purpose): Promise<CryptoKey> {
    // Checked before the cache: a locked region must not serve materials unwrapped before the lock.
    const root = this.root;
    const id = `${record.KeyId}|${materialId}|${purpose}`;
    let key = this.#cache.get(id);
    if (!key) {
      const material = record.materials.find((m) => m.id === materialId);
      if (!material) return Promise.reject(kmsError('InvalidCiphertextException', 'The ciphertext refers to key material this KMS key does not have.'));
      key = unwrapAs(material.wrapped, root, record.KeyId, materialId, algorithmFor(purpose, record), false, usagesFor(purpose));
      // A failed unwrap must not stay cached.
      key.catch(() => this.#cache.delete(id));
      if (this.#cache.size >= CACHE_LIMIT) this.#cache.delete(this.#cache.keys().next().value!);
      this.#cache.set(id, key);
    }
    return key;
  }

  /** Raw bytes of a sealed material (HMAC-224, and ECDSA keys signing a DIGEST); the caller zeroes them after use. */
  async materialBytes(record: KeyRecord, materialId: string): Promise<Bytes> {
    const material = record.materials.find((m) => m.id === materialId);
    if (!material) throw kmsError('KMSInternalException', 'The key material is missing.');
    return unsealBytes(material.wrapped, this.root, record.KeyId, materialId);
  }

  /** Crypto-shredding: forget every unwrapped copy of a key's material held in memory. */
  evict(keyId: string, materialIds?: readonly string[]): void {
    for (const id of [...this.#cache.keys()]) {
      const [k, m] = id.split('|');
      if (k === keyId && (!materialIds || materialIds.includes(m!))) this.#cache.delete(id);
    }
  }
}

function algorithmFor(purpose: Purpose, record: KeyRecord): AlgorithmIdentifier | RsaHashedImportParams | EcKeyImportParams | HmacImportParams {
  const [name, hash] = purpose.split(':') as [string, string | undefined];
  if (name === 'AES-GCM') return { name };
  if (name === 'ECDSA') return { name, namedCurve: { ECC_NIST_P256: 'P-256', ECC_NIST_P384: 'P-384', ECC_NIST_P521: 'P-521' }[record.KeySpec as 'ECC_NIST_P256'] };
  if (name === 'HMAC') {
    const bits = Number(record.KeySpec.slice(5));
    return { name, hash: `SHA-${bits}`, length: bits };
  }
  return { name, hash: hash! };
}

function usagesFor(purpose: Purpose): KeyUsage[] {
  if (purpose === 'AES-GCM') return ['encrypt', 'decrypt'];
  if (purpose.startsWith('RSA-OAEP')) return ['decrypt'];
  if (purpose === 'HMAC') return ['sign', 'verify'];
  return ['sign'];
}
