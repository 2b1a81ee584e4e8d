/**
 * Grant constraints and grant matching (AWS KMS Developer Guide, "Using grant constraints",
 * "Granting CreateGrant permission", "Retiring and revoking grants"). Each constraint type allows
 * exactly the contexts its definition admits, checked over every context built from a small
 * alphabet of keys and values.
 */
import { constraintsAllow, constraintsAtLeastAsStrict, describePrincipal, grantAllows, mayRetireGrant, type EncryptionContext, type GrantConstraints, type GrantForDecision } from '../../src/kms/policy/index.js';
import { ACCOUNT, ALICE, AUDITOR_ROLE, BOB, ROOT, OTHER_ROOT } from './support.js';

const alice = describePrincipal(ALICE)!;

/** Every context over keys {A, a, B} and values {x, X} (case variants on purpose), plus none. */
function allContexts(): EncryptionContext[] {
  const keys = ['A', 'a', 'B'];
  const values = [undefined, 'x', 'X'];
  const out: EncryptionContext[] = [];
  const walk = (i: number, acc: Record<string, string>) => {
    if (i === keys.length) return void out.push({ ...acc });
    for (const v of values) walk(i + 1, v === undefined ? acc : { ...acc, [keys[i]!]: v });
  };
  walk(0, {});
  return out;
}

describe('EncryptionContextEquals and EncryptionContextSubset', () => {
  const contexts = allContexts();
  // AWS KMS API reference, GrantConstraints: "The key in each key-value pair is not case sensitive,
  // but the value is case sensitive."
  it('Equals admits exactly the contexts equal to it as maps (any order; keys not case sensitive, values case sensitive)', () => {
    const constraint = { A: 'x', B: 'x' };
    for (const ctx of contexts) {
      const expected = Object.keys(ctx).length === 2 && (ctx.A === 'x' || ctx.a === 'x') && ctx.B === 'x';
      expect(constraintsAllow({ EncryptionContextEquals: constraint }, ctx)).toBe(expected);
    }
    expect(constraintsAllow({ EncryptionContextEquals: constraint }, { B: 'x', A: 'x' })).toBe(true);
  });
  it('Subset admits exactly the contexts that contain all its pairs (extra pairs allowed)', () => {
    const constraint = { A: 'x' };
    for (const ctx of contexts) expect(constraintsAllow({ EncryptionContextSubset: constraint }, ctx), JSON.stringify(ctx)).toBe(ctx.A === 'x' || ctx.a === 'x');
  });
  it('keys are not case sensitive, values are (the issue\'s Department: IT example)', () => {
    expect(constraintsAllow({ EncryptionContextSubset: { Department: 'IT' } }, { department: 'IT' })).toBe(true);
    expect(constraintsAllow({ EncryptionContextEquals: { Department: 'IT' } }, { department: 'IT' })).toBe(true);
    expect(constraintsAllow({ EncryptionContextSubset: { Department: 'IT' } }, { Department: 'it' })).toBe(false);
    expect(constraintsAllow({ EncryptionContextEquals: { Department: 'IT' } }, { Department: 'it' })).toBe(false);
    expect(constraintsAllow({ EncryptionContextEquals: { Department: 'IT' } }, { Department: 'IT', Purpose: 'Test' })).toBe(false);
    expect(constraintsAllow({ EncryptionContextSubset: { Department: 'IT' } }, { Department: 'IT', Purpose: 'Test' })).toBe(true);
  });
  it('a request without a context is the empty context; no constraint admits everything', () => {
    expect(constraintsAllow({ EncryptionContextSubset: {} }, undefined)).toBe(true);
    expect(constraintsAllow({ EncryptionContextEquals: {} }, undefined)).toBe(true);
    expect(constraintsAllow({ EncryptionContextEquals: {} }, { A: 'x' })).toBe(false);
    expect(constraintsAllow({ EncryptionContextSubset: { A: 'x' } }, undefined)).toBe(false);
    for (const ctx of contexts) expect(constraintsAllow(undefined, ctx)).toBe(true);
  });
  it('an inherited property name is not a context key', () => {
    expect(constraintsAllow({ EncryptionContextSubset: { toString: 'x' } }, {})).toBe(false);
  });
});

describe('grantAllows', () => {
  const grant: GrantForDecision = { GrantId: 'g', GranteePrincipal: ALICE, Operations: ['Decrypt', 'DescribeKey', 'RetireGrant', 'CreateGrant'], Constraints: { EncryptionContextSubset: { A: 'x' } } };
  it('applies to its grantee, for its operations, when the constraint holds', () => {
    expect(grantAllows(grant, alice, 'Decrypt', { A: 'x', B: 'y' })).toEqual({ applies: true });
    expect(grantAllows(grant, alice, 'Decrypt', { B: 'y' })).toEqual({ applies: false, why: 'the encryption context does not satisfy its constraints' });
    expect(grantAllows(grant, alice, 'Encrypt', { A: 'x' })).toEqual({ applies: false, why: 'it does not allow Encrypt' });
    expect(grantAllows(grant, describePrincipal(BOB)!, 'Decrypt', { A: 'x' })).toEqual({ applies: false, why: `its grantee is ${ALICE}` });
  });
  it('ignores constraints for DescribeKey and RetireGrant, which take no encryption context', () => {
    expect(grantAllows(grant, alice, 'DescribeKey')).toEqual({ applies: true });
    expect(grantAllows(grant, alice, 'RetireGrant')).toEqual({ applies: true });
  });
  it('CreateGrant through a grant: only its own operations, with constraints at least as strict', () => {
    expect(grantAllows(grant, alice, 'CreateGrant', undefined, { Operations: ['Decrypt'], Constraints: { EncryptionContextSubset: { A: 'x', B: 'y' } } })).toEqual({ applies: true });
    expect(grantAllows(grant, alice, 'CreateGrant', undefined, { Operations: ['Decrypt', 'Encrypt'], Constraints: { EncryptionContextSubset: { A: 'x' } } })).toEqual({ applies: false, why: 'a grant can delegate only its own operations, not Encrypt' });
    expect(grantAllows(grant, alice, 'CreateGrant', undefined, { Operations: ['Decrypt'] })).toEqual({ applies: false, why: "the new grant's constraints are less strict than this grant's" });
  });
  it('matches a role grantee for the role\'s sessions', () => {
    const session = describePrincipal('arn:aws:sts::111122223333:assumed-role/auditor/s')!;
    expect(grantAllows({ GrantId: 'r', GranteePrincipal: AUDITOR_ROLE, Operations: ['Decrypt'] }, session, 'Decrypt')).toEqual({ applies: true });
  });
});

describe('constraintsAtLeastAsStrict', () => {
  const contexts = allContexts();
  const shapes: (GrantConstraints | undefined)[] = [undefined, { EncryptionContextEquals: { A: 'x' } }, { EncryptionContextEquals: { A: 'x', B: 'x' } }, { EncryptionContextSubset: { A: 'x' } }, { EncryptionContextSubset: { A: 'x', B: 'X' } }, { EncryptionContextSubset: { a: 'x' } }, { EncryptionContextEquals: { A: 'x' }, EncryptionContextSubset: { B: 'x' } }];
  it('agrees with its definition: every context the child admits, the parent admits', () => {
    for (const parent of shapes) {
      for (const child of shapes) {
        const admitted = contexts.filter((ctx) => constraintsAllow(child, ctx));
        const semantic = admitted.every((ctx) => constraintsAllow(parent, ctx));
        // The finite alphabet cannot show "child admits contexts outside it" for a child with no constraint: handle that case by definition.
        const expected = child === undefined ? parent === undefined : semantic;
        expect([JSON.stringify(parent), JSON.stringify(child), constraintsAtLeastAsStrict(parent, child)]).toEqual([JSON.stringify(parent), JSON.stringify(child), expected]);
      }
    }
  });
});

describe('mayRetireGrant', () => {
  const grant: GrantForDecision = { GrantId: 'g', GranteePrincipal: ALICE, RetiringPrincipal: AUDITOR_ROLE, Operations: ['Decrypt'] };
  it('the retiring principal, the grantee only with RetireGrant, and the key account\'s root user', () => {
    expect(mayRetireGrant(grant, describePrincipal(AUDITOR_ROLE)!, ACCOUNT)).toBe(true);
    expect(mayRetireGrant(grant, describePrincipal(ALICE)!, ACCOUNT)).toBe(false);
    expect(mayRetireGrant({ ...grant, Operations: ['Decrypt', 'RetireGrant'] }, describePrincipal(ALICE)!, ACCOUNT)).toBe(true);
    expect(mayRetireGrant(grant, describePrincipal(ROOT)!, ACCOUNT)).toBe(true);
    expect(mayRetireGrant(grant, describePrincipal(OTHER_ROOT)!, ACCOUNT)).toBe(false);
    expect(mayRetireGrant(grant, describePrincipal(BOB)!, ACCOUNT)).toBe(false);
  });
});
