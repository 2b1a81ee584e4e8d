import { expect } from 'chai';
import { describe, it } from '../support/bdd.js';
import { mountKit, until, inShadow, shadowText, nextEvent, button, focus, press } from './components-support.js';
import type { AuditSource, EkAuditLog, EventDetails } from '../../src/components/index.js';
import type { Kit } from '../../src/index.js';

const RECORDS = [
  { eventTime: '2026-01-01T10:00:00Z', eventName: 'CreateKey', awsRegion: 'us-east-1', eventID: '1', resources: [{ ARN: 'arn:aws:kms:us-east-1:111122223333:key/k1' }] },
  { eventTime: '2026-01-01T10:00:01Z', eventName: 'Decrypt', awsRegion: 'us-east-1', eventID: '2', errorCode: 'KMSInternalException' },
];

/** A stand-in for the KMS audit log, given through the documented `source` property. */
function source(overrides: Partial<AuditSource> = {}): AuditSource & { queries: unknown[] } {
  const queries: unknown[] = [];
  return {
    queries,
    async query(filter) {
      queries.push(filter);
      return RECORDS.filter((r) => !filter?.eventName || r.eventName === filter.eventName);
    },
    async export() {
      return RECORDS.map((r) => JSON.stringify(r)).join('\n') + '\n';
    },
    async verify() {
      return { ok: true, checked: RECORDS.length };
    },
    ...overrides,
  };
}

describe('components: <ek-regions>, <ek-audit-log>', () => {
  it('regions: lists each region with its multi-Region keys; the outage switch works from the keyboard (Enter)', async () => {
    const m = await mountKit('<ek-regions></ek-regions>');
    try {
      const { KeyMetadata } = await m.kit.kms('us-east-1').createKey({ MultiRegion: true });
      await m.kit.kms('us-east-1').replicateKey({ KeyId: KeyMetadata.KeyId, ReplicaRegion: 'eu-west-1' });
      m.provider.dispatchEvent(new Event('ek-kms-change'));
      const regions = m.provider.querySelector('ek-regions')!;
      await until(() => inShadow(regions, 'section[aria-label="Region eu-west-1"]')?.textContent?.includes('replica'), 'the replica');
      const toggle = inShadow<HTMLButtonElement>(regions, 'button[role="switch"][aria-label="Outage in us-east-1"]')!;
      expect(toggle.getAttribute('aria-checked')).to.equal('false');
      const changed = nextEvent<EventDetails['ek-simulation-change']>(m.provider, 'ek-simulation-change');
      focus(toggle);
      await press('Enter');
      expect(await changed).to.deep.equal({ region: 'us-east-1', outage: true, latencyMs: 0 });
      await until(() => inShadow(regions, 'button[aria-label="Outage in us-east-1"][aria-checked="true"]'), 'the switch on');
      const error = await m.kit.kms('us-east-1').listKeys().then(() => undefined, (e: Error) => e);
      expect(error?.name).to.equal('KMSInternalException');
      await until(() => inShadow(regions, 'section.down')?.textContent?.includes('the region is down'), 'the down region');
    } finally {
      await m.cleanup();
    }
  });

  it('regions: the switches show the kit\'s settings, also those set elsewhere (kit.simulate from the app)', async () => {
    const m = await mountKit('<ek-regions></ek-regions>');
    try {
      const regions = m.provider.querySelector('ek-regions')!;
      await until(() => inShadow(regions, 'button[aria-label="Outage in eu-west-1"]'), 'the switches');
      await m.kit.simulate({ region: 'eu-west-1', outage: true, latencyMs: 40 });
      expect(await m.kit.simulation('eu-west-1')).to.deep.equal({ region: 'eu-west-1', outage: 'KMSInternalException', latencyMs: 40, throttle: null, transitionMs: 0 });
      m.provider.dispatchEvent(new Event('ek-kms-change'));
      await until(() => inShadow(regions, 'button[aria-label="Outage in eu-west-1"][aria-checked="true"]'), 'the switch on');
      const select = inShadow<HTMLSelectElement>(regions, 'select#latency-eu-west-1')!;
      expect(select.value).to.equal('40');
      expect(select.selectedOptions[0]!.textContent).to.equal('+40 ms');
      await m.kit.simulate({ region: 'eu-west-1', outage: false, latencyMs: 0 });
      m.provider.dispatchEvent(new Event('ek-kms-change'));
      await until(() => inShadow(regions, 'button[aria-label="Outage in eu-west-1"][aria-checked="false"]'), 'the switch off again');
      await m.kit.simulation('mars-1').then(
        () => expect.fail('an unknown region must be refused'),
        (error: Error) => expect(error).to.be.instanceOf(RangeError),
      );
    } finally {
      await m.cleanup();
    }
  });

  it('audit log: says "not available yet" for a kit without an audit log (nothing is made up)', async () => {
    // A kit from before the audit log existed: everything but `audit`.
    const provider = document.createElement('ek-kit');
    provider.kit = { account: '111122223333', regions: ['us-east-1'] } as unknown as Kit;
    provider.innerHTML = '<ek-audit-log></ek-audit-log>';
    document.body.append(provider);
    try {
      const log = provider.querySelector('ek-audit-log')!;
      await until(() => shadowText(log).includes('Audit log: not available yet'), 'the unavailable state');
      expect(inShadow(log, 'table')).to.equal(null);
      expect(button(log, 'Verify the chain')).to.equal(undefined);
    } finally {
      provider.remove();
    }
  });

  it('audit log: real records of the kit’s KMS, verified', async () => {
    const m = await mountKit('<ek-audit-log></ek-audit-log>');
    try {
      const log = m.provider.querySelector('ek-audit-log')!;
      await m.kit.kms('us-east-1').createKey({ Description: 'audited' });
      m.provider.dispatchEvent(new Event('ek-kms-change'));
      await until(() => inShadow(log, 'table[part="records"]')?.textContent?.includes('CreateKey'), 'the CreateKey record');
      const verified = nextEvent<EventDetails['ek-audit-verified']>(m.provider, 'ek-audit-verified');
      button(log, 'Verify the chain')!.click();
      const result = await verified;
      expect(result.ok).to.equal(true);
      expect(result.checked).to.be.greaterThan(0);
    } finally {
      await m.cleanup();
    }
  });

  it('audit log: records, filters, verification and export through a source, firing their events', async () => {
    const m = await mountKit('<ek-audit-log></ek-audit-log>');
    try {
      const log = m.provider.querySelector<EkAuditLog>('ek-audit-log')!;
      const audit = source();
      log.source = audit;
      await until(() => inShadow(log, 'table[part="records"]')?.textContent?.includes('CreateKey'), 'the records');
      expect(shadowText(log)).to.contain('KMSInternalException');
      const failuresOnly = inShadow<HTMLInputElement>(log, 'input[type="checkbox"]')!; // the first: failures only
      failuresOnly.click();
      await until(() => !inShadow(log, 'table')?.textContent?.includes('CreateKey'), 'failures only');

      const verified = nextEvent<EventDetails['ek-audit-verified']>(m.provider, 'ek-audit-verified');
      focus(button(log, 'Verify the chain')!);
      await press('Enter');
      expect(await verified).to.deep.equal({ ok: true, checked: 2, reason: undefined });
      await until(() => shadowText(log).includes('Verified: 2 records'), 'the verified message');

      const exported = nextEvent<EventDetails['ek-audit-exported']>(m.provider, 'ek-audit-exported');
      button(log, 'Export (JSON Lines)')!.click();
      expect((await exported).records).to.equal(2);
      await until(() => inShadow(log, 'a[download="kms-audit.jsonl"]'), 'the download link');
    } finally {
      await m.cleanup();
    }
  });

  it('audit log: pending and error states of verification', async () => {
    const m = await mountKit('<ek-audit-log></ek-audit-log>');
    try {
      const log = m.provider.querySelector<EkAuditLog>('ek-audit-log')!;
      let fail!: (e: Error) => void;
      log.source = source({ verify: () => new Promise((_, reject) => (fail = reject)) });
      await until(() => button(log, 'Verify the chain'), 'the button');
      const failed = nextEvent<EventDetails['ek-error']>(m.provider, 'ek-error');
      button(log, 'Verify the chain')!.click();
      await until(() => button(log, 'Verifying…')?.disabled, 'the pending state');
      fail(Object.assign(new Error('chain broken at us-east-1 #3'), { code: 'AUDIT_BROKEN' }));
      expect((await failed).operation).to.equal('audit.verify');
      await until(() => shadowText(log).includes('AUDIT_BROKEN: chain broken'), 'the error');
    } finally {
      await m.cleanup();
    }
  });
});
