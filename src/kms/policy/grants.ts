/**
 * Grants in the decision: whether a grant the KMS found for the key lets the caller do the
 * operation. Rules from the AWS KMS Developer Guide, "Grants in AWS KMS" and "Using grant
 * constraints":
 * - a grant allows its Operations to its grantee principal;
 * - EncryptionContextEquals: the request's encryption context is exactly the constraint's pairs;
 *   EncryptionContextSubset: every constraint pair is in the request (extra pairs allowed); order
 *   does not matter, and "the key in each key-value pair is not case sensitive, but the value is
 *   case sensitive" (API reference, GrantConstraints; CreateGrant): `{ Department: 'IT' }` admits
 *   `{ department: 'IT' }` and not `{ Department: 'it' }`;
 * - constraints are ignored for DescribeKey and RetireGrant, which take no encryption context;
 * - a grant that allows CreateGrant lets its grantee create grants only for some or all of its own
 *   operations, with constraints at least as strict as its own.
 */
import { isSamePrincipal, type PrincipalInfo } from './principals.js';

export type EncryptionContext = Readonly<Record<string, string>>;

export interface GrantConstraints {
  readonly EncryptionContextEquals?: EncryptionContext;
  readonly EncryptionContextSubset?: EncryptionContext;
}

/** A grant as ListGrants shows it; the fields the decision reads. */
export interface GrantForDecision {
  readonly GrantId: string;
  readonly GranteePrincipal: string;
  /** Operation names without the `kms:` prefix, as CreateGrant takes them: `Decrypt`, `GenerateDataKey`, ... */
  readonly Operations: readonly string[];
  readonly Constraints?: GrantConstraints;
  readonly RetiringPrincipal?: string;
  readonly Name?: string;
}

/** What the grant would delegate, for a CreateGrant request authorised by a grant. */
export interface NewGrantRequest {
  readonly Operations: readonly string[];
  readonly Constraints?: GrantConstraints;
}

/**
 * Grant operations whose requests carry no encryption context, so constraints do not apply to them.
 *
 * @example
 * ```ts
 * CONSTRAINT_FREE_OPERATIONS.has('DescribeKey'); // true
 * ```
 */
export const CONSTRAINT_FREE_OPERATIONS: ReadonlySet<string> = new Set(['DescribeKey', 'RetireGrant']);

/**
 * A context's pairs as grant constraints compare them: the key lower-cased (not case sensitive),
 * the value as is, each pair as JSON text so that no key or value can run into the other.
 */
function pairs(context: EncryptionContext): Set<string> {
  const out = new Set<string>();
  for (const [k, v] of Object.entries(context)) out.add(JSON.stringify([k.toLowerCase(), v]));
  return out;
}

/** Same pairs, and as many: a context holding both `a` and `A` is not the one-pair context `{ a }`. */
function sameMap(a: EncryptionContext, b: EncryptionContext): boolean {
  const [pa, pb] = [pairs(a), pairs(b)];
  return Object.keys(a).length === Object.keys(b).length && pa.size === pb.size && [...pa].every((p) => pb.has(p));
}

function contains(outer: EncryptionContext, inner: EncryptionContext): boolean {
  const po = pairs(outer);
  return [...pairs(inner)].every((p) => po.has(p));
}

/**
 * Whether a request's encryption context satisfies a grant's constraints. A request without an
 * encryption context is treated as `{}`.
 *
 * @example
 * ```ts
 * constraintsAllow({ EncryptionContextSubset: { Department: 'IT' } }, { Department: 'IT', Purpose: 'Test' }); // true
 * constraintsAllow({ EncryptionContextEquals: { Department: 'IT' } }, { Department: 'IT', Purpose: 'Test' }); // false
 * constraintsAllow({ EncryptionContextSubset: { Department: 'IT' } }, { department: 'IT' }); // true: keys are not case sensitive
 * constraintsAllow({ EncryptionContextSubset: { Department: 'IT' } }, { Department: 'it' }); // false: values are
 * ```
 */
export function constraintsAllow(constraints: GrantConstraints | undefined, encryptionContext: EncryptionContext | undefined): boolean {
  const context = encryptionContext ?? {};
  if (constraints?.EncryptionContextEquals && !sameMap(constraints.EncryptionContextEquals, context)) return false;
  if (constraints?.EncryptionContextSubset && !contains(context, constraints.EncryptionContextSubset)) return false;
  return true;
}

/**
 * Whether a child grant's constraints are at least as strict as its parent's: every request the
 * child allows, the parent allows too.
 *
 * @example
 * ```ts
 * constraintsAtLeastAsStrict({ EncryptionContextSubset: { a: '1' } }, { EncryptionContextEquals: { a: '1', b: '2' } }); // true
 * ```
 */
export function constraintsAtLeastAsStrict(parent: GrantConstraints | undefined, child: GrantConstraints | undefined): boolean {
  const parentEquals = parent?.EncryptionContextEquals;
  const parentSubset = parent?.EncryptionContextSubset;
  const childEquals = child?.EncryptionContextEquals;
  const childSubset = child?.EncryptionContextSubset;
  // A child with contradictory constraints admits no request at all.
  if (childEquals && childSubset && !contains(childEquals, childSubset)) return true;
  // Only the exact context passes the parent, so the child must pin that same context.
  if (parentEquals && !(childEquals && sameMap(parentEquals, childEquals))) return false;
  if (parentSubset) {
    // Every context the child admits contains the child's pinned pairs: they must include the parent's.
    const pinned = childEquals ?? childSubset;
    if (!pinned || !contains(pinned, parentSubset)) return false;
  }
  return true;
}

/** The outcome for one grant, with the reason it does not apply. */
export type GrantCheck = { readonly applies: true } | { readonly applies: false; readonly why: string };

/**
 * Whether `grant` lets `caller` perform `operation` (without the `kms:` prefix).
 *
 * @example
 * ```ts
 * const check = grantAllows(grant, describePrincipal(callerArn)!, 'Decrypt', { Department: 'IT' });
 * if (!check.applies) console.log(check.why);
 * ```
 */
export function grantAllows(grant: GrantForDecision, caller: PrincipalInfo, operation: string, encryptionContext?: EncryptionContext, newGrant?: NewGrantRequest): GrantCheck {
  if (!isSamePrincipal(grant.GranteePrincipal, caller)) return { applies: false, why: `its grantee is ${grant.GranteePrincipal}` };
  if (!grant.Operations.includes(operation)) return { applies: false, why: `it does not allow ${operation}` };
  if (operation === 'CreateGrant' && newGrant) {
    const extra = newGrant.Operations.filter((op) => !grant.Operations.includes(op));
    if (extra.length > 0) return { applies: false, why: `a grant can delegate only its own operations, not ${extra.join(', ')}` };
    if (!constraintsAtLeastAsStrict(grant.Constraints, newGrant.Constraints)) return { applies: false, why: 'the new grant\'s constraints are less strict than this grant\'s' };
    return { applies: true };
  }
  if (!CONSTRAINT_FREE_OPERATIONS.has(operation) && !constraintsAllow(grant.Constraints, encryptionContext)) {
    return { applies: false, why: 'the encryption context does not satisfy its constraints' };
  }
  return { applies: true };
}

/**
 * Who may retire a grant (AWS KMS Developer Guide, "Retiring and revoking grants"): the retiring
 * principal, the grantee when the grant allows RetireGrant, and the account principal (root user)
 * of the account that owns the key. Principals with kms:RetireGrant in a policy are the KMS's to check.
 *
 * @example
 * ```ts
 * mayRetireGrant(grant, describePrincipal('arn:aws:iam::111122223333:role/adminRole')!, '111122223333');
 * ```
 */
export function mayRetireGrant(grant: GrantForDecision, caller: PrincipalInfo, keyAccount: string): boolean {
  if (grant.RetiringPrincipal !== undefined && isSamePrincipal(grant.RetiringPrincipal, caller)) return true;
  if (grant.Operations.includes('RetireGrant') && isSamePrincipal(grant.GranteePrincipal, caller)) return true;
  return caller.kind === 'root' && caller.account === keyAccount;
}
