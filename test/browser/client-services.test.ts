/**
 * Secrets Manager and Parameter Store through createKit(), in a real browser with a real worker:
 * the clients run in the worker on IndexedDB, errors keep their AWS names across the boundary, a
 * rotation function written in the page runs for every step, a replica serves reads while its
 * primary's Region is out, and secrets persist when the kit is created again (a reload).
 */
import { expect } from 'chai';
import { createKit, type Kit } from '../../src/index.js';
import { deleteKmsStorage } from '../../src/kms/index.js';
import { deleteServicesStorage } from '../../src/services/index.js';
import type { RotationEvent, SecretsManagerClient } from '../../src/services/index.js';
import { describe, it } from '../support/bdd.js';
import { REGIONS, rejection, uniqueName } from './client-support.js';

async function withServiceKit(body: (open: () => Promise<Kit>) => Promise<void>): Promise<void> {
  const name = uniqueName();
  const kits: Kit[] = [];
  try {
    await body(async () => {
      const kit = await createKit({ name, regions: REGIONS });
      kits.push(kit);
      return kit;
    });
  } finally {
    for (const kit of kits) await kit.close();
    await deleteServicesStorage({ storage: 'indexeddb', name, regions: REGIONS });
    await deleteKmsStorage({ storage: 'indexeddb', name, regions: REGIONS });
  }
}

const LAMBDA = 'arn:aws:lambda:us-east-1:111122223333:function:rotate-in-page';

describe('createKit: services through the worker', () => {
  it('secrets and parameters round-trip; errors keep their AWS names; state persists across a reload', () =>
    withServiceKit(async (open) => {
      const kit = await open();
      const sm = kit.secretsManager('us-east-1');
      const bytes = new Uint8Array([9, 8, 7]);
      const { ARN } = await sm.createSecret({ Name: 'db', SecretString: 'from-the-page', Tags: [{ Key: 'team', Value: 'web' }] });
      await sm.createSecret({ Name: 'bin', SecretBinary: bytes });
      const got = await sm.getSecretValue({ SecretId: ARN });
      expect(got.SecretString).to.equal('from-the-page');
      expect(got.CreatedDate).to.be.instanceOf(Date);
      expect(Array.from((await sm.getSecretValue({ SecretId: 'bin' })).SecretBinary!)).to.deep.equal([9, 8, 7]);
      const missing = await rejection(sm.getSecretValue({ SecretId: 'nope' }));
      expect(missing.name).to.equal('ResourceNotFoundException');
      expect(missing.code).to.equal('ResourceNotFoundException');
      expect((missing as { $fault?: string }).$fault).to.equal('client');
      await kit.ssm('eu-west-1').putParameter({ Name: '/web/key', Value: 'parameter-value', Type: 'SecureString' });
      const hidden = (await kit.ssm('eu-west-1').getParameter({ Name: '/web/key' })).Parameter.Value;
      expect(hidden).to.not.contain('parameter-value');
      expect((await rejection(kit.ssm('eu-west-1').getParameter({ Name: '/nope' }))).name).to.equal('ParameterNotFound');
      expect((await rejection(Promise.resolve().then(() => kit.secretsManager('mars-north-1')))).name).to.equal('RangeError');
      // The KMS calls were made through the service, as the kit's principal.
      const [call] = await kit.audit.query({ region: 'us-east-1', eventName: 'GenerateDataKey' });
      expect(call!.userIdentity.invokedBy).to.equal('secretsmanager.amazonaws.com');
      await kit.close();

      const again = await open();
      expect((await again.secretsManager('us-east-1').getSecretValue({ SecretId: 'db' })).SecretString).to.equal('from-the-page');
      expect((await again.ssm('eu-west-1').getParameter({ Name: '/web/key', WithDecryption: true })).Parameter.Value).to.equal('parameter-value');
    }));

  it('a rotation function in the page runs every step with the kit\'s client; a failing step leaves AWSPENDING', () =>
    withServiceKit(async (open) => {
      const kit = await open();
      const steps: string[] = [];
      let failAt: RotationEvent['Step'] | undefined;
      await kit.registerRotationFunction(LAMBDA, async (event: RotationEvent, client: SecretsManagerClient) => {
        steps.push(event.Step);
        if (event.Step === failAt) throw new Error('the database refused the new password');
        const { SecretId, ClientRequestToken } = event;
        if (event.Step === 'createSecret') {
          const { RandomPassword } = await client.getRandomPassword({ PasswordLength: 24 });
          await client.putSecretValue({ SecretId, ClientRequestToken, SecretString: RandomPassword, VersionStages: ['AWSPENDING'] });
        } else if (event.Step === 'finishSecret') {
          const current = await client.getSecretValue({ SecretId });
          await client.updateSecretVersionStage({ SecretId, VersionStage: 'AWSCURRENT', MoveToVersionId: ClientRequestToken, RemoveFromVersionId: current.VersionId });
        }
      });
      const sm = kit.secretsManager('us-east-1');
      const { VersionId: before } = await sm.createSecret({ Name: 'rotated', SecretString: 'initial' });
      const { VersionId } = await sm.rotateSecret({ SecretId: 'rotated', RotationLambdaARN: LAMBDA, RotationRules: { AutomaticallyAfterDays: 7 } });
      expect(steps).to.deep.equal(['createSecret', 'setSecret', 'testSecret', 'finishSecret']);
      const now = await sm.getSecretValue({ SecretId: 'rotated' });
      expect(now.VersionId).to.equal(VersionId);
      expect(now.SecretString).to.have.length(24);
      expect((await sm.getSecretValue({ SecretId: 'rotated', VersionStage: 'AWSPREVIOUS' })).VersionId).to.equal(before);

      failAt = 'setSecret';
      steps.length = 0;
      const failed = await sm.rotateSecret({ SecretId: 'rotated' });
      expect(steps).to.deep.equal(['createSecret', 'setSecret']);
      expect((await sm.describeSecret({ SecretId: 'rotated' })).VersionIdsToStages![failed.VersionId!]).to.deep.equal(['AWSPENDING']);
      expect((await rejection(sm.rotateSecret({ SecretId: 'rotated' }))).name).to.equal('InvalidRequestException');
    }));

  it('a secret survives a region outage through its replica', () =>
    withServiceKit(async (open) => {
      const kit = await open();
      const east = kit.secretsManager('us-east-1');
      const created = await east.createSecret({ Name: 'survivor', SecretString: 'still here', AddReplicaRegions: [{ Region: 'eu-west-1' }] });
      expect(created.ReplicationStatus).to.deep.equal([{ Region: 'eu-west-1', Status: 'InSync' }]);
      await kit.simulate({ region: 'us-east-1', outage: true });
      expect((await rejection(east.getSecretValue({ SecretId: 'survivor' }))).name).to.equal('InternalServiceError');
      expect((await kit.secretsManager('eu-west-1').getSecretValue({ SecretId: 'survivor' })).SecretString).to.equal('still here');
      await kit.simulate({ region: 'us-east-1', outage: false });
      await kit.simulate({ region: 'eu-west-1', outage: true });
      await east.putSecretValue({ SecretId: 'survivor', SecretString: 'second' });
      expect((await east.describeSecret({ SecretId: 'survivor' })).ReplicationStatus![0]!.Status).to.equal('Failed');
      await kit.simulate({ region: 'eu-west-1', outage: false });
      await kit.tickServices();
      expect((await kit.secretsManager('eu-west-1').getSecretValue({ SecretId: 'survivor' })).SecretString).to.equal('second');
    }));

  it('failure paths through the worker: disabled key, a key policy denying the service, a deleted secret, an idempotency conflict', () =>
    withServiceKit(async (open) => {
      const kit = await open();
      const kms = kit.kms('us-east-1');
      const sm = kit.secretsManager('us-east-1');
      const ssm = kit.ssm('us-east-1');
      const { KeyMetadata } = await kms.createKey({});
      await sm.createSecret({ Name: 'k', SecretString: 'v', KmsKeyId: KeyMetadata.KeyId, ClientRequestToken: 'a'.repeat(32) });
      await ssm.putParameter({ Name: '/k', Value: 'v', Type: 'SecureString', KeyId: KeyMetadata.KeyId });
      await kms.disableKey({ KeyId: KeyMetadata.KeyId });
      expect((await rejection(sm.getSecretValue({ SecretId: 'k' }))).name).to.equal('DecryptionFailure');
      expect((await rejection(ssm.getParameter({ Name: '/k', WithDecryption: true }))).name).to.equal('InvalidKeyId');
      await kms.enableKey({ KeyId: KeyMetadata.KeyId });
      expect((await rejection(sm.createSecret({ Name: 'k', SecretString: 'other', ClientRequestToken: 'a'.repeat(32) }))).name).to.equal('ResourceExistsException');

      const account = kit.account;
      const policy = JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'kms:*', Resource: '*' },
          { Effect: 'Deny', Principal: { AWS: '*' }, Action: 'kms:*', Resource: '*', Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } } },
        ],
      });
      const denied = (await kms.createKey({ Policy: policy })).KeyMetadata;
      expect((await rejection(sm.createSecret({ Name: 'd', SecretString: 'v', KmsKeyId: denied.KeyId }))).name).to.equal('AccessDeniedException');

      await sm.deleteSecret({ SecretId: 'k', RecoveryWindowInDays: 7 });
      expect((await rejection(sm.getSecretValue({ SecretId: 'k' }))).name).to.equal('InvalidRequestException');
      expect((await sm.describeSecret({ SecretId: 'k' })).DeletedDate).to.be.instanceOf(Date);
    }));
});
