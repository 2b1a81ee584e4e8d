/**
 * Non-framed bodies (content type 1) are never written by the kit or the ESDK for JavaScript, and
 * the published vectors are all framed, so these messages are built here by hand from the
 * specification with node:crypto (data-format/message-header.md, message-body.md,
 * message-body-aad.md, framework/transitive-requirements.md), independently of the kit's code.
 */
import { createCipheriv, hkdfSync, randomBytes, type CipherGCM } from 'node:crypto';
import { CommitmentPolicy, EnvelopeError, decrypt, decryptStream, type EncryptionMaterials, type Keyring } from '../../src/core/index.js';

const dataKey = new Uint8Array(32).map((_, i) => i + 1);
const fixedKeyring = (key: Uint8Array): Keyring => ({
  onEncrypt: async (m: EncryptionMaterials) => m,
  onDecrypt: async (m, edks) => {
    if (edks.some((e) => e.providerId === 'fixed')) m.plaintextDataKey = new Uint8Array(key);
    return m;
  },
});

const u16 = (n: number) => Buffer.from([n >> 8, n & 255]);
const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };
const u64 = (n: number) => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(n)); return b; };

function gcm(key: Buffer, iv: Buffer, aad: Buffer, plaintext: Buffer): { ct: Buffer; tag: Buffer } {
  const cipher = createCipheriv(`aes-${key.length * 8}-gcm`, key, iv) as CipherGCM;
  cipher.setAAD(aad);
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { ct, tag: cipher.getAuthTag() };
}

/** A non-framed message for suite 0x0478 (v2) or 0x0014 (v1, identity KDF). */
function nonFramed(suiteId: 0x0478 | 0x0014, plaintext: Buffer): Uint8Array<ArrayBuffer> {
  const v2 = suiteId === 0x0478;
  const messageId = randomBytes(v2 ? 32 : 16);
  const edk = Buffer.concat([u16(1), u16(5), Buffer.from('fixed'), u16(0), u16(3), Buffer.from([1, 2, 3])]);
  const aad = Buffer.concat([u16(1), u16(1), Buffer.from('a'), u16(1), Buffer.from('b')]);
  const rawKey = Buffer.from(v2 ? dataKey : dataKey.subarray(0, 16));
  let key = rawKey;
  let body: Buffer;
  if (v2) {
    key = Buffer.from(hkdfSync('sha512', rawKey, messageId, Buffer.concat([u16(suiteId), Buffer.from('DERIVEKEY')]), 32));
    const commit = Buffer.from(hkdfSync('sha512', rawKey, messageId, Buffer.from('COMMITKEY'), 32));
    body = Buffer.concat([Buffer.from([2]), u16(suiteId), messageId, u16(aad.length), aad, edk, Buffer.from([1]), u32(0), commit]);
  } else {
    body = Buffer.concat([Buffer.from([1, 0x80]), u16(suiteId), messageId, u16(aad.length), aad, edk, Buffer.from([1, 0, 0, 0, 0, 12]), u32(0)]);
  }
  const headerTag = gcm(key, Buffer.alloc(12), body, Buffer.alloc(0)).tag;
  const header = Buffer.concat(v2 ? [body, headerTag] : [body, Buffer.alloc(12), headerTag]);
  const iv = randomBytes(12);
  const bodyAad = Buffer.concat([messageId, Buffer.from('AWSKMSEncryptionClient Single Block'), u32(1), u64(plaintext.length)]);
  const { ct, tag } = gcm(key, iv, bodyAad, plaintext);
  return new Uint8Array(Buffer.concat([header, iv, u64(plaintext.length), ct, tag])) as Uint8Array<ArrayBuffer>;
}

describe('non-framed messages (decrypt only)', () => {
  for (const suiteId of [0x0478, 0x0014] as const) {
    const keyring = fixedKeyring(suiteId === 0x0478 ? dataKey : dataKey.subarray(0, 16));
    const commitmentPolicy = CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT;
    for (const length of [0, 1, 1000]) {
      it(`suite 0x${suiteId.toString(16).padStart(4, '0')}, ${length} bytes: one-shot and stream`, async () => {
        const plaintext = randomBytes(length);
        const message = nonFramed(suiteId, plaintext);
        const result = await decrypt(keyring, message, { commitmentPolicy, encryptionContext: { a: 'b' } });
        expect(result.header.contentType).toBe('non-framed');
        expect(result.header.frameLength).toBe(0);
        expect(Buffer.from(result.plaintext).equals(plaintext)).toBe(true);
        const streamed = await new Response(new Blob([message]).stream().pipeThrough(decryptStream(keyring, { commitmentPolicy }))).arrayBuffer();
        expect(Buffer.from(streamed).equals(plaintext)).toBe(true);
      });
    }
    it(`suite 0x${suiteId.toString(16).padStart(4, '0')}: a flipped body bit or a truncated body is rejected`, async () => {
      const message = nonFramed(suiteId, randomBytes(100));
      const flipped = message.slice();
      flipped[flipped.length - 30]! ^= 4;
      await expect(decrypt(keyring, flipped, { commitmentPolicy })).rejects.toMatchObject({ code: 'INTEGRITY_FAILURE' });
      await expect(decrypt(keyring, message.slice(0, -1), { commitmentPolicy })).rejects.toBeInstanceOf(EnvelopeError);
    });
  }
});
