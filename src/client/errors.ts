/**
 * The page side's own error, {@link KitError}, and the error an aborted call rejects with. The
 * other classes a kit call can reject with come from the layer that threw them: EnvelopeError and
 * BranchKeyStoreError (core), KmsError (KMS), TypeError/RangeError (a bad argument).
 */
import { EnvelopeError, ErrorCode } from '../core/errors.js';

/**
 * The client's own error codes (the core's are {@link ErrorCode}, the KMS's are AWS exception names).
 *
 * @example
 * ```ts
 * if (error instanceof KitError && error.code === KitErrorCode.WORKER_FAILED) showReloadHint();
 * ```
 */
export const KitErrorCode = {
  /** The worker failed to load or crashed; the kit is unusable and every pending call was rejected. */
  WORKER_FAILED: 'WORKER_FAILED',
  /** The kit was closed; make a new one with createKit. */
  CLOSED: 'CLOSED',
  /** The page and the worker speak different versions of this protocol (a stale cached worker). */
  PROTOCOL_MISMATCH: 'PROTOCOL_MISMATCH',
  /**
   * The browser's storage refused or lost a request (quota exceeded, an aborted transaction, a
   * blocked upgrade, a file that could not be written). Nothing was half-written; `cause` has the
   * storage's own error name.
   */
  STORAGE_FAILED: 'STORAGE_FAILED',
  /** A bug in the kit: please report it with the message. The call had no effect it could finish. */
  INTERNAL: 'INTERNAL',
  // Keys a user cannot lose (issue 12: src/kms/backup/, src/kms/lock/). Thrown by the KMS layer
  // too (createKms), so kms.restore and kit.restore reject alike.
  /** The kit is locked: unlock it with its passphrase (or passkey) before any call that needs a key. */
  LOCKED: 'LOCKED',
  /** The passphrase (or passkey) does not open this kit or this backup file. */
  WRONG_PASSPHRASE: 'WRONG_PASSPHRASE',
  /** The backup file is truncated, altered, or not a backup file at all. */
  BACKUP_DAMAGED: 'BACKUP_DAMAGED',
  /** The backup file was written by a newer version of the kit, in a format this version cannot read. */
  BACKUP_TOO_NEW: 'BACKUP_TOO_NEW',
  /** The backup is of another account, or of regions this kit does not have. */
  BACKUP_MISMATCH: 'BACKUP_MISMATCH',
  /** The kit restored into already holds keys; pass `{ replace: true }` to discard them. */
  NOT_EMPTY: 'NOT_EMPTY',
  /** No passkey with the WebAuthn PRF extension could be created or used here. */
  PASSKEY_UNAVAILABLE: 'PASSKEY_UNAVAILABLE',
} as const;

export type KitErrorCode = (typeof KitErrorCode)[keyof typeof KitErrorCode];

/**
 * An error of the kit itself rather than of the message (EnvelopeError) or the KMS (KmsError):
 * the worker, its storage, a closed kit, or a bug.
 *
 * @example
 * ```ts
 * try {
 *   await createKit({ worker: new Worker('/wrong/path.js', { type: 'module' }) });
 * } catch (error) {
 *   if (error instanceof KitError && error.code === 'WORKER_FAILED') console.log('check the worker URL');
 * }
 * ```
 */
export class KitError extends Error {
  readonly code: KitErrorCode;

  constructor(code: KitErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KitError';
    this.code = code;
  }
}

/**
 * The error an aborted call rejects with, on either side of the boundary: EnvelopeError, code
 * ABORTED, name AbortError; `cause` is the signal's reason when the page aborted with one.
 *
 * @example
 * ```ts
 * if (signal.aborted) throw abortError('encryptFile was aborted', signal.reason);
 * ```
 */
export function abortError(message = 'the operation was aborted', cause?: unknown): EnvelopeError {
  const error = new EnvelopeError(ErrorCode.ABORTED, message, cause === undefined ? undefined : { cause });
  error.name = 'AbortError';
  return error;
}
