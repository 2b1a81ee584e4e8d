/**
 * Key management: CreateKey, DescribeKey, ListKeys, UpdateKeyDescription, EnableKey, DisableKey,
 * ScheduleKeyDeletion, CancelKeyDeletion (API reference, one section each).
 */
import type { CallContext } from '../requests/call-context.js';
import { kmsError, validation } from '../errors.js';
import { newKeyId } from '../keys/identifiers.js';
import { DAY_MS, newMaterial, settle } from '../keys/lifecycle.js';
import { defaultKeyPolicy, keyMetadata } from '../keys/metadata.js';
import { checkNewPolicy } from '../policy/key-policy-checks.js';
import type { KeyRecord } from '../storage/records.js';
import { ALL_KEY_SPECS, SUPPORTED_SPECS, type KeySpec, type KeyUsage, type OriginType } from '../keys/specs.js';
import { acceptGrantTokens } from './crypto-checks.js';
import type { KeyIdResponse, KeyMetadataResponse, ListKeysResponse, ScheduleKeyDeletionResponse, Tag, Empty } from '../types.js';
import {
  optionalBoolean,
  optionalEnum,
  optionalInteger,
  optionalString,
  page,
  requiredString,
  tagList,
} from '../requests/validation.js';

const USAGES = ['SIGN_VERIFY', 'ENCRYPT_DECRYPT', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT'] as const;
const ORIGINS = ['AWS_KMS', 'EXTERNAL', 'AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE'] as const;

/** Tag lists: later duplicates win, as TagResource overwrites; at most 50 tags per key. */
export function mergeTags(existing: readonly Tag[], added: readonly Tag[]): Tag[] {
  const map = new Map(existing.map((t) => [t.TagKey, t.TagValue]));
  for (const t of added) map.set(t.TagKey, t.TagValue);
  if (map.size > 50) throw kmsError('TagException', 'A KMS key can have at most 50 tags.');
  return [...map].map(([TagKey, TagValue]) => ({ TagKey, TagValue }));
}

function checkSpecAndUsage(spec: KeySpec, usage: KeyUsage, origin: OriginType): void {
  const info = SUPPORTED_SPECS[spec];
  if (!info) {
    throw kmsError('UnsupportedOperationException', `KeySpec ${spec} is not supported by the simulated KMS: WebCrypto has no implementation of it.`);
  }
  if (usage === 'KEY_AGREEMENT') {
    throw kmsError(info.family === 'ecc' ? 'UnsupportedOperationException' : 'ValidationException', `KeyUsage KEY_AGREEMENT is not supported for KeySpec ${spec} by the simulated KMS.`);
  }
  if (!info.usages.includes(usage)) throw kmsError('ValidationException', `KeyUsage ${usage} is not compatible with KeySpec ${spec}.`);
  if (origin === 'AWS_CLOUDHSM' || origin === 'EXTERNAL_KEY_STORE') {
    throw kmsError('UnsupportedOperationException', `Origin ${origin} needs a custom key store, which the simulated KMS does not have.`);
  }
  if (origin === 'EXTERNAL' && spec !== 'SYMMETRIC_DEFAULT') {
    throw kmsError('UnsupportedOperationException', `The simulated KMS imports key material for SYMMETRIC_DEFAULT keys only, not ${spec}.`);
  }
}

export async function createKey(ctx: CallContext, req: Record<string, unknown>): Promise<KeyMetadataResponse> {
  const policy = optionalString(req.Policy, 'Policy', 1, 131072);
  const description = optionalString(req.Description, 'Description', 0, 8192) ?? '';
  const usage = optionalEnum(req.KeyUsage, 'KeyUsage', USAGES);
  const cmkSpec = optionalEnum(req.CustomerMasterKeySpec, 'CustomerMasterKeySpec', ALL_KEY_SPECS);
  const keySpec = optionalEnum(req.KeySpec, 'KeySpec', ALL_KEY_SPECS);
  const origin = optionalEnum(req.Origin, 'Origin', ORIGINS) ?? 'AWS_KMS';
  const bypass = optionalBoolean(req.BypassPolicyLockoutSafetyCheck, 'BypassPolicyLockoutSafetyCheck') ?? false;
  const multiRegion = optionalBoolean(req.MultiRegion, 'MultiRegion') ?? false;
  const tags = tagList(req.Tags, 'Tags') ?? [];
  if (optionalString(req.CustomKeyStoreId, 'CustomKeyStoreId', 1, 64) !== undefined || optionalString(req.XksKeyId, 'XksKeyId', 1, 128) !== undefined) {
    throw kmsError('UnsupportedOperationException', 'The simulated KMS has no custom key stores.');
  }
  if (cmkSpec !== undefined && keySpec !== undefined) {
    throw kmsError('ValidationException', 'You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec is deprecated.');
  }
  const spec = keySpec ?? cmkSpec ?? 'SYMMETRIC_DEFAULT';
  const keyUsage = usage ?? 'ENCRYPT_DECRYPT';
  checkSpecAndUsage(spec, keyUsage, origin);
  await ctx.authorizeAccount({
    'kms:KeySpec': spec,
    'kms:KeyUsage': keyUsage,
    'kms:KeyOrigin': origin,
    'kms:MultiRegion': multiRegion,
    ...Object.fromEntries(tags.map((t) => [`aws:RequestTag/${t.TagKey}`, t.TagValue])),
    ...(tags.length > 0 ? { 'aws:TagKeys': tags.map((t) => t.TagKey) } : {}),
  });

  const now = ctx.now();
  const keyId = newKeyId(multiRegion);
  // The new policy is checked against the ARN the key will have: it must parse, and must leave the caller able to change it.
  if (policy !== undefined) await checkNewPolicy(ctx, policy, ctx.arn(keyId), bypass);
  const base: KeyRecord = {
    version: 0,
    KeyId: keyId,
    region: ctx.region,
    CreationDate: now,
    enabled: true,
    Description: description,
    KeyUsage: keyUsage,
    KeySpec: spec,
    Origin: origin,
    ...(multiRegion ? { multiRegion: { role: 'PRIMARY', primaryRegion: ctx.region, replicaRegions: [] } } : {}),
    policy: policy ?? defaultKeyPolicy(ctx.runtime.account),
    tags: mergeTags([], tags),
    rotation: { enabled: false, periodDays: 365, onDemandCount: 0 },
    materials: [],
    ...(origin === 'EXTERNAL' ? { imported: {} } : {}),
  };
  let record = base;
  if (origin === 'AWS_KMS') {
    const { material, publicKey } = await newMaterial(ctx.runtime, base, now);
    record = { ...base, materials: [material], currentMaterialId: material.id, ...(publicKey ? { publicKey } : {}) };
  }
  await ctx.runtime.store.commit([{ store: 'keys', id: keyId, expect: null, value: { ...record, version: 1 } }]);
  ctx.resources.push(ctx.arn(keyId));
  return { KeyMetadata: await keyMetadata(ctx.runtime, record) };
}

export async function describeKey(ctx: CallContext, req: Record<string, unknown>): Promise<KeyMetadataResponse> {
  // DescribeKey takes GrantTokens too (API reference); a malformed one is InvalidGrantTokenException.
  await acceptGrantTokens(ctx, req.GrantTokens);
  const key = await ctx.readKey(requiredString(req.KeyId, 'KeyId'), { op: 'DescribeKey', allowAlias: true });
  return { KeyMetadata: await keyMetadata(ctx.runtime, key.record) };
}

export async function listKeys(ctx: CallContext, req: Record<string, unknown>): Promise<ListKeysResponse> {
  await ctx.authorizeAccount();
  const live: KeyRecord[] = [];
  for (const stored of await ctx.runtime.store.allKeys()) {
    const record = await settle(ctx.runtime, stored);
    if (record) live.push(record);
  }
  live.sort((a, b) => a.CreationDate - b.CreationDate || (a.KeyId < b.KeyId ? -1 : 1));
  const { page: keys, ...rest } = page(live, req);
  return { Keys: keys.map((r) => ({ KeyId: r.KeyId, KeyArn: ctx.arn(r.KeyId) })), ...rest };
}

export async function updateKeyDescription(ctx: CallContext, req: Record<string, unknown>): Promise<Empty> {
  const keyIdText = requiredString(req.KeyId, 'KeyId');
  const description = requiredString(req.Description, 'Description', 0, 8192);
  return ctx.mutateKey(keyIdText, { op: 'UpdateKeyDescription', allowAlias: false }, async ({ record }) => ({
    record: { ...record, Description: description },
    result: {},
  }));
}

/** EnableKey and DisableKey: an Unavailable key takes the flag but shows it once reconnected ([12]). */
export async function setEnabled(ctx: CallContext, req: Record<string, unknown>, enabled: boolean): Promise<Empty> {
  return ctx.mutateKey(requiredString(req.KeyId, 'KeyId'), { op: enabled ? 'EnableKey' : 'DisableKey', allowAlias: false }, async ({ record }) => ({
    record: { ...record, enabled },
    result: {},
  }));
}

export async function scheduleKeyDeletion(ctx: CallContext, req: Record<string, unknown>): Promise<ScheduleKeyDeletionResponse> {
  const keyIdText = requiredString(req.KeyId, 'KeyId');
  const days = optionalInteger(req.PendingWindowInDays, 'PendingWindowInDays', 1, 365) ?? 30;
  if (days < 7 || days > 30) throw validation('pendingWindowInDays', 'Member must have value between 7 and 30', String(days));
  return ctx.mutateKey(keyIdText, { op: 'ScheduleKeyDeletion', allowAlias: false, conditions: { 'kms:ScheduleKeyDeletionPendingWindowInDays': days } }, async ({ record, arn }) => {
    const now = ctx.now();
    const waitsForReplicas = record.multiRegion?.role === 'PRIMARY' && record.multiRegion.replicaRegions.length > 0;
    const deletion = waitsForReplicas ? { scheduledAt: now, windowDays: days } : { scheduledAt: now, windowDays: days, deletionDate: now + days * DAY_MS };
    const result: ScheduleKeyDeletionResponse = {
      KeyId: arn,
      KeyState: waitsForReplicas ? 'PendingReplicaDeletion' : 'PendingDeletion',
      PendingWindowInDays: days,
      ...(deletion.deletionDate !== undefined ? { DeletionDate: new Date(deletion.deletionDate) } : {}),
    };
    return { record: { ...record, deletion }, result };
  });
}

export async function cancelKeyDeletion(ctx: CallContext, req: Record<string, unknown>): Promise<KeyIdResponse> {
  return ctx.mutateKey(requiredString(req.KeyId, 'KeyId'), { op: 'CancelKeyDeletion', allowAlias: false }, async ({ record, arn }) => {
    const { deletion: _cancelled, ...rest } = record;
    // A cancelled deletion leaves the key Disabled (API reference, CancelKeyDeletion).
    return { record: { ...rest, enabled: false }, result: { KeyId: arn } };
  });
}
