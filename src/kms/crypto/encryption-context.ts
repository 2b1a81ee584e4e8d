/**
 * The encryption context as AAD. The encoding must be injective: two different maps never give the
 * same bytes, or a ciphertext made under one context would decrypt under another. Emulators that
 * join `key + value` strings get this wrong ({"ab":"c"} and {"a":"bc"} both give "abc").
 *
 * Encoding (version 1):
 *   "kms-ec-1" || uint32 count || for each pair, sorted by the UTF-8 bytes of its key:
 *     uint32 len(key) || key (UTF-8) || uint32 len(value) || value (UTF-8)
 * Length prefixes make it unambiguous, the sort makes it order-independent, and comparing bytes
 * (not case-folded strings) keeps it case-sensitive. Keys in a JS object are unique, so the sort
 * has no ties. The empty map and an absent context encode the same (AWS treats them alike).
 */
import { concat, uint32, utf8 } from '../../core/bytes.js';
import type { Bytes } from '../../core/types.js';
import type { EncryptionContextType } from '../types.js';

const LABEL = utf8('kms-ec-1');

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/**
 * The AAD bytes for an encryption context.
 *
 * @example
 * ```ts
 * encodeEncryptionContext({ a: 'bc' }); // differs from encodeEncryptionContext({ ab: 'c' })
 * ```
 */
export function encodeEncryptionContext(context: EncryptionContextType | undefined): Bytes {
  const pairs = Object.entries(context ?? {}).map(([k, v]) => [utf8(k), utf8(v)] as const);
  pairs.sort((x, y) => compareBytes(x[0], y[0]));
  const parts: Uint8Array[] = [LABEL, uint32(pairs.length)];
  for (const [k, v] of pairs) parts.push(uint32(k.length), k, uint32(v.length), v);
  return concat(parts);
}

/** True when the map has at least one pair (asymmetric and HMAC operations refuse any). */
export function hasContext(context: EncryptionContextType | undefined): boolean {
  return context !== undefined && Object.keys(context).length > 0;
}
