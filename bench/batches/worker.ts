/**
 * The comparison half of bench/batches.mjs, in a dedicated worker: the plain KMS keyring (one
 * GenerateDataKey / Decrypt per message, calls counted by a wrapping client) with and without
 * simulated latency, the AWS ESDK browser client, a count of the WebCrypto calls per message of the
 * core's batch path and of the floor (floor.ts), what each kind of call costs this thread alone,
 * and a concurrency sweep. The floor itself is timed in floor-worker.ts.
 */
import { expose } from 'comlink';
import { AlgorithmSuiteIdentifier, CommitmentPolicy, RawAesKeyringWebCrypto, RawAesWrappingSuiteIdentifier, buildClient } from '@aws-crypto/client-browser';
import { BranchKeyStore, HierarchicalKeyring, KmsKeyring, type KmsClient, type KmsClientSupplier } from '../../src/core/index.js';
import { createKms } from '../../src/kms/index.js';
import { encryptMany } from '../../src/core/encrypt.js';
import { decryptMany } from '../../src/core/decrypt.js';
import { frameAad, runPool } from '../../src/core/body.js';
import { decryptRecords, encryptRecords, BATCH_CONCURRENCY } from '../../workers/kit-batches.js';
import { BODY_LENGTH, COMMIT_INFO, DERIVE_INFO, FINAL_IV, ZERO_IV, floorBranchKey, floorDecrypt, floorEncrypt, kdfInput, wrapAad } from './floor.js';

const RECORD = 1024;
const REGION = 'us-east-1';
const CONTEXT = { tenant: 'bench' };
const batchOf = (count: number) => Array.from({ length: count }, () => crypto.getRandomValues(new Uint8Array(RECORD)));
const rate = (count: number, ms: number) => count / (ms / 1000);
const subtle = crypto.subtle;

// --- The plain KMS keyring ----------------------------------------------------------------------

/**
 * The plain KMS keyring through the kit's batch functions (encryptRecords / decryptRecords, the
 * same concurrency), against the simulated KMS in memory with `latencyMs` added to every call.
 */
async function kmsKeyring(count: number, latencyMs: number) {
  const kms = await createKms({ storage: 'memory', regions: [REGION], name: `bench-${crypto.randomUUID()}`, audit: false });
  try {
    let calls = 0;
    const base = kms.region(REGION);
    // The client is frozen, so a Proxy may not change its methods: a counting copy instead.
    const counted = Object.fromEntries(
      Object.entries(base).map(([key, value]) => [key, typeof value === 'function' ? (...args: unknown[]) => (calls++, value(...args)) : value]),
    ) as unknown as KmsClient;
    const clientFor: KmsClientSupplier = () => counted;
    const keyArn = (await base.createKey({})).KeyMetadata.Arn;
    const keyring = new KmsKeyring({ generatorKeyId: keyArn, clientFor });
    await encryptRecords(batchOf(50), { keyring, encryptionContext: CONTEXT, suiteId: 0x0478 }); // warm-up, no latency
    await kms.simulate({ region: REGION, latencyMs });
    calls = 0;
    const t0 = performance.now();
    const messages = await encryptRecords(batchOf(count), { keyring, encryptionContext: CONTEXT, suiteId: 0x0478 });
    const encMs = performance.now() - t0;
    const encCalls = calls;
    calls = 0;
    const t1 = performance.now();
    const results = await decryptRecords(messages, keyring, CONTEXT);
    const decMs = performance.now() - t1;
    return {
      count,
      latencyMs,
      encPerSec: rate(count, encMs),
      decPerSec: rate(count, decMs),
      kmsCallsPer10k: { encrypt: (encCalls / count) * 10_000, decrypt: (calls / count) * 10_000 },
      failed: results.filter((r) => 'error' in r).length,
    };
  } finally {
    kms.close();
  }
}

// --- The AWS ESDK -------------------------------------------------------------------------------

async function esdk(count: number) {
  const client = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
  const wrappingSuite = RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING;
  const masterKey = await RawAesKeyringWebCrypto.importCryptoKey(crypto.getRandomValues(new Uint8Array(32)), wrappingSuite);
  const keyring = new RawAesKeyringWebCrypto({ keyNamespace: 'bench', keyName: 'k', wrappingSuite, masterKey });
  const suiteId = AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY;
  const inputs = batchOf(count);
  for (const p of inputs.slice(0, 20)) await client.encrypt(keyring, p, { suiteId, encryptionContext: CONTEXT }); // warm-up
  const t0 = performance.now();
  const messages: Uint8Array[] = [];
  for (const p of inputs) messages.push((await client.encrypt(keyring, p, { suiteId, encryptionContext: CONTEXT })).result);
  const encMs = performance.now() - t0;
  const t1 = performance.now();
  for (const m of messages) await client.decrypt(keyring, m);
  const decMs = performance.now() - t1;
  return { count, encPerSec: rate(count, encMs), decPerSec: rate(count, decMs) };
}

// --- WebCrypto calls per message, and what each costs ---------------------------------------------

const COUNTED = ['encrypt', 'decrypt', 'sign', 'importKey', 'deriveKey', 'deriveBits', 'unwrapKey', 'wrapKey', 'digest', 'generateKey'] as const;

/** Runs `work` with every SubtleCrypto method counted (by wrapping the prototype's methods). */
async function countCalls(work: () => Promise<unknown>): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const proto = SubtleCrypto.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const originals = COUNTED.map((name) => [name, proto[name]!] as const);
  for (const [name, original] of originals) {
    proto[name] = function (this: SubtleCrypto, ...args: unknown[]) {
      counts[name] = (counts[name] ?? 0) + 1;
      return original.apply(this, args);
    };
  }
  try {
    await work();
  } finally {
    for (const [name, original] of originals) proto[name] = original;
  }
  return counts;
}

const perMessage = (counts: Record<string, number>, n: number) => Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, v / n]));

/**
 * WebCrypto calls per message of the core's batch path with the hierarchical keyring (the code the
 * kit's worker runs for encryptMany / decryptMany, here over a memory branch key store), and of
 * the floor, counted over `count` messages after the branch key is cached.
 */
async function callCounts(count: number) {
  const { kms, keyring } = await memoryKeyring();
  try {
    const options = { encryptionContext: CONTEXT, suiteId: 0x0478 as const };
    await decryptMany(keyring, await encryptMany(keyring, batchOf(10), options), options); // caches the branch key
    let messages: Uint8Array[] = [];
    const kitEncrypt = await countCalls(async () => void (messages = await encryptMany(keyring, batchOf(count), options)));
    let failed = 0;
    const kitDecrypt = await countCalls(async () => void (failed = (await decryptMany(keyring, messages, options)).filter((r) => 'error' in r).length));
    let floorMessages: Uint8Array<ArrayBuffer>[] = [];
    const floorEnc = await countCalls(async () => void (floorMessages = (await floorEncrypt(batchOf(count))).messages));
    const floorDec = await countCalls(() => floorDecrypt(floorMessages));
    return {
      concurrency: BATCH_CONCURRENCY,
      kit: { encrypt: perMessage(kitEncrypt, count), decrypt: perMessage(kitDecrypt, count), failed },
      floor: { encrypt: perMessage(floorEnc, count), decrypt: perMessage(floorDec, count) },
    };
  } finally {
    kms.close();
  }
}

/** A hierarchical keyring over a memory branch key store, in this worker (the kit's code, not its worker). */
async function memoryKeyring() {
  const kms = await createKms({ storage: 'memory', regions: [REGION], name: `bench-${crypto.randomUUID()}`, audit: false });
  const keyArn = (await kms.region(REGION).createKey({})).KeyMetadata.Arn;
  const keyStore = new BranchKeyStore({ kms: kms.region(REGION), kmsKeyId: keyArn, logicalKeyStoreName: 'bench', storage: 'memory', name: `bench-${crypto.randomUUID()}` });
  const keyring = new HierarchicalKeyring({ keyStore, branchKeyId: await keyStore.createKey(), ttlSeconds: 900 });
  return { kms, keyring };
}

/**
 * The core's encryptMany / decryptMany at each concurrency (messages in flight), in interleaved
 * rounds of `count` records: what BATCH_CONCURRENCY is chosen from. Medians per level.
 */
async function concurrencySweep(count: number, levels: number[], rounds: number) {
  const { kms, keyring } = await memoryKeyring();
  try {
    const options = { encryptionContext: CONTEXT, suiteId: 0x0478 as const };
    await decryptMany(keyring, await encryptMany(keyring, batchOf(count), options), options);
    const samples = new Map(levels.map((level) => [level, { enc: [] as number[], dec: [] as number[] }]));
    for (let round = 0; round < rounds; round++) {
      for (const level of round % 2 === 0 ? levels : [...levels].reverse()) {
        const inputs = batchOf(count);
        let t0 = performance.now();
        const messages = await encryptMany(keyring, inputs, { ...options, concurrency: level });
        samples.get(level)!.enc.push(rate(count, performance.now() - t0));
        t0 = performance.now();
        await decryptMany(keyring, messages, { ...options, concurrency: level });
        samples.get(level)!.dec.push(rate(count, performance.now() - t0));
      }
    }
    return [...samples.entries()].map(([level, { enc, dec }]) => ({ level, enc, dec }));
  } finally {
    kms.close();
  }
}

/**
 * Each kind of WebCrypto call of the chain alone, `count` times at the batch concurrency, with the
 * kit's sizes: what one call costs this thread (µs per call at full throughput).
 */
async function profile(count: number) {
  const hmac = await floorBranchKey();
  const aes = await subtle.importKey('raw', crypto.getRandomValues(new Uint8Array(32)), 'AES-GCM', false, ['encrypt', 'decrypt', 'unwrapKey']);
  const hkdf = await subtle.importKey('raw', crypto.getRandomValues(new Uint8Array(32)), 'HKDF', false, ['deriveKey', 'deriveBits']);
  const record = crypto.getRandomValues(new Uint8Array(RECORD));
  const key32 = crypto.getRandomValues(new Uint8Array(32));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const header = crypto.getRandomValues(new Uint8Array(BODY_LENGTH));
  const messageId = header.subarray(3, 35);
  const wrapped = new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv, additionalData: wrapAad }, aes, key32));
  const stage = async (work: () => Promise<unknown>) => {
    await runPool(200, BATCH_CONCURRENCY, async () => void (await work()));
    const t0 = performance.now();
    await runPool(count, BATCH_CONCURRENCY, async () => void (await work()));
    return 1000 * ((performance.now() - t0) / count);
  };
  const hkdfParams = { name: 'HKDF', hash: 'SHA-512', salt: messageId, info: DERIVE_INFO };
  return {
    'sign (HMAC-SHA-256, 42 B: wrapping key KDF)': await stage(() => subtle.sign('HMAC', hmac, kdfInput(iv))),
    'importKey (raw AES-GCM wrapping key)': await stage(() => subtle.importKey('raw', key32, 'AES-GCM', false, ['encrypt'])),
    'encrypt (AES-GCM, 32 B data key, wrapping AAD)': await stage(() => subtle.encrypt({ name: 'AES-GCM', iv, additionalData: wrapAad }, aes, key32)),
    'unwrapKey (AES-GCM into an HKDF key)': await stage(() => subtle.unwrapKey('raw', wrapped, aes, { name: 'AES-GCM', iv, additionalData: wrapAad }, 'HKDF', false, ['deriveKey', 'deriveBits'])),
    'importKey (raw HKDF data key)': await stage(() => subtle.importKey('raw', key32, 'HKDF', false, ['deriveKey', 'deriveBits'])),
    'deriveKey (HKDF-SHA-512 -> AES-256-GCM content key)': await stage(() => subtle.deriveKey(hkdfParams, hkdf, { name: 'AES-GCM', length: 256 }, false, ['encrypt'])),
    'deriveBits (HKDF-SHA-512, 256-bit commitment key)': await stage(() => subtle.deriveBits({ ...hkdfParams, info: COMMIT_INFO }, hkdf, 256)),
    'encrypt (AES-GCM header tag, header-sized AAD)': await stage(() => subtle.encrypt({ name: 'AES-GCM', iv: ZERO_IV, additionalData: header }, aes, new Uint8Array(0))),
    'encrypt (AES-GCM, 1 KiB frame)': await stage(() => subtle.encrypt({ name: 'AES-GCM', iv: FINAL_IV, additionalData: frameAad(messageId, 'final', 1, RECORD) }, aes, record)),
    'digest (SHA-256 of 32 B: a bare call)': await stage(() => subtle.digest('SHA-256', key32)),
  };
}

const api = { kmsKeyring, esdk, callCounts, profile, concurrencySweep };
export type ComparisonApi = { [K in keyof typeof api]: (...args: Parameters<(typeof api)[K]>) => Promise<Awaited<ReturnType<(typeof api)[K]>>> };
expose(api);
