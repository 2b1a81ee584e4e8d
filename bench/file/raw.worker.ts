/**
 * The baseline of the file benchmark: bare WebCrypto AES-256-GCM in a dedicated worker, the same
 * frame length and the same number of frames in flight as the kit, no key derivation, header, AAD
 * or commitment. Two forms:
 * - `memory`: one in-memory buffer in, one out; the ceiling of what AES-GCM alone can do here;
 * - `file`: the same I/O as the kit's worker (its Blob reader in, Blob parts out), so the gap
 *   between kit and baseline is the message format and the pipeline, not the disk or blob store.
 */
import { expose } from 'comlink';
import { blobChunks } from '../../workers/file-pipeline.js';
import { RawAesKeyring, decryptStream, encryptStream } from '../../src/core/index.js';

const TAG = 16;
const FLUSH_BYTES = 4 * 1024 * 1024;

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

/** Seals or opens `input` frame by frame into one output buffer; returns elapsed ms. */
async function memory(op: 'encrypt' | 'decrypt', size: number, settings: RawSettings): Promise<number> {
  const k = await key();
  const { frameLength, concurrency } = settings;
  if (!memoryPlaintext || memoryPlaintext.length !== size) {
    memoryPlaintext = new Uint8Array(size);
    for (let o = 0; o < size; o += 65536) crypto.getRandomValues(memoryPlaintext.subarray(o, Math.min(size, o + 65536)));
    memoryCiphertext = undefined;
  }
  const frames = Math.ceil(size / frameLength);
  if (op === 'encrypt' || !memoryCiphertext) {
    const out = new Uint8Array(size + frames * TAG);
    const started = performance.now();
    await pool(frames, concurrency, async (i) => {
      const chunk = memoryPlaintext!.subarray(i * frameLength, Math.min(size, (i + 1) * frameLength));
      out.set(new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv: iv(i + 1) }, k, chunk)), i * (frameLength + TAG));
    });
    memoryCiphertext = out;
    if (op === 'encrypt') return performance.now() - started;
  }
  const ciphertext = memoryCiphertext;
  const out = new Uint8Array(size);
  const started = performance.now();
  await pool(frames, concurrency, async (i) => {
    const start = i * (frameLength + TAG);
    const chunk = ciphertext.subarray(start, Math.min(ciphertext.length, start + frameLength + TAG));
    out.set(new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: iv(i + 1) }, k, chunk)), i * frameLength);
  });
  return performance.now() - started;
}

function joined(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * Blob slices -> frames sealed (or opened) `concurrency` at a time, in order -> Blob parts.
 * Resolves with the output Blob and the elapsed ms.
 */
async function file(op: 'encrypt' | 'decrypt', input: Blob, settings: RawSettings): Promise<{ blob: Blob; ms: number }> {
  const k = await key();
  const started = performance.now();
  const unit = op === 'encrypt' ? settings.frameLength : settings.frameLength + TAG;
  const parts: Blob[] = [];
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const inFlight: Promise<ArrayBuffer>[] = [];
  const drainOne = async () => {
    const out = new Uint8Array(await inFlight.shift()!);
    pending.push(out);
    pendingBytes += out.length;
    if (pendingBytes >= FLUSH_BYTES) {
      parts.push(new Blob(pending as Uint8Array<ArrayBuffer>[]));
      pending = [];
      pendingBytes = 0;
    }
  };
  let sequence = 1;
  let carry: Uint8Array = new Uint8Array(0);
  const seal = async (chunk: Uint8Array) => {
    const params = { name: 'AES-GCM', iv: iv(sequence++) };
    const bytes = chunk as Uint8Array<ArrayBuffer>;
    inFlight.push(op === 'encrypt' ? crypto.subtle.encrypt(params, k, bytes) : crypto.subtle.decrypt(params, k, bytes));
    if (inFlight.length >= settings.concurrency) await drainOne();
  };
  // The kit worker's own reader, so that both read the Blob the same way.
  const reader = blobChunks(input).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const data = carry.length ? joined(carry, value) : value;
    let at = 0;
    while (data.length - at >= unit) {
      await seal(data.subarray(at, at + unit));
      at += unit;
    }
    carry = data.slice(at);
  }
  if (carry.length > 0 || sequence === 1) await seal(carry);
  while (inFlight.length > 0) await drainOne();
  parts.push(new Blob(pending as Uint8Array<ArrayBuffer>[]));
  const blob = new Blob(parts);
  return { blob, ms: performance.now() - started };
}

let streamCiphertext: Uint8Array[] | undefined;
const STREAM_CHUNK = 1024 * 1024;

/**
 * The core's encryptStream / decryptStream alone, from and to memory, with a raw AES keyring: no
 * worker boundary, no KMS, no Blob I/O. Separates the stream's own cost from the kit's pipeline.
 */
async function coreStream(op: 'encrypt' | 'decrypt', size: number, suiteId: 0x0478 | 0x0578): Promise<number> {
  if (!memoryPlaintext || memoryPlaintext.length !== size) await memory('encrypt', size, { frameLength: 65536, concurrency: 1 });
  const plaintext = memoryPlaintext!;
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
function release(): void {
  memoryPlaintext = undefined;
  memoryCiphertext = undefined;
  streamCiphertext = undefined;
}

const api = { memory, file, coreStream, release };
export type RawWorkerApi = typeof api;
expose(api);
