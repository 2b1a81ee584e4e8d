/**
 * S3, ECR and Inspector through `createServices({ kms })`: one factory with the secrets services,
 * clients per Region and principal, `tick()` driving S3 replication, and storage removed by
 * `deleteServicesStorage`.
 */
import { describe, expect, it } from 'vitest';
import { createServices, deleteServicesStorage } from '../../../src/services/index.js';
import { ALICE, fixture, rejection } from './helpers.js';

describe('createServices: S3, ECR and Inspector', () => {
  it('gives Region clients calling as their principal, checks Regions, and replicates on tick', async () => {
    const f = await fixture();
    const services = await createServices({ kms: f.kms });
    const east = services.s3('us-east-1');
    const west = services.s3('eu-west-1');
    expect(() => services.s3('mars-north-1')).toThrow(RangeError);
    expect(() => services.ecr('us-east-1', { principal: 'bob' })).toThrow(TypeError);
    await east.createBucket({ Bucket: 'src-bucket' });
    await west.createBucket({ Bucket: 'dst-bucket', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } });
    await east.putBucketVersioning({ Bucket: 'src-bucket', VersioningConfiguration: { Status: 'Enabled' } });
    await west.putBucketVersioning({ Bucket: 'dst-bucket', VersioningConfiguration: { Status: 'Enabled' } });
    await east.putBucketReplication({ Bucket: 'src-bucket', ReplicationConfiguration: { Role: 'arn:aws:iam::111122223333:role/r', Rules: [{ Status: 'Enabled', Destination: { Bucket: 'arn:aws:s3:::dst-bucket' } }] } });
    await f.kms.simulate({ region: 'eu-west-1', outage: true });
    // SSE-S3 objects need no KMS call: replication completes even with the KMS region down.
    await east.putObject({ Bucket: 'src-bucket', Key: 'k', Body: 'x' });
    expect((await east.headObject({ Bucket: 'src-bucket', Key: 'k' })).ReplicationStatus).toBe('COMPLETED');
    await services.tick();

    // "any principal that has permission to create a repository can also enable AWS KMS encryption"
    // with the AWS managed key (ECR User Guide): its policy allows the account's principals through ECR.
    const alice = services.ecr('us-east-1', { principal: ALICE });
    await alice.createRepository({ repositoryName: 'app', encryptionConfiguration: { encryptionType: 'KMS' } });
    expect(f.count('CreateGrant', { ok: true, principal: ALICE })).toBe(2);
    expect((await rejection(services.inspector('us-east-1').getEncryptionKey({ scanType: 'CODE', resourceType: 'AWS_LAMBDA_FUNCTION' }))).name).toBe('ResourceNotFoundException');
    services.close();

    // Reopened over the same storage, the data is there; after deleteServicesStorage it is gone.
    const again = await createServices({ kms: f.kms });
    expect((await again.s3('us-east-1').listBuckets()).Buckets.map((b) => b.Name)).toEqual(['src-bucket']);
    again.close();
    await deleteServicesStorage({ storage: 'memory', name: f.name });
    const fresh = await createServices({ kms: f.kms });
    expect((await fresh.s3('us-east-1').listBuckets()).Buckets).toEqual([]);
    expect((await fresh.ecr('us-east-1').describeRepositories()).repositories).toEqual([]);
    fresh.close();
    await f.kms.close();
  });
});
