/**
 * The policy lockout safety check (AWS KMS API reference, PutKeyPolicy and CreateKey,
 * BypassPolicyLockoutSafetyCheck): AWS KMS refuses a key policy under which the principal setting
 * it could not call PutKeyPolicy afterwards, so that a key is not left without an administrator.
 * The check runs the ordinary decision for `kms:PutKeyPolicy` under the proposed policy, with the
 * caller's IAM policies (a policy that delegates to the account passes when IAM allows the caller).
 * Grants cannot allow PutKeyPolicy, so they play no part.
 */
import type { CallerPrincipal, ConditionContext } from './context.js';
import { LOCKOUT_MESSAGE, malformedPolicy } from './errors.js';
import { authorize, type Decision, type IdentityPolicy } from './evaluate.js';
import type { ParsedPolicy } from './types.js';

export interface LockoutCheck {
  /** The policy being set (text, object or parsed). */
  readonly proposedPolicy: string | object | ParsedPolicy;
  /** The principal calling PutKeyPolicy / CreateKey. */
  readonly principal: CallerPrincipal;
  /** The key's ARN (for CreateKey, the ARN the new key will have). */
  readonly resource: string;
  readonly identityPolicies?: readonly IdentityPolicy[];
  /** The PutKeyPolicy request's condition keys (kms:ViaService, kms:BypassPolicyLockoutSafetyCheck, ...). */
  readonly context?: ConditionContext;
}

/**
 * The decision the proposed policy gives the caller for a later `kms:PutKeyPolicy`: the caller
 * would be locked out when `allowed` is false.
 *
 * @example
 * ```ts
 * const after = lockoutDecision({ proposedPolicy: text, principal: { arn: callerArn }, resource: keyArn });
 * if (!after.allowed) console.log(after.reason);
 * ```
 */
export function lockoutDecision(check: LockoutCheck): Decision {
  return authorize({
    principal: check.principal,
    action: 'kms:PutKeyPolicy',
    resource: check.resource,
    keyPolicy: check.proposedPolicy,
    ...(check.identityPolicies ? { identityPolicies: check.identityPolicies } : {}),
    ...(check.context ? { context: check.context } : {}),
  });
}

/**
 * Throws MalformedPolicyDocumentException with AWS's message when the proposed policy would lock
 * the caller out, unless `bypass` (BypassPolicyLockoutSafetyCheck) is true.
 *
 * @example
 * ```ts
 * checkLockoutSafety({ proposedPolicy: req.Policy, principal: { arn: ctx.principal }, resource: keyArn, identityPolicies }, req.BypassPolicyLockoutSafetyCheck === true);
 * ```
 */
export function checkLockoutSafety(check: LockoutCheck, bypass = false): void {
  if (bypass) return;
  if (!lockoutDecision(check).allowed) throw malformedPolicy(LOCKOUT_MESSAGE);
}
