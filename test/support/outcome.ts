/**
 * Small helpers shared by the core's tests: settle a promise into an outcome, describe errors,
 * compare bytes with a useful message.
 */
import { EnvelopeError } from '../../src/core/index.js';

export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/** Settles a promise (or a function that may throw synchronously) into an outcome. */
export async function outcomeOf<T>(run: Promise<T> | (() => Promise<T>)): Promise<Outcome<T>> {
  try {
    const value = await (typeof run === 'function' ? run() : run);
    return { ok: true, value };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Awaits `promise`, which must reject, and returns its error as the caller's type; throws if it resolves. */
export async function rejection<E = Error & { code?: string; cause?: unknown }>(promise: Promise<unknown>): Promise<E> {
  try {
    await promise;
  } catch (error) {
    return error as E;
  }
  throw new Error('expected a rejection');
}

/** `EnvelopeError(CODE): message` or `Name: message` for anything else. */
export function describeError(error: unknown): string {
  if (error instanceof EnvelopeError) return `EnvelopeError(${error.code}): ${error.message}`;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return `non-Error thrown: ${String(error)}`;
}

/**
 * Asserts the outcome is a rejection with an EnvelopeError (optionally with one of `codes`).
 * Returns the error; throws an Error describing what happened instead.
 */
export function expectEnvelopeError(outcome: Outcome<unknown>, what: string, codes?: readonly string[]): EnvelopeError {
  if (outcome.ok) throw new Error(`${what}: expected an EnvelopeError, but the call succeeded`);
  const err = outcome.error;
  if (!(err instanceof EnvelopeError)) {
    const stack = err instanceof Error && err.stack ? `\n${err.stack}` : '';
    throw new Error(`${what}: expected an EnvelopeError, got ${describeError(err)}${stack}`);
  }
  if (codes && !codes.includes(err.code)) {
    throw new Error(`${what}: expected EnvelopeError code ${codes.join(' or ')}, got ${describeError(err)}`);
  }
  return err;
}

/** Byte equality. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Throws with the first differing offset when the bytes differ. */
export function expectBytes(actual: Uint8Array, expected: Uint8Array, what = 'bytes'): void {
  if (bytesEqual(actual, expected)) return;
  let i = 0;
  while (i < actual.length && i < expected.length && actual[i] === expected[i]) i++;
  throw new Error(
    `${what}: ${actual.length} bytes, expected ${expected.length}; first difference at offset ${i} ` +
      `(got ${actual[i] ?? 'end'}, expected ${expected[i] ?? 'end'})`,
  );
}

/** A deterministic byte pattern (no randomness needed for plaintexts). */
export function patternBytes(length: number, seed = 1): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

export function hex4(n: number): string {
  return `0x${n.toString(16).padStart(4, '0')}`;
}
