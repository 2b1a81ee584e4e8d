/**
 * What every service of `envelope-kit/services` is built from, one per service and region:
 *
 * - its storage ({@link openServiceStores}): a database per region named after the KMS
 *   (`<kms name>:<account>:<region>:<service>`), memory or IndexedDB as the KMS is;
 * - its clock: the KMS's injected `now`, so schedules and windows move with the KMS's;
 * - its way to call the KMS ({@link kmsAs}): as the calling principal, with `kms:ViaService`
 *   `<service>.<region>.amazonaws.com`. That is what AWS services do ("How AWS Secrets Manager uses
 *   AWS KMS": the service calls KMS on the caller's behalf, so the caller needs the KMS
 *   permissions), so key policies with `kms:ViaService` / `kms:CallerAccount` conditions decide as
 *   in AWS, and the KMS's audit log records the call with the caller as principal and
 *   `invokedBy` / `sourceIPAddress` the service (src/kms/audit/user-identity.ts).
 */
import type { Kms, KmsRegionClient } from '../kms/index.js';
import type { DBSchema } from 'idb';
import { IndexedDbServiceStore, type ServiceMigration } from './storage/indexeddb-store.js';
import { MemoryServiceStore } from './storage/memory-store.js';
import type { ServiceStore, StoreMap } from './storage/store.js';

/**
 * The endpoint name AWS gives `service` in `region`, the value of kms:ViaService.
 *
 * @example
 * ```ts
 * serviceEndpoint('secretsmanager', 'us-east-1'); // 'secretsmanager.us-east-1.amazonaws.com'
 * ```
 */
export function serviceEndpoint(service: string, region: string): string {
  return `${service}.${region}.amazonaws.com`;
}

/**
 * A KMS client of `region` that calls as `principal` through `service` (kms:ViaService).
 *
 * @example
 * ```ts
 * const kmsClient = kmsAs(kms, { service: 'secretsmanager', region: 'us-east-1', principal: 'arn:aws:iam::111122223333:user/alice' });
 * await kmsClient.generateDataKey({ KeyId: 'alias/aws/secretsmanager', KeySpec: 'AES_256' });
 * ```
 */
export function kmsAs(kms: Kms, options: { service: string; region: string; principal: string }): KmsRegionClient {
  return kms.region(options.region, { principal: options.principal, viaService: serviceEndpoint(options.service, options.region) });
}

/** A service's schema: its database's migrations and the object stores they create. */
export interface ServiceSchema<DB extends DBSchema> {
  /** `migrations[n]` takes the database from version n to n + 1 (append only). */
  readonly migrations: readonly ServiceMigration<DB>[];
  /** Every object store the migrations create (memory storage creates these). */
  readonly storeNames: readonly string[];
}

/**
 * The database name of `service` in `region` over `kms`.
 *
 * @example
 * ```ts
 * serviceDatabaseName(kms, 'ssm', 'eu-west-1'); // 'envelope-kit-kms:111122223333:eu-west-1:ssm'
 * ```
 */
export function serviceDatabaseName(kms: Kms, service: string, region: string): string {
  return `${kms.name}:${kms.account}:${region}:${service}`;
}

/**
 * Opens `service`'s store in each of the KMS's regions, as the KMS stores (memory or IndexedDB).
 *
 * @example
 * ```ts
 * const stores = await openServiceStores<MyStores, MyDb>(kms, 'myservice', { migrations, storeNames: ['items'] });
 * const east = stores.get('us-east-1')!;
 * ```
 */
export async function openServiceStores<S extends StoreMap, DB extends DBSchema>(kms: Kms, service: string, schema: ServiceSchema<DB>): Promise<Map<string, ServiceStore<S>>> {
  const stores = new Map<string, ServiceStore<S>>();
  try {
    for (const region of kms.regions) {
      const name = serviceDatabaseName(kms, service, region);
      stores.set(region, kms.storage === 'memory' ? new MemoryServiceStore<S>(name, region, schema.storeNames) : await IndexedDbServiceStore.open<S, DB>(name, region, schema.migrations));
    }
  } catch (error) {
    for (const store of stores.values()) store.close();
    throw error;
  }
  return stores;
}

/**
 * The principal a service client calls as: the account root unless given; checked by the KMS.
 *
 * @example
 * ```ts
 * principalOf(kms, undefined); // 'arn:aws:iam::111122223333:root'
 * principalOf(kms, { principal: 'arn:aws:iam::111122223333:user/alice' });
 * ```
 */
export function principalOf(kms: Kms, options: { principal?: string } | undefined): string {
  if (options !== undefined && (options === null || typeof options !== 'object')) throw new TypeError('options must be an object such as { principal }');
  const principal = options?.principal ?? `arn:aws:iam::${kms.account}:root`;
  // The KMS checks the ARN's form; asking for a client now makes a bad principal fail at once.
  kms.region(kms.regions[0]!, { principal });
  return principal;
}

/**
 * Checks that `region` is one of the KMS's.
 *
 * @example
 * ```ts
 * const region = checkRegion(kms, request.region); // RangeError unless one of kms.regions
 * ```
 */
export function checkRegion(kms: Kms, region: unknown): string {
  if (typeof region !== 'string' || !kms.regions.includes(region)) {
    throw new RangeError(`region must be one of the KMS's regions (${kms.regions.join(', ')}); got ${JSON.stringify(region)}`);
  }
  return region;
}
