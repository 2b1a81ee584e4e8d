/**
 * Grants: CreateGrant, ListGrants, ListRetirableGrants, RetireGrant, RevokeGrant (API reference,
 * one section each; AWS KMS Developer Guide, "Grants in AWS KMS"). A grant belongs to one key in one
 * region (replicas of a multi-Region key have their own) and is stored beside it; CreateGrant
 * commits the grant together with the key record, so a concurrent deletion of the key cannot leave
 * an orphan, and deleting a key deletes its grants (lifecycle.ts). The decision that a grant allows
 * a call is the policy module's (policy/grants.ts); here grants are made, listed and removed.
 */
import type { CallContext } from '../requests/call-context.js';
import { randomBytes } from '../../core/bytes.js';
import { kmsError, validation } from '../errors.js';
import { decodeGrantToken, grantToken, invalidGrantToken, isIssuedGrantToken } from '../policy/grant-tokens.js';
import { materialIdFrom } from '../keys/identifiers.js';
import { describePrincipal, mayRetireGrant, type Decision } from '../policy/index.js';
import type { GrantRecord, KeyRecord } from '../storage/records.js';
import { specInfo } from '../keys/specs.js';
import { StaleWriteError } from '../storage/store.js';
import type { CreateGrantResponse, Empty, GrantListEntry, GrantOperation, ListGrantsResponse } from '../types.js';
import { optionalBoolean, optionalContext, optionalString, page, requiredString } from '../requests/validation.js';
import { acceptGrantTokens, endDryRun } from './crypto-checks.js';

const OPERATIONS: readonly GrantOperation[] = [
  'Decrypt', 'Encrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'ReEncryptFrom', 'ReEncryptTo', 'Sign', 'Verify', 'GetPublicKey',
  'CreateGrant', 'RetireGrant', 'DescribeKey', 'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext', 'GenerateMac', 'VerifyMac', 'DeriveSharedSecret',
];
/** Operations a grant may allow on any key. */
const ANY_KEY: readonly string[] = ['CreateGrant', 'RetireGrant', 'DescribeKey'];
/** AWS KMS quota: grants per KMS key. */
const GRANTS_PER_KEY = 50_000;
const GRANT_ID = /^[0-9a-f]{64}$/;

/** The operations a grant on `record` may allow (developer guide, "Grant operations"). */
function operationsFor(record: KeyRecord): readonly string[] {
  const family = specInfo(record.KeySpec).family;
  if (record.KeyUsage === 'GENERATE_VERIFY_MAC') return [...ANY_KEY, 'GenerateMac', 'VerifyMac'];
  if (record.KeyUsage === 'SIGN_VERIFY') return [...ANY_KEY, 'Sign', 'Verify', 'GetPublicKey'];
  if (family === 'symmetric') {
    return [...ANY_KEY, 'Decrypt', 'Encrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'ReEncryptFrom', 'ReEncryptTo', 'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext'];
  }
  return [...ANY_KEY, 'Decrypt', 'Encrypt', 'ReEncryptFrom', 'ReEncryptTo', 'GetPublicKey'];
}

function principal(value: unknown, member: string): string | undefined {
  const text = optionalString(value, member, 1, 256);
  if (text !== undefined && !describePrincipal(text)) {
    throw validation(member.charAt(0).toLowerCase() + member.slice(1), 'Member must be an AWS principal ARN (account, IAM user, IAM role, assumed-role session, federated user) or a service principal', text);
  }
  return text;
}

function operationList(value: unknown): GrantOperation[] {
  if (!Array.isArray(value) || value.length === 0) throw validation('operations', 'Member must be a non-empty list of grant operations');
  const ops = value.map((op, i) => {
    if (typeof op !== 'string' || !(OPERATIONS as readonly string[]).includes(op)) {
      throw validation(`operations.${i + 1}.member`, `Member must satisfy enum value set: [${OPERATIONS.join(', ')}]`, typeof op === 'string' ? op : undefined);
    }
    return op as GrantOperation;
  });
  return [...new Set(ops)];
}

function constraintsOf(value: unknown): GrantRecord['Constraints'] {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw validation('constraints', 'Member must be a GrantConstraints object');
  const { EncryptionContextEquals, EncryptionContextSubset, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length > 0) throw validation('constraints', `Member has unknown fields: ${Object.keys(rest).join(', ')}`);
  const equals = optionalContext(EncryptionContextEquals, 'Constraints.EncryptionContextEquals');
  const subset = optionalContext(EncryptionContextSubset, 'Constraints.EncryptionContextSubset');
  if (!equals && !subset) return undefined;
  return { ...(equals ? { EncryptionContextEquals: equals } : {}), ...(subset ? { EncryptionContextSubset: subset } : {}) };
}

const canonical = (value: unknown): string => JSON.stringify(value, (_k, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v));

/** Same grant for a Name retry: same grantee, retiring principal, operations (as a set) and constraints. */
function sameParameters(a: GrantRecord, b: Omit<GrantRecord, 'version' | 'GrantId' | 'CreationDate'>): boolean {
  return (
    a.GranteePrincipal === b.GranteePrincipal &&
    a.RetiringPrincipal === b.RetiringPrincipal &&
    canonical([...a.Operations].sort()) === canonical([...b.Operations].sort()) &&
    canonical(a.Constraints ?? null) === canonical(b.Constraints ?? null)
  );
}

export async function createGrant(ctx: CallContext, req: Record<string, unknown>): Promise<CreateGrantResponse> {
  const keyIdText = requiredString(req.KeyId, 'KeyId');
  const grantee = principal(req.GranteePrincipal, 'GranteePrincipal');
  if (grantee === undefined) throw validation('granteePrincipal', 'Member must not be null');
  const retiring = principal(req.RetiringPrincipal, 'RetiringPrincipal');
  const operations = operationList(req.Operations);
  const constraints = constraintsOf(req.Constraints);
  const name = optionalString(req.Name, 'Name', 1, 256);
  if (name !== undefined && !/^[a-zA-Z0-9:/_-]+$/.test(name)) throw validation('name', 'Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$', name);
  await acceptGrantTokens(ctx, req.GrantTokens);
  const dryRun = optionalBoolean(req.DryRun, 'DryRun') ?? false;
  const conditions = {
    'kms:GrantOperations': operations,
    'kms:GranteePrincipal': grantee,
    ...(retiring !== undefined ? { 'kms:RetiringPrincipal': retiring } : {}),
    ...(constraints ? { 'kms:GrantConstraintType': Object.keys(constraints) } : {}),
    // An AWS service creating a grant for its own resources (EBS, ECR, ...) calls through kms:ViaService.
    'kms:GrantIsForAWSResource': ctx.caller.viaService !== undefined,
  };
  const newGrant = { Operations: operations, ...(constraints ? { Constraints: constraints } : {}) };
  return ctx.mutateKey(keyIdText, { op: 'CreateGrant', allowAlias: false, conditions, newGrant }, async ({ record, arn }) => {
    const allowed = operationsFor(record);
    const invalid = operations.filter((op) => !allowed.includes(op));
    if (invalid.length > 0) throw kmsError('ValidationException', `Grant operations ${invalid.join(', ')} are not valid for ${arn} (key spec ${record.KeySpec}, key usage ${record.KeyUsage}).`);
    if (constraints && specInfo(record.KeySpec).family !== 'symmetric') {
      throw kmsError('ValidationException', `Grant constraints are not supported for ${record.KeySpec} KMS keys: only symmetric encryption KMS keys take an encryption context.`);
    }
    endDryRun(dryRun);
    const existing = await ctx.runtime.store.grantsForKey(record.KeyId);
    const wanted = {
      KeyId: record.KeyId,
      GranteePrincipal: grantee,
      ...(retiring !== undefined ? { RetiringPrincipal: retiring } : {}),
      IssuingAccount: `arn:aws:iam::${ctx.runtime.account}:root`,
      Operations: operations,
      ...(constraints ? { Constraints: constraints } : {}),
      ...(name !== undefined ? { Name: name } : {}),
    };
    // A retry with the same Name and parameters gets the original grant and a fresh token.
    const retry = name === undefined ? undefined : existing.find((g) => g.Name === name && sameParameters(g, wanted));
    const tokenKey = await ctx.runtime.grantTokenKey()!;
    if (retry) return { result: { GrantToken: await grantToken(tokenKey, ctx.region, record.KeyId, retry.GrantId), GrantId: retry.GrantId } };
    if (existing.length >= GRANTS_PER_KEY) throw kmsError('LimitExceededException', `${arn} has ${GRANTS_PER_KEY} grants, the most a KMS key can have.`);
    const grant: GrantRecord = { ...wanted, version: 1, GrantId: materialIdFrom(randomBytes(32)), CreationDate: ctx.now() };
    // Rewriting the key record (same content, next version) makes a concurrent deletion conflict.
    return {
      record,
      writes: [{ store: 'grants', id: grant.GrantId, expect: null, value: grant }],
      result: { GrantToken: await grantToken(tokenKey, ctx.region, record.KeyId, grant.GrantId), GrantId: grant.GrantId },
    };
  });
}

function listEntry(ctx: CallContext, g: GrantRecord): GrantListEntry {
  return {
    KeyId: ctx.arn(g.KeyId),
    GrantId: g.GrantId,
    ...(g.Name !== undefined ? { Name: g.Name } : {}),
    CreationDate: new Date(g.CreationDate),
    GranteePrincipal: g.GranteePrincipal,
    ...(g.RetiringPrincipal !== undefined ? { RetiringPrincipal: g.RetiringPrincipal } : {}),
    IssuingAccount: g.IssuingAccount,
    Operations: [...g.Operations] as GrantOperation[],
    ...(g.Constraints ? { Constraints: structuredClone(g.Constraints) as GrantListEntry['Constraints'] } : {}),
  };
}

export async function listGrants(ctx: CallContext, req: Record<string, unknown>): Promise<ListGrantsResponse> {
  const keyIdText = requiredString(req.KeyId, 'KeyId');
  const grantId = optionalString(req.GrantId, 'GrantId', 1, 128);
  const grantee = optionalString(req.GranteePrincipal, 'GranteePrincipal', 1, 256);
  const { record } = await ctx.readKey(keyIdText, { op: 'ListGrants', allowAlias: false });
  const grants = (await ctx.runtime.store.grantsForKey(record.KeyId)).filter((g) => (grantId === undefined || g.GrantId === grantId) && (grantee === undefined || g.GranteePrincipal === grantee));
  const { page: entries, ...rest } = page(grants, req, 50);
  return { Grants: entries.map((g) => listEntry(ctx, g)), ...rest };
}

export async function listRetirableGrants(ctx: CallContext, req: Record<string, unknown>): Promise<ListGrantsResponse> {
  const retiring = principal(req.RetiringPrincipal, 'RetiringPrincipal');
  if (retiring === undefined) throw validation('retiringPrincipal', 'Member must not be null');
  await ctx.authorizeAccount(undefined, undefined, 'caller');
  const grants = (await ctx.runtime.store.allGrants()).filter((g) => g.RetiringPrincipal === retiring);
  const { page: entries, ...rest } = page(grants, req, 50);
  return { Grants: entries.map((g) => listEntry(ctx, g)), ...rest };
}

/** Deletes a grant; a grant that another call removed first is NotFound, as it would be after. */
async function removeGrant(ctx: CallContext, grant: GrantRecord): Promise<void> {
  try {
    await ctx.runtime.store.commit([{ store: 'grants', id: grant.GrantId, expect: grant.version }]);
  } catch (error) {
    if (error instanceof StaleWriteError) throw grantNotFound(grant.GrantId);
    throw error;
  }
}

const grantNotFound = (grantId: string) => kmsError('NotFoundException', `Grant ID ${grantId} not found`);

function checkGrantId(grantId: string): void {
  if (!GRANT_ID.test(grantId)) throw kmsError('InvalidGrantIdException', `${grantId} is not a valid grant ID: use the GrantId a CreateGrant response returned.`);
}

/** Why the caller may retire a grant without a policy (developer guide, "Retiring and revoking grants"). */
function retireDecision(ctx: CallContext, grant: GrantRecord): Decision | undefined {
  const caller = describePrincipal(ctx.principal);
  if (!caller || !mayRetireGrant(grant, caller, ctx.runtime.account)) return undefined;
  const who =
    grant.RetiringPrincipal !== undefined && (grant.RetiringPrincipal === caller.arn || grant.RetiringPrincipal === caller.roleArn)
      ? "the grant's retiring principal"
      : grant.Operations.includes('RetireGrant') && (grant.GranteePrincipal === caller.arn || grant.GranteePrincipal === caller.roleArn)
        ? 'its grantee, which the grant allows RetireGrant'
        : "the root user of the account that owns the key";
  const source = who.startsWith('the root') ? ('account-root' as const) : ('grant' as const);
  return {
    allowed: true,
    outcome: 'allow',
    reason: `Allowed: the caller is ${who} (grant ${grant.GrantId}).`,
    matched: [source === 'grant' ? { source, grantId: grant.GrantId } : { source }],
    delegatedBy: [],
    grantsNotApplied: [],
  };
}

export async function retireGrant(ctx: CallContext, req: Record<string, unknown>): Promise<Empty> {
  const token = optionalString(req.GrantToken, 'GrantToken', 1, 8192);
  const keyIdText = optionalString(req.KeyId, 'KeyId');
  const grantIdText = optionalString(req.GrantId, 'GrantId', 1, 128);
  const dryRun = optionalBoolean(req.DryRun, 'DryRun') ?? false;
  let keyText: string;
  let grantId: string;
  if (token !== undefined) {
    const named = decodeGrantToken(token);
    if (!named || !(await isIssuedGrantToken(ctx.runtime, token))) throw invalidGrantToken('GrantToken');
    // A token of another region's grant names nothing here.
    if (named.region !== ctx.region) throw grantNotFound(named.grantId);
    if (grantIdText !== undefined && grantIdText !== named.grantId) throw kmsError('ValidationException', 'GrantId does not match the grant the GrantToken names.');
    // The token names a key of this region's account: by ARN, for a retiring principal of another account.
    [keyText, grantId] = [keyIdText ?? ctx.arn(named.keyId), named.grantId];
  } else {
    if (keyIdText === undefined || grantIdText === undefined) throw kmsError('ValidationException', 'RetireGrant needs a GrantToken, or both KeyId and GrantId.');
    [keyText, grantId] = [keyIdText, grantIdText];
  }
  checkGrantId(grantId);
  const keyId = await ctx.resolveKeyId(keyText, false);
  const grant = await ctx.runtime.store.getGrant(grantId);
  const found = grant && grant.KeyId === keyId ? grant : undefined;
  await ctx.readKey(ctx.arn(keyId), { op: 'RetireGrant', allowAlias: false, decided: () => (found ? retireDecision(ctx, found) : undefined) });
  if (!found) throw grantNotFound(grantId);
  endDryRun(dryRun);
  await removeGrant(ctx, found);
  return {};
}

export async function revokeGrant(ctx: CallContext, req: Record<string, unknown>): Promise<Empty> {
  const keyIdText = requiredString(req.KeyId, 'KeyId');
  const grantId = requiredString(req.GrantId, 'GrantId', 1, 128);
  const dryRun = optionalBoolean(req.DryRun, 'DryRun') ?? false;
  checkGrantId(grantId);
  const { record } = await ctx.readKey(keyIdText, { op: 'RevokeGrant', allowAlias: false });
  const grant = await ctx.runtime.store.getGrant(grantId);
  if (!grant || grant.KeyId !== record.KeyId) throw grantNotFound(grantId);
  endDryRun(dryRun);
  await removeGrant(ctx, grant);
  return {};
}
