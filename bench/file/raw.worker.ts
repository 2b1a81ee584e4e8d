/**
 * The baselines of the file benchmark, in a dedicated worker of their own: bare WebCrypto AES-256-GCM
 * with the kit's frame length and frames in flight, and no key derivation, header, AAD, commitment
 * or streams. Each measures one thing the kit's file calls are made of:
 * - `memory`: AES-GCM alone over an in-memory buffer, each result dropped: the ceiling;
 * - `file`: the same between Blobs, with the kit worker's own reader and sink (workers/file-pipeline.ts),
 *   so the gap between it and the kit is the message format and the pipeline, not the blob store;
 * - `blobIo`: that Blob reader and sink with no cipher at all (each frame copied into a fresh buffer,
 *   as the cipher's result would be): the ceiling of any Blob-to-Blob pipeline here;
 * - `hash`: the streaming signature's incremental SHA-384 (src/core/signature.ts) alone over as many
 *   bytes: the ceiling of signed suites' file calls, which hash the whole message in JavaScript;
 * - `coreStream`: the core's encryptStream / decryptStream from and to memory (no worker boundary,
 *   no KMS, no Blob).
 */
import { expose } from 'comlink';
import { BlobReader, BlobSink } from '../../workers/file-pipeline.js';
import { RawAesKeyring, decryptStream, encryptStream } from '../../src/core/index.js';
import { incrementalHash } from '../../src/core/signature.js';

const TAG = 16;

export interface RawSettings {
  readonly frameLength: number;
  readonly concurrency: number;
}

let keyPromise: Promise<CryptoKey> | undefined;
const key = () => (keyPromise ??= crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']) as Promise<CryptoKey>);

function iv(sequence: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(12);
  new DataView(bytes.buffer).setUint32(8, sequence);
  return bytes;
}

async function pool(count: number, limit: number, work: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, Math.max(count, 1)) }, lane));
}

let memoryPlaintext: Uint8Array<ArrayBuffer> | undefined;
let memoryCiphertext: Uint8Array<ArrayBuffer> | undefined;

function plaintextOf(size: number): Uint8Array<ArrayBuffer> {
  if (!memoryPlaintext || memoryPlaintext.length !== size) {
    memoryPlaintext = new Uint8Array(size);
    for (let o = 0; o < size; o += 65536) crypto.getRandomValues(memoryPlaintext.subarray(o, Math.min(size, o + 65536)));
    memoryCiphertext = undefined;
  }
  return memoryPlaintext;
}

/**
 * Allocates what a cell works on (the plaintext; for an in-memory decrypt, its ciphertext) before
 * the cell's memory baseline is taken, so that it does not count as the cell's own memory.
 */
async function prepare(form: 'memory' | 'hash' | 'core-stream', op: 'encrypt' | 'decrypt', size: number, settings: RawSettings): Promise<void> {
  const plaintext = plaintextOf(size);
  if (form !== 'memory' || op !== 'decrypt' || memoryCiphertext) return;
  // The ciphertext to open: frames of frameLength + TAG back to back.
  const k = await key();
  const { frameLength, concurrency } = settings;
  const frames = Math.ceil(size / frameLength);
  const out = new Uint8Array(size + frames * TAG);
  await pool(frames, concurrency, async (i) => {
    const chunk = plaintext.subarray(i * frameLength, Math.min(size, (i + 1) * frameLength));
    out.set(new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv: iv(i + 1) }, k, chunk)), i * (frameLength + TAG));
  });
  memoryCiphertext = out;
}

/**
 * Seals (or opens) an in-memory buffer frame by frame, `concurrency` calls in flight, and drops
 * each result: AES-GCM and nothing else. Returns elapsed ms.
 */
async function memory(op: 'encrypt' | 'decrypt', size: number, settings: RawSettings): Promise<number> {
  const k = await key();
  const { frameLength, concurrency } = settings;
  const plaintext = plaintextOf(size);
  const frames = Math.ceil(size / frameLength);
  await prepare('memory', op, size, settings);
  const started = performance.now();
  if (op === 'encrypt') {
    await pool(frames, concurrency, async (i) => {
      const chunk = plaintext.subarray(i * frameLength, Math.min(size, (i + 1) * frameLength));
      await crypto.subtle.encrypt({ name: 'AES-GCM', iv: iv(i + 1) }, k, chunk);
    });
  } else {
    const ciphertext = memoryCiphertext!;
    await pool(frames, concurrency, async (i) => {
      const start = i * (frameLength + TAG);
      const chunk = ciphertext.subarray(start, Math.min(ciphertext.length, start + frameLength + TAG));
      await crypto.subtle.decrypt({ name: 'AES-GCM', iv: iv(i + 1) }, k, chunk);
    });
  }
  return performance.now() - started;
}

/**
 * Cuts the Blob into units of `unit` bytes read with the kit's BlobReader (a unit spanning two
 * chunks is copied into one reused buffer, as the core's decrypt stream does) and hands each to
 * `process`, which must be done with it when it returns (WebCrypto copies its input when called).
 */
async function eachUnit(input: Blob, unit: number, process: (bytes: Uint8Array<ArrayBuffer>) => Promise<void>): Promise<void> {
  const reader = new BlobReader(input);
  const spanning = new Uint8Array(unit);
  let filled = 0;
  let units = 0;
  for (let chunk = await reader.next(); chunk; chunk = await reader.next()) {
    let at = 0;
    if (filled > 0) {
      const take = Math.min(unit - filled, chunk.length);
      spanning.set(chunk.subarray(0, take), filled);
      filled += take;
      at = take;
      if (filled === unit) {
        await process(spanning);
        units++;
        filled = 0;
      }
    }
    for (; chunk.length - at >= unit; at += unit, units++) await process(chunk.subarray(at, at + unit));
    spanning.set(chunk.subarray(at), filled);
    filled += chunk.length - at;
    reader.recycle(chunk);
  }
  if (filled > 0 || units === 0) await process(spanning.subarray(0, filled));
}

/**
 * Blob slices -> frames sealed (or opened) `concurrency` at a time, in order -> Blob parts, with
 * the kit worker's BlobReader and BlobSink. Resolves with the output Blob and the elapsed ms.
 */
async function file(op: 'encrypt' | 'decrypt', input: Blob, settings: RawSettings): Promise<{ blob: Blob; ms: number }> {
  const k = await key();
  const started = performance.now();
  const sink = new BlobSink(op === 'decrypt');
  const inFlight: Promise<ArrayBuffer>[] = [];
  const drainOne = async () => sink.write(new Uint8Array(await inFlight.shift()!));
  let sequence = 1;
  await eachUnit(input, op === 'encrypt' ? settings.frameLength : settings.frameLength + TAG, async (bytes) => {
    const params = { name: 'AES-GCM', iv: iv(sequence++) };
    inFlight.push(op === 'encrypt' ? crypto.subtle.encrypt(params, k, bytes) : crypto.subtle.decrypt(params, k, bytes));
    if (inFlight.length >= settings.concurrency) await drainOne();
  });
  while (inFlight.length > 0) await drainOne();
  const blob = sink.blob('');
  return { blob, ms: performance.now() - started };
}

/** The kit's Blob reader and sink with no cipher: each frame's bytes copied into a fresh buffer. */
async function blobIo(input: Blob, settings: RawSettings): Promise<number> {
  const started = performance.now();
  const sink = new BlobSink(false);
  await eachUnit(input, settings.frameLength, async (bytes) => sink.write(bytes.slice()));
  sink.blob('');
  return performance.now() - started;
}

/** The streaming signature's SHA-384 (the core's incrementalHash) over `size` bytes in memory, 1 MiB per update. */
async function hash(size: number): Promise<number> {
  const bytes = plaintextOf(size);
  const hasher = await incrementalHash('SHA-384');
  const started = performance.now();
  for (let at = 0; at < size; at += 1024 * 1024) hasher.update(bytes.subarray(at, at + 1024 * 1024));
  hasher.digest();
  return performance.now() - started;
}

let streamCiphertext: Uint8Array[] | undefined;
const STREAM_CHUNK = 1024 * 1024;

/**
 * The core's encryptStream / decryptStream alone, from and to memory, with a raw AES keyring: no
 * worker boundary, no KMS, no Blob I/O. Separates the stream's own cost from the kit's pipeline.
 */
async function coreStream(op: 'encrypt' | 'decrypt', size: number, suiteId: 0x0478 | 0x0578): Promise<number> {
  const plaintext = plaintextOf(size);
  const keyring = new RawAesKeyring({ keyNamespace: 'bench', keyName: 'k', wrappingKey: new Uint8Array(32).fill(7) });
  const source = (chunks: Uint8Array[]) =>
    new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
  const sliced = () => Array.from({ length: Math.ceil(size / STREAM_CHUNK) }, (_, i) => plaintext.subarray(i * STREAM_CHUNK, (i + 1) * STREAM_CHUNK));
  if (op === 'encrypt' || !streamCiphertext) {
    const out: Uint8Array[] = [];
    const started = performance.now();
    await source(sliced())
      .pipeThrough(encryptStream(keyring, { suiteId }))
      .pipeTo(new WritableStream({ write: (chunk) => void out.push(chunk) }));
    streamCiphertext = out;
    if (op === 'encrypt') return performance.now() - started;
  }
  const started = performance.now();
  await source([...streamCiphertext])
    .pipeThrough(decryptStream(keyring, { signaturePolicy: 'release-frames-early' }))
    .pipeTo(new WritableStream({ write: () => undefined }));
  return performance.now() - started;
}

/** Drops the in-memory buffers (so they do not count against the kit's memory measurement). */
function forget(): void {
  memoryPlaintext = undefined;
  memoryCiphertext = undefined;
  streamCiphertext = undefined;
}

const api = { prepare, memory, file, blobIo, hash, coreStream, release: forget };
export type RawWorkerApi = typeof api;
expose(api);
