/**
 * The message header, versions 1 and 2 (spec: data-format/message-header.md).
 *
 * v1: version 0x01 | type 0x80 | suite id (2) | message id (16) | AAD length (2) | AAD |
 *     EDK count (2) | EDKs | content type (1) | reserved (4, zero) | IV length (1) | frame length (4)
 *     then authentication: IV (12) | tag (16)
 * v2: version 0x02 | suite id (2) | message id (32) | AAD length (2) | AAD | EDK count (2) | EDKs |
 *     content type (1) | frame length (4) | suite data (32, the commitment key)
 *     then authentication: tag (16) (its IV is implicitly zero)
 * An EDK is: provider id length (2) | provider id (UTF-8) | provider info length (2) | info |
 *     ciphertext length (2) | ciphertext.
 */
import type { Bytes, EncryptedDataKey, EncryptionContext, MessageHeader } from './types.js';
import { bytesEqual, concat, fromUtf8, uint16, uint32, utf8 } from './bytes.js';
import { EnvelopeError, ErrorCode, malformed } from './errors.js';
import { parseContext, serializeContext } from './encryption-context.js';
import { findSuite, suiteHex, type AlgorithmSuite, type SuiteId } from './suites.js';
import { rangeError, typeError } from './arguments.js';

export const CONTENT_TYPE_NON_FRAMED = 0x01;
export const CONTENT_TYPE_FRAMED = 0x02;
const TYPE_CUSTOMER_AED = 0x80;
const TAG_LENGTH = 16;
const IV_LENGTH = 12;

/** What the encrypt path needs to serialize a header body. */
export interface HeaderFields {
  readonly suite: AlgorithmSuite;
  readonly messageId: Uint8Array;
  /** The context stored in the header (required-only keys already removed). */
  readonly storedContext: EncryptionContext;
  readonly encryptedDataKeys: readonly EncryptedDataKey[];
  readonly frameLength: number;
  readonly commitKey?: Uint8Array;
}

function serializeEdks(edks: readonly EncryptedDataKey[]): Bytes {
  const parts: Uint8Array[] = [uint16(edks.length)];
  for (const edk of edks) {
    const providerId = utf8(edk.providerId);
    for (const [name, field] of [['provider id', providerId], ['provider info', edk.providerInfo], ['ciphertext', edk.ciphertext]] as const) {
      if (field.length > 0xffff) throw new EnvelopeError(ErrorCode.LIMIT_EXCEEDED, `an encrypted data key's ${name} is longer than 65,535 bytes`);
    }
    parts.push(uint16(providerId.length), providerId, uint16(edk.providerInfo.length), edk.providerInfo);
    parts.push(uint16(edk.ciphertext.length), edk.ciphertext);
  }
  return concat(parts);
}

/** Serializes the header body (everything the authentication tag covers). */
export function serializeHeaderBody(fields: HeaderFields): Bytes {
  const { suite } = fields;
  const aad = serializeContext(fields.storedContext);
  const edks = serializeEdks(fields.encryptedDataKeys);
  if (suite.messageVersion === 1) {
    return concat([
      new Uint8Array([0x01, TYPE_CUSTOMER_AED]),
      uint16(suite.id),
      fields.messageId,
      uint16(aad.length),
      aad,
      edks,
      new Uint8Array([CONTENT_TYPE_FRAMED, 0, 0, 0, 0, IV_LENGTH]),
      uint32(fields.frameLength),
    ]);
  }
  return concat([
    new Uint8Array([0x02]),
    uint16(suite.id),
    fields.messageId,
    uint16(aad.length),
    aad,
    edks,
    new Uint8Array([CONTENT_TYPE_FRAMED]),
    uint32(fields.frameLength),
    fields.commitKey!,
  ]);
}

/** The shape of one encrypted data key whose ciphertext is not known yet. */
export interface EncryptedDataKeyShape {
  readonly providerId: string;
  readonly providerInfo: Uint8Array;
  readonly ciphertextLength: number;
}

/**
 * A v2 header with its per-message fields left as zeros, and where they go: what every message of a
 * batch shares (suite, stored context, EDK providers, frame length) is serialized once.
 */
export interface HeaderTemplate {
  /** Header body, then 16 bytes for the tag; zeros where the message id, EDK ciphertexts, commitment key and tag go. */
  readonly bytes: Bytes;
  /** Length of the header body (what the tag authenticates). */
  readonly bodyLength: number;
  readonly messageIdOffset: number;
  readonly ciphertextOffsets: readonly number[];
  readonly commitKeyOffset: number;
}

/**
 * Serializes the shared part of a v2 header once (spec: data-format/message-header.md); each message
 * then copies it and writes its message id, EDK ciphertexts, commitment key and tag into the slots.
 */
export function headerTemplate(
  suite: AlgorithmSuite,
  storedContext: EncryptionContext,
  shapes: readonly EncryptedDataKeyShape[],
  frameLength: number,
): HeaderTemplate {
  if (suite.messageVersion !== 2) throw rangeError('header', 'templates are for message format version 2 (committing suites) only');
  const encryptedDataKeys = shapes.map((shape) => ({ providerId: shape.providerId, providerInfo: shape.providerInfo, ciphertext: new Uint8Array(shape.ciphertextLength) }));
  const body = serializeHeaderBody({ suite, messageId: new Uint8Array(32), storedContext, encryptedDataKeys, frameLength, commitKey: new Uint8Array(32) });
  const messageIdOffset = 3;
  // version | suite id | message id | AAD length | AAD | EDK count, then each EDK's length-prefixed fields.
  let offset = messageIdOffset + 32 + 2 + ((body[messageIdOffset + 32]! << 8) | body[messageIdOffset + 33]!) + 2;
  const ciphertextOffsets: number[] = [];
  for (const edk of encryptedDataKeys) {
    offset += 2 + utf8(edk.providerId).length + 2 + edk.providerInfo.length + 2;
    ciphertextOffsets.push(offset);
    offset += edk.ciphertext.length;
  }
  const commitKeyOffset = offset + 1 + 4;
  if (commitKeyOffset + 32 !== body.length) throw new Error('header template offsets do not add up');
  const bytes = new Uint8Array(body.length + TAG_LENGTH);
  bytes.set(body);
  return { bytes, bodyLength: body.length, messageIdOffset, ciphertextOffsets, commitKeyOffset };
}

/** A parsed header plus the byte ranges the decrypt path needs. */
export interface ParsedHeader {
  readonly header: MessageHeader;
  readonly suite: AlgorithmSuite;
  /** The header body bytes (what the tag authenticates). */
  readonly body: Uint8Array;
  /** v1: the IV stored in the header; v2: 12 zero bytes. */
  readonly authIv: Uint8Array;
  readonly authTag: Uint8Array;
}

/** Thrown inside the parser when the input ends early; streams wait for more bytes instead. */
class NeedMoreBytes {}

class Reader {
  offset = 0;
  constructor(readonly bytes: Uint8Array) {}
  take(length: number): Uint8Array {
    if (this.offset + length > this.bytes.length) throw new NeedMoreBytes();
    const out = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }
  // The integers are read in place: a view per field would be garbage on every header of a batch.
  #at(length: number): number {
    const at = this.offset;
    if (at + length > this.bytes.length) throw new NeedMoreBytes();
    this.offset = at + length;
    return at;
  }
  u8(): number {
    return this.bytes[this.#at(1)]!;
  }
  u16(): number {
    const at = this.#at(2);
    return (this.bytes[at]! << 8) | this.bytes[at + 1]!;
  }
  u32(): number {
    const at = this.#at(4);
    const b = this.bytes;
    return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
  }
}

export interface ParseOptions {
  readonly maxEncryptedDataKeys?: number;
  /** Messages of one batch: reuse what the previous header with the same bytes parsed to. */
  readonly memo?: HeaderParseMemo;
}

/**
 * The last encryption context and provider id parsed, by their bytes: messages of one batch
 * usually share both, so each is decoded once. A memo hands out frozen contexts only.
 */
export class HeaderParseMemo {
  #contextBytes: Uint8Array | undefined;
  #context: EncryptionContext | undefined;
  #providerIdBytes: Uint8Array | undefined;
  #providerId: string | undefined;

  context(bytes: Uint8Array): EncryptionContext {
    if (this.#context && this.#contextBytes && bytesEqual(bytes, this.#contextBytes)) return this.#context;
    const context = Object.freeze(parseContext(bytes));
    this.#contextBytes = bytes.slice();
    this.#context = context;
    return context;
  }

  providerId(bytes: Uint8Array): string {
    if (this.#providerId !== undefined && this.#providerIdBytes && bytesEqual(bytes, this.#providerIdBytes)) return this.#providerId;
    const providerId = fromUtf8(bytes);
    this.#providerIdBytes = bytes.slice();
    this.#providerId = providerId;
    return providerId;
  }
}

/**
 * Reads the header at the start of `bytes`, with what decryption needs beside it (the suite, the
 * authenticated bytes, the tag). Returns undefined when `bytes` ends before the header does (a
 * stream then waits for more); throws MALFORMED_MESSAGE as soon as a field is invalid, so a bad
 * length is never used to allocate or to wait for bytes that should not come. Internal: the public
 * form is {@link parseHeader}.
 */
export function readHeader(bytes: Uint8Array, options: ParseOptions = {}): ParsedHeader | undefined {
  try {
    return parse(new Reader(bytes), options);
  } catch (error) {
    if (error instanceof NeedMoreBytes) return undefined;
    throw error;
  }
}

/** Options of {@link parseHeader}. */
export interface ParseHeaderOptions {
  /** Refuse (LIMIT_EXCEEDED) a header with more encrypted data keys than this, before reading them. */
  readonly maxEncryptedDataKeys?: number;
}

/**
 * The header of an AWS Encryption SDK message (specification: data-format/message-header.md):
 * version, suite, message id, encryption context, encrypted data keys, content type, frame length,
 * commitment key (v2) and the header's length. Nothing is decrypted or verified: the header tag is
 * checked by `decrypt`, which needs the data key. Use it to route a message (which key, which
 * tenant) before decrypting it.
 *
 * @param bytes - the message, or at least its start.
 * @param options - `maxEncryptedDataKeys`: refuse a header with more before reading them.
 * @returns the {@link MessageHeader}, or `undefined` when `bytes` ends before the header does (pass
 *   more of the message).
 * @throws TypeError / RangeError (`code: 'INVALID_ARGUMENT'`) for a bad argument.
 * @throws {@link EnvelopeError} `MALFORMED_MESSAGE` (or `UNSUPPORTED_SUITE`, `LIMIT_EXCEEDED`) when
 *   the bytes are not a valid header.
 *
 * @example
 * ```ts
 * import { encrypt, parseHeader, RawAesKeyring } from 'envelope-kit/core';
 * const keyring = new RawAesKeyring({ keyNamespace: 'my-app', keyName: 'notes-key', wrappingKey: crypto.getRandomValues(new Uint8Array(32)) });
 * const { ciphertext } = await encrypt(keyring, new TextEncoder().encode('hello'), { encryptionContext: { user: 'alice' } });
 * const header = parseHeader(ciphertext);
 * if (!header || header.suiteId !== 0x0578 || header.encryptionContext.user !== 'alice') throw new Error('unexpected header');
 * if (header.encryptedDataKeys[0]?.providerId !== 'my-app') throw new Error('unexpected data key provider');
 * // Too few bytes for the whole header: undefined, not an error (read more and try again).
 * if (parseHeader(ciphertext.subarray(0, 20)) !== undefined) throw new Error('a partial header parsed');
 * ```
 */
export function parseHeader(bytes: Uint8Array, options: ParseHeaderOptions = {}): MessageHeader | undefined {
  if (!(bytes instanceof Uint8Array)) throw typeError('bytes', 'a Uint8Array holding the start of a message');
  if (options === null || typeof options !== 'object') throw typeError('options', 'an object');
  const max = options.maxEncryptedDataKeys;
  if (max !== undefined && (!Number.isSafeInteger(max) || max < 1)) throw rangeError('options.maxEncryptedDataKeys', 'must be a positive integer');
  return readHeader(bytes, max === undefined ? {} : { maxEncryptedDataKeys: max })?.header;
}

function parse(r: Reader, options: ParseOptions): ParsedHeader {
  const version = r.u8();
  if (version !== 1 && version !== 2) {
    malformed(`unknown message format version ${version}; this is not an AWS Encryption SDK message`);
  }
  if (version === 1 && r.u8() !== TYPE_CUSTOMER_AED) malformed('unknown message type in a version 1 header');
  const suiteId = r.u16();
  const suite = findSuite(suiteId);
  if (!suite) throw new EnvelopeError(ErrorCode.UNSUPPORTED_SUITE, `the message uses unknown algorithm suite ${suiteHex(suiteId)}`);
  if (suite.messageVersion !== version) {
    malformed(`suite ${suiteHex(suiteId)} belongs to message format version ${suite.messageVersion}, not ${version}`);
  }
  const messageId = r.take(version === 1 ? 16 : 32);
  const aadLength = r.u16();
  const aad = r.take(aadLength);
  const encryptionContext = options.memo ? options.memo.context(aad) : parseContext(aad);
  const edkCount = r.u16();
  if (edkCount === 0) malformed('the message has no encrypted data keys');
  const max = options.maxEncryptedDataKeys;
  if (max !== undefined && edkCount > max) {
    throw new EnvelopeError(ErrorCode.LIMIT_EXCEEDED, `the message has ${edkCount} encrypted data keys; maxEncryptedDataKeys is ${max}`);
  }
  const encryptedDataKeys: EncryptedDataKey[] = [];
  for (let i = 0; i < edkCount; i++) {
    let providerId: string;
    try {
      const idBytes = r.take(r.u16());
      providerId = options.memo ? options.memo.providerId(idBytes) : fromUtf8(idBytes);
    } catch (error) {
      if (error instanceof NeedMoreBytes) throw error;
      malformed('an encrypted data key provider id is not valid UTF-8');
    }
    const providerInfo = r.take(r.u16()).slice();
    const ciphertext = r.take(r.u16()).slice();
    encryptedDataKeys.push(Object.freeze({ providerId, providerInfo, ciphertext }));
  }
  const contentTypeByte = r.u8();
  if (contentTypeByte !== CONTENT_TYPE_FRAMED && contentTypeByte !== CONTENT_TYPE_NON_FRAMED) {
    malformed(`unknown content type ${contentTypeByte}`);
  }
  if (version === 1) {
    const reserved = r.take(4);
    if (reserved.some((b) => b !== 0)) malformed('the reserved header field is not zero');
    if (r.u8() !== IV_LENGTH) malformed('the header IV length does not match the suite (12)');
  }
  const frameLength = r.u32();
  if (contentTypeByte === CONTENT_TYPE_FRAMED && frameLength === 0) malformed('a framed message has frame length 0');
  if (contentTypeByte === CONTENT_TYPE_NON_FRAMED && frameLength !== 0) malformed('a non-framed message has a non-zero frame length');
  const suiteData = version === 2 ? r.take(32).slice() : undefined;
  const bodyEnd = r.offset;
  const authIv = version === 1 ? r.take(IV_LENGTH) : new Uint8Array(IV_LENGTH);
  const authTag = r.take(TAG_LENGTH);
  const header: MessageHeader = Object.freeze({
    version,
    suiteId: suiteId as SuiteId,
    messageId: messageId.slice(),
    encryptionContext: Object.freeze(encryptionContext),
    encryptedDataKeys: Object.freeze(encryptedDataKeys),
    contentType: contentTypeByte === CONTENT_TYPE_FRAMED ? 'framed' : 'non-framed',
    frameLength,
    ...(suiteData ? { suiteData } : {}),
    headerLength: r.offset,
  } as MessageHeader);
  return { header, suite, body: r.bytes.subarray(0, bodyEnd), authIv, authTag };
}

/** Builds the public header object for a message this kit just encrypted. */
export function describeHeader(fields: HeaderFields, headerLength: number): MessageHeader {
  return Object.freeze({
    version: fields.suite.messageVersion,
    suiteId: fields.suite.id,
    messageId: fields.messageId.slice(),
    encryptionContext: Object.freeze({ ...fields.storedContext }),
    encryptedDataKeys: Object.freeze(fields.encryptedDataKeys.map((edk) => Object.freeze({ ...edk }))),
    contentType: 'framed',
    frameLength: fields.frameLength,
    ...(fields.commitKey ? { suiteData: fields.commitKey.slice() } : {}),
    headerLength,
  });
}
