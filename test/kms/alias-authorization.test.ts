/**
 * Alias operations through real KMS calls need their action on the alias AND on every key they
 * touch (AWS KMS Developer Guide, "Controlling access to aliases"): CreateAlias on the alias and the
 * key, UpdateAlias on the alias, the current key and the new key, DeleteAlias on the alias and its
 * key. The alias half comes from IAM policies only; each key half from that key's policy. The
 * statements are the guide's own (test/kms-policy/fixtures), for its user KMSAdminUser in us-west-2.
 */
import { createKms, type Kms } from '../../src/kms/index.js';
import {
  ALIAS_GUIDE_ALIAS_IAM_STATEMENT,
  ALIAS_GUIDE_CREATE_KEY_STATEMENT,
  ALIAS_GUIDE_DELETE_KEY_STATEMENT,
  ALIAS_GUIDE_EXCEPT_RESTRICTED_IAM_STATEMENTS,
  ALIAS_GUIDE_KEY_ORIGIN_IAM_STATEMENT,
  ALIAS_GUIDE_UPDATE_CURRENT_KEY_STATEMENT,
  ALIAS_GUIDE_UPDATE_IAM_STATEMENT,
  ALIAS_GUIDE_UPDATE_NEW_KEY_STATEMENT,
  policyOf,
} from '../kms-policy/fixtures/aws-documented-policies.js';
import { rejects } from './helpers.js';

const ACCOUNT = '111122223333';
const REGION = 'us-west-2';
const ADMIN_USER = `arn:aws:iam::${ACCOUNT}:user/KMSAdminUser`;
const ALIAS = 'alias/test-key';
const ALIAS_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:${ALIAS}`;
/** The account root keeps full control of every key made here (and passes the lockout check). */
const ROOT_STATEMENT = `{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::${ACCOUNT}:root"}, "Action": "kms:*", "Resource": "*"}`;
const denied = (action: string, resource: string, type = 'identity-based') =>
  `User: ${ADMIN_USER} is not authorized to perform: ${action} on resource: ${resource} because no ${type} policy allows the ${action} action`;

let kms: Kms;
beforeEach(async () => {
  kms = await createKms({ storage: 'memory' });
});
afterEach(() => kms.close());

const root = () => kms.region(REGION);
const admin = () => kms.region(REGION, { principal: ADMIN_USER });
/** A key whose policy is the root statement plus `statements` (the guide's key policy statements). */
const key = async (...statements: string[]) => (await root().createKey({ Policy: policyOf(ROOT_STATEMENT, ...statements) })).KeyMetadata;
const allowAdmin = (...statements: string[]) => kms.iam.putUserPolicy({ UserName: 'KMSAdminUser', PolicyName: 'aliases', PolicyDocument: policyOf(...statements) });
const explanationOf = async (eventName: string) => (await kms.audit.query({ eventName, principal: ADMIN_USER })).at(-1)!;

describe('CreateAlias', () => {
  it('needs kms:CreateAlias on the alias (IAM) as well as on the key (key policy)', async () => {
    const target = await key(ALIAS_GUIDE_CREATE_KEY_STATEMENT);
    // The key policy alone used to be enough; the alias half is an IAM permission.
    const refused = await rejects(admin().createAlias({ AliasName: ALIAS, TargetKeyId: target.KeyId }), 'AccessDeniedException');
    expect(refused.message).toBe(denied('kms:CreateAlias', ALIAS_ARN));
    expect((await root().listAliases({ KeyId: target.KeyId })).Aliases).toEqual([]);

    await allowAdmin(ALIAS_GUIDE_ALIAS_IAM_STATEMENT);
    await admin().createAlias({ AliasName: ALIAS, TargetKeyId: target.KeyId });
    expect((await root().listAliases({ KeyId: target.KeyId })).Aliases.map((a) => a.AliasArn)).toEqual([ALIAS_ARN]);

    // Both decisions are in the call's audit record, alias first, and both resources are named.
    const record = await explanationOf('CreateAlias');
    expect(record.resources.map((r) => r.ARN)).toEqual([ALIAS_ARN, target.Arn]);
    expect(record.explanation).toMatchObject({
      decisions: [
        { action: 'kms:CreateAlias', resource: ALIAS_ARN, outcome: 'allow', matched: [{ source: 'iam-policy', sid: 'IAMPolicyForAnAlias' }] },
        { action: 'kms:CreateAlias', resource: target.Arn, outcome: 'allow', matched: [{ source: 'key-policy', sid: 'Key policy for 1234abcd-12ab-34cd-56ef-1234567890ab' }] },
      ],
    });
  });

  it('is refused on the key when only the alias is allowed, naming the key', async () => {
    await allowAdmin(ALIAS_GUIDE_ALIAS_IAM_STATEMENT);
    // The root statement lets IAM allow; the IAM statement names the alias, not the key.
    const target = await key();
    const refused = await rejects(admin().createAlias({ AliasName: ALIAS, TargetKeyId: target.KeyId }), 'AccessDeniedException');
    expect(refused.message).toBe(denied('kms:CreateAlias', target.Arn));
    // Refused by the key, after the alias was allowed: both decisions recorded.
    const record = await explanationOf('CreateAlias');
    expect(record.errorCode).toBe('AccessDeniedException');
    expect((record.explanation as { decisions: { resource: string; outcome: string }[] }).decisions.map((d) => [d.resource, d.outcome])).toEqual([
      [ALIAS_ARN, 'allow'],
      [target.Arn, 'implicit-deny'],
    ]);
  });

  it('an alias the IAM statement does not name is refused, and an unknown key is still NotFound first', async () => {
    await allowAdmin(ALIAS_GUIDE_ALIAS_IAM_STATEMENT);
    const target = await key(ALIAS_GUIDE_CREATE_KEY_STATEMENT);
    const other = `arn:aws:kms:${REGION}:${ACCOUNT}:alias/prod-key`;
    expect((await rejects(admin().createAlias({ AliasName: 'alias/prod-key', TargetKeyId: target.KeyId }), 'AccessDeniedException')).message).toBe(denied('kms:CreateAlias', other));
    await rejects(admin().createAlias({ AliasName: 'alias/prod-key', TargetKeyId: '0987dcba-09fe-87dc-65ba-ab0987654321' }), 'NotFoundException');
  });

  it('the account root needs no IAM policy for the alias', async () => {
    const target = await key();
    await root().createAlias({ AliasName: ALIAS, TargetKeyId: target.KeyId });
    const [record] = await kms.audit.query({ eventName: 'CreateAlias' });
    expect(record!.explanation).toMatchObject({ decisions: [{ resource: ALIAS_ARN, matched: [{ source: 'account-root' }] }, { resource: target.Arn, outcome: 'allow' }] });
  });
});

describe('UpdateAlias', () => {
  /** alias/test-key on a key the guide's "current key" statement covers, and a new key its "new key" statement covers. */
  const setUp = async (currentStatements: string[] = [ALIAS_GUIDE_UPDATE_CURRENT_KEY_STATEMENT], newStatements: string[] = [ALIAS_GUIDE_UPDATE_NEW_KEY_STATEMENT]) => {
    const current = await key(...currentStatements);
    const next = await key(...newStatements);
    await root().createAlias({ AliasName: ALIAS, TargetKeyId: current.KeyId });
    return { current, next };
  };

  it('with the three permissions of the guide, moves the alias, and records the three decisions', async () => {
    const { current, next } = await setUp();
    await allowAdmin(ALIAS_GUIDE_UPDATE_IAM_STATEMENT);
    await admin().updateAlias({ AliasName: ALIAS, TargetKeyId: next.KeyId });
    expect((await root().listAliases({ KeyId: next.KeyId })).Aliases.map((a) => a.AliasName)).toEqual([ALIAS]);
    const record = await explanationOf('UpdateAlias');
    expect((record.explanation as { decisions: { resource: string; outcome: string }[] }).decisions.map((d) => [d.resource, d.outcome])).toEqual([
      [ALIAS_ARN, 'allow'],
      [next.Arn, 'allow'],
      [current.Arn, 'allow'],
    ]);
    expect(record.resources.map((r) => r.ARN)).toEqual([ALIAS_ARN, next.Arn, current.Arn]);
  });

  it('without the IAM permission on the alias: refused, naming the alias', async () => {
    const { next } = await setUp();
    expect((await rejects(admin().updateAlias({ AliasName: ALIAS, TargetKeyId: next.KeyId }), 'AccessDeniedException')).message).toBe(denied('kms:UpdateAlias', ALIAS_ARN));
  });

  it('without kms:UpdateAlias on the current key: refused, naming the current key, and the alias stays', async () => {
    // The current key's policy lets KMSAdminUser create aliases only.
    const { current, next } = await setUp([ALIAS_GUIDE_CREATE_KEY_STATEMENT]);
    await allowAdmin(ALIAS_GUIDE_UPDATE_IAM_STATEMENT);
    const refused = await rejects(admin().updateAlias({ AliasName: ALIAS, TargetKeyId: next.KeyId }), 'AccessDeniedException');
    // The root statement delegates to IAM, and the IAM statement names only the alias.
    expect(refused.message).toBe(denied('kms:UpdateAlias', current.Arn));
    expect((await root().listAliases({ KeyId: current.KeyId })).Aliases.map((a) => a.AliasName)).toEqual([ALIAS]);
  });

  it('without kms:UpdateAlias on the new key: refused, naming the new key', async () => {
    const { next } = await setUp(undefined, [ALIAS_GUIDE_CREATE_KEY_STATEMENT]);
    await allowAdmin(ALIAS_GUIDE_UPDATE_IAM_STATEMENT);
    expect((await rejects(admin().updateAlias({ AliasName: ALIAS, TargetKeyId: next.KeyId }), 'AccessDeniedException')).message).toBe(denied('kms:UpdateAlias', next.Arn));
  });

  it('an explicit Deny on the current key wins, as an explicit deny in a resource-based policy', async () => {
    const deny = `{"Effect": "Deny", "Principal": {"AWS": "${ADMIN_USER}"}, "Action": "kms:UpdateAlias", "Resource": "*"}`;
    const { current, next } = await setUp([ALIAS_GUIDE_UPDATE_CURRENT_KEY_STATEMENT, deny]);
    await allowAdmin(ALIAS_GUIDE_UPDATE_IAM_STATEMENT);
    expect((await rejects(admin().updateAlias({ AliasName: ALIAS, TargetKeyId: next.KeyId }), 'AccessDeniedException')).message).toBe(
      `User: ${ADMIN_USER} is not authorized to perform: kms:UpdateAlias on resource: ${current.Arn} with an explicit deny in a resource-based policy`,
    );
  });
});

describe('DeleteAlias', () => {
  it('needs kms:DeleteAlias on the alias (IAM) and on its key (key policy)', async () => {
    const target = await key(ALIAS_GUIDE_DELETE_KEY_STATEMENT);
    await root().createAlias({ AliasName: ALIAS, TargetKeyId: target.KeyId });
    expect((await rejects(admin().deleteAlias({ AliasName: ALIAS }), 'AccessDeniedException')).message).toBe(denied('kms:DeleteAlias', ALIAS_ARN));
    await allowAdmin(ALIAS_GUIDE_ALIAS_IAM_STATEMENT);
    await admin().deleteAlias({ AliasName: ALIAS });
    expect((await root().listAliases({ KeyId: target.KeyId })).Aliases).toEqual([]);
    const record = await explanationOf('DeleteAlias');
    expect((record.explanation as { decisions: { resource: string }[] }).decisions.map((d) => d.resource)).toEqual([ALIAS_ARN, target.Arn]);
  });

  it('is refused on the key when its policy does not allow it', async () => {
    await allowAdmin(ALIAS_GUIDE_ALIAS_IAM_STATEMENT);
    const target = await key(ALIAS_GUIDE_CREATE_KEY_STATEMENT);
    await root().createAlias({ AliasName: ALIAS, TargetKeyId: target.KeyId });
    expect((await rejects(admin().deleteAlias({ AliasName: ALIAS }), 'AccessDeniedException')).message).toBe(denied('kms:DeleteAlias', target.Arn));
    expect((await root().listAliases({ KeyId: target.KeyId })).Aliases).toHaveLength(1);
  });
});

describe('the guide\'s limiting policies', () => {
  it('kms:KeyOrigin limits the key half; a Deny on alias/Restricted* limits the alias half', async () => {
    await allowAdmin(ALIAS_GUIDE_KEY_ORIGIN_IAM_STATEMENT, ALIAS_GUIDE_EXCEPT_RESTRICTED_IAM_STATEMENTS);
    const kmsKey = await key();
    const external = (await root().createKey({ Origin: 'EXTERNAL' })).KeyMetadata;
    await admin().createAlias({ AliasName: 'alias/app', TargetKeyId: kmsKey.KeyId });
    expect((await rejects(admin().createAlias({ AliasName: 'alias/app-external', TargetKeyId: external.KeyId }), 'AccessDeniedException')).message).toBe(denied('kms:CreateAlias', external.Arn));
    const restricted = `arn:aws:kms:${REGION}:${ACCOUNT}:alias/Restricted-payroll`;
    expect((await rejects(admin().createAlias({ AliasName: 'alias/Restricted-payroll', TargetKeyId: kmsKey.KeyId }), 'AccessDeniedException')).message).toBe(
      `User: ${ADMIN_USER} is not authorized to perform: kms:CreateAlias on resource: ${restricted} with an explicit deny in an identity-based policy`,
    );
    await admin().deleteAlias({ AliasName: 'alias/app' });
  });
});

describe('aliases and other accounts', () => {
  it('a principal of another account cannot manage this account\'s aliases, even where the key policy trusts it', async () => {
    const other = 'arn:aws:iam::444455556666:user/ops';
    const target = await key(`{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "kms:*", "Resource": "*"}`);
    await kms.iam.forAccount('444455556666').putUserPolicy({ UserName: 'ops', PolicyName: 'all', PolicyDocument: policyOf('{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}') });
    // The key half would be allowed (key policy trusts the account, its IAM allows)...
    expect((await kms.region(REGION, { principal: other }).describeKey({ KeyId: target.Arn })).KeyMetadata.KeyId).toBe(target.KeyId);
    // ...but an alias has no resource policy to trust another account.
    const refused = await rejects(kms.region(REGION, { principal: other }).createAlias({ AliasName: ALIAS, TargetKeyId: target.Arn }), 'AccessDeniedException');
    expect(refused.message).toBe(`User: ${other} is not authorized to perform: kms:CreateAlias on resource: ${ALIAS_ARN} because no resource-based policy allows the kms:CreateAlias action`);
  });
});
