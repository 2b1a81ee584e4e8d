/**
 * The services' errors, shaped as the AWS SDK for JavaScript v3 shapes them: one base class per
 * service (`SecretsManagerServiceException`, `SSMServiceException`, named as the SDK names them),
 * whose instances carry the AWS exception name as `name` (`ResourceNotFoundException`,
 * `ParameterNotFound`), the same string as `code`, and `$fault` (`client` or `server`). Code
 * written against the SDK (`error.name === 'ResourceNotFoundException'`) works unchanged, and the
 * name survives structured cloning to and from a worker. Messages use AWS's wording where it is
 * documented and never contain a secret value, a data key or a ciphertext.
 */
import { KmsError } from '../kms/errors.js';

/** The service an error comes from, as the AWS SDK's `$service` / endpoint prefix names it. */
export type ServiceName = 'secretsmanager' | 'ssm' | (string & {});

/**
 * The base of every service error.
 *
 * @example
 * ```ts
 * try {
 *   await sm.getSecretValue({ SecretId: 'missing' });
 * } catch (error) {
 *   if (error instanceof ServiceError && error.name === 'ResourceNotFoundException') console.log('no such secret');
 * }
 * ```
 */
export class ServiceError extends Error {
  /** The AWS exception name, the same as `name`. */
  readonly code: string;
  /** Whose fault, as the AWS SDK v3 says: `server` errors may be retried. */
  readonly $fault: 'client' | 'server';
  /** The service that threw it. */
  readonly service: ServiceName;

  constructor(service: ServiceName, name: string, message: string, options?: { fault?: 'client' | 'server'; cause?: unknown }) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = name;
    this.code = name;
    this.service = service;
    this.$fault = options?.fault ?? 'client';
  }
}

/** Exceptions of AWS Secrets Manager (API reference, each action's "Errors"). */
export const SecretsManagerExceptionName = {
  DecryptionFailure: 'DecryptionFailure',
  EncryptionFailure: 'EncryptionFailure',
  InternalServiceError: 'InternalServiceError',
  InvalidNextTokenException: 'InvalidNextTokenException',
  InvalidParameterException: 'InvalidParameterException',
  InvalidRequestException: 'InvalidRequestException',
  LimitExceededException: 'LimitExceededException',
  MalformedPolicyDocumentException: 'MalformedPolicyDocumentException',
  PreconditionNotMetException: 'PreconditionNotMetException',
  ResourceExistsException: 'ResourceExistsException',
  ResourceNotFoundException: 'ResourceNotFoundException',
  AccessDeniedException: 'AccessDeniedException',
} as const;
/** One of {@link SecretsManagerExceptionName}'s values. */
export type SecretsManagerExceptionName = (typeof SecretsManagerExceptionName)[keyof typeof SecretsManagerExceptionName];

/**
 * The AWS SDK's base class of Secrets Manager errors (`@aws-sdk/client-secrets-manager`).
 *
 * @example
 * ```ts
 * try {
 *   await services.secretsManager('us-east-1').getSecretValue({ SecretId: 'missing' });
 * } catch (error) {
 *   if (!(error instanceof SecretsManagerServiceException) || error.name !== 'ResourceNotFoundException') throw error;
 * }
 * ```
 */
export class SecretsManagerServiceException extends ServiceError {
  constructor(name: SecretsManagerExceptionName, message: string, options?: { cause?: unknown }) {
    super('secretsmanager', name, message, { fault: name === 'InternalServiceError' ? 'server' : 'client', ...options });
  }
}

/** Exceptions of AWS Systems Manager Parameter Store (API reference, each action's "Errors"). */
export const SsmExceptionName = {
  AccessDeniedException: 'AccessDeniedException',
  HierarchyLevelLimitExceededException: 'HierarchyLevelLimitExceededException',
  HierarchyTypeMismatchException: 'HierarchyTypeMismatchException',
  InternalServerError: 'InternalServerError',
  InvalidFilterKey: 'InvalidFilterKey',
  InvalidFilterValue: 'InvalidFilterValue',
  InvalidKeyId: 'InvalidKeyId',
  InvalidNextToken: 'InvalidNextToken',
  InvalidAllowedPatternException: 'InvalidAllowedPatternException',
  ParameterAlreadyExists: 'ParameterAlreadyExists',
  ParameterLimitExceeded: 'ParameterLimitExceeded',
  ParameterMaxVersionLimitExceeded: 'ParameterMaxVersionLimitExceeded',
  ParameterNotFound: 'ParameterNotFound',
  ParameterPatternMismatchException: 'ParameterPatternMismatchException',
  ParameterVersionLabelLimitExceeded: 'ParameterVersionLabelLimitExceeded',
  ParameterVersionNotFound: 'ParameterVersionNotFound',
  UnsupportedParameterType: 'UnsupportedParameterType',
  ValidationException: 'ValidationException',
} as const;
/** One of {@link SsmExceptionName}'s values. */
export type SsmExceptionName = (typeof SsmExceptionName)[keyof typeof SsmExceptionName];

/**
 * The AWS SDK's base class of Systems Manager errors (`@aws-sdk/client-ssm`).
 *
 * @example
 * ```ts
 * try {
 *   await services.ssm('us-east-1').getParameter({ Name: '/app/missing' });
 * } catch (error) {
 *   if (!(error instanceof SSMServiceException) || error.name !== 'ParameterNotFound') throw error;
 * }
 * ```
 */
export class SSMServiceException extends ServiceError {
  constructor(name: SsmExceptionName, message: string, options?: { cause?: unknown }) {
    super('ssm', name, message, { fault: name === 'InternalServerError' ? 'server' : 'client', ...options });
  }
}

/** How a KMS call made by a service failed, in the terms every service maps from. */
export type KmsFailureKind = 'access-denied' | 'unavailable' | 'key-unusable';

/**
 * Classifies an error of a KMS call a service made: the KMS refused the caller
 * (AccessDeniedException), the KMS region failed (server faults: outage, throttling, timeout), or
 * the key cannot be used (disabled, pending deletion, not found, wrong usage, ...).
 *
 * @example
 * ```ts
 * try {
 *   await kmsClient.generateDataKey({ KeyId: keyId, KeySpec: 'AES_256' });
 * } catch (error) {
 *   if (kmsFailureKind(error) === 'unavailable') throw smError('InternalServiceError', 'KMS is unavailable; retry later.');
 *   throw error;
 * }
 * ```
 */
export function kmsFailureKind(error: unknown): KmsFailureKind {
  if (!(error instanceof KmsError)) throw error;
  if (error.name === 'AccessDeniedException') return 'access-denied';
  if (error.$fault === 'server') return 'unavailable';
  return 'key-unusable';
}
