/**
 * The hierarchical keyring's cryptography (spec: framework/aws-kms/aws-kms-hierarchical-keyring.md),
 * kept apart from the keyring so the byte layout can be tested on its own.
 *
 * Wrapping ("Branch Key Wrapping"): for every data key,
 *   derivedBranchKey = KDF in counter mode (NIST SP 800-108r1), PRF HMAC-SHA-256, key = branch key,
 *                      label = "aws-kms-hierarchy", context = salt (16 random bytes), L = 256 bits;
 *   sealed           = AES-256-GCM(derivedBranchKey, IV = 12 random bytes, AAD, data key), 16-byte tag;
 *   AAD              = "aws-kms-hierarchy" | branch key id (UTF-8) | version (16 bytes) | serialized context
 *                      ("Branch Key Wrapping and Unwrapping AAD");
 *   EDK ciphertext   = salt (16) | IV (12) | version (16) | encrypted key | tag (16)   ("Ciphertext").
 *
 * The specification names the KDF but not its byte encoding; SP 800-108's counter mode with the
 * fixed input `[i]_32 | Label | 0x00 | Context | [L]_32` is what every ESDK implementation computes
 * (the MPL's KdfCtr.dfy, the JS SDK's kdf-ctr-mode-node): one HMAC block, since L = 256 = the PRF's
 * output length, so
 *   derivedBranchKey = HMAC-SHA-256(branchKey, 00000001 | "aws-kms-hierarchy" | 00 | salt | 00000100).
 * "version as Bytes" is the UUID's 16 bytes (the 32 hex digits without dashes), in the ciphertext and
 * in the AAD alike ("The branch key version is a UUID ... yields 16 bytes").
 */
import type { Bytes, EncryptionContext } from './types.js';
import { webCryptoAead } from './aes-gcm.js';
import { concat, randomBytes, utf8, zero } from './bytes.js';
import { serializeContext } from './encryption-context.js';
import { cacheIdentifier } from './materials-cache.js';
import { rangeError } from './arguments.js';

/**
 * The provider id of the hierarchical keyring's encrypted data keys.
 *
 * @example
 * ```ts
 * const branchKeyIds = parseHeader(message)!.encryptedDataKeys
 *   .filter((edk) => edk.providerId === HIERARCHY_PROVIDER_ID)
 *   .map((edk) => new TextDecoder().decode(edk.providerInfo));
 * ```
 */
export const HIERARCHY_PROVIDER_ID = 'aws-kms-hierarchy';
const PROVIDER_ID_BYTES = utf8(HIERARCHY_PROVIDER_ID);
/** The KDF label is the provider id again ("Use the UTF8 Encoded value "aws-kms-hierarchy" as the label"). */
const KDF_LABEL = PROVIDER_ID_BYTES;

export const SALT_LENGTH = 16;
export const IV_LENGTH = 12;
export const VERSION_LENGTH = 16;
export const TAG_LENGTH = 16;
/** Bytes of an EDK ciphertext besides the encrypted key itself. */
export const CIPHERTEXT_OVERHEAD = SALT_LENGTH + IV_LENGTH + VERSION_LENGTH + TAG_LENGTH;

const subtle = (): SubtleCrypto => globalThis.crypto.subtle;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The 16 bytes of a UUID string; undefined when `uuid` is not one (36 characters, hex and dashes). */
export function uuidToBytes(uuid: string): Bytes | undefined {
  if (!UUID.test(uuid)) return undefined;
  const hex = uuid.replace(/-/g, '');
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** The lower-case UUID string of 16 bytes (the form CreateKey and VersionKey store). */
export function bytesToUuid(bytes: Uint8Array): string {
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Imports 32 branch key bytes as the non-extractable HMAC-SHA-256 key the KDF needs. The caller
 * zeroes `bytes` afterwards; from here on the branch key exists only inside WebCrypto.
 */
export function importBranchKey(bytes: Uint8Array): Promise<CryptoKey> {
  return subtle().importKey('raw', bytes as Bytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
}

/** [1]_32 | label | 0x00: the KDF input before the salt. */
const KDF_PREFIX = concat([new Uint8Array([0, 0, 0, 1]), KDF_LABEL, new Uint8Array([0])]);
/** [L]_32 with L = 256 bits: the KDF input after the salt. */
const KDF_SUFFIX = new Uint8Array([0, 0, 1, 0]);

/** The KDF's fixed input for one 256-bit block: [1]_32 | label | 0x00 | salt | [256]_32. */
export function kdfInput(salt: Uint8Array): Bytes {
  const input = new Uint8Array(KDF_PREFIX.length + salt.length + KDF_SUFFIX.length);
  input.set(KDF_PREFIX);
  input.set(salt, KDF_PREFIX.length);
  input.set(KDF_SUFFIX, KDF_PREFIX.length + salt.length);
  return input;
}

/**
 * derivedBranchKey for one salt, as a non-extractable AES-256-GCM key (by default for encrypt and
 * decrypt; `unwrapKey` for {@link unwrapDerivationKey}); the raw bytes are zeroed.
 */
export async function deriveWrappingKey(branchKey: CryptoKey, salt: Uint8Array, usages: KeyUsage[] = ['encrypt', 'decrypt']): Promise<CryptoKey> {
  const derived = new Uint8Array(await subtle().sign('HMAC', branchKey, kdfInput(salt)));
  try {
    return await subtle().importKey('raw', derived, 'AES-GCM', false, usages);
  } finally {
    zero(derived);
  }
}

/** The wrapping AAD: "aws-kms-hierarchy" | branch key id | version (16 bytes) | serialized context. */
export function wrappingAad(branchKeyId: string | Uint8Array, version: Uint8Array, encryptionContext: EncryptionContext | Uint8Array): Bytes {
  const id = typeof branchKeyId === 'string' ? utf8(branchKeyId) : branchKeyId;
  const context = encryptionContext instanceof Uint8Array ? encryptionContext : serializeContext(encryptionContext);
  return concat([PROVIDER_ID_BYTES, id, version, context]);
}

/** What {@link wrapDataKey} needs. `salt` and `iv` exist for known-answer tests only. */
export interface WrapInput {
  readonly branchKey: CryptoKey;
  readonly branchKeyId: string;
  /** The branch key version as a UUID string. */
  readonly branchKeyVersion: string;
  readonly dataKey: Uint8Array;
  readonly encryptionContext: EncryptionContext;
  readonly salt?: Uint8Array;
  readonly iv?: Uint8Array;
}

/**
 * Wraps a data key into `out` at `offset` (salt | IV | version | encrypted key | tag), with the
 * salt and IV already there: what a batch does, its AAD made once ({@link wrappingAad}). One async
 * step per WebCrypto call (HMAC, importKey, AES-GCM), as {@link wrapDataKey} computes them.
 */
export async function wrapDataKeyInto(branchKey: CryptoKey, version: Uint8Array, aad: Uint8Array, dataKey: Uint8Array, out: Uint8Array, offset: number): Promise<void> {
  const ivAt = offset + SALT_LENGTH;
  const derived = new Uint8Array(await subtle().sign('HMAC', branchKey, kdfInput(out.subarray(offset, ivAt))));
  let key: CryptoKey;
  try {
    key = await subtle().importKey('raw', derived, 'AES-GCM', false, ['encrypt']);
  } finally {
    zero(derived);
  }
  out.set(version, ivAt + IV_LENGTH);
  const params = { name: 'AES-GCM', iv: out.subarray(ivAt, ivAt + IV_LENGTH) as Bytes, additionalData: aad as Bytes, tagLength: 128 };
  out.set(new Uint8Array(await subtle().encrypt(params, key, dataKey as Bytes)), ivAt + IV_LENGTH + VERSION_LENGTH);
}

/** Wraps a data key: returns the EDK ciphertext salt | IV | version | encrypted key | tag. */
export async function wrapDataKey(input: WrapInput): Promise<Bytes> {
  const version = uuidToBytes(input.branchKeyVersion);
  if (!version) throw rangeError('branch', `key version ${JSON.stringify(input.branchKeyVersion)} is not a UUID; the hierarchical keyring stores versions as 16 bytes`);
  const salt = input.salt ?? randomBytes(SALT_LENGTH);
  const iv = input.iv ?? randomBytes(IV_LENGTH);
  if (salt.length !== SALT_LENGTH || iv.length !== IV_LENGTH) throw rangeError('salt', 'must be 16 bytes and iv 12 bytes');
  const key = webCryptoAead(await deriveWrappingKey(input.branchKey, salt));
  const sealed = await key.encrypt(iv, input.dataKey, wrappingAad(input.branchKeyId, version, input.encryptionContext));
  return concat([salt, iv, version, sealed]);
}

/** The fields of an EDK ciphertext ("Branch Key Unwrapping", steps 1-5). */
export interface WrappedDataKey {
  readonly salt: Uint8Array;
  readonly iv: Uint8Array;
  readonly version: Uint8Array;
  /** Encrypted key followed by its tag, as AES-GCM decryption takes them. */
  readonly sealed: Uint8Array;
}

/** Splits an EDK ciphertext; undefined unless it is exactly 60 + `keyLength` bytes. */
export function parseWrappedDataKey(ciphertext: Uint8Array, keyLength: number): WrappedDataKey | undefined {
  if (ciphertext.length !== CIPHERTEXT_OVERHEAD + keyLength) return undefined;
  const ivAt = SALT_LENGTH;
  const versionAt = ivAt + IV_LENGTH;
  const sealedAt = versionAt + VERSION_LENGTH;
  return {
    salt: ciphertext.subarray(0, ivAt),
    iv: ciphertext.subarray(ivAt, versionAt),
    version: ciphertext.subarray(versionAt, sealedAt),
    sealed: ciphertext.subarray(sealedAt),
  };
}

/** Unwraps with the branch key of the EDK's version; rejects when the tag does not verify. */
export async function unwrapDataKey(
  branchKey: CryptoKey,
  branchKeyId: string,
  wrapped: WrappedDataKey,
  encryptionContext: EncryptionContext,
): Promise<Bytes> {
  const key = webCryptoAead(await deriveWrappingKey(branchKey, wrapped.salt));
  return key.decrypt(wrapped.iv, wrapped.sealed, wrappingAad(branchKeyId, wrapped.version, encryptionContext));
}

/**
 * Unwraps straight into the message key derivation: the data key becomes a non-extractable HKDF
 * key inside WebCrypto (`unwrapKey`), its bytes never in JavaScript. `aad` is
 * {@link wrappingAad} of the EDK's version. Rejects when the tag does not verify.
 */
export async function unwrapDerivationKey(branchKey: CryptoKey, wrapped: WrappedDataKey, aad: Uint8Array): Promise<CryptoKey> {
  const derived = new Uint8Array(await subtle().sign('HMAC', branchKey, kdfInput(wrapped.salt)));
  let key: CryptoKey;
  try {
    key = await subtle().importKey('raw', derived, 'AES-GCM', false, ['unwrapKey']);
  } finally {
    zero(derived);
  }
  const params = { name: 'AES-GCM', iv: wrapped.iv as Bytes, additionalData: aad as Bytes, tagLength: 128 };
  return subtle().unwrapKey('raw', wrapped.sealed as Bytes, key, params, 'HKDF', false, ['deriveBits', 'deriveKey']);
}

/**
 * The hierarchical keyring's cache entry identifiers (spec: "Appendix A: Cache Entry Identifier
 * Formulas"): SHA-384 of 0x02 | 0x00 | scope | 0x00 | partition id | 0x00 | logical key store name |
 * 0x00 | branch key id [| 0x00 | version (UTF-8, 36 bytes)], scope 0x01 for encrypt, 0x02 for decrypt.
 * Returned as lower-case hex.
 */
export function hierarchyCacheId(partitionId: Uint8Array, logicalKeyStoreName: string, branchKeyId: string, version?: string): Promise<string> {
  const parts: Uint8Array[] = [new Uint8Array([0x02, 0x00, version === undefined ? 0x01 : 0x02, 0x00]), partitionId, new Uint8Array([0]), utf8(logicalKeyStoreName), new Uint8Array([0]), utf8(branchKeyId)];
  if (version !== undefined) parts.push(new Uint8Array([0]), utf8(version));
  return cacheIdentifier(concat(parts));
}
