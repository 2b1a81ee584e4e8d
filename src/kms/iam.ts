/**
 * IAM identity policies of the simulated account: inline user and role policies, with IAM's
 * operation names and shapes (IAM API reference: PutUserPolicy, GetUserPolicy, ListUserPolicies,
 * DeleteUserPolicy and the Role equivalents). IAM is global: one set of policies per account, shared
 * by every region (storage/iam-store.ts). Users and roles need not be created first; the simulation
 * has no CreateUser, so a policy brings its user or role into being.
 *
 * The KMS reads them through {@link Iam.identityPoliciesFor}: a user's policies for the user, the
 * role's for the role and for each of its assumed-role sessions, none for the root user.
 */
import { KmsError } from './errors.js';
import { describePrincipal, parsePolicy, type IdentityPolicy } from './policy/index.js';
import { policyId, entityKey, type IamEntityKind, type IamPolicyRecord, type IamStore } from './storage/iam-store.js';

/** IAM's exception names (IAM API reference, "Errors"), as the AWS SDK's IAM client reports them. */
export const IamExceptionName = {
  NoSuchEntityException: 'NoSuchEntityException',
  MalformedPolicyDocumentException: 'MalformedPolicyDocumentException',
  InvalidInputException: 'InvalidInputException',
} as const;
export type IamExceptionName = (typeof IamExceptionName)[keyof typeof IamExceptionName];

/**
 * An IAM exception: `name` and `code` are IAM's exception name.
 *
 * @example
 * ```ts
 * try { await kms.iam.getUserPolicy({ UserName: 'alice', PolicyName: 'p' }); }
 * catch (error) { if (error instanceof IamError && error.code === 'NoSuchEntityException') console.log('none'); }
 * ```
 */
export class IamError extends Error {
  override readonly name: IamExceptionName;
  readonly code: IamExceptionName;
  readonly $fault = 'client' as const;
  constructor(name: IamExceptionName, message: string) {
    super(message);
    this.name = name;
    this.code = name;
  }
}

export interface PutUserPolicyRequest {
  UserName: string;
  PolicyName: string;
  PolicyDocument: string;
}
export interface PutRolePolicyRequest {
  RoleName: string;
  PolicyName: string;
  PolicyDocument: string;
}

/**
 * The account's IAM, as `kms.iam`.
 *
 * @example
 * ```ts
 * await kms.iam.putUserPolicy({ UserName: 'alice', PolicyName: 'use-keys',
 *   PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*' } }) });
 * const { PolicyNames } = await kms.iam.listUserPolicies({ UserName: 'alice' }); // ['use-keys']
 * ```
 */
export interface KmsIam {
  putUserPolicy(request: PutUserPolicyRequest): Promise<Record<string, never>>;
  getUserPolicy(request: { UserName: string; PolicyName: string }): Promise<PutUserPolicyRequest>;
  listUserPolicies(request: { UserName: string }): Promise<{ PolicyNames: string[]; IsTruncated: false }>;
  deleteUserPolicy(request: { UserName: string; PolicyName: string }): Promise<Record<string, never>>;
  putRolePolicy(request: PutRolePolicyRequest): Promise<Record<string, never>>;
  getRolePolicy(request: { RoleName: string; PolicyName: string }): Promise<PutRolePolicyRequest>;
  listRolePolicies(request: { RoleName: string }): Promise<{ PolicyNames: string[]; IsTruncated: false }>;
  deleteRolePolicy(request: { RoleName: string; PolicyName: string }): Promise<Record<string, never>>;
}

// IAM API reference: user and role names [\w+=,.@-]+, 1..64; policy names the same, 1..128.
const NAME = /^[\w+=,.@-]+$/;

function name(value: unknown, member: string, max: number): string {
  if (typeof value !== 'string' || value.length < 1 || value.length > max || !NAME.test(value)) {
    throw new IamError('InvalidInputException', `${member} must be 1 to ${max} characters of letters, digits and +=,.@_-; got ${typeof value === 'string' ? JSON.stringify(value) : typeof value}.`);
  }
  return value;
}

function document(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw new IamError('MalformedPolicyDocumentException', 'PolicyDocument must be a JSON policy document as a string.');
  try {
    parsePolicy(value, 'identity');
  } catch (error) {
    if (error instanceof KmsError) throw new IamError('MalformedPolicyDocumentException', error.message);
    throw error;
  }
  return value;
}

const LABEL: Record<IamEntityKind, string> = { user: 'user', role: 'role' };

export class Iam implements KmsIam {
  readonly account: string;
  readonly #store: IamStore;

  constructor(account: string, store: IamStore) {
    this.account = account;
    this.#store = store;
  }

  async #put(kind: IamEntityKind, entity: string, policyName: string, policyDocument: string) {
    const record: IamPolicyRecord = { id: policyId(kind, entity, policyName), entityKey: entityKey(kind, entity), kind, entity, PolicyName: policyName, PolicyDocument: policyDocument };
    await this.#store.put(record);
    return {};
  }
  async #get(kind: IamEntityKind, entity: string, policyName: string): Promise<IamPolicyRecord> {
    const record = await this.#store.get(kind, entity, policyName);
    if (!record) throw new IamError('NoSuchEntityException', `The ${LABEL[kind]} policy with name ${policyName} cannot be found.`);
    return record;
  }
  async #delete(kind: IamEntityKind, entity: string, policyName: string) {
    if (!(await this.#store.delete(kind, entity, policyName))) throw new IamError('NoSuchEntityException', `The ${LABEL[kind]} policy with name ${policyName} cannot be found.`);
    return {};
  }
  async #list(kind: IamEntityKind, entity: string) {
    return { PolicyNames: (await this.#store.list(kind, entity)).map((r) => r.PolicyName), IsTruncated: false as const };
  }

  async putUserPolicy(r: PutUserPolicyRequest) {
    return this.#put('user', name(r?.UserName, 'UserName', 64), name(r.PolicyName, 'PolicyName', 128), document(r.PolicyDocument));
  }
  async getUserPolicy(r: { UserName: string; PolicyName: string }) {
    const found = await this.#get('user', name(r?.UserName, 'UserName', 64), name(r.PolicyName, 'PolicyName', 128));
    return { UserName: found.entity, PolicyName: found.PolicyName, PolicyDocument: found.PolicyDocument };
  }
  async listUserPolicies(r: { UserName: string }) {
    return this.#list('user', name(r?.UserName, 'UserName', 64));
  }
  async deleteUserPolicy(r: { UserName: string; PolicyName: string }) {
    return this.#delete('user', name(r?.UserName, 'UserName', 64), name(r.PolicyName, 'PolicyName', 128));
  }
  async putRolePolicy(r: PutRolePolicyRequest) {
    return this.#put('role', name(r?.RoleName, 'RoleName', 64), name(r.PolicyName, 'PolicyName', 128), document(r.PolicyDocument));
  }
  async getRolePolicy(r: { RoleName: string; PolicyName: string }) {
    const found = await this.#get('role', name(r?.RoleName, 'RoleName', 64), name(r.PolicyName, 'PolicyName', 128));
    return { RoleName: found.entity, PolicyName: found.PolicyName, PolicyDocument: found.PolicyDocument };
  }
  async listRolePolicies(r: { RoleName: string }) {
    return this.#list('role', name(r?.RoleName, 'RoleName', 64));
  }
  async deleteRolePolicy(r: { RoleName: string; PolicyName: string }) {
    return this.#delete('role', name(r?.RoleName, 'RoleName', 64), name(r.PolicyName, 'PolicyName', 128));
  }

  /**
   * The identity policies that apply to a caller: a user's own, a role's for the role and its
   * sessions. The root user has none (it needs none), and a principal of another account has its
   * policies in that account, which this simulation does not hold.
   */
  async identityPoliciesFor(principalArn: string): Promise<IdentityPolicy[]> {
    const caller = describePrincipal(principalArn);
    if (!caller || caller.account !== this.account) return [];
    let kind: IamEntityKind;
    let entity: string;
    if (caller.kind === 'user') [kind, entity] = ['user', caller.name!];
    else if (caller.kind === 'role') [kind, entity] = ['role', caller.name!];
    else if (caller.kind === 'assumed-role') [kind, entity] = ['role', caller.roleArn!.slice(caller.roleArn!.lastIndexOf('/') + 1)];
    else return [];
    return (await this.#store.list(kind, entity)).map((r) => ({ name: `${kind}/${entity}/${r.PolicyName}`, document: r.PolicyDocument }));
  }

  close(): void {
    this.#store.close();
  }
}
