/**
 * The single seam where the simulated KMS decides who may do what: every operation reaches it
 * through CallContext (call-context.ts), with the caller, the action, the key and everything the
 * decision reads. The rules themselves are the policy module's (policy/evaluate.ts: AWS KMS's
 * evaluation, explicit deny first, the key policy as the root of trust); this file only gathers
 * the request context AWS KMS would supply for the key: kms:ViaService, aws:ResourceTag/*,
 * kms:ResourceAliases, kms:RequestAlias, kms:KeySpec, kms:KeyUsage, kms:KeyOrigin, kms:MultiRegion
 * and kms:MultiRegionKeyType (AWS KMS Developer Guide, "AWS KMS condition keys").
 *
 * Policies are parsed once per distinct text and cached: a key policy changes only by PutKeyPolicy,
 * so the hot path (Encrypt, Decrypt, GenerateDataKey) never re-parses JSON.
 */
import type { KmsError } from '../errors.js';
import {
  accessDenied,
  authorize,
  parsePolicy,
  type ConditionContext,
  type Decision,
  type IdentityPolicy,
  type NewGrantRequest,
  type ParsedPolicy,
  type PolicyKind,
} from './index.js';
import type { GrantRecord, KeyRecord } from '../storage/records.js';
import type { EncryptionContextType } from '../types.js';

/** Who is calling, as `kms.region(name, { principal, viaService, context })` says. */
export interface Caller {
  /** An IAM principal ARN: the account root, a user, a role, an assumed-role session. */
  readonly arn: string;
  /** kms:ViaService: the AWS service (`ecr.us-east-1.amazonaws.com`) calling on the principal's behalf. */
  readonly viaService?: string;
  /** Further global condition keys the caller's request carries (aws:SourceArn, aws:SourceAccount, ...). */
  readonly context?: ConditionContext;
}

export interface AccessInput {
  readonly caller: Caller;
  /** `kms:<Operation>`, or `kms:ReEncryptFrom` / `kms:ReEncryptTo`. */
  readonly action: string;
  /** The key ARN, or `*` for operations on no key. */
  readonly resource: string;
  readonly record?: KeyRecord;
  /** The key's grants (all of them: the evaluator skips those of other grantees, and explains why). */
  readonly grants?: readonly GrantRecord[];
  readonly identityPolicies: readonly IdentityPolicy[];
  readonly encryptionContext?: EncryptionContextType;
  /** Operation-specific condition keys (kms:EncryptionAlgorithm, kms:GrantOperations, ...). */
  readonly conditions?: ConditionContext;
  readonly resourceAliases?: readonly string[];
  /** The alias name the request's KeyId was, for kms:RequestAlias. */
  readonly requestAlias?: string;
  readonly newGrant?: NewGrantRequest;
  /**
   * The account whose resource `*` stands for (account-level operations): the region's own account,
   * so that a principal of another account cannot act here on its own IAM policies. Key and alias
   * ARNs carry their account and need none.
   */
  readonly resourceAccount?: string;
}

const PARSE_CACHE_LIMIT = 512;
const parsed = new Map<string, ParsedPolicy>();

/**
 * A policy text parsed and checked once, then served from a bounded cache.
 *
 * @throws KmsError MalformedPolicyDocumentException when the text is not a valid policy of `kind`.
 * @example
 * ```ts
 * const policy = parsedPolicy(record.policy, 'key');
 * ```
 */
export function parsedPolicy(text: string, kind: PolicyKind): ParsedPolicy {
  const id = `${kind}\u0000${text}`;
  let policy = parsed.get(id);
  if (!policy) {
    policy = parsePolicy(text, kind);
    if (parsed.size >= PARSE_CACHE_LIMIT) parsed.delete(parsed.keys().next().value!);
    parsed.set(id, policy);
  }
  return policy;
}

const RESOURCE_ALIASES = /resourcealiases/i;

/**
 * Whether any policy in play mentions kms:ResourceAliases: only then is it worth reading the
 * region's aliases for the key (one more store read on every call otherwise).
 */
export function needsResourceAliases(record: KeyRecord, identityPolicies: readonly IdentityPolicy[]): boolean {
  return RESOURCE_ALIASES.test(record.policy) || identityPolicies.some((p) => typeof p.document === 'string' && RESOURCE_ALIASES.test(p.document));
}

function keyConditions(record: KeyRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {
    'kms:KeySpec': record.KeySpec,
    'kms:KeyUsage': record.KeyUsage,
    'kms:KeyOrigin': record.Origin,
    'kms:MultiRegion': record.multiRegion !== undefined,
  };
  if (record.multiRegion) out['kms:MultiRegionKeyType'] = record.multiRegion.role;
  for (const tag of record.tags) out[`aws:ResourceTag/${tag.TagKey}`] = tag.TagValue;
  return out;
}

/**
 * The decision for one request, without enforcing it (what `kms.explain` returns).
 *
 * @example
 * ```ts
 * const decision = decide({ caller: { arn }, action: 'kms:Decrypt', resource: keyArn, record, grants, identityPolicies: [] });
 * decision.reason; // "Allowed by the key policy, statement 0 (Sid ...)." or AWS's AccessDenied message
 * ```
 */
export function decide(input: AccessInput): Decision {
  const { caller, record } = input;
  const context: Record<string, unknown> = {
    ...caller.context,
    ...(caller.viaService !== undefined ? { 'kms:ViaService': caller.viaService } : {}),
    ...(record ? keyConditions(record) : {}),
    ...(input.resourceAliases ? { 'kms:ResourceAliases': input.resourceAliases } : {}),
    ...(input.requestAlias !== undefined ? { 'kms:RequestAlias': input.requestAlias } : {}),
    ...input.conditions,
  };
  return authorize({
    principal: { arn: caller.arn },
    action: input.action,
    resource: input.resource,
    context: context as ConditionContext,
    identityPolicies: input.identityPolicies.map((p) => (typeof p.document === 'string' ? { name: p.name, document: parsedPolicy(p.document, 'identity') } : p)),
    ...(record ? { keyPolicy: parsedPolicy(record.policy, 'key') } : {}),
    ...(input.grants && input.grants.length > 0 ? { grants: input.grants } : {}),
    ...(input.encryptionContext ? { encryptionContext: input.encryptionContext } : {}),
    ...(input.newGrant ? { newGrant: input.newGrant } : {}),
    ...(input.resourceAccount !== undefined ? { resourceAccount: input.resourceAccount } : {}),
  });
}

/** A refusal as AWS KMS reports it: AccessDeniedException with the decision's message. */
export function denied(decision: Decision): KmsError {
  return accessDenied(decision.reason);
}
