/**
 * The fuzzing harness (test/README.md, "Fuzzing"): a fixed budget per target inside `npm test`,
 * a longer one on demand, a report of how many cases ran, a time bound on every case (no hang),
 * and a watch on every typed array and ArrayBuffer the code under test allocates (no allocation
 * sized by a hostile field: each case's largest allocation must stay within a bound derived from
 * the size of its input, never from a length field inside it).
 */
import fc from 'fast-check';

/**
 * Cases per target: `EK_FUZZ_RUNS` when set (the long budget, e.g. `EK_FUZZ_RUNS=20000`), else
 * the CI budget, chosen so that all targets together take a few seconds on 2 cores.
 */
export const RUNS = Number.parseInt(process.env.EK_FUZZ_RUNS ?? '', 10) > 0 ? Number.parseInt(process.env.EK_FUZZ_RUNS!, 10) : 120;
/** `EK_FUZZ_SEED` replays a run (fast-check prints the seed and path of any failure). */
export const SEED = process.env.EK_FUZZ_SEED !== undefined ? Number(process.env.EK_FUZZ_SEED) : undefined;
/** One case may take this long at most; far above the slowest legitimate case (a few ms). */
export const CASE_TIME_LIMIT_MS = 5_000;

let largest = 0;
let watching = false;

function watched<T extends new (...args: never[]) => object>(constructor: T): T {
  return new Proxy(constructor, {
    construct(target, args, newTarget) {
      if (watching) {
        const [first] = args as unknown[];
        // new Uint8Array(length) and new ArrayBuffer(length) size by a number; views over a buffer or copies of an array size by their source.
        const size = typeof first === 'number' ? first : first && typeof first === 'object' && 'length' in first && typeof (first as { length: unknown }).length === 'number' ? (first as { length: number }).length : 0;
        if (size > largest) largest = size;
      }
      return Reflect.construct(target, args, newTarget) as object;
    },
  });
}

/**
 * Replaces the global ArrayBuffer and Uint8Array constructors by watching proxies for this test
 * file (each Vitest file runs in its own worker). `instanceof`, statics and subclassing still work:
 * a Proxy forwards `prototype` and every other property.
 */
export function watchAllocations(): void {
  const g = globalThis as { ArrayBuffer: ArrayBufferConstructor; Uint8Array: Uint8ArrayConstructor };
  g.ArrayBuffer = watched(g.ArrayBuffer);
  g.Uint8Array = watched(g.Uint8Array);
}

/** Runs `work` and returns its result with the largest allocation it made (watchAllocations first). */
async function measured<T>(work: () => Promise<T>): Promise<{ value: T; largest: number }> {
  largest = 0;
  watching = true;
  try {
    const value = await work();
    return { value, largest };
  } finally {
    watching = false;
  }
}

/** Rejects after `ms`: a case that neither settles nor fails is a hang. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms (a hang)`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface FuzzReport {
  readonly target: string;
  readonly cases: number;
  readonly ms: number;
  readonly outcomes: Readonly<Record<string, number>>;
}

/**
 * Runs one fuzz target: `RUNS` cases of `arbitrary`, each checked by `check` (which returns an
 * outcome label such as an error name, and throws when the outcome is not allowed), within the
 * time limit and, when `maxAllocation` is given, within that allocation bound. Prints and returns
 * how many cases ran and how they ended.
 */
export async function fuzz<T>(
  target: string,
  arbitrary: fc.Arbitrary<T>,
  check: (input: T) => Promise<string>,
  options: { readonly maxAllocation?: (input: T) => number } = {},
): Promise<FuzzReport> {
  const outcomes: Record<string, number> = {};
  let cases = 0;
  const started = performance.now();
  await fc.assert(
    fc.asyncProperty(arbitrary, async (input) => {
      const { value: outcome, largest: biggest } = await measured(() => within(check(input), CASE_TIME_LIMIT_MS, target));
      const bound = options.maxAllocation?.(input);
      if (bound !== undefined && biggest > bound) throw new Error(`${target}: allocated ${biggest} bytes at once for an input bounded to ${bound}`);
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      cases += 1;
    }),
    { numRuns: RUNS, ...(SEED !== undefined ? { seed: SEED } : {}) },
  );
  const ms = performance.now() - started;
  const summary = Object.entries(outcomes)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  console.log(`fuzz ${target}: ${cases} cases in ${Math.round(ms)} ms (budget ${RUNS}${process.env.EK_FUZZ_RUNS ? ', EK_FUZZ_RUNS' : ''}): ${summary}`);
  return { target, cases, ms, outcomes };
}

/** One edit of a byte string, as an attacker makes them. */
export type ByteMutation =
  | { readonly kind: 'flip'; readonly at: number; readonly bit: number }
  | { readonly kind: 'set'; readonly at: number; readonly value: number }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: 'delete'; readonly at: number; readonly count: number }
  /** A length field made huge: 2 or 4 bytes of 0xff (or 0x7f…) written anywhere. */
  | { readonly kind: 'huge'; readonly at: number; readonly width: 2 | 4; readonly top: number };

/** Positions are fractions of the length, so one mutation list applies to inputs of any size. */
export const byteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ kind: fc.constant('huge' as const), at: fc.nat(), width: fc.constantFrom(2 as const, 4 as const), top: fc.constantFrom(0xff, 0x7f, 0x80) }),
);

/** Applies mutations in order; `at` is taken modulo the current length. */
export function mutate(input: Uint8Array, mutations: readonly ByteMutation[]): Uint8Array<ArrayBuffer> {
  let bytes = Array.from(input);
  for (const m of mutations) {
    const n = bytes.length;
    const at = n === 0 ? 0 : m.at % n;
    switch (m.kind) {
      case 'flip':
        if (n > 0) bytes[at] = bytes[at]! ^ (1 << m.bit);
        break;
      case 'set':
        if (n > 0) bytes[at] = m.value;
        break;
      case 'truncate':
        bytes = bytes.slice(0, at);
        break;
      case 'insert':
        bytes.splice(at, 0, ...m.bytes);
        break;
      case 'delete':
        bytes.splice(at, m.count);
        break;
      case 'huge':
        for (let i = 0; i < m.width && at + i < n; i++) bytes[at + i] = i === 0 ? m.top : 0xff;
        break;
    }
  }
  return Uint8Array.from(bytes);
}

/** Random chunk boundaries for a stream: cut points as fractions. */
export function chunks(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => (bytes.length === 0 ? 0 : c % (bytes.length + 1))))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let start = 0;
  for (const p of [...points, bytes.length]) {
    out.push(bytes.slice(start, Math.max(start, p)));
    start = Math.max(start, p);
  }
  return out;
}
