/**
 * The page half of bench/signed-paths.mjs: one-shot encrypt/decrypt of signed messages through the
 * core, bundled twice into one page. `window.benchIncremental` is the core as shipped (from
 * INCREMENTAL_SIGNATURE_THRESHOLD up, frames hashed in WebAssembly beside AES-GCM and the digest
 * signed with @noble/curves); `window.benchWebCrypto` is the same core with the threshold set to
 * Infinity at bundle time (WebCrypto's one-call sign/verify over the whole message, as before
 * issue 16). Same page, same runs, alternating: the bar for the incremental path.
 */
import { encrypt, decrypt, RawAesKeyring, type SuiteId } from '../../src/core/index.js';
import { createIncrementalHash } from '../../src/core/hashing/incremental-hash.js';

const keyring = new RawAesKeyring({ keyNamespace: 'bench', keyName: 'signed-paths', wrappingKey: new Uint8Array(32).fill(1) });
const mibs = (bytes: number, ms: number) => bytes / 1048576 / (ms / 1000);

const api = {
  /** MiB/s of one encrypt and one decrypt (of that message) of `size` zero bytes. */
  async run(size: number, suiteId: number): Promise<{ enc: number; dec: number }> {
    const data = new Uint8Array(size);
    let t = performance.now();
    const { ciphertext } = await encrypt(keyring, data, { suiteId: suiteId as SuiteId });
    const enc = mibs(size, performance.now() - t);
    t = performance.now();
    const { plaintext } = await decrypt(keyring, ciphertext);
    if (plaintext.length !== size) throw new Error('round trip failed');
    return { enc, dec: mibs(size, performance.now() - t) };
  },
  /** SHA-384 of `size` bytes: the incremental hash in 256 KiB updates, and WebCrypto's one-shot digest. */
  async hash(size: number): Promise<{ incremental: number; webCryptoOneShot: number; implementation: string }> {
    const data = new Uint8Array(size);
    const t = performance.now();
    const h = await createIncrementalHash('SHA-384');
    for (let i = 0; i < size; i += 262144) h.update(data.subarray(i, i + 262144));
    h.digest();
    const t2 = performance.now();
    await crypto.subtle.digest('SHA-384', data);
    return { incremental: mibs(size, t2 - t), webCryptoOneShot: mibs(size, performance.now() - t2), implementation: h.implementation };
  },
};

(globalThis as unknown as Record<string, unknown>)[(globalThis as unknown as { __benchName: string }).__benchName] = api;
