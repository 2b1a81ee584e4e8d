/**
 * The passphrase lock through the real worker and IndexedDB (issue 12): createKit({ name,
 * passphrase }), lock/unlock/locked, LOCKED errors, a reopened kit starting locked (a reload, a
 * second tab), changePassphrase, idle auto-lock, kit.storage(), and passkey unlock through the
 * WebAuthn PRF extension with a virtual authenticator (Chromium; listed as skipped elsewhere).
 */
import { expect } from 'chai';
import { executeServerCommand } from '@web/test-runner-commands';
import { createKit, KitError, type Kit } from '../../src/index.js';
import { describe, it, skip } from '../support/bdd.js';
import { REGIONS, rejection, str, withKit } from './client-support.js';

const PASS = 'the kit passphrase for browser tests';

async function code(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await rejection(promise);
  expect(error, error.message).to.be.instanceOf(KitError);
  return error.code;
}

async function reopen<T>(name: string, body: (kit: Kit) => Promise<T>, passphrase?: string): Promise<T> {
  const kit = await createKit({ name, regions: REGIONS, ...(passphrase ? { passphrase } : {}) });
  try {
    return await body(kit);
  } finally {
    await kit.close();
  }
}

const authenticator = (await executeServerCommand('ek-virtual-authenticator')) as { supported: boolean; why?: string };

describe('kit lock', () => {
  it('locked, key calls reject with LOCKED and others answer; a wrong passphrase leaves it locked', () =>
    withKit(
      async (kit) => {
        expect(kit.locked).to.equal(false);
        expect(kit.lockable).to.equal(true);
        const { KeyMetadata } = await kit.kms('us-east-1').createKey({});
        const note = (await kit.encrypt('locked away', { keyId: KeyMetadata.Arn, encryptionContext: {} })).ciphertext;
        await kit.lock();
        expect(kit.locked).to.equal(true);
        expect(await code(kit.decrypt(note.slice()))).to.equal('LOCKED');
        expect(await code(kit.encrypt('x', { keyId: KeyMetadata.Arn, encryptionContext: {} }))).to.equal('LOCKED');
        expect(await code(kit.kms('us-east-1').generateDataKey({ KeyId: KeyMetadata.KeyId, NumberOfBytes: 32 }))).to.equal('LOCKED');
        expect(await code(kit.backup({ passphrase: 'backup passphrase' }))).to.equal('LOCKED');
        expect((await kit.kms('us-east-1').describeKey({ KeyId: KeyMetadata.KeyId })).KeyMetadata.KeyState).to.equal('Enabled');
        expect(await code(kit.unlock('not it'))).to.equal('WRONG_PASSPHRASE');
        expect(kit.locked).to.equal(true);
        await kit.unlock(PASS);
        expect(kit.locked).to.equal(false);
        expect(str((await kit.decrypt(note.slice())).plaintext)).to.equal('locked away');
      },
      { passphrase: PASS },
    ));

  it('a reopened kit (a reload, a second tab) starts locked; the first stays unlocked', () =>
    withKit(
      async (kit, name) => {
        const { KeyMetadata } = await kit.kms('eu-west-1').createKey({});
        const note = (await kit.encrypt('across tabs', { keyId: KeyMetadata.Arn, encryptionContext: {} })).ciphertext;
        await reopen(name, async (second) => {
          expect(second.locked).to.equal(true);
          expect(await code(second.decrypt(note.slice()))).to.equal('LOCKED');
          await second.unlock(PASS);
          expect(str((await second.decrypt(note.slice())).plaintext)).to.equal('across tabs');
        });
        // Even with the passphrase given again, an existing kit opens locked.
        await reopen(name, async (third) => expect(third.locked).to.equal(true), PASS);
        expect(kit.locked).to.equal(false);
        expect(str((await kit.decrypt(note.slice())).plaintext)).to.equal('across tabs');
      },
      { passphrase: PASS },
    ));

  it('changePassphrase: the new one unlocks after a reopen, the old one no longer does, data untouched', () =>
    withKit(
      async (kit, name) => {
        const { KeyMetadata } = await kit.kms('us-east-1').createKey({});
        const note = (await kit.encrypt('still here', { keyId: KeyMetadata.Arn, encryptionContext: {} })).ciphertext;
        expect(await code(kit.changePassphrase('wrong', 'a brand new passphrase'))).to.equal('WRONG_PASSPHRASE');
        await kit.changePassphrase(PASS, 'a brand new passphrase');
        await reopen(name, async (again) => {
          expect(await code(again.unlock(PASS))).to.equal('WRONG_PASSPHRASE');
          await again.unlock('a brand new passphrase');
          expect(str((await again.decrypt(note.slice())).plaintext)).to.equal('still here');
        });
      },
      { passphrase: PASS },
    ));

  it('autoLockMs locks an idle kit', () =>
    withKit(
      async (kit) => {
        const { KeyMetadata } = await kit.kms('us-east-1').createKey({});
        (await kit.encrypt('x', { keyId: KeyMetadata.Arn, encryptionContext: {} })).ciphertext;
        expect(kit.locked).to.equal(false);
        const deadline = Date.now() + 10_000;
        while (!kit.locked && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        expect(kit.locked).to.equal(true);
        expect(await code(kit.encrypt('y', { keyId: KeyMetadata.Arn, encryptionContext: {} }))).to.equal('LOCKED');
      },
      { passphrase: PASS, autoLockMs: 400 },
    ));

  it('a kit without a passphrase cannot lock; kit.storage() reports persistence and usage', () =>
    withKit(async (kit) => {
      expect(kit.lockable).to.equal(false);
      const error = await rejection(kit.lock());
      expect(error).to.be.instanceOf(TypeError);
      await kit.kms('us-east-1').createKey({});
      const status = await kit.storage();
      // WebKitGTK (2.50, under WebKitWebDriver) has no navigator.storage: nothing is known, nothing is claimed.
      if (!navigator.storage) {
        expect(status).to.deep.equal({ persisted: false, usage: undefined, quota: undefined });
        return;
      }
      expect(status.persisted).to.equal(await navigator.storage.persisted());
      const direct = await navigator.storage.estimate();
      for (const field of ['usage', 'quota'] as const) {
        if (direct[field] === undefined) expect(status[field], field).to.equal(undefined);
        else expect(status[field], field).to.be.a('number');
      }
      if (direct.quota !== undefined) expect(status.quota!).to.be.greaterThan(0);
    }));
});

describe('kit unlock with a passkey (WebAuthn PRF)', () => {
  if (!authenticator.supported) {
    skip(`a passkey added with the passphrase unlocks the kit (skipped: ${authenticator.why})`);
    return;
  }
  it('a passkey added with the passphrase unlocks the kit, also after a reopen', () =>
    withKit(
      async (kit, name) => {
        const { KeyMetadata } = await kit.kms('us-east-1').createKey({});
        const note = (await kit.encrypt('opened with a passkey', { keyId: KeyMetadata.Arn, encryptionContext: {} })).ciphertext;
        expect(await code(kit.unlock({ prf: true }))).to.equal('PASSKEY_UNAVAILABLE');
        expect(await code(kit.addPasskey({ passphrase: 'wrong' }))).to.equal('WRONG_PASSPHRASE');
        await kit.addPasskey({ passphrase: PASS, userName: 'alice' });
        await kit.lock();
        await kit.unlock({ prf: true });
        expect(kit.locked).to.equal(false);
        expect(str((await kit.decrypt(note.slice())).plaintext)).to.equal('opened with a passkey');
        await reopen(name, async (again) => {
          expect(again.locked).to.equal(true);
          await again.unlock({ prf: true });
          expect(str((await again.decrypt(note.slice())).plaintext)).to.equal('opened with a passkey');
        });
        // A PRF output that is not the passkey's does not unlock.
        await kit.lock();
        expect(await code(kit.unlock({ prf: crypto.getRandomValues(new Uint8Array(32)), credentialId: new Uint8Array(16) }))).to.equal('WRONG_PASSPHRASE');
      },
      { passphrase: PASS },
    ));
});
