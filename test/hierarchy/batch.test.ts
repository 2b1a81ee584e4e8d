/**
 * encryptMany / decryptMany (the core's batch path, what kit.encryptMany / decryptMany run in the
 * worker): with the hierarchical keyring and suite 0x0478 they take the batch path (header template,
 * one wrapper per batch, data keys unwrapped straight into HKDF); every message must be exactly
 * what `encrypt` makes and `decrypt` reads, every failure exactly what `decrypt` throws. The AWS
 * ESDK's own reading of batch messages is in esdk-interop.test.ts.
 */
import { createDecipheriv, createHmac, hkdfSync } from 'node:crypto';
import {
  HierarchicalKeyring,
  RawAesKeyring,
  RequiredEncryptionContextCmm,
  decrypt,
  encrypt,
  parseHeader,
  type MessageHeader,
} from '../../src/core/index.js';
import { decryptMany } from '../../src/core/decrypt.js';
import { encryptMany } from '../../src/core/encrypt.js';
import { headerTemplate, readHeader, serializeHeaderBody } from '../../src/core/header.js';
import { RandomPool } from '../../src/core/random-pool.js';
import { findSuite } from '../../src/core/suites.js';
import { serializeContext } from '../../src/core/encryption-context.js';
import { bytesToUuid, parseWrappedDataKey } from '../../src/core/hierarchical-keyring-wrap.js';
import { countingSource, hex, rejection, staticSource, storeFixture, text, toHex } from './fixtures.js';

const context = { tenant: 'acme', purpose: 'notes' };
const read = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
const records = (count: number, size = 0) => Array.from({ length: count }, (_, i) => text(`record ${i} ${'x'.repeat(size)}`));
const plaintextOf = (r: { plaintext: Uint8Array } | { error: unknown }) => ('plaintext' in r ? read(r.plaintext) : r.error);

async function fixture(options: { ttlSeconds?: number; cacheLimit?: number } = {}) {
  const store = await storeFixture();
  const clock = { t: 1_000_000 };
  const source = countingSource(store.store);
  const branchKeyId = await store.store.createKey();
  const keyring = new HierarchicalKeyring({ keyStore: source, branchKeyId, ttlSeconds: options.ttlSeconds ?? 60, cacheLimit: options.cacheLimit, now: () => clock.t });
  return { ...store, clock, source, branchKeyId, keyring };
}

/** What the header says, without the per-message fields. */
function shape(header: MessageHeader) {
  const { messageId: _m, suiteData: _s, encryptedDataKeys, ...rest } = header;
  return { ...rest, encryptedDataKeys: encryptedDataKeys.map((edk) => ({ providerId: edk.providerId, providerInfo: toHex(edk.providerInfo), length: edk.ciphertext.length })) };
}

describe('encryptMany: the batch path', () => {
  it('makes messages that decrypt, one each, with the header encrypt makes (bar message id, EDK and commitment)', async () => {
    const { keyring, branchKeyId } = await fixture();
    const plaintexts = [...records(20), new Uint8Array(0), text('y'.repeat(5000))];
    const messages = await encryptMany(keyring, plaintexts, { encryptionContext: context, suiteId: 0x0478, frameLength: 4096 });
    const single = await encrypt(keyring, text('one'), { encryptionContext: context, suiteId: 0x0478, frameLength: 4096 });
    expect(messages).toHaveLength(plaintexts.length);
    const ids = new Set<string>();
    const edks = new Set<string>();
    for (const [i, message] of messages.entries()) {
      const header = parseHeader(message)!;
      expect(shape(header)).toEqual(shape(single.header));
      expect(read(header.encryptedDataKeys[0]!.providerInfo)).toBe(branchKeyId);
      ids.add(toHex(header.messageId));
      edks.add(toHex(header.encryptedDataKeys[0]!.ciphertext));
      const { plaintext } = await decrypt(keyring, message, { encryptionContext: context });
      expect(toHex(plaintext)).toBe(toHex(plaintexts[i]!));
      expect(message.byteLength).toBe(message.buffer.byteLength);
    }
    // Fresh message ids, salts, IVs and data keys for every message.
    expect(ids.size).toBe(messages.length);
    expect(edks.size).toBe(messages.length);
    // The input is the caller's: not zeroed, not detached.
    expect(read(plaintexts[0]!)).toBe('record 0 ');
  });

  it('is byte-exact: a message recomputed with node:crypto from the branch key matches field by field', async () => {
    const branchKey = hex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
    const branchKeyId = 'bbb9baf1-03e6-4716-a586-6bf29995314b';
    const version = '83eec007-5659-4554-bf11-699b90f41ac6';
    const keyring = new HierarchicalKeyring({ keyStore: staticSource('static', { [branchKeyId]: { [version]: branchKey } }), branchKeyId, ttlSeconds: 60 });
    const [message] = await encryptMany(keyring, [text('known answer')], { encryptionContext: context, suiteId: 0x0478 });
    const parsed = readHeader(message!)!;
    const { header } = parsed;
    const wrapped = parseWrappedDataKey(header.encryptedDataKeys[0]!.ciphertext, 32)!;
    expect(bytesToUuid(wrapped.version)).toBe(version);
    // Branch key unwrapping (spec: aws-kms-hierarchical-keyring.md): KDF in counter mode, AES-256-GCM.
    const kdfIn = Buffer.concat([hex('00000001'), Buffer.from('aws-kms-hierarchy'), hex('00'), wrapped.salt, hex('00000100')]);
    const wrappingKey = createHmac('sha256', branchKey).update(kdfIn).digest();
    const aad = Buffer.concat([Buffer.from('aws-kms-hierarchy'), Buffer.from(branchKeyId), wrapped.version, serializeContext(context)]);
    const unwrap = createDecipheriv('aes-256-gcm', wrappingKey, wrapped.iv).setAAD(aad);
    unwrap.setAuthTag(wrapped.sealed.subarray(32));
    const dataKey = Buffer.concat([unwrap.update(wrapped.sealed.subarray(0, 32)), unwrap.final()]);
    // HKDF-SHA-512 with the message id as salt (spec: transitive-requirements.md).
    const key = Buffer.from(hkdfSync('sha512', dataKey, header.messageId, Buffer.concat([hex('0478'), Buffer.from('DERIVEKEY')]), 32));
    const commit = Buffer.from(hkdfSync('sha512', dataKey, header.messageId, Buffer.from('COMMITKEY'), 32));
    expect(toHex(header.suiteData!)).toBe(toHex(commit));
    const tag = createDecipheriv('aes-256-gcm', key, Buffer.alloc(12)).setAAD(parsed.body);
    tag.setAuthTag(parsed.authTag);
    expect(() => tag.final()).not.toThrow();
    // The final frame: marker, sequence number 1, IV = 1, content length, sealed content.
    const frame = message!.subarray(header.headerLength);
    expect(toHex(frame.subarray(0, 24))).toBe(`ffffffff00000001${'00'.repeat(11)}01${'0000000c'}`);
    const frameAad = Buffer.concat([header.messageId, Buffer.from('AWSKMSEncryptionClient Final Frame'), hex('00000001'), hex('000000000000000c')]);
    const body = createDecipheriv('aes-256-gcm', key, frame.subarray(8, 20)).setAAD(frameAad);
    body.setAuthTag(frame.subarray(24 + 12));
    expect(read(Buffer.concat([body.update(frame.subarray(24, 36)), body.final()]))).toBe('known answer');
  });

  it('gets the active branch key once per batch, and again once the TTL has passed', async () => {
    const { keyring, source, clock, store, branchKeyId } = await fixture({ ttlSeconds: 60 });
    await encryptMany(keyring, records(30), { encryptionContext: context, suiteId: 0x0478 });
    expect(source.active).toBe(1);
    const wrapper = await keyring.dataKeyWrapper(context, findSuite(0x0478)!);
    const out = new Uint8Array(92);
    await wrapper.wrap(new Uint8Array(32), out, 0);
    const v1 = bytesToUuid(parseWrappedDataKey(out, 32)!.version);
    await store.versionKey(branchKeyId);
    clock.t += 60_001;
    await wrapper.wrap(new Uint8Array(32), out, 0);
    await wrapper.wrap(new Uint8Array(32), out, 0);
    expect(source.active).toBe(2);
    const v2 = bytesToUuid(parseWrappedDataKey(out, 32)!.version);
    expect(v2).not.toBe(v1);
    expect(v2).toBe((await store.getActiveKey(branchKeyId)).branchKeyVersion);
  });

  it('fetches for every message when the cache is disabled, as onEncrypt does', async () => {
    const { keyring, source } = await fixture({ cacheLimit: 0 });
    await encryptMany(keyring, records(5), { encryptionContext: context, suiteId: 0x0478, concurrency: 1 });
    expect(source.active).toBe(5 + 1);
  });

  it('takes the per-message path for other suites, other keyrings and materials managers', async () => {
    const { keyring } = await fixture();
    const raw = new RawAesKeyring({ keyNamespace: 'ns', keyName: 'k', wrappingKey: new Uint8Array(32).fill(7) });
    const cmm = new RequiredEncryptionContextCmm({ underlying: keyring, requiredEncryptionContextKeys: ['tenant'] });
    for (const [k, suiteId] of [[keyring, 0x0578], [keyring, undefined], [raw, 0x0478], [cmm, 0x0478]] as const) {
      const messages = await encryptMany(k, records(3), { encryptionContext: context, suiteId });
      const results = await decryptMany(k, messages, { encryptionContext: context });
      expect(results.map(plaintextOf)).toEqual(['record 0 ', 'record 1 ', 'record 2 ']);
      expect(parseHeader(messages[0]!)!.suiteId).toBe(suiteId ?? 0x0578);
    }
  });

  it('checks its arguments as encrypt does, and rejects when the branch key cannot be had', async () => {
    const { keyring } = await fixture();
    expect((await rejection(encryptMany(keyring, [text('a'), 'b' as never]))).message).toMatch(/plaintexts\[1\]/);
    expect(await rejection(encryptMany(keyring, 'nope' as never))).toBeInstanceOf(TypeError);
    expect((await rejection(encryptMany(keyring, [], { concurrency: 0 }))).message).toMatch(/concurrency/);
    expect((await rejection(encryptMany(keyring, [text('a')], { encryptionContext: { 'aws-crypto-x': 'y' } }))).code).toBe('RESERVED_CONTEXT_KEY');
    expect((await rejection(encryptMany(keyring, [text('a')], { suiteId: 0x0178 }))).code).toBe('COMMITMENT_POLICY_VIOLATION');
    const missing = new HierarchicalKeyring({ keyStore: keyring.keyStore, branchKeyId: 'no-such-key', ttlSeconds: 60 });
    const [viaBatch, viaOne] = await Promise.all([rejection(encryptMany(missing, [text('a')], { suiteId: 0x0478 })), rejection(encrypt(missing, text('a'), { suiteId: 0x0478 }))]);
    expect([viaBatch.code, viaBatch.message]).toEqual([viaOne.code, viaOne.message]);
    expect(await encryptMany(keyring, [])).toEqual([]);
  });
});

describe('decryptMany: the batch path', () => {
  it('reads messages of encrypt and encryptMany, across branch key versions, in order', async () => {
    const { keyring, store, branchKeyId, clock, source } = await fixture({ ttlSeconds: 60 });
    const first = await encryptMany(keyring, records(4), { encryptionContext: context, suiteId: 0x0478 });
    await store.versionKey(branchKeyId);
    clock.t += 60_001;
    const second = await encryptMany(keyring, records(4, 3), { encryptionContext: context, suiteId: 0x0478 });
    const one = (await encrypt(keyring, text('one'), { encryptionContext: context, suiteId: 0x0478 })).ciphertext;
    const reader = new HierarchicalKeyring({ keyStore: source, branchKeyId, ttlSeconds: 60 });
    const versionsBefore = source.versions;
    const results = await decryptMany(reader, [...first, one, ...second], { encryptionContext: { tenant: 'acme' } });
    expect(results.map(plaintextOf)).toEqual([...records(4), text('one'), ...records(4, 3)].map(read));
    // Two versions: one fetch each for the whole batch.
    expect(source.versions - versionsBefore).toBe(2);
    for (const r of results) if ('header' in r) expect(r.header.encryptionContext).toEqual(context);
  });

  it('gives each bad message the error decrypt gives it, and decrypts the others', async () => {
    const { keyring } = await fixture();
    const good = await encryptMany(keyring, records(3), { encryptionContext: context, suiteId: 0x0478 });
    const tamper = (message: Uint8Array, at: number) => {
      const copy = message.slice();
      copy[at] = copy[at]! ^ 1;
      return copy;
    };
    const header = parseHeader(good[0]!)!;
    const edkAt = header.headerLength - 16 - 32 - 5 - 92;
    const batch = [
      good[0]!,
      tamper(good[1]!, good[1]!.length - 3), // frame tag
      tamper(good[1]!, header.headerLength - 20), // commitment key
      tamper(good[1]!, header.headerLength - 2), // header tag
      tamper(good[1]!, edkAt + 50), // wrapped data key
      good[1]!.subarray(0, 100), // truncated
      (await encrypt(keyring, text('other'), { encryptionContext: { tenant: 'globex' }, suiteId: 0x0478 })).ciphertext, // conflicting context
      good[2]!,
    ];
    const options = { encryptionContext: { tenant: 'acme' } };
    const results = await decryptMany(keyring, batch, options);
    expect(results).toHaveLength(batch.length);
    for (const [i, message] of batch.entries()) {
      const want = await decrypt(keyring, message, options).then(
        (r) => read(r.plaintext),
        (error: Error & { code?: string }) => ({ name: error.name, code: error.code, message: error.message }),
      );
      const r = results[i]!;
      const got = 'plaintext' in r ? read(r.plaintext) : { name: (r.error as Error).name, code: (r.error as { code?: string }).code, message: (r.error as Error).message };
      expect(got, `message ${i}`).toEqual(want);
    }
    expect(plaintextOf(results[0]!)).toBe('record 0 ');
    expect(plaintextOf(results[7]!)).toBe('record 2 ');
    // Not bytes at all: that record's TypeError names its place in the batch.
    const [notBytes] = await decryptMany(keyring, ['not bytes' as unknown as Uint8Array]);
    expect(notBytes && 'error' in notBytes && (notBytes.error as Error).message).toBe('ciphertexts[0] must be a Uint8Array');
  });

  it('authenticates required-only pairs the caller supplies, and refuses without them', async () => {
    const { keyring } = await fixture();
    const cmm = new RequiredEncryptionContextCmm({ underlying: keyring, requiredEncryptionContextKeys: ['tenant'] });
    const messages = await encryptMany(cmm, records(3), { encryptionContext: context, suiteId: 0x0478 });
    expect(parseHeader(messages[0]!)!.encryptionContext).toEqual({ purpose: 'notes' });
    expect((await decryptMany(keyring, messages, { encryptionContext: { tenant: 'acme' } })).map(plaintextOf)).toEqual(records(3).map(read));
    const wrong = await decryptMany(keyring, messages, { encryptionContext: { tenant: 'globex' } });
    const want = await rejection(decrypt(keyring, messages[0]!, { encryptionContext: { tenant: 'globex' } }));
    for (const r of wrong) expect('error' in r && [(r.error as Error).message, (r.error as { code?: string }).code]).toEqual([want.message, want.code]);
  });

  it('rejects bad options for the whole batch, as decrypt does', async () => {
    const { keyring } = await fixture();
    expect(await rejection(decryptMany(keyring, [], { encryptionContext: { a: 1 as never } }))).toBeInstanceOf(TypeError);
    expect(await rejection(decryptMany(keyring, {} as never))).toBeInstanceOf(TypeError);
    expect(await decryptMany(keyring, [])).toEqual([]);
  });
});

describe('decryptMany: several branch keys in one batch', () => {
  it('decrypts messages of two tenants with a branch key id supplier, each under its own key', async () => {
    const { store } = await fixture();
    const ids = { acme: await store.createKey(), globex: await store.createKey() };
    const supplier = (c: Record<string, string>) => ids[c.tenant as keyof typeof ids];
    const keyring = new HierarchicalKeyring({ keyStore: store, branchKeyIdSupplier: supplier, ttlSeconds: 60 });
    const acme = await encryptMany(keyring, records(3), { encryptionContext: { tenant: 'acme' }, suiteId: 0x0478 });
    const globex = await encryptMany(keyring, records(2, 1), { encryptionContext: { tenant: 'globex' }, suiteId: 0x0478 });
    expect(read(parseHeader(globex[0]!)!.encryptedDataKeys[0]!.providerInfo)).toBe(ids.globex);
    const results = await decryptMany(keyring, [acme[0]!, globex[0]!, acme[1]!, globex[1]!, acme[2]!]);
    expect(results.map(plaintextOf)).toEqual(['record 0 ', 'record 0 x', 'record 1 ', 'record 1 x', 'record 2 ']);
  });
});

describe('RandomPool', () => {
  it('hands out every byte once, zeroes what it handed out, grows to 64 KiB and refuses more', () => {
    const pool = new RandomPool();
    const seen = new Set<string>();
    for (let i = 0; i < 3000; i++) seen.add(toHex(pool.bytes(32)));
    expect(seen.size).toBe(3000);
    const out = new Uint8Array(40);
    pool.take(16, out, 20);
    expect(out.subarray(0, 20).every((b) => b === 0)).toBe(true);
    expect(out.subarray(20, 36).some((b) => b !== 0)).toBe(true);
    expect(pool.bytes(65536)).toHaveLength(65536);
    expect(() => pool.bytes(65537)).toThrow(RangeError);
  });
});

describe('headerTemplate', () => {
  it('is serializeHeaderBody with the per-message fields at the offsets it names', () => {
    const suite = findSuite(0x0478)!;
    const messageId = new Uint8Array(32).fill(1);
    const commitKey = new Uint8Array(32).fill(2);
    const edks = [
      { providerId: 'aws-kms-hierarchy', providerInfo: text('id-1'), ciphertext: new Uint8Array(92).fill(3) },
      { providerId: 'räw', providerInfo: text(''), ciphertext: new Uint8Array(60).fill(4) },
    ];
    const body = serializeHeaderBody({ suite, messageId, storedContext: context, encryptedDataKeys: edks, frameLength: 4096, commitKey });
    const template = headerTemplate(suite, context, edks.map((e) => ({ providerId: e.providerId, providerInfo: e.providerInfo, ciphertextLength: e.ciphertext.length })), 4096);
    const filled = template.bytes.slice(0, template.bodyLength);
    filled.set(messageId, template.messageIdOffset);
    edks.forEach((e, i) => filled.set(e.ciphertext, template.ciphertextOffsets[i]!));
    filled.set(commitKey, template.commitKeyOffset);
    expect(toHex(filled)).toBe(toHex(body));
    expect(template.bytes.length).toBe(body.length + 16);
    expect(() => headerTemplate(findSuite(0x0178)!, {}, [], 4096)).toThrow(RangeError);
  });
});
