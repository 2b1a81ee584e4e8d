/**
 * Large signed one-shot messages whose hash runs elsewhere (options.signatureHasher): the footer
 * signature's hash (spec: data-format/message-footer.md, over the header and body) is fed frame by
 * frame as each frame is sealed or opened, and the digest is signed or verified with @noble/curves.
 *
 * The hasher runs in another worker while this thread encrypts or decrypts the next frames, so the
 * hash, the largest cost of a signed message, overlaps the cipher. Without a hasher the whole message
 * is signed by WebCrypto in one call: see {@link INCREMENTAL_SIGNATURE_THRESHOLD} for the figures.
 */
import type { Bytes, SigningKey, VerificationKey } from './types.js';
import type { AeadKey } from './aes-gcm.js';
import { decryptFrame, encryptFrameInto, frameCount, FRAME_CONCURRENCY, REGULAR_FRAME_OVERHEAD, type FrameLocation } from './body.js';
import type { AlgorithmSuite } from './suites.js';
import { incrementalHash, signDigest, verifyDigest } from './signature.js';
import type { SignatureHasher } from './options.js';

/**
 * With `options.signatureHasher` (the hash runs in another worker), one-shot messages of at least
 * this many bytes are hashed frame by frame; smaller ones, and every one-shot message without a
 * hasher, are signed and verified by WebCrypto in one call.
 *
 * Why not frame by frame on this thread too: Chromium runs WebCrypto on the calling thread, so the
 * WebAssembly hash cannot overlap AES-GCM there, and BoringSSL's SHA-384 inside one `sign` call was
 * faster than the WebAssembly one (Chromium 156, page main thread, `node bench/signed-paths.mjs`:
 * SHA-384 of 64 MiB 399 MiB/s in WebCrypto's digest against 309 MiB/s incremental; whole 0x0578
 * messages, incremental / one WebCrypto call: encrypt 0.90x, 0.83x, 0.95x and decrypt 0.88x, 0.76x,
 * 0.90x at 4, 16 and 64 MiB). Firefox signs and verifies on its own crypto threads, which frees the
 * caller's thread the same way. The incremental path also has fixed costs: a fresh extractable key
 * pair, and a JavaScript ECDSA signature (~2-4 ms for P-384) or verification (~6 ms). With a hasher
 * in another worker the hash costs this thread only a copy, which pays from a few MiB on.
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
  try {
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
  } catch (error) {
    hash.end?.();
    throw error;
  }
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
    hash.end?.();
    throw error;
  }
  const verified = await verifyDigest(options.verificationKey, signature.curve, options.derSignature, await hash.digest());
  return { plaintext, verified };
}
