/**
 * Signed files' footer hashes in a worker of their own (hash.worker.ts). In the kit worker a signed
 * file's thread time is the Blob reading and writing plus the SHA-384 of every byte; measured with
 * `npm run bench:file`, those added up instead of overlapping (the default suite reached ~0.55-0.6
 * of 0x0478 while SHA-384 alone ran at twice the signed file's rate). Here each frame is copied
 * (a memcpy, far cheaper than hashing it) and transferred to the hash worker, which hashes while
 * this thread goes on with the file.
 */
import type { Bytes } from '../../src/core/types.js';
import type { SignatureHash, StreamHasher, StreamHasherFactory } from '../../src/core/hashing/incremental-hash.js';

/** What the kit worker sends to its hash worker. */
export type HashWorkerRequest =
  | { readonly op: 'start'; readonly id: number; readonly hash: SignatureHash }
  | { readonly op: 'update'; readonly id: number; readonly bytes: Uint8Array<ArrayBuffer> }
  | { readonly op: 'digest'; readonly id: number }
  | { readonly op: 'drop'; readonly id: number };

/** What the hash worker answers to a digest request. */
export type HashWorkerReply = { readonly id: number; readonly digest: Uint8Array<ArrayBuffer> } | { readonly id: number; readonly error: string };

/** One hash worker for the kit worker's signed files, started on first use. */
export class RemoteHashers {
  #worker: Worker | undefined;
  #next = 1;
  readonly #waiting = new Map<number, { resolve: (digest: Bytes) => void; reject: (error: Error) => void }>();
  /** A stream that fails never asks for its digest: the worker drops such a hash once its hasher is collected. */
  readonly #registry = new FinalizationRegistry<number>((id) => this.#worker?.postMessage({ op: 'drop', id } satisfies HashWorkerRequest));

  /** The `hasher` option of encryptStream / decryptStream. */
  readonly factory: StreamHasherFactory = async (hash) => this.#create(hash);

  /** Stops the hash worker; hashes still waiting for a digest are rejected. */
  close(): void {
    this.#worker?.terminate();
    this.#worker = undefined;
    this.#fail(new Error('the hash worker was stopped'));
  }

  #create(hash: SignatureHash): StreamHasher {
    const worker = this.#start();
    const id = this.#next++;
    worker.postMessage({ op: 'start', id, hash } satisfies HashWorkerRequest);
    let done = false;
    const hasher: StreamHasher = {
      update: (data) => {
        if (done) throw new Error('this hash is finished: digest() was called');
        if (data.length === 0) return;
        // A copy of exactly these bytes (a view's structured clone would copy its whole buffer), transferred.
        const bytes = data.slice() as Uint8Array<ArrayBuffer>;
        worker.postMessage({ op: 'update', id, bytes } satisfies HashWorkerRequest, [bytes.buffer]);
      },
      digest: () => {
        if (done) throw new Error('this hash is finished: digest() was called');
        done = true;
        this.#registry.unregister(hasher);
        if (this.#worker !== worker) return Promise.reject(new Error('the hash worker failed before this hash was finished'));
        return new Promise<Bytes>((resolve, reject) => {
          this.#waiting.set(id, { resolve, reject });
          worker.postMessage({ op: 'digest', id } satisfies HashWorkerRequest);
        });
      },
    };
    this.#registry.register(hasher, id, hasher);
    return hasher;
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(new URL('./hash.worker.ts', import.meta.url), { type: 'module', name: 'envelope-kit hash worker' });
    worker.addEventListener('message', ({ data }: MessageEvent<HashWorkerReply>) => {
      const waiting = this.#waiting.get(data.id);
      if (!waiting) return;
      this.#waiting.delete(data.id);
      if ('digest' in data) waiting.resolve(data.digest);
      else waiting.reject(new Error(`the hash worker failed: ${data.error}`));
    });
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      if (this.#worker === worker) this.#worker = undefined;
      worker.terminate();
      this.#fail(new Error(`the hash worker failed: ${event.message || 'it could not load'}`));
    });
    this.#worker = worker;
    return worker;
  }

  #fail(error: Error): void {
    for (const waiting of this.#waiting.values()) waiting.reject(error);
    this.#waiting.clear();
  }
}
