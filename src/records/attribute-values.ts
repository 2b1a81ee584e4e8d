/**
 * DynamoDB attribute values and their serialization
 * (spec: dynamodb-encryption-client/ddb-attribute-serialization.md).
 *
 * A value becomes a Terminal: a 2-byte type id and the value's bytes.
 *
 * | type | id | value bytes |
 * | --- | --- | --- |
 * | NULL | 0x0000 | empty |
 * | S | 0x0001 | UTF-8 |
 * | N | 0x0002 | the DynamoDB-normalized number, UTF-8 |
 * | B | 0xFFFF | the bytes |
 * | BOOL | 0x0004 | 0x00 or 0x01 |
 * | SS, NS, BS | 0x0101, 0x0102, 0x01FF | count (4) then (length (4), value) per member, sorted, no duplicates |
 * | M | 0x0200 | count (4) then (0x0001, key length (4), key, type (2), length (4), value) sorted by key |
 * | L | 0x0300 | count (4) then (type (2), length (4), value) in list order |
 *
 * Strings and map keys sort in UTF-16 code unit order (JavaScript's own `<`), binary members by
 * their bytes. An encrypted attribute is stored as B (0xFFFF), so B's id doubles as "encrypted".
 */
import type { Bytes } from '../core/types.js';
import { concat, fromBase64, fromUtf8, toBase64, uint16, uint32, utf8 } from '../core/bytes.js';
import { ItemErrorCode, itemError } from './errors.js';
import { normalizeNumber } from './numbers.js';

/**
 * One DynamoDB attribute value, as the AWS SDK for JavaScript v3 writes it: an object with exactly
 * one of these members.
 */
export type AttributeValue =
  | { readonly S: string }
  | { readonly N: string }
  | { readonly B: Uint8Array }
  | { readonly BOOL: boolean }
  | { readonly NULL: true }
  | { readonly M: { readonly [name: string]: AttributeValue } }
  | { readonly L: readonly AttributeValue[] }
  | { readonly SS: readonly string[] }
  | { readonly NS: readonly string[] }
  | { readonly BS: readonly Uint8Array[] };

/** A DynamoDB item: attribute names to values. */
export type Item = { readonly [name: string]: AttributeValue };

/**
 * What the AWS SDK v3's AttributeValue union adds to the members above: a member this SDK version
 * does not know. Accepted by the type of the encryptor's inputs, so the SDK's items pass without a
 * cast, and refused at run time (INVALID_ATTRIBUTE_VALUE), as nothing can serialize it.
 */
export type UnknownAttributeValue = { readonly $unknown: readonly [string, unknown] };

/** {@link AttributeValue} as input: the same members, nested values too, plus the SDK's `$unknown`. */
export type AttributeValueInput =
  | Exclude<AttributeValue, { readonly M: unknown } | { readonly L: unknown } | { readonly NULL: true }>
  // the SDK types NULL as boolean; only true is a value (false is refused at run time)
  | { readonly NULL: boolean }
  | { readonly M: { readonly [name: string]: AttributeValueInput } }
  | { readonly L: readonly AttributeValueInput[] }
  | UnknownAttributeValue;

/**
 * An item as input: {@link Item}, or one typed with `@aws-sdk/client-dynamodb`'s AttributeValue.
 *
 * @example
 * ```ts
 * const input: ItemInput = marshall({ id: 'n1', title: 'Hello' }); // @aws-sdk/util-dynamodb
 * ```
 */
export type ItemInput = { readonly [name: string]: AttributeValueInput };

/**
 * The type ids of the specification's "Type ID" table.
 *
 * @example
 * ```ts
 * serializeAttribute({ L: [] }).typeId === TypeId.L; // true (0x0300)
 * ```
 */
export const TypeId = {
  NULL: 0x0000,
  S: 0x0001,
  N: 0x0002,
  B: 0xffff,
  BOOL: 0x0004,
  SS: 0x0101,
  NS: 0x0102,
  BS: 0x01ff,
  M: 0x0200,
  L: 0x0300,
} as const;

/** A serialized attribute value (spec: structured-encryption/structures.md, "Terminal Data"). */
export interface Terminal {
  readonly typeId: number;
  readonly value: Bytes;
}

const TYPES = ['S', 'N', 'B', 'BOOL', 'NULL', 'M', 'L', 'SS', 'NS', 'BS'] as const;
type TypeName = (typeof TYPES)[number];

/** The member name of an attribute value, checking that there is exactly one. */
export function attributeType(value: unknown, where: string): TypeName {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw itemError(ItemErrorCode.INVALID_ATTRIBUTE_VALUE, `${where} must be a DynamoDB AttributeValue object such as { S: '...' }`);
  }
  let found: TypeName | undefined;
  for (const [key, member] of Object.entries(value)) {
    if (member === undefined) continue; // the AWS SDK's union types leave the other members undefined
    if (!(TYPES as readonly string[]).includes(key)) {
      throw itemError(ItemErrorCode.INVALID_ATTRIBUTE_VALUE, `${where} has an unknown member ${JSON.stringify(key)}`);
    }
    if (found) throw itemError(ItemErrorCode.INVALID_ATTRIBUTE_VALUE, `${where} has two members (${found}, ${key}); an AttributeValue has one`);
    found = key as TypeName;
  }
  if (!found) throw itemError(ItemErrorCode.INVALID_ATTRIBUTE_VALUE, `${where} has no member`);
  return found;
}

function byUtf16(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function checkString(value: unknown, where: string): string {
  if (typeof value !== 'string') throw itemError(ItemErrorCode.INVALID_ATTRIBUTE_VALUE, `${where} must be a string`);
  return value;
}

function checkArray(value: unknown, where: string): readonly unknown[] {
  if (!Array.isArray(value)) throw itemError(ItemErrorCode.INVALID_ATTRIBUTE_VALUE, `${where} must be an array`);
  return value;
}

function serializeSet(members: readonly Uint8Array[]): Bytes {
  const parts: Uint8Array[] = [uint32(members.length)];
  for (const member of members) parts.push(uint32(member.length), member);
  return concat(parts);
}

function noDuplicates<T>(sorted: readonly T[], equal: (a: T, b: T) => boolean, where: string): void {
  for (let i = 1; i < sorted.length; i++) {
    if (equal(sorted[i - 1]!, sorted[i]!)) throw itemError(ItemErrorCode.INVALID_ATTRIBUTE_VALUE, `${where} has a duplicate member`);
  }
}

/**
 * Serializes an attribute value to its Terminal (type id and bytes).
 *
 * @example
 * ```ts
 * serializeAttribute({ N: '010.50' }); // { typeId: 0x0002, value: utf8('10.5') }
 * ```
 */
export function serializeAttribute(value: AttributeValue, where = 'the attribute value'): Terminal {
  const type = attributeType(value, where);
  const v = value as Record<string, unknown>;
  switch (type) {
    case 'NULL':
      if (v.NULL !== true) throw itemError(ItemErrorCode.INVALID_ATTRIBUTE_VALUE, `${where}.NULL must be true`);
      return { typeId: TypeId.NULL, value: new Uint8Array(0) };
    case 'S':
      return { typeId: TypeId.S, value: utf8(checkString(v.S, `${where}.S`)) };
    case 'N':
      return { typeId: TypeId.N, value: utf8(normalizeNumber(checkString(v.N, `${where}.N`), `${where}.N`)) };
    case 'B':
      if (!(v.B instanceof Uint8Array)) throw itemError(ItemErrorCode.INVALID_ATTRIBUTE_VALUE, `${where}.B must be a Uint8Array`);
      return { typeId: TypeId.B, value: v.B.slice() };
    case 'BOOL':
      if (typeof v.BOOL !== 'boolean') throw itemError(ItemErrorCode.INVALID_ATTRIBUTE_VALUE, `${where}.BOOL must be a boolean`);
      return { typeId: TypeId.BOOL, value: new Uint8Array([v.BOOL ? 1 : 0]) };
    case 'SS': {
      const members = checkArray(v.SS, `${where}.SS`).map((s, i) => checkString(s, `${where}.SS[${i}]`)).sort(byUtf16);
      noDuplicates(members, (a, b) => a === b, `${where}.SS`);
      return { typeId: TypeId.SS, value: serializeSet(members.map(utf8)) };
    }
    case 'NS': {
      const members = checkArray(v.NS, `${where}.NS`)
        .map((s, i) => normalizeNumber(checkString(s, `${where}.NS[${i}]`), `${where}.NS[${i}]`))
        .sort(byUtf16);
      noDuplicates(members, (a, b) => a === b, `${where}.NS`);
      return { typeId: TypeId.NS, value: serializeSet(members.map(utf8)) };
    }
    case 'BS': {
      const members = checkArray(v.BS, `${where}.BS`).map((b, i) => {
        if (!(b instanceof Uint8Array)) throw itemError(ItemErrorCode.INVALID_ATTRIBUTE_VALUE, `${where}.BS[${i}] must be a Uint8Array`);
        return b;
      });
      members.sort(compareBytes);
      noDuplicates(members, (a, b) => compareBytes(a, b) === 0, `${where}.BS`);
      return { typeId: TypeId.BS, value: serializeSet(members) };
    }
    case 'M': {
      const map = v.M;
      if (map === null || typeof map !== 'object' || Array.isArray(map)) throw itemError(ItemErrorCode.INVALID_ATTRIBUTE_VALUE, `${where}.M must be an object`);
      const keys = Object.keys(map).sort(byUtf16);
      const parts: Uint8Array[] = [uint32(keys.length)];
      for (const key of keys) {
        const member = serializeAttribute((map as Record<string, AttributeValue>)[key]!, `${where}.M[${JSON.stringify(key)}]`);
        const k = utf8(key);
        parts.push(uint16(TypeId.S), uint32(k.length), k, uint16(member.typeId), uint32(member.value.length), member.value);
      }
      return { typeId: TypeId.M, value: concat(parts) };
    }
    case 'L': {
      const list = checkArray(v.L, `${where}.L`);
      const parts: Uint8Array[] = [uint32(list.length)];
      list.forEach((entry, i) => {
        const member = serializeAttribute(entry as AttributeValue, `${where}.L[${i}]`);
        parts.push(uint16(member.typeId), uint32(member.value.length), member.value);
      });
      return { typeId: TypeId.L, value: concat(parts) };
    }
  }
}

/** A cursor over serialized bytes; every read checks the bounds. */
class Reader {
  offset = 0;
  constructor(
    readonly bytes: Uint8Array,
    readonly where: string,
  ) {}
  #need(n: number): void {
    if (this.offset + n > this.bytes.length) throw itemError(ItemErrorCode.MALFORMED_ITEM, `${this.where} is truncated`);
  }
  u16(): number {
    this.#need(2);
    const v = (this.bytes[this.offset]! << 8) | this.bytes[this.offset + 1]!;
    this.offset += 2;
    return v;
  }
  u32(): number {
    this.#need(4);
    const v = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.offset, 4).getUint32(0);
    this.offset += 4;
    return v;
  }
  take(n: number): Uint8Array {
    this.#need(n);
    const out = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Uint8Array, where: string): string {
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    throw itemError(ItemErrorCode.MALFORMED_ITEM, `${where} is not valid UTF-8`);
  }
}

function parseSet(bytes: Uint8Array, where: string): Uint8Array[] {
  const r = new Reader(bytes, where);
  const count = r.u32();
  const members: Uint8Array[] = [];
  for (let i = 0; i < count; i++) members.push(r.take(r.u32()));
  if (r.offset !== bytes.length) throw itemError(ItemErrorCode.MALFORMED_ITEM, `${where} has trailing bytes`);
  return members;
}

/**
 * The attribute value a Terminal serializes (the reverse of {@link serializeAttribute}); throws
 * MALFORMED_ITEM for bytes that are not a serialization. Duplicates in sets and maps are refused
 * (spec: ddb-item-conversion.md, "Duplicates").
 *
 * @example
 * ```ts
 * const { typeId, value } = serializeAttribute({ NS: ['10', '2.50'] });
 * deserializeAttribute(typeId, value); // { NS: ['10', '2.5'] }
 * ```
 */
export function deserializeAttribute(typeId: number, bytes: Uint8Array, where = 'the attribute value'): AttributeValue {
  switch (typeId) {
    case TypeId.NULL:
      if (bytes.length !== 0) throw itemError(ItemErrorCode.MALFORMED_ITEM, `${where}: a NULL value has no bytes`);
      return { NULL: true };
    case TypeId.S:
      return { S: decodeUtf8(bytes, where) };
    case TypeId.N:
      return { N: normalizeNumber(decodeUtf8(bytes, where), where) };
    case TypeId.B:
      return { B: bytes.slice() };
    case TypeId.BOOL:
      if (bytes.length !== 1 || bytes[0]! > 1) throw itemError(ItemErrorCode.MALFORMED_ITEM, `${where}: a BOOL value is one byte, 0 or 1`);
      return { BOOL: bytes[0] === 1 };
    case TypeId.SS:
    case TypeId.NS: {
      const members = parseSet(bytes, where).map((m) => decodeUtf8(m, where));
      if (new Set(members).size !== members.length) throw itemError(ItemErrorCode.MALFORMED_ITEM, `${where} has a duplicate set member`);
      return typeId === TypeId.SS ? { SS: members } : { NS: members.map((n) => normalizeNumber(n, where)) };
    }
    case TypeId.BS: {
      const members = parseSet(bytes, where).map((m) => m.slice());
      const seen = new Set(members.map((m) => toBase64(m)));
      if (seen.size !== members.length) throw itemError(ItemErrorCode.MALFORMED_ITEM, `${where} has a duplicate set member`);
      return { BS: members };
    }
    case TypeId.M: {
      const r = new Reader(bytes, where);
      const count = r.u32();
      const map: Record<string, AttributeValue> = {};
      for (let i = 0; i < count; i++) {
        if (r.u16() !== TypeId.S) throw itemError(ItemErrorCode.MALFORMED_ITEM, `${where}: a map key is not a string`);
        const key = decodeUtf8(r.take(r.u32()), where);
        if (Object.hasOwn(map, key)) throw itemError(ItemErrorCode.MALFORMED_ITEM, `${where} has a duplicate map key`);
        const type = r.u16();
        const value = deserializeAttribute(type, r.take(r.u32()), `${where}.M[${JSON.stringify(key)}]`);
        Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
      }
      if (r.offset !== bytes.length) throw itemError(ItemErrorCode.MALFORMED_ITEM, `${where} has trailing bytes`);
      return { M: map };
    }
    case TypeId.L: {
      const r = new Reader(bytes, where);
      const count = r.u32();
      const list: AttributeValue[] = [];
      for (let i = 0; i < count; i++) {
        const type = r.u16();
        list.push(deserializeAttribute(type, r.take(r.u32()), `${where}.L[${i}]`));
      }
      if (r.offset !== bytes.length) throw itemError(ItemErrorCode.MALFORMED_ITEM, `${where} has trailing bytes`);
      return { L: list };
    }
    default:
      throw itemError(ItemErrorCode.MALFORMED_ITEM, `${where} has unknown type id 0x${typeId.toString(16).padStart(4, '0')}`);
  }
}

/** The JSON form of an attribute value (DynamoDB JSON): binary as base64 strings. */
export type AttributeValueJson =
  | { S: string }
  | { N: string }
  | { B: string }
  | { BOOL: boolean }
  | { NULL: true }
  | { M: { [name: string]: AttributeValueJson } }
  | { L: AttributeValueJson[] }
  | { SS: string[] }
  | { NS: string[] }
  | { BS: string[] };

/**
 * An attribute value in DynamoDB JSON, the form of the DynamoDB API, `aws dynamodb put-item` and
 * DynamoDB's S3 export: binary members become base64 strings.
 *
 * @example
 * ```ts
 * JSON.stringify(Object.fromEntries(Object.entries(encryptedItem).map(([k, v]) => [k, toDynamoDbJson(v)])));
 * ```
 */
export function toDynamoDbJson(value: AttributeValue): AttributeValueJson {
  const type = attributeType(value, 'the attribute value');
  const v = value as Record<string, unknown>;
  switch (type) {
    case 'B':
      return { B: toBase64(v.B as Uint8Array) };
    case 'BS':
      return { BS: (v.BS as Uint8Array[]).map((b) => toBase64(b)) };
    case 'M':
      return { M: Object.fromEntries(Object.entries(v.M as Record<string, AttributeValue>).map(([k, m]) => [k, toDynamoDbJson(m)])) };
    case 'L':
      return { L: (v.L as AttributeValue[]).map(toDynamoDbJson) };
    case 'SS':
    case 'NS':
      return { [type]: [...(v[type] as string[])] } as AttributeValueJson;
    default:
      return { [type]: v[type] } as AttributeValueJson;
  }
}

/**
 * The reverse of {@link toDynamoDbJson}; throws INVALID_ATTRIBUTE_VALUE for bad base64.
 *
 * @example
 * ```ts
 * fromDynamoDbJson({ B: 'AAE=' }); // { B: Uint8Array [0, 1] }
 * ```
 */
export function fromDynamoDbJson(json: AttributeValueJson, where = 'the attribute value'): AttributeValue {
  const type = attributeType(json, where);
  const v = json as Record<string, unknown>;
  const bytes = (text: unknown, at: string): Uint8Array => {
    const out = typeof text === 'string' ? fromBase64(text) : undefined;
    if (!out) throw itemError(ItemErrorCode.INVALID_ATTRIBUTE_VALUE, `${at} must be a base64 string`);
    return out;
  };
  switch (type) {
    case 'B':
      return { B: bytes(v.B, `${where}.B`) };
    case 'BS':
      return { BS: checkArray(v.BS, `${where}.BS`).map((b, i) => bytes(b, `${where}.BS[${i}]`)) };
    case 'M':
      return {
        M: Object.fromEntries(Object.entries(v.M as Record<string, AttributeValueJson>).map(([k, m]) => [k, fromDynamoDbJson(m, `${where}.M[${JSON.stringify(k)}]`)])),
      };
    case 'L':
      return { L: checkArray(v.L, `${where}.L`).map((m, i) => fromDynamoDbJson(m as AttributeValueJson, `${where}.L[${i}]`)) };
    case 'SS':
    case 'NS':
      return { [type]: [...(v[type] as string[])] } as unknown as AttributeValue;
    default:
      return { [type]: v[type] } as AttributeValue;
  }
}

/** The UTF-8 text of an S or N terminal (what version 2 contexts store for them). */
export function terminalText(terminal: Terminal): string {
  return fromUtf8(terminal.value);
}
