/**
 * Secret values: CreateSecret, PutSecretValue, GetSecretValue, BatchGetSecretValue,
 * ListSecretVersionIds, UpdateSecret, UpdateSecretVersionStage (API reference, one section each).
 */
import { mutate } from '../storage/store.js';
import { pageOffset, pageToken } from '../validation.js';
import { smError, type SmContext } from './context.js';
import { replicateAll, replicaRequests, syncReplicas } from './replication.js';
import type { SealedValue, SecretRecord, VersionRecord } from './schema.js';
import { open, rewrap, sameValue, seal, type SecretValue } from './sealing.js';
import { filterMatches, readFilters } from './secrets.js';
import type {
  ArnAndName,
  BatchGetSecretValueResponse,
  CreateSecretResponse,
  GetSecretValueResponse,
  ListSecretVersionIdsResponse,
  PutSecretValueResponse,
  SecretVersionsListEntry,
  UpdateSecretResponse,
} from './types.js';
import { addVersion, attachLabel, AWSCURRENT, AWSPENDING, AWSPREVIOUS, detachLabel, versionWithStage, MAX_LABELS_PER_VERSION } from './versions.js';

/** SecretString and SecretBinary: 1-65,536 bytes, one or the other (quotas, "Secret value size"). */
const MAX_VALUE_BYTES = 65_536;

/** SecretString or SecretBinary of a request, checked (one of them, 1-65,536 bytes). */
export function readValue(ctx: SmContext, req: Record<string, unknown>): SecretValue | undefined {
  const text = ctx.read.optionalString(req.SecretString, 'SecretString', 1, MAX_VALUE_BYTES);
  const bytes = ctx.read.optionalBytes(req.SecretBinary, 'SecretBinary', 1, MAX_VALUE_BYTES);
  if (text !== undefined && bytes !== undefined) throw smError('InvalidParameterException', "You can't specify both a binary secret value and a string secret value in the same secret.");
  if (text !== undefined) {
    if (new TextEncoder().encode(text).length > MAX_VALUE_BYTES) throw smError('InvalidParameterException', `SecretString must be at most ${MAX_VALUE_BYTES} bytes of UTF-8.`);
    return { type: 'string', text };
  }
  return bytes !== undefined ? { type: 'binary', bytes } : undefined;
}

/** ClientRequestToken, checked (32-64 characters). */
export function readToken(ctx: SmContext, value: unknown): string | undefined {
  return ctx.read.optionalString(value, 'ClientRequestToken', 32, 64);
}

/** The version a secret's reader wants: by id, by stage, or AWSCURRENT. */
export function selectVersion(secret: SecretRecord, versionId: string | undefined, stage: string | undefined): VersionRecord {
  const byId = versionId !== undefined ? secret.Versions.find((v) => v.VersionId === versionId) : undefined;
  if (versionId !== undefined && !byId) throw smError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for VersionId: ${versionId}`);
  if (byId && stage !== undefined && !byId.Stages.includes(stage)) {
    throw smError('InvalidRequestException', `The version ${versionId} does not have the staging label ${stage}.`);
  }
  const found = byId ?? versionWithStage(secret, stage ?? AWSCURRENT);
  if (!found) throw smError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for staging label: ${stage ?? AWSCURRENT}`);
  return found;
}

/** The plaintext of one version (its value must exist). */
export async function readVersion(ctx: SmContext, secret: SecretRecord, version: VersionRecord): Promise<SecretValue> {
  if (!version.value) throw smError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for VersionId: ${version.VersionId}`);
  return open(ctx.kms, { sealed: version.value, secretArn: secret.ARN, versionId: version.VersionId });
}

/**
 * Adds a version with `value` under the secret's key, or, when `token` names an existing version,
 * applies ClientRequestToken idempotency (PutSecretValue: same value, no-op; different value,
 * ResourceExistsException; a version without a value yet, the AWSPENDING version of a rotation,
 * receives it).
 */
async function putVersion(ctx: SmContext, secret: SecretRecord, value: SecretValue, token: string | undefined, stages: readonly string[] | undefined): Promise<{ record: SecretRecord; versionId: string; stages: string[] }> {
  const versionId = token ?? crypto.randomUUID();
  const existing = secret.Versions.find((v) => v.VersionId === versionId);
  if (existing?.value) {
    const current = await readVersion(ctx, secret, existing);
    if (!sameValue(current, value)) throw smError('ResourceExistsException', `You can't modify an existing version, you can only create new versions. Version ${versionId} already exists with a different value.`);
    return { record: secret, versionId, stages: [...existing.Stages] };
  }
  const sealed = await seal(ctx.kms, { keyId: await ctx.keyFor(secret.KmsKeyId), secretArn: secret.ARN, versionId, value });
  const now = ctx.now();
  const wanted = stages ?? [AWSCURRENT];
  const version: VersionRecord = { VersionId: versionId, Stages: [], CreatedDate: existing?.CreatedDate ?? now, value: sealed };
  const keep = existing ? [...new Set([...existing.Stages, ...wanted])] : wanted;
  const Versions = addVersion(secret.Versions, version, keep, now);
  const record: SecretRecord = { ...secret, version: secret.version + 1, Versions, LastChangedDate: now };
  return { record, versionId, stages: [...Versions.find((v) => v.VersionId === versionId)!.Stages] };
}

/** CreateSecret (API reference, "CreateSecret"). */
export async function createSecret(ctx: SmContext, req: Record<string, unknown>): Promise<CreateSecretResponse> {
  const name = ctx.read.string(req.Name, 'Name', 1, 512);
  if (!/^[A-Za-z0-9/_+=.@-]+$/.test(name)) throw smError('InvalidParameterException', 'Name may contain only ASCII letters, digits and /_+=.@- characters.');
  const description = ctx.read.optionalString(req.Description, 'Description', 0, 2048);
  const kmsKeyId = ctx.read.optionalString(req.KmsKeyId, 'KmsKeyId', 0, 2048);
  const token = readToken(ctx, req.ClientRequestToken);
  const value = readValue(ctx, req);
  const tags = readTags(ctx, req.Tags) ?? [];
  const replicas = replicaRequests(ctx, req.AddReplicaRegions);
  const force = ctx.read.optionalBoolean(req.ForceOverwriteReplicaSecret, 'ForceOverwriteReplicaSecret') ?? false;

  const existing = await ctx.lookup(name);
  if (existing?.deletion) throw smError('InvalidRequestException', "You can't create this secret because a secret with this name is already scheduled for deletion.");
  if (existing) {
    // The same request again (same token and value) is a no-op (CreateSecret, ClientRequestToken).
    const same = token !== undefined ? existing.Versions.find((v) => v.VersionId === token) : undefined;
    if (same?.value && value && sameValue(await readVersion(ctx, existing, same), value)) return { ARN: existing.ARN, Name: existing.Name, VersionId: token };
    throw smError('ResourceExistsException', `The operation failed because the secret ${name} already exists.`);
  }
  const now = ctx.now();
  let record: SecretRecord = {
    id: name,
    version: 0,
    ARN: ctx.secretArn(name),
    Name: name,
    ...(description !== undefined ? { Description: description } : {}),
    ...(kmsKeyId !== undefined && kmsKeyId !== 'alias/aws/secretsmanager' ? { KmsKeyId: kmsKeyId } : {}),
    Tags: tags,
    CreatedDate: now,
    LastChangedDate: now,
    PrimaryRegion: ctx.region,
    Replicas: [],
    Versions: [],
  };
  let versionId: string | undefined;
  if (value) ({ record, versionId } = await putVersion(ctx, record, value, token, undefined));
  await ctx.store.commit([{ store: 'secrets', id: name, expect: null, value: { ...record, version: 1 } }]);
  if (replicas.length === 0) return { ARN: record.ARN, Name: name, ...(versionId ? { VersionId: versionId } : {}) };
  const ReplicationStatus = await replicateAll(ctx, name, replicas, force);
  return { ARN: record.ARN, Name: name, ...(versionId ? { VersionId: versionId } : {}), ReplicationStatus };
}

/** `Tags`, checked (at most 50). */
export function readTags(ctx: SmContext, value: unknown): { Key: string; Value: string }[] | undefined {
  const list = ctx.read.optionalList(value, 'Tags', 50);
  return list?.map((t, i) => ({ Key: ctx.read.string(t.Key, `Tags[${i}].Key`, 1, 128), Value: ctx.read.string(t.Value, `Tags[${i}].Value`, 0, 256) }));
}

/** PutSecretValue (API reference, "PutSecretValue"). */
export async function putSecretValue(ctx: SmContext, req: Record<string, unknown>): Promise<PutSecretValueResponse> {
  const secretId = ctx.read.string(req.SecretId, 'SecretId');
  const token = readToken(ctx, req.ClientRequestToken);
  const value = readValue(ctx, req);
  if (!value) throw smError('InvalidParameterException', 'You must provide either SecretString or SecretBinary.');
  const stages = ctx.read.optionalStringList(req.VersionStages, 'VersionStages', { min: 1, max: MAX_LABELS_PER_VERSION, itemMax: 256 });
  const result = await mutate(ctx.store, async () => {
    const secret = await ctx.find(secretId);
    ctx.requireLive(secret);
    ctx.requirePrimary(secret);
    const put = await putVersion(ctx, secret, value, token, stages);
    const writes = put.record === secret ? [] : [{ store: 'secrets' as const, id: secret.id, expect: secret.version, value: put.record }];
    return { writes, result: { ARN: secret.ARN, Name: secret.Name, VersionId: put.versionId, VersionStages: put.stages, secret: put.record } };
  });
  await syncReplicas(ctx, result.secret);
  const { secret: _secret, ...response } = result;
  return response;
}

/** GetSecretValue (API reference, "GetSecretValue"). */
export async function getSecretValue(ctx: SmContext, req: Record<string, unknown>): Promise<GetSecretValueResponse> {
  const secretId = ctx.read.string(req.SecretId, 'SecretId');
  const versionId = ctx.read.optionalString(req.VersionId, 'VersionId', 32, 64);
  const stage = ctx.read.optionalString(req.VersionStage, 'VersionStage', 1, 256);
  const secret = await ctx.find(secretId);
  ctx.requireLive(secret);
  const version = selectVersion(secret, versionId, stage);
  const value = await readVersion(ctx, secret, version);
  await touch(ctx, secret, version.VersionId);
  return {
    ARN: secret.ARN,
    Name: secret.Name,
    VersionId: version.VersionId,
    ...(value.type === 'string' ? { SecretString: value.text } : { SecretBinary: value.bytes }),
    VersionStages: [...version.Stages],
    CreatedDate: new Date(version.CreatedDate),
  };
}

/** LastAccessedDate: AWS keeps the date only, so a secret is written at most once a day for it. */
async function touch(ctx: SmContext, secret: SecretRecord, versionId: string): Promise<void> {
  const day = ctx.now() - (ctx.now() % 86_400_000);
  if (secret.LastAccessedDate === day && secret.Versions.find((v) => v.VersionId === versionId)?.LastAccessedDate === day) return;
  const Versions = secret.Versions.map((v) => (v.VersionId === versionId ? { ...v, LastAccessedDate: day } : v));
  // A lost race only loses a date that another writer is setting too.
  await ctx.store.commit([{ store: 'secrets', id: secret.id, expect: secret.version, value: { ...secret, version: secret.version + 1, LastAccessedDate: day, Versions } }]).catch(() => undefined);
}

/** BatchGetSecretValue (API reference, "BatchGetSecretValue"). */
export async function batchGetSecretValue(ctx: SmContext, req: Record<string, unknown>): Promise<BatchGetSecretValueResponse> {
  const ids = ctx.read.optionalStringList(req.SecretIdList, 'SecretIdList', { min: 1, max: 20 });
  const filters = readFilters(ctx, req.Filters);
  if ((ids === undefined) === (filters === undefined)) throw smError('InvalidParameterException', 'Specify either SecretIdList or Filters, not both and not neither.');
  const max = ctx.read.optionalInteger(req.MaxResults, 'MaxResults', 1, 20) ?? 20;
  const nextToken = ctx.read.optionalString(req.NextToken, 'NextToken', 1, 4096);
  let names = ids;
  if (filters) {
    names = (await ctx.store.all('secrets')).filter((s) => !s.deletion && filterMatches(s, filters)).map((s) => s.ARN);
  }
  const offset = nextToken === undefined ? 0 : pageOffset('batch', nextToken);
  if (offset === undefined) throw smError('InvalidNextTokenException', 'The NextToken value is invalid.');
  const page = filters ? names!.slice(offset, offset + max) : names!;
  const response: BatchGetSecretValueResponse = { SecretValues: [], Errors: [] };
  for (const id of page) {
    try {
      response.SecretValues.push(await getSecretValue(ctx, { SecretId: id }));
    } catch (error) {
      const e = error as Error;
      response.Errors.push({ SecretId: id, ErrorCode: e.name, Message: e.message });
    }
  }
  if (filters && offset + max < names!.length) response.NextToken = pageToken('batch', offset + max);
  return response;
}

/** ListSecretVersionIds (API reference, "ListSecretVersionIds"). */
export async function listSecretVersionIds(ctx: SmContext, req: Record<string, unknown>): Promise<ListSecretVersionIdsResponse> {
  const secret = await ctx.find(ctx.read.string(req.SecretId, 'SecretId'));
  const max = ctx.read.optionalInteger(req.MaxResults, 'MaxResults', 1, 100) ?? 100;
  const includeDeprecated = ctx.read.optionalBoolean(req.IncludeDeprecated, 'IncludeDeprecated') ?? false;
  const nextToken = ctx.read.optionalString(req.NextToken, 'NextToken', 1, 4096);
  const offset = nextToken === undefined ? 0 : pageOffset('versions', nextToken);
  if (offset === undefined) throw smError('InvalidNextTokenException', 'The NextToken value is invalid.');
  const all = secret.Versions.filter((v) => includeDeprecated || v.Stages.length > 0);
  const Versions: SecretVersionsListEntry[] = all.slice(offset, offset + max).map((v) => ({
    VersionId: v.VersionId,
    VersionStages: [...v.Stages],
    CreatedDate: new Date(v.CreatedDate),
    ...(v.LastAccessedDate !== undefined ? { LastAccessedDate: new Date(v.LastAccessedDate) } : {}),
    ...(v.value ? { KmsKeyIds: v.value.dataKeys.map((w) => w.KeyArn) } : {}),
  }));
  return { Versions, ARN: secret.ARN, Name: secret.Name, ...(offset + max < all.length ? { NextToken: pageToken('versions', offset + max) } : {}) };
}

/** UpdateSecret (API reference, "UpdateSecret"). */
export async function updateSecret(ctx: SmContext, req: Record<string, unknown>): Promise<UpdateSecretResponse> {
  const secretId = ctx.read.string(req.SecretId, 'SecretId');
  const description = ctx.read.optionalString(req.Description, 'Description', 0, 2048);
  const kmsKeyId = ctx.read.optionalString(req.KmsKeyId, 'KmsKeyId', 0, 2048);
  const token = readToken(ctx, req.ClientRequestToken);
  const value = readValue(ctx, req);
  const result = await mutate(ctx.store, async () => {
    const secret = await ctx.find(secretId);
    ctx.requireLive(secret);
    ctx.requirePrimary(secret);
    let record: SecretRecord = { ...secret, version: secret.version + 1, LastChangedDate: ctx.now(), ...(description !== undefined ? { Description: description } : {}) };
    if (kmsKeyId !== undefined) {
      const newKey = kmsKeyId === 'alias/aws/secretsmanager' ? undefined : kmsKeyId;
      const { KmsKeyId: _old, ...rest } = record;
      record = { ...rest, ...(newKey !== undefined ? { KmsKeyId: newKey } : {}) };
      // "Change the encryption key for a secret": AWSCURRENT, AWSPENDING and AWSPREVIOUS are
      // re-encrypted under the new key (their old wraps stay); a caller without kms:Decrypt on
      // the old key leaves them as they were.
      const target = await ctx.keyFor(newKey);
      const Versions: VersionRecord[] = [];
      for (const v of record.Versions) {
        const labelled = v.Stages.some((s) => s === AWSCURRENT || s === AWSPENDING || s === AWSPREVIOUS);
        const rewrapped: SealedValue | undefined = labelled && v.value ? await rewrap(ctx.kms, { sealed: v.value, secretArn: secret.ARN, versionId: v.VersionId, newKeyId: target }) : undefined;
        Versions.push(rewrapped ? { ...v, value: rewrapped } : v);
      }
      record = { ...record, Versions };
    }
    let versionId: string | undefined;
    if (value) {
      const put = await putVersion(ctx, { ...record, version: secret.version }, value, token, undefined);
      record = { ...put.record, version: secret.version + 1 };
      versionId = put.versionId;
    }
    return { writes: [{ store: 'secrets' as const, id: secret.id, expect: secret.version, value: record }], result: { secret: record, versionId } };
  });
  await syncReplicas(ctx, result.secret);
  return { ARN: result.secret.ARN, Name: result.secret.Name, ...(result.versionId ? { VersionId: result.versionId } : {}) };
}

/** UpdateSecretVersionStage (API reference, "UpdateSecretVersionStage"). */
export async function updateSecretVersionStage(ctx: SmContext, req: Record<string, unknown>): Promise<ArnAndName> {
  const secretId = ctx.read.string(req.SecretId, 'SecretId');
  const stage = ctx.read.string(req.VersionStage, 'VersionStage', 1, 256);
  const removeFrom = ctx.read.optionalString(req.RemoveFromVersionId, 'RemoveFromVersionId', 32, 64);
  const moveTo = ctx.read.optionalString(req.MoveToVersionId, 'MoveToVersionId', 32, 64);
  const secret = await mutate(ctx.store, async () => {
    const current = await ctx.find(secretId);
    ctx.requireLive(current);
    ctx.requirePrimary(current);
    const holder = versionWithStage(current, stage);
    if (moveTo !== undefined && !current.Versions.some((v) => v.VersionId === moveTo)) throw smError('ResourceNotFoundException', `Secrets Manager can't find the specified secret version: ${moveTo}`);
    if (removeFrom !== undefined && holder?.VersionId !== removeFrom) {
      throw smError('InvalidParameterException', `The staging label ${stage} is currently attached to version ${holder?.VersionId ?? '(none)'}, not ${removeFrom}; RemoveFromVersionId must name the version that has it.`);
    }
    // Moving a label that is attached elsewhere needs RemoveFromVersionId naming its holder (API reference).
    if (moveTo !== undefined && holder && holder.VersionId !== moveTo && removeFrom === undefined) {
      throw smError('InvalidParameterException', `The staging label ${stage} is currently attached to version ${holder.VersionId}; specify it as RemoveFromVersionId to move the label.`);
    }
    let Versions = [...current.Versions];
    if (moveTo !== undefined) Versions = attachLabel(Versions, stage, moveTo);
    else if (removeFrom !== undefined) {
      if (stage === AWSCURRENT) throw smError('InvalidParameterException', 'You can only move AWSCURRENT to another version; it cannot be removed from the secret.');
      Versions = detachLabel(Versions, stage, removeFrom);
    }
    const record: SecretRecord = { ...current, version: current.version + 1, Versions, LastChangedDate: ctx.now() };
    return { writes: [{ store: 'secrets' as const, id: current.id, expect: current.version, value: record }], result: record };
  });
  await syncReplicas(ctx, secret);
  return { ARN: secret.ARN, Name: secret.Name };
}
