/**
 * A key-store backup is a plain AWS Encryption SDK message: the AWS Encryption SDK for JavaScript
 * (the interop oracle) decrypts it with a raw AES keyring over the key derived, as the file's
 * header says, from the passphrase. The derivation here is @noble/hashes' argon2id (sync) and
 * Node's own PBKDF2, called directly with the parameters read from the header, not the kit's code.
 */
import { describe, expect, it } from 'vitest';
import { pbkdf2Sync } from 'node:crypto';
import { argon2id } from '@noble/hashes/argon2.js';
import { buildClient, CommitmentPolicy, RawAesKeyringNode, RawAesWrappingSuiteIdentifier } from '@aws-crypto/client-node';
import { createKms } from '../../src/kms/index.js';
import { parseHeader } from '../../src/core/header.js';

const PASSPHRASE = 'Tr0ub4dor & 3, with ünïcödé';

async function sdkDecrypt(file: Uint8Array) {
  const context = parseHeader(file)!.encryptionContext;
  const salt = Buffer.from(context['kdf-salt']!, 'base64');
  const password = new TextEncoder().encode(PASSPHRASE.normalize('NFC'));
  const key =
    context.kdf === 'argon2id'
      ? argon2id(password, salt, { m: Number(context['kdf-memory-kib']), t: Number(context['kdf-iterations']), p: Number(context['kdf-parallelism']), dkLen: 32 })
      : new Uint8Array(pbkdf2Sync(password, salt, Number(context['kdf-iterations']), 32, 'sha256'));
  const keyring = new RawAesKeyringNode({
    keyNamespace: 'envelope-kit',
    keyName: 'key-store-backup',
    unencryptedMasterKey: new Uint8Array(key),
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
    utf8Sorting: true,
  });
  return buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT).decrypt(keyring, file);
}

describe('a backup file opens with the AWS Encryption SDK', () => {
  for (const kdf of ['argon2id', 'pbkdf2-sha256'] as const) {
    it(`${kdf}: the SDK decrypts it given the derived key; the header names the kit, version, time and KDF`, async () => {
      const kms = await createKms({ storage: 'memory' });
      const { KeyMetadata } = await kms.region('us-east-1').createKey({});
      const file = new Uint8Array(await (await kms.backup({ passphrase: PASSPHRASE, kdf })).arrayBuffer());
      const { plaintext, messageHeader } = await sdkDecrypt(file);
      const context = messageHeader.encryptionContext;
      expect(context).toMatchObject({ kit: 'envelope-kit', format: 'key-store-backup', 'format-version': '1', kdf });
      expect(Date.parse(context.created!)).toBeGreaterThan(Date.now() - 60_000);
      if (kdf === 'argon2id') expect(context).toMatchObject({ 'kdf-memory-kib': '19456', 'kdf-iterations': '2', 'kdf-parallelism': '1' });
      else expect(context['kdf-iterations']).toBe('600000');
      // Payload: 64 bytes of transfer keys, then the JSON contents, whose materials are wrapped.
      const contents = JSON.parse(new TextDecoder().decode(plaintext.subarray(64)));
      expect(contents).toMatchObject({ format: 'envelope-kit/key-store', version: 1, account: '111122223333' });
      const key = contents.regions[0].keys[0];
      expect(key.KeyId).toBe(KeyMetadata.KeyId);
      expect(key.materials[0].wrapped.alg).toBe('AES-KW');
      // AES-KW of a 32-byte key is 40 bytes: the material is wrapped, not bare.
      expect(Buffer.from(key.materials[0].wrapped.bytes.$bytes, 'base64')).toHaveLength(40);
      await kms.close();
    });
  }

  it('with another passphrase the SDK cannot open it', async () => {
    const kms = await createKms({ storage: 'memory' });
    const file = new Uint8Array(await (await kms.backup({ passphrase: 'something else entirely', kdf: 'pbkdf2-sha256' })).arrayBuffer());
    await expect(sdkDecrypt(file)).rejects.toThrow();
  });
});
