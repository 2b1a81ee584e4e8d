/**
 * The raw AES keyring (spec: framework/raw-aes-keyring.md): wraps the data key with AES-GCM under
 * a wrapping key the application holds, binding the whole encryption context as AAD.
 * Provider info: key name | tag length in bits (4, = 128) | IV length (4, = 12) | IV (12).
 */
import type { Bytes, DecryptionMaterials, EncryptedDataKey, EncryptionMaterials, Keyring } from './types.js';
import { importAead, webCryptoAead, type AeadKey } from './aes-gcm.js';
import { bytesEqual, concat, randomBytes, startsWith, uint32, utf8, zero } from './bytes.js';
import { EnvelopeError, ErrorCode, rangeError, typeError } from './errors.js';
import { serializeContext } from './encryption-context.js';
import { findSuite } from './suites.js';

/**
 * Options of {@link RawAesKeyring}: the key's two names (which must match on decrypt) and the key
 * itself.
 */
export interface RawAesKeyringOptions {
  /** The provider id written into each encrypted data key; must not be `aws-kms`. */
  readonly keyNamespace: string;
  /** Names the wrapping key; written into the provider info. */
  readonly keyName: string;
  /** 16, 24 or 32 raw bytes (copied, imported non-extractable, then zeroed), or an AES-GCM CryptoKey. */
  readonly wrappingKey: Uint8Array | CryptoKey;
}

const TAG_BITS = 128;
const IV_LENGTH = 12;

/** Checks the two names every raw keyring has. */
export function checkKeyNames(options: { keyNamespace?: unknown; keyName?: unknown }, keyring: string): void {
  if (typeof options.keyNamespace !== 'string' || options.keyNamespace.length === 0) {
    throw typeError(`${keyring} options.keyNamespace`, 'a non-empty string');
  }
  if (typeof options.keyName !== 'string' || options.keyName.length === 0) throw typeError(`${keyring} options.keyName`, 'a non-empty string');
  if (options.keyNamespace === 'aws-kms' || options.keyNamespace.startsWith('aws-kms')) {
    throw rangeError(`${keyring} options.keyNamespace`, 'must not start with "aws-kms", which the AWS KMS keyrings use');
  }
}

/**
 * Wraps and unwraps data keys with a symmetric wrapping key the application holds, byte-compatible
 * with the AWS Encryption SDK's raw AES keyring (with UTF-8 context sorting). The wrapping key
 * bytes are copied and imported non-extractable; the caller's array is not changed. Decrypting
 * needs the same `keyNamespace`, `keyName` and key.
 *
 * @throws TypeError / RangeError (`code: 'INVALID_ARGUMENT'`) from the constructor: empty names, a
 *   namespace starting `aws-kms`, a key that is not 16, 24 or 32 bytes or an AES-GCM CryptoKey.
 *
 * @example
 * ```ts
 * import { encrypt, decrypt, RawAesKeyring } from 'envelope-kit/core';
 * const wrappingKey = crypto.getRandomValues(new Uint8Array(32)); // keep it safe: it decrypts every message
 * const keyring = new RawAesKeyring({ keyNamespace: 'my-app', keyName: 'notes-key', wrappingKey });
 * const { ciphertext } = await encrypt(keyring, new TextEncoder().encode('hello'), { encryptionContext: { purpose: 'demo' } });
 * // Another keyring with the same names and key (another process, a later day) decrypts.
 * const later = new RawAesKeyring({ keyNamespace: 'my-app', keyName: 'notes-key', wrappingKey });
 * const { plaintext } = await decrypt(later, ciphertext);
 * if (new TextDecoder().decode(plaintext) !== 'hello') throw new Error('round trip failed');
 * ```
 */
export class RawAesKeyring implements Keyring {
  readonly keyNamespace: string;
  readonly keyName: string;
  readonly #nameBytes: Bytes;
  readonly #key: Promise<AeadKey>;

  constructor(options: RawAesKeyringOptions) {
    if (options === null || typeof options !== 'object') throw typeError('RawAesKeyring options', 'an object');
    checkKeyNames(options, 'RawAesKeyring');
    this.keyNamespace = options.keyNamespace;
    this.keyName = options.keyName;
    this.#nameBytes = utf8(options.keyName);
    const { wrappingKey } = options;
    if (wrappingKey instanceof Uint8Array) {
      if (wrappingKey.length !== 16 && wrappingKey.length !== 24 && wrappingKey.length !== 32) {
        throw rangeError('RawAesKeyring options.wrappingKey', `must be 16, 24 or 32 bytes, not ${wrappingKey.length}`);
      }
      const copy = new Uint8Array(wrappingKey);
      this.#key = importAead(copy).finally(() => zero(copy));
    } else if (typeof CryptoKey !== 'undefined' && wrappingKey instanceof CryptoKey) {
      if (wrappingKey.algorithm.name !== 'AES-GCM') {
        throw typeError('RawAesKeyring options.wrappingKey', `an AES-GCM CryptoKey (got ${wrappingKey.algorithm.name})`);
      }
      this.#key = Promise.resolve(webCryptoAead(wrappingKey));
    } else {
      throw typeError('RawAesKeyring options.wrappingKey', 'a Uint8Array of 16, 24 or 32 bytes or an AES-GCM CryptoKey');
    }
    // Surface import failures at use, not as an unhandled rejection now.
    this.#key.catch(() => undefined);
  }

  async onEncrypt(materials: EncryptionMaterials): Promise<EncryptionMaterials> {
    const suite = findSuite(materials.suiteId)!;
    materials.plaintextDataKey ??= randomBytes(suite.keyLength);
    const iv = randomBytes(IV_LENGTH);
    const aad = serializeContext(materials.encryptionContext);
    let sealed: Bytes;
    try {
      sealed = await (await this.#key).encrypt(iv, materials.plaintextDataKey, aad);
    } catch (cause) {
      throw new EnvelopeError(ErrorCode.KEYRING_FAILURE, `RawAesKeyring ${this.keyNamespace}/${this.keyName} could not wrap the data key`, { cause });
    }
    materials.encryptedDataKeys.push({
      providerId: this.keyNamespace,
      providerInfo: concat([this.#nameBytes, uint32(TAG_BITS), uint32(IV_LENGTH), iv]),
      ciphertext: sealed,
    });
    return materials;
  }

  async onDecrypt(materials: DecryptionMaterials, encryptedDataKeys: readonly EncryptedDataKey[]): Promise<DecryptionMaterials> {
    if (materials.plaintextDataKey) return materials;
    const suite = findSuite(materials.suiteId)!;
    const aad = serializeContext(materials.encryptionContext);
    for (const edk of encryptedDataKeys) {
      const info = edk.providerInfo;
      const n = this.#nameBytes.length;
      if (edk.providerId !== this.keyNamespace || info.length !== n + 8 + IV_LENGTH || !startsWith(info, this.#nameBytes)) continue;
      if (!bytesEqual(info.subarray(n, n + 8), concat([uint32(TAG_BITS), uint32(IV_LENGTH)]))) continue;
      if (edk.ciphertext.length !== suite.keyLength + TAG_BITS / 8) continue;
      try {
        materials.plaintextDataKey = await (await this.#key).decrypt(info.subarray(n + 8), edk.ciphertext, aad);
        return materials;
      } catch {
        // Wrong key or altered context for this copy: try the next one (spec: raw-aes-keyring.md#ondecrypt).
      }
    }
    return materials;
  }
}
