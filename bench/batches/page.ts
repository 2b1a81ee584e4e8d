/**
 * The page half of bench/batches.mjs: drives kit.encryptMany / kit.decryptMany (the real kit
 * worker, IndexedDB branch key store) and the comparison worker (worker.ts), and hands Node plain
 * JSON. Record generation is outside every timed span. The kit and the WebCrypto floor are measured
 * in interleaved rounds (one batch each per round, alternating which goes first), so that load
 * from other processes hits both alike.
 */
import { transfer, wrap } from 'comlink';
import { createKit, type Kit } from '../../src/client/kit.js';
import { branchKeyStoreNames } from '../../src/client/protocol.js';
import { deleteKmsStorage } from '../../src/kms/index.js';
import type { ComparisonApi } from './worker.js';
import type { FloorApi } from './floor-worker.js';

const RECORD = 1024;
const REGIONS = ['us-east-1'];

function batchOf(count: number): Uint8Array<ArrayBuffer>[] {
  return Array.from({ length: count }, () => crypto.getRandomValues(new Uint8Array(RECORD)));
}

let floorApi: FloorApi | undefined;
function floorWorker(): FloorApi {
  floorApi ??= wrap<FloorApi>(new Worker('./floor-worker.js', { type: 'module' })) as unknown as FloorApi;
  return floorApi;
}

/** A second floor worker: the floor split over two workers says how much parallelism the machine has to give. */
let secondFloorApi: FloorApi | undefined;
function secondFloorWorker(): FloorApi {
  secondFloorApi ??= wrap<FloorApi>(new Worker('./floor-worker.js', { type: 'module' })) as unknown as FloorApi;
  return secondFloorApi;
}

let comparison: ComparisonApi | undefined;
function comparisonWorker(): ComparisonApi {
  comparison ??= wrap<ComparisonApi>(new Worker('./worker.js', { type: 'module' })) as unknown as ComparisonApi;
  return comparison;
}

/** Messages per second of each batch (page clock: transfer to the worker and back included). */
interface Samples {
  enc: number[];
  dec: number[];
  /** Floor only: the same batches timed inside the worker (no page round trip). */
  encInWorker?: number[];
  decInWorker?: number[];
}

async function kitAndFloor(rounds: number, perBatch: number, ttlSeconds: number) {
  const name = `bench-batches-${crypto.randomUUID()}`;
  const kit: Kit = await createKit({ name, regions: REGIONS, worker: new Worker('./kit.worker.js', { type: 'module' }) });
  const floor = floorWorker();
  try {
    const keyArn = (await kit.kms('us-east-1').createKey({})).KeyMetadata.Arn;
    const branchKeyId = await kit.createBranchKey({ keyId: keyArn });
    const options = { branchKeyId, suiteId: 0x0478 as const, ttlSeconds, encryptionContext: { tenant: 'bench' } };
    const decryptOptions = { encryptionContext: options.encryptionContext };
    // Warm-up (JIT, the branch key fetch): not timed, not counted.
    for (let i = 0; i < 2; i++) {
      await kit.decryptMany(await kit.encryptMany(batchOf(perBatch), options), decryptOptions);
      await kit.decryptMany(await kit.encryptMany(batchOf(perBatch), { ...options, workers: 1 }), { ...decryptOptions, workers: 1 });
      const { messages } = await floor.floorEncrypt(transfer(batchOf(perBatch), []));
      await floor.floorDecrypt(messages);
      const second = await secondFloorWorker().floorEncrypt(transfer(batchOf(perBatch), []));
      await secondFloorWorker().floorDecrypt(second.messages);
    }
    const auditBefore = (await kit.audit.query({ region: 'us-east-1' })).length;
    const kitSamples: Samples = { enc: [], dec: [] };
    // The same kit with `workers: 1`: the whole batch in the kit's worker, as before the pool.
    const singleSamples: Samples = { enc: [], dec: [] };
    const floorSamples: Required<Samples> = { enc: [], dec: [], encInWorker: [], decInWorker: [] };
    // The same floor work split in two halves, one per floor worker, at once.
    const floorTwoSamples: Samples = { enc: [], dec: [] };
    const floor2 = secondFloorWorker();
    let failed = 0;
    const runKitWith = async (inputs: Uint8Array<ArrayBuffer>[], samples: Samples, workers?: number) => {
      let t0 = performance.now();
      const messages = await kit.encryptMany(inputs, { ...options, workers });
      samples.enc.push(perBatch / ((performance.now() - t0) / 1000));
      t0 = performance.now();
      const results = await kit.decryptMany(messages, { ...decryptOptions, workers });
      samples.dec.push(perBatch / ((performance.now() - t0) / 1000));
      failed += results.filter((r) => 'error' in r).length;
    };
    const runKit = async (inputs: Uint8Array<ArrayBuffer>[]) => {
      await runKitWith(inputs, kitSamples);
      await runKitWith(batchOf(perBatch), singleSamples, 1);
    };
    const runFloor = async (inputs: Uint8Array<ArrayBuffer>[]) => {
      let t0 = performance.now();
      const encrypted = await floor.floorEncrypt(transfer(inputs, inputs.map((r) => r.buffer)));
      floorSamples.enc.push(perBatch / ((performance.now() - t0) / 1000));
      floorSamples.encInWorker.push(perBatch / (encrypted.ms / 1000));
      t0 = performance.now();
      const decrypted = await floor.floorDecrypt(transfer(encrypted.messages, encrypted.messages.map((m) => m.buffer)));
      floorSamples.dec.push(perBatch / ((performance.now() - t0) / 1000));
      floorSamples.decInWorker.push(perBatch / (decrypted.ms / 1000));
      const half = Math.floor(perBatch / 2);
      const halves = [batchOf(half), batchOf(perBatch - half)];
      t0 = performance.now();
      const both = await Promise.all([floor, floor2].map((w, i) => w.floorEncrypt(transfer(halves[i]!, halves[i]!.map((r) => r.buffer)))));
      floorTwoSamples.enc.push(perBatch / ((performance.now() - t0) / 1000));
      t0 = performance.now();
      await Promise.all([floor, floor2].map((w, i) => w.floorDecrypt(transfer(both[i]!.messages, both[i]!.messages.map((m) => m.buffer)))));
      floorTwoSamples.dec.push(perBatch / ((performance.now() - t0) / 1000));
    };
    for (let round = 0; round < rounds; round++) {
      const kitInputs = batchOf(perBatch);
      const floorInputs = batchOf(perBatch);
      if (round % 2 === 0) {
        await runKit(kitInputs);
        await runFloor(floorInputs);
      } else {
        await runFloor(floorInputs);
        await runKit(kitInputs);
      }
    }
    const calls = (await kit.audit.query({ region: 'us-east-1' })).slice(auditBefore).map((r) => r.eventName);
    const total = 2 * rounds * perBatch;
    return { total, kit: kitSamples, single: singleSamples, workers: navigator.hardwareConcurrency, floor: floorSamples, floorTwo: floorTwoSamples, kmsCalls: calls.length, kmsCallNames: [...new Set(calls)], failed };
  } finally {
    await kit.close();
    await deleteKmsStorage({ storage: 'indexeddb', name, regions: REGIONS });
    await new Promise((resolve) => {
      const request = indexedDB.deleteDatabase(branchKeyStoreNames(name).database);
      request.onsuccess = request.onerror = request.onblocked = resolve;
    });
  }
}

declare global {
  interface Window {
    batchBench: typeof batchBench;
  }
}

const batchBench = {
  kitAndFloor,
  kmsKeyring: (count: number, latencyMs: number) => comparisonWorker().kmsKeyring(count, latencyMs),
  esdk: (count: number) => comparisonWorker().esdk(count),
  callCounts: (count: number) => comparisonWorker().callCounts(count),
  profile: (count: number) => comparisonWorker().profile(count),
  concurrencySweep: (count: number, levels: number[], rounds: number) => comparisonWorker().concurrencySweep(count, levels, rounds),
  info: () => ({ secure: isSecureContext, userAgent: navigator.userAgent }),
};
window.batchBench = batchBench;
