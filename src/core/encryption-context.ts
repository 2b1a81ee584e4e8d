/**
 * Encryption context: validation and the byte serialization shared by the header, header
 * authentication and the raw AES keyring (spec: framework/structures.md#serialization).
 */
import type { Bytes, EncryptionContext } from './types.js';
import { EnvelopeError, ErrorCode, malformed, typeError } from './errors.js';
import { concat, fromUtf8, uint16, utf8 } from './bytes.js';

/** Keys with this prefix are reserved for the SDK itself (e.g. `aws-crypto-public-key`). */
export const RESERVED_PREFIX = 'aws-crypto-';
/** Where signed suites store the compressed public verification key. */
export const PUBLIC_KEY_CONTEXT_KEY = 'aws-crypto-public-key';

/** Checks a caller's context: a plain object of string values, no reserved keys. Returns a copy. */
export function checkCallerContext(value: unknown, argument: string): EncryptionContext {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw typeError(argument, 'an object mapping strings to strings');
  }
  const entries = Object.entries(value);
  for (const [key, val] of entries) {
    if (typeof val !== 'string') throw typeError(`${argument}[${JSON.stringify(key)}]`, 'a string');
    if (key.startsWith(RESERVED_PREFIX)) {
      throw new EnvelopeError(
        ErrorCode.RESERVED_CONTEXT_KEY,
        `${argument} key ${JSON.stringify(key)} starts with the reserved prefix "${RESERVED_PREFIX}"; choose another key`,
      );
    }
  }
  // fromEntries defines properties, so a key such as "__proto__" stays an ordinary key.
  return Object.fromEntries(entries) as EncryptionContext;
}

/** Compares two strings by their UTF-8 bytes, the order the message format uses. */
export function compareUtf8(a: string, b: string): number {
  // UTF-16 code unit order equals UTF-8 byte order except where surrogates (U+10000 and up)
  // meet code units in U+E000..U+FFFF, so compare code points rather than code units.
  const ai = a[Symbol.iterator]();
  const bi = b[Symbol.iterator]();
  for (;;) {
    const x = ai.next();
    const y = bi.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const dx = x.value.codePointAt(0)!;
    const dy = y.value.codePointAt(0)!;
    if (dx !== dy) return dx - dy;
  }
}

const MAX_UINT16 = 0xffff;

/**
 * Serializes an encryption context as the message header stores it (spec:
 * data-format/message-header.md, "Encryption Context"): count, then (key length, key, value length,
 * value) sorted by the keys' UTF-8 bytes. An empty context serializes to zero bytes (no count
 * field).
 *
 * @param context - string keys and values.
 * @returns the serialized bytes.
 * @throws {@link EnvelopeError} `LIMIT_EXCEEDED` for more than 65,535 pairs or a key or value over
 *   65,535 UTF-8 bytes.
 *
 * @example
 * ```ts
 * import { serializeContext } from 'envelope-kit/core';
 * const bytes = serializeContext({ tenant: 'acme' }); // 00 01 | 00 06 'tenant' | 00 04 'acme'
 * ```
 */
export function serializeContext(context: EncryptionContext): Bytes {
  const keys = Object.keys(context).sort(compareUtf8);
  if (keys.length === 0) return new Uint8Array(0);
  if (keys.length > MAX_UINT16) {
    throw new EnvelopeError(ErrorCode.LIMIT_EXCEEDED, `the encryption context has ${keys.length} pairs; at most 65,535 fit`);
  }
  const parts: Uint8Array[] = [uint16(keys.length)];
  for (const key of keys) {
    const k = utf8(key);
    const v = utf8(context[key]!);
    if (k.length > MAX_UINT16 || v.length > MAX_UINT16) {
      throw new EnvelopeError(ErrorCode.LIMIT_EXCEEDED, 'an encryption context key or value is longer than 65,535 bytes');
    }
    parts.push(uint16(k.length), k, uint16(v.length), v);
  }
  const out = concat(parts);
  if (out.length > MAX_UINT16) {
    throw new EnvelopeError(ErrorCode.LIMIT_EXCEEDED, `the serialized encryption context is ${out.length} bytes; at most 65,535 fit in a message header`);
  }
  return out;
}

/** Parses a serialized context (the header's AAD field); `bytes` is exactly the field. */
export function parseContext(bytes: Uint8Array): EncryptionContext {
  const context: EncryptionContext = Object.create(null);
  if (bytes.length === 0) return context;
  if (bytes.length < 2) malformed('the encryption context field is truncated');
  const count = (bytes[0]! << 8) | bytes[1]!;
  if (count === 0) malformed('the encryption context field has a count of 0 but is not empty');
  let offset = 2;
  const field = (): string => {
    if (offset + 2 > bytes.length) malformed('the encryption context field is truncated');
    const length = (bytes[offset]! << 8) | bytes[offset + 1]!;
    offset += 2;
    if (offset + length > bytes.length) malformed('the encryption context field is truncated');
    let text: string;
    try {
      text = fromUtf8(bytes.subarray(offset, offset + length));
    } catch {
      malformed('an encryption context key or value is not valid UTF-8');
    }
    offset += length;
    return text;
  };
  for (let i = 0; i < count; i++) {
    const key = field();
    const value = field();
    if (Object.prototype.hasOwnProperty.call(context, key)) malformed('the encryption context has a duplicate key');
    context[key] = value;
  }
  if (offset !== bytes.length) malformed('the encryption context field has bytes after its last pair');
  // A normal object again; fromEntries defines properties, so "__proto__" stays an ordinary key.
  return Object.fromEntries(Object.entries(context));
}
