/**
 * Large signed one-shot messages (at least INCREMENTAL_SIGNATURE_THRESHOLD bytes) given a
 * `signatureHasher` take their own path: the footer's hash is fed frame by frame to the hasher and
 * the digest is signed or verified with @noble/curves (src/core/signed-body.ts). Without a hasher
 * WebCrypto signs the whole message. Both must give the same bytes: checked here against the AWS
 * Encryption SDK for JavaScript (@aws-crypto/client-node 4.2.4), both directions, for the signed
 * suites of both hashes, around the threshold, with many small frames and with the default frame
 * length, each path; then tampering on the incremental path.
 */
import { describe, expect, it } from 'vitest';
import { buildClient, CommitmentPolicy as SdkCommitmentPolicy, RawAesKeyringNode, RawAesWrappingSuiteIdentifier, type AlgorithmSuiteIdentifier } from '@aws-crypto/client-node';
import { createIncrementalHash, decrypt, decryptStream, encrypt, EnvelopeError, RawAesKeyring, type SignatureHasher, type SuiteId } from '../../src/core/index.js';
import { INCREMENTAL_SIGNATURE_THRESHOLD } from '../../src/core/signed-body.js';
import { patternBytes } from '../support/outcome.js';

const KEY = patternBytes(32, 77);
const kit = new RawAesKeyring({ keyNamespace: 'large', keyName: 'k', wrappingKey: KEY });
const esdkKeyring = () =>
  new RawAesKeyringNode({
    keyNamespace: 'large',
    keyName: 'k',
    unencryptedMasterKey: new Uint8Array(KEY),
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
    utf8Sorting: true,
  });
const committing = buildClient(SdkCommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
const legacy = buildClient(SdkCommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT);
const legacyEncrypt = buildClient(SdkCommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT);

const T = INCREMENTAL_SIGNATURE_THRESHOLD;
/** A hasher on this thread, counting its uses: enough to take the incremental path. */
let hasherUses = 0;
const signatureHasher: SignatureHasher = (hash) => {
  hasherUses++;
  return createIncrementalHash(hash);
};
/** [suite, committing?]: P-384/SHA-384 committing (the default), P-384 legacy, P-256/SHA-256 legacy. */
const SUITES: [SuiteId, boolean][] = [[0x0578, true], [0x0378, false], [0x0214, false]];
const SHAPES: [string, number, number | undefined][] = [
  ['exactly the threshold, default frames', T, undefined],
  ['threshold + 1 in 4 KiB frames', T + 1, 4096],
  ['1.5 x threshold + 1 in frames of 100,003 bytes', 1.5 * T + 1, 100_003],
];

async function read(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

describe('large signed one-shot messages: interop with the ESDK both ways', () => {
  for (const [suiteId, isCommitting] of SUITES) {
    for (const [shape, size, frameLength] of SHAPES) {
      for (const hasher of [signatureHasher, undefined]) {
        it(`0x${suiteId.toString(16).padStart(4, '0')} ${shape}, ${hasher ? 'frame by frame through a signatureHasher' : 'one WebCrypto call'}`, async () => {
          const usesBefore = hasherUses;
          const plaintext = patternBytes(size, size & 255);
          const context = { purpose: 'large', 'ключ': 'значение' };
          const commitmentPolicy = isCommitting ? 'REQUIRE_ENCRYPT_REQUIRE_DECRYPT' : 'FORBID_ENCRYPT_ALLOW_DECRYPT';
          const { ciphertext } = await encrypt(kit, plaintext, { suiteId, frameLength, encryptionContext: context, commitmentPolicy, signatureHasher: hasher });
          // v2 headers: version | suite id; v1: version | type | suite id.
          expect(ciphertext[0] === 2 ? (ciphertext[1]! << 8) | ciphertext[2]! : (ciphertext[2]! << 8) | ciphertext[3]!).toBe(suiteId);
          const sdkRead = await (isCommitting ? committing : legacy).decrypt(esdkKeyring(), ciphertext);
          expect(Buffer.compare(Buffer.from(sdkRead.plaintext), Buffer.from(plaintext))).toBe(0);

          const { result } = await (isCommitting ? committing : legacyEncrypt).encrypt(esdkKeyring(), plaintext, {
            suiteId: suiteId as AlgorithmSuiteIdentifier,
            encryptionContext: context,
            frameLength: frameLength ?? 4096,
          });
          const sdkMessage = new Uint8Array(result);
          const decryptPolicy = isCommitting ? 'REQUIRE_ENCRYPT_REQUIRE_DECRYPT' : 'REQUIRE_ENCRYPT_ALLOW_DECRYPT';
          const kitRead = await decrypt(kit, sdkMessage, { commitmentPolicy: decryptPolicy, encryptionContext: context, signatureHasher: hasher });
          expect(Buffer.compare(Buffer.from(kitRead.plaintext), Buffer.from(plaintext))).toBe(0);
          // And the kit's own message through its stream, which hashes the same way.
          const streamed = await read(new Blob([ciphertext as Uint8Array<ArrayBuffer>]).stream().pipeThrough(decryptStream(kit, { commitmentPolicy: decryptPolicy })));
          expect(Buffer.compare(Buffer.from(streamed), Buffer.from(plaintext))).toBe(0);
          expect(hasherUses - usesBefore).toBe(hasher ? 2 : 0);
        }, 120_000);
      }
    }
  }
});

describe('large signed one-shot messages: tampering', () => {
  it('a flipped bit anywhere (header, first frame, middle, final frame, footer) is refused', async () => {
    const plaintext = patternBytes(T + 5000, 3);
    const { ciphertext } = await encrypt(kit, plaintext, { frameLength: 65536, signatureHasher });
    const positions = [5, 200, ciphertext.length >> 1, ciphertext.length - 120, ciphertext.length - 40, ciphertext.length - 1];
    for (const at of positions) {
      const bad = ciphertext.slice();
      bad[at]! ^= 0x10;
      const error = await decrypt(kit, bad, { signatureHasher }).then(() => undefined, (e: unknown) => e);
      expect(error, `byte ${at}`).toBeInstanceOf(EnvelopeError);
    }
  }, 120_000);

  it('a body re-signed with another key is refused with SIGNATURE_INVALID', async () => {
    const plaintext = patternBytes(T, 4);
    const a = (await encrypt(kit, plaintext, { signatureHasher })).ciphertext;
    const b = (await encrypt(kit, plaintext, { signatureHasher })).ciphertext;
    // Keep a's header and body, put b's footer (signed by b's key) after it.
    const bodyEndA = findBodyEnd(a);
    const bodyEndB = findBodyEnd(b);
    const spliced = new Uint8Array(bodyEndA + (b.length - bodyEndB));
    spliced.set(a.subarray(0, bodyEndA));
    spliced.set(b.subarray(bodyEndB), bodyEndA);
    const error = await decrypt(kit, spliced, { signatureHasher }).then(() => undefined, (e: unknown) => e);
    expect((error as EnvelopeError).code).toBe('SIGNATURE_INVALID');
  }, 120_000);
});

/** The footer starts where a 2-byte length followed by exactly that many bytes ends the message. */
function findBodyEnd(message: Uint8Array): number {
  for (let length = 110; length >= 100; length--) {
    const at = message.length - 2 - length;
    if (((message[at]! << 8) | message[at + 1]!) === length) return at;
  }
  throw new Error('no footer found');
}
