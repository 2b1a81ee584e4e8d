/**
 * The decision rules, one by one: the key policy as root of trust, delegation to IAM through the
 * account principal, IAM policies never allowing alone, cross-account access, grants, explicit
 * Deny winning, and AWS's AccessDeniedException messages (IAM User Guide, "Troubleshoot access
 * denied error messages").
 */
import { KmsError } from '../../src/kms/errors.js';
import { ACCESS_DENIED, assertAuthorized, authorize, defaultKeyPolicy, type PolicyStatement } from '../../src/kms/policy/index.js';
import { ACCOUNT, ALICE, AUDITOR_ROLE, AUDITOR_SESSION, BOB, KEY_ARN, MALLORY, OTHER_KEY_ARN, OTHER_ROOT, ROOT, decide, iamPolicy, keyPolicy } from './support.js';

const allowAll = (name = 'kms-all') => ({ name, document: iamPolicy({ Effect: 'Allow', Action: 'kms:*', Resource: '*' }) });
const statement = (s: Partial<PolicyStatement>): PolicyStatement => ({ Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*', ...s }) as PolicyStatement;
const denyMessage = (who: string, action: string, type: string) => `User: ${who} is not authorized to perform: ${action} on resource: ${KEY_ARN} with an explicit deny in a${type === 'identity-based' ? 'n' : ''} ${type} policy`;
const noAllowMessage = (who: string, action: string, type: string, resource = KEY_ARN) => `User: ${who} is not authorized to perform: ${action} on resource: ${resource} because no ${type} policy allows the ${action} action`;

describe('the default key policy (account principal, kms:*)', () => {
  const policy = defaultKeyPolicy(ACCOUNT);
  it('allows the account root user by itself', () => {
    const d = decide({ principal: { arn: ROOT }, action: 'kms:ScheduleKeyDeletion', keyPolicy: policy });
    expect(d).toMatchObject({ allowed: true, outcome: 'allow', matched: [{ source: 'key-policy', statementIndex: 0, sid: 'Enable IAM User Permissions' }] });
    expect(d.reason).toBe('Allowed by the key policy, statement 0 (Sid "Enable IAM User Permissions").');
  });
  it('gives a user nothing by itself: "no identity-based policy allows"', () => {
    const d = decide({ principal: { arn: ALICE }, action: 'kms:Decrypt', keyPolicy: policy });
    expect(d).toMatchObject({ allowed: false, outcome: 'implicit-deny', matched: [], delegatedBy: [{ source: 'key-policy', statementIndex: 0 }] });
    expect(d.reason).toBe(noAllowMessage(ALICE, 'kms:Decrypt', 'identity-based'));
  });
  it('lets the user\'s IAM policy allow, and says through which statement', () => {
    const d = decide({ principal: { arn: ALICE }, action: 'kms:Decrypt', keyPolicy: policy, identityPolicies: [allowAll()] });
    expect(d).toMatchObject({ allowed: true, matched: [{ source: 'iam-policy', policyName: 'kms-all', statementIndex: 0 }] });
    expect(d.reason).toBe('Allowed by IAM policy "kms-all", statement 0, which the key policy, statement 0 (Sid "Enable IAM User Permissions") lets IAM policies grant.');
  });
  it('an IAM policy only allows what it lists, on the resources it lists', () => {
    const onlyThisKey = { name: 'one-key', document: iamPolicy({ Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: KEY_ARN }) };
    expect(decide({ principal: { arn: ALICE }, action: 'kms:Decrypt', keyPolicy: policy, identityPolicies: [onlyThisKey] }).allowed).toBe(true);
    expect(decide({ principal: { arn: ALICE }, action: 'kms:Sign', keyPolicy: policy, identityPolicies: [onlyThisKey] }).allowed).toBe(false);
    expect(decide({ principal: { arn: ALICE }, action: 'kms:Decrypt', resource: OTHER_KEY_ARN, keyPolicy: policy, identityPolicies: [onlyThisKey] }).allowed).toBe(false);
  });
});

describe('the key policy is the root of trust', () => {
  it('an IAM policy alone never allows: "no resource-based policy allows"', () => {
    const policy = keyPolicy(statement({ Principal: { AWS: BOB } }));
    const d = decide({ principal: { arn: ALICE }, action: 'kms:Decrypt', keyPolicy: policy, identityPolicies: [allowAll()] });
    expect(d).toMatchObject({ allowed: false, outcome: 'implicit-deny', matched: [], delegatedBy: [] });
    expect(d.reason).toBe(noAllowMessage(ALICE, 'kms:Decrypt', 'resource-based'));
  });
  it('a statement naming the principal allows without any IAM policy', () => {
    const policy = keyPolicy(statement({ Sid: 'Alice uses the key', Principal: { AWS: ALICE }, Action: ['kms:Encrypt', 'kms:Decrypt'] }));
    expect(decide({ principal: { arn: ALICE }, action: 'kms:Decrypt', keyPolicy: policy })).toMatchObject({ allowed: true, matched: [{ source: 'key-policy', sid: 'Alice uses the key' }] });
    expect(decide({ principal: { arn: BOB }, action: 'kms:Decrypt', keyPolicy: policy }).reason).toBe(noAllowMessage(BOB, 'kms:Decrypt', 'resource-based'));
  });
  it('Principal "*" allows everyone, subject to its conditions', () => {
    const policy = keyPolicy(statement({ Principal: '*', Action: 'kms:Decrypt', Condition: { StringEquals: { 'kms:CallerAccount': ACCOUNT } } }));
    expect(decide({ principal: { arn: BOB }, action: 'kms:Decrypt', keyPolicy: policy }).allowed).toBe(true);
    expect(decide({ principal: { arn: MALLORY }, action: 'kms:Decrypt', keyPolicy: policy, identityPolicies: [allowAll()] }).allowed).toBe(false);
  });
  it('delegation covers only the actions and conditions of the delegating statement', () => {
    const policy = keyPolicy(statement({ Action: ['kms:Describe*', 'kms:Get*'], Condition: { StringEquals: { 'kms:ViaService': 'ecr.us-east-1.amazonaws.com' } } }));
    const via = { 'kms:ViaService': 'ecr.us-east-1.amazonaws.com' };
    expect(decide({ principal: { arn: ALICE }, action: 'kms:DescribeKey', keyPolicy: policy, identityPolicies: [allowAll()], context: via }).allowed).toBe(true);
    expect(decide({ principal: { arn: ALICE }, action: 'kms:DescribeKey', keyPolicy: policy, identityPolicies: [allowAll()] }).reason).toBe(noAllowMessage(ALICE, 'kms:DescribeKey', 'resource-based'));
    expect(decide({ principal: { arn: ALICE }, action: 'kms:Decrypt', keyPolicy: policy, identityPolicies: [allowAll()], context: via }).reason).toBe(noAllowMessage(ALICE, 'kms:Decrypt', 'resource-based'));
    // The root user is named directly by the account principal: the conditions still apply.
    expect(decide({ principal: { arn: ROOT }, action: 'kms:GetKeyPolicy', keyPolicy: policy, context: via }).allowed).toBe(true);
    expect(decide({ principal: { arn: ROOT }, action: 'kms:GetKeyPolicy', keyPolicy: policy }).allowed).toBe(false);
  });
  it('a root user outside the key policy is refused like anyone else', () => {
    const policy = keyPolicy(statement({ Principal: { AWS: ALICE } }));
    expect(decide({ principal: { arn: ROOT }, action: 'kms:PutKeyPolicy', keyPolicy: policy }).reason).toBe(noAllowMessage(ROOT, 'kms:PutKeyPolicy', 'resource-based'));
  });
});

describe('principals', () => {
  it('a statement naming a role allows its assumed-role sessions, and the session by its own ARN', () => {
    expect(decide({ principal: { arn: AUDITOR_SESSION }, action: 'kms:Decrypt', keyPolicy: keyPolicy(statement({ Principal: { AWS: AUDITOR_ROLE } })) }).allowed).toBe(true);
    expect(decide({ principal: { arn: AUDITOR_SESSION }, action: 'kms:Decrypt', keyPolicy: keyPolicy(statement({ Principal: { AWS: AUDITOR_SESSION } })) }).allowed).toBe(true);
    expect(decide({ principal: { arn: AUDITOR_SESSION }, action: 'kms:Decrypt', keyPolicy: keyPolicy(statement({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/other` } })) }).allowed).toBe(false);
  });
  it('a bare account id is the account principal', () => {
    const policy = keyPolicy(statement({ Principal: { AWS: ACCOUNT } }));
    expect(decide({ principal: { arn: ROOT }, action: 'kms:Decrypt', keyPolicy: policy }).allowed).toBe(true);
    expect(decide({ principal: { arn: ALICE }, action: 'kms:Decrypt', keyPolicy: policy, identityPolicies: [allowAll()] }).allowed).toBe(true);
    expect(decide({ principal: { arn: ALICE }, action: 'kms:Decrypt', keyPolicy: policy }).allowed).toBe(false);
  });
  it('service principals match their Service statements only, and have no IAM policies', () => {
    const policy = keyPolicy(statement({ Principal: { Service: 'q.amazonaws.com' }, Action: 'kms:DescribeKey' }), statement({}));
    expect(decide({ principal: { arn: 'q.amazonaws.com' }, action: 'kms:DescribeKey', keyPolicy: policy })).toMatchObject({ allowed: true, matched: [{ statementIndex: 0 }] });
    expect(decide({ principal: { arn: 'Q.AMAZONAWS.COM' }, action: 'kms:DescribeKey', keyPolicy: policy }).allowed).toBe(true);
    expect(decide({ principal: { arn: 'codeguru-reviewer.amazonaws.com' }, action: 'kms:DescribeKey', keyPolicy: policy, identityPolicies: [allowAll()] }).allowed).toBe(false);
    expect(decide({ principal: { arn: 'q.amazonaws.com' }, action: 'kms:Decrypt', keyPolicy: policy, identityPolicies: [allowAll()] }).allowed).toBe(false);
  });
  it('NotPrincipal with Deny exempts a caller only when its whole chain (account, role, session) is listed', () => {
    const deny = (listed: string[]) => keyPolicy(statement({}), { Effect: 'Deny', NotPrincipal: { AWS: listed }, Action: 'kms:*', Resource: '*' });
    const ask = (arn: string, listed: string[]) => decide({ principal: { arn }, action: 'kms:Decrypt', keyPolicy: deny(listed), identityPolicies: [allowAll()] }).outcome;
    expect(ask(ALICE, [ALICE, ROOT])).toBe('allow');
    expect(ask(ALICE, [ALICE])).toBe('explicit-deny');
    expect(ask(BOB, [ALICE, ROOT])).toBe('explicit-deny');
    expect(ask(ROOT, [ROOT])).toBe('allow');
    expect(ask(AUDITOR_SESSION, [ROOT, AUDITOR_ROLE, AUDITOR_SESSION])).toBe('allow');
    expect(ask(AUDITOR_SESSION, [ROOT, AUDITOR_ROLE])).toBe('explicit-deny');
  });
  it('NotPrincipal with Allow allows everyone not listed', () => {
    const policy = keyPolicy({ Effect: 'Allow', NotPrincipal: { AWS: [BOB, ROOT] }, Action: 'kms:Decrypt', Resource: '*' });
    expect(decide({ principal: { arn: ALICE }, action: 'kms:Decrypt', keyPolicy: policy }).allowed).toBe(true);
    expect(decide({ principal: { arn: BOB }, action: 'kms:Decrypt', keyPolicy: policy }).allowed).toBe(false);
  });
  it('rejects a caller that is not an IAM principal or service', () => {
    expect(() => decide({ principal: { arn: 'alice' }, action: 'kms:Decrypt', keyPolicy: defaultKeyPolicy(ACCOUNT) })).toThrow(TypeError);
    expect(() => decide({ principal: { arn: ALICE }, action: '', keyPolicy: defaultKeyPolicy(ACCOUNT) })).toThrow(/action must be/);
  });
});

describe('actions and resources', () => {
  it('action names ignore case, take wildcards, and a bare operation name means kms:<name>', () => {
    const policy = keyPolicy(statement({ Principal: { AWS: ALICE }, Action: ['KMS:get*', 'kms:ReEncrypt*'] }));
    for (const action of ['kms:GetKeyPolicy', 'kms:GetPublicKey', 'kms:ReEncryptFrom', 'kms:reencryptto', 'GetKeyRotationStatus']) {
      expect(decide({ principal: { arn: ALICE }, action, keyPolicy: policy }).allowed).toBe(true);
    }
    expect(decide({ principal: { arn: ALICE }, action: 'kms:Decrypt', keyPolicy: policy }).allowed).toBe(false);
  });
  it('NotAction allows everything but the listed actions', () => {
    const policy = keyPolicy(statement({ Principal: { AWS: ALICE }, Action: undefined, NotAction: ['kms:ScheduleKeyDeletion', 'kms:Put*'] } as Partial<PolicyStatement>));
    expect(decide({ principal: { arn: ALICE }, action: 'kms:Decrypt', keyPolicy: policy }).allowed).toBe(true);
    expect(decide({ principal: { arn: ALICE }, action: 'kms:PutKeyPolicy', keyPolicy: policy }).allowed).toBe(false);
  });
  it('Resource and NotResource match the key ARN with wildcards', () => {
    const byRegion = { name: 'east', document: iamPolicy({ Effect: 'Allow', Action: 'kms:*', Resource: 'arn:aws:kms:us-east-1:*:key/*' }) };
    const notThis = { name: 'not-this', document: iamPolicy({ Effect: 'Allow', Action: 'kms:*', NotResource: KEY_ARN }) };
    const policy = defaultKeyPolicy(ACCOUNT);
    expect(decide({ principal: { arn: ALICE }, action: 'kms:Decrypt', keyPolicy: policy, identityPolicies: [byRegion] }).allowed).toBe(true);
    expect(decide({ principal: { arn: ALICE }, action: 'kms:Decrypt', resource: KEY_ARN.replace('us-east-1', 'eu-west-1'), keyPolicy: policy, identityPolicies: [byRegion] }).allowed).toBe(false);
    expect(decide({ principal: { arn: ALICE }, action: 'kms:Decrypt', keyPolicy: policy, identityPolicies: [notThis] }).allowed).toBe(false);
    expect(decide({ principal: { arn: ALICE }, action: 'kms:Decrypt', resource: OTHER_KEY_ARN, keyPolicy: policy, identityPolicies: [notThis] }).allowed).toBe(true);
  });
  it('policy variables in Resource are substituted; one with no value matches no resource', () => {
    const own = { name: 'own', document: iamPolicy({ Effect: 'Allow', Action: 'kms:*', Resource: 'arn:aws:kms:*:${aws:PrincipalAccount}:key/${aws:PrincipalTag/key}' }) };
    const policy = defaultKeyPolicy(ACCOUNT);
    const KEY_ID = KEY_ARN.split('/')[1]!;
    expect(decide({ principal: { arn: ALICE, tags: { key: KEY_ID } }, action: 'kms:Decrypt', keyPolicy: policy, identityPolicies: [own] }).allowed).toBe(true);
    expect(decide({ principal: { arn: ALICE, tags: { key: 'other' } }, action: 'kms:Decrypt', keyPolicy: policy, identityPolicies: [own] }).allowed).toBe(false);
    expect(decide({ principal: { arn: ALICE }, action: 'kms:Decrypt', keyPolicy: policy, identityPolicies: [own] }).allowed).toBe(false);
  });
});

describe('explicit Deny wins', () => {
  it('a Deny in the key policy overrides its own Allow: "explicit deny in a resource-based policy"', () => {
    const policy = keyPolicy(statement({}), { Sid: 'NoDeletion', Effect: 'Deny', Principal: '*', Action: 'kms:ScheduleKeyDeletion', Resource: '*' });
    const d = decide({ principal: { arn: ROOT }, action: 'kms:ScheduleKeyDeletion', keyPolicy: policy });
    expect(d).toMatchObject({ allowed: false, outcome: 'explicit-deny', denied: { source: 'key-policy', sid: 'NoDeletion', statementIndex: 1, policyType: 'resource-based' }, matched: [{ statementIndex: 0 }] });
    expect(d.reason).toBe(denyMessage(ROOT, 'kms:ScheduleKeyDeletion', 'resource-based'));
  });
  it('a Deny in an IAM policy overrides the key policy: "explicit deny in an identity-based policy"', () => {
    const policy = keyPolicy(statement({}), statement({ Principal: { AWS: ALICE } }));
    const deny = { name: 'no-decrypt', document: iamPolicy({ Sid: 'NoDecrypt', Effect: 'Deny', Action: 'kms:Decrypt', Resource: '*' }) };
    const d = decide({ principal: { arn: ALICE }, action: 'kms:Decrypt', keyPolicy: policy, identityPolicies: [allowAll(), deny] });
    expect(d.denied).toEqual({ source: 'iam-policy', policyName: 'no-decrypt', sid: 'NoDecrypt', statementIndex: 0, policyType: 'identity-based' });
    expect(d.reason).toBe(denyMessage(ALICE, 'kms:Decrypt', 'identity-based'));
  });
  it('an IAM Deny counts even where the key policy does not delegate', () => {
    const policy = keyPolicy(statement({ Principal: { AWS: ALICE } }));
    const deny = { name: 'deny', document: iamPolicy({ Effect: 'Deny', Action: 'kms:*', Resource: '*' }) };
    expect(decide({ principal: { arn: ALICE }, action: 'kms:Decrypt', keyPolicy: policy, identityPolicies: [deny] }).outcome).toBe('explicit-deny');
  });
  it('a Deny naming the account principal denies every identity in the account', () => {
    const policy = keyPolicy(statement({ Principal: '*' }), { Effect: 'Deny', Principal: { AWS: ACCOUNT }, Action: 'kms:Decrypt', Resource: '*' });
    expect(decide({ principal: { arn: ALICE }, action: 'kms:Decrypt', keyPolicy: policy }).outcome).toBe('explicit-deny');
    expect(decide({ principal: { arn: AUDITOR_SESSION }, action: 'kms:Decrypt', keyPolicy: policy }).outcome).toBe('explicit-deny');
    expect(decide({ principal: { arn: MALLORY }, action: 'kms:Decrypt', keyPolicy: policy, identityPolicies: [allowAll()] }).outcome).toBe('allow');
  });
  it('a Deny beats a grant', () => {
    const policy = keyPolicy(statement({}), { Effect: 'Deny', Principal: '*', Action: 'kms:Decrypt', Resource: '*', Condition: { Bool: { 'kms:GrantIsForAWSResource': 'false' } } });
    const grant = { GrantId: 'g1', GranteePrincipal: ALICE, Operations: ['Decrypt'] };
    const d = decide({ principal: { arn: ALICE }, action: 'kms:Decrypt', keyPolicy: policy, grants: [grant], context: { 'kms:GrantIsForAWSResource': false } });
    expect(d).toMatchObject({ allowed: false, outcome: 'explicit-deny', matched: [{ source: 'grant', grantId: 'g1' }] });
  });
});

describe('grants', () => {
  const policy = keyPolicy(statement({}));
  it('a grant allows its operations to its grantee without any policy allowing them', () => {
    const grant = { GrantId: 'g1', GranteePrincipal: ALICE, Operations: ['Decrypt', 'GenerateDataKey'] };
    const d = decide({ principal: { arn: ALICE }, action: 'kms:Decrypt', keyPolicy: policy, grants: [grant] });
    expect(d).toMatchObject({ allowed: true, matched: [{ source: 'grant', grantId: 'g1' }] });
    expect(d.reason).toBe('Allowed by grant g1.');
    expect(decide({ principal: { arn: ALICE }, action: 'kms:Encrypt', keyPolicy: policy, grants: [grant] })).toMatchObject({ allowed: false, grantsNotApplied: [{ grantId: 'g1', why: 'it does not allow Encrypt' }] });
  });
  it('a grant for someone else, or whose constraint fails, is skipped with the reason', () => {
    const forBob = { GrantId: 'g2', GranteePrincipal: BOB, Operations: ['Decrypt'] };
    const constrained = { GrantId: 'g3', GranteePrincipal: ALICE, Operations: ['Decrypt'], Constraints: { EncryptionContextEquals: { Department: 'IT' } } };
    const d = decide({ principal: { arn: ALICE }, action: 'kms:Decrypt', keyPolicy: policy, grants: [forBob, constrained], encryptionContext: { Department: 'HR' } });
    expect(d.allowed).toBe(false);
    expect(d.grantsNotApplied).toEqual([
      { grantId: 'g2', why: `its grantee is ${BOB}` },
      { grantId: 'g3', why: 'the encryption context does not satisfy its constraints' },
    ]);
    expect(decide({ principal: { arn: ALICE }, action: 'kms:Decrypt', keyPolicy: policy, grants: [constrained], encryptionContext: { Department: 'IT' } }).allowed).toBe(true);
  });
  it('a grant to a role serves its sessions, and a grant to a service principal serves that service', () => {
    expect(decide({ principal: { arn: AUDITOR_SESSION }, action: 'kms:Decrypt', keyPolicy: policy, grants: [{ GrantId: 'r', GranteePrincipal: AUDITOR_ROLE, Operations: ['Decrypt'] }] }).allowed).toBe(true);
    expect(decide({ principal: { arn: 'dynamodb.us-west-2.amazonaws.com' }, action: 'kms:Decrypt', keyPolicy: policy, grants: [{ GrantId: 's', GranteePrincipal: 'dynamodb.us-west-2.amazonaws.com', Operations: ['Decrypt'] }] }).allowed).toBe(true);
  });
  it('the request\'s encryption context also feeds kms:EncryptionContext conditions', () => {
    const p = keyPolicy(statement({ Principal: { AWS: ALICE }, Action: 'kms:Decrypt', Condition: { StringEquals: { 'kms:EncryptionContext:department': 'IT' } } }));
    expect(decide({ principal: { arn: ALICE }, action: 'kms:Decrypt', keyPolicy: p, encryptionContext: { Department: 'IT' } }).allowed).toBe(true);
    expect(decide({ principal: { arn: ALICE }, action: 'kms:Decrypt', keyPolicy: p, encryptionContext: { Department: 'HR' } }).allowed).toBe(false);
  });
});

describe('cross-account callers need the key policy and their own IAM policy', () => {
  const trustsOther = keyPolicy(statement({}), statement({ Sid: 'Other account', Principal: { AWS: OTHER_ROOT }, Action: ['kms:Decrypt', 'kms:DescribeKey'] }));
  it('allowed when both allow', () => {
    expect(decide({ principal: { arn: MALLORY }, action: 'kms:Decrypt', keyPolicy: trustsOther, identityPolicies: [allowAll()] })).toMatchObject({ allowed: true, matched: [{ source: 'iam-policy' }] });
  });
  it('"no identity-based policy allows" without the IAM policy', () => {
    expect(decide({ principal: { arn: MALLORY }, action: 'kms:Decrypt', keyPolicy: trustsOther }).reason).toBe(noAllowMessage(MALLORY, 'kms:Decrypt', 'identity-based'));
  });
  it('"no resource-based policy allows" when the key policy does not name the account', () => {
    expect(decide({ principal: { arn: MALLORY }, action: 'kms:Encrypt', keyPolicy: trustsOther, identityPolicies: [allowAll()] }).reason).toBe(noAllowMessage(MALLORY, 'kms:Encrypt', 'resource-based'));
    expect(decide({ principal: { arn: MALLORY }, action: 'kms:Decrypt', keyPolicy: defaultKeyPolicy(ACCOUNT), identityPolicies: [allowAll()] }).allowed).toBe(false);
  });
  it('even a statement naming the external user needs that user\'s IAM policy; its root user needs none', () => {
    const namesMallory = keyPolicy(statement({}), statement({ Principal: { AWS: MALLORY } }));
    expect(decide({ principal: { arn: MALLORY }, action: 'kms:Decrypt', keyPolicy: namesMallory }).allowed).toBe(false);
    expect(decide({ principal: { arn: MALLORY }, action: 'kms:Decrypt', keyPolicy: namesMallory, identityPolicies: [allowAll()] }).allowed).toBe(true);
    expect(decide({ principal: { arn: OTHER_ROOT }, action: 'kms:Decrypt', keyPolicy: trustsOther }).allowed).toBe(true);
  });
});

describe('operations on no key (CreateKey, ListKeys, ...) are decided by IAM policies alone', () => {
  it('the root user is allowed; others need an IAM allow; the message names resource "*"', () => {
    expect(authorize({ principal: { arn: ROOT }, action: 'kms:CreateKey', resource: '*' })).toMatchObject({ allowed: true, matched: [{ source: 'account-root' }] });
    expect(authorize({ principal: { arn: ALICE }, action: 'kms:CreateKey', resource: '*', identityPolicies: [allowAll()] }).allowed).toBe(true);
    const d = authorize({ principal: { arn: ALICE }, action: 'kms:CreateKey', resource: '*' });
    expect(d.reason).toBe(noAllowMessage(ALICE, 'kms:CreateKey', 'identity-based', '*'));
    expect(authorize({ principal: { arn: ALICE }, action: 'kms:CreateKey', resource: '*', identityPolicies: [allowAll(), { name: 'd', document: iamPolicy({ Effect: 'Deny', Action: 'kms:Create*', Resource: '*' }) }] }).outcome).toBe('explicit-deny');
  });
  it('conditions on request parameters apply (kms:KeySpec, kms:KeyUsage, aws:RequestTag, aws:TagKeys)', () => {
    const onlySymmetric = { name: 'sym', document: iamPolicy({ Effect: 'Allow', Action: 'kms:CreateKey', Resource: '*', Condition: { StringEquals: { 'kms:KeySpec': 'SYMMETRIC_DEFAULT', 'aws:RequestTag/team': 'red' }, 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team'] } } }) };
    const ask = (context: Record<string, string | string[]>) => authorize({ principal: { arn: ALICE }, action: 'kms:CreateKey', resource: '*', identityPolicies: [onlySymmetric], context }).allowed;
    expect(ask({ 'kms:KeySpec': 'SYMMETRIC_DEFAULT', 'aws:RequestTag/team': 'red', 'aws:TagKeys': ['team'] })).toBe(true);
    expect(ask({ 'kms:KeySpec': 'RSA_2048', 'aws:RequestTag/team': 'red', 'aws:TagKeys': ['team'] })).toBe(false);
    expect(ask({ 'kms:KeySpec': 'SYMMETRIC_DEFAULT', 'aws:RequestTag/team': 'red', 'aws:TagKeys': ['team', 'cost'] })).toBe(false);
  });
});

describe('assertAuthorized', () => {
  it('returns the decision when allowed', () => {
    expect(assertAuthorized({ principal: { arn: ROOT }, action: 'kms:Encrypt', resource: KEY_ARN, keyPolicy: JSON.stringify(defaultKeyPolicy(ACCOUNT)) }).allowed).toBe(true);
  });
  it('throws a KmsError AccessDeniedException (a client fault) with AWS\'s message', () => {
    try {
      assertAuthorized({ principal: { arn: ALICE }, action: 'kms:Encrypt', resource: KEY_ARN, keyPolicy: defaultKeyPolicy(ACCOUNT) });
      throw new Error('expected AccessDeniedException');
    } catch (error) {
      expect(error).toBeInstanceOf(KmsError);
      expect(error).toMatchObject({ name: ACCESS_DENIED, code: ACCESS_DENIED, $fault: 'client', message: noAllowMessage(ALICE, 'kms:Encrypt', 'identity-based') });
    }
  });
  it('a stored key policy that does not parse is a MalformedPolicyDocumentException', () => {
    expect(() => authorize({ principal: { arn: ROOT }, action: 'kms:Encrypt', resource: KEY_ARN, keyPolicy: '{"Statement": 1}' })).toThrow(/Statement\[0\] must be a JSON object/);
  });
});
