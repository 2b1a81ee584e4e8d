import { expect } from 'chai';
import { describe, it } from '../support/bdd.js';
import { mountKit, until, inShadow, shadowText, nextEvent, button, REGIONS } from './components-support.js';
import type { EventDetails } from '../../src/components/index.js';
import { deleteServicesStorage } from '../../src/services/index.js';

/**
 * `<ek-secrets>` in a real browser, on the kit's worker and IndexedDB: create (with a replica),
 * reveal on demand, rotate with the sample rotation function, replicate, delete and restore, each
 * firing ek-secret-change, and a failure (a Region in outage) shown and fired as ek-error.
 */
describe('components: <ek-secrets>', () => {
  it('creates, reveals, rotates, replicates, deletes and restores a secret', async () => {
    const m = await mountKit('<ek-secrets region="us-east-1"></ek-secrets>');
    try {
      const el = m.provider.querySelector('ek-secrets')!;
      await until(() => shadowText(el).includes('No secrets in us-east-1 yet'), 'the empty state');
      inShadow<HTMLInputElement>(el, 'input[name="name"]')!.value = 'demo/db';
      inShadow<HTMLInputElement>(el, 'input[name="value"]')!.value = 'open sesame';
      const created = nextEvent<EventDetails['ek-secret-change']>(m.provider, 'ek-secret-change');
      button(el, 'Create secret')!.click();
      expect(await created).to.deep.equal({ action: 'create', region: 'us-east-1', name: 'demo/db' });
      await until(() => inShadow(el, 'tr[data-secret="demo/db"]'), 'the secret in the list');
      // The value is not on the page until asked for.
      expect(shadowText(el)).to.not.contain('open sesame');
      button(el, 'Reveal')!.click();
      await until(() => inShadow(el, '[part="value"]')?.textContent === 'open sesame', 'the revealed value');
      button(el, 'Hide')!.click();
      await until(() => !inShadow(el, '[part="value"]'), 'the value hidden again');

      const rotated = nextEvent<EventDetails['ek-secret-change']>(m.provider, 'ek-secret-change');
      button(el, 'Rotate')!.click();
      expect((await rotated).action).to.equal('rotate');
      await until(() => inShadow(el, '[part="status"]')?.textContent?.includes('is AWSCURRENT'), 'the rotation result');
      const now = await m.kit.secretsManager('us-east-1').getSecretValue({ SecretId: 'demo/db' });
      expect(now.SecretString).to.have.length(24);
      await until(() => shadowText(el).includes('AWSPREVIOUS'), 'two versions listed');

      const replicated = nextEvent<EventDetails['ek-secret-change']>(m.provider, 'ek-secret-change');
      button(el, `Replicate to ${REGIONS[1]}`)!.click();
      expect((await replicated).action).to.equal('replicate');
      await until(() => inShadow(el, 'table[part="list"]')?.textContent?.includes('InSync'), 'the replica status in the list');
      // A primary with replicas cannot be deleted (API DeleteSecret).
      await until(() => button(el, 'Delete')?.disabled, 'delete disabled while replicated');
      await m.kit.secretsManager('us-east-1').removeRegionsFromReplication({ SecretId: 'demo/db', RemoveReplicaRegions: [REGIONS[1]] });
      el.region = REGIONS[1];
      el.region = 'us-east-1';
      await until(() => button(el, 'Delete') && !button(el, 'Delete')!.disabled, 'delete enabled once the replica is gone');

      const deleted = nextEvent<EventDetails['ek-secret-change']>(m.provider, 'ek-secret-change');
      button(el, 'Delete')!.click();
      expect((await deleted).action).to.equal('delete');
      await until(() => inShadow(el, 'tr[data-secret="demo/db"] .deleted') && button(el, 'Restore'), 'the deletion state in the list');
      const restored = nextEvent<EventDetails['ek-secret-change']>(m.provider, 'ek-secret-change');
      button(el, 'Restore')!.click();
      expect((await restored).action).to.equal('restore');
      await until(() => button(el, 'Reveal'), 'the secret live again');
    } finally {
      await m.cleanup();
      await deleteServicesStorage({ storage: 'indexeddb', name: m.name, regions: REGIONS });
    }
  });

  it('shows and fires the error when the Region\'s KMS is out, and a replica still reveals', async () => {
    const m = await mountKit(`<ek-secrets region="${REGIONS[1]}"></ek-secrets>`);
    try {
      await m.kit.secretsManager('us-east-1').createSecret({ Name: 'survivor', SecretString: 'still here', AddReplicaRegions: [{ Region: REGIONS[1] }] });
      await m.kit.simulate({ region: 'us-east-1', outage: true });
      const el = m.provider.querySelector('ek-secrets')!;
      el.region = 'us-east-1';
      await until(() => button(el, 'Reveal'), 'the primary listed');
      const failed = nextEvent<EventDetails['ek-error']>(m.provider, 'ek-error');
      button(el, 'Reveal')!.click();
      const { operation, error } = await failed;
      expect(operation).to.equal('getSecretValue');
      expect((error as Error).name).to.equal('InternalServiceError');
      await until(() => inShadow(el, '[part="status"].error'), 'the error status');
      el.region = REGIONS[1];
      await until(() => shadowText(el).includes('replica of us-east-1'), 'the replica listed');
      button(el, 'Reveal')!.click();
      await until(() => inShadow(el, '[part="value"]')?.textContent === 'still here', 'the replica revealed');
    } finally {
      await m.cleanup();
      await deleteServicesStorage({ storage: 'indexeddb', name: m.name, regions: REGIONS });
    }
  });
});
