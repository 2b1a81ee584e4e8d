/**
 * The kit worker's pool of batch helpers (batch-helper.worker.ts) for kit.encryptMany and
 * kit.decryptMany. Why a pool: a small message is a chain of ~8 WebCrypto calls, each costing the
 * calling thread several microseconds, and that thread, not the crypto, is the bottleneck of a
 * batch (issue 6's measurements); more threads calling WebCrypto run more messages at once.
 *
 * A batch is cut into chunks that the kit worker and the helpers pull from one queue
 * (batch-chunks.ts), results placed by record index, so a helper starting cold takes fewer chunks
 * instead of holding up a fixed share, and a helper that never answers costs the batch a bounded
 * grace, not the batch. The kit worker works too rather than only dispatching: on a machine with
 * two cores, two threads calling WebCrypto is the most that can run at once. Helpers start on the
 * first batch that uses them and live as long as the kit, unless one dies or misses a deadline.
 * Branch keys reach helpers only as non-extractable CryptoKeys (KitBranchKeys.materials).
 */
import { expose, transfer, wrap, type Remote } from 'comlink';
import { fromWireError, KitError, KitErrorCode, type BatchDecryptResult } from '../../src/client/protocol.js';
import { HELPER_READY, type BatchHelperApi, type HelperEncryptOptions, type HelperKeySource, type NotForHelper } from './helper-api.js';
import { runInChunks, type ChunkOutcome } from './batch-chunks.js';
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

/** A running helper, for work beside batches (offload.ts). */
export interface PoolHelper {
  readonly remote: Remote<BatchHelperApi>;
  /** Rejects when the helper dies (a load error or a crash) or is stopped: comlink alone would wait forever. */
  readonly failed: Promise<never>;
  /** Terminates the helper (one that stopped answering) and rejects `failed`; the next use starts another. */
  stop(reason: Error): void;
}

/**
 * How long a new helper may take to load and run `init` before it counts as failed. Loading is one
 * module graph from the same origin (tens of ms; a few hundred under load); no batch waits for it
 * (the kit worker takes every chunk meanwhile), so this only frees the place of a helper that will
 * never start.
 */
const HELPER_START_MS = 10_000;

interface Helper {
  readonly worker: Worker;
  readonly remote: Remote<BatchHelperApi>;
  /** Resolves once the helper has signalled HELPER_READY and run `init`; rejects if it failed to load or start in time. */
  readonly ready: Promise<void>;
  /** Rejects when the helper dies (an error event, a message it sent that could not be read) or is stopped: comlink alone would wait forever. */
  readonly failed: Promise<never>;
  /** Terminates the worker and rejects `failed`. */
  stop(reason: Error): void;
}

/** Copies of `items[start..end)`, each with its own buffer, and those buffers to transfer. */
function copies(items: readonly Uint8Array<ArrayBuffer>[], start: number, end: number): { items: Uint8Array<ArrayBuffer>[]; buffers: ArrayBuffer[] } {
  const own = items.slice(start, end).map((item) => item.slice());
  return { items: own, buffers: own.map((item) => item.buffer) };
}

/**
 * The kit worker's batch helpers. A batch is run in chunks from one queue that the kit worker and
 * its helpers pull from (batch-chunks.ts): results in record order, no batch waiting on a helper
 * that never answers. Helpers are sent copies of their chunks, so the kit worker can still redo a
 * chunk whose helper died or missed its deadline; such a helper is retired (terminated) and
 * replaced by a later batch. A helper that fails to load is reported on the console and the pool
 * stops starting helpers: batches then run in the kit worker alone, as with `workers: 1`.
 */
export class BatchPool {
  readonly #helpers: Helper[] = [];
  readonly #keys: HelperKeySource;
  readonly #kitName: string;
  #closed = false;
  /** Why helpers cannot load here (a missing or broken script is not fixed by trying again). */
  #loadFailure: Error | undefined;
  /** The helper for work beside batches (helper()). */
  #side: Helper | undefined;

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
   * Encrypts `records` over this worker (with `local`) and up to `workers - 1` helpers, in record
   * order. Rejects as a whole with the error of the first failing record's chunk, as encryptMany
   * does. Every record is zeroed once the batch is over.
   */
  async encryptMany(
    records: Uint8Array<ArrayBuffer>[],
    options: HelperEncryptOptions,
    workers: number,
    local: (records: Uint8Array<ArrayBuffer>[]) => Promise<Uint8Array<ArrayBuffer>[]>,
  ): Promise<Uint8Array<ArrayBuffer>[]> {
    try {
      return await this.#run<Uint8Array<ArrayBuffer>>(records.length, workers, {
        // On copies: a chunk may be done twice, and the page may send one array twice (encryptRecords zeroes what it is given).
        local: (start, end) => local(copies(records, start, end).items),
        remote: async (helper, start, end) => {
          const { items, buffers } = copies(records, start, end);
          const result = await helper.remote.encryptMany(transfer(items, buffers), options);
          return 'error' in result ? { error: fromWireError(result.error) } : { results: result.messages };
        },
      });
    } finally {
      for (const record of records) record.fill(0);
    }
  }

  /**
   * Decrypts `messages` over this worker (with `local`) and up to `workers - 1` helpers; each record
   * succeeds or fails alone, in its place. Records a helper may not decrypt (no branch key copy)
   * are decrypted by `local` at the end, in their places.
   */
  async decryptMany(
    messages: Uint8Array<ArrayBuffer>[],
    encryptionContext: EncryptionContext | undefined,
    workers: number,
    local: (messages: Uint8Array<ArrayBuffer>[]) => Promise<BatchDecryptResult[]>,
  ): Promise<BatchDecryptResult[]> {
    const results = await this.#run<BatchDecryptResult | NotForHelper>(messages.length, workers, {
      local: (start, end) => local(messages.slice(start, end)),
      remote: async (helper, start, end) => {
        const { items, buffers } = copies(messages, start, end);
        return { results: await helper.remote.decryptMany(transfer(items, buffers), encryptionContext) };
      },
    });
    // The kit worker kept each message, so the one a helper handed back is not needed.
    const elsewhere = results.flatMap((result, i) => ('elsewhere' in result ? [i] : []));
    if (elsewhere.length > 0) {
      const decrypted = await local(elsewhere.map((i) => messages[i]!));
      elsewhere.forEach((at, i) => (results[at] = decrypted[i]!));
    }
    return results as BatchDecryptResult[];
  }

  /**
   * The side helper, started if needed and ready: where the kit worker runs signed-message work
   * beside its own (offload.ts). It is not one of the batch helpers, so a long hash never delays a
   * batch chunk (and gets its helper retired), nor a batch a hash. Rejects when the kit is closed or
   * helpers cannot load here; a side helper that died is replaced on the next call.
   */
  async helper(): Promise<PoolHelper> {
    if (this.#closed) throw new KitError(KitErrorCode.CLOSED, 'the kit is closed');
    if (this.#loadFailure) throw this.#loadFailure;
    let side = this.#side;
    if (!side) {
      side = this.#side = this.#start();
      const current = side;
      current.failed.catch(() => {
        if (this.#side === current) this.#side = undefined;
      });
    }
    await side.ready;
    return side;
  }

  /** Stops every helper. */
  close(): void {
    this.#closed = true;
    const closed = new KitError(KitErrorCode.CLOSED, 'the kit is closed');
    for (const helper of this.#helpers.splice(0)) helper.stop(closed);
    this.#side?.stop(closed);
    this.#side = undefined;
  }

  /** One batch over this worker and up to `workers - 1` helpers; helpers retired in it are stopped when it ends. */
  async #run<R>(
    count: number,
    workers: number,
    work: {
      local(start: number, end: number): Promise<R[]>;
      /** A rejection means the helper failed, not the records. */
      remote(helper: Helper, start: number, end: number): Promise<ChunkOutcome<R>>;
    },
  ): Promise<R[]> {
    const retired: Helper[] = [];
    const slots = this.#take(workers - 1).map((helper) => ({ helper, ready: helper.ready, failed: helper.failed, run: (start: number, end: number) => work.remote(helper, start, end) }));
    try {
      return await runInChunks<R, (typeof slots)[number]>({
        count,
        local: work.local,
        helpers: slots,
        retire: ({ helper }) => {
          // Out of the pool now (a later batch starts a new one); stopped when this batch ends.
          const index = this.#helpers.indexOf(helper);
          if (index >= 0) this.#helpers.splice(index, 1);
          retired.push(helper);
        },
      });
    } finally {
      // Not before: a retired helper that answers while the kit worker redoes its chunk still counts.
      for (const helper of retired) helper.stop(new KitError(KitErrorCode.WORKER_FAILED, 'a batch helper missed its deadline or failed'));
    }
  }

  /** Up to `count` helpers, started if needed; none once a helper failed to load. */
  #take(count: number): Helper[] {
    if (this.#closed) throw new KitError(KitErrorCode.CLOSED, 'the kit is closed');
    if (this.#loadFailure) return [];
    while (this.#helpers.length < count) this.#helpers.push(this.#start());
    return this.#helpers.slice(0, count);
  }

  #start(): Helper {
    const worker = new Worker(new URL('./batch-helper.worker.ts', import.meta.url), { type: 'module', name: 'envelope-kit batch helper' });
    const remote = wrap<BatchHelperApi>(worker);
    const { port1, port2 } = new MessageChannel();
    let reject!: (reason: Error) => void;
    const failed = new Promise<never>((_, no) => (reject = no));
    failed.catch(() => undefined);
    const stop = (reason: Error) => {
      const index = this.#helpers.findIndex((h) => h.worker === worker);
      if (index >= 0) this.#helpers.splice(index, 1);
      worker.terminate();
      worker.removeEventListener('message', onReady);
      port1.close();
      reject(reason);
    };
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      stop(new KitError(KitErrorCode.WORKER_FAILED, `a batch helper worker failed: ${event.message || 'it could not load'}`));
    });
    // An answer that could not be read would leave its call waiting forever: the helper is unusable.
    worker.addEventListener('messageerror', () => stop(new KitError(KitErrorCode.WORKER_FAILED, 'a message from a batch helper could not be read')));
    let loadedNow!: () => void;
    const loaded = new Promise<void>((resolve) => (loadedNow = resolve));
    function onReady(event: MessageEvent): void {
      if (event.data !== HELPER_READY) return;
      worker.removeEventListener('message', onReady);
      loadedNow();
    }
    worker.addEventListener('message', onReady);
    const ready = (async () => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<never>((_, no) => (timer = setTimeout(() => no(new KitError(KitErrorCode.WORKER_FAILED, `a batch helper did not start within ${HELPER_START_MS} ms`)), HELPER_START_MS)));
      try {
        await Promise.race([loaded, failed, late]);
        expose(this.#keys, port1);
        await Promise.race([remote.init(transfer(port2, [port2]), this.#kitName), failed, late]);
      } catch (error) {
        stop(error as Error);
        if (!this.#closed) this.#failedToLoad(error as Error);
        throw error;
      } finally {
        clearTimeout(timer);
      }
    })();
    ready.catch(() => undefined);
    return { worker, remote, ready, failed, stop };
  }

  #failedToLoad(error: Error): void {
    if (this.#loadFailure) return;
    this.#loadFailure = error;
    // Reported, not thrown: every batch still completes in the kit worker alone.
    console.warn(`envelope-kit: ${error.message}; batches now run in the kit's worker alone`);
  }
}
