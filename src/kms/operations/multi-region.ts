/**
 * Multi-Region keys: ReplicateKey and UpdatePrimaryRegion (developer guide, "Multi-Region keys").
 * Related keys share key id, key material, key spec, key usage, origin and rotation; each keeps its
 * own policy, grants, aliases, description, tags and enabled state. A replica's material is
 * re-wrapped under its own region's root key; the primary holds the list of replica regions.
 *
 * Each region is its own database, so these operations write several databases one after another.
 * The order is chosen so a crash in between heals: ReplicateKey lists the new region on the primary
 * before writing the replica (a listed region without a replica is dropped the next time the
 * primary looks), and UpdatePrimaryRegion promotes the new primary before demoting the old one.
 */
import type { CallContext } from '../requests/call-context.js';
import { kmsError } from '../errors.js';
import { checkKeyState, keyStateOf } from '../keys/key-states.js';
import { rewrap } from '../crypto/key-material.js';
import { defaultKeyPolicy, keyMetadata } from '../keys/metadata.js';
import type { KeyRecord } from '../storage/records.js';
import type { RegionRuntime } from '../requests/region-runtime.js';
import type { Empty, ReplicateKeyResponse } from '../types.js';
import { updateKey } from '../keys/key-updates.js';
import { optionalBoolean, optionalString, requiredString, tagList } from '../requests/validation.js';
import { mergeTags } from './keys.js';
import { checkNewPolicy } from '../policy/key-policy-checks.js';

function targetRegion(ctx: CallContext, region: string, member: string): RegionRuntime {
  const peer = ctx.runtime.directory.peer(region);
  if (!peer) throw kmsError('ValidationException', `${member} ${region} is not one of this KMS's regions (${ctx.runtime.directory.regionNames.join(', ')}).`);
  if (peer.simulation.outage) throw kmsError('KMSInternalException', `The request was rejected because ${region} is unavailable. You can retry the request.`);
  return peer;
}

function requirePrimary(record: KeyRecord, arn: string): void {
  if (!record.multiRegion) throw kmsError('UnsupportedOperationException', `${arn} is not a multi-Region key.`);
  if (record.multiRegion.role !== 'PRIMARY') {
    throw kmsError('UnsupportedOperationException', `${arn} is a replica key; call this operation on the primary key in ${record.multiRegion.primaryRegion}.`);
  }
}

export async function replicateKey(ctx: CallContext, req: Record<string, unknown>): Promise<ReplicateKeyResponse> {
  const keyIdText = requiredString(req.KeyId, 'KeyId');
  const region = requiredString(req.ReplicaRegion, 'ReplicaRegion', 1, 32);
  const policy = optionalString(req.Policy, 'Policy', 1, 131072);
  const bypass = optionalBoolean(req.BypassPolicyLockoutSafetyCheck, 'BypassPolicyLockoutSafetyCheck') ?? false;
  const description = optionalString(req.Description, 'Description', 0, 8192) ?? '';
  const tags = mergeTags([], tagList(req.Tags, 'Tags') ?? []);
  const target = targetRegion(ctx, region, 'ReplicaRegion');

  const replica = await ctx.mutateKey(keyIdText, { op: 'ReplicateKey', allowAlias: false, conditions: { 'kms:ReplicaRegion': region } }, async ({ record, arn }) => {
    // The caller also needs kms:CreateKey (an IAM permission) in the replica's region (API reference, ReplicateKey).
    if (!ctx.decisions.some((d) => d.action === 'kms:CreateKey')) await ctx.authorizeAccount(undefined, 'kms:CreateKey');
    if (policy !== undefined) await checkNewPolicy(ctx, policy, target.arn(record.KeyId), bypass);
    requirePrimary(record, arn);
    if (region === ctx.region) throw kmsError('ValidationException', `ReplicaRegion ${region} is the primary key's own region.`);
    if (await target.store.getKey(record.KeyId)) throw kmsError('AlreadyExistsException', `${target.arn(record.KeyId)} already exists.`);
    const materials = [];
    for (const m of record.materials) materials.push(await rewrap(m, ctx.runtime.root, target.root, record.KeyId, record.KeySpec, record.KeyUsage));
    const now = ctx.now();
    const { deletion: _d, transition: _t, imported, currentMaterialId, ...shared } = record;
    const created: KeyRecord = {
      ...shared,
      version: 0,
      region,
      CreationDate: now,
      enabled: true,
      Description: description,
      policy: policy ?? defaultKeyPolicy(ctx.runtime.account),
      tags,
      multiRegion: { role: 'REPLICA', primaryRegion: ctx.region, replicaRegions: [] },
      // An EXTERNAL replica starts in PendingImport and must be given the primary's material.
      materials: record.Origin === 'EXTERNAL' ? [] : materials,
      ...(record.Origin === 'EXTERNAL' ? { imported: imported?.materialId ? { materialId: imported.materialId } : {} } : currentMaterialId ? { currentMaterialId } : {}),
      ...(target.simulation.transitionMs > 0 ? { transition: { state: 'Creating' as const, until: now + target.simulation.transitionMs } } : {}),
    };
    // The primary is not changed yet: it lists the replica only once the replica exists (below).
    return { result: created };
  });
  await updateKey(target, replica.KeyId, async (current) => {
    if (current) throw kmsError('AlreadyExistsException', `${target.arn(replica.KeyId)} already exists.`);
    return { record: replica, result: undefined };
  });
  // Two databases, two commits: the replica first, then the primary's list. A worker killed in
  // between leaves a replica its primary does not list yet, which the next start adds
  // (recovery.ts), never a listed replica that does not exist. Idempotent, as that repair may race it.
  await listReplica(ctx.runtime, replica.KeyId, region);
  ctx.resources.push(target.arn(replica.KeyId));
  const stored = (await target.store.getKey(replica.KeyId))!;
  return { ReplicaKeyMetadata: await keyMetadata(target, stored), ReplicaPolicy: stored.policy, ReplicaTags: [...stored.tags] };
}

/**
 * Adds `region` to the replica regions of primary key `keyId` in `runtime`, unless it is listed
 * already or the key is no longer a primary there.
 *
 * @example
 * ```ts
 * await listReplica(primaryRuntime, 'mrk-…', 'us-west-2');
 * ```
 */
export async function listReplica(runtime: RegionRuntime, keyId: string, region: string): Promise<boolean> {
  return updateKey(runtime, keyId, async (current) => {
    const mr = current?.multiRegion;
    if (!current || !mr || mr.role !== 'PRIMARY' || mr.replicaRegions.includes(region)) return { result: false };
    return { record: { ...current, multiRegion: { ...mr, replicaRegions: [...mr.replicaRegions, region] } }, result: true };
  });
}

export async function updatePrimaryRegion(ctx: CallContext, req: Record<string, unknown>): Promise<Empty> {
  const keyIdText = requiredString(req.KeyId, 'KeyId');
  const region = requiredString(req.PrimaryRegion, 'PrimaryRegion', 1, 32);
  const conditions = { 'kms:PrimaryRegion': region };
  const { record, arn } = await ctx.readKey(keyIdText, { op: 'UpdatePrimaryRegion', allowAlias: false, conditions });
  requirePrimary(record, arn);
  if (region === ctx.region) return {};
  const target = targetRegion(ctx, region, 'PrimaryRegion');
  const keyId = record.KeyId;
  if (!record.multiRegion!.replicaRegions.includes(region)) throw kmsError('NotFoundException', `${arn} has no replica in ${region}.`);
  const now = ctx.now();
  const transition = (runtime: RegionRuntime) =>
    runtime.simulation.transitionMs > 0 ? { transition: { state: 'Updating' as const, until: now + runtime.simulation.transitionMs } } : {};
  const replicaRegions = [...record.multiRegion!.replicaRegions.filter((r) => r !== region), ctx.region];

  await updateKey(target, keyId, async (current) => {
    const replicaArn = target.arn(keyId);
    if (!current) throw kmsError('NotFoundException', `${arn} has no replica in ${region}.`);
    // AWS KMS asks for kms:UpdatePrimaryRegion on the replica that becomes primary as well.
    await ctx.authorizeKey(target, current, { allowAlias: false, conditions });
    checkKeyState('UpdatePrimaryRegion', current, keyStateOf(current, now), replicaArn);
    return { record: { ...current, ...transition(target), multiRegion: { role: 'PRIMARY', primaryRegion: region, replicaRegions } }, result: undefined };
  });
  await ctx.mutateKey(ctx.arn(keyId), { op: 'UpdatePrimaryRegion', allowAlias: false, conditions }, async ({ record: current }) => ({
    record: { ...current, ...transition(ctx.runtime), multiRegion: { role: 'REPLICA', primaryRegion: region, replicaRegions: [] } },
    result: undefined,
  }));
  for (const other of replicaRegions.filter((r) => r !== ctx.region)) {
    const peer = ctx.runtime.directory.peer(other);
    if (!peer) continue;
    await updateKey(peer, keyId, async (current) =>
      current ? { record: { ...current, multiRegion: { role: 'REPLICA', primaryRegion: region, replicaRegions: [] } }, result: undefined } : { result: undefined },
    );
  }
  return {};
}
