/**
 * The page half of the KMS benchmark: starts a dedicated module worker (worker.ts) per storage and
 * hands its results to bench/kms.mjs through `window.benchKms`.
 */
import type { CellResult, WorkerRequest } from './worker.js';

function runInWorker(request: WorkerRequest): Promise<CellResult[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    worker.onmessage = (event: MessageEvent<{ ok: boolean; results?: CellResult[]; error?: string }>) => {
      worker.terminate();
      if (event.data.ok) resolve(event.data.results!);
      else reject(new Error(event.data.error));
    };
    worker.onerror = (event) => {
      worker.terminate();
      reject(new Error(`worker failed to load or threw: ${event.message}`));
    };
    worker.postMessage(request);
  });
}

(window as unknown as { benchKms: unknown }).benchKms = {
  info: () => ({ isSecureContext, hardwareConcurrency: navigator.hardwareConcurrency, indexedDB: typeof indexedDB !== 'undefined' }),
  run: runInWorker,
};
