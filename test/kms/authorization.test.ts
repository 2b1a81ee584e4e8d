/**
 * Authorization through real KMS calls: principals and kms:ViaService from `kms.region(...)`, IAM
 * policies from `kms.iam`, key policies from CreateKey/PutKeyPolicy, decided at access.ts. The
 * policies are those AWS documents (test/kms-policy/fixtures), with the key ARNs of the keys made here.
 */
import { createKms, type Kms } from '../../src/kms/index.js';
import {
  ECR_ENCRYPTION_CONTEXT,
  ECR_IAM_CREATE_AND_DELETE_REPOSITORIES,
  ECR_KEY_POLICY,
  codeGuruSecurityRolePolicy,
  inspectorCodeSecurityKeyPolicy,
} from '../kms-policy/fixtures/aws-documented-policies.js';
import { bytes, rejects } from './helpers.js';

const ACCOUNT = '111122223333';
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;
const BOB = `arn:aws:iam::${ACCOUNT}:user/bob`;
const doc = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const ADMIN = { Sid: 'Admin', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' };
/** IAM refuses Sids with spaces; the ECR page's policy has one. */
const withoutSid = (text: string, keyArn: string) => {
  const parsed = JSON.parse(text);
  for (const s of parsed.Statement) {
    delete s.Sid;
    s.Resource = keyArn;
  }
  return JSON.stringify(parsed);
};

let kms: Kms;
beforeEach(async () => {
  kms = await createKms({ storage: 'memory' });
});
afterEach(() => kms.close());

const newKey = async (region = 'us-east-1', Policy?: string) => (await kms.region(region).createKey(Policy ? { Policy } : {})).KeyMetadata;

describe('the default key policy', () => {
  it('gives the account root everything, and the account\'s users what their IAM policies allow', async () => {
    const key = await newKey();
    const alice = kms.region('us-east-1', { principal: ALICE });
    const denied = await rejects(alice.encrypt({ KeyId: key.KeyId, Plaintext: bytes('x') }), 'AccessDeniedException');
    expect(denied.message).toBe(`User: ${ALICE} is not authorized to perform: kms:Encrypt on resource: ${key.Arn} because no identity-based policy allows the kms:Encrypt action`);
    expect((denied as { $fault?: string }).$fault).toBe('client');
    await kms.iam.putUserPolicy({ UserName: 'alice', PolicyName: 'encrypt', PolicyDocument: doc({ Effect: 'Allow', Action: 'kms:Encrypt', Resource: key.Arn }) });
    await alice.encrypt({ KeyId: key.KeyId, Plaintext: bytes('x') });
    await rejects(alice.decrypt({ CiphertextBlob: (await kms.region('us-east-1').encrypt({ KeyId: key.KeyId, Plaintext: bytes('y') })).CiphertextBlob }), 'AccessDeniedException');
    // A policy naming another key's ARN gives nothing on this one.
    const other = await newKey();
    await rejects(alice.encrypt({ KeyId: other.KeyId, Plaintext: bytes('x') }), 'AccessDeniedException');
  });

  it('a non-root principal with no IAM policy is denied even account-level operations; the root is not', async () => {
    const bob = kms.region('us-east-1', { principal: BOB });
    await rejects(bob.createKey(), 'AccessDeniedException', /kms:CreateKey on resource: \*/);
    await rejects(bob.listKeys(), 'AccessDeniedException');
    await kms.region('us-east-1').listKeys();
  });

  it('an assumed-role session gets its role\'s IAM policies', async () => {
    const key = await newKey();
    await kms.iam.putRolePolicy({ RoleName: 'auditor', PolicyName: 'describe', PolicyDocument: doc({ Effect: 'Allow', Action: 'kms:DescribeKey', Resource: '*' }) });
    const session = kms.region('us-east-1', { principal: `arn:aws:sts::${ACCOUNT}:assumed-role/auditor/s-1` });
    expect((await session.describeKey({ KeyId: key.KeyId })).KeyMetadata.KeyId).toBe(key.KeyId);
    await rejects(session.scheduleKeyDeletion({ KeyId: key.KeyId }), 'AccessDeniedException');
  });

  it('refuses a principal that is not an IAM ARN, and a malformed viaService', () => {
    expect(() => kms.region('us-east-1', { principal: 'alice' })).toThrow(TypeError);
    expect(() => kms.region('us-east-1', { viaService: 'not a service' })).toThrow(TypeError);
  });
});

describe('explicit deny wins', () => {
  it('a Deny in an IAM policy beats an Allow in the key policy', async () => {
    const key = await newKey('us-east-1', doc(ADMIN, { Sid: 'AliceUses', Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:Encrypt', Resource: '*' }));
    const alice = kms.region('us-east-1', { principal: ALICE });
    await alice.encrypt({ KeyId: key.KeyId, Plaintext: bytes('x') });
    await kms.iam.putUserPolicy({ UserName: 'alice', PolicyName: 'no-encrypt', PolicyDocument: doc({ Effect: 'Deny', Action: 'kms:Encrypt', Resource: '*' }) });
    await rejects(alice.encrypt({ KeyId: key.KeyId, Plaintext: bytes('x') }), 'AccessDeniedException', /with an explicit deny in an identity-based policy$/);
    await kms.iam.deleteUserPolicy({ UserName: 'alice', PolicyName: 'no-encrypt' });
    await alice.encrypt({ KeyId: key.KeyId, Plaintext: bytes('x') });
  });

  it('a Deny in the key policy beats an Allow in an IAM policy', async () => {
    const key = await newKey('us-east-1', doc(ADMIN, { Sid: 'NoAlice', Effect: 'Deny', Principal: { AWS: ALICE }, Action: 'kms:Decrypt', Resource: '*' }));
    await kms.iam.putUserPolicy({ UserName: 'alice', PolicyName: 'all', PolicyDocument: doc({ Effect: 'Allow', Action: 'kms:*', Resource: '*' }) });
    const alice = kms.region('us-east-1', { principal: ALICE });
    const { CiphertextBlob } = await alice.encrypt({ KeyId: key.KeyId, Plaintext: bytes('x') });
    await rejects(alice.decrypt({ CiphertextBlob }), 'AccessDeniedException', /with an explicit deny in a resource-based policy$/);
  });
});

describe('PutKeyPolicy and CreateKey validate the policy', () => {
  it('names what is wrong, refuses a lockout unless bypassed, and authorizes against the current policy', async () => {
    const key = await newKey();
    const east = kms.region('us-east-1');
    await rejects(east.putKeyPolicy({ KeyId: key.KeyId, Policy: doc({ ...ADMIN, Effect: 'Permit' }) }), 'MalformedPolicyDocumentException', /Effect/);
    const aliceOnly = doc({ Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:*', Resource: '*' });
    await rejects(east.putKeyPolicy({ KeyId: key.KeyId, Policy: aliceOnly }), 'MalformedPolicyDocumentException', /^The new key policy will not allow you to update the key policy in the future\.$/);
    await rejects(east.createKey({ Policy: aliceOnly }), 'MalformedPolicyDocumentException', /will not allow you/);
    await rejects(east.createKey({ Policy: '{"Statement": 1}' }), 'MalformedPolicyDocumentException');
    await east.putKeyPolicy({ KeyId: key.KeyId, Policy: aliceOnly, BypassPolicyLockoutSafetyCheck: true });
    // Now only alice administers the key; the root is locked out.
    await rejects(east.getKeyPolicy({ KeyId: key.KeyId }), 'AccessDeniedException', /no resource-based policy allows/);
    const alice = kms.region('us-east-1', { principal: ALICE });
    // Handing the key back to the root locks alice out: she must bypass the check too.
    await rejects(alice.putKeyPolicy({ KeyId: key.KeyId, Policy: doc(ADMIN) }), 'MalformedPolicyDocumentException');
    await alice.putKeyPolicy({ KeyId: key.KeyId, Policy: doc(ADMIN), BypassPolicyLockoutSafetyCheck: true });
    await east.getKeyPolicy({ KeyId: key.KeyId });
  });

  it('ReplicateKey checks the replica\'s policy too', async () => {
    const east = kms.region('us-east-1');
    const { KeyId } = (await east.createKey({ MultiRegion: true })).KeyMetadata;
    await rejects(east.replicateKey({ KeyId, ReplicaRegion: 'us-west-2', Policy: '[' }), 'MalformedPolicyDocumentException');
    await rejects(east.replicateKey({ KeyId, ReplicaRegion: 'us-west-2', Policy: doc({ Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:*', Resource: '*' }) }), 'MalformedPolicyDocumentException', /will not allow you/);
    await east.replicateKey({ KeyId, ReplicaRegion: 'us-west-2', Policy: doc(ADMIN) });
  });
});

describe('documented policies, end to end', () => {
  it('Amazon ECR: the key policy delegates to IAM; the repository creator may create grants and describe the key, not use it', async () => {
    const key = await newKey('us-west-2', ECR_KEY_POLICY);
    const CREATOR = `arn:aws:iam::${ACCOUNT}:user/repo-creator`;
    await kms.iam.putUserPolicy({ UserName: 'repo-creator', PolicyName: 'ecr-kms-permissions', PolicyDocument: withoutSid(ECR_IAM_CREATE_AND_DELETE_REPOSITORIES, key.Arn) });
    const creator = kms.region('us-west-2', { principal: CREATOR, viaService: 'ecr.us-west-2.amazonaws.com' });
    await creator.describeKey({ KeyId: key.KeyId });
    const { GrantId } = await creator.createGrant({ KeyId: key.KeyId, GranteePrincipal: CREATOR, RetiringPrincipal: CREATOR, Operations: ['GenerateDataKey', 'Decrypt'], Constraints: { EncryptionContextSubset: { 'aws:ecr:arn': ECR_ENCRYPTION_CONTEXT['aws:ecr:arn'] } } });
    // The grant now lets the creator use the key for that repository only.
    const dataKey = await creator.generateDataKey({ KeyId: key.KeyId, KeySpec: 'AES_256', EncryptionContext: { ...ECR_ENCRYPTION_CONTEXT } });
    await creator.decrypt({ CiphertextBlob: dataKey.CiphertextBlob, EncryptionContext: { ...ECR_ENCRYPTION_CONTEXT } });
    await rejects(creator.generateDataKey({ KeyId: key.KeyId, KeySpec: 'AES_256', EncryptionContext: { ...ECR_ENCRYPTION_CONTEXT, 'aws:ecr:arn': 'arn:aws:ecr:us-west-2:111122223333:repository/other' } }), 'AccessDeniedException');
    await rejects(creator.encrypt({ KeyId: key.KeyId, Plaintext: bytes('x') }), 'AccessDeniedException');
    await creator.retireGrant({ KeyId: key.KeyId, GrantId });
    await rejects(creator.generateDataKey({ KeyId: key.KeyId, KeySpec: 'AES_256', EncryptionContext: { ...ECR_ENCRYPTION_CONTEXT } }), 'AccessDeniedException');
    // Another user of the account has no IAM policy: nothing.
    await rejects(kms.region('us-west-2', { principal: BOB }).describeKey({ KeyId: key.KeyId }), 'AccessDeniedException');
  });

  it('Amazon CodeGuru Security: the access role may use the key and create grants of the listed operations only through CodeGuru Security in its region', async () => {
    const key = await newKey('us-east-1');
    await kms.iam.putRolePolicy({ RoleName: 'CodeGuruSecurityAccess', PolicyName: 'codeguru-kms', PolicyDocument: codeGuruSecurityRolePolicy('us-east-1') });
    const SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/CodeGuruSecurityAccess/scan`;
    const via = kms.region('us-east-1', { principal: SESSION, viaService: 'codeguru-security.us-east-1.amazonaws.com' });
    const direct = kms.region('us-east-1', { principal: SESSION });
    const otherRegion = kms.region('us-east-1', { principal: SESSION, viaService: 'codeguru-security.us-west-2.amazonaws.com' });
    const { CiphertextBlob } = await via.encrypt({ KeyId: key.KeyId, Plaintext: bytes('code') });
    await via.decrypt({ CiphertextBlob });
    await via.createGrant({ KeyId: key.KeyId, GranteePrincipal: `arn:aws:iam::${ACCOUNT}:role/CodeGuruSecurityAccess`, Operations: ['Decrypt', 'RetireGrant'] });
    await rejects(via.createGrant({ KeyId: key.KeyId, GranteePrincipal: ROOT, Operations: ['Decrypt', 'ReEncryptFrom'] }), 'AccessDeniedException');
    await rejects(via.generateDataKey({ KeyId: key.KeyId, KeySpec: 'AES_256' }), 'AccessDeniedException');
    await rejects(direct.encrypt({ KeyId: key.KeyId, Plaintext: bytes('code') }), 'AccessDeniedException');
    await rejects(otherRegion.encrypt({ KeyId: key.KeyId, Plaintext: bytes('code') }), 'AccessDeniedException');
  });

  it('Amazon Inspector code security: the role through inspector2 and Amazon Q with the scope context may use the key; the account itself may not', async () => {
    // The documented policy has no account statement, so the key is created with the check bypassed.
    const east = kms.region('us-east-1');
    const { KeyId } = (await east.createKey({ Policy: inspectorCodeSecurityKeyPolicy(ACCOUNT), BypassPolicyLockoutSafetyCheck: true })).KeyMetadata;
    const scope = { 'aws:qdeveloper:codesecurity-scope': ACCOUNT };
    const role = kms.region('us-east-1', { principal: `arn:aws:sts::${ACCOUNT}:assumed-role/inspectorCodeSecurity/inspector-fas`, viaService: 'inspector2.us-east-1.amazonaws.com' });
    const { CiphertextBlob } = await role.encrypt({ KeyId, Plaintext: bytes('finding'), EncryptionContext: scope });
    await role.decrypt({ CiphertextBlob, EncryptionContext: scope });
    await role.describeKey({ KeyId });
    const fromInspector = { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': `arn:aws:inspector2:us-east-1:${ACCOUNT}:codesecurity-integration/integration-1` };
    const q = kms.region('us-east-1', { principal: 'q.amazonaws.com', context: fromInspector });
    await q.decrypt({ CiphertextBlob, EncryptionContext: scope });
    await rejects(kms.region('us-east-1', { principal: 'q.amazonaws.com', context: { ...fromInspector, 'aws:SourceAccount': '444455556666' } }).decrypt({ CiphertextBlob, EncryptionContext: scope }), 'AccessDeniedException');
    // The policy does not name the account, so even its root user is refused.
    await rejects(kms.region('us-east-1', { context: fromInspector }).decrypt({ CiphertextBlob, EncryptionContext: scope }), 'AccessDeniedException', /no resource-based policy allows/);
    await rejects(role.encrypt({ KeyId, Plaintext: bytes('x') }), 'AccessDeniedException');
    await rejects(kms.region('us-east-1', { principal: `arn:aws:sts::${ACCOUNT}:assumed-role/inspectorCodeSecurity/s` }).describeKey({ KeyId }), 'AccessDeniedException');
    await rejects(east.getKeyPolicy({ KeyId }), 'AccessDeniedException');
  });
});

describe('kms.explain', () => {
  it('says which statement or grant allowed a request, or which statement denied it, without making it', async () => {
    const key = await newKey('us-east-1', doc(ADMIN, { Sid: 'NoBob', Effect: 'Deny', Principal: { AWS: BOB }, Action: 'kms:*', Resource: '*' }));
    const allowed = await kms.explain('us-east-1', ROOT, { action: 'Decrypt', KeyId: key.KeyId });
    expect(allowed).toMatchObject({ allowed: true, matched: [{ source: 'key-policy', sid: 'Admin' }] });
    const denied = await kms.explain('us-east-1', BOB, { action: 'kms:Encrypt', KeyId: key.KeyId });
    expect(denied).toMatchObject({ allowed: false, outcome: 'explicit-deny', denied: { source: 'key-policy', sid: 'NoBob', policyType: 'resource-based' } });
    const { GrantId } = await kms.region('us-east-1').createGrant({ KeyId: key.KeyId, GranteePrincipal: ALICE, Operations: ['Decrypt'], Constraints: { EncryptionContextEquals: { app: 'a' } } });
    expect(await kms.explain('us-east-1', ALICE, { action: 'Decrypt', KeyId: key.KeyId, EncryptionContext: { app: 'a' } })).toMatchObject({ allowed: true, matched: [{ source: 'grant', grantId: GrantId }] });
    const notApplied = await kms.explain('us-east-1', ALICE, { action: 'Decrypt', KeyId: key.KeyId, EncryptionContext: { app: 'b' } });
    expect(notApplied.allowed).toBe(false);
    expect(notApplied.grantsNotApplied).toEqual([{ grantId: GrantId, why: 'the encryption context does not satisfy its constraints' }]);
    expect(await kms.explain('us-east-1', ALICE, { action: 'CreateKey' })).toMatchObject({ allowed: false, outcome: 'implicit-deny' });
    // Nothing happened: no record of any explained call.
    expect(await kms.audit.query({ principal: ALICE })).toEqual([]);
  });
});
