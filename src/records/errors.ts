/**
 * Errors of the item encryptor. Like the core's EnvelopeError, every failure carries a stable
 * string `code` that survives structured cloning to and from the worker; messages name the
 * attribute or option at fault and never contain key bytes or attribute values.
 */

/**
 * The stable codes of {@link ItemEncryptorError}.
 *
 * @example
 * ```ts
 * if (error.code === ItemErrorCode.SIGNATURE_INVALID) showTamperWarning();
 * ```
 */
export const ItemErrorCode = {
  /** The encryptor's options are inconsistent (e.g. a key attribute that is not signed). */
  INVALID_CONFIG: 'INVALID_CONFIG',
  /** The item cannot be encrypted as configured (missing key attribute, unconfigured attribute, ...). */
  INVALID_ITEM: 'INVALID_ITEM',
  /** An attribute value is not a DynamoDB AttributeValue the specification can serialize. */
  INVALID_ATTRIBUTE_VALUE: 'INVALID_ATTRIBUTE_VALUE',
  /** `aws_dbe_head`, `aws_dbe_foot` or an encrypted attribute is not well formed. */
  MALFORMED_ITEM: 'MALFORMED_ITEM',
  /** The header's legend does not match the attributes this reader treats as signed. */
  SIGNED_ATTRIBUTES_MISMATCH: 'SIGNED_ATTRIBUTES_MISMATCH',
  /** No keyring could unwrap a data key of the item (wrong key, wrong table, changed key attribute, ...). */
  NO_DECRYPTING_KEYRING: 'NO_DECRYPTING_KEYRING',
  /** The header commitment does not match the data key: the header was changed. */
  COMMITMENT_MISMATCH: 'COMMITMENT_MISMATCH',
  /** No recipient tag, or the ECDSA signature, verifies: a signed attribute was changed, added or removed. */
  SIGNATURE_INVALID: 'SIGNATURE_INVALID',
  /** An encrypted attribute did not authenticate (AES-GCM tag). */
  INTEGRITY_FAILURE: 'INTEGRITY_FAILURE',
  /** The item's context disagrees with the header (a reserved key written twice with two values). */
  ENCRYPTION_CONTEXT_MISMATCH: 'ENCRYPTION_CONTEXT_MISMATCH',
  /** The algorithm suite is not one of the two DB-ESDK suites. */
  UNSUPPORTED_SUITE: 'UNSUPPORTED_SUITE',
  /** A beacon is unknown or its value cannot be computed. */
  BEACON_ERROR: 'BEACON_ERROR',
} as const;

/** One of {@link ItemErrorCode}. */
export type ItemErrorCode = (typeof ItemErrorCode)[keyof typeof ItemErrorCode];

/**
 * The error `createItemEncryptor` and its methods throw for anything wrong with an item, its
 * header and footer, or the configuration. Branch on `code`, not on the message.
 *
 * @example
 * ```ts
 * try {
 *   await encryptor.decryptItem(tampered);
 * } catch (error) {
 *   if (error instanceof ItemEncryptorError && error.code === 'SIGNATURE_INVALID') console.warn('record was changed');
 * }
 * ```
 */
export class ItemEncryptorError extends Error {
  /** A stable code from {@link ItemErrorCode}. */
  readonly code: ItemErrorCode;

  constructor(code: ItemErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ItemEncryptorError';
    this.code = code;
  }
}

/** Shorthand for `new ItemEncryptorError(code, message)`. */
export function itemError(code: ItemErrorCode, message: string, cause?: unknown): ItemEncryptorError {
  return new ItemEncryptorError(code, message, cause === undefined ? undefined : { cause });
}
