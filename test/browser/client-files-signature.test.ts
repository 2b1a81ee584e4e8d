/**
 * Signed files hash frame by frame in WebAssembly (src/core/hashing). Their digests must be the
 * ones a whole-message WebCrypto signature covers: a signed file checked by kit.decrypt (one call,
 * WebCrypto verify over the whole message below 4 MiB) and a kit.encrypt message (WebCrypto sign)
 * read by decryptFile; a re-signed footer is refused; several files at once keep their hashes apart.
 */
import { expect } from 'chai';
import type { Kit } from '../../src/index.js';
import { describe, it } from '../support/bdd.js';
import { blobBytes, patternBytes, rejection, sameBytes, withKit } from './client-support.js';

const MiB = 1024 * 1024;
const context = { file: 'hashes.bin' };

async function newKey(kit: Kit): Promise<string> {
  return (await kit.kms('us-east-1').createKey({ Description: 'hash worker' })).KeyMetadata.Arn;
}

/** The footer starts where a 2-byte length followed by exactly that many bytes ends the message. */
function bodyEnd(message: Uint8Array): number {
  for (let length = 110; length >= 100; length--) {
    const at = message.length - 2 - length;
    if (((message[at]! << 8) | message[at + 1]!) === length) return at;
  }
  throw new Error('no footer found');
}

describe('createKit: signed files and their incremental hash', () => {
  it('agrees with WebCrypto signatures both ways, and refuses another key\'s signature', () =>
    withKit(async (kit) => {
      const keyId = await newKey(kit);
      const plaintext = patternBytes(2 * MiB + 777);
      const file = await blobBytes(await kit.encryptFile(new Blob([plaintext]), { keyId, encryptionContext: context }));
      expect(file[1]).to.equal(0x05); // the default suite, 0x0578
      const { plaintext: checked } = await kit.decrypt(file.slice(), { encryptionContext: context });
      expect(sameBytes(checked, plaintext)).to.equal(true);

      const { ciphertext: message } = await kit.encrypt(plaintext.slice(), { keyId, encryptionContext: context });
      const read = await blobBytes(await kit.decryptFile(new Blob([message.slice()])));
      expect(sameBytes(read, plaintext)).to.equal(true);

      // The file's header and body with the other message's footer (signed by its own key).
      const spliced = new Uint8Array(bodyEnd(file) + (message.length - bodyEnd(message)));
      spliced.set(file.subarray(0, bodyEnd(file)));
      spliced.set(message.subarray(bodyEnd(message)), bodyEnd(file));
      expect((await rejection(kit.decryptFile(new Blob([spliced])))).code).to.equal('SIGNATURE_INVALID');
    }));

  it('keeps the hashes of files encrypted and decrypted at once apart', () =>
    withKit(async (kit) => {
      const keyId = await newKey(kit);
      const inputs = [1, 2, 3].map((n) => patternBytes(n * MiB + n));
      const files = await Promise.all(inputs.map((p) => kit.encryptFile(new Blob([p]), { keyId, encryptionContext: context })));
      const back = await Promise.all(files.map((f) => kit.decryptFile(f)));
      for (let i = 0; i < inputs.length; i++) expect(sameBytes(await blobBytes(back[i]!), inputs[i]!)).to.equal(true);
    }));
});
