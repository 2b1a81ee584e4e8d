/**
 * Key-store backup and restore (issue 12) on memory storage: a KMS with every kind of state backs
 * up to one file that restores into an empty KMS of another name, after which every earlier
 * ciphertext, MAC and signature still works, aliases, policies and grants decide as before and the
 * audit chains verify; and every way a restore can be refused leaves the target exactly as it was.
 */
import { describe, expect, it } from 'vitest';
import { createKms, type Kms } from '../../src/kms/index.js';
import { KitError } from '../../src/client/errors.js';
import { encrypt } from '../../src/core/encrypt.js';
import { backupKeyring } from '../../src/kms/backup/backup-file.js';
import { deriveKeyBytes, newKdfParameters, kdfToPairs } from '../../src/kms/backup/passphrase-kdf.js';
import { bytes, DAY, keyId, T0 } from './helpers.js';

const PASSPHRASE = 'correct horse battery staple';
const ALICE = 'arn:aws:iam::111122223333:user/alice';

async function kmsNamed(name = `backup-${crypto.randomUUID()}`, now = () => T0): Promise<Kms> {
  return createKms({ storage: 'memory', name, now });
}

/** A KMS holding one of everything a backup must carry, and what was made with it. */
async function populated() {
  const clock = { t: T0 };
  const kms = await kmsNamed(undefined, () => clock.t);
  const east = kms.region('us-east-1');
  const sym = await keyId(east, { Description: 'notes' });
  const first = await east.encrypt({ KeyId: sym, Plaintext: bytes('before rotation'), EncryptionContext: { app: 'notes' } });
  await east.rotateKeyOnDemand({ KeyId: sym });
  await east.enableKeyRotation({ KeyId: sym, RotationPeriodInDays: 90 });
  const second = await east.encrypt({ KeyId: sym, Plaintext: bytes('after rotation') });
  await east.createAlias({ AliasName: 'alias/notes', TargetKeyId: sym });
  const grant = await east.createGrant({ KeyId: sym, GranteePrincipal: ALICE, Operations: ['Decrypt'], Constraints: { EncryptionContextSubset: { app: 'notes' } } });
  await kms.iam.putUserPolicy({ UserName: 'alice', PolicyName: 'describe', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:DescribeKey', Resource: '*' }] }) });
  const mrk = await keyId(east, { MultiRegion: true });
  await east.replicateKey({ KeyId: mrk, ReplicaRegion: 'eu-west-1' });
  clock.t += DAY;
  const mrkCiphertext = (await east.encrypt({ KeyId: mrk, Plaintext: bytes('multi-region') })).CiphertextBlob;
  const hmac224 = await keyId(east, { KeySpec: 'HMAC_224', KeyUsage: 'GENERATE_VERIFY_MAC' });
  const mac = (await east.generateMac({ KeyId: hmac224, Message: bytes('m'), MacAlgorithm: 'HMAC_SHA_224' })).Mac;
  const ecc = await keyId(east, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
  const signature = (await east.sign({ KeyId: ecc, Message: bytes('signed'), SigningAlgorithm: 'ECDSA_SHA_256' })).Signature;
  const rsa = await keyId(kms.region('us-west-2'), { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' });
  const rsaCiphertext = (await kms.region('us-west-2').encrypt({ KeyId: rsa, Plaintext: bytes('rsa'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' })).CiphertextBlob;
  return { kms, clock, sym, first, second, grant, mrk, mrkCiphertext, hmac224, mac, ecc, signature, rsa, rsaCiphertext };
}

/** Everything observable about a KMS's stored state, to compare before and after a refused restore. */
async function observe(kms: Kms) {
  const regions: Record<string, unknown> = {};
  for (const region of kms.regions) {
    const client = kms.region(region);
    const keys = (await client.listKeys({})).Keys.map((k) => k.KeyId).sort();
    const aliases = (await client.listAliases({})).Aliases.map((a) => `${a.AliasName}->${a.TargetKeyId ?? ''}`).sort();
    const grants = [];
    for (const k of keys) grants.push(...(await client.listGrants({ KeyId: k })).Grants.map((g) => g.GrantId));
    regions[region] = { keys, aliases, grants };
  }
  // Query before the listing calls above are recorded… they are recorded too, so count only records up to now.
  const iam = await kms.iam.listUserPolicies({ UserName: 'alice' });
  return { regions, iam: iam.PolicyNames };
}

async function rejection(promise: Promise<unknown>): Promise<KitError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected a rejection').toBeInstanceOf(KitError);
  return error as KitError;
}

describe('kms.backup / kms.restore', () => {
  it('restores everything into an empty KMS of another name: ciphertexts, MACs, signatures, aliases, grants, IAM, audit', async () => {
    const made = await populated();
    const before = await made.kms.audit.query();
    const file = await made.kms.backup({ passphrase: PASSPHRASE });
    expect(file).toBeInstanceOf(Blob);
    const raw = new Uint8Array(await file.arrayBuffer());
    // Key material is never in the file in the clear: no key id appears in plain text either (the payload is encrypted).
    expect(new TextDecoder().decode(raw)).not.toContain(made.sym);

    const target = await kmsNamed();
    const summary = await target.restore(file, { passphrase: PASSPHRASE });
    expect(summary).toMatchObject({ regions: 4, keys: 6, aliases: 1, grants: 1, iamPolicies: 1, branchKeys: 0 });
    expect(summary.materials).toBe(7);
    expect(summary.auditRecords).toBeGreaterThanOrEqual(before.length);

    const east = target.region('us-east-1');
    expect(new TextDecoder().decode((await east.decrypt({ CiphertextBlob: made.first.CiphertextBlob, EncryptionContext: { app: 'notes' } })).Plaintext)).toBe('before rotation');
    expect(new TextDecoder().decode((await east.decrypt({ CiphertextBlob: made.second.CiphertextBlob })).Plaintext)).toBe('after rotation');
    // The replica decrypts what the primary encrypted, in the other region.
    expect(new TextDecoder().decode((await target.region('eu-west-1').decrypt({ CiphertextBlob: made.mrkCiphertext })).Plaintext)).toBe('multi-region');
    expect((await east.verifyMac({ KeyId: made.hmac224, Message: bytes('m'), MacAlgorithm: 'HMAC_SHA_224', Mac: made.mac })).MacValid).toBe(true);
    expect((await east.verify({ KeyId: made.ecc, Message: bytes('signed'), Signature: made.signature, SigningAlgorithm: 'ECDSA_SHA_256' })).SignatureValid).toBe(true);
    expect(new TextDecoder().decode((await target.region('us-west-2').decrypt({ KeyId: made.rsa, CiphertextBlob: made.rsaCiphertext, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' })).Plaintext)).toBe('rsa');
    // Alias, rotation schedule, grant and IAM policy as they were.
    expect((await east.describeKey({ KeyId: 'alias/notes' })).KeyMetadata.KeyId).toBe(made.sym);
    expect(await east.getKeyRotationStatus({ KeyId: made.sym })).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 90 });
    const alice = target.region('us-east-1', { principal: ALICE });
    expect(new TextDecoder().decode((await alice.decrypt({ CiphertextBlob: made.first.CiphertextBlob, EncryptionContext: { app: 'notes' } })).Plaintext)).toBe('before rotation');
    await expect(alice.decrypt({ CiphertextBlob: made.second.CiphertextBlob })).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect((await alice.describeKey({ KeyId: made.sym })).KeyMetadata.KeyId).toBe(made.sym);
    // The audit chains verify, restored and continued in the target (digests by a new signing key).
    expect((await target.audit.verify()).ok).toBe(true);
    await east.encrypt({ KeyId: made.sym, Plaintext: bytes('after restore') });
    const verification = await target.audit.verify();
    expect(verification.firstBroken).toBeUndefined();
    expect(verification.ok).toBe(true);
    // An export spans both signing keys (the header names the inherited one) and verifies offline;
    // trusting only the target's own key, the digests made before the backup are refused.
    const exported = await target.audit.export();
    expect((await target.audit.verify(exported)).ok).toBe(true);
    const ownKeys = Object.values(verification.publicKeys);
    const strict = await target.audit.verify(exported, { trustedPublicKeys: ownKeys });
    expect(strict.ok).toBe(false);
    expect(strict.firstBroken?.reason).toMatch(/not trusted/);
    const restored = await target.audit.query({ eventName: 'CreateKey' });
    expect(restored.map((r) => r.eventID)).toEqual(before.filter((r) => r.eventName === 'CreateKey').map((r) => r.eventID));
    await made.kms.close();
    await target.close();
  });

  it('a restored and continued log still detects tampering with a restored record', async () => {
    const made = await populated();
    const file = await made.kms.backup({ passphrase: PASSPHRASE });
    const name = `backup-${crypto.randomUUID()}`;
    const target = await kmsNamed(name);
    await target.restore(file, { passphrase: PASSPHRASE });
    await target.region('us-east-1').listKeys({});
    const { MemoryAuditStorage } = await import('../../src/kms/audit/index.js');
    const tables = new MemoryAuditStorage(`${name}:111122223333`).unsafeTables('us-east-1');
    const record = tables.records.get(2)!;
    tables.records.set(2, { ...record, eventName: 'Tampered' } as typeof record);
    const result = await target.audit.verify();
    expect(result.ok).toBe(false);
    expect(result.firstBroken).toMatchObject({ region: 'us-east-1', sequence: 2 });
  });

  it('PBKDF2-SHA-256 (600,000 iterations) backups restore too', async () => {
    const source = await kmsNamed();
    const id = await keyId(source.region('us-east-1'));
    const { CiphertextBlob } = await source.region('us-east-1').encrypt({ KeyId: id, Plaintext: bytes('p') });
    const file = await source.backup({ passphrase: PASSPHRASE, kdf: 'pbkdf2-sha256' });
    const target = await kmsNamed();
    await target.restore(file, { passphrase: PASSPHRASE });
    expect(new TextDecoder().decode((await target.region('us-east-1').decrypt({ CiphertextBlob })).Plaintext)).toBe('p');
  });

  describe('every refusal changes nothing', async () => {
    const made = await populated();
    const file = new Uint8Array(await (await made.kms.backup({ passphrase: PASSPHRASE })).arrayBuffer());

    /** A target that holds something of its own, so "changed nothing" is visible. */
    async function target() {
      const kms = await kmsNamed();
      const own = await keyId(kms.region('us-west-2'), { Description: 'mine' });
      await kms.region('us-west-2').createAlias({ AliasName: 'alias/mine', TargetKeyId: own });
      const audit = (await kms.audit.export()).length;
      return { kms, before: await observe(kms), auditBefore: audit };
    }
    async function unchanged(t: Awaited<ReturnType<typeof target>>) {
      expect(await observe(t.kms)).toEqual(t.before);
      expect((await t.kms.audit.verify()).ok).toBe(true);
    }

    it('wrong passphrase: WRONG_PASSPHRASE', async () => {
      const t = await target();
      const error = await rejection(t.kms.restore(file, { passphrase: 'wrong horse', replace: true }));
      expect(error.code).toBe('WRONG_PASSPHRASE');
      expect(error.message).not.toContain('wrong horse');
      await unchanged(t);
    });

    it('truncated anywhere: BACKUP_DAMAGED', async () => {
      const t = await target();
      for (const length of [0, 10, 200, Math.floor(file.length / 2), file.length - 1]) {
        const error = await rejection(t.kms.restore(file.slice(0, length), { passphrase: PASSPHRASE, replace: true }));
        expect(error.code, `cut at ${length}`).toBe('BACKUP_DAMAGED');
      }
      await unchanged(t);
    });

    it('one byte altered in the body or the footer: BACKUP_DAMAGED', async () => {
      const t = await target();
      for (const at of [file.length - 30, file.length - 200, Math.floor(file.length * 0.6)]) {
        const altered = file.slice();
        altered[at]! ^= 0x01;
        const error = await rejection(t.kms.restore(altered, { passphrase: PASSPHRASE, replace: true }));
        expect(error.code, `byte ${at}`).toBe('BACKUP_DAMAGED');
      }
      await unchanged(t);
    });

    it('not a backup at all, or an ESDK message of something else: BACKUP_DAMAGED', async () => {
      const t = await target();
      const other = (await encrypt(backupKeyring(new Uint8Array(32)), bytes('hello'), { encryptionContext: { purpose: 'x' } })).ciphertext;
      for (const bad of [bytes('hello world'), other]) expect((await rejection(t.kms.restore(bad, { passphrase: PASSPHRASE, replace: true }))).code).toBe('BACKUP_DAMAGED');
      await unchanged(t);
    });

    it('a newer format version: BACKUP_TOO_NEW, before any key is derived', async () => {
      const t = await target();
      const kdf = newKdfParameters();
      const key = await deriveKeyBytes(PASSPHRASE, kdf);
      const context = { kit: 'envelope-kit', format: 'key-store-backup', 'format-version': '2', created: new Date().toISOString(), ...kdfToPairs(kdf) };
      const newer = (await encrypt(backupKeyring(key), bytes('{}'), { encryptionContext: context })).ciphertext;
      const error = await rejection(t.kms.restore(newer, { passphrase: PASSPHRASE, replace: true }));
      expect(error.code).toBe('BACKUP_TOO_NEW');
      expect(error.message).toMatch(/version 2/);
      await unchanged(t);
    });

    it('a target that holds keys, without replace: NOT_EMPTY; with replace: restored', async () => {
      const t = await target();
      const error = await rejection(t.kms.restore(file, { passphrase: PASSPHRASE }));
      expect(error.code).toBe('NOT_EMPTY');
      await unchanged(t);
      await t.kms.restore(file, { passphrase: PASSPHRASE, replace: true });
      const after = await observe(t.kms);
      expect(after).toEqual(await observe(made.kms));
      expect((await t.kms.audit.verify()).ok).toBe(true);
    });

    it('another account: BACKUP_MISMATCH', async () => {
      const other = await createKms({ storage: 'memory', account: '444455556666' });
      const before = await observe(other);
      expect((await rejection(other.restore(file, { passphrase: PASSPHRASE }))).code).toBe('BACKUP_MISMATCH');
      expect(await observe(other)).toEqual(before);
    });

    it('bad arguments are TypeErrors naming them', async () => {
      const t = await target();
      await expect(t.kms.restore(file, {} as never)).rejects.toThrow(/options.passphrase/);
      await expect(t.kms.restore('file' as never, { passphrase: PASSPHRASE })).rejects.toThrow(TypeError);
      await expect(t.kms.backup({ passphrase: '' })).rejects.toThrow(RangeError);
      await expect(t.kms.backup({ passphrase: PASSPHRASE, kdf: 'md5' as never })).rejects.toThrow(/options.kdf/);
    });
  });
});
