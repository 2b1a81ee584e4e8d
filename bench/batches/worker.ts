/**
 * The comparison half of bench/batches.mjs, in a worker like the kit's: the plain KMS keyring
 * (one GenerateDataKey per message, calls counted by a wrapping client), the AWS ESDK browser client
 * (raw AES keyring, sequential), and a per-stage profile of one batch's work.
 */
import { expose } from 'comlink';
import { AlgorithmSuiteIdentifier, CommitmentPolicy, RawAesKeyringWebCrypto, RawAesWrappingSuiteIdentifier, buildClient } from '@aws-crypto/client-browser';
import { KmsKeyring, type KmsClient, type KmsClientSupplier } from '../../src/core/index.js';
import { createKms } from '../../src/kms/index.js';
import { findSuite } from '../../src/core/suites.js';
import { deriveKeys } from '../../src/core/kdf.js';
import { importBranchKey, wrapDataKey } from '../../src/core/hierarchical-keyring-wrap.js';
import { decryptRecords, encryptRecords, BATCH_CONCURRENCY } from '../../workers/kit-batches.js';
import { runPool } from '../../src/core/body.js';

const RECORD = 1024;
const batchOf = (count: number) => Array.from({ length: count }, () => crypto.getRandomValues(new Uint8Array(RECORD)));
const rate = (count: number, ms: number) => count / (ms / 1000);

async function kmsKeyring(count: number) {
  const kms = await createKms({ storage: 'memory', regions: ['us-east-1'], name: `bench-${crypto.randomUUID()}`, audit: false });
  let calls = 0;
  const base = kms.region('us-east-1');
  // The client is frozen, so a Proxy may not change its methods: a counting copy instead.
  const counted = Object.fromEntries(
    Object.entries(base).map(([key, value]) => [key, typeof value === 'function' ? (...args: unknown[]) => (calls++, value(...args)) : value]),
  ) as unknown as KmsClient;
  const clientFor: KmsClientSupplier = () => counted;
  const keyArn = (await base.createKey({})).KeyMetadata.Arn;
  const keyring = new KmsKeyring({ generatorKeyId: keyArn, clientFor });
  const context = { tenant: 'bench' };
  await encryptRecords(batchOf(50), { keyring, encryptionContext: context, suiteId: 0x0478 }); // warm-up
  calls = 0;
  const t0 = performance.now();
  const messages = await encryptRecords(batchOf(count), { keyring, encryptionContext: context, suiteId: 0x0478 });
  const encMs = performance.now() - t0;
  const encCalls = calls;
  const t1 = performance.now();
  const results = await decryptRecords(messages, keyring, context);
  const decMs = performance.now() - t1;
  kms.close();
  return { count, encPerSec: rate(count, encMs), decPerSec: rate(count, decMs), kmsCallsPer10k: (encCalls / count) * 10_000, failed: results.filter((r) => 'error' in r).length };
}

async function esdk(count: number) {
  const client = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
  const wrappingSuite = RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING;
  const masterKey = await RawAesKeyringWebCrypto.importCryptoKey(crypto.getRandomValues(new Uint8Array(32)), wrappingSuite);
  const keyring = new RawAesKeyringWebCrypto({ keyNamespace: 'bench', keyName: 'k', wrappingSuite, masterKey });
  const suiteId = AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY;
  const encryptionContext = { tenant: 'bench' };
  const inputs = batchOf(count);
  for (const p of inputs.slice(0, 20)) await client.encrypt(keyring, p, { suiteId, encryptionContext }); // warm-up
  const t0 = performance.now();
  const messages: Uint8Array[] = [];
  for (const p of inputs) messages.push((await client.encrypt(keyring, p, { suiteId, encryptionContext })).result);
  const encMs = performance.now() - t0;
  const t1 = performance.now();
  for (const m of messages) await client.decrypt(keyring, m);
  const decMs = performance.now() - t1;
  return { count, encPerSec: rate(count, encMs), decPerSec: rate(count, decMs) };
}

/**
 * Each WebCrypto stage of one 0x0478 message with the hierarchical keyring, run `count` times
 * with the batch's concurrency: what one stage alone sustains per second.
 */
async function profile(count: number) {
  const suite = findSuite(0x0478)!;
  const branchKey = await importBranchKey(crypto.getRandomValues(new Uint8Array(32)));
  const aes = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt']);
  const record = crypto.getRandomValues(new Uint8Array(RECORD));
  const stage = async (work: () => Promise<unknown>) => {
    await runPool(200, BATCH_CONCURRENCY, async () => void (await work()));
    const t0 = performance.now();
    await runPool(count, BATCH_CONCURRENCY, async () => void (await work()));
    return rate(count, performance.now() - t0);
  };
  const iv = new Uint8Array(12);
  return {
    'keyring: wrapDataKey (HMAC KDF + AES-GCM wrap)': await stage(() =>
      wrapDataKey({ branchKey, branchKeyId: 'b', branchKeyVersion: crypto.randomUUID(), dataKey: crypto.getRandomValues(new Uint8Array(32)), encryptionContext: { tenant: 'bench' } }),
    ),
    'message KDF: deriveKeys (HKDF-SHA512 key + commitment)': await stage(() => deriveKeys(suite, crypto.getRandomValues(new Uint8Array(32)), crypto.getRandomValues(new Uint8Array(32)))),
    'header tag: AES-GCM over ~200 B': await stage(() => crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: record.subarray(0, 200) }, aes, new Uint8Array(0))),
    'frame: AES-GCM of 1 KiB': await stage(() => crypto.subtle.encrypt({ name: 'AES-GCM', iv }, aes, record)),
    'bare WebCrypto call: SHA-256 of 32 B': await stage(() => crypto.subtle.digest('SHA-256', iv)),
  };
}

const api = { kmsKeyring, esdk, profile };
export type ComparisonApi = { [K in keyof typeof api]: (...args: Parameters<(typeof api)[K]>) => Promise<Awaited<ReturnType<(typeof api)[K]>>> };
expose(api);
