/**
 * `createServices({ kms })`: the AWS services that keep data encrypted under the simulated KMS,
 * over the KMS's own storage kind, account, Regions and clock. `services.secretsManager(region)`
 * and `services.ssm(region)` give a Region's client calling as a principal (default: the account
 * root); `services.tick()` runs what time makes due (scheduled rotations, retries of Failed
 * replicas, the end of recovery windows).
 */
import { deleteDB } from 'idb';
import { DEFAULT_ACCOUNT, DEFAULT_REGIONS, type Kms, type KmsOptions } from '../kms/index.js';
import { deleteMemoryServiceStore } from './storage/memory-store.js';
import { checkRegion, openServiceStores, principalOf } from './service-runtime.js';
import { SmContext, SERVICE as SECRETS_MANAGER, type SecretsManagerEnvironment } from './secrets-manager/context.js';
import { createSecretsManagerClient } from './secrets-manager/client.js';
import { retryFailedReplicas } from './secrets-manager/replication.js';
import { runDueRotations } from './secrets-manager/rotation.js';
import { SCHEMA as SM_SCHEMA, type SecretsManagerDB, type SecretsManagerStores } from './secrets-manager/schema.js';
import type { RotationFunction, SecretsManagerClient } from './secrets-manager/types.js';
import { SERVICE as SSM, createSsmClient, type SsmEnvironment } from './ssm/client.js';
import { SCHEMA as SSM_SCHEMA, type SsmDB, type SsmStores } from './ssm/schema.js';
import type { SsmClient } from './ssm/types.js';
import type { ServiceStore } from './storage/store.js';
import { deleteServicesAtRestStorage, openServicesAtRest, type ServicesAtRest } from './at-rest.js';
import type { S3Client } from './s3/index.js';
import type { EcrClient } from './ecr/index.js';
import type { InspectorClient } from './inspector/index.js';

/** Options of {@link createServices}. */
export interface ServicesOptions {
  /** The KMS the services encrypt with; storage (memory or IndexedDB), Regions and clock follow it. */
  kms: Kms;
}

/** Who a service client calls as. */
export interface ServiceClientOptions {
  /** An IAM principal ARN; default the account root. The KMS sees this principal, via the service. */
  principal?: string;
}

/** The services over one KMS (see {@link createServices}). */
export interface Services {
  readonly kms: Kms;
  /** The Secrets Manager client of `region`. */
  secretsManager(region: string, options?: ServiceClientOptions): SecretsManagerClient;
  /** The Systems Manager (Parameter Store) client of `region`. */
  ssm(region: string, options?: ServiceClientOptions): SsmClient;
  /**
   * Registers `fn` as the rotation function named `arn` (a Lambda function ARN, the value of
   * RotateSecret's RotationLambdaARN). Registering the same ARN again replaces it.
   */
  registerRotationFunction(arn: string, fn: RotationFunction): void;
  /** Removes a rotation function; returns whether one was registered. */
  unregisterRotationFunction(arn: string): boolean;
  /** The Amazon S3 client of `region`: objects encrypted at rest (SSE-S3, SSE-KMS, DSSE-KMS, SSE-C), replication. */
  s3(region: string, options?: ServiceClientOptions): S3Client;
  /** The Amazon ECR client of `region`: repositories whose layers and manifests are encrypted at rest. */
  ecr(region: string, options?: ServiceClientOptions): EcrClient;
  /** The Amazon Inspector client of `region`: per-resource-type keys and encrypted code snippets. */
  inspector(region: string, options?: ServiceClientOptions): InspectorClient;
  /** Runs what the clock made due in every Region: scheduled rotations, retries of Failed replicas, S3 replication still PENDING. */
  tick(): Promise<void>;
  /** Closes the services' stores (not the KMS). */
  close(): void;
}


/**
 * Creates the services over `kms`.
 *
 * @example
 * ```ts
 * import { createKms } from 'envelope-kit/kms';
 * import { createServices } from 'envelope-kit/services';
 * const kms = await createKms({ storage: 'memory' });
 * const services = await createServices({ kms });
 * const sm = services.secretsManager('us-east-1');
 * await sm.createSecret({ Name: 'db', SecretString: '{"password":"hunter2"}' });
 * const { SecretString } = await sm.getSecretValue({ SecretId: 'db' });
 * ```
 */
export async function createServices(options: ServicesOptions): Promise<Services> {
  if (options === null || typeof options !== 'object' || options.kms === null || typeof options.kms !== 'object' || typeof options.kms.region !== 'function') {
    throw new TypeError('options.kms must be a Kms from createKms');
  }
  const { kms } = options;
  const smStores = await openServiceStores<SecretsManagerStores, SecretsManagerDB>(kms, SECRETS_MANAGER, SM_SCHEMA);
  let ssmStores: Map<string, ServiceStore<SsmStores>>;
  try {
    ssmStores = await openServiceStores<SsmStores, SsmDB>(kms, SSM, SSM_SCHEMA);
  } catch (error) {
    for (const s of smStores.values()) s.close();
    throw error;
  }
  let atRest: ServicesAtRest;
  try {
    atRest = await openServicesAtRest(kms);
  } catch (error) {
    for (const s of smStores.values()) s.close();
    for (const s of ssmStores.values()) s.close();
    throw error;
  }
  let closed = false;
  const checkOpen = () => {
    if (closed) throw new TypeError('these services have been closed; create new ones with createServices');
  };
  const rotationFunctions = new Map<string, RotationFunction>();
  const smEnv: SecretsManagerEnvironment = {
    kms,
    stores: smStores,
    rotationFunctions,
    client: (region, principal) => createSecretsManagerClient(smEnv, region, principal),
    checkOpen,
  };
  const ssmEnv: SsmEnvironment = { kms, stores: ssmStores, checkOpen };
  const root = `arn:aws:iam::${kms.account}:root`;

  return {
    kms,
    secretsManager(region, clientOptions) {
      return createSecretsManagerClient(smEnv, checkRegion(kms, region), principalOf(kms, clientOptions));
    },
    ssm(region, clientOptions) {
      return createSsmClient(ssmEnv, checkRegion(kms, region), principalOf(kms, clientOptions));
    },
    s3(region, clientOptions) {
      checkOpen();
      return atRest.s3.client(checkRegion(kms, region), { principal: principalOf(kms, clientOptions) });
    },
    ecr(region, clientOptions) {
      checkOpen();
      return atRest.ecr.client(checkRegion(kms, region), { principal: principalOf(kms, clientOptions) });
    },
    inspector(region, clientOptions) {
      checkOpen();
      return atRest.inspector.client(checkRegion(kms, region), { principal: principalOf(kms, clientOptions) });
    },
    registerRotationFunction(arn, fn) {
      // Any name RotateSecret's RotationLambdaARN can carry (AWS: 1-2048 characters), usually a Lambda function ARN.
      if (typeof arn !== 'string' || arn.length === 0 || arn.length > 2048) throw new TypeError(`arn must be the RotationLambdaARN to answer to, such as arn:aws:lambda:us-east-1:${kms.account}:function:rotate; got ${JSON.stringify(arn)}`);
      if (typeof fn !== 'function') throw new TypeError('fn must be a function (event, client) => Promise<void>');
      rotationFunctions.set(arn, fn);
    },
    unregisterRotationFunction(arn) {
      return rotationFunctions.delete(arn);
    },
    async tick() {
      checkOpen();
      for (const region of kms.regions) {
        const ctx = new SmContext(smEnv, region, root);
        await runDueRotations(ctx);
        await retryFailedReplicas(ctx);
      }
      await atRest.s3.processReplication();
    },
    close() {
      if (closed) return;
      closed = true;
      for (const s of smStores.values()) s.close();
      for (const s of ssmStores.values()) s.close();
      atRest.close();
    },
  };
}

/** The services `createServices` keeps databases for. */
const SERVICE_NAMES = [SECRETS_MANAGER, SSM] as const;

/**
 * Deletes the services' databases of a KMS's storage (IndexedDB), or forgets them (memory): every
 * secret and parameter is gone. Takes the same storage options as `deleteKmsStorage`; call both to
 * remove everything.
 *
 * @example
 * ```ts
 * await deleteServicesStorage({ storage: 'indexeddb', name: 'test-123' });
 * await deleteKmsStorage({ storage: 'indexeddb', name: 'test-123' });
 * ```
 */
export async function deleteServicesStorage(options: Pick<KmsOptions, 'storage' | 'name' | 'account' | 'regions'>): Promise<void> {
  const name = options.name ?? 'envelope-kit-kms';
  const account = options.account ?? DEFAULT_ACCOUNT;
  for (const region of options.regions ?? DEFAULT_REGIONS) {
    for (const service of SERVICE_NAMES) {
      const db = `${name}:${account}:${region}:${service}`;
      if (options.storage === 'memory') deleteMemoryServiceStore(db);
      else await deleteDB(db);
    }
  }
  await deleteServicesAtRestStorage(options);
}
