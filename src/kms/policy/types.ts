/**
 * The shapes the policy module works on: a policy document as AWS writes it (JSON), and the same
 * document after {@link parsePolicy} has checked it and turned every "string or list" element into
 * a list, so the evaluator never has to ask which form it was given.
 *
 * Element names and meanings: IAM User Guide, "IAM JSON policy elements reference"; the key-policy
 * specifics (Sid may contain spaces, 32 KB, character set): AWS KMS Developer Guide, "Key policy format".
 */

/**
 * The two policy-language versions AWS accepts. Only 2012-10-17 has policy variables.
 *
 * @example
 * ```ts
 * POLICY_VERSIONS.includes(doc.Version as PolicyVersion);
 * ```
 */
export const POLICY_VERSIONS = ['2012-10-17', '2008-10-17'] as const;
export type PolicyVersion = (typeof POLICY_VERSIONS)[number];

/** A key policy (resource-based: needs Principal) or an IAM identity policy (must not have one). */
export type PolicyKind = 'key' | 'identity';

export type Effect = 'Allow' | 'Deny';

/** A JSON value as it may appear in a policy condition. */
export type PolicyScalar = string | number | boolean;

/**
 * A policy document as written, before validation (the JSON AWS documents).
 *
 * @example
 * ```ts
 * const doc: PolicyDocument = { Version: '2012-10-17', Statement: { Effect: 'Allow', Principal: { AWS: '111122223333' }, Action: 'kms:*', Resource: '*' } };
 * ```
 */
export interface PolicyDocument {
  readonly Version?: string;
  readonly Id?: string;
  readonly Statement: PolicyStatement | readonly PolicyStatement[];
}

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: Effect;
  readonly Principal?: PrincipalElement;
  readonly NotPrincipal?: PrincipalElement;
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, PolicyScalar | readonly PolicyScalar[]>>>>;
}

export type PrincipalElement = '*' | { readonly AWS?: string | readonly string[]; readonly Service?: string | readonly string[] };

/** Who a Principal / NotPrincipal element names, normalised. */
export interface PrincipalSpec {
  /** `"*"` or `{"AWS": "*"}`: every principal. */
  readonly any: boolean;
  /** IAM principals, with bare account ids already rewritten to `arn:aws:iam::<account>:root`. */
  readonly aws: readonly string[];
  /** Service principals such as `q.amazonaws.com`, lower-cased (service names are not case-sensitive). */
  readonly services: readonly string[];
}

/**
 * The condition operators this module implements (IAM User Guide, "Condition operators"); each may
 * take an `IfExists` suffix (not Null) and a `ForAllValues:` / `ForAnyValue:` prefix.
 *
 * @example
 * ```ts
 * CONDITION_OPERATORS.includes('StringLike'); // true
 * ```
 */
export const CONDITION_OPERATORS = [
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'NumericEquals',
  'NumericNotEquals',
  'NumericLessThan',
  'NumericLessThanEquals',
  'NumericGreaterThan',
  'NumericGreaterThanEquals',
  'DateEquals',
  'DateNotEquals',
  'DateLessThan',
  'DateLessThanEquals',
  'DateGreaterThan',
  'DateGreaterThanEquals',
  'Bool',
  'ArnEquals',
  'ArnLike',
  'ArnNotEquals',
  'ArnNotLike',
  'Null',
] as const;
export type ConditionOperator = (typeof CONDITION_OPERATORS)[number];

export type SetOperator = 'ForAllValues' | 'ForAnyValue';

/** One key of one operator block, e.g. `"ForAllValues:StringEquals": {"kms:GrantOperations": [...]}`. */
export interface ParsedCondition {
  /** The operator as written, for explanations. */
  readonly text: string;
  readonly operator: ConditionOperator;
  readonly set?: SetOperator;
  readonly ifExists: boolean;
  /** The condition key as written; looked up case-insensitively. */
  readonly key: string;
  /** The values, JSON scalars turned into strings (`true` → `"true"`, `10` → `"10"`). */
  readonly values: readonly string[];
}

export interface ParsedStatement {
  /** Position in the Statement list (0-based), which explanations report. */
  readonly index: number;
  readonly sid?: string;
  readonly effect: Effect;
  /** Absent in identity policies. */
  readonly principal?: PrincipalSpec;
  /** True when the element was NotPrincipal. */
  readonly notPrincipal: boolean;
  readonly actions: readonly string[];
  readonly notAction: boolean;
  readonly resources: readonly string[];
  readonly notResource: boolean;
  readonly conditions: readonly ParsedCondition[];
}

/**
 * A checked policy: what {@link parsePolicy} returns and the evaluator reads. The KMS can keep it
 * with the key record so a policy is parsed once per PutKeyPolicy rather than once per call.
 *
 * @example
 * ```ts
 * const policy: ParsedPolicy = parsePolicy(record.policy, 'key');
 * policy.statements.map((s) => s.sid);
 * ```
 */
export interface ParsedPolicy {
  readonly kind: PolicyKind;
  /** `2008-10-17` when the document has no Version element, as IAM assumes. */
  readonly version: PolicyVersion;
  readonly id?: string;
  readonly statements: readonly ParsedStatement[];
}
