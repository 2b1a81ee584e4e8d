/**
 * The storage interface one region's service runs on. Two implementations: IndexedDB
 * (indexeddb-store.ts, one database per region, for pages and workers) and memory
 * (memory-store.ts, for Node and tests). Both give the same guarantees:
 *
 * - `commit` applies a list of writes atomically (one IndexedDB transaction), or none of them;
 * - each write names the `version` of the record it read (`null`: the record must not exist), and
 *   `commit` throws {@link StaleWriteError} if any record changed since, so two tabs never lose an
 *   update: the caller re-reads, recomputes and retries (service-context.ts, `mutate`).
 *
 * Callers do all crypto before `commit`: nothing but the store's own requests is awaited inside a
 * transaction (house style rule 6; an IndexedDB transaction commits itself at the first await on
 * anything else).
 */
import type { AliasRecord, GrantRecord, ImportRecord, KeyRecord, RootKeys } from './records.js';

export type Write =
  | { readonly store: 'keys'; readonly id: string; readonly expect: number | null | 'any'; readonly value?: KeyRecord }
  | { readonly store: 'aliases'; readonly id: string; readonly expect: number | null | 'any'; readonly value?: AliasRecord }
  | { readonly store: 'imports'; readonly id: string; readonly expect: number | null | 'any'; readonly value?: ImportRecord }
  | { readonly store: 'grants'; readonly id: string; readonly expect: number | null | 'any'; readonly value?: GrantRecord };

/** Everything a region holds besides its root keys and import tokens. */
export interface RegionContents {
  readonly keys: readonly KeyRecord[];
  readonly aliases: readonly AliasRecord[];
  readonly grants: readonly GrantRecord[];
}

export interface RegionStore {
  readonly region: string;
  /** The region's root keys; `create` runs only if none are stored, and the first writer wins. */
  root(create: () => Promise<RootKeys>): Promise<RootKeys>;
  getKey(keyId: string): Promise<KeyRecord | undefined>;
  allKeys(): Promise<KeyRecord[]>;
  getAlias(aliasName: string): Promise<AliasRecord | undefined>;
  allAliases(): Promise<AliasRecord[]>;
  getImport(tokenId: string): Promise<ImportRecord | undefined>;
  allImports(): Promise<ImportRecord[]>;
  getGrant(grantId: string): Promise<GrantRecord | undefined>;
  /** The grants of one key, oldest first. */
  grantsForKey(keyId: string): Promise<GrantRecord[]>;
  allGrants(): Promise<GrantRecord[]>;
  /**
   * Replaces every key, alias and grant record (and drops pending imports) in one transaction: a
   * key-store restore (src/kms/backup/). The root keys stay: restored materials arrive re-wrapped
   * under them.
   */
  replace(contents: RegionContents): Promise<void>;
  /** Applies every write or none; a value of undefined deletes. */
  commit(writes: readonly Write[]): Promise<void>;
  close(): void;
}

/**
 * Another writer (tab) changed a record between our read and our write.
 *
 * @example
 * ```ts
 * try {
 *   await store.commit(writes);
 * } catch (error) {
 *   if (!(error instanceof StaleWriteError)) throw error;
 *   // another tab wrote first: read again, recompute, retry (see mutate in envelope-kit/services)
 * }
 * ```
 */
export class StaleWriteError extends Error {
  constructor(store: string, id: string) {
    super(`${store}/${id} changed since it was read`);
    this.name = 'StaleWriteError';
  }
}

/** The version check both stores apply to each write, inside their transaction. */
export function checkExpected(write: Write, current: { version: number } | undefined): void {
  if (write.expect === 'any') return;
  const actual = current === undefined ? null : current.version;
  if (actual !== write.expect) throw new StaleWriteError(write.store, write.id);
}
