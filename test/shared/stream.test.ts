/**
 * encryptStream/decryptStream: byte-identical interop with the one-shot API, any chunking,
 * signed suites under each signature policy, and failures surfacing on the stream.
 */
import { expect } from 'chai';
import { CommitmentPolicy, EnvelopeError, RawAesKeyring, decrypt, decryptStream, encrypt, encryptStream, type SuiteId } from '../../src/core/index.js';
import { describe, it } from '../support/bdd.js';

const keyring = new RawAesKeyring({ keyNamespace: 'test', keyName: 'stream', wrappingKey: new Uint8Array(32).fill(5) });
const bytes = (n: number) => new Uint8Array(n).map((_, i) => (i * 31 + 7) & 255);

/** A readable that emits `data` in chunks of the given sizes (cycled). */
function source(data: Uint8Array, sizes: number[]): ReadableStream<Uint8Array> {
  let offset = 0;
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= data.length) return controller.close();
      const size = sizes[i++ % sizes.length]!;
      controller.enqueue(data.slice(offset, offset + size));
      offset += size;
    },
  });
}

async function collect(stream: ReadableStream<Uint8Array>, seen?: Uint8Array[]): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    parts.push(value);
    seen?.push(value);
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

async function failure(promise: Promise<unknown>): Promise<EnvelopeError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(EnvelopeError);
    return error as EnvelopeError;
  }
  throw new Error('expected the stream to fail');
}

const allow = CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT;

describe('encryptStream / decryptStream', () => {
  for (const suiteId of [0x0478, 0x0578, 0x0178, 0x0378, 0x0214, 0x0046] as SuiteId[]) {
    const policy = suiteId >= 0x0478 ? undefined : CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT;
    it(`suite 0x${suiteId.toString(16).padStart(4, '0')}: stream ⇄ one-shot, odd chunk sizes`, async () => {
      for (const length of [0, 1, 100, 128, 1000]) {
        const data = bytes(length);
        const enc = encryptStream(keyring, { suiteId, frameLength: 64, commitmentPolicy: policy, encryptionContext: { n: String(length) } });
        const ciphertext = await collect(source(data, [1, 7, 64, 200]).pipeThrough(enc));
        expect((await enc.header).suiteId).to.equal(suiteId);
        expect([...(await decrypt(keyring, ciphertext, { commitmentPolicy: allow })).plaintext]).to.deep.equal([...data]);
        const { ciphertext: oneShot } = await encrypt(keyring, data, { suiteId, frameLength: 64, commitmentPolicy: policy });
        const dec = decryptStream(keyring, { commitmentPolicy: allow });
        const plaintext = await collect(source(oneShot, [3, 1, 500]).pipeThrough(dec));
        expect([...plaintext]).to.deep.equal([...data]);
        expect((await dec.header).frameLength).to.equal(64);
      }
    });
  }

  it('holds back every byte of a signed message until the signature verifies (default)', async () => {
    const data = bytes(1000);
    const { ciphertext } = await encrypt(keyring, data, { suiteId: 0x0578, frameLength: 100 });
    const seen: Uint8Array[] = [];
    const tampered = ciphertext.slice();
    tampered[tampered.length - 5]! ^= 1; // inside the signature
    await failure(collect(source(tampered, [50]).pipeThrough(decryptStream(keyring)), seen));
    expect(seen.reduce((n, p) => n + p.length, 0)).to.equal(0);
  });

  it("'release-frames-early' releases authenticated regular frames, never the final one, before the signature", async () => {
    const data = bytes(1000);
    const { ciphertext } = await encrypt(keyring, data, { suiteId: 0x0578, frameLength: 100 });
    const tampered = ciphertext.slice();
    tampered[tampered.length - 5]! ^= 1;
    const seen: Uint8Array[] = [];
    const error = await failure(collect(source(tampered, [50]).pipeThrough(decryptStream(keyring, { signaturePolicy: 'release-frames-early' })), seen));
    expect(error.code).to.equal('SIGNATURE_INVALID');
    expect(seen.reduce((n, p) => n + p.length, 0)).to.equal(900);
    const ok = await collect(source(ciphertext, [50]).pipeThrough(decryptStream(keyring, { signaturePolicy: 'release-frames-early' })));
    expect([...ok]).to.deep.equal([...data]);
  });

  it("'reject-signed' refuses a signed message right after its header", async () => {
    const { ciphertext } = await encrypt(keyring, bytes(10), { suiteId: 0x0578 });
    const error = await failure(collect(source(ciphertext, [4096]).pipeThrough(decryptStream(keyring, { signaturePolicy: 'reject-signed' }))));
    expect(error.code).to.equal('UNSUPPORTED_SUITE');
    const unsigned = await encrypt(keyring, bytes(10), { suiteId: 0x0478 });
    expect((await collect(source(unsigned.ciphertext, [4096]).pipeThrough(decryptStream(keyring, { signaturePolicy: 'reject-signed' })))).length).to.equal(10);
  });

  it('fails on truncation, trailing bytes, a flipped bit and the wrong key', async () => {
    const { ciphertext } = await encrypt(keyring, bytes(300), { suiteId: 0x0478, frameLength: 64 });
    for (const cut of [0, 10, ciphertext.length - 1]) {
      expect((await failure(collect(source(ciphertext.slice(0, cut), [33]).pipeThrough(decryptStream(keyring))))).code).to.equal('MALFORMED_MESSAGE');
    }
    const extra = new Uint8Array(ciphertext.length + 1);
    extra.set(ciphertext);
    expect((await failure(collect(source(extra, [33]).pipeThrough(decryptStream(keyring))))).code).to.equal('MALFORMED_MESSAGE');
    const flipped = ciphertext.slice();
    flipped[flipped.length - 20]! ^= 0x10;
    expect((await failure(collect(source(flipped, [33]).pipeThrough(decryptStream(keyring))))).code).to.equal('INTEGRITY_FAILURE');
    const other = new RawAesKeyring({ keyNamespace: 'test', keyName: 'stream', wrappingKey: new Uint8Array(32).fill(6) });
    const dec = decryptStream(other);
    expect((await failure(collect(source(ciphertext, [33]).pipeThrough(dec)))).code).to.equal('NO_DECRYPTING_KEYRING');
    expect((await failure(dec.header)).code).to.equal('NO_DECRYPTING_KEYRING');
  });

  it('refuses more plaintext than plaintextLength allows', async () => {
    const enc = encryptStream(keyring, { suiteId: 0x0478, plaintextLength: 10 });
    expect((await failure(collect(source(bytes(11), [11]).pipeThrough(enc)))).code).to.equal('LIMIT_EXCEEDED');
  });

  it('keeps memory bounded: a 4 MiB message in 64 KiB frames never buffers more than a frame or two', async () => {
    const frameLength = 65536;
    const total = 4 * 1024 * 1024;
    let produced = 0;
    const generator = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (produced >= total) return controller.close();
        controller.enqueue(new Uint8Array(16384).fill(produced & 255));
        produced += 16384;
      },
    }, { highWaterMark: 0 });
    let largest = 0;
    let count = 0;
    const sink = new WritableStream<Uint8Array>({ write(chunk) { largest = Math.max(largest, chunk.length); count += chunk.length; } });
    await generator
      .pipeThrough(encryptStream(keyring, { suiteId: 0x0578, frameLength }))
      .pipeThrough(decryptStream(keyring, { signaturePolicy: 'release-frames-early' }))
      .pipeTo(sink);
    expect(count).to.equal(total);
    expect(largest).to.be.at.most(frameLength);
  });
});
