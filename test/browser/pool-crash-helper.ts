/**
 * A batch helper that dies of an uncaught error on its first piece of work (an 'error' event at
 * the kit worker), for pool-fault-kit-worker.ts. The real helper runs beside it, unchanged.
 */
import '../../workers/pool/batch-helper.worker.js';

self.addEventListener('message', (event: MessageEvent) => {
  const data = event.data as { type?: string; path?: unknown[] } | null;
  if (data?.type === 'APPLY' && (data.path?.[0] === 'encryptMany' || data.path?.[0] === 'decryptMany')) {
    setTimeout(() => {
      throw new Error('simulated crash of a batch helper');
    });
  }
});
