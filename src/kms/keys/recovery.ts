/**
 * What the next start repairs after a worker was killed between the two commits of an operation
 * that spans two regions' databases (issue 11, storage faults). ReplicateKey creates the replica
 * in its region first and lists it on the primary second (operations/multi-region.ts), so the only
 * state such a crash can leave is a replica whose primary does not list it yet: the replication
 * happened, only its bookkeeping is missing, and it is rolled forward here. Rolling forward is safe
 * against a ReplicateKey still running in another tab: both add the same region, once.
 */
import { listReplica } from '../operations/multi-region.js';
import type { RegionRuntime } from '../requests/region-runtime.js';

/**
 * Lists on their primaries the replicas a killed ReplicateKey left unlisted; returns how many.
 *
 * @example
 * ```ts
 * await listUnlistedReplicas(runtimes); // at createKms, once every region is open
 * ```
 */
export async function listUnlistedReplicas(runtimes: ReadonlyMap<string, RegionRuntime>): Promise<number> {
  let repaired = 0;
  for (const [region, runtime] of runtimes) {
    for (const record of await runtime.store.allKeys()) {
      const mr = record.multiRegion;
      if (mr?.role !== 'REPLICA') continue;
      const primary = runtimes.get(mr.primaryRegion);
      if (primary && (await listReplica(primary, record.KeyId, region))) repaired += 1;
    }
  }
  return repaired;
}
