/**
 * Aliases: CreateAlias, UpdateAlias, DeleteAlias, ListAliases. An alias belongs to one region; the
 * alias record and the key record commit together, so an alias never points at a key that a
 * concurrent deletion removed.
 */
import type { CallContext } from '../call-context.js';
import { aliasNotFound, kmsError, pendingDeletion } from '../errors.js';
import { aliasArn, checkAliasName } from '../identifiers.js';
import type { AliasRecord, KeyRecord } from '../records.js';
import { specInfo } from '../specs.js';
import type { AliasListEntry, Empty, ListAliasesResponse } from '../types.js';
import { page, requiredString, optionalString } from '../validation.js';

/** AWS KMS quota: aliases per KMS key. */
const ALIASES_PER_KEY = 50;

const family = (record: KeyRecord) => {
  const f = specInfo(record.KeySpec).family;
  return f === 'symmetric' ? 'symmetric' : f === 'hmac' ? 'HMAC' : 'asymmetric';
};

export async function createAlias(ctx: CallContext, req: Record<string, unknown>): Promise<Empty> {
  const name = requiredString(req.AliasName, 'AliasName', 1, 256);
  const target = requiredString(req.TargetKeyId, 'TargetKeyId');
  checkAliasName(name);
  return ctx.mutateKey(target, { op: 'CreateAlias', allowAlias: false }, async ({ record }) => {
    const aliases = await ctx.runtime.store.allAliases();
    if (aliases.some((a) => a.AliasName === name)) {
      throw kmsError('AlreadyExistsException', `An alias with the name ${aliasArn(ctx.region, ctx.runtime.account, name)} already exists`);
    }
    if (aliases.filter((a) => a.TargetKeyId === record.KeyId).length >= ALIASES_PER_KEY) {
      throw kmsError('LimitExceededException', `A KMS key can have at most ${ALIASES_PER_KEY} aliases.`);
    }
    const now = ctx.now();
    const alias: AliasRecord = { version: 1, AliasName: name, TargetKeyId: record.KeyId, CreationDate: now, LastUpdatedDate: now };
    // Rewriting the key record (same content, next version) makes a concurrent deletion conflict.
    return { record, writes: [{ store: 'aliases', id: name, expect: null, value: alias }], result: {} };
  });
}

export async function updateAlias(ctx: CallContext, req: Record<string, unknown>): Promise<Empty> {
  const name = requiredString(req.AliasName, 'AliasName', 1, 256);
  const target = requiredString(req.TargetKeyId, 'TargetKeyId');
  checkAliasName(name);
  return ctx.mutateKey(target, { op: 'UpdateAlias', allowAlias: false }, async ({ record, arn, state }) => {
    const alias = await ctx.runtime.store.getAlias(name);
    if (!alias) throw aliasNotFound(aliasArn(ctx.region, ctx.runtime.account, name));
    // Footnote [10]: the new target may not be pending deletion; the old one may.
    if (state === 'PendingDeletion' || state === 'PendingReplicaDeletion') throw pendingDeletion(arn, state === 'PendingReplicaDeletion');
    const old = await ctx.runtime.store.getKey(alias.TargetKeyId);
    if (old && (family(old) !== family(record) || old.KeyUsage !== record.KeyUsage)) {
      throw kmsError(
        'ValidationException',
        `The alias's current and new KMS keys must be of the same type (${family(old)} vs ${family(record)}) and have the same key usage (${old.KeyUsage} vs ${record.KeyUsage}).`,
      );
    }
    const next: AliasRecord = { ...alias, version: alias.version + 1, TargetKeyId: record.KeyId, LastUpdatedDate: ctx.now() };
    return { record, writes: [{ store: 'aliases', id: name, expect: alias.version, value: next }], result: {} };
  });
}

export async function deleteAlias(ctx: CallContext, req: Record<string, unknown>): Promise<Empty> {
  const name = requiredString(req.AliasName, 'AliasName', 1, 256);
  checkAliasName(name);
  const alias = await ctx.runtime.store.getAlias(name);
  if (!alias) throw aliasNotFound(aliasArn(ctx.region, ctx.runtime.account, name));
  // Access is decided on the target key; the table allows DeleteAlias in every state.
  await ctx.admit(alias.TargetKeyId, await ctx.runtime.store.getKey(alias.TargetKeyId), 'DeleteAlias');
  await ctx.runtime.store.commit([{ store: 'aliases', id: name, expect: alias.version }]);
  return {};
}

export async function listAliases(ctx: CallContext, req: Record<string, unknown>): Promise<ListAliasesResponse> {
  const keyIdText = optionalString(req.KeyId, 'KeyId');
  let keyId: string | undefined;
  if (keyIdText !== undefined) keyId = (await ctx.readKey(keyIdText, { op: 'ListAliases', allowAlias: false })).record.KeyId;
  else await ctx.authorizeAccount();
  const aliases = (await ctx.runtime.store.allAliases())
    .filter((a) => keyId === undefined || a.TargetKeyId === keyId)
    .sort((a, b) => (a.AliasName < b.AliasName ? -1 : a.AliasName > b.AliasName ? 1 : 0));
  const { page: entries, ...rest } = page(aliases, req, 50);
  const out: AliasListEntry[] = entries.map((a) => ({
    AliasName: a.AliasName,
    AliasArn: aliasArn(ctx.region, ctx.runtime.account, a.AliasName),
    TargetKeyId: a.TargetKeyId,
    CreationDate: new Date(a.CreationDate),
    LastUpdatedDate: new Date(a.LastUpdatedDate),
  }));
  return { Aliases: out, ...rest };
}
