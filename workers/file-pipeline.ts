/**
 * Files through the worker: Blob slices' streams -> progress counter -> the core's encryptStream or
 * decryptStream -> a sink that gathers the output into a Blob. Backpressure runs the whole way
 * (pipeThrough/pipeTo), so only a few frames are in JS memory at any time whatever the file size;
 * the output is handed to the browser's blob store every {@link FLUSH_BYTES}: outside the JS heap (in
 * Chromium, in the browser process, paged to disk past its in-memory limit). The output Blob is the
 * result, so the blob store grows by the output's size; the JS memory does not.
 *
 * With an output FileSystemFileHandle ({@link FileSink}) the sink is the file instead: frames go to
 * `createWritable()` as they come and nothing grows but the file, so no size limit but the disk's.
 */
import { ControlMessageType, PROGRESS_INTERVAL, abortError, type ProgressMessage } from '../src/protocol.js';

/**
 * How much output is gathered before it becomes a Blob part. Each part is one small blob in the
 * browser's registry; the final Blob is made of parts by reference, not copied. A few MiB keeps
 * the JS-side buffer small and the number of parts low (64 for 256 MiB).
 */
export const FLUSH_BYTES = 4 * 1024 * 1024;

/** Collects chunks into Blob parts; {@link discard} zeroes what is still in JS memory. */
class BlobSink {
  readonly #parts: Blob[] = [];
  #pending: Uint8Array<ArrayBuffer>[] = [];
  #pendingBytes = 0;
  readonly #zeroOnDiscard: boolean;

  constructor(zeroOnDiscard: boolean) {
    this.#zeroOnDiscard = zeroOnDiscard;
  }

  readonly writable = new WritableStream<Uint8Array>({
    write: (chunk) => {
      this.#pending.push(chunk as Uint8Array<ArrayBuffer>);
      this.#pendingBytes += chunk.byteLength;
      if (this.#pendingBytes >= FLUSH_BYTES) this.#flush();
    },
  });

  #flush(): void {
    if (this.#pending.length === 0) return;
    this.#parts.push(new Blob(this.#pending));
    // The Blob constructor copied the bytes; drop (and for plaintext, zero) the JS copies.
    if (this.#zeroOnDiscard) for (const chunk of this.#pending) chunk.fill(0);
    this.#pending = [];
    this.#pendingBytes = 0;
  }

  blob(type: string): Blob {
    this.#flush();
    return new Blob(this.#parts, { type });
  }

  /**
   * Forgets everything written. Plaintext still in JS memory is zeroed; parts already in the blob
   * store cannot be overwritten from script, so they are only dropped (and freed with their last
   * reference, which never left the worker).
   */
  discard(): void {
    if (this.#zeroOnDiscard) for (const chunk of this.#pending) chunk.fill(0);
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#parts.length = 0;
  }
}

/**
 * Writes chunks, gathered into writes of up to {@link FILE_WRITE_BYTES}, to a
 * FileSystemWritableFileStream; {@link abort} discards everything written.
 *
 * Why nothing half-written is ever left: File System Standard (https://fs.spec.whatwg.org/),
 * §"The FileSystemFileHandle interface", createWritable() (#api-filesystemfilehandle-createwritable):
 * the stream writes to a swap file, and "any changes made through stream won't be reflected in the
 * file entry locked by fileHandle until the stream has been closed"; §"The
 * FileSystemWritableFileStream interface" (#filesystemwritablefilestream): closing it is what
 * replaces the file with the swap file, and aborting it discards the swap file. So the target keeps
 * its previous content (or stays empty) until close(), which pipeFile reaches only after the core's
 * transform closed without error: for decryptFile, after every frame and the footer signature
 * verified. test/browser/client-files-disk.test.ts checks this in every engine.
 */
export class FileSink {
  readonly #file: FileSystemWritableFileStream;
  readonly #zero: boolean;
  #pending: Uint8Array<ArrayBuffer>[] = [];
  #pendingBytes = 0;
  #ended = false;

  private constructor(file: FileSystemWritableFileStream, zero: boolean) {
    this.#file = file;
    this.#zero = zero;
  }

  /**
   * Opens `output` for writing, or refuses with a TypeError naming the option when this engine
   * cannot write a FileSystemFileHandle from a worker.
   */
  static async open(output: FileSystemFileHandle, zero: boolean): Promise<FileSink> {
    const handle = output as Partial<FileSystemFileHandle> | null;
    if (handle === null || typeof handle !== 'object' || handle.kind !== 'file' || typeof handle.getFile !== 'function') {
      throw new TypeError('call.output must be a FileSystemFileHandle');
    }
    if (typeof handle.createWritable !== 'function') {
      throw Object.assign(
        new TypeError('call.output is not supported in this browser: FileSystemFileHandle.createWritable() is missing in workers, so the kit cannot write the file without risking a half-written one; leave out call.output to get a Blob'),
        { code: 'INVALID_ARGUMENT' },
      );
    }
    return new FileSink(await handle.createWritable({ keepExistingData: false }), zero);
  }

  readonly writable = new WritableStream<Uint8Array>({
    write: async (chunk) => {
      this.#pending.push(chunk as Uint8Array<ArrayBuffer>);
      this.#pendingBytes += chunk.byteLength;
      if (this.#pendingBytes >= FILE_WRITE_BYTES) await this.#flush();
    },
    close: async () => {
      await this.#flush();
      this.#ended = true;
      await this.#file.close();
    },
    abort: async (reason) => {
      await this.abort(reason);
    },
  });

  async #flush(): Promise<void> {
    if (this.#pendingBytes === 0) return;
    const chunks = this.#pending;
    const bytes = chunks.length === 1 ? chunks[0]! : new Uint8Array(this.#pendingBytes);
    if (chunks.length > 1) {
      let at = 0;
      for (const chunk of chunks) {
        bytes.set(chunk, at);
        at += chunk.byteLength;
      }
    }
    this.#pending = [];
    this.#pendingBytes = 0;
    try {
      await this.#file.write(bytes);
    } finally {
      // write() has copied the bytes (or failed); drop, and for plaintext zero, the JS copies.
      if (this.#zero) {
        bytes.fill(0);
        for (const chunk of chunks) chunk.fill(0);
      }
    }
  }

  /** Discards the swap file (the target is left as it was) and zeroes plaintext still in JS memory. Idempotent. */
  async abort(reason?: unknown): Promise<void> {
    if (this.#zero) for (const chunk of this.#pending) chunk.fill(0);
    this.#pending = [];
    this.#pendingBytes = 0;
    if (this.#ended) return;
    this.#ended = true;
    await this.#file.abort(reason).catch(() => undefined);
  }
}

/** Output is handed to the file in writes of this size: one IPC per write, so not one per frame. */
export const FILE_WRITE_BYTES = 4 * 1024 * 1024;

/**
 * The input is read as the streams of consecutive slices of this size, and no chunk handed to the
 * core is larger than {@link CHUNK_BYTES}. Blob.stream() alone is the fastest reader in Chromium
 * (about twice the speed of slice().arrayBuffer() calls), but its chunk size is the engine's
 * choice: Firefox hands out a Blob held in memory as one chunk of its whole size, which would put
 * the entire file in the worker's memory at once (file-backed Blobs come in 64 KiB chunks there).
 * Slicing first bounds that in every engine.
 */
export const SLICE_BYTES = 8 * 1024 * 1024;
export const CHUNK_BYTES = 1024 * 1024;

/**
 * The Blob's bytes in order, in chunks of at most {@link CHUNK_BYTES}, reading one slice of
 * {@link SLICE_BYTES} at a time.
 */
export function blobChunks(file: Blob): ReadableStream<Uint8Array> {
  let offset = 0;
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        for (;;) {
          if (!reader) {
            if (offset >= file.size) {
              controller.close();
              return;
            }
            reader = file.slice(offset, offset + SLICE_BYTES).stream().getReader();
            offset += SLICE_BYTES;
          }
          const { done, value } = await reader.read();
          if (done) {
            reader = undefined;
            continue;
          }
          // Views, not copies: only the processing steps get smaller.
          for (let at = 0; at < value.length; at += CHUNK_BYTES) controller.enqueue(value.subarray(at, at + CHUNK_BYTES));
          return;
        }
      },
      cancel(reason) {
        return reader?.cancel(reason);
      },
    },
    { highWaterMark: 1 },
  );
}

/** Counts input bytes on their way into the core and posts {@link ProgressMessage}s, throttled. */
function progressCounter(port: MessagePort, total: number): TransformStream<Uint8Array, Uint8Array> {
  let done = 0;
  let reportedBytes = 0;
  let reportedAt = performance.now();
  const post = () => {
    const message: ProgressMessage = { type: ControlMessageType.PROGRESS, done, total };
    port.postMessage(message);
    reportedBytes = done;
    reportedAt = performance.now();
  };
  return new TransformStream({
    transform(chunk, controller) {
      done += chunk.byteLength;
      if (done - reportedBytes >= PROGRESS_INTERVAL.bytes || performance.now() - reportedAt >= PROGRESS_INTERVAL.ms) post();
      controller.enqueue(chunk);
    },
    flush() {
      if (done !== reportedBytes || done === 0) post();
    },
  });
}

export interface FileRun {
  /** The core's encryptStream or decryptStream, already configured. */
  readonly transform: TransformStream<Uint8Array, Uint8Array>;
  /** Zero output still in JS memory when the run fails (true for plaintext). */
  readonly secretOutput: boolean;
  /** The output Blob's MIME type. */
  readonly type: string;
}

/**
 * Runs `file` through `run.transform`, reporting progress and listening for an abort on `port`.
 * Resolves with the output Blob once the transform has closed without error; on any failure or
 * abort, everything produced so far is discarded, so there is never a partial result.
 *
 * With `output`, the output goes to that file ({@link FileSink}) and the result is `output.getFile()`;
 * on any failure or abort the writable is aborted, so the file keeps what it held before the call.
 */
export async function pipeFile(file: Blob, run: FileRun, port: MessagePort, output?: FileSystemFileHandle): Promise<Blob> {
  const aborter = new AbortController();
  port.onmessage = (event: MessageEvent<unknown>) => {
    if ((event.data as { type?: unknown } | null)?.type === ControlMessageType.ABORT) aborter.abort();
  };
  let sink: BlobSink | FileSink | undefined;
  try {
    sink = output === undefined ? new BlobSink(run.secretOutput) : await FileSink.open(output, run.secretOutput);
    if (aborter.signal.aborted) throw abortError();
    await blobChunks(file)
      .pipeThrough(progressCounter(port, file.size), { signal: aborter.signal })
      .pipeThrough(run.transform, { signal: aborter.signal })
      .pipeTo(sink.writable, { signal: aborter.signal });
    // A file is committed once pipeTo resolved (its close() replaced the target): an abort that
    // lands after that finds a complete file, never a partial one, so it is not reported here.
    if (sink instanceof FileSink) return await output!.getFile();
    if (aborter.signal.aborted) throw abortError();
    return sink.blob(run.type);
  } catch (error) {
    if (sink instanceof BlobSink) sink.discard();
    else await sink?.abort(error);
    // After an abort the core sees a cancelled stream; report the abort, not its echo.
    throw aborter.signal.aborted ? abortError('the file call was aborted') : error;
  } finally {
    port.onmessage = null;
    port.close();
  }
}
