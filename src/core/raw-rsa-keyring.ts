/**
 * The raw RSA keyring (spec: framework/raw-rsa-keyring.md): wraps the data key with RSA-OAEP.
 * Provider id is the key namespace, provider info the key name. WebCrypto has no
 * RSAES-PKCS1-v1_5, so that padding is refused, as the AWS Encryption SDK's browser client does.
 */
import type { Bytes, DecryptionMaterials, EncryptedDataKey, EncryptionMaterials, Keyring } from './types.js';
import { bytesEqual, fromBase64, randomBytes, utf8 } from './bytes.js';
import { EnvelopeError, ErrorCode, argumentError, typeError } from './errors.js';
import { checkKeyNames } from './raw-aes-keyring.js';
import { findSuite } from './suites.js';

/**
 * RSA-OAEP paddings a {@link RawRsaKeyring} supports (spec: framework/raw-rsa-keyring.md). PKCS#1
 * v1.5 is not among them: WebCrypto has no RSAES-PKCS1-v1_5.
 */
export type RsaPadding = 'OAEP-SHA1' | 'OAEP-SHA256' | 'OAEP-SHA384' | 'OAEP-SHA512';

const OAEP_HASH: Record<RsaPadding, string> = {
  'OAEP-SHA1': 'SHA-1',
  'OAEP-SHA256': 'SHA-256',
  'OAEP-SHA384': 'SHA-384',
  'OAEP-SHA512': 'SHA-512',
};

/**
 * Options of {@link RawRsaKeyring}. Give `publicKey` to encrypt, `privateKey` to decrypt, or both.
 */
export interface RawRsaKeyringOptions {
  /** The provider id written into each encrypted data key; must not start with `aws-kms`. */
  readonly keyNamespace: string;
  /** Names the key pair; written as the provider info. Must match on decrypt. */
  readonly keyName: string;
  /** RSA-OAEP public key (CryptoKey) or an SPKI PEM (`-----BEGIN PUBLIC KEY-----`); needed to encrypt. */
  readonly publicKey?: CryptoKey | string;
  /** RSA-OAEP private key (CryptoKey) or a PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`); needed to decrypt. */
  readonly privateKey?: CryptoKey | string;
  /** The OAEP hash; a CryptoKey's own hash must match it. Same value on encrypt and decrypt. */
  readonly padding: RsaPadding;
}

function pemBody(pem: string, label: string, argument: string): Bytes {
  const match = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+)-----END ${label}-----`).exec(pem);
  const der = match ? fromBase64(match[1]!.replace(/\s+/g, '')) : undefined;
  if (!der) throw typeError(argument, `a CryptoKey or a PEM string with a "${label}" block`);
  return der;
}

async function importRsa(key: CryptoKey | string, kind: 'public' | 'private', hash: string, argument: string): Promise<CryptoKey> {
  const subtle = globalThis.crypto.subtle;
  if (typeof key === 'string') {
    const der = pemBody(key, kind === 'public' ? 'PUBLIC KEY' : 'PRIVATE KEY', argument);
    const format = kind === 'public' ? 'spki' : 'pkcs8';
    try {
      return await subtle.importKey(format, der, { name: 'RSA-OAEP', hash }, false, [kind === 'public' ? 'encrypt' : 'decrypt']);
    } catch (cause) {
      throw argumentError(argument, `is not an RSA ${kind} key in ${format.toUpperCase()} form`, { cause });
    }
  }
  if (typeof CryptoKey === 'undefined' || !(key instanceof CryptoKey) || key.type !== kind) {
    throw typeError(argument, `an RSA-OAEP ${kind} CryptoKey or PEM string`);
  }
  const algorithm = key.algorithm as RsaHashedKeyAlgorithm;
  if (algorithm.name !== 'RSA-OAEP' || algorithm.hash?.name !== hash) {
    throw typeError(argument, `an RSA-OAEP key with hash ${hash} to match the padding (got ${algorithm.name}/${algorithm.hash?.name})`);
  }
  return key;
}

/**
 * Wraps and unwraps data keys with an RSA key pair (RSA-OAEP), byte-compatible with the AWS
 * Encryption SDK's raw RSA keyring. Give only `publicKey` to encrypt for someone else; only the
 * holder of `privateKey` decrypts. PKCS#1 v1.5 padding is not available (WebCrypto lacks it).
 *
 * @throws TypeError / RangeError (`code: 'INVALID_ARGUMENT'`) from the constructor: bad names, an
 *   unknown padding, neither key, a key that is not RSA-OAEP with the padding's hash; a PEM that
 *   does not import rejects the first encrypt or decrypt with a TypeError naming the option.
 * @throws {@link EnvelopeError} `UNSUPPORTED_PADDING` from the constructor for a PKCS#1 v1.5
 *   padding; `KEYRING_FAILURE` on encrypt without a public key or when wrapping fails.
 *
 * @example
 * ```ts
 * import { encrypt, decrypt, RawRsaKeyring } from 'envelope-kit/core';
 * const pair = await crypto.subtle.generateKey({ name: 'RSA-OAEP', modulusLength: 3072, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, false, ['encrypt', 'decrypt']);
 * const sender = new RawRsaKeyring({ keyNamespace: 'my-app', keyName: 'rsa-1', publicKey: pair.publicKey, padding: 'OAEP-SHA256' });
 * const recipient = new RawRsaKeyring({ keyNamespace: 'my-app', keyName: 'rsa-1', privateKey: pair.privateKey, padding: 'OAEP-SHA256' });
 * const { ciphertext } = await encrypt(sender, new TextEncoder().encode('for your eyes only'));
 * const { plaintext } = await decrypt(recipient, ciphertext);
 * if (new TextDecoder().decode(plaintext) !== 'for your eyes only') throw new Error('round trip failed');
 * ```
 */
export class RawRsaKeyring implements Keyring {
  readonly keyNamespace: string;
  readonly keyName: string;
  readonly padding: RsaPadding;
  readonly #nameBytes: Bytes;
  readonly #publicKey?: Promise<CryptoKey>;
  readonly #privateKey?: Promise<CryptoKey>;

  constructor(options: RawRsaKeyringOptions) {
    if (options === null || typeof options !== 'object') throw typeError('RawRsaKeyring options', 'an object');
    checkKeyNames(options, 'RawRsaKeyring');
    const padding = options.padding as string;
    if (/pkcs1/i.test(String(padding))) {
      throw new EnvelopeError(
        ErrorCode.UNSUPPORTED_PADDING,
        'RawRsaKeyring: RSAES-PKCS1-v1_5 is not available in WebCrypto; use an OAEP padding (OAEP-SHA256 or stronger)',
      );
    }
    if (!(padding in OAEP_HASH)) throw typeError('RawRsaKeyring options.padding', `one of ${Object.keys(OAEP_HASH).join(', ')}`);
    if (options.publicKey === undefined && options.privateKey === undefined) {
      throw typeError('RawRsaKeyring options', 'an object with a publicKey, a privateKey or both');
    }
    this.keyNamespace = options.keyNamespace;
    this.keyName = options.keyName;
    this.padding = padding as RsaPadding;
    this.#nameBytes = utf8(options.keyName);
    const hash = OAEP_HASH[this.padding];
    if (options.publicKey !== undefined) {
      this.#publicKey = importRsa(options.publicKey, 'public', hash, 'RawRsaKeyring options.publicKey');
      this.#publicKey.catch(() => undefined);
    }
    if (options.privateKey !== undefined) {
      this.#privateKey = importRsa(options.privateKey, 'private', hash, 'RawRsaKeyring options.privateKey');
      this.#privateKey.catch(() => undefined);
    }
  }

  async onEncrypt(materials: EncryptionMaterials): Promise<EncryptionMaterials> {
    if (!this.#publicKey) {
      throw new EnvelopeError(ErrorCode.KEYRING_FAILURE, `RawRsaKeyring ${this.keyNamespace}/${this.keyName} has no public key, so it cannot encrypt`);
    }
    const publicKey = await this.#publicKey;
    const suite = findSuite(materials.suiteId)!;
    materials.plaintextDataKey ??= randomBytes(suite.keyLength);
    let wrapped: Bytes;
    try {
      wrapped = new Uint8Array(await globalThis.crypto.subtle.encrypt({ name: 'RSA-OAEP' }, publicKey, materials.plaintextDataKey));
    } catch (cause) {
      throw new EnvelopeError(ErrorCode.KEYRING_FAILURE, `RawRsaKeyring ${this.keyNamespace}/${this.keyName} could not wrap the data key`, { cause });
    }
    materials.encryptedDataKeys.push({ providerId: this.keyNamespace, providerInfo: this.#nameBytes.slice(), ciphertext: wrapped });
    return materials;
  }

  async onDecrypt(materials: DecryptionMaterials, encryptedDataKeys: readonly EncryptedDataKey[]): Promise<DecryptionMaterials> {
    if (materials.plaintextDataKey || !this.#privateKey) return materials;
    const privateKey = await this.#privateKey;
    const suite = findSuite(materials.suiteId)!;
    for (const edk of encryptedDataKeys) {
      if (edk.providerId !== this.keyNamespace || !bytesEqual(edk.providerInfo, this.#nameBytes)) continue;
      try {
        const key = new Uint8Array(await globalThis.crypto.subtle.decrypt({ name: 'RSA-OAEP' }, privateKey, edk.ciphertext as Bytes));
        if (key.length !== suite.keyLength) continue;
        materials.plaintextDataKey = key;
        return materials;
      } catch {
        // Not ours or damaged: try the next copy.
      }
    }
    return materials;
  }
}
