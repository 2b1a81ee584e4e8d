/**
 * The structured encryption header, `aws_dbe_head` (spec: structured-encryption/header.md).
 *
 * | bytes | field |
 * | --- | --- |
 * | 1 | format version: 0x01, or 0x02 when any attribute is SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT |
 * | 1 | flavor: the suite id's second byte (0x00 for 0x6700, 0x01 for 0x6701) |
 * | 32 | message id (random) |
 * | 2 + n | encrypt legend: one byte per signed attribute in canonical path order, `e` `s` or `c` |
 * | 2 + ... | encryption context: count (2), then (key length (2), key, value length (2), value) sorted by UTF-8 key |
 * | 1 + ... | encrypted data keys: count (1), then (provider id, provider info, ciphertext), each with a 2-byte length |
 * | 32 | commitment: HMAC-SHA-384(commit key, everything above), first 32 bytes |
 *
 * Unlike the message format's, this context always has its count, even when it is empty, and the
 * data key count is one byte.
 */
import type { Bytes, EncryptedDataKey, EncryptionContext } from '../core/types.js';
import { concat, uint16, uint64, utf8 } from '../core/bytes.js';
import { compareUtf8 } from '../core/encryption-context.js';
import { ItemErrorCode, itemError } from './errors.js';

/** The crypto actions of the specification (structured-encryption/structures.md, "Crypto Action"). */
export type CryptoAction = 'ENCRYPT_AND_SIGN' | 'SIGN_ONLY' | 'SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT' | 'DO_NOTHING';

/** The legend byte of each signed action ("Encrypt Legend Bytes"). */
export const LEGEND_BYTE = { ENCRYPT_AND_SIGN: 0x65, SIGN_ONLY: 0x73, SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT: 0x63 } as const;

const ACTION_OF_BYTE: ReadonlyMap<number, CryptoAction> = new Map([
  [0x65, 'ENCRYPT_AND_SIGN'],
  [0x73, 'SIGN_ONLY'],
  [0x63, 'SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT'],
]);

/** The message id's length ("Message ID": a random 256-bit value). */
export const MESSAGE_ID_LENGTH = 32;
/** The header commitment's length ("Header Commitment"). */
export const COMMITMENT_LENGTH = 32;

/**
 * The canonical path of a top-level attribute ("Canonical Path"): table name (UTF-8), depth (8
 * bytes, 1 for an attribute of the item), `$`, the name's UTF-8 length (8 bytes), the name. It is
 * the AAD of the attribute's encryption and the sort key of the legend, the field keys and the
 * footer: because the length precedes the name, shorter names sort first.
 */
export function canonicalPath(tableName: string, attributeName: string): Bytes {
  const name = utf8(attributeName);
  return concat([utf8(tableName), uint64(1), new Uint8Array([0x24]), uint64(name.length), name]);
}

/** Compares byte strings lexicographically (the order of canonical paths). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** Serializes an encryption context with its 2-byte count ("Encryption Context"). */
export function serializeHeaderContext(context: EncryptionContext): Bytes {
  const keys = Object.keys(context).sort(compareUtf8);
  if (keys.length > 0xffff) throw itemError(ItemErrorCode.INVALID_ITEM, 'the encryption context has more than 65,535 pairs');
  const parts: Uint8Array[] = [uint16(keys.length)];
  for (const key of keys) {
    const k = utf8(key);
    const v = utf8(context[key]!);
    if (k.length > 0xffff || v.length > 0xffff) throw itemError(ItemErrorCode.INVALID_ITEM, `encryption context entry ${JSON.stringify(key)} is longer than 65,535 bytes`);
    parts.push(uint16(k.length), k, uint16(v.length), v);
  }
  return concat(parts);
}

/** The fields of a header before its commitment. */
export interface PartialHeader {
  readonly version: 1 | 2;
  /** 0x00 (suite 0x6700) or 0x01 (suite 0x6701). */
  readonly flavor: 0 | 1;
  readonly messageId: Uint8Array;
  /** The legend bytes, one per signed attribute. */
  readonly legend: Uint8Array;
  /** The stored context: the materials' context without its required keys. */
  readonly encryptionContext: EncryptionContext;
  readonly encryptedDataKeys: readonly EncryptedDataKey[];
}

/** Serializes everything but the commitment. */
export function serializePartialHeader(header: PartialHeader): Bytes {
  const { version, flavor, messageId, legend, encryptionContext, encryptedDataKeys } = header;
  if (encryptedDataKeys.length < 1 || encryptedDataKeys.length > 255) {
    throw itemError(ItemErrorCode.INVALID_ITEM, `an item holds 1 to 255 encrypted data keys, not ${encryptedDataKeys.length}`);
  }
  if (legend.length > 0xffff) throw itemError(ItemErrorCode.INVALID_ITEM, 'an item signs at most 65,535 attributes');
  const parts: Uint8Array[] = [new Uint8Array([version, flavor]), messageId, uint16(legend.length), legend, serializeHeaderContext(encryptionContext), new Uint8Array([encryptedDataKeys.length])];
  for (const edk of encryptedDataKeys) {
    const id = utf8(edk.providerId);
    for (const field of [id, edk.providerInfo, edk.ciphertext]) {
      if (field.length > 0xffff) throw itemError(ItemErrorCode.INVALID_ITEM, 'an encrypted data key field is longer than 65,535 bytes');
      parts.push(uint16(field.length), field);
    }
  }
  return concat(parts);
}

/** A parsed `aws_dbe_head`. */
export interface ParsedHeaderBytes extends PartialHeader {
  /** The serialized partial header (what the commitment covers). */
  readonly partial: Uint8Array;
  readonly commitment: Uint8Array;
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Parses `aws_dbe_head`; throws MALFORMED_ITEM for anything that is not a well-formed header. */
export function parseHeader(bytes: Uint8Array): ParsedHeaderBytes {
  let offset = 0;
  const bad = (what: string): never => {
    throw itemError(ItemErrorCode.MALFORMED_ITEM, `aws_dbe_head is malformed: ${what}`);
  };
  const take = (n: number): Uint8Array => {
    if (offset + n > bytes.length) bad('truncated');
    const out = bytes.subarray(offset, offset + n);
    offset += n;
    return out;
  };
  const u16 = (): number => {
    const b = take(2);
    return (b[0]! << 8) | b[1]!;
  };
  const text = (b: Uint8Array): string => {
    try {
      return STRICT_UTF8.decode(b);
    } catch {
      return bad('a string is not UTF-8');
    }
  };
  const [version, flavor] = take(2);
  if (version !== 1 && version !== 2) bad(`format version ${version} (expected 1 or 2)`);
  if (flavor !== 0 && flavor !== 1) bad(`flavor ${flavor} (expected 0 or 1: suites 0x6700, 0x6701)`);
  const messageId = take(MESSAGE_ID_LENGTH).slice();
  const legend = take(u16()).slice();
  for (const b of legend) if (!ACTION_OF_BYTE.has(b)) bad(`legend byte 0x${b.toString(16)}`);
  const pairs = u16();
  const encryptionContext: EncryptionContext = {};
  let previous: string | undefined;
  for (let i = 0; i < pairs; i++) {
    const key = text(take(u16()));
    const value = text(take(u16()));
    if (previous !== undefined && compareUtf8(previous, key) >= 0) bad('encryption context keys are not sorted and unique');
    previous = key;
    Object.defineProperty(encryptionContext, key, { value, enumerable: true, writable: true, configurable: true });
  }
  const count = take(1)[0]!;
  if (count === 0) bad('no encrypted data keys');
  const encryptedDataKeys: EncryptedDataKey[] = [];
  for (let i = 0; i < count; i++) {
    const providerId = text(take(u16()));
    const providerInfo = take(u16()).slice();
    const ciphertext = take(u16()).slice();
    encryptedDataKeys.push({ providerId, providerInfo, ciphertext });
  }
  const partialLength = offset;
  const commitment = take(COMMITMENT_LENGTH).slice();
  if (offset !== bytes.length) bad('trailing bytes after the commitment');
  return {
    version: version as 1 | 2,
    flavor: flavor as 0 | 1,
    messageId,
    legend,
    encryptionContext,
    encryptedDataKeys,
    partial: bytes.subarray(0, partialLength),
    commitment,
  };
}

/** The action a legend byte stands for. */
export function actionOfLegendByte(byte: number): CryptoAction {
  return ACTION_OF_BYTE.get(byte)!;
}
