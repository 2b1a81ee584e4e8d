/**
 * The options of `encrypt`, `decrypt` and their streams, and their checks at the API boundary:
 * TypeError for a wrong type, RangeError for a wrong value, each naming the option.
 */
import type { EncryptionContext, MaterialsManager } from './types.js';
import { checkPolicy, type CommitmentPolicy } from './commitment.js';
import { checkCallerContext } from './encryption-context.js';
import { rangeError, typeError } from './arguments.js';
import { toMaterialsManager } from './materials-managers.js';
import { DEFAULT_FRAME_LENGTH } from './body.js';
import type { SuiteId } from './suites.js';

/** The hash of a signed suite's footer signature: SHA-384 for 0x0578 and 0x0378, SHA-256 for 0x0214. */
export type SignatureHashName = 'SHA-256' | 'SHA-384';

/**
 * One message's footer hash, computed by a {@link SignatureHasher}: fed the header and body in
 * order, then asked for the digest once.
 */
export interface MessageHasher {
  /**
   * The next bytes of the message. They may be overwritten or reused once this returns (or, if it
   * returns a promise, once that settles): a hasher that reads them later (in another worker, say)
   * copies them first. Returning a promise holds the message back until it settles, which is how a
   * hasher that falls behind bounds the bytes waiting for it.
   */
  update(data: Uint8Array): void | Promise<void>;
  /** The digest of everything fed (32 bytes for SHA-256, 48 for SHA-384). */
  digest(): Uint8Array | Promise<Uint8Array>;
  /**
   * Optional: called instead of `digest()` when the message fails (a bad frame, an error in a
   * stream, a cancelled stream where the engine reports it), so a hasher elsewhere can free its
   * session at once. Called at most once, and never after `digest()`.
   */
  end?(): void;
}

/**
 * Computes the footer hash of signed messages somewhere else than the calling thread, e.g. in a
 * second worker. WebCrypto runs on the thread that calls it in Chromium, so a signed stream that
 * hashes on the same thread pays for the hash and the cipher one after the other; a hasher in
 * another worker lets them run side by side on a machine with more than one core (the kit's
 * worker does this for files and large messages). Used wherever the core hashes a signed message
 * incrementally: streams, and, only when a hasher is given, one-shot messages from 4 MiB
 * (`INCREMENTAL_SIGNATURE_THRESHOLD`), which then hash frame by frame instead of being signed by
 * WebCrypto in one call. Without it streams hash on the calling thread (WebAssembly, or
 * @noble/hashes where WebAssembly cannot run) and one-shot messages are signed by WebCrypto.
 */
export type SignatureHasher = (hash: SignatureHashName) => MessageHasher | Promise<MessageHasher>;

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
  /** Where the footer signature's hash runs for signed suites; see {@link SignatureHasher}. */
  readonly signatureHasher?: SignatureHasher;
}

/** Options of `decrypt` and `decryptStream`. */
export interface DecryptOptions {
  /** Pairs that must be in the message with these values; also supplies required-only pairs. */
  readonly encryptionContext?: EncryptionContext;
  readonly commitmentPolicy?: CommitmentPolicy;
  /** Refuse messages with more encrypted data keys than this (checked while parsing). */
  readonly maxEncryptedDataKeys?: number;
  /** Where the footer signature's hash runs for signed suites; see {@link SignatureHasher}. */
  readonly signatureHasher?: SignatureHasher;
}

/** Checks `options.signatureHasher`: undefined or a function. */
export function checkSignatureHasher(value: unknown): SignatureHasher | undefined {
  if (value !== undefined && typeof value !== 'function') throw typeError('options.signatureHasher', 'a function');
  return value as SignatureHasher | undefined;
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

/** Checked encrypt options. */
export interface CheckedEncryptOptions {
  readonly encryptionContext: EncryptionContext;
  readonly suiteId?: SuiteId;
  readonly commitmentPolicy: CommitmentPolicy;
  readonly frameLength: number;
  readonly maxEncryptedDataKeys?: number;
  readonly signatureHasher?: SignatureHasher;
}

/** Checks `encrypt`'s options (TypeError / RangeError naming the option); the context is copied. */
export function checkEncryptOptions(rawOptions: unknown): CheckedEncryptOptions {
  const options = checkOptions(rawOptions, 'options');
  const encryptionContext = checkCallerContext(options.encryptionContext, 'options.encryptionContext');
  const commitmentPolicy = checkPolicy(options.commitmentPolicy);
  const frameLength = checkFrameLength(options.frameLength);
  const maxEncryptedDataKeys = checkMaxEdks(options.maxEncryptedDataKeys, 'options.maxEncryptedDataKeys');
  if (options.suiteId !== undefined && typeof options.suiteId !== 'number') throw typeError('options.suiteId', 'a suite id number such as 0x0578');
  const signatureHasher = checkSignatureHasher(options.signatureHasher);
  return { encryptionContext, suiteId: options.suiteId as SuiteId | undefined, commitmentPolicy, frameLength, maxEncryptedDataKeys, signatureHasher };
}

/** Checked decrypt options. */
export interface CheckedDecryptOptions {
  readonly cmm: MaterialsManager;
  readonly encryptionContext: EncryptionContext;
  readonly commitmentPolicy: CommitmentPolicy;
  readonly maxEncryptedDataKeys?: number;
  readonly signatureHasher?: SignatureHasher;
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
    signatureHasher: checkSignatureHasher(options.signatureHasher),
  };
}
