/**
 * The error wire format between the kit's worker and the page. A rejection crosses as a
 * {@link WireError}: an allowlist of kind, name, code, message, `$fault` and cause, so nothing an
 * error object happens to carry (a request, a buffer, a stack) is cloned to the page. The page
 * rebuilds it with its class ({@link fromWireError}), so `instanceof` and `code` work there as in
 * the worker:
 *
 * | thrown in the worker | on the page |
 * | --- | --- |
 * | EnvelopeError (core) | EnvelopeError, same code |
 * | BranchKeyStoreError | BranchKeyStoreError, same code |
 * | KmsError (an AWS KMS exception; a simulated outage is KMSInternalException) | KmsError, `name` = `code` = the exception name |
 * | another AWS-shaped exception (`name` and `$fault`, e.g. a service's) | Error with that `name`, `code` and `$fault` |
 * | KitError | KitError, same code |
 * | SimulatorError CLOSED / STORAGE_FAILED | KitError CLOSED / STORAGE_FAILED |
 * | TypeError / RangeError from the argument helper (code INVALID_ARGUMENT) | the same class and code |
 * | an abort (EnvelopeError ABORTED, DOMException AbortError) | EnvelopeError ABORTED named AbortError |
 * | a storage DOMException (QuotaExceededError, NotReadableError, ...) | KitError STORAGE_FAILED |
 * | anything else: a bug | KitError INTERNAL |
 */
import { BranchKeyStoreError, type BranchKeyStoreErrorCode } from '../core/branch-key-store-errors.js';
import { EnvelopeError, ErrorCode } from '../core/errors.js';
import { isArgumentError } from '../core/arguments.js';
import { KmsError, KmsExceptionName, SimulatorError } from '../kms/errors.js';
import { KitError, KitErrorCode, abortError } from './errors.js';

/**
 * Which class an error is rebuilt as on the page.
 *
 * @example
 * ```ts
 * toWireError(rangeError('x', 'is too long')).kind === WireErrorKind.RANGE; // true
 * ```
 */
export const WireErrorKind = {
  /** EnvelopeError of the core, with its ErrorCode. */
  ENVELOPE: 'envelope',
  /** BranchKeyStoreError of the core, with its BranchKeyStoreErrorCode. */
  BRANCH_KEY_STORE: 'branch-key-store',
  /** An AWS exception (KMS or a service): `name` and `code` are the exception name, `$fault` kept. */
  AWS: 'aws',
  /** KitError, with its KitErrorCode. */
  KIT: 'kit',
  /** A bad argument (TypeError, code INVALID_ARGUMENT). */
  TYPE: 'type',
  /** A bad argument (RangeError, code INVALID_ARGUMENT). */
  RANGE: 'range',
  /** The call was aborted: EnvelopeError with code ABORTED and name AbortError. */
  ABORT: 'abort',
} as const;

export type WireErrorKind = (typeof WireErrorKind)[keyof typeof WireErrorKind];

/**
 * Marks a rejection value as a wire error, so that the page never mistakes another object for one.
 *
 * @example
 * ```ts
 * toWireError(new Error('x')).tag === WIRE_ERROR_TAG; // true
 * ```
 */
export const WIRE_ERROR_TAG = 'envelope-kit/error';

/** An error as it crosses the boundary: these members and no others. */
export interface WireError {
  readonly tag: typeof WIRE_ERROR_TAG;
  readonly kind: WireErrorKind;
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  /** AWS exceptions: whose fault, as the AWS SDK's `$fault`. */
  readonly fault?: 'client' | 'server';
  readonly cause?: WireError;
}

/** Messages are written by the kit and never hold bytes; the cap only bounds what a foreign error could carry. */
const MAX_MESSAGE = 2000;
const MAX_CAUSES = 4;

/** DOMException names that mean the browser's storage (IndexedDB, OPFS, a file) failed us. */
const STORAGE_DOM_ERRORS: ReadonlySet<string> = new Set([
  'QuotaExceededError',
  'NotReadableError',
  'NoModificationAllowedError',
  'InvalidModificationError',
  'NotFoundError',
  'UnknownError',
  'InvalidStateError',
  'TransactionInactiveError',
  'VersionError',
]);

type Wire = { -readonly [K in keyof WireError]: WireError[K] };

function wire(kind: WireErrorKind, name: string, message: string, code?: string): Wire {
  return { tag: WIRE_ERROR_TAG, kind, name, message: message.slice(0, MAX_MESSAGE), ...(code === undefined ? {} : { code }) };
}

function classify(error: object, message: string): Wire {
  const { name, code, $fault } = error as { name?: unknown; code?: unknown; $fault?: unknown };
  const nameText = typeof name === 'string' ? name : 'Error';
  if (error instanceof EnvelopeError) {
    return error.code === ErrorCode.ABORTED ? wire(WireErrorKind.ABORT, 'AbortError', message, ErrorCode.ABORTED) : wire(WireErrorKind.ENVELOPE, 'EnvelopeError', message, error.code);
  }
  if (error instanceof BranchKeyStoreError) return wire(WireErrorKind.BRANCH_KEY_STORE, 'BranchKeyStoreError', message, error.code);
  if (error instanceof KitError) return wire(WireErrorKind.KIT, 'KitError', message, error.code);
  if (error instanceof SimulatorError) return wire(WireErrorKind.KIT, 'KitError', message, error.code);
  // AWS exceptions are recognised by shape (a `$fault` and a name), as the AWS SDK's are, so a
  // service's exceptions or an AWS SDK client behind the worker cross the same way as KmsError.
  if (($fault === 'client' || $fault === 'server') && typeof name === 'string') {
    return { ...wire(WireErrorKind.AWS, name, message, typeof code === 'string' ? code : name), fault: $fault };
  }
  if (typeof DOMException !== 'undefined' && error instanceof DOMException) {
    if (error.name === 'AbortError') return wire(WireErrorKind.ABORT, 'AbortError', message, ErrorCode.ABORTED);
    if (STORAGE_DOM_ERRORS.has(error.name)) return wire(WireErrorKind.KIT, 'KitError', `storage failed: ${error.name}: ${message}`, KitErrorCode.STORAGE_FAILED);
  }
  if (isArgumentError(error)) return wire(error instanceof RangeError ? WireErrorKind.RANGE : WireErrorKind.TYPE, nameText, message, error.code);
  // Anything else is a bug of the kit (or of the browser under it): say so, rather than let a
  // stray TypeError pass for a bad argument or a failure pass for a KMS outage.
  return wire(WireErrorKind.KIT, 'KitError', `internal error in the kit's worker (${nameText}): ${message}`, KitErrorCode.INTERNAL);
}

/**
 * The wire form of anything thrown in the worker (see the table at the top of this file). Stack
 * traces stay in the worker.
 *
 * @example
 * ```ts
 * try { return await work(); } catch (error) { throw toWireError(error); }
 * ```
 */
export function toWireError(error: unknown, depth = 0): WireError {
  if (error === null || typeof error !== 'object') {
    return wire(WireErrorKind.KIT, 'KitError', `internal error in the kit's worker: non-Error thrown (${typeof error})`, KitErrorCode.INTERNAL);
  }
  const source = error as { message?: unknown; cause?: unknown };
  const result = classify(error, typeof source.message === 'string' ? source.message : '');
  if (source.cause !== undefined && depth < MAX_CAUSES) result.cause = toWireError(source.cause, depth + 1);
  return result;
}

/**
 * Whether a rejection value is a {@link WireError}.
 *
 * @example
 * ```ts
 * remote.decrypt(bytes, {}).catch((e) => { throw isWireError(e) ? fromWireError(e) : e; });
 * ```
 */
export function isWireError(value: unknown): value is WireError {
  return typeof value === 'object' && value !== null && (value as { tag?: unknown }).tag === WIRE_ERROR_TAG;
}

/**
 * The page-side error for a {@link WireError}, of the class the worker threw (see the table at the
 * top of this file), `code` kept. Aborts become an EnvelopeError with code ABORTED whose `name` is
 * `AbortError`, so both `error.code === 'ABORTED'` and the DOM's `error.name === 'AbortError'`
 * checks work.
 *
 * @example
 * ```ts
 * try { await remote.decrypt(bytes, {}); } catch (e) { throw isWireError(e) ? fromWireError(e) : e; }
 * ```
 */
export function fromWireError(received: WireError): Error {
  const cause = received.cause ? fromWireError(received.cause) : undefined;
  const options = cause === undefined ? undefined : { cause };
  switch (received.kind) {
    case WireErrorKind.ENVELOPE:
      return new EnvelopeError(received.code as ErrorCode, received.message, options);
    case WireErrorKind.ABORT:
      return abortError(received.message, cause);
    case WireErrorKind.BRANCH_KEY_STORE:
      return new BranchKeyStoreError(received.code as BranchKeyStoreErrorCode, received.message, options);
    case WireErrorKind.AWS: {
      // A KMS exception comes back as a KmsError; any other AWS exception (a service's) as an Error
      // with the same name, code and $fault, as the AWS SDK v3 shapes its exceptions.
      if (Object.hasOwn(KmsExceptionName, received.name)) return new KmsError(received.name as KmsExceptionName, received.message, options);
      const other = Object.assign(new Error(received.message, options), { code: received.code ?? received.name, $fault: received.fault ?? 'client' });
      other.name = received.name;
      return other;
    }
    case WireErrorKind.TYPE:
      return Object.assign(new TypeError(received.message, options), { code: received.code });
    case WireErrorKind.RANGE:
      return Object.assign(new RangeError(received.message, options), { code: received.code });
    default:
      return new KitError((received.code ?? KitErrorCode.INTERNAL) as KitErrorCode, received.message, options);
  }
}
