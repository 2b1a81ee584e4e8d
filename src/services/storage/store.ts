/**
 * The storage a service keeps in one region: named object stores of records keyed by `id`, each
 * record with a `version` that every write increments. Two implementations with the same
 * guarantees as the KMS's own storage (src/kms/storage/store.ts):
 *
 * - `commit` applies a list of writes atomically (one IndexedDB transaction), or none of them;
 * - each write names the version it read (`null`: must not exist yet); `commit` throws
 *   {@link StaleWriteError} if a record changed since, so two tabs never lose an update: the
 *   service re-reads, recomputes and retries ({@link mutate}).
 *
 * Every service has its own database per region, `<kms name>:<account>:<region>:<service>`, with
 * its own typed schema and migrations (for example secrets-manager/schema.ts), so services evolve
 * independently. Services do their crypto (KMS calls, AES-GCM) before `commit`: nothing else is
 * awaited inside a transaction (house style rule 6).
 */
import { StaleWriteError } from '../../kms/storage/store.js';

export { StaleWriteError };

/** What every stored record has. */
export interface StoredRecord {
  readonly id: string;
  /** 1 for a new record; each write increments it. */
  readonly version: number;
}

/** A service's stores: store name -> record type. */
export type StoreMap = { readonly [store: string]: StoredRecord };

/** One write of a commit. `value: undefined` deletes; `expect` is the version read, `null` for "absent", `'any'` for no check. */
export type ServiceWrite<S extends StoreMap> = {
  [K in keyof S & string]: { readonly store: K; readonly id: string; readonly expect: number | null | 'any'; readonly value?: S[K] };
}[keyof S & string];

/** One region's storage of one service. */
export interface ServiceStore<S extends StoreMap> {
  readonly region: string;
  get<K extends keyof S & string>(store: K, id: string): Promise<S[K] | undefined>;
  /** Every record of a store, in id order. */
  all<K extends keyof S & string>(store: K): Promise<S[K][]>;
  /** Applies every write or none. */
  commit(writes: readonly ServiceWrite<S>[]): Promise<void>;
  close(): void;
}

/** The version check both stores apply to each write, inside their transaction. */
export function checkExpected(write: { store: string; id: string; expect: number | null | 'any' }, current: StoredRecord | undefined): void {
  if (write.expect === 'any') return;
  const actual = current === undefined ? null : current.version;
  if (actual !== write.expect) throw new StaleWriteError(write.store, write.id);
}

/** A change computed from what was read: the writes to commit and the result to return. */
export interface Change<S extends StoreMap, T> {
  readonly writes: readonly ServiceWrite<S>[];
  readonly result: T;
}

/**
 * Reads, computes and commits, re-running `compute` if another tab wrote in between. `compute`
 * does its own reads (so a retry sees fresh data) and all its crypto, then returns the writes.
 *
 * @example
 * ```ts
 * const updated = await mutate(store, async () => {
 *   const secret = await store.get('secrets', id); // read inside, so a retry sees the other tab's write
 *   if (!secret) throw new Error('no such secret');
 *   const next = { ...secret, description };
 *   return { writes: [{ store: 'secrets', id, value: next, expect: secret.version }], result: next };
 * });
 * ```
 */
export async function mutate<S extends StoreMap, T>(store: ServiceStore<S>, compute: () => Promise<Change<S, T>>, attempts = 8): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const { writes, result } = await compute();
    try {
      if (writes.length > 0) await store.commit(writes);
      return result;
    } catch (error) {
      if (!(error instanceof StaleWriteError) || attempt >= attempts) throw error;
    }
  }
}
