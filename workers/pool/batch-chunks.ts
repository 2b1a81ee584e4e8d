/**
 * How one kit.encryptMany / kit.decryptMany batch is spread over the kit worker and its helpers
 * (batch-pool.ts): the records are cut into chunks ({@link chunkRecords}), and every worker
 * pulls the next chunk from one shared queue as soon as it is free, so a helper that starts cold
 * (module load, its first branch key fetched through the kit worker) or runs slow simply takes
 * fewer chunks. Results land by record index, so the output is in record order whoever did a chunk.
 *
 * No batch depends on a helper answering. When the queue is empty and a helper's chunk is still
 * out, the kit worker waits a bounded grace ({@link graceMs}) and then does that chunk itself,
 * taking whichever answer comes first (encrypting a record twice is harmless: one ciphertext is
 * returned, the other dropped); a helper that missed its deadline or died is retired. A helper
 * whose `failed` rejects (an error event, retirement) hands its chunk back at once.
 */

/**
 * Records per chunk: a batch is cut into about {@link CHUNKS_PER_WORKER} chunks per worker, of at
 * least MIN_CHUNK_RECORDS (MIN_RECORDS_PER_HELPER in batch-pool.ts, the fewest judged worth a
 * helper's messaging) and at most MAX_CHUNK_RECORDS. Few chunks keep the round trips (a structured
 * clone each way, ~0.1-0.3 ms, answered by a kit worker that is busy with its own chunk) rare;
 * several per worker still let a helper that starts cold or runs slow take fewer. Measured with
 * `npm run bench:batches` (1,000 x 1 KiB, 2 workers): fixed chunks of 64 records ran the pool at
 * 0.7x one worker; see README, "Speed of the signed default suite".
 */
export const MIN_CHUNK_RECORDS = 64;
export const MAX_CHUNK_RECORDS = 1024;
export const CHUNKS_PER_WORKER = 2;

/** Records per chunk for a batch of `count` records over `workers` workers (see MIN_CHUNK_RECORDS). */
export function chunkRecords(count: number, workers: number): number {
  return Math.min(MAX_CHUNK_RECORDS, Math.max(MIN_CHUNK_RECORDS, Math.ceil(count / (Math.max(1, workers) * CHUNKS_PER_WORKER))));
}

/**
 * Chunks a helper holds at once: while it works on one, the next is already in its queue, so it
 * never idles waiting for the kit worker (busy with its own chunk) to answer and hand out another.
 */
export const CHUNKS_IN_FLIGHT_PER_HELPER = 2;

/**
 * The grace floor, in ms. A chunk is a few ms to a few tens of ms; the floor is for what a measured
 * chunk time does not show: a helper's first chunk (JIT warm-up, its first branch key fetched from
 * the kit worker, which is busy with its own chunk) and a thread descheduled for a while on a loaded
 * machine (three browsers running tests on two cores). Redoing a chunk is cheap, but retiring a
 * helper that was only slow costs the next batch a cold start, so the floor errs long.
 */
export const GRACE_FLOOR_MS = 500;

/** A helper's chunk may take this many times the slowest chunk of the batch so far, plus the floor. */
export const GRACE_FACTOR = 4;

/** How long the kit worker waits for a helper's chunk before doing it itself. */
export function graceMs(slowestChunkMs: number): number {
  return GRACE_FACTOR * slowestChunkMs + GRACE_FLOOR_MS;
}

/** A chunk's answer: its results in record order, or the error that fails the whole batch. */
export type ChunkOutcome<R> = { readonly results: R[] } | { readonly error: unknown };

/** A helper as a batch sees it. */
export interface ChunkHelper<R> {
  /** Resolves once the helper may take work; may never settle (it is then simply never used). */
  readonly ready: Promise<void>;
  /** Rejects when the helper dies or is retired; its chunk in hand goes back to the kit worker. */
  readonly failed: Promise<never>;
  /** Records `start` to `end` (exclusive). A rejection means the helper failed, not the records. */
  run(start: number, end: number): Promise<ChunkOutcome<R>>;
}

/** One batch's plan. */
export interface ChunkPlan<R, H extends ChunkHelper<R>> {
  /** Records in the batch. */
  readonly count: number;
  /** Records `start` to `end` in the kit worker; a rejection is the chunk's error. */
  local(start: number, end: number): Promise<R[]>;
  /** The helpers this batch may use (the kit worker is always one more). */
  readonly helpers: readonly H[];
  /** A helper missed its deadline or failed: it gets no more chunks; the pool stops it. Called once per helper. */
  retire(helper: H): void;
}

interface Chunk {
  readonly index: number;
  readonly start: number;
  readonly end: number;
  /** Who has it: the kit worker, a helper, or no one any more (its helper failed). */
  owner: 'local' | ChunkHelper<unknown> | undefined;
  since: number;
  done: boolean;
  /** The kit worker is redoing it (a helper's chunk it took over). */
  redoing: boolean;
}

/**
 * Runs a batch in chunks over the kit worker and `plan.helpers`; resolves with every result in
 * record order, or rejects with the error of the first failing chunk in record order (queue order
 * is record order, so once a chunk fails no later one is handed out and every earlier one settles).
 */
export async function runInChunks<R, H extends ChunkHelper<R>>(plan: ChunkPlan<R, H>): Promise<R[]> {
  const chunks: Chunk[] = [];
  const size = chunkRecords(plan.count, plan.helpers.length + 1);
  for (let start = 0; start < plan.count; start += size) {
    chunks.push({ index: chunks.length, start, end: Math.min(plan.count, start + size), owner: undefined, since: 0, done: false, redoing: false });
  }
  const results: R[] = new Array<R>(plan.count);
  const retired = new Set<ChunkHelper<unknown>>();
  let next = 0;
  let firstError: { index: number; error: unknown } | undefined;
  let slowest = 0;

  // One wake-up for the kit worker when something changes (a chunk settles, a helper fails).
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  /** Settled chunks before the first error, and nothing left to hand out. */
  const complete = () => chunks.every((c) => c.done || (firstError ? c.index > firstError.index : false));

  const take = (owner: Chunk['owner']): Chunk | undefined => {
    if (firstError || next >= chunks.length) return undefined;
    const chunk = chunks[next++]!;
    chunk.owner = owner;
    chunk.since = performance.now();
    return chunk;
  };
  const settle = (chunk: Chunk, outcome: ChunkOutcome<R>, elapsed: number) => {
    if (chunk.done) return; // a late second answer: dropped
    chunk.done = true;
    if ('results' in outcome) {
      for (let i = 0; i < outcome.results.length; i++) results[chunk.start + i] = outcome.results[i]!;
      slowest = Math.max(slowest, elapsed);
    } else if (!firstError || chunk.index < firstError.index) {
      firstError = { index: chunk.index, error: outcome.error };
    }
    if (complete()) finish();
    notify();
  };
  const retire = (helper: H) => {
    if (retired.has(helper)) return;
    retired.add(helper);
    plan.retire(helper);
  };
  const runLocal = async (chunk: Chunk) => {
    const since = performance.now();
    let outcome: ChunkOutcome<R>;
    try {
      outcome = { results: await plan.local(chunk.start, chunk.end) };
    } catch (error) {
      outcome = { error };
    }
    settle(chunk, outcome, performance.now() - since);
  };

  const helperLoop = async (helper: H) => {
    try {
      await Promise.race([helper.ready, helper.failed]);
    } catch {
      return; // it failed to load: batch-pool.ts reports that
    }
    for (;;) {
      const chunk = retired.has(helper) ? undefined : take(helper);
      if (!chunk) return;
      let outcome: ChunkOutcome<R>;
      try {
        outcome = await Promise.race([helper.run(chunk.start, chunk.end), helper.failed]);
      } catch {
        // Dead: its chunk goes back to the kit worker now rather than after the grace.
        if (chunk.owner === helper) chunk.owner = undefined;
        retire(helper);
        notify();
        return;
      }
      settle(chunk, outcome, performance.now() - chunk.since);
    }
  };

  /** Chunks out in helpers (or orphaned by one) that the batch still needs. */
  const outstanding = () => chunks.filter((c) => c.index < next && !c.done && !c.redoing && c.owner !== 'local' && (!firstError || c.index < firstError.index));

  const ownLoop = async () => {
    for (;;) {
      const chunk = take('local');
      if (chunk) {
        await runLocal(chunk);
        continue;
      }
      const open = outstanding();
      if (open.length === 0) return;
      const grace = graceMs(slowest);
      const now = performance.now();
      const due = open.find((c) => c.owner === undefined || now - c.since >= grace);
      if (due) {
        if (due.owner !== undefined && due.owner !== 'local') retire(due.owner as H);
        due.redoing = true;
        await runLocal(due);
        continue;
      }
      const wait = Math.min(...open.map((c) => c.since + grace)) - now;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  };

  for (const helper of plan.helpers) {
    for (let lane = 0; lane < CHUNKS_IN_FLIGHT_PER_HELPER; lane++) helperLoop(helper).catch(notify);
  }
  // The batch ends when every chunk it needs has an answer, even if the kit worker is still
  // redoing one whose helper answered first (that redo's answer is then dropped). ownLoop alone
  // also ends it: it returns only when nothing the batch needs is out.
  await Promise.race([ownLoop(), finished]);
  wake = undefined;
  if (firstError) throw firstError.error;
  return results;
}
