/**
 * The cryptography of structured encryption, each step with its specification section:
 *
 * - Commit key (header.md, "Commit Key"): HKDF-SHA-512(data key, no salt, "AWS_DBE_COMMIT_KEY" | message id), 32 bytes;
 *   commitment = HMAC-SHA-512(commit key, partial header)[0..32]. The specification's text says
 *   HmacSha384, but the DB-ESDK computes it with the suite's commit KDF hash (Header.dfy,
 *   CalculateHeaderCommitment: `alg.commitment.HKDF.hmac`), SHA-512, and every vector agrees.
 * - Field root key (encrypt-path-structure.md, "Calculate Cipherkey and Nonce"):
 *   HKDF-SHA-512(data key, no salt, "AWS_DBE_DERIVE_KEY" | message id), 32 bytes.
 * - Field key of the i-th encrypted attribute (canonical path order): the first 44 bytes of the
 *   AES-256-CTR keystream under the root key from the counter block "AwsDbeField" | 0x2c | uint32(3 i):
 *   bytes 0..32 are the AES-256-GCM key, 32..44 the nonce. Each field uses 3 blocks, hence 3 i.
 * - Field encryption: AES-256-GCM with the attribute's canonical path as AAD; stored as
 *   original type id (2) | ciphertext | tag (16), type B.
 * - Intermediate key wrapping (MPL algorithm-suites.md, "Intermediate Key Wrapping"): a keyring wraps
 *   a random intermediate key; from it HKDF-SHA-512 (no salt) derives the symmetric signing key
 *   (info "AWS_MPL_INTERMEDIATE_KEYWRAP_MAC") and a key encryption key ("..._ENC"), 32 bytes each;
 *   the data key is sealed under the latter with AES-256-GCM, IV 0, AAD the serialized context.
 *   EDK ciphertext = sealed data key (48) | the keyring's wrapped intermediate key.
 * - Footer (footer.md): recipient tag = HMAC-SHA-384(symmetric signing key, canonical hash);
 *   signature = ECDSA P-384 with SHA-384 over the canonical hash, DER.
 */
import type { Bytes } from '../core/types.js';
import { concat, uint32, utf8 } from '../core/bytes.js';

const subtle = (): SubtleCrypto => globalThis.crypto.subtle;
const NO_SALT = new Uint8Array(0);

const COMMIT_KEY_INFO = utf8('AWS_DBE_COMMIT_KEY');
const DERIVE_KEY_INFO = utf8('AWS_DBE_DERIVE_KEY');
const KEYWRAP_MAC_INFO = utf8('AWS_MPL_INTERMEDIATE_KEYWRAP_MAC');
const KEYWRAP_ENC_INFO = utf8('AWS_MPL_INTERMEDIATE_KEYWRAP_ENC');
const FIELD_NONCE_PREFIX = concat([utf8('AwsDbeField'), new Uint8Array([44])]);
const ZERO_IV = new Uint8Array(12);

/** The key length of the DB-ESDK suites' AES-256-GCM (and of data and intermediate keys). */
export const KEY_LENGTH = 32;
/** The AES-GCM tag length. */
export const TAG_LENGTH = 16;
/** The sealed data key at the start of every EDK ciphertext (key + tag). */
export const SEALED_DATA_KEY_LENGTH = KEY_LENGTH + TAG_LENGTH;
/** A recipient tag: the whole HMAC-SHA-384. */
export const RECIPIENT_TAG_LENGTH = 48;
/** The DER ECDSA P-384 signature length the DB-ESDK writes and requires (footer.dfy: SignatureSize). */
export const SIGNATURE_LENGTH = 103;

async function hkdfImport(ikm: Uint8Array): Promise<CryptoKey> {
  return subtle().importKey('raw', ikm as Bytes, 'HKDF', false, ['deriveBits', 'deriveKey']);
}

function hkdfParams(info: Uint8Array): HkdfParams {
  return { name: 'HKDF', hash: 'SHA-512', salt: NO_SALT, info: info as Bytes };
}

/** The data key as an HKDF key (imported once per item; the bytes can then be zeroed). */
export function importDataKey(dataKey: Uint8Array): Promise<CryptoKey> {
  return hkdfImport(dataKey);
}

/** The header commitment over `partial` (header.md, "Commitment Calculation"). */
export async function headerCommitment(dataKey: CryptoKey, messageId: Uint8Array, partial: Uint8Array): Promise<Bytes> {
  const commitKey = await subtle().deriveKey(hkdfParams(concat([COMMIT_KEY_INFO, messageId])), dataKey, { name: 'HMAC', hash: 'SHA-512', length: 256 }, false, ['sign']);
  const mac = new Uint8Array(await subtle().sign('HMAC', commitKey, partial as Bytes));
  return mac.slice(0, 32);
}

/** The field root key, as the AES-CTR key that produces the field keys' keystream. */
export function fieldRootKey(dataKey: CryptoKey, messageId: Uint8Array): Promise<CryptoKey> {
  return subtle().deriveKey(hkdfParams(concat([DERIVE_KEY_INFO, messageId])), dataKey, { name: 'AES-CTR', length: 256 }, false, ['encrypt']);
}

/** Key and nonce of one encrypted attribute. */
export interface FieldKey {
  readonly key: CryptoKey;
  readonly nonce: Bytes;
}

/**
 * The keys and nonces of the first `count` encrypted attributes. Field i's 44 bytes start at
 * counter block 3 i, so one keystream from block 0 holds them all: one AES-CTR call per item.
 */
export async function fieldKeys(root: CryptoKey, count: number, usage: KeyUsage): Promise<FieldKey[]> {
  if (!Number.isInteger(count) || count < 0 || count >= 1431655765) throw new RangeError('too many encrypted attributes');
  if (count === 0) return [];
  const counter = concat([FIELD_NONCE_PREFIX, uint32(0)]);
  // The counter's low 32 bits are the offset, so only they increment (WebCrypto's `length`).
  const stream = new Uint8Array(await subtle().encrypt({ name: 'AES-CTR', counter, length: 32 }, root, new Uint8Array(48 * count)));
  try {
    return await Promise.all(
      Array.from({ length: count }, async (_, i) => ({
        key: await subtle().importKey('raw', stream.subarray(48 * i, 48 * i + 32), 'AES-GCM', false, [usage]),
        nonce: stream.slice(48 * i + 32, 48 * i + 44),
      })),
    );
  } finally {
    stream.fill(0);
  }
}

/** Encrypts one attribute's serialized value; returns type id (2) | ciphertext | tag. */
export async function encryptField(field: FieldKey, path: Uint8Array, typeId: number, value: Uint8Array): Promise<Bytes> {
  const sealed = new Uint8Array(await subtle().encrypt({ name: 'AES-GCM', iv: field.nonce, additionalData: path as Bytes, tagLength: 128 }, field.key, value as Bytes));
  const out = new Uint8Array(2 + sealed.length);
  out[0] = typeId >> 8;
  out[1] = typeId & 0xff;
  out.set(sealed, 2);
  return out;
}

/** Decrypts one attribute; rejects when the tag does not verify. Returns the type id and value. */
export async function decryptField(field: FieldKey, path: Uint8Array, stored: Uint8Array): Promise<{ typeId: number; value: Bytes }> {
  const value = new Uint8Array(await subtle().decrypt({ name: 'AES-GCM', iv: field.nonce, additionalData: path as Bytes, tagLength: 128 }, field.key, stored.subarray(2) as Bytes));
  return { typeId: (stored[0]! << 8) | stored[1]!, value };
}

/** The two keys intermediate key wrapping derives from one intermediate key. */
export interface IntermediateKeys {
  /** AES-256-GCM key that seals the data key. */
  readonly keyEncryptionKey: CryptoKey;
  /** HMAC-SHA-384 key of this EDK's recipient tag. */
  readonly symmetricSigningKey: CryptoKey;
}

/** Derives the key encryption key and the symmetric signing key from an intermediate key. */
export async function deriveIntermediateKeys(intermediateKey: Uint8Array): Promise<IntermediateKeys> {
  const ikm = await hkdfImport(intermediateKey);
  const [keyEncryptionKey, symmetricSigningKey] = await Promise.all([
    subtle().deriveKey(hkdfParams(KEYWRAP_ENC_INFO), ikm, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']),
    subtle().deriveKey(hkdfParams(KEYWRAP_MAC_INFO), ikm, { name: 'HMAC', hash: 'SHA-384', length: 256 }, false, ['sign', 'verify']),
  ]);
  return { keyEncryptionKey, symmetricSigningKey };
}

/** Seals the data key under a key encryption key (IV 0, AAD the serialized context): 48 bytes. */
export async function sealDataKey(keyEncryptionKey: CryptoKey, dataKey: Uint8Array, aad: Uint8Array): Promise<Bytes> {
  return new Uint8Array(await subtle().encrypt({ name: 'AES-GCM', iv: ZERO_IV, additionalData: aad as Bytes, tagLength: 128 }, keyEncryptionKey, dataKey as Bytes));
}

/** Opens a sealed data key; rejects when it does not authenticate. */
export async function openDataKey(keyEncryptionKey: CryptoKey, sealed: Uint8Array, aad: Uint8Array): Promise<Bytes> {
  return new Uint8Array(await subtle().decrypt({ name: 'AES-GCM', iv: ZERO_IV, additionalData: aad as Bytes, tagLength: 128 }, keyEncryptionKey, sealed as Bytes));
}

/** A recipient tag: HMAC-SHA-384 of the canonical hash. */
export async function recipientTag(symmetricSigningKey: CryptoKey, canonicalHash: Uint8Array): Promise<Bytes> {
  return new Uint8Array(await subtle().sign('HMAC', symmetricSigningKey, canonicalHash as Bytes));
}

/** SHA-384 of the canonical record. */
export async function sha384(bytes: Uint8Array): Promise<Bytes> {
  return new Uint8Array(await subtle().digest('SHA-384', bytes as Bytes));
}
