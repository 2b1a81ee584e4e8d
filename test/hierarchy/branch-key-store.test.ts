/**
 * The branch key store against the specification (framework/branch-key-store.md) and the simulated
 * KMS: record format and encryption contexts, the KMS calls each operation makes, verification of
 * every read (tampered records fail), and race-safe versioning.
 */
import { BranchKeyStore, BranchKeyStoreError, type BranchKeyRecord } from '../../src/core/index.js';
import { memoryRecords } from '../../src/core/branch-key-store-storage.js';
import { REGION, countingClient, kmsWithKey, rejection, storeFixture, uniqueName } from './fixtures.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const key = (id: string, type: string): string => JSON.stringify([id, type]);

/** The stored records of one branch key, by type. */
function recordsOf(name: string, branchKeyId: string): Map<string, BranchKeyRecord> {
  const out = new Map<string, BranchKeyRecord>();
  for (const record of memoryRecords(name)!.values()) if (record['branch-key-id'] === branchKeyId) out.set(record.type, record);
  return out;
}

describe('BranchKeyStore: CreateKey', () => {
  it('writes the version, ACTIVE and beacon records of the spec\'s record format', async () => {
    const t = Date.UTC(2025, 5, 3, 19, 3, 29, 358);
    const { store, keyArn, options, calls } = await storeFixture({ now: () => t });
    const id = await store.createKey({ encryptionContext: { department: 'admin' } });
    expect(id).toMatch(UUID);
    // spec: GenerateDataKeyWithoutPlaintext for the branch key and the beacon key, ReEncrypt for ACTIVE.
    expect(calls.sort()).toEqual(['GenerateDataKeyWithoutPlaintext', 'GenerateDataKeyWithoutPlaintext', 'ReEncrypt']);
    const records = recordsOf(options.name!, id);
    expect([...records.keys()].sort()).toEqual(['beacon:ACTIVE', 'branch:ACTIVE', expect.stringMatching(/^branch:version:/)]);
    const active = records.get('branch:ACTIVE')!;
    const version = active.version!.slice('branch:version:'.length);
    expect(version).toMatch(UUID);
    const shared = { 'branch-key-id': id, 'kms-arn': keyArn, 'create-time': '2025-06-03T19:03:29.358000Z', 'hierarchy-version': 1, 'aws-crypto-ec:department': 'admin' };
    expect(records.get(`branch:version:${version}`)).toEqual({ ...shared, type: `branch:version:${version}`, enc: expect.any(Uint8Array) });
    expect(active).toEqual({ ...shared, type: 'branch:ACTIVE', version: `branch:version:${version}`, enc: expect.any(Uint8Array) });
    expect(records.get('beacon:ACTIVE')).toEqual({ ...shared, type: 'beacon:ACTIVE', enc: expect.any(Uint8Array) });
  });

  it('binds each record to the spec\'s KMS encryption context, tablename included', async () => {
    const { store, keyArn, options, kms } = await storeFixture();
    const id = await store.createKey();
    const records = recordsOf(options.name!, id);
    const active = records.get('branch:ACTIVE')!;
    const version = active.version!.slice('branch:version:'.length);
    const base = { 'branch-key-id': id, 'create-time': active['create-time'], 'kms-arn': keyArn, 'hierarchy-version': '1', tablename: 'hierarchy-tests' };
    const client = kms.region(REGION);
    // Written by hand from "Encryption Context": DECRYPT_ONLY, ACTIVE and beacon contexts.
    const contexts: Record<string, Record<string, string>> = {
      [`branch:version:${version}`]: { ...base, type: `branch:version:${version}` },
      'branch:ACTIVE': { ...base, type: 'branch:ACTIVE', version: `branch:version:${version}` },
      'beacon:ACTIVE': { ...base, type: 'beacon:ACTIVE' },
    };
    const plaintexts: string[] = [];
    for (const [type, EncryptionContext] of Object.entries(contexts)) {
      const { Plaintext, KeyId } = await client.decrypt({ KeyId: keyArn, CiphertextBlob: records.get(type)!.enc, EncryptionContext });
      expect(KeyId).toBe(keyArn);
      expect(Plaintext.length).toBe(32);
      plaintexts.push(Buffer.from(Plaintext).toString('hex'));
      // Without tablename (or under another logical name) KMS refuses.
      await expect(client.decrypt({ KeyId: keyArn, CiphertextBlob: records.get(type)!.enc, EncryptionContext: { ...EncryptionContext, tablename: 'other' } })).rejects.toMatchObject({ name: 'InvalidCiphertextException' });
    }
    // The ACTIVE record is the version's key re-encrypted; the beacon key is another key.
    expect(plaintexts[0]).toBe(plaintexts[1]);
    expect(plaintexts[2]).not.toBe(plaintexts[0]);
  });

  it('takes a branch key id only together with an encryption context, and refuses a taken id', async () => {
    const { store } = await storeFixture();
    await expect(store.createKey({ branchKeyId: 'tenant-a' })).rejects.toThrow(RangeError);
    expect(await store.createKey({ branchKeyId: 'tenant-a', encryptionContext: {} })).toBe('tenant-a');
    const error = await rejection(store.createKey({ branchKeyId: 'tenant-a', encryptionContext: {} }));
    expect(error).toBeInstanceOf(BranchKeyStoreError);
    expect(error.code).toBe('ALREADY_EXISTS');
  });

  it('checks its options and names the argument', async () => {
    const { kms, keyArn } = await kmsWithKey();
    const client = kms.region(REGION);
    const base = { kms: client, kmsKeyId: keyArn, logicalKeyStoreName: 'x', storage: 'memory' as const, name: uniqueName('opts') };
    expect(() => new BranchKeyStore({ ...base, kmsKeyId: 'alias/app' })).toThrow(/kmsKeyId must be a KMS key ARN/);
    expect(() => new BranchKeyStore({ ...base, kmsKeyId: keyArn.replace(':key/', ':alias/') })).toThrow(RangeError);
    expect(() => new BranchKeyStore({ ...base, logicalKeyStoreName: '' })).toThrow(/logicalKeyStoreName/);
    expect(() => new BranchKeyStore({ ...base, storage: 'disk' as 'memory' })).toThrow(/storage/);
    expect(() => new BranchKeyStore({ ...base, storage: 'indexeddb' })).toThrow(/no IndexedDB/);
    expect(() => new BranchKeyStore({ ...base, kms: {} as typeof client })).toThrow(/options\.kms/);
    // A read-only client (the keyrings' three operations) can read but not create.
    const { generateDataKeyWithoutPlaintext: _g, reEncrypt: _r, ...readOnly } = countingClient(client).client;
    await expect(new BranchKeyStore({ ...base, kms: readOnly }).createKey()).rejects.toThrow(/generateDataKeyWithoutPlaintext and reEncrypt/);
    // One memory database holds one logical key store.
    new BranchKeyStore(base);
    expect(() => new BranchKeyStore({ ...base, logicalKeyStoreName: 'y' })).toThrow(/holds logical key store "x"/);
  });
});

describe('BranchKeyStore: VersionKey and reads', () => {
  it('versions: authenticates ACTIVE with ReEncrypt, then GenerateDataKeyWithoutPlaintext and ReEncrypt', async () => {
    const { store, calls, options } = await storeFixture();
    const id = await store.createKey({ encryptionContext: { tenant: 'acme' } });
    const first = await store.getActiveKey(id);
    calls.length = 0;
    const second = await store.versionKey(id);
    expect(calls).toEqual(['ReEncrypt', 'GenerateDataKeyWithoutPlaintext', 'ReEncrypt']);
    expect(second).toMatch(UUID);
    expect(second).not.toBe(first.branchKeyVersion);
    const active = await store.getActiveKey(id);
    expect(active).toMatchObject({ branchKeyIdentifier: id, branchKeyVersion: second, encryptionContext: { tenant: 'acme' } });
    expect(active.branchKey).toBeInstanceOf(CryptoKey);
    expect(active.branchKey.extractable).toBe(false);
    expect(active.branchKey.algorithm).toMatchObject({ name: 'HMAC', hash: { name: 'SHA-256' } });
    // Both versions stay readable; the custom context is carried to the new version.
    expect((await store.getKeyVersion(id, first.branchKeyVersion)).branchKeyVersion).toBe(first.branchKeyVersion);
    expect(recordsOf(options.name!, id).get(`branch:version:${second}`)!['aws-crypto-ec:tenant']).toBe('acme');
  });

  it('reads with one KMS Decrypt each, under the configured key', async () => {
    const { store, calls } = await storeFixture();
    const id = await store.createKey();
    calls.length = 0;
    const { branchKeyVersion } = await store.getActiveKey(id);
    await store.getKeyVersion(id, branchKeyVersion);
    const beacon = await store.getBeaconKey(id);
    expect(beacon.beaconKey.algorithm.name).toBe('HKDF');
    expect(calls).toEqual(['Decrypt', 'Decrypt', 'Decrypt']);
  });

  it('answers NOT_FOUND for unknown keys and versions', async () => {
    const { store } = await storeFixture();
    const id = await store.createKey();
    expect((await rejection(store.getActiveKey('no-such-key'))).code).toBe('NOT_FOUND');
    expect((await rejection(store.getKeyVersion(id, crypto.randomUUID()))).code).toBe('NOT_FOUND');
    expect((await rejection(store.versionKey('no-such-key'))).code).toBe('NOT_FOUND');
    await expect(store.getActiveKey('')).rejects.toThrow(TypeError);
  });

  it('reports KMS refusals other than the record\'s as KMS_FAILURE', async () => {
    const { store, kms, keyArn } = await storeFixture();
    const id = await store.createKey();
    await kms.region(REGION).disableKey({ KeyId: keyArn });
    const error = await rejection(store.getActiveKey(id));
    expect(error.code).toBe('KMS_FAILURE');
    expect(error.message).toMatch(/DisabledException/);
  });
});

describe('BranchKeyStore: tampered records are detected on load', () => {
  async function tamperFixture() {
    const fixture = await storeFixture();
    const id = await fixture.store.createKey({ encryptionContext: { tenant: 'acme' } });
    const other = await fixture.store.createKey();
    const records = memoryRecords(fixture.options.name!)!;
    const active = (branchKeyId: string) => records.get(key(branchKeyId, 'branch:ACTIVE'))!;
    return { ...fixture, id, other, records, active };
  }

  it('a changed context attribute', async () => {
    const { store, id, records, active } = await tamperFixture();
    for (const change of [{ 'create-time': '2020-01-01T00:00:00.000000Z' }, { 'aws-crypto-ec:tenant': 'evil' }, { 'aws-crypto-ec:extra': 'x' }, { 'hierarchy-version': 2 }]) {
      const original = active(id);
      records.set(key(id, 'branch:ACTIVE'), { ...original, ...change } as BranchKeyRecord);
      const error = await rejection(store.getActiveKey(id));
      expect(error.code, JSON.stringify(change)).toBe('RECORD_NOT_AUTHENTIC');
      expect((await rejection(store.versionKey(id))).code).toBe('RECORD_NOT_AUTHENTIC');
      records.set(key(id, 'branch:ACTIVE'), original);
    }
    await store.getActiveKey(id);
  });

  it('an ACTIVE record pointing at another version', async () => {
    const { store, id, records, active } = await tamperFixture();
    const old = (await store.getActiveKey(id)).branchKeyVersion;
    await store.versionKey(id);
    // Roll the ACTIVE record back by editing its version attribute only: KMS refuses it.
    records.set(key(id, 'branch:ACTIVE'), { ...active(id), version: `branch:version:${old}` });
    expect((await rejection(store.getActiveKey(id))).code).toBe('RECORD_NOT_AUTHENTIC');
  });

  it('a swapped ciphertext', async () => {
    const { store, id, other, records, active } = await tamperFixture();
    records.set(key(id, 'branch:ACTIVE'), { ...active(id), enc: active(other).enc });
    expect((await rejection(store.getActiveKey(id))).code).toBe('RECORD_NOT_AUTHENTIC');
  });

  it('another branch key\'s version put in its place', async () => {
    const { store, id, other, records, active } = await tamperFixture();
    const stolen = active(other);
    // As stored: the record says it is the other key's, so it is refused before KMS.
    records.set(key(id, 'branch:ACTIVE'), stolen);
    expect((await rejection(store.getActiveKey(id))).code).toBe('RECORD_INVALID');
    // Relabelled: KMS refuses it, since its ciphertext is bound to the other branch key id.
    records.set(key(id, 'branch:ACTIVE'), { ...stolen, 'branch-key-id': id });
    expect((await rejection(store.getActiveKey(id))).code).toBe('RECORD_NOT_AUTHENTIC');
    // The same with a version record: the other key's version filed under this key.
    const version = stolen.version!.slice('branch:version:'.length);
    const versionRecord = records.get(key(other, `branch:version:${version}`))!;
    records.set(key(id, `branch:version:${version}`), versionRecord);
    expect((await rejection(store.getKeyVersion(id, version))).code).toBe('RECORD_INVALID');
    records.set(key(id, `branch:version:${version}`), { ...versionRecord, 'branch-key-id': id });
    expect((await rejection(store.getKeyVersion(id, version))).code).toBe('RECORD_NOT_AUTHENTIC');
  });

  it('a record from another logical key store, a foreign KMS key, or a malformed record', async () => {
    const { store, id, records, active, options, kms, keyArn } = await tamperFixture();
    // The same records read through a store with another logical name: tablename differs, KMS refuses.
    const name = uniqueName('copy');
    const copy = new BranchKeyStore({ ...options, name, logicalKeyStoreName: 'another-store' });
    memoryRecords(name)!.set(key(id, 'branch:ACTIVE'), active(id));
    expect((await rejection(copy.getActiveKey(id))).code).toBe('RECORD_NOT_AUTHENTIC');
    // A record claiming another KMS key is refused before any KMS call.
    const { KeyMetadata } = await kms.region(REGION).createKey({});
    records.set(key(id, 'branch:ACTIVE'), { ...active(id), 'kms-arn': KeyMetadata.Arn });
    expect((await rejection(store.getActiveKey(id))).message).toMatch(/not by this store's/);
    records.set(key(id, 'branch:ACTIVE'), { ...active(id), 'kms-arn': keyArn, enc: 'not bytes' } as unknown as BranchKeyRecord);
    expect((await rejection(store.getActiveKey(id))).code).toBe('RECORD_INVALID');
    records.set(key(id, 'branch:ACTIVE'), { ...active(id), enc: new Uint8Array(8), tablename: 'x' } as unknown as BranchKeyRecord);
    expect((await rejection(store.getActiveKey(id))).code).toBe('RECORD_INVALID');
  });
});

describe('BranchKeyStore: concurrent versioning', () => {
  it('two stores on one database version at once: exactly one wins, the other fails with VERSION_CONFLICT', async () => {
    const { store, options } = await storeFixture();
    const tab2 = new BranchKeyStore({ ...options });
    const id = await store.createKey();
    const before = (await store.getActiveKey(id)).branchKeyVersion;
    const results = await Promise.allSettled([store.versionKey(id), tab2.versionKey(id)]);
    const won = results.filter((r): r is PromiseFulfilledResult<string> => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toBeInstanceOf(BranchKeyStoreError);
    expect(lost[0]!.reason.code).toBe('VERSION_CONFLICT');
    // The winner's version is active; the loser wrote nothing (no orphan version record).
    expect((await tab2.getActiveKey(id)).branchKeyVersion).toBe(won[0]!.value);
    const versions = [...recordsOf(options.name!, id).keys()].filter((t) => t.startsWith('branch:version:'));
    expect(versions.sort()).toEqual([`branch:version:${before}`, `branch:version:${won[0]!.value}`].sort());
    // Versioning again afterwards works.
    await tab2.versionKey(id);
  });

  it('many concurrent versionKey calls on one store: one winner, the rest conflict', async () => {
    const { store } = await storeFixture();
    const id = await store.createKey();
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => store.versionKey(id)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason.code).toBe('VERSION_CONFLICT');
  });

  it('stores with the same name share records; other names do not', async () => {
    const { store, options } = await storeFixture();
    const id = await store.createKey();
    await new BranchKeyStore({ ...options }).getActiveKey(id);
    const elsewhere = new BranchKeyStore({ ...options, name: uniqueName('elsewhere') });
    expect((await rejection(elsewhere.getActiveKey(id))).code).toBe('NOT_FOUND');
  });
});
