import { expect } from 'chai';
import { describe, it } from '../support/bdd.js';
import { mountKit, until, inShadow, shadowText, nextEvent } from './components-support.js';
import { ActionController, KitConsumer, describeError } from '../../src/components/index.js';
import type { Kit } from '../../src/index.js';

describe('components: <ek-kit> and the controllers', () => {
  it('provides one kit to its descendants and fires ek-kit-ready', async () => {
    const mounted = await mountKit('<ek-encrypt></ek-encrypt><ek-decrypt></ek-decrypt>');
    try {
      expect(mounted.provider.kit).to.equal(mounted.kit);
      const encrypt = mounted.provider.querySelector('ek-encrypt')!;
      await until(() => inShadow(encrypt, 'form'), 'the encrypt form');
      expect(mounted.kit.regions).to.deep.equal(['us-east-1', 'eu-west-1']);
    } finally {
      await mounted.cleanup();
    }
  });

  it('shows a pending status while starting and an error state when the kit cannot start', async () => {
    const provider = document.createElement('ek-kit');
    provider.setAttribute('regions', 'not-a-region');
    provider.setAttribute('name', `ek-components-bad-${crypto.randomUUID()}`);
    const failed = nextEvent<{ error: Error }>(provider, 'ek-kit-error');
    document.body.append(provider);
    try {
      await provider.updateComplete;
      expect(shadowText(provider)).to.contain('Starting the kit');
      const { error } = await failed;
      expect(error).to.be.instanceOf(Error);
      await until(() => shadowText(provider).includes('could not start'), 'the error status');
      expect(inShadow(provider, '[part="status"]')!.getAttribute('aria-live')).to.equal('polite');
    } finally {
      provider.remove();
    }
  });

  it('a component outside any <ek-kit> waits and says so', async () => {
    const orphan = document.createElement('ek-regions');
    document.body.append(orphan);
    try {
      await orphan.updateComplete;
      expect(shadowText(orphan)).to.contain('Waiting for the kit');
    } finally {
      orphan.remove();
    }
  });

  it('ActionController: pending, complete, error, and a newer run supersedes an older one', async () => {
    const updates: string[] = [];
    const host = { addController() {}, removeController() {}, requestUpdate() {}, updateComplete: Promise.resolve(true) };
    const controller = new ActionController(host, async (signal, ms: number, fail: boolean) => {
      await new Promise((r) => setTimeout(r, ms));
      signal.throwIfAborted();
      if (fail) throw new Error('boom');
      return ms;
    });
    const slow = controller.run(50, false);
    expect(controller.status).to.equal('pending');
    const fast = controller.run(1, false);
    expect(await fast).to.equal(1);
    expect(await slow, 'the superseded run resolves undefined').to.equal(undefined);
    expect(controller.status).to.equal('complete');
    expect(await controller.run(1, true)).to.equal(undefined);
    expect(controller.status).to.equal('error');
    updates.push(describeError(controller.error));
    expect(updates[0]).to.contain('boom');
  });

  it('KitConsumer.require names the element when there is no kit', () => {
    const el = { addController() {}, requestUpdate() {}, localName: 'my-el' } as unknown as ConstructorParameters<typeof KitConsumer>[0];
    const consumer = new KitConsumer(el);
    expect(() => consumer.require()).to.throw(TypeError, /<my-el> needs a ready kit/);
    expect(consumer.kit as Kit | undefined).to.equal(undefined);
  });

  it('describeError gives advice by code and keeps the kit message', () => {
    const error = Object.assign(new Error('key "department" differs'), { code: 'ENCRYPTION_CONTEXT_MISMATCH' });
    expect(describeError(error)).to.match(/^The encryption context does not match.*ENCRYPTION_CONTEXT_MISMATCH: key "department" differs/);
    const kms = Object.assign(new Error('internal'), { name: 'KMSInternalException', code: 'KMSInternalException' });
    expect(describeError(kms)).to.contain('outage');
  });
});
