/**
 * CloudTrail's `userIdentity` element for the principal a KMS client was opened for
 * (CloudTrail user guide, "CloudTrail userIdentity element"):
 *
 * | principal                                      | type          | arn                                  |
 * | ---------------------------------------------- | ------------- | ------------------------------------ |
 * | `arn:aws:iam::<account>:root`                  | `Root`        | as given                             |
 * | `arn:aws:iam::<account>:user/<path>/<name>`    | `IAMUser`     | as given, `userName` = name          |
 * | `arn:aws:iam::<account>:role/<path>/<name>`    | `AssumedRole` | the session ARN `arn:aws:sts::…:assumed-role/<name>/envelope-kit`; the role in `sessionContext.sessionIssuer` |
 * | `arn:aws:sts::<account>:assumed-role/<r>/<s>`  | `AssumedRole` | as given, issuer `…:role/<r>`        |
 * | `<service>.amazonaws.com`                      | `AWSService`  | none; `invokedBy` = the service      |
 * | none (a service event)                         | none          | `{ accountId, invokedBy: 'AWS Internal' }` (ct-rotatekey.md) |
 *
 * A role is never the caller in AWS: a session of it is. The kit's clients are opened with role
 * ARNs, so we show the session CloudTrail would show and keep the role ARN where CloudTrail keeps it;
 * `audit.query({ principal })` matches either.
 */
import type { UserIdentity } from './cloudtrail-record.js';

/** The session name the kit's simulated role sessions carry. */
export const ROLE_SESSION_NAME = 'envelope-kit';

const IAM = /^arn:(aws[a-z-]*):iam::(\d{12}):(root|user\/(?:.*\/)?([^/]+)|role\/(?:.*\/)?([^/]+))$/;
const STS = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/([^/]+)$/;
const SERVICE = /^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com$/;

/**
 * The userIdentity for `principal`, or for the service itself when `principal` is undefined.
 * `viaService` (a kit service layer calling on the principal's behalf, `kms:ViaService`) becomes
 * `invokedBy`, as CloudTrail shows calls that AWS services make for a user.
 *
 * @example
 * ```ts
 * userIdentity('arn:aws:iam::111122223333:user/alice', '111122223333');
 * // { type: 'IAMUser', principalId: 'AIDA…', arn: 'arn:aws:iam::111122223333:user/alice', accountId: '111122223333', userName: 'alice' }
 * ```
 */
export function userIdentity(principal: string | undefined, account: string, viaService?: string): UserIdentity {
  // A KMS has few principals and each makes many calls: build each identity once. Frozen, because
  // records share it (a record is serialized and stored, never edited in place).
  const id = `${principal ?? ''}\u0000${account}\u0000${viaService ?? ''}`;
  let identity = identities.get(id);
  if (!identity) {
    identity = baseIdentity(principal, account);
    if (viaService && identity.type) identity.invokedBy = serviceHost(viaService);
    deepFreeze(identity);
    if (identities.size >= 1024) identities.clear();
    identities.set(id, identity);
  }
  return identity;
}

const identities = new Map<string, UserIdentity>();

function deepFreeze(value: object): void {
  for (const member of Object.values(value)) if (member !== null && typeof member === 'object') deepFreeze(member as object);
  Object.freeze(value);
}

function baseIdentity(principal: string | undefined, account: string): UserIdentity {
  if (principal === undefined) return { accountId: account, invokedBy: 'AWS Internal' };
  const iam = IAM.exec(principal);
  if (iam) {
    const [, partition, accountId, kind, userName, roleName] = iam as unknown as [string, string, string, string, string?, string?];
    if (kind === 'root') return { type: 'Root', principalId: accountId, arn: principal, accountId };
    if (userName !== undefined) return { type: 'IAMUser', principalId: uniqueId('AIDA', principal), arn: principal, accountId, userName };
    const sessionArn = `arn:${partition}:sts::${accountId}:assumed-role/${roleName}/${ROLE_SESSION_NAME}`;
    return assumedRole(sessionArn, principal, accountId, roleName!);
  }
  const sts = STS.exec(principal);
  if (sts) {
    const [, partition, accountId, roleName] = sts as unknown as [string, string, string, string, string];
    return assumedRole(principal, `arn:${partition}:iam::${accountId}:role/${roleName}`, accountId, roleName);
  }
  if (SERVICE.test(principal)) return { type: 'AWSService', invokedBy: principal };
  return { type: 'Unknown', principalId: principal, accountId: account };
}

function assumedRole(sessionArn: string, roleArn: string, accountId: string, roleName: string): UserIdentity {
  const roleId = uniqueId('AROA', roleArn);
  const session = sessionArn.slice(sessionArn.lastIndexOf('/') + 1);
  return {
    type: 'AssumedRole',
    principalId: `${roleId}:${session}`,
    arn: sessionArn,
    accountId,
    sessionContext: { sessionIssuer: { type: 'Role', principalId: roleId, arn: roleArn, accountId, userName: roleName } },
  };
}

/**
 * `inspector2.us-east-1.amazonaws.com` -> `inspector2.amazonaws.com`: invokedBy names the service, not its endpoint.
 *
 * @example
 * ```ts
 * serviceHost('ecr.eu-west-1.amazonaws.com'); // 'ecr.amazonaws.com'
 * ```
 */
export function serviceHost(viaService: string): string {
  const parts = viaService.split('.');
  return parts.length === 4 && parts[2] === 'amazonaws' ? `${parts[0]}.amazonaws.com` : viaService;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * A stable stand-in for IAM's unique ids (`AIDA…` users, `AROA…` roles: 21 characters). IAM assigns
 * them at random when the user is created; the simulation has no IAM database, so the id is derived
 * from the ARN with FNV-1a. It identifies, it protects nothing, so it needs no cryptographic hash
 * (and staying synchronous keeps the record builder synchronous).
 */
function uniqueId(prefix: string, arn: string): string {
  let out = prefix;
  for (let seed = 0; out.length < 21; seed++) {
    let h = 0x811c9dc5 ^ seed;
    for (let i = 0; i < arn.length; i++) h = Math.imul(h ^ arn.charCodeAt(i), 0x01000193);
    for (let shift = 0; shift < 30 && out.length < 21; shift += 5) out += BASE32[(h >>> shift) & 31];
  }
  return out;
}
