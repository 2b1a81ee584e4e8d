/**
 * A branch key store over one known branch key and beacon key, held in memory. It is what the
 * DB-ESDK's test vectors use (a "static-branch-key"), and what an application needs when it
 * provisions keys itself instead of through KMS. The bytes are imported as non-extractable
 * CryptoKeys at construction and the caller's copies are not kept.
 */
import type { BeaconKeyMaterials, BranchKeyMaterials, BranchKeySource } from '../core/branch-key-store.js';
import { importBranchKey, uuidToBytes } from '../core/hierarchical-keyring-wrap.js';
import { typeError, rangeError } from '../core/errors.js';

/** Options of {@link StaticBranchKeyStore.create}. */
export interface StaticBranchKeyStoreOptions {
  readonly branchKeyId: string;
  /** The branch key version, a UUID. */
  readonly branchKeyVersion: string;
  /** The 32-byte branch key. */
  readonly branchKey: Uint8Array;
  /** The 32-byte beacon key, when beacons are used. */
  readonly beaconKey?: Uint8Array;
  /** Default `static`. */
  readonly logicalKeyStoreName?: string;
}

/**
 * One branch key (and its beacon key) in memory, for the hierarchical keyring and beacons.
 *
 * @example
 * ```ts
 * const keyStore = await StaticBranchKeyStore.create({ branchKeyId, branchKeyVersion, branchKey, beaconKey });
 * const keyring = new HierarchicalKeyring({ keyStore, branchKeyId, ttlSeconds: 600 });
 * ```
 */
export class StaticBranchKeyStore implements BranchKeySource {
  readonly logicalKeyStoreName: string;
  readonly #branch: BranchKeyMaterials;
  readonly #beacon?: BeaconKeyMaterials;

  private constructor(logicalKeyStoreName: string, branch: BranchKeyMaterials, beacon?: BeaconKeyMaterials) {
    this.logicalKeyStoreName = logicalKeyStoreName;
    this.#branch = branch;
    this.#beacon = beacon;
  }

  /** Imports the keys; throws TypeError/RangeError naming the bad option. */
  static async create(options: StaticBranchKeyStoreOptions): Promise<StaticBranchKeyStore> {
    const { branchKeyId, branchKeyVersion, branchKey, beaconKey, logicalKeyStoreName = 'static' } = options ?? ({} as StaticBranchKeyStoreOptions);
    if (typeof branchKeyId !== 'string' || branchKeyId.length === 0) throw typeError('StaticBranchKeyStore options.branchKeyId', 'a non-empty string');
    if (typeof branchKeyVersion !== 'string' || !uuidToBytes(branchKeyVersion)) throw typeError('StaticBranchKeyStore options.branchKeyVersion', 'a UUID string');
    if (!(branchKey instanceof Uint8Array)) throw typeError('StaticBranchKeyStore options.branchKey', 'a Uint8Array');
    if (branchKey.length !== 32) throw rangeError('StaticBranchKeyStore options.branchKey', 'must be 32 bytes');
    if (beaconKey !== undefined && !(beaconKey instanceof Uint8Array)) throw typeError('StaticBranchKeyStore options.beaconKey', 'a Uint8Array');
    if (beaconKey !== undefined && beaconKey.length !== 32) throw rangeError('StaticBranchKeyStore options.beaconKey', 'must be 32 bytes');
    const branch = Object.freeze({ branchKeyIdentifier: branchKeyId, branchKeyVersion: branchKeyVersion.toLowerCase(), branchKey: await importBranchKey(branchKey), encryptionContext: {} });
    const beacon = beaconKey
      ? Object.freeze({
          beaconKeyIdentifier: branchKeyId,
          beaconKey: await crypto.subtle.importKey('raw', beaconKey as Uint8Array<ArrayBuffer>, 'HKDF', false, ['deriveBits', 'deriveKey']),
          encryptionContext: {},
        })
      : undefined;
    return new StaticBranchKeyStore(logicalKeyStoreName, branch, beacon);
  }

  async getActiveKey(branchKeyId: string): Promise<BranchKeyMaterials> {
    return this.#get(branchKeyId);
  }

  async getKeyVersion(branchKeyId: string, version: string): Promise<BranchKeyMaterials> {
    const branch = this.#get(branchKeyId);
    if (branch.branchKeyVersion !== version.toLowerCase()) throw new Error(`version ${version} of branch key ${JSON.stringify(branchKeyId)} is not in this static key store`);
    return branch;
  }

  /** The beacon key, for searchable encryption (same shape as BranchKeyStore.getBeaconKey). */
  async getBeaconKey(branchKeyId: string): Promise<BeaconKeyMaterials> {
    this.#get(branchKeyId);
    if (!this.#beacon) throw new Error(`this static key store holds no beacon key for ${JSON.stringify(branchKeyId)}`);
    return this.#beacon;
  }

  #get(branchKeyId: string): BranchKeyMaterials {
    if (branchKeyId !== this.#branch.branchKeyIdentifier) throw new Error(`branch key ${JSON.stringify(branchKeyId)} is not in this static key store`);
    return this.#branch;
  }
}
