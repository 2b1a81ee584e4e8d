/**
 * What an operation handler gets: the region, the caller, the clock, and the two ways to reach a
 * key, {@link CallContext.readKey} and {@link CallContext.mutateKey}. Both resolve the KeyId
 * parameter (key id, key ARN, alias name, alias ARN), apply the key's due lifecycle events, ask
 * access.ts, and check the key-state table, in AWS's order: unknown key (NotFoundException) before
 * access before state. Every decision taken is kept in {@link CallContext.decisions} for the
 * call's audit record.
 */
import { decide, denied, needsResourceAliases, type Caller } from './access.js';
import { aliasNotFound, keyNotFound } from './errors.js';
import { aliasArn, parseKeyReference } from './identifiers.js';
import { checkKeyState, keyStateOf, type KeyStateOperation } from './key-states.js';
import { settle } from './lifecycle.js';
import type { ConditionContext, Decision, IdentityPolicy, NewGrantRequest } from './policy/index.js';
import type { KeyRecord } from './records.js';
import type { RegionRuntime } from './region-runtime.js';
import type { KeyState } from './specs.js';
import type { EncryptionContextType } from './types.js';
import { updateKey, type KeyChange } from './key-updates.js';

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
   * GrantTokens, as sent. A grant takes effect at once in the simulation, so a token adds nothing to
   * the decision (every active grant of the key is considered); tokens are not checked, because
   * callers written for AWS pass tokens of their own through unchanged.
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

  /** Account-level operations (CreateKey, ListKeys, ...): decided on resource `*`, by IAM alone. */
  async authorizeAccount(conditions?: ConditionContext, action = `kms:${this.operation}`): Promise<Decision> {
    const decision = decide({ caller: this.caller, action, resource: '*', identityPolicies: await this.identityPolicies(), ...(conditions ? { conditions } : {}) });
    return this.#enforce(action, '*', decision);
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

  /** NotFound, then access, then the key-state table. */
  async admit(keyId: string, record: KeyRecord | undefined, options: KeyOptions | KeyStateOperation | undefined, alias?: string): Promise<LoadedKey> {
    const opts: KeyOptions = typeof options === 'object' ? options : { allowAlias: false, ...(options ? { op: options } : {}) };
    const arn = this.arn(keyId);
    if (!record) throw keyNotFound(arn);
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
