/**
 * IAM identity policies of the simulated account: inline user and role policies, with IAM's
 * operation names and shapes (IAM API reference: PutUserPolicy, GetUserPolicy, ListUserPolicies,
 * DeleteUserPolicy and the Role equivalents). IAM is global: one set of policies per account, shared
 * by every region (storage/iam-store.ts). Users and roles need not be created first; the simulation
 * has no CreateUser, so a policy brings its user or role into being.
 *
 * The KMS reads them through {@link Iam.identityPoliciesFor}: a user's policies for the user, the
 * role's for the role and for each of its assumed-role sessions, none for the root user.
 *
 * Other accounts: a principal of another account (`arn:aws:iam::444455556666:role/app`) may use a
 * key of this account only when the key policy trusts it or its account AND its own account's IAM
 * policies allow it (AWS KMS Developer Guide, "Allowing users in other accounts to use a KMS key").
 * `kms.iam.forAccount('444455556666')` holds that second half: the same operations, for the users
 * and roles of that account. Its policies are kept in this Kms's IAM store under entity names
 * `<account>:<name>`, which IAM names (no `:`) can never collide with.
 *
 * GetUserPolicy and GetRolePolicy return the document percent-encoded, as IAM does ("URL-encoded
 * compliant with RFC 3986", IAM API reference, GetUserPolicy): see {@link encodePolicyDocument}.
 */
import { KmsError } from '../errors.js';
import { describePrincipal, parsePolicy, type IdentityPolicy } from './index.js';
import { policyId, entityKey, type IamEntityKind, type IamPolicyRecord, type IamStore } from '../storage/iam-store.js';
import { rangeError, typeError } from '../../core/arguments.js';

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

/**
 * IAM PutUserPolicy's request: an inline policy (JSON text) for a user of the account
 * (`kms.iam.putUserPolicy`).
 */
export interface PutUserPolicyRequest {
  UserName: string;
  PolicyName: string;
  PolicyDocument: string;
}
/**
 * IAM PutRolePolicy's request: an inline policy (JSON text) for a role of the account
 * (`kms.iam.putRolePolicy`).
 */
export interface PutRolePolicyRequest {
  RoleName: string;
  PolicyName: string;
  PolicyDocument: string;
}

/**
 * The account's IAM, as `kms.iam`, and another account's, as `kms.iam.forAccount(id)`.
 *
 * `getUserPolicy` / `getRolePolicy` return `PolicyDocument` percent-encoded (RFC 3986), exactly as
 * IAM's GetUserPolicy / GetRolePolicy do: decode it with `decodeURIComponent` before `JSON.parse`.
 *
 * @example
 * ```ts
 * await kms.iam.putUserPolicy({ UserName: 'alice', PolicyName: 'use-keys',
 *   PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*' } }) });
 * const { PolicyNames } = await kms.iam.listUserPolicies({ UserName: 'alice' }); // ['use-keys']
 * const { PolicyDocument } = await kms.iam.getUserPolicy({ UserName: 'alice', PolicyName: 'use-keys' });
 * JSON.parse(decodeURIComponent(PolicyDocument)).Statement.Action; // 'kms:Encrypt'
 *
 * // A role of another account that uses this account's keys (the key policy must trust it too):
 * await kms.iam.forAccount('444455556666').putRolePolicy({ RoleName: 'app', PolicyName: 'use-keys',
 *   PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'kms:Decrypt', Resource: keyArn } }) });
 * await kms.region('us-east-1', { principal: 'arn:aws:iam::444455556666:role/app' }).decrypt({ CiphertextBlob });
 * ```
 */
export interface KmsIam {
  putUserPolicy(request: PutUserPolicyRequest): Promise<Record<string, never>>;
  /** The user's inline policy; `PolicyDocument` is percent-encoded (RFC 3986), as IAM returns it. */
  getUserPolicy(request: { UserName: string; PolicyName: string }): Promise<PutUserPolicyRequest>;
  listUserPolicies(request: { UserName: string }): Promise<{ PolicyNames: string[]; IsTruncated: false }>;
  deleteUserPolicy(request: { UserName: string; PolicyName: string }): Promise<Record<string, never>>;
  putRolePolicy(request: PutRolePolicyRequest): Promise<Record<string, never>>;
  /** The role's inline policy; `PolicyDocument` is percent-encoded (RFC 3986), as IAM returns it. */
  getRolePolicy(request: { RoleName: string; PolicyName: string }): Promise<PutRolePolicyRequest>;
  listRolePolicies(request: { RoleName: string }): Promise<{ PolicyNames: string[]; IsTruncated: false }>;
  deleteRolePolicy(request: { RoleName: string; PolicyName: string }): Promise<Record<string, never>>;
  /**
   * The IAM of another AWS account (or of this one), with the same operations: the identity
   * policies of that account's users and roles, which the KMS reads when they call it. A principal
   * of another account needs both the key policy's trust and its own account's IAM allow.
   *
   * @throws TypeError when `accountId` is not a string; RangeError when it is not 12 digits.
   */
  forAccount(accountId: string): KmsIam;
}

/**
 * A policy document as IAM's Get*Policy operations return it: percent-encoded per RFC 3986, every
 * UTF-8 byte except the unreserved characters `A-Z a-z 0-9 - . _ ~`. That is `encodeURIComponent`
 * plus `! ' ( ) *`, which it leaves alone and IAM encodes: raw IAM responses show `*` as `%2A` and a
 * space as `%20`, not `+` (e.g. `%22acm%3A%2A%22` in aws/aws-sdk-go#1513, `%2F%2A%22` in
 * aws/aws-sdk-java#730). `decodeURIComponent` reverses it exactly.
 *
 * @example
 * ```ts
 * encodePolicyDocument('{"Action": "kms:*"}'); // '%7B%22Action%22%3A%20%22kms%3A%2A%22%7D'
 * ```
 */
export function encodePolicyDocument(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

// IAM API reference: user and role names [\w+=,.@-]+, 1..64; policy names the same, 1..128.
const NAME = /^[\w+=,.@-]+$/;

function name(value: unknown, member: string, max: number): string {
  if (typeof value !== 'string' || value.length < 1 || value.length > max || !NAME.test(value)) {
    throw new IamError('InvalidInputException', `${member} must be 1 to ${max} characters of letters, digits and +=,.@_-; got ${typeof value === 'string' ? JSON.stringify(value) : typeof value}.`);
  }
  return value;
}

// An unpaired UTF-16 surrogate: text no UTF-8 request could carry, and that encodeURIComponent refuses.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function document(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw new IamError('MalformedPolicyDocumentException', 'PolicyDocument must be a JSON policy document as a string.');
  if (LONE_SURROGATE.test(value)) throw new IamError('MalformedPolicyDocumentException', 'PolicyDocument must be well-formed Unicode text: it contains an unpaired surrogate.');
  try {
    parsePolicy(value, 'identity');
  } catch (error) {
    if (error instanceof KmsError) throw new IamError('MalformedPolicyDocumentException', error.message);
    throw error;
  }
  return value;
}

const LABEL: Record<IamEntityKind, string> = { user: 'user', role: 'role' };

const ACCOUNT_ID = /^\d{12}$/;

export class Iam implements KmsIam {
  /** The account whose users and roles this view manages. */
  readonly account: string;
  /** The Kms's own account: its entities are stored under their bare names. */
  readonly #home: string;
  readonly #store: IamStore;
  /** The Kms's own instance, which keeps one view per other account. */
  readonly #root: Iam;
  readonly #views = new Map<string, Iam>();

  /** `account` is the Kms's own account. Views of other accounts come from {@link Iam.forAccount}. */
  constructor(account: string, store: IamStore, view?: { of: string; root: Iam }) {
    this.#home = account;
    this.account = view?.of ?? account;
    this.#store = store;
    this.#root = view?.root ?? this;
  }

  forAccount(accountId: string): KmsIam {
    if (typeof accountId !== 'string') throw typeError('accountId', `a 12-digit AWS account id string, not ${typeof accountId}`);
    if (!ACCOUNT_ID.test(accountId)) throw rangeError('accountId', `must be a 12-digit AWS account id, not ${JSON.stringify(accountId)}`);
    const root = this.#root;
    if (accountId === this.#home) return root;
    let view = root.#views.get(accountId);
    if (!view) root.#views.set(accountId, (view = new Iam(this.#home, this.#store, { of: accountId, root })));
    return view;
  }

  /** The entity name under which the store keeps user or role `entityName` of `account`. */
  #stored(entityName: string, account = this.account): string {
    return account === this.#home ? entityName : `${account}:${entityName}`;
  }

  async #put(kind: IamEntityKind, entityName: string, policyName: string, policyDocument: string) {
    const entity = this.#stored(entityName);
    const record: IamPolicyRecord = { id: policyId(kind, entity, policyName), entityKey: entityKey(kind, entity), kind, entity, PolicyName: policyName, PolicyDocument: policyDocument };
    await this.#store.put(record);
    return {};
  }
  async #get(kind: IamEntityKind, entityName: string, policyName: string): Promise<IamPolicyRecord> {
    const record = await this.#store.get(kind, this.#stored(entityName), policyName);
    if (!record) throw new IamError('NoSuchEntityException', `The ${LABEL[kind]} policy with name ${policyName} cannot be found.`);
    return record;
  }
  async #delete(kind: IamEntityKind, entityName: string, policyName: string) {
    if (!(await this.#store.delete(kind, this.#stored(entityName), policyName))) throw new IamError('NoSuchEntityException', `The ${LABEL[kind]} policy with name ${policyName} cannot be found.`);
    return {};
  }
  async #list(kind: IamEntityKind, entityName: string) {
    return { PolicyNames: (await this.#store.list(kind, this.#stored(entityName))).map((r) => r.PolicyName), IsTruncated: false as const };
  }

  async putUserPolicy(r: PutUserPolicyRequest) {
    return this.#put('user', name(r?.UserName, 'UserName', 64), name(r.PolicyName, 'PolicyName', 128), document(r.PolicyDocument));
  }
  async getUserPolicy(r: { UserName: string; PolicyName: string }) {
    const user = name(r?.UserName, 'UserName', 64);
    const found = await this.#get('user', user, name(r.PolicyName, 'PolicyName', 128));
    return { UserName: user, PolicyName: found.PolicyName, PolicyDocument: encodePolicyDocument(found.PolicyDocument) };
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
    const role = name(r?.RoleName, 'RoleName', 64);
    const found = await this.#get('role', role, name(r.PolicyName, 'PolicyName', 128));
    return { RoleName: role, PolicyName: found.PolicyName, PolicyDocument: encodePolicyDocument(found.PolicyDocument) };
  }
  async listRolePolicies(r: { RoleName: string }) {
    return this.#list('role', name(r?.RoleName, 'RoleName', 64));
  }
  async deleteRolePolicy(r: { RoleName: string; PolicyName: string }) {
    return this.#delete('role', name(r?.RoleName, 'RoleName', 64), name(r.PolicyName, 'PolicyName', 128));
  }

  /**
   * The identity policies that apply to a caller, from the caller's own account (this one or
   * another, see {@link Iam.forAccount}): a user's own, a role's for the role and its sessions.
   * The root user has none (it needs none), nor has a service principal.
   */
  async identityPoliciesFor(principalArn: string): Promise<IdentityPolicy[]> {
    const caller = describePrincipal(principalArn);
    if (!caller?.account) return [];
    let kind: IamEntityKind;
    let entity: string;
    if (caller.kind === 'user') [kind, entity] = ['user', caller.name!];
    else if (caller.kind === 'role') [kind, entity] = ['role', caller.name!];
    else if (caller.kind === 'assumed-role') [kind, entity] = ['role', caller.roleArn!.slice(caller.roleArn!.lastIndexOf('/') + 1)];
    else return [];
    // Decisions name a policy `<kind>/<name>/<policy>`, prefixed by its account when it is another's.
    const label = caller.account === this.#home ? `${kind}/${entity}` : `${caller.account}:${kind}/${entity}`;
    return (await this.#store.list(kind, this.#stored(entity, caller.account))).map((r) => ({ name: `${label}/${r.PolicyName}`, document: r.PolicyDocument }));
  }

  /** Closes the store (the Kms's own instance; views of other accounts share it). */
  close(): void {
    if (this.account === this.#home) this.#store.close();
  }
}
