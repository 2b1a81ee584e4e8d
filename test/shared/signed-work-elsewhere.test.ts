/**
 * The two hooks that let signed-message work run in another worker (issue 16): `signatureHasher`
 * (the footer hash of streams and large one-shot messages) and DefaultCmm's `signingKeys` (the
 * one-time ECDSA key pairs). The bytes must not change: messages made with them decrypt without
 * them and the reverse; a hasher is consulted exactly where the core hashes incrementally; a hasher
 * or key source that misbehaves gets a typed error, never a message that does not verify.
 */
import { expect } from 'chai';
import {
  createIncrementalHash,
  decrypt,
  decryptStream,
  DefaultCmm,
  encrypt,
  encryptStream,
  EnvelopeError,
  generateSigningKey,
  RawAesKeyring,
  type MessageHasher,
  type SignatureHasher,
  type SignatureHashName,
} from '../../src/core/index.js';
import { describe, it } from '../support/bdd.js';

const MiB = 1024 * 1024;
const context = { purpose: 'elsewhere' };
const keyring = new RawAesKeyring({ keyNamespace: 'ns', keyName: 'elsewhere', wrappingKey: new Uint8Array(32).fill(7) });

function patterned(size: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + (i >> 9)) & 0xff;
  return out;
}

/** A hasher that copies what it is fed and hashes it only when the digest is asked for, asynchronously, as a worker would. */
function recordingHasher(): { hasher: SignatureHasher; calls: SignatureHashName[]; fed: () => number } {
  const calls: SignatureHashName[] = [];
  let bytes = 0;
  const hasher: SignatureHasher = async (hash) => {
    calls.push(hash);
    const pieces: Uint8Array[] = [];
    return {
      update(data) {
        pieces.push(data.slice());
        bytes += data.length;
      },
      async digest() {
        await new Promise((resolve) => setTimeout(resolve, 1));
        const h = await createIncrementalHash(hash);
        for (const piece of pieces) h.update(piece);
        return h.digest();
      },
    } satisfies MessageHasher;
  };
  return { hasher, calls, fed: () => bytes };
}

async function streamed(input: Uint8Array, transform: TransformStream<Uint8Array, Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(new Blob([input as Uint8Array<ArrayBuffer>]).stream().pipeThrough(transform)).arrayBuffer());
}

/** As {@link streamed}, read with a reader, so a failed stream rejects with its own error (a Response wraps it in a TypeError in browsers). */
async function streamedOrError(input: Uint8Array, transform: TransformStream<Uint8Array, Uint8Array>): Promise<Uint8Array> {
  const reader = new Blob([input as Uint8Array<ArrayBuffer>]).stream().pipeThrough(transform).getReader();
  const parts: Uint8Array[] = [];
  for (let part = await reader.read(); !part.done; part = await reader.read()) parts.push(part.value);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}

describe('signed-message work elsewhere: options.signatureHasher', () => {
  it('hashes streams and one-shot messages from 4 MiB with the hasher, with the same bytes as without', async () => {
    const small = patterned(3000);
    const large = patterned(4 * MiB + 5);

    const viaStream = recordingHasher();
    const message = await streamed(small, encryptStream(keyring, { encryptionContext: context, frameLength: 1024, signatureHasher: viaStream.hasher }));
    expect(viaStream.calls).to.deep.equal(['SHA-384']);
    // Fed exactly the header and body: the footer (a 2-byte length and the DER signature) follows.
    const fed = viaStream.fed();
    expect((message[fed]! << 8) | message[fed + 1]!).to.equal(message.length - fed - 2);
    expect((await decrypt(keyring, message, { encryptionContext: context })).plaintext).to.deep.equal(small);

    const oneShot = recordingHasher();
    const { ciphertext } = await encrypt(keyring, large, { encryptionContext: context, signatureHasher: oneShot.hasher });
    expect(oneShot.calls).to.deep.equal(['SHA-384']);
    expect((await decrypt(keyring, ciphertext)).plaintext.length).to.equal(large.length);

    // Decrypting through a hasher: a stream, and a one-shot message from 4 MiB; both must verify.
    const readStream = recordingHasher();
    expect(await streamed(ciphertext, decryptStream(keyring, { signatureHasher: readStream.hasher }))).to.deep.equal(large);
    const readOneShot = recordingHasher();
    expect((await decrypt(keyring, ciphertext, { signatureHasher: readOneShot.hasher })).plaintext).to.deep.equal(large);
    expect([readStream.calls, readOneShot.calls]).to.deep.equal([['SHA-384'], ['SHA-384']]);
    // The hasher saw exactly the header and body: everything but the footer.
    expect(readOneShot.fed()).to.equal(readStream.fed());
    expect(readOneShot.fed()).to.equal(oneShot.fed());

    // Below 4 MiB one-shot messages are signed by WebCrypto in one call: the hasher is not asked.
    const unused = recordingHasher();
    await encrypt(keyring, small, { signatureHasher: unused.hasher });
    await decrypt(keyring, message, { signatureHasher: unused.hasher });
    // Unsigned suites have no footer hash.
    await streamed(small, encryptStream(keyring, { suiteId: 0x0478, signatureHasher: unused.hasher }));
    expect(unused.calls).to.deep.equal([]);

    // SHA-256 for 0x0214.
    const p256 = recordingHasher();
    const legacy = await streamed(small, encryptStream(keyring, { suiteId: 0x0214, commitmentPolicy: 'FORBID_ENCRYPT_ALLOW_DECRYPT', signatureHasher: p256.hasher }));
    expect(p256.calls).to.deep.equal(['SHA-256']);
    expect((await decrypt(keyring, legacy, { commitmentPolicy: 'FORBID_ENCRYPT_ALLOW_DECRYPT' })).plaintext).to.deep.equal(small);
  });

  it('refuses a hasher that is not a function, returns no hasher or digests wrongly, and a wrong digest fails verification', async () => {
    expect(() => encryptStream(keyring, { signatureHasher: 'fast' as unknown as SignatureHasher })).to.throw(TypeError, /options\.signatureHasher/);
    await encrypt(keyring, new Uint8Array(1), { signatureHasher: 42 as unknown as SignatureHasher }).then(
      () => expect.fail('accepted'),
      (error: Error) => expect(error).to.be.instanceOf(TypeError),
    );
    const large = patterned(4 * MiB);
    const noObject = (async () => undefined) as unknown as SignatureHasher;
    const error1 = await encrypt(keyring, large, { signatureHasher: noObject }).catch((e: Error) => e);
    expect(error1).to.be.instanceOf(TypeError);
    expect((error1 as Error).message).to.match(/update\(\) and digest\(\)/);
    const short: SignatureHasher = () => ({ update() {}, digest: () => new Uint8Array(32) });
    const error2 = await encrypt(keyring, large, { signatureHasher: short }).catch((e: Error) => e);
    expect(error2).to.be.instanceOf(TypeError);
    expect((error2 as Error).message).to.match(/48-byte SHA-384/);

    // A hasher that lies (a digest of other bytes) on decrypt: the signature does not verify.
    const { ciphertext } = await encrypt(keyring, large);
    const liar: SignatureHasher = () => ({ update() {}, digest: () => new Uint8Array(48) });
    const error3 = await decrypt(keyring, ciphertext, { signatureHasher: liar }).catch((e: Error) => e);
    expect(error3).to.be.instanceOf(EnvelopeError);
    expect((error3 as EnvelopeError).code).to.equal('SIGNATURE_INVALID');
  });
});

describe('signed-message work elsewhere: MessageHasher.end', () => {
  /** A real hash that counts how each session ended: by its digest, or by `end()`. */
  function endingHasher(): { hasher: SignatureHasher; ends: string[] } {
    const ends: string[] = [];
    const hasher: SignatureHasher = async (hash) => {
      const h = await createIncrementalHash(hash);
      let over = false;
      return {
        update: (data) => h.update(data),
        digest() {
          expect(over, 'digest after end').to.equal(false);
          over = true;
          ends.push('digest');
          return h.digest();
        },
        end() {
          expect(over, 'end after digest or end').to.equal(false);
          over = true;
          ends.push('end');
        },
      };
    };
    return { hasher, ends };
  }

  it('ends a session instead of asking its digest when the message fails, on every incremental path', async () => {
    const large = patterned(4 * MiB + 9);
    const { ciphertext } = await encrypt(keyring, large, { encryptionContext: context });
    const badFrame = ciphertext.slice();
    badFrame[ciphertext.length >> 1]! ^= 1;

    const oneShot = endingHasher();
    expect((await decrypt(keyring, ciphertext, { signatureHasher: oneShot.hasher })).plaintext).to.deep.equal(large);
    const failed = await decrypt(keyring, badFrame, { signatureHasher: oneShot.hasher }).catch((e: EnvelopeError) => e);
    expect((failed as EnvelopeError).code).to.equal('INTEGRITY_FAILURE');
    expect(oneShot.ends).to.deep.equal(['digest', 'end']);

    const stream = endingHasher();
    const readBad = await streamedOrError(badFrame, decryptStream(keyring, { signatureHasher: stream.hasher })).catch((e: EnvelopeError) => e);
    expect((readBad as EnvelopeError).code).to.equal('INTEGRITY_FAILURE');
    // A stream that fails while encrypting: more bytes than it was told to expect.
    const tooLong = await streamedOrError(large, encryptStream(keyring, { signatureHasher: stream.hasher, plaintextLength: 1 << 20, frameLength: 4096 })).catch((e: EnvelopeError) => e);
    expect((tooLong as EnvelopeError).code).to.equal('LIMIT_EXCEEDED');
    expect(await streamedOrError(large, decryptStream(keyring, { signatureHasher: stream.hasher })).catch((e: EnvelopeError) => e.code)).to.equal('MALFORMED_MESSAGE');
    const message = await streamedOrError(large, encryptStream(keyring, { signatureHasher: stream.hasher }));
    expect(await streamedOrError(message, decryptStream(keyring, { signatureHasher: stream.hasher }))).to.deep.equal(large);
    expect(stream.ends).to.deep.equal(['end', 'end', 'digest', 'digest']);
  });
});

describe('signed-message work elsewhere: DefaultCmm signingKeys', () => {
  it('signs each message with the key the source gives, extractable only when asked', async () => {
    const asked: boolean[] = [];
    const given: string[] = [];
    const cmm = new DefaultCmm({
      keyring,
      signingKeys: async (curve, { extractable }) => {
        asked.push(extractable);
        const key = await generateSigningKey(curve, extractable);
        given.push(key.publicKeyBase64);
        return key;
      },
    });
    const one = await encrypt(cmm, patterned(100), { encryptionContext: context });
    const two = await streamed(patterned(100), encryptStream(cmm, { encryptionContext: context }));
    expect(asked).to.deep.equal([false, true]);
    expect(one.header.encryptionContext['aws-crypto-public-key']).to.equal(given[0]);
    expect((await decrypt(keyring, one.ciphertext)).plaintext).to.deep.equal(patterned(100));
    expect((await decrypt(keyring, two)).header.encryptionContext['aws-crypto-public-key']).to.equal(given[1]);
  });

  it('refuses keys that are extractable when they must not be, on the wrong curve, or not keys', async () => {
    const extractable = new DefaultCmm({ keyring, signingKeys: async (curve) => generateSigningKey(curve, true) });
    const p256 = new DefaultCmm({ keyring, signingKeys: async () => generateSigningKey('P-256') });
    const junk = new DefaultCmm({ keyring, signingKeys: async () => ({ privateKey: {} as CryptoKey, publicKeyBase64: 'x' }) });
    for (const cmm of [extractable, p256, junk]) {
      const error = await encrypt(cmm, new Uint8Array(8)).catch((e: Error) => e);
      expect(error).to.be.instanceOf(EnvelopeError);
      expect((error as EnvelopeError).code).to.equal('KEYRING_FAILURE');
    }
    expect(() => new DefaultCmm({ keyring, signingKeys: 'ahead' as never })).to.throw(TypeError, /signingKeys/);
  });
});
