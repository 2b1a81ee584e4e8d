/**
 * Work the kit worker hands to a batch helper so that it runs beside its own on another core: the
 * footer hash of signed files and large signed messages, and the one-time ECDSA key pairs of signed
 * messages (issue 16).
 *
 * Why another worker and not "in the background" on this one: Chromium runs WebCrypto calls on the
 * calling thread (a P-384 key generation, a sign and every AES-GCM frame run where `crypto.subtle`
 * was called; two key generations at once take as long as two in a row: `node bench/signed-paths.mjs`
 * prints these figures), so a key pair generated "ahead" or a hash computed "while the frames are in
 * WebCrypto" still takes this thread's time. Only another thread overlaps them, and only when the
 * machine has a second core (the kit worker starts helpers only then: CreateKitOptions.helperWorkers).
 */
import { transfer } from 'comlink';
import { createIncrementalHash, generateSigningKey, type SignatureHasher, type SignatureHashName, type SigningKey, type SigningKeySource } from '../../src/core/index.js';
import { KitError, KitErrorCode } from '../../src/client/protocol.js';
import type { PoolHelper } from './batch-pool.js';
import { HASH_STALL_MS, LATE, PortHash, withinMs } from '../../src/client/port-hash.js';

/** Keys asked of the helper at a time, and the stock below which more are asked for. */
const KEYS_PER_REQUEST = 16;
const LOW_STOCK = 16;

type Curve = 'P-256' | 'P-384';

/** What a structured clone of `key` costs this thread, in ms: the best of three (serialising and deserialising, both here). */
function cloneCost(key: CryptoKey): number {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    structuredClone(key);
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

/** The kit worker's hash sessions and signing key stock in a batch helper. */
export class Offload {
  readonly #helper: () => Promise<PoolHelper>;
  readonly #stallMs: number;
  readonly #stock = new Map<Curve, SigningKey[]>();
  readonly #refilling = new Set<Curve>();
  #keysFailed = false;

  /**
   * `helper` gives the pool's side helper, ready (BatchPool.helper), started on first use.
   * `keyStock`: 'measure' (default) decides per curve on the first key whether keys from the helper
   * are cheaper here than keys made here (see signingKeys); 'always' and 'never' decide for it.
   */
  constructor(helper: () => Promise<PoolHelper>, options: { keyStock?: 'measure' | 'always' | 'never'; stallMs?: number } = {}) {
    this.#helper = helper;
    this.#stallMs = options.stallMs ?? HASH_STALL_MS;
    if (options.keyStock === 'always' || options.keyStock === 'never') {
      for (const curve of ['P-256', 'P-384'] as const) this.#stockPays.set(curve, options.keyStock === 'always');
    }
  }

  /**
   * DefaultCmm's `signingKeys`: a non-extractable key from the stock the helper keeps filled, or one
   * generated here when the stock is empty (the first messages, or a helper that failed), so no
   * message waits for the helper. Extractable keys (streams, large messages: one per file) are
   * generated here.
   *
   * Whether the stock pays is the engine's business, so it is measured, once per curve, on the first
   * key: a key from another worker arrives by structured clone, and deserialising a private EC key
   * can cost this thread as much as generating one. Chromium 156: generateKey P-384 0.5-0.9 ms on the
   * calling thread, a structured clone of the private key 1.1-1.3 ms (it re-imports the key and
   * recomputes its public point), so there the stock would only double the CPU spent. Firefox ESR
   * 153: generateKey 3.8-4.7 ms on its crypto threads, a clone 0.04 ms, so the stock takes 4 ms of
   * key generation off every small signed message. (`node bench/run.mjs --only='0x0578 1 KiB'`
   * shows the effect; the clone and generation figures come from `node bench/signed-paths.mjs`.)
   */
  readonly signingKeys: SigningKeySource = async (curve, { extractable }) => {
    if (extractable) return generateSigningKey(curve, true);
    const verdict = this.#stockPays.get(curve);
    if (verdict === undefined) {
      const started = performance.now();
      const key = await generateSigningKey(curve);
      const generated = performance.now() - started;
      this.#stockPays.set(curve, cloneCost(key.privateKey) < generated / 2);
      return key;
    }
    if (!verdict) return generateSigningKey(curve);
    const stock = this.#stock.get(curve) ?? [];
    this.#stock.set(curve, stock);
    const key = stock.pop();
    if (stock.length < LOW_STOCK) this.#refill(curve);
    return key ?? generateSigningKey(curve);
  };

  /** Per curve: whether a key from the helper costs this thread less than one made here (see signingKeys). */
  readonly #stockPays = new Map<Curve, boolean>();

  #refill(curve: Curve): void {
    if (this.#keysFailed || this.#refilling.has(curve)) return;
    this.#refilling.add(curve);
    this.#helper()
      .then((helper) => Promise.race([helper.remote.signingKeys(curve, KEYS_PER_REQUEST), helper.failed]))
      .then((keys) => this.#stock.get(curve)!.push(...keys))
      // Closed, helpers that cannot load here, or a helper that died: keys are made here from now on.
      .catch(() => (this.#keysFailed = true))
      .finally(() => this.#refilling.delete(curve));
  }

  /**
   * A `signatureHasher` for the messages of one call, and `close()` to end its sessions in the
   * helper when the call is over, however it ended (a failed or aborted stream never asks for its
   * digest).
   */
  hashing(): { readonly hasher: SignatureHasher; close(): void } {
    const open = new Set<PortHash>();
    const hasher: SignatureHasher = async (hash) => {
      const { port1: port, port2 } = new MessageChannel();
      const helper = await this.openSession(port2, hash);
      if (!helper) {
        port.close();
        return createIncrementalHash(hash);
      }
      const session: PortHash = new PortHash(port, {
        failed: helper.failed,
        stalled: (error) => helper.stop(error),
        done: () => open.delete(session),
        stallMs: this.#stallMs,
      });
      open.add(session);
      return session;
    };
    return {
      hasher,
      close() {
        for (const session of open) session.end();
        open.clear();
      },
    };
  }

  /**
   * Starts a hash session in the side helper on `port` (transferred to it; see src/client/port-hash.ts
   * for what the port then carries). Resolves the helper, or undefined when helpers cannot load here
   * (a CSP, a failed start) or the helper does not open the session within the stall time (it is
   * then stopped, and reported on the console): the caller then hashes on its own thread, as
   * without helpers. Every other wait on the session is bounded the same way (PortHash).
   */
  async openSession(port: MessagePort, hash: SignatureHashName): Promise<PoolHelper | undefined> {
    let helper: PoolHelper;
    try {
      helper = await this.#helper();
    } catch (error) {
      if (error instanceof KitError && error.code === KitErrorCode.CLOSED) throw error;
      return undefined;
    }
    const opened = await withinMs(Promise.race([helper.remote.hashSession(transfer(port, [port]), hash), helper.failed]), this.#stallMs);
    if (opened !== LATE) return helper;
    const error = new KitError(KitErrorCode.WORKER_FAILED, `the hash helper worker did not open a session within ${this.#stallMs / 1000} s`);
    console.warn(`envelope-kit: ${error.message}; it is stopped and this call hashes in the kit worker`);
    helper.stop(error);
    return undefined;
  }
}
