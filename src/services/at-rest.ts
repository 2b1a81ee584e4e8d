/**
 * The services that keep objects, images and findings at rest (issue 15): S3, ECR and Inspector,
 * opened together over one KMS for `createServices` (services.ts), and their storage removed
 * together for `deleteServicesStorage`.
 */
import { DEFAULT_ACCOUNT, DEFAULT_REGIONS, type Kms, type KmsOptions } from '../kms/index.js';
import { createEcrService, type EcrService } from './ecr/index.js';
import { createInspectorService, type InspectorService } from './inspector/index.js';
import { deleteRegionalStore } from './regional-store.js';
import { createS3Service, type S3Service } from './s3/index.js';

/** S3, ECR and Inspector over one KMS. */
export interface ServicesAtRest {
  readonly s3: S3Service;
  readonly ecr: EcrService;
  readonly inspector: InspectorService;
  close(): void;
}

/**
 * Opens S3, ECR and Inspector over `kms` (its storage kind, name, account, Regions and clock).
 *
 * @example
 * ```ts
 * const atRest = await openServicesAtRest(kms);
 * await atRest.s3.client('us-east-1').createBucket({ Bucket: 'photos' });
 * ```
 */
export async function openServicesAtRest(kms: Kms): Promise<ServicesAtRest> {
  const s3 = await createS3Service({ kms });
  const ecr = await createEcrService({ kms }).catch((error: unknown) => {
    s3.close();
    throw error;
  });
  const inspector = await createInspectorService({ kms }).catch((error: unknown) => {
    s3.close();
    ecr.close();
    throw error;
  });
  return {
    s3,
    ecr,
    inspector,
    close() {
      s3.close();
      ecr.close();
      inspector.close();
    },
  };
}

/** The databases S3, ECR and Inspector keep per Region. */
export const AT_REST_SERVICES = ['s3', 'ecr', 'inspector2'] as const;

/**
 * Deletes (IndexedDB) or forgets (memory) the S3, ECR and Inspector data of a KMS's storage.
 *
 * @example
 * ```ts
 * await deleteServicesAtRestStorage({ storage: 'indexeddb', name: 'test-123' });
 * ```
 */
export async function deleteServicesAtRestStorage(options: Pick<KmsOptions, 'storage' | 'name' | 'account' | 'regions'>): Promise<void> {
  const name = options.name ?? 'envelope-kit-kms';
  const account = options.account ?? DEFAULT_ACCOUNT;
  for (const region of options.regions ?? DEFAULT_REGIONS) {
    for (const service of AT_REST_SERVICES) await deleteRegionalStore({ storage: options.storage, name, account, region }, service);
  }
}
