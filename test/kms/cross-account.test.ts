/**
 * Principals of another account (AWS KMS Developer Guide, "Allowing users in other accounts to use a
 * KMS key"): a user or role of 444455556666 may use a key of 111122223333 only when the key policy
 * allows that account (or the principal) AND 444455556666's own IAM policies allow it; its root user
 * needs only the key policy. An explicit Deny in either wins. The other account's IAM policies live
 * in `kms.iam.forAccount('444455556666')`.
 */
import { createKms, deleteKmsStorage, type Kms } from '../../src/kms/index.js';
import { bytes, rejects } from './helpers.js';

const ACCOUNT = '111122223333';
const OTHER = '444455556666';
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const OTHER_ROOT = `arn:aws:iam::${OTHER}:root`;
const APP_ROLE = `arn:aws:iam::${OTHER}:role/app`;
const APP_SESSION = `arn:aws:sts::${OTHER}:assumed-role/app/worker-1`;
const doc = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const ADMIN = { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' };
const TRUST_OTHER = { Sid: 'Allow use of the key by account 444455556666', Effect: 'Allow', Principal: { AWS: OTHER_ROOT }, Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:DescribeKey'], Resource: '*' };
const USE = (Resource: string) => doc({ Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:DescribeKey'], Resource });
const refusal = (arn: string, action: string, resource: string, type: string) => `User: ${arn} is not authorized to perform: ${action} on resource: ${resource} because no ${type} policy allows the ${action} action`;

let kms: Kms;
beforeEach(async () => {
  kms = await createKms({ storage: 'memory' });
});
afterEach(() => kms.close());

const newKey = async (...statements: object[]) => (await kms.region('us-east-1').createKey(statements.length > 0 ? { Policy: doc(ADMIN, ...statements) } : {})).KeyMetadata;
const as = (principal: string) => kms.region('us-east-1', { principal });
const encryptAs = (principal: string, KeyId: string) => as(principal).encrypt({ KeyId, Plaintext: bytes('x') });

describe('both halves are needed', () => {
  it('key policy trusts the account + the account\'s IAM allows: allowed, for the role and its sessions', async () => {
    const key = await newKey(TRUST_OTHER);
    await kms.iam.forAccount(OTHER).putRolePolicy({ RoleName: 'app', PolicyName: 'use', PolicyDocument: USE(key.Arn) });
    const { CiphertextBlob } = await encryptAs(APP_ROLE, key.Arn);
    expect((await as(APP_SESSION).decrypt({ CiphertextBlob })).Plaintext).toEqual(bytes('x'));
    const decision = await kms.explain('us-east-1', APP_SESSION, { action: 'Decrypt', KeyId: key.Arn });
    expect(decision).toMatchObject({
      allowed: true,
      matched: [{ source: 'iam-policy', policyName: `${OTHER}:role/app/use` }],
      delegatedBy: [{ source: 'key-policy', sid: 'Allow use of the key by account 444455556666' }],
    });
  });

  it('key policy trusts the account, but no IAM policy of the account allows: AccessDeniedException (identity-based)', async () => {
    const key = await newKey(TRUST_OTHER);
    expect((await rejects(encryptAs(APP_ROLE, key.Arn), 'AccessDeniedException')).message).toBe(refusal(APP_ROLE, 'kms:Encrypt', key.Arn, 'identity-based'));
    // A policy for another action, or for another key, is no allow.
    await kms.iam.forAccount(OTHER).putRolePolicy({ RoleName: 'app', PolicyName: 'other-key', PolicyDocument: USE(key.Arn.replace(key.KeyId, '0987dcba-09fe-87dc-65ba-ab0987654321')) });
    await rejects(encryptAs(APP_ROLE, key.Arn), 'AccessDeniedException');
  });

  it('the account\'s IAM allows, but the key policy does not trust it: AccessDeniedException (resource-based)', async () => {
    const key = await newKey();
    await kms.iam.forAccount(OTHER).putRolePolicy({ RoleName: 'app', PolicyName: 'use', PolicyDocument: USE('*') });
    expect((await rejects(encryptAs(APP_ROLE, key.Arn), 'AccessDeniedException')).message).toBe(refusal(APP_ROLE, 'kms:Encrypt', key.Arn, 'resource-based'));
    // Trusting the account for other actions only is the same refusal for this one.
    const decryptOnly = await newKey({ ...TRUST_OTHER, Action: 'kms:Decrypt' });
    expect((await rejects(encryptAs(APP_ROLE, decryptOnly.Arn), 'AccessDeniedException')).message).toBe(refusal(APP_ROLE, 'kms:Encrypt', decryptOnly.Arn, 'resource-based'));
  });

  it('a key policy naming the role itself still needs the role\'s IAM policy', async () => {
    const key = await newKey({ ...TRUST_OTHER, Principal: { AWS: APP_ROLE } });
    expect((await rejects(encryptAs(APP_SESSION, key.Arn), 'AccessDeniedException')).message).toBe(refusal(APP_SESSION, 'kms:Encrypt', key.Arn, 'identity-based'));
    await kms.iam.forAccount(OTHER).putRolePolicy({ RoleName: 'app', PolicyName: 'use', PolicyDocument: USE('*') });
    await encryptAs(APP_SESSION, key.Arn);
  });

  it('explain agrees with the call on account-level actions: another account\'s principals are refused CreateKey', async () => {
    await kms.iam.forAccount(OTHER).putRolePolicy({ RoleName: 'app', PolicyName: 'all', PolicyDocument: doc({ Effect: 'Allow', Action: 'kms:*', Resource: '*' }) });
    expect((await kms.explain('us-east-1', APP_ROLE, { action: 'CreateKey' })).outcome).not.toBe('allow');
    await expect(as(APP_ROLE).createKey({})).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect((await kms.explain('us-east-1', ROOT, { action: 'CreateKey' })).outcome).toBe('allow');
  });

  it('the other account\'s root user needs only the key policy', async () => {
    const trusted = await newKey(TRUST_OTHER);
    await encryptAs(OTHER_ROOT, trusted.Arn);
    const untrusted = await newKey();
    expect((await rejects(encryptAs(OTHER_ROOT, untrusted.Arn), 'AccessDeniedException')).message).toBe(refusal(OTHER_ROOT, 'kms:Encrypt', untrusted.Arn, 'resource-based'));
  });
});

describe('an explicit deny in either wins', () => {
  it('a Deny in the key policy, for the account or for the role', async () => {
    await kms.iam.forAccount(OTHER).putRolePolicy({ RoleName: 'app', PolicyName: 'use', PolicyDocument: USE('*') });
    for (const Principal of [{ AWS: OTHER_ROOT }, { AWS: APP_ROLE }]) {
      const key = await newKey(TRUST_OTHER, { Sid: 'No encrypt', Effect: 'Deny', Principal, Action: 'kms:Encrypt', Resource: '*' });
      expect((await rejects(encryptAs(APP_SESSION, key.Arn), 'AccessDeniedException')).message).toBe(
        `User: ${APP_SESSION} is not authorized to perform: kms:Encrypt on resource: ${key.Arn} with an explicit deny in a resource-based policy`,
      );
      await as(APP_SESSION).describeKey({ KeyId: key.Arn });
    }
  });

  it('a Deny in the other account\'s IAM policy', async () => {
    const key = await newKey(TRUST_OTHER);
    const iam = kms.iam.forAccount(OTHER);
    await iam.putRolePolicy({ RoleName: 'app', PolicyName: 'use', PolicyDocument: USE('*') });
    await iam.putRolePolicy({ RoleName: 'app', PolicyName: 'deny', PolicyDocument: doc({ Effect: 'Deny', Action: 'kms:Encrypt', Resource: '*' }) });
    expect((await rejects(encryptAs(APP_ROLE, key.Arn), 'AccessDeniedException')).message).toBe(
      `User: ${APP_ROLE} is not authorized to perform: kms:Encrypt on resource: ${key.Arn} with an explicit deny in an identity-based policy`,
    );
    await iam.deleteRolePolicy({ RoleName: 'app', PolicyName: 'deny' });
    await encryptAs(APP_ROLE, key.Arn);
  });
});

describe('each account\'s IAM is its own', () => {
  it('a role of the same name in this account gets nothing from the other account\'s policy, and the reverse', async () => {
    const key = await newKey(TRUST_OTHER);
    await kms.iam.forAccount(OTHER).putRolePolicy({ RoleName: 'app', PolicyName: 'use', PolicyDocument: USE('*') });
    await rejects(encryptAs(`arn:aws:iam::${ACCOUNT}:role/app`, key.Arn), 'AccessDeniedException');
    await kms.iam.forAccount(OTHER).deleteRolePolicy({ RoleName: 'app', PolicyName: 'use' });
    await kms.iam.putRolePolicy({ RoleName: 'app', PolicyName: 'use', PolicyDocument: USE('*') });
    await encryptAs(`arn:aws:iam::${ACCOUNT}:role/app`, key.Arn);
    await rejects(encryptAs(APP_ROLE, key.Arn), 'AccessDeniedException');
  });

  it('forAccount has IAM\'s operations and shapes, per account; the Kms\'s own account is kms.iam itself', async () => {
    const other = kms.iam.forAccount(OTHER);
    expect(kms.iam.forAccount(OTHER)).toBe(other);
    expect(kms.iam.forAccount(ACCOUNT)).toBe(kms.iam);
    expect(other.forAccount(ACCOUNT)).toBe(kms.iam);
    const policy = USE('*');
    await other.putUserPolicy({ UserName: 'ops', PolicyName: 'use', PolicyDocument: policy });
    expect(await other.listUserPolicies({ UserName: 'ops' })).toEqual({ PolicyNames: ['use'], IsTruncated: false });
    expect(await kms.iam.listUserPolicies({ UserName: 'ops' })).toEqual({ PolicyNames: [], IsTruncated: false });
    const got = await other.getUserPolicy({ UserName: 'ops', PolicyName: 'use' });
    expect(got.UserName).toBe('ops');
    expect(decodeURIComponent(got.PolicyDocument)).toBe(policy);
    await rejects(kms.iam.getUserPolicy({ UserName: 'ops', PolicyName: 'use' }), 'NoSuchEntityException');
    expect(() => kms.iam.forAccount('4444')).toThrow(RangeError);
    expect(() => kms.iam.forAccount(444455556666 as unknown as string)).toThrow(TypeError);
  });

  it('the other account\'s policies are stored with the Kms: a re-created one sees them', async () => {
    const name = `cross-account-${crypto.randomUUID()}`;
    const first = await createKms({ storage: 'memory', name });
    const key = (await first.region('us-east-1').createKey({ Policy: doc(ADMIN, TRUST_OTHER) })).KeyMetadata;
    await first.iam.forAccount(OTHER).putRolePolicy({ RoleName: 'app', PolicyName: 'use', PolicyDocument: USE('*') });
    first.close();
    const second = await createKms({ storage: 'memory', name });
    await second.region('us-east-1', { principal: APP_ROLE }).encrypt({ KeyId: key.Arn, Plaintext: bytes('x') });
    second.close();
    await deleteKmsStorage({ storage: 'memory', name });
  });
});

describe('account-level operations belong to this account', () => {
  it('a principal of another account cannot create or list keys here, whatever its IAM allows', async () => {
    await kms.iam.forAccount(OTHER).putRolePolicy({ RoleName: 'app', PolicyName: 'all', PolicyDocument: doc({ Effect: 'Allow', Action: 'kms:*', Resource: '*' }) });
    expect((await rejects(as(APP_ROLE).createKey(), 'AccessDeniedException')).message).toBe(refusal(APP_ROLE, 'kms:CreateKey', '*', 'resource-based'));
    await rejects(as(OTHER_ROOT).createKey(), 'AccessDeniedException');
    await rejects(as(APP_ROLE).listKeys(), 'AccessDeniedException');
    expect((await kms.region('us-east-1').listKeys()).Keys).toEqual([]);
  });

  it('but ListRetirableGrants is decided by the caller\'s own IAM policy: it lists grants it may retire on this account\'s keys', async () => {
    const key = await newKey(TRUST_OTHER);
    await kms.region('us-east-1').createGrant({ KeyId: key.KeyId, GranteePrincipal: APP_ROLE, RetiringPrincipal: APP_ROLE, Operations: ['Decrypt'] });
    await rejects(as(APP_ROLE).listRetirableGrants({ RetiringPrincipal: APP_ROLE }), 'AccessDeniedException');
    await kms.iam.forAccount(OTHER).putRolePolicy({ RoleName: 'app', PolicyName: 'list', PolicyDocument: doc({ Effect: 'Allow', Action: 'kms:ListRetirableGrants', Resource: '*' }) });
    expect((await as(APP_ROLE).listRetirableGrants({ RetiringPrincipal: APP_ROLE })).Grants.map((g) => g.KeyId)).toEqual([key.Arn]);
  });
});

// AWS KMS API reference, KeyId (Encrypt, Decrypt, DescribeKey, ...): "To specify a KMS key in a
// different AWS account, you must use the key ARN or alias ARN." A key id or an alias name is
// looked up in the caller's own account.
describe('naming a key of another account', () => {
  it('by bare key id or alias name: NotFoundException in the caller\'s account, whatever the key policy says', async () => {
    const key = await newKey({ ...TRUST_OTHER, Action: 'kms:*' });
    await kms.region('us-east-1').createAlias({ AliasName: 'alias/shared', TargetKeyId: key.KeyId });
    await kms.iam.forAccount(OTHER).putRolePolicy({ RoleName: 'app', PolicyName: 'all', PolicyDocument: doc({ Effect: 'Allow', Action: 'kms:*', Resource: '*' }) });
    for (const principal of [APP_ROLE, APP_SESSION, OTHER_ROOT]) {
      const client = as(principal);
      const byId = await rejects(client.encrypt({ KeyId: key.KeyId, Plaintext: bytes('x') }), 'NotFoundException');
      expect(byId.message).toBe(`Key 'arn:aws:kms:us-east-1:${OTHER}:key/${key.KeyId}' does not exist`);
      const byAlias = await rejects(client.encrypt({ KeyId: 'alias/shared', Plaintext: bytes('x') }), 'NotFoundException');
      expect(byAlias.message).toBe(`Alias arn:aws:kms:us-east-1:${OTHER}:alias/shared is not found.`);
      await rejects(client.describeKey({ KeyId: key.KeyId }), 'NotFoundException');
      await rejects(client.describeKey({ KeyId: 'alias/shared' }), 'NotFoundException');
      await rejects(client.generateDataKey({ KeyId: key.KeyId, KeySpec: 'AES_256' }), 'NotFoundException');
      // The ARNs reach the key, as the key policy and the account's IAM allow.
      const { CiphertextBlob } = await client.encrypt({ KeyId: key.Arn, Plaintext: bytes('x') });
      await client.encrypt({ KeyId: `arn:aws:kms:us-east-1:${ACCOUNT}:alias/shared`, Plaintext: bytes('x') });
      await rejects(client.decrypt({ CiphertextBlob, KeyId: key.KeyId }), 'NotFoundException');
      expect((await client.decrypt({ CiphertextBlob, KeyId: key.Arn })).Plaintext).toEqual(bytes('x'));
      // Without KeyId the ciphertext names its key, as in AWS.
      expect((await client.decrypt({ CiphertextBlob })).Plaintext).toEqual(bytes('x'));
    }
    // The key's own account still names it by id and alias.
    await kms.region('us-east-1').encrypt({ KeyId: key.KeyId, Plaintext: bytes('x') });
    // A principal of the key's account without permission finds the key (AccessDenied, not NotFound).
    await rejects(kms.region('us-east-1', { principal: `arn:aws:iam::${ACCOUNT}:user/alice` }).describeKey({ KeyId: 'alias/shared' }), 'AccessDeniedException');
  });
});
