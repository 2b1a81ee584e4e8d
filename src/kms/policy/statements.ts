/**
 * Whether one statement applies to a request: its principal (key policies), action, resource and
 * conditions all match. Principal matching has three outcomes (principals.ts) because a key policy
 * statement naming the caller's account does not allow the caller by itself.
 */
import { evaluateConditions } from './conditions.js';
import type { RequestContext } from './context.js';
import { actionMatches, expand, piecesToRegExp } from './patterns.js';
import { exemptByNotPrincipal, matchPrincipal, type PrincipalMatch } from './principals.js';
import type { ParsedPolicy, ParsedStatement } from './types.js';

/** What the evaluator needs from a request to test statements. */
export interface StatementRequest {
  /** `kms:Encrypt`, ... */
  readonly action: string;
  /** The key ARN, or `*` for operations on no key (CreateKey, ListKeys, ...). */
  readonly resource: string;
  readonly context: RequestContext;
}

/**
 * How a statement's Resource / NotResource element treats the resource. Wildcards match any run of
 * characters, colons and slashes included; a variable with no value matches nothing (IAM User
 * Guide, "Policy variables with no value").
 */
function resourceMatches(statement: ParsedStatement, resource: string, ctx: RequestContext, variables: boolean): boolean {
  const lookup = (key: string) => {
    const value = ctx.value(key);
    return typeof value === 'string' ? value : Array.isArray(value) && value.length === 1 ? value[0] : undefined;
  };
  const any = statement.resources.some((pattern) => {
    if (pattern === '*') return true;
    const pieces = expand(pattern, lookup, variables);
    return pieces !== undefined && piecesToRegExp(pieces, false).test(resource);
  });
  return statement.notResource ? !any : any;
}

/**
 * How the statement applies to the request: `none` when any element does not match, otherwise how
 * its principal names the caller (`direct`, or `account` for the caller's account principal).
 * Identity policies have no Principal: their statements apply `direct`ly to their identity.
 *
 * @example
 * ```ts
 * const applies = statementApplies(policy, policy.statements[0], { action: 'kms:Decrypt', resource: keyArn, context: ctx });
 * ```
 */
export function statementApplies(policy: ParsedPolicy, statement: ParsedStatement, request: StatementRequest): PrincipalMatch {
  const variables = policy.version === '2012-10-17';
  let principal: PrincipalMatch = 'direct';
  if (statement.principal) {
    if (statement.notPrincipal) principal = exemptByNotPrincipal(statement.principal, request.context.caller) ? 'none' : 'direct';
    else principal = matchPrincipal(statement.principal, request.context.caller);
    if (principal === 'none') return 'none';
  }
  const actionListed = statement.actions.some((pattern) => actionMatches(pattern, request.action));
  if (actionListed === statement.notAction) return 'none';
  if (!resourceMatches(statement, request.resource, request.context, variables)) return 'none';
  if (!evaluateConditions(statement.conditions, request.context, variables)) return 'none';
  return principal;
}
