/**
 * kit.s3(region), kit.ecr(region) and kit.inspector(region) through the kit's real worker: an
 * object the page encrypted with kit.encrypt stored in S3 and read back for kit.decrypt, the SDK's
 * Body methods on the page, errors keeping their names across the boundary, replication retried
 * after a Region's outage, and ECR grants made as the kit's principal.
 */
import { expect } from 'chai';
import { deleteServicesAtRestStorage } from '../../src/services/at-rest.js';
import { describe, it } from '../support/bdd.js';
import { REGIONS, rejection, str, text, uniqueName, withKit } from './client-support.js';

const withServices = (body: Parameters<typeof withKit>[0]) => {
  const name = uniqueName();
  return withKit(body, { name }).finally(() => deleteServicesAtRestStorage({ storage: 'indexeddb', name, regions: REGIONS }));
};

describe('kit.s3, kit.ecr, kit.inspector', () => {
  it('stores a message the kit encrypted and gives it back to kit.decrypt; the Body has the SDK methods', () =>
    withServices(async (kit) => {
      const { KeyMetadata } = await kit.kms('us-east-1').createKey({});
      const { ciphertext: message } = await kit.encrypt('client-side, then server-side', { keyId: KeyMetadata.Arn, encryptionContext: { app: 'notes' } });
      const s3 = kit.s3('us-east-1');
      await s3.createBucket({ Bucket: 'kit-notes' });
      const put = await s3.putObject({ Bucket: 'kit-notes', Key: 'note-1', Body: message.slice(), ServerSideEncryption: 'aws:kms', SSEKMSKeyId: KeyMetadata.Arn });
      expect(put.SSEKMSKeyId).to.equal(KeyMetadata.Arn);
      const got = await s3.getObject({ Bucket: 'kit-notes', Key: 'note-1' });
      const bytes = await got.Body.transformToByteArray();
      expect(Array.from(bytes)).to.deep.equal(Array.from(message));
      expect(str((await kit.decrypt(bytes, { encryptionContext: { app: 'notes' } })).plaintext)).to.equal('client-side, then server-side');
      const missing = await rejection(s3.getObject({ Bucket: 'kit-notes', Key: 'nope' }));
      expect(missing.name).to.equal('NoSuchKey');
      expect(missing.code).to.equal('NoSuchKey');
      await kit.kms('us-east-1').disableKey({ KeyId: KeyMetadata.KeyId });
      expect((await rejection(s3.getObject({ Bucket: 'kit-notes', Key: 'note-1' }))).name).to.equal('KMS.DisabledException');
      expect(() => kit.s3('mars-1')).to.throw(RangeError);
    }));

  it('replication waits out a Region outage and completes on tickServices', () =>
    withServices(async (kit) => {
      const east = kit.s3('us-east-1');
      const west = kit.s3('eu-west-1');
      await east.createBucket({ Bucket: 'kit-source' });
      await west.createBucket({ Bucket: 'kit-replica', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } });
      await east.putBucketVersioning({ Bucket: 'kit-source', VersioningConfiguration: { Status: 'Enabled' } });
      await west.putBucketVersioning({ Bucket: 'kit-replica', VersioningConfiguration: { Status: 'Enabled' } });
      const replicaKey = (await kit.kms('eu-west-1').createKey({})).KeyMetadata.Arn;
      await east.putBucketReplication({
        Bucket: 'kit-source',
        ReplicationConfiguration: {
          Role: `arn:aws:iam::${kit.account}:role/replication`,
          Rules: [{ Status: 'Enabled', SourceSelectionCriteria: { SseKmsEncryptedObjects: { Status: 'Enabled' } }, Destination: { Bucket: 'arn:aws:s3:::kit-replica', EncryptionConfiguration: { ReplicaKmsKeyID: replicaKey } } }],
        },
      });
      await kit.simulate({ region: 'eu-west-1', outage: true });
      await east.putObject({ Bucket: 'kit-source', Key: 'k', Body: text('across regions'), ServerSideEncryption: 'aws:kms' });
      expect((await east.headObject({ Bucket: 'kit-source', Key: 'k' })).ReplicationStatus).to.equal('PENDING');
      await kit.simulate({ region: 'eu-west-1', outage: false });
      await kit.tickServices();
      // The role has no IAM policy: the default key policy leaves it to IAM, so the attempt is refused and FAILED.
      expect((await east.headObject({ Bucket: 'kit-source', Key: 'k' })).ReplicationStatus).to.equal('FAILED');
    }));

  it('ECR and Inspector through the worker', () =>
    withServices(async (kit) => {
      const ecr = kit.ecr('us-east-1');
      const { repository } = await ecr.createRepository({ repositoryName: 'kit-app', encryptionConfiguration: { encryptionType: 'KMS' } });
      expect(repository.encryptionConfiguration.kmsKey).to.match(/^arn:aws:kms:us-east-1:\d{12}:key\//);
      expect(repository.createdAt).to.be.instanceOf(Date);
      const { Grants } = await kit.kms('us-east-1').listGrants({ KeyId: repository.encryptionConfiguration.kmsKey! });
      expect(Grants.map((g) => g.GranteePrincipal)).to.deep.equal(['ecr.us-east-1.amazonaws.com', 'ecr.us-east-1.amazonaws.com']);
      expect((await rejection(ecr.describeRepositories({ repositoryNames: ['nope'] }))).name).to.equal('RepositoryNotFoundException');
      const inspector = kit.inspector('us-east-1');
      expect((await rejection(inspector.getEncryptionKey({ scanType: 'CODE', resourceType: 'AWS_LAMBDA_FUNCTION' }))).name).to.equal('ResourceNotFoundException');
      const key = (await kit.kms('us-east-1').createKey({})).KeyMetadata.Arn;
      await inspector.updateEncryptionKey({ kmsKeyId: key, scanType: 'CODE', resourceType: 'AWS_LAMBDA_FUNCTION' });
      expect((await inspector.getEncryptionKey({ scanType: 'CODE', resourceType: 'AWS_LAMBDA_FUNCTION' })).kmsKeyId).to.equal(key);
    }));
});
