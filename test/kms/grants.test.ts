/**
 * Grants through the KMS API: constraints allow exactly the matching contexts, a retired or revoked
 * grant allows nothing, Name makes retries idempotent, and only those AWS allows may retire.
 */
import { createKms, type Kms, type KmsRegionClient } from '../../src/kms/index.js';
import { bytes, rejects } from './helpers.js';

const ACCOUNT = '111122223333';
const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;
const BOB = `arn:aws:iam::${ACCOUNT}:user/bob`;
const APP_ROLE = `arn:aws:iam::${ACCOUNT}:role/app`;

let kms: Kms;
let root: KmsRegionClient;
let alice: KmsRegionClient;
let keyId: string;
beforeEach(async () => {
  kms = await createKms({ storage: 'memory' });
  root = kms.region('us-east-1');
  alice = kms.region('us-east-1', { principal: ALICE });
  keyId = (await root.createKey()).KeyMetadata.KeyId;
});
afterEach(() => kms.close());

const encryptAs = (client: KmsRegionClient, EncryptionContext?: Record<string, string>) =>
  client.encrypt({ KeyId: keyId, Plaintext: bytes('p'), ...(EncryptionContext ? { EncryptionContext } : {}) });

describe('constraints', () => {
  it('EncryptionContextEquals allows exactly the pinned context, nothing more or less', async () => {
    await root.createGrant({ KeyId: keyId, GranteePrincipal: ALICE, Operations: ['Encrypt', 'Decrypt'], Constraints: { EncryptionContextEquals: { app: 'a', env: 'prod' } } });
    const { CiphertextBlob } = await encryptAs(alice, { env: 'prod', app: 'a' });
    await alice.decrypt({ CiphertextBlob, EncryptionContext: { app: 'a', env: 'prod' } });
    const contexts: (Record<string, string> | undefined)[] = [undefined, { app: 'a' }, { app: 'a', env: 'prod', x: '1' }, { app: 'A', env: 'prod' }, { APP: 'a', env: 'prod', app: 'a' }];
    for (const context of contexts) {
      await rejects(encryptAs(alice, context), 'AccessDeniedException');
    }
  });

  // AWS KMS API reference, GrantConstraints (and CreateGrant, Constraints): "The key in each
  // key-value pair is not case sensitive, but the value is case sensitive."
  for (const constraint of ['EncryptionContextSubset', 'EncryptionContextEquals'] as const) {
    it(`${constraint}: the key of each pair is not case sensitive, the value is`, async () => {
      const { CiphertextBlob: lower } = await root.encrypt({ KeyId: keyId, Plaintext: bytes('p'), EncryptionContext: { department: 'IT' } });
      const { CiphertextBlob: upper } = await root.encrypt({ KeyId: keyId, Plaintext: bytes('p'), EncryptionContext: { DEPARTMENT: 'IT' } });
      const { CiphertextBlob: value } = await root.encrypt({ KeyId: keyId, Plaintext: bytes('p'), EncryptionContext: { Department: 'it' } });
      await root.createGrant({ KeyId: keyId, GranteePrincipal: ALICE, Operations: ['Decrypt', 'Encrypt'], Constraints: { [constraint]: { Department: 'IT' } } });
      expect(new TextDecoder().decode((await alice.decrypt({ CiphertextBlob: lower, EncryptionContext: { department: 'IT' } })).Plaintext)).toBe('p');
      await alice.decrypt({ CiphertextBlob: upper, EncryptionContext: { DEPARTMENT: 'IT' } });
      await encryptAs(alice, { dEpArTmEnT: 'IT' });
      await rejects(alice.decrypt({ CiphertextBlob: value, EncryptionContext: { Department: 'it' } }), 'AccessDeniedException');
      await rejects(encryptAs(alice, { department: 'It' }), 'AccessDeniedException');
    });
  }

  it('EncryptionContextSubset allows any context containing the pairs', async () => {
    await root.createGrant({ KeyId: keyId, GranteePrincipal: ALICE, Operations: ['Encrypt', 'GenerateDataKey'], Constraints: { EncryptionContextSubset: { app: 'a' } } });
    await encryptAs(alice, { app: 'a' });
    await encryptAs(alice, { app: 'a', extra: 'ok' });
    await alice.generateDataKey({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: { app: 'a', n: '1' } });
    const contexts: (Record<string, string> | undefined)[] = [undefined, { app: 'b' }, { other: 'a' }];
    for (const context of contexts) await rejects(encryptAs(alice, context), 'AccessDeniedException');
  });

  it('a grant allows only its operations, to its grantee, and a role grant covers its sessions', async () => {
    await root.createGrant({ KeyId: keyId, GranteePrincipal: APP_ROLE, Operations: ['Encrypt'] });
    const session = kms.region('us-east-1', { principal: `arn:aws:sts::${ACCOUNT}:assumed-role/app/s1` });
    const { CiphertextBlob } = await encryptAs(session);
    await rejects(session.decrypt({ CiphertextBlob }), 'AccessDeniedException');
    await rejects(encryptAs(alice), 'AccessDeniedException');
  });

  it('ReEncrypt needs ReEncryptFrom on the source and ReEncryptTo on the destination', async () => {
    const destination = (await root.createKey()).KeyMetadata.KeyId;
    const { CiphertextBlob } = await root.encrypt({ KeyId: keyId, Plaintext: bytes('p') });
    await root.createGrant({ KeyId: keyId, GranteePrincipal: ALICE, Operations: ['ReEncryptFrom'] });
    await rejects(alice.reEncrypt({ CiphertextBlob, DestinationKeyId: destination }), 'AccessDeniedException', /kms:ReEncryptTo/);
    await root.createGrant({ KeyId: destination, GranteePrincipal: ALICE, Operations: ['ReEncryptTo'] });
    await alice.reEncrypt({ CiphertextBlob, DestinationKeyId: destination });
  });

  it('refuses operations the key cannot do, and constraints on asymmetric keys', async () => {
    const signing = (await root.createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })).KeyMetadata.KeyId;
    await rejects(root.createGrant({ KeyId: signing, GranteePrincipal: ALICE, Operations: ['Encrypt'] }), 'ValidationException');
    await rejects(root.createGrant({ KeyId: signing, GranteePrincipal: ALICE, Operations: ['Sign'], Constraints: { EncryptionContextSubset: { a: 'b' } } }), 'ValidationException');
    await rejects(root.createGrant({ KeyId: keyId, GranteePrincipal: 'nobody', Operations: ['Encrypt'] }), 'ValidationException');
    await rejects(root.createGrant({ KeyId: keyId, GranteePrincipal: ALICE, Operations: ['Fly' as never] }), 'ValidationException');
  });

  it('a grantee with CreateGrant may delegate only its own operations, at least as strictly', async () => {
    await root.createGrant({ KeyId: keyId, GranteePrincipal: ALICE, Operations: ['Encrypt', 'CreateGrant'], Constraints: { EncryptionContextSubset: { app: 'a' } } });
    await alice.createGrant({ KeyId: keyId, GranteePrincipal: BOB, Operations: ['Encrypt'], Constraints: { EncryptionContextEquals: { app: 'a', x: '1' } } });
    await rejects(alice.createGrant({ KeyId: keyId, GranteePrincipal: BOB, Operations: ['Decrypt'], Constraints: { EncryptionContextSubset: { app: 'a' } } }), 'AccessDeniedException');
    await rejects(alice.createGrant({ KeyId: keyId, GranteePrincipal: BOB, Operations: ['Encrypt'] }), 'AccessDeniedException');
    await encryptAs(kms.region('us-east-1', { principal: BOB }), { app: 'a', x: '1' });
  });
});

describe('the life of a grant', () => {
  it('a retired or revoked grant no longer allows anything', async () => {
    const first = await root.createGrant({ KeyId: keyId, GranteePrincipal: ALICE, Operations: ['Encrypt', 'RetireGrant'] });
    await encryptAs(alice);
    await alice.retireGrant({ GrantToken: first.GrantToken });
    await rejects(encryptAs(alice), 'AccessDeniedException');
    const second = await root.createGrant({ KeyId: keyId, GranteePrincipal: ALICE, Operations: ['Encrypt'] });
    await encryptAs(alice);
    await root.revokeGrant({ KeyId: keyId, GrantId: second.GrantId });
    await rejects(encryptAs(alice), 'AccessDeniedException');
    expect((await root.listGrants({ KeyId: keyId })).Grants).toEqual([]);
    await rejects(root.revokeGrant({ KeyId: keyId, GrantId: second.GrantId }), 'NotFoundException');
    await rejects(root.revokeGrant({ KeyId: keyId, GrantId: 'short' }), 'InvalidGrantIdException');
  });

  it('Name: a retry with the same parameters returns the same grant (and a new, interchangeable token)', async () => {
    const request = { KeyId: keyId, GranteePrincipal: ALICE, Operations: ['Encrypt' as const, 'Decrypt' as const], Name: 'app-grant' };
    const a = await root.createGrant(request);
    const b = await root.createGrant({ ...request, Operations: ['Decrypt', 'Encrypt'] });
    expect(b.GrantId).toBe(a.GrantId);
    expect(b.GrantToken).not.toBe(a.GrantToken);
    const c = await root.createGrant({ ...request, Operations: ['Encrypt'] });
    expect(c.GrantId).not.toBe(a.GrantId);
    const d = await root.createGrant({ KeyId: keyId, GranteePrincipal: ALICE, Operations: ['Encrypt', 'Decrypt'] });
    expect(d.GrantId).not.toBe(a.GrantId);
    const { Grants } = await root.listGrants({ KeyId: keyId });
    expect(Grants).toHaveLength(3);
    // Grants made in the same millisecond have no defined order (AWS documents none): find it by id.
    const named = Grants.find((g) => g.GrantId === a.GrantId);
    expect(named).toMatchObject({ GrantId: a.GrantId, Name: 'app-grant', GranteePrincipal: ALICE, IssuingAccount: `arn:aws:iam::${ACCOUNT}:root`, KeyId: `arn:aws:kms:us-east-1:${ACCOUNT}:key/${keyId}` });
    expect(named!.CreationDate).toBeInstanceOf(Date);
    // Either token retires the grant.
    await root.retireGrant({ GrantToken: b.GrantToken });
    await rejects(root.retireGrant({ GrantToken: a.GrantToken }), 'NotFoundException');
    await rejects(root.retireGrant({ GrantToken: 'garbage' }), 'InvalidGrantTokenException');
  });

  it('the grant token is usable at once, in GrantTokens of the next call', async () => {
    const { GrantToken } = await root.createGrant({ KeyId: keyId, GranteePrincipal: ALICE, Operations: ['Encrypt'] });
    await alice.encrypt({ KeyId: keyId, Plaintext: bytes('p'), GrantTokens: [GrantToken] });
  });

  it('who may retire: the retiring principal, the grantee if the grant allows RetireGrant, the key\'s account; others need kms:RetireGrant', async () => {
    const bob = kms.region('us-east-1', { principal: BOB });
    const byRetiring = await root.createGrant({ KeyId: keyId, GranteePrincipal: ALICE, RetiringPrincipal: BOB, Operations: ['Encrypt'] });
    await rejects(alice.retireGrant({ KeyId: keyId, GrantId: byRetiring.GrantId }), 'AccessDeniedException');
    await bob.retireGrant({ KeyId: keyId, GrantId: byRetiring.GrantId });
    const byGrantee = await root.createGrant({ KeyId: keyId, GranteePrincipal: ALICE, Operations: ['Encrypt', 'RetireGrant'] });
    await rejects(bob.retireGrant({ KeyId: keyId, GrantId: byGrantee.GrantId }), 'AccessDeniedException');
    await alice.retireGrant({ KeyId: keyId, GrantId: byGrantee.GrantId });
    const byRoot = await root.createGrant({ KeyId: keyId, GranteePrincipal: ALICE, Operations: ['Encrypt'] });
    await root.retireGrant({ KeyId: keyId, GrantId: byRoot.GrantId });
    const byPolicy = await root.createGrant({ KeyId: keyId, GranteePrincipal: ALICE, Operations: ['Encrypt'] });
    await kms.iam.putUserPolicy({ UserName: 'bob', PolicyName: 'retire', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'kms:RetireGrant', Resource: '*' } }) });
    await bob.retireGrant({ KeyId: keyId, GrantId: byPolicy.GrantId });
  });

  it('ListRetirableGrants lists the region\'s grants by retiring principal (an IAM permission)', async () => {
    const other = (await root.createKey()).KeyMetadata.KeyId;
    await root.createGrant({ KeyId: keyId, GranteePrincipal: ALICE, RetiringPrincipal: BOB, Operations: ['Encrypt'] });
    await root.createGrant({ KeyId: other, GranteePrincipal: ALICE, RetiringPrincipal: BOB, Operations: ['Decrypt'] });
    await root.createGrant({ KeyId: other, GranteePrincipal: BOB, RetiringPrincipal: ALICE, Operations: ['Decrypt'] });
    const { Grants } = await root.listRetirableGrants({ RetiringPrincipal: BOB });
    expect(Grants.map((g) => g.Operations[0]).sort()).toEqual(['Decrypt', 'Encrypt']);
    await rejects(alice.listRetirableGrants({ RetiringPrincipal: ALICE }), 'AccessDeniedException');
    expect((await root.listGrants({ KeyId: other, GranteePrincipal: BOB })).Grants).toHaveLength(1);
  });

  it('each region of a multi-Region key has its own grants', async () => {
    const { KeyId } = (await root.createKey({ MultiRegion: true })).KeyMetadata;
    await root.createGrant({ KeyId, GranteePrincipal: ALICE, Operations: ['Encrypt'] });
    await root.replicateKey({ KeyId, ReplicaRegion: 'us-west-2' });
    expect((await kms.region('us-west-2').listGrants({ KeyId })).Grants).toEqual([]);
  });
});

describe('deleting a key deletes its grants', () => {
  it('at the end of the waiting period', async () => {
    const t = { now: Date.UTC(2025, 0, 1) };
    const timed = await createKms({ storage: 'memory', now: () => t.now });
    const east = timed.region('us-east-1');
    const { KeyId } = (await east.createKey()).KeyMetadata;
    await east.createGrant({ KeyId, GranteePrincipal: ALICE, RetiringPrincipal: BOB, Operations: ['Encrypt'] });
    await east.scheduleKeyDeletion({ KeyId, PendingWindowInDays: 7 });
    expect((await east.listRetirableGrants({ RetiringPrincipal: BOB })).Grants).toHaveLength(1);
    t.now += 8 * 86_400_000;
    await timed.tick();
    expect((await east.listRetirableGrants({ RetiringPrincipal: BOB })).Grants).toEqual([]);
    timed.close();
  });
});
