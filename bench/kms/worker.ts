/**
 * The measuring half of the KMS benchmark (bench/kms.mjs), run in a dedicated Web Worker as the
 * kit runs the KMS (design.md). For one storage it opens two Kms instances side by side, one with
 * the audit log off and one with it on, one symmetric key each, and times GenerateDataKey (32-byte
 * keys, a two-pair encryption context) and Decrypt of such data keys, with 1 call in flight
 * (latency-bound) and with `concurrency` calls in flight (throughput).
 *
 * Off and on are measured in alternating time boxes (off, on, on, off, off, on, ...) so that drift
 * in the machine's load hits both alike, and the ratio of each adjacent pair is reported. An
 * audited box ends with `kms.audit.flush()`, inside the box: records that calls stored in the
 * journal and that are committed after the calls returned are paid for by the box that made them.
 */
import { createKms, deleteKmsStorage, type Kms, type KmsRegionClient } from '../../src/kms/index.js';

export interface WorkerRequest {
  storage: 'indexeddb' | 'memory';
  budgetMs: number;
  reps: number;
  concurrency: number;
}

export interface CellResult {
  op: 'GenerateDataKey' | 'Decrypt';
  inFlight: number;
  /** calls/s per box, audit off. */
  off: number[];
  /** calls/s per box, audit on (flush included). */
  on: number[];
  /** on / off of each adjacent pair of boxes. */
  ratios: number[];
}

const context = { tenant: 'bench', purpose: 'data-key' };

async function timeBox(budgetMs: number, inFlight: number, call: (i: number) => Promise<unknown>, settle: () => Promise<void>): Promise<number> {
  let done = 0;
  let next = 0;
  const start = performance.now();
  const deadline = start + budgetMs;
  const lane = async () => {
    while (performance.now() < deadline) {
      await call(next++);
      done++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  await settle();
  return done / ((performance.now() - start) / 1000);
}

interface Side {
  kms: Kms;
  client: KmsRegionClient;
  keyId: string;
  blobs: Uint8Array[];
  settle: () => Promise<void>;
}

async function side(request: WorkerRequest, audit: boolean, name: string): Promise<Side> {
  const kms = await createKms({ storage: request.storage, name, regions: ['us-east-1'], audit });
  const client = kms.region('us-east-1');
  const keyId = (await client.createKey({ Description: 'bench' })).KeyMetadata.KeyId;
  // Correctness first: a benchmark of something that does not round-trip is worthless.
  const probe = await client.generateDataKey({ KeyId: keyId, NumberOfBytes: 32, EncryptionContext: context });
  const back = await client.decrypt({ CiphertextBlob: probe.CiphertextBlob, EncryptionContext: context });
  if (back.Plaintext.join() !== probe.Plaintext.join()) throw new Error('Decrypt did not return the data key');
  const blobs: Uint8Array[] = [];
  for (let i = 0; i < 64; i++) blobs.push((await client.generateDataKey({ KeyId: keyId, NumberOfBytes: 32, EncryptionContext: context })).CiphertextBlob);
  return { kms, client, keyId, blobs, settle: audit ? () => kms.audit.flush() : async () => undefined };
}

function caller(s: Side, op: CellResult['op']): (i: number) => Promise<unknown> {
  return op === 'GenerateDataKey'
    ? () => s.client.generateDataKey({ KeyId: s.keyId, NumberOfBytes: 32, EncryptionContext: context })
    : (i: number) => s.client.decrypt({ CiphertextBlob: s.blobs[i % s.blobs.length]!, EncryptionContext: context });
}

async function measure(off: Side, on: Side, request: WorkerRequest): Promise<CellResult[]> {
  const results: CellResult[] = [];
  for (const inFlight of [1, request.concurrency]) {
    for (const op of ['GenerateDataKey', 'Decrypt'] as const) {
      const cell: CellResult = { op, inFlight, off: [], on: [], ratios: [] };
      // Warm-up (JIT, caches), both sides.
      for (const s of [off, on]) await timeBox(Math.min(200, request.budgetMs), inFlight, caller(s, op), s.settle);
      for (let r = 0; r < request.reps; r++) {
        // ABBA order: whichever side goes first alternates.
        const order = r % 2 === 0 ? [off, on] : [on, off];
        const rates = new Map<Side, number>();
        for (const s of order) rates.set(s, await timeBox(request.budgetMs, inFlight, caller(s, op), s.settle));
        cell.off.push(rates.get(off)!);
        cell.on.push(rates.get(on)!);
        cell.ratios.push(rates.get(on)! / rates.get(off)!);
      }
      results.push(cell);
    }
  }
  return results;
}

self.onmessage = async (event: MessageEvent<WorkerRequest>) => {
  const request = event.data;
  const stamp = Date.now();
  const names = [`envelope-kit-bench-off-${stamp}`, `envelope-kit-bench-on-${stamp}`];
  const sides: Side[] = [];
  try {
    sides.push(await side(request, false, names[0]!));
    sides.push(await side(request, true, names[1]!));
    const results = await measure(sides[0]!, sides[1]!, request);
    self.postMessage({ ok: true, results });
  } catch (error) {
    self.postMessage({ ok: false, error: String((error as Error)?.stack ?? error) });
  } finally {
    for (const s of sides) await s.kms.close();
    for (const name of names) await deleteKmsStorage({ storage: request.storage, name, regions: ['us-east-1'] }).catch(() => undefined);
  }
};
