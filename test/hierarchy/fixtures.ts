/**
 * What the hierarchy suites share: the simulated KMS in memory, a KMS key, a branch key store on a
 * fresh memory database, a KMS client that counts calls, a key store that counts reads, and a
 * static key store with fixed branch key bytes (the known-answer tests' seam).
 */
import { createKms } from '../../src/kms/index.js';
import {
  BranchKeyStore,
  type BranchKeyMaterials,
  type BranchKeySource,
  type BranchKeyStoreOptions,
  type KmsClient,
} from '../../src/core/index.js';
import { importBranchKey } from '../../src/core/hierarchical-keyring-wrap.js';

export type Kms = Awaited<ReturnType<typeof createKms>>;
export const REGION = 'us-east-1';
export const text = (s: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(s);
export const hex = (h: string): Uint8Array<ArrayBuffer> => new Uint8Array(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
export const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

let counter = 0;
/** A name no other test uses: memory databases are shared by name within the process. */
export const uniqueName = (prefix: string): string => `${prefix}-${process.pid}-${++counter}-${Math.random().toString(36).slice(2)}`;

/** A simulated KMS and one symmetric key in us-east-1. */
export async function kmsWithKey(now?: () => number): Promise<{ kms: Kms; keyArn: string }> {
  const kms = await createKms({ storage: 'memory', ...(now ? { now } : {}) });
  const { KeyMetadata } = await kms.region(REGION).createKey({ Description: 'branch key store test key' });
  return { kms, keyArn: KeyMetadata.Arn };
}

/** Counts KMS calls by operation name, passing each through to `inner`. */
export function countingClient(inner: KmsClient): { client: Required<KmsClient>; calls: string[] } {
  const calls: string[] = [];
  const client: Required<KmsClient> = {
    generateDataKey: (r) => (calls.push('GenerateDataKey'), inner.generateDataKey(r)),
    encrypt: (r) => (calls.push('Encrypt'), inner.encrypt(r)),
    decrypt: (r) => (calls.push('Decrypt'), inner.decrypt(r)),
    generateDataKeyWithoutPlaintext: (r) => (calls.push('GenerateDataKeyWithoutPlaintext'), inner.generateDataKeyWithoutPlaintext!(r)),
    reEncrypt: (r) => (calls.push('ReEncrypt'), inner.reEncrypt!(r)),
  };
  return { client, calls };
}

export interface StoreFixture {
  kms: Kms;
  keyArn: string;
  store: BranchKeyStore;
  calls: string[];
  client: Required<KmsClient>;
  options: BranchKeyStoreOptions;
}

/** A branch key store on a fresh memory database, its KMS client counting calls. */
export async function storeFixture(overrides: Partial<BranchKeyStoreOptions> = {}): Promise<StoreFixture> {
  const { kms, keyArn } = await kmsWithKey();
  const { client, calls } = countingClient(kms.region(REGION));
  const options: BranchKeyStoreOptions = {
    kms: client,
    kmsKeyId: keyArn,
    logicalKeyStoreName: 'hierarchy-tests',
    storage: 'memory',
    name: uniqueName('bks'),
    ...overrides,
  };
  return { kms, keyArn, store: new BranchKeyStore(options), calls, client, options };
}

/** Wraps a key store, counting its reads (each one is a KMS Decrypt for a real store). */
export function countingSource(inner: BranchKeySource): BranchKeySource & { active: number; versions: number } {
  const source = {
    logicalKeyStoreName: inner.logicalKeyStoreName,
    active: 0,
    versions: 0,
    getActiveKey(id: string) {
      source.active++;
      return inner.getActiveKey(id);
    },
    getKeyVersion(id: string, version: string) {
      source.versions++;
      return inner.getKeyVersion(id, version);
    },
  };
  return source;
}

/** A key store of fixed branch keys: `keys[branchKeyId][version] = 32 bytes`; the first version is active. */
export function staticSource(logicalKeyStoreName: string, keys: Record<string, Record<string, Uint8Array>>): BranchKeySource {
  const materials = async (id: string, version: string): Promise<BranchKeyMaterials> => {
    const bytes = keys[id]?.[version];
    if (!bytes) throw Object.assign(new Error(`no version ${version} of ${id}`), { name: 'NotFound' });
    return { branchKeyIdentifier: id, branchKeyVersion: version, branchKey: await importBranchKey(bytes), encryptionContext: {} };
  };
  return {
    logicalKeyStoreName,
    getActiveKey: (id) => materials(id, Object.keys(keys[id] ?? {})[0] ?? 'none'),
    getKeyVersion: materials,
  };
}

/** Awaits a rejection and returns the error. */
export async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a rejection');
}
