/**
 * The simulated Amazon S3 with encryption at rest on the simulated KMS (s3.ts says how).
 * @packageDocumentation
 */
export { createS3Service, type S3Client, type S3ClientOptions, type S3Service, type S3ServiceOptions } from './s3.js';
export type * from './types.js';
