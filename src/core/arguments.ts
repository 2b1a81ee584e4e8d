/**
 * Argument checks: the one place every layer (core, KMS, worker, page) builds the TypeError or
 * RangeError for a bad argument. Each names the argument as the caller wrote it (`options.keyId`,
 * `records[3]`), says what was expected, and never prints the value's bytes. The errors carry
 * `code: 'INVALID_ARGUMENT'`, which is how the worker boundary tells a caller's mistake (rebuilt on
 * the page as the same TypeError/RangeError) from a bug that happened to throw a TypeError (a
 * KitError INTERNAL there).
 */

/** The `code` of every error made here. */
export const INVALID_ARGUMENT = 'INVALID_ARGUMENT';

/** A TypeError or RangeError made by this module. */
export type ArgumentError = (TypeError | RangeError) & { readonly code: typeof INVALID_ARGUMENT };

/**
 * A TypeError naming the argument: `${argument} must be ${expected}`.
 *
 * @example
 * ```ts
 * if (typeof keyId !== 'string') throw typeError('options.keyId', 'a string');
 * ```
 */
export function typeError(argument: string, expected: string, options?: { cause?: unknown }): ArgumentError {
  return Object.assign(new TypeError(`${argument} must be ${expected}`, options), { code: INVALID_ARGUMENT } as const);
}

/**
 * A TypeError naming the argument with a free-form problem: `${argument} ${problem}`.
 *
 * @example
 * ```ts
 * throw argumentError('call.output', 'is not supported in this browser');
 * ```
 */
export function argumentError(argument: string, problem: string, options?: { cause?: unknown }): ArgumentError {
  return Object.assign(new TypeError(`${argument} ${problem}`, options), { code: INVALID_ARGUMENT } as const);
}

/**
 * A RangeError naming the argument (right type, wrong length or value): `${argument} ${problem}`.
 *
 * @example
 * ```ts
 * if (frameLength < 1) throw rangeError('options.frameLength', 'must be at least 1');
 * ```
 */
export function rangeError(argument: string, problem: string, options?: { cause?: unknown }): ArgumentError {
  return Object.assign(new RangeError(`${argument} ${problem}`, options), { code: INVALID_ARGUMENT } as const);
}

/**
 * Whether an error is a bad-argument error made here (as opposed to a TypeError thrown by a bug).
 *
 * @example
 * ```ts
 * isArgumentError(typeError('x', 'a string')); // true
 * isArgumentError(new TypeError('undefined is not a function')); // false
 * ```
 */
export function isArgumentError(error: unknown): error is ArgumentError {
  return (error instanceof TypeError || error instanceof RangeError) && (error as { code?: unknown }).code === INVALID_ARGUMENT;
}

/** Length bounds of {@link checkBytes} and {@link checkString}. */
export interface LengthBounds {
  /** Exactly this many bytes (or UTF-16 code units for strings). */
  readonly length?: number;
  readonly min?: number;
  readonly max?: number;
}

function checkLength(argument: string, actual: number, bounds: LengthBounds, unit: string): void {
  if (bounds.length !== undefined && actual !== bounds.length) throw rangeError(argument, `must be ${bounds.length} ${unit} long, not ${actual}`);
  if (bounds.min !== undefined && actual < bounds.min) throw rangeError(argument, `must be at least ${bounds.min} ${unit} long, not ${actual}`);
  if (bounds.max !== undefined && actual > bounds.max) throw rangeError(argument, `must be at most ${bounds.max} ${unit} long, not ${actual}`);
}

/**
 * What a value is, for messages: a type name, never the value itself (it may be a secret).
 *
 * @example
 * ```ts
 * describeType(new Uint8Array(4)); // 'Uint8Array'
 * describeType(null); // 'null'
 * ```
 */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (ArrayBuffer.isView(value)) return value.constructor.name;
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'an object';
  return typeof value;
}

/**
 * Checks a byte array argument: a Uint8Array, optionally of a given length.
 *
 * @example
 * ```ts
 * checkBytes('options.key', key, { length: 32 });
 * ```
 */
export function checkBytes(argument: string, value: unknown, bounds: LengthBounds = {}): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw typeError(argument, `a Uint8Array, not ${describeType(value)}`);
  checkLength(argument, value.byteLength, bounds, 'bytes');
}

/**
 * Checks a string argument, optionally of bounded length.
 *
 * @example
 * ```ts
 * checkString('options.name', name, { min: 1 });
 * ```
 */
export function checkString(argument: string, value: unknown, bounds: LengthBounds = {}): asserts value is string {
  if (typeof value !== 'string') throw typeError(argument, `a string, not ${describeType(value)}`);
  checkLength(argument, value.length, bounds, 'characters');
}

/**
 * Checks an options-object argument: a non-null object that is not an array.
 *
 * @example
 * ```ts
 * checkObject('options', options);
 * ```
 */
export function checkObject(argument: string, value: unknown): asserts value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw typeError(argument, `an object, not ${describeType(value)}`);
}

/**
 * Checks an array argument whose every item passes `item` (which throws naming `argument[i]`).
 *
 * @example
 * ```ts
 * checkArray('records', records, (name, r) => checkBytes(name, r));
 * ```
 */
export function checkArray<T>(argument: string, value: unknown, item: (name: string, value: unknown) => asserts value is T, bounds: LengthBounds = {}): asserts value is T[] {
  if (!Array.isArray(value)) throw typeError(argument, `an array, not ${describeType(value)}`);
  checkLength(argument, value.length, bounds, 'items');
  value.forEach((entry, i) => item(`${argument}[${i}]`, entry));
}
