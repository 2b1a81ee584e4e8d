/**
 * The exception classes of the services at rest, as the AWS SDK for JavaScript v3 names them
 * (`S3ServiceException`, `ECRServiceException`, `Inspector2ServiceException`), on the services'
 * common {@link ServiceError} (errors.ts): `name` and `code` are the exception name
 * (`NoSuchBucket`, `RepositoryNotFoundException`, `KMS.DisabledException`, ...), `$fault` whose
 * fault it is, and `$metadata.httpStatusCode` the status S3, ECR and Inspector answer with (S3's
 * errors are told apart by it as much as by name). A KMS failure behind a call stays the `cause`.
 */
import { ServiceError } from './errors.js';

/** What the three services' exceptions add to ServiceError. */
abstract class AtRestServiceException extends ServiceError {
  readonly $metadata: { readonly httpStatusCode: number };
  constructor(service: string, name: string, message: string, options: { status: number; cause?: unknown }) {
    super(service, name, message, { fault: options.status >= 500 ? 'server' : 'client', ...(options.cause !== undefined ? { cause: options.cause } : {}) });
    this.$metadata = { httpStatusCode: options.status };
  }
}

/**
 * An Amazon S3 error (`@aws-sdk/client-s3`'s S3ServiceException).
 *
 * @example
 * ```ts
 * try { await s3.getObject({ Bucket: 'photos', Key: 'gone' }); }
 * catch (error) { if (error instanceof S3ServiceException && error.name === 'NoSuchKey') console.log(error.$metadata.httpStatusCode); } // 404
 * ```
 */
export class S3ServiceException extends AtRestServiceException {
  constructor(name: string, message: string, options: { status: number; cause?: unknown }) {
    super('s3', name, message, options);
  }
}

/**
 * An Amazon ECR error (`@aws-sdk/client-ecr`'s ECRServiceException).
 *
 * @example
 * ```ts
 * try { await ecr.describeRepositories({ repositoryNames: ['nope'] }); }
 * catch (error) { if (error instanceof ECRServiceException) console.log(error.name); } // RepositoryNotFoundException
 * ```
 */
export class ECRServiceException extends AtRestServiceException {
  constructor(name: string, message: string, options: { status: number; cause?: unknown }) {
    super('ecr', name, message, options);
  }
}

/**
 * An Amazon Inspector error (`@aws-sdk/client-inspector2`'s Inspector2ServiceException).
 *
 * @example
 * ```ts
 * try { await inspector.getEncryptionKey({ scanType: 'CODE', resourceType: 'AWS_LAMBDA_FUNCTION' }); }
 * catch (error) { if (error instanceof Inspector2ServiceException) console.log(error.name); } // ResourceNotFoundException
 * ```
 */
export class Inspector2ServiceException extends AtRestServiceException {
  constructor(name: string, message: string, options: { status: number; cause?: unknown }) {
    super('inspector2', name, message, options);
  }
}
