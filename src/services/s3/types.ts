/**
 * Amazon S3 request and response shapes, as the AWS SDK for JavaScript v3 (`@aws-sdk/client-s3`)
 * types them: PascalCase members, dates as Date, object bodies as bytes. Only the members this
 * simulation understands are declared (S3 API Reference, one section per action).
 */

/** The `ServerSideEncryption` data type (S3 API Reference, "Data Types"). */
export type ServerSideEncryption = 'AES256' | 'aws:kms' | 'aws:kms:dsse';
/** The `EncryptionType` data type (S3 API Reference, "Data Types"). */
export type EncryptionType = 'NONE' | 'SSE-C';
/** The `ReplicationStatus` data type (S3 API Reference, "Data Types"). */
export type ReplicationStatus = 'PENDING' | 'COMPLETED' | 'FAILED' | 'REPLICA';

/** An object body as GetObject returns it: the bytes, with the SDK's stream mixin methods. */
export type ObjectBody = Uint8Array<ArrayBuffer> & {
  transformToByteArray(): Promise<Uint8Array<ArrayBuffer>>;
  transformToString(encoding?: string): Promise<string>;
};

/** The `ServerSideEncryptionByDefault` data type (S3 API Reference, "Data Types"). */
export interface ServerSideEncryptionByDefault {
  SSEAlgorithm: ServerSideEncryption;
  KMSMasterKeyID?: string;
}

/** The `BlockedEncryptionTypes` data type (S3 API Reference, "Data Types"). */
export interface BlockedEncryptionTypes {
  EncryptionType?: EncryptionType[];
}

/** The `ServerSideEncryptionRule` data type (S3 API Reference, "Data Types"). */
export interface ServerSideEncryptionRule {
  ApplyServerSideEncryptionByDefault?: ServerSideEncryptionByDefault;
  BucketKeyEnabled?: boolean;
  BlockedEncryptionTypes?: BlockedEncryptionTypes;
}

/** The `ServerSideEncryptionConfiguration` data type (S3 API Reference, "Data Types"). */
export interface ServerSideEncryptionConfiguration {
  Rules: ServerSideEncryptionRule[];
}

/** CreateBucket's request (S3 API Reference, CreateBucket). */
export interface CreateBucketRequest {
  Bucket: string;
  CreateBucketConfiguration?: { LocationConstraint?: string };
}
/** CreateBucket's response (S3 API Reference, CreateBucket). */
export interface CreateBucketOutput {
  Location: string;
  BucketArn: string;
}
/** A request that names only a bucket (DeleteBucket, GetBucketEncryption, ...). */
export interface BucketRequest {
  Bucket: string;
}
/** ListBuckets's response (S3 API Reference, ListBuckets). */
export interface ListBucketsOutput {
  Buckets: { Name: string; CreationDate: Date; BucketRegion: string; BucketArn: string }[];
  Owner: { ID: string };
}
/** PutBucketEncryption's request (S3 API Reference, PutBucketEncryption). */
export interface PutBucketEncryptionRequest {
  Bucket: string;
  ServerSideEncryptionConfiguration: ServerSideEncryptionConfiguration;
}
/** GetBucketEncryption's response (S3 API Reference, GetBucketEncryption). */
export interface GetBucketEncryptionOutput {
  ServerSideEncryptionConfiguration: ServerSideEncryptionConfiguration;
}
/** PutBucketVersioning's request (S3 API Reference, PutBucketVersioning). */
export interface PutBucketVersioningRequest {
  Bucket: string;
  VersioningConfiguration: { Status: 'Enabled' | 'Suspended' };
}
/** GetBucketVersioning's response (S3 API Reference, GetBucketVersioning). */
export interface GetBucketVersioningOutput {
  Status?: 'Enabled' | 'Suspended';
}

/** SSE-C members of a request (S3 User Guide, "Using server-side encryption with customer-provided keys"). */
export interface SseCustomerKey {
  SSECustomerAlgorithm?: string;
  /** The 256-bit key, base64 (or the key's own 32 characters, as the SDK takes them). */
  SSECustomerKey?: string;
  /** base64 of the key's MD5 digest; computed when omitted, as the SDK does. */
  SSECustomerKeyMD5?: string;
}

/** PutObject's request (S3 API Reference, PutObject). */
export interface PutObjectRequest extends SseCustomerKey {
  Bucket: string;
  Key: string;
  Body?: Uint8Array | string;
  ContentType?: string;
  Metadata?: Record<string, string>;
  ServerSideEncryption?: ServerSideEncryption;
  SSEKMSKeyId?: string;
  /** base64 of a UTF-8 JSON object of string pairs, added to the encryption context. */
  SSEKMSEncryptionContext?: string;
  BucketKeyEnabled?: boolean;
}

/** The encryption members every object response carries. */
export interface ObjectEncryption {
  ServerSideEncryption?: ServerSideEncryption;
  SSEKMSKeyId?: string;
  SSEKMSEncryptionContext?: string;
  BucketKeyEnabled?: boolean;
  SSECustomerAlgorithm?: string;
  SSECustomerKeyMD5?: string;
}

/** PutObject's response (S3 API Reference, PutObject). */
export interface PutObjectOutput extends ObjectEncryption {
  ETag: string;
  VersionId?: string;
}

/** GetObject's request (S3 API Reference, GetObject). */
export interface GetObjectRequest extends SseCustomerKey {
  Bucket: string;
  Key: string;
  VersionId?: string;
}

/** HeadObject's response (S3 API Reference, HeadObject). */
export interface HeadObjectOutput extends ObjectEncryption {
  ContentLength: number;
  ContentType?: string;
  ETag: string;
  LastModified: Date;
  VersionId?: string;
  Metadata: Record<string, string>;
  ReplicationStatus?: ReplicationStatus;
}

/** GetObject's response (S3 API Reference, GetObject). */
export interface GetObjectOutput extends HeadObjectOutput {
  Body: ObjectBody;
}

/** DeleteObject's request (S3 API Reference, DeleteObject). */
export interface DeleteObjectRequest {
  Bucket: string;
  Key: string;
  VersionId?: string;
}
/** DeleteObject's response (S3 API Reference, DeleteObject). */
export interface DeleteObjectOutput {
  DeleteMarker?: boolean;
  VersionId?: string;
}

/** CopyObject's request (S3 API Reference, CopyObject). */
export interface CopyObjectRequest extends SseCustomerKey {
  Bucket: string;
  Key: string;
  /** `source-bucket/key`, URL-encoded, optionally `?versionId=...`. */
  CopySource: string;
  ServerSideEncryption?: ServerSideEncryption;
  SSEKMSKeyId?: string;
  SSEKMSEncryptionContext?: string;
  BucketKeyEnabled?: boolean;
  CopySourceSSECustomerAlgorithm?: string;
  CopySourceSSECustomerKey?: string;
  CopySourceSSECustomerKeyMD5?: string;
  MetadataDirective?: 'COPY' | 'REPLACE';
  Metadata?: Record<string, string>;
  ContentType?: string;
}
/** CopyObject's response (S3 API Reference, CopyObject). */
export interface CopyObjectOutput extends ObjectEncryption {
  CopyObjectResult: { ETag: string; LastModified: Date };
  VersionId?: string;
  CopySourceVersionId?: string;
}

/** ListObjectsV2's request (S3 API Reference, ListObjectsV2). */
export interface ListObjectsV2Request {
  Bucket: string;
  Prefix?: string;
  MaxKeys?: number;
  ContinuationToken?: string;
  StartAfter?: string;
}
/** The `ObjectSummary` data type (S3 API Reference, "Data Types"). */
export interface ObjectSummary {
  Key: string;
  LastModified: Date;
  ETag: string;
  Size: number;
  StorageClass: 'STANDARD';
}
/** ListObjectsV2's response (S3 API Reference, ListObjectsV2). */
export interface ListObjectsV2Output {
  Name: string;
  Prefix: string;
  MaxKeys: number;
  KeyCount: number;
  IsTruncated: boolean;
  Contents: ObjectSummary[];
  ContinuationToken?: string;
  NextContinuationToken?: string;
  StartAfter?: string;
}

/** The `ReplicationRule` data type (S3 API Reference, "Data Types"). */
export interface ReplicationRule {
  ID?: string;
  Priority?: number;
  Status: 'Enabled' | 'Disabled';
  Filter?: { Prefix?: string };
  /** Deprecated V1 form of Filter.Prefix. */
  Prefix?: string;
  SourceSelectionCriteria?: { SseKmsEncryptedObjects?: { Status: 'Enabled' | 'Disabled' } };
  Destination: {
    /** The destination bucket's ARN, `arn:aws:s3:::name`. */
    Bucket: string;
    EncryptionConfiguration?: { ReplicaKmsKeyID?: string };
  };
  DeleteMarkerReplication?: { Status: 'Enabled' | 'Disabled' };
}
/** The `ReplicationConfiguration` data type (S3 API Reference, "Data Types"). */
export interface ReplicationConfiguration {
  /** The IAM role S3 assumes to replicate: `arn:aws:iam::<account>:role/<name>`. */
  Role: string;
  Rules: ReplicationRule[];
}
/** PutBucketReplication's request (S3 API Reference, PutBucketReplication). */
export interface PutBucketReplicationRequest {
  Bucket: string;
  ReplicationConfiguration: ReplicationConfiguration;
}
/** GetBucketReplication's response (S3 API Reference, GetBucketReplication). */
export interface GetBucketReplicationOutput {
  ReplicationConfiguration: ReplicationConfiguration;
}
