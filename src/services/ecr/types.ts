/**
 * Amazon ECR request and response shapes as `@aws-sdk/client-ecr` types them (camelCase members,
 * dates as Date, blobs as Uint8Array). Only what this simulation understands is declared (ECR API
 * Reference, one section per action).
 */

/** The `EncryptionType` data type (ECR API Reference, "Data Types"). */
export type EncryptionType = 'AES256' | 'KMS' | 'KMS_DSSE';

/** The `EncryptionConfiguration` data type (ECR API Reference, "Data Types"). */
export interface EncryptionConfiguration {
  encryptionType: EncryptionType;
  /** A KMS key ARN of the repository's region; `alias/aws/ecr` when KMS or KMS_DSSE is chosen without one. */
  kmsKey?: string;
}

/** The `Repository` data type (ECR API Reference, "Data Types"). */
export interface Repository {
  repositoryArn: string;
  registryId: string;
  repositoryName: string;
  repositoryUri: string;
  createdAt: Date;
  imageTagMutability: 'MUTABLE' | 'IMMUTABLE';
  imageScanningConfiguration: { scanOnPush: boolean };
  encryptionConfiguration: EncryptionConfiguration;
}

/** CreateRepository's request (ECR API Reference, CreateRepository). */
export interface CreateRepositoryRequest {
  repositoryName: string;
  encryptionConfiguration?: EncryptionConfiguration;
  imageTagMutability?: 'MUTABLE' | 'IMMUTABLE';
  imageScanningConfiguration?: { scanOnPush?: boolean };
}

/** DescribeRepositories's request (ECR API Reference, DescribeRepositories). */
export interface DescribeRepositoriesRequest {
  repositoryNames?: string[];
  maxResults?: number;
  nextToken?: string;
}

/** DeleteRepository's request (ECR API Reference, DeleteRepository). */
export interface DeleteRepositoryRequest {
  repositoryName: string;
  force?: boolean;
}

/**
 * DeleteRepository's response. `kmsGrantsNotRetired` is not an SDK member: it carries what the ECR
 * console reports when the repository was deleted but its KMS grants could not be retired (ECR User
 * Guide, "Encryption at rest", Troubleshooting), with the message the console shows.
 */
export interface DeleteRepositoryResponse {
  repository: Repository;
  kmsGrantsNotRetired?: { kmsKey: string; grantIds: string[]; message: string };
}

/** The `ImageIdentifier` data type (ECR API Reference, "Data Types"). */
export interface ImageIdentifier {
  imageDigest?: string;
  imageTag?: string;
}

/** The `Image` data type (ECR API Reference, "Data Types"). */
export interface Image {
  registryId: string;
  repositoryName: string;
  imageId: ImageIdentifier;
  imageManifest: string;
  imageManifestMediaType: string;
}

/** The `ImageFailure` data type (ECR API Reference, "Data Types"). */
export interface ImageFailure {
  imageId: ImageIdentifier;
  failureCode: 'ImageNotFound' | 'ImageTagDoesNotMatchDigest' | 'InvalidImageDigest' | 'InvalidImageTag' | 'MissingDigestAndTag' | 'KmsError';
  failureReason: string;
}

/** PutImage's request (ECR API Reference, PutImage). */
export interface PutImageRequest {
  repositoryName: string;
  imageManifest: string;
  imageManifestMediaType?: string;
  imageTag?: string;
  imageDigest?: string;
}

/** BatchGetImage's request (ECR API Reference, BatchGetImage). */
export interface BatchGetImageRequest {
  repositoryName: string;
  imageIds: ImageIdentifier[];
  acceptedMediaTypes?: string[];
}

/** ListImages's request (ECR API Reference, ListImages). */
export interface ListImagesRequest {
  repositoryName: string;
  filter?: { tagStatus?: 'TAGGED' | 'UNTAGGED' | 'ANY' };
  maxResults?: number;
}

/** BatchDeleteImage's request (ECR API Reference, BatchDeleteImage). */
export interface BatchDeleteImageRequest {
  repositoryName: string;
  imageIds: ImageIdentifier[];
}

/** InitiateLayerUpload's response (ECR API Reference, InitiateLayerUpload). */
export interface InitiateLayerUploadResponse {
  uploadId: string;
  partSize: number;
}

/** UploadLayerPart's request (ECR API Reference, UploadLayerPart). */
export interface UploadLayerPartRequest {
  repositoryName: string;
  uploadId: string;
  partFirstByte: number;
  partLastByte: number;
  layerPartBlob: Uint8Array;
}

/** CompleteLayerUpload's request (ECR API Reference, CompleteLayerUpload). */
export interface CompleteLayerUploadRequest {
  repositoryName: string;
  uploadId: string;
  layerDigests: string[];
}

/**
 * GetDownloadUrlForLayer's response. The simulation has no S3 presigned URL to give: `downloadUrl`
 * is a `data:` URL holding the decrypted layer (fetch() reads it), and `layerBlob` the same bytes.
 */
export interface GetDownloadUrlForLayerResponse {
  downloadUrl: string;
  layerDigest: string;
  layerBlob: Uint8Array;
}
