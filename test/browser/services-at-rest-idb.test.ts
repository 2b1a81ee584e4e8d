/**
 * S3, ECR and Inspector on IndexedDB, in real browsers: objects in every encryption mode, replicas,
 * repository grants and code snippets survive a "reload" (closing KMS and services and creating
 * them again on the same databases), the SSE-S3 service key is a non-extractable CryptoKey that
 * survives with them, a second instance (another tab) sees the first one's writes, and what
 * IndexedDB holds is ciphertext only. The rules themselves are tested in Node
 * (test/services/at-rest/); this is the storage they run on in a page.
 */
import { expect } from 'chai';
import { openDB } from 'idb';
import { createKms, deleteKmsStorage, type Kms } from '../../src/kms/index.js';
import { createS3Service, createServices, deleteServicesStorage, type Services } from '../../src/services/index.js';
import { deleteRegionalStore, openRegionalStore } from '../../src/services/regional-store.js';
import { rejection } from '../support/outcome.js';
import { describe, it } from '../support/bdd.js';

let counter = 0;
const ACCOUNT = '111122223333';

async function withStorage(body: (open: () => Promise<{ kms: Kms; services: Services }>, name: string) => Promise<void>): Promise<void> {
  const name = `at-rest-browser-test-${Date.now()}-${counter++}`;
  const clock = { t: Date.UTC(2026, 0, 1) };
  const opened: { kms: Kms; services: Services }[] = [];
  const open = async () => {
    const kms = await createKms({ storage: 'indexeddb', name, now: () => clock.t });
    const services = await createServices({ kms });
    opened.push({ kms, services });
    return { kms, services };
  };
  try {
    await body(open, name);
  } finally {
    for (const { kms, services } of opened) {
      services.close();
      await kms.close();
    }
    await deleteServicesStorage({ storage: 'indexeddb', name });
    await deleteKmsStorage({ storage: 'indexeddb', name });
  }
}


const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const dump = (value: unknown) => JSON.stringify(value, (_k, v: unknown) => (v instanceof Uint8Array ? Array.from(v, (b) => String.fromCharCode(b)).join('') : v));

describe('S3, ECR and Inspector on IndexedDB', () => {
  it('S3 objects of every mode persist across a reload; IndexedDB holds ciphertext and a non-extractable service key', () =>
    withStorage(async (open, name) => {
      const first = await open();
      const s3 = first.services.s3('us-east-1');
      const { KeyMetadata } = await first.kms.region('us-east-1').createKey({});
      const customerKey = crypto.getRandomValues(new Uint8Array(32));
      const sseC = { SSECustomerAlgorithm: 'AES256', SSECustomerKey: b64(customerKey) };
      await s3.createBucket({ Bucket: 'browser-bucket' });
      await s3.putBucketEncryption({ Bucket: 'browser-bucket', ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BlockedEncryptionTypes: { EncryptionType: ['NONE'] } }] } });
      await s3.putObject({ Bucket: 'browser-bucket', Key: 'sse-s3', Body: 'plain-marker-one' });
      await s3.putObject({ Bucket: 'browser-bucket', Key: 'sse-kms', Body: 'plain-marker-two', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: KeyMetadata.Arn, BucketKeyEnabled: true });
      await s3.putObject({ Bucket: 'browser-bucket', Key: 'dsse', Body: 'plain-marker-three', ServerSideEncryption: 'aws:kms:dsse', SSEKMSKeyId: KeyMetadata.Arn });
      await s3.putObject({ Bucket: 'browser-bucket', Key: 'sse-c', Body: 'plain-marker-four', ...sseC });
      first.services.close();
      await first.kms.close();

      const second = await open();
      const again = second.services.s3('us-east-1');
      expect(await (await again.getObject({ Bucket: 'browser-bucket', Key: 'sse-s3' })).Body.transformToString()).to.equal('plain-marker-one');
      const kmsObject = await again.getObject({ Bucket: 'browser-bucket', Key: 'sse-kms' });
      expect(await kmsObject.Body.transformToString()).to.equal('plain-marker-two');
      expect(kmsObject.BucketKeyEnabled).to.equal(true);
      expect(await (await again.getObject({ Bucket: 'browser-bucket', Key: 'dsse' })).Body.transformToString()).to.equal('plain-marker-three');
      expect(await (await again.getObject({ Bucket: 'browser-bucket', Key: 'sse-c', ...sseC })).Body.transformToString()).to.equal('plain-marker-four');
      expect((await rejection(again.getObject({ Bucket: 'browser-bucket', Key: 'sse-c', SSECustomerAlgorithm: 'AES256', SSECustomerKey: b64(new Uint8Array(32)) }))).name).to.equal('AccessDenied');
      await second.kms.region('us-east-1').disableKey({ KeyId: KeyMetadata.KeyId });
      expect((await rejection(again.getObject({ Bucket: 'browser-bucket', Key: 'dsse' }))).name).to.equal('KMS.DisabledException');

      const db = await openDB(`${name}:${ACCOUNT}:us-east-1:s3`);
      const objects = await db.getAll('objects');
      const meta = await db.get('meta', 'sse-s3-key');
      db.close();
      expect(objects).to.have.length(4);
      const stored = dump(objects);
      for (const marker of ['plain-marker-one', 'plain-marker-two', 'plain-marker-three', 'plain-marker-four']) expect(stored).to.not.contain(marker);
      expect(stored).to.not.contain(String.fromCharCode(...customerKey));
      expect(meta.key).to.be.instanceOf(CryptoKey);
      expect(meta.key.extractable).to.equal(false);
    }));

  it('replication to another Region persists its status; a second instance (another tab) sees objects at once', () =>
    withStorage(async (open) => {
      const a = await open();
      const b = await open();
      const east = a.services.s3('us-east-1');
      const west = a.services.s3('eu-west-1');
      const replicaKey = (await a.kms.region('eu-west-1').createKey({})).KeyMetadata.Arn;
      const sourceKey = (await a.kms.region('us-east-1').createKey({})).KeyMetadata.Arn;
      await a.kms.iam.putRolePolicy({ RoleName: 'replication', PolicyName: 'kms', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['kms:Decrypt', 'kms:Encrypt'], Resource: [sourceKey, replicaKey] }] }) });
      await east.createBucket({ Bucket: 'east-source' });
      await west.createBucket({ Bucket: 'west-replica', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } });
      await east.putBucketVersioning({ Bucket: 'east-source', VersioningConfiguration: { Status: 'Enabled' } });
      await west.putBucketVersioning({ Bucket: 'west-replica', VersioningConfiguration: { Status: 'Enabled' } });
      await east.putBucketReplication({
        Bucket: 'east-source',
        ReplicationConfiguration: {
          Role: `arn:aws:iam::${ACCOUNT}:role/replication`,
          Rules: [{ Status: 'Enabled', SourceSelectionCriteria: { SseKmsEncryptedObjects: { Status: 'Enabled' } }, Destination: { Bucket: 'arn:aws:s3:::west-replica', EncryptionConfiguration: { ReplicaKmsKeyID: replicaKey } } }],
        },
      });
      await a.kms.simulate({ region: 'eu-west-1', outage: true });
      await east.putObject({ Bucket: 'east-source', Key: 'doc', Body: 'replicated', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: sourceKey });
      // The other tab reads the object and its PENDING status straight away.
      expect((await b.services.s3('us-east-1').headObject({ Bucket: 'east-source', Key: 'doc' })).ReplicationStatus).to.equal('PENDING');
      await a.kms.simulate({ region: 'eu-west-1', outage: false });
      await b.services.tick();
      expect((await east.headObject({ Bucket: 'east-source', Key: 'doc' })).ReplicationStatus).to.equal('COMPLETED');
      const replica = await west.getObject({ Bucket: 'west-replica', Key: 'doc' });
      expect(replica.SSEKMSKeyId).to.equal(replicaKey);
      expect(await replica.Body.transformToString()).to.equal('replicated');
    }));

  it('ECR repositories, their grants and images, and Inspector snippets persist across a reload', () =>
    withStorage(async (open) => {
      const first = await open();
      const ecr = first.services.ecr('us-east-1');
      await ecr.createRepository({ repositoryName: 'web', encryptionConfiguration: { encryptionType: 'KMS' } });
      const layer = new TextEncoder().encode('a layer of the image');
      const { uploadId } = await ecr.initiateLayerUpload({ repositoryName: 'web' });
      await ecr.uploadLayerPart({ repositoryName: 'web', uploadId, partFirstByte: 0, partLastByte: layer.length - 1, layerPartBlob: layer });
      const digest = `sha256:${Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', layer)), (x) => x.toString(16).padStart(2, '0')).join('')}`;
      await ecr.completeLayerUpload({ repositoryName: 'web', uploadId, layerDigests: [digest] });
      await ecr.putImage({ repositoryName: 'web', imageTag: 'v1', imageManifest: JSON.stringify({ schemaVersion: 2, layers: [{ digest }] }) });
      const inspector = first.services.inspector('us-east-1');
      const codeKey = (await first.kms.region('us-east-1').createKey({})).KeyMetadata.Arn;
      await inspector.enable({ resourceTypes: ['LAMBDA_CODE'] });
      await inspector.updateEncryptionKey({ kmsKeyId: codeKey, scanType: 'CODE', resourceType: 'AWS_LAMBDA_FUNCTION' });
      const { findingArn } = await inspector.simulateCodeFinding({ functionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:f`, startLine: 3, lines: ['exec(userInput)'] });
      first.services.close();
      await first.kms.close();

      const second = await open();
      const ecrAgain = second.services.ecr('us-east-1');
      const { repositories } = await ecrAgain.describeRepositories();
      expect(repositories.map((r) => r.encryptionConfiguration.encryptionType)).to.deep.equal(['KMS']);
      const { Grants } = await second.kms.region('us-east-1').listGrants({ KeyId: repositories[0]!.encryptionConfiguration.kmsKey! });
      expect(Grants).to.have.length(2);
      expect(Array.from((await ecrAgain.getDownloadUrlForLayer({ repositoryName: 'web', layerDigest: digest })).layerBlob)).to.deep.equal(Array.from(layer));
      const snippets = await second.services.inspector('us-east-1').batchGetCodeSnippet({ findingArns: [findingArn] });
      expect(snippets.codeSnippetResults[0]!.codeSnippet[0]!.content).to.equal('exec(userInput)');
      expect((await second.services.inspector('us-east-1').getEncryptionKey({ scanType: 'CODE', resourceType: 'AWS_LAMBDA_FUNCTION' })).kmsKeyId).to.equal(codeKey);
      const deleted = await ecrAgain.deleteRepository({ repositoryName: 'web', force: true });
      expect(deleted.kmsGrantsNotRetired).to.equal(undefined);
    }));

  it('bodies from largeBodyBytes on are kept in OPFS: IndexedDB holds a reference; overwrite and delete remove the file', () =>
    withStorage(async (open, name) => {
      const { kms } = await open();
      const s3 = await createS3Service({ kms, largeBodyBytes: 1024 });
      try {
        const client = s3.client('us-east-1');
        await client.createBucket({ Bucket: 'large-bodies' });
        const big = Uint8Array.from({ length: 200_000 }, (_v, i) => (i * 31 + 7) & 0xff);
        await client.putObject({ Bucket: 'large-bodies', Key: 'big', Body: big, ServerSideEncryption: 'aws:kms' });
        await client.putObject({ Bucket: 'large-bodies', Key: 'small', Body: 'tiny' });
        const db = await openDB(`${name}:${ACCOUNT}:us-east-1:s3`);
        const stored = await db.get('objects', 'large-bodies/big#null');
        const small = await db.get('objects', 'large-bodies/small#null');
        db.close();
        expect(small.body.ciphertext).to.be.instanceOf(Uint8Array);
        // A page of an engine that cannot write OPFS files outside workers (WebKitGTK: no
        // createWritable) keeps the bytes in IndexedDB, and everything else works the same.
        const canWrite = typeof (globalThis as { FileSystemFileHandle?: { prototype: { createWritable?: unknown } } }).FileSystemFileHandle?.prototype.createWritable === 'function';
        if (!canWrite) {
          expect(stored.body.ciphertext).to.be.instanceOf(Uint8Array);
          expect((await (await client.getObject({ Bucket: 'large-bodies', Key: 'big' })).Body.transformToByteArray()).length).to.equal(200_000);
          return;
        }
        expect(stored.body.ciphertext).to.have.property('opfsFile');
        expect(stored.body.ciphertext.byteLength).to.equal(200_016); // the AES-GCM tag
        const directory = await (await navigator.storage.getDirectory()).getDirectoryHandle(`envelope-kit-bodies-${encodeURIComponent(`${name}:${ACCOUNT}:us-east-1:s3`)}`);
        const files = async () => {
          const names: string[] = [];
          for await (const key of (directory as unknown as { keys(): AsyncIterable<string> }).keys()) names.push(key);
          return names;
        };
        expect(await files()).to.deep.equal([stored.body.ciphertext.opfsFile]);
        const got = await client.getObject({ Bucket: 'large-bodies', Key: 'big' });
        expect(Array.from((await got.Body.transformToByteArray()).subarray(0, 64))).to.deep.equal(Array.from(big.subarray(0, 64)));
        expect((await got.Body.transformToByteArray()).length).to.equal(200_000);
        expect((await client.listObjectsV2({ Bucket: 'large-bodies' })).Contents.map((c) => c.Size)).to.deep.equal([200_000, 4]);
        // An overwrite (unversioned: the same version id) replaces the file; a delete removes it.
        await client.putObject({ Bucket: 'large-bodies', Key: 'big', Body: new Uint8Array(50_000).fill(9) });
        const after = await files();
        expect(after).to.have.length(1);
        expect(after[0]).to.not.equal(stored.body.ciphertext.opfsFile);
        await client.deleteObject({ Bucket: 'large-bodies', Key: 'big' });
        expect(await files()).to.deep.equal([]);
      } finally {
        s3.close();
      }
    }));

  it('a service key is stored once: ifAbsent keeps the first of two tabs\' keys, in one transaction with other writes', async () => {
    const options = { storage: 'indexeddb' as const, name: `if-absent-${Date.now()}-${counter++}`, account: ACCOUNT, region: 'us-east-1' };
    const layout = { service: 's3', version: 1, stores: { meta: { keyPath: 'id' }, buckets: { keyPath: 'Name' } } };
    const tabA = await openRegionalStore(options, layout);
    const tabB = await openRegionalStore(options, layout);
    try {
      const [keyA, keyB] = await Promise.all([0, 1].map(() => crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt'])));
      await tabA.commit([{ store: 'meta', value: { id: 'sse-s3-key', key: keyA, tab: 'a' }, ifAbsent: true }]);
      // The second tab's key is not stored, and the rest of its commit still is.
      await tabB.commit([{ store: 'meta', value: { id: 'sse-s3-key', key: keyB, tab: 'b' }, ifAbsent: true }, { store: 'buckets', value: { Name: 'written-anyway' } }]);
      expect((await tabB.get<{ tab: string }>('meta', 'sse-s3-key'))!.tab).to.equal('a');
      expect(await tabA.get('buckets', 'written-anyway')).to.deep.equal({ Name: 'written-anyway' });
    } finally {
      tabA.close();
      tabB.close();
      await deleteRegionalStore(options, 's3');
    }
  });

  it('failure paths on IndexedDB: a key policy denying S3\'s ViaService, a revoked ECR grant, grants that cannot be retired', () =>
    withStorage(async (open) => {
      const { kms, services } = await open();
      const root = `arn:aws:iam::${ACCOUNT}:root`;
      const alice = `arn:aws:iam::${ACCOUNT}:user/alice`;
      const denyViaS3 = {
        Version: '2012-10-17',
        Statement: [
          { Sid: 'admin', Effect: 'Allow', Principal: { AWS: root }, Action: 'kms:*', Resource: '*' },
          { Sid: 'not through S3', Effect: 'Deny', Principal: { AWS: '*' }, Action: 'kms:*', Resource: '*', Condition: { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } } },
        ],
      };
      const guarded = (await kms.region('us-east-1').createKey({ Policy: JSON.stringify(denyViaS3) })).KeyMetadata.Arn;
      const s3 = services.s3('us-east-1');
      await s3.createBucket({ Bucket: 'guarded-bucket' });
      expect((await rejection(s3.putObject({ Bucket: 'guarded-bucket', Key: 'k', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: guarded }))).name).to.equal('AccessDenied');
      // The same caller straight to the KMS is not "via S3": allowed.
      await kms.region('us-east-1').generateDataKey({ KeyId: guarded, KeySpec: 'AES_256' });

      const key = (await kms.region('us-east-1').createKey({})).KeyMetadata.Arn;
      await kms.iam.putUserPolicy({ UserName: 'alice', PolicyName: 'ecr', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['kms:CreateGrant', 'kms:DescribeKey'], Resource: key }] }) });
      const ecr = services.ecr('us-east-1', { principal: alice });
      await ecr.createRepository({ repositoryName: 'guarded-repo', encryptionConfiguration: { encryptionType: 'KMS', kmsKey: key } });
      const layer = new TextEncoder().encode('layer');
      const { uploadId } = await ecr.initiateLayerUpload({ repositoryName: 'guarded-repo' });
      await ecr.uploadLayerPart({ repositoryName: 'guarded-repo', uploadId, partFirstByte: 0, partLastByte: layer.length - 1, layerPartBlob: layer });
      const digest = `sha256:${Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', layer)), (x) => x.toString(16).padStart(2, '0')).join('')}`;
      await ecr.completeLayerUpload({ repositoryName: 'guarded-repo', uploadId, layerDigests: [digest] });
      const { Grants } = await kms.region('us-east-1').listGrants({ KeyId: key });
      for (const grant of Grants.filter((g) => g.Operations.includes('Decrypt'))) await kms.region('us-east-1').revokeGrant({ KeyId: key, GrantId: grant.GrantId });
      const pull = (await rejection(ecr.getDownloadUrlForLayer({ repositoryName: 'guarded-repo', layerDigest: digest }))) as Error & { kmsError?: string };
      expect(pull.name).to.equal('KmsException');
      expect(pull.kmsError).to.equal('AccessDeniedException');
      // alice has no kms:RetireGrant: the repository goes, the remaining grant stays, and she is told.
      const deleted = await ecr.deleteRepository({ repositoryName: 'guarded-repo', force: true });
      expect(deleted.kmsGrantsNotRetired?.message).to.contain('failed to be retired');
      expect((await kms.region('us-east-1').listGrants({ KeyId: key })).Grants).to.have.length(1);
      expect((await ecr.describeRepositories()).repositories).to.deep.equal([]);
    }));
});
