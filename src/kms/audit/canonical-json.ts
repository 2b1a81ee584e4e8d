/**
 * Canonical JSON: the one serialization the audit log hashes and signs, so that a record or digest
 * hashes the same in every browser, in Node, and after a trip through IndexedDB or a JSON Lines
 * export (where key order is whatever the last writer produced).
 *
 * The rules, for the values audit records hold (strings, finite numbers, booleans, null, arrays and
 * plain objects):
 *
 * 1. No whitespace anywhere outside strings.
 * 2. Object members sorted by key, comparing UTF-16 code units (JavaScript's default `sort()`);
 *    members whose value is `undefined` are left out, as `JSON.stringify` leaves them out.
 * 3. Strings and numbers written as ECMAScript's `JSON.stringify` writes them (shortest round-trip
 *    number form, `-0` as `0`, the standard escapes).
 * 4. Anything else (a Uint8Array, a Date, a Map, a class instance, a function, a bigint, NaN,
 *    Infinity, `undefined` in an array) is refused with a TypeError naming where it was.
 *
 * Rules 2 and 3 are those of RFC 8785 (JSON Canonicalization Scheme) for this value domain, so any
 * JCS implementation reproduces our hashes; only a string holding a lone surrogate differs (JCS
 * refuses it, we escape it as `JSON.stringify` does). Rule 4 is also a safety net: binary data
 * (key material, plaintext, ciphertext) can never slip into a hashed record by accident.
 */
import { argumentError } from '../../core/arguments.js';

/** A value canonical JSON can write. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/**
 * True for `{}`-style objects and `Object.create(null)`, false for arrays, typed arrays, dates, class instances.
 *
 * @example
 * ```ts
 * isPlainObject({}); // true
 * isPlainObject(new Uint8Array(1)); // false
 * ```
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * The canonical JSON text of `value` (rules in this file's header).
 *
 * @example
 * ```ts
 * canonicalJson({ b: [1, 'x'], a: { d: true, c: null } }); // '{"a":{"c":null,"d":true},"b":[1,"x"]}'
 * canonicalJson({ blob: new Uint8Array(4) }); // throws TypeError: value.blob is a Uint8Array ...
 * ```
 */
export function canonicalJson(value: unknown, path = 'value'): string {
  try {
    return write(value);
  } catch (error) {
    throw located(error, path);
  }
}

/**
 * Where in the value a non-JSON member was found: thrown by the writers below without a path, and
 * given its path on the way out. Building `value.a.b[2]` for every member of every record cost as
 * much as writing the record; a path is only needed when something is wrong.
 */
class Misfit {
  readonly steps: (string | number)[] = [];
  constructor(readonly problem: (path: string) => string) {}
}

function located(error: unknown, path: string): unknown {
  if (!(error instanceof Misfit)) return error;
  let at = path;
  for (let i = error.steps.length - 1; i >= 0; i--) {
    const step = error.steps[i]!;
    at += typeof step === 'number' ? `[${step}]` : `.${step}`;
  }
  return argumentError(at, error.problem(at).slice(at.length).trimStart());
}

function write(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      // For finite numbers String() and JSON.stringify() are the same algorithm (Number::toString).
      if (!Number.isFinite(value)) throw new Misfit((path) => `${path} is ${value}: canonical JSON holds finite numbers only`);
      return String(value);
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          if (item === undefined) {
            const misfit = new Misfit((path) => `${path} is undefined: canonical JSON has no undefined`);
            misfit.steps.push(i);
            throw misfit;
          }
          try {
            out += (i ? ',' : '') + write(item);
          } catch (error) {
            if (error instanceof Misfit) error.steps.push(i);
            throw error;
          }
        }
        return out + ']';
      }
      return writeObject(value, undefined)[0];
    }
    default:
      throw new Misfit((path) => `${path} is ${typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`}: not a JSON value`);
  }
}

/**
 * The canonical JSON of the object `value` with a hole where member `hole` goes (whether or not
 * `value` has it): `before + canonicalJson(member) + after` is the canonical JSON of the object
 * with that member set.
 *
 * @example
 * ```ts
 * const [before, after] = canonicalSplit({ b: 1, d: 2 }, 'c'); // ['{"b":1,"c":', ',"d":2}']
 * ```
 */
export function canonicalSplit(value: object, hole: string, path = 'value'): [string, string] {
  try {
    const [before, after] = writeObject(value, hole);
    return [before, after!];
  } catch (error) {
    throw located(error, path);
  }
}

function writeObject(value: object, hole: string | undefined): [string, string?] {
  if (!isPlainObject(value)) throw new Misfit((path) => `${path} is a ${describe(value)}: audit records hold only strings, numbers, booleans, null, arrays and plain objects`);
  const keys = Object.keys(value);
  if (hole !== undefined && !Object.hasOwn(value, hole)) keys.push(hole);
  keys.sort();
  let out = '{';
  let before: string | undefined;
  let first = true;
  for (const key of keys) {
    if (key === hole) {
      before = out + (first ? '' : ',') + quotedKey(key);
      out = '';
      first = false;
      continue;
    }
    const member = value[key as keyof typeof value] as unknown;
    if (member === undefined) continue;
    try {
      out += (first ? '' : ',') + quotedKey(key) + write(member);
    } catch (error) {
      if (error instanceof Misfit) error.steps.push(key);
      throw error;
    }
    first = false;
  }
  return before === undefined ? [out + '}'] : [before, out + '}'];
}

/** `"key":`, cached: records repeat the same few dozen member names millions of times. */
const quotedKeys = new Map<string, string>();
function quotedKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key) + ':';
    // Bounded: encryption-context keys are user data and could be endless.
    if (quotedKeys.size < 4096) quotedKeys.set(key, quoted);
  }
  return quoted;
}

/** A type name for error messages: never the value itself, which might be key material. */
function describe(value: object): string {
  return (value as { constructor?: { name?: string } }).constructor?.name ?? 'non-plain object';
}
