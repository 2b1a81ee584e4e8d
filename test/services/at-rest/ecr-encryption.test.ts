/**
 * Amazon ECR encryption at rest on the simulated KMS, from the ECR User Guide, "Encryption at
 * rest": DescribeKey then two CreateGrant calls at CreateRepository, GenerateDataKey on push and
 * Decrypt on pull with the `aws:ecr:arn` / `aws:s3:arn` context, alias/aws/ecr by default, a key of
 * the same Region only, an encryption configuration no operation changes, grants that break push
 * and pull when revoked, RetireGrant at DeleteRepository (the caller needs kms:RetireGrant) and the
 * console's "failed to be retired" outcome; the ECR API Reference for shapes and exceptions.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEcrService, type EcrClient, type EcrService } from '../../../src/services/ecr/index.js';
import { ECRServiceException } from '../../../src/services/service-error.js';
import { ACCOUNT, ALICE, fixture, rejection, text, type Fixture } from './helpers.js';

let f: Fixture;
let service: EcrService;
let ecr: EcrClient;
const ECR = 'ecr.us-east-1.amazonaws.com';

beforeEach(async () => {
  f = await fixture();
  service = await createEcrService({ kms: f.kms });
  ecr = service.client('us-east-1');
});
afterEach(async () => {
  service.close();
  await f.kms.close();
});

async function sha256(bytes: Uint8Array) {
  return `sha256:${[...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>))].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** Pushes one layer (in two parts) and an image referencing it; returns the digests. */
async function push(client: EcrClient, repositoryName: string, content = 'layer bytes of a container image', tag = 'latest') {
  const layer = text(content);
  const { uploadId } = await client.initiateLayerUpload({ repositoryName });
  const half = Math.floor(layer.length / 2);
  await client.uploadLayerPart({ repositoryName, uploadId, partFirstByte: 0, partLastByte: half - 1, layerPartBlob: layer.slice(0, half) });
  await client.uploadLayerPart({ repositoryName, uploadId, partFirstByte: half, partLastByte: layer.length - 1, layerPartBlob: layer.slice(half) });
  const { layerDigest } = await client.completeLayerUpload({ repositoryName, uploadId, layerDigests: [await sha256(layer)] });
  const manifest = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', layers: [{ digest: layerDigest, size: layer.length }] });
  const { image } = await client.putImage({ repositoryName, imageManifest: manifest, imageTag: tag });
  return { layerDigest, imageDigest: image.imageId.imageDigest!, manifest, layer };
}

describe('repositories', () => {
  it('AES256 by default: no KMS key, no grant, no KMS call for push or pull', async () => {
    const { repository } = await ecr.createRepository({ repositoryName: 'plain' });
    expect(repository).toMatchObject({ repositoryArn: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/plain`, registryId: ACCOUNT, encryptionConfiguration: { encryptionType: 'AES256' } });
    const pushed = await push(ecr, 'plain');
    const { images } = await ecr.batchGetImage({ repositoryName: 'plain', imageIds: [{ imageTag: 'latest' }] });
    expect(images[0]!.imageManifest).toBe(pushed.manifest);
    const download = await ecr.getDownloadUrlForLayer({ repositoryName: 'plain', layerDigest: pushed.layerDigest });
    expect(download.layerBlob).toEqual(pushed.layer);
    expect(new Uint8Array(await (await fetch(download.downloadUrl)).arrayBuffer())).toEqual(pushed.layer);
    expect(f.calls).toEqual([]);
  });

  it('KMS without a key: alias/aws/ecr, DescribeKey and two CreateGrant by the caller through ECR, grants to the ECR service for this repository', async () => {
    const { repository } = await ecr.createRepository({ repositoryName: 'team/app', encryptionConfiguration: { encryptionType: 'KMS' } });
    const { KeyMetadata } = await f.kms.region('us-east-1').describeKey({ KeyId: 'alias/aws/ecr' });
    expect(KeyMetadata.KeyManager).toBe('AWS');
    expect(repository.encryptionConfiguration).toEqual({ encryptionType: 'KMS', kmsKey: KeyMetadata.Arn });
    expect(f.count('DescribeKey', { ok: true, principal: `arn:aws:iam::${ACCOUNT}:root` })).toBeGreaterThanOrEqual(1);
    expect(f.count('CreateGrant', { ok: true, principal: `arn:aws:iam::${ACCOUNT}:root` })).toBe(2);
    const { Grants } = await f.kms.region('us-east-1').listGrants({ KeyId: KeyMetadata.Arn });
    expect(Grants).toHaveLength(2);
    for (const grant of Grants) {
      expect(grant).toMatchObject({ GranteePrincipal: ECR, RetiringPrincipal: ECR, Constraints: { EncryptionContextSubset: { 'aws:ecr:arn': repository.repositoryArn } } });
    }
    expect(Grants.flatMap((g) => g.Operations)).toEqual(expect.arrayContaining(['GenerateDataKey', 'Decrypt']));
  });

  it('push is GenerateDataKey and pull is Decrypt, made by ECR through its grant, with the documented context', async () => {
    const { KeyMetadata } = await f.kms.region('us-east-1').createKey({});
    const { repository } = await ecr.createRepository({ repositoryName: 'app', encryptionConfiguration: { encryptionType: 'KMS', kmsKey: KeyMetadata.Arn } });
    const pushed = await push(ecr, 'app');
    expect(f.count('GenerateDataKey', { ok: true, principal: ECR })).toBe(2); // the layer and the manifest
    await ecr.batchGetImage({ repositoryName: 'app', imageIds: [{ imageDigest: pushed.imageDigest }] });
    expect((await ecr.getDownloadUrlForLayer({ repositoryName: 'app', layerDigest: pushed.layerDigest })).layerBlob).toEqual(pushed.layer);
    expect(f.count('Decrypt', { ok: true, principal: ECR })).toBe(2);
    await f.kms.audit.flush();
    const [record] = (await f.kms.audit.query({ eventName: 'GenerateDataKey' })) as unknown as { requestParameters: { encryptionContext: Record<string, string> } }[];
    expect(record!.requestParameters.encryptionContext).toEqual({ 'aws:ecr:arn': repository.repositoryArn, 'aws:s3:arn': `arn:aws:s3:::us-east-1-starport-layer-bucket/${ACCOUNT}/app/${pushed.layerDigest}` });
  });

  it('KMS_DSSE: two data keys per blob', async () => {
    await ecr.createRepository({ repositoryName: 'dsse', encryptionConfiguration: { encryptionType: 'KMS_DSSE' } });
    const pushed = await push(ecr, 'dsse');
    expect(f.count('GenerateDataKey', { ok: true, principal: ECR })).toBe(4);
    expect((await ecr.getDownloadUrlForLayer({ repositoryName: 'dsse', layerDigest: pushed.layerDigest })).layerBlob).toEqual(pushed.layer);
    expect(f.count('Decrypt', { ok: true, principal: ECR })).toBe(2);
  });

  it('the key must be of the repository\'s Region and symmetric; AES256 takes no key', async () => {
    const west = (await f.kms.region('us-west-2').createKey({})).KeyMetadata.Arn;
    expect((await rejection(ecr.createRepository({ repositoryName: 'x1', encryptionConfiguration: { encryptionType: 'KMS', kmsKey: west } }))).name).toBe('InvalidParameterException');
    expect((await rejection(ecr.createRepository({ repositoryName: 'x2', encryptionConfiguration: { encryptionType: 'AES256', kmsKey: west } }))).name).toBe('InvalidParameterException');
    const missing = await rejection(ecr.createRepository({ repositoryName: 'x3', encryptionConfiguration: { encryptionType: 'KMS', kmsKey: `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab` } }));
    expect(missing).toBeInstanceOf(ECRServiceException);
    expect(missing).toMatchObject({ name: 'KmsException', kmsError: 'NotFoundException' });
    expect((await ecr.describeRepositories()).repositories).toEqual([]);
  });

  it('the encryption configuration is fixed: no operation changes it, and a second create is refused', async () => {
    const { KeyMetadata } = await f.kms.region('us-east-1').createKey({});
    await ecr.createRepository({ repositoryName: 'fixed', encryptionConfiguration: { encryptionType: 'KMS', kmsKey: KeyMetadata.Arn } });
    expect((await rejection(ecr.createRepository({ repositoryName: 'fixed' }))).name).toBe('RepositoryAlreadyExistsException');
    const { repositories } = await ecr.describeRepositories({ repositoryNames: ['fixed'] });
    repositories[0]!.encryptionConfiguration.encryptionType = 'AES256';
    expect((await ecr.describeRepositories({ repositoryNames: ['fixed'] })).repositories[0]!.encryptionConfiguration).toEqual({ encryptionType: 'KMS', kmsKey: KeyMetadata.Arn });
    expect(Object.keys(ecr).filter((m) => /encryption/i.test(m))).toEqual([]);
    expect(Object.isFrozen(ecr)).toBe(true);
  });
});

describe('failure paths', () => {
  it('revoking the grant breaks push and pull at once', async () => {
    const kms = f.kms.region('us-east-1');
    const { KeyMetadata } = await kms.createKey({});
    await ecr.createRepository({ repositoryName: 'revoked', encryptionConfiguration: { encryptionType: 'KMS', kmsKey: KeyMetadata.Arn } });
    const pushed = await push(ecr, 'revoked');
    const { Grants } = await kms.listGrants({ KeyId: KeyMetadata.Arn });
    for (const g of Grants.filter((g) => g.Operations.includes('Decrypt'))) await kms.revokeGrant({ KeyId: KeyMetadata.Arn, GrantId: g.GrantId });
    const pull = await rejection(ecr.getDownloadUrlForLayer({ repositoryName: 'revoked', layerDigest: pushed.layerDigest }));
    expect(pull).toMatchObject({ name: 'KmsException', kmsError: 'AccessDeniedException' });
    expect((await rejection(ecr.batchGetImage({ repositoryName: 'revoked', imageIds: [{ imageTag: 'latest' }] }))).name).toBe('KmsException');
    expect(await rejection(push(ecr, 'revoked', 'another layer', 'v2'))).toMatchObject({ name: 'KmsException', kmsError: 'AccessDeniedException' });
  });

  it('disabling the key breaks push and pull; enabling it restores them', async () => {
    const kms = f.kms.region('us-east-1');
    const { KeyMetadata } = await kms.createKey({});
    await ecr.createRepository({ repositoryName: 'disabled', encryptionConfiguration: { encryptionType: 'KMS', kmsKey: KeyMetadata.Arn } });
    const pushed = await push(ecr, 'disabled');
    await kms.disableKey({ KeyId: KeyMetadata.KeyId });
    expect(await rejection(ecr.getDownloadUrlForLayer({ repositoryName: 'disabled', layerDigest: pushed.layerDigest }))).toMatchObject({ name: 'KmsException', kmsError: 'DisabledException' });
    expect(await rejection(push(ecr, 'disabled', 'new layer', 'v2'))).toMatchObject({ name: 'KmsException', kmsError: 'DisabledException' });
    await kms.enableKey({ KeyId: KeyMetadata.KeyId });
    expect((await ecr.getDownloadUrlForLayer({ repositoryName: 'disabled', layerDigest: pushed.layerDigest })).layerBlob).toEqual(pushed.layer);
  });

  it('a key policy allowing CreateGrant only through ECR of another Region refuses CreateRepository here', async () => {
    const kms = f.kms.region('us-east-1');
    const policy = (via: string) =>
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Sid: 'admin', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
          { Sid: 'describe', Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:DescribeKey', Resource: '*', Condition: { StringEquals: { 'kms:ViaService': via } } },
          { Sid: 'grants', Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:CreateGrant', Resource: '*', Condition: { StringEquals: { 'kms:ViaService': via }, Bool: { 'kms:GrantIsForAWSResource': 'true' } } },
        ],
      });
    const { KeyMetadata } = await kms.createKey({ Policy: policy('ecr.us-west-2.amazonaws.com') });
    const alice = service.client('us-east-1', { principal: ALICE });
    expect(await rejection(alice.createRepository({ repositoryName: 'wrong-region', encryptionConfiguration: { encryptionType: 'KMS', kmsKey: KeyMetadata.Arn } }))).toMatchObject({ name: 'KmsException', kmsError: 'AccessDeniedException' });
    await kms.putKeyPolicy({ KeyId: KeyMetadata.KeyId, PolicyName: 'default', Policy: policy(ECR) });
    await alice.createRepository({ repositoryName: 'right-region', encryptionConfiguration: { encryptionType: 'KMS', kmsKey: KeyMetadata.Arn } });
    // And alice cannot use the key herself: only ECR, through the grants, can.
    expect((await rejection(f.kms.region('us-east-1', { principal: ALICE }).generateDataKey({ KeyId: KeyMetadata.Arn, KeySpec: 'AES_256' }))).name).toBe('AccessDeniedException');
    // kms:RetireGrant "must be added to the IAM policy of the user or role" (ECR User Guide): alice has none.
    expect((await alice.deleteRepository({ repositoryName: 'right-region' })).kmsGrantsNotRetired?.grantIds).toHaveLength(2);
  });
});

describe('DeleteRepository', () => {
  it('retires both grants; refuses a repository with images unless force', async () => {
    const kms = f.kms.region('us-east-1');
    const { KeyMetadata } = await kms.createKey({});
    await ecr.createRepository({ repositoryName: 'gone', encryptionConfiguration: { encryptionType: 'KMS', kmsKey: KeyMetadata.Arn } });
    await push(ecr, 'gone');
    expect((await rejection(ecr.deleteRepository({ repositoryName: 'gone' }))).name).toBe('RepositoryNotEmptyException');
    const deleted = await ecr.deleteRepository({ repositoryName: 'gone', force: true });
    expect(deleted.repository.repositoryName).toBe('gone');
    expect(deleted.kmsGrantsNotRetired).toBeUndefined();
    expect(f.count('RetireGrant', { ok: true })).toBe(2);
    expect((await kms.listGrants({ KeyId: KeyMetadata.Arn })).Grants).toEqual([]);
    expect((await rejection(ecr.describeRepositories({ repositoryNames: ['gone'] }))).name).toBe('RepositoryNotFoundException');
  });

  it('a caller without kms:RetireGrant deletes the repository, and is told the grants failed to be retired', async () => {
    const kms = f.kms.region('us-east-1');
    const { KeyMetadata } = await kms.createKey({});
    await f.kms.iam.putUserPolicy({ UserName: 'alice', PolicyName: 'ecr', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['kms:CreateGrant', 'kms:DescribeKey'], Resource: KeyMetadata.Arn }] }) });
    const alice = service.client('us-east-1', { principal: ALICE });
    await alice.createRepository({ repositoryName: 'sticky', encryptionConfiguration: { encryptionType: 'KMS', kmsKey: KeyMetadata.Arn } });
    const deleted = await alice.deleteRepository({ repositoryName: 'sticky' });
    expect(deleted.kmsGrantsNotRetired).toMatchObject({ kmsKey: KeyMetadata.Arn, message: `The repository [sticky] has been deleted successfully but the grants created by the kmsKey [${KeyMetadata.Arn}] failed to be retired` });
    expect(deleted.kmsGrantsNotRetired!.grantIds).toHaveLength(2);
    expect((await alice.describeRepositories()).repositories).toEqual([]);
    // The troubleshooting steps: list the grants (the repository ARN is in the constraint) and retire them.
    const { Grants } = await kms.listGrants({ KeyId: KeyMetadata.Arn });
    expect(Grants.map((g) => g.Constraints?.EncryptionContextSubset?.['aws:ecr:arn'])).toEqual([`arn:aws:ecr:us-east-1:${ACCOUNT}:repository/sticky`, `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/sticky`]);
    for (const g of Grants) await kms.retireGrant({ KeyId: KeyMetadata.Arn, GrantId: g.GrantId });
    // With kms:RetireGrant in her IAM policy, as the guide says she needs, the grants go with the repository.
    await f.kms.iam.putUserPolicy({ UserName: 'alice', PolicyName: 'ecr', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['kms:CreateGrant', 'kms:DescribeKey', 'kms:RetireGrant'], Resource: KeyMetadata.Arn }] }) });
    await alice.createRepository({ repositoryName: 'clean', encryptionConfiguration: { encryptionType: 'KMS', kmsKey: KeyMetadata.Arn } });
    expect((await alice.deleteRepository({ repositoryName: 'clean' })).kmsGrantsNotRetired).toBeUndefined();
    expect((await kms.listGrants({ KeyId: KeyMetadata.Arn })).Grants).toEqual([]);
  });
});

describe('images and layers', () => {
  it('checks digests and layers, lists and deletes images', async () => {
    await ecr.createRepository({ repositoryName: 'imgs' });
    const { uploadId } = await ecr.initiateLayerUpload({ repositoryName: 'imgs' });
    await ecr.uploadLayerPart({ repositoryName: 'imgs', uploadId, partFirstByte: 0, partLastByte: 2, layerPartBlob: text('abc') });
    expect((await rejection(ecr.completeLayerUpload({ repositoryName: 'imgs', uploadId, layerDigests: ['sha256:' + '0'.repeat(64)] }))).name).toBe('InvalidLayerException');
    expect((await rejection(ecr.putImage({ repositoryName: 'imgs', imageManifest: JSON.stringify({ layers: [{ digest: 'sha256:' + '1'.repeat(64) }] }) }))).name).toBe('LayersNotFoundException');
    const a = await push(ecr, 'imgs', 'layer a', 'a');
    expect((await rejection(ecr.putImage({ repositoryName: 'imgs', imageManifest: a.manifest, imageTag: 'a' }))).name).toBe('ImageAlreadyExistsException');
    await ecr.putImage({ repositoryName: 'imgs', imageManifest: a.manifest, imageTag: 'also-a' });
    expect((await ecr.listImages({ repositoryName: 'imgs' })).imageIds).toEqual([
      { imageDigest: a.imageDigest, imageTag: 'a' },
      { imageDigest: a.imageDigest, imageTag: 'also-a' },
    ]);
    const { failures } = await ecr.batchGetImage({ repositoryName: 'imgs', imageIds: [{ imageTag: 'nope' }] });
    expect(failures[0]!.failureCode).toBe('ImageNotFound');
    await ecr.batchDeleteImage({ repositoryName: 'imgs', imageIds: [{ imageDigest: a.imageDigest }] });
    expect((await ecr.listImages({ repositoryName: 'imgs' })).imageIds).toEqual([]);
    await ecr.deleteRepository({ repositoryName: 'imgs' });
  });
});
