/**
 * Per-key metadata that is never shared between the regions of a multi-Region key: tags
 * (TagResource, UntagResource, ListResourceTags) and the key policy (GetKeyPolicy, PutKeyPolicy,
 * ListKeyPolicies). PutKeyPolicy checks the new policy (policy-checks.ts) before storing it.
 */
import type { CallContext } from '../requests/call-context.js';
import { kmsError } from '../errors.js';
import type { Empty, GetKeyPolicyResponse, ListKeyPoliciesResponse, ListResourceTagsResponse } from '../types.js';
import { optionalBoolean, optionalStringList, optionalString, page, requiredString, tagList } from '../requests/validation.js';
import { mergeTags } from './keys.js';
import { checkNewPolicy } from '../policy/key-policy-checks.js';

export async function tagResource(ctx: CallContext, req: Record<string, unknown>): Promise<Empty> {
  const keyIdText = requiredString(req.KeyId, 'KeyId');
  const tags = tagList(req.Tags, 'Tags');
  if (!tags) throw kmsError('ValidationException', "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must not be null");
  const conditions = { ...Object.fromEntries(tags.map((t) => [`aws:RequestTag/${t.TagKey}`, t.TagValue])), 'aws:TagKeys': tags.map((t) => t.TagKey) };
  return ctx.mutateKey(keyIdText, { op: 'TagResource', allowAlias: false, conditions }, async ({ record }) => ({
    record: { ...record, tags: mergeTags(record.tags, tags) },
    result: {},
  }));
}

export async function untagResource(ctx: CallContext, req: Record<string, unknown>): Promise<Empty> {
  const keyIdText = requiredString(req.KeyId, 'KeyId');
  const keys = optionalStringList(req.TagKeys, 'TagKeys', 1, 128);
  if (!keys) throw kmsError('ValidationException', "1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: Member must not be null");
  return ctx.mutateKey(keyIdText, { op: 'UntagResource', allowAlias: false, conditions: { 'aws:TagKeys': keys } }, async ({ record }) => ({
    record: { ...record, tags: record.tags.filter((t) => !keys.includes(t.TagKey)) },
    result: {},
  }));
}

export async function listResourceTags(ctx: CallContext, req: Record<string, unknown>): Promise<ListResourceTagsResponse> {
  const { record } = await ctx.readKey(requiredString(req.KeyId, 'KeyId'), { op: 'ListResourceTags', allowAlias: false });
  const sorted = [...record.tags].sort((a, b) => (a.TagKey < b.TagKey ? -1 : 1));
  const { page: tags, ...rest } = page(sorted, req, 50);
  return { Tags: tags, ...rest };
}

/** AWS KMS keys have exactly one policy, named `default`. */
function policyName(value: unknown): string {
  const name = optionalString(value, 'PolicyName', 1, 128) ?? 'default';
  if (name !== 'default') throw kmsError('NotFoundException', `No such key policy: ${name}. The only key policy name is "default".`);
  return name;
}

export async function getKeyPolicy(ctx: CallContext, req: Record<string, unknown>): Promise<GetKeyPolicyResponse> {
  const keyIdText = requiredString(req.KeyId, 'KeyId');
  const name = policyName(req.PolicyName);
  const { record } = await ctx.readKey(keyIdText, { op: 'GetKeyPolicy', allowAlias: false });
  return { Policy: record.policy, PolicyName: name };
}

export async function putKeyPolicy(ctx: CallContext, req: Record<string, unknown>): Promise<Empty> {
  const keyIdText = requiredString(req.KeyId, 'KeyId');
  policyName(req.PolicyName);
  const policy = requiredString(req.Policy, 'Policy', 1, 131072);
  const bypass = optionalBoolean(req.BypassPolicyLockoutSafetyCheck, 'BypassPolicyLockoutSafetyCheck') ?? false;
  // Authorized against the current policy (mutateKey), then the new one is parsed and lockout-checked.
  return ctx.mutateKey(keyIdText, { op: 'PutKeyPolicy', allowAlias: false }, async ({ record, arn }) => {
    await checkNewPolicy(ctx, policy, arn, bypass);
    return { record: { ...record, policy }, result: {} };
  });
}

export async function listKeyPolicies(ctx: CallContext, req: Record<string, unknown>): Promise<ListKeyPoliciesResponse> {
  await ctx.readKey(requiredString(req.KeyId, 'KeyId'), { op: 'ListKeyPolicies', allowAlias: false });
  const { page: names, ...rest } = page(['default'], req);
  return { PolicyNames: names, ...rest };
}
