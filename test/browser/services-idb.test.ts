/**
 * Secrets Manager and Parameter Store on IndexedDB, in real browsers: secrets, their versions and
 * labels, replicas and SecureStrings survive a "reload" (closing KMS and services and creating them
 * again on the same databases); a second instance (a second tab) sees the first one's writes; and
 * what IndexedDB holds for a secret is ciphertext only.
 */
import { expect } from 'chai';
import { openDB } from 'idb';
import { createKms, deleteKmsStorage, type Kms } from '../../src/kms/index.js';
import { createServices, deleteServicesStorage, type Services } from '../../src/services/index.js';
import { rejection } from '../support/outcome.js';
import { describe, it } from '../support/bdd.js';

let counter = 0;

async function withStorage(body: (open: () => Promise<{ kms: Kms; services: Services }>, name: string) => Promise<void>): Promise<void> {
  const name = `services-browser-test-${Date.now()}-${counter++}`;
  const clock = { t: Date.UTC(2025, 0, 1) };
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


describe('services on IndexedDB', () => {
  it('secrets, versions, labels and replicas persist across a reload; the database holds no plaintext', () =>
    withStorage(async (open, name) => {
      const first = await open();
      const east = first.services.secretsManager('us-east-1');
      const { VersionId: v1 } = await east.createSecret({ Name: 'db', SecretString: 'first-value', AddReplicaRegions: [{ Region: 'eu-west-1' }] });
      const { VersionId: v2 } = await east.putSecretValue({ SecretId: 'db', SecretString: 'second-value' });
      await east.createSecret({ Name: 'bin', SecretBinary: new Uint8Array([1, 2, 3]) });
      first.services.close();
      await first.kms.close();

      const second = await open();
      const again = second.services.secretsManager('us-east-1');
      expect((await again.getSecretValue({ SecretId: 'db' })).SecretString).to.equal('second-value');
      expect((await again.getSecretValue({ SecretId: 'db', VersionStage: 'AWSPREVIOUS' })).VersionId).to.equal(v1);
      expect((await again.describeSecret({ SecretId: 'db' })).VersionIdsToStages).to.deep.equal({ [v1!]: ['AWSPREVIOUS'], [v2]: ['AWSCURRENT'] });
      expect(Array.from((await again.getSecretValue({ SecretId: 'bin' })).SecretBinary!)).to.deep.equal([1, 2, 3]);
      // The replica survives too and reads in its own Region while the primary's KMS is out.
      await second.kms.simulate({ region: 'us-east-1', outage: true });
      expect((await second.services.secretsManager('eu-west-1').getSecretValue({ SecretId: 'db' })).SecretString).to.equal('second-value');

      const db = await openDB(`${name}:111122223333:us-east-1:secretsmanager`);
      const stored = await db.get('secrets', 'db');
      db.close();
      const dump = JSON.stringify(stored, (_k, v: unknown) => (v instanceof Uint8Array ? Array.from(v, (b) => String.fromCharCode(b)).join('') : v));
      expect(dump).to.not.contain('second-value');
      expect(dump).to.not.contain('first-value');
      expect(stored.Versions).to.have.length(2);
    }));

  it('a second instance (another tab) sees a parameter at once; deletion windows persist', () =>
    withStorage(async (open) => {
      const a = await open();
      const b = await open();
      await a.services.ssm('us-east-1').putParameter({ Name: '/app/token', Value: 'tab-a', Type: 'SecureString' });
      await a.services.ssm('us-east-1').putParameter({ Name: '/app/big', Value: 'z'.repeat(5000), Type: 'SecureString', Tier: 'Advanced' });
      expect((await b.services.ssm('us-east-1').getParameter({ Name: '/app/token', WithDecryption: true })).Parameter.Value).to.equal('tab-a');
      expect((await b.services.ssm('us-east-1').getParameter({ Name: '/app/big', WithDecryption: true })).Parameter.Value).to.have.length(5000);
      await b.services.ssm('us-east-1').putParameter({ Name: '/app/token', Value: 'tab-b', Type: 'SecureString', Overwrite: true });
      expect((await a.services.ssm('us-east-1').getParameter({ Name: '/app/token', WithDecryption: true })).Parameter).to.include({ Value: 'tab-b', Version: 2 });

      await a.services.secretsManager('us-east-1').createSecret({ Name: 'gone-soon', SecretString: 'v' });
      await a.services.secretsManager('us-east-1').deleteSecret({ SecretId: 'gone-soon', RecoveryWindowInDays: 7 });
      a.services.close();
      await a.kms.close();
      const c = await open();
      const error = await rejection(c.services.secretsManager('us-east-1').getSecretValue({ SecretId: 'gone-soon' }));
      expect(error.name).to.equal('InvalidRequestException');
      await c.services.secretsManager('us-east-1').restoreSecret({ SecretId: 'gone-soon' });
      expect((await b.services.secretsManager('us-east-1').getSecretValue({ SecretId: 'gone-soon' })).SecretString).to.equal('v');
    }));

  it('two instances writing one secret at once lose no version: each write is version-checked and retried', () =>
    withStorage(async (open) => {
      const a = await open();
      const b = await open();
      await a.services.secretsManager('us-east-1').createSecret({ Name: 'contended', SecretString: 'v0' });
      const writes = Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).services.secretsManager('us-east-1').putSecretValue({ SecretId: 'contended', SecretString: `v${i + 1}` }));
      const ids = (await Promise.all(writes)).map((r) => r.VersionId);
      const { Versions } = await a.services.secretsManager('us-east-1').listSecretVersionIds({ SecretId: 'contended', IncludeDeprecated: true });
      expect(Versions).to.have.length(7);
      for (const id of ids) expect(Versions.map((v) => v.VersionId)).to.include(id);
      // Exactly one AWSCURRENT and one AWSPREVIOUS, whatever the interleaving.
      expect(Versions.filter((v) => v.VersionStages?.includes('AWSCURRENT'))).to.have.length(1);
      expect(Versions.filter((v) => v.VersionStages?.includes('AWSPREVIOUS'))).to.have.length(1);
    }));
});
