/**
 * `kms.iam`: IAM's inline policy operations and errors, account-wide across regions, and stored:
 * a Kms re-created on the same storage sees the policies and grants the first one made.
 */
import { createKms, deleteKmsStorage, IamError } from '../../src/kms/index.js';
import { bytes, rejects } from './helpers.js';

const ALICE = 'arn:aws:iam::111122223333:user/alice';
const USE = JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: '*' } });

describe('kms.iam', () => {
  it('puts, gets, lists and deletes user and role policies with IAM\'s shapes', async () => {
    const kms = await createKms({ storage: 'memory' });
    expect(await kms.iam.putUserPolicy({ UserName: 'alice', PolicyName: 'use', PolicyDocument: USE })).toEqual({});
    await kms.iam.putUserPolicy({ UserName: 'alice', PolicyName: 'another', PolicyDocument: USE });
    expect(await kms.iam.listUserPolicies({ UserName: 'alice' })).toEqual({ PolicyNames: ['another', 'use'], IsTruncated: false });
    // IAM returns the document URL-encoded (RFC 3986); decodeURIComponent gives back the text put.
    const got = await kms.iam.getUserPolicy({ UserName: 'alice', PolicyName: 'use' });
    expect({ ...got, PolicyDocument: decodeURIComponent(got.PolicyDocument) }).toEqual({ UserName: 'alice', PolicyName: 'use', PolicyDocument: USE });
    await kms.iam.putRolePolicy({ RoleName: 'app', PolicyName: 'use', PolicyDocument: USE });
    const role = await kms.iam.getRolePolicy({ RoleName: 'app', PolicyName: 'use' });
    expect({ ...role, PolicyDocument: decodeURIComponent(role.PolicyDocument) }).toEqual({ RoleName: 'app', PolicyName: 'use', PolicyDocument: USE });
    expect(await kms.iam.listRolePolicies({ RoleName: 'app' })).toEqual({ PolicyNames: ['use'], IsTruncated: false });
    expect(await kms.iam.listUserPolicies({ UserName: 'app' })).toEqual({ PolicyNames: [], IsTruncated: false });
    await kms.iam.deleteRolePolicy({ RoleName: 'app', PolicyName: 'use' });
    await kms.iam.deleteUserPolicy({ UserName: 'alice', PolicyName: 'use' });
    expect((await kms.iam.listUserPolicies({ UserName: 'alice' })).PolicyNames).toEqual(['another']);
    kms.close();
  });

  it('answers with IAM\'s exceptions: NoSuchEntity, MalformedPolicyDocument, InvalidInput', async () => {
    const kms = await createKms({ storage: 'memory' });
    const missing = await rejects(kms.iam.getUserPolicy({ UserName: 'alice', PolicyName: 'nope' }), 'NoSuchEntityException', /^The user policy with name nope cannot be found\.$/);
    expect(missing).toBeInstanceOf(IamError);
    await rejects(kms.iam.deleteRolePolicy({ RoleName: 'r', PolicyName: 'nope' }), 'NoSuchEntityException', /role policy/);
    await rejects(kms.iam.putUserPolicy({ UserName: 'alice', PolicyName: 'p', PolicyDocument: '{' }), 'MalformedPolicyDocumentException');
    // An identity policy must not name a principal.
    const withPrincipal = JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*' } });
    await rejects(kms.iam.putUserPolicy({ UserName: 'alice', PolicyName: 'p', PolicyDocument: withPrincipal }), 'MalformedPolicyDocumentException', /Principal/);
    await rejects(kms.iam.putUserPolicy({ UserName: 'al ice', PolicyName: 'p', PolicyDocument: USE }), 'InvalidInputException', /UserName/);
    kms.close();
  });

  it('policies are account-wide: one put serves every region', async () => {
    const kms = await createKms({ storage: 'memory' });
    await kms.iam.putUserPolicy({ UserName: 'alice', PolicyName: 'use', PolicyDocument: USE });
    for (const region of ['us-east-1', 'eu-west-1']) {
      const { KeyId } = (await kms.region(region).createKey()).KeyMetadata;
      await kms.region(region, { principal: ALICE }).encrypt({ KeyId, Plaintext: bytes('x') });
    }
    kms.close();
  });
});

describe('persistence (memory storage shared by name, as IndexedDB is)', () => {
  it('a re-created Kms sees the IAM policies and grants of the first', async () => {
    const name = `iam-persist-${crypto.randomUUID()}`;
    const first = await createKms({ storage: 'memory', name });
    const { KeyId } = (await first.region('us-east-1').createKey()).KeyMetadata;
    await first.iam.putUserPolicy({ UserName: 'alice', PolicyName: 'use', PolicyDocument: USE });
    const { GrantId } = await first.region('us-east-1').createGrant({ KeyId, GranteePrincipal: 'arn:aws:iam::111122223333:user/bob', Operations: ['Encrypt'] });
    first.close();

    const second = await createKms({ storage: 'memory', name });
    expect((await second.iam.listUserPolicies({ UserName: 'alice' })).PolicyNames).toEqual(['use']);
    await second.region('us-east-1', { principal: ALICE }).encrypt({ KeyId, Plaintext: bytes('x') });
    expect((await second.region('us-east-1').listGrants({ KeyId })).Grants.map((g) => g.GrantId)).toEqual([GrantId]);
    await second.region('us-east-1', { principal: 'arn:aws:iam::111122223333:user/bob' }).encrypt({ KeyId, Plaintext: bytes('x') });
    second.close();

    await deleteKmsStorage({ storage: 'memory', name });
    const third = await createKms({ storage: 'memory', name });
    expect((await third.iam.listUserPolicies({ UserName: 'alice' })).PolicyNames).toEqual([]);
    expect(await third.audit.query()).toEqual([]);
    third.close();
  });
});
