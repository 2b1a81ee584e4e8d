/**
 * Whose resource a request acts on. A key or alias ARN names its account; `*` (CreateKey, ListKeys,
 * ...) is the account of the KMS that receives the call, passed as `resourceAccount`. Neither `*`
 * nor an alias has a resource policy, so nothing can trust another account there: its principals,
 * root user included, are refused whatever their own IAM policies allow. Keys differ: their key
 * policy can trust another account, which then needs its own IAM allow too (evaluate.test.ts).
 */
import { authorize } from '../../src/kms/policy/index.js';
import { ACCOUNT, ALICE, MALLORY, OTHER_ACCOUNT, OTHER_ROOT, ROOT, iamPolicy } from './support.js';

const allowAll = [{ name: 'all', document: iamPolicy({ Effect: 'Allow', Action: 'kms:*', Resource: '*' }) }];
const message = (arn: string, action: string, type: string) => `User: ${arn} is not authorized to perform: ${action} on resource: * because no ${type} policy allows the ${action} action`;

describe('account-level operations (resource "*")', () => {
  it('the KMS\'s own account: its root user, and its users as their IAM policies allow', () => {
    expect(authorize({ principal: { arn: ROOT }, action: 'kms:CreateKey', resource: '*', resourceAccount: ACCOUNT })).toMatchObject({ allowed: true, matched: [{ source: 'account-root' }] });
    expect(authorize({ principal: { arn: ALICE }, action: 'kms:CreateKey', resource: '*', resourceAccount: ACCOUNT, identityPolicies: allowAll }).allowed).toBe(true);
    expect(authorize({ principal: { arn: ALICE }, action: 'kms:CreateKey', resource: '*', resourceAccount: ACCOUNT }).reason).toBe(message(ALICE, 'kms:CreateKey', 'identity-based'));
  });
  it('another account: refused, its root user and IAM policies notwithstanding, as "no resource-based policy"', () => {
    expect(authorize({ principal: { arn: OTHER_ROOT }, action: 'kms:CreateKey', resource: '*', resourceAccount: ACCOUNT }).reason).toBe(message(OTHER_ROOT, 'kms:CreateKey', 'resource-based'));
    expect(authorize({ principal: { arn: MALLORY }, action: 'kms:ListKeys', resource: '*', resourceAccount: ACCOUNT, identityPolicies: allowAll }).reason).toBe(message(MALLORY, 'kms:ListKeys', 'resource-based'));
    // An explicit deny is still reported as one.
    const deny = [...allowAll, { name: 'deny', document: iamPolicy({ Effect: 'Deny', Action: 'kms:ListKeys', Resource: '*' }) }];
    expect(authorize({ principal: { arn: MALLORY }, action: 'kms:ListKeys', resource: '*', resourceAccount: ACCOUNT, identityPolicies: deny }).outcome).toBe('explicit-deny');
  });
  it('without resourceAccount, "*" belongs to the caller\'s own account (ListRetirableGrants: the caller\'s IAM decides)', () => {
    expect(authorize({ principal: { arn: MALLORY }, action: 'kms:ListRetirableGrants', resource: '*', identityPolicies: allowAll }).allowed).toBe(true);
    expect(authorize({ principal: { arn: MALLORY }, action: 'kms:ListRetirableGrants', resource: '*', resourceAccount: OTHER_ACCOUNT, identityPolicies: allowAll }).allowed).toBe(true);
  });
  it('service principals act for no account and are not refused as foreign', () => {
    expect(authorize({ principal: { arn: 'ecr.amazonaws.com' }, action: 'kms:ListKeys', resource: '*', resourceAccount: ACCOUNT }).reason).toBe(message('ecr.amazonaws.com', 'kms:ListKeys', 'identity-based'));
  });
});
