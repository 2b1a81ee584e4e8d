/**
 * Files through the worker: the Blob, read into a few reused buffers ({@link BlobReader}) -> the
 * core's encryptStream or decryptStream -> a sink that hands the output over in large pieces: Blob
 * parts ({@link BlobSink}) or writes to a file ({@link FileSink}). Backpressure runs the whole way,
 * so only a few frames are in JS memory at any time, whatever the file size.
 *
 * Garbage counts as much as what is reachable: an engine frees a dropped ArrayBuffer only at its
 * next major garbage collection, which V8 starts once some 64 MiB of them have piled up. So the
 * reader refills its own buffers (the core keeps no view of a chunk once its write has completed,
 * see encryptStream) instead of taking a fresh one from the engine per chunk, and the decrypt
 * stream copies only the frames that span two chunks, into a reused buffer. What is still
 * allocated per frame is WebCrypto's result, one fresh ArrayBuffer per call (the API has no other
 * way): it is dropped as soon as its bytes are in a Blob part or a file write, and left for the
 * collector, not detached. Detaching would not free it: Chromium's own object for the result keeps
 * the memory until a collection, while V8 stops counting it, so collections come later, not sooner.
 *
 * The output Blob is the result, so the browser's blob store grows by the output's size (outside
 * the JS heap: in Chromium, in the browser process, paged to disk past its in-memory limit). With
 * an output FileSystemFileHandle nothing grows but the file, so no size limit but the disk's.
 */
import { ControlMessageType, PROGRESS_INTERVAL, abortError, type ProgressMessage } from '../src/client/protocol.js';
import { argumentError, typeError } from '../src/core/index.js';

/**
 * The reader's buffer size: the size of each chunk written to the core (the last may be shorter).
 * A multiple of the default frame length, so encryption seals whole frames straight from it.
 */
export const CHUNK_BYTES = 1024 * 1024;

/**
 * The input is read as the streams of consecutive slices of this size. Blob.stream() with a BYOB
 * reader is the fastest reader in Chromium (156, 2 cores: about 2 GB/s, more than twice a default
 * reader or slice().arrayBuffer() calls), but how much an engine reads ahead into a stream is its
 * own choice: Firefox hands out a Blob held in memory as one chunk of its whole size, which would
 * put the entire file in the worker's memory at once. Slicing first bounds that in every engine.
 */
export const SLICE_BYTES = 16 * 1024 * 1024;

/**
 * How much output is gathered before it becomes a Blob part. Each part is one small blob in the
 * browser's registry; the final Blob is made of parts by reference, not copied. A few MiB keeps
 * the JS-side buffer small and the number of parts low (64 for 256 MiB).
 */
export const FLUSH_BYTES = 4 * 1024 * 1024;

/** Output is handed to the file in writes of this size: one IPC per write, so not one per frame. */
export const FILE_WRITE_BYTES = 4 * 1024 * 1024;

/**
 * Readers with a read in flight. Chromium (156) does not keep a Blob's byte stream alive while a
 * BYOB read on it is pending: if nothing else reaches the reader, a garbage collection takes the
 * stream, the read never settles, and the whole call waits forever (default readers are kept
 * alive). Holding the reader here, a root, for the length of each read prevents that;
 * test/browser/file-pipeline.test.ts reproduces the hang without it.
 */
const reading = new Set<ReadableStreamBYOBReader>();

/**
 * Reads a Blob in order into a small pool of reused buffers of {@link CHUNK_BYTES}, one read ahead
 * of the consumer: {@link next} hands out a filled view, {@link recycle} gives its buffer back.
 * Engines whose Blob streams are byte streams fill the buffers directly (a BYOB reader); others
 * hand out chunks of their own, which are copied in.
 */
export class BlobReader {
  readonly #file: Blob;
  readonly #buffers: number;
  readonly #free: ArrayBuffer[] = [];
  #allocated = 0;
  #offset = 0;
  #reader: ReadableStreamBYOBReader | ReadableStreamDefaultReader<Uint8Array> | undefined;
  #byob: boolean;
  /** Fallback readers only: the part of the engine's last chunk not yet copied. */
  #leftover: Uint8Array | undefined;
  #ahead: Promise<Uint8Array<ArrayBuffer> | undefined> | undefined;
  #ended = false;

  /**
   * `buffers`: 2 lets the next read overlap the consumer's work on the current chunk. `byob: false`
   * uses the default reader even where a BYOB one exists (the path of engines without, for tests).
   */
  constructor(file: Blob, options: { readonly buffers?: number; readonly byob?: boolean } = {}) {
    this.#file = file;
    this.#buffers = options.buffers ?? 2;
    this.#byob = options.byob ?? true;
  }

  /** The next chunk, or undefined at the end; the view stays valid until passed to {@link recycle}. */
  async next(): Promise<Uint8Array<ArrayBuffer> | undefined> {
    const pending = this.#ahead ?? this.#fill();
    this.#ahead = undefined;
    const chunk = await pending;
    if (chunk === undefined) this.#ended = true;
    else this.#readAhead();
    return chunk;
  }

  /** Returns a chunk's buffer to the pool: the caller no longer reads it, nor does anything it gave it to. */
  recycle(chunk: Uint8Array<ArrayBuffer>): void {
    this.#free.push(chunk.buffer);
    this.#readAhead();
  }

  /** Stops reading; the pooled buffers are dropped. */
  async cancel(reason?: unknown): Promise<void> {
    this.#ended = true;
    this.#free.length = 0;
    const reader = this.#reader;
    this.#reader = undefined;
    this.#leftover = undefined;
    await reader?.cancel(reason).catch(() => undefined);
  }

  #readAhead(): void {
    if (this.#ahead || this.#ended || (this.#free.length === 0 && this.#allocated >= this.#buffers)) return;
    this.#ahead = this.#fill();
    this.#ahead.catch(() => undefined); // next() reports it
  }

  #open(): ReadableStreamBYOBReader | ReadableStreamDefaultReader<Uint8Array> | undefined {
    if (this.#ended || this.#offset >= this.#file.size) return undefined;
    const stream = this.#file.slice(this.#offset, this.#offset + SLICE_BYTES).stream();
    this.#offset += SLICE_BYTES;
    if (this.#byob) {
      try {
        return (this.#reader = stream.getReader({ mode: 'byob' }));
      } catch {
        this.#byob = false; // not a byte stream in this engine
      }
    }
    return (this.#reader = stream.getReader());
  }

  /** Fills one buffer (across slice boundaries) up to CHUNK_BYTES, or to the end of the file. */
  async #fill(): Promise<Uint8Array<ArrayBuffer> | undefined> {
    let buffer = this.#free.pop();
    if (!buffer) {
      buffer = new ArrayBuffer(CHUNK_BYTES);
      this.#allocated++;
    }
    let filled = 0;
    while (filled < CHUNK_BYTES) {
      const reader = this.#reader ?? this.#open();
      if (!reader) break;
      if (this.#byob) {
        const want = CHUNK_BYTES - filled;
        // `min` lets the engine fill the view in one read; engines without it fill part, and loop.
        const byob = reader as ReadableStreamBYOBReader;
        reading.add(byob);
        let result: ReadableStreamReadResult<Uint8Array<ArrayBuffer>>;
        try {
          result = await byob.read(new Uint8Array(buffer, filled, want), { min: want });
        } finally {
          reading.delete(byob);
        }
        const { done, value } = result;
        // The read transferred `buffer`; its bytes now live in value.buffer. A cancelled read
        // returns no view at all, and the buffer with it.
        if (!value) return undefined;
        buffer = value.buffer as ArrayBuffer;
        filled += value.byteLength; // a read that ends a slice can carry bytes and done together
        if (done && this.#reader === reader) this.#reader = undefined;
        continue;
      }
      if (!this.#leftover) {
        const { done, value } = await (reader as ReadableStreamDefaultReader<Uint8Array>).read();
        if (done) {
          if (this.#reader === reader) this.#reader = undefined;
          continue;
        }
        this.#leftover = value;
      }
      const take = Math.min(this.#leftover.length, CHUNK_BYTES - filled);
      new Uint8Array(buffer, filled, take).set(this.#leftover.subarray(0, take));
      filled += take;
      if (take < this.#leftover.length) {
        this.#leftover = this.#leftover.subarray(take);
      } else {
        this.#leftover = undefined;
      }
    }
    if (filled === 0) {
      this.#free.push(buffer);
      return undefined;
    }
    return new Uint8Array(buffer, 0, filled);
  }
}

/**
 * Gathers chunks into Blob parts and lets go of them once a part holds their bytes (zeroing them
 * first when they are plaintext); {@link discard} zeroes what is still in JS memory.
 */
export class BlobSink {
  readonly #parts: Blob[] = [];
  #pending: Uint8Array<ArrayBuffer>[] = [];
  #pendingBytes = 0;
  readonly #zero: boolean;

  /** `zero`: the output is plaintext, so its JS copies are zeroed before they are let go. */
  constructor(zero: boolean) {
    this.#zero = zero;
  }

  /** Takes `chunk`; with `zero`, the sink zeroes it once its bytes are in a part. */
  write(chunk: Uint8Array): void {
    this.#pending.push(chunk as Uint8Array<ArrayBuffer>);
    this.#pendingBytes += chunk.byteLength;
    if (this.#pendingBytes >= FLUSH_BYTES) this.#flush();
  }

  readonly writable = new WritableStream<Uint8Array>({ write: (chunk) => this.write(chunk) });

  #flush(): void {
    if (this.#pending.length === 0) return;
    // The Blob constructor copies the bytes, so the chunks can go at once.
    this.#parts.push(new Blob(this.#pending));
    this.#drop();
  }

  #drop(): void {
    if (this.#zero) for (const chunk of this.#pending) chunk.fill(0);
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
    this.#drop();
    this.#parts.length = 0;
  }
}

/**
 * Writes chunks to a FileSystemWritableFileStream, gathered in two reused buffers into writes of
 * {@link FILE_WRITE_BYTES}; {@link abort} discards everything written.
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
  /** Two buffers: one is filled while the other's write() runs, so the disk and the cipher overlap. */
  readonly #buffers: Uint8Array<ArrayBuffer>[] = [];
  #filling: Uint8Array<ArrayBuffer> | undefined;
  #staged = 0;
  #writing: Promise<void> | undefined;
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
      throw typeError('call.output', 'a FileSystemFileHandle');
    }
    if (typeof handle.createWritable !== 'function') {
      throw Object.assign(
        argumentError('call.output', 'is not supported in this browser: FileSystemFileHandle.createWritable() is missing in workers, so the kit cannot write the file without risking a half-written one; leave out call.output to get a Blob'),
        { code: 'INVALID_ARGUMENT' },
      );
    }
    return new FileSink(await handle.createWritable({ keepExistingData: false }), zero);
  }

  readonly writable = new WritableStream<Uint8Array>({
    write: async (chunk) => {
      try {
        for (let at = 0; at < chunk.length; ) {
          const buffer = (this.#filling ??= this.#buffers.pop() ?? new Uint8Array(FILE_WRITE_BYTES));
          const take = Math.min(chunk.length - at, buffer.length - this.#staged);
          buffer.set(chunk.subarray(at, at + take), this.#staged);
          this.#staged += take;
          at += take;
          if (this.#staged === buffer.length) await this.#flush();
        }
      } finally {
        // Copied into a staging buffer (or the call is failing): the chunk can go.
        if (this.#zero) chunk.fill(0);
      }
    },
    close: async () => {
      await this.#flush();
      await this.#writing;
      this.#ended = true;
      await this.#file.close();
    },
    abort: async (reason) => {
      await this.abort(reason);
    },
  });

  /** Starts writing the filled buffer once the previous write is done; returns when it has started. */
  async #flush(): Promise<void> {
    await this.#writing;
    const buffer = this.#filling;
    const staged = this.#staged;
    this.#filling = undefined;
    this.#staged = 0;
    if (!buffer || staged === 0) {
      if (buffer) this.#buffers.push(buffer);
      return;
    }
    // The buffer is refilled only after this write has settled: write() reads it while it runs.
    this.#writing = this.#file.write(buffer.subarray(0, staged)).finally(() => {
      if (this.#zero) buffer.fill(0, 0, staged);
      this.#buffers.push(buffer);
    });
    this.#writing.catch(() => undefined); // the next flush, close or abort sees it
  }

  /** Discards the swap file (the target is left as it was) and zeroes plaintext still in JS memory. Idempotent. */
  async abort(reason?: unknown): Promise<void> {
    if (this.#zero) this.#filling?.fill(0);
    this.#staged = 0;
    if (this.#ended) return;
    this.#ended = true;
    await this.#file.abort(reason).catch(() => undefined);
    await this.#writing?.catch(() => undefined);
  }
}

/** Posts {@link ProgressMessage}s for input bytes counted with `add`, throttled, and once at the end. */
function progressReporter(port: MessagePort, total: number): { add(bytes: number): void; end(): void } {
  let done = 0;
  let reportedBytes = 0;
  let reportedAt = performance.now();
  const post = () => {
    const message: ProgressMessage = { type: ControlMessageType.PROGRESS, done, total };
    port.postMessage(message);
    reportedBytes = done;
    reportedAt = performance.now();
  };
  return {
    add(bytes) {
      done += bytes;
      if (done - reportedBytes >= PROGRESS_INTERVAL.bytes || performance.now() - reportedAt >= PROGRESS_INTERVAL.ms) post();
    },
    end() {
      if (done !== reportedBytes || done === 0) post();
    },
  };
}

/**
 * How often the feed lets queued tasks run. Chromium can keep a worker busy with the pipe's own
 * continuations (Blob reads, WebCrypto results) so that a message on the call's port, an abort, waited
 * until the whole file was done: 250-400 ms for 64 MiB in the test that measures it.
 */
const YIELD_EVERY_MS = 10;
let yieldChannel: MessageChannel | undefined;
const yieldWaiters: (() => void)[] = [];

/** Resolves from a fresh task (a message to ourselves: no timer clamping), after the tasks queued before it. */
function yieldToTasks(): Promise<void> {
  if (!yieldChannel) {
    yieldChannel = new MessageChannel();
    yieldChannel.port1.onmessage = () => yieldWaiters.shift()?.();
  }
  return new Promise((resolve) => {
    yieldWaiters.push(resolve);
    yieldChannel!.port2.postMessage(null);
  });
}

/**
 * Writes `file` into the core's transform one reused buffer at a time: a write resolves once the
 * core has taken the chunk's bytes (the WebCrypto calls copy their input when made), so the buffer
 * goes back to the reader, which has meanwhile been reading the next one.
 */
async function feed(file: Blob, writable: WritableStream<Uint8Array>, progress: ReturnType<typeof progressReporter>, signal: AbortSignal): Promise<void> {
  const reader = new BlobReader(file);
  const writer = writable.getWriter();
  try {
    let yieldedAt = performance.now();
    for (let chunk = await reader.next(); chunk; chunk = await reader.next()) {
      if (performance.now() - yieldedAt > YIELD_EVERY_MS) {
        await yieldToTasks();
        yieldedAt = performance.now();
      }
      if (signal.aborted) throw abortError();
      progress.add(chunk.byteLength);
      await writer.write(chunk);
      reader.recycle(chunk);
    }
    progress.end();
    await writer.close();
  } catch (error) {
    await reader.cancel(error);
    await writer.abort(error).catch(() => undefined);
    throw error;
  }
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
    const { signal } = aborter;
    // The output side aborts the sink (and cancels the transform) on an abort or on any error of
    // the transform; an error on the input side reaches it through the transform.
    // An abort answers at once; the pipe's own teardown (a pending Blob read, frames in flight)
    // finishes after the call has been rejected, and writes nothing anywhere.
    const aborted = new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(abortError()), { once: true }));
    await Promise.race([
      Promise.all([
        feed(file, run.transform.writable, progressReporter(port, file.size), signal),
        run.transform.readable.pipeTo(sink.writable, { signal }),
      ]),
      aborted,
    ]);
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
