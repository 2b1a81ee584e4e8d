/**
 * The contract between the page (src/client.ts) and the kit's worker (workers/kit.worker.ts): the
 * worker API as one interface, the messages of a long call's control port, and the error wire
 * format. Both sides import this file and nothing else of each other (design.md: the arrows point
 * down only), so a change to the boundary is a change here.
 *
 * Three rules hold at this boundary:
 * - The kit's own work moves no key material across it. The worker holds the KMS and every data
 *   key; the page sends plaintext or ciphertext and gets ciphertext or plaintext back. The one way
 *   a key reaches the page is the AWS-shaped KMS client doing what its caller asked for
 *   (GenerateDataKey's `Plaintext`), as AWS KMS would.
 * - Bulk bytes cross by transfer: the sender gives up its buffer (see {@link ownedBytes}).
 * - Errors cross as {@link WireError}: an allowlist of name, code, message and cause, so nothing
 *   an error object happens to carry (a request, a buffer) is ever cloned to the page, and the page
 *   rebuilds them with their class and `code` ({@link fromWireError}).
 */
import { EnvelopeError, ErrorCode } from './core/errors.js';
import type { EncryptionContext, MessageHeader } from './core/types.js';
import type { SuiteId } from './core/suites.js';
import type { KmsSimulation, SimulationState } from './kms/index.js';

/**
 * Bumped when {@link KitWorkerApi} changes incompatibly; `open` refuses a page of another version.
 *
 * @example
 * ```ts
 * await remote.open({ protocolVersion: PROTOCOL_VERSION, name: DEFAULT_KIT_NAME });
 * ```
 */
export const PROTOCOL_VERSION = 1;

/**
 * The kit's name when createKit is given none: its KMS databases are `envelope-kit:<account>:<region>`.
 *
 * @example
 * ```ts
 * const kit = await createKit(); // kit.name === DEFAULT_KIT_NAME
 * ```
 */
export const DEFAULT_KIT_NAME = 'envelope-kit';

/** What the page asks the worker to open. */
export interface KitWorkerConfig {
  readonly protocolVersion: number;
  /** The KMS database name prefix: kits of one name share keys. */
  readonly name: string;
  readonly regions?: readonly string[];
  /** The IAM principal every KMS call is made as; the account root when absent. */
  readonly principal?: string;
}

/** What the worker tells the page once its KMS is open. */
export interface KitWorkerInfo {
  readonly account: string;
  readonly regions: readonly string[];
  /**
   * The KMS client's method names, read from the worker's own client so that the page's proxy
   * follows the KMS as operations are added, with no list to keep in step by hand.
   */
  readonly kmsOperations: readonly string[];
}

/**
 * The audit log's operations the page may call (`kms.audit`): read, verify and wait for pending
 * commits, nothing that writes a record.
 *
 * @example
 * ```ts
 * const records = await remote.audit(AuditOperation.QUERY, [{ eventName: 'Decrypt' }]);
 * ```
 */
export const AuditOperation = { QUERY: 'query', EXPORT: 'export', VERIFY: 'verify', FLUSH: 'flush' } as const;

export type AuditOperation = (typeof AuditOperation)[keyof typeof AuditOperation];

/** Encrypt options as they cross: `keyIds[0]` is the generator, the others add wrapped copies. */
export interface WireEncryptOptions {
  readonly keyIds: readonly string[];
  readonly encryptionContext: EncryptionContext;
  readonly region?: string;
  readonly suiteId?: SuiteId;
}

/** Decrypt options as they cross. Without `region`, the regions named by the message's keys are asked. */
export interface WireDecryptOptions {
  readonly encryptionContext?: EncryptionContext;
  readonly region?: string;
}

/** The result of a one-shot decrypt: the plaintext's buffer is transferred to the page. */
export interface WireDecryptResult {
  readonly plaintext: Uint8Array<ArrayBuffer>;
  readonly header: MessageHeader;
}

/**
 * The branch key store of a kit named `kitName`: its logical key store name (bound into every
 * record's KMS encryption context) and its IndexedDB database. One database holds the branch keys
 * of every KMS key and region; each record names its KMS key ARN. The name starts with
 * `<kitName>:` so that closing the kit waits for it like the KMS's own databases.
 *
 * @example
 * ```ts
 * const { logicalKeyStoreName, database } = branchKeyStoreNames('my-app');
 * // 'my-app:branch-keys', 'my-app:branch-keys'
 * ```
 */
export function branchKeyStoreNames(kitName: string): { readonly logicalKeyStoreName: string; readonly database: string } {
  const name = `${kitName}:branch-keys`;
  return { logicalKeyStoreName: name, database: name };
}

/** How long the worker may use fetched branch key materials when the caller names no TTL: 15 minutes. */
export const DEFAULT_BRANCH_KEY_TTL_SECONDS = 900;

/** Options of `createBranchKey` as they cross. */
export interface WireCreateBranchKeyOptions {
  /** A KMS key id, ARN, alias name or alias ARN; the worker resolves it to the key ARN. */
  readonly keyId: string;
  readonly region?: string;
}

/** Options of `encryptMany` as they cross. */
export interface WireEncryptManyOptions {
  readonly branchKeyId: string;
  readonly encryptionContext: EncryptionContext;
  readonly suiteId?: SuiteId;
  readonly ttlSeconds: number;
  /** Most workers the batch may use (checked by the page); default: navigator.hardwareConcurrency. */
  readonly workers?: number;
}

/** Options of `decryptMany` as they cross. */
export interface WireDecryptManyOptions {
  readonly encryptionContext?: EncryptionContext;
  /** As in {@link WireEncryptManyOptions}. */
  readonly workers?: number;
}

/** Why one record of a batch failed: the allowlisted fields of its error (see {@link WireError}). */
export interface BatchRecordError {
  readonly name: string;
  /** The core's ErrorCode, a BranchKeyStoreErrorCode, or the AWS exception name. */
  readonly code: string;
  readonly message: string;
}

/** One record of a `decryptMany` result: its plaintext (buffer transferred) or its error. */
export type BatchDecryptResult = { readonly plaintext: Uint8Array<ArrayBuffer> } | { readonly error: BatchRecordError };

/**
 * The per-record error of a batch, from anything thrown for that record.
 *
 * @example
 * ```ts
 * results[i] = { error: batchRecordError(error) };
 * ```
 */
export function batchRecordError(error: unknown): BatchRecordError {
  const wire = toWireError(error);
  return { name: wire.name, code: wire.code ?? wire.name, message: wire.message };
}

/**
 * The worker's API, exposed with comlink. Every method rejects with a {@link WireError} (a plain
 * object, not an Error: comlink would clone an Error as name, message and stack only, losing `code`).
 * `Uint8Array` arguments and results arrive with their buffer transferred; `Blob`s cross as handles
 * (structured clone of a Blob copies no bytes).
 */
export interface KitWorkerApi {
  /** Opens the KMS (IndexedDB) once per worker; a second call is refused. */
  open(config: KitWorkerConfig): Promise<KitWorkerInfo>;
  /**
   * Calls one operation of one region's KMS client, e.g. `kms('us-east-1', 'createKey', {})`.
   * Requests are cloned, not transferred: they are small (KMS caps plaintexts at 4 KiB) and
   * callers of an AWS-shaped client do not expect their buffers to be taken. Response buffers are
   * the worker's own and are transferred.
   */
  kms(region: string, operation: string, request: unknown): Promise<unknown>;
  /** `kms.simulate` (outage, latency, throttling) for one region. */
  simulate(settings: KmsSimulation): Promise<void>;
  /** `kms.simulation(region)`: the region's settings as they are now. */
  simulation(region: string): Promise<SimulationState>;
  /** One call of the KMS's audit log (`kms.audit.query(...args)` and so on); records are plain data. */
  audit(operation: AuditOperation, args: readonly unknown[]): Promise<unknown>;
  /** One-shot encrypt; resolves with the whole message. */
  encrypt(data: Uint8Array<ArrayBuffer> | Blob, options: WireEncryptOptions): Promise<Uint8Array<ArrayBuffer>>;
  /** One-shot decrypt. */
  decrypt(ciphertext: Uint8Array<ArrayBuffer> | Blob, options: WireDecryptOptions): Promise<WireDecryptResult>;
  /**
   * Streams `file` through the encryptor frame by frame. `control` is this call's port: the
   * worker posts {@link ProgressMessage}s on it and stops when it receives an {@link AbortMessage}.
   * Resolves with the encrypted file as a Blob only once the whole message is written.
   *
   * With `output` (a FileSystemFileHandle, structured-cloned, not transferred) the worker writes
   * the message to `output.createWritable()` as it goes, and resolves with `output.getFile()` (a
   * File) once the writable has closed; on failure or abort it aborts the writable, so the file
   * keeps its previous content. An engine without createWritable in workers rejects with a TypeError
   * naming `call.output`.
   */
  encryptFile(file: Blob, options: WireEncryptOptions, control: MessagePort, output?: FileSystemFileHandle): Promise<Blob>;
  /**
   * As {@link encryptFile}, for decryption; the Blob is only returned once every frame (and the
   * signature) verified, and with `output` the file is only replaced then.
   */
  decryptFile(file: Blob, options: WireDecryptOptions, control: MessagePort, output?: FileSystemFileHandle): Promise<Blob>;
  /**
   * Creates a branch key in the kit's branch key store (IndexedDB), wrapped by the KMS key
   * `options.keyId` (resolved to its ARN in `options.region`, or the ARN's own region). Resolves
   * with the branch key id.
   */
  createBranchKey(options: WireCreateBranchKeyOptions): Promise<string>;
  /**
   * Encrypts each record into its own message with the hierarchical keyring of `options.branchKeyId`
   * (branch key materials cached in the worker for `ttlSeconds`). Records arrive transferred; the
   * messages, in record order, are transferred back. Rejects as a whole (nothing is returned) if
   * any record fails: an encrypt failure is a fault of the key or the options, not of one record.
   */
  encryptMany(records: Uint8Array<ArrayBuffer>[], options: WireEncryptManyOptions): Promise<Uint8Array<ArrayBuffer>[]>;
  /**
   * Decrypts each message independently: a message that fails is reported in its place as a
   * {@link BatchRecordError}; the others decrypt. Rejects only when the batch itself is invalid.
   */
  decryptMany(messages: Uint8Array<ArrayBuffer>[], options: WireDecryptManyOptions): Promise<BatchDecryptResult[]>;
  /** Closes the KMS's databases; the worker can then be terminated. */
  close(): Promise<void>;
}

// --- Control port of a long call ------------------------------------------------------------------

/**
 * The messages of a long call's control port.
 *
 * Why a MessagePort and not a comlink.proxy callback: an AbortSignal cannot be cloned, and the
 * worker cannot ask the page "aborted yet?" without a round trip per check. A port pushes the abort
 * into the worker's event loop, where it lands between two frames (every frame awaits WebCrypto),
 * and carries progress the other way on the same channel, with no proxy to release afterwards.
 *
 * @example
 * ```ts
 * const { port1, port2 } = new MessageChannel();
 * const done = remote.encryptFile(file, options, transfer(port2, [port2]));
 * signal.addEventListener('abort', () => port1.postMessage({ type: ControlMessageType.ABORT }));
 * ```
 */
export const ControlMessageType = {
  /** page -> worker: stop, discard what was produced, reject with ABORTED. */
  ABORT: 'abort',
  /** worker -> page: input bytes consumed so far. */
  PROGRESS: 'progress',
} as const;

export interface AbortMessage {
  readonly type: typeof ControlMessageType.ABORT;
}

/** Progress of a file call: `done` of `total` input bytes have been read into the encryptor or decryptor. */
export interface ProgressMessage {
  readonly type: typeof ControlMessageType.PROGRESS;
  readonly done: number;
  readonly total: number;
}

/**
 * Progress is posted at most this often (bytes or milliseconds, whichever comes first), and once at the end.
 *
 * @example
 * ```ts
 * if (done - last >= PROGRESS_INTERVAL.bytes || now - lastAt >= PROGRESS_INTERVAL.ms) post();
 * ```
 */
export const PROGRESS_INTERVAL = { bytes: 1024 * 1024, ms: 50 } as const;

// --- Bytes -----------------------------------------------------------------------------------------

/**
 * `bytes` as a view that spans its whole ArrayBuffer, ready to be transferred: the same array when
 * it already does, else a copy. Transferring the buffer of a partial view would send (and detach)
 * bytes outside the view, which may be anything, key material included.
 *
 * @example
 * ```ts
 * const owned = ownedBytes(bytes);
 * worker.postMessage(owned, [owned.buffer]);
 * ```
 */
export function ownedBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const { buffer } = bytes;
  const spans = buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === buffer.byteLength;
  return spans ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}

// --- Errors ----------------------------------------------------------------------------------------

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
} as const;

export type KitErrorCode = (typeof KitErrorCode)[keyof typeof KitErrorCode];

/**
 * An error of the client itself: the worker, not the message or the KMS, is the problem.
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
 * Which class an error is rebuilt as on the page.
 *
 * @example
 * ```ts
 * toWireError(new RangeError('x')).kind === WireErrorKind.RANGE; // true
 * ```
 */
export const WireErrorKind = {
  /** EnvelopeError of the core, with its ErrorCode. */
  ENVELOPE: 'envelope',
  /** An AWS KMS exception: an Error whose `name` and `code` are the exception name, as the AWS SDK's. */
  KMS: 'kms',
  TYPE: 'type',
  RANGE: 'range',
  /** A DOMException (e.g. a WebCrypto OperationError), rebuilt as one with the same name. */
  DOM: 'dom',
  /** The call was aborted: EnvelopeError with code ABORTED and name AbortError. */
  ABORT: 'abort',
  /** Anything else: an Error with the original name. */
  OTHER: 'other',
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
  /** KMS errors: whose fault, as the AWS SDK's `$fault`. */
  readonly fault?: 'client' | 'server';
  readonly cause?: WireError;
}

/** Messages are written by the kit and never hold bytes; the cap only bounds what a foreign error could carry. */
const MAX_MESSAGE = 2000;
const MAX_CAUSES = 4;

function kindOf(error: object): WireErrorKind {
  if (error instanceof EnvelopeError) return error.code === ErrorCode.ABORTED ? WireErrorKind.ABORT : WireErrorKind.ENVELOPE;
  const { name, $fault } = error as { name?: unknown; $fault?: unknown };
  // KMS errors are recognised by shape (a `$fault` and a name), as the AWS SDK's are, so this file
  // needs no import of the KMS and an AWS SDK client behind the worker would cross the same way.
  if (($fault === 'client' || $fault === 'server') && typeof name === 'string') return WireErrorKind.KMS;
  if (typeof DOMException !== 'undefined' && error instanceof DOMException) {
    return error.name === 'AbortError' ? WireErrorKind.ABORT : WireErrorKind.DOM;
  }
  if (error instanceof TypeError) return WireErrorKind.TYPE;
  if (error instanceof RangeError) return WireErrorKind.RANGE;
  return WireErrorKind.OTHER;
}

/**
 * The wire form of anything thrown in the worker. Only name, code, message, `$fault` and the cause
 * chain are read; stack traces stay in the worker.
 *
 * @example
 * ```ts
 * try { return await work(); } catch (error) { throw toWireError(error); }
 * ```
 */
export function toWireError(error: unknown, depth = 0): WireError {
  if (error === null || typeof error !== 'object') {
    return { tag: WIRE_ERROR_TAG, kind: WireErrorKind.OTHER, name: 'Error', message: `non-Error thrown (${typeof error})` };
  }
  const source = error as { name?: unknown; message?: unknown; code?: unknown; $fault?: unknown; cause?: unknown };
  const kind = kindOf(error);
  const wire: { -readonly [K in keyof WireError]: WireError[K] } = {
    tag: WIRE_ERROR_TAG,
    kind,
    name: typeof source.name === 'string' ? source.name : 'Error',
    message: typeof source.message === 'string' ? source.message.slice(0, MAX_MESSAGE) : '',
  };
  if (kind === WireErrorKind.ABORT) wire.code = ErrorCode.ABORTED;
  else if (typeof source.code === 'string') wire.code = source.code;
  if (source.$fault === 'client' || source.$fault === 'server') wire.fault = source.$fault;
  if (source.cause !== undefined && depth < MAX_CAUSES) wire.cause = toWireError(source.cause, depth + 1);
  return wire;
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
 * The page-side error for a {@link WireError}, of the class the worker threw: EnvelopeError (core),
 * an Error named after the AWS exception (KMS), TypeError, RangeError, DOMException; `code` kept.
 * Aborts become an EnvelopeError with code ABORTED whose `name` is `AbortError`, so both
 * `error.code === 'ABORTED'` and the DOM's `error.name === 'AbortError'` checks work.
 *
 * @example
 * ```ts
 * try { await remote.decrypt(bytes, {}); } catch (e) { throw isWireError(e) ? fromWireError(e) : e; }
 * ```
 */
export function fromWireError(wire: WireError): Error {
  const cause = wire.cause ? fromWireError(wire.cause) : undefined;
  const options = cause === undefined ? undefined : { cause };
  let error: Error;
  switch (wire.kind) {
    case WireErrorKind.ENVELOPE:
      error = new EnvelopeError(wire.code as ErrorCode, wire.message, options);
      break;
    case WireErrorKind.ABORT:
      error = abortError(wire.message, cause);
      break;
    case WireErrorKind.KMS:
      error = Object.assign(new Error(wire.message, options), { code: wire.code ?? wire.name, $fault: wire.fault ?? 'client' });
      error.name = wire.name;
      break;
    case WireErrorKind.DOM:
      error = new DOMException(wire.message, wire.name);
      break;
    case WireErrorKind.TYPE:
      error = new TypeError(wire.message, options);
      break;
    case WireErrorKind.RANGE:
      error = new RangeError(wire.message, options);
      break;
    default:
      error = new Error(wire.message, options);
      error.name = wire.name;
  }
  if (wire.code !== undefined && wire.kind !== WireErrorKind.KMS && !('code' in error)) Object.assign(error, { code: wire.code });
  return error;
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
