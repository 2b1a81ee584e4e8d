/**
 * The request context: the condition keys a request carries and their values. Keys are looked up
 * without regard to case (IAM User Guide, "Policy variables": key names are case-insensitive; AWS
 * KMS Developer Guide, "kms:EncryptionContext:context-key": neither the prefix nor the context key
 * is case-sensitive). The caller's own keys (aws:PrincipalArn, aws:username, kms:CallerAccount, ...)
 * are derived from the principal unless the KMS passes them explicitly.
 */
import { describePrincipal, type PrincipalInfo } from './principals.js';
import { argumentError, typeError } from '../../core/arguments.js';

/** A context value as the KMS passes it. Arrays are multi-valued keys; undefined is "absent". */
export type ContextValue = string | readonly string[] | boolean | number | Date | undefined;

/** Condition key → value, e.g. `{ 'kms:ViaService': 'ecr.us-east-1.amazonaws.com' }`. */
export type ConditionContext = Readonly<Record<string, ContextValue>>;

/** The caller as the KMS knows it. */
export interface CallerPrincipal {
  /** An IAM ARN (`arn:aws:iam::111122223333:user/alice`, `…:root`, an assumed-role session) or a service principal (`q.amazonaws.com`). */
  readonly arn: string;
  /** aws:PrincipalTag/<key> values. */
  readonly tags?: Readonly<Record<string, string>>;
  /** aws:userid (AWS gives users and roles opaque unique ids; the simulation may have none). */
  readonly userid?: string;
}

/** The context the evaluator reads: case-insensitive keys over the raw values. */
export interface RequestContext {
  readonly caller: PrincipalInfo;
  /** Raw value of a key, or undefined when the request has no value for it. */
  value(key: string): ContextValue;
}

const PRINCIPAL_TYPE: Readonly<Record<string, string>> = { root: 'Account', user: 'User', role: 'AssumedRole', 'assumed-role': 'AssumedRole', 'federated-user': 'FederatedUser' };

/**
 * Builds the request context for a caller and the values the KMS supplies. Explicit values win
 * over derived ones; a key given twice in different cases (two encryption context keys that differ
 * only in case) becomes a multi-valued key, since policies cannot tell them apart.
 *
 * @example
 * ```ts
 * const ctx = buildContext({ arn: 'arn:aws:iam::111122223333:user/alice' }, { 'kms:ViaService': 'ecr.us-east-1.amazonaws.com' });
 * ctx.value('AWS:USERNAME'); // 'alice'
 * ctx.value('kms:callerAccount'); // '111122223333'
 * ```
 */
export function buildContext(principal: CallerPrincipal, values: ConditionContext = {}): RequestContext {
  if (typeof principal?.arn !== 'string') throw typeError('principal.arn', 'a string (an IAM ARN or a service principal)');
  const caller = describePrincipal(principal.arn);
  if (!caller) throw argumentError('principal.arn', `is not an IAM principal ARN or a service principal: ${JSON.stringify(principal.arn)}`);
  const map = new Map<string, ContextValue>();
  const derived: Record<string, ContextValue> = {};
  if (caller.kind !== 'service') {
    derived['aws:PrincipalArn'] = caller.roleArn ?? caller.arn;
    derived['aws:PrincipalAccount'] = caller.account;
    derived['kms:CallerAccount'] = caller.account;
    derived['aws:PrincipalType'] = PRINCIPAL_TYPE[caller.kind];
    if (caller.kind === 'user') derived['aws:username'] = caller.name;
    if (principal.userid !== undefined) derived['aws:userid'] = principal.userid;
    for (const [tag, tagValue] of Object.entries(principal.tags ?? {})) derived[`aws:PrincipalTag/${tag}`] = tagValue;
  }
  for (const [key, value] of Object.entries(derived)) if (value !== undefined) map.set(key.toLowerCase(), value);
  const explicit = new Map<string, ContextValue>();
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    const lower = key.toLowerCase();
    const before = explicit.get(lower);
    explicit.set(lower, before === undefined ? value : [...toStrings(before), ...toStrings(value)]);
  }
  for (const [key, value] of explicit) map.set(key, value);
  return { caller, value: (key) => map.get(key.toLowerCase()) };
}

/**
 * The condition keys an encryption context gives: `kms:EncryptionContext:<key>` per pair and
 * `kms:EncryptionContextKeys` (multi-valued). An empty or absent context gives neither.
 *
 * @example
 * ```ts
 * encryptionContextKeys({ Department: 'IT' });
 * // { 'kms:EncryptionContext:Department': 'IT', 'kms:EncryptionContextKeys': ['Department'] }
 * ```
 */
export function encryptionContextKeys(encryptionContext: Readonly<Record<string, string>> | undefined): Record<string, ContextValue> {
  const out: Record<string, ContextValue> = {};
  const keys = Object.keys(encryptionContext ?? {});
  if (keys.length === 0) return out;
  for (const key of keys) out[`kms:EncryptionContext:${key}`] = encryptionContext![key];
  out['kms:EncryptionContextKeys'] = keys;
  return out;
}

/**
 * A value as strings (booleans `true`/`false`, numbers in JS notation, dates in ISO 8601).
 *
 * @example
 * ```ts
 * toStrings(true); // ['true']
 * ```
 */
export function toStrings(value: ContextValue): string[] {
  if (value === undefined) return [];
  if (typeof value === 'string') return [value];
  if (typeof value === 'boolean' || typeof value === 'number') return [String(value)];
  if (value instanceof Date) return [value.toISOString()];
  return [...value];
}

/**
 * A value as numbers: dates in Unix seconds, as kms:ValidTo is (AWS KMS Developer Guide, "kms:ValidTo").
 *
 * @example
 * ```ts
 * toNumbers(new Date(1546257599_000)); // [1546257599]
 * ```
 */
export function toNumbers(value: ContextValue): number[] {
  if (value instanceof Date) return [value.getTime() / 1000];
  if (typeof value === 'boolean') return [Number.NaN];
  return toStrings(value).map(parseNumber);
}

/**
 * A value as epoch milliseconds; numbers (and numeric strings) are Unix seconds.
 *
 * @example
 * ```ts
 * toDates('2025-06-01T00:00:00Z'); // [1748736000000]
 * ```
 */
export function toDates(value: ContextValue): number[] {
  if (value instanceof Date) return [value.getTime()];
  if (typeof value === 'number') return [value * 1000];
  if (typeof value === 'boolean') return [Number.NaN];
  return toStrings(value).map(parseDate);
}

/**
 * A policy number. Number() reads '' and ' ' as 0; a policy never means that.
 *
 * @example
 * ```ts
 * parseNumber('1546257599.0'); // 1546257599
 * ```
 */
export function parseNumber(text: string): number {
  return text.trim() === '' ? Number.NaN : Number(text);
}

/**
 * A policy date as epoch milliseconds: ISO 8601 (W3C) dates, or Unix seconds (IAM User Guide,
 * "Date condition operators"); NaN for anything else.
 *
 * @example
 * ```ts
 * parseDate('1356998400'); // 1356998400000
 * ```
 */
export function parseDate(text: string): number {
  const trimmed = text.trim();
  if (/^-?\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  if (!/^\d{4}-\d{2}-\d{2}/.test(trimmed)) return Number.NaN;
  return Date.parse(trimmed);
}
