/**
 * Large signed one-shot messages: the footer signature's hash (spec: data-format/message-footer.md,
 * over the header and body) is computed frame by frame while the next frames are in WebCrypto,
 * and the digest is signed or verified with @noble/curves.
 *
 * Why not WebCrypto's `sign`/`verify` over the whole message, as small messages do: WebCrypto hashes
 * the whole input again in one call after (encrypt) or beside (decrypt) the AES-GCM work, at about
 * half the speed of the WebAssembly hash (issue 16: 228 MiB/s against 444 MiB/s for SHA-384 in a
 * Chromium worker), so a 64 MiB message paid for a second pass over its bytes. Here the hash of
 * frame i runs on this thread while frames i+1 .. i+FRAME_CONCURRENCY-1 are encrypted on
 * WebCrypto's, so the hash costs almost nothing on top of the cipher. The fixed cost (a JavaScript
 * ECDSA signature, ~2-4 ms for P-384, or a verification, ~6 ms) is why small messages keep the
 * WebCrypto path: see {@link INCREMENTAL_SIGNATURE_THRESHOLD}.
 */
import type { Bytes, SigningKey, VerificationKey } from './types.js';
import type { AeadKey } from './aes-gcm.js';
import { decryptFrame, encryptFrameInto, frameCount, FRAME_CONCURRENCY, REGULAR_FRAME_OVERHEAD, type FrameLocation } from './body.js';
import type { AlgorithmSuite } from './suites.js';
import { incrementalHash, signDigest, verifyDigest } from './signature.js';
import type { SignatureHasher } from './options.js';

/**
 * Messages (plaintext on encrypt, header and body on decrypt) of at least this many bytes are
 * hashed incrementally; smaller ones are signed and verified by WebCrypto in one call. The
 * incremental path has fixed costs of its own: a fresh extractable key pair instead of the spare
 * one generated ahead, and a JavaScript ECDSA signature of the digest (~4 ms for P-384 in Node
 * here) or verification (~6 ms); WebCrypto signed 1 KiB - 256 KiB in ~2 ms, 1 MiB in ~6 ms and
 * 4 MiB in ~15 ms. So at 1 MiB the two paths cost about the same, and the saved second pass only
 * pays from a few MiB on. `node bench/signed-paths.mjs` compares both in one page; on this loaded
 * 2-core machine (load 17) it could not tell them apart at 4-64 MiB.
 */
export const INCREMENTAL_SIGNATURE_THRESHOLD = 4 << 20;

/**
 * Starts `start(i)` for i = 0 .. count-1 with at most `window` in flight, and for each i in order
 * calls `before(i)` once task i has been started (and the ones after it, up to the window) and
 * `after(i)` once it has settled (and awaits it). Both run on this thread while the later tasks
 * are in flight.
 * Rejects with the first failure (in index order); tasks still in flight are left to settle.
 */
export async function pipelineInOrder(
  count: number,
  window: number,
  start: (index: number) => Promise<void>,
  visit: { before?: (index: number) => void | Promise<void>; after?: (index: number) => void | Promise<void> },
): Promise<void> {
  const running: Promise<void>[] = [];
  const launch = (i: number) => {
    const task = start(i);
    task.catch(() => undefined); // awaited in order below; this only silences the ones never reached
    running.push(task);
  };
  for (let i = 0; i < Math.min(window, count); i++) launch(i);
  for (let i = 0; i < count; i++) {
    await visit.before?.(i);
    await running[i];
    running[i] = undefined as unknown as Promise<void>; // let settled results go
    if (i + window < count) launch(i + window);
    await visit.after?.(i);
  }
}

/** What {@link encryptSignedBody} needs of the prepared message. */
export interface SignedBodyEncryption {
  readonly suite: AlgorithmSuite;
  readonly key: AeadKey;
  readonly messageId: Bytes;
  readonly frameLength: number;
  readonly signingKey: SigningKey;
  readonly headerBytes: Promise<Bytes>;
  /** options.signatureHasher, if any. */
  readonly signatureHasher?: SignatureHasher;
}

/**
 * Writes the header and the framed body of `plaintext` into `out` (from 0) and returns the DER
 * footer signature, hashing each frame as soon as it is sealed. `out` must hold the header and body.
 */
export async function encryptSignedBody(prepared: SignedBodyEncryption, plaintext: Uint8Array, out: Uint8Array, headerLength: number): Promise<Bytes> {
  const { suite, key, messageId, frameLength } = prepared;
  const signature = suite.signature!;
  const hash = await incrementalHash(signature.hash, prepared.signatureHasher);
  const frames = frameCount(plaintext.length, frameLength);
  const stride = frameLength + REGULAR_FRAME_OVERHEAD;
  const frameEnd = (i: number) => (i === frames - 1 ? out.length : headerLength + (i + 1) * stride);
  await pipelineInOrder(
    frames,
    FRAME_CONCURRENCY,
    (i) => {
      const from = i * frameLength;
      const final = i === frames - 1;
      const content = plaintext.subarray(from, final ? plaintext.length : from + frameLength);
      return encryptFrameInto(key, messageId, i + 1, content, final, out, headerLength + i * stride);
    },
    {
      after: async (i) => {
        if (i === 0) {
          // The header tag was computed beside the first frames.
          const header = await prepared.headerBytes;
          out.set(header, 0);
          await hash.update(header);
        }
        await hash.update(out.subarray(headerLength + i * stride, frameEnd(i)));
      },
    },
  );
  return signDigest(prepared.signingKey, signature.curve, await hash.digest());
}

const endOfFrame = (frame: FrameLocation): number => frame.contentOffset + frame.contentLength + 16;

/**
 * Decrypts located frames into one plaintext while hashing the message's header and body in
 * order (each frame's ciphertext is hashed while it and the frames after it are in WebCrypto),
 * then verifies `derSignature` over the digest. Throws INTEGRITY_FAILURE for a bad frame; resolves
 * the plaintext and whether the signature verifies (the caller zeroes the plaintext if not).
 */
export async function decryptSignedBody(options: {
  readonly key: AeadKey;
  readonly messageId: Uint8Array;
  readonly ciphertext: Uint8Array;
  readonly frames: readonly FrameLocation[];
  readonly suite: AlgorithmSuite;
  readonly verificationKey: VerificationKey;
  readonly derSignature: Uint8Array;
  readonly signatureHasher?: SignatureHasher;
}): Promise<{ plaintext: Bytes; verified: boolean }> {
  const { key, messageId, ciphertext, frames, suite } = options;
  const signature = suite.signature!;
  const hash = await incrementalHash(signature.hash, options.signatureHasher);
  let total = 0;
  const starts: number[] = [];
  for (const frame of frames) {
    starts.push(total);
    total += frame.contentLength;
  }
  const plaintext = new Uint8Array(total);
  try {
    await pipelineInOrder(
      frames.length,
      FRAME_CONCURRENCY,
      async (i) => {
        plaintext.set(await decryptFrame(key, messageId, ciphertext, frames[i]!), starts[i]!);
      },
      {
        // Frame i's bytes run from the end of frame i-1 (of the header for the first) to its tag's end.
        before: (i) => hash.update(ciphertext.subarray(i === 0 ? 0 : endOfFrame(frames[i - 1]!), endOfFrame(frames[i]!))),
      },
    );
  } catch (error) {
    plaintext.fill(0);
    throw error;
  }
  const verified = await verifyDigest(options.verificationKey, signature.curve, options.derSignature, await hash.digest());
  return { plaintext, verified };
}
