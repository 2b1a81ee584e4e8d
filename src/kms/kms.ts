/**
 * `createKms`: a simulated AWS KMS of several regions in one account. Each region has its own
 * store (one IndexedDB database, or memory) and its own root keys; `kms.region(name)` gives the
 * client for a region. Two Kms instances opened on the same databases (two tabs, or a page and a
 * worker) see each other's changes: every call reads the records it needs, and writes are
 * version-checked (storage/store.ts).
 */
import { deleteDB } from 'idb';
import type { Caller } from './policy/access.js';
import { decide } from './policy/access.js';
import { AuditLog, auditStorage, deleteAuditStorage, recordOutcome, type KmsAudit } from './audit/recording.js';
import { CallContext } from './requests/call-context.js';
import { recordNothing, type CallOutcome, type CallRecorder } from './audit/call-record.js';
import { createRegionClient, type KmsRegionClient } from './client.js';
import { SimulatorError, SimulatorErrorCode, keyNotFound, kmsError } from './errors.js';
import { Iam, type KmsIam } from './policy/iam.js';
import { listUnlistedReplicas } from './keys/recovery.js';
import { describePrincipal, type ConditionContext, type Decision, type NewGrantRequest } from './policy/index.js';
import { IndexedDbIamStore, MemoryIamStore, iamDatabaseName } from './storage/iam-store.js';
import { createRootKeys } from './crypto/key-material.js';
import { sweep } from './keys/lifecycle.js';
import { RegionRuntime, type RegionDirectory, type ServiceEvent } from './requests/region-runtime.js';
import type { SimulationSettings, SimulationState } from './requests/simulation.js';
import { IndexedDbStore } from './storage/indexeddb-store.js';
import { MemoryStore } from './storage/memory-store.js';
import type { RegionStore } from './storage/store.js';
import { updateKey } from './keys/key-updates.js';
import { argumentError, rangeError, typeError } from '../core/arguments.js';
import { ensureAwsManagedKey } from './keys/aws-managed-keys.js';
import { KeyLock, type PasskeyEnrollment, type UnlockSecret } from './lock/key-lock.js';
import { IndexedDbLockStore, MemoryLockStore, lockDatabaseName } from './lock/lock-store.js';
import type { KdfChoice } from './backup/passphrase-kdf.js';
import { KitError, KitErrorCode } from '../client/errors.js';
import type { RootKeys } from './storage/records.js';
import { backupKeyStore, restoreKeyStore, type BackupOptions, type KeyStoreParts, type RestoreOptions, type RestoreSummary } from './backup/key-store-backup.js';

/**
 * The AWS account id a {@link Kms} simulates unless `options.account` names another (AWS's
 * documentation example account).
 */
export const DEFAULT_ACCOUNT = '111122223333';
/** The regions a {@link Kms} simulates unless `options.regions` names others. */
export const DEFAULT_REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-northeast-2'] as const;
const DEFAULT_NAME = 'envelope-kit-kms';

/**
 * Options of {@link createKms}: where the keys live (`storage`, required), which account and
 * regions, the clock and the audit log.
 */
export interface KmsOptions {
  /** 12-digit AWS account id. Default `111122223333`. */
  account?: string;
  /** Region names. Default us-east-1, us-west-2, eu-west-1, ap-northeast-2. */
  regions?: readonly string[];
  /** `indexeddb` in pages and workers (persistent), `memory` in Node and tests. */
  storage: 'indexeddb' | 'memory';
  /** Database name prefix: instances with the same name, account and region share storage. */
  name?: string;
  /** The clock (epoch ms): rotation, deletion windows, import expiry and response dates follow it. */
  now?: () => number;
  /** Receives one event per call and service event, without payloads; awaited if it returns a promise. */
  recorder?: CallRecorder;
  /**
   * The audit log (`kms.audit`): on unless `false`. Off, calls are not recorded there; the
   * `recorder` still hears them. For benchmarks and tests that measure the KMS without it.
   */
  audit?: boolean;
  /**
   * How an IndexedDB audit log stores a call's record before the call returns. `'default'`: in
   * the write-ahead journal where the code runs in a dedicated worker with OPFS sync access handles
   * (committed to IndexedDB in groups right after; as durable as IndexedDB's default, "relaxed",
   * transactions), else in its own IndexedDB transaction. `'strict'`: in an IndexedDB transaction
   * with strict durability (flushed to disk), one per call or per group of concurrent calls: slower.
   */
  auditDurability?: 'default' | 'strict';
  /**
   * Keeps every region's root keys wrapped under a key derived from this passphrase (lock/). Given
   * for a KMS that has no lock yet, it creates one (the KMS must hold no keys) and starts unlocked;
   * a KMS that has a lock always opens locked, whatever is given here: `unlock` it.
   */
  passphrase?: string;
  /** The KDF of a new lock: `argon2id` (default; m = 19 MiB, t = 2, p = 1) or `pbkdf2-sha256` (600,000 iterations). */
  kdf?: KdfChoice;
}

/** Who a regional client calls as. */
export interface RegionClientOptions {
  /** An IAM principal ARN (`arn:aws:iam::111122223333:user/alice`, `…:role/auditor`, an assumed-role session). Default: the account root. */
  principal?: string;
  /** kms:ViaService: the AWS service calling on the principal's behalf, e.g. `ecr.us-east-1.amazonaws.com`. */
  viaService?: string;
  /** Further global condition keys the requests carry (aws:SourceArn, aws:SourceAccount, ...). */
  context?: ConditionContext;
}

/** What `kms.explain` decides: one request, described rather than made. */
export interface ExplainRequest {
  /** The operation (`Decrypt`) or policy action (`kms:ReEncryptFrom`). */
  action: string;
  /** The key (id, ARN, alias name or alias ARN); omitted for operations on no key (CreateKey, ListKeys). */
  KeyId?: string;
  EncryptionContext?: Record<string, string>;
  viaService?: string;
  /** Operation-specific and global condition keys (kms:GrantOperations, kms:EncryptionAlgorithm, ...). */
  context?: ConditionContext;
  /** For CreateGrant: the grant that would be created. */
  newGrant?: NewGrantRequest;
}

/**
 * What `kms.simulate` changes in one region: {@link SimulationSettings} and a simulated custom key
 * store's connection.
 */
export interface KmsSimulation extends SimulationSettings {
  region: string;
  /** Simulated custom key store: disconnected keys are Unavailable, connected ones come back. */
  customKeyStore?: { disconnect?: readonly string[]; connect?: readonly string[] };
}

/**
 * A simulated multi-region AWS KMS of one account, made by {@link createKms}: a client per region
 * (`kms.region(name)`), the account's IAM, the audit log, and the simulation controls. Calls fail
 * as AWS KMS's do, with a {@link KmsError} whose `name` and `code` are the AWS exception name; a
 * closed instance throws {@link SimulatorError} `CLOSED`.
 */
export interface Kms {
  readonly account: string;
  readonly regions: readonly string[];
  /** Where the KMS keeps its state; services built on it (`envelope-kit/services`) keep theirs alike. */
  readonly storage: 'indexeddb' | 'memory';
  /** The database name prefix (KmsOptions.name, resolved): services name their databases after it. */
  readonly name: string;
  /** The injected clock (epoch ms) the KMS runs on. */
  now(): number;
  /**
   * The key id of the AWS managed key `alias/aws/<service>` in `region`, created with its
   * documented key policy on first use (aws-managed-keys.ts). For service layers: AWS creates
   * these keys itself, and customers cannot.
   */
  awsManagedKey(region: string, service: string): Promise<string>;
  /** The client for one region; `principal` defaults to the account root. */
  region(name: string, options?: RegionClientOptions): KmsRegionClient;
  /** The account's IAM inline user and role policies (account-wide: every region reads them). */
  readonly iam: KmsIam;
  /** The decision AWS KMS would take for `request` by `principal`, and why; nothing is performed. */
  explain(region: string, principal: string, request: ExplainRequest): Promise<Decision>;
  /** The audit log: every call and service event, hash-chained per region, with signed digests. */
  readonly audit: KmsAudit;
  /** Changes a region's simulation settings (settings other than `customKeyStore` apply at once). */
  simulate(settings: KmsSimulation): Promise<void>;
  /** A region's simulation settings as they are now (set by `simulate` from anywhere). */
  simulation(region: string): Promise<SimulationState>;
  /** Applies every due time-driven event (rotation, expiry, deletion) in every region. */
  tick(): Promise<void>;
  /**
   * The whole key store as one encrypted file (an AWS Encryption SDK message under a
   * passphrase-derived key; backup/key-store-backup.ts): every region's keys with every material
   * version, aliases, policies, grants, IAM policies and audit chains.
   */
  backup(options: BackupOptions): Promise<Blob>;
  /**
   * Restores a {@link Kms.backup} file into this (empty, unless `replace`) KMS of the same account;
   * rejects with a KitError (WRONG_PASSPHRASE, BACKUP_DAMAGED, BACKUP_TOO_NEW, BACKUP_MISMATCH,
   * NOT_EMPTY) and changes nothing when it cannot.
   */
  restore(file: Blob | Uint8Array | ArrayBuffer, options: RestoreOptions): Promise<RestoreSummary>;
  /** Whether the root keys are locked away (a KMS with a passphrase, opened or locked and not yet unlocked). */
  readonly locked: boolean;
  /** Whether this KMS has a passphrase lock at all. */
  readonly lockable: boolean;
  /** Forgets the root keys and every unwrapped material: calls that need a key reject with KitError LOCKED. */
  lock(): Promise<void>;
  /** Unwraps the root keys with the passphrase, or a passkey's PRF output; WRONG_PASSPHRASE if it does not open the lock. */
  unlock(secret: UnlockSecret): Promise<void>;
  /** Re-wraps the lock's master key under `newPassphrase`: no root key, material or data is re-encrypted. */
  changePassphrase(oldPassphrase: string, newPassphrase: string): Promise<void>;
  /** Adds a passkey (its WebAuthn PRF output) as a second way to unlock; needs the passphrase. */
  addPasskey(enrollment: PasskeyEnrollment): Promise<void>;
  /** The passkeys added: their credential ids and PRF inputs, for a WebAuthn get(). */
  passkeys(): Promise<{ credentialId: Uint8Array; prfSalt: Uint8Array }[]>;
  /**
   * Closes the stores; refuses calls from then on. Resolves once the audit log has committed every
   * record it holds (records a call stored in the log's journal are committed after the call
   * returned) and closed; awaiting it is optional, nothing is lost either way.
   */
  close(): Promise<void>;
}

const databaseName = (name: string, account: string, region: string) => `${name}:${account}:${region}`;

function checkOptions(options: KmsOptions): { account: string; regions: string[]; name: string; now: () => number; auditDurability: 'default' | 'strict' } {
  if (options === null || typeof options !== 'object') throw typeError('options', 'an object with a storage member');
  if (options.storage !== 'indexeddb' && options.storage !== 'memory') throw typeError('options.storage', "'indexeddb' or 'memory'");
  const account = options.account ?? DEFAULT_ACCOUNT;
  if (typeof account !== 'string' || !/^\d{12}$/.test(account)) throw rangeError('options.account', 'must be a 12-digit AWS account id');
  const regions = [...(options.regions ?? DEFAULT_REGIONS)];
  if (regions.length === 0 || regions.some((r) => typeof r !== 'string' || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(r))) {
    throw rangeError('options.regions', 'must be a non-empty list of region names such as us-east-1');
  }
  if (new Set(regions).size !== regions.length) throw rangeError('options.regions', 'must not repeat a region');
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') throw typeError('options.now', 'a function returning epoch milliseconds');
  // Unnamed memory storage is private to this instance; a name shares it, as IndexedDB is shared.
  const name = options.name ?? (options.storage === 'memory' ? `memory-${crypto.randomUUID()}` : DEFAULT_NAME);
  if (typeof name !== 'string' || name.length === 0) throw typeError('options.name', 'a non-empty string');
  const auditDurability = options.auditDurability ?? 'default';
  if (auditDurability !== 'default' && auditDurability !== 'strict') throw typeError('options.auditDurability', "'default' or 'strict'");
  return { account, regions, name, now, auditDurability };
}

/**
 * Creates (or opens) a simulated multi-region AWS KMS: one store per region (IndexedDB databases
 * named after `options.name`, or memory), an account's IAM and an audit log. Two instances of one
 * name (two tabs, a page and a worker) share keys. The clients of `kms.region(name)` take AWS KMS's
 * requests and answer with its responses and exceptions.
 *
 * @param options - `storage` (`'indexeddb'` in pages and workers, persistent; `'memory'` in Node
 *   and tests), and optionally `account`, `regions`, `name`, `now`, `recorder`, `audit`,
 *   `auditDurability`.
 * @returns the {@link Kms}; `await kms.close()` when done.
 * @throws TypeError / RangeError (`code: 'INVALID_ARGUMENT'`) for bad options (a non 12-digit
 *   account, an unknown storage, repeated regions); {@link SimulatorError} `STORAGE_FAILED` when
 *   IndexedDB cannot open (no quota, a private window that refuses storage, a blocked upgrade).
 *
 * @example
 * ```ts
 * import { createKms } from 'envelope-kit/kms';
 * const kms = await createKms({ storage: 'memory' }); // 'indexeddb' in pages and workers: keys persist
 * const east = kms.region('us-east-1');
 * const { KeyMetadata } = await east.createKey({ MultiRegion: true });
 * await east.replicateKey({ KeyId: KeyMetadata.KeyId, ReplicaRegion: 'eu-west-1' });
 * const { CiphertextBlob } = await east.encrypt({ KeyId: KeyMetadata.KeyId, Plaintext: new TextEncoder().encode('hello') });
 * await kms.simulate({ region: 'us-east-1', outage: true }); // us-east-1 now fails with KMSInternalException
 * const { Plaintext } = await kms.region('eu-west-1').decrypt({ CiphertextBlob });
 * if (new TextDecoder().decode(Plaintext) !== 'hello') throw new Error('the replica did not decrypt');
 * await kms.close();
 * ```
 */
export async function createKms(options: KmsOptions): Promise<Kms> {
  const { account, regions, name, now, auditDurability } = checkOptions(options);
  const recorder = options.recorder ?? recordNothing;
  const runtimes = new Map<string, RegionRuntime>();
  const iamName = iamDatabaseName(name, account);
  const iamStore = options.storage === 'memory' ? new MemoryIamStore(iamName) : await IndexedDbIamStore.open(iamName);
  const iam = new Iam(account, iamStore);
  let audit: AuditLog | undefined;
  if (options.audit !== false) {
    try {
      audit = await AuditLog.open({ storage: auditStorage(options.storage, name, account, auditDurability), account, regions, now });
    } catch (error) {
      iam.close();
      throw error;
    }
  }
  const record = async (outcome: CallOutcome) => {
    // A call refused because this Kms is closed did nothing, and its log is closed too.
    if (audit && !closed) await recordOutcome(audit, account, outcome);
    await recorder(outcome.event);
  };
  const serviceEvent = (event: ServiceEvent) =>
    record({ event: { eventTime: event.eventTime, eventName: event.eventName, awsRegion: event.region, resources: [event.keyArn], eventType: 'AwsServiceEvent' } });
  const directory: RegionDirectory = { account, regionNames: regions, peer: (r) => runtimes.get(r), now, iam, serviceEvent };
  const stores: RegionStore[] = [];
  const lockName = lockDatabaseName(name, account);
  const lockStore = options.storage === 'memory' ? new MemoryLockStore(lockName) : await IndexedDbLockStore.open(lockName);
  let keyLock: KeyLock | undefined;
  try {
    for (const region of regions) {
      const dbName = databaseName(name, account, region);
      stores.push(options.storage === 'memory' ? new MemoryStore(dbName, region) : await IndexedDbStore.open(dbName, region));
    }
    keyLock = await KeyLock.open({ store: lockStore, regions, now });
    let roots: Map<string, RootKeys> | undefined;
    if (!keyLock && options.passphrase !== undefined) {
      // Keys already wrapped under plain roots cannot be moved under a lock in place; a backup
      // restored into a new kit with a passphrase can.
      for (const store of stores) {
        if ((await store.allKeys()).length > 0) {
          throw new KitError(KitErrorCode.NOT_EMPTY, `this kit (${name}) was created without a passphrase and holds keys: back it up, then restore the backup into a new kit created with a passphrase`);
        }
      }
      ({ lock: keyLock, roots } = await KeyLock.create({ store: lockStore, regions, now, passphrase: options.passphrase, ...(options.kdf ? { kdf: options.kdf } : {}) }));
    }
    for (const store of stores) {
      // Locked: no root until unlock. Lock created just now: its roots. No lock: the plain roots.
      const root = keyLock ? roots?.get(store.region) : await store.root(() => createRootKeys(now()));
      runtimes.set(store.region, new RegionRuntime(store.region, store, root, directory));
    }
    // A worker killed in the middle of a two-region operation: finish its bookkeeping (recovery.ts).
    await listUnlistedReplicas(runtimes);
  } catch (error) {
    for (const store of stores) store.close();
    lockStore.close();
    iam.close();
    void audit?.close();
    throw error;
  }
  const requireLock = () => {
    if (!keyLock) throw argumentError(`kit ${JSON.stringify(name)}`, 'has no passphrase: only a kit created with a passphrase can lock');
    return keyLock;
  };

  let closed = false;
  const checkOpen = () => {
    if (closed) throw new SimulatorError(SimulatorErrorCode.CLOSED, 'This simulated KMS has been closed; create a new one with createKms.');
  };
  const requireAudit = () => {
    if (!audit) throw argumentError('this', 'Kms was created with audit: false: it has no audit log');
    return audit;
  };
  const runtime = (region: string) => {
    const found = runtimes.get(region);
    if (!found) throw rangeError('region', `${JSON.stringify(region)} is not one of this KMS's regions: ${regions.join(', ')}`);
    return found;
  };

  const parts: KeyStoreParts = { account, regions, runtime, iamStore, audit, now };
  const kms: Kms = {
    account,
    regions,
    storage: options.storage,
    name,
    now,
    async awsManagedKey(regionName, service) {
      checkOpen();
      return ensureAwsManagedKey(runtime(regionName), service);
    },
    iam,
    audit: {
      query: (filter) => requireAudit().query(filter),
      export: (exportOptions) => requireAudit().export(exportOptions),
      verify: (text, verifyOptions) => requireAudit().verify(text, verifyOptions),
      flush: () => requireAudit().flush(),
    },
    region(regionName, clientOptions) {
      return createRegionClient({ runtime: runtime(regionName), caller: callerOf(account, clientOptions), record, checkOpen });
    },
    async explain(regionName, principal, request) {
      checkOpen();
      const target = runtime(regionName);
      if (request === null || typeof request !== 'object' || typeof request.action !== 'string') throw typeError('request', 'an object with an action such as "Decrypt"');
      const caller = callerOf(account, { principal, ...(request.viaService !== undefined ? { viaService: request.viaService } : {}) });
      const action = request.action.includes(':') ? request.action : `kms:${request.action}`;
      const ctx = new CallContext(target, caller, action.slice(action.indexOf(':') + 1));
      const conditions = request.context ?? {};
      // Account-level actions act on this account: another account's principals are refused, as the call itself refuses them.
      if (request.KeyId === undefined) return decide({ caller, action, resource: '*', resourceAccount: account, identityPolicies: await ctx.identityPolicies(), conditions });
      const { keyId, alias } = await ctx.resolveKey(request.KeyId, true);
      const found = await target.store.getKey(keyId);
      if (!found) throw keyNotFound(target.arn(keyId));
      return ctx.decideKey(target, found, {
        allowAlias: true,
        action,
        conditions,
        ...(request.EncryptionContext ? { encryptionContext: request.EncryptionContext } : {}),
        ...(request.newGrant ? { newGrant: request.newGrant } : {}),
      }, alias);
    },
    async simulate(settings) {
      const target = runtime(settings.region);
      target.simulation.apply(settings, now());
      await setConnected(target, settings.customKeyStore?.disconnect ?? [], false);
      await setConnected(target, settings.customKeyStore?.connect ?? [], true);
    },
    async simulation(regionName) {
      return runtime(regionName).simulation.state(regionName);
    },
    async tick() {
      checkOpen();
      for (const r of runtimes.values()) await sweep(r);
    },
    async backup(backupOptions) {
      checkOpen();
      return backupKeyStore(parts, backupOptions);
    },
    async restore(file, restoreOptions) {
      checkOpen();
      return restoreKeyStore(parts, file, restoreOptions);
    },
    get locked() {
      return [...runtimes.values()].some((r) => r.locked);
    },
    get lockable() {
      return keyLock !== undefined;
    },
    async lock() {
      requireLock();
      for (const r of runtimes.values()) r.setRoot(undefined);
    },
    async unlock(secret) {
      checkOpen();
      const roots = await requireLock().unlock(secret);
      for (const r of runtimes.values()) r.setRoot(roots.get(r.region));
    },
    async changePassphrase(oldPassphrase, newPassphrase) {
      checkOpen();
      await requireLock().changePassphrase(oldPassphrase, newPassphrase, options.kdf);
    },
    async addPasskey(enrollment) {
      checkOpen();
      await requireLock().addPasskey(enrollment);
    },
    async passkeys() {
      return keyLock ? keyLock.passkeys() : [];
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const r of runtimes.values()) r.setRoot(undefined);
      for (const store of stores) store.close();
      lockStore.close();
      iam.close();
      // Calls awaited their records' storing; the log commits what it still holds, then closes.
      await audit?.close();
    },
  };
  internals.set(kms, parts);
  return kms;
}

const internals = new WeakMap<Kms, KeyStoreParts>();

/**
 * The parts of `kms` a key-store backup reads and writes, for the kit's worker, which adds its
 * branch keys to the backup (workers/). Not exported from the package.
 */
export function keyStoreParts(kms: Kms): KeyStoreParts {
  const parts = internals.get(kms);
  if (!parts) throw typeError('kms', 'a Kms made by createKms');
  return parts;
}

/** The caller a client acts as: checked here, once, so every call can trust it. */
function callerOf(account: string, options: RegionClientOptions | undefined): Caller {
  const arn = options?.principal ?? `arn:aws:iam::${account}:root`;
  if (typeof arn !== 'string' || !describePrincipal(arn)) {
    throw typeError('principal', `an IAM principal ARN such as arn:aws:iam::${account}:user/alice or arn:aws:sts::${account}:assumed-role/role/session; got ${JSON.stringify(arn)}`);
  }
  const viaService = options?.viaService;
  if (viaService !== undefined && (typeof viaService !== 'string' || !/^[a-z0-9-]+\.[a-z0-9-]+\.amazonaws\.com$/.test(viaService))) {
    throw typeError('viaService', `a service endpoint name such as ecr.us-east-1.amazonaws.com; got ${JSON.stringify(viaService)}`);
  }
  const context = options?.context;
  if (context !== undefined && (context === null || typeof context !== 'object')) throw typeError('context', 'an object of condition keys and values');
  return { arn, ...(viaService !== undefined ? { viaService } : {}), ...(context ? { context } : {}) };
}

/**
 * Custom key stores hold symmetric single-Region AWS_KMS-style keys only (developer guide, "Custom
 * key stores"), so only such keys can be disconnected; asking for another is a mistake in the test.
 */
async function setConnected(runtime: RegionRuntime, keyIds: readonly string[], connected: boolean): Promise<void> {
  for (const keyId of keyIds) {
    await updateKey(runtime, keyId, async (current) => {
      if (!current) throw kmsError('NotFoundException', `Key '${runtime.arn(keyId)}' does not exist`);
      if (current.KeySpec !== 'SYMMETRIC_DEFAULT' || current.Origin !== 'AWS_KMS' || current.multiRegion) {
        throw kmsError('UnsupportedOperationException', `${runtime.arn(keyId)} cannot be in a custom key store: those hold symmetric, single-Region keys with KMS-generated material.`);
      }
      const { unavailable: _flag, ...rest } = current;
      return { record: connected ? rest : { ...rest, unavailable: true }, result: undefined };
    });
  }
}

/**
 * Deletes every database of a Kms (IndexedDB) or forgets its memory storage: all keys are gone.
 *
 * @example
 * ```ts
 * await deleteKmsStorage({ storage: 'indexeddb', name: 'test-123' });
 * ```
 */
export async function deleteKmsStorage(options: Pick<KmsOptions, 'storage' | 'name' | 'account' | 'regions'>): Promise<void> {
  const name = options.name ?? DEFAULT_NAME;
  const account = options.account ?? DEFAULT_ACCOUNT;
  if (options.storage === 'memory') {
    MemoryStore.forget(`${name}:${account}:`);
    MemoryIamStore.forget(iamDatabaseName(name, account));
    MemoryLockStore.forget(lockDatabaseName(name, account));
    await deleteAuditStorage('memory', name, account, []);
    return;
  }
  for (const region of options.regions ?? DEFAULT_REGIONS) await deleteDB(databaseName(name, account, region));
  await IndexedDbIamStore.delete(iamDatabaseName(name, account));
  await IndexedDbLockStore.delete(lockDatabaseName(name, account));
  await deleteAuditStorage('indexeddb', name, account, options.regions ?? DEFAULT_REGIONS);
}
