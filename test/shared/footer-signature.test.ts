/**
 * Footer signatures at a fixed length (src/core/signature.ts, footerSignature): of (r, s) and
 * (r, n - s), both valid, the one whose DER is 103 bytes (P-384) or 71 (P-256) is written, as the
 * AWS Encryption SDK for Python does, so one-shot encrypt lays a signed message out in a buffer of
 * its final size. Every signature must still verify, with WebCrypto and in the message.
 */
import { expect } from 'chai';
import { decrypt, encrypt, RawAesKeyring } from '../../src/core/index.js';
import { derToP1363, footerSignature, SIGNATURE_LENGTH } from '../../src/core/signature.js';
import { describe, it } from '../support/bdd.js';

const subtle = globalThis.crypto.subtle;

describe('footer signatures at a fixed length', () => {
  for (const [curve, hash, scalar] of [['P-384', 'SHA-384', 48], ['P-256', 'SHA-256', 32]] as const) {
    it(`${curve}: ${SIGNATURE_LENGTH[curve]} bytes but for a short r, and every one verifies`, async () => {
      const pair = await subtle.generateKey({ name: 'ECDSA', namedCurve: curve }, false, ['sign', 'verify']);
      const lengths = new Map<number, number>();
      let negated = 0;
      const rounds = 200;
      for (let i = 0; i < rounds; i++) {
        const message = crypto.getRandomValues(new Uint8Array(40 + i));
        const raw = new Uint8Array(await subtle.sign({ name: 'ECDSA', hash }, pair.privateKey, message));
        const der = footerSignature(raw, curve);
        lengths.set(der.length, (lengths.get(der.length) ?? 0) + 1);
        const back = derToP1363(der, scalar)!;
        expect(back, 'strict DER').to.not.equal(undefined);
        expect(back.subarray(0, scalar)).to.deep.equal(raw.subarray(0, scalar)); // r is never touched
        if (!back.subarray(scalar).every((b, j) => b === raw[scalar + j])) negated++;
        expect(await subtle.verify({ name: 'ECDSA', hash }, pair.publicKey, back, message), `signature ${i}`).to.equal(true);
        expect(der.length).to.be.at.most(SIGNATURE_LENGTH[curve]);
      }
      // r is one byte short about 1 time in 256; every other signature has the fixed length.
      expect(lengths.get(SIGNATURE_LENGTH[curve]) ?? 0, JSON.stringify([...lengths])).to.be.at.least(rounds - 6);
      // About half the signatures need s negated: both branches ran.
      expect(negated, 'negated').to.be.within(rounds / 5, (rounds * 4) / 5);
    });
  }

  it('one-shot encrypt gives a signed message in a buffer of exactly its size, which decrypts', async () => {
    const keyring = new RawAesKeyring({ keyNamespace: 'ns', keyName: 'footer', wrappingKey: new Uint8Array(32).fill(3) });
    let exact = 0;
    for (let i = 0; i < 24; i++) {
      const plaintext = crypto.getRandomValues(new Uint8Array(100 + i * 37));
      const { ciphertext } = await encrypt(keyring, plaintext, { encryptionContext: { n: String(i) } });
      const footerLength = (ciphertext[ciphertext.length - 105]! << 8) | ciphertext[ciphertext.length - 104]!;
      if (footerLength === 103 && ciphertext.buffer.byteLength === ciphertext.length) exact++;
      expect((await decrypt(keyring, ciphertext)).plaintext).to.deep.equal(plaintext);
    }
    expect(exact).to.be.at.least(22);
  });
});
