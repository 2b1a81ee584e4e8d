/**
 * Streaming encryption and decryption as WHATWG TransformStreams (spec: client-apis/streaming.md).
 * Memory stays bounded by the frame length: frames are encrypted, released and forgotten one at a
 * time. WebCrypto can only sign whole inputs, so signed suites hash incrementally (@noble/hashes)
 * and sign or verify the digest (@noble/curves); both load only when a signed stream is used.
 */
import type { Bytes, Keyring, MaterialsManager, MessageHeader } from './types.js';
import { assertBytes } from './bytes.js';
import {
  decryptFrame,
  FRAME_CONCURRENCY,
  sealFrame,
  FINAL_FRAME_MARKER,
  REGULAR_FRAME_OVERHEAD,
  scanFrame,
  scanNonFramed,
} from './body.js';
import { EnvelopeError, ErrorCode, malformed, rangeError, typeError } from './errors.js';
import { readHeader, type ParsedHeader } from './header.js';
import { checkDecryptOptions, checkSignatureHasher, type DecryptOptions, type EncryptOptions } from './options.js';
import { prepareDecryption, prepareEncryption, type PreparedDecryption } from './prepare.js';
import { incrementalHash, signDigest, verifyDigest, type MessageHash } from './signature.js';

/** A TransformStream that also tells the message header once it is known (and, on decrypt, verified). */
export interface MessageTransformStream extends TransformStream<Uint8Array, Uint8Array> {
  readonly header: Promise<MessageHeader>;
}

/** Options of {@link encryptStream}: those of {@link encrypt} and an optional length bound. */
export interface EncryptStreamOptions extends EncryptOptions {
  /**
   * An upper bound on the plaintext length, if known. Materials managers may use it (caching);
   * the stream fails as soon as more bytes than this arrive.
   */
  readonly plaintextLength?: number;
}

/**
 * What a decrypt stream does with signed messages (suites 0x0214, 0x0346, 0x0378, 0x0578), whose
 * footer signature can only be checked at the very end:
 * - `'verify-then-release'` (default, the safe choice): no plaintext leaves the stream until the
 *   signature verifies; the plaintext of a signed message is held in memory until then.
 * - `'release-frames-early'`: each regular frame is released once its AES-GCM tag verifies (so it
 *   is authentic to anyone holding the data key) but before the signature is checked; the final
 *   frame is held until the signature verifies, so a truncated or re-signed message still fails
 *   at the end. Memory stays bounded by the frame length. Treat released bytes as unverified until
 *   the stream closes without error (spec: client-apis/decrypt.md, "Security Considerations").
 * - `'reject-signed'`: fail right after the header when the message is signed.
 * Unsigned suites (0x0478, ...) always release each frame once its tag verifies.
 */
export type SignaturePolicy = 'verify-then-release' | 'release-frames-early' | 'reject-signed';

/**
 * Options of {@link decryptStream}: those of {@link decrypt} and what to do with signed messages.
 */
export interface DecryptStreamOptions extends DecryptOptions {
  /** Default `'verify-then-release'`; see {@link SignaturePolicy}. */
  readonly signaturePolicy?: SignaturePolicy;
}

function withHeader(stream: TransformStream<Uint8Array, Uint8Array>, header: Promise<MessageHeader>): MessageTransformStream {
  header.catch(() => undefined); // Callers who only read the stream still see the error there.
  return Object.assign(stream, { header });
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * Encrypts a stream of bytes into an AWS Encryption SDK message, frame by frame: memory stays
 * bounded by the frame length whatever the input's size. `header` resolves once the header is
 * written.
 *
 * Buffers: the stream keeps no view of a written chunk once that write has completed, and every
 * chunk it enqueues has an ArrayBuffer of its own that the stream no longer touches. So a writer
 * may refill a chunk's buffer as soon as `writer.write(chunk)` resolves, and a reader may zero,
 * reuse or transfer what it reads (workers/file-pipeline.ts reads files into a few reused buffers
 * this way, and zeroes plaintext once it has handed it over).
 *
 * @param keyringOrCmm - a keyring or materials manager, as for {@link encrypt}.
 * @param options - those of {@link encrypt}, and `plaintextLength`, an upper bound if known.
 * @returns a TransformStream of plaintext to message bytes, with a `header` promise.
 * @throws TypeError / RangeError (`code: 'INVALID_ARGUMENT'`) at once for bad options; the stream
 *   (and `header`) fails with what {@link encrypt} throws, or {@link EnvelopeError}
 *   `LIMIT_EXCEEDED` when more than `plaintextLength` bytes arrive.
 *
 * @example
 * ```ts
 * import { encryptStream, decryptStream, RawAesKeyring } from 'envelope-kit/core';
 * const keyring = new RawAesKeyring({ keyNamespace: 'my-app', keyName: 'files-key', wrappingKey: crypto.getRandomValues(new Uint8Array(32)) });
 * const file = new Blob(['a large file, read a piece at a time. '.repeat(1000)]);
 * const encrypting = encryptStream(keyring, { encryptionContext: { file: 'report.txt' }, frameLength: 4096 });
 * const encrypted = await new Response(file.stream().pipeThrough(encrypting)).blob();
 * const header = await encrypting.header;
 * const decrypting = decryptStream(keyring, { encryptionContext: { file: 'report.txt' } });
 * const text = await new Response(encrypted.stream().pipeThrough(decrypting)).text();
 * if (text !== (await file.text()) || header.frameLength !== 4096) throw new Error('stream round trip failed');
 * ```
 */
export function encryptStream(keyringOrCmm: Keyring | MaterialsManager, options: EncryptStreamOptions = {}): MessageTransformStream {
  const bound = options?.plaintextLength;
  if (bound !== undefined && (typeof bound !== 'number' || !Number.isSafeInteger(bound) || bound < 0)) {
    throw typeError('options.plaintextLength', 'a non-negative integer');
  }
  const hasher = checkSignatureHasher(options?.signatureHasher);
  const header = deferred<MessageHeader>();
  let prepared: Awaited<ReturnType<typeof prepareEncryption>>;
  let hash: MessageHash | undefined;
  let frame: Bytes; // the plaintext of the frame being filled
  let filled = 0;
  let sequence = 1;
  let total = 0;

  // Frames in flight, oldest first: up to FRAME_CONCURRENCY are encrypted at once (WebCrypto runs
  // them off the main thread) and released in order, so memory stays within that many frames.
  const inFlight: Promise<[Bytes, Bytes]>[] = [];
  const release = async (controller: TransformStreamDefaultController<Uint8Array>) => {
    for (const part of await inFlight.shift()!) {
      await hash?.update(part);
      controller.enqueue(part);
    }
  };
  /** `step`, ending the hash's session when it throws: a hasher elsewhere frees it at once (MessageHasher.end). */
  const abandoning =
    <A extends unknown[]>(step: (...args: A) => Promise<void>) =>
    async (...args: A): Promise<void> => {
      try {
        await step(...args);
      } catch (error) {
        hash?.end?.();
        hash = undefined;
        throw error;
      }
    };
  const emit = async (controller: TransformStreamDefaultController<Uint8Array>, content: Uint8Array, final: boolean) => {
    // The cipher copies `content` when called (WebCrypto's rule), so the caller may reuse it.
    const sealed = sealFrame(prepared.key, prepared.messageId, sequence++, content, final);
    sealed.catch(() => undefined); // awaited in order by release(); this only silences the early copy
    inFlight.push(sealed);
    if (inFlight.length >= FRAME_CONCURRENCY) await release(controller);
  };
  const checkSequence = () => {
    if (sequence >= FINAL_FRAME_MARKER - 1) throw new EnvelopeError(ErrorCode.LIMIT_EXCEEDED, 'the stream needs more frames than the format allows');
  };

  const stream = new TransformStream<Uint8Array, Uint8Array>({
    async start(controller) {
      try {
        prepared = await prepareEncryption(keyringOrCmm, options, bound, true);
        const headerBytes = await prepared.headerBytes;
        if (prepared.suite.signature) {
          hash = await incrementalHash(prepared.suite.signature.hash, hasher);
          await hash.update(headerBytes);
        }
        frame = new Uint8Array(prepared.frameLength);
        // A copy: what the stream enqueues must be the reader's alone (see the function's comment).
        controller.enqueue(headerBytes.slice());
        header.resolve(prepared.header);
      } catch (error) {
        header.reject(error);
        throw error;
      }
    },
    transform: abandoning(async (chunk: Uint8Array, controller: TransformStreamDefaultController<Uint8Array>) => {
      assertBytes(chunk, 'encryptStream chunk');
      total += chunk.length;
      if (bound !== undefined && total > bound) {
        throw new EnvelopeError(ErrorCode.LIMIT_EXCEEDED, `more plaintext arrived than options.plaintextLength (${bound}) allows`);
      }
      let offset = 0;
      const frameLength = frame.length;
      while (offset < chunk.length) {
        // A full frame is sent only once more bytes follow: the last frame must be the final one.
        if (filled === frameLength) {
          checkSequence();
          await emit(controller, frame, false);
          filled = 0;
        }
        // Whole frames with more bytes after them go straight from the chunk, without a copy.
        if (filled === 0 && chunk.length - offset > frameLength) {
          checkSequence();
          await emit(controller, chunk.subarray(offset, offset + frameLength), false);
          offset += frameLength;
          continue;
        }
        const take = Math.min(frame.length - filled, chunk.length - offset);
        frame.set(chunk.subarray(offset, offset + take), filled);
        filled += take;
        offset += take;
      }
    }),
    flush: abandoning(async (controller: TransformStreamDefaultController<Uint8Array>) => {
      await emit(controller, frame.subarray(0, filled), true);
      while (inFlight.length > 0) await release(controller);
      frame.fill(0);
      const signature = prepared.suite.signature;
      const signing = hash;
      hash = undefined; // the digest is taken: never `end` it after that
      if (signature && signing) {
        const der = await signDigest(prepared.signingKey!, signature.curve, await signing.digest());
        const footer = new Uint8Array(2 + der.length);
        new DataView(footer.buffer).setUint16(0, der.length);
        footer.set(der, 2);
        controller.enqueue(footer);
      }
    }),
  });
  return withHeader(stream, header.promise);
}

/**
 * The decrypt stream's unconsumed input. During a write it hands out views of the written chunk
 * itself; only what spans two writes is copied, into one reused buffer (`#carry`), so decrypting
 * costs no copy of the body beyond about one frame per chunk boundary. When a write ends, {@link settle}
 * copies the chunk's unconsumed tail into that buffer: the stream never keeps a view of a chunk
 * after its write has completed, so the writer may reuse or detach the chunk's buffer then.
 */
class InputQueue {
  /** Carried bytes are #carry[#start, #end). */
  #carry = new Uint8Array(0);
  #start = 0;
  #end = 0;
  #chunk: Uint8Array = new Uint8Array(0);
  #at = 0;

  get length(): number {
    return this.#end - this.#start + this.#chunk.length - this.#at;
  }

  /** Starts a write: `chunk` is read in place until {@link settle}. */
  borrow(chunk: Uint8Array): void {
    this.#chunk = chunk;
    this.#at = 0;
  }

  /** The first `n` bytes (n <= length) as one view, valid until the next peek, consume or settle. */
  peek(n: number): Uint8Array {
    const carried = this.#end - this.#start;
    if (carried === 0) return this.#chunk.subarray(this.#at, this.#at + n);
    if (n > carried) {
      const take = n - carried;
      this.#append(this.#chunk.subarray(this.#at, this.#at + take));
      this.#at += take;
    }
    return this.#carry.subarray(this.#start, this.#start + n);
  }

  consume(n: number): void {
    const fromCarry = Math.min(n, this.#end - this.#start);
    this.#start += fromCarry;
    if (this.#start === this.#end) this.#start = this.#end = 0;
    this.#at += n - fromCarry;
  }

  /** Ends a write: keeps a copy of what is left of the chunk and lets go of the chunk. */
  settle(): void {
    this.#append(this.#chunk.subarray(this.#at));
    this.#chunk = new Uint8Array(0);
    this.#at = 0;
  }

  /** Zeroes and drops everything held (the input of a failed stream). */
  clear(): void {
    this.#carry.fill(0);
    this.#start = this.#end = 0;
    this.#chunk = new Uint8Array(0);
    this.#at = 0;
  }

  /** Appends to the carried bytes, first moving them to the front (of a larger buffer if needed). */
  #append(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (this.#end + bytes.length > this.#carry.length) {
      const carried = this.#end - this.#start;
      if (carried + bytes.length > this.#carry.length) {
        const grown = new Uint8Array(Math.max(carried + bytes.length, 2 * this.#carry.length));
        grown.set(this.#carry.subarray(this.#start, this.#end));
        this.#carry = grown;
      } else {
        this.#carry.copyWithin(0, this.#start, this.#end);
      }
      this.#start = 0;
      this.#end = carried;
    }
    this.#carry.set(bytes, this.#end);
    this.#end += bytes.length;
  }
}

const u32 = (b: Uint8Array, o: number): number => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;

/**
 * Decrypts a stream holding one AWS Encryption SDK message. The header is verified before anything
 * is released; see {@link SignaturePolicy} for what happens with signed messages (by default their
 * plaintext is held until the signature verifies). Buffers are handled as in {@link encryptStream}:
 * written chunks are not kept once their write has completed, and each plaintext chunk enqueued is
 * the reader's alone.
 *
 * @param keyringOrCmm - a keyring or materials manager, as for {@link decrypt}.
 * @param options - those of {@link decrypt}, and `signaturePolicy`.
 * @returns a TransformStream of message to plaintext bytes, with a `header` promise that resolves
 *   once the header is verified.
 * @throws TypeError / RangeError (`code: 'INVALID_ARGUMENT'`) at once for bad options; the stream
 *   (and `header`) fails with what {@link decrypt} throws, `UNSUPPORTED_SUITE` for a signed message
 *   under `'reject-signed'`.
 *
 * @example
 * ```ts
 * import { encrypt, decryptStream, RawAesKeyring } from 'envelope-kit/core';
 * const keyring = new RawAesKeyring({ keyNamespace: 'my-app', keyName: 'files-key', wrappingKey: crypto.getRandomValues(new Uint8Array(32)) });
 * const { ciphertext } = await encrypt(keyring, new TextEncoder().encode('streamed'), { encryptionContext: { file: 'notes.txt' } });
 * const decrypting = decryptStream(keyring, { encryptionContext: { file: 'notes.txt' }, signaturePolicy: 'verify-then-release' });
 * const text = await new Response(new Blob([ciphertext]).stream().pipeThrough(decrypting)).text();
 * const header = await decrypting.header;
 * if (text !== 'streamed' || header.suiteId !== 0x0578) throw new Error('stream decrypt failed');
 * ```
 */
export function decryptStream(keyringOrCmm: Keyring | MaterialsManager, options: DecryptStreamOptions = {}): MessageTransformStream {
  const checked = checkDecryptOptions(keyringOrCmm, options);
  const policy = options?.signaturePolicy ?? 'verify-then-release';
  if (!['verify-then-release', 'release-frames-early', 'reject-signed'].includes(policy)) {
    throw rangeError('options.signaturePolicy', "must be 'verify-then-release', 'release-frames-early' or 'reject-signed'");
  }
  const header = deferred<MessageHeader>();
  const queue = new InputQueue();
  let parsed: ParsedHeader | undefined;
  let keys: PreparedDecryption | undefined;
  let hash: MessageHash | undefined;
  let sequence = 1;
  let bodyDone = false;
  let finished = false;
  let held: Uint8Array[] = [];
  // Frames being decrypted, oldest first; released in order (see encryptStream).
  const inFlight: { plaintext: Promise<Bytes>; final: boolean }[] = [];

  const release = async (controller: TransformStreamDefaultController<Uint8Array>) => {
    const { plaintext: pending, final } = inFlight.shift()!;
    const plaintext = await pending;
    const signed = parsed!.suite.signature !== undefined;
    if (!signed || (policy === 'release-frames-early' && !final)) controller.enqueue(plaintext);
    else held.push(plaintext);
  };

  const pump = async (controller: TransformStreamDefaultController<Uint8Array>) => {
    for (;;) {
      if (finished) {
        if (queue.length > 0) malformed('the message has bytes after its end');
        return;
      }
      if (!parsed) {
        if (queue.length === 0) return;
        const candidate = readHeader(queue.peek(queue.length), { maxEncryptedDataKeys: checked.maxEncryptedDataKeys });
        if (!candidate) return;
        if (candidate.suite.signature && policy === 'reject-signed') {
          throw new EnvelopeError(ErrorCode.UNSUPPORTED_SUITE, 'the message is signed and options.signaturePolicy is reject-signed');
        }
        // Detach the header from the queue's buffer before consuming it.
        const headerBytes = queue.peek(candidate.header.headerLength).slice();
        parsed = readHeader(headerBytes)!;
        keys = await prepareDecryption(parsed, checked);
        if (parsed.suite.signature) {
          hash = await incrementalHash(parsed.suite.signature.hash, checked.signatureHasher);
          await hash.update(headerBytes);
        }
        queue.consume(headerBytes.length);
        header.resolve(parsed.header);
        continue;
      }
      const { header: h } = parsed;
      if (!bodyDone) {
        let need: number;
        if (h.contentType === 'non-framed') {
          if (queue.length < 20) return;
          const scannedHead = queue.peek(20);
          const length = new DataView(scannedHead.buffer, scannedHead.byteOffset + 12, 8);
          need = 20 + length.getUint32(0) * 2 ** 32 + length.getUint32(4) + 16;
          if (need > 2 ** 36) malformed('the non-framed content length exceeds the format limit');
        } else {
          if (queue.length < 4) return;
          if (u32(queue.peek(4), 0) === FINAL_FRAME_MARKER) {
            if (queue.length < 24) return;
            const length = u32(queue.peek(24), 20);
            if (length > h.frameLength) malformed(`final frame content length ${length} exceeds the frame length ${h.frameLength}`);
            need = 24 + length + 16;
          } else {
            need = REGULAR_FRAME_OVERHEAD + h.frameLength;
          }
        }
        if (queue.length < need) {
          // Check the sequence number early so garbage is refused before waiting for a frame's worth.
          if (h.contentType === 'framed' && queue.length >= 4) scanFrame(queue.peek(Math.min(queue.length, 24)), 0, sequence, h.frameLength);
          return;
        }
        const bytes = queue.peek(need);
        const scanned = h.contentType === 'non-framed' ? { ...scanNonFramed(bytes, 0)!, done: true } : scanFrame(bytes, 0, sequence, h.frameLength)!;
        // WebCrypto copies its input when called (and the hash reads it now), so `bytes` may be
        // overwritten once consumed: the queue reuses its buffer for the next frame.
        const plaintext = decryptFrame(keys!.key, h.messageId, bytes, scanned.frame!);
        plaintext.catch(() => undefined); // awaited in order by release()
        inFlight.push({ plaintext, final: scanned.done });
        await hash?.update(bytes);
        queue.consume(need);
        sequence++;
        bodyDone = scanned.done;
        if (bodyDone) {
          while (inFlight.length > 0) await release(controller);
          if (!parsed.suite.signature) finished = true;
        } else if (inFlight.length >= FRAME_CONCURRENCY) {
          await release(controller);
        }
        continue;
      }
      // Footer: signature length (2) | DER signature.
      if (queue.length < 2) return;
      const sigLength = (queue.peek(2)[0]! << 8) | queue.peek(2)[1]!;
      if (queue.length < 2 + sigLength) return;
      const signature = queue.peek(2 + sigLength).slice(2);
      queue.consume(2 + sigLength);
      const curve = parsed.suite.signature!.curve;
      const verifying = hash!;
      hash = undefined; // the digest is taken: never `end` it after that
      if (!(await verifyDigest(keys!.verificationKey!, curve, signature, await verifying.digest()))) {
        throw new EnvelopeError(ErrorCode.SIGNATURE_INVALID, 'the message signature does not verify: the message was altered');
      }
      for (const plaintext of held) controller.enqueue(plaintext);
      held = [];
      finished = true;
    }
  };

  const fail = (error: unknown) => {
    hash?.end?.();
    hash = undefined;
    for (const plaintext of held) plaintext.fill(0);
    held = [];
    queue.clear();
    header.reject(error);
    throw error;
  };

  const stream = new TransformStream<Uint8Array, Uint8Array>({
    async transform(chunk, controller) {
      try {
        assertBytes(chunk, 'decryptStream chunk');
        queue.borrow(chunk);
        await pump(controller);
        queue.settle();
      } catch (error) {
        fail(error);
      }
    },
    async flush() {
      try {
        if (!finished) malformed(parsed ? 'the message ends before its end (truncated)' : 'the message ends inside its header (truncated)');
      } catch (error) {
        fail(error);
      }
    },
  });
  return withHeader(stream, header.promise);
}
