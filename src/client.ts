/**
 * `createKit()`: the main-thread client. It starts the kit's worker (workers/kit.worker.ts), which
 * holds the simulated KMS and every key, and talks to it over comlink with the protocol in
 * protocol.ts. The page only ever holds ids, ARNs, ciphertext and the plaintext it asked for.
 */
import { releaseProxy, transfer, wrap, type Remote } from 'comlink';
import type { EncryptionContext, MessageHeader } from './core/types.js';
import type { SuiteId } from './core/suites.js';
import { typeError, rangeError } from './core/errors.js';
// Under the global's name, so that `new Worker(new URL(…))` below stays visible to bundlers (trusted-worker.ts).
import { TrustedWorker as Worker } from './strict-pages/trusted-worker.js';
import type { KmsAudit, KmsRegionClient, KmsSimulation, SimulationState } from './kms/index.js';
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
}

/** Options of `kit.encrypt` and `kit.encryptFile`. */
export interface KitEncryptOptions {
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
export interface KitDecryptOptions {
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
export interface KitEncryptManyOptions {
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
}

/** Options of `kit.decryptMany`. */
export interface KitDecryptManyOptions {
  /** Pairs every message must carry with these values; a message that does not fails alone (ENCRYPTION_CONTEXT_MISMATCH). */
  readonly encryptionContext?: EncryptionContext;
}

/** Why one record of `kit.decryptMany` failed. */
export type { BatchRecordError };

/** One record of `kit.decryptMany`'s result, in the place of its message: `{ plaintext }` or `{ error }`. */
export type KitDecryptManyResult = BatchDecryptResult;

/**
 * A kit: the simulated KMS and envelope encryption, running in a worker.
 *
 * Bytes given to `encrypt` and `decrypt` are transferred to the worker, not copied: a Uint8Array
 * that spans its whole ArrayBuffer is detached (length 0) once the call starts. Pass a copy
 * (`bytes.slice()`) to keep using yours. A view into part of a buffer is copied instead.
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
  /** Encrypts into an AWS Encryption SDK message whose data key is wrapped by each KMS key. */
  encrypt(data: Uint8Array | string | Blob, options: KitEncryptOptions): Promise<Uint8Array<ArrayBuffer>>;
  decrypt(ciphertext: Uint8Array | Blob, options?: KitDecryptOptions): Promise<KitDecryptResult>;
  /**
   * Encrypts a file frame by frame in the worker; memory stays bounded whatever its size. With
   * `call.output` the message is written to that file and the call resolves with its File;
   * without, with a Blob the browser holds (in memory, up to its blob store's limits).
   *
   * Speed: the default suite, 0x0578, signs the message, and a stream's signature needs a hash
   * of every byte computed in JavaScript (WebCrypto cannot hash incrementally), so that hash sets
   * the pace, several times slower than AES-GCM itself; `suiteId: 0x0478` is the same without the
   * signature. `npm run bench:file` measures both.
   */
  encryptFile(file: Blob, options: KitEncryptOptions, call: FileOutputCallOptions): Promise<File>;
  encryptFile(file: Blob, options: KitEncryptOptions, call?: FileCallOptions): Promise<Blob>;
  /**
   * Decrypts a file frame by frame; resolves only once every frame and the signature verified. With
   * `call.output` the plaintext is written to that file (replaced only once verified; left as it
   * was on any failure) and the call resolves with its File. A signed message (suite 0x0578, the
   * default) is hashed in JavaScript for its signature, as on encrypt, which sets the pace.
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
   * call. Messages come back in record order. Each record's buffer is transferred (detached here)
   * as with `encrypt`. Rejects as a whole if any record cannot be encrypted.
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
   * Message buffers are transferred.
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
  /** Rejects pending calls (KitError CLOSED), closes the KMS, and ends the worker the kit started. */
  close(): Promise<void>;
}

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

/**
 * The bytes to transfer for `argument` ({@link ownedBytes}); refuses a detached buffer, which is
 * what a caller holds after sending the same array twice, with a message that says so.
 */
function sendable(bytes: Uint8Array, argument: string): Uint8Array<ArrayBuffer> {
  if ((bytes.buffer as ArrayBuffer & { detached?: boolean }).detached === true) {
    throw typeError(argument, 'a Uint8Array whose buffer is not detached: it was transferred to the kit by an earlier call; pass a copy (bytes.slice()) to keep using yours');
  }
  return ownedBytes(bytes);
}

/**
 * A batch's arrays, each ready to transfer, and the distinct buffers to transfer: the same array
 * given twice is sent once (a buffer listed twice is a DataCloneError).
 */
function sendableBatch(items: unknown, argument: string): { sent: Uint8Array<ArrayBuffer>[]; buffers: ArrayBuffer[] } {
  if (!Array.isArray(items)) throw typeError(argument, 'an array of Uint8Arrays');
  const sent = items.map((item, i) => {
    if (!(item instanceof Uint8Array)) throw typeError(`${argument}[${i}]`, 'a Uint8Array');
    return sendable(item, `${argument}[${i}]`);
  });
  return { sent, buffers: [...new Set(sent.map((bytes) => bytes.buffer))] };
}

class WorkerKit implements Kit {
  readonly name: string;
  readonly account: string;
  readonly regions: readonly string[];
  readonly audit: KmsAudit;
  readonly #remote: Remote<KitWorkerApi>;
  readonly #worker: Worker;
  readonly #ownsWorker: boolean;
  readonly #operations: readonly string[];
  readonly #clients = new Map<string, KmsRegionClient>();
  readonly #pending = new Set<(error: Error) => void>();
  readonly #detach: () => void;
  #failure: Error | undefined;
  #closed = false;

  constructor(
    worker: Worker,
    ownsWorker: boolean,
    remote: Remote<KitWorkerApi>,
    info: { name: string; account: string; regions: readonly string[]; kmsOperations: readonly string[] },
    detach: () => void,
  ) {
    this.name = info.name;
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
  }

  /** Rejects every pending call; `fatal` also refuses every later one. */
  fail(error: Error, fatal: boolean): void {
    if (fatal) this.#failure ??= error;
    for (const reject of [...this.#pending]) reject(error);
    this.#pending.clear();
  }

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
          resolve(value);
        },
        (error: unknown) => {
          done();
          reject(isWireError(error) ? fromWireError(error) : error);
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
        methods[operation] = (request?: unknown) => this.run(() => this.#remote.kms(region, operation, request));
      }
      client = Object.freeze(methods) as unknown as KmsRegionClient;
      this.#clients.set(region, client);
    }
    return client;
  }

  simulate(settings: KmsSimulation): Promise<void> {
    return this.run(() => this.#remote.simulate(settings));
  }

  simulation(region: string): Promise<SimulationState> {
    if (typeof region !== 'string' || !this.regions.includes(region)) {
      return Promise.reject(new RangeError(`region must be one of the kit's regions (${this.regions.join(', ')}); got ${typeof region === 'string' ? JSON.stringify(region) : typeof region}`));
    }
    return this.run(() => this.#remote.simulation(region));
  }

  async encrypt(data: Uint8Array | string | Blob, options: KitEncryptOptions): Promise<Uint8Array<ArrayBuffer>> {
    const wire = this.#encryptOptions(options);
    const input = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    if (!(input instanceof Uint8Array) && !(input instanceof Blob)) throw typeError('data', 'a Uint8Array, a string or a Blob');
    const sent = input instanceof Blob ? input : sendable(input, 'data');
    return this.run(() => this.#remote.encrypt(sent instanceof Blob ? sent : transfer(sent, [sent.buffer]), wire));
  }

  async decrypt(ciphertext: Uint8Array | Blob, options?: KitDecryptOptions): Promise<KitDecryptResult> {
    const wire = this.#decryptOptions(options);
    if (!(ciphertext instanceof Uint8Array) && !(ciphertext instanceof Blob)) throw typeError('ciphertext', 'a Uint8Array or a Blob');
    const sent = ciphertext instanceof Blob ? ciphertext : sendable(ciphertext, 'ciphertext');
    return this.run(() => this.#remote.decrypt(sent instanceof Blob ? sent : transfer(sent, [sent.buffer]), wire));
  }

  async createBranchKey(options: KitCreateBranchKeyOptions): Promise<string> {
    if (options === null || typeof options !== 'object') throw typeError('options', 'an object { keyId, region? }');
    if (typeof options.keyId !== 'string' || options.keyId.length === 0) throw typeError('options.keyId', 'a KMS key id, key ARN, alias name or alias ARN');
    const wire = { keyId: options.keyId, region: this.#region(options.region, 'options.region') };
    return this.run(() => this.#remote.createBranchKey(wire));
  }

  async encryptMany(records: Uint8Array[], options: KitEncryptManyOptions): Promise<Uint8Array<ArrayBuffer>[]> {
    if (options === null || typeof options !== 'object') throw typeError('options', 'an object { branchKeyId, encryptionContext?, suiteId?, ttlSeconds? }');
    const { branchKeyId, ttlSeconds = DEFAULT_BRANCH_KEY_TTL_SECONDS } = options;
    if (typeof branchKeyId !== 'string' || branchKeyId.length === 0) throw typeError('options.branchKeyId', 'a branch key id from kit.createBranchKey');
    if (typeof ttlSeconds !== 'number' || !(ttlSeconds > 0) || !Number.isFinite(ttlSeconds)) throw rangeError('options.ttlSeconds', 'must be a number of seconds greater than 0');
    const encryptionContext = checkContext(options.encryptionContext ?? {}, 'options.encryptionContext', true)!;
    const { sent, buffers } = sendableBatch(records, 'records');
    const wire = { branchKeyId, encryptionContext, suiteId: options.suiteId, ttlSeconds };
    return this.run(() => this.#remote.encryptMany(transfer(sent, buffers), wire));
  }

  async decryptMany(messages: Uint8Array[], options?: KitDecryptManyOptions): Promise<KitDecryptManyResult[]> {
    if (options !== undefined && (options === null || typeof options !== 'object')) throw typeError('options', 'an object { encryptionContext? }');
    const wire = { encryptionContext: checkContext(options?.encryptionContext, 'options.encryptionContext', false) };
    const { sent, buffers } = sendableBatch(messages, 'messages');
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

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
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
 * are shared by every kit of the same `name`) and the envelope encryption core.
 *
 * @example
 * ```ts
 * import { createKit } from 'envelope-kit';
 * const kit = await createKit({ name: 'my-app' });
 * const { KeyMetadata } = await kit.kms('us-east-1').createKey({ Description: 'notes' });
 * const message = await kit.encrypt('a secret note', { keyId: KeyMetadata.Arn, encryptionContext: { user: 'alice' } });
 * const { plaintext, header } = await kit.decrypt(message, { encryptionContext: { user: 'alice' } });
 * console.log(new TextDecoder().decode(plaintext), header.encryptedDataKeys.length); // 'a secret note' 1
 *
 * const encrypted = await kit.encryptFile(file, { keyId: KeyMetadata.Arn, encryptionContext: {} }, {
 *   onProgress: ({ done, total }) => console.log(`${Math.round((100 * done) / total)}%`),
 *   signal: AbortSignal.timeout(60_000),
 * });
 * await kit.close();
 * ```
 */
export async function createKit(options: CreateKitOptions = {}): Promise<Kit> {
  if (options === null || typeof options !== 'object') throw typeError('options', 'an object');
  const { name, regions, principal, worker: given } = options;
  if (name !== undefined && (typeof name !== 'string' || name.length === 0)) throw typeError('options.name', 'a non-empty string');
  if (regions !== undefined && (!Array.isArray(regions) || regions.some((r) => typeof r !== 'string'))) throw typeError('options.regions', 'an array of region names');
  if (principal !== undefined && (typeof principal !== 'string' || principal.length === 0)) throw typeError('options.principal', 'an IAM principal ARN');
  if (given !== undefined && !isEndpoint(given)) throw typeError('options.worker', 'a Worker running workers/kit.worker.ts');

  // Written out in full so that bundlers (Vite, webpack, esbuild plugins) see the worker and emit it;
  // `Worker` is the Trusted Types wrapper (strict-pages/trusted-worker.ts), for pages that require them.
  const worker = given ?? new Worker(new URL('../workers/kit.worker.ts', import.meta.url), { type: 'module' });
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
    const opening = remote.open({ protocolVersion: PROTOCOL_VERSION, name: kitName, regions: regions && [...regions], principal });
    const info = await Promise.race([
      opening.catch((error: unknown) => {
        throw isWireError(error) ? fromWireError(error) : error;
      }),
      failed,
    ]);
    kit = new WorkerKit(worker, !given, remote, { ...info, name: kitName }, () => {
      worker.removeEventListener('error', onError);
      worker.removeEventListener('messageerror', onMessageError);
    });
    return kit;
  } catch (error) {
    remote[releaseProxy]();
    worker.removeEventListener('error', onError);
    worker.removeEventListener('messageerror', onMessageError);
    if (!given) worker.terminate();
    throw error;
  }
}
