/**
 * The buffer contract of encryptStream / decryptStream, which workers/file-pipeline.ts builds on to
 * keep memory flat: a written chunk is not read once its write has completed (so the writer may
 * refill it), and each chunk read from the stream has a buffer of its own that the stream no longer
 * touches (so the reader may zero or detach it).
 */
import { expect } from 'chai';
import { RawAesKeyring, decrypt, decryptStream, encrypt, encryptStream, type SuiteId } from '../../src/core/index.js';
import { describe, it } from '../support/bdd.js';

const keyring = new RawAesKeyring({ keyNamespace: 'test', keyName: 'buffers', wrappingKey: new Uint8Array(32).fill(9) });
const bytes = (n: number) => new Uint8Array(n).map((_, i) => (i * 131 + 17) & 255);

/** Detaches a buffer, as the file pipeline does (structuredClone works where transfer() does not exist yet: Node 20). */
function detach(buffer: ArrayBufferLike): void {
  structuredClone(buffer, { transfer: [buffer as ArrayBuffer] });
}

/**
 * Writes `data` through `transform` in chunks of the given sizes (cycled), all from ONE reused
 * buffer that is overwritten with 0xEE as soon as each write resolves; reads the output, keeping a
 * copy of each chunk and then zeroing and detaching the chunk itself.
 */
async function throughReusedBuffers(transform: TransformStream<Uint8Array, Uint8Array>, data: Uint8Array, sizes: number[]): Promise<{ output: Uint8Array; shared: boolean }> {
  const copies: Uint8Array[] = [];
  const buffers = new Set<ArrayBufferLike>();
  let shared = false;
  const reading = (async () => {
    const reader = transform.readable.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      if (buffers.has(value.buffer) || value.byteLength !== value.buffer.byteLength) shared = true;
      buffers.add(value.buffer);
      copies.push(value.slice());
      value.fill(0);
      detach(value.buffer);
    }
  })();
  const writer = transform.writable.getWriter();
  const reused = new Uint8Array(Math.max(...sizes));
  for (let at = 0, i = 0; at < data.length; i++) {
    const size = Math.min(sizes[i % sizes.length]!, data.length - at);
    const chunk = reused.subarray(0, size);
    chunk.set(data.subarray(at, at + size));
    await writer.write(chunk);
    reused.fill(0xee);
    at += size;
  }
  await writer.close();
  await reading;
  const output = new Uint8Array(copies.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const copy of copies) {
    output.set(copy, at);
    at += copy.length;
  }
  return { output, shared };
}

describe('encryptStream / decryptStream: buffers', () => {
  for (const suiteId of [0x0478, 0x0578] as SuiteId[]) {
    it(`suite 0x0${suiteId.toString(16)}: a writer may reuse its chunk once written, a reader may detach what it reads`, async () => {
      const frameLength = 256;
      for (const length of [0, 255, 256, 257, 2000]) {
        const data = bytes(length);
        // Chunk sizes that end frames mid-chunk, span frames, and split headers and frame prefixes.
        for (const sizes of [[1000], [7, 300, 1], [frameLength], [frameLength + 28, 5]]) {
          const encrypted = await throughReusedBuffers(encryptStream(keyring, { suiteId, frameLength }), data, sizes);
          expect(encrypted.shared, 'each encrypted chunk has a buffer of its own').to.equal(false);
          expect([...(await decrypt(keyring, encrypted.output)).plaintext]).to.deep.equal([...data]);
          const decrypted = await throughReusedBuffers(decryptStream(keyring, { signaturePolicy: 'release-frames-early' }), encrypted.output, sizes);
          expect(decrypted.shared, 'each decrypted chunk has a buffer of its own').to.equal(false);
          expect([...decrypted.output]).to.deep.equal([...data]);
        }
      }
    });
  }

  it('a one-shot message (from encrypt) decrypts the same through reused chunks', async () => {
    const data = bytes(5000);
    const { ciphertext } = await encrypt(keyring, data, { suiteId: 0x0578, frameLength: 512 });
    const decrypted = await throughReusedBuffers(decryptStream(keyring), ciphertext, [333, 1, 4096]);
    expect([...decrypted.output]).to.deep.equal([...data]);
  });
});
