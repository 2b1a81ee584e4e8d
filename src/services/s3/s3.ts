/**
 * A simulated Amazon S3 whose objects are encrypted at rest as S3 documents it, on the simulated
 * KMS: `createS3Service({ kms, storage })`, then `service.client(region, { principal })`, a client
 * shaped like `@aws-sdk/client-s3`'s (one camelCase method per operation). Every KMS call is made
 * as the client's principal with kms:ViaService `s3.<region>.amazonaws.com`, so key policies,
 * grants, key states and the audit log apply as they do to S3 in AWS.
 */
import { randomBytes, utf8 } from '../../core/bytes.js';
import type { Bytes } from '../../core/types.js';
import type { Kms } from '../../kms/kms.js';
import { openRegionalStore, type RegionalStore } from '../regional-store.js';
import { ServiceError } from '../errors.js';
import { encryptObject } from './encrypt-object.js';
import { NEW_BUCKET_ENCRYPTION, S3_LAYOUT, bucketArn, objectArn, objectId, type BucketRecord, type ObjectRecord } from './records.js';
import { attemptReplication, checkReplicationConfiguration, pendingReplications, ruleFor } from './replication.js';
import { DEFAULT_BUCKET_KEY_LIFETIME_MS, DEFAULT_REPLICATION_RETRY_MS, S3Runtime, encodeContext, fromKms, s3Error } from './runtime.js';
import { customerKeyOf, etagOf, openBody } from './sse.js';
import type * as T from './types.js';

/**
 * Options of `createS3Service`: the KMS that holds the objects' keys, where S3's records live, and
 * the clock.
 */
export interface S3ServiceOptions {
  /** The simulated KMS the objects' keys live in; its regions are S3's regions. */
  kms: Kms;
  /** `memory` (Node, tests) or `indexeddb` (pages, workers; persistent). Default: as the KMS stores. */
  storage?: 'memory' | 'indexeddb';
  /** Database name prefix. Default: the KMS's `name`, so S3's databases sit beside the KMS's. */
  name?: string;
  /** The clock (epoch ms): Bucket Key lifetimes, replication retries and object dates follow it. */
  now?: () => number;
  /** How long a bucket-level key is reused (injected clock). Default ten minutes. */
  bucketKeyLifetimeMs?: number;
  /** How long replication retries an unreachable destination before the object is FAILED. Default one hour. */
  replicationRetryMs?: number;
  /** With IndexedDB: object bodies (ciphertext) from this many bytes are kept in OPFS. Default 1 MiB. */
  largeBodyBytes?: number;
}

/** Who a regional client acts as. */
export interface S3ClientOptions {
  /** An IAM principal ARN; default the account root. KMS calls are made as this principal through S3. */
  principal?: string;
}

/**
 * One region of the simulated S3, with the operations of `@aws-sdk/client-s3` it supports.
 *
 * @example
 * ```ts
 * const kms = await createKms({ storage: 'memory' });
 * const s3 = (await createS3Service({ kms, storage: 'memory' })).client('us-east-1');
 * await s3.createBucket({ Bucket: 'photos' });
 * await s3.putObject({ Bucket: 'photos', Key: 'cat.jpg', Body: bytes, ServerSideEncryption: 'aws:kms' });
 * const { Body, SSEKMSKeyId } = await s3.getObject({ Bucket: 'photos', Key: 'cat.jpg' });
 * ```
 */
export interface S3Client {
  readonly region: string;
  createBucket(request: T.CreateBucketRequest): Promise<T.CreateBucketOutput>;
  deleteBucket(request: T.BucketRequest): Promise<Record<string, never>>;
  listBuckets(request?: Record<string, never>): Promise<T.ListBucketsOutput>;
  putBucketEncryption(request: T.PutBucketEncryptionRequest): Promise<Record<string, never>>;
  getBucketEncryption(request: T.BucketRequest): Promise<T.GetBucketEncryptionOutput>;
  deleteBucketEncryption(request: T.BucketRequest): Promise<Record<string, never>>;
  putBucketVersioning(request: T.PutBucketVersioningRequest): Promise<Record<string, never>>;
  getBucketVersioning(request: T.BucketRequest): Promise<T.GetBucketVersioningOutput>;
  putBucketReplication(request: T.PutBucketReplicationRequest): Promise<Record<string, never>>;
  getBucketReplication(request: T.BucketRequest): Promise<T.GetBucketReplicationOutput>;
  deleteBucketReplication(request: T.BucketRequest): Promise<Record<string, never>>;
  putObject(request: T.PutObjectRequest): Promise<T.PutObjectOutput>;
  getObject(request: T.GetObjectRequest): Promise<T.GetObjectOutput>;
  headObject(request: T.GetObjectRequest): Promise<T.HeadObjectOutput>;
  deleteObject(request: T.DeleteObjectRequest): Promise<T.DeleteObjectOutput>;
  copyObject(request: T.CopyObjectRequest): Promise<T.CopyObjectOutput>;
  listObjectsV2(request: T.ListObjectsV2Request): Promise<T.ListObjectsV2Output>;
}

/** The simulated S3 of every region of a KMS. */
export interface S3Service {
  client(region: string, options?: S3ClientOptions): S3Client;
  /**
   * Runs replication now for every object still PENDING (S3 replicates asynchronously; the
   * simulation retries when asked, by the injected clock). Resolves when each has been attempted.
   */
  processReplication(): Promise<void>;
  close(): void;
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * Opens the simulated S3 for every region of `kms`.
 *
 * @example
 * ```ts
 * const service = await createS3Service({ kms, storage: 'memory' });
 * const east = service.client('us-east-1', { principal: 'arn:aws:iam::111122223333:user/alice' });
 * ```
 */
export async function createS3Service(options: S3ServiceOptions): Promise<S3Service> {
  if (options === null || typeof options !== 'object' || !options.kms) throw new TypeError('options.kms must be a Kms from createKms');
  const storage = options.storage ?? options.kms.storage;
  if (storage !== 'memory' && storage !== 'indexeddb') throw new TypeError("options.storage must be 'memory' or 'indexeddb'");
  const stores = new Map<string, RegionalStore>();
  const name = options.name ?? options.kms.name;
  for (const region of options.kms.regions) {
    const largeBodies = { store: 'objects', path: 'body.ciphertext', threshold: options.largeBodyBytes ?? 1024 * 1024 };
    stores.set(region, await openRegionalStore({ storage, name, account: options.kms.account, region, largeBodies }, S3_LAYOUT));
  }
  const runtime = new S3Runtime({
    kms: options.kms,
    stores,
    now: options.now ?? (() => options.kms.now()),
    bucketKeyLifetimeMs: options.bucketKeyLifetimeMs ?? DEFAULT_BUCKET_KEY_LIFETIME_MS,
    replicationRetryMs: options.replicationRetryMs ?? DEFAULT_REPLICATION_RETRY_MS,
  });
  return {
    client: (region, clientOptions) => createS3Client(runtime, region, clientOptions?.principal),
    async processReplication() {
      for (const pending of await pendingReplications(runtime)) await attemptReplication(runtime, pending);
    },
    close() {
      for (const store of stores.values()) store.close();
    },
  };
}

function requiredString(value: unknown, member: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new TypeError(`${member} must be a non-empty string`);
  return value;
}

/** An object key: 1 to 1,024 bytes of UTF-8 (S3 User Guide, "Naming Amazon S3 objects"). */
function objectKey(value: unknown): string {
  const key = requiredString(value, 'Key');
  if (utf8(key).length > 1024) throw s3Error('KeyTooLongError', 'Your key is too long: at most 1,024 bytes of UTF-8.', 400);
  return key;
}

function request<R>(value: R | undefined, operation: string): R {
  if (value === null || typeof value !== 'object') throw new TypeError(`${operation} takes a request object`);
  return value;
}

/** Bytes of a request Body: a Uint8Array (copied) or a string (UTF-8). */
function bodyBytes(body: unknown): Bytes {
  if (body === undefined) return new Uint8Array(0);
  if (typeof body === 'string') return utf8(body);
  if (body instanceof Uint8Array) return new Uint8Array(body);
  throw new TypeError('Body must be a Uint8Array or a string');
}

/** The bytes, with the two methods of the SDK's stream mixin that callers use. */
function objectBody(bytes: Bytes): T.ObjectBody {
  const body = bytes as T.ObjectBody;
  Object.defineProperties(body, {
    transformToByteArray: { value: async () => bytes, enumerable: false },
    transformToString: { value: async (encoding = 'utf-8') => new TextDecoder(encoding).decode(bytes), enumerable: false },
  });
  return body;
}

/** The members of an object's encryption every object response carries. */
export function encryptionOutput(object: ObjectRecord): T.ObjectEncryption {
  const e = object.body?.encryption;
  if (!e) return {};
  switch (e.mode) {
    case 'AES256':
      return { ServerSideEncryption: 'AES256' };
    case 'SSE-C':
      return { SSECustomerAlgorithm: 'AES256', SSECustomerKeyMD5: e.keyMD5 };
    case 'aws:kms':
      return { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: e.keyArn, SSEKMSEncryptionContext: encodeContext(e.context), BucketKeyEnabled: e.bucketKey !== undefined };
    case 'aws:kms:dsse':
      return { ServerSideEncryption: 'aws:kms:dsse', SSEKMSKeyId: e.keyArn, SSEKMSEncryptionContext: encodeContext(e.context), BucketKeyEnabled: false };
  }
}

const newVersionId = () => [...randomBytes(24)].map((b) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._'[b & 63]).join('');

function createS3Client(runtime: S3Runtime, region: string, principal: string | undefined): S3Client {
  const store = runtime.store(region);
  const kms = runtime.kmsAs(region, principal);

  const bucketOf = async (name: unknown): Promise<BucketRecord> => {
    const bucket = await store.get<BucketRecord>('buckets', requiredString(name, 'Bucket'));
    if (bucket) return bucket;
    // A bucket of another region answers PermanentRedirect from this endpoint; none is NoSuchBucket.
    if (await runtime.findBucket(name as string)) throw s3Error('PermanentRedirect', `The bucket ${String(name)} is in another region: send requests to its region's endpoint.`, 301);
    throw s3Error('NoSuchBucket', 'The specified bucket does not exist', 404);
  };
  const saveBucket = (bucket: BucketRecord) => store.commit([{ store: 'buckets', value: bucket }]);
  const versionsOf = async (bucket: string, key: string) => (await store.byIndex<ObjectRecord>('objects', 'path', `${bucket}/${key}`)).sort((a, b) => a.seq - b.seq);

  // Listings return records as stored, a large body (kept in OPFS) by reference: get() reads it.
  const withBody = async (object: ObjectRecord): Promise<ObjectRecord> => (await store.get<ObjectRecord>('objects', object.id)) ?? object;

  /** The version a read names, or the current one; NoSuchKey for none or a delete marker. */
  const readVersion = async (bucket: BucketRecord, key: string, versionId: string | undefined): Promise<ObjectRecord> => {
    const versions = await versionsOf(bucket.Name, key);
    if (versionId !== undefined) {
      const found = versions.find((v) => v.versionId === versionId);
      if (!found) throw s3Error('NoSuchVersion', 'The specified version does not exist.', 404);
      if (found.deleteMarker) throw s3Error('MethodNotAllowed', 'The specified method is not allowed against this resource (a delete marker).', 405);
      return withBody(found);
    }
    const current = versions.at(-1);
    if (!current || current.deleteMarker) throw s3Error('NoSuchKey', 'The specified key does not exist.', 404);
    return withBody(current);
  };

  const readBody = async (object: ObjectRecord, customerKey: { algorithm?: string | undefined; key?: string | Uint8Array | undefined; keyMD5?: string | undefined }): Promise<Bytes> => {
    const customer = customerKeyOf(customerKey);
    if (object.body!.encryption.mode !== 'SSE-C' && customer) {
      throw s3Error('InvalidRequest', 'The encryption parameters are not applicable to this object: it is not stored with SSE-C.', 400);
    }
    try {
      return await openBody(object.body!, {
        serviceKey: () => runtime.serviceKey(region),
        kms,
        bucketKey: (blob, context, keyArn) => runtime.openBucketKey(kms, blob, context, keyArn),
        ...(customer ? { customer } : {}),
        objectArn: objectArn(object.bucket, object.key),
      });
    } catch (error) {
      if (error instanceof ServiceError) throw error;
      throw fromKms(error);
    }
  };

  const headOf = (bucket: BucketRecord, object: ObjectRecord): T.HeadObjectOutput => ({
    ContentLength: object.size,
    ...(object.contentType !== undefined ? { ContentType: object.contentType } : {}),
    ETag: object.etag,
    LastModified: new Date(object.lastModified),
    ...(bucket.versioning ? { VersionId: object.versionId } : {}),
    Metadata: { ...object.metadata },
    ...(object.replica ? { ReplicationStatus: 'REPLICA' as const } : object.replication ? { ReplicationStatus: object.replication.status } : {}),
    ...encryptionOutput(object),
  });

  /** Stores a new version of `key` (replacing the `null` version when unversioned). */
  const writeObject = async (bucket: BucketRecord, key: string, fields: Omit<ObjectRecord, 'id' | 'path' | 'bucket' | 'key' | 'versionId' | 'seq'>): Promise<ObjectRecord> => {
    const versions = await versionsOf(bucket.Name, key);
    const versionId = bucket.versioning === 'Enabled' ? newVersionId() : 'null';
    const record: ObjectRecord = { ...fields, id: objectId(bucket.Name, key, versionId), path: `${bucket.Name}/${key}`, bucket: bucket.Name, key, versionId, seq: (versions.at(-1)?.seq ?? 0) + 1 };
    await store.commit([{ store: 'objects', value: record }]);
    return record;
  };

  const client: S3Client = {
    region,
    async createBucket(req) {
      const name = requiredString(request(req, 'CreateBucket').Bucket, 'Bucket');
      if (!BUCKET_NAME.test(name) || name.includes('..') || /^\d+\.\d+\.\d+\.\d+$/.test(name)) throw s3Error('InvalidBucketName', 'The specified bucket is not valid.', 400);
      const constraint = req.CreateBucketConfiguration?.LocationConstraint;
      if (constraint !== undefined && constraint !== region) {
        throw s3Error('IllegalLocationConstraintException', `The ${constraint} location constraint is incompatible for the region specific endpoint this request was sent to (${region}).`, 400);
      }
      if (constraint === undefined && region !== 'us-east-1') throw s3Error('IllegalLocationConstraintException', 'The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.', 400);
      if (await runtime.findBucket(name)) throw s3Error('BucketAlreadyOwnedByYou', 'Your previous request to create the named bucket succeeded and you already own it.', 409);
      await saveBucket({ Name: name, region, CreationDate: runtime.now(), encryption: NEW_BUCKET_ENCRYPTION });
      return { Location: region === 'us-east-1' ? `/${name}` : `http://${name}.s3.amazonaws.com/`, BucketArn: bucketArn(name) };
    },
    async deleteBucket(req) {
      const bucket = await bucketOf(request(req, 'DeleteBucket').Bucket);
      if ((await store.byIndex('objects', 'bucket', bucket.Name)).length > 0) throw s3Error('BucketNotEmpty', 'The bucket you tried to delete is not empty.', 409);
      await store.commit([{ store: 'buckets', delete: bucket.Name }]);
      return {};
    },
    async listBuckets() {
      const buckets = (await store.all<BucketRecord>('buckets')).sort((a, b) => (a.Name < b.Name ? -1 : 1));
      return { Buckets: buckets.map((b) => ({ Name: b.Name, CreationDate: new Date(b.CreationDate), BucketRegion: b.region, BucketArn: bucketArn(b.Name) })), Owner: { ID: runtime.kms.account } };
    },
    async putBucketEncryption(req) {
      const bucket = await bucketOf(request(req, 'PutBucketEncryption').Bucket);
      const rules = req.ServerSideEncryptionConfiguration?.Rules;
      if (!Array.isArray(rules) || rules.length !== 1) throw s3Error('MalformedXML', 'ServerSideEncryptionConfiguration must have exactly one rule.', 400);
      const rule = rules[0]!;
      const byDefault = rule.ApplyServerSideEncryptionByDefault;
      if (byDefault && !['AES256', 'aws:kms', 'aws:kms:dsse'].includes(byDefault.SSEAlgorithm)) throw s3Error('MalformedXML', 'SSEAlgorithm must be AES256, aws:kms or aws:kms:dsse.', 400);
      if (byDefault?.KMSMasterKeyID !== undefined && byDefault.SSEAlgorithm === 'AES256') {
        throw s3Error('InvalidArgument', 'a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse.', 400);
      }
      const blocked = rule.BlockedEncryptionTypes?.EncryptionType;
      if (blocked !== undefined && (!Array.isArray(blocked) || blocked.some((t) => t !== 'NONE' && t !== 'SSE-C') || (blocked.includes('NONE') && blocked.includes('SSE-C')))) {
        throw s3Error('InvalidArgument', 'BlockedEncryptionTypes.EncryptionType must be [SSE-C] or [NONE].', 400);
      }
      // S3 does not validate the KMS key here (API reference, PutBucketEncryption): a bad key fails the first write.
      await saveBucket({
        ...bucket,
        encryption: {
          ApplyServerSideEncryptionByDefault: byDefault ? { ...byDefault } : { SSEAlgorithm: 'AES256' },
          BucketKeyEnabled: rule.BucketKeyEnabled ?? false,
          // Left out, the block setting stays as it was.
          BlockedEncryptionTypes: { EncryptionType: [...(blocked ?? bucket.encryption.BlockedEncryptionTypes?.EncryptionType ?? ['NONE'])] },
        },
      });
      return {};
    },
    async getBucketEncryption(req) {
      const bucket = await bucketOf(request(req, 'GetBucketEncryption').Bucket);
      return { ServerSideEncryptionConfiguration: { Rules: [structuredClone(bucket.encryption)] } };
    },
    async deleteBucketEncryption(req) {
      const bucket = await bucketOf(request(req, 'DeleteBucketEncryption').Bucket);
      // Deleting it returns the bucket to SSE-S3 (API reference, DeleteBucketEncryption); the block stays.
      await saveBucket({ ...bucket, encryption: { ...NEW_BUCKET_ENCRYPTION, BlockedEncryptionTypes: structuredClone(bucket.encryption.BlockedEncryptionTypes ?? { EncryptionType: ['NONE'] }) } });
      return {};
    },
    async putBucketVersioning(req) {
      const bucket = await bucketOf(request(req, 'PutBucketVersioning').Bucket);
      const status = req.VersioningConfiguration?.Status;
      if (status !== 'Enabled' && status !== 'Suspended') throw s3Error('MalformedXML', 'VersioningConfiguration.Status must be Enabled or Suspended.', 400);
      if (status === 'Suspended' && bucket.replication) throw s3Error('InvalidBucketState', 'A replication configuration is present on this bucket, so you cannot change the versioning state.', 409);
      await saveBucket({ ...bucket, versioning: status });
      return {};
    },
    async getBucketVersioning(req) {
      const bucket = await bucketOf(request(req, 'GetBucketVersioning').Bucket);
      return bucket.versioning ? { Status: bucket.versioning } : {};
    },
    async putBucketReplication(req) {
      const bucket = await bucketOf(request(req, 'PutBucketReplication').Bucket);
      const configuration = await checkReplicationConfiguration(runtime, bucket, req.ReplicationConfiguration);
      await saveBucket({ ...bucket, replication: configuration });
      return {};
    },
    async getBucketReplication(req) {
      const bucket = await bucketOf(request(req, 'GetBucketReplication').Bucket);
      if (!bucket.replication) throw s3Error('ReplicationConfigurationNotFoundError', 'The replication configuration was not found.', 404);
      return { ReplicationConfiguration: structuredClone(bucket.replication) };
    },
    async deleteBucketReplication(req) {
      const bucket = await bucketOf(request(req, 'DeleteBucketReplication').Bucket);
      const { replication: _removed, ...rest } = bucket;
      await saveBucket(rest);
      return {};
    },
    async putObject(req) {
      const bucket = await bucketOf(request(req, 'PutObject').Bucket);
      const key = objectKey(req.Key);
      const plaintext = bodyBytes(req.Body);
      const body = await encryptObject({ runtime, kms, bucket, key, request: req, body: plaintext });
      const record = await writeObject(bucket, key, {
        lastModified: runtime.now(),
        size: plaintext.length,
        etag: etagOf(body.encryption.mode === 'AES256' ? plaintext : body.ciphertext),
        ...(req.ContentType !== undefined ? { contentType: req.ContentType } : {}),
        metadata: { ...req.Metadata },
        body,
      });
      plaintext.fill(0);
      // S3 replicates asynchronously; the simulation makes the first attempt before answering, so a
      // test sees PENDING (destination unreachable), COMPLETED or FAILED deterministically.
      await attemptReplication(runtime, { region, record: await startReplication(bucket, record) });
      return { ETag: record.etag, ...(bucket.versioning ? { VersionId: record.versionId } : {}), ...encryptionOutput(record) };
    },
    async getObject(req) {
      const bucket = await bucketOf(request(req, 'GetObject').Bucket);
      const object = await readVersion(bucket, requiredString(req.Key, 'Key'), req.VersionId);
      const bytes = await readBody(object, { algorithm: req.SSECustomerAlgorithm, key: req.SSECustomerKey, keyMD5: req.SSECustomerKeyMD5 });
      return { ...headOf(bucket, object), Body: objectBody(bytes) };
    },
    async headObject(req) {
      const bucket = await bucketOf(request(req, 'HeadObject').Bucket);
      const object = await readVersion(bucket, requiredString(req.Key, 'Key'), req.VersionId);
      // HeadObject of an SSE-C object needs its key too, and checks it (S3 User Guide, SSE-C).
      if (object.body?.encryption.mode === 'SSE-C') await readBody(object, { algorithm: req.SSECustomerAlgorithm, key: req.SSECustomerKey, keyMD5: req.SSECustomerKeyMD5 });
      return headOf(bucket, object);
    },
    async deleteObject(req) {
      const bucket = await bucketOf(request(req, 'DeleteObject').Bucket);
      const key = requiredString(req.Key, 'Key');
      const versions = await versionsOf(bucket.Name, key);
      if (req.VersionId !== undefined) {
        const found = versions.find((v) => v.versionId === req.VersionId);
        if (found) await store.commit([{ store: 'objects', delete: found.id }]);
        return { VersionId: req.VersionId, ...(found?.deleteMarker ? { DeleteMarker: true } : {}) };
      }
      if (bucket.versioning === 'Enabled') {
        const marker = await writeObject(bucket, key, { deleteMarker: true, lastModified: runtime.now(), size: 0, etag: '""', metadata: {} });
        return { DeleteMarker: true, VersionId: marker.versionId };
      }
      const unversioned = versions.find((v) => v.versionId === 'null');
      if (unversioned) await store.commit([{ store: 'objects', delete: unversioned.id }]);
      return {};
    },
    async copyObject(req) {
      const bucket = await bucketOf(request(req, 'CopyObject').Bucket);
      const key = objectKey(req.Key);
      const source = requiredString(req.CopySource, 'CopySource');
      const [path, query] = decodeURIComponent(source.replace(/^\//, '')).split('?versionId=') as [string, string | undefined];
      const slash = path.indexOf('/');
      if (slash <= 0 || slash === path.length - 1) throw s3Error('InvalidArgument', 'CopySource must be source-bucket/key, URL-encoded, optionally ?versionId=...', 400);
      const sourceBucket = await bucketOf(path.slice(0, slash));
      const sourceObject = await readVersion(sourceBucket, path.slice(slash + 1), query);
      const plaintext = await readBody(sourceObject, { algorithm: req.CopySourceSSECustomerAlgorithm, key: req.CopySourceSSECustomerKey, keyMD5: req.CopySourceSSECustomerKeyMD5 });
      // The copy takes the request's encryption, else the destination bucket's default: never the source's.
      const body = await encryptObject({ runtime, kms, bucket, key, request: req, body: plaintext });
      const replace = req.MetadataDirective === 'REPLACE';
      const record = await writeObject(bucket, key, {
        lastModified: runtime.now(),
        size: plaintext.length,
        etag: etagOf(body.encryption.mode === 'AES256' ? plaintext : body.ciphertext),
        ...((replace ? req.ContentType : sourceObject.contentType) !== undefined ? { contentType: (replace ? req.ContentType : sourceObject.contentType)! } : {}),
        metadata: replace ? { ...req.Metadata } : { ...sourceObject.metadata },
        body,
      });
      plaintext.fill(0);
      await attemptReplication(runtime, { region, record: await startReplication(bucket, record) });
      return {
        CopyObjectResult: { ETag: record.etag, LastModified: new Date(record.lastModified) },
        ...(bucket.versioning ? { VersionId: record.versionId } : {}),
        ...(sourceBucket.versioning ? { CopySourceVersionId: sourceObject.versionId } : {}),
        ...encryptionOutput(record),
      };
    },
    async listObjectsV2(req) {
      const bucket = await bucketOf(request(req, 'ListObjectsV2').Bucket);
      const prefix = req.Prefix ?? '';
      const maxKeys = req.MaxKeys ?? 1000;
      if (!Number.isInteger(maxKeys) || maxKeys < 0) throw s3Error('InvalidArgument', 'MaxKeys must be a non-negative integer.', 400);
      let after = req.StartAfter;
      if (req.ContinuationToken !== undefined) {
        try {
          after = decodeURIComponent(atob(req.ContinuationToken));
        } catch {
          throw s3Error('InvalidArgument', 'The continuation token provided is incorrect.', 400);
        }
      }
      const latest = new Map<string, ObjectRecord>();
      for (const v of await store.byIndex<ObjectRecord>('objects', 'bucket', bucket.Name)) {
        const seen = latest.get(v.key);
        if (!seen || v.seq > seen.seq) latest.set(v.key, v);
      }
      const keys = [...latest.values()].filter((v) => !v.deleteMarker && v.key.startsWith(prefix) && (after === undefined || v.key > after)).sort((a, b) => (a.key < b.key ? -1 : 1));
      const page = keys.slice(0, maxKeys);
      const truncated = keys.length > page.length;
      return {
        Name: bucket.Name,
        Prefix: prefix,
        MaxKeys: maxKeys,
        KeyCount: page.length,
        IsTruncated: truncated,
        Contents: page.map((v) => ({ Key: v.key, LastModified: new Date(v.lastModified), ETag: v.etag, Size: v.size, StorageClass: 'STANDARD' as const })),
        ...(req.ContinuationToken !== undefined ? { ContinuationToken: req.ContinuationToken } : {}),
        ...(req.StartAfter !== undefined ? { StartAfter: req.StartAfter } : {}),
        ...(truncated ? { NextContinuationToken: btoa(encodeURIComponent(page.at(-1)!.key)) } : {}),
      };
    },
  };

  /** Marks a new version PENDING when a replication rule covers it (replication.ts decides which). */
  async function startReplication(bucket: BucketRecord, record: ObjectRecord): Promise<ObjectRecord> {
    const rule = ruleFor(bucket, record);
    if (!rule) return record;
    const marked: ObjectRecord = { ...record, replication: { status: 'PENDING', firstAttemptAt: runtime.now(), attempts: 0, destinationBucket: rule.Destination.Bucket.replace(/^arn:aws:s3:::/, '') } };
    await store.commit([{ store: 'objects', value: marked }]);
    return marked;
  }

  return Object.freeze(client);
}
