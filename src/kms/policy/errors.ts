/**
 * The two exceptions authorization produces, both {@link KmsError}s with names from the KMS's
 * {@link KmsExceptionName} list (the client turns any other error into a KMSInternalException).
 */
import { kmsError, type KmsError, type KmsExceptionName } from '../errors.js';

/**
 * AWS's exception name for a refused request (AWS KMS API reference, "Common Errors").
 *
 * @example
 * ```ts
 * if (error.name === ACCESS_DENIED) showLogin();
 * ```
 */
export const ACCESS_DENIED = 'AccessDeniedException' satisfies KmsExceptionName;

/**
 * The message AWS KMS gives when a new key policy would lock its author out (API reference, PutKeyPolicy).
 *
 * @example
 * ```ts
 * error.message === LOCKOUT_MESSAGE;
 * ```
 */
export const LOCKOUT_MESSAGE = 'The new key policy will not allow you to update the key policy in the future.';

/**
 * A MalformedPolicyDocumentException whose message says what is wrong and where.
 *
 * @example
 * ```ts
 * throw malformedPolicy('Statement[0] (Sid "Admin"): Effect must be "Allow" or "Deny", not "Permit".');
 * ```
 */
export function malformedPolicy(message: string): KmsError {
  return kmsError('MalformedPolicyDocumentException', message);
}

/**
 * An AccessDeniedException carrying a decision's AWS-shaped message.
 *
 * @example
 * ```ts
 * const decision = authorize(request);
 * if (!decision.allowed) throw accessDenied(decision.reason);
 * ```
 */
export function accessDenied(message: string): KmsError {
  return kmsError(ACCESS_DENIED, message);
}
