/**
 * The page half of the file benchmark (bench/file.mjs drives it through `window.fileBench`):
 * `kit.encryptFile` / `kit.decryptFile` on a large Blob, and the raw AES-GCM baseline in a worker of
 * its own, while a probe on this main thread records the longest task (Long Tasks API) and the
 * worst timer lag. Memory is sampled from outside, over the DevTools protocol.
 */
import { wrap, type Remote } from 'comlink';
import { createKit, DEFAULT_FRAME_LENGTH, FRAME_CONCURRENCY, parseHeader, type Kit } from '../../src/index.js';
import { deleteKmsStorage } from '../../src/kms/index.js';
import type { RawWorkerApi } from './raw.worker.js';

const MiB = 1024 * 1024;
const REGIONS = ['us-east-1'];

export interface Lag {
  /** Longest task on this thread reported by the Long Tasks API (only tasks >= 50 ms are reported). */
  readonly longestTaskMs: number;
  readonly longTasks: number;
  /** Worst lateness of a 10 ms timer: any main-thread stall shows up here, long task or not. */
  readonly maxTimerLagMs: number;
}

export interface KitResult {
  readonly ms: number;
  /** The suite of the message: read from the output's header (encrypt) or the input's (decrypt). */
  readonly suiteId: number;
  readonly outputBytes: number;
  readonly progressEvents: number;
  readonly lag: Lag;
}

const TIMER_MS = 10;

function startProbe(): { stop(): Lag } {
  let last = performance.now();
  let maxLag = 0;
  let running = true;
  const tick = () => {
    const now = performance.now();
    maxLag = Math.max(maxLag, now - last - TIMER_MS);
    last = now;
    if (running) setTimeout(tick, TIMER_MS);
  };
  setTimeout(tick, TIMER_MS);
  const durations: number[] = [];
  const observer = PerformanceObserver.supportedEntryTypes.includes('longtask')
    ? new PerformanceObserver((list) => list.getEntries().forEach((entry) => durations.push(entry.duration)))
    : undefined;
  observer?.observe({ type: 'longtask' });
  return {
    stop() {
      running = false;
      for (const entry of observer?.takeRecords() ?? []) durations.push(entry.duration);
      observer?.disconnect();
      return { longestTaskMs: Math.max(0, ...durations), longTasks: durations.length, maxTimerLagMs: Math.max(0, maxLag) };
    },
  };
}

let kit: Kit | undefined;
/** The same kit (same name and keys) with `helperWorkers: 0`: the signed suite's hash and keys on the kit worker's own thread. */
let kitAlone: Kit | undefined;
let kitName = '';
let keyId = '';
let input: Blob | undefined;
let raw: Remote<RawWorkerApi> | undefined;
let rawWorker: Worker | undefined;
const ciphertexts = new Map<string, Blob>();
let lastPlaintext: Blob | undefined;

/** `size` bytes: one random MiB, varied per MiB, assembled 16 MiB at a time so the page never holds much. */
function makeInput(size: number): Blob {
  const block = new Uint8Array(MiB);
  for (let o = 0; o < MiB; o += 65536) crypto.getRandomValues(block.subarray(o, o + 65536));
  const groups: Blob[] = [];
  for (let offset = 0; offset < size; ) {
    const parts: Uint8Array<ArrayBuffer>[] = [];
    for (let i = 0; i < 16 && offset < size; i++, offset += MiB) {
      const part = block.slice(0, Math.min(MiB, size - offset));
      new DataView(part.buffer).setUint32(0, offset / MiB);
      parts.push(part);
    }
    groups.push(new Blob(parts));
  }
  return new Blob(groups);
}

async function setup(size: number): Promise<{ inputBytes: number }> {
  kitName = `ek-file-bench-${crypto.randomUUID()}`;
  // The `worker` option, as an app whose bundler emits the worker itself would use it.
  kit = await createKit({ name: kitName, regions: REGIONS, worker: new Worker(new URL('./kit.worker.js', import.meta.url), { type: 'module' }) });
  keyId = (await kit.kms('us-east-1').createKey({ Description: 'file bench' })).KeyMetadata.Arn;
  kitAlone = await createKit({ name: kitName, regions: REGIONS, helperWorkers: 0, worker: new Worker(new URL('./kit.worker.js?alone', import.meta.url), { type: 'module' }) });
  rawWorker = new Worker(new URL('./raw.worker.js', import.meta.url), { type: 'module' });
  raw = wrap<RawWorkerApi>(rawWorker);
  await raw.release(); // started and answering
  input = makeInput(size);
  return { inputBytes: input.size };
}

/** The suite a message was encrypted with, from its header. */
async function suiteOf(message: Blob): Promise<number> {
  const head = new Uint8Array(await message.slice(0, 64 * 1024).arrayBuffer());
  return parseHeader(head)?.suiteId ?? NaN;
}

/**
 * One kit call on the whole input. `suite` 'default' passes no suiteId, as an app that does not
 * choose one would; the suite it got is read back from the message header.
 */
async function runKit(op: 'encrypt' | 'decrypt', suite: 0x0478 | 0x0578 | 'default', alone = false): Promise<KitResult> {
  const key = `kit:${suite}${alone ? ':alone' : ''}`;
  const which = alone ? kitAlone : kit;
  const source = op === 'encrypt' ? input : ciphertexts.get(key);
  if (!source) throw new Error(`no ciphertext to decrypt: kit.encryptFile ${suite} did not run`);
  let progressEvents = 0;
  const onProgress = () => void progressEvents++;
  lastPlaintext = undefined;
  const options = { keyId, encryptionContext: { bench: 'file' }, ...(suite === 'default' ? {} : { suiteId: suite }) };
  const probe = startProbe();
  const started = performance.now();
  const output =
    op === 'encrypt'
      ? await which!.encryptFile(source, options, { onProgress })
      : await which!.decryptFile(source, { encryptionContext: { bench: 'file' } }, { onProgress });
  const ms = performance.now() - started;
  const lag = probe.stop();
  if (op === 'encrypt') ciphertexts.set(key, output);
  else lastPlaintext = output;
  return { ms, suiteId: await suiteOf(op === 'encrypt' ? output : source), outputBytes: output.size, progressEvents, lag };
}

type RawForm = 'memory' | 'file' | 'core-stream' | 'blob-io' | 'hash';

async function runRaw(form: RawForm, op: 'encrypt' | 'decrypt'): Promise<{ ms: number; lag: Lag }> {
  const settings = { frameLength: DEFAULT_FRAME_LENGTH, concurrency: FRAME_CONCURRENCY };
  const probe = startProbe();
  let ms: number;
  if (form === 'core-stream') {
    ms = await raw!.coreStream(op, input!.size, 0x0478);
  } else if (form === 'memory') {
    ms = await raw!.memory(op, input!.size, settings);
  } else if (form === 'hash') {
    ms = await raw!.hash(input!.size);
  } else if (form === 'blob-io') {
    ms = await raw!.blobIo(input!, settings);
  } else {
    const source = op === 'encrypt' ? input : ciphertexts.get('raw');
    if (!source) throw new Error('no ciphertext to decrypt: the raw Blob encrypt did not run');
    const result = await raw!.file(op, source, settings);
    if (op === 'encrypt') ciphertexts.set('raw', result.blob);
    ms = result.ms;
  }
  return { ms, lag: probe.stop() };
}

/** Allocates a raw cell's in-memory input before its memory baseline is taken (see the raw worker). */
async function prepareRaw(form: 'memory' | 'hash' | 'core-stream', op: 'encrypt' | 'decrypt'): Promise<void> {
  await raw!.prepare(form, op, input!.size, { frameLength: DEFAULT_FRAME_LENGTH, concurrency: FRAME_CONCURRENCY });
}

/** Compares the last decrypted Blob with the input: sizes, and 1 MiB at eight places. */
async function verify(): Promise<boolean> {
  const a = input!;
  const b = lastPlaintext;
  if (!b || a.size !== b.size) return false;
  for (let i = 0; i < 8; i++) {
    const at = Math.max(0, Math.floor(((a.size - MiB) * i) / 7));
    const [x, y] = await Promise.all([a.slice(at, at + MiB).arrayBuffer(), b.slice(at, at + MiB).arrayBuffer()]);
    const u = new Uint8Array(x);
    const v = new Uint8Array(y);
    for (let j = 0; j < u.length; j++) if (u[j] !== v[j]) return false;
  }
  return true;
}

/** Drops blobs no longer needed, so the blob store does not grow across cells. */
function forget(what: 'raw-memory' | 'plaintext' | string): void {
  if (what === 'raw-memory') void raw?.release();
  else if (what === 'plaintext') lastPlaintext = undefined;
  else ciphertexts.delete(what);
}

async function teardown(): Promise<void> {
  await kitAlone?.close();
  await kit?.close();
  rawWorker?.terminate();
  await deleteKmsStorage({ storage: 'indexeddb', name: kitName, regions: REGIONS });
}

(window as unknown as { fileBench: unknown }).fileBench = {
  info: () => ({
    isSecureContext,
    crossOriginIsolated,
    hardwareConcurrency: navigator.hardwareConcurrency,
    frameLength: DEFAULT_FRAME_LENGTH,
    frameConcurrency: FRAME_CONCURRENCY,
    longTaskApi: PerformanceObserver.supportedEntryTypes.includes('longtask'),
  }),
  setup,
  runKit,
  runRaw,
  prepareRaw,
  verify,
  forget,
  teardown,
};
