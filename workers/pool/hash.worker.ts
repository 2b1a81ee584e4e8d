/**
 * The kit worker's hash worker (remote-hasher.ts): computes signed files' footer hashes, so that
 * the kit worker's own thread only reads, encrypts (WebCrypto) and writes. Messages, in order per
 * hash id: start, any number of updates (bytes transferred), digest (answered with the digest).
 */
import { createIncrementalHash, type IncrementalHash, type SignatureHash } from '../../src/core/hashing/incremental-hash.js';
import type { HashWorkerReply, HashWorkerRequest } from './remote-hasher.js';

const hashes = new Map<number, Promise<IncrementalHash>>();
const scope = self as unknown as { onmessage: ((event: MessageEvent<HashWorkerRequest>) => void) | null; postMessage(message: HashWorkerReply, transfer?: Transferable[]): void };

scope.onmessage = ({ data }) => {
  switch (data.op) {
    case 'start':
      hashes.set(data.id, createIncrementalHash(data.hash as SignatureHash));
      break;
    case 'update': {
      // Hashed as soon as the hash exists; updates of one id stay in order on the promise chain.
      const pending = hashes.get(data.id);
      if (pending) hashes.set(data.id, pending.then((h) => (h.update(data.bytes), h)));
      break;
    }
    case 'digest': {
      const pending = hashes.get(data.id);
      hashes.delete(data.id);
      if (!pending) {
        scope.postMessage({ id: data.id, error: 'unknown hash' });
        break;
      }
      pending.then(
        (h) => {
          const digest = h.digest();
          scope.postMessage({ id: data.id, digest }, [digest.buffer]);
        },
        (error: unknown) => scope.postMessage({ id: data.id, error: String(error) }),
      );
      break;
    }
    case 'drop':
      hashes.delete(data.id);
      break;
  }
};
