/**
 * The BDD globals of whichever runner loaded the test file: vitest (`globals: true`) in Node,
 * mocha under Web Test Runner in the browser. Shared test files take `describe`/`it` from here
 * so they need no ambient type declarations and can set per-test timeouts the same way in both.
 */

type TestFn = () => unknown;

interface RunnerTest {
  timeout?(ms: number): unknown;
}

interface RunnerIt {
  (name: string, fn: TestFn, timeout?: number): RunnerTest | void;
  skip(name: string, fn?: TestFn): unknown;
}

interface RunnerGlobals {
  describe(name: string, fn: () => void): unknown;
  it: RunnerIt;
  /** mocha only */
  mocha?: unknown;
}

function runner(): RunnerGlobals {
  const g = globalThis as unknown as Partial<RunnerGlobals>;
  if (typeof g.describe !== 'function' || typeof g.it !== 'function') {
    throw new Error('no BDD globals: run under vitest with globals: true, or under Web Test Runner (mocha)');
  }
  return g as RunnerGlobals;
}

/** `true` when running under mocha (the browser run). */
export function isMocha(): boolean {
  return typeof (globalThis as { mocha?: unknown }).mocha !== 'undefined';
}

/** `true` when running in a browser page rather than Node. */
export function inBrowser(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return !(typeof p !== 'undefined' && p.versions?.node);
}

export function describe(name: string, fn: () => void): void {
  runner().describe(name, fn);
}

/** A test with an optional timeout that both vitest (3rd argument) and mocha (`.timeout()`) honour. */
export function it(name: string, fn: TestFn, timeoutMs?: number): void {
  const r = runner();
  const t = timeoutMs === undefined ? r.it(name, fn) : r.it(name, fn, timeoutMs);
  if (timeoutMs !== undefined && t && typeof t.timeout === 'function') t.timeout(timeoutMs);
}

/** A test that is listed as skipped/pending (never pretends to have run). */
export function skip(name: string): void {
  runner().it.skip(name, () => undefined);
}

/** Monotonic milliseconds in both environments. */
export function now(): number {
  return globalThis.performance?.now?.() ?? Date.now();
}
