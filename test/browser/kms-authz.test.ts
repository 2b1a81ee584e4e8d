/**
 * Authorization state on IndexedDB, in real browsers: IAM policies (their own database,
 * `<name>:<account>:iam`), grants (a store in each region's database, schema version 2) and the
 * audit log survive a "reload" (closing the Kms and creating it again on the same databases), and
 * deleteKmsStorage removes them all.
 */
import { expect } from 'chai';
import { openDB } from 'idb';
import { createKms, deleteKmsStorage, type Kms } from '../../src/kms/index.js';
import { rejection } from '../support/outcome.js';
import { describe, it } from '../support/bdd.js';

const ALICE = 'arn:aws:iam::111122223333:user/alice';
const BOB = 'arn:aws:iam::111122223333:user/bob';
const bytes = (s: string) => new TextEncoder().encode(s);
const USE = JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: '*' } });
let counter = 0;

async function withStorage(body: (open: () => Promise<Kms>, name: string) => Promise<void>): Promise<void> {
  const name = `kms-authz-test-${Date.now()}-${counter++}`;
  const opened: Kms[] = [];
  const open = async () => {
    const kms = await createKms({ storage: 'indexeddb', name });
    opened.push(kms);
    return kms;
  };
  try {
    await body(open, name);
  } finally {
    for (const kms of opened) kms.close();
    await deleteKmsStorage({ storage: 'indexeddb', name });
  }
}


describe('KMS authorization on IndexedDB', () => {
  it('IAM policies and grants survive a reload', async () => {
    await withStorage(async (open) => {
      const first = await open();
      const { KeyId } = (await first.region('us-east-1').createKey()).KeyMetadata;
      await first.iam.putUserPolicy({ UserName: 'alice', PolicyName: 'use', PolicyDocument: USE });
      const { GrantId } = await first.region('us-east-1').createGrant({ KeyId, GranteePrincipal: BOB, Operations: ['Encrypt'], Constraints: { EncryptionContextSubset: { app: 'a' } } });
      expect((await rejection(first.region('us-east-1', { principal: BOB }).encrypt({ KeyId, Plaintext: bytes('x') }))).code).to.equal('AccessDeniedException');
      first.close();

      const second = await open();
      // IAM returns the document URL-encoded (RFC 3986).
      expect(decodeURIComponent((await second.iam.getUserPolicy({ UserName: 'alice', PolicyName: 'use' })).PolicyDocument)).to.equal(USE);
      await second.region('us-east-1', { principal: ALICE }).encrypt({ KeyId, Plaintext: bytes('x') });
      await second.region('us-east-1', { principal: BOB }).encrypt({ KeyId, Plaintext: bytes('x'), EncryptionContext: { app: 'a' } });
      expect((await second.region('us-east-1').listGrants({ KeyId })).Grants.map((g) => g.GrantId)).to.deep.equal([GrantId]);
      await second.region('us-east-1').revokeGrant({ KeyId, GrantId });
      expect((await rejection(second.region('us-east-1', { principal: BOB }).encrypt({ KeyId, Plaintext: bytes('x'), EncryptionContext: { app: 'a' } }))).code).to.equal('AccessDeniedException');
    });
  });

  it('the audit log survives a reload and still verifies', async () => {
    await withStorage(async (open) => {
      const first = await open();
      const { KeyId } = (await first.region('eu-west-1').createKey()).KeyMetadata;
      await rejection(first.region('eu-west-1', { principal: ALICE }).describeKey({ KeyId }));
      first.close();
      const second = await open();
      const records = await second.audit.query({ region: 'eu-west-1' });
      expect(records.map((r) => [r.eventName, r.errorCode ?? 'ok'])).to.deep.equal([['CreateKey', 'ok'], ['DescribeKey', 'AccessDeniedException']]);
      expect((await second.audit.verify()).ok).to.equal(true);
    });
  });

  it('stores grants in the region database (schema 2) and IAM policies in the account\'s IAM database', async () => {
    await withStorage(async (open, name) => {
      const kms = await open();
      const { KeyId } = (await kms.region('us-west-2').createKey()).KeyMetadata;
      await kms.region('us-west-2').createGrant({ KeyId, GranteePrincipal: BOB, Operations: ['Decrypt'] });
      await kms.iam.putRolePolicy({ RoleName: 'app', PolicyName: 'use', PolicyDocument: USE });
      const region = await openDB(`${name}:111122223333:us-west-2`);
      expect(region.version).to.equal(2);
      expect((await region.getAll('grants')).map((g: { KeyId: string }) => g.KeyId)).to.deep.equal([KeyId]);
      region.close();
      const iam = await openDB(`${name}:111122223333:iam`);
      expect((await iam.getAll('policies')).map((p: { id: string }) => p.id)).to.deep.equal(['role/app/use']);
      iam.close();
    });
  });
});
