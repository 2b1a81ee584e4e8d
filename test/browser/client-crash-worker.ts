/**
 * A stand-in kit worker for the failure tests: it opens like the real one, then dies of an
 * uncaught error in the middle of an encrypt call and never answers it.
 */
import { expose } from 'comlink';
import type { KitWorkerConfig, KitWorkerInfo } from '../../src/client/protocol.js';

expose({
  async open(_config: KitWorkerConfig): Promise<KitWorkerInfo> {
    return { account: '111122223333', regions: ['us-east-1'], kmsOperations: ['listKeys'], locked: false, lockable: false };
  },
  encrypt(): Promise<never> {
    setTimeout(() => {
      throw new Error('simulated crash inside the worker');
    }, 50);
    return new Promise<never>(() => undefined);
  },
  async close(): Promise<void> {},
});
