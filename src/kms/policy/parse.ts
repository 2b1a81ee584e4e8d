/**
 * Policy documents: parse and validate, throwing MalformedPolicyDocumentException with a message
 * that names the statement and element at fault. Rules from the IAM User Guide ("IAM JSON policy
 * elements reference", "Grammar of the IAM JSON policy language") and the AWS KMS Developer Guide
 * ("Key policy format": at most 32 KB, a Sid may contain spaces, only printable Basic Latin and
 * Latin-1 characters plus tab, line feed and carriage return).
 */
import { malformedPolicy } from './errors.js';
import { isAwsPrincipalEntry, isServicePrincipalEntry, normaliseAwsEntry } from './principals.js';
import { parseDate, parseNumber } from './context.js';
import {
  CONDITION_OPERATORS,
  POLICY_VERSIONS,
  type ConditionOperator,
  type ParsedCondition,
  type ParsedPolicy,
  type ParsedStatement,
  type PolicyKind,
  type PolicyVersion,
  type PrincipalSpec,
  type SetOperator,
} from './types.js';

/**
 * Maximum size of a key policy document: 32 KB (AWS KMS Developer Guide, "Key policy format" and
 * "Quotas"), counted in UTF-8 bytes.
 *
 * @example
 * ```ts
 * new TextEncoder().encode(text).length <= KEY_POLICY_MAX_BYTES;
 * ```
 */
export const KEY_POLICY_MAX_BYTES = 32_768;

const DOCUMENT_ELEMENTS = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_ELEMENTS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);
const ACTION = /^[A-Za-z0-9-]+:[A-Za-z0-9*?]+$/;
// Printable ASCII and Latin-1, tab, line feed, carriage return ("Key policy format").
const KEY_POLICY_CHARS = /^[\t\n\r\u0020-\u007e\u00a0-\u00ff]*$/;
const OPERATOR_NAMES = new Set<string>(CONDITION_OPERATORS);

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown) => JSON.stringify(v);

/**
 * Parses and validates a policy: a JSON text (as PutKeyPolicy and PutUserPolicy receive it) or an
 * already-parsed object. Key policies need Principal or NotPrincipal in every statement and are
 * held to the key-policy size and character rules; identity policies must not name a principal.
 *
 * @throws KmsError MalformedPolicyDocumentException, naming the statement and element at fault.
 * @example
 * ```ts
 * const policy = parsePolicy(JSON.stringify({
 *   Version: '2012-10-17',
 *   Statement: { Effect: 'Allow', Principal: { AWS: '111122223333' }, Action: 'kms:*', Resource: '*' },
 * }), 'key');
 * policy.statements[0].principal; // { any: false, aws: ['arn:aws:iam::111122223333:root'], services: [] }
 * ```
 */
export function parsePolicy(input: string | object, kind: PolicyKind): ParsedPolicy {
  const what = kind === 'key' ? 'key policy' : 'IAM policy';
  let document: unknown = input;
  if (typeof input === 'string') {
    if (kind === 'key') {
      const bytes = new TextEncoder().encode(input).length;
      if (bytes > KEY_POLICY_MAX_BYTES) throw malformedPolicy(`The key policy is ${bytes} bytes; a key policy can be at most ${KEY_POLICY_MAX_BYTES} bytes (32 KB).`);
      if (!KEY_POLICY_CHARS.test(input)) {
        const bad = [...input].find((ch) => !KEY_POLICY_CHARS.test(ch))!;
        throw malformedPolicy(`The key policy contains the character U+${bad.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}; key policies may contain only printable Basic Latin and Latin-1 characters, tab, line feed and carriage return.`);
      }
    }
    try {
      document = JSON.parse(input);
    } catch (error) {
      throw malformedPolicy(`The ${what} is not valid JSON: ${(error as Error).message}`);
    }
  }
  if (!isObject(document)) throw malformedPolicy(`The ${what} must be a JSON object with a Statement element.`);
  for (const name of Object.keys(document)) {
    if (!DOCUMENT_ELEMENTS.has(name)) throw malformedPolicy(`The ${what} has an unknown top-level element ${show(name)}; allowed: Version, Id, Statement.`);
  }
  const version = parseVersion(document.Version, what);
  if (document.Id !== undefined && typeof document.Id !== 'string') throw malformedPolicy(`The ${what}'s Id must be a string.`);
  const raw = document.Statement;
  if (raw === undefined) throw malformedPolicy(`The ${what} has no Statement element.`);
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) throw malformedPolicy(`The ${what}'s Statement list is empty.`);
  const statements = list.map((s, i) => parseStatement(s, i, kind));
  return { kind, version, ...(typeof document.Id === 'string' ? { id: document.Id } : {}), statements };
}

function parseVersion(value: Json | undefined, what: string): PolicyVersion {
  if (value === undefined) return '2008-10-17';
  if (typeof value === 'string' && (POLICY_VERSIONS as readonly string[]).includes(value)) return value as PolicyVersion;
  throw malformedPolicy(`The ${what}'s Version is ${show(value)}; it must be "2012-10-17" or "2008-10-17".`);
}

function parseStatement(raw: Json, index: number, kind: PolicyKind): ParsedStatement {
  if (!isObject(raw)) throw malformedPolicy(`Statement[${index}] must be a JSON object.`);
  const sid = raw.Sid;
  const where = `Statement[${index}]${typeof sid === 'string' ? ` (Sid ${show(sid)})` : ''}`;
  const fail = (message: string) => malformedPolicy(`${where}: ${message}`);
  for (const name of Object.keys(raw)) {
    if (!STATEMENT_ELEMENTS.has(name)) throw fail(`unknown element ${show(name)} (element names are case-sensitive).`);
  }
  if (sid !== undefined) {
    if (typeof sid !== 'string') throw fail('Sid must be a string.');
    // Spaces are allowed in key-policy Sids only ("Key policy format").
    // IAM's own wording for the rule, which some AWS documentation examples break.
    if (kind === 'identity' && !/^[A-Za-z0-9]*$/.test(sid)) throw fail('Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*');
  }
  if (raw.Effect !== 'Allow' && raw.Effect !== 'Deny') throw fail(`Effect must be "Allow" or "Deny", not ${show(raw.Effect)}.`);
  const actions = exactlyOne(raw, 'Action', 'NotAction', fail);
  const resources = exactlyOne(raw, 'Resource', 'NotResource', fail);
  const actionList = stringList(actions.value, actions.name, fail);
  for (const action of actionList) {
    if (action !== '*' && !ACTION.test(action)) throw fail(`${actions.name} ${show(action)} is not an action; write "<service>:<Operation>" (wildcards * and ? allowed), e.g. "kms:Decrypt" or "kms:Get*", or "*".`);
  }
  const resourceList = stringList(resources.value, resources.name, fail);
  for (const resource of resourceList) {
    if (resource !== '*' && !(resource.startsWith('arn:') && resource.split(':').length >= 6)) throw fail(`${resources.name} ${show(resource)} is neither "*" nor an ARN (arn:partition:service:region:account:resource).`);
  }
  let principal: PrincipalSpec | undefined;
  let notPrincipal = false;
  if (kind === 'key') {
    const which = exactlyOne(raw, 'Principal', 'NotPrincipal', fail, 'a key policy statement');
    principal = parsePrincipal(which.value, which.name, fail);
    notPrincipal = which.name === 'NotPrincipal';
  } else if (raw.Principal !== undefined || raw.NotPrincipal !== undefined) {
    throw fail('an IAM identity policy cannot have a Principal or NotPrincipal element; the policy applies to the identity it is attached to.');
  }
  const conditions = raw.Condition === undefined ? [] : parseConditions(raw.Condition, fail);
  return {
    index,
    ...(typeof sid === 'string' ? { sid } : {}),
    effect: raw.Effect,
    ...(principal ? { principal } : {}),
    notPrincipal,
    actions: actionList,
    notAction: actions.name === 'NotAction',
    resources: resourceList,
    notResource: resources.name === 'NotResource',
    conditions,
  };
}

function exactlyOne(raw: Record<string, Json>, a: string, b: string, fail: (m: string) => Error, subject = 'a statement'): { name: string; value: Json } {
  const hasA = raw[a] !== undefined;
  const hasB = raw[b] !== undefined;
  if (hasA && hasB) throw fail(`has both ${a} and ${b}; use one of them.`);
  if (!hasA && !hasB) throw fail(`${subject} needs a ${a} or ${b} element.`);
  return hasA ? { name: a, value: raw[a]! } : { name: b, value: raw[b]! };
}

function stringList(value: Json, name: string, fail: (m: string) => Error): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw fail(`${name} is an empty list.`);
  for (const item of list) if (typeof item !== 'string' || item === '') throw fail(`${name} must be a non-empty string or a list of them, not ${show(item)}.`);
  return list as string[];
}

function parsePrincipal(value: Json, name: string, fail: (m: string) => Error): PrincipalSpec {
  if (value === '*') return { any: true, aws: [], services: [] };
  if (!isObject(value)) throw fail(`${name} must be "*" or an object such as {"AWS": "arn:aws:iam::111122223333:root"} or {"Service": "ecr.amazonaws.com"}.`);
  const aws: string[] = [];
  const services: string[] = [];
  let any = false;
  for (const [type, entries] of Object.entries(value)) {
    if (type !== 'AWS' && type !== 'Service') throw fail(`${name}.${type} is not supported in key policies; use AWS or Service.`);
    for (const entry of stringList(entries, `${name}.${type}`, fail)) {
      if (type === 'AWS') {
        if (!isAwsPrincipalEntry(entry)) throw fail(`Policy contains a statement with one or more invalid principals: ${name}.AWS ${show(entry)} is not "*", a 12-digit account id or an IAM user, role, root or session ARN.`);
        if (entry === '*') any = true;
        else aws.push(normaliseAwsEntry(entry));
      } else {
        if (!isServicePrincipalEntry(entry)) throw fail(`Policy contains a statement with one or more invalid principals: ${name}.Service ${show(entry)} is not a service principal such as "ecr.amazonaws.com".`);
        services.push(entry.toLowerCase());
      }
    }
  }
  if (!any && aws.length === 0 && services.length === 0) throw fail(`${name} names no principal.`);
  return { any, aws, services };
}

/** `[ForAllValues:|ForAnyValue:]<Operator>[IfExists]` */
function readOperator(text: string): { operator: ConditionOperator; set?: SetOperator; ifExists: boolean } | undefined {
  let rest = text;
  let set: SetOperator | undefined;
  for (const prefix of ['ForAllValues', 'ForAnyValue'] as const) {
    if (rest.startsWith(`${prefix}:`)) {
      set = prefix;
      rest = rest.slice(prefix.length + 1);
    }
  }
  const ifExists = rest.endsWith('IfExists') && rest !== 'IfExists';
  if (ifExists) rest = rest.slice(0, -'IfExists'.length);
  if (!OPERATOR_NAMES.has(rest)) return undefined;
  return { operator: rest as ConditionOperator, ...(set ? { set } : {}), ifExists };
}

function parseConditions(block: Json, fail: (m: string) => Error): ParsedCondition[] {
  if (!isObject(block)) throw fail('Condition must be an object of operators, e.g. {"StringEquals": {"kms:ViaService": "ecr.us-east-1.amazonaws.com"}}.');
  const out: ParsedCondition[] = [];
  for (const [text, keys] of Object.entries(block)) {
    const op = readOperator(text);
    if (!op) throw fail(`Condition operator ${show(text)} is not supported; use one of ${CONDITION_OPERATORS.join(', ')}, optionally with a ForAllValues:/ForAnyValue: prefix or an IfExists suffix.`);
    if (op.operator === 'Null' && (op.ifExists || op.set)) throw fail(`Condition operator ${show(text)}: Null takes neither IfExists nor a set prefix.`);
    if (!isObject(keys) || Object.keys(keys).length === 0) throw fail(`Condition.${text} must be an object of condition keys and values.`);
    for (const [key, rawValues] of Object.entries(keys)) {
      const where = `Condition.${text}[${show(key)}]`;
      if (key === '') throw fail(`Condition.${text} has an empty condition key.`);
      const list = Array.isArray(rawValues) ? rawValues : [rawValues];
      if (list.length === 0) throw fail(`${where} has an empty list of values.`);
      const values = list.map((v) => {
        if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw fail(`${where}: values must be strings, numbers or booleans, not ${show(v)}.`);
        return String(v);
      });
      for (const v of values) checkValue(op.operator, v, where, fail);
      out.push({ text, ...op, key, values });
    }
  }
  return out;
}

/** Values that can never match are errors; values with policy variables are checked when evaluated. */
function checkValue(operator: ConditionOperator, value: string, where: string, fail: (m: string) => Error): void {
  if (value.includes('${')) return;
  const bool = value.toLowerCase() === 'true' || value.toLowerCase() === 'false';
  if ((operator === 'Null' || operator === 'Bool') && !bool) throw fail(`${where}: ${operator} takes "true" or "false", not ${show(value)}.`);
  if (operator.startsWith('Numeric') && Number.isNaN(parseNumber(value))) throw fail(`${where}: ${show(value)} is not a number.`);
  if (operator.startsWith('Date') && Number.isNaN(parseDate(value))) throw fail(`${where}: ${show(value)} is not a date (ISO 8601, e.g. "2025-01-31T00:00:00Z", or Unix seconds).`);
}
