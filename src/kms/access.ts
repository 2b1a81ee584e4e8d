/**
 * Authorization: the one place where every call is allowed or refused. Issue 3 allows every call
 * by the account's principals; issue 4 puts key policies, IAM policies and grants here, deciding as
 * AWS KMS decides, and throws AccessDeniedException. Every operation reaches this function: account
 * operations (CreateKey, ListKeys, ...) from the call pipeline, key operations from
 * CallContext.readKey/mutateKey once the key record is known (its policy is what issue 4 evaluates).
 */
import type { KeyRecord } from './records.js';

export interface AccessRequest {
  /** The caller, e.g. `arn:aws:iam::111122223333:root` (`kms.region(name, { principal })`). */
  readonly principal: string;
  /** The AWS action name without the `kms:` prefix, e.g. `Decrypt`. */
  readonly operation: string;
  readonly region: string;
  /** The key the call acts on, absent for account-level operations. */
  readonly key?: { readonly arn: string; readonly record: KeyRecord };
  readonly grantTokens?: readonly string[];
}

export function authorize(request: AccessRequest): void {
  // Issue 4: evaluate request.key.record.policy, IAM policies and grants for request.principal.
  void request;
}
