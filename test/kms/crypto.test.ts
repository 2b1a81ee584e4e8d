/**
 * The cryptographic operations: Encrypt/Decrypt/ReEncrypt (symmetric and RSA), the data key
 * operations, GenerateRandom, Sign/Verify (every RSA and ECDSA algorithm, DER signatures),
 * GetPublicKey, GenerateMac/VerifyMac (all four HMACs), and the encryption-context rules.
 */
import { p256 } from '@noble/curves/nist.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha224 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import type { KmsRegionClient } from '../../src/kms/index.js';
import { bytes, keyId, rejects, testKms } from './helpers.js';

const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('Encrypt and Decrypt (symmetric)', () => {
  it('round-trips and reports the key ARN, algorithm and material', async () => {
    const { east } = await testKms();
    const id = await keyId(east);
    const enc = await east.encrypt({ KeyId: id, Plaintext: bytes('hello'), EncryptionContext: { purpose: 'test' } });
    expect(enc.KeyId).toBe(`arn:aws:kms:us-east-1:111122223333:key/${id}`);
    expect(enc.EncryptionAlgorithm).toBe('SYMMETRIC_DEFAULT');
    const dec = await east.decrypt({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { purpose: 'test' } });
    expect(text(dec.Plaintext)).toBe('hello');
    expect(dec.KeyId).toBe(enc.KeyId);
    expect(dec.KeyMaterialId).toBe((await east.describeKey({ KeyId: id })).KeyMetadata.CurrentKeyMaterialId);
  });

  it('limits plaintext to 4096 bytes', async () => {
    const { east } = await testKms();
    const id = await keyId(east);
    await east.encrypt({ KeyId: id, Plaintext: new Uint8Array(4096) });
    await rejects(east.encrypt({ KeyId: id, Plaintext: new Uint8Array(4097) }), 'ValidationException', /length less than or equal to 4096/);
    await rejects(east.encrypt({ KeyId: id, Plaintext: new Uint8Array(0) }), 'ValidationException');
  });

  it('binds the encryption context unambiguously, order-independently and case-sensitively', async () => {
    const { east } = await testKms();
    const id = await keyId(east);
    const seal = async (EncryptionContext: Record<string, string>) => (await east.encrypt({ KeyId: id, Plaintext: bytes('p'), EncryptionContext })).CiphertextBlob;
    const open = (CiphertextBlob: Uint8Array, EncryptionContext?: Record<string, string>) => east.decrypt({ CiphertextBlob, ...(EncryptionContext ? { EncryptionContext } : {}) });
    await rejects(open(await seal({ ab: 'c' }), { a: 'bc' }), 'InvalidCiphertextException');
    await rejects(open(await seal({ a: 'bc' }), { ab: 'c' }), 'InvalidCiphertextException');
    await rejects(open(await seal({ a: '1', b: '2' }), { 'a\u00001b': '2' }), 'InvalidCiphertextException');
    await rejects(open(await seal({ Key: 'v' }), { key: 'v' }), 'InvalidCiphertextException');
    await rejects(open(await seal({ k: 'V' }), { k: 'v' }), 'InvalidCiphertextException');
    await rejects(open(await seal({ k: 'v' })), 'InvalidCiphertextException');
    await rejects(open(await seal({ k: 'v' }), { k: 'v', extra: '' }), 'InvalidCiphertextException');
    expect(text((await open(await seal({ a: '1', b: '2', 'é': 'ü' }), { 'é': 'ü', b: '2', a: '1' })).Plaintext)).toBe('p');
    expect(text((await open(await seal({}))).Plaintext)).toBe('p');
  });

  it('detects every single-byte change of the ciphertext blob', async () => {
    const { east } = await testKms();
    const id = await keyId(east);
    const { CiphertextBlob } = await east.encrypt({ KeyId: id, Plaintext: bytes('tamper me') });
    for (let i = 0; i < CiphertextBlob.length; i++) {
      const bad = new Uint8Array(CiphertextBlob);
      bad[i]! ^= 0x01;
      await rejects(east.decrypt({ CiphertextBlob: bad }), ['InvalidCiphertextException', 'NotFoundException']);
    }
    await rejects(east.decrypt({ CiphertextBlob: CiphertextBlob.subarray(0, 40) }), 'InvalidCiphertextException');
    await rejects(east.decrypt({ CiphertextBlob: bytes('garbage') }), 'InvalidCiphertextException');
  });

  it('answers a KeyId that names another key with IncorrectKeyException', async () => {
    const { east } = await testKms();
    const a = await keyId(east);
    const b = await keyId(east);
    await east.createAlias({ AliasName: 'alias/a', TargetKeyId: a });
    const { CiphertextBlob } = await east.encrypt({ KeyId: a, Plaintext: bytes('x') });
    await rejects(east.decrypt({ CiphertextBlob, KeyId: b }), 'IncorrectKeyException');
    expect(text((await east.decrypt({ CiphertextBlob, KeyId: 'alias/a' })).Plaintext)).toBe('x');
  });

  it('refuses keys of the wrong usage and reports dry runs', async () => {
    const { east } = await testKms();
    const signing = await keyId(east, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const sym = await keyId(east);
    await rejects(east.encrypt({ KeyId: signing, Plaintext: bytes('x') }), 'InvalidKeyUsageException');
    await rejects(east.encrypt({ KeyId: sym, Plaintext: bytes('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }), 'InvalidKeyUsageException');
    await rejects(east.encrypt({ KeyId: sym, Plaintext: bytes('x'), DryRun: true }), 'DryRunOperationException');
    await rejects(east.decrypt({ CiphertextBlob: bytes('x'), Recipient: {} }), 'UnsupportedOperationException');
  });
});

describe('ReEncrypt', () => {
  it('moves a ciphertext to another key and context', async () => {
    const { east } = await testKms();
    const a = await keyId(east);
    const b = await keyId(east);
    const { CiphertextBlob } = await east.encrypt({ KeyId: a, Plaintext: bytes('move'), EncryptionContext: { from: 'a' } });
    const re = await east.reEncrypt({ CiphertextBlob, SourceEncryptionContext: { from: 'a' }, DestinationKeyId: b, DestinationEncryptionContext: { to: 'b' } });
    expect(re.SourceKeyId).toContain(a);
    expect(re.KeyId).toContain(b);
    expect(re.SourceKeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
    expect(text((await east.decrypt({ CiphertextBlob: re.CiphertextBlob, EncryptionContext: { to: 'b' } })).Plaintext)).toBe('move');
    await rejects(east.reEncrypt({ CiphertextBlob, DestinationKeyId: b }), 'InvalidCiphertextException');
  });
});

describe('RSA encryption', () => {
  it('encrypts with RSAES_OAEP_SHA_1 and _SHA_256 and needs KeyId and algorithm to decrypt', async () => {
    const { east } = await testKms();
    const id = await keyId(east, { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' });
    for (const EncryptionAlgorithm of ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] as const) {
      const { CiphertextBlob } = await east.encrypt({ KeyId: id, Plaintext: bytes('rsa'), EncryptionAlgorithm });
      expect(CiphertextBlob.length).toBe(256);
      expect(text((await east.decrypt({ CiphertextBlob, KeyId: id, EncryptionAlgorithm })).Plaintext)).toBe('rsa');
      await rejects(east.decrypt({ CiphertextBlob }), 'InvalidCiphertextException');
    }
    await rejects(east.encrypt({ KeyId: id, Plaintext: bytes('x') }), 'InvalidKeyUsageException');
    await rejects(east.encrypt({ KeyId: id, Plaintext: bytes('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256', EncryptionContext: { a: 'b' } }), 'ValidationException', /EncryptionContext/);
    await rejects(east.encrypt({ KeyId: id, Plaintext: new Uint8Array(191), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }), 'ValidationException', /at most 190/);
    await east.encrypt({ KeyId: id, Plaintext: new Uint8Array(214), EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' });
    // The public key from GetPublicKey encrypts for the KMS key, as with AWS KMS.
    const { PublicKey } = await east.getPublicKey({ KeyId: id });
    const pub = await crypto.subtle.importKey('spki', PublicKey as Uint8Array<ArrayBuffer>, { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['encrypt']);
    const outside = new Uint8Array(await crypto.subtle.encrypt({ name: 'RSA-OAEP' }, pub, bytes('outside')));
    expect(text((await east.decrypt({ CiphertextBlob: outside, KeyId: id, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' })).Plaintext)).toBe('outside');
  });
});

describe('data keys and random bytes', () => {
  it('generates data keys by KeySpec or NumberOfBytes, with and without plaintext', async () => {
    const { east } = await testKms();
    const id = await keyId(east);
    const a = await east.generateDataKey({ KeyId: id, KeySpec: 'AES_128', EncryptionContext: { c: '1' } });
    expect(a.Plaintext.length).toBe(16);
    expect((await east.decrypt({ CiphertextBlob: a.CiphertextBlob, EncryptionContext: { c: '1' } })).Plaintext).toEqual(a.Plaintext);
    expect((await east.generateDataKey({ KeyId: id, NumberOfBytes: 1024 })).Plaintext.length).toBe(1024);
    const b = await east.generateDataKeyWithoutPlaintext({ KeyId: id, KeySpec: 'AES_256' });
    expect('Plaintext' in b).toBe(false);
    expect((await east.decrypt({ CiphertextBlob: b.CiphertextBlob })).Plaintext.length).toBe(32);
    await rejects(east.generateDataKey({ KeyId: id }), 'ValidationException');
    await rejects(east.generateDataKey({ KeyId: id, KeySpec: 'AES_256', NumberOfBytes: 32 }), 'ValidationException');
    await rejects(east.generateDataKey({ KeyId: id, NumberOfBytes: 1025 }), 'ValidationException');
    const rsa = await keyId(east, { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' });
    await rejects(east.generateDataKey({ KeyId: rsa, NumberOfBytes: 32 }), 'InvalidKeyUsageException');
  });

  it.each(['ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'RSA_2048'] as const)('generates %s data key pairs', async (KeyPairSpec) => {
    const { east } = await testKms();
    const id = await keyId(east);
    const pair = await east.generateDataKeyPair({ KeyId: id, KeyPairSpec, EncryptionContext: { p: 'q' } });
    expect(pair.KeyPairSpec).toBe(KeyPairSpec);
    const opened = await east.decrypt({ CiphertextBlob: pair.PrivateKeyCiphertextBlob, EncryptionContext: { p: 'q' } });
    expect(opened.Plaintext).toEqual(pair.PrivateKeyPlaintext);
    const algorithm = KeyPairSpec === 'RSA_2048' ? { name: 'RSA-PSS', hash: 'SHA-256' } : { name: 'ECDSA', namedCurve: `P-${KeyPairSpec.slice(-3)}` };
    await crypto.subtle.importKey('pkcs8', pair.PrivateKeyPlaintext as Uint8Array<ArrayBuffer>, algorithm, false, ['sign']);
    await crypto.subtle.importKey('spki', pair.PublicKey as Uint8Array<ArrayBuffer>, algorithm, false, ['verify']);
    const noPlain = await east.generateDataKeyPairWithoutPlaintext({ KeyId: id, KeyPairSpec });
    expect('PrivateKeyPlaintext' in noPlain).toBe(false);
  }, 30_000);

  it('refuses key pair specs WebCrypto cannot make, and returns random bytes', async () => {
    const { east } = await testKms();
    const id = await keyId(east);
    await rejects(east.generateDataKeyPair({ KeyId: id, KeyPairSpec: 'SM2' }), 'UnsupportedOperationException');
    const r = await east.generateRandom({ NumberOfBytes: 64 });
    expect(r.Plaintext.length).toBe(64);
    expect(r.Plaintext).not.toEqual((await east.generateRandom({ NumberOfBytes: 64 })).Plaintext);
    await rejects(east.generateRandom({ NumberOfBytes: 1025 }), 'ValidationException');
    await rejects(east.generateRandom({}), 'ValidationException');
  });
});

async function signAndVerify(client: KmsRegionClient, KeyId: string, SigningAlgorithm: Parameters<KmsRegionClient['sign']>[0]['SigningAlgorithm']) {
  const Message = bytes(`message for ${SigningAlgorithm}`);
  const { Signature, SigningAlgorithm: used } = await client.sign({ KeyId, Message, SigningAlgorithm });
  expect(used).toBe(SigningAlgorithm);
  expect((await client.verify({ KeyId, Message, Signature, SigningAlgorithm })).SignatureValid).toBe(true);
  await rejects(client.verify({ KeyId, Message: bytes('other'), Signature, SigningAlgorithm }), 'KMSInvalidSignatureException');
  return Signature;
}

describe('Sign and Verify', () => {
  it('signs with every RSA algorithm', async () => {
    const { east } = await testKms();
    const id = await keyId(east, { KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' });
    for (const alg of ['RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512', 'RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512'] as const) {
      expect((await signAndVerify(east, id, alg)).length).toBe(256);
    }
    await rejects(east.sign({ KeyId: id, Message: bytes('m'), SigningAlgorithm: 'ECDSA_SHA_256' }), 'InvalidKeyUsageException');
  });

  it.each([
    ['ECC_NIST_P256', 'ECDSA_SHA_256'],
    ['ECC_NIST_P384', 'ECDSA_SHA_384'],
    ['ECC_NIST_P521', 'ECDSA_SHA_512'],
  ] as const)('signs with %s / %s, returning DER', async (KeySpec, alg) => {
    const { east } = await testKms();
    const id = await keyId(east, { KeySpec, KeyUsage: 'SIGN_VERIFY' });
    const signature = await signAndVerify(east, id, alg);
    expect(signature[0]).toBe(0x30);
    await rejects(east.verify({ KeyId: id, Message: bytes('m'), Signature: signature.subarray(1), SigningAlgorithm: alg }), 'KMSInvalidSignatureException');
    // A 1-byte DIGEST: wrong length for P-256 (ValidationException), wrong algorithm for the others.
    await rejects(east.sign({ KeyId: id, Message: bytes('m'), SigningAlgorithm: 'ECDSA_SHA_256', MessageType: 'DIGEST' }), ['ValidationException', 'InvalidKeyUsageException']);
  });

  it('produces ECDSA signatures an independent library verifies from GetPublicKey', async () => {
    const { east } = await testKms();
    const id = await keyId(east, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const Message = bytes('independent');
    const { Signature } = await east.sign({ KeyId: id, Message, SigningAlgorithm: 'ECDSA_SHA_256' });
    const pub = await east.getPublicKey({ KeyId: id });
    expect(pub).toMatchObject({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', SigningAlgorithms: ['ECDSA_SHA_256'] });
    const point = pub.PublicKey.subarray(pub.PublicKey.length - 65);
    expect(p256.verify(Signature, Message, point, { format: 'der', lowS: false })).toBe(true);
    const sym = await keyId(east);
    await rejects(east.getPublicKey({ KeyId: sym }), 'UnsupportedOperationException');
  });
});

describe('GenerateMac and VerifyMac', () => {
  it.each(['224', '256', '384', '512'] as const)('HMAC_%s', async (bits) => {
    const { east } = await testKms();
    const id = await keyId(east, { KeySpec: `HMAC_${bits}`, KeyUsage: 'GENERATE_VERIFY_MAC' });
    const MacAlgorithm = `HMAC_SHA_${bits}` as const;
    const Message = bytes('mac me');
    const { Mac } = await east.generateMac({ KeyId: id, Message, MacAlgorithm });
    expect(Mac.length).toBe(Number(bits) / 8);
    expect((await east.generateMac({ KeyId: id, Message, MacAlgorithm })).Mac).toEqual(Mac);
    expect((await east.verifyMac({ KeyId: id, Message, Mac, MacAlgorithm })).MacValid).toBe(true);
    const bad = new Uint8Array(Mac);
    bad[0]! ^= 1;
    await rejects(east.verifyMac({ KeyId: id, Message, Mac: bad, MacAlgorithm }), 'KMSInvalidMacException');
    const other = bits === '256' ? 'HMAC_SHA_384' : 'HMAC_SHA_256';
    await rejects(east.generateMac({ KeyId: id, Message, MacAlgorithm: other }), 'InvalidKeyUsageException');
  });

  it('uses an HMAC-SHA-224 that matches RFC 4231', async () => {
    // HMAC keys are KMS-made here (their material never leaves), so the library the HMAC_224 path
    // runs on is checked against RFC 4231 test case 2 directly.
    const mac = hmac(sha224, bytes('Jefe'), bytes('what do ya want for nothing?'));
    expect(Buffer.from(mac).toString('hex')).toBe('a30e01098bc6dbbf45690f3a7e9e6d0f8bbea2a39e6148008fd05e44');
  });
});
