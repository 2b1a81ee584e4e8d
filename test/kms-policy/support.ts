/**
 * Shared names for the policy tests, and the small seeded generator the property tests use (no
 * dependency: a mulberry32 PRNG, so a failing seed can be replayed exactly).
 */
import type { AuthorizationRequest, Decision, PolicyDocument, PolicyStatement } from '../../src/kms/policy/index.js';
import { authorize } from '../../src/kms/policy/index.js';

export const ACCOUNT = '111122223333';
export const OTHER_ACCOUNT = '444455556666';
export const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
export const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;
export const BOB = `arn:aws:iam::${ACCOUNT}:user/bob`;
export const AUDITOR_ROLE = `arn:aws:iam::${ACCOUNT}:role/auditor`;
export const AUDITOR_SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/auditor/session-1`;
export const MALLORY = `arn:aws:iam::${OTHER_ACCOUNT}:user/mallory`;
export const OTHER_ROOT = `arn:aws:iam::${OTHER_ACCOUNT}:root`;
export const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
export const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/${KEY_ID}`;
export const OTHER_KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/0987dcba-09fe-87dc-65ba-ab0987654321`;

/** A key policy document from statements. */
export function keyPolicy(...statements: PolicyStatement[]): PolicyDocument {
  return { Version: '2012-10-17', Statement: statements };
}

/** An identity policy document from statements. */
export function iamPolicy(...statements: PolicyStatement[]): PolicyDocument {
  return { Version: '2012-10-17', Statement: statements };
}

/** authorize() with the usual key ARN unless the request names another resource. */
export function decide(request: Omit<AuthorizationRequest, 'resource'> & { resource?: string }): Decision {
  return authorize({ resource: KEY_ARN, ...request });
}

/** mulberry32: a tiny, well-distributed 32-bit PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Gen {
  readonly next: () => number;
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
  bool(p?: number): boolean;
  subset<T>(items: readonly T[]): T[];
  shuffle<T>(items: readonly T[]): T[];
}

export function gen(seed: number): Gen {
  const next = rng(seed);
  const g: Gen = {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (items) => items[g.int(items.length)]!,
    bool: (p = 0.5) => next() < p,
    subset: (items) => items.filter(() => next() < 0.5),
    shuffle: (items) => {
      const out = [...items];
      for (let i = out.length - 1; i > 0; i--) {
        const j = g.int(i + 1);
        [out[i], out[j]] = [out[j]!, out[i]!];
      }
      return out;
    },
  };
  return g;
}
