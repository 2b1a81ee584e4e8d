/**
 * Errors of the branch key store. Like the core's EnvelopeError they carry a stable string `code`
 * (it survives structured cloning to and from a worker), and their messages name the branch key and
 * what to do, never key bytes.
 */

/**
 * The stable codes of {@link BranchKeyStoreError}.
 *
 * @example
 * ```ts
 * const tampered = (error: unknown) => (error as BranchKeyStoreError)?.code === BranchKeyStoreErrorCode.RECORD_NOT_AUTHENTIC;
 * ```
 */
export const BranchKeyStoreErrorCode = {
  /** No record for this branch key id (and version) in this store. */
  NOT_FOUND: 'NOT_FOUND',
  /** CreateKey with a branch key id that already has records. */
  ALREADY_EXISTS: 'ALREADY_EXISTS',
  /** A stored record is malformed, or is not the record asked for (id, type, version, KMS key). */
  RECORD_INVALID: 'RECORD_INVALID',
  /**
   * KMS refused the record's wrapped key under the record's own encryption context: a field was
   * altered, the ciphertext swapped, or the record belongs to another logical key store.
   */
  RECORD_NOT_AUTHENTIC: 'RECORD_NOT_AUTHENTIC',
  /** Another writer (another tab) versioned the branch key between our read and our write. */
  VERSION_CONFLICT: 'VERSION_CONFLICT',
  /** A KMS call failed for another reason than the record (access, key state, network). */
  KMS_FAILURE: 'KMS_FAILURE',
  /** The storage (IndexedDB) failed, or holds another logical key store. */
  STORAGE_FAILURE: 'STORAGE_FAILURE',
} as const;

export type BranchKeyStoreErrorCode = (typeof BranchKeyStoreErrorCode)[keyof typeof BranchKeyStoreErrorCode];

/**
 * What {@link BranchKeyStore} throws for anything wrong with records, storage or KMS. Wrong
 * arguments are TypeError / RangeError, as everywhere in the kit.
 *
 * @example
 * ```ts
 * try {
 *   await store.versionKey(branchKeyId);
 * } catch (error) {
 *   if (error instanceof BranchKeyStoreError && error.code === 'VERSION_CONFLICT') {
 *     // another tab rotated the key a moment ago: its new version is already active
 *   } else throw error;
 * }
 * ```
 */
export class BranchKeyStoreError extends Error {
  /** A stable code from {@link BranchKeyStoreErrorCode}. */
  readonly code: BranchKeyStoreErrorCode;

  constructor(code: BranchKeyStoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BranchKeyStoreError';
    this.code = code;
  }
}
