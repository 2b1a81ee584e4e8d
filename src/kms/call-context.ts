/**
 * What an operation handler gets: the region, the caller, the clock, and the two ways to reach a
 * key, {@link CallContext.readKey} and {@link CallContext.mutateKey}. Both resolve the KeyId
 * parameter (key id, key ARN, alias name, alias ARN), apply the key's due lifecycle events, ask
 * access.ts, and check the key-state table, in AWS's order: unknown key (NotFoundException) before
 * access before state.
 */
import { aliasNotFound, keyNotFound } from './errors.js';
import { aliasArn, parseKeyReference } from './identifiers.js';
import { authorize } from './access.js';
import { checkKeyState, keyStateOf, type KeyStateOperation } from './key-states.js';
import { settle } from './lifecycle.js';
import type { KeyRecord } from './records.js';
import type { RegionRuntime } from './region-runtime.js';
import type { KeyState } from './specs.js';
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
}

export class CallContext {
  readonly runtime: RegionRuntime;
  readonly principal: string;
  readonly operation: string;
  /** Key ARNs the call touched, for the call record. */
  readonly resources: string[] = [];
  grantTokens?: readonly string[];

  constructor(runtime: RegionRuntime, principal: string, operation: string) {
    this.runtime = runtime;
    this.principal = principal;
    this.operation = operation;
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

  /** Account-level operations (no key): the access decision without a key. */
  authorizeAccount(): void {
    authorize({ principal: this.principal, operation: this.operation, region: this.region, ...(this.grantTokens ? { grantTokens: this.grantTokens } : {}) });
  }

  /** The key id a KeyId parameter names in this region. */
  async resolveKeyId(text: string, allowAlias: boolean): Promise<string> {
    const ref = parseKeyReference(text, allowAlias);
    const foreign = (ref.account !== undefined && ref.account !== this.runtime.account) || (ref.region !== undefined && ref.region !== this.region);
    if (ref.kind === 'key') {
      if (foreign) throw keyNotFound(text);
      return ref.keyId;
    }
    const fullArn = aliasArn(this.region, this.runtime.account, ref.aliasName);
    if (foreign) throw aliasNotFound(text);
    const alias = await this.runtime.store.getAlias(ref.aliasName);
    if (!alias) throw aliasNotFound(fullArn);
    return alias.TargetKeyId;
  }

  /** Loads a key for an operation that does not change it. */
  async readKey(text: string, options: KeyOptions): Promise<LoadedKey> {
    const keyId = await this.resolveKeyId(text, options.allowAlias);
    const stored = await this.runtime.store.getKey(keyId);
    const record = stored && (await settle(this.runtime, stored));
    return this.admit(keyId, record, options.op);
  }

  /**
   * Loads a key and commits the change `change` computes from it, re-running `change` on a fresh
   * copy if another tab wrote the key in between (key-updates.ts).
   */
  async mutateKey<T>(text: string, options: KeyOptions, change: (key: LoadedKey) => Promise<KeyChange<T>>): Promise<T> {
    const keyId = await this.resolveKeyId(text, options.allowAlias);
    // Due events (deletion, expiry, rotation) first, in their own commits.
    const stored = await this.runtime.store.getKey(keyId);
    if (stored) await settle(this.runtime, stored);
    return updateKey(this.runtime, keyId, async (current) => change(this.admit(keyId, current, options.op)));
  }

  /** NotFound, then access, then the key-state table. */
  admit(keyId: string, record: KeyRecord | undefined, op: KeyStateOperation | undefined): LoadedKey {
    const arn = this.arn(keyId);
    if (!record) throw keyNotFound(arn);
    if (!this.resources.includes(arn)) this.resources.push(arn);
    authorize({
      principal: this.principal,
      operation: this.operation,
      region: this.region,
      key: { arn, record },
      ...(this.grantTokens ? { grantTokens: this.grantTokens } : {}),
    });
    const state = keyStateOf(record, this.now());
    if (op) checkKeyState(op, record, state, arn);
    return { record, arn, state };
  }
}
