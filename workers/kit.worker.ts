/**
 * The kit's worker: it hosts the simulated KMS (IndexedDB, one database per region) and the core,
 * and serves {@link KitWorkerApi} over comlink. Every key the kit uses lives here: KMS key material
 * (wrapped by the region root keys), and each message's data key, which exists only for the
 * duration of one call. The page sends and receives plaintext, ciphertext, ids and ARNs.
 *
 * Started by `createKit()` (src/client.ts) as a module worker:
 * `new Worker(new URL('../workers/kit.worker.ts', import.meta.url), { type: 'module' })`.
 */
import { expose, transfer } from 'comlink';
import { decrypt, decryptStream, encrypt, encryptStream, type KmsClientSupplier } from '../src/core/index.js';
import { createKms, type Kms, type KmsSimulation, type SimulationState } from '../src/kms/index.js';
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
  type WireDecryptOptions,
  type WireDecryptResult,
  type WireEncryptOptions,
  type BatchDecryptResult,
  type WireCreateBranchKeyOptions,
  type WireDecryptManyOptions,
  type WireEncryptManyOptions,
} from '../src/protocol.js';
import { decryptingKeyring, encryptingKeyring } from './kit-keyrings.js';
import { parseKmsKeyArn } from '../src/core/kms-arn.js';
import { pipeFile } from './file-pipeline.js';
import { KitBranchKeys } from './kit-branch-keys.js';
import { decryptRecords, encryptRecords } from './kit-batches.js';
import { BatchPool, workersForBatch } from './pool/batch-pool.js';

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
}

let opened: Opened | undefined;
let closed = false;

function state(): Opened {
  if (closed) throw new KitError(KitErrorCode.CLOSED, 'this kit worker was closed; create a new kit');
  if (!opened) throw new KitError(KitErrorCode.CLOSED, 'this kit worker is not open yet; call open() first');
  return opened;
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

/** The page checked the batch already; this guards the worker against a page that did not. */
function checkBatch(items: unknown, argument: string): asserts items is Uint8Array[] {
  if (!Array.isArray(items) || items.some((item) => !(item instanceof Uint8Array))) throw new TypeError(`${argument} must be an array of Uint8Arrays`);
}

const api: KitWorkerApi = {
  open: guarded(async (config: KitWorkerConfig): Promise<KitWorkerInfo> => {
    if (config?.protocolVersion !== PROTOCOL_VERSION) {
      throw new KitError(KitErrorCode.PROTOCOL_MISMATCH, `the page speaks protocol ${config?.protocolVersion}, this worker ${PROTOCOL_VERSION}: reload so both come from one build`);
    }
    if (opened || closed) throw new KitError(KitErrorCode.CLOSED, 'this worker already hosts a kit; give each kit its own worker');
    const kms = await createKms({ storage: 'indexeddb', name: config.name, regions: config.regions });
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
    const kmsOperations = Object.keys(probe).filter((key) => typeof (probe as unknown as Record<string, unknown>)[key] === 'function');
    const branchKeys = new KitBranchKeys(config.name, clientFor);
    opened = { name: config.name, kms, clientFor, account: kms.account, defaultRegion: kms.regions[0]!, branchKeys, regionClient };
    return { account: kms.account, regions: [...kms.regions], kmsOperations };
  }),

  kms: guarded(async (region: string, operation: string, request: unknown): Promise<unknown> => {
    const client = state().clientFor(region) as unknown as Record<string, unknown>;
    const method = Object.prototype.hasOwnProperty.call(client, operation) ? client[operation] : undefined;
    if (typeof method !== 'function') throw new TypeError(`operation must be a KMS client method; ${JSON.stringify(operation)} is not one`);
    const response = await (method as (request: unknown) => Promise<unknown>)(request);
    return transfer(response, [...buffersIn(response)]);
  }),

  simulate: guarded(async (settings: KmsSimulation): Promise<void> => {
    await state().kms.simulate(settings);
  }),

  simulation: guarded(async (region: string): Promise<SimulationState> => state().kms.simulation(region)),

  audit: guarded(async (operation: AuditOperation, args: readonly unknown[]): Promise<unknown> => {
    const { audit } = state().kms;
    if (!Object.values(AuditOperation).includes(operation)) {
      throw new TypeError(`operation must be one of ${Object.values(AuditOperation).join(', ')}, not ${JSON.stringify(operation)}`);
    }
    return (audit[operation] as (...callArgs: unknown[]) => Promise<unknown>)(...(Array.isArray(args) ? args : []));
  }),

  encrypt: guarded(async (data: Uint8Array<ArrayBuffer> | Blob, options: WireEncryptOptions): Promise<Uint8Array<ArrayBuffer>> => {
    const { clientFor, defaultRegion } = state();
    const keyring = encryptingKeyring(options.keyIds, clientFor, options.region ?? defaultRegion);
    const plaintext = await bytesOf(data);
    const { ciphertext } = await encrypt(keyring, plaintext, { encryptionContext: options.encryptionContext, suiteId: options.suiteId });
    const owned = ownedBytes(ciphertext);
    return transfer(owned, [owned.buffer]);
  }),

  decrypt: guarded(async (ciphertext: Uint8Array<ArrayBuffer> | Blob, options: WireDecryptOptions): Promise<WireDecryptResult> => {
    const { clientFor, account } = state();
    const keyring = decryptingKeyring(options.region, clientFor, { partition: 'aws', accountIds: [account] });
    const { plaintext, header } = await decrypt(keyring, await bytesOf(ciphertext), { encryptionContext: options.encryptionContext });
    const owned = ownedBytes(plaintext);
    return transfer({ plaintext: owned, header }, [owned.buffer]);
  }),

  encryptFile: guarded(async (file: Blob, options: WireEncryptOptions, control: MessagePort, output?: FileSystemFileHandle): Promise<Blob> => {
    const { clientFor, defaultRegion } = state();
    const keyring = encryptingKeyring(options.keyIds, clientFor, options.region ?? defaultRegion);
    const transform = encryptStream(keyring, {
      encryptionContext: options.encryptionContext,
      suiteId: options.suiteId,
      plaintextLength: file.size,
    });
    return pipeFile(file, { transform, secretOutput: false, type: MESSAGE_TYPE }, control, output);
  }),

  decryptFile: guarded(async (file: Blob, options: WireDecryptOptions, control: MessagePort, output?: FileSystemFileHandle): Promise<Blob> => {
    const { clientFor, account } = state();
    const keyring = decryptingKeyring(options.region, clientFor, { partition: 'aws', accountIds: [account] });
    // Frames are released to the sink as each one's tag verifies, so memory stays bounded for signed
    // suites too; the page still sees nothing until the footer signature has verified, because
    // pipeFile returns the Blob only after the stream closed without error and discards it otherwise.
    // With `output`, released frames go to the file's swap file, which only replaces the file on
    // close(), after the signature verified; a failure aborts it (FileSink), leaving no plaintext.
    const transform = decryptStream(keyring, { encryptionContext: options.encryptionContext, signaturePolicy: 'release-frames-early' });
    return pipeFile(file, { transform, secretOutput: true, type: '' }, control, output);
  }),

  createBranchKey: guarded(async (options: WireCreateBranchKeyOptions): Promise<string> => {
    const { regionClient, defaultRegion, branchKeys } = state();
    const region = parseKmsKeyArn(options.keyId)?.region ?? options.region ?? defaultRegion;
    // The store is bound to the key's ARN (spec: never an alias), so an alias or key id is resolved first.
    const { KeyMetadata } = await regionClient(region).describeKey({ KeyId: options.keyId });
    return branchKeys.create(KeyMetadata.Arn);
  }),

  encryptMany: guarded(async (records: Uint8Array<ArrayBuffer>[], options: WireEncryptManyOptions): Promise<Uint8Array<ArrayBuffer>[]> => {
    const { branchKeys } = state();
    checkBatch(records, 'records');
    const workers = workersForBatch(records.length, options.workers);
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
    const { clientFor, account, branchKeys } = state();
    checkBatch(messages, 'messages');
    const keyring = branchKeys.decryptingKeyring(decryptingKeyring(undefined, clientFor, { partition: 'aws', accountIds: [account] }));
    const workers = workersForBatch(messages.length, options.workers);
    const local = (some: Uint8Array<ArrayBuffer>[]) => decryptRecords(some, keyring, options.encryptionContext);
    const results = workers > 1 ? await batchPool().decryptMany(messages, options.encryptionContext, workers, local) : await local(messages);
    const buffers = results.flatMap((r) => ('plaintext' in r ? [r.plaintext.buffer] : []));
    return transfer(results, buffers);
  }),

  close: guarded(async (): Promise<void> => {
    const was = opened;
    closed = true;
    opened = undefined;
    if (!was) return;
    pool?.close();
    pool = undefined;
    was.branchKeys.close();
    await was.kms.close();
    await databasesSettled(was.name);
  }),
};

expose(api);
