/**
 * Every cell of the AWS KMS key-state table, read from the reference (a copy in
 * fixtures/kms-key-states.md, checked against ../shared/reference when that exists): for each
 * operation and each key state, a key of the right type is brought into the state the way a user
 * would (disable, schedule deletion, replicate, delete imported material, ...), and the operation
 * is called with an otherwise valid request. The expected outcome comes from the cell and its
 * footnotes only, never from src/kms/keys/key-states.ts.
 *
 * Conditional cells ("?", "OK [9]", "X [1] or [7]", ...) are tested on both branches where the
 * key state can hold both kinds of key: the main branch with the usual key, the alternate with a
 * key that meets the footnote's condition (imported material for [7], KMS-made material for [9],
 * the alias's old target for [10]). "N/A" cells assert that no key the operation accepts can be
 * brought into that state.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { KmsRegionClient } from '../../src/kms/index.js';
import { bytes, importMaterial, keyId, material32, rejects, testKms, wrapForImport, type TestKms } from './helpers.js';

const FIXTURE = new URL('./fixtures/kms-key-states.md', import.meta.url);
const REFERENCE = new URL('../../../shared/reference/kms-key-states.md', import.meta.url);

type State = 'Enabled' | 'Disabled' | 'PendingDeletion' | 'PendingReplicaDeletion' | 'PendingImport' | 'Unavailable' | 'Creating' | 'Updating';
/** Reference columns, in order; the third covers two states. */
const COLUMNS: readonly (readonly State[])[] = [['Enabled'], ['Disabled'], ['PendingDeletion', 'PendingReplicaDeletion'], ['PendingImport'], ['Unavailable'], ['Creating'], ['Updating']];

function parseTable(markdown: string): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  const lines = markdown.split('\n').filter((l) => l.trim().startsWith('|'));
  const header = lines[0]!.split('|').map((c) => c.trim().replace(/\*/g, ''));
  expect(header.slice(1, 9)).toEqual(['API', 'Enabled', 'Disabled', 'Pending deletion Pending replica deletion', 'Pending import', 'Unavailable', 'Creating', 'Updating']);
  for (const line of lines.slice(2)) {
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    rows.set(cells[0]!, cells.slice(1, 8).map((c) => c.replace(/\s+/g, '')));
  }
  return rows;
}

const TABLE = parseTable(readFileSync(FIXTURE, 'utf8'));

type Kind = 'sym' | 'ext' | 'ecc' | 'hmac';
interface Fixture {
  t: TestKms;
  client: KmsRegionClient;
  /** The region where the key was usable before the state change (the primary for Creating). */
  prep: KmsRegionClient;
  keyId: string;
  state: State;
}
interface OpSpec {
  kind: Kind;
  /** Needs a multi-Region key with a replica (ReplicateKey, UpdatePrimaryRegion). */
  mrk?: boolean;
  /** `before` uses the key cryptographically (so a PendingImport key must have had material). */
  usesKey?: boolean;
  before?: (client: KmsRegionClient, keyId: string) => Promise<unknown>;
  call: (f: Fixture, prepared: any) => Promise<unknown>;
}

// A policy that keeps the account in charge: PutKeyPolicy refuses one that would lock the caller out.
const POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Admin', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' }] });
const GRANTEE = 'arn:aws:iam::111122223333:role/grantee';
const NO_SUCH_GRANT = '0'.repeat(64);
const otherRegion = (f: Fixture) => (f.client.region === 'us-east-1' ? 'us-west-2' : 'us-east-1');

const OPS: Record<string, OpSpec> = {
  CancelKeyDeletion: { kind: 'sym', call: (f) => f.client.cancelKeyDeletion({ KeyId: f.keyId }) },
  CreateAlias: { kind: 'sym', call: (f) => f.client.createAlias({ AliasName: 'alias/new', TargetKeyId: f.keyId }) },
  CreateGrant: { kind: 'sym', call: (f) => f.client.createGrant({ KeyId: f.keyId, GranteePrincipal: GRANTEE, Operations: ['Decrypt', 'DescribeKey'] }) },
  ListGrants: {
    kind: 'sym',
    // CreateGrant needs a usable key: a PendingImport key gets its grant before losing its material.
    usesKey: true,
    before: (c, KeyId) => c.createGrant({ KeyId, GranteePrincipal: GRANTEE, Operations: ['DescribeKey'] }),
    call: async (f) => {
      const { Grants } = await f.client.listGrants({ KeyId: f.keyId });
      // A Creating replica is new in its region: its grants (none yet) are its own.
      expect(Grants).toHaveLength(f.state === 'Creating' ? 0 : 1);
    },
  },
  RetireGrant: {
    kind: 'sym',
    // CreateGrant needs a usable key: a PendingImport key gets its grant before losing its material.
    usesKey: true,
    before: (c, KeyId) => c.createGrant({ KeyId, GranteePrincipal: GRANTEE, Operations: ['DescribeKey'] }),
    // A Creating replica cannot have a grant (CreateGrant is X[14] there): RetireGrant passes the
    // state check and reaches the grant lookup, which finds nothing.
    call: (f, g) => (f.state === 'Creating' ? rejects(f.client.retireGrant({ KeyId: f.keyId, GrantId: NO_SUCH_GRANT }), 'NotFoundException', /^Grant ID/) : f.client.retireGrant({ KeyId: f.keyId, GrantId: g.GrantId })),
  },
  RevokeGrant: {
    kind: 'sym',
    // CreateGrant needs a usable key: a PendingImport key gets its grant before losing its material.
    usesKey: true,
    before: (c, KeyId) => c.createGrant({ KeyId, GranteePrincipal: GRANTEE, Operations: ['DescribeKey'] }),
    call: (f, g) => (f.state === 'Creating' ? rejects(f.client.revokeGrant({ KeyId: f.keyId, GrantId: NO_SUCH_GRANT }), 'NotFoundException', /^Grant ID/) : f.client.revokeGrant({ KeyId: f.keyId, GrantId: g.GrantId })),
  },
  Decrypt: {
    kind: 'sym',
    usesKey: true,
    before: async (c, KeyId) => (await c.encrypt({ KeyId, Plaintext: bytes('secret') })).CiphertextBlob,
    call: (f, CiphertextBlob) => f.client.decrypt({ CiphertextBlob }),
  },
  DeleteAlias: {
    kind: 'sym',
    before: (c, KeyId) => c.createAlias({ AliasName: 'alias/doomed', TargetKeyId: KeyId }),
    call: async (f) => {
      // A Creating replica's region had no key before: give it its alias now (CreateAlias is OK there).
      if (f.state === 'Creating') await f.client.createAlias({ AliasName: 'alias/doomed', TargetKeyId: f.keyId });
      return f.client.deleteAlias({ AliasName: 'alias/doomed' });
    },
  },
  DeleteImportedKeyMaterial: { kind: 'ext', call: (f) => f.client.deleteImportedKeyMaterial({ KeyId: f.keyId }) },
  DescribeKey: { kind: 'sym', call: (f) => f.client.describeKey({ KeyId: f.keyId }) },
  DisableKey: { kind: 'sym', call: (f) => f.client.disableKey({ KeyId: f.keyId }) },
  DisableKeyRotation: { kind: 'sym', call: (f) => f.client.disableKeyRotation({ KeyId: f.keyId }) },
  EnableKey: { kind: 'sym', call: (f) => f.client.enableKey({ KeyId: f.keyId }) },
  EnableKeyRotation: { kind: 'sym', call: (f) => f.client.enableKeyRotation({ KeyId: f.keyId }) },
  Encrypt: { kind: 'sym', call: (f) => f.client.encrypt({ KeyId: f.keyId, Plaintext: bytes('x') }) },
  GenerateDataKey: { kind: 'sym', call: (f) => f.client.generateDataKey({ KeyId: f.keyId, NumberOfBytes: 32 }) },
  GenerateDataKeyPair: { kind: 'sym', call: (f) => f.client.generateDataKeyPair({ KeyId: f.keyId, KeyPairSpec: 'ECC_NIST_P256' }) },
  GenerateDataKeyPairWithoutPlaintext: { kind: 'sym', call: (f) => f.client.generateDataKeyPairWithoutPlaintext({ KeyId: f.keyId, KeyPairSpec: 'ECC_NIST_P256' }) },
  GenerateDataKeyWithoutPlaintext: { kind: 'sym', call: (f) => f.client.generateDataKeyWithoutPlaintext({ KeyId: f.keyId, KeySpec: 'AES_256' }) },
  GenerateMac: { kind: 'hmac', call: (f) => f.client.generateMac({ KeyId: f.keyId, Message: bytes('m'), MacAlgorithm: 'HMAC_SHA_256' }) },
  GetKeyPolicy: { kind: 'sym', call: (f) => f.client.getKeyPolicy({ KeyId: f.keyId }) },
  GetKeyRotationStatus: { kind: 'sym', call: (f) => f.client.getKeyRotationStatus({ KeyId: f.keyId }) },
  GetParametersForImport: {
    kind: 'ext',
    call: (f) => f.client.getParametersForImport({ KeyId: f.keyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }),
  },
  GetPublicKey: { kind: 'ecc', call: (f) => f.client.getPublicKey({ KeyId: f.keyId }) },
  ImportKeyMaterial: {
    kind: 'ext',
    before: async (c, KeyId) => {
      const p = await c.getParametersForImport({ KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }).catch(() => undefined);
      return p && { ImportToken: p.ImportToken, EncryptedKeyMaterial: await wrapForImport(p.PublicKey, material32()) };
    },
    call: (f, p) =>
      f.client.importKeyMaterial({
        KeyId: f.keyId,
        ImportToken: p?.ImportToken ?? bytes('no token'),
        EncryptedKeyMaterial: p?.EncryptedKeyMaterial ?? new Uint8Array(256),
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      }),
  },
  ListAliases: { kind: 'sym', call: (f) => f.client.listAliases({ KeyId: f.keyId }) },
  ListKeyPolicies: { kind: 'sym', call: (f) => f.client.listKeyPolicies({ KeyId: f.keyId }) },
  ListResourceTags: { kind: 'sym', call: (f) => f.client.listResourceTags({ KeyId: f.keyId }) },
  PutKeyPolicy: { kind: 'sym', call: (f) => f.client.putKeyPolicy({ KeyId: f.keyId, Policy: POLICY }) },
  ReEncrypt: {
    kind: 'sym',
    usesKey: true,
    before: async (c, KeyId) => (await c.encrypt({ KeyId, Plaintext: bytes('secret') })).CiphertextBlob,
    call: (f, CiphertextBlob) => f.client.reEncrypt({ CiphertextBlob, DestinationKeyId: f.keyId }),
  },
  ReplicateKey: { kind: 'sym', mrk: true, call: (f) => f.client.replicateKey({ KeyId: f.keyId, ReplicaRegion: 'eu-west-1' }) },
  ScheduleKeyDeletion: { kind: 'sym', call: (f) => f.client.scheduleKeyDeletion({ KeyId: f.keyId, PendingWindowInDays: 7 }) },
  Sign: { kind: 'ecc', call: (f) => f.client.sign({ KeyId: f.keyId, Message: bytes('m'), SigningAlgorithm: 'ECDSA_SHA_256' }) },
  TagResource: { kind: 'sym', call: (f) => f.client.tagResource({ KeyId: f.keyId, Tags: [{ TagKey: 'k', TagValue: 'v' }] }) },
  UntagResource: { kind: 'sym', call: (f) => f.client.untagResource({ KeyId: f.keyId, TagKeys: ['k'] }) },
  UpdateAlias: {
    kind: 'sym',
    // For the [10] condition branch: an alias whose current target is the key in the state.
    before: (c, KeyId) => c.createAlias({ AliasName: 'alias/old', TargetKeyId: KeyId }),
    call: async (f) => {
      // The key in the state is the alias's new target; the alias starts on a fresh key.
      const fresh = await keyId(f.client);
      await f.client.createAlias({ AliasName: 'alias/moving', TargetKeyId: fresh });
      return f.client.updateAlias({ AliasName: 'alias/moving', TargetKeyId: f.keyId });
    },
  },
  UpdateKeyDescription: { kind: 'sym', call: (f) => f.client.updateKeyDescription({ KeyId: f.keyId, Description: 'd' }) },
  UpdatePrimaryRegion: { kind: 'sym', mrk: true, call: (f) => f.client.updatePrimaryRegion({ KeyId: f.keyId, PrimaryRegion: otherRegion(f) }) },
  Verify: {
    kind: 'ecc',
    before: async (c, KeyId) => (await c.sign({ KeyId, Message: bytes('m'), SigningAlgorithm: 'ECDSA_SHA_256' })).Signature,
    call: (f, Signature) => f.client.verify({ KeyId: f.keyId, Message: bytes('m'), Signature, SigningAlgorithm: 'ECDSA_SHA_256' }),
  },
  VerifyMac: {
    kind: 'hmac',
    before: async (c, KeyId) => (await c.generateMac({ KeyId, Message: bytes('m'), MacAlgorithm: 'HMAC_SHA_256' })).Mac,
    call: (f, Mac) => f.client.verifyMac({ KeyId: f.keyId, Message: bytes('m'), Mac, MacAlgorithm: 'HMAC_SHA_256' }),
  },
};

const SPEC: Record<Kind, object> = {
  sym: {},
  ext: { Origin: 'EXTERNAL' },
  ecc: { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' },
  hmac: { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' },
};

/** Brings a fresh key of `kind` into `state`, running `op.before` while it is still usable. */
async function build(op: OpSpec, kind: Kind, state: State): Promise<{ f: Fixture; prepared: unknown }> {
  const t = await testKms();
  const { east, west } = t;
  const multiRegion = op.mrk || state === 'PendingReplicaDeletion' || state === 'Creating' || state === 'Updating';
  const external = kind === 'ext' || state === 'PendingImport';
  const id = await keyId(east, { ...SPEC[kind], ...(external ? { Origin: 'EXTERNAL' } : {}), MultiRegion: multiRegion });
  // A PendingImport key that must have made a ciphertext first gets material, then loses it;
  // every other PendingImport key simply never had any (imports cost an RSA key generation).
  const needsMaterial = kind === 'ext' ? state !== 'PendingImport' || op.mrk : state === 'PendingImport' && (!!op.usesKey || !!op.mrk);
  if (external && needsMaterial) await importMaterial(east, id, material32());
  let client = east;
  let prepared: unknown;
  const before = async (c: KmsRegionClient) => (prepared = await op.before?.(c, id));
  const replicate = () => east.replicateKey({ KeyId: id, ReplicaRegion: 'us-west-2' });
  if (op.mrk && state !== 'Creating' && state !== 'Updating') await replicate();
  switch (state) {
    case 'Enabled':
      await before(east);
      break;
    case 'Disabled':
      await before(east);
      await east.disableKey({ KeyId: id });
      break;
    case 'PendingDeletion':
      // A primary with replicas would wait in PendingReplicaDeletion: use the replica instead.
      client = op.mrk ? west : east;
      await before(client);
      await client.scheduleKeyDeletion({ KeyId: id, PendingWindowInDays: 7 });
      break;
    case 'PendingReplicaDeletion':
      if (!op.mrk) await replicate();
      await before(east);
      await east.scheduleKeyDeletion({ KeyId: id, PendingWindowInDays: 7 });
      break;
    case 'PendingImport':
      await before(east);
      if (needsMaterial) await east.deleteImportedKeyMaterial({ KeyId: id });
      break;
    case 'Unavailable':
      await before(east);
      await t.kms.simulate({ region: 'us-east-1', customKeyStore: { disconnect: [id] } });
      break;
    case 'Creating':
      await t.kms.simulate({ region: 'us-west-2', transitionMs: 3_600_000 });
      await before(east);
      await replicate();
      client = west;
      break;
    case 'Updating':
      await replicate();
      if (external) await importMaterial(west, id, material32());
      await before(west);
      await t.kms.simulate({ region: 'us-east-1', transitionMs: 3_600_000 });
      await t.kms.simulate({ region: 'us-west-2', transitionMs: 3_600_000 });
      await east.updatePrimaryRegion({ KeyId: id, PrimaryRegion: 'us-west-2' });
      client = west;
      break;
  }
  const f: Fixture = { t, client, prep: east, keyId: id, state };
  expect((await client.describeKey({ KeyId: id })).KeyMetadata.KeyState).toBe(state);
  return { f, prepared };
}

interface Expected {
  ok?: true;
  names?: string[];
  message?: RegExp;
}
const FOOTNOTES: Record<number, Expected> = {
  1: { names: ['DisabledException'], message: /is disabled\.$/ },
  3: { names: ['DisabledException', 'KMSInvalidStateException'], message: /is pending (replica )?deletion\.$/ },
  4: { names: ['KMSInvalidStateException'], message: /is not pending deletion\.$/ },
  5: { names: ['KMSInvalidStateException'], message: /is pending import\.$/ },
  6: { names: ['UnsupportedOperationException'], message: /origin is EXTERNAL which is not valid for this operation\.$/ },
  7: { names: ['UnsupportedOperationException'] },
  8: { names: ['KMSInvalidStateException'] },
  9: { names: ['UnsupportedOperationException'] },
  11: { names: ['KMSInvalidStateException'], message: /is unavailable\.$/ },
  14: { names: ['KMSInvalidStateException'], message: /is creating\.$/ },
  15: { names: ['KMSInvalidStateException'], message: /is updating\.$/ },
};

/** What a cell promises on the main or the alternate branch; undefined when the branch does not exist. */
function expectation(cell: string, branch: 'main' | 'alt'): Expected | 'na' | undefined {
  if (cell === 'N/A') return branch === 'main' ? 'na' : undefined;
  const notes = [...cell.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1]));
  const has = (n: number) => notes.includes(n);
  if (cell.startsWith('OK') || cell.startsWith('?')) {
    if (has(7) || has(9)) return branch === 'main' ? { ok: true } : FOOTNOTES[has(7) ? 7 : 9];
    if (has(10)) return branch === 'main' ? FOOTNOTES[3] : { ok: true };
    return branch === 'main' ? { ok: true } : undefined;
  }
  if (cell.includes('or')) {
    if (has(2) && has(3)) return branch === 'main' ? FOOTNOTES[3] : undefined;
    if (has(7)) return branch === 'main' ? FOOTNOTES[notes[0]!] : FOOTNOTES[7];
    if (has(8)) return branch === 'main' ? FOOTNOTES[8] : FOOTNOTES[9];
  }
  return branch === 'main' ? FOOTNOTES[notes[0]!] : undefined;
}

/** The kind of key the alternate branch needs. */
function altKind(cell: string, op: OpSpec): Kind {
  if (cell.includes('[9]')) return 'sym';
  if (cell.includes('[7]')) return 'ext';
  return op.kind;
}

/** N/A: no key this operation accepts can get into the state. */
async function assertUnreachable(op: OpSpec, state: State): Promise<void> {
  const t = await testKms();
  if (state === 'PendingImport') {
    await rejects(t.east.createKey({ ...SPEC[op.kind], Origin: 'EXTERNAL' }), 'UnsupportedOperationException');
    return;
  }
  expect(state).toBe('Unavailable');
  const id = op.kind === 'ext' ? await keyId(t.east, { Origin: 'EXTERNAL' }) : await keyId(t.east, { ...SPEC[op.kind], MultiRegion: !!op.mrk });
  await rejects(t.kms.simulate({ region: 'us-east-1', customKeyStore: { disconnect: [id] } }), 'UnsupportedOperationException');
}

async function runCell(name: string, cell: string, state: State, branch: 'main' | 'alt'): Promise<void> {
  const op = OPS[name]!;
  const expected = expectation(cell, branch)!;
  if (expected === 'na') return assertUnreachable(op, state);
  let kind = branch === 'alt' ? altKind(cell, op) : op.kind;
  // Only symmetric KMS-made keys can be Unavailable (custom key stores hold nothing else).
  if (state === 'Unavailable') kind = 'sym';
  const { f, prepared } = await build(op, kind, state);
  if (name === 'UpdateAlias' && branch === 'alt') {
    // [10], the other half: an alias whose current target is pending deletion may be moved.
    const fresh = await keyId(f.client);
    await f.client.updateAlias({ AliasName: 'alias/old', TargetKeyId: fresh });
    return;
  }
  const call = op.call(f, prepared);
  if (expected.ok) {
    await call;
    return;
  }
  const error = await rejects(call, expected.names!, expected.message);
  if (expected.message) expect(error.message).toContain(f.keyId);
}

describe('key-state table (developer guide, key-state.html)', () => {
  it('the fixture is the shared reference, unchanged', () => {
    if (existsSync(REFERENCE)) expect(readFileSync(FIXTURE, 'utf8')).toBe(readFileSync(REFERENCE, 'utf8'));
    expect(TABLE.size).toBe(40);
  });

  for (const [name, cells] of TABLE) {
    describe(name, () => {
      COLUMNS.forEach((states, column) => {
        const cell = cells[column]!;
        for (const state of states) {
          it(`${name} × ${state}: ${cell}`, () => runCell(name, cell, state, 'main'));
          const altOk = ['Enabled', 'Disabled', 'PendingDeletion'].includes(state) && expectation(cell, 'alt') !== undefined;
          if (altOk) it(`${name} × ${state}: ${cell}, condition branch`, () => runCell(name, cell, state, 'alt'));
        }
      });
    });
  }
});
