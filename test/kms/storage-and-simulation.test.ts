/**
 * Storage guarantees on memory storage (the browser suite repeats the persistence ones on
 * IndexedDB): two instances on the same storage see each other's changes, concurrent writers lose
 * no update, nothing stored holds key material in the clear, deletion shreds; and the simulation
 * controls, the call recorder and close().
 */
import { describe, expect, it } from 'vitest';
import { createKms, KmsError, SimulatorError, type CallEvent } from '../../src/kms/index.js';
import { updateKey } from '../../src/kms/keys/key-updates.js';
import { MemoryStore } from '../../src/kms/storage/memory-store.js';
import { StaleWriteError } from '../../src/kms/storage/store.js';
import type { RegionRuntime } from '../../src/kms/requests/region-runtime.js';
import { bytes, DAY, importMaterial, keyId, material32, rejects, testKms } from './helpers.js';

let n = 0;
const uniqueName = () => `storage-test-${Date.now()}-${n++}`;

function containsSequence(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

function allBytes(value: unknown, out: Uint8Array[] = []): Uint8Array[] {
  if (value instanceof Uint8Array) out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => allBytes(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => allBytes(v, out));
  return out;
}

describe('two instances on one storage ("two tabs")', () => {
  it('see each other’s keys and rotations', async () => {
    const name = uniqueName();
    const a = await testKms(name);
    const b = await testKms(name);
    const id = await keyId(a.east);
    const { CiphertextBlob } = await a.east.encrypt({ KeyId: id, Plaintext: bytes('shared') });
    expect(new TextDecoder().decode((await b.east.decrypt({ CiphertextBlob })).Plaintext)).toBe('shared');
    await a.east.rotateKeyOnDemand({ KeyId: id });
    const current = (await a.east.describeKey({ KeyId: id })).KeyMetadata.CurrentKeyMaterialId;
    expect((await b.east.describeKey({ KeyId: id })).KeyMetadata.CurrentKeyMaterialId).toBe(current);
    expect((await b.east.encrypt({ KeyId: id, Plaintext: bytes('x') })).CiphertextBlob).toBeDefined();
  });

  it('lose no update when both write the same key at once', async () => {
    const name = uniqueName();
    const a = await testKms(name);
    const b = await testKms(name);
    const id = await keyId(a.east);
    await Promise.all([
      ...[0, 1, 2].map((i) => a.east.tagResource({ KeyId: id, Tags: [{ TagKey: `a${i}`, TagValue: 'x' }] })),
      ...[0, 1, 2].map((i) => b.east.tagResource({ KeyId: id, Tags: [{ TagKey: `b${i}`, TagValue: 'x' }] })),
      a.east.updateKeyDescription({ KeyId: id, Description: 'described' }),
    ]);
    const tags = (await b.east.listResourceTags({ KeyId: id })).Tags.map((t) => t.TagKey).sort();
    expect(tags).toEqual(['a0', 'a1', 'a2', 'b0', 'b1', 'b2']);
    expect((await a.east.describeKey({ KeyId: id })).KeyMetadata.Description).toBe('described');
  });

  it('gives up with ConflictException when every attempt is overtaken', async () => {
    const stale = { commit: async () => { throw new StaleWriteError('keys', 'k'); }, getKey: async () => undefined };
    const runtime = { store: stale, arn: (id: string) => `arn:${id}` } as unknown as RegionRuntime;
    await rejects(updateKey(runtime, 'k', async () => ({ record: null, result: 1 })), 'ConflictException');
  });
});

describe('key material at rest', () => {
  it('never stores material in the clear; root keys are non-extractable', async () => {
    const name = uniqueName();
    const { east } = await testKms(name);
    const material = material32(42);
    const id = await keyId(east, { Origin: 'EXTERNAL' });
    await importMaterial(east, id, material);
    await east.encrypt({ KeyId: id, Plaintext: bytes('x') });
    const store = new MemoryStore(`${name}:111122223333:us-east-1`, 'us-east-1');
    const record = await store.getKey(id);
    expect(record!.materials).toHaveLength(1);
    expect(record!.materials[0]!.wrapped.alg).toBe('AES-KW');
    for (const b of allBytes(await store.allKeys())) expect(containsSequence(b, material)).toBe(false);
    const root = await store.root(async () => { throw new Error('the root must exist already'); });
    expect([root.wrap.extractable, root.seal.extractable]).toEqual([false, false]);
    expect([root.wrap.algorithm.name, root.seal.algorithm.name]).toEqual(['AES-KW', 'AES-GCM']);
    for (const i of await store.allImports()) expect(i.privateKey.extractable).toBe(false);
  });

  it('wraps variable-length material (PKCS#8, HMAC-224) under the AES-GCM root key', async () => {
    const name = uniqueName();
    const { east } = await testKms(name);
    const ecc = await keyId(east, { KeySpec: 'ECC_NIST_P521', KeyUsage: 'SIGN_VERIFY' });
    const mac = await keyId(east, { KeySpec: 'HMAC_224', KeyUsage: 'GENERATE_VERIFY_MAC' });
    const store = new MemoryStore(`${name}:111122223333:us-east-1`, 'us-east-1');
    expect((await store.getKey(ecc))!.materials[0]!.wrapped).toMatchObject({ alg: 'AES-GCM', format: 'pkcs8' });
    expect((await store.getKey(mac))!.materials[0]!.wrapped).toMatchObject({ alg: 'AES-GCM', format: 'raw' });
  });
});

describe('crypto-shredding', () => {
  it('after deletion nothing made under the key decrypts, in any region, and no material remains', async () => {
    const name = uniqueName();
    const { east, eu, clock, kms } = await testKms(name);
    const id = await keyId(east, { MultiRegion: true });
    await east.replicateKey({ KeyId: id, ReplicaRegion: 'eu-west-1' });
    await east.rotateKeyOnDemand({ KeyId: id });
    const blobs = [
      (await east.encrypt({ KeyId: id, Plaintext: bytes('a') })).CiphertextBlob,
      (await east.generateDataKey({ KeyId: id, NumberOfBytes: 32 })).CiphertextBlob,
      (await eu.generateDataKeyPairWithoutPlaintext({ KeyId: id, KeyPairSpec: 'ECC_NIST_P256' })).PrivateKeyCiphertextBlob,
    ];
    await eu.scheduleKeyDeletion({ KeyId: id, PendingWindowInDays: 7 });
    await east.scheduleKeyDeletion({ KeyId: id, PendingWindowInDays: 7 });
    clock.t += 14 * DAY;
    await kms.tick();
    for (const CiphertextBlob of blobs) {
      await rejects(east.decrypt({ CiphertextBlob }), 'NotFoundException');
      await rejects(eu.decrypt({ CiphertextBlob }), 'NotFoundException');
    }
    for (const region of kms.regions) {
      const store = new MemoryStore(`${name}:111122223333:${region}`, region);
      expect(await store.getKey(id)).toBeUndefined();
    }
  });
});

describe('simulation controls', () => {
  it('throttles to rps by the injected clock', async () => {
    const { kms, east, clock } = await testKms();
    await kms.simulate({ region: 'us-east-1', throttle: { rps: 3 } });
    for (let i = 0; i < 3; i++) await east.listKeys();
    const error = await rejects(east.listKeys(), 'ThrottlingException', /^Rate exceeded$/);
    expect((error as KmsError).$fault).toBe('server');
    clock.t += 1000;
    await east.listKeys();
    await kms.simulate({ region: 'us-east-1', throttle: null });
    for (let i = 0; i < 10; i++) await east.listKeys();
  });

  it('adds latency', async () => {
    const { kms, east } = await testKms();
    await kms.simulate({ region: 'us-east-1', latencyMs: 40 });
    const t0 = performance.now();
    await east.listKeys();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(35);
  });

  it('disconnects and reconnects keys of a simulated custom key store', async () => {
    const { kms, east } = await testKms();
    const id = await keyId(east);
    await kms.simulate({ region: 'us-east-1', customKeyStore: { disconnect: [id] } });
    await rejects(east.encrypt({ KeyId: id, Plaintext: bytes('x') }), 'KMSInvalidStateException', /is unavailable\.$/);
    await kms.simulate({ region: 'us-east-1', customKeyStore: { connect: [id] } });
    await east.encrypt({ KeyId: id, Plaintext: bytes('x') });
  });
});

describe('the Kms object', () => {
  it('records every call, success or failure, without payloads', async () => {
    const events: CallEvent[] = [];
    const kms = await createKms({ storage: 'memory', now: () => 5, recorder: (e) => void events.push(e) });
    // The default key policy lets IAM decide for the account's roles: give the role its permissions.
    const PolicyDocument = JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'kms:*', Resource: '*' } });
    await kms.iam.putRolePolicy({ RoleName: 'app', PolicyName: 'kms-admin', PolicyDocument });
    const client = kms.region('eu-west-1', { principal: 'arn:aws:iam::111122223333:role/app' });
    const id = (await client.createKey()).KeyMetadata.KeyId;
    await client.disableKey({ KeyId: id });
    await client.encrypt({ KeyId: id, Plaintext: bytes('secret') }).catch(() => undefined);
    expect(events.map((e) => [e.eventName, e.errorCode ?? 'ok'])).toEqual([['CreateKey', 'ok'], ['DisableKey', 'ok'], ['Encrypt', 'DisabledException']]);
    expect(events[2]).toEqual({ eventTime: 5, eventName: 'Encrypt', awsRegion: 'eu-west-1', principal: 'arn:aws:iam::111122223333:role/app', resources: [`arn:aws:kms:eu-west-1:111122223333:key/${id}`], errorCode: 'DisabledException' });
  });

  it('checks its options and region names, and refuses calls once closed', async () => {
    await expect(createKms({ storage: 'disk' as never })).rejects.toThrow(TypeError);
    await expect(createKms({ storage: 'memory', account: '12' })).rejects.toThrow(RangeError);
    await expect(createKms({ storage: 'memory', auditDurability: 'relaxed' as never })).rejects.toThrow(/options.auditDurability must be 'default' or 'strict'/);
    await expect(createKms({ storage: 'indexeddb' })).rejects.toThrow(/IndexedDB/);
    const kms = await createKms({ storage: 'memory', regions: ['eu-central-1'] });
    expect(() => kms.region('us-east-1')).toThrow(RangeError);
    const client = kms.region('eu-central-1');
    kms.close();
    // Closed is the simulator's state, not an AWS fault: no KMSInternalException (issue 10).
    const closed = await client.listKeys().then(() => undefined, (error: unknown) => error);
    expect(closed).toBeInstanceOf(SimulatorError);
    expect(closed).toMatchObject({ name: 'SimulatorError', code: 'CLOSED', message: expect.stringMatching(/closed/) });
  });
});
