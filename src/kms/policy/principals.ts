/**
 * Who is calling, and whether a Principal / NotPrincipal element names them. IAM principal ARNs
 * (IAM User Guide, "AWS JSON policy elements: Principal"):
 * `arn:aws:iam::<account>:root` (the account principal), `…:user/<path/name>`, `…:role/<path/name>`,
 * `arn:aws:sts::<account>:assumed-role/<role>/<session>`, `arn:aws:sts::<account>:federated-user/<name>`;
 * a bare 12-digit account id means the account principal. Service principals are DNS-like names.
 */
import type { PrincipalSpec } from './types.js';

export type PrincipalKind = 'root' | 'user' | 'role' | 'assumed-role' | 'federated-user' | 'service';

/** A caller, read from its ARN (or service principal name). */
export interface PrincipalInfo {
  readonly kind: PrincipalKind;
  readonly arn: string;
  /** Absent for service principals, which act for no account of their own. */
  readonly account?: string;
  /** The user name (`user/Dev/alice` → `alice`), role name or session name. */
  readonly name?: string;
  /** For an assumed-role session, the role's ARN: policies name the role, not the session. */
  readonly roleArn?: string;
  /** `arn:aws:iam::<account>:root`, the account principal of the caller's account. */
  readonly accountArn?: string;
}

const IAM_ARN = /^arn:(aws[a-z-]*):iam::(\d{12}):(root|user\/.+|role\/.+)$/;
const STS_ARN = /^arn:(aws[a-z-]*):sts::(\d{12}):(assumed-role\/[^/]+\/.+|federated-user\/.+)$/;
const ACCOUNT_ID = /^\d{12}$/;
const SERVICE = /^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?$/i;

/**
 * Reads a principal ARN or service principal name; undefined when it is neither.
 *
 * @example
 * ```ts
 * describePrincipal('arn:aws:sts::111122223333:assumed-role/Admin/alice');
 * // { kind: 'assumed-role', account: '111122223333', name: 'alice', roleArn: 'arn:aws:iam::111122223333:role/Admin', ... }
 * ```
 */
export function describePrincipal(arn: string): PrincipalInfo | undefined {
  const iam = IAM_ARN.exec(arn);
  if (iam) {
    const [, partition, account, rest] = iam as unknown as [string, string, string, string];
    const accountArn = `arn:${partition}:iam::${account}:root`;
    if (rest === 'root') return { kind: 'root', arn, account, accountArn };
    const kind = rest.startsWith('user/') ? 'user' : 'role';
    return { kind, arn, account, accountArn, name: rest.slice(rest.lastIndexOf('/') + 1) };
  }
  const sts = STS_ARN.exec(arn);
  if (sts) {
    const [, partition, account, rest] = sts as unknown as [string, string, string, string];
    const accountArn = `arn:${partition}:iam::${account}:root`;
    if (rest.startsWith('federated-user/')) return { kind: 'federated-user', arn, account, accountArn, name: rest.slice('federated-user/'.length) };
    const [, role, ...session] = rest.split('/');
    return { kind: 'assumed-role', arn, account, accountArn, name: session.join('/'), roleArn: `arn:${partition}:iam::${account}:role/${role}` };
  }
  if (SERVICE.test(arn)) return { kind: 'service', arn: arn.toLowerCase() };
  return undefined;
}

/**
 * Whether a Principal element's AWS entry is well formed (used by the parser). Groups are not
 * principals (IAM User Guide, "Principal").
 *
 * @example
 * ```ts
 * isAwsPrincipalEntry('111122223333'); // true
 * ```
 */
export function isAwsPrincipalEntry(entry: string): boolean {
  if (entry === '*') return true;
  // Principal ARNs take no wildcards: "*" alone is the only pattern the element knows.
  if (/[*?]/.test(entry)) return false;
  return ACCOUNT_ID.test(entry) || IAM_ARN.test(entry) || STS_ARN.test(entry);
}

/**
 * Whether a Service entry is well formed.
 *
 * @example
 * ```ts
 * isServicePrincipalEntry('inspector2.amazonaws.com'); // true
 * ```
 */
export function isServicePrincipalEntry(entry: string): boolean {
  return SERVICE.test(entry);
}

/**
 * A bare account id names the account principal: normalise it to the root ARN.
 *
 * @example
 * ```ts
 * normaliseAwsEntry('111122223333'); // 'arn:aws:iam::111122223333:root'
 * ```
 */
export function normaliseAwsEntry(entry: string): string {
  return ACCOUNT_ID.test(entry) ? `arn:aws:iam::${entry}:root` : entry;
}

/**
 * How a Principal element names the caller:
 * - `direct`: the caller itself (its ARN, the role of its session, `*`, its service name, or the
 *   account principal when the caller is that account's root user);
 * - `account`: the caller's account principal, for a caller that is not the root user. In a key
 *   policy an Allow of this kind gives nothing by itself; it lets the account's IAM policies allow
 *   (AWS KMS Developer Guide, "Default key policy"). A Deny of this kind denies the whole account.
 * - `none`.
 */
export type PrincipalMatch = 'direct' | 'account' | 'none';

/**
 * @example
 * ```ts
 * const alice = describePrincipal('arn:aws:iam::111122223333:user/alice')!;
 * matchPrincipal({ any: false, aws: ['arn:aws:iam::111122223333:root'], services: [] }, alice); // 'account'
 * ```
 */
export function matchPrincipal(spec: PrincipalSpec, caller: PrincipalInfo): PrincipalMatch {
  if (spec.any) return 'direct';
  if (caller.kind === 'service') return spec.services.includes(caller.arn) ? 'direct' : 'none';
  let result: PrincipalMatch = 'none';
  for (const entry of spec.aws) {
    if (entry === caller.arn || (caller.roleArn !== undefined && entry === caller.roleArn)) return 'direct';
    if (entry === caller.accountArn) {
      if (caller.kind === 'root') return 'direct';
      result = 'account';
    }
  }
  return result;
}

/**
 * Whether a NotPrincipal element exempts the caller. AWS evaluates a caller as the chain account →
 * role → session (IAM User Guide, "NotPrincipal"), and a NotPrincipal that omits a link of that
 * chain does not exempt the caller: hence AWS's advice to list the account ARN next to the user.
 *
 * @example
 * ```ts
 * exemptByNotPrincipal({ any: false, aws: [aliceArn, 'arn:aws:iam::111122223333:root'], services: [] }, alice); // true
 * ```
 */
export function exemptByNotPrincipal(spec: PrincipalSpec, caller: PrincipalInfo): boolean {
  if (spec.any) return true;
  if (caller.kind === 'service') return spec.services.includes(caller.arn);
  const chain = [caller.accountArn, caller.roleArn, caller.kind === 'root' ? undefined : caller.arn].filter((link): link is string => link !== undefined);
  return chain.every((link) => spec.aws.includes(link));
}

/**
 * Whether `grantee` (a grant's GranteePrincipal or RetiringPrincipal) is the caller; a role names
 * its sessions.
 *
 * @example
 * ```ts
 * isSamePrincipal('arn:aws:iam::111122223333:role/auditor', describePrincipal('arn:aws:sts::111122223333:assumed-role/auditor/s')!); // true
 * ```
 */
export function isSamePrincipal(grantee: string, caller: PrincipalInfo): boolean {
  if (caller.kind === 'service') return grantee.toLowerCase() === caller.arn;
  return grantee === caller.arn || (caller.roleArn !== undefined && grantee === caller.roleArn);
}
