/**
 * Aliases: CreateAlias, UpdateAlias, DeleteAlias, ListAliases. An alias belongs to one region; the
 * alias record and the key record commit together, so an alias never points at a key that a
 * concurrent deletion removed.
 *
 * Each change needs its action on every resource it touches (AWS KMS Developer Guide, "Controlling
 * access to aliases", https://docs.aws.amazon.com/kms/latest/developerguide/alias-access.html):
 * CreateAlias on the alias and the key, UpdateAlias on the alias, the current key and the new key,
 * DeleteAlias on the alias and its key. The alias half is an IAM permission on the alias ARN
 * (aliases have no resource policy); the key halves follow the key policy as every key operation
 * does. Each check is one decision in the call's audit record; a refusal names the resource refused.
 */
import type { CallContext } from '../requests/call-context.js';
import { aliasNotFound, kmsError, pendingDeletion } from '../errors.js';
import { aliasArn, checkAliasName } from '../keys/identifiers.js';
import type { AliasRecord, KeyRecord } from '../storage/records.js';
import { specInfo } from '../keys/specs.js';
import type { AliasListEntry, Empty, ListAliasesResponse } from '../types.js';
import { page, requiredString, optionalString } from '../requests/validation.js';

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
  return ctx.mutateKey(target, { op: 'CreateAlias', allowAlias: false, aliases: [name] }, async ({ record }) => {
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
  return ctx.mutateKey(target, { op: 'UpdateAlias', allowAlias: false, aliases: [name] }, async ({ record, arn, state }) => {
    const alias = await ctx.runtime.store.getAlias(name);
    if (!alias) throw aliasNotFound(aliasArn(ctx.region, ctx.runtime.account, name));
    const old = await ctx.runtime.store.getKey(alias.TargetKeyId);
    // The third permission: kms:UpdateAlias on the key the alias points at now (a key whose deletion
    // removed it took its aliases along, lifecycle.ts, so `old` is missing only in a race).
    if (old && old.KeyId !== record.KeyId) {
      const oldArn = ctx.arn(old.KeyId);
      if (!ctx.resources.includes(oldArn)) ctx.resources.push(oldArn);
      await ctx.authorizeKey(ctx.runtime, old, { allowAlias: false });
    }
    // Footnote [10]: the new target may not be pending deletion; the old one may.
    if (state === 'PendingDeletion' || state === 'PendingReplicaDeletion') throw pendingDeletion(arn, state === 'PendingReplicaDeletion');
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
  // Access is decided on the alias and on its key; the table allows DeleteAlias in every state.
  await ctx.admit(alias.TargetKeyId, await ctx.runtime.store.getKey(alias.TargetKeyId), { op: 'DeleteAlias', allowAlias: false, aliases: [name] });
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
