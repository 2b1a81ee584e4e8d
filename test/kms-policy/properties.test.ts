/**
 * Properties of the evaluator over randomly generated key policies, IAM policies, grants and
 * requests (seeded: a failure names its seed, and `gen(seed)` replays it):
 * - an explicit Deny that applies always wins, wherever it is put;
 * - the order of statements, of IAM policies and of grants never changes the decision;
 * - ForAllValues with an absent key (or an empty set) is true, ForAnyValue false, for every operator;
 * - an IAM policy never allows on its own: without a key policy statement naming the caller's
 *   account, no IAM policy appears among what allowed a request.
 */
import { authorize, buildContext, CONDITION_OPERATORS, evaluateCondition, type AuthorizationRequest, type Decision, type GrantForDecision, type PolicyStatement, type SetOperator } from '../../src/kms/policy/index.js';
import { ACCOUNT, ALICE, AUDITOR_ROLE, AUDITOR_SESSION, BOB, KEY_ARN, MALLORY, OTHER_KEY_ARN, OTHER_ROOT, ROOT, gen, iamPolicy, keyPolicy, type Gen } from './support.js';

const RUNS = 400;
const CALLERS = [ROOT, ALICE, BOB, AUDITOR_SESSION, MALLORY, 'q.amazonaws.com'];
const KEY_PRINCIPALS = ['*', { AWS: ROOT }, { AWS: ACCOUNT }, { AWS: ALICE }, { AWS: [ALICE, BOB] }, { AWS: AUDITOR_ROLE }, { AWS: OTHER_ROOT }, { AWS: MALLORY }, { Service: 'q.amazonaws.com' }] as const;
const ACTIONS = ['kms:*', '*', 'kms:Decrypt', 'kms:Encrypt', 'kms:Get*', 'kms:Describe*', 'kms:CreateGrant', ['kms:Encrypt', 'kms:Decrypt'], ['kms:ReEncrypt*', 'kms:GenerateDataKey*']] as const;
const RESOURCES = ['*', KEY_ARN, 'arn:aws:kms:us-east-1:*:key/*', OTHER_KEY_ARN] as const;
const REQUEST_ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:GetKeyPolicy', 'kms:DescribeKey', 'kms:CreateGrant', 'kms:GenerateDataKey', 'kms:ReEncryptFrom'];
const OPERATIONS = ['Decrypt', 'Encrypt', 'GenerateDataKey', 'RetireGrant', 'DescribeKey', 'CreateGrant'];
const CONDITIONS: readonly PolicyStatement['Condition'][] = [
  undefined,
  { StringEquals: { 'kms:ViaService': 'ecr.us-east-1.amazonaws.com' } },
  { StringNotEquals: { 'kms:ViaService': 'ecr.us-east-1.amazonaws.com' } },
  { StringEquals: { 'kms:CallerAccount': ACCOUNT } },
  { 'ForAllValues:StringEquals': { 'kms:GrantOperations': ['Decrypt', 'Encrypt'] } },
  { 'ForAnyValue:StringEquals': { 'kms:GrantOperations': ['Decrypt'] } },
  { StringEqualsIgnoreCase: { 'kms:EncryptionContext:dept': 'it' } },
  { Null: { 'kms:EncryptionContextKeys': 'false' } },
  { NumericLessThanEquals: { 'kms:RotationPeriodInDays': 180 } },
  { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
  { StringLikeIfExists: { 'kms:ViaService': '*.us-east-1.amazonaws.com' } },
];

let sidCounter = 0;
function statement(g: Gen, kind: 'key' | 'identity', effect?: 'Allow' | 'Deny'): PolicyStatement {
  const s: Record<string, unknown> = { Sid: `S${sidCounter++}`, Effect: effect ?? (g.bool(0.75) ? 'Allow' : 'Deny') };
  if (kind === 'key') s.Principal = g.pick(KEY_PRINCIPALS);
  s[g.bool(0.85) ? 'Action' : 'NotAction'] = g.pick(ACTIONS);
  s[g.bool(0.9) ? 'Resource' : 'NotResource'] = g.pick(RESOURCES);
  const condition = g.pick(CONDITIONS);
  if (condition) s.Condition = condition;
  return s as unknown as PolicyStatement;
}

function request(g: Gen): AuthorizationRequest {
  const statements = (kind: 'key' | 'identity') => Array.from({ length: 1 + g.int(4) }, () => statement(g, kind));
  const context: Record<string, string | string[] | number | boolean> = {};
  if (g.bool()) context['kms:ViaService'] = g.pick(['ecr.us-east-1.amazonaws.com', 'ebs.us-east-1.amazonaws.com']);
  if (g.bool()) context['kms:GrantOperations'] = g.subset(OPERATIONS);
  if (g.bool()) context['kms:RotationPeriodInDays'] = g.pick([90, 365]);
  if (g.bool()) context['kms:GrantIsForAWSResource'] = g.bool();
  const grants: GrantForDecision[] = Array.from({ length: g.int(3) }, (_, i) => ({
    GrantId: `G${i}`,
    GranteePrincipal: g.pick(CALLERS),
    Operations: g.subset(OPERATIONS),
    ...(g.bool(0.3) ? { Constraints: { EncryptionContextSubset: { dept: 'IT' } } } : {}),
  }));
  return {
    principal: { arn: g.pick(CALLERS) },
    action: g.pick(REQUEST_ACTIONS),
    resource: KEY_ARN,
    context,
    ...(g.bool() ? { encryptionContext: { dept: g.pick(['IT', 'it', 'HR']) } } : {}),
    keyPolicy: keyPolicy(...statements('key')),
    identityPolicies: Array.from({ length: g.int(3) }, (_, i) => ({ name: `P${i}`, document: iamPolicy(...statements('identity')) })),
    grants,
  };
}

const statementsOf = (doc: unknown) => (doc as { Statement: PolicyStatement[] }).Statement;
/** The decision with positions erased: sids and grant ids identify what matched. */
function summary(d: Decision) {
  const ids = d.matched.map((m) => m.sid ?? m.grantId ?? m.source).sort();
  return { allowed: d.allowed, outcome: d.outcome, deniedType: d.denied?.policyType, ids, reason: d.outcome === 'explicit-deny' ? d.reason : undefined, implicit: d.outcome === 'implicit-deny' ? d.reason : undefined };
}

describe('property: an explicit Deny always wins', () => {
  it(`over ${RUNS} random requests, a Deny that applies refuses the request wherever it is placed`, () => {
    for (let seed = 1; seed <= RUNS; seed++) {
      const g = gen(seed);
      const base = request(g);
      const caller = base.principal.arn;
      const iamCaller = caller !== ROOT && caller !== 'q.amazonaws.com';
      const inIam = iamCaller && (base.identityPolicies?.length ?? 0) > 0 && g.bool();
      // A Deny written to apply: everyone (or exactly the caller), the action or a wildcard, any resource,
      // and a condition that holds for this request.
      const deny: Record<string, unknown> = {
        Sid: 'TheDeny',
        Effect: 'Deny',
        Action: g.pick([base.action, 'kms:*', '*', base.action.toUpperCase()]),
        Resource: g.pick(['*', KEY_ARN, 'arn:aws:kms:*:*:key/*']),
        ...(g.bool() ? { Condition: g.pick([{ Null: { 'kms:NoSuchKey': 'true' } }, { 'ForAllValues:StringEquals': { 'kms:NoSuchKey': 'x' } }, { StringNotEquals: { 'kms:ViaService': 'nowhere.amazonaws.com' } }]) } : {}),
      };
      const request2 = { ...base };
      if (inIam) {
        const policies = [...base.identityPolicies!];
        const i = g.int(policies.length);
        const list = [...statementsOf(policies[i]!.document)];
        list.splice(g.int(list.length + 1), 0, deny as unknown as PolicyStatement);
        policies[i] = { name: policies[i]!.name, document: iamPolicy(...list) };
        Object.assign(request2, { identityPolicies: policies });
      } else {
        const list = [...statementsOf(base.keyPolicy)];
        list.splice(g.int(list.length + 1), 0, { ...deny, Principal: g.pick(['*', { AWS: '*' }, caller.includes(':') ? { AWS: caller } : { Service: caller }]) } as unknown as PolicyStatement);
        Object.assign(request2, { keyPolicy: keyPolicy(...list) });
      }
      const d = authorize(request2);
      expect([seed, d.allowed, d.outcome]).toEqual([seed, false, 'explicit-deny']);
      expect(d.reason).toMatch(/ with an explicit deny in an? (resource|identity)-based policy$/);
    }
  });
});

describe('property: statement order never matters', () => {
  it(`over ${RUNS} random requests, shuffling statements, IAM policies and grants keeps the decision`, () => {
    const seen = new Set<string>();
    for (let seed = 1; seed <= RUNS; seed++) {
      const g = gen(seed);
      const base = request(g);
      const decision = authorize(base);
      const before = summary(decision);
      seen.add(decision.outcome);
      for (const m of decision.matched) seen.add(m.source);
      for (let round = 0; round < 3; round++) {
        const shuffled: AuthorizationRequest = {
          ...base,
          keyPolicy: keyPolicy(...g.shuffle(statementsOf(base.keyPolicy))),
          identityPolicies: g.shuffle(base.identityPolicies!).map((p) => ({ name: p.name, document: iamPolicy(...g.shuffle(statementsOf(p.document))) })),
          grants: g.shuffle(base.grants!),
        };
        expect({ seed, ...summary(authorize(shuffled)) }).toEqual({ seed, ...before });
      }
    }
    // The generator reaches every kind of decision, so the property is not vacuous.
    expect([...seen].sort()).toEqual(['allow', 'explicit-deny', 'grant', 'iam-policy', 'implicit-deny', 'key-policy']);
  });
});

describe('property: ForAllValues with an absent key is true, ForAnyValue false', () => {
  const sample = (g: Gen, operator: string) =>
    operator.startsWith('Numeric') ? String(g.int(1000)) : operator.startsWith('Date') ? '2025-01-01T00:00:00Z' : operator === 'Bool' ? g.pick(['true', 'false']) : operator.startsWith('Arn') ? 'arn:aws:iam::111122223333:*' : g.pick(['a', 'b*', 'c?']);
  it(`for every operator, random values and keys, absent or empty (${RUNS} cases)`, () => {
    const operators = CONDITION_OPERATORS.filter((o) => o !== 'Null');
    for (let seed = 1; seed <= RUNS; seed++) {
      const g = gen(seed);
      const operator = g.pick(operators);
      const key = g.pick(['kms:GrantOperations', 'aws:TagKeys', 'kms:EncryptionContextKeys', 'kms:ResourceAliases', `aws:RequestTag/${g.int(9)}`]);
      const values = Array.from({ length: 1 + g.int(3) }, () => sample(g, operator));
      const context = g.pick([{}, { [key]: [] }, { [key]: '' }, { 'kms:ViaService': 'x' }]);
      const ctx = buildContext({ arn: g.pick(CALLERS) }, context);
      for (const set of ['ForAllValues', 'ForAnyValue'] as SetOperator[]) {
        const condition = { text: `${set}:${operator}`, operator, set, ifExists: false, key, values };
        expect([seed, set, operator, evaluateCondition(condition, ctx, true)]).toEqual([seed, set, operator, set === 'ForAllValues']);
        // IfExists makes an absent key true under either set operator.
        expect(evaluateCondition({ ...condition, ifExists: true }, ctx, true)).toBe(true);
      }
    }
  });
});

describe('property: an IAM policy alone never allows', () => {
  it(`over ${RUNS} random requests whose key policy never names the caller's account, no IAM statement allows`, () => {
    for (let seed = 1; seed <= RUNS; seed++) {
      const g = gen(seed);
      const base = request(g);
      const caller = g.pick([ALICE, BOB, AUDITOR_SESSION]);
      // Key policy statements that name specific other principals only (no "*", no account principal).
      const keyStatements = statementsOf(base.keyPolicy).map((s) => ({ ...s, Principal: g.pick([{ AWS: MALLORY }, { Service: 'q.amazonaws.com' }, { AWS: OTHER_ROOT }]) }) as PolicyStatement);
      const d = authorize({ ...base, principal: { arn: caller }, keyPolicy: keyPolicy(...keyStatements) });
      expect(d.matched.filter((m) => m.source !== 'grant')).toEqual([]);
      if (d.outcome === 'implicit-deny') expect(d.reason).toMatch(/because no resource-based policy allows/);
    }
  });
});
