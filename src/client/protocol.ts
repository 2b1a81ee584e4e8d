/**
 * The contract between the page (src/client/kit.ts) and the kit's worker (workers/kit.worker.ts): the
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
import { toWireError } from './wire-errors.js';
import type { EncryptionContext, MessageHeader } from '../core/types.js';
import type { SuiteId } from '../core/suites.js';
import type { BackupOptions, KmsRegionClient, KmsSimulation, PasskeyEnrollment, RestoreOptions, RestoreSummary, SimulationState, UnlockSecret } from '../kms/index.js';
import type { KitService } from '../services/operation-names.js';
import type { RotationEvent } from '../services/secrets-manager/types.js';
import type { AtRestService } from '../services/at-rest-operations.js';
import type { WireTableRequest, WireTableTarget } from './tables/protocol.js';

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
  /** A new kit's passphrase (src/kms/lock/); an existing locked kit opens locked regardless. */
  readonly passphrase?: string;
  /** Most helper workers the kit worker may start (CreateKitOptions.helperWorkers); default one fewer than the cores. */
  readonly helperWorkers?: number;
}

/** What the worker tells the page once its KMS is open. */
export interface KitWorkerInfo {
  readonly account: string;
  readonly regions: readonly string[];
  /**
   * The KMS client's method names, read from the worker's own client so that the page's proxy
   * follows the KMS as operations are added, with no list to keep in step by hand.
   */
  readonly kmsOperations: readonly KmsOperationName[];
  /** Whether the kit opened locked (it has a passphrase and was opened again). */
  readonly locked: boolean;
  /** Whether the kit has a passphrase lock at all. */
  readonly lockable: boolean;
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

/**
 * The name of a KMS operation as the regional client spells it (`createKey`, `decrypt`, ...): the
 * worker's KMS dispatch is typed by it, so a request and its response are the operation's own.
 */
export type KmsOperationName = {
  [K in keyof KmsRegionClient]: KmsRegionClient[K] extends (...args: never[]) => Promise<unknown> ? K : never;
}[keyof KmsRegionClient];

/** The request of one KMS operation. */
export type KmsRequest<Op extends KmsOperationName> = Parameters<KmsRegionClient[Op]>[0];

/** The response of one KMS operation. */
export type KmsResponse<Op extends KmsOperationName> = Awaited<ReturnType<KmsRegionClient[Op]>>;

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

/** The result of a one-shot encrypt: the message's buffer is transferred to the page. */
export interface WireEncryptResult {
  readonly ciphertext: Uint8Array<ArrayBuffer>;
  readonly header: MessageHeader;
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
 * `Uint8Array` arguments and results arrive with their buffer transferred (the page copies the
 * caller's bytes first unless the caller asked for `transfer`); `Blob`s cross as handles
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
  kms<Op extends KmsOperationName>(region: string, operation: Op, request: KmsRequest<Op>): Promise<KmsResponse<Op>>;
  /**
   * Calls one operation of a service's client in one region as the kit's principal, e.g.
   * `service('secretsmanager', 'us-east-1', 'getSecretValue', { SecretId })` (envelope-kit/services).
   * Requests are cloned; response buffers are transferred.
   */
  service(service: KitService, region: string, operation: string, request: unknown): Promise<unknown>;
  /**
   * Registers a rotation function living in the page: `step` is a comlink proxy the worker calls
   * once per rotation step; it resolves when the page's function has done the step.
   */
  registerRotationFunction(arn: string, step: (event: RotationEvent) => Promise<void>): Promise<void>;
  /** `services.tick()`: scheduled rotations and replica retries that the clock made due. */
  tickServices(): Promise<void>;
  /** `kms.simulate` (outage, latency, throttling) for one region. */
  simulate(settings: KmsSimulation): Promise<void>;
  /** `kms.simulation(region)`: the region's settings as they are now. */
  simulation(region: string): Promise<SimulationState>;
  /** One call of the KMS's audit log (`kms.audit.query(...args)` and so on); records are plain data. */
  audit(operation: AuditOperation, args: readonly unknown[]): Promise<unknown>;
  /** One-shot encrypt; resolves with the whole message and its header. */
  encrypt(data: Uint8Array<ArrayBuffer> | Blob, options: WireEncryptOptions): Promise<WireEncryptResult>;
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
   * `kit.signatureHasher`: starts a footer-hash session (src/client/port-hash.ts) on `port` in one of
   * this worker's helpers, so the page's bytes go to the helper directly. Resolves `false` when the
   * worker runs no helpers (CreateKitOptions.helperWorkers 0, one core, or helpers that cannot load):
   * the page then hashes on its own thread.
   */
  hashSession(port: MessagePort, hash: 'SHA-256' | 'SHA-384'): Promise<boolean>;
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
   * One request on an encrypted table (`kit.table`, src/client/tables/): items are encrypted and
   * decrypted here with the table's branch key; results are plaintext items, counts, or (export)
   * the encrypted items as DynamoDB JSON. Items are cloned, not transferred.
   */
  table(target: WireTableTarget, request: WireTableRequest): Promise<unknown>;
  /**
   * Decrypts each message independently: a message that fails is reported in its place as a
   * {@link BatchRecordError}; the others decrypt. Rejects only when the batch itself is invalid.
   */
  decryptMany(messages: Uint8Array<ArrayBuffer>[], options: WireDecryptManyOptions): Promise<BatchDecryptResult[]>;
  /**
   * Calls one operation of one Region's S3, ECR or Inspector client (`envelope-kit/services`), as
   * the kit's principal, e.g. `atRest('s3', 'us-east-1', 'getObject', { Bucket, Key })`. Requests
   * are cloned; response buffers (object bodies, layers) are transferred. The services open on
   * first use, over the worker's KMS; `tickServices` also retries S3 replication still PENDING.
   */
  atRest(service: AtRestService, region: string, operation: string, request: unknown): Promise<unknown>;
  /** `kit.backup`: the whole key store (KMS and branch keys) as one encrypted file (src/kms/backup/). */
  backup(options: BackupOptions): Promise<Blob>;
  /** `kit.restore`: a backup file restored into this kit; rejects with a KitError and changes nothing when it cannot. */
  restore(file: Blob | Uint8Array<ArrayBuffer>, options: RestoreOptions): Promise<RestoreSummary>;
  /** Forgets the root keys and every unwrapped key: key calls reject with LOCKED until `unlock`. */
  lock(): Promise<void>;
  /** Unlocks with the passphrase or a passkey's PRF output (src/kms/lock/key-lock.ts). */
  unlock(secret: UnlockSecret): Promise<void>;
  /** Re-wraps the lock's master key under a new passphrase. */
  changePassphrase(oldPassphrase: string, newPassphrase: string): Promise<void>;
  /** Adds a passkey's PRF output as a second way to unlock. */
  addPasskey(enrollment: PasskeyEnrollment): Promise<void>;
  /** The passkeys that unlock the kit (credential ids and PRF inputs) for a WebAuthn get(). */
  passkeys(): Promise<{ credentialId: Uint8Array; prfSalt: Uint8Array }[]>;
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
// The error classes of the page side and the wire codec live in their own files; both sides of the
// boundary import them through this one.
export * from './errors.js';
export * from './wire-errors.js';
