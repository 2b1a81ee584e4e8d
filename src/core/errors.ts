/**
 * Errors of the core. Every failure a caller can meet carries a stable string `code`, so code can
 * branch on it and it survives structured cloning to and from a worker. Messages name what was wrong
 * and what to do; they never contain key or plaintext bytes.
 */

/** The stable codes of {@link EnvelopeError}. */
export const ErrorCode = {
  /** The bytes are not a well-formed message (truncated, bad field, trailing bytes, ...). */
  MALFORMED_MESSAGE: 'MALFORMED_MESSAGE',
  /** An AES-GCM tag did not verify: the header or a frame was altered, or the wrong data key. */
  INTEGRITY_FAILURE: 'INTEGRITY_FAILURE',
  /** The footer signature does not verify. */
  SIGNATURE_INVALID: 'SIGNATURE_INVALID',
  /** The commitment key in the header does not match the data key. */
  COMMITMENT_MISMATCH: 'COMMITMENT_MISMATCH',
  /** A required encryption context pair is missing or has another value. */
  ENCRYPTION_CONTEXT_MISMATCH: 'ENCRYPTION_CONTEXT_MISMATCH',
  /** No keyring could unwrap any of the message's encrypted data keys. */
  NO_DECRYPTING_KEYRING: 'NO_DECRYPTING_KEYRING',
  /** The algorithm suite id is unknown or not allowed here. */
  UNSUPPORTED_SUITE: 'UNSUPPORTED_SUITE',
  /** The suite is not allowed by the commitment policy. */
  COMMITMENT_POLICY_VIOLATION: 'COMMITMENT_POLICY_VIOLATION',
  /** A configured limit (maxEncryptedDataKeys, field sizes) was exceeded. */
  LIMIT_EXCEEDED: 'LIMIT_EXCEEDED',
  /** The caller used an encryption context key starting with `aws-crypto-`. */
  RESERVED_CONTEXT_KEY: 'RESERVED_CONTEXT_KEY',
  /** RSA PKCS#1 v1.5 (or another padding WebCrypto lacks) was asked for. */
  UNSUPPORTED_PADDING: 'UNSUPPORTED_PADDING',
  /** A keyring could not produce or wrap the data key. */
  KEYRING_FAILURE: 'KEYRING_FAILURE',
  /** The operation was cancelled through its AbortSignal. */
  ABORTED: 'ABORTED',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * The error the core throws for anything wrong with a message, keys or materials; `code` (one of
 * {@link ErrorCode}) says which, and survives the trip from the worker (`instanceof` works on the
 * page). Bad arguments are TypeError/RangeError instead (`code: 'INVALID_ARGUMENT'`). Messages
 * never hold key or plaintext bytes.
 *
 * @example
 * ```ts
 * import { decrypt, EnvelopeError, ErrorCode } from 'envelope-kit/core';
 * try {
 *   await decrypt(keyring, message);
 * } catch (error) {
 *   if (error instanceof EnvelopeError && error.code === ErrorCode.INTEGRITY_FAILURE) console.warn('the message was altered');
 *   else throw error;
 * }
 * ```
 */
export class EnvelopeError extends Error {
  /** A stable code from {@link ErrorCode}. */
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EnvelopeError';
    this.code = code;
  }
}

/** Throws a MALFORMED_MESSAGE error; used by the parsers. */
export function malformed(message: string): never {
  throw new EnvelopeError(ErrorCode.MALFORMED_MESSAGE, message);
}

// Argument errors live in arguments.ts, the one helper every layer uses; re-exported here because
// the core's files have always imported them from errors.ts.
export { argumentError, rangeError, typeError } from './arguments.js';
