/**
 * Every condition operator, the ForAllValues:/ForAnyValue: prefixes, the IfExists suffix, how keys
 * and values combine, case rules for keys, and policy variables in condition values. Expectations
 * come from the IAM User Guide ("Condition operators", "Multivalued context keys", "Policy
 * variables") and the AWS KMS Developer Guide ("kms:EncryptionContext:context-key").
 */
import { buildContext, encryptionContextKeys, evaluateConditions, parsePolicy, type ConditionContext } from '../../src/kms/policy/index.js';
import { ALICE, AUDITOR_SESSION } from './support.js';

type Values = string | number | boolean | readonly (string | number | boolean)[];

/** Evaluates a Condition element written in policy JSON against a request context. */
function holds(condition: Record<string, Record<string, Values>>, context: ConditionContext, options: { principal?: string; tags?: Record<string, string>; version?: string } = {}): boolean {
  const policy = parsePolicy({ Version: options.version ?? '2012-10-17', Statement: { Effect: 'Allow', Action: 'kms:*', Resource: '*', Condition: condition } }, 'identity');
  const ctx = buildContext({ arn: options.principal ?? ALICE, ...(options.tags ? { tags: options.tags } : {}) }, context);
  return evaluateConditions(policy.statements[0]!.conditions, ctx, policy.version === '2012-10-17');
}
const one = (operator: string, key: string, values: Values, context: ConditionContext) => holds({ [operator]: { [key]: values } }, context);

describe('string operators', () => {
  const k = 'kms:ViaService';
  it('StringEquals: exact and case-sensitive', () => {
    expect(one('StringEquals', k, 'ecr.us-east-1.amazonaws.com', { [k]: 'ecr.us-east-1.amazonaws.com' })).toBe(true);
    expect(one('StringEquals', k, 'ecr.us-east-1.amazonaws.com', { [k]: 'ECR.us-east-1.amazonaws.com' })).toBe(false);
    expect(one('StringEquals', k, 'ecr.*', { [k]: 'ecr.us-east-1.amazonaws.com' })).toBe(false);
  });
  it('StringNotEquals: true when the value equals none of the policy values', () => {
    expect(one('StringNotEquals', k, ['a', 'b'], { [k]: 'c' })).toBe(true);
    expect(one('StringNotEquals', k, ['a', 'b'], { [k]: 'b' })).toBe(false);
    expect(one('StringNotEquals', k, 'a', { [k]: 'A' })).toBe(true);
  });
  it('StringEqualsIgnoreCase and StringNotEqualsIgnoreCase ignore case', () => {
    expect(one('StringEqualsIgnoreCase', k, 'ECR.US-EAST-1.amazonaws.com', { [k]: 'ecr.us-east-1.AMAZONAWS.com' })).toBe(true);
    expect(one('StringEqualsIgnoreCase', k, 'ecr', { [k]: 'ecr2' })).toBe(false);
    expect(one('StringNotEqualsIgnoreCase', k, 'ECR', { [k]: 'ecr' })).toBe(false);
    expect(one('StringNotEqualsIgnoreCase', k, 'ECR', { [k]: 'ebs' })).toBe(true);
  });
  it('StringLike: * and ? wildcards anywhere, case-sensitive', () => {
    expect(one('StringLike', k, 'ecr.*.amazonaws.com', { [k]: 'ecr.eu-west-3.amazonaws.com' })).toBe(true);
    expect(one('StringLike', k, 'ecr.us-east-?.amazonaws.com', { [k]: 'ecr.us-east-2.amazonaws.com' })).toBe(true);
    expect(one('StringLike', k, 'ecr.us-east-?.amazonaws.com', { [k]: 'ecr.us-east-12.amazonaws.com' })).toBe(false);
    expect(one('StringLike', k, 'ECR.*', { [k]: 'ecr.us-east-1.amazonaws.com' })).toBe(false);
    expect(one('StringLike', k, 'a.b', { [k]: 'axb' })).toBe(false); // `.` is literal, not a regex
  });
  it('StringNotLike: true when no pattern matches', () => {
    expect(one('StringNotLike', k, ['ecr.*', 'ebs.*'], { [k]: 'lambda.us-east-1.amazonaws.com' })).toBe(true);
    expect(one('StringNotLike', k, ['ecr.*', 'ebs.*'], { [k]: 'ebs.us-east-1.amazonaws.com' })).toBe(false);
  });
});

describe('numeric operators', () => {
  const k = 'kms:RotationPeriodInDays';
  const cases: [string, number, boolean, boolean, boolean][] = [
    // operator, policy value, result for 90, for 180, for 365 (request values)
    ['NumericEquals', 180, false, true, false],
    ['NumericNotEquals', 180, true, false, true],
    ['NumericLessThan', 180, true, false, false],
    ['NumericLessThanEquals', 180, true, true, false],
    ['NumericGreaterThan', 180, false, false, true],
    ['NumericGreaterThanEquals', 180, false, true, true],
  ];
  for (const [operator, policy, at90, at180, at365] of cases) {
    it(`${operator} ${policy}`, () => {
      expect(one(operator, k, policy, { [k]: 90 })).toBe(at90);
      expect(one(operator, k, String(policy), { [k]: 180 })).toBe(at180);
      expect(one(operator, k, policy, { [k]: '365' })).toBe(at365);
    });
  }
  it('compares numbers, not strings, and accepts decimals (kms:ValidTo is Unix seconds)', () => {
    expect(one('NumericLessThan', k, 100, { [k]: 9 })).toBe(true);
    expect(one('NumericLessThanEquals', 'kms:ValidTo', '1546257599.0', { 'kms:ValidTo': new Date(1546257599_000) })).toBe(true);
    expect(one('NumericLessThanEquals', 'kms:ValidTo', '1546257599.0', { 'kms:ValidTo': new Date(1546257600_000) })).toBe(false);
  });
  it('a non-numeric request value matches no numeric comparison', () => {
    expect(one('NumericEquals', k, 1, { [k]: 'one' })).toBe(false);
    expect(one('NumericGreaterThan', k, 1, { [k]: true })).toBe(false);
  });
});

describe('date operators', () => {
  const k = 'aws:CurrentTime';
  const at = (iso: string) => ({ [k]: new Date(iso) });
  const cases: [string, boolean, boolean, boolean][] = [
    // policy 2025-06-01T00:00:00Z; request one day before, equal, one day after
    ['DateEquals', false, true, false],
    ['DateNotEquals', true, false, true],
    ['DateLessThan', true, false, false],
    ['DateLessThanEquals', true, true, false],
    ['DateGreaterThan', false, false, true],
    ['DateGreaterThanEquals', false, true, true],
  ];
  for (const [operator, before, equal, after] of cases) {
    it(operator, () => {
      expect(one(operator, k, '2025-06-01T00:00:00Z', at('2025-05-31T00:00:00Z'))).toBe(before);
      expect(one(operator, k, '2025-06-01T00:00:00Z', at('2025-06-01T00:00:00.000Z'))).toBe(equal);
      expect(one(operator, k, '2025-06-01T00:00:00Z', at('2025-06-02T00:00:00Z'))).toBe(after);
    });
  }
  it('accepts Unix seconds on either side and ISO strings in the request', () => {
    expect(one('DateEquals', k, 1748736000, { [k]: '2025-06-01T00:00:00Z' })).toBe(true);
    expect(one('DateLessThan', k, '2025-06-01', { [k]: 1748649600 })).toBe(true);
  });
});

describe('Bool and Null', () => {
  const k = 'kms:GrantIsForAWSResource';
  it('Bool compares true/false from booleans and strings, in any case', () => {
    expect(one('Bool', k, true, { [k]: true })).toBe(true);
    expect(one('Bool', k, 'true', { [k]: 'TRUE' })).toBe(true);
    expect(one('Bool', k, 'false', { [k]: true })).toBe(false);
    expect(one('Bool', k, 'true', {})).toBe(false);
  });
  it('Null "true" holds when the key is absent, "false" when it is present', () => {
    expect(one('Null', k, 'true', {})).toBe(true);
    expect(one('Null', k, 'true', { [k]: false })).toBe(false);
    expect(one('Null', k, 'false', { [k]: false })).toBe(true);
    expect(one('Null', k, 'false', {})).toBe(false);
    expect(one('Null', 'kms:EncryptionContextKeys', 'true', { 'kms:EncryptionContextKeys': [] })).toBe(true);
  });
});

describe('ARN operators (six components compared one by one)', () => {
  const k = 'aws:SourceArn';
  const arn = 'arn:aws:inspector2:us-east-1:111122223333:codesecurity-integration/abc';
  it('ArnEquals and ArnLike behave identically, with wildcards inside components', () => {
    for (const op of ['ArnEquals', 'ArnLike']) {
      expect(one(op, k, 'arn:aws:inspector2:us-east-1:111122223333:codesecurity-integration/*', { [k]: arn })).toBe(true);
      expect(one(op, k, 'arn:aws:inspector2:*:111122223333:*', { [k]: arn })).toBe(true);
      expect(one(op, k, 'arn:aws:inspector2:us-east-?:111122223333:codesecurity-integration/abc', { [k]: arn })).toBe(true);
      expect(one(op, k, 'arn:aws:inspector2:us-west-2:111122223333:*', { [k]: arn })).toBe(false);
      expect(one(op, k, 'arn:aws:INSPECTOR2:us-east-1:111122223333:*', { [k]: arn })).toBe(false);
    }
  });
  it('a wildcard does not cross a component boundary, and a value that is not an ARN never matches', () => {
    // As one string, "arn:aws:*" would match; component-wise, "*" is only the third component.
    expect(one('ArnLike', k, 'arn:aws:*', { [k]: arn })).toBe(false);
    expect(one('StringLike', k, 'arn:aws:*', { [k]: arn })).toBe(true);
    expect(one('ArnLike', k, '*', { [k]: 'not-an-arn' })).toBe(false);
  });
  it('empty components (an S3 ARN has no region or account) compare as empty', () => {
    const bucket = 'arn:aws:s3:::us-west-2-starport-manifest-bucket/EXAMPLE/sha256:abc';
    expect(one('ArnLike', k, 'arn:aws:s3:::us-west-2-starport-manifest-bucket/*', { [k]: bucket })).toBe(true);
    expect(one('ArnLike', k, 'arn:aws:s3:us-west-2::us-west-2-starport-manifest-bucket/*', { [k]: bucket })).toBe(false);
  });
  it('ArnNotEquals and ArnNotLike hold when no pattern matches (and when the key is absent)', () => {
    expect(one('ArnNotEquals', k, 'arn:aws:inspector2:us-west-2:*:*', { [k]: arn })).toBe(true);
    expect(one('ArnNotLike', k, 'arn:aws:inspector2:us-east-1:*:*', { [k]: arn })).toBe(false);
    expect(one('ArnNotLike', k, 'arn:aws:inspector2:us-east-1:*:*', {})).toBe(true);
  });
});

describe('absent keys, IfExists, ForAllValues and ForAnyValue', () => {
  it('a positive operator is false and a negated one true when the key is absent', () => {
    expect(one('StringEquals', 'kms:ViaService', 'x', {})).toBe(false);
    expect(one('StringNotEquals', 'kms:ViaService', 'x', {})).toBe(true);
    expect(one('NumericNotEquals', 'kms:RotationPeriodInDays', 1, {})).toBe(true);
    expect(one('DateNotEquals', 'aws:CurrentTime', 1, {})).toBe(true);
  });
  it('IfExists: true when the key is absent, the plain operator otherwise', () => {
    expect(one('StringEqualsIfExists', 'kms:ViaService', 'x', {})).toBe(true);
    expect(one('StringEqualsIfExists', 'kms:ViaService', 'x', { 'kms:ViaService': 'x' })).toBe(true);
    expect(one('StringEqualsIfExists', 'kms:ViaService', 'x', { 'kms:ViaService': 'y' })).toBe(false);
    expect(one('NumericLessThanIfExists', 'kms:ValidTo', 10, {})).toBe(true);
    expect(one('ArnLikeIfExists', 'aws:SourceArn', 'arn:aws:s3:::*', { 'aws:SourceArn': 'arn:aws:sqs:us-east-1:1:q' })).toBe(false);
  });
  it('ForAllValues: every request value must match; an absent key or an empty set is true', () => {
    const k = 'kms:GrantOperations';
    const allowed = ['Encrypt', 'ReEncryptTo'];
    expect(one('ForAllValues:StringEquals', k, allowed, { [k]: ['Encrypt'] })).toBe(true);
    expect(one('ForAllValues:StringEquals', k, allowed, { [k]: ['Encrypt', 'ReEncryptTo'] })).toBe(true);
    expect(one('ForAllValues:StringEquals', k, allowed, { [k]: ['Encrypt', 'Decrypt'] })).toBe(false);
    expect(one('ForAllValues:StringEquals', k, allowed, {})).toBe(true);
    expect(one('ForAllValues:StringEquals', k, allowed, { [k]: [] })).toBe(true);
    expect(one('ForAllValues:StringEquals', k, allowed, { [k]: '' })).toBe(true);
  });
  it('ForAnyValue: at least one request value must match; an absent key or an empty set is false', () => {
    const k = 'kms:GrantOperations';
    expect(one('ForAnyValue:StringEquals', k, ['Encrypt', 'ReEncryptTo'], { [k]: ['Decrypt', 'Encrypt'] })).toBe(true);
    expect(one('ForAnyValue:StringEquals', k, ['Encrypt', 'ReEncryptTo'], { [k]: ['Decrypt'] })).toBe(false);
    expect(one('ForAnyValue:StringEquals', k, ['Encrypt'], {})).toBe(false);
    expect(one('ForAnyValue:StringEquals', k, ['Encrypt'], { [k]: [] })).toBe(false);
  });
  it('set operators with negated operators: "match" means equal to none of the policy values', () => {
    const k = 'aws:TagKeys';
    expect(one('ForAllValues:StringNotEquals', k, ['secret'], { [k]: ['a', 'b'] })).toBe(true);
    expect(one('ForAllValues:StringNotEquals', k, ['secret'], { [k]: ['a', 'secret'] })).toBe(false);
    expect(one('ForAnyValue:StringNotEquals', k, ['secret'], { [k]: ['a', 'secret'] })).toBe(true);
    expect(one('ForAnyValue:StringNotEquals', k, ['secret'], { [k]: ['secret'] })).toBe(false);
  });
  it('set operators combine with IfExists, Like and IgnoreCase', () => {
    expect(one('ForAnyValue:StringLikeIfExists', 'aws:TagKeys', 'team-*', {})).toBe(true);
    expect(one('ForAllValues:StringLike', 'aws:TagKeys', ['team-*', 'cost?'], { 'aws:TagKeys': ['team-red', 'cost1'] })).toBe(true);
    expect(one('ForAllValues:StringEqualsIgnoreCase', 'kms:EncryptionContextKeys', ['appname'], { 'kms:EncryptionContextKeys': ['AppName'] })).toBe(true);
  });
  it('a multi-valued key without a set operator: positive needs one match, negated needs none', () => {
    const k = 'kms:ResourceAliases';
    expect(one('StringEquals', k, 'alias/finance', { [k]: ['alias/a', 'alias/finance'] })).toBe(true);
    expect(one('StringNotEquals', k, 'alias/finance', { [k]: ['alias/a', 'alias/finance'] })).toBe(false);
    expect(one('StringNotEquals', k, 'alias/finance', { [k]: ['alias/a', 'alias/b'] })).toBe(true);
  });
});

describe('combining keys and values', () => {
  const context = { 'kms:ViaService': 'ecr.us-east-1.amazonaws.com', 'kms:CallerAccount': '111122223333' };
  it('keys in one block, and blocks, are AND-ed', () => {
    expect(holds({ StringEquals: { 'kms:ViaService': 'ecr.us-east-1.amazonaws.com', 'kms:CallerAccount': '111122223333' } }, context)).toBe(true);
    expect(holds({ StringEquals: { 'kms:ViaService': 'ecr.us-east-1.amazonaws.com', 'kms:CallerAccount': '444455556666' } }, context)).toBe(false);
    expect(holds({ StringEquals: { 'kms:ViaService': 'ecr.us-east-1.amazonaws.com' }, StringLike: { 'kms:CallerAccount': '4*' } }, context)).toBe(false);
  });
  it('values of one key are OR-ed', () => {
    expect(holds({ StringEquals: { 'kms:ViaService': ['ec2.us-west-2.amazonaws.com', 'ecr.us-east-1.amazonaws.com'] } }, context)).toBe(true);
  });
  it('an empty Condition element holds', () => {
    expect(evaluateConditions([], buildContext({ arn: ALICE }), true)).toBe(true);
  });
});

describe('condition keys are case-insensitive', () => {
  it('for any key, in the policy and in the request', () => {
    expect(one('StringEquals', 'KMS:VIASERVICE', 'x', { 'kms:ViaService': 'x' })).toBe(true);
    expect(one('StringEquals', 'kms:viaservice', 'x', { 'Kms:ViaService': 'x' })).toBe(true);
  });
  it('for kms:EncryptionContext:<key>, including the <key> part; the value follows the operator', () => {
    const context = encryptionContextKeys({ AppName: 'ExampleApp' });
    expect(one('StringEquals', 'kms:EncryptionContext:appname', 'ExampleApp', context)).toBe(true);
    expect(one('StringEquals', 'KMS:ENCRYPTIONCONTEXT:APPNAME', 'ExampleApp', context)).toBe(true);
    expect(one('StringEquals', 'kms:EncryptionContext:AppName', 'exampleapp', context)).toBe(false);
    expect(one('StringEqualsIgnoreCase', 'kms:EncryptionContext:AppName', 'exampleapp', context)).toBe(true);
    // kms:EncryptionContextKeys is how a policy insists on the key's case ("Case sensitivity of the encryption context condition").
    expect(one('ForAnyValue:StringEquals', 'kms:EncryptionContextKeys', 'appname', context)).toBe(false);
    expect(one('ForAnyValue:StringEquals', 'kms:EncryptionContextKeys', 'AppName', context)).toBe(true);
  });
  it('two context keys differing only in case both reach the condition', () => {
    const context = encryptionContextKeys({ Dept: 'IT', dept: 'HR' });
    expect(one('StringEquals', 'kms:EncryptionContext:DEPT', 'HR', context)).toBe(true);
    expect(one('StringNotEquals', 'kms:EncryptionContext:DEPT', 'HR', context)).toBe(false);
  });
});

describe('policy variables in condition values', () => {
  it('substitute aws:username, aws:PrincipalArn, aws:PrincipalAccount and principal tags', () => {
    expect(one('StringEquals', 'kms:EncryptionContext:owner', '${aws:username}', { 'kms:EncryptionContext:owner': 'alice' })).toBe(true);
    expect(one('StringEquals', 'kms:EncryptionContext:owner', '${aws:username}', { 'kms:EncryptionContext:owner': 'bob' })).toBe(false);
    expect(one('ArnEquals', 'kms:GranteePrincipal', '${aws:PrincipalArn}', { 'kms:GranteePrincipal': ALICE })).toBe(true);
    expect(one('StringEquals', 'kms:CallerAccount', '${aws:PrincipalAccount}', {})).toBe(true);
    expect(holds({ StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } }, { 'aws:ResourceTag/team': 'red' }, { tags: { team: 'red' } })).toBe(true);
    expect(holds({ StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } }, { 'aws:ResourceTag/team': 'red' }, { tags: { team: 'blue' } })).toBe(false);
  });
  it('variable names are case-insensitive; a session\'s aws:PrincipalArn is its role', () => {
    expect(one('StringEquals', 'kms:EncryptionContext:owner', '${AWS:UserName}', { 'kms:EncryptionContext:owner': 'alice' })).toBe(true);
    expect(holds({ ArnEquals: { 'kms:GranteePrincipal': '${aws:PrincipalArn}' } }, { 'kms:GranteePrincipal': 'arn:aws:iam::111122223333:role/auditor' }, { principal: AUDITOR_SESSION })).toBe(true);
  });
  it('an unresolved variable matches nothing: positive operators fail, negated ones hold', () => {
    // Roles have no aws:username.
    expect(holds({ StringEquals: { 'kms:EncryptionContext:owner': '${aws:username}' } }, { 'kms:EncryptionContext:owner': '' }, { principal: AUDITOR_SESSION })).toBe(false);
    expect(holds({ StringNotEquals: { 'kms:EncryptionContext:owner': '${aws:username}' } }, { 'kms:EncryptionContext:owner': 'x' }, { principal: AUDITOR_SESSION })).toBe(true);
  });
  it('a default value stands in for a missing variable', () => {
    expect(holds({ StringEquals: { 'aws:ResourceTag/team': "${aws:PrincipalTag/team, 'company-wide'}" } }, { 'aws:ResourceTag/team': 'company-wide' })).toBe(true);
  });
  it('${*}, ${?} and ${$} are literal characters, not wildcards', () => {
    const k = 'kms:EncryptionContext:pattern';
    expect(one('StringLike', k, 'a${*}b', { [k]: 'a*b' })).toBe(true);
    expect(one('StringLike', k, 'a${*}b', { [k]: 'axxb' })).toBe(false);
    expect(one('StringLike', k, 'a${?}', { [k]: 'a?' })).toBe(true);
    expect(one('StringLike', k, 'a${?}', { [k]: 'ab' })).toBe(false);
    expect(one('StringEquals', k, 'cost${$}', { [k]: 'cost$' })).toBe(true);
  });
  it('a substituted value is literal even in StringLike (no wildcard injection through tags)', () => {
    expect(holds({ StringLike: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } }, { 'aws:ResourceTag/team': 'red' }, { tags: { team: '*' } })).toBe(false);
  });
  it('Version 2008-10-17 (or none) takes ${...} literally', () => {
    expect(holds({ StringEquals: { 'kms:EncryptionContext:owner': '${aws:username}' } }, { 'kms:EncryptionContext:owner': 'alice' }, { version: '2008-10-17' })).toBe(false);
    expect(holds({ StringEquals: { 'kms:EncryptionContext:owner': '${aws:username}' } }, { 'kms:EncryptionContext:owner': '${aws:username}' }, { version: '2008-10-17' })).toBe(true);
  });
});
