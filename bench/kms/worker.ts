/**
 * The measuring half of the KMS benchmark (bench/kms.mjs), run in a dedicated Web Worker as the
 * kit runs the KMS (design.md). For one storage it creates a fresh Kms, one symmetric key, and
 * times GenerateDataKey (32-byte keys, a two-pair encryption context) and Decrypt of such data keys,
 * with 1 call in flight (latency-bound) and with `concurrency` calls in flight (throughput).
 * Each cell runs `reps` time boxes of `budgetMs`; the page gets calls/s per box.
 */
import { createKms, deleteKmsStorage, type KmsRegionClient } from '../../src/kms/index.js';

export interface WorkerRequest {
  storage: 'indexeddb' | 'memory';
  /** With the audit log (every call's record stored before it returns) or without. */
  audit: boolean;
  budgetMs: number;
  reps: number;
  concurrency: number;
}

export interface CellResult {
  op: 'GenerateDataKey' | 'Decrypt';
  inFlight: number;
  samples: number[];
}

const context = { tenant: 'bench', purpose: 'data-key' };

async function timeBox(budgetMs: number, inFlight: number, call: (i: number) => Promise<unknown>): Promise<number> {
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
  return done / ((performance.now() - start) / 1000);
}

async function measure(client: KmsRegionClient, keyId: string, request: WorkerRequest): Promise<CellResult[]> {
  // Correctness first: a benchmark of something that does not round-trip is worthless.
  const probe = await client.generateDataKey({ KeyId: keyId, NumberOfBytes: 32, EncryptionContext: context });
  const back = await client.decrypt({ CiphertextBlob: probe.CiphertextBlob, EncryptionContext: context });
  if (back.Plaintext.join() !== probe.Plaintext.join()) throw new Error('Decrypt did not return the data key');

  const blobs: Uint8Array[] = [];
  for (let i = 0; i < 64; i++) blobs.push((await client.generateDataKey({ KeyId: keyId, NumberOfBytes: 32, EncryptionContext: context })).CiphertextBlob);
  const results: CellResult[] = [];
  for (const inFlight of [1, request.concurrency]) {
    for (const op of ['GenerateDataKey', 'Decrypt'] as const) {
      const call =
        op === 'GenerateDataKey'
          ? () => client.generateDataKey({ KeyId: keyId, NumberOfBytes: 32, EncryptionContext: context })
          : (i: number) => client.decrypt({ CiphertextBlob: blobs[i % blobs.length]!, EncryptionContext: context });
      await timeBox(Math.min(200, request.budgetMs), inFlight, call); // warm-up (JIT, caches)
      const samples: number[] = [];
      for (let r = 0; r < request.reps; r++) samples.push(await timeBox(request.budgetMs, inFlight, call));
      results.push({ op, inFlight, samples });
    }
  }
  return results;
}

self.onmessage = async (event: MessageEvent<WorkerRequest>) => {
  const request = event.data;
  const name = `envelope-kit-bench-${Date.now()}`;
  try {
    const kms = await createKms({ storage: request.storage, name, regions: ['us-east-1'], audit: request.audit });
    try {
      const client = kms.region('us-east-1');
      const keyId = (await client.createKey({ Description: 'bench' })).KeyMetadata.KeyId;
      const results = await measure(client, keyId, request);
      self.postMessage({ ok: true, results });
    } finally {
      kms.close();
      await deleteKmsStorage({ storage: request.storage, name, regions: ['us-east-1'] });
    }
  } catch (error) {
    self.postMessage({ ok: false, error: String((error as Error)?.stack ?? error) });
  }
};
