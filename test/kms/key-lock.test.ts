/**
 * The passphrase lock (issue 12) on memory storage: a KMS created with a passphrase keeps its
 * region roots wrapped; locked, every call that needs a key rejects with KitError LOCKED (and is
 * audited as such) while calls that need none still answer; a reopened KMS starts locked; a wrong
 * passphrase changes nothing; changing the passphrase re-wraps only the master key; a passkey's PRF
 * output is a second way in.
 */
import { describe, expect, it } from 'vitest';
import { createKms } from '../../src/kms/index.js';
import { KitError } from '../../src/client/errors.js';
import { MemoryStore } from '../../src/kms/storage/memory-store.js';
import { MemoryLockStore, lockDatabaseName } from '../../src/kms/lock/lock-store.js';
import { bytes, keyId } from './helpers.js';

const PASS = 'open sesame, but longer';
const text = (b: Uint8Array) => new TextDecoder().decode(b);

async function code(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error, 'expected a rejection').toBeInstanceOf(KitError);
  return (error as KitError).code;
}

async function lockedKms(name = `lock-${crypto.randomUUID()}`) {
  const kms = await createKms({ storage: 'memory', name, passphrase: PASS, kdf: 'pbkdf2-sha256' });
  return { kms, name };
}

describe('passphrase lock', () => {
  it('a new KMS with a passphrase starts unlocked and stores no plain root key', async () => {
    const { kms, name } = await lockedKms();
    expect(kms.locked).toBe(false);
    expect(kms.lockable).toBe(true);
    const id = await keyId(kms.region('us-east-1'));
    expect(text((await kms.region('us-east-1').decrypt({ CiphertextBlob: (await kms.region('us-east-1').encrypt({ KeyId: id, Plaintext: bytes('x') })).CiphertextBlob })).Plaintext)).toBe('x');
    // The region database holds no root: its root(create) would have to create one.
    const store = new MemoryStore(`${name}:111122223333:us-east-1`, 'us-east-1');
    await expect(store.root(async () => { throw new Error('no root stored'); })).rejects.toThrow('no root stored');
    // The lock store holds the roots wrapped: AES-KW of 32 bytes is 40 bytes.
    const root = await new MemoryLockStore(lockDatabaseName(name, '111122223333')).root('us-east-1');
    expect(root!.wrap).toHaveLength(40);
    expect(root!.seal).toHaveLength(40);
  });

  it('locked: key calls reject with LOCKED (audited), others answer; a wrong passphrase changes nothing', async () => {
    const { kms } = await lockedKms();
    const east = kms.region('us-east-1');
    const id = await keyId(east);
    const { CiphertextBlob } = await east.encrypt({ KeyId: id, Plaintext: bytes('secret') });
    await kms.lock();
    expect(kms.locked).toBe(true);
    expect(await code(east.decrypt({ CiphertextBlob }))).toBe('LOCKED');
    expect(await code(east.encrypt({ KeyId: id, Plaintext: bytes('y') }))).toBe('LOCKED');
    expect(await code(east.createKey({}))).toBe('LOCKED');
    expect(await code(kms.backup({ passphrase: PASS }))).toBe('LOCKED');
    expect((await east.describeKey({ KeyId: id })).KeyMetadata.KeyId).toBe(id);
    const refused = await kms.audit.query({ errorCode: 'LOCKED' });
    expect(refused.map((r) => r.eventName)).toEqual(['Decrypt', 'Encrypt', 'CreateKey']);
    expect(JSON.stringify(refused)).not.toContain('secret');
    expect(await code(kms.unlock('not the passphrase'))).toBe('WRONG_PASSPHRASE');
    expect(kms.locked).toBe(true);
    await kms.unlock(PASS);
    expect(kms.locked).toBe(false);
    expect(text((await east.decrypt({ CiphertextBlob })).Plaintext)).toBe('secret');
    expect((await kms.audit.verify()).ok).toBe(true);
  });

  it('a reopened KMS (another tab, a reload) starts locked, even when given the passphrase', async () => {
    const { kms, name } = await lockedKms();
    const id = await keyId(kms.region('eu-west-1'));
    const { CiphertextBlob } = await kms.region('eu-west-1').encrypt({ KeyId: id, Plaintext: bytes('z') });
    for (const again of [await createKms({ storage: 'memory', name }), await createKms({ storage: 'memory', name, passphrase: PASS })]) {
      expect(again.locked).toBe(true);
      expect(await code(again.region('eu-west-1').decrypt({ CiphertextBlob }))).toBe('LOCKED');
      await again.unlock(PASS);
      expect(text((await again.region('eu-west-1').decrypt({ CiphertextBlob })).Plaintext)).toBe('z');
    }
    // The first instance was never locked by the others.
    expect(kms.locked).toBe(false);
  });

  it('changePassphrase re-wraps the master key only: roots and ciphertexts stay, the old passphrase stops working', async () => {
    const { kms, name } = await lockedKms();
    const id = await keyId(kms.region('us-east-1'));
    const { CiphertextBlob } = await kms.region('us-east-1').encrypt({ KeyId: id, Plaintext: bytes('kept') });
    const lockStore = new MemoryLockStore(lockDatabaseName(name, '111122223333'));
    const rootBefore = await lockStore.root('us-east-1');
    expect(await code(kms.changePassphrase('wrong', 'next passphrase!'))).toBe('WRONG_PASSPHRASE');
    await kms.changePassphrase(PASS, 'next passphrase!');
    expect(await lockStore.root('us-east-1')).toEqual(rootBefore);
    await kms.lock();
    expect(await code(kms.unlock(PASS))).toBe('WRONG_PASSPHRASE');
    await kms.unlock('next passphrase!');
    expect(text((await kms.region('us-east-1').decrypt({ CiphertextBlob })).Plaintext)).toBe('kept');
    const other = await createKms({ storage: 'memory', name });
    await other.unlock('next passphrase!');
    expect(text((await other.region('us-east-1').decrypt({ CiphertextBlob })).Plaintext)).toBe('kept');
  });

  it('a passkey PRF output unlocks once added with the passphrase; another output does not', async () => {
    const { kms } = await lockedKms();
    const id = await keyId(kms.region('us-east-1'));
    const { CiphertextBlob } = await kms.region('us-east-1').encrypt({ KeyId: id, Plaintext: bytes('pk') });
    const credentialId = crypto.getRandomValues(new Uint8Array(16));
    const prfSalt = crypto.getRandomValues(new Uint8Array(32));
    const prfOutput = crypto.getRandomValues(new Uint8Array(32));
    expect(await code(kms.addPasskey({ passphrase: 'wrong', credentialId, prfSalt, prfOutput }))).toBe('WRONG_PASSPHRASE');
    await kms.addPasskey({ passphrase: PASS, credentialId, prfSalt, prfOutput });
    expect((await kms.passkeys()).map((p) => [...p.prfSalt])).toEqual([[...prfSalt]]);
    await kms.lock();
    expect(await code(kms.unlock({ prf: crypto.getRandomValues(new Uint8Array(32)), credentialId }))).toBe('WRONG_PASSPHRASE');
    expect(await code(kms.unlock({ prf: prfOutput, credentialId: new Uint8Array(16) }))).toBe('WRONG_PASSPHRASE');
    await kms.unlock({ prf: prfOutput, credentialId });
    expect(text((await kms.region('us-east-1').decrypt({ CiphertextBlob })).Plaintext)).toBe('pk');
  });

  it('a passphrase for a KMS that holds keys under plain roots is refused (NOT_EMPTY); lock() without one is a TypeError', async () => {
    const name = `plain-${crypto.randomUUID()}`;
    const plain = await createKms({ storage: 'memory', name });
    await keyId(plain.region('us-east-1'));
    expect(await code(createKms({ storage: 'memory', name, passphrase: PASS }))).toBe('NOT_EMPTY');
    await expect(plain.lock()).rejects.toThrow(TypeError);
    expect(plain.lockable).toBe(false);
  });

  it('a backup of a locked KMS restores into a locked target once unlocked, under the target\'s own lock', async () => {
    const { kms: source } = await lockedKms();
    const id = await keyId(source.region('us-east-1'));
    const { CiphertextBlob } = await source.region('us-east-1').encrypt({ KeyId: id, Plaintext: bytes('moved') });
    const file = await source.backup({ passphrase: 'backup passphrase', kdf: 'pbkdf2-sha256' });
    const target = await createKms({ storage: 'memory', passphrase: 'target passphrase', kdf: 'pbkdf2-sha256' });
    await target.lock();
    expect(await code(target.restore(file, { passphrase: 'backup passphrase' }))).toBe('LOCKED');
    await target.unlock('target passphrase');
    await target.restore(file, { passphrase: 'backup passphrase' });
    expect(text((await target.region('us-east-1').decrypt({ CiphertextBlob })).Plaintext)).toBe('moved');
  });
});
