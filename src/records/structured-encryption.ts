/**
 * Encrypt Item and Decrypt Item (spec: dynamodb-encryption-client/encrypt-item.md, decrypt-item.md)
 * over structured encryption (structured-encryption/encrypt-path-structure.md,
 * decrypt-path-structure.md), for items whose attributes are all at the top level, as DynamoDB
 * items are.
 *
 * Encrypt: serialize every attribute; build the item's base context (version 1, or 2 when an
 * attribute is SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT) whose keys are required (not stored); add
 * `aws-crypto-public-key` for 0x6701 (stored); wrap a data key; write the header with its legend
 * and commitment; encrypt the ENCRYPT_AND_SIGN attributes; hash the canonical record; tag it for
 * every EDK and sign it.
 * Decrypt: the same in reverse, checking in the specification's order: header parse and legend
 * against the signed attributes, data key (wrong key, table or key attribute fail here), header
 * commitment, footer tags and signature, then each encrypted attribute's AES-GCM tag.
 */
import type { Bytes, EncryptedDataKey, EncryptionContext, SigningKey } from '../core/types.js';
import { concat, constantTimeEqual, toBase64, uint64, utf8, zero } from '../core/bytes.js';
import { PUBLIC_KEY_CONTEXT_KEY, compareUtf8 } from '../core/encryption-context.js';
import { importVerificationKey, p1363ToDer, takeSigningKey, verifyMessage } from '../core/signature.js';
import { type AttributeValue, type Item, type Terminal, TypeId, deserializeAttribute, serializeAttribute, terminalText } from './attribute-values.js';
import { type TableConfig, type DbeSuiteId, RESERVED_ATTRIBUTE_PREFIX, isUnsignedAttribute } from './config.js';
import { ItemEncryptorError, ItemErrorCode, itemError } from './errors.js';
import {
  type CryptoAction,
  COMMITMENT_LENGTH,
  LEGEND_BYTE,
  MESSAGE_ID_LENGTH,
  actionOfLegendByte,
  canonicalPath,
  compareBytes,
  parseHeader,
  serializeHeaderContext,
  serializePartialHeader,
} from './header.js';
import { RECIPIENT_TAG_LENGTH, SIGNATURE_LENGTH, TAG_LENGTH, decryptField, encryptField, fieldKeys, fieldRootKey, headerCommitment, importDataKey, recipientTag, sha384 } from './crypt.js';
import { decryptionMaterials, encryptionMaterials } from './materials.js';

/**
 * The header attribute's name (encrypt-path-structure.md, "Header Field").
 *
 * @example
 * ```ts
 * const isEncrypted = HEADER_ATTRIBUTE in item && FOOTER_ATTRIBUTE in item;
 * ```
 */
export const HEADER_ATTRIBUTE = 'aws_dbe_head';
/** The footer attribute's name (encrypt-path-structure.md, "Footer Field"); see {@link HEADER_ATTRIBUTE}. */
export const FOOTER_ATTRIBUTE = 'aws_dbe_foot';

/** What `encryptItem` and `decryptItem` report of the header (encrypt-item.md, "Parsed Header"). */
export interface ParsedHeader {
  readonly algorithmSuiteId: DbeSuiteId;
  /** The action each signed attribute was written with (from the legend), DO_NOTHING for the rest. */
  readonly attributeActionsOnEncrypt: { readonly [attribute: string]: CryptoAction };
  readonly encryptedDataKeys: readonly EncryptedDataKey[];
  /** The context stored in the header. */
  readonly storedEncryptionContext: EncryptionContext;
  /** The full context: stored plus the item's base context. */
  readonly encryptionContext: EncryptionContext;
}

const PLAINTEXT = utf8('PLAINTEXT');
const ENCRYPTED = utf8('ENCRYPTED');
const TABLE_NAME_KEY = 'aws-crypto-table-name';
const PARTITION_NAME_KEY = 'aws-crypto-partition-name';
const SORT_NAME_KEY = 'aws-crypto-sort-name';
const ATTR_KEY_PREFIX = 'aws-crypto-attr.';
const LEGEND_KEY = 'aws-crypto-legend';

interface Field {
  readonly name: string;
  readonly path: Bytes;
  readonly terminal: Terminal;
  readonly action: CryptoAction;
}

function typeIdBytes(typeId: number): Bytes {
  return new Uint8Array([typeId >> 8, typeId & 0xff]);
}

/** Version 1 context value: base64 of type id | value ("Base Context Value Version 1"). */
function v1Value(terminal: Terminal): string {
  return toBase64(concat([typeIdBytes(terminal.typeId), terminal.value]));
}

/** Version 2 context value ("Base Context Value Version 2"). */
function v2Value(terminal: Terminal): string {
  switch (terminal.typeId) {
    case TypeId.S:
    case TypeId.N:
      return terminalText(terminal);
    case TypeId.NULL:
      return 'null';
    case TypeId.BOOL:
      return terminal.value[0] === 1 ? 'true' : 'false';
    default:
      return v1Value(terminal);
  }
}

function legendChar(typeId: number): string {
  if (typeId === TypeId.S) return 'S';
  if (typeId === TypeId.N) return 'N';
  if (typeId === TypeId.NULL || typeId === TypeId.BOOL) return 'L';
  return 'B';
}

/**
 * The item's context, every key of it required: the base context (encrypt-item.md, versions 1 and
 * 2) and, in version 2, one entry per SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT attribute plus
 * `aws-crypto-legend` (encrypt-path-structure.md, "Create New Encryption Context and CMM").
 */
function itemContext(config: TableConfig, version: 1 | 2, fields: readonly Field[]): EncryptionContext {
  const byName = new Map(fields.map((f) => [f.name, f]));
  const context: Record<string, string> = { [TABLE_NAME_KEY]: config.tableName, [PARTITION_NAME_KEY]: config.partitionKeyName };
  const pk = byName.get(config.partitionKeyName)!;
  const sk = config.sortKeyName === undefined ? undefined : byName.get(config.sortKeyName);
  if (sk) context[SORT_NAME_KEY] = config.sortKeyName!;
  if (version === 1) {
    context[ATTR_KEY_PREFIX + pk.name] = v1Value(pk.terminal);
    if (sk) context[ATTR_KEY_PREFIX + sk.name] = v1Value(sk.terminal);
    return context;
  }
  const included = fields.filter((f) => f.action === 'SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT').sort((a, b) => compareUtf8(a.name, b.name));
  for (const field of included) {
    const key = ATTR_KEY_PREFIX + field.name;
    if (Object.hasOwn(context, key)) throw itemError(ItemErrorCode.INVALID_ITEM, `attribute ${JSON.stringify(field.name)} maps to context key ${key}, which is taken`);
    context[key] = v2Value(field.terminal);
  }
  context[LEGEND_KEY] = included.map((f) => legendChar(f.terminal.typeId)).join('');
  return context;
}

function requireKeys(config: TableConfig, item: Item, operation: string): void {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) throw new TypeError(`${operation}: item must be an object of attribute names to AttributeValues`);
  for (const key of [config.partitionKeyName, config.sortKeyName]) {
    if (key !== undefined && item[key] === undefined) throw itemError(ItemErrorCode.INVALID_ITEM, `${operation}: the item has no key attribute ${JSON.stringify(key)}`);
  }
}

/** Canonical record hash (footer.md, "Canonical Record", "Hash Calculation"). */
async function canonicalHash(header: Uint8Array, context: EncryptionContext, signed: readonly Field[], stored: ReadonlyMap<string, Bytes>): Promise<Bytes> {
  const aad = serializeHeaderContext(context);
  const parts: Uint8Array[] = [header, uint64(aad.length), aad];
  for (const field of signed) {
    if (field.action === 'ENCRYPT_AND_SIGN') {
      const value = stored.get(field.name)!;
      parts.push(field.path, uint64(value.length - 2), ENCRYPTED, value);
    } else {
      parts.push(field.path, uint64(field.terminal.value.length), PLAINTEXT, typeIdBytes(field.terminal.typeId), field.terminal.value);
    }
  }
  return sha384(concat(parts));
}

/** The order of P-384's base point (SEC 2, secp384r1 `n`). */
const P384_N = BigInt('0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973');

function toBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  return value;
}

function toBytes48(value: bigint): Bytes {
  const out = new Uint8Array(48);
  for (let i = 47; i >= 0; i--, value >>= 8n) out[i] = Number(value & 0xffn);
  return out;
}

/**
 * ECDSA P-384 over the hash, DER, of exactly the 103 bytes the DB-ESDK's footer parser requires
 * (footer.dfy: SignatureSize): one of r and s with its top bit set (49 DER bytes), the other
 * without (48). (r, s) and (r, n - s) are the same signature to a verifier, and exactly one of s
 * and n - s has its top bit set, so choosing s fixes the length in one signing instead of re-signing
 * half of the items; only a leading zero byte (about 1 in 128) still needs another signing.
 */
async function sign(key: SigningKey, hash: Uint8Array): Promise<Bytes> {
  for (let attempt = 0; attempt < 64; attempt++) {
    const raw = new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-384' }, key.privateKey, hash as Bytes));
    const r = raw.subarray(0, 48);
    let s: Uint8Array = raw.subarray(48);
    if ((r[0]! & 0x80) === (s[0]! & 0x80)) s = toBytes48(P384_N - toBigInt(s));
    const der = p1363ToDer(concat([r, s]));
    if (der.length === SIGNATURE_LENGTH) return der;
  }
  throw new Error('could not produce a 103-byte ECDSA signature');
}

function sortedFields(fields: Field[]): Field[] {
  return fields.sort((a, b) => compareBytes(a.path, b.path));
}

/** Encrypts one item (encrypt-item.md). */
export async function encryptItem(config: TableConfig, item: Item): Promise<{ encryptedItem: Record<string, AttributeValue>; parsedHeader: ParsedHeader }> {
  requireKeys(config, item, 'encryptItem');
  const fields: Field[] = [];
  const unsignedAttributes: [string, AttributeValue][] = [];
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue;
    if (name.startsWith(RESERVED_ATTRIBUTE_PREFIX)) throw itemError(ItemErrorCode.INVALID_ITEM, `encryptItem: attribute ${JSON.stringify(name)} starts with the reserved prefix aws_dbe_`);
    const action = config.actions.get(name) ?? (isUnsignedAttribute(config, name) ? 'DO_NOTHING' : undefined);
    if (!action) throw itemError(ItemErrorCode.INVALID_ITEM, `encryptItem: attribute ${JSON.stringify(name)} has no action in attributeActionsOnEncrypt`);
    const terminal = serializeAttribute(value, `attribute ${JSON.stringify(name)}`);
    if (action === 'DO_NOTHING') unsignedAttributes.push([name, value]);
    else fields.push({ name, path: canonicalPath(config.tableName, name), terminal, action });
  }
  for (const [name, action] of config.actions) {
    if (action === 'SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT' && item[name] === undefined) {
      throw itemError(ItemErrorCode.INVALID_ITEM, `encryptItem: the item has no attribute ${JSON.stringify(name)}, which is SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT`);
    }
  }
  const signed = sortedFields(fields);
  const version = config.version;
  const required = itemContext(config, version, signed);
  const context: Record<string, string> = { ...required };
  // A fresh key per item; the core keeps one generated ahead, off this item's critical path.
  const signing = config.suiteId === 0x6701 ? await takeSigningKey('P-384') : undefined;
  if (signing) context[PUBLIC_KEY_CONTEXT_KEY] = signing.publicKeyBase64;
  const { dataKey, encryptedDataKeys, symmetricSigningKeys } = await encryptionMaterials(config.keyring, context, Object.keys(required));
  try {
    const ikm = await importDataKey(dataKey);
    const messageId = crypto.getRandomValues(new Uint8Array(MESSAGE_ID_LENGTH));
    const legend = new Uint8Array(signed.map((f) => LEGEND_BYTE[f.action as keyof typeof LEGEND_BYTE]));
    const storedContext: EncryptionContext = signing ? { [PUBLIC_KEY_CONTEXT_KEY]: signing.publicKeyBase64 } : {};
    const partial = serializePartialHeader({ version, flavor: config.suiteId === 0x6701 ? 1 : 0, messageId, legend, encryptionContext: storedContext, encryptedDataKeys });
    const [commitment, root] = await Promise.all([headerCommitment(ikm, messageId, partial), fieldRootKey(ikm, messageId)]);
    const header = concat([partial, commitment]);
    const stored = new Map<string, Bytes>();
    const encrypted = signed.filter((f) => f.action === 'ENCRYPT_AND_SIGN');
    const keys = await fieldKeys(root, encrypted.length, 'encrypt');
    const ciphertexts = await Promise.all(encrypted.map((f, ordinal) => encryptField(keys[ordinal]!, f.path, f.terminal.typeId, f.terminal.value)));
    encrypted.forEach((f, i) => stored.set(f.name, ciphertexts[i]!));
    const hash = await canonicalHash(header, context, signed, stored);
    const tags = await Promise.all(symmetricSigningKeys.map((key) => recipientTag(key, hash)));
    const footer = concat(signing ? [...tags, await sign(signing, hash)] : tags);
    const encryptedItem: Record<string, AttributeValue> = {};
    for (const field of signed) {
      const value = stored.get(field.name);
      encryptedItem[field.name] = value ? { B: value } : deserializeAttribute(field.terminal.typeId, field.terminal.value);
    }
    for (const [name, value] of unsignedAttributes) encryptedItem[name] = value;
    encryptedItem[HEADER_ATTRIBUTE] = { B: header };
    encryptedItem[FOOTER_ATTRIBUTE] = { B: footer };
    return { encryptedItem, parsedHeader: parsedHeader(config.suiteId, signed, unsignedAttributes.map(([n]) => n), encryptedDataKeys, storedContext, context) };
  } finally {
    zero(dataKey);
  }
}

function parsedHeader(
  suiteId: DbeSuiteId,
  signed: readonly Field[],
  unsigned: readonly string[],
  encryptedDataKeys: readonly EncryptedDataKey[],
  storedEncryptionContext: EncryptionContext,
  encryptionContext: EncryptionContext,
): ParsedHeader {
  const actions: Record<string, CryptoAction> = {};
  for (const f of signed) actions[f.name] = f.action;
  for (const name of unsigned) actions[name] = 'DO_NOTHING';
  return Object.freeze({ algorithmSuiteId: suiteId, attributeActionsOnEncrypt: actions, encryptedDataKeys, storedEncryptionContext, encryptionContext });
}

function binary(item: Item, name: string): Uint8Array {
  const value = item[name] as { B?: unknown } | undefined;
  if (!value) throw itemError(ItemErrorCode.MALFORMED_ITEM, `decryptItem: the item has no ${name} attribute; it was not encrypted by the DB-ESDK item format`);
  if (!(value.B instanceof Uint8Array) || Object.keys(value).some((k) => k !== 'B' && (value as Record<string, unknown>)[k] !== undefined)) {
    throw itemError(ItemErrorCode.MALFORMED_ITEM, `decryptItem: ${name} must be a binary (B) attribute`);
  }
  return value.B;
}

/** Decrypts one item (decrypt-item.md). */
export async function decryptItem(config: TableConfig, item: Item): Promise<{ plaintextItem: Record<string, AttributeValue>; parsedHeader: ParsedHeader }> {
  requireKeys(config, item, 'decryptItem');
  const headerBytes = binary(item, HEADER_ATTRIBUTE);
  const footerBytes = binary(item, FOOTER_ATTRIBUTE);
  const header = parseHeader(headerBytes);
  // The signature scope (decrypt-item.md): every attribute but the unsigned ones; beacons and
  // other aws_dbe_ attributes are the format's own and are dropped.
  const inScope: { name: string; path: Bytes; value: AttributeValue }[] = [];
  const unsignedAttributes: [string, AttributeValue][] = [];
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined || name.startsWith(RESERVED_ATTRIBUTE_PREFIX)) continue;
    if (isUnsignedAttribute(config, name)) unsignedAttributes.push([name, value]);
    else inScope.push({ name, path: canonicalPath(config.tableName, name), value });
  }
  inScope.sort((a, b) => compareBytes(a.path, b.path));
  if (inScope.length !== header.legend.length) {
    throw itemError(
      ItemErrorCode.SIGNED_ATTRIBUTES_MISMATCH,
      `decryptItem: the header signs ${header.legend.length} attribute(s) but the item has ${inScope.length} in the signature scope: an attribute was added or removed, or allowedUnsignedAttributes differs from the writer's`,
    );
  }
  const signed: Field[] = inScope.map((f, i) => {
    const action = actionOfLegendByte(header.legend[i]!);
    if (action === 'ENCRYPT_AND_SIGN') {
      const stored = (f.value as { B?: unknown }).B;
      if (!(stored instanceof Uint8Array) || stored.length < 2 + TAG_LENGTH) throw itemError(ItemErrorCode.MALFORMED_ITEM, `decryptItem: encrypted attribute ${JSON.stringify(f.name)} is not a binary value of at least 18 bytes`);
      return { name: f.name, path: f.path, terminal: { typeId: TypeId.B, value: stored as Bytes }, action };
    }
    return { name: f.name, path: f.path, terminal: serializeAttribute(f.value, `attribute ${JSON.stringify(f.name)}`), action };
  });
  const required = itemContext(config, header.version, signed);
  const context: Record<string, string> = { ...header.encryptionContext };
  for (const [key, value] of Object.entries(required)) {
    if (Object.hasOwn(context, key) && context[key] !== value) throw itemError(ItemErrorCode.ENCRYPTION_CONTEXT_MISMATCH, `decryptItem: the header stores context key ${key} with another value than the item gives`);
    context[key] = value;
  }
  const suiteId: DbeSuiteId = header.flavor === 1 ? 0x6701 : 0x6700;
  const publicKey = context[PUBLIC_KEY_CONTEXT_KEY];
  if ((suiteId === 0x6701) !== (publicKey !== undefined)) {
    throw itemError(ItemErrorCode.MALFORMED_ITEM, `decryptItem: suite 0x${suiteId.toString(16)} ${publicKey === undefined ? 'needs' : 'must not have'} an aws-crypto-public-key in the header`);
  }
  // The canonical hash and the verification key need no key material: computed while the keyring works.
  const stored = new Map<string, Bytes>();
  for (const f of signed) if (f.action === 'ENCRYPT_AND_SIGN') stored.set(f.name, f.terminal.value);
  const hashing = canonicalHash(headerBytes, context, signed, stored);
  const verifying =
    suiteId === 0x6701
      ? importVerificationKey('P-384', publicKey!).catch((cause) => {
          throw itemError(ItemErrorCode.MALFORMED_ITEM, 'decryptItem: aws-crypto-public-key is not a P-384 point', cause);
        })
      : undefined;
  // both are awaited below, or dropped with the keyring's failure: keep that rejection unhandled-free
  hashing.catch(() => undefined);
  verifying?.catch(() => undefined);
  const { dataKey, symmetricSigningKey } = await decryptionMaterials(config.keyring, context, Object.keys(required), header.encryptedDataKeys);
  try {
    const ikm = await importDataKey(dataKey);
    const [commitment, root] = await Promise.all([headerCommitment(ikm, header.messageId, header.partial), fieldRootKey(ikm, header.messageId)]);
    if (!constantTimeEqual(commitment, header.commitment.subarray(0, COMMITMENT_LENGTH))) {
      throw itemError(ItemErrorCode.COMMITMENT_MISMATCH, 'decryptItem: the header commitment does not match: aws_dbe_head was changed');
    }
    // footer.dfy DeserializeFooter: tags, then exactly one 103-byte signature when signed
    const signatureLength = suiteId === 0x6701 ? SIGNATURE_LENGTH : 0;
    const tagBytes = footerBytes.length - signatureLength;
    if (tagBytes < RECIPIENT_TAG_LENGTH || tagBytes % RECIPIENT_TAG_LENGTH !== 0 || tagBytes / RECIPIENT_TAG_LENGTH !== header.encryptedDataKeys.length) {
      throw itemError(ItemErrorCode.MALFORMED_ITEM, `decryptItem: aws_dbe_foot is ${footerBytes.length} bytes; expected one 48-byte tag per encrypted data key${signatureLength ? ' and a 103-byte signature' : ''}`);
    }
    const hash = await hashing;
    const expected = await recipientTag(symmetricSigningKey, hash);
    let matched = false;
    for (let offset = 0; offset < tagBytes; offset += RECIPIENT_TAG_LENGTH) {
      if (constantTimeEqual(expected, footerBytes.subarray(offset, offset + RECIPIENT_TAG_LENGTH))) matched = true;
    }
    if (!matched) throw itemError(ItemErrorCode.SIGNATURE_INVALID, 'decryptItem: no recipient tag matches: a signed attribute was changed, swapped, added or removed');
    if (suiteId === 0x6701) {
      const key = (await verifying)!;
      if (!(await verifyMessage(key, 'P-384', 'SHA-384', footerBytes.subarray(tagBytes), hash))) {
        throw itemError(ItemErrorCode.SIGNATURE_INVALID, 'decryptItem: the ECDSA signature does not verify: the item was changed');
      }
    }
    const encrypted = signed.filter((f) => f.action === 'ENCRYPT_AND_SIGN');
    const keys = await fieldKeys(root, encrypted.length, 'decrypt');
    const plain = await Promise.all(
      encrypted.map((f, ordinal) =>
        decryptField(keys[ordinal]!, f.path, f.terminal.value).catch((cause) => {
          throw itemError(ItemErrorCode.INTEGRITY_FAILURE, `decryptItem: encrypted attribute ${JSON.stringify(f.name)} did not authenticate`, cause);
        }),
      ),
    );
    const decrypted = new Map(encrypted.map((f, i) => [f.name, plain[i]!]));
    const plaintextItem: Record<string, AttributeValue> = {};
    for (const field of signed) {
      const terminal = decrypted.get(field.name) ?? field.terminal;
      plaintextItem[field.name] = deserializeAttribute(terminal.typeId, terminal.value, `attribute ${JSON.stringify(field.name)}`);
    }
    for (const [name, value] of unsignedAttributes) plaintextItem[name] = value;
    return { plaintextItem, parsedHeader: parsedHeader(suiteId, signed, unsignedAttributes.map(([n]) => n), header.encryptedDataKeys, header.encryptionContext, context) };
  } catch (error) {
    if (error instanceof ItemEncryptorError) throw error;
    throw itemError(ItemErrorCode.MALFORMED_ITEM, `decryptItem: ${(error as Error)?.message ?? error}`, error);
  } finally {
    zero(dataKey);
  }
}
