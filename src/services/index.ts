/**
 * `envelope-kit/services`: AWS services that keep data encrypted under the simulated KMS
 * (design.md, "Services at rest"). Each calls the KMS as its caller's principal with
 * `kms:ViaService` and the documented encryption context, so key policies, grants, key states,
 * regions and the audit log apply to it as they do in AWS.
 *
 * @packageDocumentation
 */
export { ServiceError, SecretsManagerServiceException, SSMServiceException, SecretsManagerExceptionName, SsmExceptionName, kmsFailureKind, type KmsFailureKind, type ServiceName } from './errors.js';
export { kmsAs, serviceEndpoint, serviceDatabaseName, openServiceStores, checkRegion, principalOf, type ServiceSchema } from './service-runtime.js';
export { mutate, StaleWriteError, type ServiceStore, type ServiceWrite, type StoreMap, type StoredRecord, type Change } from './storage/store.js';
export type { ServiceMigration } from './storage/indexeddb-store.js';
export { createServices, deleteServicesStorage, type Services, type ServicesOptions, type ServiceClientOptions } from './services.js';
export type * from './secrets-manager/types.js';
export type {
  ParameterType,
  ParameterTier,
  PutParameterRequest,
  PutParameterResponse,
  Parameter,
  GetParameterRequest,
  GetParameterResponse,
  GetParametersRequest,
  GetParametersResponse,
  ParameterStringFilter,
  GetParametersByPathRequest,
  GetParametersByPathResponse,
  ParameterHistory,
  GetParameterHistoryRequest,
  GetParameterHistoryResponse,
  LabelParameterVersionRequest,
  LabelParameterVersionResponse,
  UnlabelParameterVersionRequest,
  UnlabelParameterVersionResponse,
  DeleteParameterRequest,
  DeleteParametersRequest,
  DeleteParametersResponse,
  ParameterMetadata,
  DescribeParametersRequest,
  DescribeParametersResponse,
  SsmClient,
} from './ssm/types.js';
export { createS3Service, type S3Client, type S3ClientOptions, type S3Service, type S3ServiceOptions } from './s3/index.js';
export type * as S3 from './s3/types.js';
export { createEcrService, type EcrClient, type EcrService, type EcrServiceOptions } from './ecr/index.js';
export type * as ECR from './ecr/types.js';
export { createInspectorService, CODE_SECURITY_PRINCIPAL, CODE_SECURITY_SCOPE, type InspectorClient, type InspectorService, type ResourceType, type ScanType, type ScanFeature, type CodeSnippetResult, type CodeSnippetError } from './inspector/index.js';
export { S3ServiceException, ECRServiceException, Inspector2ServiceException } from './service-error.js';
