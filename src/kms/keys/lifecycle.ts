/**
 * Time-driven events, applied lazily by the injected clock: whenever a call touches a key, and for
 * every key on `kms.tick()`. Being lazy keeps the simulation deterministic (nothing happens between
 * calls behind a test's back) and needs no timers in a worker that may be suspended.
 *
 * - Deletion: at DeletionDate the key, its aliases, its import parameters and every wrapped copy of
 *   its material are deleted in one transaction, and the in-memory unwrapped keys are evicted:
 *   crypto-shredding; nothing it encrypted can be decrypted again. A deleted replica leaves its
 *   primary's replica list; a primary in PendingReplicaDeletion starts its own waiting period when
 *   its last replica is gone (developer guide, "Deleting multi-Region keys").
 * - Imported material with KEY_MATERIAL_EXPIRES: at ValidTo the material is deleted, the key goes
 *   to PendingImport.
 * - Automatic rotation: each time NextRotationDate has passed on an Enabled key, a new material
 *   version becomes current, dated at its scheduled time; a multi-Region primary then hands the
 *   new material to its replicas (re-wrapped under each replica region's root).
 */
import { randomBytes } from '../../core/bytes.js';
import { generateMaterial, rewrap } from '../crypto/key-material.js';
import { keyStateOf } from './key-states.js';
import { materialIdFrom } from './identifiers.js';
import type { KeyRecord, MaterialRecord } from '../storage/records.js';
import type { RegionRuntime, ServiceEvent } from '../requests/region-runtime.js';
import { aliasDeletions, grantDeletions, importDeletions, updateKey } from './key-updates.js';

export const DAY_MS = 86_400_000;
/** Bound on catch-up rotations in one step (a clock jumped decades ahead). */
const MAX_CATCH_UP = 64;

/** A new material version for `record`, wrapped under this region's root. */
export async function newMaterial(runtime: RegionRuntime, record: KeyRecord, at: number, rotationType?: 'AUTOMATIC' | 'ON_DEMAND'): Promise<{ material: MaterialRecord; publicKey?: Uint8Array<ArrayBuffer> }> {
  const id = materialIdFrom(randomBytes(32));
  const { wrapped, publicKey } = await generateMaterial(record.KeySpec, record.KeyUsage, runtime.root, record.KeyId, id);
  const material: MaterialRecord = rotationType ? { id, createdAt: at, rotationType, wrapped } : { id, createdAt: at, wrapped };
  return publicKey ? { material, publicKey } : { material };
}

function deletionDue(record: KeyRecord, now: number): boolean {
  return record.deletion?.deletionDate !== undefined && record.deletion.deletionDate <= now;
}

function expiryDue(record: KeyRecord, now: number): boolean {
  return record.imported?.expirationModel === 'KEY_MATERIAL_EXPIRES' && record.imported.validTo !== undefined && record.imported.validTo <= now && record.materials.length > 0;
}

function rotationDue(record: KeyRecord, now: number): boolean {
  return record.rotation.enabled && record.rotation.nextRotation !== undefined && record.rotation.nextRotation <= now && keyStateOf(record, now) === 'Enabled';
}

const isReplica = (record: KeyRecord) => record.multiRegion?.role === 'REPLICA';

/** Reads a key and applies whatever is due; undefined when it does not exist (or was just deleted). */
export async function settledKey(runtime: RegionRuntime, keyId: string): Promise<KeyRecord | undefined> {
  const record = await runtime.store.getKey(keyId);
  return record && settle(runtime, record);
}

/** Applies the due events to a record read from `runtime`'s store; returns the current record. */
export async function settle(runtime: RegionRuntime, record: KeyRecord): Promise<KeyRecord | undefined> {
  const now = runtime.now();
  if (deletionDue(record, now)) return destroy(runtime, record.KeyId);
  if (record.deletion && record.deletion.deletionDate === undefined && record.multiRegion?.role === 'PRIMARY') {
    return settleReplicaDeletion(runtime, record);
  }
  if (expiryDue(record, now)) return expireImported(runtime, record.KeyId);
  if (rotationDue(record, now)) {
    if (isReplica(record)) {
      // Rotation is the primary's to do; a replica only waits for the new material.
      const primary = reachable(runtime, record.multiRegion!.primaryRegion);
      const source = primary && (await settledKey(primary, record.KeyId));
      if (primary && source) await syncReplica(primary, runtime, source);
      return runtime.store.getKey(record.KeyId);
    }
    return rotateAutomatically(runtime, record.KeyId);
  }
  return record;
}

/** A peer region that internal replication may use: present and not in a simulated outage. */
export function reachable(runtime: RegionRuntime, region: string): RegionRuntime | undefined {
  const peer = runtime.directory.peer(region);
  return peer && !peer.simulation.outage ? peer : undefined;
}

async function destroy(runtime: RegionRuntime, keyId: string): Promise<undefined> {
  let shredded: KeyRecord | undefined;
  await updateKey(runtime, keyId, async (current) => {
    shredded = current;
    if (!current || !deletionDue(current, runtime.now())) return { result: undefined };
    const writes = [...(await aliasDeletions(runtime, keyId)), ...(await importDeletions(runtime, keyId)), ...(await grantDeletions(runtime, keyId))];
    return { record: null, writes, result: undefined };
  });
  runtime.evict(keyId);
  if (shredded && deletionDue(shredded, runtime.now())) await serviceEvent(runtime, 'DeleteKey', keyId, shredded.deletion!.deletionDate!);
  if (shredded && isReplica(shredded)) {
    const primary = runtime.directory.peer(shredded.multiRegion!.primaryRegion);
    if (primary) await forgetReplica(primary, keyId, runtime.region, shredded.deletion!.deletionDate!);
  }
  return undefined;
}

/** Takes a deleted replica off its primary; the last one gone starts the primary's waiting period. */
async function forgetReplica(primary: RegionRuntime, keyId: string, region: string, at: number): Promise<void> {
  await updateKey(primary, keyId, async (current) => {
    if (!current?.multiRegion || !current.multiRegion.replicaRegions.includes(region)) return { result: undefined };
    const replicaRegions = current.multiRegion.replicaRegions.filter((r) => r !== region);
    let deletion = current.deletion;
    if (deletion && deletion.deletionDate === undefined && replicaRegions.length === 0) {
      deletion = { ...deletion, deletionDate: at + deletion.windowDays * DAY_MS };
    }
    const next: KeyRecord = { ...current, multiRegion: { ...current.multiRegion, replicaRegions }, ...(deletion ? { deletion } : {}) };
    return { record: next, result: undefined };
  });
}

async function settleReplicaDeletion(runtime: RegionRuntime, record: KeyRecord): Promise<KeyRecord | undefined> {
  // Settling each replica deletes the ones that are due, which updates this primary.
  for (const region of record.multiRegion!.replicaRegions) {
    const peer = runtime.directory.peer(region);
    if (!peer) continue;
    const replica = await settledKey(peer, record.KeyId);
    if (!replica) await forgetReplica(runtime, record.KeyId, region, runtime.now());
  }
  const current = await runtime.store.getKey(record.KeyId);
  return current && current.deletion?.deletionDate !== undefined ? settle(runtime, current) : current;
}

/** Records a service event through the Kms's recorder (audit log), awaited like a call's record. */
async function serviceEvent(runtime: RegionRuntime, eventName: ServiceEvent['eventName'], keyId: string, eventTime: number): Promise<void> {
  await runtime.directory.serviceEvent({ eventName, region: runtime.region, keyArn: runtime.arn(keyId), eventTime });
}

async function expireImported(runtime: RegionRuntime, keyId: string): Promise<KeyRecord | undefined> {
  let expiredAt: number | undefined;
  const result = await updateKey(runtime, keyId, async (current) => {
    expiredAt = undefined;
    if (!current || !expiryDue(current, runtime.now())) return { result: current };
    expiredAt = current.imported!.validTo!;
    const { currentMaterialId: _gone, ...rest } = current;
    const next: KeyRecord = { ...rest, materials: [], imported: { ...(current.imported?.materialId ? { materialId: current.imported.materialId } : {}) } };
    return { record: next, result: { ...next, version: current.version + 1 } };
  });
  runtime.evict(keyId);
  if (expiredAt !== undefined) await serviceEvent(runtime, 'DeleteExpiredKeyMaterial', keyId, expiredAt);
  return result;
}

async function rotateAutomatically(runtime: RegionRuntime, keyId: string): Promise<KeyRecord | undefined> {
  let rotations: number[] = [];
  const rotated = await updateKey(runtime, keyId, async (current) => {
    const now = runtime.now();
    rotations = [];
    if (!current || !rotationDue(current, now)) return { result: current };
    const materials = [...current.materials];
    let next = current.rotation.nextRotation!;
    const period = current.rotation.periodDays * DAY_MS;
    for (let i = 0; next <= now && i < MAX_CATCH_UP; i++, next += period) {
      materials.push((await newMaterial(runtime, current, next, 'AUTOMATIC')).material);
      rotations.push(next);
    }
    if (next <= now) next = now + period;
    const record: KeyRecord = { ...current, materials, currentMaterialId: materials[materials.length - 1]!.id, rotation: { ...current.rotation, nextRotation: next } };
    return { record, result: { ...record, version: current.version + 1 } };
  });
  // One AwsServiceEvent per rotation, as CloudTrail logs each automatic rotation.
  for (const at of rotations) await serviceEvent(runtime, 'RotateKey', keyId, at);
  if (rotated?.multiRegion?.role === 'PRIMARY') await propagate(runtime, rotated);
  return rotated;
}

/**
 * Hands a primary's shared properties (material versions, rotation settings) to each replica that
 * is reachable. Idempotent: a replica missed now (outage, closed tab) catches up on the next call.
 */
export async function propagate(primary: RegionRuntime, record: KeyRecord): Promise<void> {
  for (const region of record.multiRegion?.replicaRegions ?? []) {
    const peer = reachable(primary, region);
    if (peer) await syncReplica(primary, peer, record);
  }
}

export async function syncReplica(primary: RegionRuntime, replica: RegionRuntime, source: KeyRecord): Promise<void> {
  const synced = await updateKey(replica, source.KeyId, async (current) => {
    if (!current) return { result: false };
    const have = new Set(current.materials.map((m) => m.id));
    const added: MaterialRecord[] = [];
    for (const m of source.materials) {
      if (!have.has(m.id)) added.push(await rewrap(m, primary.root, replica.root, source.KeyId, source.KeySpec, source.KeyUsage));
    }
    const sameCurrent = current.currentMaterialId === source.currentMaterialId;
    const sameRotation = JSON.stringify(current.rotation) === JSON.stringify(source.rotation);
    if (added.length === 0 && sameCurrent && sameRotation) return { result: false };
    const order = new Map(source.materials.map((m, i) => [m.id, i]));
    const materials = [...current.materials, ...added].sort((a, b) => (order.get(a.id) ?? -1) - (order.get(b.id) ?? -1));
    const next: KeyRecord = { ...current, materials, rotation: source.rotation };
    const withCurrent: KeyRecord = source.currentMaterialId ? { ...next, currentMaterialId: source.currentMaterialId } : next;
    return { record: withCurrent, result: true };
  });
  if (synced) await serviceEvent(replica, 'SynchronizeMultiRegionKey', source.KeyId, replica.now());
}

/** Brings a replica up to date from its primary (e.g. a ciphertext names material it lacks). */
export async function pullFromPrimary(runtime: RegionRuntime, record: KeyRecord): Promise<KeyRecord | undefined> {
  if (!isReplica(record)) return record;
  const primary = reachable(runtime, record.multiRegion!.primaryRegion);
  const source = primary && (await primary.store.getKey(record.KeyId));
  if (!primary || !source) return record;
  await syncReplica(primary, runtime, source);
  return runtime.store.getKey(record.KeyId);
}

/** `kms.tick()`: applies every due event in the region. */
export async function sweep(runtime: RegionRuntime): Promise<void> {
  for (const record of await runtime.store.allKeys()) await settle(runtime, record);
  // Import parameters past their 24 hours are useless; drop them.
  const now = runtime.now();
  const stale = (await runtime.store.allImports()).filter((i) => i.validTo <= now);
  if (stale.length > 0) await runtime.store.commit(stale.map((i) => ({ store: 'imports', id: i.tokenId, expect: 'any' })));
}
