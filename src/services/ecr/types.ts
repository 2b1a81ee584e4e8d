/**
 * Amazon ECR request and response shapes as `@aws-sdk/client-ecr` types them (camelCase members,
 * dates as Date, blobs as Uint8Array). Only what this simulation understands is declared (ECR API
 * Reference, one section per action).
 */

export type EncryptionType = 'AES256' | 'KMS' | 'KMS_DSSE';

export interface EncryptionConfiguration {
  encryptionType: EncryptionType;
  /** A KMS key ARN of the repository's region; `alias/aws/ecr` when KMS or KMS_DSSE is chosen without one. */
  kmsKey?: string;
}

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

export interface CreateRepositoryRequest {
  repositoryName: string;
  encryptionConfiguration?: EncryptionConfiguration;
  imageTagMutability?: 'MUTABLE' | 'IMMUTABLE';
  imageScanningConfiguration?: { scanOnPush?: boolean };
}

export interface DescribeRepositoriesRequest {
  repositoryNames?: string[];
  maxResults?: number;
  nextToken?: string;
}

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

export interface ImageIdentifier {
  imageDigest?: string;
  imageTag?: string;
}

export interface Image {
  registryId: string;
  repositoryName: string;
  imageId: ImageIdentifier;
  imageManifest: string;
  imageManifestMediaType: string;
}

export interface ImageFailure {
  imageId: ImageIdentifier;
  failureCode: 'ImageNotFound' | 'ImageTagDoesNotMatchDigest' | 'InvalidImageDigest' | 'InvalidImageTag' | 'MissingDigestAndTag' | 'KmsError';
  failureReason: string;
}

export interface PutImageRequest {
  repositoryName: string;
  imageManifest: string;
  imageManifestMediaType?: string;
  imageTag?: string;
  imageDigest?: string;
}

export interface BatchGetImageRequest {
  repositoryName: string;
  imageIds: ImageIdentifier[];
  acceptedMediaTypes?: string[];
}

export interface ListImagesRequest {
  repositoryName: string;
  filter?: { tagStatus?: 'TAGGED' | 'UNTAGGED' | 'ANY' };
  maxResults?: number;
}

export interface BatchDeleteImageRequest {
  repositoryName: string;
  imageIds: ImageIdentifier[];
}

export interface InitiateLayerUploadResponse {
  uploadId: string;
  partSize: number;
}

export interface UploadLayerPartRequest {
  repositoryName: string;
  uploadId: string;
  partFirstByte: number;
  partLastByte: number;
  layerPartBlob: Uint8Array;
}

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
