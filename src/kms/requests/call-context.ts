/**
 * What an operation handler gets: the region, the caller, the clock, and the two ways to reach a
 * key, {@link CallContext.readKey} and {@link CallContext.mutateKey}. Both resolve the KeyId
 * parameter (key id, key ARN, alias name, alias ARN), apply the key's due lifecycle events, ask
 * access.ts, and check the key-state table, in AWS's order: unknown key (NotFoundException) before
 * access before state. Every decision taken is kept in {@link CallContext.decisions} for the
 * call's audit record.
 */
import { decide, denied, needsResourceAliases, type Caller } from '../policy/access.js';
import { aliasNotFound, keyNotFound } from '../errors.js';
import { aliasArn, parseKeyReference } from '../keys/identifiers.js';
import { checkKeyState, keyStateOf, type KeyStateOperation } from '../keys/key-states.js';
import { settle } from '../keys/lifecycle.js';
import { describePrincipal, type ConditionContext, type Decision, type IdentityPolicy, type NewGrantRequest } from '../policy/index.js';
import type { KeyRecord } from '../storage/records.js';
import type { RegionRuntime } from './region-runtime.js';
import type { KeyState } from '../keys/specs.js';
import type { EncryptionContextType } from '../types.js';
import { updateKey, type KeyChange } from '../keys/key-updates.js';

export interface LoadedKey {
  readonly record: KeyRecord;
  readonly arn: string;
  readonly state: KeyState;
}

export interface KeyOptions {
  /** The key-state table row to check; omitted for operations the table does not cover. */
  readonly op?: KeyStateOperation;
  /** Whether AWS accepts alias names and alias ARNs for this parameter. */
  readonly allowAlias: boolean;
  /** The policy action when it is not `kms:<operation>` (ReEncrypt: kms:ReEncryptFrom, kms:ReEncryptTo). */
  readonly action?: string;
  /** The request's encryption context: condition keys, and what grant constraints are checked against. */
  readonly encryptionContext?: EncryptionContextType;
  /** Operation-specific condition keys. */
  readonly conditions?: ConditionContext;
  /** CreateGrant: the grant being made, which a grant may only narrow. */
  readonly newGrant?: NewGrantRequest;
  /** A decision the operation took itself (RetireGrant by the grant's retiring principal). */
  readonly decided?: (record: KeyRecord) => Decision | undefined;
  /**
   * Alias names the operation also acts on (CreateAlias, UpdateAlias, DeleteAlias). The caller needs
   * the action on each alias as well as on the key (AWS KMS Developer Guide, "Controlling access to
   * aliases"); aliases have no resource policy, so that half is decided by IAM policies alone.
   * Checked after NotFound and before the key's own decision.
   */
  readonly aliases?: readonly string[];
}

/** One access decision a call took, for its audit record. */
export interface CallDecision {
  readonly action: string;
  readonly resource: string;
  readonly decision: Decision;
}

export class CallContext {
  readonly runtime: RegionRuntime;
  readonly caller: Caller;
  readonly operation: string;
  /** Key ARNs the call touched, for the call record. */
  readonly resources: string[] = [];
  /** Every access decision, in order. */
  readonly decisions: CallDecision[] = [];
  /**
   * GrantTokens, as sent, each already checked to be a token this KMS issued (grant-tokens.ts;
   * InvalidGrantTokenException otherwise). A grant takes effect at once in the simulation, so a
   * token adds nothing to the decision: every existing grant of the key is considered, and a token
   * whose grant was retired or revoked allows nothing.
   */
  grantTokens?: readonly string[];
  #identity?: Promise<IdentityPolicy[]>;

  constructor(runtime: RegionRuntime, caller: Caller, operation: string) {
    this.runtime = runtime;
    this.caller = caller;
    this.operation = operation;
  }

  get principal(): string {
    return this.caller.arn;
  }

  get region(): string {
    return this.runtime.region;
  }

  now(): number {
    return this.runtime.now();
  }

  arn(keyId: string): string {
    return this.runtime.arn(keyId);
  }

  /** The caller's IAM identity policies, read once per call. */
  identityPolicies(): Promise<IdentityPolicy[]> {
    this.#identity ??= this.runtime.directory.iam.identityPoliciesFor(this.caller.arn);
    return this.#identity;
  }

  /**
   * Account-level operations (CreateKey, ListKeys, ...): decided on resource `*`, by IAM alone.
   * `*` is this region's account, which a principal of another account cannot act in; ListRetirableGrants
   * passes `scope: 'caller'`, since AWS lets a principal list, on its own account's IAM permission,
   * the grants it may retire on keys of other accounts (API reference, ListRetirableGrants).
   */
  async authorizeAccount(conditions?: ConditionContext, action = `kms:${this.operation}`, scope: 'region' | 'caller' = 'region'): Promise<Decision> {
    const decision = decide({
      caller: this.caller,
      action,
      resource: '*',
      identityPolicies: await this.identityPolicies(),
      ...(conditions ? { conditions } : {}),
      ...(scope === 'region' ? { resourceAccount: this.runtime.account } : {}),
    });
    return this.#enforce(action, '*', decision);
  }

  /**
   * The alias half of an alias operation, enforced: the action on the alias ARN, by the caller's
   * IAM policies alone (an alias has no resource policy; "You can't use condition keys in a policy
   * statement where the resource is an alias", so no kms: condition key is supplied).
   */
  async authorizeAlias(aliasName: string, action = `kms:${this.operation}`): Promise<Decision> {
    const resource = aliasArn(this.region, this.runtime.account, aliasName);
    if (!this.resources.includes(resource)) this.resources.push(resource);
    return this.#enforce(action, resource, decide({ caller: this.caller, action, resource, identityPolicies: await this.identityPolicies() }));
  }

  #enforce(action: string, resource: string, decision: Decision): Decision {
    this.decisions.push({ action, resource, decision });
    if (!decision.allowed) throw denied(decision);
    return decision;
  }

  /** The key id a KeyId parameter names in this region, and the alias it was given as. */
  async resolveKey(text: string, allowAlias: boolean): Promise<{ keyId: string; alias?: string }> {
    const ref = parseKeyReference(text, allowAlias);
    const foreign = (ref.account !== undefined && ref.account !== this.runtime.account) || (ref.region !== undefined && ref.region !== this.region);
    // "To specify a KMS key in a different AWS account, you must use the key ARN or alias ARN"
    // (API reference, KeyId): a bare key id or alias name resolves in the caller's own account, so
    // a principal of another account naming this account's key that way finds nothing there,
    // whatever the key policy says. (Service principals have no account: they name keys as given.)
    const callerAccount = describePrincipal(this.caller.arn)?.account;
    if (ref.account === undefined && callerAccount !== undefined && callerAccount !== this.runtime.account) {
      if (ref.kind === 'key') throw keyNotFound(`arn:aws:kms:${this.region}:${callerAccount}:key/${ref.keyId}`);
      throw aliasNotFound(aliasArn(this.region, callerAccount, ref.aliasName));
    }
    if (ref.kind === 'key') {
      if (foreign) throw keyNotFound(text);
      return { keyId: ref.keyId };
    }
    const fullArn = aliasArn(this.region, this.runtime.account, ref.aliasName);
    if (foreign) throw aliasNotFound(text);
    const alias = await this.runtime.store.getAlias(ref.aliasName);
    if (!alias) throw aliasNotFound(fullArn);
    return { keyId: alias.TargetKeyId, alias: ref.aliasName };
  }

  async resolveKeyId(text: string, allowAlias: boolean): Promise<string> {
    return (await this.resolveKey(text, allowAlias)).keyId;
  }

  /** Loads a key for an operation that does not change it. */
  async readKey(text: string, options: KeyOptions): Promise<LoadedKey> {
    const { keyId, alias } = await this.resolveKey(text, options.allowAlias);
    const stored = await this.runtime.store.getKey(keyId);
    const record = stored && (await settle(this.runtime, stored));
    return this.admit(keyId, record, options, alias);
  }

  /**
   * Loads a key and commits the change `change` computes from it, re-running `change` on a fresh
   * copy if another tab wrote the key in between (key-updates.ts).
   */
  async mutateKey<T>(text: string, options: KeyOptions, change: (key: LoadedKey) => Promise<KeyChange<T>>): Promise<T> {
    const { keyId, alias } = await this.resolveKey(text, options.allowAlias);
    // Due events (deletion, expiry, rotation) first, in their own commits.
    const stored = await this.runtime.store.getKey(keyId);
    if (stored) await settle(this.runtime, stored);
    return updateKey(this.runtime, keyId, async (current) => change(await this.admit(keyId, current, options, alias)));
  }

  /** NotFound, then access (the aliases the operation acts on, then the key), then the key-state table. */
  async admit(keyId: string, record: KeyRecord | undefined, options: KeyOptions | KeyStateOperation | undefined, alias?: string): Promise<LoadedKey> {
    const opts: KeyOptions = typeof options === 'object' ? options : { allowAlias: false, ...(options ? { op: options } : {}) };
    const arn = this.arn(keyId);
    if (!record) throw keyNotFound(arn);
    // CloudTrail lists an alias operation's alias before its key (ct-updatealias.md, ct-deletealias.md).
    for (const name of opts.aliases ?? []) await this.authorizeAlias(name, opts.action);
    if (!this.resources.includes(arn)) this.resources.push(arn);
    await this.authorizeKey(this.runtime, record, opts, alias);
    const state = keyStateOf(record, this.now());
    if (opts.op) checkKeyState(opts.op, record, state, arn);
    return { record, arn, state };
  }

  /** The decision for `record` (in `runtime`'s region), enforced. */
  async authorizeKey(runtime: RegionRuntime, record: KeyRecord, options: KeyOptions, alias?: string): Promise<Decision> {
    const action = options.action ?? `kms:${this.operation}`;
    const arn = runtime.arn(record.KeyId);
    const own = options.decided?.(record);
    return this.#enforce(action, arn, own ?? (await this.decideKey(runtime, record, options, alias)));
  }

  /** The decision for `record`, not enforced (also what `kms.explain` returns). */
  async decideKey(runtime: RegionRuntime, record: KeyRecord, options: KeyOptions, alias?: string): Promise<Decision> {
    const identityPolicies = await this.identityPolicies();
    const grants = await runtime.store.grantsForKey(record.KeyId);
    const resourceAliases = needsResourceAliases(record, identityPolicies)
      ? (await runtime.store.allAliases()).filter((a) => a.TargetKeyId === record.KeyId).map((a) => a.AliasName)
      : undefined;
    return decide({
      caller: this.caller,
      action: options.action ?? `kms:${this.operation}`,
      resource: runtime.arn(record.KeyId),
      record,
      grants,
      identityPolicies,
      ...(options.encryptionContext ? { encryptionContext: options.encryptionContext } : {}),
      ...(options.conditions ? { conditions: options.conditions } : {}),
      ...(options.newGrant ? { newGrant: options.newGrant } : {}),
      ...(resourceAliases ? { resourceAliases } : {}),
      ...(alias !== undefined ? { requestAlias: alias } : {}),
    });
  }
}
