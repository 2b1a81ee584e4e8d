/**
 * Cryptographic materials managers (spec: framework/cmm-interface.md, default-cmm.md,
 * required-encryption-context-cmm.md). They sit between encrypt/decrypt and the keyrings.
 */
import type {
  DecryptMaterialsRequest,
  DecryptionMaterials,
  EncryptionContext,
  EncryptionMaterials,
  GetEncryptionMaterialsRequest,
  Keyring,
  MaterialsManager,
  SigningKey,
} from './types.js';
import { EnvelopeError, ErrorCode, typeError } from './errors.js';
import { checkDecryptSuite, suiteForEncrypt } from './commitment.js';
import { PUBLIC_KEY_CONTEXT_KEY } from './encryption-context.js';
import { generateSigningKey, importVerificationKey, takeSigningKey } from './signature.js';
import { findSuite, suiteHex, type CurveName } from './suites.js';

/**
 * Where a {@link DefaultCmm} gets the one-time ECDSA key pair of each signed message. `extractable`
 * is true for streams and large messages, whose digest is signed in JavaScript (it needs the private
 * scalar); otherwise the private key must stay non-extractable. Each key must be used for one message
 * only, and `publicKeyBase64` must be the SEC1 compressed public point of that private key.
 */
export type SigningKeySource = (curve: CurveName, options: { readonly extractable: boolean }) => Promise<SigningKey>;

/** Options of {@link DefaultCmm}. */
export interface DefaultCmmOptions {
  readonly keyring: Keyring;
  /**
   * Where signing keys come from (default: WebCrypto on this thread, one spare per curve generated
   * ahead). The kit's worker passes keys generated ahead in a second worker, so a small signed
   * message waits only for its signature. Keys are checked: ECDSA on the suite's curve, usage
   * `sign`, and non-extractable unless `extractable` was asked for.
   */
  readonly signingKeys?: SigningKeySource;
}

function checkSigningKey(key: SigningKey, curve: CurveName, extractable: boolean): SigningKey {
  const privateKey = key?.privateKey as CryptoKey | undefined;
  const algorithm = privateKey?.algorithm as EcKeyAlgorithm | undefined;
  const ok =
    typeof CryptoKey !== 'undefined' &&
    privateKey instanceof CryptoKey &&
    privateKey.type === 'private' &&
    algorithm?.name === 'ECDSA' &&
    algorithm.namedCurve === curve &&
    privateKey.usages.includes('sign') &&
    privateKey.extractable === extractable &&
    typeof key.publicKeyBase64 === 'string';
  if (!ok) {
    throw new EnvelopeError(
      ErrorCode.KEYRING_FAILURE,
      `options.signingKeys gave no ${extractable ? 'extractable' : 'non-extractable'} ${curve} ECDSA signing key with a public key`,
    );
  }
  return key;
}

function isKeyring(value: unknown): value is Keyring {
  return typeof (value as Keyring)?.onEncrypt === 'function' && typeof (value as Keyring)?.onDecrypt === 'function';
}

function isMaterialsManager(value: unknown): value is MaterialsManager {
  const m = value as MaterialsManager;
  return typeof m?.getEncryptionMaterials === 'function' && typeof m?.decryptMaterials === 'function';
}

/** A keyring becomes a {@link DefaultCmm}; a materials manager is used as it is. */
export function toMaterialsManager(value: unknown, argument = 'keyringOrCmm'): MaterialsManager {
  if (isMaterialsManager(value)) return value;
  if (isKeyring(value)) return new DefaultCmm({ keyring: value });
  throw typeError(argument, 'a keyring (onEncrypt/onDecrypt) or a materials manager (getEncryptionMaterials/decryptMaterials)');
}

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/** Streams ask for an extractable signing key (their signer is incremental); see signature.ts. */
export interface StreamingEncryptionMaterialsRequest extends GetEncryptionMaterialsRequest {
  readonly streaming?: boolean;
}

/**
 * The default materials manager: picks the suite, makes the signing key for signed suites and
 * asks its keyring for the data key.
 *
 * @example
 * ```ts
 * const cmm = new DefaultCmm({ keyring });
 * const { ciphertext } = await encrypt(cmm, data);
 * ```
 */
export class DefaultCmm implements MaterialsManager {
  readonly keyring: Keyring;
  readonly #signingKeys: SigningKeySource | undefined;

  constructor(options: DefaultCmmOptions) {
    if (!isKeyring(options?.keyring)) throw typeError('DefaultCmm options.keyring', 'a keyring');
    if (options.signingKeys !== undefined && typeof options.signingKeys !== 'function') throw typeError('DefaultCmm options.signingKeys', 'a function');
    this.keyring = options.keyring;
    this.#signingKeys = options.signingKeys;
  }

  async #signingKey(curve: CurveName, extractable: boolean): Promise<SigningKey> {
    if (this.#signingKeys) return checkSigningKey(await this.#signingKeys(curve, { extractable }), curve, extractable);
    return extractable ? generateSigningKey(curve, true) : takeSigningKey(curve);
  }

  async getEncryptionMaterials(request: StreamingEncryptionMaterialsRequest): Promise<EncryptionMaterials> {
    const suite = suiteForEncrypt(request.suiteId, request.commitmentPolicy);
    const encryptionContext: EncryptionContext = { ...request.encryptionContext };
    const materials: EncryptionMaterials = {
      suiteId: suite.id,
      encryptionContext,
      requiredEncryptionContextKeys: [],
      encryptedDataKeys: [],
    };
    if (suite.signature) {
      if (hasOwn(encryptionContext, PUBLIC_KEY_CONTEXT_KEY)) {
        throw new EnvelopeError(ErrorCode.RESERVED_CONTEXT_KEY, `the encryption context already has "${PUBLIC_KEY_CONTEXT_KEY}"`);
      }
      const curve = suite.signature.curve;
      materials.signingKey = await this.#signingKey(curve, request.streaming === true);
      encryptionContext[PUBLIC_KEY_CONTEXT_KEY] = materials.signingKey.publicKeyBase64;
    }
    await this.keyring.onEncrypt(materials);
    if (!materials.plaintextDataKey || materials.plaintextDataKey.length !== suite.keyLength) {
      throw new EnvelopeError(ErrorCode.KEYRING_FAILURE, 'the keyring produced no data key of the suite\'s length');
    }
    if (materials.encryptedDataKeys.length === 0) throw new EnvelopeError(ErrorCode.KEYRING_FAILURE, 'the keyring produced no encrypted data key');
    return materials;
  }

  async decryptMaterials(request: DecryptMaterialsRequest): Promise<DecryptionMaterials> {
    const suite = findSuite(request.suiteId);
    if (!suite) throw new EnvelopeError(ErrorCode.UNSUPPORTED_SUITE, `unknown algorithm suite ${suiteHex(request.suiteId)}`);
    checkDecryptSuite(suite, request.commitmentPolicy);
    const encryptionContext: EncryptionContext = { ...request.encryptionContext };
    const requiredEncryptionContextKeys: string[] = [];
    const reproduced = request.reproducedEncryptionContext ?? {};
    for (const [key, value] of Object.entries(reproduced)) {
      if (hasOwn(encryptionContext, key)) {
        if (encryptionContext[key] !== value) {
          throw new EnvelopeError(
            ErrorCode.ENCRYPTION_CONTEXT_MISMATCH,
            `the message's encryption context has another value for key ${JSON.stringify(key)} than the one supplied to decrypt`,
          );
        }
      } else {
        // Pairs the message does not store are authenticated by the header tag instead
        // (spec: cmm-interface.md#decrypt-materials).
        encryptionContext[key] = value;
        requiredEncryptionContextKeys.push(key);
      }
    }
    const materials: DecryptionMaterials = { suiteId: suite.id, encryptionContext, requiredEncryptionContextKeys };
    const publicKey = request.encryptionContext[PUBLIC_KEY_CONTEXT_KEY];
    if (suite.signature) {
      if (publicKey === undefined) {
        throw new EnvelopeError(ErrorCode.MALFORMED_MESSAGE, `the message uses signed suite ${suiteHex(suite.id)} but has no ${PUBLIC_KEY_CONTEXT_KEY}`);
      }
      materials.verificationKey = await importVerificationKey(suite.signature.curve, publicKey);
    } else if (publicKey !== undefined) {
      throw new EnvelopeError(ErrorCode.MALFORMED_MESSAGE, `the message has ${PUBLIC_KEY_CONTEXT_KEY} but its suite ${suiteHex(suite.id)} is not signed`);
    }
    await this.keyring.onDecrypt(materials, request.encryptedDataKeys);
    if (!materials.plaintextDataKey && requiredEncryptionContextKeys.length > 0) {
      // The likeliest cause: pairs supplied to decrypt that the message never had. They were added
      // to the context the keyrings authenticate, so the keyrings could not unwrap.
      throw new EnvelopeError(
        ErrorCode.ENCRYPTION_CONTEXT_MISMATCH,
        `no keyring could decrypt the data key with the supplied encryption context: the message does not store key(s) ` +
          `${requiredEncryptionContextKeys.map((k) => JSON.stringify(k)).join(', ')}; supply only pairs it was encrypted with`,
      );
    }
    if (!materials.plaintextDataKey) {
      const providers = [...new Set(request.encryptedDataKeys.map((edk) => edk.providerId))].join(', ');
      throw new EnvelopeError(
        ErrorCode.NO_DECRYPTING_KEYRING,
        `no keyring could decrypt any of the message's ${request.encryptedDataKeys.length} encrypted data key(s) (providers: ${providers}); ` +
          'check the keys, and for raw AES keys the encryption context too',
      );
    }
    if (materials.plaintextDataKey.length !== suite.keyLength) {
      throw new EnvelopeError(ErrorCode.KEYRING_FAILURE, 'the keyring returned a data key of the wrong length for the suite');
    }
    return materials;
  }
}

/** Options of {@link RequiredEncryptionContextCmm}. */
export interface RequiredEncryptionContextCmmOptions {
  /** A keyring (wrapped in a {@link DefaultCmm}) or another materials manager. */
  readonly underlying: Keyring | MaterialsManager;
  /** Context keys that are authenticated but not stored in the message; decrypt must supply them. */
  readonly requiredEncryptionContextKeys: readonly string[];
}

/**
 * Keeps chosen context pairs out of the message while still authenticating them: the reader must
 * supply them to decrypt (spec: framework/required-encryption-context-cmm.md).
 *
 * @example
 * ```ts
 * const cmm = new RequiredEncryptionContextCmm({ underlying: keyring, requiredEncryptionContextKeys: ['tenant'] });
 * const { ciphertext } = await encrypt(cmm, data, { encryptionContext: { tenant: 'acme', purpose: 'notes' } });
 * await decrypt(cmm, ciphertext, { encryptionContext: { tenant: 'acme' } });
 * ```
 */
export class RequiredEncryptionContextCmm implements MaterialsManager {
  readonly underlying: MaterialsManager;
  readonly requiredEncryptionContextKeys: readonly string[];

  constructor(options: RequiredEncryptionContextCmmOptions) {
    if (options === null || typeof options !== 'object') throw typeError('RequiredEncryptionContextCmm options', 'an object');
    this.underlying = toMaterialsManager(options.underlying, 'RequiredEncryptionContextCmm options.underlying');
    const keys = options.requiredEncryptionContextKeys;
    if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string')) {
      throw typeError('RequiredEncryptionContextCmm options.requiredEncryptionContextKeys', 'an array of strings');
    }
    this.requiredEncryptionContextKeys = Object.freeze([...new Set(keys)]);
  }

  async getEncryptionMaterials(request: GetEncryptionMaterialsRequest): Promise<EncryptionMaterials> {
    const missing = this.requiredEncryptionContextKeys.filter((k) => !hasOwn(request.encryptionContext, k));
    if (missing.length > 0) {
      throw new EnvelopeError(ErrorCode.ENCRYPTION_CONTEXT_MISMATCH, `the encryption context lacks required key(s) ${missing.map((k) => JSON.stringify(k)).join(', ')}`);
    }
    const materials = await this.underlying.getEncryptionMaterials(request);
    const required = new Set([...materials.requiredEncryptionContextKeys, ...this.requiredEncryptionContextKeys]);
    return { ...materials, requiredEncryptionContextKeys: [...required] };
  }

  async decryptMaterials(request: DecryptMaterialsRequest): Promise<DecryptionMaterials> {
    const reproduced = request.reproducedEncryptionContext ?? {};
    const missing = this.requiredEncryptionContextKeys.filter((k) => !hasOwn(reproduced, k));
    if (missing.length > 0) {
      throw new EnvelopeError(
        ErrorCode.ENCRYPTION_CONTEXT_MISMATCH,
        `decrypt needs the value of required encryption context key(s) ${missing.map((k) => JSON.stringify(k)).join(', ')} in options.encryptionContext`,
      );
    }
    const materials = await this.underlying.decryptMaterials(request);
    const absent = this.requiredEncryptionContextKeys.filter((k) => !hasOwn(materials.encryptionContext, k));
    if (absent.length > 0) {
      throw new EnvelopeError(ErrorCode.ENCRYPTION_CONTEXT_MISMATCH, 'the underlying materials manager dropped required encryption context keys');
    }
    return materials;
  }
}
