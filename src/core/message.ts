/**
 * What one-shot and streaming encrypt/decrypt share: checking options, getting materials from the
 * materials manager, deriving keys, and writing or verifying the header with its tag.
 */
import type { Bytes, EncryptedDataKey, EncryptionContext, MaterialsManager, MessageHeader, SigningKey, VerificationKey } from './types.js';
import { type AeadKey } from './aes-gcm.js';
import { concat, constantTimeEqual, randomBytes, zero } from './bytes.js';
import { checkDecryptSuite, checkPolicy, type CommitmentPolicy } from './commitment.js';
import { checkCallerContext, serializeContext } from './encryption-context.js';
import { EnvelopeError, ErrorCode, rangeError, typeError } from './errors.js';
import { describeHeader, serializeHeaderBody, type HeaderFields, type ParsedHeader } from './header.js';
import { deriveKeys } from './kdf.js';
import { toMaterialsManager, type StreamingEncryptionMaterialsRequest } from './materials-managers.js';
import { DEFAULT_FRAME_LENGTH } from './body.js';
import { findSuite, suiteHex, type AlgorithmSuite, type SuiteId } from './suites.js';

/**
 * A keyring that can serve a batch of messages with one encryption context more cheaply than one
 * `onEncrypt` per message (HierarchicalKeyring): `encryptMany` asks it once per batch for a
 * {@link DataKeyWrapper} and wraps every message's own fresh data key with it. A keyring that has
 * this must give each `wrap` exactly the encrypted data key its `onEncrypt` would have made for
 * materials with that data key and context (only the random salt and IV differ).
 */
export interface BatchEncryptingKeyring {
  dataKeyWrapper(encryptionContext: EncryptionContext, suite: AlgorithmSuite): Promise<DataKeyWrapper>;
}

/** Wraps data keys for one batch: one encrypted data key per call, of a fixed shape. */
export interface DataKeyWrapper {
  readonly providerId: string;
  readonly providerInfo: Bytes;
  /** Length of every EDK ciphertext `wrap` writes. */
  readonly ciphertextLength: number;
  /**
   * Wraps `dataKey` and writes the EDK ciphertext into `out` at `offset`. The caller leaves
   * `dataKey` intact until this settles and zeroes it afterwards.
   */
  wrap(dataKey: Bytes, out: Uint8Array, offset: number): Promise<void>;
}

/**
 * A keyring that can hand a batch's data keys straight to the key derivation: `decryptMany` asks
 * it once per batch for a {@link DataKeyUnwrapper}. The data key is unwrapped into a
 * non-extractable HKDF CryptoKey (WebCrypto `unwrapKey`), so its bytes never reach JavaScript.
 */
export interface BatchDecryptingKeyring {
  dataKeyUnwrapper(): DataKeyUnwrapper;
}

/** Unwraps data keys for one batch of messages. */
export interface DataKeyUnwrapper {
  /**
   * The data key of one message as a non-extractable HKDF key (usages deriveKey, deriveBits), from
   * the first of `encryptedDataKeys` this keyring can decrypt with `encryptionContext` (the
   * message's context plus the caller's required-only pairs); undefined when it can decrypt none.
   * The caller then runs the keyring's `onDecrypt` on the message, whose error says why.
   * `encryptionContext` is frozen and is the same object for messages with the same context.
   */
  derivationKey(suite: AlgorithmSuite, encryptedDataKeys: readonly EncryptedDataKey[], encryptionContext: EncryptionContext): Promise<CryptoKey | undefined>;
}

/**
 * Random bytes for many small uses, drawn from few `getRandomValues` calls (one call per message
 * costs more than the bytes): the pool starts at 1 KiB and doubles on each refill up to 64 KiB (the
 * most one call may fill), so a batch of one message does not pay for 64 KiB. Every byte is handed
 * out once and zeroed in the pool as it is, so a data key drawn from here is left only where the
 * caller put it.
 *
 * @example
 * ```ts
 * const random = new RandomPool();
 * const dataKey = random.bytes(32);
 * random.take(32, message, 3); // a message id, written in place
 * random.dispose();
 * ```
 */
export class RandomPool {
  #pool: Bytes;
  #at: number;
  readonly #max: number;

  constructor(max = 65536) {
    this.#max = Math.min(max, 65536);
    this.#pool = new Uint8Array(Math.min(1024, this.#max));
    this.#at = this.#pool.length;
  }

  /** `length` fresh random bytes in a new array. */
  bytes(length: number): Bytes {
    const out = new Uint8Array(length);
    this.take(length, out, 0);
    return out;
  }

  /** Writes `length` fresh random bytes into `out` at `offset`. */
  take(length: number, out: Uint8Array, offset: number): void {
    if (length > this.#max) throw rangeError('a', `RandomPool hands out at most ${this.#max} bytes at once`);
    if (this.#at + length > this.#pool.length) {
      this.#pool.fill(0);
      if (this.#pool.length < this.#max) this.#pool = new Uint8Array(Math.min(this.#pool.length * 2, this.#max));
      while (this.#pool.length < length) this.#pool = new Uint8Array(Math.min(this.#pool.length * 2, this.#max));
      crypto.getRandomValues(this.#pool);
      this.#at = 0;
    }
    const bytes = this.#pool.subarray(this.#at, this.#at + length);
    out.set(bytes, offset);
    bytes.fill(0);
    this.#at += length;
  }

  /** Zeroes what is left (call when the batch is done). */
  dispose(): void {
    this.#pool.fill(0);
    this.#at = this.#pool.length;
  }
}

/** Options of `encrypt` and `encryptStream`. */
export interface EncryptOptions {
  /** Authenticated, not secret; stored in the header unless a CMM marks keys required-only. */
  readonly encryptionContext?: EncryptionContext;
  /** Default 0x0578 (0x0378 under FORBID_ENCRYPT_ALLOW_DECRYPT). */
  readonly suiteId?: SuiteId;
  /** Plaintext bytes per frame; default {@link DEFAULT_FRAME_LENGTH}. */
  readonly frameLength?: number;
  /** Default REQUIRE_ENCRYPT_REQUIRE_DECRYPT. */
  readonly commitmentPolicy?: CommitmentPolicy;
  /** Refuse materials with more encrypted data keys than this. */
  readonly maxEncryptedDataKeys?: number;
}

/** Options of `decrypt` and `decryptStream`. */
export interface DecryptOptions {
  /** Pairs that must be in the message with these values; also supplies required-only pairs. */
  readonly encryptionContext?: EncryptionContext;
  readonly commitmentPolicy?: CommitmentPolicy;
  /** Refuse messages with more encrypted data keys than this (checked while parsing). */
  readonly maxEncryptedDataKeys?: number;
}

function checkOptions(options: unknown, name: string): Record<string, unknown> {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object') throw typeError(name, 'an object');
  return options as Record<string, unknown>;
}

function checkMaxEdks(value: unknown, argument: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw typeError(argument, 'a positive integer');
  if (value < 1) throw rangeError(argument, 'must be at least 1');
  return value;
}

function checkFrameLength(value: unknown): number {
  if (value === undefined) return DEFAULT_FRAME_LENGTH;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw typeError('options.frameLength', 'an integer');
  if (value < 1 || value > 0xffffffff) throw rangeError('options.frameLength', 'must be between 1 and 4,294,967,295');
  return value;
}

/** Everything needed to write a message once its header is made. */
export interface PreparedEncryption {
  readonly suite: AlgorithmSuite;
  readonly key: AeadKey;
  readonly messageId: Bytes;
  readonly frameLength: number;
  /** Length of the serialized header including its authentication. */
  readonly headerLength: number;
  /** Serialized header including its authentication (the tag may still be being computed). */
  readonly headerBytes: Promise<Bytes>;
  readonly header: MessageHeader;
  readonly signingKey?: SigningKey;
}

const pick = (context: EncryptionContext, keys: readonly string[]): EncryptionContext =>
  Object.fromEntries(keys.filter((k) => Object.prototype.hasOwnProperty.call(context, k)).map((k) => [k, context[k]!]));

/** Checked encrypt options. */
export interface CheckedEncryptOptions {
  readonly encryptionContext: EncryptionContext;
  readonly suiteId?: SuiteId;
  readonly commitmentPolicy: CommitmentPolicy;
  readonly frameLength: number;
  readonly maxEncryptedDataKeys?: number;
}

/** Checks `encrypt`'s options (TypeError / RangeError naming the option); the context is copied. */
export function checkEncryptOptions(rawOptions: unknown): CheckedEncryptOptions {
  const options = checkOptions(rawOptions, 'options');
  const encryptionContext = checkCallerContext(options.encryptionContext, 'options.encryptionContext');
  const commitmentPolicy = checkPolicy(options.commitmentPolicy);
  const frameLength = checkFrameLength(options.frameLength);
  const maxEncryptedDataKeys = checkMaxEdks(options.maxEncryptedDataKeys, 'options.maxEncryptedDataKeys');
  if (options.suiteId !== undefined && typeof options.suiteId !== 'number') throw typeError('options.suiteId', 'a suite id number such as 0x0578');
  return { encryptionContext, suiteId: options.suiteId as SuiteId | undefined, commitmentPolicy, frameLength, maxEncryptedDataKeys };
}

/** Gets materials, derives keys and writes the authenticated header. */
export async function prepareEncryption(
  keyringOrCmm: unknown,
  rawOptions: unknown,
  plaintextLength: number | undefined,
  streaming: boolean,
  checkedOptions?: CheckedEncryptOptions,
): Promise<PreparedEncryption> {
  const cmm: MaterialsManager = toMaterialsManager(keyringOrCmm);
  const { encryptionContext, suiteId, commitmentPolicy, frameLength, maxEncryptedDataKeys } = checkedOptions ?? checkEncryptOptions(rawOptions);
  const request: StreamingEncryptionMaterialsRequest = {
    encryptionContext: checkedOptions ? { ...encryptionContext } : encryptionContext,
    suiteId,
    commitmentPolicy,
    plaintextLength,
    maxEncryptedDataKeys,
    streaming,
  };
  const materials = await cmm.getEncryptionMaterials(request);
  const suite = findSuite(materials.suiteId);
  if (!suite || (request.suiteId !== undefined && suite.id !== request.suiteId)) {
    throw new EnvelopeError(ErrorCode.UNSUPPORTED_SUITE, `the materials manager returned suite ${suiteHex(materials.suiteId)}, not the one asked for`);
  }
  if (commitmentPolicy === 'FORBID_ENCRYPT_ALLOW_DECRYPT' ? suite.committing : !suite.committing) {
    throw new EnvelopeError(ErrorCode.COMMITMENT_POLICY_VIOLATION, `suite ${suiteHex(suite.id)} is not allowed by commitment policy ${commitmentPolicy}`);
  }
  const dataKey = materials.plaintextDataKey;
  if (!dataKey || dataKey.length !== suite.keyLength) throw new EnvelopeError(ErrorCode.KEYRING_FAILURE, 'the materials hold no data key of the suite\'s length');
  const edks = materials.encryptedDataKeys;
  if (edks.length === 0) throw new EnvelopeError(ErrorCode.KEYRING_FAILURE, 'the materials hold no encrypted data key');
  if (maxEncryptedDataKeys !== undefined && edks.length > maxEncryptedDataKeys) {
    throw new EnvelopeError(ErrorCode.LIMIT_EXCEEDED, `the keyrings produced ${edks.length} encrypted data keys; maxEncryptedDataKeys is ${maxEncryptedDataKeys}`);
  }
  if (edks.length > 0xffff) throw new EnvelopeError(ErrorCode.LIMIT_EXCEEDED, 'more than 65,535 encrypted data keys do not fit in a header');
  if (suite.signature && !materials.signingKey) throw new EnvelopeError(ErrorCode.KEYRING_FAILURE, `signed suite ${suiteHex(suite.id)} needs a signing key`);

  const required = materials.requiredEncryptionContextKeys;
  const missing = required.filter((k) => !Object.prototype.hasOwnProperty.call(materials.encryptionContext, k));
  if (missing.length > 0) throw new EnvelopeError(ErrorCode.ENCRYPTION_CONTEXT_MISMATCH, 'required encryption context keys are missing from the materials');
  const storedContext = Object.fromEntries(Object.entries(materials.encryptionContext).filter(([k]) => !required.includes(k)));
  const authenticatedOnly = serializeContext(pick(materials.encryptionContext, required));

  const messageId = randomBytes(suite.messageVersion === 1 ? 16 : 32);
  const { key, commitKey } = await deriveKeys(suite, dataKey, messageId);
  zero(dataKey);
  const fields: HeaderFields = { suite, messageId, storedContext, encryptedDataKeys: edks, frameLength, commitKey };
  const body = serializeHeaderBody(fields);
  const iv = new Uint8Array(12);
  const headerLength = body.length + (suite.messageVersion === 1 ? iv.length : 0) + 16;
  // The tag is computed while the caller may already encrypt frames: both need only the key.
  const headerBytes = key.encrypt(iv, new Uint8Array(0), concat([body, authenticatedOnly])).then((tag) =>
    suite.messageVersion === 1 ? concat([body, iv, tag]) : concat([body, tag]),
  );
  headerBytes.catch(() => undefined);
  return {
    suite,
    key,
    messageId,
    frameLength,
    headerLength,
    headerBytes,
    header: describeHeader(fields, headerLength),
    signingKey: materials.signingKey,
  };
}

/** Checked decrypt options. */
export interface CheckedDecryptOptions {
  readonly cmm: MaterialsManager;
  readonly encryptionContext: EncryptionContext;
  readonly commitmentPolicy: CommitmentPolicy;
  readonly maxEncryptedDataKeys?: number;
}

export function checkDecryptOptions(keyringOrCmm: unknown, rawOptions: unknown): CheckedDecryptOptions {
  const cmm = toMaterialsManager(keyringOrCmm);
  const options = checkOptions(rawOptions, 'options');
  const context = options.encryptionContext;
  if (context !== undefined && (context === null || typeof context !== 'object' || Array.isArray(context))) {
    throw typeError('options.encryptionContext', 'an object mapping strings to strings');
  }
  for (const [k, v] of Object.entries(context ?? {})) {
    if (typeof v !== 'string') throw typeError(`options.encryptionContext[${JSON.stringify(k)}]`, 'a string');
  }
  return {
    cmm,
    encryptionContext: Object.fromEntries(Object.entries(context ?? {})) as EncryptionContext,
    commitmentPolicy: checkPolicy(options.commitmentPolicy),
    maxEncryptedDataKeys: checkMaxEdks(options.maxEncryptedDataKeys, 'options.maxEncryptedDataKeys'),
  };
}

/** Everything needed to read a message's body once its header is verified. */
export interface PreparedDecryption {
  readonly key: AeadKey;
  readonly verificationKey?: VerificationKey;
}

/**
 * Gets the data key through the materials manager, checks key commitment and the header tag.
 * Nothing of the body is touched before this succeeds.
 */
export async function prepareDecryption(parsed: ParsedHeader, options: CheckedDecryptOptions): Promise<PreparedDecryption> {
  const { header, suite } = parsed;
  checkDecryptSuite(suite, options.commitmentPolicy);
  const materials = await options.cmm.decryptMaterials({
    suiteId: suite.id,
    commitmentPolicy: options.commitmentPolicy,
    encryptedDataKeys: header.encryptedDataKeys,
    encryptionContext: header.encryptionContext,
    reproducedEncryptionContext: options.encryptionContext,
  });
  const dataKey = materials.plaintextDataKey;
  if (materials.suiteId !== suite.id) throw new EnvelopeError(ErrorCode.UNSUPPORTED_SUITE, 'the materials manager returned materials for another suite');
  if (!dataKey || dataKey.length !== suite.keyLength) throw new EnvelopeError(ErrorCode.NO_DECRYPTING_KEYRING, 'no data key could be decrypted');
  if (suite.signature && !materials.verificationKey) throw new EnvelopeError(ErrorCode.KEYRING_FAILURE, 'the materials lack the verification key');
  const { key, commitKey } = await deriveKeys(suite, dataKey, header.messageId);
  zero(dataKey);
  if (suite.committing && !constantTimeEqual(commitKey!, header.suiteData!)) {
    throw new EnvelopeError(ErrorCode.COMMITMENT_MISMATCH, 'the data key does not match the message\'s key commitment: the message was altered or crafted to decrypt two ways');
  }
  const required = materials.requiredEncryptionContextKeys;
  const aad = concat([parsed.body, serializeContext(pick(materials.encryptionContext, required))]);
  try {
    await key.decrypt(parsed.authIv, parsed.authTag, aad);
  } catch {
    if (required.length > 0) {
      throw new EnvelopeError(
        ErrorCode.ENCRYPTION_CONTEXT_MISMATCH,
        `the header does not authenticate with the supplied encryption context: key(s) ${required.map((k) => JSON.stringify(k)).join(', ')} ` +
          'are not stored in the message and were not (with these values) authenticated when it was encrypted',
      );
    }
    throw new EnvelopeError(ErrorCode.INTEGRITY_FAILURE, 'the message header failed authentication: it was altered');
  }
  // Whatever the materials manager did, the caller's pairs must hold (the API's promise).
  for (const [k, v] of Object.entries(options.encryptionContext)) {
    if (materials.encryptionContext[k] !== v) {
      throw new EnvelopeError(ErrorCode.ENCRYPTION_CONTEXT_MISMATCH, `the message's encryption context does not have the supplied value for key ${JSON.stringify(k)}`);
    }
  }
  return { key, verificationKey: materials.verificationKey };
}
