/**
 * Authorization for the simulated KMS: key policies, IAM identity policies and grants, decided as
 * AWS KMS decides them. Pure functions, no I/O: the KMS passes in the caller, the action, the key's
 * policy, the caller's IAM policies, the grants it found and the request's condition keys, and
 * gets back a {@link Decision} it can enforce, explain and audit.
 *
 * @example
 * ```ts
 * import { assertAuthorized, defaultKeyPolicyText } from './policy/index.js';
 * const decision = assertAuthorized({
 *   principal: { arn: 'arn:aws:iam::111122223333:root' },
 *   action: 'kms:Encrypt',
 *   resource: keyArn,
 *   keyPolicy: defaultKeyPolicyText('111122223333'),
 * });
 * ```
 * @packageDocumentation
 */
export { parsePolicy, KEY_POLICY_MAX_BYTES } from './parse.js';
export { authorize, assertAuthorized, type AuthorizationRequest, type Decision, type DecisionMatch, type DecisionSource, type IdentityPolicy } from './evaluate.js';
export { checkLockoutSafety, lockoutDecision, type LockoutCheck } from './lockout.js';
export { defaultKeyPolicy, defaultKeyPolicyText } from './default-policy.js';
export {
  constraintsAllow,
  constraintsAtLeastAsStrict,
  grantAllows,
  mayRetireGrant,
  CONSTRAINT_FREE_OPERATIONS,
  type EncryptionContext,
  type GrantCheck,
  type GrantConstraints,
  type GrantForDecision,
  type NewGrantRequest,
} from './grants.js';
export { buildContext, encryptionContextKeys, type CallerPrincipal, type ConditionContext, type ContextValue, type RequestContext } from './context.js';
export { evaluateCondition, evaluateConditions } from './conditions.js';
export { describePrincipal, type PrincipalInfo, type PrincipalKind } from './principals.js';
export { accessDenied, malformedPolicy, ACCESS_DENIED, LOCKOUT_MESSAGE } from './errors.js';
export { CONDITION_OPERATORS, POLICY_VERSIONS } from './types.js';
export type * from './types.js';
