/**
 * S3, ECR and Inspector shapes against the AWS SDK for JavaScript v3's own types
 * (`@aws-sdk/client-s3`, `client-ecr`, `client-inspector2`), so "shaped as the SDK types them" is
 * checked by the compiler: every request these clients accept is a valid SDK input and every
 * response a valid SDK output (less `$metadata`; an S3 `Body` is bytes with the SDK's
 * `transformToByteArray`/`transformToString`, not the SDK's stream union). At run time, the
 * exception names thrown are exception classes the SDKs export, where the SDK has one.
 */
import * as S3Sdk from '@aws-sdk/client-s3';
import * as EcrSdk from '@aws-sdk/client-ecr';
import * as InspectorSdk from '@aws-sdk/client-inspector2';
import type * as S3 from '@aws-sdk/client-s3';
import type * as ECR from '@aws-sdk/client-ecr';
import type * as INS from '@aws-sdk/client-inspector2';
import { describe, expect, it } from 'vitest';
import type { EcrClient, InspectorClient, S3Client } from '../../../src/services/index.js';

type Out<T> = Omit<T, '$metadata'>;
type Req<C, K extends keyof C> = C[K] extends (request: infer R) => unknown ? R : never;
type Res<C, K extends keyof C> = C[K] extends (...args: never[]) => Promise<infer R> ? R : never;
type Assignable<A, B> = [A] extends [B] ? true : never;

type S3Pairs = {
  createBucket: [S3.CreateBucketCommandInput, S3.CreateBucketCommandOutput];
  deleteBucket: [S3.DeleteBucketCommandInput, S3.DeleteBucketCommandOutput];
  listBuckets: [S3.ListBucketsCommandInput, S3.ListBucketsCommandOutput];
  putBucketEncryption: [S3.PutBucketEncryptionCommandInput, S3.PutBucketEncryptionCommandOutput];
  getBucketEncryption: [S3.GetBucketEncryptionCommandInput, S3.GetBucketEncryptionCommandOutput];
  deleteBucketEncryption: [S3.DeleteBucketEncryptionCommandInput, S3.DeleteBucketEncryptionCommandOutput];
  putBucketVersioning: [S3.PutBucketVersioningCommandInput, S3.PutBucketVersioningCommandOutput];
  getBucketVersioning: [S3.GetBucketVersioningCommandInput, S3.GetBucketVersioningCommandOutput];
  putBucketReplication: [S3.PutBucketReplicationCommandInput, S3.PutBucketReplicationCommandOutput];
  getBucketReplication: [S3.GetBucketReplicationCommandInput, S3.GetBucketReplicationCommandOutput];
  deleteBucketReplication: [S3.DeleteBucketReplicationCommandInput, S3.DeleteBucketReplicationCommandOutput];
  putObject: [S3.PutObjectCommandInput, S3.PutObjectCommandOutput];
  getObject: [S3.GetObjectCommandInput, Omit<S3.GetObjectCommandOutput, 'Body'>];
  headObject: [S3.HeadObjectCommandInput, S3.HeadObjectCommandOutput];
  deleteObject: [S3.DeleteObjectCommandInput, S3.DeleteObjectCommandOutput];
  copyObject: [S3.CopyObjectCommandInput, S3.CopyObjectCommandOutput];
  listObjectsV2: [S3.ListObjectsV2CommandInput, S3.ListObjectsV2CommandOutput];
};
// CreateBucket's LocationConstraint takes any of the KMS's Region names here; the SDK lists AWS's own.
type Request<K extends keyof S3Pairs> = K extends 'createBucket' ? Omit<NonNullable<Req<S3Client, K>>, 'CreateBucketConfiguration'> : NonNullable<Req<S3Client, K>>;
type S3Checks = { [K in keyof S3Pairs]: [Assignable<Request<K>, S3Pairs[K][0]>, Assignable<Omit<Res<S3Client, K>, 'Body'>, Out<S3Pairs[K][1]>>] };
export const S3_SHAPES: S3Checks = {
  createBucket: [true, true],
  deleteBucket: [true, true],
  listBuckets: [true, true],
  putBucketEncryption: [true, true],
  getBucketEncryption: [true, true],
  deleteBucketEncryption: [true, true],
  putBucketVersioning: [true, true],
  getBucketVersioning: [true, true],
  putBucketReplication: [true, true],
  getBucketReplication: [true, true],
  deleteBucketReplication: [true, true],
  putObject: [true, true],
  getObject: [true, true],
  headObject: [true, true],
  deleteObject: [true, true],
  copyObject: [true, true],
  listObjectsV2: [true, true],
};

type EcrPairs = {
  createRepository: [ECR.CreateRepositoryCommandInput, ECR.CreateRepositoryCommandOutput];
  describeRepositories: [ECR.DescribeRepositoriesCommandInput, ECR.DescribeRepositoriesCommandOutput];
  deleteRepository: [ECR.DeleteRepositoryCommandInput, ECR.DeleteRepositoryCommandOutput];
  initiateLayerUpload: [ECR.InitiateLayerUploadCommandInput, ECR.InitiateLayerUploadCommandOutput];
  uploadLayerPart: [ECR.UploadLayerPartCommandInput, ECR.UploadLayerPartCommandOutput];
  completeLayerUpload: [ECR.CompleteLayerUploadCommandInput, ECR.CompleteLayerUploadCommandOutput];
  putImage: [ECR.PutImageCommandInput, ECR.PutImageCommandOutput];
  batchGetImage: [ECR.BatchGetImageCommandInput, ECR.BatchGetImageCommandOutput];
  listImages: [ECR.ListImagesCommandInput, ECR.ListImagesCommandOutput];
  batchDeleteImage: [ECR.BatchDeleteImageCommandInput, ECR.BatchDeleteImageCommandOutput];
  getDownloadUrlForLayer: [ECR.GetDownloadUrlForLayerCommandInput, ECR.GetDownloadUrlForLayerCommandOutput];
};
type EcrChecks = { [K in keyof EcrPairs]: [Assignable<NonNullable<Req<EcrClient, K>>, EcrPairs[K][0]>, Assignable<Res<EcrClient, K>, Out<EcrPairs[K][1]>>] };
export const ECR_SHAPES: EcrChecks = {
  createRepository: [true, true],
  describeRepositories: [true, true],
  deleteRepository: [true, true],
  initiateLayerUpload: [true, true],
  uploadLayerPart: [true, true],
  completeLayerUpload: [true, true],
  putImage: [true, true],
  batchGetImage: [true, true],
  listImages: [true, true],
  batchDeleteImage: [true, true],
  getDownloadUrlForLayer: [true, true],
};

type InspectorPairs = {
  updateEncryptionKey: [INS.UpdateEncryptionKeyCommandInput, INS.UpdateEncryptionKeyCommandOutput];
  getEncryptionKey: [INS.GetEncryptionKeyCommandInput, INS.GetEncryptionKeyCommandOutput];
  resetEncryptionKey: [INS.ResetEncryptionKeyCommandInput, INS.ResetEncryptionKeyCommandOutput];
  enable: [INS.EnableCommandInput, INS.EnableCommandOutput];
  disable: [INS.DisableCommandInput, INS.DisableCommandOutput];
  batchGetCodeSnippet: [INS.BatchGetCodeSnippetCommandInput, INS.BatchGetCodeSnippetCommandOutput];
};
type InspectorChecks = { [K in keyof InspectorPairs]: [Assignable<NonNullable<Req<InspectorClient, K>>, InspectorPairs[K][0]>, Assignable<Res<InspectorClient, K>, Out<InspectorPairs[K][1]>>] };
export const INSPECTOR_SHAPES: InspectorChecks = {
  updateEncryptionKey: [true, true],
  getEncryptionKey: [true, true],
  resetEncryptionKey: [true, true],
  enable: [true, true],
  disable: [true, true],
  batchGetCodeSnippet: [true, true],
};

describe('SDK shapes: S3, ECR, Inspector', () => {
  it('the exception names the simulation throws are exception classes of the SDKs (where the SDK models them)', () => {
    const s3Names = ['NoSuchBucket', 'NoSuchKey', 'BucketAlreadyOwnedByYou'];
    for (const name of s3Names) expect(typeof (S3Sdk as Record<string, unknown>)[name], name).toBe('function');
    const ecrNames = ['RepositoryNotFoundException', 'RepositoryAlreadyExistsException', 'RepositoryNotEmptyException', 'KmsException', 'InvalidParameterException', 'LayersNotFoundException', 'InvalidLayerException', 'UploadNotFoundException', 'InvalidLayerPartException', 'ImageAlreadyExistsException', 'LayerAlreadyExistsException', 'EmptyUploadException', 'ImageTagAlreadyExistsException', 'ReferencedImagesNotFoundException'];
    for (const name of ecrNames) expect(typeof (EcrSdk as Record<string, unknown>)[name], name).toBe('function');
    const inspectorNames = ['ValidationException', 'ResourceNotFoundException', 'AccessDeniedException', 'InternalServerException'];
    for (const name of inspectorNames) expect(typeof (InspectorSdk as Record<string, unknown>)[name], name).toBe('function');
    // The compile-time tables above are the real check; their presence keeps them from being dropped.
    expect(Object.keys(S3_SHAPES).length + Object.keys(ECR_SHAPES).length + Object.keys(INSPECTOR_SHAPES).length).toBe(17 + 11 + 6);
  });
});
