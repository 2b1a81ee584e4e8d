/**
 * The access decision, as AWS KMS makes it (AWS KMS Developer Guide, "Key policies", "Default key
 * policy", "Grants"; IAM User Guide, "Policy evaluation logic" and "Troubleshoot access denied"):
 * 1. An explicit Deny in the key policy or in any of the caller's IAM policies refuses the request.
 * 2. The key policy is the root of trust. A statement naming the caller (or `*`) allows by itself.
 *    A statement naming the caller's account principal (`arn:aws:iam::<account>:root` or the bare
 *    account id) allows only the account's root user by itself; for the account's users and roles it
 *    lets their IAM policies allow what the statement covers. An IAM policy alone never allows.
 * 3. A caller from another account needs both: the key policy must allow it (or its account), and
 *    its own IAM policies must allow it (its root user needs no IAM policy).
 * 4. A grant allows its operations to its grantee, when its constraints hold.
 * 5. Nothing allows: AccessDeniedException, "because no resource-based policy allows ..." when the
 *    key policy does not cover the caller, "... no identity-based policy allows ..." when it
 *    delegates to IAM and no IAM policy allows.
 * Operations on no key (CreateKey, ListKeys, ...) and on aliases (the alias half of CreateAlias,
 * UpdateAlias, DeleteAlias) are decided by IAM policies alone, with the root user allowed; only
 * principals of the account that owns the resource can be allowed there, since no resource-based
 * policy exists to trust another account.
 */
import { buildContext, encryptionContextKeys, type CallerPrincipal, type ConditionContext } from './context.js';
import { accessDenied } from './errors.js';
import { grantAllows, type EncryptionContext, type GrantForDecision, type NewGrantRequest } from './grants.js';
import { parsePolicy } from './parse.js';
import { statementApplies, type StatementRequest } from './statements.js';
import type { ParsedPolicy, ParsedStatement, PolicyKind } from './types.js';
import { typeError } from '../../core/arguments.js';

/** A named IAM identity policy (inline user or role policy). */
export interface IdentityPolicy {
  readonly name: string;
  readonly document: string | object | ParsedPolicy;
}

export interface AuthorizationRequest {
  readonly principal: CallerPrincipal;
  /** `kms:Encrypt` (a bare `Encrypt` is read as `kms:Encrypt`). */
  readonly action: string;
  /** The key ARN, or `*` for operations on no key. */
  readonly resource: string;
  /** Condition keys the KMS supplies (kms:ViaService, kms:GrantOperations, aws:ResourceTag/…, ...). */
  readonly context?: ConditionContext;
  /** The request's encryption context: checked against grant constraints, and turned into kms:EncryptionContext:<k> / kms:EncryptionContextKeys unless `context` has them. */
  readonly encryptionContext?: EncryptionContext;
  /** The key's policy; absent for operations on no key. */
  readonly keyPolicy?: string | object | ParsedPolicy;
  /** The caller's IAM identity policies. */
  readonly identityPolicies?: readonly IdentityPolicy[];
  /** Grants on the key whose grantee the KMS found to be the caller (others are skipped). */
  readonly grants?: readonly GrantForDecision[];
  /** For CreateGrant: the grant being created, which a grant may only narrow. */
  readonly newGrant?: NewGrantRequest;
  /**
   * The account that owns the resource. Read from the resource's ARN (key or alias) when absent;
   * for `*` (operations on no key) the KMS passes its own account, because account-level resources
   * belong to an account too, and a principal of another account reaches none of them.
   */
  readonly resourceAccount?: string;
}

/**
 * What allowed a request: a key policy statement, an IAM policy statement, a grant, or the account
 * root's implicit rights.
 */
export type DecisionSource = 'key-policy' | 'iam-policy' | 'grant' | 'account-root';

/** One statement or grant that took part in the decision. */
export interface DecisionMatch {
  readonly source: DecisionSource;
  readonly policyName?: string;
  readonly sid?: string;
  readonly statementIndex?: number;
  readonly grantId?: string;
}

/**
 * The decision AWS KMS would take on one request (`kms.explain`), and why: the statements and
 * grants that allowed it, the Deny that refused it, and the grants that did not apply.
 */
export interface Decision {
  readonly allowed: boolean;
  readonly outcome: 'allow' | 'explicit-deny' | 'implicit-deny';
  /** A sentence for the audit record; for a refusal, AWS's AccessDeniedException message. */
  readonly reason: string;
  /** What allows the request (also filled when a Deny overrides it, to explain both). */
  readonly matched: readonly DecisionMatch[];
  /** The first explicit Deny, and the policy type AWS names for it. */
  readonly denied?: DecisionMatch & { readonly policyType: 'resource-based' | 'identity-based' };
  /** Key policy statements naming the caller's account, through which IAM policies may allow. */
  readonly delegatedBy: readonly DecisionMatch[];
  /** Grants given but not applicable, with the reason. */
  readonly grantsNotApplied: readonly { readonly grantId: string; readonly why: string }[];
}

const isParsed = (p: unknown): p is ParsedPolicy => typeof p === 'object' && p !== null && 'statements' in p && 'kind' in p;
const asPolicy = (p: string | object | ParsedPolicy, kind: PolicyKind): ParsedPolicy => (isParsed(p) ? p : parsePolicy(p, kind));
/** The account of a key ARN or alias ARN. */
const KMS_ARN_ACCOUNT = /^arn:[^:]+:kms:[^:]*:(\d{12}):/;

function describeMatch(m: DecisionMatch): string {
  if (m.source === 'grant') return `grant ${m.grantId}`;
  if (m.source === 'account-root') return "the account's root user";
  const where = `statement ${m.statementIndex}${m.sid !== undefined ? ` (Sid ${JSON.stringify(m.sid)})` : ''}`;
  return m.source === 'key-policy' ? `the key policy, ${where}` : `IAM policy ${JSON.stringify(m.policyName)}, ${where}`;
}

/**
 * Decides a request. Pure: the same request always gets the same decision.
 *
 * @throws TypeError for a principal that is not an IAM ARN or service principal, or an empty action;
 *   KmsError MalformedPolicyDocumentException when a policy does not parse.
 * @example
 * ```ts
 * const decision = authorize({
 *   principal: { arn: 'arn:aws:iam::111122223333:user/alice' },
 *   action: 'kms:Decrypt',
 *   resource: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
 *   keyPolicy: defaultKeyPolicy('111122223333'),
 *   identityPolicies: [{ name: 'use-keys', document: { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' } } }],
 * });
 * decision.allowed; // true: the default key policy lets IAM policies allow
 * ```
 */
export function authorize(request: AuthorizationRequest): Decision {
  if (typeof request.action !== 'string' || request.action === '') throw typeError('action', 'a non-empty string such as "kms:Decrypt"');
  if (typeof request.resource !== 'string' || request.resource === '') throw typeError('resource', 'a key ARN or "*"');
  const action = request.action.includes(':') ? request.action : `kms:${request.action}`;
  const context = buildContext(request.principal, { ...encryptionContextKeys(request.encryptionContext), ...request.context });
  const caller = context.caller;
  const probe: StatementRequest = { action, resource: request.resource, context };
  const keyPolicy = request.keyPolicy === undefined ? undefined : asPolicy(request.keyPolicy, 'key');

  const keyAllows: DecisionMatch[] = [];
  const delegatedBy: DecisionMatch[] = [];
  const denies: (DecisionMatch & { policyType: 'resource-based' | 'identity-based' })[] = [];
  const visit = (policy: ParsedPolicy, each: (s: ParsedStatement, how: 'direct' | 'account') => void) => {
    for (const statement of policy.statements) {
      const how = statementApplies(policy, statement, probe);
      if (how !== 'none') each(statement, how);
    }
  };
  const ids = (s: ParsedStatement) => ({ statementIndex: s.index, ...(s.sid !== undefined ? { sid: s.sid } : {}) });

  if (keyPolicy) {
    visit(keyPolicy, (s, how) => {
      const match: DecisionMatch = { source: 'key-policy', ...ids(s) };
      // A Deny naming an account principal denies every identity in that account.
      if (s.effect === 'Deny') denies.push({ ...match, policyType: 'resource-based' });
      else (how === 'direct' ? keyAllows : delegatedBy).push(match);
    });
  }
  const iamAllows: DecisionMatch[] = [];
  // IAM policies attach to users and roles; the root user and service principals have none.
  if (caller.kind !== 'root' && caller.kind !== 'service') {
    for (const identity of request.identityPolicies ?? []) {
      const policy = asPolicy(identity.document, 'identity');
      visit(policy, (s) => {
        const match: DecisionMatch = { source: 'iam-policy', policyName: identity.name, ...ids(s) };
        if (s.effect === 'Deny') denies.push({ ...match, policyType: 'identity-based' });
        else iamAllows.push(match);
      });
    }
  }
  const grants: DecisionMatch[] = [];
  const grantsNotApplied: { grantId: string; why: string }[] = [];
  if (action.toLowerCase().startsWith('kms:')) {
    const operation = action.slice(4);
    for (const grant of request.grants ?? []) {
      const check = grantAllows(grant, caller, operation, request.encryptionContext, request.newGrant);
      if (check.applies) grants.push({ source: 'grant', grantId: grant.GrantId });
      else grantsNotApplied.push({ grantId: grant.GrantId, why: check.why });
    }
  }

  let matched: DecisionMatch[];
  let resourceCovers: boolean;
  const resourceAccount = request.resourceAccount ?? KMS_ARN_ACCOUNT.exec(request.resource)?.[1];
  const crossAccount = caller.account !== undefined && resourceAccount !== undefined && caller.account !== resourceAccount;
  if (!keyPolicy) {
    // Aliases and account-level operations have no resource-based policy (AWS KMS Developer Guide,
    // "Controlling access to aliases"), so nothing can trust another account there: its principals,
    // root user included, are refused whatever their own IAM policies say.
    resourceCovers = !crossAccount;
    matched = crossAccount ? [] : caller.kind === 'root' ? [{ source: 'account-root' }] : iamAllows;
  } else {
    resourceCovers = keyAllows.length > 0 || delegatedBy.length > 0;
    if (!crossAccount) matched = [...keyAllows, ...(delegatedBy.length > 0 ? iamAllows : [])];
    else if (!resourceCovers) matched = [];
    // A root user is named directly by its account principal, so it never delegates to itself.
    else if (caller.kind === 'root') matched = [...keyAllows];
    else matched = iamAllows.length > 0 ? [...keyAllows, ...iamAllows] : [];
    matched.push(...grants);
  }

  const head = `User: ${caller.arn} is not authorized to perform: ${action} on resource: ${request.resource}`;
  const base = { matched, delegatedBy, grantsNotApplied };
  if (denies.length > 0) {
    const denied = denies[0]!;
    return { ...base, allowed: false, outcome: 'explicit-deny', denied, reason: `${head} with an explicit deny in a${denied.policyType === 'identity-based' ? 'n' : ''} ${denied.policyType} policy` };
  }
  if (matched.length > 0) {
    const via = matched.some((m) => m.source === 'iam-policy') && delegatedBy.length > 0 ? `, which ${describeMatch(delegatedBy[0]!)} lets IAM policies grant` : '';
    return { ...base, allowed: true, outcome: 'allow', reason: `Allowed by ${matched.map(describeMatch).join('; ')}${via}.` };
  }
  const policyType = !resourceCovers ? 'resource-based' : 'identity-based';
  return { ...base, allowed: false, outcome: 'implicit-deny', reason: `${head} because no ${policyType} policy allows the ${action} action` };
}

/**
 * {@link authorize}, throwing AccessDeniedException (with AWS's message) when the request is refused.
 *
 * @example
 * ```ts
 * const decision = assertAuthorized(request); // throws KmsError AccessDeniedException when refused
 * auditRecord.authorization = decision.reason;
 * ```
 */
export function assertAuthorized(request: AuthorizationRequest): Decision {
  const decision = authorize(request);
  if (!decision.allowed) throw accessDenied(decision.reason);
  return decision;
}
