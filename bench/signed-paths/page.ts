/**
 * The page half of bench/signed-paths.mjs: one-shot encrypt/decrypt of signed messages through the
 * core, bundled twice into one page. `window.benchIncremental` passes a signatureHasher that hashes
 * on this thread, so from INCREMENTAL_SIGNATURE_THRESHOLD up frames are hashed in WebAssembly and
 * the digest signed with @noble/curves; `window.benchWebCrypto` is the same core with the threshold
 * set to Infinity at bundle time (WebCrypto's one-call sign/verify over the whole message, what the
 * core does without a hasher). Same page, same runs, alternating: the bar for the incremental path.
 */
import { encrypt, decrypt, RawAesKeyring, type SuiteId } from '../../src/core/index.js';
import { createIncrementalHash } from '../../src/core/hashing/incremental-hash.js';

/**
 * The frame-by-frame path is taken only with a signatureHasher (src/core/signed-body.ts): the
 * incremental bundle passes one that hashes here, on the page's thread, as the core did by itself
 * before; the other bundle (threshold at Infinity) never takes that path.
 */
const signatureHasher = (globalThis as unknown as { __benchName: string }).__benchName === 'benchIncremental' ? (hash: 'SHA-256' | 'SHA-384') => createIncrementalHash(hash) : undefined;
const keyring = new RawAesKeyring({ keyNamespace: 'bench', keyName: 'signed-paths', wrappingKey: new Uint8Array(32).fill(1) });
const mibs = (bytes: number, ms: number) => bytes / 1048576 / (ms / 1000);

const api = {
  /** MiB/s of one encrypt and one decrypt (of that message) of `size` zero bytes. */
  async run(size: number, suiteId: number): Promise<{ enc: number; dec: number }> {
    const data = new Uint8Array(size);
    let t = performance.now();
    const { ciphertext } = await encrypt(keyring, data, { suiteId: suiteId as SuiteId, signatureHasher });
    const enc = mibs(size, performance.now() - t);
    t = performance.now();
    const { plaintext } = await decrypt(keyring, ciphertext, { signatureHasher });
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
  /**
   * Where WebCrypto runs and what a key costs to move: per call, the time spent inside the call
   * (before it returns its promise) and until it settles. Inside ~ settled means the work ran on
   * this thread; inside ~ 0 means it ran elsewhere. Then a structured clone of a private P-384 key
   * (how a key made in another worker arrives).
   */
  async threads(): Promise<Record<string, number>> {
    const subtle = crypto.subtle;
    const alg = { name: 'ECDSA', namedCurve: 'P-384' };
    const timed = async (n: number, call: () => Promise<unknown>) => {
      let inside = 0;
      const t = performance.now();
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        const p = call();
        inside += performance.now() - t0;
        await p;
      }
      return { inside: inside / n, settled: (performance.now() - t) / n };
    };
    for (let i = 0; i < 5; i++) await subtle.generateKey(alg, false, ['sign']);
    const gen = await timed(40, () => subtle.generateKey(alg, false, ['sign']));
    const pair = (await subtle.generateKey(alg, false, ['sign'])) as CryptoKeyPair;
    const data = new Uint8Array(1024);
    const sign = await timed(40, () => subtle.sign({ name: 'ECDSA', hash: 'SHA-384' }, pair.privateKey, data));
    const aesKey = await subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt']);
    const frame = new Uint8Array(262144);
    const iv = new Uint8Array(12);
    // 32 frames issued at once: the time to issue them against the time until all have settled.
    const t = performance.now();
    const pending = Array.from({ length: 32 }, () => subtle.encrypt({ name: 'AES-GCM', iv }, aesKey, frame));
    const issued = performance.now() - t;
    await Promise.all(pending);
    const all = performance.now() - t;
    let clone = Infinity;
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      structuredClone(pair.privateKey);
      clone = Math.min(clone, performance.now() - t0);
    }
    return {
      generateKeyInsideMs: gen.inside,
      generateKeySettledMs: gen.settled,
      signInsideMs: sign.inside,
      signSettledMs: sign.settled,
      aes32IssuedMs: issued,
      aes32SettledMs: all,
      clonePrivateKeyMs: clone,
    };
  },
};

(globalThis as unknown as Record<string, unknown>)[(globalThis as unknown as { __benchName: string }).__benchName] = api;
