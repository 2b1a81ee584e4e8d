import { expect } from 'chai';
import { describe, it } from '../support/bdd.js';
import { mountKit, until, inShadow, shadowText, nextEvent, button, focus, type, press } from './components-support.js';
import type { EventDetails } from '../../src/components/index.js';

describe('components: <ek-key-manager>, <ek-key-details>, <ek-key-policy>', () => {
  it('creates a key from the keyboard, fires ek-key-change and ek-key-select, and lists it', async () => {
    const m = await mountKit('<ek-key-manager region="us-east-1"></ek-key-manager>');
    try {
      const manager = m.provider.querySelector('ek-key-manager')!;
      await until(() => shadowText(manager).includes('No keys in us-east-1 yet'), 'the empty state');
      const created = nextEvent<EventDetails['ek-key-change']>(m.provider, 'ek-key-change');
      const selected = nextEvent<EventDetails['ek-key-select']>(m.provider, 'ek-key-select');
      focus(inShadow<HTMLInputElement>(manager, 'input[name="description"]')!);
      await type('notes key');
      focus(inShadow<HTMLInputElement>(manager, 'input[name="alias"]')!);
      await type('notes');
      await press('Enter');
      const change = await created;
      expect(change.action).to.equal('create');
      expect(change.metadata?.MultiRegion).to.equal(true);
      expect((await selected).arn).to.match(/^arn:aws:kms:us-east-1:\d{12}:key\/mrk-/);
      await until(() => inShadow(manager, 'table[part="list"]')?.textContent?.includes('alias/notes'), 'the key in the list');
      await until(() => inShadow(inShadow(manager, 'ek-key-details'), 'dl'), 'the details panel');
    } finally {
      await m.cleanup();
    }
  });

  it('shows pending while the KMS is slow, and the KMS error when an alias is taken', async () => {
    const m = await mountKit('<ek-key-manager region="us-east-1"></ek-key-manager>');
    try {
      await m.kit.kms('us-east-1').createAlias({ AliasName: 'alias/taken', TargetKeyId: (await m.kit.kms('us-east-1').createKey({})).KeyMetadata.KeyId });
      const manager = m.provider.querySelector('ek-key-manager')!;
      await until(() => inShadow(manager, 'form'), 'the form');
      await m.kit.simulate({ region: 'us-east-1', latencyMs: 300 });
      inShadow<HTMLInputElement>(manager, 'input[name="alias"]')!.value = 'taken';
      const failed = nextEvent<EventDetails['ek-error']>(m.provider, 'ek-error');
      button(manager, 'Create key')!.click();
      await until(() => button(manager, 'Creating…')?.disabled, 'the pending button');
      expect(shadowText(manager)).to.contain('Creating a key in us-east-1');
      const { operation, error } = await failed;
      expect(operation).to.equal('createKey');
      expect((error as Error).name).to.equal('AlreadyExistsException');
      await until(() => inShadow(manager, '[part="status"].error')?.textContent?.includes('alias is already in use'), 'the error status');
      expect(inShadow(manager, '[part="status"]')!.getAttribute('role')).to.equal('status');
    } finally {
      await m.cleanup();
    }
  });

  it('details: rotate, disable/enable, schedule and cancel deletion, replicate, each firing ek-key-change', async () => {
    const m = await mountKit('<ek-key-details region="us-east-1"></ek-key-details>');
    try {
      const { KeyMetadata } = await m.kit.kms('us-east-1').createKey({ MultiRegion: true });
      const details = m.provider.querySelector('ek-key-details')!;
      details.keyId = KeyMetadata.KeyId;
      const act = async (label: string, action: string, after: string) => {
        const changed = nextEvent<EventDetails['ek-key-change']>(m.provider, 'ek-key-change');
        // Wait for an enabled button that holds focus: the panel re-renders (and disables its
        // fieldset) while the previous action's DescribeKey is in flight.
        await until(() => {
          const control = button(details, label);
          if (!control?.matches(':enabled')) return undefined;
          control.focus();
          return details.shadowRoot!.activeElement === control;
        }, `the ${label} button, enabled and focused`);
        await press('Enter');
        expect((await changed).action).to.equal(action);
        await until(() => shadowText(details).includes(after), after);
      };
      await act('Rotate now', 'rotate', 'rotated 1×');
      await act('Disable', 'disable', 'Disabled');
      await act('Enable', 'enable', 'Key enabled.');
      await act('Schedule deletion', 'schedule-deletion', 'PendingDeletion');
      await act('Cancel deletion', 'cancel-deletion', 'Deletion cancelled');
      await act('Enable', 'enable', 'Key enabled.');
      await act('Replicate', 'replicate', 'Replicated to eu-west-1');
      const { KeyMetadata: replica } = await m.kit.kms('eu-west-1').describeKey({ KeyId: KeyMetadata.KeyId });
      expect(replica.MultiRegionConfiguration?.MultiRegionKeyType).to.equal('REPLICA');
    } finally {
      await m.cleanup();
    }
  });

  it('policy editor: JSON errors before any call, the KMS validation message after PutKeyPolicy', async () => {
    const m = await mountKit('<ek-key-policy region="us-east-1"></ek-key-policy>');
    try {
      const { KeyMetadata } = await m.kit.kms('us-east-1').createKey({});
      const editor = m.provider.querySelector('ek-key-policy')!;
      editor.keyId = KeyMetadata.KeyId;
      const textarea = await until(() => inShadow<HTMLTextAreaElement>(editor, 'textarea'), 'the policy text');
      expect(JSON.parse(textarea.value).Statement).to.be.an('array');
      textarea.value = '{ "Version": ';
      textarea.dispatchEvent(new Event('input'));
      await until(() => shadowText(editor).includes('Not valid JSON'), 'the syntax message');
      expect(button(editor, 'Save policy')!.disabled).to.equal(true);
      expect(textarea.getAttribute('aria-invalid')).to.equal('true');
      textarea.value = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Maybe', Principal: '*', Action: 'kms:*', Resource: '*' }] });
      textarea.dispatchEvent(new Event('input'));
      const failed = nextEvent<EventDetails['ek-error']>(m.provider, 'ek-error');
      await until(() => !button(editor, 'Save policy')!.disabled, 'save enabled');
      button(editor, 'Save policy')!.click();
      const { error } = await failed;
      expect((error as Error).name).to.equal('MalformedPolicyDocumentException');
      await until(() => shadowText(editor).includes('The key policy was refused'), 'the KMS message');
    } finally {
      await m.cleanup();
    }
  });
});
