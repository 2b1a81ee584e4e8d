/**
 * Condition evaluation (IAM User Guide, "Condition operators" and "Multivalued context keys"):
 * - keys of a Condition block, and operators, are AND-ed; the values of one key are OR-ed, except
 *   for negated operators (StringNotEquals, ...), where the request value must match none of them;
 * - a key absent from the request: positive operators are false, negated ones true, `…IfExists`
 *   true, `ForAllValues:` true (also for an empty set), `ForAnyValue:` false;
 * - `ForAllValues:` needs every request value to match, `ForAnyValue:` at least one; with a
 *   negated operator, "match" for a request value means it equals none of the policy values;
 * - a policy value whose variable has no value matches nothing (so a negated operator holds).
 */
import { toDates, toNumbers, toStrings, type ContextValue, type RequestContext } from './context.js';
import { arnMatches, expand, joinPieces, piecesToRegExp, type Piece } from './patterns.js';
import type { ConditionOperator, ParsedCondition } from './types.js';

type Family = 'string' | 'numeric' | 'date' | 'bool' | 'arn';

interface OperatorRule {
  readonly family: Family;
  /** The operator holds when the request value matches none of the policy values. */
  readonly negated: boolean;
  /** The positive test between one request value and one policy value. */
  readonly test: (request: RequestValue, policy: Piece[]) => boolean;
}

/** One request value in every form an operator family may need. */
interface RequestValue {
  readonly text: string;
  readonly number: number;
  readonly date: number;
}

const exact = (r: RequestValue, p: Piece[]) => r.text === joinPieces(p);
const ignoreCase = (r: RequestValue, p: Piece[]) => r.text.toLowerCase() === joinPieces(p).toLowerCase();
const like = (r: RequestValue, p: Piece[]) => piecesToRegExp(p, false).test(r.text);
const arn = (r: RequestValue, p: Piece[]) => arnMatches(p, r.text);
const num = (compare: (a: number, b: number) => boolean) => (r: RequestValue, p: Piece[]) => compare(r.number, toNumbers(joinPieces(p))[0]!);
const date = (compare: (a: number, b: number) => boolean) => (r: RequestValue, p: Piece[]) => compare(r.date, toDates(joinPieces(p))[0]!);
const eq = (a: number, b: number) => a === b;
const lt = (a: number, b: number) => a < b;
const le = (a: number, b: number) => a <= b;
const gt = (a: number, b: number) => a > b;
const ge = (a: number, b: number) => a >= b;

const RULES: Readonly<Record<Exclude<ConditionOperator, 'Null'>, OperatorRule>> = {
  StringEquals: { family: 'string', negated: false, test: exact },
  StringNotEquals: { family: 'string', negated: true, test: exact },
  StringEqualsIgnoreCase: { family: 'string', negated: false, test: ignoreCase },
  StringNotEqualsIgnoreCase: { family: 'string', negated: true, test: ignoreCase },
  StringLike: { family: 'string', negated: false, test: like },
  StringNotLike: { family: 'string', negated: true, test: like },
  NumericEquals: { family: 'numeric', negated: false, test: num(eq) },
  NumericNotEquals: { family: 'numeric', negated: true, test: num(eq) },
  NumericLessThan: { family: 'numeric', negated: false, test: num(lt) },
  NumericLessThanEquals: { family: 'numeric', negated: false, test: num(le) },
  NumericGreaterThan: { family: 'numeric', negated: false, test: num(gt) },
  NumericGreaterThanEquals: { family: 'numeric', negated: false, test: num(ge) },
  DateEquals: { family: 'date', negated: false, test: date(eq) },
  DateNotEquals: { family: 'date', negated: true, test: date(eq) },
  DateLessThan: { family: 'date', negated: false, test: date(lt) },
  DateLessThanEquals: { family: 'date', negated: false, test: date(le) },
  DateGreaterThan: { family: 'date', negated: false, test: date(gt) },
  DateGreaterThanEquals: { family: 'date', negated: false, test: date(ge) },
  // Bool compares the words true/false; AWS accepts them in any case.
  Bool: { family: 'bool', negated: false, test: ignoreCase },
  ArnEquals: { family: 'arn', negated: false, test: arn },
  ArnLike: { family: 'arn', negated: false, test: arn },
  ArnNotEquals: { family: 'arn', negated: true, test: arn },
  ArnNotLike: { family: 'arn', negated: true, test: arn },
};

/** Every request value of `raw`, in the forms the operators compare. */
function requestValues(raw: ContextValue): RequestValue[] {
  const texts = toStrings(raw);
  // Numbers and dates are derived from the raw value so a Date stays exact (no ISO round trip).
  const numbers = Array.isArray(raw) ? texts.map((t) => toNumbers(t)[0]!) : toNumbers(raw);
  const dates = Array.isArray(raw) ? texts.map((t) => toDates(t)[0]!) : toDates(raw);
  return texts.map((text, i) => ({ text, number: numbers[i]!, date: dates[i]! }));
}

/**
 * Evaluates one condition (one key under one operator) against the request.
 *
 * @example
 * ```ts
 * const condition = { text: 'ForAllValues:StringEquals', operator: 'StringEquals', set: 'ForAllValues',
 *   ifExists: false, key: 'kms:GrantOperations', values: ['Encrypt', 'Decrypt'] } as const;
 * evaluateCondition(condition, buildContext(caller, { 'kms:GrantOperations': ['Decrypt'] }), true); // true
 * ```
 */
export function evaluateCondition(condition: ParsedCondition, ctx: RequestContext, variables: boolean): boolean {
  const raw = ctx.value(condition.key);
  const values = requestValues(raw);
  if (condition.operator === 'Null') {
    // "true": the key is absent; "false": it is present. Several values are OR-ed like any others.
    const absent = values.length === 0;
    return condition.values.some((v) => (v.toLowerCase() === 'true' ? absent : !absent));
  }
  const rule = RULES[condition.operator];
  // An empty string is a null data set for the set operators (IAM User Guide, "ForAllValues").
  const present = condition.set ? values.filter((v) => v.text !== '') : values;
  if (present.length === 0) {
    if (condition.ifExists) return true;
    if (condition.set === 'ForAllValues') return true;
    if (condition.set === 'ForAnyValue') return false;
    return rule.negated;
  }
  const lookup = (key: string) => {
    const found = toStrings(ctx.value(key));
    return found.length === 1 ? found[0] : undefined;
  };
  const patterns = condition.values.map((v) => expand(v, lookup, variables)).filter((p): p is Piece[] => p !== undefined);
  // For one request value: does it satisfy the operator? (Positive: some policy value matches.
  // Negated: none does.)
  const satisfies = (value: RequestValue) => {
    const matched = patterns.some((pattern) => rule.test(value, pattern));
    return rule.negated ? !matched : matched;
  };
  if (condition.set === 'ForAllValues') return present.every(satisfies);
  if (condition.set === 'ForAnyValue') return present.some(satisfies);
  // A multi-valued key without a set operator: positive operators need one match, negated ones
  // need no request value to match.
  return rule.negated ? present.every(satisfies) : present.some(satisfies);
}

/**
 * A statement's whole Condition element: every condition must hold.
 *
 * @example
 * ```ts
 * evaluateConditions(statement.conditions, ctx, policy.version === '2012-10-17');
 * ```
 */
export function evaluateConditions(conditions: readonly ParsedCondition[], ctx: RequestContext, variables: boolean): boolean {
  return conditions.every((condition) => evaluateCondition(condition, ctx, variables));
}
