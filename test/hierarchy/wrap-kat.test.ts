/**
 * Known-answer tests of the hierarchical keyring's wrapped data key, written from the specification
 * (framework/aws-kms/aws-kms-hierarchical-keyring.md) and computed here independently with
 * node:crypto, so the code is never its own oracle:
 *   "Ciphertext": salt (16) | IV (12) | version (16) | encrypted key | authentication tag (16);
 *   "Branch Key Wrapping": KDF in counter mode, HMAC-SHA-256, key = branch key, salt, label
 *     "aws-kms-hierarchy", 32-byte output; AES-256-GCM with a 16-byte tag;
 *   "Branch Key Wrapping and Unwrapping AAD": "aws-kms-hierarchy" | branch-key-id | version | context;
 *   "Appendix A": SHA-384 cache entry identifiers.
 * The AWS SDK's own KDF (@aws-crypto/kdf-ctr-mode-node) is a second oracle for the derivation.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac } from 'node:crypto';
import { kdfCounterMode } from '@aws-crypto/kdf-ctr-mode-node';
import { encrypt, decrypt, parseHeader, HierarchicalKeyring } from '../../src/core/index.js';
import {
  bytesToUuid,
  deriveWrappingKey,
  hierarchyCacheId,
  importBranchKey,
  parseWrappedDataKey,
  unwrapDataKey,
  uuidToBytes,
  wrapDataKey,
} from '../../src/core/hierarchical-keyring-wrap.js';
import { hex, staticSource, text, toHex } from './fixtures.js';

// Fixed inputs. The ids are the specification's own example (branch-key-store.md, "Example").
const BRANCH_KEY_ID = 'bbb9baf1-03e6-4716-a586-6bf29995314b';
const VERSION = '83eec007-5659-4554-bf11-699b90f41ac6';
const VERSION_BYTES = hex('83eec007 5659 4554 bf11 699b90f41ac6');
const BRANCH_KEY = hex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
const SALT = hex('a0a1a2a3a4a5a6a7a8a9aaabacadaeaf');
const IV = hex('b0b1b2b3b4b5b6b7b8b9babb');
const DATA_KEY = hex('404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f');
const CONTEXT = { tenant: 'acme', purpose: 'notes' };
// The context serialized by hand (spec: structures.md#serialization): count, then pairs sorted by key.
const CONTEXT_BYTES = Buffer.concat([
  hex('0002'),
  hex('0007'), Buffer.from('purpose'), hex('0005'), Buffer.from('notes'),
  hex('0006'), Buffer.from('tenant'), hex('0004'), Buffer.from('acme'),
]);

/** derivedBranchKey per SP 800-108 counter mode: HMAC(key, [1]_32 | label | 0x00 | salt | [256]_32). */
function nodeDerive(branchKey: Uint8Array, salt: Uint8Array): Buffer {
  return createHmac('sha256', branchKey).update(hex('00000001')).update('aws-kms-hierarchy').update(hex('00')).update(salt).update(hex('00000100')).digest();
}

function nodeAad(context: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from('aws-kms-hierarchy'), Buffer.from(BRANCH_KEY_ID), VERSION_BYTES, context]);
}

function nodeWrap(context: Uint8Array): Buffer {
  const cipher = createCipheriv('aes-256-gcm', nodeDerive(BRANCH_KEY, SALT), IV).setAAD(nodeAad(context));
  const sealed = Buffer.concat([cipher.update(DATA_KEY), cipher.final()]);
  return Buffer.concat([SALT, IV, VERSION_BYTES, sealed, cipher.getAuthTag()]);
}

describe('hierarchical keyring wrapping: known answers from the specification', () => {
  it('derives the wrapping key with the KDF in counter mode (HMAC-SHA-256, label aws-kms-hierarchy, salt as context)', async () => {
    const expected = nodeDerive(BRANCH_KEY, SALT);
    // The AWS SDK's KDF agrees with the hand-written SP 800-108 block.
    const sdk = kdfCounterMode({ digestAlgorithm: 'sha256', ikm: Buffer.from(BRANCH_KEY), nonce: Buffer.from(SALT), purpose: Buffer.from('aws-kms-hierarchy'), expectedLength: 32 });
    expect(toHex(sdk)).toBe(toHex(expected));
    // Our derived key is non-extractable; show it is the same key by sealing with both.
    const derived = await deriveWrappingKey(await importBranchKey(BRANCH_KEY), SALT);
    expect(derived.extractable).toBe(false);
    const ours = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv: IV }, derived, DATA_KEY));
    const cipher = createCipheriv('aes-256-gcm', expected, IV);
    expect(toHex(ours)).toBe(toHex(Buffer.concat([cipher.update(DATA_KEY), cipher.final(), cipher.getAuthTag()])));
  });

  it('wraps to salt | IV | version | encrypted key | tag, byte for byte', async () => {
    const ciphertext = await wrapDataKey({
      branchKey: await importBranchKey(BRANCH_KEY),
      branchKeyId: BRANCH_KEY_ID,
      branchKeyVersion: VERSION,
      dataKey: DATA_KEY,
      encryptionContext: CONTEXT,
      salt: SALT,
      iv: IV,
    });
    const expected = nodeWrap(CONTEXT_BYTES);
    expect(ciphertext.length).toBe(16 + 12 + 16 + 32 + 16);
    expect(toHex(ciphertext)).toBe(toHex(expected));
    // The spec's table, field by field.
    expect(toHex(ciphertext.subarray(0, 16))).toBe(toHex(SALT));
    expect(toHex(ciphertext.subarray(16, 28))).toBe(toHex(IV));
    expect(toHex(ciphertext.subarray(28, 44))).toBe(toHex(VERSION_BYTES));
    expect(toHex(ciphertext.subarray(76))).toBe(toHex(expected.subarray(76)));
  });

  it('binds an empty context as zero bytes (no count field)', async () => {
    const ciphertext = await wrapDataKey({
      branchKey: await importBranchKey(BRANCH_KEY),
      branchKeyId: BRANCH_KEY_ID,
      branchKeyVersion: VERSION,
      dataKey: DATA_KEY,
      encryptionContext: {},
      salt: SALT,
      iv: IV,
    });
    expect(toHex(ciphertext)).toBe(toHex(nodeWrap(new Uint8Array(0))));
  });

  it('unwraps what node:crypto wrapped, and refuses any changed byte or context', async () => {
    const branchKey = await importBranchKey(BRANCH_KEY);
    const ciphertext = new Uint8Array(nodeWrap(CONTEXT_BYTES));
    const wrapped = parseWrappedDataKey(ciphertext, 32)!;
    expect(toHex(await unwrapDataKey(branchKey, BRANCH_KEY_ID, wrapped, CONTEXT))).toBe(toHex(DATA_KEY));
    await expect(unwrapDataKey(branchKey, BRANCH_KEY_ID, wrapped, { ...CONTEXT, tenant: 'other' })).rejects.toThrow();
    await expect(unwrapDataKey(branchKey, 'another-branch-key', wrapped, CONTEXT)).rejects.toThrow();
    for (const at of [0, 15, 16, 27, 28, 43, 44, 75, 76, 91]) {
      const altered = ciphertext.slice();
      altered[at]! ^= 1;
      await expect(unwrapDataKey(branchKey, BRANCH_KEY_ID, parseWrappedDataKey(altered, 32)!, CONTEXT), `byte ${at}`).rejects.toThrow();
    }
    expect(parseWrappedDataKey(ciphertext.subarray(1), 32)).toBeUndefined();
    expect(parseWrappedDataKey(ciphertext, 16)).toBeUndefined();
  });

  it('writes the version as the UUID\'s 16 bytes', () => {
    expect(toHex(uuidToBytes(VERSION)!)).toBe(toHex(VERSION_BYTES));
    expect(bytesToUuid(VERSION_BYTES)).toBe(VERSION);
    expect(uuidToBytes('not-a-uuid')).toBeUndefined();
    expect(uuidToBytes(VERSION.replace(/-/g, ''))).toBeUndefined();
  });

  it('computes the cache entry identifiers of Appendix A (SHA-384, 0x00 separators)', async () => {
    const partition = text('partition-1');
    const encryptId = createHash('sha384')
      .update(Buffer.concat([hex('02 00 01 00'), partition, hex('00'), Buffer.from('store-name'), hex('00'), Buffer.from(BRANCH_KEY_ID)]))
      .digest('hex');
    const decryptId = createHash('sha384')
      .update(Buffer.concat([hex('02 00 02 00'), partition, hex('00'), Buffer.from('store-name'), hex('00'), Buffer.from(BRANCH_KEY_ID), hex('00'), Buffer.from(VERSION)]))
      .digest('hex');
    expect(await hierarchyCacheId(partition, 'store-name', BRANCH_KEY_ID)).toBe(encryptId);
    expect(await hierarchyCacheId(partition, 'store-name', BRANCH_KEY_ID, VERSION)).toBe(decryptId);
  });

  it('puts an EDK in every message that node:crypto unwraps with the branch key', async () => {
    const keyring = new HierarchicalKeyring({ keyStore: staticSource('kat', { [BRANCH_KEY_ID]: { [VERSION]: BRANCH_KEY } }), branchKeyId: BRANCH_KEY_ID, ttlSeconds: 60 });
    for (const suiteId of [0x0478, 0x0178, 0x0114] as const) {
      const { ciphertext } = await encrypt(keyring, text('known answer'), {
        suiteId,
        encryptionContext: CONTEXT,
        commitmentPolicy: suiteId === 0x0478 ? 'REQUIRE_ENCRYPT_REQUIRE_DECRYPT' : 'FORBID_ENCRYPT_ALLOW_DECRYPT',
      });
      const [edk] = parseHeader(ciphertext)!.encryptedDataKeys;
      expect(edk!.providerId).toBe('aws-kms-hierarchy');
      expect(new TextDecoder().decode(edk!.providerInfo)).toBe(BRANCH_KEY_ID);
      const keyLength = suiteId === 0x0114 ? 16 : 32;
      const c = Buffer.from(edk!.ciphertext);
      expect(c.length).toBe(60 + keyLength);
      expect(toHex(c.subarray(28, 44))).toBe(toHex(VERSION_BYTES));
      const decipher = createDecipheriv('aes-256-gcm', nodeDerive(BRANCH_KEY, c.subarray(0, 16)), c.subarray(16, 28))
        .setAAD(nodeAad(CONTEXT_BYTES))
        .setAuthTag(c.subarray(44 + keyLength));
      const dataKey = Buffer.concat([decipher.update(c.subarray(44, 44 + keyLength)), decipher.final()]);
      expect(dataKey.length).toBe(keyLength);
      const { plaintext } = await decrypt(keyring, ciphertext, { commitmentPolicy: 'REQUIRE_ENCRYPT_ALLOW_DECRYPT' });
      expect(new TextDecoder().decode(plaintext)).toBe('known answer');
    }
  });
});
