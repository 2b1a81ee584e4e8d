/**
 * Policy documents: what parses, and the MalformedPolicyDocumentException (with a message naming
 * the statement and element) for what does not.
 */
import { KmsError } from '../../src/kms/errors.js';
import { KEY_POLICY_MAX_BYTES, parsePolicy } from '../../src/kms/policy/index.js';
import { ACCOUNT, ALICE, ROOT } from './support.js';

const allowRoot = { Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' };

/** Parses `doc` (stringified) as a key policy and returns the error it throws. */
function malformed(doc: unknown, kind: 'key' | 'identity' = 'key'): KmsError {
  try {
    parsePolicy(typeof doc === 'string' ? doc : JSON.stringify(doc), kind);
  } catch (error) {
    expect(error).toBeInstanceOf(KmsError);
    expect((error as KmsError).name).toBe('MalformedPolicyDocumentException');
    expect((error as KmsError).code).toBe('MalformedPolicyDocumentException');
    return error as KmsError;
  }
  throw new Error('expected MalformedPolicyDocumentException');
}

describe('parsePolicy: documents that parse', () => {
  it('accepts Statement as a single object and as a list, and normalises every element to lists', () => {
    const one = parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: allowRoot }), 'key');
    const many = parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: [allowRoot, { ...allowRoot, Sid: 'Two' }] }), 'key');
    expect(one.statements).toHaveLength(1);
    expect(many.statements).toHaveLength(2);
    expect(one.statements[0]).toMatchObject({ index: 0, effect: 'Allow', actions: ['kms:*'], resources: ['*'], notAction: false, notResource: false, notPrincipal: false });
    expect(many.statements[1]!.sid).toBe('Two');
  });

  it('accepts both policy-language versions, and reads a missing Version as 2008-10-17', () => {
    expect(parsePolicy({ Version: '2008-10-17', Statement: allowRoot }, 'key').version).toBe('2008-10-17');
    expect(parsePolicy({ Version: '2012-10-17', Statement: allowRoot }, 'key').version).toBe('2012-10-17');
    expect(parsePolicy({ Statement: allowRoot }, 'key').version).toBe('2008-10-17');
  });

  it('rewrites a bare account id to the account principal ARN and reads "*" forms as any principal', () => {
    const p = parsePolicy({ Statement: [{ ...allowRoot, Principal: { AWS: ACCOUNT } }, { ...allowRoot, Principal: '*' }, { ...allowRoot, Principal: { AWS: ['*'] } }] }, 'key');
    expect(p.statements[0]!.principal).toEqual({ any: false, aws: [ROOT], services: [] });
    expect(p.statements[1]!.principal!.any).toBe(true);
    expect(p.statements[2]!.principal!.any).toBe(true);
  });

  it('accepts service principals, users, roles, assumed-role sessions, NotPrincipal, NotAction and NotResource', () => {
    const p = parsePolicy(
      {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { Service: 'Q.amazonaws.com' }, Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: '*' },
          { Effect: 'Deny', NotPrincipal: { AWS: [ALICE, `arn:aws:sts::${ACCOUNT}:assumed-role/r/s`, `arn:aws:iam::${ACCOUNT}:role/a/b`] }, NotAction: 'kms:Describe*', NotResource: 'arn:aws:kms:*:*:key/*' },
        ],
      },
      'key',
    );
    expect(p.statements[0]!.principal!.services).toEqual(['q.amazonaws.com']);
    expect(p.statements[1]).toMatchObject({ notPrincipal: true, notAction: true, notResource: true });
  });

  it('turns condition values into strings and reads set prefixes and the IfExists suffix', () => {
    const p = parsePolicy(
      {
        Version: '2012-10-17',
        Statement: {
          ...allowRoot,
          Condition: {
            'ForAllValues:StringEquals': { 'kms:GrantOperations': ['Encrypt', 'Decrypt'] },
            NumericLessThanEqualsIfExists: { 'kms:ValidTo': 1546257599 },
            Bool: { 'kms:GrantIsForAWSResource': true },
          },
        },
      },
      'key',
    );
    expect(p.statements[0]!.conditions).toEqual([
      { text: 'ForAllValues:StringEquals', operator: 'StringEquals', set: 'ForAllValues', ifExists: false, key: 'kms:GrantOperations', values: ['Encrypt', 'Decrypt'] },
      { text: 'NumericLessThanEqualsIfExists', operator: 'NumericLessThanEquals', ifExists: true, key: 'kms:ValidTo', values: ['1546257599'] },
      { text: 'Bool', operator: 'Bool', ifExists: false, key: 'kms:GrantIsForAWSResource', values: ['true'] },
    ]);
  });

  it('allows spaces in key-policy Sids ("Key policy format") and an Id', () => {
    const p = parsePolicy({ Version: '2012-10-17', Id: 'key-default-1', Statement: { ...allowRoot, Sid: 'Enable IAM User Permissions' } }, 'key');
    expect(p.id).toBe('key-default-1');
    expect(p.statements[0]!.sid).toBe('Enable IAM User Permissions');
  });

  it('accepts a policy of exactly 32 KB, with tabs, line feeds and Latin-1 characters', () => {
    const base = JSON.stringify({ Version: '2012-10-17', Statement: { ...allowRoot, Sid: 'é\t' } }).replace('"Statement"', '\n"Statement"');
    const padded = base.slice(0, -1) + ' '.repeat(KEY_POLICY_MAX_BYTES - new TextEncoder().encode(base).length) + '}';
    expect(new TextEncoder().encode(padded).length).toBe(KEY_POLICY_MAX_BYTES);
    expect(parsePolicy(padded, 'key').statements).toHaveLength(1);
  });
});

describe('parsePolicy: MalformedPolicyDocumentException names what is wrong', () => {
  it('rejects text that is not JSON, and JSON that is not an object', () => {
    expect(malformed('{"Statement": [').message).toMatch(/^The key policy is not valid JSON/);
    expect(malformed('[]').message).toMatch(/must be a JSON object/);
  });

  it('rejects a key policy over 32 KB, counting UTF-8 bytes', () => {
    const doc = JSON.stringify({ Version: '2012-10-17', Statement: allowRoot });
    const big = doc.slice(0, -1) + 'é'.repeat((KEY_POLICY_MAX_BYTES - doc.length) / 2 + 1) + '}';
    expect(big.length).toBeLessThan(KEY_POLICY_MAX_BYTES);
    expect(malformed(big).message).toMatch(/at most 32768 bytes \(32 KB\)/);
    // An identity policy has its own (IAM) limits; the key-policy limit does not apply to it.
    const iamDoc = JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'kms:*', Resource: '*', Sid: 'x'.repeat(40_000) } });
    expect(new TextEncoder().encode(iamDoc).length).toBeGreaterThan(KEY_POLICY_MAX_BYTES);
    expect(() => parsePolicy(iamDoc, 'identity')).not.toThrow();
  });

  it('rejects characters outside the key-policy character set, naming the code point', () => {
    expect(malformed(JSON.stringify({ Statement: { ...allowRoot, Sid: 'key ✓' } })).message).toMatch(/U\+2713/);
  });

  it('rejects unknown elements (names are case-sensitive) at the top and in statements', () => {
    expect(malformed({ Statement: allowRoot, Foo: 1 }).message).toMatch(/unknown top-level element "Foo"/);
    expect(malformed({ Statement: [allowRoot, { ...allowRoot, effect: 'Allow' }] }).message).toBe('Statement[1]: unknown element "effect" (element names are case-sensitive).');
  });

  it('rejects an unknown Version, a missing or empty Statement, and a non-string Id', () => {
    expect(malformed({ Version: '2012-10-18', Statement: allowRoot }).message).toMatch(/Version is "2012-10-18"/);
    expect(malformed({ Version: '2012-10-17' }).message).toMatch(/no Statement element/);
    expect(malformed({ Version: '2012-10-17', Statement: [] }).message).toMatch(/Statement list is empty/);
    expect(malformed({ Id: 7, Statement: allowRoot }).message).toMatch(/Id must be a string/);
  });

  it('rejects a bad Effect, naming the statement by index and Sid', () => {
    expect(malformed({ Statement: [allowRoot, { ...allowRoot, Sid: 'Admins', Effect: 'Permit' }] }).message).toBe('Statement[1] (Sid "Admins"): Effect must be "Allow" or "Deny", not "Permit".');
  });

  it('requires exactly one of Action/NotAction and of Resource/NotResource', () => {
    const { Action: _a, ...noAction } = allowRoot;
    const { Resource: _r, ...noResource } = allowRoot;
    expect(malformed({ Statement: noAction }).message).toMatch(/Statement\[0\]: a statement needs a Action or NotAction element/);
    expect(malformed({ Statement: { ...allowRoot, NotAction: 'kms:Decrypt' } }).message).toMatch(/has both Action and NotAction/);
    expect(malformed({ Statement: noResource }).message).toMatch(/needs a Resource or NotResource/);
    expect(malformed({ Statement: { ...allowRoot, NotResource: '*' } }).message).toMatch(/has both Resource and NotResource/);
  });

  it('rejects malformed actions and resources', () => {
    expect(malformed({ Statement: { ...allowRoot, Action: 'Decrypt' } }).message).toMatch(/Action "Decrypt" is not an action/);
    expect(malformed({ Statement: { ...allowRoot, Action: ['kms:Decrypt', 'kms:'] } }).message).toMatch(/Action "kms:" is not an action/);
    expect(malformed({ Statement: { ...allowRoot, Action: [] } }).message).toMatch(/Action is an empty list/);
    expect(malformed({ Statement: { ...allowRoot, Resource: 'key/1234' } }).message).toMatch(/Resource "key\/1234" is neither "\*" nor an ARN/);
    expect(malformed({ Statement: { ...allowRoot, Resource: 5 } }).message).toMatch(/Resource must be a non-empty string/);
  });

  it('requires a principal in key policies and forbids one in identity policies', () => {
    const { Principal: _p, ...noPrincipal } = allowRoot;
    expect(malformed({ Statement: noPrincipal }).message).toMatch(/a key policy statement needs a Principal or NotPrincipal element/);
    expect(malformed({ Statement: { ...allowRoot, NotPrincipal: { AWS: ALICE } } }).message).toMatch(/has both Principal and NotPrincipal/);
    expect(malformed({ Statement: allowRoot }, 'identity').message).toMatch(/an IAM identity policy cannot have a Principal/);
    expect(() => parsePolicy({ Statement: noPrincipal }, 'identity')).not.toThrow();
  });

  it('rejects invalid principals with AWS\'s wording plus the culprit', () => {
    expect(malformed({ Statement: { ...allowRoot, Principal: { AWS: 'alice' } } }).message).toMatch(/^Statement\[0\]: Policy contains a statement with one or more invalid principals: Principal.AWS "alice"/);
    expect(malformed({ Statement: { ...allowRoot, Principal: { AWS: `arn:aws:iam::${ACCOUNT}:group/admins` } } }).message).toMatch(/invalid principals/);
    expect(malformed({ Statement: { ...allowRoot, Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/*` } } }).message).toMatch(/invalid principals: Principal.AWS "arn:aws:iam::111122223333:user\/\*"/);
    expect(malformed({ Statement: { ...allowRoot, Principal: { Service: 'not a service' } } }).message).toMatch(/Principal.Service "not a service"/);
    expect(malformed({ Statement: { ...allowRoot, Principal: { Federated: 'cognito-identity.amazonaws.com' } } }).message).toMatch(/Principal.Federated is not supported/);
    expect(malformed({ Statement: { ...allowRoot, Principal: 'root' } }).message).toMatch(/Principal must be "\*" or an object/);
    expect(malformed({ Statement: { ...allowRoot, Principal: {} } }).message).toMatch(/Principal names no principal/);
  });

  it('rejects identity-policy Sids with spaces', () => {
    expect(malformed({ Statement: { Sid: 'Use keys', Effect: 'Allow', Action: 'kms:*', Resource: '*' } }, 'identity').message).toBe('Statement[0] (Sid "Use keys"): Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*');
  });

  it('rejects unknown condition operators, Null with IfExists or a set prefix, and empty blocks', () => {
    expect(malformed({ Statement: { ...allowRoot, Condition: { StringEqual: { 'kms:ViaService': 'x' } } } }).message).toMatch(/Condition operator "StringEqual" is not supported/);
    expect(malformed({ Statement: { ...allowRoot, Condition: { 'ForSomeValues:StringEquals': { k: 'x' } } } }).message).toMatch(/not supported/);
    expect(malformed({ Statement: { ...allowRoot, Condition: { NullIfExists: { k: 'true' } } } }).message).toMatch(/Null takes neither IfExists nor a set prefix/);
    expect(malformed({ Statement: { ...allowRoot, Condition: { StringEquals: {} } } }).message).toMatch(/Condition.StringEquals must be an object/);
    expect(malformed({ Statement: { ...allowRoot, Condition: { StringEquals: { k: [] } } } }).message).toMatch(/empty list of values/);
    expect(malformed({ Statement: { ...allowRoot, Condition: 'x' } }).message).toMatch(/Condition must be an object/);
  });

  it('rejects condition values that could never match their operator', () => {
    expect(malformed({ Statement: { ...allowRoot, Condition: { Bool: { k: 'yes' } } } }).message).toMatch(/Bool takes "true" or "false", not "yes"/);
    expect(malformed({ Statement: { ...allowRoot, Condition: { Null: { k: 1 } } } }).message).toMatch(/Null takes "true" or "false"/);
    expect(malformed({ Statement: { ...allowRoot, Condition: { NumericLessThan: { 'kms:RotationPeriodInDays': 'ninety' } } } }).message).toMatch(/Condition.NumericLessThan\["kms:RotationPeriodInDays"\]: "ninety" is not a number/);
    expect(malformed({ Statement: { ...allowRoot, Condition: { DateGreaterThan: { 'aws:CurrentTime': 'tomorrow' } } } }).message).toMatch(/"tomorrow" is not a date/);
    expect(malformed({ Statement: { ...allowRoot, Condition: { StringEquals: { k: { nested: 1 } } } } }).message).toMatch(/values must be strings, numbers or booleans/);
    // Values with policy variables are checked when evaluated, not here.
    expect(() => parsePolicy({ Version: '2012-10-17', Statement: { ...allowRoot, Condition: { NumericEquals: { k: '${aws:PrincipalTag/limit}' } } } }, 'key')).not.toThrow();
  });
});
