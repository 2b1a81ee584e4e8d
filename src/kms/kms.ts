/**
 * `createKms`: a simulated AWS KMS of several regions in one account. Each region has its own
 * store (one IndexedDB database, or memory) and its own root keys; `kms.region(name)` gives the
 * client for a region. Two Kms instances opened on the same databases (two tabs, or a page and a
 * worker) see each other's changes: every call reads the records it needs, and writes are
 * version-checked (storage/store.ts).
 */
import { deleteDB } from 'idb';
import { recordNothing, type CallRecorder } from './call-record.js';
import { createRegionClient, type KmsRegionClient } from './client.js';
import { kmsError } from './errors.js';
import { createRootKeys } from './key-material.js';
import { sweep } from './lifecycle.js';
import { RegionRuntime, type RegionDirectory } from './region-runtime.js';
import type { SimulationSettings } from './simulation.js';
import { IndexedDbStore } from './storage/indexeddb-store.js';
import { MemoryStore } from './storage/memory-store.js';
import type { RegionStore } from './storage/store.js';
import { updateKey } from './key-updates.js';

export const DEFAULT_ACCOUNT = '111122223333';
export const DEFAULT_REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-northeast-2'] as const;
const DEFAULT_NAME = 'envelope-kit-kms';

export interface KmsOptions {
  /** 12-digit AWS account id. Default `111122223333`. */
  account?: string;
  /** Region names. Default us-east-1, us-west-2, eu-west-1, ap-northeast-2. */
  regions?: readonly string[];
  /** `indexeddb` in pages and workers (persistent), `memory` in Node and tests. */
  storage: 'indexeddb' | 'memory';
  /** Database name prefix: instances with the same name, account and region share storage. */
  name?: string;
  /** The clock (epoch ms): rotation, deletion windows, import expiry and response dates follow it. */
  now?: () => number;
  /** Receives one event per call (issue 4's audit log plugs in here). */
  recorder?: CallRecorder;
}

export interface KmsSimulation extends SimulationSettings {
  region: string;
  /** Simulated custom key store: disconnected keys are Unavailable, connected ones come back. */
  customKeyStore?: { disconnect?: readonly string[]; connect?: readonly string[] };
}

export interface Kms {
  readonly account: string;
  readonly regions: readonly string[];
  /** The client for one region; `principal` defaults to the account root. */
  region(name: string, options?: { principal?: string }): KmsRegionClient;
  /** Changes a region's simulation settings (settings other than `customKeyStore` apply at once). */
  simulate(settings: KmsSimulation): Promise<void>;
  /** Applies every due time-driven event (rotation, expiry, deletion) in every region. */
  tick(): Promise<void>;
  close(): void;
}

const databaseName = (name: string, account: string, region: string) => `${name}:${account}:${region}`;

function checkOptions(options: KmsOptions): { account: string; regions: string[]; name: string; now: () => number } {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object with a storage member');
  if (options.storage !== 'indexeddb' && options.storage !== 'memory') throw new TypeError("options.storage must be 'indexeddb' or 'memory'");
  const account = options.account ?? DEFAULT_ACCOUNT;
  if (typeof account !== 'string' || !/^\d{12}$/.test(account)) throw new RangeError('options.account must be a 12-digit AWS account id');
  const regions = [...(options.regions ?? DEFAULT_REGIONS)];
  if (regions.length === 0 || regions.some((r) => typeof r !== 'string' || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(r))) {
    throw new RangeError('options.regions must be a non-empty list of region names such as us-east-1');
  }
  if (new Set(regions).size !== regions.length) throw new RangeError('options.regions must not repeat a region');
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') throw new TypeError('options.now must be a function returning epoch milliseconds');
  // Unnamed memory storage is private to this instance; a name shares it, as IndexedDB is shared.
  const name = options.name ?? (options.storage === 'memory' ? `memory-${crypto.randomUUID()}` : DEFAULT_NAME);
  if (typeof name !== 'string' || name.length === 0) throw new TypeError('options.name must be a non-empty string');
  return { account, regions, name, now };
}

/**
 * Creates (or opens) a simulated multi-region AWS KMS.
 *
 * @example
 * ```ts
 * import { createKms } from 'envelope-kit/kms';
 * const kms = await createKms({ storage: 'memory' });
 * const east = kms.region('us-east-1');
 * const { KeyMetadata } = await east.createKey({ MultiRegion: true });
 * await east.replicateKey({ KeyId: KeyMetadata.KeyId, ReplicaRegion: 'eu-west-1' });
 * const { CiphertextBlob } = await east.encrypt({ KeyId: KeyMetadata.KeyId, Plaintext: new Uint8Array([1, 2, 3]) });
 * await kms.simulate({ region: 'us-east-1', outage: true });
 * const { Plaintext } = await kms.region('eu-west-1').decrypt({ CiphertextBlob });
 * kms.close();
 * ```
 */
export async function createKms(options: KmsOptions): Promise<Kms> {
  const { account, regions, name, now } = checkOptions(options);
  const recorder = options.recorder ?? recordNothing;
  const runtimes = new Map<string, RegionRuntime>();
  const directory: RegionDirectory = { account, regionNames: regions, peer: (r) => runtimes.get(r), now };
  const stores: RegionStore[] = [];
  try {
    for (const region of regions) {
      const dbName = databaseName(name, account, region);
      const store = options.storage === 'memory' ? new MemoryStore(dbName, region) : await IndexedDbStore.open(dbName, region);
      stores.push(store);
      const root = await store.root(() => createRootKeys(now()));
      runtimes.set(region, new RegionRuntime(region, store, root, directory));
    }
  } catch (error) {
    for (const store of stores) store.close();
    throw error;
  }

  let closed = false;
  const checkOpen = () => {
    if (closed) throw kmsError('KMSInternalException', 'This simulated KMS has been closed; create a new one with createKms.');
  };
  const runtime = (region: string) => {
    const found = runtimes.get(region);
    if (!found) throw new RangeError(`region ${JSON.stringify(region)} is not one of this KMS's regions: ${regions.join(', ')}`);
    return found;
  };

  return {
    account,
    regions,
    region(regionName, clientOptions) {
      const principal = clientOptions?.principal ?? `arn:aws:iam::${account}:root`;
      return createRegionClient({ runtime: runtime(regionName), principal, recorder, checkOpen });
    },
    async simulate(settings) {
      const target = runtime(settings.region);
      target.simulation.apply(settings, now());
      await setConnected(target, settings.customKeyStore?.disconnect ?? [], false);
      await setConnected(target, settings.customKeyStore?.connect ?? [], true);
    },
    async tick() {
      checkOpen();
      for (const r of runtimes.values()) await sweep(r);
    },
    close() {
      if (closed) return;
      closed = true;
      for (const store of stores) store.close();
    },
  };
}

/**
 * Custom key stores hold symmetric single-Region AWS_KMS-style keys only (developer guide, "Custom
 * key stores"), so only such keys can be disconnected; asking for another is a mistake in the test.
 */
async function setConnected(runtime: RegionRuntime, keyIds: readonly string[], connected: boolean): Promise<void> {
  for (const keyId of keyIds) {
    await updateKey(runtime, keyId, async (current) => {
      if (!current) throw kmsError('NotFoundException', `Key '${runtime.arn(keyId)}' does not exist`);
      if (current.KeySpec !== 'SYMMETRIC_DEFAULT' || current.Origin !== 'AWS_KMS' || current.multiRegion) {
        throw kmsError('UnsupportedOperationException', `${runtime.arn(keyId)} cannot be in a custom key store: those hold symmetric, single-Region keys with KMS-generated material.`);
      }
      const { unavailable: _flag, ...rest } = current;
      return { record: connected ? rest : { ...rest, unavailable: true }, result: undefined };
    });
  }
}

/**
 * Deletes every database of a Kms (IndexedDB) or forgets its memory storage: all keys are gone.
 *
 * @example
 * ```ts
 * await deleteKmsStorage({ storage: 'indexeddb', name: 'test-123' });
 * ```
 */
export async function deleteKmsStorage(options: Pick<KmsOptions, 'storage' | 'name' | 'account' | 'regions'>): Promise<void> {
  const name = options.name ?? DEFAULT_NAME;
  const account = options.account ?? DEFAULT_ACCOUNT;
  if (options.storage === 'memory') {
    MemoryStore.forget(`${name}:${account}:`);
    return;
  }
  for (const region of options.regions ?? DEFAULT_REGIONS) await deleteDB(databaseName(name, account, region));
}
