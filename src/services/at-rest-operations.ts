/**
 * The operation names (client methods) of S3, ECR and Inspector, as plain data: the page builds its
 * worker-backed clients (`kit.s3(region)`, ...) from these lists without loading the services, and
 * each service's client type is checked below to have exactly these methods.
 */
import type { EcrClient } from './ecr/ecr.js';
import type { InspectorClient } from './inspector/inspector.js';
import type { S3Client } from './s3/s3.js';

/** Amazon S3 operations (S3 API Reference), camelCase. */
export const S3_OPERATIONS = [
  'createBucket',
  'deleteBucket',
  'listBuckets',
  'putBucketEncryption',
  'getBucketEncryption',
  'deleteBucketEncryption',
  'putBucketVersioning',
  'getBucketVersioning',
  'putBucketReplication',
  'getBucketReplication',
  'deleteBucketReplication',
  'putObject',
  'getObject',
  'headObject',
  'deleteObject',
  'copyObject',
  'listObjectsV2',
] as const;

/** Amazon ECR operations (ECR API Reference), camelCase. */
export const ECR_OPERATIONS = [
  'createRepository',
  'describeRepositories',
  'deleteRepository',
  'initiateLayerUpload',
  'uploadLayerPart',
  'completeLayerUpload',
  'putImage',
  'batchGetImage',
  'listImages',
  'batchDeleteImage',
  'getDownloadUrlForLayer',
] as const;

/** Amazon Inspector operations (Inspector API Reference) this simulation has, and its scan stand-in. */
export const INSPECTOR_OPERATIONS = ['updateEncryptionKey', 'getEncryptionKey', 'resetEncryptionKey', 'enable', 'disable', 'batchGetCodeSnippet', 'simulateCodeFinding'] as const;

/** The services at rest a kit serves through its worker, by endpoint prefix. */
export const AtRestService = { S3: 's3', ECR: 'ecr', INSPECTOR: 'inspector2' } as const;
export type AtRestService = (typeof AtRestService)[keyof typeof AtRestService];

/** Each service's operations, for the worker to check a call against. */
export const AT_REST_OPERATIONS: Readonly<Record<AtRestService, readonly string[]>> = {
  s3: S3_OPERATIONS,
  ecr: ECR_OPERATIONS,
  inspector2: INSPECTOR_OPERATIONS,
};

// The lists must be exactly the clients' methods: a compile error here names the one out of step.
type Exactly<Client, Listed extends string> = [Exclude<keyof Client, 'region'>] extends [Listed] ? ([Listed] extends [Exclude<keyof Client, 'region'>] ? true : never) : never;
export const OPERATION_LISTS_MATCH: [Exactly<S3Client, (typeof S3_OPERATIONS)[number]>, Exactly<EcrClient, (typeof ECR_OPERATIONS)[number]>, Exactly<InspectorClient, (typeof INSPECTOR_OPERATIONS)[number]>] = [true, true, true];
