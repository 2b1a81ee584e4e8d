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
