/**
 * Which encryption a new object gets, and getting it (S3 User Guide, "Setting default server-side
 * encryption behavior for Amazon S3 buckets"): the request's own settings, else the bucket's
 * default; SSE-C only where the bucket does not block it; a KMS key named by the request, else the
 * bucket's KMSMasterKeyID, else the AWS managed key `alias/aws/s3`. The same path serves PutObject,
 * CopyObject and replication's writes.
 */
import { toBase64 } from '../../core/bytes.js';
import type { Bytes } from '../../core/types.js';
import type { KmsRegionClient } from '../../kms/client.js';
import { bucketArn, objectArn, type BucketRecord } from './records.js';
import { fromKms, parseUserContext, s3Error, type S3Runtime } from './runtime.js';
import { customerKeyOf, sealDsseKms, sealSseC, sealSseKms, sealSseS3, sealWithBucketKey, type CustomerKey, type SealedBody } from './sse.js';
import type { ServerSideEncryption } from './types.js';

/** The encryption members of a write request. */
export interface WriteEncryption {
  ServerSideEncryption?: ServerSideEncryption | undefined;
  SSEKMSKeyId?: string | undefined;
  SSEKMSEncryptionContext?: string | undefined;
  BucketKeyEnabled?: boolean | undefined;
  SSECustomerAlgorithm?: string | undefined;
  SSECustomerKey?: string | Uint8Array | undefined;
  SSECustomerKeyMD5?: string | undefined;
}

const MODES: readonly ServerSideEncryption[] = ['AES256', 'aws:kms', 'aws:kms:dsse'];

/** Whether the bucket's default-encryption rule blocks SSE-C writes. */
export function blocksSseC(bucket: BucketRecord): boolean {
  return bucket.encryption.BlockedEncryptionTypes?.EncryptionType?.includes('SSE-C') ?? false;
}

/** The request's SSE-C key, refused with 403 AccessDenied where the bucket blocks SSE-C. */
export function writeCustomerKey(bucket: BucketRecord, request: WriteEncryption): CustomerKey | undefined {
  const customer = customerKeyOf({ algorithm: request.SSECustomerAlgorithm, key: request.SSECustomerKey, keyMD5: request.SSECustomerKeyMD5 });
  if (!customer) return undefined;
  if (request.ServerSideEncryption !== undefined) throw s3Error('InvalidArgument', 'Server Side Encryption with Customer provided key is incompatible with the encryption method specified (ServerSideEncryption).', 400);
  if (blocksSseC(bucket)) {
    throw s3Error('AccessDenied', `Requests specifying Server Side Encryption with Customer provided keys are blocked for bucket ${bucket.Name}: its default encryption blocks SSE-C (BlockedEncryptionTypes); unblock it with PutBucketEncryption.`, 403);
  }
  return customer;
}

/** The KMS key a write names, with `alias/aws/s3` (named or implied) created on first use. */
async function kmsKeyFor(runtime: S3Runtime, region: string, named: string | undefined): Promise<string> {
  if (named === undefined || named === 'alias/aws/s3' || named.endsWith(':alias/aws/s3')) return runtime.kms.awsManagedKey(region, 's3');
  return named;
}

/**
 * Seals `body` for `bucket` as `request` and the bucket's defaults say.
 *
 * @throws ServiceError InvalidArgument for inconsistent settings, AccessDenied for blocked SSE-C or a
 *   KMS refusal, `KMS.<exception>` for other KMS failures.
 */
export async function encryptObject(options: {
  runtime: S3Runtime;
  kms: KmsRegionClient;
  bucket: BucketRecord;
  key: string;
  request: WriteEncryption;
  body: Bytes;
}): Promise<SealedBody> {
  const { runtime, kms, bucket, key, request, body } = options;
  const customer = writeCustomerKey(bucket, request);
  if (customer) return sealSseC(customer, body);
  if (request.ServerSideEncryption !== undefined && !MODES.includes(request.ServerSideEncryption)) {
    throw s3Error('InvalidArgument', `ServerSideEncryption must be one of ${MODES.join(', ')}.`, 400);
  }
  const defaults = bucket.encryption.ApplyServerSideEncryptionByDefault ?? { SSEAlgorithm: 'AES256' };
  const mode = request.ServerSideEncryption ?? defaults.SSEAlgorithm;
  const objArn = objectArn(bucket.Name, key);
  if (mode === 'AES256') {
    if (request.SSEKMSKeyId !== undefined || request.SSEKMSEncryptionContext !== undefined) {
      throw s3Error('InvalidArgument', 'SSEKMSKeyId and SSEKMSEncryptionContext need ServerSideEncryption aws:kms or aws:kms:dsse.', 400);
    }
    return sealSseS3(await runtime.serviceKey(bucket.region), objArn, body);
  }
  const userContext = parseUserContext(request.SSEKMSEncryptionContext);
  const defaultKey = defaults.SSEAlgorithm === mode ? defaults.KMSMasterKeyID : undefined;
  try {
    const keyId = await kmsKeyFor(runtime, bucket.region, request.SSEKMSKeyId ?? defaultKey);
    // S3 Bucket Keys are not supported for DSSE-KMS (S3 User Guide, "Using dual-layer server-side encryption").
    const useBucketKey = mode === 'aws:kms' && (request.BucketKeyEnabled ?? bucket.encryption.BucketKeyEnabled ?? false);
    // The pair S3 adds is the object ARN, or the bucket ARN with a Bucket Key (S3 User Guide, "Encryption context").
    const context = { ...userContext, 'aws:s3:arn': useBucketKey ? bucketArn(bucket.Name) : objArn };
    const withUser = userContext ? { userContext } : {};
    if (mode === 'aws:kms:dsse') return await sealDsseKms(kms, { keyId, context, ...withUser }, body);
    if (!useBucketKey) return await sealSseKms(kms, { keyId, context, ...withUser }, body);
    return await sealWithBucketKey(await bucketKeyFor(runtime, kms, bucket, keyId, context), { context, objectArn: objArn, ...withUser }, body);
  } catch (error) {
    throw fromKms(error);
  }
}

/**
 * The bucket-level key for writes: one GenerateDataKey (context = bucket ARN) per bucket, KMS key
 * and lifetime; objects written meanwhile get keys of their own sealed under it, with no KMS call.
 */
async function bucketKeyFor(runtime: S3Runtime, kms: KmsRegionClient, bucket: BucketRecord, keyId: string, context: Record<string, string>) {
  const id = `${bucket.region}|${bucket.Name}|${keyId}|${JSON.stringify(context)}`;
  const cached = runtime.writeKeys.get(id);
  if (cached && cached.expiresAt > runtime.now()) return cached.key;
  const generated = await kms.generateDataKey({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: context });
  const key = await crypto.subtle.importKey('raw', generated.Plaintext as Bytes, 'AES-GCM', false, ['encrypt', 'decrypt']);
  generated.Plaintext.fill(0);
  const bucketKey = { keyArn: generated.KeyId, blob: new Uint8Array(generated.CiphertextBlob), key };
  runtime.writeKeys.set(id, { key: bucketKey, expiresAt: runtime.now() + runtime.bucketKeyLifetimeMs });
  // The same key opens what it sealed without another Decrypt while it lives.
  runtime.readKeys.set(toBase64(bucketKey.blob), { key, expiresAt: runtime.now() + runtime.bucketKeyLifetimeMs });
  return bucketKey;
}
