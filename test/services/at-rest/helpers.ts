/**
 * Fixtures for the services-at-rest tests: a memory KMS with a movable clock and a recorder that
 * counts KMS calls by operation, and a way to expect a typed rejection.
 */
import { expect } from 'vitest';
import { createKms, type CallEvent, type Kms } from '../../../src/kms/index.js';

export const ACCOUNT = '111122223333';
export const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;
export const REPLICATION_ROLE = `arn:aws:iam::${ACCOUNT}:role/replication`;

export interface Fixture {
  kms: Kms;
  clock: { t: number };
  calls: CallEvent[];
  /** KMS calls named `eventName` (optionally only successful ones, optionally by principal). */
  count(eventName: string, filter?: { ok?: boolean; principal?: string }): number;
  name: string;
}

export async function fixture(): Promise<Fixture> {
  const clock = { t: Date.UTC(2026, 5, 1) };
  const calls: CallEvent[] = [];
  const name = `t-${crypto.randomUUID()}`;
  const kms = await createKms({ storage: 'memory', name, now: () => clock.t, recorder: (e) => void calls.push(e) });
  return {
    kms,
    clock,
    calls,
    name,
    count: (eventName, filter = {}) =>
      calls.filter((c) => c.eventName === eventName && (filter.ok === undefined || (c.errorCode === undefined) === filter.ok) && (filter.principal === undefined || c.principal === filter.principal)).length,
  };
}

/** Awaits a rejection and returns it, failing the test if `run` resolves. */
export async function rejection(run: Promise<unknown>): Promise<Error & { name: string; $metadata?: { httpStatusCode: number }; cause?: unknown }> {
  const outcome = await run.then(
    () => ({ ok: true as const }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  if (outcome.ok) expect.fail('expected a rejection, got a result');
  expect(outcome.error).toBeInstanceOf(Error);
  return outcome.error as Error & { name: string; $metadata?: { httpStatusCode: number } };
}

export const text = (s: string) => new TextEncoder().encode(s);
export const decodeContext = (b64: string | undefined) => JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(b64!), (c) => c.charCodeAt(0)))) as Record<string, string>;
export const encodeContext = (context: Record<string, string>) => btoa(String.fromCharCode(...text(JSON.stringify(context))));
