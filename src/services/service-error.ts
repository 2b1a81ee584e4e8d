/**
 * The errors of the services at rest (S3, ECR, Inspector): one class, {@link ServiceError}, whose
 * `name` and `code` are the exception name the service's AWS SDK v3 client gives (`NoSuchBucket`,
 * `RepositoryNotFoundException`, `KMS.DisabledException`, ...), with `$fault` and
 * `$metadata.httpStatusCode` as the SDK sets them. A KMS failure behind a service call keeps the
 * KmsError as `cause`. Messages never contain key or plaintext bytes.
 */
import { KmsError } from '../kms/errors.js';

/** Which service raised the error (the SDK client it would come from). */
export type ServiceName = 's3' | 'ecr' | 'inspector2';

/**
 * A service exception, shaped as the AWS SDK for JavaScript v3 shapes it.
 *
 * @example
 * ```ts
 * try {
 *   await s3.getObject({ Bucket: 'photos', Key: 'missing.jpg' });
 * } catch (error) {
 *   if (error instanceof ServiceError && error.name === 'NoSuchKey') console.log(error.$metadata.httpStatusCode); // 404
 * }
 * ```
 */
export class ServiceError extends Error {
  override readonly name: string;
  readonly code: string;
  readonly service: ServiceName;
  readonly $fault: 'client' | 'server';
  readonly $metadata: { readonly httpStatusCode: number };

  constructor(service: ServiceName, name: string, message: string, options: { status: number; cause?: unknown }) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = name;
    this.code = name;
    this.service = service;
    this.$fault = options.status >= 500 ? 'server' : 'client';
    this.$metadata = { httpStatusCode: options.status };
  }
}

/** Whether `error` is a KMS exception named one of `names`. */
export function isKmsError(error: unknown, ...names: string[]): error is KmsError {
  return error instanceof KmsError && (names.length === 0 || names.includes(error.name));
}
