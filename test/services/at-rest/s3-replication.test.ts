/**
 * Replication of encrypted objects between regions, from the Amazon S3 User Guide, "Replicating
 * objects that are created with server-side encryption (SSE-C, SSE-S3, SSE-KMS, DSSE-KMS)":
 * SSE-KMS objects only with SseKmsEncryptedObjects and a ReplicaKmsKeyID, the role's kms:Decrypt on
 * the source key and kms:Encrypt on the replica key (through s3.<region>), SSE-C objects as they
 * are unless the destination blocks SSE-C; and a destination region in outage (the KMS
 * simulation) leaving the object PENDING, then COMPLETED or FAILED.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { md5 } from '@noble/hashes/legacy.js';
import { createS3Service, type S3Client, type S3Service } from '../../../src/services/s3/index.js';
import { ACCOUNT, REPLICATION_ROLE, decodeContext, fixture, rejection, type Fixture } from './helpers.js';

let f: Fixture;
let service: S3Service;
let east: S3Client;
let west: S3Client;
let sourceKey: string;
let replicaKey: string;

const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

/** The role policy the S3 User Guide shows for replicating SSE-KMS objects, scoped by ViaService and context. */
function rolePolicy(options: { decrypt?: boolean; encrypt?: boolean } = {}) {
  const statements: object[] = [];
  if (options.decrypt !== false) {
    statements.push({
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: sourceKey,
      Condition: { StringLike: { 'kms:ViaService': 's3.us-east-1.amazonaws.com', 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::source-bucket/*' } },
    });
  }
  if (options.encrypt !== false) {
    statements.push({
      Effect: 'Allow',
      Action: 'kms:Encrypt',
      Resource: replicaKey,
      Condition: { StringLike: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com', 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::replica-bucket/*' } },
    });
  }
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

async function configure(options: { optIn?: boolean; decrypt?: boolean; encrypt?: boolean } = {}) {
  await f.kms.iam.putRolePolicy({ RoleName: 'replication', PolicyName: 'kms', PolicyDocument: rolePolicy(options) });
  const optIn = options.optIn ?? true;
  await east.putBucketReplication({
    Bucket: 'source-bucket',
    ReplicationConfiguration: {
      Role: REPLICATION_ROLE,
      Rules: [
        {
          ID: 'all',
          Priority: 1,
          Status: 'Enabled',
          Filter: { Prefix: '' },
          ...(optIn ? { SourceSelectionCriteria: { SseKmsEncryptedObjects: { Status: 'Enabled' as const } } } : {}),
          Destination: { Bucket: 'arn:aws:s3:::replica-bucket', ...(optIn ? { EncryptionConfiguration: { ReplicaKmsKeyID: replicaKey } } : {}) },
        },
      ],
    },
  });
}

beforeEach(async () => {
  f = await fixture();
  service = await createS3Service({ kms: f.kms, storage: 'memory', name: f.name, now: () => f.clock.t, replicationRetryMs: 60 * 60_000 });
  east = service.client('us-east-1');
  west = service.client('eu-west-1');
  sourceKey = (await f.kms.region('us-east-1').createKey({})).KeyMetadata.Arn;
  replicaKey = (await f.kms.region('eu-west-1').createKey({})).KeyMetadata.Arn;
  await east.createBucket({ Bucket: 'source-bucket' });
  await west.createBucket({ Bucket: 'replica-bucket', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } });
  for (const [client, bucket] of [[east, 'source-bucket'], [west, 'replica-bucket']] as const) await client.putBucketVersioning({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } });
});
afterEach(async () => {
  service.close();
  await f.kms.close();
});

describe('configuration', () => {
  it('needs versioning on both buckets, an IAM role, and ReplicaKmsKeyID exactly when SSE-KMS objects opt in', async () => {
    await east.createBucket({ Bucket: 'unversioned' });
    const base = { Role: REPLICATION_ROLE, Rules: [{ Status: 'Enabled' as const, Destination: { Bucket: 'arn:aws:s3:::replica-bucket' } }] };
    expect((await rejection(east.putBucketReplication({ Bucket: 'unversioned', ReplicationConfiguration: base }))).name).toBe('InvalidRequest');
    expect((await rejection(east.putBucketReplication({ Bucket: 'source-bucket', ReplicationConfiguration: { ...base, Role: `arn:aws:iam::${ACCOUNT}:user/alice` } }))).name).toBe('InvalidArgument');
    const optInWithoutKey = { ...base, Rules: [{ ...base.Rules[0]!, SourceSelectionCriteria: { SseKmsEncryptedObjects: { Status: 'Enabled' as const } } }] };
    expect((await rejection(east.putBucketReplication({ Bucket: 'source-bucket', ReplicationConfiguration: optInWithoutKey }))).message).toContain('ReplicaKmsKeyID');
    expect((await rejection(east.getBucketReplication({ Bucket: 'source-bucket' }))).name).toBe('ReplicationConfigurationNotFoundError');
    await east.putBucketReplication({ Bucket: 'source-bucket', ReplicationConfiguration: base });
    expect((await east.getBucketReplication({ Bucket: 'source-bucket' })).ReplicationConfiguration).toEqual(base);
    expect((await rejection(east.putBucketVersioning({ Bucket: 'source-bucket', VersioningConfiguration: { Status: 'Suspended' } }))).name).toBe('InvalidBucketState');
  });
});

describe('SSE-KMS objects', () => {
  it('replicate to the other region under the replica key, as the role, with Decrypt there and Encrypt here', async () => {
    await configure();
    const put = await east.putObject({ Bucket: 'source-bucket', Key: 'ledger.csv', Body: 'a,b,c', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: sourceKey });
    expect((await east.headObject({ Bucket: 'source-bucket', Key: 'ledger.csv' })).ReplicationStatus).toBe('COMPLETED');
    const replica = await west.getObject({ Bucket: 'replica-bucket', Key: 'ledger.csv' });
    expect(await replica.Body.transformToString()).toBe('a,b,c');
    expect(replica).toMatchObject({ ReplicationStatus: 'REPLICA', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: replicaKey, VersionId: put.VersionId });
    expect(decodeContext(replica.SSEKMSEncryptionContext)).toEqual({ 'aws:s3:arn': 'arn:aws:s3:::replica-bucket/ledger.csv' });
    expect(f.count('Decrypt', { ok: true, principal: REPLICATION_ROLE })).toBe(1);
    expect(f.count('Encrypt', { ok: true, principal: REPLICATION_ROLE })).toBe(1);
  });

  it('are not replicated at all without SseKmsEncryptedObjects; SSE-S3 objects are', async () => {
    await configure({ optIn: false });
    await east.putObject({ Bucket: 'source-bucket', Key: 'kms', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: sourceKey });
    await east.putObject({ Bucket: 'source-bucket', Key: 's3', Body: 'y' });
    expect((await east.headObject({ Bucket: 'source-bucket', Key: 'kms' })).ReplicationStatus).toBeUndefined();
    expect((await rejection(west.getObject({ Bucket: 'replica-bucket', Key: 'kms' }))).name).toBe('NoSuchKey');
    expect((await east.headObject({ Bucket: 'source-bucket', Key: 's3' })).ReplicationStatus).toBe('COMPLETED');
    const replica = await west.getObject({ Bucket: 'replica-bucket', Key: 's3' });
    expect(replica).toMatchObject({ ServerSideEncryption: 'AES256', ReplicationStatus: 'REPLICA' });
    expect(await replica.Body.transformToString()).toBe('y');
  });

  it('FAIL when the role lacks kms:Decrypt on the source key or kms:Encrypt on the replica key', async () => {
    await configure({ encrypt: false });
    await east.putObject({ Bucket: 'source-bucket', Key: 'k1', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: sourceKey });
    expect((await east.headObject({ Bucket: 'source-bucket', Key: 'k1' })).ReplicationStatus).toBe('FAILED');
    expect(f.count('Encrypt', { ok: false, principal: REPLICATION_ROLE })).toBe(1);
    await configure({ decrypt: false });
    await east.putObject({ Bucket: 'source-bucket', Key: 'k2', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: sourceKey });
    expect((await east.headObject({ Bucket: 'source-bucket', Key: 'k2' })).ReplicationStatus).toBe('FAILED');
    expect(f.count('Decrypt', { ok: false, principal: REPLICATION_ROLE })).toBe(1);
    expect((await rejection(west.getObject({ Bucket: 'replica-bucket', Key: 'k2' }))).name).toBe('NoSuchKey');
  });

  it('DSSE-KMS objects replicate with two layers under the replica key', async () => {
    await configure();
    await east.putObject({ Bucket: 'source-bucket', Key: 'dsse', Body: 'layers', ServerSideEncryption: 'aws:kms:dsse', SSEKMSKeyId: sourceKey });
    const replica = await west.getObject({ Bucket: 'replica-bucket', Key: 'dsse' });
    expect(replica).toMatchObject({ ServerSideEncryption: 'aws:kms:dsse', SSEKMSKeyId: replicaKey });
    expect(await replica.Body.transformToString()).toBe('layers');
    expect(f.count('Encrypt', { ok: true, principal: REPLICATION_ROLE })).toBe(2);
  });
});

describe('a destination region in outage', () => {
  it('leaves the object PENDING, then COMPLETED once the region is back', async () => {
    await configure();
    await f.kms.simulate({ region: 'eu-west-1', outage: true });
    await east.putObject({ Bucket: 'source-bucket', Key: 'k', Body: 'later', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: sourceKey });
    expect((await east.headObject({ Bucket: 'source-bucket', Key: 'k' })).ReplicationStatus).toBe('PENDING');
    f.clock.t += 10 * 60_000;
    await service.processReplication();
    expect((await east.headObject({ Bucket: 'source-bucket', Key: 'k' })).ReplicationStatus).toBe('PENDING');
    await f.kms.simulate({ region: 'eu-west-1', outage: false });
    await service.processReplication();
    expect((await east.headObject({ Bucket: 'source-bucket', Key: 'k' })).ReplicationStatus).toBe('COMPLETED');
    expect(await (await west.getObject({ Bucket: 'replica-bucket', Key: 'k' })).Body.transformToString()).toBe('later');
  });

  it('is FAILED when the outage outlasts the retry window', async () => {
    await configure();
    await f.kms.simulate({ region: 'eu-west-1', outage: 'DependencyTimeoutException' });
    await east.putObject({ Bucket: 'source-bucket', Key: 'k', Body: 'never', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: sourceKey });
    f.clock.t += 61 * 60_000;
    await service.processReplication();
    expect((await east.headObject({ Bucket: 'source-bucket', Key: 'k' })).ReplicationStatus).toBe('FAILED');
    await f.kms.simulate({ region: 'eu-west-1', outage: false });
    await service.processReplication();
    expect((await east.headObject({ Bucket: 'source-bucket', Key: 'k' })).ReplicationStatus).toBe('FAILED');
  });
});

describe('SSE-C objects', () => {
  const key = new Uint8Array(32).fill(3);
  const sseC = { SSECustomerAlgorithm: 'AES256', SSECustomerKey: b64(key), SSECustomerKeyMD5: b64(md5(key)) };
  const allowSseC = (client: S3Client, bucket: string) =>
    client.putBucketEncryption({ Bucket: bucket, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BlockedEncryptionTypes: { EncryptionType: ['NONE'] } }] } });

  it('replicate as they are: only the same customer key reads the replica', async () => {
    await configure();
    await allowSseC(east, 'source-bucket');
    await allowSseC(west, 'replica-bucket');
    await east.putObject({ Bucket: 'source-bucket', Key: 'c', Body: 'customer', ...sseC });
    expect((await east.headObject({ Bucket: 'source-bucket', Key: 'c', ...sseC })).ReplicationStatus).toBe('COMPLETED');
    expect((await rejection(west.getObject({ Bucket: 'replica-bucket', Key: 'c' }))).name).toBe('InvalidRequest');
    expect(await (await west.getObject({ Bucket: 'replica-bucket', Key: 'c', ...sseC })).Body.transformToString()).toBe('customer');
  });

  it('FAIL to replicate to a destination that blocks SSE-C', async () => {
    await configure();
    await allowSseC(east, 'source-bucket');
    await east.putObject({ Bucket: 'source-bucket', Key: 'c', Body: 'customer', ...sseC });
    expect((await east.headObject({ Bucket: 'source-bucket', Key: 'c', ...sseC })).ReplicationStatus).toBe('FAILED');
    expect((await rejection(west.getObject({ Bucket: 'replica-bucket', Key: 'c', ...sseC }))).name).toBe('NoSuchKey');
  });
});
