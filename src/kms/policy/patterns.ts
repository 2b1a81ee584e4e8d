/**
 * Wildcards and policy variables. A policy string is read into pieces: text written in the policy,
 * where `*` and `?` are wildcards, and literal text that came from a variable (`${aws:username}`)
 * or from one of the escapes `${*}`, `${?}`, `${$}`, where they are not. Keeping the two apart is
 * what lets `${*}` mean a real asterisk (IAM User Guide, "Policy variables", "Special characters").
 */

/** Text from the policy (wildcards active) or from a variable (taken literally). */
export interface Piece {
  readonly text: string;
  readonly literal: boolean;
}

/** Looks a condition key up for a variable; undefined when the request has no value for it. */
export type VariableLookup = (key: string) => string | undefined;

const VARIABLE = /\$\{([^}]*)\}/g;
/** `${key, 'default'}` (IAM User Guide, "Specifying default values"). */
const WITH_DEFAULT = /^\s*([^,]+?)\s*,\s*'([^']*)'\s*$/;
const ESCAPES: Readonly<Record<string, string>> = { '*': '*', '?': '?', $: '$' };

/**
 * Reads `text` into pieces, replacing policy variables when `variables` is true (documents with
 * Version 2012-10-17; older versions keep `${...}` as written). Returns undefined when a variable
 * has no value and no default: IAM then treats the string as matching nothing.
 *
 * @example
 * ```ts
 * expand('arn:aws:iam::*:user/${aws:username}', (k) => (k === 'aws:username' ? 'alice' : undefined), true);
 * // [{ text: 'arn:aws:iam::*:user/', literal: false }, { text: 'alice', literal: true }]
 * ```
 */
export function expand(text: string, lookup: VariableLookup, variables: boolean): Piece[] | undefined {
  if (!variables || !text.includes('${')) return [{ text, literal: false }];
  const pieces: Piece[] = [];
  let last = 0;
  for (const match of text.matchAll(VARIABLE)) {
    if (match.index > last) pieces.push({ text: text.slice(last, match.index), literal: false });
    const inner = match[1]!;
    const escaped = ESCAPES[inner];
    let value: string | undefined;
    if (escaped !== undefined) value = escaped;
    else {
      const withDefault = WITH_DEFAULT.exec(inner);
      value = withDefault ? (lookup(withDefault[1]!) ?? withDefault[2]!) : lookup(inner.trim());
    }
    if (value === undefined) return undefined;
    pieces.push({ text: value, literal: true });
    last = match.index + match[0].length;
  }
  if (last < text.length) pieces.push({ text: text.slice(last), literal: false });
  return pieces;
}

/**
 * The string the pieces spell, for the exact-match operators (wildcards mean nothing there).
 *
 * @example
 * ```ts
 * joinPieces(expand('a${*}b', () => undefined, true)!); // 'a*b'
 * ```
 */
export function joinPieces(pieces: readonly Piece[]): string {
  return pieces.map((p) => p.text).join('');
}

const REGEXP_SPECIAL = /[.*+?^${}()|[\]\\]/g;
const escapeRegExp = (s: string) => s.replace(REGEXP_SPECIAL, '\\$&');

/**
 * An anchored RegExp for the pieces: `*` any run of characters, `?` exactly one, in policy text only.
 *
 * @example
 * ```ts
 * piecesToRegExp([{ text: 'ecr.*', literal: false }], false).test('ecr.us-east-1.amazonaws.com'); // true
 * ```
 */
export function piecesToRegExp(pieces: readonly Piece[], ignoreCase: boolean): RegExp {
  let source = '';
  for (const piece of pieces) {
    if (piece.literal) source += escapeRegExp(piece.text);
    else for (const ch of piece.text) source += ch === '*' ? '[\\s\\S]*' : ch === '?' ? '[\\s\\S]' : escapeRegExp(ch);
  }
  return new RegExp(`^${source}$`, ignoreCase ? 'iu' : 'u');
}

// Patterns are compiled once per distinct text: policies are evaluated many times, and a cache
// keyed by the pattern text has no observable effect on results.
const globCache = new Map<string, RegExp>();

/**
 * Whether `value` matches a glob written in a policy (no variables): `*` any run, `?` one character.
 *
 * @example
 * ```ts
 * globMatches('kms:Get*', 'KMS:GetKeyPolicy', true); // true: action names ignore case
 * ```
 */
export function globMatches(pattern: string, value: string, ignoreCase: boolean): boolean {
  if (pattern === '*') return true;
  const cacheKey = `${ignoreCase ? 'i' : 's'}${pattern}`;
  let re = globCache.get(cacheKey);
  if (!re) {
    re = piecesToRegExp([{ text: pattern, literal: false }], ignoreCase);
    if (globCache.size > 4096) globCache.clear();
    globCache.set(cacheKey, re);
  }
  return re.test(value);
}

/**
 * Whether an Action / NotAction entry covers `action`. IAM compares action names without regard to
 * case (`kms:encrypt` is `kms:Encrypt`), and wildcards may stand anywhere (`kms:ReEncrypt*`).
 *
 * @example
 * ```ts
 * actionMatches('kms:GenerateDataKey*', 'kms:GenerateDataKeyWithoutPlaintext'); // true
 * ```
 */
export function actionMatches(pattern: string, action: string): boolean {
  return globMatches(pattern, action, true);
}

/**
 * Splits pieces at the first five colons into the six ARN components
 * (`arn:partition:service:region:account:resource`), for ArnEquals / ArnLike, which compare each
 * component on its own (IAM User Guide, "Amazon Resource Name (ARN) condition operators").
 *
 * @example
 * ```ts
 * splitArnPieces([{ text: 'arn:aws:s3:::bucket/a:b', literal: false }]).length; // 6 (the last is 'bucket/a:b')
 * ```
 */
export function splitArnPieces(pieces: readonly Piece[]): Piece[][] {
  const parts: Piece[][] = [[]];
  for (const piece of pieces) {
    let rest = piece.text;
    while (parts.length < 6) {
      const at = rest.indexOf(':');
      if (at < 0) break;
      if (at > 0) parts[parts.length - 1]!.push({ text: rest.slice(0, at), literal: piece.literal });
      parts.push([]);
      rest = rest.slice(at + 1);
    }
    if (rest) parts[parts.length - 1]!.push({ text: rest, literal: piece.literal });
  }
  return parts;
}

/**
 * ArnLike / ArnEquals: both sides must have six components, and each policy component (wildcards
 * allowed) must match the request's component, case-sensitively.
 *
 * @example
 * ```ts
 * arnMatches(expand('arn:aws:inspector2:us-east-1:*:codesecurity-integration/*', () => undefined, true)!,
 *   'arn:aws:inspector2:us-east-1:111122223333:codesecurity-integration/abc'); // true
 * ```
 */
export function arnMatches(pattern: readonly Piece[], value: string): boolean {
  const want = splitArnPieces(pattern);
  const have = splitArnPieces([{ text: value, literal: true }]);
  if (want.length !== 6 || have.length !== 6) return false;
  return want.every((component, i) => piecesToRegExp(component, false).test(joinPieces(have[i]!)));
}
