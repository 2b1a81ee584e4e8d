/**
 * Turns an error from the kit into one sentence a visitor can act on. The kit's messages are
 * written for developers and already name the argument; this adds what to do about the common
 * cases, keyed by the stable `code` (or the AWS exception `name`), never by message text.
 */

import type { BranchKeyStoreErrorCode } from '../core/branch-key-store-errors.js';
import type { ErrorCode } from '../core/errors.js';
import type { KmsExceptionName } from '../kms/errors.js';
import type { KitErrorCode } from '../client/errors.js';

/** Every code a kit call can reject with: the core's, the branch key store's, AWS KMS's and the kit's own. */
export type KnownErrorCode = ErrorCode | BranchKeyStoreErrorCode | KmsExceptionName | KitErrorCode | 'INVALID_ARGUMENT';

/**
 * Advice per code. Typed by the codes' own unions, so a renamed or removed code fails to compile
 * here instead of silently losing its advice; codes without an entry show the kit's message alone.
 */
const ADVICE: Readonly<Partial<Record<KnownErrorCode, string>>> = {
  ENCRYPTION_CONTEXT_MISMATCH:
    'The encryption context does not match the one the message was encrypted under: decrypt with the same pairs.',
  INTEGRITY_FAILURE: 'The message was changed after it was encrypted (or is not whole): it cannot be trusted.',
  SIGNATURE_INVALID: 'The message signature does not verify: it was changed after it was encrypted.',
  MALFORMED_MESSAGE: 'This is not an envelope-kit (AWS Encryption SDK) message, or it is cut short.',
  NO_DECRYPTING_KEYRING: 'No KMS key that this kit can use unwrapped the data key.',
  KEYRING_FAILURE: 'No KMS key that this kit can use unwrapped the data key.',
  ABORTED: 'Cancelled.',
  KMSInternalException: 'The KMS in that region is not answering (an outage): try a replica in another region.',
  DependencyTimeoutException: 'The KMS in that region timed out: try again, or use a replica in another region.',
  ThrottlingException: 'The KMS in that region is throttling requests: wait a moment and retry.',
  DisabledException: 'The KMS key is disabled: enable it first.',
  KMSInvalidStateException: 'The KMS key is not in a state that allows this (pending deletion or import?).',
  NotFoundException: 'No such KMS key or alias in this region.',
  AlreadyExistsException: 'That alias is already in use in this region.',
  MalformedPolicyDocumentException: 'The key policy was refused.',
  AccessDeniedException: 'The key policy or grants do not allow this call.',
  UnsupportedOperationException: 'This key does not support that operation.',
  ValidationException: 'The request was refused.',
  WORKER_FAILED: 'The kit’s worker stopped: reload the page.',
  CLOSED: 'The kit was closed: reload the page.',
  STORAGE_FAILED: 'The browser refused to store this (out of space, or the site data was cleared): free some space and retry.',
  INTERNAL: 'Something went wrong inside the kit (a bug): please report it with this message.',
  INVALID_ARGUMENT: 'The request was not well formed.',
  LOCKED: 'The kit is locked: unlock it with its passphrase (or a passkey) first.',
  WRONG_PASSPHRASE: 'That passphrase (or passkey) does not open it.',
  BACKUP_DAMAGED: 'The backup file is damaged or not a backup: nothing was changed.',
  BACKUP_TOO_NEW: 'The backup was made by a newer version of the kit: nothing was changed.',
  BACKUP_MISMATCH: 'The backup belongs to another account or other regions: nothing was changed.',
  NOT_EMPTY: 'This kit already holds keys: tick “Replace” to discard them, or restore into an empty kit. Nothing was changed.',
  PASSKEY_UNAVAILABLE: 'No passkey with the PRF extension is available here.',
};

function isKnown(code: string): code is KnownErrorCode {
  return Object.hasOwn(ADVICE, code);
}

/**
 * The error's stable code: `code`, else the AWS exception `name`.
 *
 * @example
 * ```ts
 * element.addEventListener('ek-error', (e) => errorCode(e.detail.error) === 'DisabledException' && showEnableHint());
 * ```
 */
export function errorCode(error: unknown): string | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const { code, name } = error as { code?: unknown; name?: unknown };
  if (typeof code === 'string') return code;
  return typeof name === 'string' && name !== 'Error' ? name : undefined;
}

/**
 * A short explanation of `error` for the page: advice for known codes, then the kit's own message.
 *
 * @example
 * ```ts
 * try { await kit.decrypt(bytes, { encryptionContext: { user: 'bob' } }); }
 * catch (error) { status.textContent = describeError(error); }
 * ```
 */
export function describeError(error: unknown): string {
  const code = errorCode(error);
  const message = error instanceof Error || (typeof error === 'object' && error !== null && 'message' in error)
    ? String((error as { message: unknown }).message)
    : String(error);
  const advice = code !== undefined && isKnown(code) ? ADVICE[code] : undefined;
  const label = code ? `${code}: ` : '';
  return advice ? `${advice} (${label}${message})` : `${label}${message}`;
}
