/**
 * Key rotation: EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus, RotateKeyOnDemand,
 * ListKeyRotations. Automatic rotation itself happens in lifecycle.ts when NextRotationDate passes
 * by the injected clock. Rotation is a shared property of a multi-Region key: it is set on the
 * primary and reaches the replicas with the new material (developer guide, "Rotating multi-Region
 * keys").
 */
import type { CallContext, LoadedKey } from '../requests/call-context.js';
import { kmsError } from '../errors.js';
import { DAY_MS, newMaterial, propagate } from '../keys/lifecycle.js';
import type { KeyRecord } from '../storage/records.js';
import type { Empty, GetKeyRotationStatusResponse, KeyIdResponse, ListKeyRotationsResponse, RotationsListEntry } from '../types.js';
import { optionalEnum, optionalInteger, page, requiredString } from '../requests/validation.js';

/** AWS KMS quota: on-demand rotations per key over its lifetime. */
export const ON_DEMAND_ROTATIONS = 25;
/** RotateKeyOnDemand is refused this close to a scheduled automatic rotation (API reference). */
const AUTOMATIC_ROTATION_GUARD_MS = 20 * 60_000;

function requireRotatable({ record, arn }: LoadedKey): void {
  if (record.KeySpec !== 'SYMMETRIC_DEFAULT') {
    throw kmsError('UnsupportedOperationException', `${arn} key spec ${record.KeySpec} is not valid for this operation: only symmetric encryption KMS keys rotate.`);
  }
  if (record.multiRegion?.role === 'REPLICA') {
    throw kmsError('UnsupportedOperationException', `${arn} is a multi-Region replica key: manage rotation on its primary key in ${record.multiRegion.primaryRegion}.`);
  }
}

async function afterCommit(ctx: CallContext, keyId: string): Promise<void> {
  const record = await ctx.runtime.store.getKey(keyId);
  if (record?.multiRegion?.role === 'PRIMARY') await propagate(ctx.runtime, record);
}

export async function enableKeyRotation(ctx: CallContext, req: Record<string, unknown>): Promise<Empty> {
  const keyIdText = requiredString(req.KeyId, 'KeyId');
  const periodDays = optionalInteger(req.RotationPeriodInDays, 'RotationPeriodInDays', 90, 2560) ?? 365;
  const conditions = req.RotationPeriodInDays !== undefined ? { 'kms:RotationPeriodInDays': periodDays } : undefined;
  const keyId = await ctx.mutateKey(keyIdText, { op: 'EnableKeyRotation', allowAlias: false, ...(conditions ? { conditions } : {}) }, async (key) => {
    requireRotatable(key);
    const { record } = key;
    const now = ctx.now();
    // Already rotating: the new period counts from the last rotation (or creation), not from today.
    const last = record.materials[record.materials.length - 1]?.createdAt ?? record.CreationDate;
    const nextRotation = record.rotation.enabled ? Math.max(now, last + periodDays * DAY_MS) : now + periodDays * DAY_MS;
    const next: KeyRecord = { ...record, rotation: { ...record.rotation, enabled: true, periodDays, nextRotation } };
    return { record: next, result: record.KeyId };
  });
  await afterCommit(ctx, keyId);
  return {};
}

export async function disableKeyRotation(ctx: CallContext, req: Record<string, unknown>): Promise<Empty> {
  const keyId = await ctx.mutateKey(requiredString(req.KeyId, 'KeyId'), { op: 'DisableKeyRotation', allowAlias: false }, async (key) => {
    requireRotatable(key);
    const { nextRotation: _dropped, ...rotation } = key.record.rotation;
    return { record: { ...key.record, rotation: { ...rotation, enabled: false } }, result: key.record.KeyId };
  });
  await afterCommit(ctx, keyId);
  return {};
}

export async function getKeyRotationStatus(ctx: CallContext, req: Record<string, unknown>): Promise<GetKeyRotationStatusResponse> {
  const { record, arn } = await ctx.readKey(requiredString(req.KeyId, 'KeyId'), { op: 'GetKeyRotationStatus', allowAlias: false });
  // Keys that cannot rotate automatically report false (API reference, GetKeyRotationStatus).
  if (!record.rotation.enabled || record.KeySpec !== 'SYMMETRIC_DEFAULT') return { KeyRotationEnabled: false, KeyId: arn };
  return {
    KeyRotationEnabled: true,
    KeyId: arn,
    RotationPeriodInDays: record.rotation.periodDays,
    ...(record.rotation.nextRotation !== undefined ? { NextRotationDate: new Date(record.rotation.nextRotation) } : {}),
  };
}

export async function rotateKeyOnDemand(ctx: CallContext, req: Record<string, unknown>): Promise<KeyIdResponse> {
  const result = await ctx.mutateKey(requiredString(req.KeyId, 'KeyId'), { op: 'RotateKeyOnDemand', allowAlias: false }, async (key) => {
    requireRotatable(key);
    const { record, arn } = key;
    const now = ctx.now();
    if (record.rotation.onDemandCount >= ON_DEMAND_ROTATIONS) {
      throw kmsError('LimitExceededException', `${arn} has reached the limit of ${ON_DEMAND_ROTATIONS} on-demand rotations.`);
    }
    if (record.rotation.enabled && record.rotation.nextRotation !== undefined && record.rotation.nextRotation - now < AUTOMATIC_ROTATION_GUARD_MS) {
      throw kmsError('ConflictException', `${arn} has an automatic rotation scheduled within the next 20 minutes; retry after it.`);
    }
    const { material } = await newMaterial(ctx.runtime, record, now, 'ON_DEMAND');
    // On-demand rotation does not move the automatic schedule (API reference, RotateKeyOnDemand).
    const next: KeyRecord = {
      ...record,
      materials: [...record.materials, material],
      currentMaterialId: material.id,
      rotation: { ...record.rotation, onDemandCount: record.rotation.onDemandCount + 1 },
    };
    return { record: next, result: { KeyId: arn, keyId: record.KeyId } };
  });
  await afterCommit(ctx, result.keyId);
  return { KeyId: result.KeyId };
}

export async function listKeyRotations(ctx: CallContext, req: Record<string, unknown>): Promise<ListKeyRotationsResponse> {
  const keyIdText = requiredString(req.KeyId, 'KeyId');
  const include = optionalEnum(req.IncludeKeyMaterial, 'IncludeKeyMaterial', ['ALL_KEY_MATERIAL', 'ROTATIONS_ONLY'] as const) ?? 'ROTATIONS_ONLY';
  const key = await ctx.readKey(keyIdText, { op: 'ListKeyRotations', allowAlias: false });
  if (key.record.KeySpec !== 'SYMMETRIC_DEFAULT') {
    throw kmsError('UnsupportedOperationException', `${key.arn} key spec ${key.record.KeySpec} is not valid for this operation: only symmetric encryption KMS keys rotate.`);
  }
  const entries: RotationsListEntry[] = key.record.materials
    .filter((m) => include === 'ALL_KEY_MATERIAL' || m.rotationType !== undefined)
    .map((m) => ({
      KeyId: key.record.KeyId,
      KeyMaterialId: m.id,
      KeyMaterialState: m.id === key.record.currentMaterialId ? 'CURRENT' : 'NON_CURRENT',
      ...(m.rotationType ? { RotationDate: new Date(m.createdAt), RotationType: m.rotationType } : {}),
    }));
  const { page: rotations, ...rest } = page(entries, req);
  return { Rotations: rotations, ...rest };
}
