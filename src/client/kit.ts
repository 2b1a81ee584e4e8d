/**
 * `createKit()`: the main-thread client. It starts the kit's worker (workers/kit.worker.ts), which
 * holds the simulated KMS and every key, and talks to it over comlink with the protocol in
 * protocol.ts. The page only ever holds ids, ARNs, ciphertext and the plaintext it asked for.
 */
import { proxy, releaseProxy, transfer, wrap, type Remote } from 'comlink';
import type { EncryptionContext, MessageHeader } from '../core/types.js';
import type { SuiteId } from '../core/suites.js';
import type { SignatureHasher } from '../core/options.js';
import { HASH_STALL_MS, PortHash } from './port-hash.js';
import { typeError, rangeError } from '../core/errors.js';
import { askForPersistence, storageStatus, type StorageStatus } from './key-custody/storage.js';
import { createPrfPasskey, evaluatePrf, type AddPasskeyOptions } from './key-custody/passkeys.js';
import type { BackupOptions, KmsAudit, KmsRegionClient, KmsSimulation, RestoreOptions, RestoreSummary, SimulationState } from '../kms/index.js';
import { KitService, SECRETS_MANAGER_OPERATIONS, SSM_OPERATIONS } from '../services/operation-names.js';
import type { RotationEvent, RotationFunction, SecretsManagerClient } from '../services/secrets-manager/types.js';
import type { SsmClient } from '../services/ssm/types.js';
import { atRestClient, type AtRestCall } from './at-rest.js';
import { AtRestService } from '../services/at-rest-operations.js';
import type { S3Client } from '../services/s3/s3.js';
import type { EcrClient } from '../services/ecr/ecr.js';
import type { InspectorClient } from '../services/inspector/inspector.js';
import { KitTable } from './tables/kit-table.js';
import type { KitTableConfig } from './tables/protocol.js';
// Under the global's name, so that `new Worker(new URL(…))` below stays visible to bundlers (trusted-worker.ts).
import { TrustedWorker as Worker } from './trusted-worker.js';
import {
  AuditOperation,
  ControlMessageType,
  DEFAULT_KIT_NAME,
  KitError,
  KitErrorCode,
  PROTOCOL_VERSION,
  abortError,
  fromWireError,
  isWireError,
  DEFAULT_BRANCH_KEY_TTL_SECONDS,
  ownedBytes,
  type AbortMessage,
  type BatchDecryptResult,
  type BatchRecordError,
  type KitWorkerApi,
  type KmsOperationName,
  type ProgressMessage,
  type WireDecryptOptions,
  type WireEncryptOptions,
} from './protocol.js';

/** Options of {@link createKit}. */
export interface CreateKitOptions {
  /** Names the KMS's databases: kits of one name (in any tab) share keys. Default `envelope-kit`. */
  readonly name?: string;
  /** The simulated regions. Default us-east-1, us-west-2, eu-west-1, ap-northeast-2. */
  readonly regions?: readonly string[];
  /** The IAM principal ARN every KMS call is made as. Default: the account root. */
  readonly principal?: string;
  /**
   * A worker running workers/kit.worker.ts, for bundlers that need to build it themselves. The
   * caller owns it: `kit.close()` closes the kit in it but does not terminate it.
   */
  readonly worker?: Worker;
  /**
   * Locks the kit's root keys under this passphrase (README, "Keys you cannot lose"). A new kit is
   * created locked under it and starts unlocked; a kit that already has a passphrase always opens
   * locked (a reload, another tab): call `kit.unlock(passphrase)`.
   */
  readonly passphrase?: string;
  /** Locks the kit after this many milliseconds without a call (a kit with a passphrase only). */
  readonly autoLockMs?: number;
  /**
   * The most helper workers the kit's worker may start beside itself. Helpers run shares of
   * `encryptMany` / `decryptMany` batches and hash signed files and large signed messages while the
   * kit's worker encrypts; they never hold a key's bytes (README, "The kit in a worker"). Default: one fewer than
   * `navigator.hardwareConcurrency` (none on a one-core machine). `0`: the kit's worker does
   * everything itself.
   */
  readonly helperWorkers?: number;
}

/**
 * How a call's byte arrays reach the worker. By default the kit copies them, so the caller's
 * arrays stay intact (as the AWS Encryption SDK leaves them); results always come back transferred
 * (the caller owns them, the worker keeps nothing).
 */
export interface KitTransferOption {
  /**
   * `true`: transfer the caller's buffers instead of copying them. The caller's array is detached
   * (length 0) once the call starts, and nothing is copied; a view into part of a larger buffer is
   * still copied (transferring would take the whole buffer). Measured cost of the default copy,
   * in the README ("Copy or transfer"). Default `false`.
   */
  readonly transfer?: boolean;
}

/** Options of `kit.encrypt` and `kit.encryptFile`. */
export interface KitEncryptOptions extends KitTransferOption {
  /**
   * The KMS key (key id, key ARN, alias name or alias ARN) that wraps the data key, or several:
   * the first generates it and each other adds a wrapped copy, so any one of them can decrypt.
   */
  readonly keyId: string | readonly string[];
  /** Authenticated, not secret; bound into the message and every KMS call. Use `{}` for none. */
  readonly encryptionContext: EncryptionContext;
  /** The region for key ids and aliases that are not ARNs. Default: the kit's first region. */
  readonly region?: string;
  /** Default 0x0578 (committing, ECDSA P-384 signed); 0x0478 is the same without the signature. */
  readonly suiteId?: SuiteId;
}

/** Options of `kit.decrypt` and `kit.decryptFile`. */
export interface KitDecryptOptions extends KitTransferOption {
  /** Pairs the message must carry with these values (ENCRYPTION_CONTEXT_MISMATCH otherwise). */
  readonly encryptionContext?: EncryptionContext;
  /**
   * Decrypt through this region's KMS: a multi-Region key's copy is unwrapped by the replica there
   * (the primary's region may be down). Default: the regions the message's key ARNs name.
   */
  readonly region?: string;
}

/** Progress of a file call. */
export interface FileProgress {
  /** Input bytes read into the encryptor or decryptor so far. */
  readonly done: number;
  /** The input Blob's size. */
  readonly total: number;
}

/** Per-call options of `kit.encryptFile` and `kit.decryptFile`. */
export interface FileCallOptions {
  /** Called as the worker reads the file (at most every MiB or 50 ms, and once at the end). */
  readonly onProgress?: (progress: FileProgress) => void;
  /** Aborting rejects at once with code ABORTED (name AbortError) and stops the worker's work. */
  readonly signal?: AbortSignal;
  /**
   * Write the output to this file instead of returning a Blob held by the browser: the worker
   * writes each frame to `output.createWritable()` as it comes, so neither memory nor the blob
   * store grows with the file's size (only the disk does). The call then resolves with
   * `await output.getFile()`, a File (a Blob, so code that takes the Blob keeps working).
   *
   * Nothing half-written is ever left: the writable writes to a swap file that replaces the file
   * only on close(), which happens once the whole output is written (for `decryptFile`, once every
   * frame and the signature verified). On abort or any failure the writable is aborted and the file
   * keeps its previous content (a new file stays empty). An abort that arrives after the file was
   * committed still rejects the call, and the file then holds the complete output.
   *
   * Any FileSystemFileHandle works: one from `navigator.storage.getDirectory()` (the origin private
   * file system) or from `showSaveFilePicker()`. In an engine whose workers lack
   * `FileSystemFileHandle.createWritable()`, the call rejects with a TypeError naming `call.output`.
   *
   * @example
   * ```ts
   * const dir = await navigator.storage.getDirectory();
   * const target = await dir.getFileHandle('report.bin.encrypted', { create: true });
   * const file: File = await kit.encryptFile(input, { keyId, encryptionContext: {} }, { output: target, onProgress });
   * const plain = await dir.getFileHandle('report.bin', { create: true });
   * await kit.decryptFile(file, {}, { output: plain }); // resolves with report.bin's File
   * ```
   */
  readonly output?: FileSystemFileHandle;
}

/** {@link FileCallOptions} with an `output` file: the call resolves with that file's File. */
export interface FileOutputCallOptions extends FileCallOptions {
  readonly output: FileSystemFileHandle;
}

/** The result of `kit.encrypt`: the message and its header, as the core's `encrypt` returns them. */
export interface KitEncryptResult {
  /** The AWS Encryption SDK message. */
  readonly ciphertext: Uint8Array<ArrayBuffer>;
  /** The message's header, shaped as the core's MessageHeader (what `parseHeader(ciphertext)` gives). */
  readonly header: MessageHeader;
}

/** The result of `kit.decrypt`. */
export interface KitDecryptResult {
  readonly plaintext: Uint8Array<ArrayBuffer>;
  readonly header: MessageHeader;
}

/** Options of `kit.createBranchKey`. */
export interface KitCreateBranchKeyOptions {
  /** The KMS key that wraps the branch key: key id, key ARN, alias name or alias ARN (stored as the key's ARN). */
  readonly keyId: string;
  /** The region of a key id or alias that is not an ARN. Default: the kit's first region. */
  readonly region?: string;
}

/** Options of `kit.encryptMany`. */
export interface KitEncryptManyOptions extends KitTransferOption {
  /** The branch key (from `kit.createBranchKey`) whose derived keys wrap each record's data key. */
  readonly branchKeyId: string;
  /** Bound into every record's message. Default `{}`. */
  readonly encryptionContext?: EncryptionContext;
  /** Default: the core's default, 0x0578 (signed); 0x0478 is the same without the per-message signature, and much faster. */
  readonly suiteId?: SuiteId;
  /**
   * How long the worker may reuse the branch key it fetched (one KMS Decrypt) before fetching it
   * again, in seconds. Default 900 (15 minutes).
   */
  readonly ttlSeconds?: number;
  /**
   * Most workers the batch is spread over (a positive integer). Default: `navigator.hardwareConcurrency`.
   * The kit's worker hands shares of at least 64 records to helper workers, each holding the branch
   * key only as a non-extractable CryptoKey; `1` keeps the whole batch in the kit's worker.
   */
  readonly workers?: number;
}

/** Options of `kit.decryptMany`. */
export interface KitDecryptManyOptions extends KitTransferOption {
  /** Pairs every message must carry with these values; a message that does not fails alone (ENCRYPTION_CONTEXT_MISMATCH). */
  readonly encryptionContext?: EncryptionContext;
  /** As in {@link KitEncryptManyOptions.workers}. */
  readonly workers?: number;
}

/** `options.workers` of the batch calls: undefined or a positive integer. */
function checkWorkers(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw typeError('options.workers', 'a positive integer');
  if (value < 1) throw rangeError('options.workers', 'must be at least 1');
  return value;
}

/** Why one record of `kit.decryptMany` failed. */
export type { BatchRecordError };

/** One record of `kit.decryptMany`'s result, in the place of its message: `{ plaintext }` or `{ error }`. */
export type KitDecryptManyResult = BatchDecryptResult;

/**
 * A kit: the simulated KMS and envelope encryption, running in a worker.
 *
 * Bytes given to `encrypt`, `decrypt`, `encryptMany` and `decryptMany` are copied to the worker:
 * the caller's arrays stay intact. `{ transfer: true }` in a call's options transfers them instead
 * (the caller's array is then detached). Results are always transferred to the caller.
 */
export interface Kit {
  /** The kit's name: kits of one name share their KMS databases. */
  readonly name: string;
  readonly account: string;
  readonly regions: readonly string[];
  /**
   * The AWS-shaped KMS client of one region, running in the worker. Methods that return key
   * material by design (GenerateDataKey's `Plaintext`, a key pair's private key) do bring it to the
   * page, as AWS KMS would to its caller; `encrypt` and `decrypt` below never do.
   */
  kms(region: string): KmsRegionClient;
  /**
   * Amazon S3 of one region, in the worker, with objects encrypted at rest on the kit's KMS
   * (README, "Objects, images and findings at rest"). A body the kit encrypted (`kit.encrypt`) is
   * stored byte for byte and reads back for `kit.decrypt`.
   *
   * @example
   * ```ts
   * await kit.s3('us-east-1').createBucket({ Bucket: 'notes' });
   * await kit.s3('us-east-1').putObject({ Bucket: 'notes', Key: 'a', Body: await kit.encrypt('hi', { keyIds: [keyArn] }) });
   * ```
   */
  s3(region: string): S3Client;
  /** Amazon ECR of one region, in the worker: repositories encrypted at rest, with their KMS grants. */
  ecr(region: string): EcrClient;
  /** Amazon Inspector of one region, in the worker: per-resource-type keys and encrypted code snippets. */
  inspector(region: string): InspectorClient;
  /**
   * The AWS-shaped Secrets Manager client of one region (envelope-kit/services), running in the
   * worker as the kit's principal: secret values are sealed there under the kit's KMS.
   *
   * @example
   * ```ts
   * const sm = kit.secretsManager('us-east-1');
   * await sm.createSecret({ Name: 'db', SecretString: 'hunter2', AddReplicaRegions: [{ Region: 'eu-west-1' }] });
   * const { SecretString } = await kit.secretsManager('eu-west-1').getSecretValue({ SecretId: 'db' });
   * ```
   */
  secretsManager(region: string): SecretsManagerClient;
  /** The AWS-shaped Parameter Store (SSM) client of one region, running in the worker. */
  ssm(region: string): SsmClient;
  /**
   * Registers a rotation function (standing in for the rotation Lambda `arn`, RotateSecret's
   * RotationLambdaARN). It runs in the page: the worker calls it for each rotation step with the
   * event, and it gets this kit's Secrets Manager client of the secret's region.
   *
   * @example
   * ```ts
   * await kit.registerRotationFunction('arn:aws:lambda:us-east-1:111122223333:function:rotate', async ({ SecretId, ClientRequestToken, Step }, sm) => {
   *   if (Step === 'createSecret') {
   *     const { RandomPassword } = await sm.getRandomPassword({});
   *     await sm.putSecretValue({ SecretId, ClientRequestToken, SecretString: RandomPassword, VersionStages: ['AWSPENDING'] });
   *   }
   * });
   * ```
   */
  registerRotationFunction(arn: string, fn: RotationFunction): Promise<void>;
  /** Runs what the clock made due in the services: scheduled rotations, retries of Failed replicas, S3 replication still PENDING. */
  tickServices(): Promise<void>;
  /** Simulates an outage, latency or throttling in one region (`kms.simulate`). */
  simulate(settings: KmsSimulation): Promise<void>;
  /**
   * One region's simulation settings as they are now, whoever set them (`kms.simulation`).
   *
   * @example
   * ```ts
   * await kit.simulate({ region: 'us-east-1', latencyMs: 50 });
   * (await kit.simulation('us-east-1')).latencyMs; // 50
   * ```
   */
  simulation(region: string): Promise<SimulationState>;
  /**
   * The KMS's audit log, read-only: `query(filter)` for CloudTrail-shaped records of every call
   * (those the kit's own encrypt and decrypt make included), `export()`, `verify()` the hash chains.
   */
  readonly audit: KmsAudit;
  /**
   * Encrypts into an AWS Encryption SDK message whose data key is wrapped by each KMS key, and
   * resolves with the message and its header, as the core's `encrypt` does. `data` is copied to
   * the worker (intact for the caller) unless `options.transfer` is `true`.
   *
   * @example
   * ```ts
   * const { ciphertext, header } = await kit.encrypt(bytes, { keyId: 'alias/notes', encryptionContext: { user: 'alice' } });
   * header.encryptedDataKeys[0].providerId; // 'aws-kms'
   * bytes.length; // unchanged: the kit worked on a copy
   * ```
   */
  encrypt(data: Uint8Array | string | Blob, options: KitEncryptOptions): Promise<KitEncryptResult>;
  /**
   * Decrypts a message made by `kit.encrypt` (or any AWS Encryption SDK with the same KMS keys)
   * and resolves with its plaintext and header. `ciphertext` is copied to the worker unless
   * `options.transfer` is `true`.
   *
   * @example
   * ```ts
   * const { plaintext, header } = await kit.decrypt(ciphertext, { encryptionContext: { user: 'alice' } });
   * ```
   */
  decrypt(ciphertext: Uint8Array | Blob, options?: KitDecryptOptions): Promise<KitDecryptResult>;
  /**
   * A `signatureHasher` for the core's `encrypt`, `decrypt`, `encryptStream` and `decryptStream`
   * run on this page: the SHA-384 (SHA-256) footer hash of a large signed message runs in one of the
   * kit's helper workers while this thread runs AES-GCM, and the bytes go to the helper directly
   * (each frame copied once into a small ring of reused buffers, at most 8 MiB in flight). Where the
   * kit runs no helpers (`helperWorkers: 0`, one core, helpers that cannot load) it hashes on this
   * thread. Bytes are the same either way. Measured in the README's performance section.
   *
   * @example
   * ```ts
   * import { encrypt, decrypt, RawAesKeyring } from 'envelope-kit/core';
   * const keyring = new RawAesKeyring({ keyNamespace: 'app', keyName: 'k', wrappingKey: crypto.getRandomValues(new Uint8Array(32)) });
   * const big = new Uint8Array(16 << 20);
   * const { ciphertext } = await encrypt(keyring, big, { signatureHasher: kit.signatureHasher });
   * const { plaintext } = await decrypt(keyring, ciphertext, { signatureHasher: kit.signatureHasher });
   * ```
   */
  readonly signatureHasher: SignatureHasher;
  /**
   * Encrypts a file frame by frame in the worker; memory stays bounded whatever its size. With
   * `call.output` the message is written to that file and the call resolves with its File;
   * without, with a Blob the browser holds (in memory, up to its blob store's limits).
   *
   * Speed: the default suite, 0x0578, signs the message, and a stream's signature needs a hash
   * of every byte computed beside the cipher (WebCrypto cannot hash incrementally): WebAssembly
   * SHA-384 (JavaScript where a CSP forbids WebAssembly), hashing each frame while the next ones
   * are in AES-GCM. `suiteId: 0x0478` is the same without the signature. `npm run bench:file`
   * measures both.
   */
  encryptFile(file: Blob, options: KitEncryptOptions, call: FileOutputCallOptions): Promise<File>;
  encryptFile(file: Blob, options: KitEncryptOptions, call?: FileCallOptions): Promise<Blob>;
  /**
   * Decrypts a file frame by frame; resolves only once every frame and the signature verified. With
   * `call.output` the plaintext is written to that file (replaced only once verified; left as it
   * was on any failure) and the call resolves with its File. A signed message (suite 0x0578, the
   * default) is hashed for its signature as on encrypt.
   */
  decryptFile(file: Blob, options: KitDecryptOptions | undefined, call: FileOutputCallOptions): Promise<File>;
  decryptFile(file: Blob, options?: KitDecryptOptions, call?: FileCallOptions): Promise<Blob>;
  /**
   * Creates a branch key for {@link Kit.encryptMany}: 32 random bytes made by KMS, stored in the
   * kit's IndexedDB branch key store only wrapped by the KMS key `keyId`. Resolves with its id.
   * Kits of the same name share branch keys.
   *
   * @example
   * ```ts
   * const { KeyMetadata } = await kit.kms('us-east-1').createKey({});
   * const branchKeyId = await kit.createBranchKey({ keyId: KeyMetadata.Arn });
   * ```
   */
  createBranchKey(options: KitCreateBranchKeyOptions): Promise<string>;
  /**
   * Encrypts many small records, one AWS Encryption SDK message each, in one round trip to the
   * worker, with the hierarchical keyring: each data key is wrapped by a key derived from the
   * branch key, which the worker fetches from KMS once per `ttlSeconds`, so a batch needs no KMS
   * call. Messages come back in record order. Records are copied to the worker (in one buffer for
   * the whole batch) unless `options.transfer` is `true`. Rejects as a whole if any record cannot
   * be encrypted.
   *
   * It resolves with the messages only, not `{ ciphertext, header }` as `kit.encrypt` does: every
   * message of a batch shares one header template (same suite, context and branch key), so a
   * header per record would cross the worker boundary thousands of times to say the same thing;
   * `parseHeader(messages[i])` gives any one of them.
   *
   * @example
   * ```ts
   * const notes = ['first', 'second'].map((s) => new TextEncoder().encode(s));
   * const messages = await kit.encryptMany(notes, { branchKeyId, encryptionContext: { tenant: 'acme' }, suiteId: 0x0478 });
   * ```
   */
  encryptMany(records: Uint8Array[], options: KitEncryptManyOptions): Promise<Uint8Array<ArrayBuffer>[]>;
  /**
   * Decrypts many messages in one round trip; each succeeds or fails on its own: a tampered
   * message or one with the wrong encryption context is `{ error: { name, code, message } }` in its
   * place and the others still decrypt. Messages of `kit.encrypt` (KMS keyrings) decrypt too.
   * Messages are copied to the worker unless `options.transfer` is `true`.
   *
   * @example
   * ```ts
   * const results = await kit.decryptMany(messages, { encryptionContext: { tenant: 'acme' } });
   * for (const result of results) {
   *   if ('error' in result) console.warn(result.error.code, result.error.message);
   *   else console.log(new TextDecoder().decode(result.plaintext));
   * }
   * ```
   */
  decryptMany(messages: Uint8Array[], options?: KitDecryptManyOptions): Promise<KitDecryptManyResult[]>;
  /**
   * An encrypted table in IndexedDB (src/client/tables/): items encrypted in the worker attribute by
   * attribute with the DB-ESDK item format, under the hierarchical keyring of `config.branchKeyId`,
   * with searchable beacons. See {@link KitTable}.
   *
   * @example
   * ```ts
   * const notes = kit.table('notes', { partitionKeyName: 'id', attributeActionsOnEncrypt: { id: 'SIGN_ONLY', title: 'ENCRYPT_AND_SIGN' }, branchKeyId });
   * await notes.put({ id: { S: '1' }, title: { S: 'Hello' } });
   * ```
   */
  table(name: string, config: KitTableConfig): KitTable;
  /** Rejects pending calls (KitError CLOSED), closes the KMS, and ends the worker the kit started. */
  /**
   * The whole key store as one encrypted file: every region, every KMS key with every material
   * version, replicas, aliases, policies, grants, rotation schedules, IAM policies, branch keys and
   * the audit chains. An AWS Encryption SDK message under a key derived from `passphrase`
   * (Argon2id, m = 19 MiB, t = 2, p = 1, unless `kdf: 'pbkdf2-sha256'`). Key material inside is
   * wrapped, never plain. README, "Keys you cannot lose".
   */
  backup(options: BackupOptions): Promise<Blob>;
  /**
   * Restores a {@link Kit.backup} file (from any browser, any kit name of the same account) into
   * this kit, which must hold no keys unless `replace: true`. Rejects with a KitError
   * (`WRONG_PASSPHRASE`, `BACKUP_DAMAGED`, `BACKUP_TOO_NEW`, `BACKUP_MISMATCH`, `NOT_EMPTY`) and
   * changes nothing when it cannot restore.
   */
  restore(file: Blob | Uint8Array, options: RestoreOptions): Promise<RestoreSummary>;
  /** Whether the kit is locked: every call that needs a key rejects with KitError `LOCKED`. */
  readonly locked: boolean;
  /** Whether the kit has a passphrase (only such a kit can lock). */
  readonly lockable: boolean;
  /** Locks the kit: the worker forgets its root keys and every unwrapped key. */
  lock(): Promise<void>;
  /**
   * Unlocks with the passphrase, or with a passkey: `{ prf: true }` asks the user for one of the
   * passkeys added with {@link Kit.addPasskey} (WebAuthn PRF), `{ prf, credentialId }` takes a PRF
   * output the app got itself. Rejects with `WRONG_PASSPHRASE` when the secret does not open it.
   */
  unlock(secret: string | { readonly prf: true } | { readonly prf: Uint8Array; readonly credentialId: Uint8Array }): Promise<void>;
  /** Changes the passphrase: re-wraps the lock's master key only, no key material or data. */
  changePassphrase(oldPassphrase: string, newPassphrase: string): Promise<void>;
  /** Creates a passkey (WebAuthn, PRF extension) and adds it as a second way to unlock. */
  addPasskey(options: AddPasskeyOptions): Promise<void>;
  /** `{ persisted, usage, quota }` of the origin's storage, where the kit's keys live. */
  storage(): Promise<StorageStatus>;
  close(): Promise<void>;
}

/** KMS operations after which the kit asks for persistent storage (it now holds a key). */
const PERSIST_AFTER = new Set(['createKey', 'replicateKey', 'importKeyMaterial']);

/** How long `close()` waits for the worker to close its databases before terminating it anyway. */
const CLOSE_TIMEOUT_MS = 2000;

function isEndpoint(value: unknown): value is Worker {
  const candidate = value as Partial<Worker> | null;
  return typeof candidate?.postMessage === 'function' && typeof candidate.addEventListener === 'function';
}

function checkContext(value: unknown, argument: string, required: boolean): EncryptionContext | undefined {
  if (value === undefined && !required) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    throw typeError(argument, `an object of string pairs${required ? ' (use {} for none)' : ''}`);
  }
  return { ...(value as EncryptionContext) };
}

function checkTransfer(options: KitTransferOption | undefined): boolean {
  const value = options?.transfer;
  if (value !== undefined && typeof value !== 'boolean') throw typeError('options.transfer', 'a boolean');
  return value === true;
}

/** Refuses a detached buffer (what a caller holds after transferring the same array twice), saying so. */
function checkNotDetached(bytes: Uint8Array, argument: string): void {
  if ((bytes.buffer as ArrayBuffer & { detached?: boolean }).detached === true) {
    throw typeError(argument, 'a Uint8Array whose buffer is not detached: it was transferred to the kit by an earlier call with { transfer: true }');
  }
}

/**
 * The bytes to send for `argument`, always with a buffer of their own to transfer: the caller's
 * own buffer with `transfer` ({@link ownedBytes}), a copy otherwise (one memcpy of the view only;
 * structured cloning would copy the whole underlying buffer of a view).
 */
function sendable(bytes: Uint8Array, argument: string, transferOwn: boolean): Uint8Array<ArrayBuffer> {
  checkNotDetached(bytes, argument);
  return transferOwn ? ownedBytes(bytes) : (bytes.slice() as Uint8Array<ArrayBuffer>);
}

/**
 * A batch's arrays ready to send, and the distinct buffers to transfer. With `transfer`, the
 * caller's own buffers (the same array given twice is sent once: a buffer listed twice is a
 * DataCloneError). Without, one new buffer holding every record, sent as views into it: one
 * allocation and one transfer for the batch, whatever its count.
 */
function sendableBatch(items: unknown, argument: string, transferOwn: boolean): { sent: Uint8Array<ArrayBuffer>[]; buffers: ArrayBuffer[] } {
  if (!Array.isArray(items)) throw typeError(argument, 'an array of Uint8Arrays');
  let total = 0;
  items.forEach((item, i) => {
    if (!(item instanceof Uint8Array)) throw typeError(`${argument}[${i}]`, 'a Uint8Array');
    checkNotDetached(item, `${argument}[${i}]`);
    total += item.byteLength;
  });
  if (transferOwn) {
    const sent = (items as Uint8Array[]).map((item) => ownedBytes(item));
    return { sent, buffers: [...new Set(sent.map((bytes) => bytes.buffer))] };
  }
  const packed = new Uint8Array(total);
  let offset = 0;
  const sent = (items as Uint8Array[]).map((item) => {
    packed.set(item, offset);
    const view = packed.subarray(offset, (offset += item.byteLength));
    return view;
  });
  return { sent, buffers: [packed.buffer] };
}

class WorkerKit implements Kit {
  readonly name: string;
  readonly account: string;
  readonly regions: readonly string[];
  readonly audit: KmsAudit;
  readonly #remote: Remote<KitWorkerApi>;
  readonly #worker: Worker;
  readonly #ownsWorker: boolean;
  readonly #operations: readonly KmsOperationName[];
  readonly #clients = new Map<string, KmsRegionClient>();
  readonly #atRestClients = new Map<string, S3Client | EcrClient | InspectorClient>();
  readonly #serviceClients = new Map<string, unknown>();
  readonly #pending = new Set<(error: Error) => void>();
  readonly #detach: () => void;
  #failure: Error | undefined;
  #closed = false;
  #locked: boolean;
  readonly lockable: boolean;
  readonly #autoLockMs: number | undefined;
  #idle: ReturnType<typeof setTimeout> | undefined;

  constructor(
    worker: Worker,
    ownsWorker: boolean,
    remote: Remote<KitWorkerApi>,
    info: { name: string; account: string; regions: readonly string[]; kmsOperations: readonly KmsOperationName[]; locked?: boolean; lockable?: boolean },
    detach: () => void,
    autoLockMs?: number,
  ) {
    this.name = info.name;
    this.#locked = info.locked === true;
    this.lockable = info.lockable === true;
    this.#autoLockMs = autoLockMs;
    this.#worker = worker;
    this.#detach = detach;
    this.#ownsWorker = ownsWorker;
    this.#remote = remote;
    this.account = info.account;
    this.regions = Object.freeze([...info.regions]);
    this.#operations = info.kmsOperations;
    const audit = (operation: AuditOperation, args: unknown[]) => this.run(() => this.#remote.audit(operation, args));
    this.audit = Object.freeze({
      query: (...args) => audit(AuditOperation.QUERY, args),
      export: (...args) => audit(AuditOperation.EXPORT, args),
      verify: (...args) => audit(AuditOperation.VERIFY, args),
      flush: () => audit(AuditOperation.FLUSH, []),
    } as KmsAudit);
    // An unlocked kit that is never called is idle too: the auto-lock wait starts now.
    this.#touch();
  }

  /** Rejects every pending call; `fatal` also refuses every later one. */
  fail(error: Error, fatal: boolean): void {
    if (fatal) this.#failure ??= error;
    for (const reject of [...this.#pending]) reject(error);
    this.#pending.clear();
  }

  readonly signatureHasher: SignatureHasher = async (hash) => {
    if (hash !== 'SHA-256' && hash !== 'SHA-384') throw typeError('hash', "'SHA-256' or 'SHA-384'");
    const { port1: port, port2 } = new MessageChannel();
    if (!(await this.run(() => this.#remote.hashSession(transfer(port2, [port2]), hash)))) {
      port.close();
      const { createIncrementalHash } = await import('../core/hashing/incremental-hash.js');
      return createIncrementalHash(hash);
    }
    // The session fails with the kit (its worker dies, or the kit closes), as every call does.
    let reject!: (error: Error) => void;
    const failed = new Promise<never>((_, fail) => (reject = fail));
    failed.catch(() => undefined);
    this.#pending.add(reject);
    const session = new PortHash(port, { failed, stalled: () => undefined, done: () => this.#pending.delete(reject), stallMs: HASH_STALL_MS });
    // A core call that fails ends the session (MessageHasher.end); one that succeeds takes the digest.
    return session;
  };

  /**
   * Runs one remote call, rebuilding wire errors, and rejecting early when the worker fails (comlink
   * alone would wait forever for an answer from a dead worker) or when `early` rejects (an abort).
   */
  run<T>(start: () => Promise<T>, early?: Promise<never>): Promise<T> {
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise<T>((resolve, reject) => {
      const settle = (error: Error) => reject(error);
      this.#pending.add(settle);
      const done = () => this.#pending.delete(settle);
      early?.catch((error: Error) => {
        done();
        reject(error);
      });
      let call: Promise<T>;
      try {
        call = start();
      } catch (error) {
        done();
        reject(error);
        return;
      }
      call.then(
        (value) => {
          done();
          this.#touch();
          resolve(value);
        },
        (error: unknown) => {
          done();
          const rebuilt = isWireError(error) ? fromWireError(error) : error;
          // Another tab's lock does not reach this worker, but an auto-lock or lock() here does.
          if (rebuilt instanceof KitError && rebuilt.code === KitErrorCode.LOCKED) this.#locked = true;
          this.#touch();
          reject(rebuilt);
        },
      );
    });
  }

  #region(value: unknown, argument: string): string | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || !this.regions.includes(value)) {
      throw rangeError(argument, `must be one of this kit's regions (${this.regions.join(', ')}), not ${JSON.stringify(value)}`);
    }
    return value;
  }

  #encryptOptions(options: KitEncryptOptions): WireEncryptOptions {
    if (options === null || typeof options !== 'object') throw typeError('options', 'an object { keyId, encryptionContext }');
    const keyIds = typeof options.keyId === 'string' ? [options.keyId] : options.keyId;
    if (!Array.isArray(keyIds) || keyIds.length === 0 || keyIds.some((id) => typeof id !== 'string' || id.length === 0)) {
      throw typeError('options.keyId', 'a KMS key id, key ARN, alias name or alias ARN, or a non-empty array of them');
    }
    return {
      keyIds: [...keyIds],
      encryptionContext: checkContext(options.encryptionContext, 'options.encryptionContext', true)!,
      region: this.#region(options.region, 'options.region'),
      suiteId: options.suiteId,
    };
  }

  #decryptOptions(options: KitDecryptOptions | undefined): WireDecryptOptions {
    if (options === undefined) return {};
    if (options === null || typeof options !== 'object') throw typeError('options', 'an object');
    return {
      encryptionContext: checkContext(options.encryptionContext, 'options.encryptionContext', false),
      region: this.#region(options.region, 'options.region'),
    };
  }

  kms(region: string): KmsRegionClient {
    this.#region(region, 'region');
    let client = this.#clients.get(region);
    if (!client) {
      const methods: Record<string, unknown> = { region };
      for (const operation of this.#operations) {
        // The proxy is built from the worker's list of names, so each method forwards its request
        // as given; the worker's dispatch checks the name and the operation checks the request.
        // (The remote is read inside the call: a released comlink proxy throws on any property read.)
        const remote = () => this.#remote as unknown as { kms(region: string, operation: KmsOperationName, request: unknown): Promise<unknown> };
        methods[operation] = (request?: unknown) => {
          const call = this.run(() => remote().kms(region, operation, request));
          // The kit now holds a key that only this browser profile's storage keeps: ask for persistence.
          if (PERSIST_AFTER.has(operation)) call.then(() => void askForPersistence(), () => undefined);
          return call;
        };
      }
      client = Object.freeze(methods) as unknown as KmsRegionClient;
      this.#clients.set(region, client);
    }
    return client;
  }

  s3(region: string): S3Client {
    return this.#atRest(AtRestService.S3, region) as S3Client;
  }

  ecr(region: string): EcrClient {
    return this.#atRest(AtRestService.ECR, region) as EcrClient;
  }

  inspector(region: string): InspectorClient {
    return this.#atRest(AtRestService.INSPECTOR, region) as InspectorClient;
  }

  #atRest(service: AtRestService, region: string): S3Client | EcrClient | InspectorClient {
    this.#region(region, 'region');
    const id = `${service}|${region}`;
    let client = this.#atRestClients.get(id);
    if (!client) {
      const call: AtRestCall = (s, r, operation, request) => this.run(() => this.#remote.atRest(s, r, operation, request));
      client = atRestClient(call, service as typeof AtRestService.S3, region);
      this.#atRestClients.set(id, client);
    }
    return client;
  }

  #serviceClient(service: KitService, region: string, operations: readonly string[]): unknown {
    this.#region(region, 'region');
    const key = `${service}:${region}`;
    let client = this.#serviceClients.get(key);
    if (!client) {
      const methods: Record<string, unknown> = { region };
      for (const operation of operations) methods[operation] = (request?: unknown) => this.run(() => this.#remote.service(service, region, operation, request));
      client = Object.freeze(methods);
      this.#serviceClients.set(key, client);
    }
    return client;
  }

  secretsManager(region: string): SecretsManagerClient {
    return this.#serviceClient(KitService.SECRETS_MANAGER, region, SECRETS_MANAGER_OPERATIONS) as SecretsManagerClient;
  }

  ssm(region: string): SsmClient {
    return this.#serviceClient(KitService.SSM, region, SSM_OPERATIONS) as SsmClient;
  }

  registerRotationFunction(arn: string, fn: RotationFunction): Promise<void> {
    if (typeof arn !== 'string' || arn.length === 0) return Promise.reject(typeError('arn', 'a Lambda function ARN'));
    if (typeof fn !== 'function') return Promise.reject(typeError('fn', 'a function (event, client) => Promise<void>'));
    // The worker calls this proxy per step; the function gets the page's client of the secret's
    // region (an ARN's fourth field), whose errors keep their names, as a worker-side client proxied
    // through comlink's generic error handling would not.
    const step = proxy(async (event: RotationEvent) => {
      await fn(event, this.secretsManager(event.SecretId.split(':')[3] ?? this.regions[0]!));
    });
    return this.run(() => this.#remote.registerRotationFunction(arn, step));
  }

  tickServices(): Promise<void> {
    return this.run(() => this.#remote.tickServices());
  }

  simulate(settings: KmsSimulation): Promise<void> {
    return this.run(() => this.#remote.simulate(settings));
  }

  simulation(region: string): Promise<SimulationState> {
    if (typeof region !== 'string' || !this.regions.includes(region)) {
      return Promise.reject(rangeError('region', `must be one of the kit's regions (${this.regions.join(', ')}); got ${typeof region === 'string' ? JSON.stringify(region) : typeof region}`));
    }
    return this.run(() => this.#remote.simulation(region));
  }

  async encrypt(data: Uint8Array | string | Blob, options: KitEncryptOptions): Promise<KitEncryptResult> {
    const wire = this.#encryptOptions(options);
    const transferOwn = checkTransfer(options);
    const input = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    if (!(input instanceof Uint8Array) && !(input instanceof Blob)) throw typeError('data', 'a Uint8Array, a string or a Blob');
    // A string's bytes are the kit's own: transferring them takes nothing from the caller.
    const sent = input instanceof Blob ? input : sendable(input, 'data', transferOwn || typeof data === 'string');
    return this.run(() => this.#remote.encrypt(sent instanceof Blob ? sent : transfer(sent, [sent.buffer]), wire));
  }

  async decrypt(ciphertext: Uint8Array | Blob, options?: KitDecryptOptions): Promise<KitDecryptResult> {
    const wire = this.#decryptOptions(options);
    const transferOwn = checkTransfer(options);
    if (!(ciphertext instanceof Uint8Array) && !(ciphertext instanceof Blob)) throw typeError('ciphertext', 'a Uint8Array or a Blob');
    const sent = ciphertext instanceof Blob ? ciphertext : sendable(ciphertext, 'ciphertext', transferOwn);
    return this.run(() => this.#remote.decrypt(sent instanceof Blob ? sent : transfer(sent, [sent.buffer]), wire));
  }

  table(name: string, config: KitTableConfig): KitTable {
    const table: KitTable = new KitTable(name, config, (request) => this.run(() => this.#remote.table({ table: name, config: table.config }, request)));
    return table;
  }

  async createBranchKey(options: KitCreateBranchKeyOptions): Promise<string> {
    if (options === null || typeof options !== 'object') throw typeError('options', 'an object { keyId, region? }');
    if (typeof options.keyId !== 'string' || options.keyId.length === 0) throw typeError('options.keyId', 'a KMS key id, key ARN, alias name or alias ARN');
    const wire = { keyId: options.keyId, region: this.#region(options.region, 'options.region') };
    return this.run(() => this.#remote.createBranchKey(wire));
  }

  async encryptMany(records: Uint8Array[], options: KitEncryptManyOptions): Promise<Uint8Array<ArrayBuffer>[]> {
    if (options === null || typeof options !== 'object') throw typeError('options', 'an object { branchKeyId, encryptionContext?, suiteId?, ttlSeconds?, workers? }');
    const { branchKeyId, ttlSeconds = DEFAULT_BRANCH_KEY_TTL_SECONDS } = options;
    if (typeof branchKeyId !== 'string' || branchKeyId.length === 0) throw typeError('options.branchKeyId', 'a branch key id from kit.createBranchKey');
    if (typeof ttlSeconds !== 'number' || !(ttlSeconds > 0) || !Number.isFinite(ttlSeconds)) throw rangeError('options.ttlSeconds', 'must be a number of seconds greater than 0');
    const encryptionContext = checkContext(options.encryptionContext ?? {}, 'options.encryptionContext', true)!;
    const workers = checkWorkers(options.workers);
    const { sent, buffers } = sendableBatch(records, 'records', checkTransfer(options));
    const wire = { branchKeyId, encryptionContext, suiteId: options.suiteId, ttlSeconds, workers };
    return this.run(() => this.#remote.encryptMany(transfer(sent, buffers), wire));
  }

  async decryptMany(messages: Uint8Array[], options?: KitDecryptManyOptions): Promise<KitDecryptManyResult[]> {
    if (options !== undefined && (options === null || typeof options !== 'object')) throw typeError('options', 'an object { encryptionContext?, workers?, transfer? }');
    const wire = { encryptionContext: checkContext(options?.encryptionContext, 'options.encryptionContext', false), workers: checkWorkers(options?.workers) };
    const { sent, buffers } = sendableBatch(messages, 'messages', checkTransfer(options));
    return this.run(() => this.#remote.decryptMany(transfer(sent, buffers), wire));
  }

  encryptFile(file: Blob, options: KitEncryptOptions, call: FileOutputCallOptions): Promise<File>;
  encryptFile(file: Blob, options: KitEncryptOptions, call?: FileCallOptions): Promise<Blob>;
  async encryptFile(file: Blob, options: KitEncryptOptions, call?: FileCallOptions): Promise<Blob> {
    const wire = this.#encryptOptions(options);
    return this.#file(file, call, (port, output) => this.#remote.encryptFile(file, wire, port, output));
  }

  decryptFile(file: Blob, options: KitDecryptOptions | undefined, call: FileOutputCallOptions): Promise<File>;
  decryptFile(file: Blob, options?: KitDecryptOptions, call?: FileCallOptions): Promise<Blob>;
  async decryptFile(file: Blob, options?: KitDecryptOptions, call?: FileCallOptions): Promise<Blob> {
    const wire = this.#decryptOptions(options);
    return this.#file(file, call, (port, output) => this.#remote.decryptFile(file, wire, port, output));
  }

  /** One file call with its control port (protocol.ts, ControlMessageType, says why a port). */
  async #file(file: Blob, call: FileCallOptions | undefined, start: (port: MessagePort, output?: FileSystemFileHandle) => Promise<Blob>): Promise<Blob> {
    if (!(file instanceof Blob)) throw typeError('file', 'a Blob (a File is one)');
    if (call !== undefined && (call === null || typeof call !== 'object')) throw typeError('call options', 'an object { onProgress?, signal?, output? }');
    const { onProgress, signal, output } = call ?? {};
    if (onProgress !== undefined && typeof onProgress !== 'function') throw typeError('onProgress', 'a function');
    if (signal !== undefined && !(signal instanceof AbortSignal)) throw typeError('signal', 'an AbortSignal');
    if (output !== undefined && (typeof FileSystemFileHandle === 'undefined' || !(output instanceof FileSystemFileHandle))) {
      throw typeError('call.output', 'a FileSystemFileHandle (from navigator.storage.getDirectory() or showSaveFilePicker())');
    }
    if (signal?.aborted) throw abortError('the file call was aborted before it started', signal.reason);

    const channel = new MessageChannel();
    let settled = false;
    let reported = -1;
    const report = (done: number, total: number) => {
      reported = done;
      onProgress?.({ done, total });
    };
    channel.port1.onmessage = (event: MessageEvent<ProgressMessage>) => {
      if (!settled && event.data?.type === ControlMessageType.PROGRESS) report(event.data.done, event.data.total);
    };
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => {
        const message: AbortMessage = { type: ControlMessageType.ABORT };
        channel.port1.postMessage(message);
        // Reject now rather than when the worker confirms: it may be inside a long WebCrypto call.
        reject(abortError('the file call was aborted', signal?.reason));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    aborted.catch(() => undefined);
    const started = () => {
      const remote = start(transfer(channel.port2, [channel.port2]), output);
      // The port stays open until the worker is done with the call, so the abort always reaches it.
      const closePort = () => channel.port1.close();
      remote.then(closePort, closePort);
      return remote;
    };
    try {
      const result = await this.run(started, aborted);
      // The result and the progress messages travel on different channels, which the platform does
      // not order between them: the worker's last progress report may still be on its way.
      if (reported !== file.size) report(file.size, file.size);
      return result;
    } finally {
      settled = true;
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }

  get locked(): boolean {
    return this.#locked;
  }

  /** Restarts the idle auto-lock timer (a kit with `autoLockMs` and a passphrase). */
  #touch(): void {
    if (this.#autoLockMs === undefined || !this.lockable || this.#closed) return;
    clearTimeout(this.#idle);
    if (this.#locked) return;
    this.#idle = setTimeout(() => {
      // Busy is not idle: a call still running restarts the wait when it settles.
      if (this.#pending.size === 0 && !this.#locked && !this.#closed) void this.lock().catch(() => undefined);
    }, this.#autoLockMs);
  }

  async lock(): Promise<void> {
    clearTimeout(this.#idle);
    await this.run(() => this.#remote.lock());
    this.#locked = true;
  }

  async unlock(secret: string | { readonly prf: true } | { readonly prf: Uint8Array; readonly credentialId: Uint8Array }): Promise<void> {
    let wire: string | { prf: Uint8Array<ArrayBuffer>; credentialId: Uint8Array<ArrayBuffer> };
    if (typeof secret === 'string') wire = secret;
    else if (secret !== null && typeof secret === 'object' && secret.prf instanceof Uint8Array) {
      const { credentialId } = secret as { credentialId?: unknown };
      if (!(credentialId instanceof Uint8Array)) throw typeError('secret.credentialId', 'the passkey\'s raw credential id (a Uint8Array) beside its PRF output');
      wire = { prf: new Uint8Array(secret.prf), credentialId: new Uint8Array(credentialId) };
    } else if (secret !== null && typeof secret === 'object' && 'prf' in secret && secret.prf !== undefined) {
      const passkeys = await this.run(() => this.#remote.passkeys());
      const { credentialId, prfOutput } = await evaluatePrf(passkeys);
      wire = { prf: prfOutput, credentialId };
    } else throw typeError('secret', 'a passphrase string, { prf: true } (a passkey), or { prf, credentialId }');
    await this.run(() => this.#remote.unlock(wire));
    this.#locked = false;
    this.#touch();
  }

  changePassphrase(oldPassphrase: string, newPassphrase: string): Promise<void> {
    return this.run(() => this.#remote.changePassphrase(oldPassphrase, newPassphrase));
  }

  async addPasskey(options: AddPasskeyOptions): Promise<void> {
    if (options === null || typeof options !== 'object' || typeof options.passphrase !== 'string') throw typeError('options', 'an object { passphrase, userName?, rpName? }');
    const prfSalt = crypto.getRandomValues(new Uint8Array(32));
    const { credentialId, prfOutput } = await createPrfPasskey(prfSalt, options);
    await this.run(() => this.#remote.addPasskey({ passphrase: options.passphrase, credentialId, prfSalt, prfOutput }));
  }

  storage(): Promise<StorageStatus> {
    return storageStatus();
  }

  backup(options: BackupOptions): Promise<Blob> {
    return this.run(() => this.#remote.backup(options));
  }

  async restore(file: Blob | Uint8Array, options: RestoreOptions): Promise<RestoreSummary> {
    if (!(file instanceof Blob) && !(file instanceof Uint8Array)) throw typeError('file', 'a Blob or a Uint8Array (a file made by kit.backup)');
    // A Blob crosses as a handle; bytes are copied rather than taken, as the caller may retry.
    const sent = file instanceof Blob ? file : new Uint8Array(file);
    const summary = await this.run(() => this.#remote.restore(sent instanceof Blob ? sent : transfer(sent, [sent.buffer]), options));
    if (summary.keys > 0) void askForPersistence();
    return summary;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#idle);
    const wasBroken = this.#failure !== undefined;
    this.fail(new KitError(KitErrorCode.CLOSED, 'the kit is closed; create a new one with createKit'), true);
    if (!wasBroken) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_TIMEOUT_MS)));
      await Promise.race([this.#remote.close().catch(() => undefined), timeout]);
      clearTimeout(timer);
    }
    this.#remote[releaseProxy]();
    this.#detach();
    if (this.#ownsWorker) this.#worker.terminate();
  }
}

/**
 * Starts a kit: a worker hosting the simulated KMS (IndexedDB, so keys persist across reloads and
 * are shared by every kit of the same `name`) and the envelope encryption core. Keys never leave
 * the worker; the page sends bytes (copied unless `{ transfer: true }`) and gets results back.
 *
 * @param options - `name` (default `envelope-kit`), `regions`, `principal`, `worker` (a worker your
 *   bundler built from workers/kit.worker.ts).
 * @returns the {@link Kit}; `await kit.close()` when done.
 * @throws TypeError (`code: 'INVALID_ARGUMENT'`) for bad options; {@link KitError} `WORKER_FAILED`
 *   when the worker fails to load or start, `STORAGE_FAILED` when its storage cannot open.
 *
 * @example
 * ```ts
 * import { createKit } from 'envelope-kit';
 * const kit = await createKit({ name: 'my-app' });
 * const { KeyMetadata } = await kit.kms('us-east-1').createKey({ Description: 'notes' });
 * const { ciphertext, header } = await kit.encrypt('a secret note', { keyId: KeyMetadata.Arn, encryptionContext: { user: 'alice' } });
 * const { plaintext } = await kit.decrypt(ciphertext, { encryptionContext: { user: 'alice' } });
 * const text = new TextDecoder().decode(plaintext);
 * if (text !== 'a secret note' || header.encryptedDataKeys.length !== 1) throw new Error(`round trip failed: ${text}`);
 *
 * // Files are encrypted in the worker, frame by frame, with progress and cancellation.
 * const file = new File(['the quarterly report'], 'report.txt');
 * const encrypted = await kit.encryptFile(file, { keyId: KeyMetadata.Arn, encryptionContext: {} }, {
 *   onProgress: ({ done, total }) => console.log(`${Math.round((100 * done) / total)}%`),
 *   signal: AbortSignal.timeout(60_000),
 * });
 * const decrypted = await kit.decryptFile(encrypted);
 * if ((await decrypted.text()) !== 'the quarterly report') throw new Error('file round trip failed');
 * await kit.close();
 * ```
 */
export async function createKit(options: CreateKitOptions = {}): Promise<Kit> {
  if (options === null || typeof options !== 'object') throw typeError('options', 'an object');
  const { name, regions, principal, worker: given, passphrase, autoLockMs, helperWorkers } = options;
  if (passphrase !== undefined && (typeof passphrase !== 'string' || passphrase.length === 0)) throw typeError('options.passphrase', 'a non-empty string');
  if (autoLockMs !== undefined && (typeof autoLockMs !== 'number' || !Number.isFinite(autoLockMs) || autoLockMs <= 0)) throw typeError('options.autoLockMs', 'a positive number of milliseconds');
  if (name !== undefined && (typeof name !== 'string' || name.length === 0)) throw typeError('options.name', 'a non-empty string');
  if (regions !== undefined && (!Array.isArray(regions) || regions.some((r) => typeof r !== 'string'))) throw typeError('options.regions', 'an array of region names');
  if (principal !== undefined && (typeof principal !== 'string' || principal.length === 0)) throw typeError('options.principal', 'an IAM principal ARN');
  if (given !== undefined && !isEndpoint(given)) throw typeError('options.worker', 'a Worker running workers/kit.worker.ts');
  if (helperWorkers !== undefined) {
    if (typeof helperWorkers !== 'number' || !Number.isInteger(helperWorkers)) throw typeError('options.helperWorkers', 'a non-negative integer');
    if (helperWorkers < 0) throw rangeError('options.helperWorkers', 'must be 0 or more');
  }

  // Written out in full so that bundlers (Vite, webpack, esbuild plugins) see the worker and emit it;
  // `Worker` is the Trusted Types wrapper (trusted-worker.ts), for pages that require them.
  const worker = given ?? new Worker(new URL('../../workers/kit.worker.ts', import.meta.url), { type: 'module' });
  const remote = wrap<KitWorkerApi>(worker);
  let kit: WorkerKit | undefined;
  // Until the kit exists, a worker failure (a 404 for its script, a syntax error) rejects creation.
  let startFailure: ((error: Error) => void) | undefined;
  const failed = new Promise<never>((_, reject) => (startFailure = reject));
  failed.catch(() => undefined);
  const onError = (event: Event) => {
    const detail = (event as ErrorEvent).message ? `: ${(event as ErrorEvent).message}` : ' (its script did not load: check the worker URL and the server)';
    const error = new KitError(KitErrorCode.WORKER_FAILED, `the kit's worker failed${detail}`);
    // Handled: it reaches the caller as this rejection (of every pending call and every later one),
    // so it is not also reported as an uncaught error of the page.
    event.preventDefault();
    if (kit) kit.fail(error, true);
    else startFailure?.(error);
    if (!given) worker.terminate();
  };
  const onMessageError = () => {
    // The answer to some call was lost; which one is unknown, so every pending call is rejected.
    kit?.fail(new KitError(KitErrorCode.WORKER_FAILED, 'a message from the kit worker could not be deserialized'), false);
  };
  worker.addEventListener('error', onError);
  worker.addEventListener('messageerror', onMessageError);

  const kitName = name ?? DEFAULT_KIT_NAME;
  try {
    const opening = remote.open({ protocolVersion: PROTOCOL_VERSION, name: kitName, regions: regions && [...regions], principal, helperWorkers, ...(passphrase !== undefined ? { passphrase } : {}) });
    const info = await Promise.race([
      opening.catch((error: unknown) => {
        throw isWireError(error) ? fromWireError(error) : error;
      }),
      failed,
    ]);
    kit = new WorkerKit(
      worker,
      !given,
      remote,
      { ...info, name: kitName },
      () => {
        worker.removeEventListener('error', onError);
        worker.removeEventListener('messageerror', onMessageError);
      },
      autoLockMs,
    );
    return kit;
  } catch (error) {
    remote[releaseProxy]();
    worker.removeEventListener('error', onError);
    worker.removeEventListener('messageerror', onMessageError);
    if (!given) worker.terminate();
    throw error;
  }
}
