/**
 * The default key policy and the policy lockout safety check (AWS KMS API reference, PutKeyPolicy:
 * "The new key policy will not allow you to update the key policy in the future.").
 */
import { KmsError } from '../../src/kms/errors.js';
import { checkLockoutSafety, defaultKeyPolicy, defaultKeyPolicyText, LOCKOUT_MESSAGE, lockoutDecision, parsePolicy } from '../../src/kms/policy/index.js';
import { ACCOUNT, ALICE, BOB, KEY_ARN, ROOT, iamPolicy, keyPolicy } from './support.js';

describe('defaultKeyPolicy', () => {
  it('is AWS\'s default: the account principal may do everything', () => {
    expect(defaultKeyPolicy(ACCOUNT)).toEqual({
      Version: '2012-10-17',
      Id: 'key-default-1',
      Statement: [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }],
    });
  });
  it('its text parses as a key policy and is what GetKeyPolicy shows', () => {
    const text = defaultKeyPolicyText(ACCOUNT);
    expect(JSON.parse(text)).toEqual(defaultKeyPolicy(ACCOUNT));
    expect(parsePolicy(text, 'key').statements[0]!.principal!.aws).toEqual([ROOT]);
  });
  it('rejects an account that is not 12 digits', () => {
    expect(() => defaultKeyPolicy('12345')).toThrow(TypeError);
    expect(() => defaultKeyPolicy(undefined as unknown as string)).toThrow(/account must be a 12-digit/);
  });
});

describe('the lockout safety check', () => {
  const onlyAlice = keyPolicy({ Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:*', Resource: '*' });
  const check = (proposedPolicy: object | string, arn: string, extra: object = {}) => ({ proposedPolicy, principal: { arn }, resource: KEY_ARN, ...extra });

  it('passes a policy that still lets the caller call PutKeyPolicy', () => {
    expect(() => checkLockoutSafety(check(defaultKeyPolicy(ACCOUNT), ROOT))).not.toThrow();
    expect(() => checkLockoutSafety(check(onlyAlice, ALICE))).not.toThrow();
  });
  it('refuses one that would lock the caller out, with AWS\'s message', () => {
    try {
      checkLockoutSafety(check(onlyAlice, ROOT));
      throw new Error('expected MalformedPolicyDocumentException');
    } catch (error) {
      expect(error).toBeInstanceOf(KmsError);
      expect(error).toMatchObject({ name: 'MalformedPolicyDocumentException', message: LOCKOUT_MESSAGE });
    }
    expect(LOCKOUT_MESSAGE).toBe('The new key policy will not allow you to update the key policy in the future.');
  });
  it('BypassPolicyLockoutSafetyCheck skips it', () => {
    expect(() => checkLockoutSafety(check(onlyAlice, ROOT), true)).not.toThrow();
  });
  it('counts the caller\'s IAM policies when the new policy delegates to the account', () => {
    const admin = { name: 'admin', document: iamPolicy({ Effect: 'Allow', Action: 'kms:*', Resource: '*' }) };
    expect(lockoutDecision(check(defaultKeyPolicy(ACCOUNT), BOB)).allowed).toBe(false);
    expect(lockoutDecision(check(defaultKeyPolicy(ACCOUNT), BOB, { identityPolicies: [admin] })).allowed).toBe(true);
  });
  it('a policy that keeps usage but drops administration locks the caller out', () => {
    const useOnly = keyPolicy({ Effect: 'Allow', Principal: { AWS: ALICE }, Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:Get*'], Resource: '*' });
    const decision = lockoutDecision(check(useOnly, ALICE));
    expect(decision.allowed).toBe(false);
    expect(decision.reason).toBe(`User: ${ALICE} is not authorized to perform: kms:PutKeyPolicy on resource: ${KEY_ARN} because no resource-based policy allows the kms:PutKeyPolicy action`);
  });
  it('a Deny of PutKeyPolicy locks the caller out; conditions see the request context', () => {
    const denyPut = keyPolicy({ Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' }, { Effect: 'Deny', Principal: '*', Action: 'kms:PutKeyPolicy', Resource: '*', Condition: { Bool: { 'kms:BypassPolicyLockoutSafetyCheck': 'true' } } });
    expect(lockoutDecision(check(denyPut, ROOT, { context: { 'kms:BypassPolicyLockoutSafetyCheck': false } })).allowed).toBe(true);
    expect(lockoutDecision(check(denyPut, ROOT, { context: { 'kms:BypassPolicyLockoutSafetyCheck': true } })).outcome).toBe('explicit-deny');
  });
  it('a malformed proposed policy is reported as such, before any lockout question', () => {
    expect(() => checkLockoutSafety(check('{"Version":"2012-10-17","Statement":{"Effect":"Allow"}}', ROOT))).toThrow(/needs a Action or NotAction/);
  });
});
