/**
 * The simulated KMS on IndexedDB, in real browsers: keys survive a "reload" (closing the Kms and
 * creating it again on the same databases), a second instance on the same databases (a second tab)
 * sees the first one's rotation and loses none of its updates, a multi-Region ciphertext decrypts
 * through the replica while the first region is in a simulated outage, deletion shreds the key in
 * every database, and what IndexedDB holds is wrapped material and non-extractable root keys.
 */
import { expect } from 'chai';
import { openDB } from 'idb';
import { createKms, deleteKmsStorage, type Kms } from '../../src/kms/index.js';
import { rejection } from '../support/outcome.js';
import { describe, it } from '../support/bdd.js';

const DAY = 86_400_000;
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const bytes = (s: string) => new TextEncoder().encode(s);
let counter = 0;

/** A fresh set of databases per test, removed afterwards; `clock` drives every instance opened. */
async function withStorage(body: (open: () => Promise<Kms>, clock: { t: number }, name: string) => Promise<void>): Promise<void> {
  const name = `kms-browser-test-${Date.now()}-${counter++}`;
  const clock = { t: Date.UTC(2025, 0, 1) };
  const opened: Kms[] = [];
  const open = async () => {
    const kms = await createKms({ storage: 'indexeddb', name, now: () => clock.t });
    opened.push(kms);
    return kms;
  };
  try {
    await body(open, clock, name);
  } finally {
    for (const kms of opened) kms.close();
    await deleteKmsStorage({ storage: 'indexeddb', name });
  }
}


describe('KMS on IndexedDB', () => {
  it('keeps keys, aliases and material across a reload', () =>
    withStorage(async (open) => {
      const first = await open();
      const east = first.region('us-east-1');
      const { KeyMetadata } = await east.createKey({ Description: 'persisted' });
      await east.createAlias({ AliasName: 'alias/persisted', TargetKeyId: KeyMetadata.KeyId });
      const ecc = (await east.createKey({ KeySpec: 'ECC_NIST_P384', KeyUsage: 'SIGN_VERIFY' })).KeyMetadata.KeyId;
      const { CiphertextBlob } = await east.encrypt({ KeyId: 'alias/persisted', Plaintext: bytes('survives'), EncryptionContext: { tab: '1' } });
      const { Signature } = await east.sign({ KeyId: ecc, Message: bytes('m'), SigningAlgorithm: 'ECDSA_SHA_384' });
      first.close();

      const second = await open();
      const again = second.region('us-east-1');
      expect((await again.describeKey({ KeyId: 'alias/persisted' })).KeyMetadata.Description).to.equal('persisted');
      expect(text((await again.decrypt({ CiphertextBlob, EncryptionContext: { tab: '1' } })).Plaintext)).to.equal('survives');
      expect((await again.verify({ KeyId: ecc, Message: bytes('m'), Signature, SigningAlgorithm: 'ECDSA_SHA_384' })).SignatureValid).to.equal(true);
      expect((await again.listKeys()).Keys).to.have.length(2);
    }));

  it("lets a second tab see the first tab's rotation, on demand and by the clock", () =>
    withStorage(async (open, clock) => {
      const tabA = (await open()).region('us-east-1');
      const tabB = (await open()).region('us-east-1');
      const id = (await tabA.createKey()).KeyMetadata.KeyId;
      const before = (await tabB.describeKey({ KeyId: id })).KeyMetadata.CurrentKeyMaterialId;
      await tabA.rotateKeyOnDemand({ KeyId: id });
      const onDemand = (await tabB.describeKey({ KeyId: id })).KeyMetadata.CurrentKeyMaterialId;
      expect(onDemand).to.not.equal(before);
      expect((await tabA.describeKey({ KeyId: id })).KeyMetadata.CurrentKeyMaterialId).to.equal(onDemand);

      await tabA.enableKeyRotation({ KeyId: id, RotationPeriodInDays: 90 });
      clock.t += 90 * DAY;
      const made = await tabA.encrypt({ KeyId: id, Plaintext: bytes('rotated') }); // tab A's call performs the due rotation
      const rotations = (await tabB.listKeyRotations({ KeyId: id })).Rotations;
      expect(rotations.map((r) => r.RotationType)).to.deep.equal(['ON_DEMAND', 'AUTOMATIC']);
      const opened = await tabB.decrypt({ CiphertextBlob: made.CiphertextBlob });
      expect(opened.KeyMaterialId).to.equal(rotations[1]!.KeyMaterialId);
      expect(text(opened.Plaintext)).to.equal('rotated');
    }));

  it('loses no update when two tabs write the same key at once', () =>
    withStorage(async (open) => {
      const tabA = (await open()).region('us-east-1');
      const tabB = (await open()).region('us-east-1');
      const id = (await tabA.createKey()).KeyMetadata.KeyId;
      await Promise.all([
        ...[0, 1, 2].map((i) => tabA.tagResource({ KeyId: id, Tags: [{ TagKey: `a${i}`, TagValue: '' }] })),
        ...[0, 1, 2].map((i) => tabB.tagResource({ KeyId: id, Tags: [{ TagKey: `b${i}`, TagValue: '' }] })),
      ]);
      const tags = (await tabA.listResourceTags({ KeyId: id })).Tags.map((t) => t.TagKey).sort();
      expect(tags).to.deep.equal(['a0', 'a1', 'a2', 'b0', 'b1', 'b2']);
    }));

  it('decrypts through the eu-west-1 replica while us-east-1 is in an outage', () =>
    withStorage(async (open) => {
      const kms = await open();
      const east = kms.region('us-east-1');
      const id = (await east.createKey({ MultiRegion: true })).KeyMetadata.KeyId;
      await east.replicateKey({ KeyId: id, ReplicaRegion: 'eu-west-1' });
      const dk = await east.generateDataKey({ KeyId: id, NumberOfBytes: 32, EncryptionContext: { app: 'demo' } });
      await kms.simulate({ region: 'us-east-1', outage: true });
      expect((await rejection(east.decrypt({ CiphertextBlob: dk.CiphertextBlob, EncryptionContext: { app: 'demo' } }))).name).to.equal('KMSInternalException');
      const out = await kms.region('eu-west-1').decrypt({ CiphertextBlob: dk.CiphertextBlob, EncryptionContext: { app: 'demo' } });
      expect(Array.from(out.Plaintext)).to.deep.equal(Array.from(dk.Plaintext));
      expect(out.KeyId).to.contain('eu-west-1');
    }));

  it('shreds a deleted key: nothing decrypts, not even after a reload, and no record remains', () =>
    withStorage(async (open, clock, name) => {
      const kms = await open();
      const east = kms.region('us-east-1');
      const id = (await east.createKey()).KeyMetadata.KeyId;
      await east.rotateKeyOnDemand({ KeyId: id });
      const { CiphertextBlob } = await east.encrypt({ KeyId: id, Plaintext: bytes('doomed') });
      await east.scheduleKeyDeletion({ KeyId: id, PendingWindowInDays: 7 });
      clock.t += 7 * DAY;
      await kms.tick();
      expect((await rejection(east.decrypt({ CiphertextBlob }))).name).to.equal('NotFoundException');
      kms.close();
      const reopened = await open();
      expect((await rejection(reopened.region('us-east-1').decrypt({ CiphertextBlob }))).name).to.equal('NotFoundException');
      const db = await openDB(`${name}:111122223333:us-east-1`);
      try {
        expect(await db.get('keys', id)).to.equal(undefined);
      } finally {
        db.close();
      }
    }));

  it('stores only wrapped material and non-extractable root keys', () =>
    withStorage(async (open, _clock, name) => {
      const kms = await open();
      const east = kms.region('us-east-1');
      const material = new Uint8Array(32).map((_, i) => (i * 7 + 3) & 0xff);
      const id = (await east.createKey({ Origin: 'EXTERNAL' })).KeyMetadata.KeyId;
      const params = await east.getParametersForImport({ KeyId: id, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' });
      const wrappingKey = await crypto.subtle.importKey('spki', params.PublicKey as Uint8Array<ArrayBuffer>, { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['encrypt']);
      const EncryptedKeyMaterial = new Uint8Array(await crypto.subtle.encrypt({ name: 'RSA-OAEP' }, wrappingKey, material));
      await east.importKeyMaterial({ KeyId: id, ImportToken: params.ImportToken, EncryptedKeyMaterial });
      const db = await openDB(`${name}:111122223333:us-east-1`);
      try {
        const root = await db.get('meta', 'root');
        expect([root.wrap.extractable, root.seal.extractable]).to.deep.equal([false, false]);
        const record = await db.get('keys', id);
        const stored: Uint8Array = record.materials[0].wrapped.bytes;
        expect(stored.length).to.equal(40); // AES-KW output: 32 bytes + 8
        const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
        expect(hex(stored)).to.not.contain(hex(material));
        const imports = await db.getAll('imports');
        for (const i of imports) expect(i.privateKey.extractable).to.equal(false);
      } finally {
        db.close();
      }
    }));
});
