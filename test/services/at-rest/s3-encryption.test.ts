/**
 * S3 server-side encryption on the simulated KMS, rule by rule from the Amazon S3 User Guide:
 * "Setting default server-side encryption behavior" (every bucket starts with SSE-S3),
 * "Using server-side encryption with AWS KMS keys (SSE-KMS)" (alias/aws/s3, the aws:s3:arn
 * encryption context, SSEKMSEncryptionContext), "Reducing the cost of SSE-KMS with Amazon S3
 * Bucket Keys", "Using dual-layer server-side encryption (DSSE-KMS)", "Using server-side encryption
 * with customer-provided keys (SSE-C)" and "Blocking or unblocking SSE-C for a general purpose
 * bucket" (SSE-C blocked by default on new buckets since April 2026, BlockedEncryptionTypes).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { md5 } from '@noble/hashes/legacy.js';
import { createS3Service, type S3Client, type S3Service } from '../../../src/services/s3/index.js';
import { S3ServiceException } from '../../../src/services/service-error.js';
import { openRegionalStore } from '../../../src/services/regional-store.js';
import { KmsKeyring, decrypt, encrypt } from '../../../src/core/index.js';
import { ACCOUNT, ALICE, decodeContext, encodeContext, fixture, rejection, text, type Fixture } from './helpers.js';

let f: Fixture;
let service: S3Service;
let s3: S3Client;

beforeEach(async () => {
  f = await fixture();
  service = await createS3Service({ kms: f.kms, storage: 'memory', name: f.name, now: () => f.clock.t });
  s3 = service.client('us-east-1');
});
afterEach(async () => {
  service.close();
  await f.kms.close();
});

const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

describe('buckets and default encryption', () => {
  it('a new bucket encrypts with SSE-S3 and blocks SSE-C; objects need no KMS call', async () => {
    await s3.createBucket({ Bucket: 'photos' });
    const { ServerSideEncryptionConfiguration } = await s3.getBucketEncryption({ Bucket: 'photos' });
    expect(ServerSideEncryptionConfiguration.Rules).toEqual([{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false, BlockedEncryptionTypes: { EncryptionType: ['SSE-C'] } }]);
    const put = await s3.putObject({ Bucket: 'photos', Key: 'a.txt', Body: 'hello' });
    expect(put.ServerSideEncryption).toBe('AES256');
    expect(put.ETag).toBe(`"${[...md5(text('hello'))].map((b) => b.toString(16).padStart(2, '0')).join('')}"`);
    const got = await s3.getObject({ Bucket: 'photos', Key: 'a.txt' });
    expect(await got.Body.transformToString()).toBe('hello');
    expect(got.ServerSideEncryption).toBe('AES256');
    expect(f.calls.length).toBe(0);
  });

  it('stores only ciphertext: the stored record holds neither the body nor a key', async () => {
    await s3.createBucket({ Bucket: 'secret' });
    const marker = 'a very recognisable plaintext marker';
    await s3.putObject({ Bucket: 'secret', Key: 'k', Body: marker });
    const store = await openRegionalStore({ storage: 'memory', name: f.name, account: ACCOUNT, region: 'us-east-1' }, { service: 's3', version: 1, stores: { objects: { keyPath: 'id' } } });
    const [record] = await store.all<{ body: { ciphertext: Uint8Array } }>('objects');
    expect(new TextDecoder().decode(record!.body.ciphertext)).not.toContain(marker);
    expect(JSON.stringify(record, (_k, v) => (v instanceof Uint8Array ? b64(v) : v))).not.toContain(b64(text(marker)));
  });

  it('names: taken names, bad names, location constraints, non-empty buckets, other regions', async () => {
    await s3.createBucket({ Bucket: 'taken' });
    expect((await rejection(s3.createBucket({ Bucket: 'taken' }))).name).toBe('BucketAlreadyOwnedByYou');
    expect((await rejection(service.client('eu-west-1').createBucket({ Bucket: 'taken', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }))).name).toBe('BucketAlreadyOwnedByYou');
    expect((await rejection(s3.createBucket({ Bucket: 'Bad_Name' }))).name).toBe('InvalidBucketName');
    expect((await rejection(service.client('eu-west-1').createBucket({ Bucket: 'nowhere' }))).name).toBe('IllegalLocationConstraintException');
    await s3.putObject({ Bucket: 'taken', Key: 'x', Body: 'x' });
    const notEmpty = await rejection(s3.deleteBucket({ Bucket: 'taken' }));
    expect(notEmpty.name).toBe('BucketNotEmpty');
    expect(notEmpty.$metadata?.httpStatusCode).toBe(409);
    expect((await rejection(s3.getObject({ Bucket: 'absent', Key: 'x' }))).name).toBe('NoSuchBucket');
    expect((await rejection(s3.getObject({ Bucket: 'taken', Key: 'absent' }))).name).toBe('NoSuchKey');
    expect((await rejection(s3.putObject({ Bucket: 'taken', Key: 'k'.repeat(1025), Body: 'x' }))).name).toBe('KeyTooLongError');
    expect((await rejection(s3.listObjectsV2({ Bucket: 'taken', ContinuationToken: '%%%' }))).name).toBe('InvalidArgument');
    await s3.deleteObject({ Bucket: 'taken', Key: 'x' });
    await s3.deleteBucket({ Bucket: 'taken' });
    expect((await s3.listBuckets()).Buckets).toEqual([]);
  });

  it('PutBucketEncryption does not validate the KMS key; the first write does (API reference, PutBucketEncryption)', async () => {
    await s3.createBucket({ Bucket: 'typo' });
    const missing = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    await s3.putBucketEncryption({ Bucket: 'typo', ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: missing } }] } });
    expect(f.calls.length).toBe(0);
    const error = await rejection(s3.putObject({ Bucket: 'typo', Key: 'k', Body: 'x' }));
    expect(error.name).toBe('KMS.NotFoundException');
    expect(error).toBeInstanceOf(S3ServiceException);
    expect((await rejection(s3.putBucketEncryption({ Bucket: 'typo', ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256', KMSMasterKeyID: missing } }] } }))).name).toBe('InvalidArgument');
  });

  it('DeleteBucketEncryption returns the bucket to SSE-S3', async () => {
    await s3.createBucket({ Bucket: 'bkt' });
    await s3.putBucketEncryption({ Bucket: 'bkt', ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }] } });
    expect((await s3.putObject({ Bucket: 'bkt', Key: '1', Body: 'x' })).ServerSideEncryption).toBe('aws:kms');
    await s3.deleteBucketEncryption({ Bucket: 'bkt' });
    expect((await s3.putObject({ Bucket: 'bkt', Key: '2', Body: 'x' })).ServerSideEncryption).toBe('AES256');
  });
});

describe('SSE-KMS', () => {
  it('without a key named, uses the AWS managed key alias/aws/s3, created on first use, with the object ARN as context', async () => {
    await s3.createBucket({ Bucket: 'docs' });
    const put = await s3.putObject({ Bucket: 'docs', Key: 'report.pdf', Body: 'quarterly', ServerSideEncryption: 'aws:kms' });
    const { KeyMetadata } = await f.kms.region('us-east-1').describeKey({ KeyId: 'alias/aws/s3' });
    expect(KeyMetadata.KeyManager).toBe('AWS');
    expect(put.SSEKMSKeyId).toBe(KeyMetadata.Arn);
    expect(put.BucketKeyEnabled).toBe(false);
    expect(decodeContext(put.SSEKMSEncryptionContext)).toEqual({ 'aws:s3:arn': 'arn:aws:s3:::docs/report.pdf' });
    // The AWS managed key serves only through S3: the same caller going to the KMS directly is refused.
    const direct = await rejection(f.kms.region('us-east-1').generateDataKey({ KeyId: 'alias/aws/s3', KeySpec: 'AES_256' }));
    expect(direct.name).toBe('AccessDeniedException');
    expect(await (await s3.getObject({ Bucket: 'docs', Key: 'report.pdf' })).Body.transformToString()).toBe('quarterly');
    expect(f.count('GenerateDataKey', { ok: true })).toBe(1);
    expect(f.count('Decrypt', { ok: true })).toBe(1);
  });

  it('the KMS call is the caller\'s, through s3.<region>.amazonaws.com, with the encryption context S3 documents', async () => {
    await s3.createBucket({ Bucket: 'audit' });
    await s3.putObject({ Bucket: 'audit', Key: 'k', Body: 'x', ServerSideEncryption: 'aws:kms' });
    await f.kms.audit.flush();
    const records = await f.kms.audit.query({ eventName: 'GenerateDataKey' });
    expect(records).toHaveLength(1);
    const record = records[0] as unknown as { userIdentity: { arn: string; invokedBy?: string }; requestParameters: { encryptionContext: Record<string, string> } };
    expect(record.userIdentity.arn).toBe(`arn:aws:iam::${ACCOUNT}:root`);
    expect(record.userIdentity.invokedBy).toBe('s3.amazonaws.com');
    expect(record.requestParameters.encryptionContext).toEqual({ 'aws:s3:arn': 'arn:aws:s3:::audit/k' });
  });

  it('a customer key from the bucket default, and SSEKMSEncryptionContext stored and replayed', async () => {
    const { KeyMetadata } = await f.kms.region('us-east-1').createKey({});
    await s3.createBucket({ Bucket: 'cmk' });
    await s3.putBucketEncryption({ Bucket: 'cmk', ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: KeyMetadata.KeyId } }] } });
    const put = await s3.putObject({ Bucket: 'cmk', Key: 'a', Body: 'x', SSEKMSEncryptionContext: encodeContext({ project: 'apollo' }) });
    expect(put.SSEKMSKeyId).toBe(KeyMetadata.Arn);
    expect(decodeContext(put.SSEKMSEncryptionContext)).toEqual({ project: 'apollo', 'aws:s3:arn': 'arn:aws:s3:::cmk/a' });
    const head = await s3.headObject({ Bucket: 'cmk', Key: 'a' });
    expect(decodeContext(head.SSEKMSEncryptionContext)).toEqual({ project: 'apollo', 'aws:s3:arn': 'arn:aws:s3:::cmk/a' });
    expect((await rejection(s3.putObject({ Bucket: 'cmk', Key: 'b', Body: 'x', SSEKMSEncryptionContext: 'not base64 json' }))).name).toBe('InvalidArgument');
  });

  it('a disabled key makes GetObject fail at once with KMS.DisabledException; pending deletion with KMS.KMSInvalidStateException', async () => {
    const kms = f.kms.region('us-east-1');
    const { KeyMetadata } = await kms.createKey({});
    await s3.createBucket({ Bucket: 'bkt' });
    await s3.putObject({ Bucket: 'bkt', Key: 'k', Body: 'data', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: KeyMetadata.Arn });
    await kms.disableKey({ KeyId: KeyMetadata.KeyId });
    const disabled = await rejection(s3.getObject({ Bucket: 'bkt', Key: 'k' }));
    expect(disabled.name).toBe('KMS.DisabledException');
    expect(disabled.$metadata?.httpStatusCode).toBe(400);
    expect((await rejection(s3.putObject({ Bucket: 'bkt', Key: 'k2', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: KeyMetadata.Arn }))).name).toBe('KMS.DisabledException');
    await kms.enableKey({ KeyId: KeyMetadata.KeyId });
    expect(await (await s3.getObject({ Bucket: 'bkt', Key: 'k' })).Body.transformToString()).toBe('data');
    await kms.scheduleKeyDeletion({ KeyId: KeyMetadata.KeyId, PendingWindowInDays: 7 });
    expect((await rejection(s3.getObject({ Bucket: 'bkt', Key: 'k' }))).name).toBe('KMS.KMSInvalidStateException');
    // Once deleted, nothing decrypts it ever again.
    f.clock.t += 8 * 86_400_000;
    expect((await rejection(s3.getObject({ Bucket: 'bkt', Key: 'k' }))).name).toMatch(/^KMS\.(NotFoundException|KMSInvalidStateException)$/);
  });

  it('a key policy allowing the user only through S3 (kms:ViaService) works for S3 and refuses direct use', async () => {
    const kms = f.kms.region('us-east-1');
    const policy = {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'admin', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
        { Sid: 'use via s3', Effect: 'Allow', Principal: { AWS: ALICE }, Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: '*', Condition: { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } } },
      ],
    };
    const { KeyMetadata } = await kms.createKey({ Policy: JSON.stringify(policy) });
    await s3.createBucket({ Bucket: 'shared' });
    const alice = service.client('us-east-1', { principal: ALICE });
    await alice.putObject({ Bucket: 'shared', Key: 'k', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: KeyMetadata.Arn });
    expect(await (await alice.getObject({ Bucket: 'shared', Key: 'k' })).Body.transformToString()).toBe('x');
    expect(f.count('GenerateDataKey', { ok: true, principal: ALICE })).toBe(1);
    const direct = await rejection(f.kms.region('us-east-1', { principal: ALICE }).generateDataKey({ KeyId: KeyMetadata.Arn, KeySpec: 'AES_256' }));
    expect(direct.name).toBe('AccessDeniedException');
    // A user the policy does not name is refused through S3 too: S3 answers AccessDenied (403).
    const bob = service.client('us-east-1', { principal: `arn:aws:iam::${ACCOUNT}:user/bob` });
    const refused = await rejection(bob.getObject({ Bucket: 'shared', Key: 'k' }));
    expect(refused.name).toBe('AccessDenied');
    expect(refused.$metadata?.httpStatusCode).toBe(403);
  });

  it('a KMS key of another region is not found (the key must be in the bucket\'s region)', async () => {
    const { KeyMetadata } = await f.kms.region('eu-west-1').createKey({});
    await s3.createBucket({ Bucket: 'east' });
    expect((await rejection(s3.putObject({ Bucket: 'east', Key: 'k', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: KeyMetadata.Arn }))).name).toBe('KMS.NotFoundException');
  });
});

describe('S3 Bucket Keys', () => {
  const OBJECTS = 40;
  async function writeAndRead(bucketKey: boolean) {
    const { KeyMetadata } = await f.kms.region('us-east-1').createKey({});
    const bucket = bucketKey ? 'with-bucket-key' : 'without-bucket-key';
    await s3.createBucket({ Bucket: bucket });
    await s3.putBucketEncryption({ Bucket: bucket, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: KeyMetadata.Arn }, BucketKeyEnabled: bucketKey }] } });
    const before = { gdk: f.count('GenerateDataKey'), decrypt: f.count('Decrypt') };
    for (let i = 0; i < OBJECTS; i++) await s3.putObject({ Bucket: bucket, Key: `o${i}`, Body: `body ${i}` });
    for (let i = 0; i < OBJECTS; i++) expect(await (await s3.getObject({ Bucket: bucket, Key: `o${i}` })).Body.transformToString()).toBe(`body ${i}`);
    return { GenerateDataKey: f.count('GenerateDataKey') - before.gdk, Decrypt: f.count('Decrypt') - before.decrypt, keyArn: KeyMetadata.Arn };
  }

  it(`cut KMS calls: ${OBJECTS} objects written and read, with and without a Bucket Key`, async () => {
    const without = await writeAndRead(false);
    const withKey = await writeAndRead(true);
    console.log(`KMS calls for ${OBJECTS} PutObject + ${OBJECTS} GetObject: without a Bucket Key GenerateDataKey=${without.GenerateDataKey} Decrypt=${without.Decrypt}; with a Bucket Key GenerateDataKey=${withKey.GenerateDataKey} Decrypt=${withKey.Decrypt}`);
    expect(without).toMatchObject({ GenerateDataKey: OBJECTS, Decrypt: OBJECTS });
    expect(withKey).toMatchObject({ GenerateDataKey: 1, Decrypt: 0 });
  });

  it('the context is the bucket ARN, BucketKeyEnabled is reported, and a new bucket-level key is made when the old one expires', async () => {
    const { KeyMetadata } = await f.kms.region('us-east-1').createKey({});
    await s3.createBucket({ Bucket: 'bkey' });
    const put = await s3.putObject({ Bucket: 'bkey', Key: 'a', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: KeyMetadata.Arn, BucketKeyEnabled: true });
    expect(put.BucketKeyEnabled).toBe(true);
    expect(decodeContext(put.SSEKMSEncryptionContext)).toEqual({ 'aws:s3:arn': 'arn:aws:s3:::bkey' });
    expect((await s3.headObject({ Bucket: 'bkey', Key: 'a' })).BucketKeyEnabled).toBe(true);
    f.clock.t += 11 * 60_000;
    await s3.putObject({ Bucket: 'bkey', Key: 'b', Body: 'y', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: KeyMetadata.Arn, BucketKeyEnabled: true });
    expect(f.count('GenerateDataKey')).toBe(2);
    // Reading after the lifetime decrypts the bucket-level key again, once for both objects written under it.
    f.clock.t += 11 * 60_000;
    await s3.getObject({ Bucket: 'bkey', Key: 'a' });
    await s3.getObject({ Bucket: 'bkey', Key: 'a' });
    expect(f.count('Decrypt')).toBe(1);
    // A disabled key stops new bucket-level keys and reads past the cached key's lifetime.
    await f.kms.region('us-east-1').disableKey({ KeyId: KeyMetadata.KeyId });
    f.clock.t += 11 * 60_000;
    expect((await rejection(s3.getObject({ Bucket: 'bkey', Key: 'a' }))).name).toBe('KMS.DisabledException');
    expect((await rejection(s3.putObject({ Bucket: 'bkey', Key: 'c', Body: 'z', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: KeyMetadata.Arn, BucketKeyEnabled: true }))).name).toBe('KMS.DisabledException');
  });
});

describe('DSSE-KMS', () => {
  it('two independent layers: two data keys to write, two Decrypts to read, never a Bucket Key', async () => {
    const { KeyMetadata } = await f.kms.region('us-east-1').createKey({});
    await s3.createBucket({ Bucket: 'dsse' });
    await s3.putBucketEncryption({ Bucket: 'dsse', ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms:dsse', KMSMasterKeyID: KeyMetadata.Arn }, BucketKeyEnabled: true }] } });
    const put = await s3.putObject({ Bucket: 'dsse', Key: 'k', Body: 'two layers' });
    expect(put).toMatchObject({ ServerSideEncryption: 'aws:kms:dsse', SSEKMSKeyId: KeyMetadata.Arn, BucketKeyEnabled: false });
    expect(f.count('GenerateDataKey')).toBe(2);
    expect(await (await s3.getObject({ Bucket: 'dsse', Key: 'k' })).Body.transformToString()).toBe('two layers');
    expect(f.count('Decrypt')).toBe(2);
  });
});

describe('SSE-C', () => {
  const key = new Uint8Array(32).fill(7);
  const other = new Uint8Array(32).fill(8);
  const sseC = (k: Uint8Array) => ({ SSECustomerAlgorithm: 'AES256', SSECustomerKey: b64(k), SSECustomerKeyMD5: b64(md5(k)) });
  const unblock = (bucket: string) => s3.putBucketEncryption({ Bucket: bucket, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BlockedEncryptionTypes: { EncryptionType: ['NONE'] } }] } });

  it('is blocked on new buckets with 403 AccessDenied until BlockedEncryptionTypes unblocks it', async () => {
    await s3.createBucket({ Bucket: 'ssec' });
    const blocked = await rejection(s3.putObject({ Bucket: 'ssec', Key: 'k', Body: 'x', ...sseC(key) }));
    expect(blocked.name).toBe('AccessDenied');
    expect(blocked.$metadata?.httpStatusCode).toBe(403);
    await unblock('ssec');
    const put = await s3.putObject({ Bucket: 'ssec', Key: 'k', Body: 'customer data', ...sseC(key) });
    expect(put).toMatchObject({ SSECustomerAlgorithm: 'AES256', SSECustomerKeyMD5: b64(md5(key)) });
    expect(put.ServerSideEncryption).toBeUndefined();
    expect(f.calls.length).toBe(0);
  });

  it('reads need the same key: none is InvalidRequest, a wrong one AccessDenied; HeadObject checks it too', async () => {
    await s3.createBucket({ Bucket: 'ssec' });
    await unblock('ssec');
    await s3.putObject({ Bucket: 'ssec', Key: 'k', Body: 'customer data', ...sseC(key) });
    expect((await rejection(s3.getObject({ Bucket: 'ssec', Key: 'k' }))).name).toBe('InvalidRequest');
    const wrong = await rejection(s3.getObject({ Bucket: 'ssec', Key: 'k', ...sseC(other) }));
    expect(wrong.name).toBe('AccessDenied');
    expect(wrong.message).not.toContain(b64(other));
    expect((await rejection(s3.headObject({ Bucket: 'ssec', Key: 'k', ...sseC(other) }))).name).toBe('AccessDenied');
    expect(await (await s3.getObject({ Bucket: 'ssec', Key: 'k', ...sseC(key) })).Body.transformToString()).toBe('customer data');
    // The SDK computes the MD5 when it is left out; a wrong MD5 is InvalidArgument.
    expect(await (await s3.getObject({ Bucket: 'ssec', Key: 'k', SSECustomerAlgorithm: 'AES256', SSECustomerKey: b64(key) })).Body.transformToString()).toBe('customer data');
    expect((await rejection(s3.getObject({ Bucket: 'ssec', Key: 'k', SSECustomerAlgorithm: 'AES256', SSECustomerKey: b64(key), SSECustomerKeyMD5: b64(md5(other)) }))).name).toBe('InvalidArgument');
    expect((await rejection(s3.putObject({ Bucket: 'ssec', Key: 'short', Body: 'x', SSECustomerAlgorithm: 'AES256', SSECustomerKey: b64(new Uint8Array(16)) }))).name).toBe('InvalidArgument');
    // A 32-character string that is not base64 of 32 bytes is the key's own UTF-8 bytes, as the SDK takes it.
    const raw = 'k'.repeat(32);
    await s3.putObject({ Bucket: 'ssec', Key: 'raw', Body: 'raw key', SSECustomerAlgorithm: 'AES256', SSECustomerKey: raw });
    expect(await (await s3.getObject({ Bucket: 'ssec', Key: 'raw', SSECustomerAlgorithm: 'AES256', SSECustomerKey: b64(text(raw)) })).Body.transformToString()).toBe('raw key');
    expect((await rejection(s3.putObject({ Bucket: 'ssec', Key: 'both', Body: 'x', ServerSideEncryption: 'AES256', ...sseC(key) }))).name).toBe('InvalidArgument');
  });

  it('never stores the key: only a salted HMAC of it', async () => {
    await s3.createBucket({ Bucket: 'ssec' });
    await unblock('ssec');
    await s3.putObject({ Bucket: 'ssec', Key: 'k', Body: 'x', ...sseC(key) });
    const store = await openRegionalStore({ storage: 'memory', name: f.name, account: ACCOUNT, region: 'us-east-1' }, { service: 's3', version: 1, stores: { objects: { keyPath: 'id' } } });
    const [record] = await store.all<{ body: { encryption: Record<string, unknown> } }>('objects');
    expect(Object.keys(record!.body.encryption).sort()).toEqual(['check', 'keyMD5', 'mode', 'salt']);
    const serialized = JSON.stringify(record, (_k, v) => (v instanceof Uint8Array ? b64(v) : v));
    expect(serialized).not.toContain(b64(key));
  });

  it('blocking again leaves existing SSE-C objects readable', async () => {
    await s3.createBucket({ Bucket: 'ssec' });
    await unblock('ssec');
    await s3.putObject({ Bucket: 'ssec', Key: 'k', Body: 'kept', ...sseC(key) });
    await s3.putBucketEncryption({ Bucket: 'ssec', ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BlockedEncryptionTypes: { EncryptionType: ['SSE-C'] } }] } });
    expect((await rejection(s3.putObject({ Bucket: 'ssec', Key: 'new', Body: 'x', ...sseC(key) }))).name).toBe('AccessDenied');
    expect(await (await s3.getObject({ Bucket: 'ssec', Key: 'k', ...sseC(key) })).Body.transformToString()).toBe('kept');
  });
});

describe('objects', () => {
  it('CopyObject re-encrypts to the destination bucket\'s settings, not the source\'s', async () => {
    const { KeyMetadata } = await f.kms.region('us-east-1').createKey({});
    await s3.createBucket({ Bucket: 'src' });
    await s3.createBucket({ Bucket: 'dst' });
    await s3.putBucketEncryption({ Bucket: 'dst', ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: KeyMetadata.Arn } }] } });
    await s3.putObject({ Bucket: 'src', Key: 'a b.txt', Body: 'copied', Metadata: { owner: 'ann' } });
    const copy = await s3.copyObject({ Bucket: 'dst', Key: 'copy.txt', CopySource: encodeURIComponent('src/a b.txt') });
    expect(copy).toMatchObject({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: KeyMetadata.Arn });
    const got = await s3.getObject({ Bucket: 'dst', Key: 'copy.txt' });
    expect(await got.Body.transformToString()).toBe('copied');
    expect(got.Metadata).toEqual({ owner: 'ann' });
    expect(decodeContext(got.SSEKMSEncryptionContext)).toEqual({ 'aws:s3:arn': 'arn:aws:s3:::dst/copy.txt' });
    // Back to SSE-S3 by asking for it.
    const back = await s3.copyObject({ Bucket: 'src', Key: 'again.txt', CopySource: 'dst/copy.txt', ServerSideEncryption: 'AES256' });
    expect(back.ServerSideEncryption).toBe('AES256');
  });

  it('ListObjectsV2 pages by key; versioned deletes leave delete markers and versions readable by id', async () => {
    await s3.createBucket({ Bucket: 'versions' });
    await s3.putBucketVersioning({ Bucket: 'versions', VersioningConfiguration: { Status: 'Enabled' } });
    for (const k of ['b', 'a', 'c/1', 'c/2']) await s3.putObject({ Bucket: 'versions', Key: k, Body: k });
    const first = await s3.listObjectsV2({ Bucket: 'versions', MaxKeys: 2 });
    expect(first.Contents.map((c) => c.Key)).toEqual(['a', 'b']);
    expect(first.IsTruncated).toBe(true);
    const second = await s3.listObjectsV2({ Bucket: 'versions', MaxKeys: 2, ContinuationToken: first.NextContinuationToken! });
    expect(second.Contents.map((c) => c.Key)).toEqual(['c/1', 'c/2']);
    expect((await s3.listObjectsV2({ Bucket: 'versions', Prefix: 'c/' })).KeyCount).toBe(2);
    const v1 = await s3.putObject({ Bucket: 'versions', Key: 'a', Body: 'a2' });
    const deleted = await s3.deleteObject({ Bucket: 'versions', Key: 'a' });
    expect(deleted.DeleteMarker).toBe(true);
    expect((await rejection(s3.getObject({ Bucket: 'versions', Key: 'a' }))).name).toBe('NoSuchKey');
    expect(await (await s3.getObject({ Bucket: 'versions', Key: 'a', VersionId: v1.VersionId! })).Body.transformToString()).toBe('a2');
    expect((await s3.listObjectsV2({ Bucket: 'versions' })).Contents.map((c) => c.Key)).toEqual(['b', 'c/1', 'c/2']);
  });

  it('a body the kit encrypted on the client (an ESDK message) is stored as is and decrypts with the keyring', async () => {
    const kms = f.kms.region('us-east-1');
    const { KeyMetadata } = await kms.createKey({});
    const keyring = new KmsKeyring({ generatorKeyId: KeyMetadata.Arn, clientFor: () => kms });
    const { ciphertext } = await encrypt(keyring, text('client-side secret'), { encryptionContext: { purpose: 'upload' } });
    await s3.createBucket({ Bucket: 'cse' });
    await s3.putObject({ Bucket: 'cse', Key: 'msg', Body: ciphertext, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: KeyMetadata.Arn, ContentType: 'application/octet-stream' });
    const got = await s3.getObject({ Bucket: 'cse', Key: 'msg' });
    const bytes = await got.Body.transformToByteArray();
    expect(bytes).toEqual(ciphertext);
    expect(new TextDecoder().decode((await decrypt(keyring, bytes)).plaintext)).toBe('client-side secret');
  });
});
