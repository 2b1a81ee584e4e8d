/**
 * Checks on a key policy being set (CreateKey, PutKeyPolicy, ReplicateKey): the document must be a
 * valid key policy (MalformedPolicyDocumentException naming the statement and element at fault),
 * and must not lock its author out: AWS KMS refuses a policy under which the caller could not call
 * PutKeyPolicy afterwards, unless BypassPolicyLockoutSafetyCheck is set (API reference, PutKeyPolicy).
 */
import { parsedPolicy } from './access.js';
import type { CallContext } from '../requests/call-context.js';
import { checkLockoutSafety } from './index.js';

/**
 * @throws KmsError MalformedPolicyDocumentException when the policy is malformed or would lock the caller out.
 * @example
 * ```ts
 * await checkNewPolicy(ctx, request.Policy, keyArn, request.BypassPolicyLockoutSafetyCheck === true);
 * ```
 */
export async function checkNewPolicy(ctx: CallContext, policy: string, keyArn: string, bypass: boolean): Promise<void> {
  const proposed = parsedPolicy(policy, 'key');
  checkLockoutSafety(
    {
      proposedPolicy: proposed,
      principal: { arn: ctx.principal },
      resource: keyArn,
      identityPolicies: await ctx.identityPolicies(),
      context: { ...ctx.caller.context, ...(ctx.caller.viaService !== undefined ? { 'kms:ViaService': ctx.caller.viaService } : {}) },
    },
    bypass,
  );
}
