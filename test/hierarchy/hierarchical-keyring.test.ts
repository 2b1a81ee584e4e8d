/**
 * The hierarchical keyring over the branch key store and the simulated KMS: round trips with every
 * suite, across branch key versions, the branch key cache (TTL by an injected clock, LRU limit,
 * one fetch for concurrent messages), the per-tenant supplier, and failures.
 */
import {
  ALL_SUITE_IDS,
  HierarchicalKeyring,
  LocalMaterialsCache,
  MultiKeyring,
  RawAesKeyring,
  RequiredEncryptionContextCmm,
  decrypt,
  encrypt,
  parseHeader,
  type SuiteId,
} from '../../src/core/index.js';
import { bytesToUuid } from '../../src/core/hierarchical-keyring-wrap.js';
import { REGION, countingSource, rejection, storeFixture, text } from './fixtures.js';

const policyFor = (suiteId: SuiteId) => (suiteId >= 0x0478 ? 'REQUIRE_ENCRYPT_REQUIRE_DECRYPT' : 'FORBID_ENCRYPT_ALLOW_DECRYPT');
const versionOf = (message: Uint8Array, index = 0): string => bytesToUuid(parseHeader(message)!.encryptedDataKeys[index]!.ciphertext.subarray(28, 44));
const read = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

async function keyringFixture(options: { ttlSeconds?: number; cacheLimit?: number } = {}) {
  const fixture = await storeFixture();
  const clock = { t: 1_000_000 };
  const source = countingSource(fixture.store);
  const branchKeyId = await fixture.store.createKey();
  const keyring = new HierarchicalKeyring({ keyStore: source, branchKeyId, ttlSeconds: options.ttlSeconds ?? 60, cacheLimit: options.cacheLimit, now: () => clock.t });
  return { ...fixture, clock, source, branchKeyId, keyring };
}

describe('HierarchicalKeyring: round trips', () => {
  it('encrypts and decrypts with every algorithm suite', async () => {
    const { keyring, branchKeyId } = await keyringFixture();
    for (const suiteId of ALL_SUITE_IDS) {
      const { ciphertext, header } = await encrypt(keyring, text(`suite ${suiteId}`), { suiteId, encryptionContext: { purpose: 'test' }, commitmentPolicy: policyFor(suiteId) });
      expect(header.encryptedDataKeys).toHaveLength(1);
      expect(header.encryptedDataKeys[0]!.providerId).toBe('aws-kms-hierarchy');
      expect(read(header.encryptedDataKeys[0]!.providerInfo)).toBe(branchKeyId);
      const { plaintext } = await decrypt(keyring, ciphertext, { commitmentPolicy: 'REQUIRE_ENCRYPT_ALLOW_DECRYPT', encryptionContext: { purpose: 'test' } });
      expect(read(plaintext)).toBe(`suite ${suiteId}`);
    }
  });

  it('decrypts messages of every version after the branch key is versioned', async () => {
    const { keyring, store, branchKeyId, clock, source } = await keyringFixture({ ttlSeconds: 60 });
    const v1 = (await store.getActiveKey(branchKeyId)).branchKeyVersion;
    const m1 = (await encrypt(keyring, text('one'))).ciphertext;
    const v2 = await store.versionKey(branchKeyId);
    // Within the TTL the keyring still wraps under the version it cached.
    expect(versionOf((await encrypt(keyring, text('still one'))).ciphertext)).toBe(v1);
    clock.t += 60_001;
    const m2 = (await encrypt(keyring, text('two'))).ciphertext;
    const v3 = await store.versionKey(branchKeyId);
    clock.t += 60_001;
    const m3 = (await encrypt(keyring, text('three'))).ciphertext;
    expect([versionOf(m1), versionOf(m2), versionOf(m3)]).toEqual([v1, v2, v3]);
    expect(source.active).toBe(3);
    // A new keyring (e.g. another tab) decrypts each version, fetching each once.
    const reader = countingSource(store);
    const fresh = new HierarchicalKeyring({ keyStore: reader, branchKeyId, ttlSeconds: 60 });
    for (const [m, want] of [[m1, 'one'], [m2, 'two'], [m3, 'three'], [m1, 'one']] as const) expect(read((await decrypt(fresh, m)).plaintext)).toBe(want);
    expect(reader.versions).toBe(3);
  });

  it('adds its copy to a data key another keyring generated (as a MultiKeyring child)', async () => {
    const { keyring } = await keyringFixture();
    const raw = new RawAesKeyring({ keyNamespace: 'app', keyName: 'k', wrappingKey: new Uint8Array(32).fill(7) });
    const { ciphertext, header } = await encrypt(new MultiKeyring({ generator: raw, children: [keyring] }), text('both'));
    expect(header.encryptedDataKeys.map((e) => e.providerId)).toEqual(['app', 'aws-kms-hierarchy']);
    expect(read((await decrypt(keyring, ciphertext)).plaintext)).toBe('both');
    expect(read((await decrypt(raw, ciphertext)).plaintext)).toBe('both');
  });

  it('binds the encryption context, required-only pairs included', async () => {
    const { keyring } = await keyringFixture();
    const cmm = new RequiredEncryptionContextCmm({ underlying: keyring, requiredEncryptionContextKeys: ['tenant'] });
    const { ciphertext } = await encrypt(cmm, text('bound'), { encryptionContext: { tenant: 'acme', purpose: 'notes' } });
    expect(read((await decrypt(cmm, ciphertext, { encryptionContext: { tenant: 'acme' } })).plaintext)).toBe('bound');
    const error = await rejection(decrypt(cmm, ciphertext, { encryptionContext: { tenant: 'evil' } }));
    expect(error.code).toBe('ENCRYPTION_CONTEXT_MISMATCH');
  });
});

describe('HierarchicalKeyring: the branch key cache', () => {
  it('fetches the active branch key once per TTL (injected clock, entries valid up to exactly the TTL)', async () => {
    const { keyring, source, clock, calls } = await keyringFixture({ ttlSeconds: 900 });
    calls.length = 0;
    for (let i = 0; i < 50; i++) await encrypt(keyring, text(`m${i}`));
    expect(source.active).toBe(1);
    expect(calls).toEqual(['Decrypt']);
    clock.t += 900_000;
    await encrypt(keyring, text('at the TTL'));
    expect(source.active).toBe(1);
    clock.t += 1;
    await encrypt(keyring, text('past the TTL'));
    expect(source.active).toBe(2);
  });

  it('makes one fetch for many concurrent messages on a cold cache', async () => {
    const { keyring, source, calls } = await keyringFixture();
    calls.length = 0;
    const messages = await Promise.all(Array.from({ length: 40 }, (_, i) => encrypt(keyring, text(`m${i}`))));
    expect(source.active).toBe(1);
    const reader = countingSource(source);
    const fresh = new HierarchicalKeyring({ keyStore: reader, branchKeyId: keyring.branchKeyId, ttlSeconds: 60 });
    await Promise.all(messages.map((m) => decrypt(fresh, m.ciphertext)));
    expect(reader.versions).toBe(1);
    expect(calls).toEqual(['Decrypt', 'Decrypt']);
  });

  it('keeps at most cacheLimit branch keys, evicting the least recently used', async () => {
    const { store } = await storeFixture();
    const ids: Record<string, string> = {};
    for (const tenant of ['a', 'b', 'c']) ids[tenant] = await store.createKey();
    const source = countingSource(store);
    const keyring = new HierarchicalKeyring({ keyStore: source, branchKeyIdSupplier: (c) => ids[c.tenant!]!, ttlSeconds: 60, cacheLimit: 2 });
    for (const tenant of ['a', 'b', 'a', 'c', 'a', 'b']) await encrypt(keyring, text(tenant), { encryptionContext: { tenant } });
    // a, b fetched; a hit; c evicts b (least recently used); a hit; b fetched again.
    expect(source.active).toBe(4);
    const uncached = countingSource(store);
    const none = new HierarchicalKeyring({ keyStore: uncached, branchKeyId: ids.a!, ttlSeconds: 60, cacheLimit: 0 });
    for (let i = 0; i < 3; i++) await encrypt(none, text('x'));
    expect(uncached.active).toBe(3);
  });

  it('shares a shared cache only between keyrings of the same partition id', async () => {
    const { store } = await storeFixture();
    const branchKeyId = await store.createKey();
    const cache = new LocalMaterialsCache({ capacity: 10 });
    const make = (partitionId: string) => {
      const source = countingSource(store);
      return { source, keyring: new HierarchicalKeyring({ keyStore: source, branchKeyId, ttlSeconds: 60, cache, partitionId }) };
    };
    const [first, same, other] = [make('p1'), make('p1'), make('p2')];
    for (const { keyring } of [first, same, other]) await encrypt(keyring, text('x'));
    expect([first.source.active, same.source.active, other.source.active]).toEqual([1, 0, 1]);
  });
});

describe('HierarchicalKeyring: branch key supplier', () => {
  it('wraps each tenant\'s messages under its own branch key and decrypts by the message\'s context', async () => {
    const { store } = await storeFixture();
    const ids = { acme: await store.createKey(), globex: await store.createKey() };
    const supplier = async (context: Record<string, string>) => ids[context.tenant as keyof typeof ids];
    const keyring = new HierarchicalKeyring({ keyStore: store, branchKeyIdSupplier: supplier, ttlSeconds: 60 });
    const acme = await encrypt(keyring, text('acme data'), { encryptionContext: { tenant: 'acme' } });
    const globex = await encrypt(keyring, text('globex data'), { encryptionContext: { tenant: 'globex' } });
    expect(read(acme.header.encryptedDataKeys[0]!.providerInfo)).toBe(ids.acme);
    expect(read(globex.header.encryptedDataKeys[0]!.providerInfo)).toBe(ids.globex);
    expect(read((await decrypt(keyring, acme.ciphertext)).plaintext)).toBe('acme data');
    expect(read((await decrypt(keyring, globex.ciphertext)).plaintext)).toBe('globex data');
    // A keyring bound to one tenant's branch key cannot read another tenant's messages.
    const globexOnly = new HierarchicalKeyring({ keyStore: store, branchKeyId: ids.globex, ttlSeconds: 60 });
    expect((await rejection(decrypt(globexOnly, acme.ciphertext))).code).toBe('NO_DECRYPTING_KEYRING');
  });

  it('refuses a supplier answer that is not a branch key id', async () => {
    const { store } = await storeFixture();
    const keyring = new HierarchicalKeyring({ keyStore: store, branchKeyIdSupplier: () => undefined as unknown as string, ttlSeconds: 60 });
    await expect(encrypt(keyring, text('x'))).rejects.toThrow(/branchKeyIdSupplier/);
  });
});

describe('HierarchicalKeyring: failures', () => {
  it('detects a changed wrapped key, a forged version and a wrong branch key id', async () => {
    const { keyring, branchKeyId } = await keyringFixture();
    const { ciphertext, header } = await encrypt(keyring, text('x'), { suiteId: 0x0178, commitmentPolicy: 'FORBID_ENCRYPT_ALLOW_DECRYPT' });
    const edk = header.encryptedDataKeys[0]!;
    const materials = () => ({ suiteId: 0x0178 as const, encryptionContext: {}, requiredEncryptionContextKeys: [] });
    for (const at of [0, 20, 50, 91]) {
      const altered = edk.ciphertext.slice();
      altered[at]! ^= 1;
      expect((await rejection(keyring.onDecrypt(materials(), [{ ...edk, ciphertext: altered }]))).code).toBe('NO_DECRYPTING_KEYRING');
    }
    const forged = edk.ciphertext.slice();
    forged.set(new Uint8Array(16).fill(0x42), 28);
    const error = await rejection(keyring.onDecrypt(materials(), [{ ...edk, ciphertext: forged }]));
    expect(error.message).toMatch(/NOT_FOUND|not in logical key store/);
    // An EDK of another branch key is not this keyring's: left alone, materials unchanged.
    const other = await keyring.onDecrypt(materials(), [{ ...edk, providerInfo: text(`${branchKeyId}x`) }]);
    expect(other.plaintextDataKey).toBeUndefined();
    expect(read((await decrypt(keyring, ciphertext, { commitmentPolicy: 'REQUIRE_ENCRYPT_ALLOW_DECRYPT' })).plaintext)).toBe('x');
  });

  it('fails encrypt with KEYRING_FAILURE when KMS refuses the branch key', async () => {
    const { keyring, kms, keyArn } = await keyringFixture();
    await kms.region(REGION).disableKey({ KeyId: keyArn });
    const error = await rejection(encrypt(keyring, text('x')));
    expect(error.code).toBe('KEYRING_FAILURE');
    expect(error.message).toMatch(/DisabledException/);
  });

  it('checks its options', async () => {
    const { store } = await storeFixture();
    expect(() => new HierarchicalKeyring({ keyStore: store, ttlSeconds: 60 })).toThrow(/branchKeyId or a branchKeyIdSupplier/);
    expect(() => new HierarchicalKeyring({ keyStore: store, branchKeyId: 'a', branchKeyIdSupplier: () => 'a', ttlSeconds: 60 })).toThrow(TypeError);
    expect(() => new HierarchicalKeyring({ keyStore: store, branchKeyId: 'a', ttlSeconds: 0 })).toThrow(RangeError);
    expect(() => new HierarchicalKeyring({ keyStore: store, branchKeyId: 'a', ttlSeconds: 60, cacheLimit: -1 })).toThrow(RangeError);
    expect(() => new HierarchicalKeyring({ keyStore: {} as typeof store, branchKeyId: 'a', ttlSeconds: 60 })).toThrow(/keyStore/);
  });
});
