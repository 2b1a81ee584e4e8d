/**
 * The simulated KMS's errors: one class, {@link KmsError}, whose `name` and `code` are the AWS KMS
 * exception name, so code written against the AWS SDK (`error.name === 'NotFoundException'`) works
 * unchanged, and the code survives structured cloning to and from a worker. Messages use AWS's
 * documented wording where there is one (developer guide, "Key states of AWS KMS keys", table
 * details) and never contain key material or plaintext.
 */

/** Every exception name the simulated KMS throws, as AWS KMS spells it. */
export const KmsExceptionName = {
  AccessDeniedException: 'AccessDeniedException',
  AlreadyExistsException: 'AlreadyExistsException',
  ConflictException: 'ConflictException',
  DependencyTimeoutException: 'DependencyTimeoutException',
  DisabledException: 'DisabledException',
  DryRunOperationException: 'DryRunOperationException',
  ExpiredImportTokenException: 'ExpiredImportTokenException',
  IncorrectKeyException: 'IncorrectKeyException',
  IncorrectKeyMaterialException: 'IncorrectKeyMaterialException',
  InvalidAliasNameException: 'InvalidAliasNameException',
  InvalidArnException: 'InvalidArnException',
  InvalidCiphertextException: 'InvalidCiphertextException',
  InvalidGrantIdException: 'InvalidGrantIdException',
  InvalidGrantTokenException: 'InvalidGrantTokenException',
  InvalidImportTokenException: 'InvalidImportTokenException',
  InvalidKeyUsageException: 'InvalidKeyUsageException',
  InvalidMarkerException: 'InvalidMarkerException',
  KMSInternalException: 'KMSInternalException',
  KMSInvalidMacException: 'KMSInvalidMacException',
  KMSInvalidSignatureException: 'KMSInvalidSignatureException',
  KMSInvalidStateException: 'KMSInvalidStateException',
  LimitExceededException: 'LimitExceededException',
  MalformedPolicyDocumentException: 'MalformedPolicyDocumentException',
  NotFoundException: 'NotFoundException',
  TagException: 'TagException',
  ThrottlingException: 'ThrottlingException',
  UnsupportedOperationException: 'UnsupportedOperationException',
  ValidationException: 'ValidationException',
} as const;

export type KmsExceptionName = (typeof KmsExceptionName)[keyof typeof KmsExceptionName];

/** Exceptions AWS classes as server faults (retryable); everything else is the caller's. */
const SERVER_FAULTS: ReadonlySet<KmsExceptionName> = new Set([
  'DependencyTimeoutException',
  'KMSInternalException',
  'ThrottlingException',
] as const);

/**
 * An AWS KMS exception. `name` and `code` are the exception name; `$fault` says whose fault it is,
 * as the AWS SDK v3 does.
 *
 * @example
 * ```ts
 * try {
 *   await client.decrypt({ CiphertextBlob: blob });
 * } catch (error) {
 *   if (error instanceof KmsError && error.code === 'InvalidCiphertextException') console.log('tampered');
 * }
 * ```
 */
export class KmsError extends Error {
  override readonly name: KmsExceptionName;
  /** The exception name again, as every layer of the kit carries a `code`. */
  readonly code: KmsExceptionName;
  readonly $fault: 'client' | 'server';

  constructor(name: KmsExceptionName, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = name;
    this.code = name;
    this.$fault = SERVER_FAULTS.has(name) ? 'server' : 'client';
  }
}

/**
 * What went wrong around the simulated KMS rather than in it: AWS KMS has no name for these, so
 * they are not {@link KmsError}s and never pose as KMSInternalException (which a simulated outage
 * throws, as AWS does).
 *
 * @example
 * ```ts
 * if (error instanceof SimulatorError && error.code === SimulatorErrorCode.STORAGE_FAILED) askToFreeSpace();
 * ```
 */
export const SimulatorErrorCode = {
  /** `kms.close()` was called; create a new one with createKms. */
  CLOSED: 'CLOSED',
  /** The browser's storage (IndexedDB, the audit journal) refused or lost a request: quota, an aborted transaction, a blocked upgrade. Nothing was half-written. */
  STORAGE_FAILED: 'STORAGE_FAILED',
} as const;

export type SimulatorErrorCode = (typeof SimulatorErrorCode)[keyof typeof SimulatorErrorCode];

/**
 * An error of the simulator's environment: a closed KMS, or storage that failed. `cause` is the
 * storage's own error (a DOMException such as QuotaExceededError) where there is one.
 *
 * @example
 * ```ts
 * await kms.close();
 * await client.listKeys().catch((e) => e instanceof SimulatorError && e.code === 'CLOSED'); // true
 * ```
 */
export class SimulatorError extends Error {
  readonly code: SimulatorErrorCode;

  constructor(code: SimulatorErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SimulatorError';
    this.code = code;
  }
}

/**
 * Runs one storage request and turns a failure of the storage itself into a
 * {@link SimulatorError} STORAGE_FAILED naming what was being done (never a record's contents).
 * Errors the kit throws on purpose (a stale write, a KMS or simulator error) pass unchanged.
 *
 * @example
 * ```ts
 * const record = await storageRequest('read key', () => db.get('keys', keyId));
 * ```
 */
export async function storageRequest<T>(what: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    if (!isStorageFailure(error)) throw error;
    const name = (error as { name?: unknown }).name;
    throw new SimulatorError(SimulatorErrorCode.STORAGE_FAILED, `storage failed (${what}): ${typeof name === 'string' ? name : 'error'}`, { cause: error });
  }
}

/** DOMExceptions and the errors IndexedDB raises through idb are the storage's; anything else is ours. */
function isStorageFailure(error: unknown): boolean {
  if (typeof DOMException !== 'undefined' && error instanceof DOMException) return true;
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'QuotaExceededError' || name === 'UnknownError' || name === 'InvalidStateError' || name === 'TransactionInactiveError' || name === 'VersionError';
}

/** Shorthand used throughout the KMS: `throw kmsError('NotFoundException', '...')`. */
export function kmsError(name: KmsExceptionName, message: string): KmsError {
  return new KmsError(name, message);
}

// --- The key-state table's footnotes (developer guide, key-state.html, "Table details") ---------

/** [1] */
export const disabled = (arn: string) => kmsError('DisabledException', `${arn} is disabled.`);
/** [3] (and the replica flavour of the same footnote). */
export const pendingDeletion = (arn: string, replica = false) =>
  kmsError('KMSInvalidStateException', `${arn} is pending ${replica ? 'replica ' : ''}deletion.`);
/** [4] */
export const notPendingDeletion = (arn: string) => kmsError('KMSInvalidStateException', `${arn} is not pending deletion.`);
/** [5] */
export const pendingImport = (arn: string) => kmsError('KMSInvalidStateException', `${arn} is pending import.`);
/** [6] */
export const originExternal = (arn: string) =>
  kmsError('UnsupportedOperationException', `${arn} origin is EXTERNAL which is not valid for this operation.`);
/** [11] */
export const unavailable = (arn: string) => kmsError('KMSInvalidStateException', `${arn} is unavailable.`);
/** [14]: the wording is ours; the guide names only the exception for the Creating state. */
export const creating = (arn: string) => kmsError('KMSInvalidStateException', `${arn} is creating.`);
/** [15]: the wording is ours; the guide names only the exception for the Updating state. */
export const updating = (arn: string) => kmsError('KMSInvalidStateException', `${arn} is updating.`);

/** The NotFoundException AWS KMS gives for an unknown key id or ARN. */
export const keyNotFound = (id: string) => kmsError('NotFoundException', `Key '${id}' does not exist`);
/** The NotFoundException AWS KMS gives for an unknown alias. */
export const aliasNotFound = (aliasArn: string) => kmsError('NotFoundException', `Alias ${aliasArn} is not found.`);

/**
 * A ValidationException in AWS's own format, e.g.
 * `1 validation error detected: Value at 'keyId' failed to satisfy constraint: Member must not be null`.
 */
export function validation(member: string, constraint: string, value?: string): KmsError {
  const shown = value === undefined ? '' : ` '${value}'`;
  return kmsError('ValidationException', `1 validation error detected: Value${shown} at '${member}' failed to satisfy constraint: ${constraint}`);
}
