/**
 * Incremental SHA-256 / SHA-384 for the footer signature of signed suites (spec:
 * data-format/message-footer.md: the signature covers the header and body, hashed with the suite's
 * hash). WebCrypto's `digest` takes one whole input, so messages that are signed or verified piece
 * by piece (streams, files, large one-shot messages) hash here.
 *
 * Two implementations give the same bytes:
 * - WebAssembly (hash-wasm, the default): 444 MiB/s SHA-384 in a Chromium worker against 74 MiB/s
 *   for JavaScript (issue 16's table, 64 MiB in 256 KiB updates), faster than AES-GCM itself, so
 *   hashing a frame while the next frames are in WebCrypto no longer limits signed messages.
 * - JavaScript (@noble/hashes): where WebAssembly cannot compile. A page whose Content Security
 *   Policy has `script-src` without `'wasm-unsafe-eval'` refuses `WebAssembly.compile`; so do
 *   engines or embedders with WebAssembly switched off.
 *
 * Both load only when a signed message is hashed incrementally (the core's entry chunk imports
 * neither), and the wasm binary is inlined in hash-wasm's module as base64: nothing is fetched at
 * run time, so the offline demo keeps working.
 */
import type { Bytes } from '../types.js';

/** The hashes of signed suites' footers (P-256 with SHA-256, P-384 with SHA-384). */
export type SignatureHash = 'SHA-256' | 'SHA-384';

/** Which implementation hashes. */
export type HashImplementation = 'webassembly' | 'javascript';

/** An incremental hash: update with the message's pieces in order, then digest once. */
export interface IncrementalHash {
  /** Feeds the next bytes (any length, including 0). The bytes are read before this returns. */
  update(data: Uint8Array): void;
  /** The digest of everything fed; the hash is finished and must not be used again. */
  digest(): Bytes;
  readonly implementation: HashImplementation;
}

/** Options of {@link createIncrementalHash}. */
export interface IncrementalHashOptions {
  /**
   * `'auto'` (default): WebAssembly, or JavaScript where WebAssembly cannot compile.
   * `'webassembly'`: fail when WebAssembly cannot compile. `'javascript'`: @noble/hashes.
   */
  readonly implementation?: 'auto' | HashImplementation;
}

type WasmModule = typeof import('./wasm-sha2.js');

/** The wasm loader, once per realm; `null` once WebAssembly has been found not to compile here. */
let wasm: Promise<WasmModule | null> | undefined;
let wasmFailure: unknown;

function loadWasm(): Promise<WasmModule | null> {
  wasm ??= import('./wasm-sha2.js').then(async (module) => {
    try {
      // Compiling once here tells whether this realm allows WebAssembly (a CSP refusal is a
      // CompileError or an EvalError, depending on the engine), so a refusal is met once, not per message.
      await module.warmUp();
      return module;
    } catch (error) {
      wasmFailure = error;
      return null;
    }
  });
  return wasm;
}

/**
 * Why WebAssembly hashing is not used in this realm (the engine's error, e.g. a CSP refusal), or
 * undefined when it is used or has not been tried yet.
 */
export function webAssemblyHashFailure(): unknown {
  return wasmFailure;
}

/**
 * An incremental SHA-256 or SHA-384.
 *
 * @example
 * ```ts
 * const hash = await createIncrementalHash('SHA-384');
 * hash.update(header);
 * hash.update(frame);
 * const digest = hash.digest(); // 48 bytes
 * ```
 */
export async function createIncrementalHash(hash: SignatureHash, options: IncrementalHashOptions = {}): Promise<IncrementalHash> {
  if (hash !== 'SHA-256' && hash !== 'SHA-384') throw new RangeError(`hash must be 'SHA-256' or 'SHA-384', not ${String(hash)}`);
  const implementation = options.implementation ?? 'auto';
  if (implementation !== 'auto' && implementation !== 'webassembly' && implementation !== 'javascript') {
    throw new RangeError("options.implementation must be 'auto', 'webassembly' or 'javascript'");
  }
  if (implementation !== 'javascript') {
    const module = await loadWasm();
    if (module) return module.createWasmHash(hash);
    if (implementation === 'webassembly') {
      throw new Error('WebAssembly cannot compile in this realm (a Content-Security-Policy without \'wasm-unsafe-eval\'?)', { cause: wasmFailure });
    }
  }
  return createJavaScriptHash(hash);
}

async function createJavaScriptHash(hash: SignatureHash): Promise<IncrementalHash> {
  const { sha256, sha384 } = await import('@noble/hashes/sha2.js');
  const h = hash === 'SHA-256' ? sha256.create() : sha384.create();
  return {
    implementation: 'javascript',
    update: (data) => void h.update(data),
    digest: () => h.digest() as Bytes,
  };
}
