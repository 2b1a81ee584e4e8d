/**
 * Secret metadata: DescribeSecret, ListSecrets, DeleteSecret, RestoreSecret, TagResource,
 * UntagResource, Get/Put/DeleteResourcePolicy, GetRandomPassword (API reference, one section each).
 */
import { mutate } from '../storage/store.js';
import { pageOffset, pageToken } from '../validation.js';
import { smError, type SmContext } from './context.js';
import { randomPassword } from './password.js';
import type { SecretRecord } from './schema.js';
import type {
  ArnAndName,
  DeleteSecretResponse,
  DescribeSecretResponse,
  Filter,
  GetRandomPasswordResponse,
  GetResourcePolicyResponse,
  ListSecretsResponse,
  ReplicationStatusType,
  SecretListEntry,
} from './types.js';
import { readTags } from './values.js';
import { syncReplicas } from './replication.js';

const DAY_MS = 86_400_000;
const FILTER_KEYS = ['description', 'name', 'tag-key', 'tag-value', 'primary-region', 'owning-service', 'all'] as const;

/** A primary's replicas as ReplicationStatus lists them. */
export function replicationStatus(secret: SecretRecord): ReplicationStatusType[] {
  return secret.Replicas.map((r) => ({ Region: r.Region, ...(r.KmsKeyId !== undefined ? { KmsKeyId: r.KmsKeyId } : {}), Status: r.Status, ...(r.StatusMessage !== undefined ? { StatusMessage: r.StatusMessage } : {}) }));
}

function stagesMap(secret: SecretRecord): Record<string, string[]> {
  return Object.fromEntries(secret.Versions.filter((v) => v.Stages.length > 0).map((v) => [v.VersionId, [...v.Stages]]));
}

function common(secret: SecretRecord): Omit<DescribeSecretResponse, 'VersionIdsToStages' | 'ReplicationStatus'> {
  const r = secret.rotation;
  return {
    ARN: secret.ARN,
    Name: secret.Name,
    ...(secret.Description !== undefined ? { Description: secret.Description } : {}),
    ...(secret.KmsKeyId !== undefined ? { KmsKeyId: secret.KmsKeyId } : {}),
    ...(r ? { RotationEnabled: r.Enabled } : {}),
    ...(r?.LambdaARN !== undefined ? { RotationLambdaARN: r.LambdaARN } : {}),
    ...(r?.Rules ? { RotationRules: { ...r.Rules } } : {}),
    ...(r?.LastRotatedDate !== undefined ? { LastRotatedDate: new Date(r.LastRotatedDate) } : {}),
    ...(r?.Enabled && r.NextRotationDate !== undefined ? { NextRotationDate: new Date(r.NextRotationDate) } : {}),
    LastChangedDate: new Date(secret.LastChangedDate),
    ...(secret.LastAccessedDate !== undefined ? { LastAccessedDate: new Date(secret.LastAccessedDate) } : {}),
    ...(secret.deletion ? { DeletedDate: new Date(secret.deletion.DeletedDate) } : {}),
    ...(secret.Tags.length > 0 ? { Tags: secret.Tags.map((t) => ({ ...t })) } : {}),
    CreatedDate: new Date(secret.CreatedDate),
    PrimaryRegion: secret.PrimaryRegion,
  };
}

/** DescribeSecret (API reference, "DescribeSecret"). */
export async function describeSecret(ctx: SmContext, req: Record<string, unknown>): Promise<DescribeSecretResponse> {
  const secret = await ctx.find(ctx.read.string(req.SecretId, 'SecretId'));
  return { ...common(secret), VersionIdsToStages: stagesMap(secret), ...(secret.Replicas.length > 0 ? { ReplicationStatus: replicationStatus(secret) } : {}) };
}

/** ListSecrets / BatchGetSecretValue `Filters`, checked. */
export function readFilters(ctx: SmContext, value: unknown): Filter[] | undefined {
  const list = ctx.read.optionalList(value, 'Filters', 10);
  return list?.map((f, i) => ({
    Key: ctx.read.optionalEnum(f.Key, `Filters[${i}].Key`, FILTER_KEYS) ?? (() => { throw smError('InvalidParameterException', `Filters[${i}].Key is required.`); })(),
    Values: ctx.read.optionalStringList(f.Values, `Filters[${i}].Values`, { min: 1, max: 10, itemMax: 512 }) ?? [],
  }));
}

/**
 * ListSecrets filters (API reference, Filter): each value is a prefix match; a value starting with
 * `!` negates it; a secret matches when every filter matches (values of one filter are ORed,
 * negated values ANDed).
 */
export function filterMatches(secret: SecretRecord, filters: readonly Filter[]): boolean {
  const fields = (key: Filter['Key']): string[] => {
    switch (key) {
      case 'name':
        return [secret.Name];
      case 'description':
        return secret.Description !== undefined ? [secret.Description] : [];
      case 'tag-key':
        return secret.Tags.map((t) => t.Key);
      case 'tag-value':
        return secret.Tags.map((t) => t.Value);
      case 'primary-region':
        return [secret.PrimaryRegion];
      case 'owning-service':
        return [];
      case 'all':
        return [secret.Name, ...(secret.Description !== undefined ? [secret.Description] : []), ...secret.Tags.flatMap((t) => [t.Key, t.Value])];
    }
  };
  return filters.every((f) => {
    const values = fields(f.Key);
    const positive = f.Values.filter((v) => !v.startsWith('!'));
    const negative = f.Values.filter((v) => v.startsWith('!')).map((v) => v.slice(1));
    if (negative.some((n) => values.some((v) => v.startsWith(n)))) return false;
    return positive.length === 0 || positive.some((p) => values.some((v) => v.startsWith(p)));
  });
}

/** ListSecrets (API reference, "ListSecrets"). */
export async function listSecrets(ctx: SmContext, req: Record<string, unknown>): Promise<ListSecretsResponse> {
  const includeDeleted = ctx.read.optionalBoolean(req.IncludePlannedDeletion, 'IncludePlannedDeletion') ?? false;
  const max = ctx.read.optionalInteger(req.MaxResults, 'MaxResults', 1, 100) ?? 100;
  const nextToken = ctx.read.optionalString(req.NextToken, 'NextToken', 1, 4096);
  const filters = readFilters(ctx, req.Filters) ?? [];
  const order = ctx.read.optionalEnum(req.SortOrder, 'SortOrder', ['asc', 'desc'] as const) ?? 'desc';
  const offset = nextToken === undefined ? 0 : pageOffset('secrets', nextToken);
  if (offset === undefined) throw smError('InvalidNextTokenException', 'The NextToken value is invalid.');
  const now = ctx.now();
  const all = (await ctx.store.all('secrets'))
    .filter((s) => !(s.deletion && s.deletion.DeletionDate <= now))
    .filter((s) => includeDeleted || !s.deletion)
    .filter((s) => filterMatches(s, filters))
    // Sorted by creation date, newest first unless asc (API reference, SortOrder).
    .sort((a, b) => (order === 'asc' ? a.CreatedDate - b.CreatedDate : b.CreatedDate - a.CreatedDate) || (a.Name < b.Name ? -1 : 1));
  const SecretList: SecretListEntry[] = all.slice(offset, offset + max).map((s) => ({ ...common(s), SecretVersionsToStages: stagesMap(s) }));
  return { SecretList, ...(offset + max < all.length ? { NextToken: pageToken('secrets', offset + max) } : {}) };
}

/** DeleteSecret (API reference, "DeleteSecret"). */
export async function deleteSecret(ctx: SmContext, req: Record<string, unknown>): Promise<DeleteSecretResponse> {
  const secretId = ctx.read.string(req.SecretId, 'SecretId');
  const window = ctx.read.optionalInteger(req.RecoveryWindowInDays, 'RecoveryWindowInDays', 7, 30);
  const force = ctx.read.optionalBoolean(req.ForceDeleteWithoutRecovery, 'ForceDeleteWithoutRecovery') ?? false;
  if (force && window !== undefined) throw smError('InvalidParameterException', "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
  return mutate(ctx.store, async () => {
    const secret = await ctx.find(secretId);
    ctx.requirePrimary(secret);
    if (secret.Replicas.length > 0) {
      throw smError('InvalidRequestException', `You can't delete secret ${secret.Name} because it is replicated to ${secret.Replicas.map((r) => r.Region).join(', ')}; remove the replicas first (RemoveRegionsFromReplication).`);
    }
    const now = ctx.now();
    if (force) {
      return { writes: [{ store: 'secrets' as const, id: secret.id, expect: secret.version, value: undefined }], result: { ARN: secret.ARN, Name: secret.Name, DeletionDate: new Date(now) } };
    }
    // Deleting again during the window keeps the first schedule.
    const deletion = secret.deletion ?? { DeletedDate: now, DeletionDate: now + (window ?? 30) * DAY_MS };
    const record: SecretRecord = { ...secret, version: secret.version + 1, deletion };
    return { writes: [{ store: 'secrets' as const, id: secret.id, expect: secret.version, value: record }], result: { ARN: secret.ARN, Name: secret.Name, DeletionDate: new Date(deletion.DeletionDate) } };
  });
}

/** RestoreSecret (API reference, "RestoreSecret"). */
export async function restoreSecret(ctx: SmContext, req: Record<string, unknown>): Promise<ArnAndName> {
  const secretId = ctx.read.string(req.SecretId, 'SecretId');
  return mutate(ctx.store, async () => {
    const secret = await ctx.find(secretId);
    const { deletion: _cancelled, ...rest } = secret;
    return { writes: secret.deletion ? [{ store: 'secrets' as const, id: secret.id, expect: secret.version, value: { ...rest, version: secret.version + 1 } }] : [], result: { ARN: secret.ARN, Name: secret.Name } };
  });
}

/** A change to a live primary secret's metadata, copied to its replicas. */
async function change(ctx: SmContext, secretId: string, edit: (secret: SecretRecord) => SecretRecord): Promise<SecretRecord> {
  const changed = await mutate(ctx.store, async () => {
    const secret = await ctx.find(secretId);
    ctx.requireLive(secret);
    ctx.requirePrimary(secret);
    const record = { ...edit(secret), version: secret.version + 1 };
    return { writes: [{ store: 'secrets' as const, id: secret.id, expect: secret.version, value: record }], result: record };
  });
  await syncReplicas(ctx, changed);
  return changed;
}

/** TagResource (API reference, "TagResource"). */
export async function tagResource(ctx: SmContext, req: Record<string, unknown>): Promise<Record<string, never>> {
  const tags = readTags(ctx, req.Tags);
  if (!tags) throw smError('InvalidParameterException', 'Tags is required.');
  await change(ctx, ctx.read.string(req.SecretId, 'SecretId'), (s) => {
    const map = new Map(s.Tags.map((t) => [t.Key, t.Value]));
    for (const t of tags) map.set(t.Key, t.Value);
    if (map.size > 50) throw smError('LimitExceededException', 'A secret can have at most 50 tags.');
    return { ...s, Tags: [...map].map(([Key, Value]) => ({ Key, Value })) };
  });
  return {};
}

/** UntagResource (API reference, "UntagResource"). */
export async function untagResource(ctx: SmContext, req: Record<string, unknown>): Promise<Record<string, never>> {
  const keys = ctx.read.optionalStringList(req.TagKeys, 'TagKeys', { max: 50, itemMax: 128 });
  if (!keys) throw smError('InvalidParameterException', 'TagKeys is required.');
  await change(ctx, ctx.read.string(req.SecretId, 'SecretId'), (s) => ({ ...s, Tags: s.Tags.filter((t) => !keys.includes(t.Key)) }));
  return {};
}

/** GetResourcePolicy (API reference, "GetResourcePolicy"). */
export async function getResourcePolicy(ctx: SmContext, req: Record<string, unknown>): Promise<GetResourcePolicyResponse> {
  const secret = await ctx.find(ctx.read.string(req.SecretId, 'SecretId'));
  return { ARN: secret.ARN, Name: secret.Name, ...(secret.ResourcePolicy !== undefined ? { ResourcePolicy: secret.ResourcePolicy } : {}) };
}

/**
 * PutResourcePolicy: the policy must be a JSON policy document of at most 20,480 characters; with
 * BlockPublicPolicy (default true) an Allow statement for Principal "*" without conditions is
 * refused as public (user guide, "Block public access"). The simulation stores the policy; it does
 * not evaluate secretsmanager:* permissions (the KMS key policy is what it enforces).
 */
export async function putResourcePolicy(ctx: SmContext, req: Record<string, unknown>): Promise<ArnAndName> {
  const text = ctx.read.string(req.ResourcePolicy, 'ResourcePolicy', 1, 20_480);
  const block = ctx.read.optionalBoolean(req.BlockPublicPolicy, 'BlockPublicPolicy') ?? true;
  let doc: { Statement?: unknown };
  try {
    doc = JSON.parse(text) as { Statement?: unknown };
  } catch {
    throw smError('MalformedPolicyDocumentException', 'The resource policy is not valid JSON.');
  }
  const statements = Array.isArray(doc?.Statement) ? doc.Statement : doc?.Statement ? [doc.Statement] : [];
  if (statements.length === 0) throw smError('MalformedPolicyDocumentException', 'The resource policy has no Statement.');
  const isPublic = statements.some((s: { Effect?: unknown; Principal?: unknown; Condition?: unknown }) => {
    const p = s?.Principal as { AWS?: unknown } | string | undefined;
    const star = p === '*' || (typeof p === 'object' && p !== null && (p.AWS === '*' || (Array.isArray(p.AWS) && p.AWS.includes('*'))));
    return s?.Effect === 'Allow' && star && s.Condition === undefined;
  });
  if (block && isPublic) throw smError('InvalidRequestException', 'This resource policy grants public access to the secret (Principal "*" without a condition) and BlockPublicPolicy is on.');
  const secret = await change(ctx, ctx.read.string(req.SecretId, 'SecretId'), (s) => ({ ...s, ResourcePolicy: text }));
  return { ARN: secret.ARN, Name: secret.Name };
}

/** DeleteResourcePolicy (API reference, "DeleteResourcePolicy"). */
export async function deleteResourcePolicy(ctx: SmContext, req: Record<string, unknown>): Promise<ArnAndName> {
  const secret = await change(ctx, ctx.read.string(req.SecretId, 'SecretId'), (s) => {
    const { ResourcePolicy: _dropped, ...rest } = s;
    return rest;
  });
  return { ARN: secret.ARN, Name: secret.Name };
}

/** GetRandomPassword (API reference, "GetRandomPassword"). */
export async function getRandomPassword(ctx: SmContext, req: Record<string, unknown>): Promise<GetRandomPasswordResponse> {
  const r = ctx.read;
  return {
    RandomPassword: randomPassword({
      PasswordLength: r.optionalInteger(req.PasswordLength, 'PasswordLength', 1, 4096) ?? 32,
      ExcludeCharacters: r.optionalString(req.ExcludeCharacters, 'ExcludeCharacters', 0, 4096) ?? '',
      ExcludeNumbers: r.optionalBoolean(req.ExcludeNumbers, 'ExcludeNumbers') ?? false,
      ExcludePunctuation: r.optionalBoolean(req.ExcludePunctuation, 'ExcludePunctuation') ?? false,
      ExcludeUppercase: r.optionalBoolean(req.ExcludeUppercase, 'ExcludeUppercase') ?? false,
      ExcludeLowercase: r.optionalBoolean(req.ExcludeLowercase, 'ExcludeLowercase') ?? false,
      IncludeSpace: r.optionalBoolean(req.IncludeSpace, 'IncludeSpace') ?? false,
      RequireEachIncludedType: r.optionalBoolean(req.RequireEachIncludedType, 'RequireEachIncludedType') ?? true,
    }),
  };
}
