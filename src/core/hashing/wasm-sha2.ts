/**
 * SHA-256 / SHA-384 in WebAssembly (hash-wasm). Loaded only through incremental-hash.ts, on the
 * first signed message hashed incrementally: hash-wasm's module carries its wasm inlined (base64),
 * about 20 KB gzipped for the two binaries, which the core's entry chunk must not pay for.
 *
 * Each hash-wasm hasher is one WebAssembly instance with its own memory (a few pages). Finished
 * hashers are kept for the next message rather than instantiating one per message, and at most a
 * few are kept so that a burst of parallel streams does not pin memory.
 */
import { createSHA256, createSHA384, type IHasher } from 'hash-wasm';
import type { Bytes } from '../types.js';
import type { IncrementalHash, SignatureHash } from './incremental-hash.js';

const KEEP = 4;
const idle: Record<SignatureHash, IHasher[]> = { 'SHA-256': [], 'SHA-384': [] };

/** Compiles and instantiates the SHA-384 binary once; throws where WebAssembly cannot compile. */
export async function warmUp(): Promise<void> {
  const hasher = await createSHA384();
  if (idle['SHA-384'].length < KEEP) idle['SHA-384'].push(hasher);
}

/** A WebAssembly incremental hash (see incremental-hash.ts). */
export async function createWasmHash(hash: SignatureHash): Promise<IncrementalHash> {
  const hasher = idle[hash].pop() ?? (await (hash === 'SHA-256' ? createSHA256() : createSHA384()));
  hasher.init();
  let done = false;
  return {
    implementation: 'webassembly',
    update(data) {
      if (done) throw new Error('this hash is finished: digest() was called');
      hasher.update(data);
    },
    digest() {
      if (done) throw new Error('this hash is finished: digest() was called');
      done = true;
      const digest = hasher.digest('binary') as Bytes;
      if (idle[hash].length < KEEP) idle[hash].push(hasher);
      return digest;
    },
  };
}
