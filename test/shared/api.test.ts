/**
 * The public API's contract: shapes, defaults, options, and a clear typed error for every kind of
 * bad input. Runs in Node (Vitest) and in browsers (Web Test Runner).
 */
import { expect } from 'chai';
import {
  ALL_SUITE_IDS,
  AlgorithmSuiteId,
  CommitmentPolicy,
  DEFAULT_FRAME_LENGTH,
  DefaultCmm,
  EnvelopeError,
  MultiKeyring,
  RawAesKeyring,
  RawRsaKeyring,
  RequiredEncryptionContextCmm,
  decrypt,
  encrypt,
  parseHeader,
  type EncryptionMaterials,
  type Keyring,
} from '../../src/core/index.js';
import { describe, it } from '../support/bdd.js';

const text = (s: string) => new TextEncoder().encode(s);
const aes = (name = 'k1', fill = 1, length = 32) =>
  new RawAesKeyring({ keyNamespace: 'test', keyName: name, wrappingKey: new Uint8Array(length).fill(fill) });
const committing = (id: number) => id === 0x0478 || id === 0x0578;
const policyFor = (id: number) => (committing(id) ? CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT : CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT);

async function rejects(promise: Promise<unknown>, check: { code?: string; type?: Function; message?: RegExp }): Promise<Error> {
  let error: unknown;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  expect(error, 'expected a rejection').to.be.instanceOf(check.type ?? EnvelopeError);
  if (check.code) expect((error as { code?: string }).code).to.equal(check.code);
  if (check.message) expect((error as Error).message).to.match(check.message);
  return error as Error;
}

describe('encrypt/decrypt contract', () => {
  it('defaults to suite 0x0578, the strict policy and the default frame length', async () => {
    const { ciphertext, header } = await encrypt(aes(), text('hello'));
    expect(header.suiteId).to.equal(0x0578);
    expect(header.version).to.equal(2);
    expect(header.frameLength).to.equal(DEFAULT_FRAME_LENGTH);
    expect(header.messageId.length).to.equal(32);
    expect(header.encryptedDataKeys).to.have.length(1);
    expect(header.encryptedDataKeys[0]!.providerId).to.equal('test');
    expect(Object.keys(header.encryptionContext)).to.deep.equal(['aws-crypto-public-key']);
    const result = await decrypt(aes(), ciphertext);
    expect(new TextDecoder().decode(result.plaintext)).to.equal('hello');
    expect(result.header.suiteId).to.equal(0x0578);
    expect(result.header.headerLength).to.equal(header.headerLength);
  });

  it('exports all eleven suites by name and number', () => {
    expect(ALL_SUITE_IDS).to.deep.equal([0x0014, 0x0046, 0x0078, 0x0114, 0x0146, 0x0178, 0x0214, 0x0346, 0x0378, 0x0478, 0x0578]);
    expect(AlgorithmSuiteId.AES_256_GCM_HKDF_SHA512_COMMIT_KEY).to.equal(0x0478);
  });

  for (const suiteId of ALL_SUITE_IDS) {
    it(`round-trips suite 0x${suiteId.toString(16).padStart(4, '0')} with empty, exact-frame and multi-frame plaintexts`, async () => {
      const keyring = aes('k', 3, 32);
      for (const [length, frameLength] of [[0, 16], [1, 1], [32, 16], [33, 16], [100, 7]] as const) {
        const plaintext = new Uint8Array(length).map((_, i) => (i * 7) & 255);
        const { ciphertext, header } = await encrypt(keyring, plaintext, { suiteId, frameLength, commitmentPolicy: policyFor(suiteId), encryptionContext: { n: String(length) } });
        expect(header.version).to.equal(committing(suiteId) ? 2 : 1);
        const back = await decrypt(keyring, ciphertext, { commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT, encryptionContext: { n: String(length) } });
        expect([...back.plaintext]).to.deep.equal([...plaintext]);
      }
    });
  }

  it('ends a plaintext that fills its last frame exactly with a full final frame', async () => {
    const { ciphertext, header } = await encrypt(aes(), new Uint8Array(32), { frameLength: 16, suiteId: 0x0478 });
    // header | regular frame (4+12+16+16) | final frame (4+4+12+4+16+16)
    expect(ciphertext.length).to.equal(header.headerLength + 48 + 56);
  });

  it('writes and reads every wrapped copy with a multi-keyring', async () => {
    const pair = await crypto.subtle.generateKey({ name: 'RSA-OAEP', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, false, ['encrypt', 'decrypt']);
    const rsa = new RawRsaKeyring({ keyNamespace: 'test', keyName: 'rsa', publicKey: pair.publicKey, privateKey: pair.privateKey, padding: 'OAEP-SHA256' });
    const { ciphertext, header } = await encrypt(new MultiKeyring({ generator: aes(), children: [rsa, aes('k2', 2)] }), text('x'));
    expect(header.encryptedDataKeys.map((k) => k.providerId)).to.deep.equal(['test', 'test', 'test']);
    for (const keyring of [aes(), rsa, aes('k2', 2)]) expect((await decrypt(keyring, ciphertext)).plaintext).to.deep.equal(text('x'));
    await rejects(decrypt(aes('k3', 9), ciphertext), { code: 'NO_DECRYPTING_KEYRING' });
  });

  it('accepts a non-extractable AES-GCM CryptoKey as wrapping key', async () => {
    const key = await crypto.subtle.importKey('raw', new Uint8Array(32).fill(1), 'AES-GCM', false, ['encrypt', 'decrypt']);
    const keyring = new RawAesKeyring({ keyNamespace: 'test', keyName: 'k1', wrappingKey: key });
    const { ciphertext } = await encrypt(keyring, text('a'));
    expect((await decrypt(aes(), ciphertext)).plaintext).to.deep.equal(text('a'));
  });

  it('keeps required-only context out of the message but authenticates it', async () => {
    const cmm = new RequiredEncryptionContextCmm({ underlying: aes(), requiredEncryptionContextKeys: ['tenant'] });
    const { ciphertext, header } = await encrypt(cmm, text('secret'), { encryptionContext: { tenant: 'acme', kind: 'note' } });
    expect(header.encryptionContext).to.not.have.property('tenant');
    expect(parseHeader(ciphertext)!.encryptionContext).to.not.have.property('tenant');
    expect((await decrypt(cmm, ciphertext, { encryptionContext: { tenant: 'acme' } })).plaintext).to.deep.equal(text('secret'));
    await rejects(decrypt(cmm, ciphertext), { code: 'ENCRYPTION_CONTEXT_MISMATCH', message: /tenant/ });
    await rejects(decrypt(cmm, ciphertext, { encryptionContext: { tenant: 'other' } }), { code: 'ENCRYPTION_CONTEXT_MISMATCH' });
    await rejects(encrypt(cmm, text('x'), { encryptionContext: { kind: 'note' } }), { code: 'ENCRYPTION_CONTEXT_MISMATCH', message: /tenant/ });
  });

  it('checks decrypt context pairs', async () => {
    const { ciphertext } = await encrypt(aes(), text('x'), { encryptionContext: { a: '1', b: '2' } });
    expect((await decrypt(aes(), ciphertext, { encryptionContext: { a: '1' } })).plaintext).to.deep.equal(text('x'));
    await rejects(decrypt(aes(), ciphertext, { encryptionContext: { a: '2' } }), { code: 'ENCRYPTION_CONTEXT_MISMATCH', message: /"a"/ });
    await rejects(decrypt(aes(), ciphertext, { encryptionContext: { c: '3' } }), { code: 'ENCRYPTION_CONTEXT_MISMATCH', message: /"c"/ });
  });

  it('binds non-ASCII context and keeps "__proto__" an ordinary key', async () => {
    const context = JSON.parse('{"__proto__":"p","ключ":"значение","😀":"\uFF5E","\uFF5E":"😀"}') as Record<string, string>;
    const { ciphertext, header } = await encrypt(aes(), text('x'), { encryptionContext: context });
    expect(Object.getOwnPropertyNames(header.encryptionContext)).to.include('__proto__');
    const back = await decrypt(aes(), ciphertext, { encryptionContext: context });
    expect(back.header.encryptionContext['ключ']).to.equal('значение');
    expect(Object.getPrototypeOf(back.header.encryptionContext)).to.equal(Object.prototype);
  });

  it('enforces the commitment policy on both sides', async () => {
    await rejects(encrypt(aes(), text('x'), { suiteId: 0x0178 }), { code: 'COMMITMENT_POLICY_VIOLATION' });
    await rejects(encrypt(aes(), text('x'), { suiteId: 0x0478, commitmentPolicy: 'FORBID_ENCRYPT_ALLOW_DECRYPT' }), { code: 'COMMITMENT_POLICY_VIOLATION' });
    const legacy = await encrypt(aes(), text('x'), { commitmentPolicy: 'FORBID_ENCRYPT_ALLOW_DECRYPT' });
    expect(legacy.header.suiteId).to.equal(0x0378);
    await rejects(decrypt(aes(), legacy.ciphertext), { code: 'COMMITMENT_POLICY_VIOLATION' });
    expect((await decrypt(aes(), legacy.ciphertext, { commitmentPolicy: 'REQUIRE_ENCRYPT_ALLOW_DECRYPT' })).plaintext).to.deep.equal(text('x'));
  });

  it('limits encrypted data keys on both sides', async () => {
    const keyring = new MultiKeyring({ generator: aes(), children: [aes('k2', 2), aes('k3', 3)] });
    await rejects(encrypt(keyring, text('x'), { maxEncryptedDataKeys: 2 }), { code: 'LIMIT_EXCEEDED' });
    const { ciphertext } = await encrypt(keyring, text('x'), { maxEncryptedDataKeys: 3 });
    await rejects(decrypt(aes(), ciphertext, { maxEncryptedDataKeys: 2 }), { code: 'LIMIT_EXCEEDED' });
    expect((await decrypt(aes(), ciphertext, { maxEncryptedDataKeys: 3 })).plaintext).to.deep.equal(text('x'));
  });

  it('detects a data key that does not match the key commitment', async () => {
    // A keyring that hands out a different data key on decrypt: key commitment must catch it
    // before any frame is tried.
    const real = aes();
    const liar: Keyring = {
      onEncrypt: (m: EncryptionMaterials) => real.onEncrypt(m),
      onDecrypt: async (m) => {
        m.plaintextDataKey = new Uint8Array(32).fill(0xee);
        return m;
      },
    };
    const { ciphertext } = await encrypt(real, text('x'), { suiteId: 0x0478 });
    await rejects(decrypt(liar, ciphertext), { code: 'COMMITMENT_MISMATCH' });
    const legacy = await encrypt(real, text('x'), { suiteId: 0x0178, commitmentPolicy: 'FORBID_ENCRYPT_ALLOW_DECRYPT' });
    await rejects(decrypt(liar, legacy.ciphertext, { commitmentPolicy: 'REQUIRE_ENCRYPT_ALLOW_DECRYPT' }), { code: 'INTEGRITY_FAILURE' });
  });
});

describe('bad input gets a typed error that names the argument', () => {
  const keyring = aes();
  const cases: [string, () => Promise<unknown> | unknown, Function, RegExp | string][] = [
    ['plaintext not bytes', () => encrypt(keyring, 'text' as unknown as Uint8Array), TypeError, /plaintext/],
    ['ciphertext not bytes', () => decrypt(keyring, [1, 2] as unknown as Uint8Array), TypeError, /ciphertext/],
    ['keyring missing', () => encrypt(undefined as never, text('x')), TypeError, /keyringOrCmm/],
    ['keyring of the wrong kind', () => encrypt({} as never, text('x')), TypeError, /keyringOrCmm/],
    ['options not an object', () => encrypt(keyring, text('x'), 5 as never), TypeError, /options/],
    ['context value not a string', () => encrypt(keyring, text('x'), { encryptionContext: { a: 1 as never } }), TypeError, /encryptionContext/],
    ['context an array', () => encrypt(keyring, text('x'), { encryptionContext: [] as never }), TypeError, /encryptionContext/],
    ['reserved context key', () => encrypt(keyring, text('x'), { encryptionContext: { 'aws-crypto-x': 'y' } }), EnvelopeError, 'RESERVED_CONTEXT_KEY'],
    ['unknown suite', () => encrypt(keyring, text('x'), { suiteId: 0x0999 as never }), EnvelopeError, 'UNSUPPORTED_SUITE'],
    ['suite as string', () => encrypt(keyring, text('x'), { suiteId: '0x0478' as never }), TypeError, /suiteId/],
    ['frame length 0', () => encrypt(keyring, text('x'), { frameLength: 0 }), RangeError, /frameLength/],
    ['frame length fractional', () => encrypt(keyring, text('x'), { frameLength: 1.5 }), TypeError, /frameLength/],
    ['frame length too large', () => encrypt(keyring, text('x'), { frameLength: 2 ** 32 }), RangeError, /frameLength/],
    ['unknown commitment policy', () => encrypt(keyring, text('x'), { commitmentPolicy: 'NONE' as never }), TypeError, /commitmentPolicy/],
    ['maxEncryptedDataKeys 0', () => decrypt(keyring, new Uint8Array(10), { maxEncryptedDataKeys: 0 }), RangeError, /maxEncryptedDataKeys/],
    ['decrypt context value not a string', () => decrypt(keyring, new Uint8Array(10), { encryptionContext: { a: null as never } }), TypeError, /encryptionContext/],
    ['empty message', () => decrypt(keyring, new Uint8Array(0)), EnvelopeError, 'MALFORMED_MESSAGE'],
    ['random bytes', () => decrypt(keyring, new Uint8Array(64).fill(0x41)), EnvelopeError, 'MALFORMED_MESSAGE'],
    ['AES key of 20 bytes', () => new RawAesKeyring({ keyNamespace: 'a', keyName: 'b', wrappingKey: new Uint8Array(20) }), RangeError, /wrappingKey/],
    ['AES key as string', () => new RawAesKeyring({ keyNamespace: 'a', keyName: 'b', wrappingKey: 'k' as never }), TypeError, /wrappingKey/],
    ['empty key name', () => new RawAesKeyring({ keyNamespace: 'a', keyName: '', wrappingKey: new Uint8Array(16) }), TypeError, /keyName/],
    ['reserved namespace', () => new RawAesKeyring({ keyNamespace: 'aws-kms', keyName: 'b', wrappingKey: new Uint8Array(16) }), RangeError, /keyNamespace/],
    ['RSA PKCS#1 v1.5', () => new RawRsaKeyring({ keyNamespace: 'a', keyName: 'b', publicKey: 'x', padding: 'PKCS1' as never }), EnvelopeError, 'UNSUPPORTED_PADDING'],
    ['RSA unknown padding', () => new RawRsaKeyring({ keyNamespace: 'a', keyName: 'b', publicKey: 'x', padding: 'OAEP-MD5' as never }), TypeError, /padding/],
    ['RSA without keys', () => new RawRsaKeyring({ keyNamespace: 'a', keyName: 'b', padding: 'OAEP-SHA256' }), TypeError, /publicKey/],
    ['RSA bad PEM', () => encrypt(new RawRsaKeyring({ keyNamespace: 'a', keyName: 'b', publicKey: 'not a pem', padding: 'OAEP-SHA256' }), text('x')), TypeError, /publicKey/],
    ['multi-keyring empty', () => new MultiKeyring({}), TypeError, /MultiKeyring/],
    ['multi-keyring bad child', () => new MultiKeyring({ children: [{} as never] }), TypeError, /children\[0\]/],
    ['default CMM without keyring', () => new DefaultCmm({} as never), TypeError, /keyring/],
    ['required keys not strings', () => new RequiredEncryptionContextCmm({ underlying: keyring, requiredEncryptionContextKeys: [1 as never] }), TypeError, /requiredEncryptionContextKeys/],
  ];
  for (const [name, run, type, expected] of cases) {
    it(name, async () => {
      let error: unknown;
      try {
        await run();
      } catch (e) {
        error = e;
      }
      expect(error, 'expected an error').to.be.instanceOf(type);
      if (typeof expected === 'string') expect((error as EnvelopeError).code).to.equal(expected);
      else expect((error as Error).message).to.match(expected);
    });
  }

  it('never puts key or plaintext bytes into messages', async () => {
    const secret = 'TOP-SECRET-PLAINTEXT';
    const { ciphertext } = await encrypt(keyring, text(secret), { encryptionContext: { a: 'b' } });
    const errors: Error[] = [];
    for (const attempt of [
      () => decrypt(aes('k1', 2), ciphertext),
      () => decrypt(keyring, ciphertext, { encryptionContext: { a: 'c' } }),
      () => decrypt(keyring, ciphertext.slice(0, ciphertext.length - 1)),
    ]) {
      try {
        await attempt();
      } catch (e) {
        errors.push(e as Error);
      }
    }
    expect(errors).to.have.length(3);
    for (const error of errors) {
      expect(error.message).to.not.include(secret);
      expect(error.message).to.not.match(/0101010101/);
      expect(String(error.stack)).to.not.include(secret);
    }
  });
});
