/**
 * Parameter Store operations (API reference, one section each; user guide, "AWS Systems Manager
 * Parameter Store"): PutParameter, GetParameter(s), GetParametersByPath, GetParameterHistory,
 * LabelParameterVersion, UnlabelParameterVersion, DeleteParameter(s), DescribeParameters.
 *
 * Rules as documented:
 * - names: letters, digits and `_.-/`; not beginning with `aws` or `ssm` (any case, with or
 *   without a leading slash); a name with a slash is a path and begins with one; at most 15
 *   levels ("Working with parameter hierarchies"), HierarchyLevelLimitExceededException beyond;
 * - tiers ("Managing parameter tiers"): Standard values up to 4 KB, Advanced up to 8 KB;
 *   Intelligent-Tiering picks Advanced only when needed; Standard can be raised to Advanced, an
 *   Advanced parameter never goes back;
 * - a new version needs `Overwrite` (ParameterAlreadyExists otherwise); a type cannot change
 *   (HierarchyTypeMismatchException); `Tags` and `Overwrite` cannot be used together;
 * - 100 versions are kept: the oldest is removed for a new one, unless it has a label
 *   (ParameterMaxVersionLimitExceeded, "Parameter versions");
 * - labels ("Working with parameter labels"): at most 10 per version; 1-100 characters of letters,
 *   digits and `_.-`, not beginning with a digit, `aws` or `ssm`; an invalid label is returned in
 *   InvalidLabels, not thrown; a label moves from the version that had it;
 * - a SecureString without WithDecryption comes back as its ciphertext, base64 (secure-string.ts).
 */
import { toBase64 } from '../../core/bytes.js';
import { SSMServiceException, type SsmExceptionName } from '../errors.js';
import { mutate } from '../storage/store.js';
import { pageOffset, pageToken } from '../validation.js';
import type { SsmContext } from './client.js';
import type { ParameterRecord, ParameterVersionRecord } from './schema.js';
import { decryptValue, encryptValue } from './secure-string.js';
import type {
  DeleteParametersResponse,
  DescribeParametersResponse,
  GetParameterHistoryResponse,
  GetParameterResponse,
  GetParametersByPathResponse,
  GetParametersResponse,
  LabelParameterVersionResponse,
  Parameter,
  ParameterMetadata,
  ParameterStringFilter,
  ParameterType,
  PutParameterResponse,
  UnlabelParameterVersionResponse,
} from './types.js';

const STANDARD_MAX = 4096;
const ADVANCED_MAX = 8192;
const MAX_VERSIONS = 100;
const MAX_LABELS = 10;
const MAX_DEPTH = 15;
const DEFAULT_KEY = 'alias/aws/ssm';
const TYPES = ['String', 'StringList', 'SecureString'] as const;
const TIERS = ['Standard', 'Advanced', 'Intelligent-Tiering'] as const;
const DATA_TYPES = ['text', 'aws:ec2:image', 'aws:ssm:integration'] as const;

const fail = (name: SsmExceptionName, message: string) => new SSMServiceException(name, message);
const notFound = (name: string) => fail('ParameterNotFound', `Parameter ${name} not found.`);

/** Checks a parameter name (PutParameter, "Parameter name requirements and constraints"). */
function checkName(name: string): void {
  if (name.length > 1011) throw fail('ValidationException', 'A parameter name can be at most 1011 characters long.');
  if (!/^[A-Za-z0-9_.\-/]+$/.test(name)) throw fail('ValidationException', `Parameter name ${name}: only letters, digits and the symbols _ . - / are allowed.`);
  if (/^\/?(aws|ssm)/i.test(name)) throw fail('ValidationException', `Parameter name ${name}: can't be prefixed with "aws" or "ssm" (case-insensitive).`);
  if (name.includes('/') && !name.startsWith('/')) throw fail('ValidationException', `Parameter name ${name}: a name formed as a path must begin with a slash (/).`);
  if (name.includes('//') || (name.length > 1 && name.endsWith('/'))) throw fail('ValidationException', `Parameter name ${name}: a path cannot have empty levels.`);
  if (name.split('/').filter(Boolean).length > MAX_DEPTH) {
    throw fail('HierarchyLevelLimitExceededException', `Parameter name ${name} has more than ${MAX_DEPTH} levels; a hierarchy can have at most ${MAX_DEPTH} levels.`);
  }
}

/** A label's problems make it invalid (InvalidLabels), they are not errors. */
function validLabel(label: string): boolean {
  return label.length >= 1 && label.length <= 100 && /^[A-Za-z0-9_.-]+$/.test(label) && !/^\d/.test(label) && !/^(aws|ssm)/i.test(label);
}

function current(record: ParameterRecord): ParameterVersionRecord {
  return record.Versions[record.Versions.length - 1]!;
}

/** `name`, `name:3` or `name:label`: the parameter and the version the selector names. */
async function select(ctx: SsmContext, text: string): Promise<{ record: ParameterRecord; version: ParameterVersionRecord; selector?: string }> {
  const colon = text.indexOf(':');
  const name = colon < 0 ? text : text.slice(0, colon);
  const selector = colon < 0 ? undefined : text.slice(colon + 1);
  const record = await ctx.store.get('parameters', name);
  if (!record) throw notFound(name);
  if (selector === undefined) return { record, version: current(record) };
  const version = /^\d+$/.test(selector) ? record.Versions.find((v) => v.Version === Number(selector)) : record.Versions.find((v) => v.Labels.includes(selector));
  if (!version) throw fail('ParameterVersionNotFound', `Systems Manager could not find version ${selector} of ${name}.`);
  return { record, version, selector: `:${selector}` };
}

async function valueOf(ctx: SsmContext, record: ParameterRecord, version: ParameterVersionRecord, withDecryption: boolean): Promise<string> {
  if (version.Type !== 'SecureString') return version.value!;
  if (!withDecryption) return toBase64(version.ciphertext!);
  return decryptValue(ctx.kms, { ciphertext: version.ciphertext!, keyArn: version.keyArn!, parameterArn: record.ARN, tier: version.Tier });
}

async function toParameter(ctx: SsmContext, record: ParameterRecord, version: ParameterVersionRecord, withDecryption: boolean, selector?: string): Promise<Parameter> {
  return {
    Name: record.Name,
    Type: version.Type,
    Value: await valueOf(ctx, record, version, withDecryption),
    Version: version.Version,
    ...(selector !== undefined ? { Selector: selector } : {}),
    LastModifiedDate: new Date(version.LastModifiedDate),
    ARN: record.ARN,
    DataType: version.DataType,
  };
}

/** PutParameter (API reference, "PutParameter"). */
export async function putParameter(ctx: SsmContext, req: Record<string, unknown>): Promise<PutParameterResponse> {
  const r = ctx.read;
  const name = r.string(req.Name, 'Name', 1, 2048);
  checkName(name);
  const value = r.string(req.Value, 'Value', 1, Number.MAX_SAFE_INTEGER);
  const type = r.optionalEnum(req.Type, 'Type', TYPES);
  const description = r.optionalString(req.Description, 'Description', 0, 1024);
  const keyId = r.optionalString(req.KeyId, 'KeyId', 1, 256);
  const overwrite = r.optionalBoolean(req.Overwrite, 'Overwrite') ?? false;
  const pattern = r.optionalString(req.AllowedPattern, 'AllowedPattern', 0, 1024);
  const tier = r.optionalEnum(req.Tier, 'Tier', TIERS);
  const dataType = r.optionalEnum(req.DataType, 'DataType', DATA_TYPES);
  const tags = r.optionalList(req.Tags, 'Tags', 50)?.map((t, i) => ({ Key: r.string(t.Key, `Tags[${i}].Key`, 1, 128), Value: r.string(t.Value, `Tags[${i}].Value`, 0, 256) }));
  if (tags && overwrite) {
    throw fail('ValidationException', 'Tags and overwrite can\'t be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.');
  }
  if (pattern !== undefined) {
    let regex: RegExp;
    try {
      regex = new RegExp(pattern);
    } catch {
      throw fail('InvalidAllowedPatternException', `AllowedPattern ${pattern} is not a valid regular expression.`);
    }
    if (!regex.test(value)) throw fail('ParameterPatternMismatchException', `Parameter value, cannot be validated against allowedPattern: ${pattern}`);
  }

  return mutate(ctx.store, async () => {
    const existing = await ctx.store.get('parameters', name);
    if (existing && !overwrite) throw fail('ParameterAlreadyExists', 'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.');
    const before = existing ? current(existing) : undefined;
    const newType: ParameterType = type ?? before?.Type ?? 'String';
    if (!existing && type === undefined) throw fail('ValidationException', 'A parameter type is required when you create a parameter.');
    if (before && newType !== before.Type) {
      throw fail('HierarchyTypeMismatchException', `Parameter Store doesn't support changing a parameter type: ${name} is a ${before.Type}, not a ${newType}. Create a new parameter instead.`);
    }
    if (keyId !== undefined && newType !== 'SecureString') throw fail('ValidationException', 'KeyId can be used only with the SecureString parameter type.');
    // Tiers: Intelligent-Tiering picks Advanced only for a value (or a parameter) that needs it;
    // an Advanced parameter stays Advanced.
    const needsAdvanced = value.length > STANDARD_MAX;
    let newTier: 'Standard' | 'Advanced' = tier === 'Advanced' || before?.Tier === 'Advanced' || (tier === 'Intelligent-Tiering' && needsAdvanced) ? 'Advanced' : 'Standard';
    if (tier === 'Standard' && before?.Tier === 'Advanced') {
      throw fail('ValidationException', `${name} is an advanced parameter: an advanced parameter can't be reverted to a standard parameter. Delete it and create it again as a standard parameter.`);
    }
    if (newTier === 'Standard' && needsAdvanced) {
      throw fail('ValidationException', `Standard tier parameters support a maximum parameter value of ${STANDARD_MAX} characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier.`);
    }
    if (value.length > ADVANCED_MAX) throw fail('ValidationException', `Advanced tier parameters support a maximum parameter value of ${ADVANCED_MAX} characters.`);
    newTier = newTier === 'Advanced' ? 'Advanced' : 'Standard';

    const arn = existing?.ARN ?? ctx.parameterArn(name);
    let secure: { ciphertext: Uint8Array<ArrayBuffer>; keyArn: string; KeyId: string } | undefined;
    if (newType === 'SecureString') {
      const key = keyId ?? DEFAULT_KEY;
      if (keyId === undefined || keyId === DEFAULT_KEY) await ctx.env.kms.awsManagedKey(ctx.region, 'ssm');
      const sealed = await encryptValue(ctx.kms, { value, keyId: key, parameterArn: arn, tier: newTier });
      secure = { ...sealed, KeyId: key };
    }
    let versions = [...(existing?.Versions ?? [])];
    if (versions.length >= MAX_VERSIONS) {
      const oldest = versions[0]!;
      if (oldest.Labels.length > 0) {
        throw fail('ParameterMaxVersionLimitExceeded', `Parameter ${name} has ${MAX_VERSIONS} versions and the oldest, version ${oldest.Version}, has labels (${oldest.Labels.join(', ')}); move or remove them so that it can be deleted.`);
      }
      versions = versions.slice(1);
    }
    const Version = (before?.Version ?? 0) + 1;
    const description2 = description ?? before?.Description;
    const pattern2 = pattern ?? before?.AllowedPattern;
    versions.push({
      Version,
      Type: newType,
      ...(secure ? { ciphertext: secure.ciphertext, keyArn: secure.keyArn, KeyId: secure.KeyId } : { value }),
      Tier: newTier,
      ...(description2 !== undefined ? { Description: description2 } : {}),
      ...(pattern2 !== undefined ? { AllowedPattern: pattern2 } : {}),
      DataType: dataType ?? before?.DataType ?? 'text',
      Labels: [],
      LastModifiedDate: ctx.now(),
      LastModifiedUser: ctx.principal,
    });
    const record: ParameterRecord = { id: name, version: (existing?.version ?? 0) + 1, Name: name, ARN: arn, Tags: existing?.Tags ?? tags ?? [], Versions: versions };
    return { writes: [{ store: 'parameters' as const, id: name, expect: existing ? existing.version : null, value: record }], result: { Version, Tier: newTier } };
  });
}

/** GetParameter (API reference, "GetParameter"). */
export async function getParameter(ctx: SsmContext, req: Record<string, unknown>): Promise<GetParameterResponse> {
  const name = ctx.read.string(req.Name, 'Name', 1, 2048);
  const withDecryption = ctx.read.optionalBoolean(req.WithDecryption, 'WithDecryption') ?? false;
  const { record, version, selector } = await select(ctx, name);
  return { Parameter: await toParameter(ctx, record, version, withDecryption, selector) };
}

/** GetParameters (API reference, "GetParameters"). */
export async function getParameters(ctx: SsmContext, req: Record<string, unknown>): Promise<GetParametersResponse> {
  const names = ctx.read.optionalStringList(req.Names, 'Names', { min: 1, max: 10 });
  if (!names) throw fail('ValidationException', 'Names is required.');
  const withDecryption = ctx.read.optionalBoolean(req.WithDecryption, 'WithDecryption') ?? false;
  const response: GetParametersResponse = { Parameters: [], InvalidParameters: [] };
  for (const name of names) {
    let found;
    try {
      found = await select(ctx, name);
    } catch (error) {
      if (error instanceof SSMServiceException && (error.name === 'ParameterNotFound' || error.name === 'ParameterVersionNotFound')) {
        response.InvalidParameters.push(name);
        continue;
      }
      throw error;
    }
    response.Parameters.push(await toParameter(ctx, found.record, found.version, withDecryption, found.selector));
  }
  return response;
}

/** The path a name sits under (`/a/b/c` -> `/a/b`; `c` -> `/`). */
function parentOf(name: string): string {
  const full = name.startsWith('/') ? name : `/${name}`;
  const cut = full.lastIndexOf('/');
  return cut === 0 ? '/' : full.slice(0, cut);
}

function underPath(name: string, path: string, recursive: boolean): boolean {
  const full = name.startsWith('/') ? name : `/${name}`;
  const prefix = path === '/' ? '/' : `${path}/`;
  if (!full.startsWith(prefix)) return false;
  return recursive || parentOf(name) === (path === '/' ? '/' : path);
}

/** ParameterFilters (ParameterStringFilter): Name, Type, KeyId, Path, Tier, DataType, Label, tag:<key>. */
function readParameterFilters(ctx: SsmContext, value: unknown): ParameterStringFilter[] {
  const list = ctx.read.optionalList(value, 'ParameterFilters', 20) ?? [];
  return list.map((f, i) => {
    const Key = ctx.read.string(f.Key, `ParameterFilters[${i}].Key`, 1, 132);
    if (!['Name', 'Type', 'KeyId', 'Path', 'Tier', 'DataType', 'Label'].includes(Key) && !Key.startsWith('tag:')) throw fail('InvalidFilterKey', `The filter key ${Key} is not valid.`);
    const Option = ctx.read.optionalString(f.Option, `ParameterFilters[${i}].Option`, 1, 10);
    const Values = ctx.read.optionalStringList(f.Values, `ParameterFilters[${i}].Values`, { min: 1, max: 50, itemMax: 1024 });
    if (Option !== undefined && !['Equals', 'BeginsWith', 'Contains', 'Recursive', 'OneLevel'].includes(Option)) throw fail('InvalidFilterValue', `The filter option ${Option} is not valid.`);
    return { Key, ...(Option !== undefined ? { Option } : {}), ...(Values ? { Values } : {}) };
  });
}

function matchesFilters(record: ParameterRecord, filters: readonly ParameterStringFilter[]): boolean {
  const v = current(record);
  return filters.every((f) => {
    const values = f.Values ?? [];
    const cmp = (field: string | undefined) => {
      if (field === undefined) return false;
      if (f.Option === 'BeginsWith') return values.some((x) => field.startsWith(x));
      if (f.Option === 'Contains') return values.some((x) => field.includes(x));
      return values.includes(field);
    };
    switch (f.Key) {
      case 'Name':
        return cmp(record.Name) || cmp(record.Name.replace(/^\//, ''));
      case 'Type':
        return cmp(v.Type);
      case 'KeyId':
        return cmp(v.KeyId);
      case 'Tier':
        return cmp(v.Tier);
      case 'DataType':
        return cmp(v.DataType);
      case 'Label':
        return record.Versions.some((x) => x.Labels.some((l) => values.includes(l)));
      case 'Path':
        return values.some((p) => underPath(record.Name, p, f.Option === 'Recursive'));
      default: {
        const tag = record.Tags.find((t) => t.Key === f.Key.slice(4));
        return tag !== undefined && (values.length === 0 || values.includes(tag.Value));
      }
    }
  });
}

/** GetParametersByPath (API reference, "GetParametersByPath"). */
export async function getParametersByPath(ctx: SsmContext, req: Record<string, unknown>): Promise<GetParametersByPathResponse> {
  const path = ctx.read.string(req.Path, 'Path', 1, 2048);
  if (!path.startsWith('/')) throw fail('ValidationException', `Path ${path} must begin with a slash (/).`);
  if (path.split('/').filter(Boolean).length > MAX_DEPTH) throw fail('HierarchyLevelLimitExceededException', `Path ${path} has more than ${MAX_DEPTH} levels.`);
  const recursive = ctx.read.optionalBoolean(req.Recursive, 'Recursive') ?? false;
  const withDecryption = ctx.read.optionalBoolean(req.WithDecryption, 'WithDecryption') ?? false;
  const max = ctx.read.optionalInteger(req.MaxResults, 'MaxResults', 1, 10) ?? 10;
  const filters = readParameterFilters(ctx, req.ParameterFilters);
  const token = ctx.read.optionalString(req.NextToken, 'NextToken', 1, 4096);
  const offset = token === undefined ? 0 : pageOffset(`path:${path}`, token);
  if (offset === undefined) throw fail('InvalidNextToken', 'The specified token is not valid.');
  const trimmed = path.length > 1 ? path.replace(/\/+$/, '') : path;
  const all = (await ctx.store.all('parameters')).filter((p) => underPath(p.Name, trimmed, recursive) && matchesFilters(p, filters));
  const Parameters: Parameter[] = [];
  for (const p of all.slice(offset, offset + max)) Parameters.push(await toParameter(ctx, p, current(p), withDecryption));
  return { Parameters, ...(offset + max < all.length ? { NextToken: pageToken(`path:${path}`, offset + max) } : {}) };
}

/** GetParameterHistory (API reference, "GetParameterHistory"). */
export async function getParameterHistory(ctx: SsmContext, req: Record<string, unknown>): Promise<GetParameterHistoryResponse> {
  const name = ctx.read.string(req.Name, 'Name', 1, 2048);
  const withDecryption = ctx.read.optionalBoolean(req.WithDecryption, 'WithDecryption') ?? false;
  const max = ctx.read.optionalInteger(req.MaxResults, 'MaxResults', 1, 50) ?? 50;
  const token = ctx.read.optionalString(req.NextToken, 'NextToken', 1, 4096);
  const offset = token === undefined ? 0 : pageOffset(`history:${name}`, token);
  if (offset === undefined) throw fail('InvalidNextToken', 'The specified token is not valid.');
  const record = await ctx.store.get('parameters', name);
  if (!record) throw notFound(name);
  const page = record.Versions.slice(offset, offset + max);
  const Parameters = [];
  for (const v of page) {
    Parameters.push({
      Name: record.Name,
      Type: v.Type,
      ...(v.KeyId !== undefined ? { KeyId: v.KeyId } : {}),
      LastModifiedDate: new Date(v.LastModifiedDate),
      LastModifiedUser: v.LastModifiedUser,
      ...(v.Description !== undefined ? { Description: v.Description } : {}),
      Value: await valueOf(ctx, record, v, withDecryption),
      ...(v.AllowedPattern !== undefined ? { AllowedPattern: v.AllowedPattern } : {}),
      Version: v.Version,
      Labels: [...v.Labels],
      Tier: v.Tier,
      Policies: [],
      DataType: v.DataType,
    });
  }
  return { Parameters, ...(offset + max < record.Versions.length ? { NextToken: pageToken(`history:${name}`, offset + max) } : {}) };
}

/** LabelParameterVersion (API reference, "LabelParameterVersion"). */
export async function labelParameterVersion(ctx: SsmContext, req: Record<string, unknown>): Promise<LabelParameterVersionResponse> {
  const name = ctx.read.string(req.Name, 'Name', 1, 2048);
  const wanted = ctx.read.optionalInteger(req.ParameterVersion, 'ParameterVersion', 1, Number.MAX_SAFE_INTEGER);
  const labels = ctx.read.optionalStringList(req.Labels, 'Labels', { min: 1, max: MAX_LABELS, itemMax: 1024 });
  if (!labels) throw fail('ValidationException', 'Labels is required.');
  return mutate(ctx.store, async () => {
    const record = await ctx.store.get('parameters', name);
    if (!record) throw notFound(name);
    const target = wanted === undefined ? current(record) : record.Versions.find((v) => v.Version === wanted);
    if (!target) throw fail('ParameterVersionNotFound', `Systems Manager could not find version ${wanted} of ${name}.`);
    const valid = [...new Set(labels.filter(validLabel))];
    const InvalidLabels = labels.filter((l) => !validLabel(l));
    const merged = [...new Set([...target.Labels, ...valid])];
    if (merged.length > MAX_LABELS) {
      throw fail('ParameterVersionLabelLimitExceeded', `A parameter version can have at most ${MAX_LABELS} labels; version ${target.Version} of ${name} would have ${merged.length}.`);
    }
    // A label is on one version at a time: attaching it here removes it from any other.
    const Versions = record.Versions.map((v) => (v.Version === target.Version ? { ...v, Labels: merged } : { ...v, Labels: v.Labels.filter((l) => !valid.includes(l)) }));
    const next: ParameterRecord = { ...record, version: record.version + 1, Versions };
    return { writes: valid.length > 0 ? [{ store: 'parameters' as const, id: name, expect: record.version, value: next }] : [], result: { InvalidLabels, ParameterVersion: target.Version } };
  });
}

/** UnlabelParameterVersion (API reference, "UnlabelParameterVersion"). */
export async function unlabelParameterVersion(ctx: SsmContext, req: Record<string, unknown>): Promise<UnlabelParameterVersionResponse> {
  const name = ctx.read.string(req.Name, 'Name', 1, 2048);
  const wanted = ctx.read.optionalInteger(req.ParameterVersion, 'ParameterVersion', 1, Number.MAX_SAFE_INTEGER);
  if (wanted === undefined) throw fail('ValidationException', 'ParameterVersion is required.');
  const labels = ctx.read.optionalStringList(req.Labels, 'Labels', { min: 1, max: MAX_LABELS, itemMax: 1024 });
  if (!labels) throw fail('ValidationException', 'Labels is required.');
  return mutate(ctx.store, async () => {
    const record = await ctx.store.get('parameters', name);
    if (!record) throw notFound(name);
    const target = record.Versions.find((v) => v.Version === wanted);
    if (!target) throw fail('ParameterVersionNotFound', `Systems Manager could not find version ${wanted} of ${name}.`);
    const RemovedLabels = labels.filter((l) => target.Labels.includes(l));
    const InvalidLabels = labels.filter((l) => !target.Labels.includes(l));
    const Versions = record.Versions.map((v) => (v.Version === wanted ? { ...v, Labels: v.Labels.filter((l) => !RemovedLabels.includes(l)) } : v));
    const next: ParameterRecord = { ...record, version: record.version + 1, Versions };
    return { writes: RemovedLabels.length > 0 ? [{ store: 'parameters' as const, id: name, expect: record.version, value: next }] : [], result: { RemovedLabels, InvalidLabels } };
  });
}

/** DeleteParameter (API reference, "DeleteParameter"). */
export async function deleteParameter(ctx: SsmContext, req: Record<string, unknown>): Promise<Record<string, never>> {
  const name = ctx.read.string(req.Name, 'Name', 1, 2048);
  const record = await ctx.store.get('parameters', name);
  if (!record) throw notFound(name);
  await ctx.store.commit([{ store: 'parameters', id: name, expect: record.version, value: undefined }]);
  return {};
}

/** DeleteParameters (API reference, "DeleteParameters"). */
export async function deleteParameters(ctx: SsmContext, req: Record<string, unknown>): Promise<DeleteParametersResponse> {
  const names = ctx.read.optionalStringList(req.Names, 'Names', { min: 1, max: 10 });
  if (!names) throw fail('ValidationException', 'Names is required.');
  const response: DeleteParametersResponse = { DeletedParameters: [], InvalidParameters: [] };
  for (const name of names) {
    const record = await ctx.store.get('parameters', name);
    if (!record) {
      response.InvalidParameters.push(name);
      continue;
    }
    await ctx.store.commit([{ store: 'parameters', id: name, expect: 'any', value: undefined }]);
    response.DeletedParameters.push(name);
  }
  return response;
}

/** DescribeParameters (API reference, "DescribeParameters"). */
export async function describeParameters(ctx: SsmContext, req: Record<string, unknown>): Promise<DescribeParametersResponse> {
  const filters = readParameterFilters(ctx, req.ParameterFilters);
  const max = ctx.read.optionalInteger(req.MaxResults, 'MaxResults', 1, 50) ?? 50;
  const token = ctx.read.optionalString(req.NextToken, 'NextToken', 1, 4096);
  const offset = token === undefined ? 0 : pageOffset('describe', token);
  if (offset === undefined) throw fail('InvalidNextToken', 'The specified token is not valid.');
  const all = (await ctx.store.all('parameters')).filter((p) => matchesFilters(p, filters));
  const Parameters: ParameterMetadata[] = all.slice(offset, offset + max).map((p) => {
    const v = current(p);
    return {
      Name: p.Name,
      ARN: p.ARN,
      Type: v.Type,
      ...(v.KeyId !== undefined ? { KeyId: v.KeyId } : {}),
      LastModifiedDate: new Date(v.LastModifiedDate),
      LastModifiedUser: v.LastModifiedUser,
      ...(v.Description !== undefined ? { Description: v.Description } : {}),
      ...(v.AllowedPattern !== undefined ? { AllowedPattern: v.AllowedPattern } : {}),
      Version: v.Version,
      Tier: v.Tier,
      Policies: [],
      DataType: v.DataType,
    };
  });
  return { Parameters, ...(offset + max < all.length ? { NextToken: pageToken('describe', offset + max) } : {}) };
}
