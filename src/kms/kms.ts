/**
 * `createKms`: a simulated AWS KMS of several regions in one account. Each region has its own
 * store (one IndexedDB database, or memory) and its own root keys; `kms.region(name)` gives the
 * client for a region. Two Kms instances opened on the same databases (two tabs, or a page and a
 * worker) see each other's changes: every call reads the records it needs, and writes are
 * version-checked (storage/store.ts).
 */
import { deleteDB } from 'idb';
import type { Caller } from './access.js';
import { decide } from './access.js';
import { AuditLog, auditStorage, deleteAuditStorage, recordOutcome, type KmsAudit } from './audit-recording.js';
import { CallContext } from './call-context.js';
import { recordNothing, type CallOutcome, type CallRecorder } from './call-record.js';
import { createRegionClient, type KmsRegionClient } from './client.js';
import { keyNotFound, kmsError } from './errors.js';
import { listUnlistedReplicas } from './recovery.js';
import { Iam, type KmsIam } from './iam.js';
import { describePrincipal, type ConditionContext, type Decision, type NewGrantRequest } from './policy/index.js';
import { IndexedDbIamStore, MemoryIamStore, iamDatabaseName } from './storage/iam-store.js';
import { createRootKeys } from './key-material.js';
import { sweep } from './lifecycle.js';
import { RegionRuntime, type RegionDirectory, type ServiceEvent } from './region-runtime.js';
import type { SimulationSettings, SimulationState } from './simulation.js';
import { IndexedDbStore } from './storage/indexeddb-store.js';
import { MemoryStore } from './storage/memory-store.js';
import type { RegionStore } from './storage/store.js';
import { updateKey } from './key-updates.js';

export const DEFAULT_ACCOUNT = '111122223333';
export const DEFAULT_REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-northeast-2'] as const;
const DEFAULT_NAME = 'envelope-kit-kms';

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

export interface KmsSimulation extends SimulationSettings {
  region: string;
  /** Simulated custom key store: disconnected keys are Unavailable, connected ones come back. */
  customKeyStore?: { disconnect?: readonly string[]; connect?: readonly string[] };
}

export interface Kms {
  readonly account: string;
  readonly regions: readonly string[];
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
   * Closes the stores; refuses calls from then on. Resolves once the audit log has committed every
   * record it holds (records a call stored in the log's journal are committed after the call
   * returned) and closed; awaiting it is optional, nothing is lost either way.
   */
  close(): Promise<void>;
}

const databaseName = (name: string, account: string, region: string) => `${name}:${account}:${region}`;

function checkOptions(options: KmsOptions): { account: string; regions: string[]; name: string; now: () => number; auditDurability: 'default' | 'strict' } {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object with a storage member');
  if (options.storage !== 'indexeddb' && options.storage !== 'memory') throw new TypeError("options.storage must be 'indexeddb' or 'memory'");
  const account = options.account ?? DEFAULT_ACCOUNT;
  if (typeof account !== 'string' || !/^\d{12}$/.test(account)) throw new RangeError('options.account must be a 12-digit AWS account id');
  const regions = [...(options.regions ?? DEFAULT_REGIONS)];
  if (regions.length === 0 || regions.some((r) => typeof r !== 'string' || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(r))) {
    throw new RangeError('options.regions must be a non-empty list of region names such as us-east-1');
  }
  if (new Set(regions).size !== regions.length) throw new RangeError('options.regions must not repeat a region');
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') throw new TypeError('options.now must be a function returning epoch milliseconds');
  // Unnamed memory storage is private to this instance; a name shares it, as IndexedDB is shared.
  const name = options.name ?? (options.storage === 'memory' ? `memory-${crypto.randomUUID()}` : DEFAULT_NAME);
  if (typeof name !== 'string' || name.length === 0) throw new TypeError('options.name must be a non-empty string');
  const auditDurability = options.auditDurability ?? 'default';
  if (auditDurability !== 'default' && auditDurability !== 'strict') throw new TypeError("options.auditDurability must be 'default' or 'strict'");
  return { account, regions, name, now, auditDurability };
}

/**
 * Creates (or opens) a simulated multi-region AWS KMS.
 *
 * @example
 * ```ts
 * import { createKms } from 'envelope-kit/kms';
 * const kms = await createKms({ storage: 'memory' });
 * const east = kms.region('us-east-1');
 * const { KeyMetadata } = await east.createKey({ MultiRegion: true });
 * await east.replicateKey({ KeyId: KeyMetadata.KeyId, ReplicaRegion: 'eu-west-1' });
 * const { CiphertextBlob } = await east.encrypt({ KeyId: KeyMetadata.KeyId, Plaintext: new Uint8Array([1, 2, 3]) });
 * await kms.simulate({ region: 'us-east-1', outage: true });
 * const { Plaintext } = await kms.region('eu-west-1').decrypt({ CiphertextBlob });
 * await kms.close();
 * ```
 */
export async function createKms(options: KmsOptions): Promise<Kms> {
  const { account, regions, name, now, auditDurability } = checkOptions(options);
  const recorder = options.recorder ?? recordNothing;
  const runtimes = new Map<string, RegionRuntime>();
  const iamName = iamDatabaseName(name, account);
  const iam = new Iam(account, options.storage === 'memory' ? new MemoryIamStore(iamName) : await IndexedDbIamStore.open(iamName));
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
  try {
    for (const region of regions) {
      const dbName = databaseName(name, account, region);
      const store = options.storage === 'memory' ? new MemoryStore(dbName, region) : await IndexedDbStore.open(dbName, region);
      stores.push(store);
      const root = await store.root(() => createRootKeys(now()));
      runtimes.set(region, new RegionRuntime(region, store, root, directory));
    }
    // A worker killed in the middle of a two-region operation: finish its bookkeeping (recovery.ts).
    await listUnlistedReplicas(runtimes);
  } catch (error) {
    for (const store of stores) store.close();
    iam.close();
    void audit?.close();
    throw error;
  }

  let closed = false;
  const checkOpen = () => {
    if (closed) throw kmsError('KMSInternalException', 'This simulated KMS has been closed; create a new one with createKms.');
  };
  const requireAudit = () => {
    if (!audit) throw new TypeError('this Kms was created with audit: false: it has no audit log');
    return audit;
  };
  const runtime = (region: string) => {
    const found = runtimes.get(region);
    if (!found) throw new RangeError(`region ${JSON.stringify(region)} is not one of this KMS's regions: ${regions.join(', ')}`);
    return found;
  };

  return {
    account,
    regions,
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
      if (request === null || typeof request !== 'object' || typeof request.action !== 'string') throw new TypeError('request must be an object with an action such as "Decrypt"');
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
    async close() {
      if (closed) return;
      closed = true;
      for (const store of stores) store.close();
      iam.close();
      // Calls awaited their records' storing; the log commits what it still holds, then closes.
      await audit?.close();
    },
  };
}

/** The caller a client acts as: checked here, once, so every call can trust it. */
function callerOf(account: string, options: RegionClientOptions | undefined): Caller {
  const arn = options?.principal ?? `arn:aws:iam::${account}:root`;
  if (typeof arn !== 'string' || !describePrincipal(arn)) {
    throw new TypeError(`principal must be an IAM principal ARN such as arn:aws:iam::${account}:user/alice or arn:aws:sts::${account}:assumed-role/role/session; got ${JSON.stringify(arn)}`);
  }
  const viaService = options?.viaService;
  if (viaService !== undefined && (typeof viaService !== 'string' || !/^[a-z0-9-]+\.[a-z0-9-]+\.amazonaws\.com$/.test(viaService))) {
    throw new TypeError(`viaService must be a service endpoint name such as ecr.us-east-1.amazonaws.com; got ${JSON.stringify(viaService)}`);
  }
  const context = options?.context;
  if (context !== undefined && (context === null || typeof context !== 'object')) throw new TypeError('context must be an object of condition keys and values');
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
    await deleteAuditStorage('memory', name, account, []);
    return;
  }
  for (const region of options.regions ?? DEFAULT_REGIONS) await deleteDB(databaseName(name, account, region));
  await IndexedDbIamStore.delete(iamDatabaseName(name, account));
  await deleteAuditStorage('indexeddb', name, account, options.regions ?? DEFAULT_REGIONS);
}
