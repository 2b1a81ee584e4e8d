/**
 * The real kit worker with faulty batch helpers, for client-batch-pool.test.ts. Nothing here ships:
 * before the kit worker's module runs, this replaces `Worker` in the kit worker's scope with a
 * subclass that, for batch helpers only, misbehaves as the worker's `name` says:
 * - `hang`: the first helper gets no work message (it never answers one; later helpers are healthy);
 * - `kill`: the first helper is terminated a few ms after its first work message (no event follows);
 * - `crash`: the first helper is pool-crash-helper.ts, which dies of an uncaught error on its first
 *   work message (an error event at the kit worker);
 * - `no-load`: every helper's script is missing (a 404: the helper never starts).
 */
import '../../workers/kit.worker.js';

type Fault = 'hang' | 'kill' | 'crash' | 'no-load';
const fault = self.name as Fault;
const RealWorker = Worker;
let helpers = 0;

/** A comlink call of encryptMany / decryptMany. */
function isWork(message: unknown): boolean {
  const path = (message as { type?: string; path?: unknown[] } | null)?.path;
  return (message as { type?: string } | null)?.type === 'APPLY' && Array.isArray(path) && (path[0] === 'encryptMany' || path[0] === 'decryptMany');
}

class FaultyWorker extends RealWorker {
  readonly #faulty: boolean;
  #worked = false;

  constructor(url: string | URL, options?: WorkerOptions) {
    const helper = String(url).includes('batch-helper.worker');
    const faulty = helper && (helpers++ === 0 || fault === 'no-load');
    const replacement = fault === 'no-load' ? './no-such-batch-helper.worker.ts' : fault === 'crash' ? './pool-crash-helper.ts' : undefined;
    super(faulty && replacement ? new URL(replacement, import.meta.url) : url, options);
    this.#faulty = faulty;
  }

  override postMessage(message: unknown, options?: Transferable[] | StructuredSerializeOptions): void {
    if (!this.#faulty || !isWork(message)) return super.postMessage(message, options as StructuredSerializeOptions);
    const first = !this.#worked;
    this.#worked = true;
    if (fault === 'hang') return undefined;
    super.postMessage(message, options as StructuredSerializeOptions);
    if (fault === 'kill' && first) setTimeout(() => this.terminate(), 5);
    return undefined;
  }
}
// The kit worker above has run, but it starts helpers only when a batch needs them, by this name.
globalThis.Worker = FaultyWorker;
