/**
 * The kit worker's pool of batch helpers (batch-helper.worker.ts) for kit.encryptMany and
 * kit.decryptMany. Why a pool: a small message is a chain of ~8 WebCrypto calls, each costing the
 * calling thread several microseconds, and that thread, not the crypto, is the bottleneck of a
 * batch (issue 6's measurements); more threads calling WebCrypto run more messages at once.
 *
 * A batch is cut into contiguous shares, one per worker (the kit worker takes the first, helpers
 * the others), so results come back in record order by concatenation. The kit worker works too
 * rather than only dispatching: on a machine with two cores, two threads calling WebCrypto is the
 * most that can run at once. Helpers start on the first batch that uses them and live as long as the kit.
 * Branch keys reach helpers only as non-extractable CryptoKeys (KitBranchKeys.materials).
 */
import { expose, transfer, wrap, type Remote } from 'comlink';
import { fromWireError, KitError, KitErrorCode, type BatchDecryptResult } from '../../src/client/protocol.js';
import type { BatchHelperApi, HelperEncryptOptions, HelperKeySource } from './helper-api.js';
import { type EncryptionContext } from '../../src/core/index.js';

/**
 * Fewest records worth a helper: below this a share costs more in messaging and scheduling than
 * it saves, so small batches use fewer helpers (a batch of under 2 x this stays in the kit worker).
 */
export const MIN_RECORDS_PER_HELPER = 64;

/** The default number of workers for a batch: one per logical core the browser reports. */
export function defaultBatchWorkers(): number {
  const cores = typeof navigator === 'undefined' ? 1 : navigator.hardwareConcurrency;
  return Number.isInteger(cores) && cores > 0 ? cores : 1;
}

/** How many workers a batch of `count` records gets: at most `cap`, the cores, and one per MIN_RECORDS_PER_HELPER records. */
export function workersForBatch(count: number, cap: number | undefined): number {
  // One share per MIN_RECORDS_PER_HELPER records, so two workers from 2 x that on.
  return Math.max(1, Math.min(cap ?? Infinity, defaultBatchWorkers(), Math.floor(count / MIN_RECORDS_PER_HELPER)));
}

/** A running batch helper, for work beside batches (offload.ts). */
export interface PoolHelper {
  readonly remote: Remote<BatchHelperApi>;
  /** Rejects when the helper dies (a load error or a crash): comlink alone would wait forever. */
  readonly failed: Promise<never>;
}

interface Helper {
  readonly worker: Worker;
  readonly remote: Remote<BatchHelperApi>;
  /** Rejects when the helper dies (a load error or a crash): comlink alone would wait forever. */
  readonly failed: Promise<never>;
}

/** Splits `items` into `parts` contiguous shares of nearly equal size. */
function shares<T>(items: readonly T[], parts: number): T[][] {
  const out: T[][] = [];
  for (let i = 0, start = 0; i < parts; i++) {
    const end = Math.round(((i + 1) * items.length) / parts);
    out.push(items.slice(start, end));
    start = end;
  }
  return out;
}

/**
 * Each share's arrays and the buffers to transfer with it. A buffer is transferred once: an array
 * whose buffer another share already sends, or this worker keeps (`kept`), goes as a copy (the
 * page may send the same array twice).
 */
function sendable(shareList: readonly Uint8Array<ArrayBuffer>[][], kept: readonly Uint8Array[]): { items: Uint8Array<ArrayBuffer>[]; buffers: ArrayBuffer[] }[] {
  const taken = new Set<ArrayBufferLike>(kept.map((item) => item.buffer));
  return shareList.map((items) => {
    const buffers: ArrayBuffer[] = [];
    const own = items.map((item) => {
      if (taken.has(item.buffer)) return item.slice();
      taken.add(item.buffer);
      buffers.push(item.buffer);
      return item;
    });
    return { items: own, buffers };
  });
}

/** The kit worker's batch helpers. */
export class BatchPool {
  readonly #helpers: Helper[] = [];
  readonly #keys: HelperKeySource;
  readonly #kitName: string;
  #closed = false;

  /** `keys` answers the helpers' requests for branch key materials (KitBranchKeys.materials). */
  constructor(keys: HelperKeySource, kitName: string) {
    this.#keys = keys;
    this.#kitName = kitName;
  }

  /** Helpers running now. */
  get size(): number {
    return this.#helpers.length;
  }

  /**
   * Encrypts `records` in `workers` shares: the first in this worker with `local`, the others in
   * helpers. Rejects as a whole with the first share's error, as encryptMany does.
   */
  async encryptMany(
    records: Uint8Array<ArrayBuffer>[],
    options: HelperEncryptOptions,
    workers: number,
    local: (records: Uint8Array<ArrayBuffer>[]) => Promise<Uint8Array<ArrayBuffer>[]>,
  ): Promise<Uint8Array<ArrayBuffer>[]> {
    const [own, ...rest] = shares(records, workers);
    const helpers = this.#take(rest.length);
    const remote = sendable(rest, own!).map(({ items, buffers }, i) =>
      Promise.race([helpers[i]!.remote.encryptMany(transfer(items, buffers), options), helpers[i]!.failed]),
    );
    for (const pending of remote) pending.catch(() => undefined); // awaited below, after this worker's share
    const out = await local(own!);
    for (const result of await Promise.all(remote)) {
      if ('error' in result) throw fromWireError(result.error);
      out.push(...result.messages);
    }
    return out;
  }

  /**
   * Decrypts `messages` in `workers` shares, the first in this worker with `local`; each record
   * succeeds or fails alone. Records a helper may not decrypt (no branch key copy) come back and are
   * decrypted by `local` too, in their places.
   */
  async decryptMany(
    messages: Uint8Array<ArrayBuffer>[],
    encryptionContext: EncryptionContext | undefined,
    workers: number,
    local: (messages: Uint8Array<ArrayBuffer>[]) => Promise<BatchDecryptResult[]>,
  ): Promise<BatchDecryptResult[]> {
    const [own, ...rest] = shares(messages, workers);
    const helpers = this.#take(rest.length);
    const remote = sendable(rest, own!).map(({ items, buffers }, i) =>
      Promise.race([helpers[i]!.remote.decryptMany(transfer(items, buffers), encryptionContext), helpers[i]!.failed]),
    );
    for (const pending of remote) pending.catch(() => undefined);
    const out: BatchDecryptResult[] = await local(own!);
    const elsewhere: number[] = [];
    const back: Uint8Array<ArrayBuffer>[] = [];
    for (const answer of await Promise.all(remote)) {
      for (const result of answer) {
        if ('elsewhere' in result) {
          // A helper hands such a message back untouched (it was transferred there).
          elsewhere.push(out.length);
          back.push(result.message);
        }
        out.push(result as BatchDecryptResult);
      }
    }
    if (back.length > 0) {
      const decrypted = await local(back);
      elsewhere.forEach((at, i) => (out[at] = decrypted[i]!));
    }
    return out;
  }

  /** One running helper, started if needed: where the kit worker runs work beside its own (offload.ts). */
  helper(): PoolHelper {
    return this.#take(1)[0]!;
  }

  /** Stops every helper. */
  close(): void {
    this.#closed = true;
    for (const helper of this.#helpers.splice(0)) helper.worker.terminate();
  }

  /** `count` helpers, started if needed. */
  #take(count: number): Helper[] {
    if (this.#closed) throw new KitError(KitErrorCode.CLOSED, 'the kit is closed');
    while (this.#helpers.length < count) this.#helpers.push(this.#start());
    return this.#helpers.slice(0, count);
  }

  #start(): Helper {
    const worker = new Worker(new URL('./batch-helper.worker.ts', import.meta.url), { type: 'module', name: 'envelope-kit batch helper' });
    const failed = new Promise<never>((_, reject) => {
      worker.addEventListener('error', (event) => {
        event.preventDefault();
        const index = this.#helpers.findIndex((h) => h.worker === worker);
        if (index >= 0) this.#helpers.splice(index, 1);
        worker.terminate();
        reject(new KitError(KitErrorCode.WORKER_FAILED, `a batch helper worker failed: ${event.message || 'it could not load'}`));
      });
    });
    failed.catch(() => undefined);
    const remote = wrap<BatchHelperApi>(worker);
    const { port1, port2 } = new MessageChannel();
    expose(this.#keys, port1);
    void remote.init(transfer(port2, [port2]), this.#kitName);
    return { worker, remote, failed };
  }
}
