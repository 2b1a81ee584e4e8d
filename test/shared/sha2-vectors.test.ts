/**
 * The incremental SHA-256 / SHA-384 of signed messages (src/core/hashing), in WebAssembly and in
 * JavaScript, against NIST's vectors: the FIPS 180-4 examples (one block, two blocks, the
 * multi-block 896-bit message), the first CAVP byte-oriented ShortMsg entries, and the million
 * 'a's. Each is fed whole and in pieces of odd sizes, including pieces that straddle hash-wasm's
 * 16 KiB copy window and the 64/128-byte blocks. Then both against WebCrypto's one-shot digest
 * for every length around the block boundaries.
 */
import { expect } from 'chai';
import { createIncrementalHash, type HashImplementation } from '../../src/core/hashing/incremental-hash.js';
import { describe, it } from '../support/bdd.js';

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const fromHex = (h: string) => new Uint8Array(h.match(/../g)?.map((x) => parseInt(x, 16)) ?? []);
const ascii = (s: string) => new TextEncoder().encode(s);

const ABC = ascii('abc');
const TWO_BLOCKS = ascii('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq');
const LONG_896 = ascii('abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu');
const MILLION_A = new Uint8Array(1_000_000).fill(0x61);

/** [name, message, SHA-256, SHA-384] from FIPS 180-4's examples and the CAVP SHA*ShortMsg.rsp files. */
const VECTORS: [string, Uint8Array, string, string][] = [
  ['empty (Len = 0)', new Uint8Array(0), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', '38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b'],
  ['"abc" (one block)', ABC, 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', 'cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7'],
  ['448-bit message (two SHA-256 blocks)', TWO_BLOCKS, '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1', '3391fdddfc8dc7393707a65b1b4709397cf8b1d162af05abfe8f450de5f36bc6b0455a8520bc4e6f5fe95b1fe3c8452b'],
  ['896-bit message (two SHA-384 blocks)', LONG_896, 'cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1', '09330c33f71147e83d192fc782cd1b4753111b173b3b05d22fa08086e3b0f712fcc7c71a557e2db966c3e9fa91746039'],
  ['one million "a"', MILLION_A, 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0', '9d0e1809716474cb086e834e310a4a1ced149e9c00f248527972cec5704c2a5b07b8b3dc38ecc4ebae97ddd87f3d8985'],
];
const SHORT_MSG: [HashName, string, string][] = [
  ['SHA-256', 'd3', '28969cdfa74a12c82f3bad960b0b000aca2ac329deea5c2328ebc6f2ba9802c1'],
  ['SHA-256', '11af', '5ca7133fa735326081558ac312c620eeca9970d1e70a4b95533d956f072d1f98'],
  ['SHA-384', 'c5', 'b52b72da75d0666379e20f9b4a79c33a329a01f06a2fb7865c9062a28c1de860ba432edfd86b4cb1cb8a75b46076e3b1'],
];
type HashName = 'SHA-256' | 'SHA-384';

/** Piece sizes: odd, around the blocks (64, 128), and around hash-wasm's 16 KiB copy window. */
const PIECES = [1, 3, 7, 63, 65, 111, 127, 129, 16383, 16385, 1000, 16411];

async function digestOf(hash: HashName, implementation: HashImplementation, message: Uint8Array, pieces?: number[]): Promise<string> {
  const h = await createIncrementalHash(hash, { implementation });
  expect(h.implementation).to.equal(implementation);
  if (!pieces) {
    h.update(message);
  } else {
    for (let at = 0, i = 0; at < message.length; i++) {
      const size = pieces[i % pieces.length]!;
      h.update(message.subarray(at, at + size));
      h.update(new Uint8Array(0)); // empty updates change nothing
      at += size;
    }
  }
  return hex(h.digest());
}

for (const implementation of ['webassembly', 'javascript'] as const) {
  describe(`incremental SHA-2 in ${implementation}: NIST vectors`, () => {
    for (const [name, message, sha256, sha384] of VECTORS) {
      for (const [hash, expected] of [['SHA-256', sha256], ['SHA-384', sha384]] as const) {
        it(`${hash} ${name}, whole and in odd-sized updates`, async () => {
          expect(await digestOf(hash, implementation, message)).to.equal(expected);
          expect(await digestOf(hash, implementation, message, PIECES)).to.equal(expected);
          expect(await digestOf(hash, implementation, message, [1, 2, 5])).to.equal(expected);
        }, 60_000);
      }
    }
    for (const [hash, msg, expected] of SHORT_MSG) {
      it(`${hash} CAVP ShortMsg Len = ${msg.length * 4}`, async () => {
        expect(await digestOf(hash, implementation, fromHex(msg))).to.equal(expected);
      });
    }
    it('the million "a" fed as FIPS 180 describes it: 1,000 updates of 1,000 bytes', async () => {
      expect(await digestOf('SHA-384', implementation, MILLION_A, [1000])).to.equal(VECTORS[4]![3]);
    });
  });

  describe(`incremental SHA-2 in ${implementation}: same bytes as WebCrypto's one-shot digest`, () => {
    const data = new Uint8Array(1 << 20).map((_, i) => (i * 131 + (i >> 8) * 7) & 255);
    for (const hash of ['SHA-256', 'SHA-384'] as const) {
      it(`${hash}: every length from 0 to 300, and 16 KiB and 1 MiB boundaries, in random pieces`, async () => {
        const lengths = [...Array.from({ length: 301 }, (_, i) => i), 16383, 16384, 16385, 32769, (1 << 20) - 1, 1 << 20];
        let seed = 7;
        const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
        for (const length of lengths) {
          const message = data.subarray(0, length);
          const expected = hex(new Uint8Array(await crypto.subtle.digest(hash, message)));
          const pieces = Array.from({ length: 8 }, () => 1 + (random() % (length < 300 ? 40 : 40000)));
          expect(await digestOf(hash, implementation, message, pieces), `length ${length}`).to.equal(expected);
        }
      }, 60_000);
    }
  });
}

describe('incremental SHA-2: choosing the implementation', () => {
  it("'auto' uses WebAssembly where it compiles (every engine under test)", async () => {
    const h = await createIncrementalHash('SHA-384');
    expect(h.implementation).to.equal('webassembly');
    h.update(ABC);
    expect(hex(h.digest())).to.equal(VECTORS[1]![3]);
  });

  it('a finished hash refuses more use; hashers reused afterwards start fresh', async () => {
    const first = await createIncrementalHash('SHA-256', { implementation: 'webassembly' });
    first.update(LONG_896);
    first.digest();
    expect(() => first.update(ABC)).to.throw(/finished/);
    const second = await createIncrementalHash('SHA-256', { implementation: 'webassembly' });
    second.update(ABC);
    expect(hex(second.digest())).to.equal(VECTORS[1]![2]);
  });

  it('two hashes in progress at once do not share state', async () => {
    const a = await createIncrementalHash('SHA-384', { implementation: 'webassembly' });
    const b = await createIncrementalHash('SHA-384', { implementation: 'webassembly' });
    a.update(TWO_BLOCKS.subarray(0, 20));
    b.update(LONG_896.subarray(0, 50));
    a.update(TWO_BLOCKS.subarray(20));
    b.update(LONG_896.subarray(50));
    expect(hex(a.digest())).to.equal(VECTORS[2]![3]);
    expect(hex(b.digest())).to.equal(VECTORS[3]![3]);
  });

  it('refuses an unknown hash or implementation with a RangeError', async () => {
    let error: unknown;
    await createIncrementalHash('SHA-512' as HashName).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(RangeError);
    error = undefined;
    await createIncrementalHash('SHA-384', { implementation: 'asm' as HashImplementation }).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(RangeError);
  });
});
