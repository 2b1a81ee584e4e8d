/**
 * kit.backup / kit.restore through the real worker and real IndexedDB (issue 12): a kit with KMS
 * keys, a multi-Region replica, an alias, a grant and branch keys backs up to one file; a kit of
 * another name restores it, and every earlier message (KMS and branch key) decrypts, also after
 * the restored kit is closed and reopened. Refusals arrive as KitErrors with their codes and leave
 * the target as it was.
 */
import { expect } from 'chai';
import { KitError, type Kit } from '../../src/index.js';
import { describe, it } from '../support/bdd.js';
import { rejection, str, withKit } from './client-support.js';

const PASSPHRASE = 'a long passphrase for the browser tests';
const ALICE = 'arn:aws:iam::111122223333:user/alice';

/** What a test compares before and after a refused restore. */
async function observe(kit: Kit) {
  const out: Record<string, unknown> = {};
  for (const region of kit.regions) {
    const client = kit.kms(region);
    out[region] = {
      keys: (await client.listKeys({})).Keys.map((k) => k.KeyId).sort(),
      aliases: (await client.listAliases({})).Aliases.map((a) => a.AliasName).sort(),
    };
  }
  return out;
}

async function populate(kit: Kit) {
  const east = kit.kms('us-east-1');
  const { KeyMetadata } = await east.createKey({ Description: 'notes' });
  await east.createAlias({ AliasName: 'alias/notes', TargetKeyId: KeyMetadata.KeyId });
  const note = (await kit.encrypt('the old note', { keyId: 'alias/notes', encryptionContext: { user: 'alice' } })).ciphertext;
  await east.rotateKeyOnDemand({ KeyId: KeyMetadata.KeyId });
  const after = (await kit.encrypt('after rotation', { keyId: KeyMetadata.Arn, encryptionContext: {} })).ciphertext;
  const { GrantId } = await east.createGrant({ KeyId: KeyMetadata.KeyId, GranteePrincipal: ALICE, Operations: ['Decrypt'] });
  const mrk = (await east.createKey({ MultiRegion: true })).KeyMetadata;
  await east.replicateKey({ KeyId: mrk.KeyId, ReplicaRegion: 'eu-west-1' });
  const multi = (await kit.encrypt('multi-region', { keyId: mrk.Arn, encryptionContext: {} })).ciphertext;
  const branchKeyId = await kit.createBranchKey({ keyId: KeyMetadata.Arn });
  const records = await kit.encryptMany([new TextEncoder().encode('record one'), new TextEncoder().encode('record two')], { branchKeyId, encryptionContext: { table: 't' } });
  return { key: KeyMetadata, note, after, GrantId, mrk, multi, branchKeyId, records };
}

describe('kit.backup / kit.restore', () => {
  it('a kit of another name restores everything: KMS and branch key messages decrypt, also after a reopen', async () => {
    let file: Blob | undefined;
    let made: Awaited<ReturnType<typeof populate>> | undefined;
    await withKit(async (kit) => {
      made = await populate(kit);
      file = await kit.backup({ passphrase: PASSPHRASE });
      expect(file).to.be.instanceOf(Blob);
    });
    const m = made!;
    await withKit(async (kit, name) => {
      const summary = await kit.restore(file!, { passphrase: PASSPHRASE });
      expect(summary).to.include({ regions: 2, keys: 3, aliases: 1, grants: 1, branchKeys: 3 });
      expect(summary.auditRecords).to.be.greaterThan(5);
      expect(str((await kit.decrypt(m.note.slice(), { encryptionContext: { user: 'alice' } })).plaintext)).to.equal('the old note');
      expect(str((await kit.decrypt(m.after)).plaintext)).to.equal('after rotation');
      expect(str((await kit.decrypt(m.multi, { region: 'eu-west-1' })).plaintext)).to.equal('multi-region');
      const results = await kit.decryptMany(m.records.map((r) => r.slice()));
      expect(results.map((r) => ('plaintext' in r ? str(r.plaintext) : `error ${r.error.code}`))).to.deep.equal(['record one', 'record two']);
      expect((await kit.kms('us-east-1').describeKey({ KeyId: 'alias/notes' })).KeyMetadata.KeyId).to.equal(m.key.KeyId);
      expect((await kit.kms('us-east-1').listGrants({ KeyId: m.key.KeyId })).Grants.map((g) => g.GrantId)).to.deep.equal([m.GrantId]);
      // New branch key messages work after the restore too (the records were re-bound to this kit's store).
      const fresh = await kit.encryptMany([new TextEncoder().encode('new')], { branchKeyId: m.branchKeyId, encryptionContext: {} });
      expect(str(((await kit.decryptMany(fresh))[0] as { plaintext: Uint8Array }).plaintext)).to.equal('new');
      expect((await kit.audit.verify()).ok).to.equal(true);

      // Persisted in IndexedDB: a new kit on the same databases (a reload) still decrypts.
      const { createKit } = await import('../../src/index.js');
      const again = await createKit({ name, regions: kit.regions });
      try {
        expect(str((await again.decrypt(m.note.slice(), { encryptionContext: { user: 'alice' } })).plaintext)).to.equal('the old note');
        expect((await again.audit.verify()).ok).to.equal(true);
      } finally {
        await again.close();
      }
    });
  });

  it('refusals are KitErrors with their own codes and change nothing', async () => {
    let file: Uint8Array | undefined;
    await withKit(async (kit) => {
      await populate(kit);
      file = new Uint8Array(await (await kit.backup({ passphrase: PASSPHRASE })).arrayBuffer());
    });
    const bytes = file!;
    await withKit(async (kit) => {
      const mine = (await kit.kms('eu-west-1').createKey({ Description: 'mine' })).KeyMetadata;
      const note = (await kit.encrypt('mine', { keyId: mine.Arn, encryptionContext: {} })).ciphertext;
      const before = await observe(kit);
      const altered = bytes.slice();
      altered[altered.length - 100]! ^= 0x80;
      const cases: [string, Promise<unknown>][] = [
        ['WRONG_PASSPHRASE', kit.restore(bytes, { passphrase: 'not the passphrase', replace: true })],
        ['BACKUP_DAMAGED', kit.restore(bytes.slice(0, bytes.length - 1), { passphrase: PASSPHRASE, replace: true })],
        ['BACKUP_DAMAGED', kit.restore(new Blob([altered]), { passphrase: PASSPHRASE, replace: true })],
        ['NOT_EMPTY', kit.restore(bytes, { passphrase: PASSPHRASE })],
      ];
      for (const [code, promise] of cases) {
        const error = await rejection(promise);
        expect(error, `${code}: ${error.message}`).to.be.instanceOf(KitError);
        expect(error.code).to.equal(code);
        expect(error.message).to.match(/Nothing was changed/);
      }
      expect(await observe(kit)).to.deep.equal(before);
      expect(str((await kit.decrypt(note)).plaintext)).to.equal('mine');
      expect((await kit.audit.verify()).ok).to.equal(true);
      // With replace, the same file restores over it.
      const summary = await kit.restore(bytes, { passphrase: PASSPHRASE, replace: true });
      expect(summary.keys).to.equal(3);
      expect(((await observe(kit))['eu-west-1'] as { keys: string[] }).keys).to.not.include(mine.KeyId);
    });
  });
});
