/**
 * The kit's worker: it hosts the simulated KMS (IndexedDB, one database per region) and the core,
 * and serves {@link KitWorkerApi} over comlink. Every key the kit uses lives here: KMS key material
 * (wrapped by the region root keys), and each message's data key, which exists only for the
 * duration of one call. The page sends and receives plaintext, ciphertext, ids and ARNs.
 *
 * Started by `createKit()` (src/client/kit.ts) as a module worker:
 * `new Worker(new URL('../workers/kit.worker.ts', import.meta.url), { type: 'module' })`.
 */
import { expose, transfer } from 'comlink';
import { decrypt, decryptStream, encrypt, encryptStream, parseKmsKeyArn, typeError, type KmsClientSupplier, type SignatureHasher } from '../src/core/index.js';
import { createKms, type BackupOptions, type Kms, type KmsRegionClient, type KmsSimulation, type PasskeyEnrollment, type RestoreOptions, type RestoreSummary, type SimulationState, type UnlockSecret } from '../src/kms/index.js';
import { AT_REST_OPERATIONS, type AtRestService } from '../src/services/at-rest-operations.js';
import {
  AuditOperation,
  KitError,
  KitErrorCode,
  PROTOCOL_VERSION,
  ownedBytes,
  toWireError,
  type KitWorkerApi,
  type KitWorkerConfig,
  type KitWorkerInfo,
  type KmsOperationName,
  type KmsRequest,
  type KmsResponse,
  type WireEncryptResult,
  type WireDecryptOptions,
  type WireDecryptResult,
  type WireEncryptOptions,
  type BatchDecryptResult,
  type WireCreateBranchKeyOptions,
  type WireDecryptManyOptions,
  type WireEncryptManyOptions,
} from '../src/client/protocol.js';
import { decryptingKeyring, encryptingKeyring } from './kit-keyrings.js';
import { pipeFile } from './file-pipeline.js';
import { KitBranchKeys } from './kit-branch-keys.js';
import { decryptRecords, encryptRecords } from './kit-batches.js';
import { backupKit, restoreKit } from './kit-backup.js';
import { KitServices } from './kit-services.js';
import type { KitService } from '../src/services/operation-names.js';
import type { RotationEvent } from '../src/services/secrets-manager/types.js';
import { KitTables } from './kit-tables.js';
import type { WireTableRequest, WireTableTarget } from '../src/client/tables/protocol.js';
import { BatchPool, defaultBatchWorkers, workersForBatch } from './pool/batch-pool.js';
import { Offload } from './pool/offload.js';

/** The MIME type of encrypted output: an AWS Encryption SDK message is opaque bytes. */
const MESSAGE_TYPE = 'application/octet-stream';

interface Opened {
  readonly name: string;
  readonly kms: Kms;
  readonly clientFor: KmsClientSupplier;
  /** The same clients with every KMS operation typed (clientFor's type has only what keyrings use). */
  readonly regionClient: (region: string) => ReturnType<Kms['region']>;
  readonly account: string;
  readonly defaultRegion: string;
  readonly branchKeys: KitBranchKeys;
  readonly services: KitServices;
  readonly tables: KitTables;
}

let opened: Opened | undefined;
let closed = false;

function state(): Opened {
  if (closed) throw new KitError(KitErrorCode.CLOSED, 'this kit worker was closed; create a new kit');
  if (!opened) throw new KitError(KitErrorCode.CLOSED, 'this kit worker is not open yet; call open() first');
  return opened;
}

/**
 * {@link state} for the methods that need a key. Checked here, up front, because the keyrings
 * would otherwise report a locked KMS as their own failure (KEYRING_FAILURE, the LOCKED error as
 * its cause): the caller should see LOCKED itself.
 */
function unlockedState(): Opened {
  const open = state();
  if (open.kms.locked) throw new KitError(KitErrorCode.LOCKED, 'the kit is locked: call kit.unlock(passphrase) (or unlock with a passkey) first');
  return open;
}

/** Every method's errors cross as wire errors (see protocol.ts for why not as Errors). */
function guarded<A extends unknown[], R>(method: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args) => {
    try {
      return await method(...args);
    } catch (error) {
      throw toWireError(error);
    }
  };
}

async function bytesOf(data: Uint8Array | Blob): Promise<Uint8Array<ArrayBuffer>> {
  return data instanceof Blob ? new Uint8Array(await data.arrayBuffer()) : ownedBytes(data);
}

/**
 * Every distinct buffer under the Uint8Arrays of a KMS response, so they move rather than copy.
 * KMS responses are built per call (records are fresh IndexedDB reads), so the worker keeps no view
 * into what it gives away.
 */
function buffersIn(value: unknown, found = new Set<ArrayBuffer>(), depth = 0): Set<ArrayBuffer> {
  if (depth > 4 || value === null || typeof value !== 'object') return found;
  if (value instanceof Uint8Array) {
    if (value.buffer instanceof ArrayBuffer) found.add(value.buffer);
  } else if (Array.isArray(value)) {
    for (const item of value) buffersIn(item, found, depth + 1);
  } else if (!(value instanceof Date)) {
    for (const item of Object.values(value)) buffersIn(item, found, depth + 1);
  }
  return found;
}

/**
 * Resolves once every transaction on the kit's databases has finished, so that the page may
 * terminate the worker. `kms.close()` only marks connections close-pending while a transaction is
 * still committing (the last call's read, typically), and WebKit leaks a connection whose worker
 * is terminated in that window: a later deleteDatabase is then blocked forever. A readwrite
 * transaction over every store, on a connection of our own, is scheduled after all earlier
 * overlapping transactions of every connection (IndexedDB's ordering rule), so its completion
 * means the KMS's connections are idle and closed.
 */
async function databasesSettled(name: string): Promise<void> {
  const all = typeof indexedDB.databases === 'function' ? await indexedDB.databases() : [];
  const ours = all.map((info) => info.name).filter((db): db is string => db?.startsWith(`${name}:`) === true);
  await Promise.all(
    ours.map(
      (db) =>
        new Promise<void>((resolve) => {
          const request = indexedDB.open(db);
          request.onerror = () => resolve();
          request.onsuccess = () => {
            const connection = request.result;
            const stores = [...connection.objectStoreNames];
            if (stores.length === 0) {
              connection.close();
              resolve();
              return;
            }
            const barrier = connection.transaction(stores, 'readwrite');
            barrier.oncomplete = barrier.onabort = () => {
              connection.close();
              resolve();
            };
          };
        }),
    ),
  );
}

/** The batch helpers (workers/pool), started by the first batch large enough to share. */
let pool: BatchPool | undefined;
function batchPool(): BatchPool {
  const { branchKeys, name } = state();
  pool ??= new BatchPool({ materials: (id, version, ttl) => branchKeys.materials(id, version, ttl) }, name);
  return pool;
}

/**
 * Signed-message work run beside this worker's in a helper (pool/offload.ts): the footer hash of
 * files and large messages. Only with a second core (helperLimit).
 */
let offload: Offload | undefined;
/** CreateKitOptions.helperWorkers: the most helpers this worker starts (default: one fewer than the cores). */
let helperLimit = 0;
function offloaded(): Offload | undefined {
  if (helperLimit < 1) return undefined;
  // keyStock 'never', and no `signingKeys` source passed to the CMM: the signing-key stock stays off
  // for now, so signed messages take the core's own keys (one spare generated ahead). Measured, the
  // stock pays only where a key clones cheaply (Firefox; not Chromium), and in two full three-engine
  // CI runs a Firefox test that made signed kit.encrypt calls with it on hung until its 120 s
  // timeout (client-api round trips, client-batches KMS calls); neither reproduced alone or under
  // CPU load. The stock and its tests stay (test/browser/kit-offload) for the next look.
  offload ??= new Offload(() => batchPool().helper(), { keyStock: 'never' });
  return offload;
}

/** Runs `call` with a footer hasher in a helper (pool/offload.ts), ending its sessions afterwards. */
async function withHasher<T>(call: (signatureHasher: SignatureHasher | undefined) => Promise<T>): Promise<T> {
  const hashing = offloaded()?.hashing();
  try {
    return await call(hashing?.hasher);
  } finally {
    hashing?.close();
  }
}

/** The page checked the batch already; this guards the worker against a page that did not. */
function checkBatch(items: unknown, argument: string): asserts items is Uint8Array[] {
  if (!Array.isArray(items) || items.some((item) => !(item instanceof Uint8Array))) throw typeError(argument, 'an array of Uint8Arrays');
}

const api: KitWorkerApi = {
  open: guarded(async (config: KitWorkerConfig): Promise<KitWorkerInfo> => {
    if (config?.protocolVersion !== PROTOCOL_VERSION) {
      throw new KitError(KitErrorCode.PROTOCOL_MISMATCH, `the page speaks protocol ${config?.protocolVersion}, this worker ${PROTOCOL_VERSION}: reload so both come from one build`);
    }
    if (opened || closed) throw new KitError(KitErrorCode.CLOSED, 'this worker already hosts a kit; give each kit its own worker');
    const kms = await createKms({ storage: 'indexeddb', name: config.name, regions: config.regions, ...(config.passphrase !== undefined ? { passphrase: config.passphrase } : {}) });
    const principal = config.principal;
    // One client per region, made on first use (a client is a table of ~40 closures).
    const clients = new Map<string, ReturnType<Kms['region']>>();
    const regionClient = (region: string): ReturnType<Kms['region']> => {
      let client = clients.get(region);
      if (!client) clients.set(region, (client = kms.region(region, principal === undefined ? undefined : { principal })));
      return client;
    };
    const clientFor: KmsClientSupplier = regionClient;
    const probe = clientFor(kms.regions[0]!);
    const operations = probe as unknown as KmsRegionClient;
    const kmsOperations = (Object.keys(operations) as (keyof KmsRegionClient)[]).filter((key): key is KmsOperationName => typeof operations[key] === 'function');
    const branchKeys = new KitBranchKeys(config.name, clientFor);
    const tables = new KitTables(config.name, branchKeys, { regionClient, defaultRegion: kms.regions[0]! });
    helperLimit = config.helperWorkers ?? defaultBatchWorkers() - 1;
    opened = { name: config.name, kms, clientFor, account: kms.account, defaultRegion: kms.regions[0]!, branchKeys, regionClient, services: new KitServices(kms, principal), tables };
    return { account: kms.account, regions: [...kms.regions], kmsOperations, locked: kms.locked, lockable: kms.lockable };
  }),

  kms: guarded(async <Op extends KmsOperationName>(region: string, operation: Op, request: KmsRequest<Op>): Promise<KmsResponse<Op>> => {
    const client = state().clientFor(region) as KmsRegionClient;
    // The name comes from another thread: only the client's own operations, never a prototype member.
    if (typeof operation !== 'string' || !Object.hasOwn(client, operation) || typeof client[operation] !== 'function') {
      throw typeError('operation', `a KMS client method; ${JSON.stringify(operation)} is not one`);
    }
    const method = client[operation] as (request: KmsRequest<Op>) => Promise<KmsResponse<Op>>;
    const response = await method(request);
    return transfer(response, [...buffersIn(response)]);
  }),

  service: guarded(async (service: KitService, region: string, operation: string, request: unknown): Promise<unknown> => {
    const response = await state().services.call(service, region, operation, request);
    return transfer(response, [...buffersIn(response)]);
  }),

  registerRotationFunction: guarded(async (arn: string, step: (event: RotationEvent) => Promise<void>): Promise<void> => {
    await state().services.registerRotationFunction(arn, step as never);
  }),

  tickServices: guarded(async (): Promise<void> => {
    await state().services.tick();
  }),

  simulate: guarded(async (settings: KmsSimulation): Promise<void> => {
    await state().kms.simulate(settings);
  }),

  simulation: guarded(async (region: string): Promise<SimulationState> => state().kms.simulation(region)),

  audit: guarded(async (operation: AuditOperation, args: readonly unknown[]): Promise<unknown> => {
    const { audit } = state().kms;
    if (!Object.values(AuditOperation).includes(operation)) {
      throw typeError('operation', `one of ${Object.values(AuditOperation).join(', ')}, not ${JSON.stringify(operation)}`);
    }
    return (audit[operation] as (...callArgs: unknown[]) => Promise<unknown>)(...(Array.isArray(args) ? args : []));
  }),

  encrypt: guarded(async (data: Uint8Array<ArrayBuffer> | Blob, options: WireEncryptOptions): Promise<WireEncryptResult> => {
    const { clientFor, defaultRegion } = unlockedState();
    const keyring = encryptingKeyring(options.keyIds, clientFor, options.region ?? defaultRegion);
    const plaintext = await bytesOf(data);
    const { ciphertext, header } = await withHasher((signatureHasher) =>
      encrypt(keyring, plaintext, { encryptionContext: options.encryptionContext, suiteId: options.suiteId, signatureHasher }),
    );
    const owned = ownedBytes(ciphertext);
    return transfer({ ciphertext: owned, header }, [owned.buffer]);
  }),

  decrypt: guarded(async (ciphertext: Uint8Array<ArrayBuffer> | Blob, options: WireDecryptOptions): Promise<WireDecryptResult> => {
    const { clientFor, account } = unlockedState();
    const keyring = decryptingKeyring(options.region, clientFor, { partition: 'aws', accountIds: [account] });
    const bytes = await bytesOf(ciphertext);
    const { plaintext, header } = await withHasher((signatureHasher) => decrypt(keyring, bytes, { encryptionContext: options.encryptionContext, signatureHasher }));
    const owned = ownedBytes(plaintext);
    return transfer({ plaintext: owned, header }, [owned.buffer]);
  }),

  hashSession: guarded(async (port: MessagePort, hash: 'SHA-256' | 'SHA-384'): Promise<boolean> => {
    if (!(port instanceof MessagePort)) throw typeError('port', 'a MessagePort');
    if (hash !== 'SHA-256' && hash !== 'SHA-384') throw typeError('hash', "'SHA-256' or 'SHA-384'");
    const helpers = offloaded();
    if (!helpers || !(await helpers.openSession(port, hash))) {
      port.close();
      return false;
    }
    return true;
  }),

  encryptFile: guarded(async (file: Blob, options: WireEncryptOptions, control: MessagePort, output?: FileSystemFileHandle): Promise<Blob> => {
    const { clientFor, defaultRegion } = unlockedState();
    const keyring = encryptingKeyring(options.keyIds, clientFor, options.region ?? defaultRegion);
    return withHasher((signatureHasher) => {
      const transform = encryptStream(keyring, {
        encryptionContext: options.encryptionContext,
        suiteId: options.suiteId,
        plaintextLength: file.size,
        signatureHasher,
      });
      return pipeFile(file, { transform, secretOutput: false, type: MESSAGE_TYPE }, control, output);
    });
  }),

  decryptFile: guarded(async (file: Blob, options: WireDecryptOptions, control: MessagePort, output?: FileSystemFileHandle): Promise<Blob> => {
    const { clientFor, account } = unlockedState();
    const keyring = decryptingKeyring(options.region, clientFor, { partition: 'aws', accountIds: [account] });
    // Frames are released to the sink as each one's tag verifies, so memory stays bounded for signed
    // suites too; the page still sees nothing until the footer signature has verified, because
    // pipeFile returns the Blob only after the stream closed without error and discards it otherwise.
    // With `output`, released frames go to the file's swap file, which only replaces the file on
    // close(), after the signature verified; a failure aborts it (FileSink), leaving no plaintext.
    return withHasher((signatureHasher) => {
      const transform = decryptStream(keyring, { encryptionContext: options.encryptionContext, signaturePolicy: 'release-frames-early', signatureHasher });
      return pipeFile(file, { transform, secretOutput: true, type: '' }, control, output);
    });
  }),

  createBranchKey: guarded(async (options: WireCreateBranchKeyOptions): Promise<string> => {
    const { regionClient, defaultRegion, branchKeys } = unlockedState();
    const region = parseKmsKeyArn(options.keyId)?.region ?? options.region ?? defaultRegion;
    // The store is bound to the key's ARN (spec: never an alias), so an alias or key id is resolved first.
    const { KeyMetadata } = await regionClient(region).describeKey({ KeyId: options.keyId });
    return branchKeys.create(KeyMetadata.Arn);
  }),

  encryptMany: guarded(async (records: Uint8Array<ArrayBuffer>[], options: WireEncryptManyOptions): Promise<Uint8Array<ArrayBuffer>[]> => {
    const { branchKeys } = unlockedState();
    checkBatch(records, 'records');
    const workers = workersForBatch(records.length, Math.min(options.workers ?? Infinity, helperLimit + 1));
    // Found here first either way, so an unknown branch key is NOT_FOUND before any helper starts.
    const keyring = await branchKeys.keyring(options.branchKeyId, options.ttlSeconds);
    const local = (some: Uint8Array<ArrayBuffer>[]) => encryptRecords(some, { keyring, encryptionContext: options.encryptionContext, suiteId: options.suiteId });
    const messages =
      workers > 1
        ? await batchPool().encryptMany(records, { branchKeyId: options.branchKeyId, encryptionContext: options.encryptionContext, suiteId: options.suiteId, ttlSeconds: options.ttlSeconds }, workers, local)
        : await local(records);
    return transfer(messages, messages.map((m) => m.buffer));
  }),

  decryptMany: guarded(async (messages: Uint8Array<ArrayBuffer>[], options: WireDecryptManyOptions): Promise<BatchDecryptResult[]> => {
    const { clientFor, account, branchKeys } = unlockedState();
    checkBatch(messages, 'messages');
    const keyring = branchKeys.decryptingKeyring(decryptingKeyring(undefined, clientFor, { partition: 'aws', accountIds: [account] }));
    const workers = workersForBatch(messages.length, Math.min(options.workers ?? Infinity, helperLimit + 1));
    const local = (some: Uint8Array<ArrayBuffer>[]) => decryptRecords(some, keyring, options.encryptionContext);
    const results = workers > 1 ? await batchPool().decryptMany(messages, options.encryptionContext, workers, local) : await local(messages);
    const buffers = results.flatMap((r) => ('plaintext' in r ? [r.plaintext.buffer] : []));
    return transfer(results, buffers);
  }),

  atRest: guarded(async (service: AtRestService, region: string, operation: string, request: unknown): Promise<unknown> => {
    const current = state();
    const operations = Object.prototype.hasOwnProperty.call(AT_REST_OPERATIONS, service) ? AT_REST_OPERATIONS[service] : undefined;
    if (!operations) throw new TypeError(`service must be one of ${Object.keys(AT_REST_OPERATIONS).join(', ')}; got ${JSON.stringify(service)}`);
    if (!operations.includes(operation)) throw new TypeError(`operation must be a ${service} client method; ${JSON.stringify(operation)} is not one`);
    const services = await current.services.open();
    const options = current.services.clientOptions;
    const client = (service === 's3' ? services.s3(region, options) : service === 'ecr' ? services.ecr(region, options) : services.inspector(region, options)) as unknown as Record<string, (request: unknown) => Promise<unknown>>;
    const response = await client[operation]!(request);
    return transfer(response, [...buffersIn(response)]);
  }),

  table: guarded(async (target: WireTableTarget, request: WireTableRequest): Promise<unknown> => state().tables.handle(target, request)),

  backup: guarded(async (options: BackupOptions): Promise<Blob> => backupKit(unlockedState(), options)),

  restore: guarded(async (file: Blob | Uint8Array<ArrayBuffer>, options: RestoreOptions): Promise<RestoreSummary> => restoreKit(unlockedState(), file, options)),

  lock: guarded(async (): Promise<void> => {
    const { kms, branchKeys } = state();
    await kms.lock();
    // Branch key materials cached by the hierarchical keyrings go with the roots.
    branchKeys.forgetMaterials();
  }),

  unlock: guarded(async (secret: UnlockSecret): Promise<void> => state().kms.unlock(secret)),

  changePassphrase: guarded(async (oldPassphrase: string, newPassphrase: string): Promise<void> => state().kms.changePassphrase(oldPassphrase, newPassphrase)),

  addPasskey: guarded(async (enrollment: PasskeyEnrollment): Promise<void> => state().kms.addPasskey(enrollment)),

  passkeys: guarded(async () => state().kms.passkeys()),

  close: guarded(async (): Promise<void> => {
    const was = opened;
    closed = true;
    opened = undefined;
    if (!was) return;
    await was.tables.close();
    pool?.close();
    pool = undefined;
    offload = undefined;
    was.branchKeys.close();
    await was.services.close();
    await was.kms.close();
    await databasesSettled(was.name);
  }),
};

expose(api);
