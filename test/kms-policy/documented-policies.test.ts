/**
 * Key and IAM policies quoted in AWS documentation (fixtures/aws-documented-policies.ts, each with
 * its page address) give the outcomes the pages describe for the principals and services they
 * describe, and the opposite for everyone and everything else: another service, region or account,
 * a missing encryption context, an action or grant operation the policy does not list.
 */
import { authorize, checkLockoutSafety, defaultKeyPolicy, parsePolicy, type AuthorizationRequest } from '../../src/kms/policy/index.js';
import {
  CODEGURU_SECURITY_ROLE_STATEMENTS_VERBATIM,
  ECR_ENCRYPTION_CONTEXT,
  ECR_IAM_CREATE_AND_DELETE_REPOSITORIES,
  ECR_IAM_CREATE_AND_DELETE_REPOSITORIES_2022,
  ECR_IAM_DELETE_REPOSITORIES_AWS_MANAGED_KEY,
  ECR_IAM_DELETE_REPOSITORIES_AWS_MANAGED_KEY_2022,
  ECR_KEY_ARN,
  ECR_KEY_POLICY,
  ECR_KEY_POLICY_2022,
  INSPECTOR_CODE_SECURITY_KEY_POLICY_VERBATIM,
  KMS_GUIDE_CALLER_ACCOUNT_STATEMENT,
  KMS_GUIDE_GRANT_OPERATIONS_STATEMENT,
  ALIAS_GUIDE_ALIAS_IAM_STATEMENT,
  ALIAS_GUIDE_CREATE_KEY_STATEMENT,
  ALIAS_GUIDE_DELETE_KEY_STATEMENT,
  ALIAS_GUIDE_EXCEPT_RESTRICTED_IAM_STATEMENTS,
  ALIAS_GUIDE_KEY_ORIGIN_IAM_STATEMENT,
  ALIAS_GUIDE_UPDATE_CURRENT_KEY_STATEMENT,
  ALIAS_GUIDE_UPDATE_IAM_STATEMENT,
  ALIAS_GUIDE_UPDATE_NEW_KEY_STATEMENT,
  policyOf,
  codeGuruSecurityRolePolicy,
  inspectorCodeSecurityKeyPolicy,
  inspectorLambdaCodeScanKeyPolicy,
} from './fixtures/aws-documented-policies.js';
import { ACCOUNT, KEY_ARN, OTHER_ACCOUNT, ROOT } from './support.js';

const USE = ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext'];
const allowed = (r: AuthorizationRequest) => authorize(r).allowed;

// https://docs.aws.amazon.com/inspector/latest/user/code-security-assessments-creating-a-key.html
describe('Amazon Inspector code security key policy (Update/Get/ResetEncryptionKey for CODE_REPOSITORY)', () => {
  const keyPolicy = inspectorCodeSecurityKeyPolicy();
  const INSPECTOR_ROLE = `arn:aws:sts::${ACCOUNT}:assumed-role/inspectorCodeSecurity/inspector-fas`;
  const scope = { 'aws:qdeveloper:codesecurity-scope': ACCOUNT };
  const viaInspector = { 'kms:ViaService': 'inspector2.us-east-1.amazonaws.com' };
  const fromInspector = { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': `arn:aws:inspector2:us-east-1:${ACCOUNT}:codesecurity-integration/integration-1` };
  const q = (action: string, context: Record<string, string>, encryptionContext?: Record<string, string>) =>
    allowed({ principal: { arn: 'q.amazonaws.com' }, action, resource: KEY_ARN, keyPolicy, context, ...(encryptionContext ? { encryptionContext } : {}) });
  const role = (action: string, context: Record<string, string>, encryptionContext?: Record<string, string>, arn = INSPECTOR_ROLE) =>
    allowed({ principal: { arn }, action, resource: KEY_ARN, keyPolicy, context, ...(encryptionContext ? { encryptionContext } : {}) });

  it('as written on the page (with its {{111122223333}} placeholder) it is refused as naming an invalid principal', () => {
    expect(() => parsePolicy(INSPECTOR_CODE_SECURITY_KEY_POLICY_VERBATIM, 'key')).toThrow(/Statement\[2\] \(Sid "Allow Inspector to use Encrypt.*invalid principals: Principal.AWS "arn:aws:iam::\{\{111122223333\}\}:role\/inspectorCodeSecurity"/);
    expect(parsePolicy(keyPolicy, 'key').statements).toHaveLength(4);
  });
  it('Amazon Q, for an Inspector code-security integration of the account, may use the key with the scope context', () => {
    for (const action of USE) expect([action, q(action, fromInspector, scope)]).toEqual([action, true]);
    expect(q('kms:DescribeKey', {})).toBe(true);
  });
  it('Amazon Q is refused for another account, another integration region, or without the scope context', () => {
    expect(q('kms:Decrypt', { ...fromInspector, 'aws:SourceAccount': OTHER_ACCOUNT }, scope)).toBe(false);
    expect(q('kms:Decrypt', { ...fromInspector, 'aws:SourceArn': `arn:aws:inspector2:us-west-2:${ACCOUNT}:codesecurity-integration/integration-1` }, scope)).toBe(false);
    expect(q('kms:Decrypt', { ...fromInspector, 'aws:SourceArn': `arn:aws:inspector2:us-east-1:${ACCOUNT}:scans/1` }, scope)).toBe(false);
    expect(q('kms:Decrypt', fromInspector)).toBe(false);
    expect(q('kms:Decrypt', fromInspector, { 'aws:qdeveloper:codesecurity-scope': OTHER_ACCOUNT })).toBe(false);
    expect(q('kms:ReEncryptFrom', fromInspector, scope)).toBe(false);
    expect(q('kms:CreateGrant', fromInspector, scope)).toBe(false);
  });
  it('another service principal gets nothing', () => {
    expect(allowed({ principal: { arn: 'codeguru-reviewer.amazonaws.com' }, action: 'kms:DescribeKey', resource: KEY_ARN, keyPolicy })).toBe(false);
  });
  it('the inspectorCodeSecurity role, through inspector2 in us-east-1 (forward access sessions), may use and describe the key', () => {
    for (const action of USE) expect([action, role(action, viaInspector, scope)]).toEqual([action, true]);
    expect(role('kms:DescribeKey', viaInspector)).toBe(true);
  });
  it('the role is refused directly, through another service or region, without the scope, or for other actions', () => {
    expect(role('kms:Decrypt', {}, scope)).toBe(false);
    expect(role('kms:DescribeKey', {})).toBe(false);
    expect(role('kms:Decrypt', { 'kms:ViaService': 'inspector2.us-west-2.amazonaws.com' }, scope)).toBe(false);
    expect(role('kms:Decrypt', { 'kms:ViaService': 'lambda.us-east-1.amazonaws.com' }, scope)).toBe(false);
    expect(role('kms:Decrypt', viaInspector)).toBe(false);
    expect(role('kms:Sign', viaInspector, scope)).toBe(false);
  });
  it('another role through Inspector, and the account itself, get nothing: the policy has no account statement', () => {
    expect(role('kms:Decrypt', viaInspector, scope, `arn:aws:sts::${ACCOUNT}:assumed-role/otherRole/s`)).toBe(false);
    const root = authorize({ principal: { arn: ROOT }, action: 'kms:PutKeyPolicy', resource: KEY_ARN, keyPolicy });
    expect(root.reason).toBe(`User: ${ROOT} is not authorized to perform: kms:PutKeyPolicy on resource: ${KEY_ARN} because no resource-based policy allows the kms:PutKeyPolicy action`);
  });
  it('so PutKeyPolicy with it refuses to lock the account out, unless the safety check is bypassed', () => {
    expect(() => checkLockoutSafety({ proposedPolicy: keyPolicy, principal: { arn: ROOT }, resource: KEY_ARN })).toThrow('The new key policy will not allow you to update the key policy in the future.');
    expect(() => checkLockoutSafety({ proposedPolicy: keyPolicy, principal: { arn: ROOT }, resource: KEY_ARN }, true)).not.toThrow();
  });
});

// https://docs.aws.amazon.com/inspector/latest/user/encryption-rest.html
describe('Amazon Inspector Lambda code scanning key policy statements', () => {
  const ROLE = `arn:aws:iam::${ACCOUNT}:role/InspectorLambdaScan`;
  const keyPolicy = inspectorLambdaCodeScanKeyPolicy(ACCOUNT, 'eu-west-1', ROLE);
  const scope = { 'aws:qdeveloper:lambda-codescan-scope': ACCOUNT };
  const fromQ = { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': `arn:aws:qdeveloper:eu-west-1:${ACCOUNT}:scans/scan-7` };
  const ask = (arn: string, action: string, context: Record<string, string>, encryptionContext?: Record<string, string>) =>
    allowed({ principal: { arn }, action, resource: KEY_ARN, keyPolicy, context, ...(encryptionContext ? { encryptionContext } : {}) });
  it('Amazon Q for the account\'s scans, and the role through inspector2 in the Region, may use the key', () => {
    for (const action of USE) {
      expect(ask('q.amazonaws.com', action, fromQ, scope)).toBe(true);
      expect(ask(`arn:aws:sts::${ACCOUNT}:assumed-role/InspectorLambdaScan/fas`, action, { 'kms:ViaService': 'inspector2.eu-west-1.amazonaws.com' }, scope)).toBe(true);
    }
    expect(ask('q.amazonaws.com', 'kms:DescribeKey', fromQ)).toBe(true);
  });
  it('not for scans of another Region or account, nor through another Region\'s Inspector', () => {
    expect(ask('q.amazonaws.com', 'kms:Encrypt', { ...fromQ, 'aws:SourceArn': `arn:aws:qdeveloper:us-east-1:${ACCOUNT}:scans/scan-7` }, scope)).toBe(false);
    expect(ask('q.amazonaws.com', 'kms:DescribeKey', { ...fromQ, 'aws:SourceAccount': OTHER_ACCOUNT })).toBe(false);
    expect(ask(ROLE, 'kms:Encrypt', { 'kms:ViaService': 'inspector2.us-east-1.amazonaws.com' }, scope)).toBe(false);
  });
  it('the statements sit beside the account statement: IAM policies still work for the account\'s users', () => {
    const alice = `arn:aws:iam::${ACCOUNT}:user/alice`;
    const identityPolicies = [{ name: 'admin', document: { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'kms:*', Resource: '*' } } }];
    expect(allowed({ principal: { arn: alice }, action: 'kms:PutKeyPolicy', resource: KEY_ARN, keyPolicy, identityPolicies })).toBe(true);
  });
});

// https://docs.aws.amazon.com/codeguru/latest/security-ug/key-management.html
describe('Amazon CodeGuru Security access-role policy (kms:GrantOperations with ForAllValues, kms:ViaService)', () => {
  const SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/CodeGuruSecurityAccess/scan`;
  const identityPolicies = [{ name: 'codeguru-security-kms', document: codeGuruSecurityRolePolicy('us-east-1') }];
  const via = { 'kms:ViaService': 'codeguru-security.us-east-1.amazonaws.com' };
  const ask = (action: string, context: Record<string, string | string[]>, keyPolicy: object | string = defaultKeyPolicy(ACCOUNT)) =>
    authorize({ principal: { arn: SESSION }, action, resource: KEY_ARN, keyPolicy, identityPolicies, context });

  it('the statements parse as an IAM policy once the Region is filled in', () => {
    expect(CODEGURU_SECURITY_ROLE_STATEMENTS_VERBATIM).toContain('codeguru-security.`<region>`.amazonaws.com');
    expect(parsePolicy(codeGuruSecurityRolePolicy('us-east-1'), 'identity').statements.map((s) => s.conditions.map((c) => c.text))).toEqual([['ForAllValues:StringEquals', 'StringEquals'], ['StringEquals']]);
  });
  it('through CodeGuru Security, the role may create grants for any subset of the six listed operations', () => {
    expect(ask('kms:CreateGrant', { ...via, 'kms:GrantOperations': ['Encrypt', 'Decrypt'] }).allowed).toBe(true);
    expect(ask('kms:CreateGrant', { ...via, 'kms:GrantOperations': ['GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'Encrypt', 'Decrypt', 'RetireGrant', 'DescribeKey'] }).allowed).toBe(true);
  });
  it('not grants with any other operation, and not outside CodeGuru Security or its Region', () => {
    expect(ask('kms:CreateGrant', { ...via, 'kms:GrantOperations': ['Encrypt', 'ReEncryptFrom'] }).allowed).toBe(false);
    expect(ask('kms:CreateGrant', { ...via, 'kms:GrantOperations': ['CreateGrant'] }).allowed).toBe(false);
    expect(ask('kms:CreateGrant', { 'kms:GrantOperations': ['Encrypt'] }).allowed).toBe(false);
    expect(ask('kms:CreateGrant', { 'kms:ViaService': 'codeguru-security.eu-west-1.amazonaws.com', 'kms:GrantOperations': ['Encrypt'] }).allowed).toBe(false);
  });
  it('ForAllValues holds for a request with no grant operations (the page\'s policy relies on CreateGrant requiring Operations)', () => {
    expect(ask('kms:CreateGrant', via).allowed).toBe(true);
  });
  it('may use the key for the five listed actions through CodeGuru Security, and nothing else', () => {
    for (const action of ['kms:Encrypt', 'kms:Decrypt', 'kms:RetireGrant', 'kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext']) expect([action, ask(action, via).allowed]).toEqual([action, true]);
    // GenerateDataKey is absent from the second statement as published.
    expect(ask('kms:GenerateDataKey', via).allowed).toBe(false);
    expect(ask('kms:Decrypt', {}).allowed).toBe(false);
  });
  it('is worth nothing under a key policy that does not delegate to the account', () => {
    const d = ask('kms:Decrypt', via, inspectorCodeSecurityKeyPolicy());
    expect(d.reason).toBe(`User: ${SESSION} is not authorized to perform: kms:Decrypt on resource: ${KEY_ARN} because no resource-based policy allows the kms:Decrypt action`);
  });
});

// https://docs.aws.amazon.com/AmazonECR/latest/userguide/encryption-at-rest.html
// https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html
describe('Amazon ECR with a customer managed key (root-account delegation, kms:ViaService, kms:CallerAccount, kms:GrantOperations)', () => {
  const CREATOR = `arn:aws:iam::${ACCOUNT}:user/repo-admin`;
  // The page's IAM policies, up to its 2021-09 revision, give their statements Sids with spaces,
  // which IAM refuses for identity policies (key policies allow them); a reader putting them would
  // drop or rewrite the Sid, as AWS itself did in the 2021-11 revision.
  const withoutSid = (text: string) => text.replace(/\n\s*"Sid": "[^"]*",/, '');
  const create = [{ name: 'ecr-kms-permissions', document: withoutSid(ECR_IAM_CREATE_AND_DELETE_REPOSITORIES) }];

  it('the page\'s IAM policies, as written up to 2021-09, are refused by IAM\'s Sid rule', () => {
    for (const text of [ECR_IAM_CREATE_AND_DELETE_REPOSITORIES, ECR_IAM_DELETE_REPOSITORIES_AWS_MANAGED_KEY]) {
      expect(() => parsePolicy(text, 'identity')).toThrow(/Statement IDs \(SID\) must be alpha-numeric/);
      expect(parsePolicy(withoutSid(text), 'identity').statements[0]!.sid).toBeUndefined();
    }
    // The key policy's Sid has spaces too, which key policies allow.
    expect(parsePolicy(ECR_KEY_POLICY, 'key').statements[0]!.sid).toBe('Enable IAM User Permissions');
  });
  const ask = (arn: string, action: string, options: Partial<AuthorizationRequest> = {}) => authorize({ principal: { arn }, action, resource: ECR_KEY_ARN, keyPolicy: ECR_KEY_POLICY, ...options });

  it('the key policy delegates to the account: the repository creator may create and retire grants and describe the key', () => {
    for (const action of ['kms:CreateGrant', 'kms:RetireGrant', 'kms:DescribeKey']) {
      const d = ask(CREATOR, action, { identityPolicies: create });
      expect(d).toMatchObject({ allowed: true, matched: [{ source: 'iam-policy', policyName: 'ecr-kms-permissions' }], delegatedBy: [{ source: 'key-policy', sid: 'Enable IAM User Permissions' }] });
    }
  });
  it('but not use the key, nor act on another key, nor act without the IAM policy', () => {
    expect(ask(CREATOR, 'kms:Decrypt', { identityPolicies: create }).allowed).toBe(false);
    expect(ask(CREATOR, 'kms:CreateGrant', { identityPolicies: create, resource: ECR_KEY_ARN.replace('92EXAMPLE', '93EXAMPLE') }).reason).toMatch(/because no identity-based policy allows the kms:CreateGrant action$/);
    expect(ask(CREATOR, 'kms:CreateGrant').allowed).toBe(false);
  });
  it('the page\'s 2022-09 revision, whose Sids have no spaces, parses as written and decides the same', () => {
    const create2022 = [{ name: 'ecr-kms-permissions', document: ECR_IAM_CREATE_AND_DELETE_REPOSITORIES_2022 }];
    const retire2022 = [{ name: 'ecr-kms-permissions', document: ECR_IAM_DELETE_REPOSITORIES_AWS_MANAGED_KEY_2022 }];
    for (const action of ['kms:CreateGrant', 'kms:RetireGrant', 'kms:DescribeKey']) {
      expect([action, ask(CREATOR, action, { keyPolicy: ECR_KEY_POLICY_2022, identityPolicies: create2022 }).allowed]).toEqual([action, true]);
    }
    expect(ask(CREATOR, 'kms:Decrypt', { keyPolicy: ECR_KEY_POLICY_2022, identityPolicies: create2022 }).allowed).toBe(false);
    expect(ask(CREATOR, 'kms:RetireGrant', { keyPolicy: ECR_KEY_POLICY_2022, identityPolicies: retire2022 }).allowed).toBe(true);
    expect(ask(CREATOR, 'kms:CreateGrant', { keyPolicy: ECR_KEY_POLICY_2022, identityPolicies: retire2022 }).allowed).toBe(false);
    expect(ask(`arn:aws:iam::${OTHER_ACCOUNT}:user/repo-admin`, 'kms:CreateGrant', { keyPolicy: ECR_KEY_POLICY_2022, identityPolicies: create2022 }).reason).toMatch(/because no resource-based policy allows the kms:CreateGrant action$/);
  });
  it('with the AWS managed key\'s policy, deleting a repository needs kms:RetireGrant only', () => {
    const retire = [{ name: 'ecr-kms-permissions', document: withoutSid(ECR_IAM_DELETE_REPOSITORIES_AWS_MANAGED_KEY) }];
    expect(ask(CREATOR, 'kms:RetireGrant', { identityPolicies: retire }).allowed).toBe(true);
    expect(ask(CREATOR, 'kms:CreateGrant', { identityPolicies: retire }).allowed).toBe(false);
  });
  it('the same IAM policy under a key policy without the root statement allows nothing', () => {
    const noRoot = ECR_KEY_POLICY.replace(`arn:aws:iam::${ACCOUNT}:root`, `arn:aws:iam::${ACCOUNT}:user/someone-else`);
    expect(ask(CREATOR, 'kms:CreateGrant', { identityPolicies: create, keyPolicy: noRoot }).reason).toMatch(/because no resource-based policy allows the kms:CreateGrant action$/);
  });

  // The KMS guide's kms:CallerAccount statement (AWS managed key pattern), verbatim for EBS...
  const callerAccountPolicy = `{"Version": "2012-10-17", "Statement": [${KMS_GUIDE_CALLER_ACCOUNT_STATEMENT}]}`;
  it('kms:CallerAccount + kms:ViaService: every principal of the account may use the key through the service', () => {
    for (const arn of [CREATOR, `arn:aws:sts::${ACCOUNT}:assumed-role/ci/build`]) {
      expect(authorize({ principal: { arn }, action: 'kms:GenerateDataKeyWithoutPlaintext', resource: KEY_ARN.replace('us-east-1', 'us-west-2'), keyPolicy: callerAccountPolicy, context: { 'kms:ViaService': 'ec2.us-west-2.amazonaws.com' } }).allowed).toBe(true);
    }
  });
  it('but not from another account, not directly, not through another service or Region', () => {
    const ask2 = (arn: string, context: Record<string, string>, identity = false) =>
      authorize({ principal: { arn }, action: 'kms:Decrypt', resource: KEY_ARN, keyPolicy: callerAccountPolicy, context, ...(identity ? { identityPolicies: [{ name: 'all', document: { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'kms:*', Resource: '*' } } }] } : {}) }).allowed;
    expect(ask2(`arn:aws:iam::${OTHER_ACCOUNT}:user/mallory`, { 'kms:ViaService': 'ec2.us-west-2.amazonaws.com' }, true)).toBe(false);
    expect(ask2(CREATOR, {})).toBe(false);
    expect(ask2(CREATOR, { 'kms:ViaService': 'ecr.us-west-2.amazonaws.com' })).toBe(false);
    expect(ask2(CREATOR, { 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' })).toBe(false);
  });

  // ...and as ECR's page says to use it ("kms:ViaService condition key with the ecr.<region>.amazonaws.com
  // value"), with the KMS guide's kms:GrantOperations condition for the grants ECR creates. ASSEMBLED,
  // not quoted: ECR's documentation has no kms:GrantOperations statement (fixtures, ECR note), so
  // this checks the combination the two guides describe, not a policy AWS published for ECR.
  const ecrStatement = JSON.parse(KMS_GUIDE_CALLER_ACCOUNT_STATEMENT.replace('ec2.us-west-2', 'ecr.us-west-2').replace(/EBS/g, 'Amazon ECR'));
  const grantOps = JSON.parse(KMS_GUIDE_GRANT_OPERATIONS_STATEMENT).Condition;
  const ecrPolicy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [...JSON.parse(ECR_KEY_POLICY).Statement, { ...ecrStatement, Action: 'kms:CreateGrant', Sid: 'ECR grants', Condition: { ...ecrStatement.Condition, ...grantOps } }, { ...ecrStatement, Action: ecrStatement.Action.filter((a: string) => a !== 'kms:CreateGrant') }],
  });
  const viaEcr = { 'kms:ViaService': 'ecr.us-west-2.amazonaws.com' };
  const grant = (arn: string, ops: string[], context: Record<string, string> = viaEcr) =>
    authorize({ principal: { arn }, action: 'kms:CreateGrant', resource: ECR_KEY_ARN, keyPolicy: ecrPolicy, context: { ...context, 'kms:GrantOperations': ops } });
  it('through ECR, principals of the account may create grants only for the listed operations', () => {
    expect(grant(CREATOR, ['Encrypt'])).toMatchObject({ allowed: true, matched: [{ sid: 'ECR grants' }] });
    expect(grant(CREATOR, ['Encrypt', 'ReEncryptTo']).allowed).toBe(true);
    expect(grant(CREATOR, ['Encrypt', 'Decrypt']).allowed).toBe(false);
    expect(grant(CREATOR, ['Encrypt'], {}).allowed).toBe(false);
    expect(grant(`arn:aws:iam::${OTHER_ACCOUNT}:user/mallory`, ['Encrypt']).allowed).toBe(false);
  });
  it('ECR\'s requests carry its encryption context; a grant constrained to one repository serves only it', () => {
    const repoGrant = { GrantId: 'ecr-repo', GranteePrincipal: CREATOR, Operations: ['GenerateDataKey', 'Decrypt'], Constraints: { EncryptionContextSubset: { 'aws:ecr:arn': ECR_ENCRYPTION_CONTEXT['aws:ecr:arn'] } } };
    const use = (encryptionContext: Record<string, string>) => authorize({ principal: { arn: CREATOR }, action: 'kms:GenerateDataKey', resource: ECR_KEY_ARN, keyPolicy: ECR_KEY_POLICY, grants: [repoGrant], encryptionContext }).allowed;
    expect(use(ECR_ENCRYPTION_CONTEXT)).toBe(true);
    expect(use({ ...ECR_ENCRYPTION_CONTEXT, 'aws:ecr:arn': 'arn:aws:ecr:us-west-2:111122223333:repository/other' })).toBe(false);
    expect(use({ 'aws:s3:arn': ECR_ENCRYPTION_CONTEXT['aws:s3:arn'] })).toBe(false);
  });
});

// https://docs.aws.amazon.com/kms/latest/developerguide/alias-access.html
describe('AWS KMS "Controlling access to aliases": the alias by IAM alone, each key by its key policy', () => {
  const ADMIN = `arn:aws:iam::${ACCOUNT}:user/KMSAdminUser`;
  const ALIAS = `arn:aws:kms:us-west-2:${ACCOUNT}:alias/test-key`;
  const CURRENT = `arn:aws:kms:us-west-2:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
  const NEW = `arn:aws:kms:us-west-2:${ACCOUNT}:key/0987dcba-09fe-87dc-65ba-ab0987654321`;
  const iam = (...statements: string[]) => [{ name: 'alias-admin', document: policyOf(...statements) }];
  const denied = (arn: string, action: string, resource: string, type = 'identity-based') => `User: ${arn} is not authorized to perform: ${action} on resource: ${resource} because no ${type} policy allows the ${action} action`;

  it('the page\'s statements parse: the IAM ones as identity policies, the key ones (Sids with spaces) as key policies', () => {
    for (const text of [ALIAS_GUIDE_ALIAS_IAM_STATEMENT, ALIAS_GUIDE_UPDATE_IAM_STATEMENT, ALIAS_GUIDE_KEY_ORIGIN_IAM_STATEMENT, ALIAS_GUIDE_EXCEPT_RESTRICTED_IAM_STATEMENTS]) expect(() => parsePolicy(policyOf(text), 'identity')).not.toThrow();
    for (const text of [ALIAS_GUIDE_CREATE_KEY_STATEMENT, ALIAS_GUIDE_UPDATE_CURRENT_KEY_STATEMENT, ALIAS_GUIDE_UPDATE_NEW_KEY_STATEMENT, ALIAS_GUIDE_DELETE_KEY_STATEMENT]) expect(() => parsePolicy(policyOf(text), 'key')).not.toThrow();
  });
  it('kms:CreateAlias: the IAM statement allows it on alias/test-key only; the key statement on the key only', () => {
    expect(authorize({ principal: { arn: ADMIN }, action: 'kms:CreateAlias', resource: ALIAS, identityPolicies: iam(ALIAS_GUIDE_ALIAS_IAM_STATEMENT) })).toMatchObject({
      allowed: true,
      matched: [{ source: 'iam-policy', sid: 'IAMPolicyForAnAlias' }],
    });
    expect(authorize({ principal: { arn: ADMIN }, action: 'kms:CreateAlias', resource: ALIAS }).reason).toBe(denied(ADMIN, 'kms:CreateAlias', ALIAS));
    const other = ALIAS.replace('test-key', 'prod-key');
    expect(authorize({ principal: { arn: ADMIN }, action: 'kms:CreateAlias', resource: other, identityPolicies: iam(ALIAS_GUIDE_ALIAS_IAM_STATEMENT) }).reason).toBe(denied(ADMIN, 'kms:CreateAlias', other));
    const keyPolicy = policyOf(ALIAS_GUIDE_CREATE_KEY_STATEMENT);
    expect(authorize({ principal: { arn: ADMIN }, action: 'kms:CreateAlias', resource: CURRENT, keyPolicy })).toMatchObject({ allowed: true, matched: [{ source: 'key-policy', sid: 'Key policy for 1234abcd-12ab-34cd-56ef-1234567890ab' }] });
    // The IAM statement names the alias, not the key: under a key policy that trusts the account it gives nothing on the key.
    expect(authorize({ principal: { arn: ADMIN }, action: 'kms:CreateAlias', resource: CURRENT, keyPolicy: defaultKeyPolicy(ACCOUNT), identityPolicies: iam(ALIAS_GUIDE_ALIAS_IAM_STATEMENT) }).reason).toBe(denied(ADMIN, 'kms:CreateAlias', CURRENT));
    // And someone else is not KMSAdminUser.
    expect(authorize({ principal: { arn: `arn:aws:iam::${ACCOUNT}:user/bob` }, action: 'kms:CreateAlias', resource: CURRENT, keyPolicy }).reason).toBe(denied(`arn:aws:iam::${ACCOUNT}:user/bob`, 'kms:CreateAlias', CURRENT, 'resource-based'));
  });
  it('kms:UpdateAlias: three permissions, the alias (IAM), the current key and the new key (their key policies)', () => {
    expect(authorize({ principal: { arn: ADMIN }, action: 'kms:UpdateAlias', resource: ALIAS, identityPolicies: iam(ALIAS_GUIDE_UPDATE_IAM_STATEMENT) }).allowed).toBe(true);
    expect(authorize({ principal: { arn: ADMIN }, action: 'kms:UpdateAlias', resource: CURRENT, keyPolicy: policyOf(ALIAS_GUIDE_UPDATE_CURRENT_KEY_STATEMENT) }).allowed).toBe(true);
    expect(authorize({ principal: { arn: ADMIN }, action: 'kms:UpdateAlias', resource: NEW, keyPolicy: policyOf(ALIAS_GUIDE_UPDATE_NEW_KEY_STATEMENT) }).allowed).toBe(true);
    // The create-alias key statement does not cover UpdateAlias.
    expect(authorize({ principal: { arn: ADMIN }, action: 'kms:UpdateAlias', resource: CURRENT, keyPolicy: policyOf(ALIAS_GUIDE_CREATE_KEY_STATEMENT) }).reason).toBe(denied(ADMIN, 'kms:UpdateAlias', CURRENT, 'resource-based'));
    // The update IAM statement also lists ListAliases and ListKeys, but on the alias ARN: it does not allow DeleteAlias.
    expect(authorize({ principal: { arn: ADMIN }, action: 'kms:DeleteAlias', resource: ALIAS, identityPolicies: iam(ALIAS_GUIDE_UPDATE_IAM_STATEMENT) }).allowed).toBe(false);
  });
  it('kms:DeleteAlias: the alias (IAM) and the associated key (key policy)', () => {
    expect(authorize({ principal: { arn: ADMIN }, action: 'kms:DeleteAlias', resource: ALIAS, identityPolicies: iam(ALIAS_GUIDE_ALIAS_IAM_STATEMENT) }).allowed).toBe(true);
    expect(authorize({ principal: { arn: ADMIN }, action: 'kms:DeleteAlias', resource: CURRENT, keyPolicy: policyOf(ALIAS_GUIDE_DELETE_KEY_STATEMENT) }).allowed).toBe(true);
    expect(authorize({ principal: { arn: ADMIN }, action: 'kms:DeleteAlias', resource: CURRENT, keyPolicy: policyOf(ALIAS_GUIDE_CREATE_KEY_STATEMENT) }).allowed).toBe(false);
  });
  it('limiting: kms:KeyOrigin narrows the key half; a Deny on alias/Restricted* wins over the Allow on alias/*', () => {
    const limited = iam(ALIAS_GUIDE_KEY_ORIGIN_IAM_STATEMENT, ALIAS_GUIDE_EXCEPT_RESTRICTED_IAM_STATEMENTS);
    const keyPolicy = defaultKeyPolicy(ACCOUNT);
    for (const action of ['kms:CreateAlias', 'kms:UpdateAlias', 'kms:DeleteAlias']) {
      expect([action, authorize({ principal: { arn: ADMIN }, action, resource: ALIAS, identityPolicies: limited }).allowed]).toEqual([action, true]);
      expect([action, authorize({ principal: { arn: ADMIN }, action, resource: CURRENT, keyPolicy, identityPolicies: limited, context: { 'kms:KeyOrigin': 'AWS_KMS' } }).allowed]).toEqual([action, true]);
      expect([action, authorize({ principal: { arn: ADMIN }, action, resource: CURRENT, keyPolicy, identityPolicies: limited, context: { 'kms:KeyOrigin': 'EXTERNAL' } }).allowed]).toEqual([action, false]);
    }
    const restricted = ALIAS.replace('test-key', 'Restricted-payroll');
    expect(authorize({ principal: { arn: ADMIN }, action: 'kms:CreateAlias', resource: restricted, identityPolicies: limited })).toMatchObject({
      allowed: false,
      outcome: 'explicit-deny',
      denied: { source: 'iam-policy', sid: 'IAMPolicyForAnAliasDeny', policyType: 'identity-based' },
      reason: `User: ${ADMIN} is not authorized to perform: kms:CreateAlias on resource: ${restricted} with an explicit deny in an identity-based policy`,
    });
    // A key in another Region or account is outside the key/* resource.
    expect(authorize({ principal: { arn: ADMIN }, action: 'kms:CreateAlias', resource: CURRENT.replace('us-west-2', 'us-east-1'), keyPolicy, identityPolicies: limited, context: { 'kms:KeyOrigin': 'AWS_KMS' } }).allowed).toBe(false);
  });
  it('an alias has no resource policy, so a principal of another account gets nothing on it, whatever its IAM says', () => {
    const mallory = `arn:aws:iam::${OTHER_ACCOUNT}:user/mallory`;
    const everything = [{ name: 'all', document: { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'kms:*', Resource: '*' } } }];
    expect(authorize({ principal: { arn: mallory }, action: 'kms:CreateAlias', resource: ALIAS, identityPolicies: everything }).reason).toBe(denied(mallory, 'kms:CreateAlias', ALIAS, 'resource-based'));
    expect(authorize({ principal: { arn: `arn:aws:iam::${OTHER_ACCOUNT}:root` }, action: 'kms:DeleteAlias', resource: ALIAS }).allowed).toBe(false);
    // The account's own root user needs no IAM policy.
    expect(authorize({ principal: { arn: ROOT }, action: 'kms:CreateAlias', resource: ALIAS })).toMatchObject({ allowed: true, matched: [{ source: 'account-root' }] });
  });
});
