/**
 * Read-modify-write of one key record with optimistic concurrency: read, compute (crypto included),
 * commit with the version read; if another tab committed in between, read again and recompute.
 * A caller that keeps losing gets ConflictException, AWS's answer to a conflicting concurrent change.
 */
import { kmsError } from '../errors.js';
import type { KeyRecord } from '../storage/records.js';
import type { RegionRuntime } from '../requests/region-runtime.js';
import { StaleWriteError, type Write } from '../storage/store.js';

/**
 * Lost races before giving up. With 8 and no pause, four tabs racing on one key (scripts/many-tabs.mjs)
 * had CreateAlias, UpdateAlias and CreateGrant refused with ConflictException several times per run;
 * AWS documents no such error for them, so a loser now waits a random moment, growing with each
 * loss (at most 50 ms), and tries longer.
 */
const ATTEMPTS = 32;
const MAX_BACKOFF_MS = 50;

export interface KeyChange<T> {
  /** The new record (its version is set here), `null` to delete it, undefined to leave it. */
  readonly record?: KeyRecord | null;
  /** Other writes that must commit together with the key's (aliases, import parameters). */
  readonly writes?: readonly Write[];
  readonly result: T;
}

/**
 * Applies `change` to the current record of `keyId`, retrying on concurrent writes. `change` gets
 * undefined when the key does not exist (it may throw NotFoundException or create the record).
 */
export async function updateKey<T>(
  runtime: RegionRuntime,
  keyId: string,
  change: (current: KeyRecord | undefined) => Promise<KeyChange<T>>,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const current = await runtime.store.getKey(keyId);
    const out = await change(current);
    const writes: Write[] = [];
    if (out.record !== undefined) {
      const expect = current ? current.version : null;
      const value = out.record === null ? undefined : { ...out.record, version: (current?.version ?? 0) + 1 };
      writes.push({ store: 'keys', id: keyId, expect, value });
    }
    writes.push(...(out.writes ?? []));
    try {
      await runtime.store.commit(writes);
      return out.result;
    } catch (error) {
      if (!(error instanceof StaleWriteError)) throw error;
      if (attempt + 1 >= ATTEMPTS) {
        throw kmsError('ConflictException', `${runtime.arn(keyId)} was changed by another request at the same time; retry the request.`);
      }
      // Random, so that the writers who lost together do not collide again on the next attempt.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(2 ** attempt, MAX_BACKOFF_MS)));
    }
  }
}

/** The writes that delete every alias pointing at `keyId` (deleting a key deletes its aliases). */
export async function aliasDeletions(runtime: RegionRuntime, keyId: string): Promise<Write[]> {
  const aliases = await runtime.store.allAliases();
  return aliases.filter((a) => a.TargetKeyId === keyId).map((a) => ({ store: 'aliases', id: a.AliasName, expect: a.version }));
}

/** The writes that delete a key's grants (deleting a key deletes its grants). */
export async function grantDeletions(runtime: RegionRuntime, keyId: string): Promise<Write[]> {
  return (await runtime.store.grantsForKey(keyId)).map((g) => ({ store: 'grants', id: g.GrantId, expect: 'any' }));
}

/** The writes that delete a key's outstanding import parameters. */
export async function importDeletions(runtime: RegionRuntime, keyId: string): Promise<Write[]> {
  const imports = await runtime.store.allImports();
  return imports.filter((i) => i.KeyId === keyId).map((i) => ({ store: 'imports', id: i.tokenId, expect: 'any' }));
}
