/**
 * Sign and Verify with `MessageType: 'DIGEST'`. ECC keys sign a pre-computed digest (on
 * @noble/curves); the signature is the one a RAW Sign of the original message would be, so each
 * message type verifies the other's signatures, and so does node:crypto with the GetPublicKey
 * SPKI. RSA keys refuse DIGEST (WebCrypto cannot, and there is no audited RSA library here).
 */
import { verify as nodeVerify } from 'node:crypto';
import type { KmsRegionClient } from '../../src/kms/index.js';
import { RegionRuntime } from '../../src/kms/requests/region-runtime.js';
import { bytes, keyId, rejects, testKms } from './helpers.js';

type SigningAlgorithm = Parameters<KmsRegionClient['sign']>[0]['SigningAlgorithm'];

const CURVES = [
  ['ECC_NIST_P256', 'ECDSA_SHA_256', 'SHA-256', 32],
  ['ECC_NIST_P384', 'ECDSA_SHA_384', 'SHA-384', 48],
  ['ECC_NIST_P521', 'ECDSA_SHA_512', 'SHA-512', 64],
] as const;

const RSA_ALGORITHMS = [
  ['RSASSA_PSS_SHA_256', 32], ['RSASSA_PSS_SHA_384', 48], ['RSASSA_PSS_SHA_512', 64],
  ['RSASSA_PKCS1_V1_5_SHA_256', 32], ['RSASSA_PKCS1_V1_5_SHA_384', 48], ['RSASSA_PKCS1_V1_5_SHA_512', 64],
] as const;

const digestOf = async (hash: string, message: Uint8Array) => new Uint8Array(await crypto.subtle.digest(hash, message as Uint8Array<ArrayBuffer>));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const flip = (b: Uint8Array, i = 0) => {
  const out = new Uint8Array(b);
  out[i]! ^= 0x01;
  return out;
};

/** node:crypto's verdict on a DER ECDSA signature over `message`, from the GetPublicKey SPKI. */
function nodeVerifies(hash: string, spki: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const key = { key: Buffer.from(spki), format: 'der' as const, type: 'spki' as const, dsaEncoding: 'der' as const };
  return nodeVerify(hash.replace('-', '').toLowerCase(), message, key, signature);
}

/** Every error message must be free of key, digest and message bytes, in hex or base64. */
function expectNoBytes(error: Error, secrets: readonly Uint8Array[]): void {
  const text = `${error.message} ${JSON.stringify(error)} ${String((error as { cause?: unknown }).cause ?? '')}`;
  for (const secret of secrets) {
    expect(text).not.toContain(hex(secret).slice(0, 16));
    expect(text).not.toContain(Buffer.from(secret).toString('base64').slice(0, 16));
  }
  // Key ids and ARNs have at most 12 hex digits in a row; anything longer would be bytes.
  expect(text).not.toMatch(/[0-9a-f]{24}/i);
  expect(text).not.toMatch(/[A-Za-z0-9+/]{40}/);
}

describe('Sign and Verify with MessageType DIGEST (ECC keys)', () => {
  it.each(CURVES)('%s / %s: DIGEST and RAW signatures verify both ways, and with node:crypto', async (KeySpec, SigningAlgorithm, hash) => {
    const { east } = await testKms();
    const KeyId = await keyId(east, { KeySpec, KeyUsage: 'SIGN_VERIFY' });
    const { PublicKey } = await east.getPublicKey({ KeyId });
    const message = crypto.getRandomValues(new Uint8Array(1000));
    const digest = await digestOf(hash, message);

    // DIGEST signature over hash(m) is a signature over m.
    const signed = await east.sign({ KeyId, Message: digest, MessageType: 'DIGEST', SigningAlgorithm });
    expect(signed).toMatchObject({ SigningAlgorithm, KeyId: expect.stringContaining(KeyId) });
    expect(signed.Signature[0]).toBe(0x30);
    expect((await east.verify({ KeyId, Message: message, Signature: signed.Signature, SigningAlgorithm })).SignatureValid).toBe(true);
    expect((await east.verify({ KeyId, Message: message, MessageType: 'RAW', Signature: signed.Signature, SigningAlgorithm })).SignatureValid).toBe(true);
    expect((await east.verify({ KeyId, Message: digest, MessageType: 'DIGEST', Signature: signed.Signature, SigningAlgorithm })).SignatureValid).toBe(true);
    expect(nodeVerifies(hash, PublicKey, message, signed.Signature)).toBe(true);

    // And a RAW (WebCrypto) signature over m verifies as a signature over hash(m).
    const raw = await east.sign({ KeyId, Message: message, SigningAlgorithm });
    expect((await east.verify({ KeyId, Message: digest, MessageType: 'DIGEST', Signature: raw.Signature, SigningAlgorithm })).SignatureValid).toBe(true);
    expect(nodeVerifies(hash, PublicKey, message, raw.Signature)).toBe(true);

    // A digest sent as RAW is hashed again: a different message.
    await rejects(east.verify({ KeyId, Message: digest, Signature: signed.Signature, SigningAlgorithm }), 'KMSInvalidSignatureException');
  }, 30_000);

  it.each(CURVES)('%s / %s: a tampered digest, message or signature fails with KMSInvalidSignatureException', async (KeySpec, SigningAlgorithm, hash) => {
    const { east } = await testKms();
    const KeyId = await keyId(east, { KeySpec, KeyUsage: 'SIGN_VERIFY' });
    const digest = await digestOf(hash, bytes('tamper me'));
    const { Signature } = await east.sign({ KeyId, Message: digest, MessageType: 'DIGEST', SigningAlgorithm });
    for (const i of [0, digest.length >> 1, digest.length - 1]) {
      const e = await rejects(east.verify({ KeyId, Message: flip(digest, i), MessageType: 'DIGEST', Signature, SigningAlgorithm }), 'KMSInvalidSignatureException');
      expectNoBytes(e, [digest, Signature]);
    }
    await rejects(east.verify({ KeyId, Message: bytes('tamper mE'), Signature, SigningAlgorithm }), 'KMSInvalidSignatureException');
    await rejects(east.verify({ KeyId, Message: digest, MessageType: 'DIGEST', Signature: flip(Signature, Signature.length - 1), SigningAlgorithm }), 'KMSInvalidSignatureException');
    // Malformed DER is a bad signature, never a crash or a ValidationException.
    for (const bad of [Signature.subarray(1), Signature.subarray(0, Signature.length - 1), new Uint8Array([0x30, 0x00]), flip(Signature, 0)]) {
      await rejects(east.verify({ KeyId, Message: digest, MessageType: 'DIGEST', Signature: bad, SigningAlgorithm }), 'KMSInvalidSignatureException');
    }
  }, 30_000);

  it('accepts both halves of s, as the RAW path does (no low-S rule)', async () => {
    const { p256 } = await import('@noble/curves/nist.js');
    const { east } = await testKms();
    const KeyId = await keyId(east, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const digest = await digestOf('SHA-256', bytes('malleable'));
    const { Signature } = await east.sign({ KeyId, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' });
    const sig = p256.Signature.fromBytes(Signature, 'der');
    const other = new p256.Signature(sig.r, p256.Point.CURVE().n - sig.s).toBytes('der');
    for (const s of [Signature, other]) {
      expect((await east.verify({ KeyId, Message: digest, MessageType: 'DIGEST', Signature: s, SigningAlgorithm: 'ECDSA_SHA_256' })).SignatureValid).toBe(true);
      expect((await east.verify({ KeyId, Message: bytes('malleable'), Signature: s, SigningAlgorithm: 'ECDSA_SHA_256' })).SignatureValid).toBe(true);
    }
  });

  it('unseals the private key only for the call and zeroes it afterwards; RAW and Verify never unseal it', async () => {
    const unsealed: Uint8Array[] = [];
    const real = RegionRuntime.prototype.materialBytes;
    const spy = vi.spyOn(RegionRuntime.prototype, 'materialBytes').mockImplementation(async function (this: RegionRuntime, ...args) {
      const out = await real.apply(this, args);
      unsealed.push(out);
      return out;
    });
    try {
      const { east } = await testKms();
      const KeyId = await keyId(east, { KeySpec: 'ECC_NIST_P384', KeyUsage: 'SIGN_VERIFY' });
      const digest = await digestOf('SHA-384', bytes('zeroed'));
      const { Signature } = await east.sign({ KeyId, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_384' });
      expect(unsealed).toHaveLength(1);
      expect(unsealed[0]!.length).toBeGreaterThan(48);
      expect(unsealed[0]!.every((b) => b === 0)).toBe(true);
      await east.verify({ KeyId, Message: digest, MessageType: 'DIGEST', Signature, SigningAlgorithm: 'ECDSA_SHA_384' });
      await east.sign({ KeyId, Message: bytes('zeroed'), SigningAlgorithm: 'ECDSA_SHA_384' });
      expect(unsealed).toHaveLength(1);
    } finally {
      spy.mockRestore();
    }
  });

  it.each(CURVES)('%s / %s: a digest of the wrong length is a ValidationException on Sign and Verify', async (KeySpec, SigningAlgorithm, _hash, length) => {
    const { east } = await testKms();
    const KeyId = await keyId(east, { KeySpec, KeyUsage: 'SIGN_VERIFY' });
    const good = new Uint8Array(length).fill(7);
    const { Signature } = await east.sign({ KeyId, Message: good, MessageType: 'DIGEST', SigningAlgorithm });
    for (const wrong of [1, length - 1, length + 1, 20, 28, ...[32, 48, 64].filter((n) => n !== length), 4096]) {
      const Message = new Uint8Array(wrong).fill(0xab);
      const expected = new RegExp(`${SigningAlgorithm}.*must match the length of hashed messages.*\\(${length} bytes\\), not ${wrong}\\.$`);
      const signError = await rejects(east.sign({ KeyId, Message, MessageType: 'DIGEST', SigningAlgorithm }), 'ValidationException', expected);
      const verifyError = await rejects(east.verify({ KeyId, Message, MessageType: 'DIGEST', Signature, SigningAlgorithm }), 'ValidationException', expected);
      expectNoBytes(signError, [Message]);
      expectNoBytes(verifyError, [Message, Signature]);
    }
    // The same lengths are fine as RAW messages, which are hashed.
    await east.sign({ KeyId, Message: new Uint8Array(length + 1), SigningAlgorithm });
  }, 30_000);

  it('checks the key and algorithm first, honours DryRun, and passes kms:MessageType to policies', async () => {
    const { kms, east } = await testKms();
    const p256 = await keyId(east, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const digest48 = new Uint8Array(48);
    // A curve and algorithm that do not match are InvalidKeyUsageException, whatever the length.
    await rejects(east.sign({ KeyId: p256, Message: digest48, MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_384' }), 'InvalidKeyUsageException');
    await rejects(east.sign({ KeyId: p256, Message: new Uint8Array(32), MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256', DryRun: true }), 'DryRunOperationException');
    await rejects(east.sign({ KeyId: p256, Message: new Uint8Array(32), MessageType: 'EXTERNAL_MU', SigningAlgorithm: 'ECDSA_SHA_256' }), 'UnsupportedOperationException', /ML-DSA/);

    const rawOnly = JSON.stringify({
      Version: '2012-10-17',
      Statement: { Effect: 'Allow', Action: ['kms:Sign', 'kms:Verify'], Resource: '*', Condition: { StringEquals: { 'kms:MessageType': 'RAW' } } },
    });
    await kms.iam.putUserPolicy({ UserName: 'alice', PolicyName: 'raw-only', PolicyDocument: rawOnly });
    const alice = kms.region('us-east-1', { principal: 'arn:aws:iam::111122223333:user/alice' });
    await alice.sign({ KeyId: p256, Message: bytes('raw'), SigningAlgorithm: 'ECDSA_SHA_256' });
    await rejects(alice.sign({ KeyId: p256, Message: new Uint8Array(32), MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' }), 'AccessDeniedException');
  });
});

describe('Sign and Verify with MessageType DIGEST (RSA keys)', () => {
  it('refuses every RSA algorithm with UnsupportedOperationException that says why', async () => {
    const { east } = await testKms();
    const KeyId = await keyId(east, { KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' });
    const { Signature } = await east.sign({ KeyId, Message: bytes('m'), SigningAlgorithm: 'RSASSA_PSS_SHA_256' });
    for (const [SigningAlgorithm, length] of RSA_ALGORITHMS) {
      const Message = new Uint8Array(length).fill(0x5a);
      const why = /not supported by the simulated KMS.*WebCrypto cannot sign or verify a pre-computed digest with an RSA key and there is no audited RSA library/;
      const signError = await rejects(east.sign({ KeyId, Message, MessageType: 'DIGEST', SigningAlgorithm: SigningAlgorithm as SigningAlgorithm }), 'UnsupportedOperationException', why);
      const verifyError = await rejects(east.verify({ KeyId, Message, MessageType: 'DIGEST', Signature, SigningAlgorithm }), 'UnsupportedOperationException', why);
      expect(signError.message).toContain(SigningAlgorithm);
      expectNoBytes(signError, [Message]);
      expectNoBytes(verifyError, [Message, Signature]);
      // A digest of the wrong length is the caller's error first, as AWS KMS would report it.
      await rejects(east.sign({ KeyId, Message: new Uint8Array(length + 1), MessageType: 'DIGEST', SigningAlgorithm }), 'ValidationException');
    }
    // RAW stays available.
    expect((await east.verify({ KeyId, Message: bytes('m'), Signature, SigningAlgorithm: 'RSASSA_PSS_SHA_256' })).SignatureValid).toBe(true);
  }, 30_000);
});
