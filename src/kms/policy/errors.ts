/**
 * The two exceptions authorization produces. MalformedPolicyDocumentException comes from the KMS's
 * own errors module. AccessDeniedException is not in its {@link KmsExceptionName} list (issue 3 never
 * refuses a caller), and that file belongs to the KMS, so it is made here: it must still be a
 * {@link KmsError}, because the client turns any other error into a KMSInternalException.
 */
import { KmsError, kmsError, type KmsExceptionName } from '../errors.js';

/**
 * AWS's exception name for a refused request (AWS KMS API reference, "Common Errors").
 *
 * @example
 * ```ts
 * if (error.name === ACCESS_DENIED) showLogin();
 * ```
 */
export const ACCESS_DENIED = 'AccessDeniedException';

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
  // Until errors.ts lists AccessDeniedException, the name is asserted: the class, `code` and
  // `$fault` ('client') all behave as for the listed names.
  return new KmsError(ACCESS_DENIED as KmsExceptionName, message);
}
