/**
 * Replication across Regions (user guide, "Replicate AWS Secrets Manager secrets across
 * Regions"; API reference, ReplicateSecretToRegions, RemoveRegionsFromReplication,
 * StopReplicationToReplica):
 *
 * - a replica is a read-only copy of the primary in another Region, with the same name and
 *   versions, encrypted under a key of its own Region (its KmsKeyId, default aws/secretsmanager
 *   there). Copying a version needs kms:Decrypt on the primary's key and kms:GenerateDataKey on
 *   the replica's key, both as the caller through Secrets Manager ("Permissions for replicated
 *   secrets"); each is checked by the KMS of its Region.
 * - the primary keeps each replica's ReplicationStatus: InSync, or Failed with the reason (a KMS
 *   Region in outage, a key the caller may not use, a secret of that name already there). Every
 *   change to the primary is copied again, and `services.tick()` retries Failed replicas, so a
 *   Region that comes back heals.
 * - StopReplicationToReplica, called in the replica's Region, promotes the replica to a standalone
 *   secret; a primary with replicas cannot be deleted.
 */
import { ServiceError } from '../errors.js';
import { mutate } from '../storage/store.js';
import { smError, type SmContext } from './context.js';
import type { ReplicaRecord, SecretRecord, VersionRecord } from './schema.js';
import { open, seal } from './sealing.js';
import { replicationStatus } from './secrets.js';
import type { ReplicaRegionType, ReplicationResponse, ReplicationStatusType, StopReplicationToReplicaResponse } from './types.js';

/** AddReplicaRegions, checked: Regions of this KMS, not this one, not twice. */
export function replicaRequests(ctx: SmContext, value: unknown): ReplicaRegionType[] {
  const list = ctx.read.optionalList(value, 'AddReplicaRegions', ctx.env.kms.regions.length) ?? [];
  const seen = new Set<string>();
  return list.map((r, i) => {
    const Region = ctx.read.string(r.Region, `AddReplicaRegions[${i}].Region`, 1, 128);
    const KmsKeyId = ctx.read.optionalString(r.KmsKeyId, `AddReplicaRegions[${i}].KmsKeyId`, 0, 2048);
    if (!ctx.env.kms.regions.includes(Region)) throw smError('InvalidParameterException', `${Region} is not a Region of this simulation (${ctx.env.kms.regions.join(', ')}).`);
    if (Region === ctx.region) throw smError('InvalidParameterException', `A secret cannot be replicated to its own Region ${Region}.`);
    if (seen.has(Region)) throw smError('InvalidParameterException', `AddReplicaRegions names ${Region} twice.`);
    seen.add(Region);
    return { Region, ...(KmsKeyId !== undefined ? { KmsKeyId } : {}) };
  });
}

/** The replica's ARN: the primary's, in the replica's Region. */
function replicaArn(primaryArn: string, region: string): string {
  return primaryArn.replace(/^(arn:aws:secretsmanager:)[^:]+/, `$1${region}`);
}

/**
 * Copies `primary` to one replica Region: every version with a value is opened with the primary's
 * key and sealed again under the replica's key; metadata and labels follow the primary. Returns the
 * replica's status.
 */
async function copyTo(ctx: SmContext, primary: SecretRecord, replica: ReplicaRecord, force: boolean): Promise<ReplicaRecord> {
  const target = ctx.env.stores.get(replica.Region)!;
  const arn = replicaArn(primary.ARN, replica.Region);
  try {
    const existing = await target.get('secrets', primary.Name);
    if (existing && existing.ARN !== arn && !force) {
      return { ...replica, Status: 'Failed', StatusMessage: `Destination secret already exists: a secret named ${primary.Name} exists in ${replica.Region}; use ForceOverwriteReplicaSecret to overwrite it.` };
    }
    const mine = existing?.ARN === arn ? existing : undefined;
    const kmsThere = ctx.kmsIn(replica.Region);
    const keyThere = await ctx.keyFor(replica.KmsKeyId, replica.Region);
    const Versions: VersionRecord[] = [];
    const sameKey = mine !== undefined && mine.KmsKeyId === replica.KmsKeyId;
    for (const v of primary.Versions) {
      // The AWSPENDING version of a rotation in progress has no value yet: only its labels travel.
      if (!v.value) {
        Versions.push({ ...v });
        continue;
      }
      // A version copied before under the same key is kept: a version's value never changes.
      const had = sameKey ? mine.Versions.find((x) => x.VersionId === v.VersionId)?.value : undefined;
      if (had) {
        Versions.push({ ...v, value: had });
        continue;
      }
      const value = await open(ctx.kms, { sealed: v.value, secretArn: primary.ARN, versionId: v.VersionId });
      Versions.push({ ...v, value: await seal(kmsThere, { keyId: keyThere, secretArn: arn, versionId: v.VersionId, value }) });
    }
    // The replica's key is its own Region's, never the primary's.
    const { Replicas: _none, KmsKeyId: _primaryKey, ...meta } = primary;
    const record: SecretRecord = {
      ...meta,
      ...(replica.KmsKeyId !== undefined ? { KmsKeyId: replica.KmsKeyId } : {}),
      id: primary.Name,
      version: (existing?.version ?? 0) + 1,
      ARN: arn,
      PrimaryRegion: ctx.region,
      Replicas: [],
      Versions,
    };
    await target.commit([{ store: 'secrets', id: primary.Name, expect: existing ? existing.version : null, value: record }]);
    return { Region: replica.Region, ...(replica.KmsKeyId !== undefined ? { KmsKeyId: replica.KmsKeyId } : {}), Status: 'InSync' };
  } catch (error) {
    if (!(error instanceof ServiceError) && !(error instanceof Error && error.name === 'StaleWriteError')) throw error;
    return { Region: replica.Region, ...(replica.KmsKeyId !== undefined ? { KmsKeyId: replica.KmsKeyId } : {}), Status: 'Failed', StatusMessage: `${error.name}: ${error.message}` };
  }
}

/** Records the replicas' statuses on the primary (a later write of the primary wins: it syncs again). */
async function recordStatuses(ctx: SmContext, name: string, statuses: readonly ReplicaRecord[], removed: readonly string[] = []): Promise<SecretRecord> {
  return mutate(ctx.store, async () => {
    const secret = await ctx.find(name);
    const byRegion = new Map(secret.Replicas.filter((r) => !removed.includes(r.Region)).map((r) => [r.Region, r]));
    for (const s of statuses) byRegion.set(s.Region, s);
    const record: SecretRecord = { ...secret, version: secret.version + 1, Replicas: [...byRegion.values()] };
    return { writes: [{ store: 'secrets' as const, id: secret.id, expect: secret.version, value: record }], result: record };
  });
}

/** Adds replicas to the primary `name` and copies it to each; returns every replica's status. */
export async function replicateAll(ctx: SmContext, name: string, requests: readonly ReplicaRegionType[], force: boolean): Promise<ReplicationStatusType[]> {
  const primary = await ctx.find(name);
  const statuses: ReplicaRecord[] = [];
  for (const r of requests) statuses.push(await copyTo(ctx, primary, { Region: r.Region, ...(r.KmsKeyId !== undefined ? { KmsKeyId: r.KmsKeyId } : {}), Status: 'InProgress' }, force));
  return replicationStatus(await recordStatuses(ctx, name, statuses));
}

/** Copies a changed primary to all its replicas. */
export async function syncReplicas(ctx: SmContext, primary: SecretRecord): Promise<void> {
  if (primary.Replicas.length === 0) return;
  const statuses: ReplicaRecord[] = [];
  for (const r of primary.Replicas) statuses.push(await copyTo(ctx, primary, r, false));
  await recordStatuses(ctx, primary.Name, statuses);
}

/** Retries every Failed replica of this Region's primaries (services.tick). */
export async function retryFailedReplicas(ctx: SmContext): Promise<void> {
  for (const secret of await ctx.store.all('secrets')) {
    if (secret.PrimaryRegion !== ctx.region || secret.deletion || !secret.Replicas.some((r) => r.Status !== 'InSync')) continue;
    await syncReplicas(ctx, secret);
  }
}

/** ReplicateSecretToRegions (API reference, "ReplicateSecretToRegions"). */
export async function replicateSecretToRegions(ctx: SmContext, req: Record<string, unknown>): Promise<ReplicationResponse> {
  const secretId = ctx.read.string(req.SecretId, 'SecretId');
  const requests = replicaRequests(ctx, req.AddReplicaRegions);
  if (requests.length === 0) throw smError('InvalidParameterException', 'AddReplicaRegions must name at least one Region.');
  const force = ctx.read.optionalBoolean(req.ForceOverwriteReplicaSecret, 'ForceOverwriteReplicaSecret') ?? false;
  const secret = await ctx.find(secretId);
  ctx.requireLive(secret);
  ctx.requirePrimary(secret);
  const already = requests.find((r) => secret.Replicas.some((x) => x.Region === r.Region));
  if (already) throw smError('InvalidParameterException', `The secret is already replicated to ${already.Region}.`);
  const ReplicationStatus = await replicateAll(ctx, secret.Name, requests, force);
  return { ARN: secret.ARN, ReplicationStatus };
}

/** RemoveRegionsFromReplication (API reference, "RemoveRegionsFromReplication"). */
export async function removeRegionsFromReplication(ctx: SmContext, req: Record<string, unknown>): Promise<ReplicationResponse> {
  const secretId = ctx.read.string(req.SecretId, 'SecretId');
  const regions = ctx.read.optionalStringList(req.RemoveReplicaRegions, 'RemoveReplicaRegions', { min: 1, max: ctx.env.kms.regions.length });
  if (!regions) throw smError('InvalidParameterException', 'RemoveReplicaRegions is required.');
  const secret = await ctx.find(secretId);
  ctx.requirePrimary(secret);
  const unknown = regions.find((r) => !secret.Replicas.some((x) => x.Region === r));
  if (unknown) throw smError('InvalidParameterException', `The secret is not replicated to ${unknown}.`);
  for (const region of regions) {
    const store = ctx.env.stores.get(region)!;
    const replica = await store.get('secrets', secret.Name);
    if (replica && replica.PrimaryRegion === ctx.region && replica.ARN === replicaArn(secret.ARN, region)) {
      await store.commit([{ store: 'secrets', id: replica.id, expect: replica.version, value: undefined }]);
    }
  }
  const record = await recordStatuses(ctx, secret.Name, [], regions);
  return { ARN: record.ARN, ReplicationStatus: replicationStatus(record) };
}

/** StopReplicationToReplica (API reference, "StopReplicationToReplica"). */
export async function stopReplicationToReplica(ctx: SmContext, req: Record<string, unknown>): Promise<StopReplicationToReplicaResponse> {
  const secretId = ctx.read.string(req.SecretId, 'SecretId');
  const replica = await ctx.find(secretId);
  if (replica.PrimaryRegion === ctx.region) throw smError('InvalidRequestException', `${replica.ARN} is not a replica secret: call StopReplicationToReplica in the Region of a replica.`);
  const primaryRegion = replica.PrimaryRegion;
  // Promote first: the replica stands alone even if its primary's Region cannot be reached.
  await ctx.store.commit([{ store: 'secrets', id: replica.id, expect: replica.version, value: { ...replica, version: replica.version + 1, PrimaryRegion: ctx.region, Replicas: [] } }]);
  const primaryStore = ctx.env.stores.get(primaryRegion)!;
  await mutate(primaryStore, async () => {
    const primary = await primaryStore.get('secrets', replica.Name);
    if (!primary || !primary.Replicas.some((r) => r.Region === ctx.region)) return { writes: [], result: undefined };
    return { writes: [{ store: 'secrets' as const, id: primary.id, expect: primary.version, value: { ...primary, version: primary.version + 1, Replicas: primary.Replicas.filter((r) => r.Region !== ctx.region) } }], result: undefined };
  });
  return { ARN: replica.ARN };
}
