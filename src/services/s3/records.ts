/**
 * What the simulated S3 stores, per region (one RegionalStore each, regional-store.ts):
 *
 * | store | key | value | index |
 * | --- | --- | --- | --- |
 * | `buckets` | `Name` | {@link BucketRecord} | |
 * | `objects` | `id` = `<bucket>/<key>#<versionId>` | {@link ObjectRecord} (one per version, delete markers too) | `path` = `<bucket>/<key>`, `bucket` |
 * | `meta` | `id` | the region's SSE-S3 service key (a non-extractable AES-GCM CryptoKey) | |
 */
import type { StoreLayout } from '../regional-store.js';
import type { SealedBody } from './sse.js';
import type { ReplicationConfiguration, ReplicationStatus, ServerSideEncryptionRule } from './types.js';

/** The S3 stores of one Region, as the table above lists them. */
export const S3_LAYOUT: StoreLayout = {
  service: 's3',
  version: 1,
  stores: {
    buckets: { keyPath: 'Name' },
    objects: { keyPath: 'id', indexes: ['path', 'bucket'] },
    meta: { keyPath: 'id' },
  },
};

/** A bucket as stored: its Region, default-encryption rule, versioning and replication configuration. */
export interface BucketRecord {
  readonly Name: string;
  readonly region: string;
  readonly CreationDate: number;
  /** The bucket's one default-encryption rule (PutBucketEncryption takes exactly one). */
  readonly encryption: ServerSideEncryptionRule;
  readonly versioning?: 'Enabled' | 'Suspended';
  readonly replication?: ReplicationConfiguration;
}

/** Where a source version's replication stands (HeadObject's ReplicationStatus), and why it failed. */
export interface ReplicationState {
  readonly status: Exclude<ReplicationStatus, 'REPLICA'>;
  /** Injected-clock time of the first attempt; a transient failure past the retry window is FAILED. */
  readonly firstAttemptAt: number;
  readonly attempts: number;
  /** Why the last attempt failed (an error name and message; never key or body bytes). */
  readonly reason?: string;
  readonly destinationBucket: string;
}

/** One version of an object (or a delete marker) as stored: metadata in the clear, the body sealed. */
export interface ObjectRecord {
  readonly id: string;
  readonly path: string;
  readonly bucket: string;
  readonly key: string;
  /** `null` (the string, as S3 reports it) for objects written while versioning was never enabled or is suspended. */
  readonly versionId: string;
  /** Order of versions of one key: the highest is the current one. */
  readonly seq: number;
  readonly deleteMarker?: true;
  readonly lastModified: number;
  readonly size: number;
  readonly etag: string;
  readonly contentType?: string;
  readonly metadata: Record<string, string>;
  readonly body?: SealedBody;
  readonly replication?: ReplicationState;
  /** Written by replication: HeadObject reports ReplicationStatus REPLICA. */
  readonly replica?: true;
}

/** The stored id of a version: `<bucket>/<key>#<versionId>`. */
export const objectId = (bucket: string, key: string, versionId: string): string => `${bucket}/${key}#${versionId}`;
/** A bucket's ARN, `arn:aws:s3:::<bucket>`: the encryption context of a Bucket Key. */
export const bucketArn = (bucket: string): string => `arn:aws:s3:::${bucket}`;
/** An object's ARN, `arn:aws:s3:::<bucket>/<key>`: the encryption context of an SSE-KMS object. */
export const objectArn = (bucket: string, key: string): string => `arn:aws:s3:::${bucket}/${key}`;

/** The default-encryption rule every new bucket gets: SSE-S3, and SSE-C blocked (the April 2026 default). */
export const NEW_BUCKET_ENCRYPTION: ServerSideEncryptionRule = {
  ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' },
  BucketKeyEnabled: false,
  BlockedEncryptionTypes: { EncryptionType: ['SSE-C'] },
};
