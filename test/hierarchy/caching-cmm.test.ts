/**
 * The caching materials manager against framework/caching-cmm.md (0.4.0) and
 * local-cryptographic-materials-cache.md: cache ids (computed here with node:crypto from Appendix A),
 * each usage limit enforced exactly, expiry by an injected clock, partition isolation, suites with
 * the identity KDF never cached, copies handed out (the core zeroes data keys), signing suites,
 * decryption materials, and the LRU capacity.
 */
import { createHash } from 'node:crypto';
import {
  CachingCmm,
  LocalMaterialsCache,
  RawAesKeyring,
  RequiredEncryptionContextCmm,
  decrypt,
  decryptStream,
  encrypt,
  encryptStream,
  parseHeader,
  type DecryptionMaterials,
  type EncryptedDataKey,
  type EncryptionMaterials,
  type Keyring,
} from '../../src/core/index.js';
import { hex, rejection, text, toHex } from './fixtures.js';

/** A raw AES keyring that counts the calls reaching it (each would be a KMS call with a KMS keyring). */
function countingKeyring(): Keyring & { encrypts: number; decrypts: number; raw: RawAesKeyring } {
  const raw = new RawAesKeyring({ keyNamespace: 'cache-test', keyName: 'k', wrappingKey: new Uint8Array(32).fill(9) });
  const keyring = {
    raw,
    encrypts: 0,
    decrypts: 0,
    onEncrypt(m: EncryptionMaterials) {
      keyring.encrypts++;
      return raw.onEncrypt(m);
    },
    onDecrypt(m: DecryptionMaterials, edks: readonly EncryptedDataKey[]) {
      keyring.decrypts++;
      return raw.onDecrypt(m, edks);
    },
  };
  return keyring;
}

/** The EDK ciphertext of a message: equal exactly when two messages share a data key. */
const edkOf = (message: Uint8Array): string => toHex(parseHeader(message)!.encryptedDataKeys[0]!.ciphertext);
const read = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

function setup(options: Partial<ConstructorParameters<typeof CachingCmm>[0]> = {}) {
  const keyring = countingKeyring();
  const clock = { t: 5_000 };
  const cmm = new CachingCmm({ keyring, maxAge: 60_000, now: () => clock.t, ...options });
  return { keyring, clock, cmm };
}

describe('CachingCmm: cache ids (spec Appendix A, SHA-384)', () => {
  const context = { b: '2', a: '1' };
  // Serialized by hand: count 2, then ("a","1"), ("b","2").
  const contextBytes = hex('0002 0001 61 0001 31 0001 62 0001 32');
  const sha384 = (...parts: Uint8Array[]) => createHash('sha384').update(Buffer.concat(parts)).digest('hex');

  it('encryption without and with a suite, decryption with sorted EDKs', async () => {
    const keyring = countingKeyring();
    const cache = new LocalMaterialsCache({ capacity: 10 });
    const cmm = new CachingCmm({ keyring, maxAge: 60_000, cache, partition: 'part' });
    const partition = text('part');
    const { ciphertext } = await encrypt(cmm, text('12345'), { encryptionContext: context });
    const withoutSuite = sha384(hex('01 00 01 00'), partition, hex('00'), hex('00 00'), contextBytes);
    expect(cache.get(withoutSuite)).toMatchObject({ messagesEncrypted: 1, bytesEncrypted: 5 });
    await encrypt(cmm, text('1234567'), { encryptionContext: context, suiteId: 0x0478 });
    const withSuite = sha384(hex('01 00 01 00'), partition, hex('00'), hex('01 00'), hex('0478'), hex('00'), contextBytes);
    expect(cache.get(withSuite)).toMatchObject({ messagesEncrypted: 1, bytesEncrypted: 7 });
    await decrypt(cmm, ciphertext);
    const header = parseHeader(ciphertext)!;
    const edks = header.encryptedDataKeys
      .map((e) => Buffer.concat([hex('00' + (e.providerId.length).toString(16).padStart(2, '0')), Buffer.from(e.providerId), hex(e.providerInfo.length.toString(16).padStart(4, '0')), e.providerInfo, hex(e.ciphertext.length.toString(16).padStart(4, '0')), e.ciphertext]))
      .sort(Buffer.compare);
    const decryptId = sha384(hex('01 00 02 00'), partition, hex('00'), hex('0578'), hex('00'), ...edks, hex('00'), Buffer.from(serialize(header.encryptionContext)));
    expect(cache.get(decryptId)).toBeDefined();
    expect(cache.size).toBe(3);
  });

  /** The stored context (with aws-crypto-public-key) serialized by hand. */
  function serialize(ctx: Record<string, string>): Uint8Array {
    const keys = Object.keys(ctx).sort();
    const parts = [hex(keys.length.toString(16).padStart(4, '0'))];
    for (const k of keys) for (const s of [k, ctx[k]!]) parts.push(hex(Buffer.byteLength(s).toString(16).padStart(4, '0')), text(s));
    return Buffer.concat(parts);
  }
});

describe('CachingCmm: limits', () => {
  it('maxMessagesEncrypted: the message that would exceed it gets fresh materials', async () => {
    const { keyring, cmm } = setup({ maxMessagesEncrypted: 3 });
    const messages = [];
    for (let i = 0; i < 7; i++) messages.push((await encrypt(cmm, text(`m${i}`))).ciphertext);
    expect(keyring.encrypts).toBe(3);
    const keys = messages.map(edkOf);
    expect(new Set(keys.slice(0, 3)).size).toBe(1);
    expect(new Set(keys.slice(3, 6)).size).toBe(1);
    expect(new Set(keys).size).toBe(3);
    for (const [i, m] of messages.entries()) expect(read((await decrypt(keyring.raw, m)).plaintext)).toBe(`m${i}`);
  });

  it('maxBytesEncrypted: counted exactly, a message above it bypasses the cache', async () => {
    const { keyring, cmm } = setup({ maxBytesEncrypted: 100 });
    const sizes = [40, 40, 20, 1, 100, 0, 101, 0];
    const keys = [];
    for (const size of sizes) keys.push(edkOf((await encrypt(cmm, new Uint8Array(size))).ciphertext));
    // 40+40+20 = 100 fits; +1 does not: fresh. 100 alone exceeds 1+100: fresh, then 0 fits with it.
    // 101 never fits: fresh and not cached, so the last 0 still uses the 100-byte entry.
    expect(keys[0]).toBe(keys[1]);
    expect(keys[1]).toBe(keys[2]);
    expect(keys[3]).not.toBe(keys[2]);
    expect(keys[4]).not.toBe(keys[3]);
    expect(keys[5]).toBe(keys[4]);
    expect(keys[6]).not.toBe(keys[5]);
    expect(keys[7]).toBe(keys[4]);
    expect(keyring.encrypts).toBe(4);
  });

  it('maxAge: expiry by the injected clock (valid up to exactly maxAge)', async () => {
    const { keyring, cmm, clock } = setup({ maxAge: 1_000 });
    const a = edkOf((await encrypt(cmm, text('a'))).ciphertext);
    clock.t += 1_000;
    expect(edkOf((await encrypt(cmm, text('b'))).ciphertext)).toBe(a);
    clock.t += 1;
    expect(edkOf((await encrypt(cmm, text('c'))).ciphertext)).not.toBe(a);
    expect(keyring.encrypts).toBe(2);
    // Decryption materials expire the same way.
    const { ciphertext } = await encrypt(cmm, text('d'));
    await decrypt(cmm, ciphertext);
    await decrypt(cmm, ciphertext);
    expect(keyring.decrypts).toBe(1);
    clock.t += 1_001;
    await decrypt(cmm, ciphertext);
    expect(keyring.decrypts).toBe(2);
  });

  it('limits hold when many messages race on a cold cache, and they share the underlying calls', async () => {
    const { keyring, cmm } = setup({ maxMessagesEncrypted: 5 });
    const messages = await Promise.all(Array.from({ length: 20 }, (_, i) => encrypt(cmm, text(`m${i}`))));
    expect(keyring.encrypts).toBe(4);
    const counts = new Map<string, number>();
    for (const m of messages) counts.set(edkOf(m.ciphertext), (counts.get(edkOf(m.ciphertext)) ?? 0) + 1);
    expect([...counts.values()]).toEqual([5, 5, 5, 5]);
  });

  it('checks its options', () => {
    const keyring = countingKeyring();
    expect(() => new CachingCmm({ keyring, maxAge: 0 })).toThrow(RangeError);
    expect(() => new CachingCmm({ keyring, maxAge: 1, maxMessagesEncrypted: 0 })).toThrow(RangeError);
    expect(() => new CachingCmm({ keyring, maxAge: 1, maxMessagesEncrypted: 2 ** 32 + 1 })).toThrow(RangeError);
    expect(() => new CachingCmm({ keyring, maxAge: 1, maxBytesEncrypted: 1.5 })).toThrow(TypeError);
    expect(() => new CachingCmm({ keyring: {} as Keyring, maxAge: 1 })).toThrow(/CachingCmm options.keyring/);
    expect(() => new CachingCmm({ keyring, maxAge: 1, cache: new LocalMaterialsCache({ capacity: 1 }), capacity: 2 })).toThrow(TypeError);
  });
});

describe('CachingCmm: what is cached', () => {
  it('partitions: CachingCmms on one cache share entries only within a partition', async () => {
    const cache = new LocalMaterialsCache({ capacity: 10 });
    const keyring = countingKeyring();
    const make = (partition?: string) => new CachingCmm({ keyring, maxAge: 60_000, cache, ...(partition ? { partition } : {}) });
    const [a1, a2, b, anonymous] = [make('a'), make('a'), make('b'), make()];
    const ids = [];
    for (const cmm of [a1, a2, b, anonymous]) ids.push(edkOf((await encrypt(cmm, text('x'), { encryptionContext: { k: 'v' } })).ciphertext));
    expect(ids[0]).toBe(ids[1]);
    expect(new Set(ids).size).toBe(3);
    expect(keyring.encrypts).toBe(3);
    expect(anonymous.partition).not.toBe(make().partition);
  });

  it('a different context or suite is a different entry', async () => {
    const { keyring, cmm } = setup();
    for (const encryptionContext of [{ k: '1' }, { k: '2' }, { k: '1' }]) await encrypt(cmm, text('x'), { encryptionContext });
    await encrypt(cmm, text('x'), { encryptionContext: { k: '1' }, suiteId: 0x0478 });
    expect(keyring.encrypts).toBe(3);
  });

  it('never caches suites with the identity KDF (0x0014, 0x0046, 0x0078)', async () => {
    for (const suiteId of [0x0014, 0x0046, 0x0078] as const) {
      const cache = new LocalMaterialsCache({ capacity: 10 });
      const keyring = countingKeyring();
      const cmm = new CachingCmm({ keyring, maxAge: 60_000, cache });
      const options = { suiteId, commitmentPolicy: 'FORBID_ENCRYPT_ALLOW_DECRYPT' as const };
      const { ciphertext } = await encrypt(cmm, text('a'), options);
      await encrypt(cmm, text('b'), options);
      await decrypt(cmm, ciphertext, { commitmentPolicy: 'REQUIRE_ENCRYPT_ALLOW_DECRYPT' });
      await decrypt(cmm, ciphertext, { commitmentPolicy: 'REQUIRE_ENCRYPT_ALLOW_DECRYPT' });
      expect([keyring.encrypts, keyring.decrypts, cache.size]).toEqual([2, 2, 0]);
    }
  });

  it('hands out copies: the core zeroes its data key, the cache keeps its own', async () => {
    const { cmm } = setup();
    const request = { encryptionContext: {}, commitmentPolicy: 'REQUIRE_ENCRYPT_REQUIRE_DECRYPT' as const, plaintextLength: 1 };
    const first = await cmm.getEncryptionMaterials(request);
    const original = toHex(first.plaintextDataKey!);
    first.plaintextDataKey!.fill(0);
    first.encryptedDataKeys.length = 0;
    const second = await cmm.getEncryptionMaterials(request);
    expect(toHex(second.plaintextDataKey!)).toBe(original);
    expect(second.encryptedDataKeys).toHaveLength(1);
    expect(second.plaintextDataKey).not.toBe((await cmm.getEncryptionMaterials(request)).plaintextDataKey);
  });

  it('signing suites: the cached signing key signs every message, one-shot and streamed', async () => {
    const { keyring, cmm } = setup();
    const messages = [];
    for (let i = 0; i < 3; i++) messages.push((await encrypt(cmm, text(`signed ${i}`))).ciphertext);
    expect(keyring.encrypts).toBe(1);
    const keys = messages.map((m) => parseHeader(m)!.encryptionContext['aws-crypto-public-key']);
    expect(new Set(keys).size).toBe(1);
    for (const [i, m] of messages.entries()) expect(read((await decrypt(keyring.raw, m)).plaintext)).toBe(`signed ${i}`);
    // A stream needs an extractable signing key: it gets fresh materials, which then serve both paths.
    const streamed = await pipe(encryptStream(cmm, { plaintextLength: 6 }), text('stream'));
    expect(keyring.encrypts).toBe(2);
    expect(read(await pipe(decryptStream(keyring.raw), streamed))).toBe('stream');
    const after = (await encrypt(cmm, text('one-shot again'))).ciphertext;
    expect(keyring.encrypts).toBe(2);
    expect(read((await decrypt(keyring.raw, after)).plaintext)).toBe('one-shot again');
    // A stream of unknown length cannot be counted against the byte limit: it bypasses the cache.
    await pipe(encryptStream(cmm), text('unbounded'));
    expect(keyring.encrypts).toBe(3);
  });

  it('caches decryption materials, but not across different required-only pairs', async () => {
    const keyring = countingKeyring();
    const caching = new CachingCmm({ keyring, maxAge: 60_000 });
    const cmm = new RequiredEncryptionContextCmm({ underlying: caching, requiredEncryptionContextKeys: ['tenant'] });
    const { ciphertext } = await encrypt(cmm, text('secret'), { encryptionContext: { tenant: 'acme' } });
    for (let i = 0; i < 3; i++) expect(read((await decrypt(cmm, ciphertext, { encryptionContext: { tenant: 'acme' } })).plaintext)).toBe('secret');
    expect(keyring.decrypts).toBe(1);
    expect((await rejection(decrypt(cmm, ciphertext, { encryptionContext: { tenant: 'evil' } }))).code).toBe('ENCRYPTION_CONTEXT_MISMATCH');
    expect(keyring.decrypts).toBe(2);
  });

  it('keeps at most capacity entries (LRU) and zeroes the key of each one that leaves', async () => {
    const keyring = countingKeyring();
    const cache = new LocalMaterialsCache({ capacity: 2 });
    const cmm = new CachingCmm({ keyring, maxAge: 60_000, cache, partition: 'lru' });
    const request = (k: string) => ({ encryptionContext: { k }, commitmentPolicy: 'REQUIRE_ENCRYPT_REQUIRE_DECRYPT' as const, plaintextLength: 1 });
    for (const k of ['a', 'b', 'a', 'c', 'a', 'b']) await cmm.getEncryptionMaterials(request(k));
    // a, b; a hit; c evicts b; a hit; b again (evicting c).
    expect(keyring.encrypts).toBe(4);
    expect(cache.size).toBe(2);
    // The cache's own copies: the one evicted is zeroed, what was handed out is not.
    const handedA = await cmm.getEncryptionMaterials(request('a'));
    const copyA = cache.get<EncryptionMaterials>(encryptId('lru', { k: 'a' }))!.value;
    const copyB = cache.get<EncryptionMaterials>(encryptId('lru', { k: 'b' }))!.value;
    await cmm.getEncryptionMaterials(request('c')); // evicts a, now least recently used
    expect(cache.get(encryptId('lru', { k: 'a' }))).toBeUndefined();
    expect(copyA.plaintextDataKey!.every((b) => b === 0)).toBe(true);
    expect(copyB.plaintextDataKey!.some((b) => b !== 0)).toBe(true);
    expect(handedA.plaintextDataKey!.some((b) => b !== 0)).toBe(true);
  });
});

/** The encryption cache id without a suite, for a one-pair ASCII context (spec Appendix A). */
function encryptId(partition: string, context: Record<string, string>): string {
  const [[k, v]] = Object.entries(context) as [[string, string]];
  const ctx = Buffer.concat([hex('0001'), hex(k.length.toString(16).padStart(4, '0')), text(k), hex(v.length.toString(16).padStart(4, '0')), text(v)]);
  return createHash('sha384').update(Buffer.concat([hex('01 00 01 00'), text(partition), hex('00 00 00'), ctx])).digest('hex');
}

async function pipe(stream: TransformStream<Uint8Array, Uint8Array>, input: Uint8Array): Promise<Uint8Array> {
  const writer = stream.writable.getWriter();
  const written = writer.write(input).then(() => writer.close());
  const chunks: Uint8Array[] = [];
  const reader = stream.readable.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
  }
  await written;
  return new Uint8Array(Buffer.concat(chunks));
}
