/**
 * The page half of bench/batches.mjs: drives kit.encryptMany / kit.decryptMany (the real kit
 * worker, IndexedDB branch key store) and the comparison worker (worker.ts), and hands Node plain
 * JSON. Record generation is outside every timed span.
 */
import { wrap } from 'comlink';
import { createKit, type Kit } from '../../src/client.js';
import { branchKeyStoreNames } from '../../src/protocol.js';
import { deleteKmsStorage } from '../../src/kms/index.js';
import type { ComparisonApi } from './worker.js';

const RECORD = 1024;
const REGIONS = ['us-east-1'];

function batchOf(count: number): Uint8Array<ArrayBuffer>[] {
  return Array.from({ length: count }, () => crypto.getRandomValues(new Uint8Array(RECORD)));
}

async function kitRun(batches: number, perBatch: number, ttlSeconds: number) {
  const name = `bench-batches-${crypto.randomUUID()}`;
  const kit: Kit = await createKit({ name, regions: REGIONS, worker: new Worker('./kit.worker.js', { type: 'module' }) });
  try {
    const keyArn = (await kit.kms('us-east-1').createKey({})).KeyMetadata.Arn;
    const branchKeyId = await kit.createBranchKey({ keyId: keyArn });
    const options = { branchKeyId, suiteId: 0x0478 as const, ttlSeconds, encryptionContext: { tenant: 'bench' } };
    // Warm-up (JIT, the branch key fetch): not timed, not counted.
    await kit.decryptMany(await kit.encryptMany(batchOf(perBatch), options), { encryptionContext: options.encryptionContext });
    const auditBefore = (await kit.audit.query({ region: 'us-east-1' })).length;
    const inputs = Array.from({ length: batches }, () => batchOf(perBatch));
    const messages: Uint8Array[][] = [];
    const encStart = performance.now();
    for (const batch of inputs) messages.push(await kit.encryptMany(batch, options));
    const encMs = performance.now() - encStart;
    const decStart = performance.now();
    let failed = 0;
    for (const batch of messages) {
      const results = await kit.decryptMany(batch, { encryptionContext: options.encryptionContext });
      failed += results.filter((r) => 'error' in r).length;
    }
    const decMs = performance.now() - decStart;
    const calls = (await kit.audit.query({ region: 'us-east-1' })).slice(auditBefore).map((r) => r.eventName);
    const total = batches * perBatch;
    return { total, encPerSec: total / (encMs / 1000), decPerSec: total / (decMs / 1000), kmsCalls: calls.length, kmsCallNames: [...new Set(calls)], failed };
  } finally {
    await kit.close();
    await deleteKmsStorage({ storage: 'indexeddb', name, regions: REGIONS });
    await new Promise((resolve) => {
      const request = indexedDB.deleteDatabase(branchKeyStoreNames(name).database);
      request.onsuccess = request.onerror = request.onblocked = resolve;
    });
  }
}

let comparison: ComparisonApi | undefined;
function comparisonWorker(): ComparisonApi {
  comparison ??= wrap<ComparisonApi>(new Worker('./worker.js', { type: 'module' })) as unknown as ComparisonApi;
  return comparison;
}

declare global {
  interface Window {
    batchBench: typeof batchBench;
  }
}

const batchBench = {
  kit: kitRun,
  kmsKeyring: (count: number) => comparisonWorker().kmsKeyring(count),
  esdk: (count: number) => comparisonWorker().esdk(count),
  profile: (count: number) => comparisonWorker().profile(count),
  info: () => ({ secure: isSecureContext, userAgent: navigator.userAgent }),
};
window.batchBench = batchBench;
