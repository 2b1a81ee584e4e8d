/**
 * The in-page half of the benchmark (see bench/README.md). bench/run.mjs bundles this file for the
 * browser, serves it on 127.0.0.1 and drives it through `window.bench`: Node decides what to
 * measure and in which order, the page does the measuring and hands back plain JSON.
 *
 * Peers ("variants"):
 *   kit  - encrypt/decrypt from src/core with a RawAesKeyring;
 *   sdk  - @aws-crypto/client-browser 4.2.2 with a RawAesKeyringWebCrypto;
 *   raw  - bare WebCrypto AES-GCM over frame-sized chunks, FRAME_CONCURRENCY calls in flight,
 *          results copied into one output buffer the way a message body is laid out;
 *   kitWorker - the kit as an app uses it: `kit.encrypt` / `kit.decrypt` of createKit, through its
 *          worker (a simulated KMS key wraps each data key: one KMS call per message, audited in
 *          IndexedDB) with its helper worker (signing keys made ahead, the hash of large messages).
 */
import * as kit from '../src/core/index.js';
import { createKit, type Kit } from '../src/index.js';
import { BatchPool } from '../workers/pool/batch-pool.js';
import { Offload } from '../workers/pool/offload.js';
import {
  AlgorithmSuiteIdentifier,
  CommitmentPolicy,
  RawAesKeyringWebCrypto,
  RawAesWrappingSuiteIdentifier,
  buildClient,
} from '@aws-crypto/client-browser';

type Bytes = Uint8Array<ArrayBuffer>;
type SuiteNumber = 0x0478 | 0x0578;
type Kind = 'kit' | 'sdk' | 'raw' | 'kitWorker' | 'kitKeysAhead' | 'kitHasher';
type Operation = 'encrypt' | 'decrypt';

export interface VariantSpec {
  /** Column / row id chosen by Node, e.g. `kit`, `sdk`, `sdk@65536`, `kit@4096`. */
  readonly id: string;
  readonly kind: Kind;
  /** Frame (chunk) length; undefined = the peer's own default. */
  readonly frameLength?: number;
  /** `reps` mode: overrides the cell's rep count for this variant (fast peers get more). */
  readonly reps?: number;
  /** kitWorker: createKit's `helperWorkers` (undefined: the default). */
  readonly helperWorkers?: number;
}

export interface CellSpec {
  readonly size: number;
  readonly suite: SuiteNumber;
  readonly op: Operation;
  readonly variants: readonly VariantSpec[];
  /** `time`: batches of calls until `budgetMs` per variant is spent; `reps`: `reps` single calls. */
  readonly mode: 'time' | 'reps';
  readonly budgetMs: number;
  readonly reps: number;
  /** Label for progress lines. */
  readonly label: string;
}

export interface VariantResult {
  readonly id: string;
  /** One rate per sample (ops/s); medianOps is their median. */
  readonly samples: number[];
  readonly medianOps: number;
  readonly medianMiBs: number;
  /** Calls per sample (1 in `reps` mode). */
  readonly batch: number;
  /** Frame length actually used. */
  readonly frameLength: number;
  /** Set when the variant threw; it is then dropped from the rest of the cell. */
  readonly error?: string;
  /** Decrypt cells only: did the output equal the original plaintext. */
  readonly verified?: boolean;
}

interface Peer {
  readonly frameLength: number;
  encrypt(plaintext: Bytes): Promise<Uint8Array>;
  decrypt(ciphertext: Uint8Array): Promise<Uint8Array>;
}

// ---------------------------------------------------------------------------------------------
// Kit constants. Read through an untyped view so the page still loads (and the SDK and raw peers
// still run) when the core is missing or does not export them yet; run.mjs then says so.

const kitModule = kit as unknown as Record<string, unknown>;
const KIT_AVAILABLE = typeof kitModule['encrypt'] === 'function' && typeof kitModule['decrypt'] === 'function';
const FALLBACK_CONCURRENCY = 4;
const FALLBACK_FRAME_LENGTH = 65536;
const FRAME_CONCURRENCY =
  typeof kitModule['FRAME_CONCURRENCY'] === 'number' ? (kitModule['FRAME_CONCURRENCY'] as number) : undefined;
const DEFAULT_FRAME_LENGTH =
  typeof kitModule['DEFAULT_FRAME_LENGTH'] === 'number' ? (kitModule['DEFAULT_FRAME_LENGTH'] as number) : undefined;
const CONCURRENCY = FRAME_CONCURRENCY ?? FALLBACK_CONCURRENCY;
const KIT_FRAME_LENGTH = DEFAULT_FRAME_LENGTH ?? FALLBACK_FRAME_LENGTH;
/** @aws-crypto/serialize FRAME_LENGTH, the browser client's default. */
const SDK_DEFAULT_FRAME_LENGTH = 4096;

const ENCRYPTION_CONTEXT: Record<string, string> = { purpose: 'envelope-kit benchmark', tenant: 'bench' };
const KEY_NAMESPACE = 'envelope-kit-bench';
const KEY_NAME = 'aes-256-wrapping-key';

const subtle = crypto.subtle;

function randomBytes(length: number): Bytes {
  const out = new Uint8Array(length);
  for (let offset = 0; offset < length; offset += 65536) {
    crypto.getRandomValues(out.subarray(offset, Math.min(length, offset + 65536)));
  }
  return out;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.stack && error.stack.includes(error.message) ? error.stack : `${error.name}: ${error.message}\n${error.stack ?? ''}`;
  return String(error);
}

let progress: (line: string) => void = (line) => console.log(line);

// ---------------------------------------------------------------------------------------------
// Peers

/** Shared by both keyrings (so they read each other's messages); each gets its own copy. */
const wrappingKeyBytes = randomBytes(32);

function kitPeer(suite: SuiteNumber, frameLength: number): Peer {
  if (!KIT_AVAILABLE) throw new Error('src/core/index.ts does not export encrypt/decrypt (yet)');
  const keyring = new kit.RawAesKeyring({ keyNamespace: KEY_NAMESPACE, keyName: KEY_NAME, wrappingKey: wrappingKeyBytes.slice() });
  return {
    frameLength,
    async encrypt(plaintext) {
      const { ciphertext } = await kit.encrypt(keyring, plaintext, {
        suiteId: suite,
        frameLength,
        encryptionContext: ENCRYPTION_CONTEXT,
      });
      return ciphertext;
    },
    async decrypt(ciphertext) {
      const { plaintext } = await kit.decrypt(keyring, ciphertext);
      return plaintext;
    },
  };
}

/**
 * The core on this thread, as the `kit` peer, with the kit worker's signing-key stock
 * (workers/pool/offload.ts): P-384 key pairs generated ahead in a helper worker and handed over as
 * non-extractable CryptoKeys, through DefaultCmm's `signingKeys`. What the kit's worker does for
 * kit.encrypt, without the KMS call.
 */
let keysAhead: Offload | undefined;
function kitKeysAheadPeer(suite: SuiteNumber): Peer {
  if (!keysAhead) {
    const pool = new BatchPool({ materials: () => Promise.reject(new Error('no branch keys in the bench')) }, 'ek-bench-keys');
    keysAhead = new Offload(() => pool.helper(), { keyStock: 'always' });
  }
  const keyring = new kit.RawAesKeyring({ keyNamespace: KEY_NAMESPACE, keyName: KEY_NAME, wrappingKey: wrappingKeyBytes.slice() });
  const cmm = new kit.DefaultCmm({ keyring, signingKeys: keysAhead.signingKeys });
  return {
    frameLength: KIT_FRAME_LENGTH,
    async encrypt(plaintext) {
      return (await kit.encrypt(cmm, plaintext, { suiteId: suite, encryptionContext: ENCRYPTION_CONTEXT })).ciphertext;
    },
    async decrypt(ciphertext) {
      return (await kit.decrypt(keyring, ciphertext)).plaintext;
    },
  };
}

/** One kit per helper count (undefined: the default), made on first use. */
const kitWorkers = new Map<number | undefined, Promise<{ kit: Kit; keyId: string }>>();

function kitWorkerPeer(suite: SuiteNumber, helperWorkers: number | undefined): Peer {
  if (!kitWorkers.has(helperWorkers)) {
    kitWorkers.set(
      helperWorkers,
      (async () => {
        const worker = new Worker(new URL('./kit.worker.js', import.meta.url), { type: 'module' });
        const made = await createKit({ name: `ek-bench-${crypto.randomUUID()}`, regions: ['us-east-1'], worker, helperWorkers });
        const keyId = (await made.kms('us-east-1').createKey({ Description: 'bench' })).KeyMetadata.Arn;
        return { kit: made, keyId };
      })(),
    );
  }
  const ready = kitWorkers.get(helperWorkers)!;
  return {
    frameLength: KIT_FRAME_LENGTH,
    async encrypt(plaintext) {
      const { kit: k, keyId } = await ready;
      return (await k.encrypt(plaintext, { keyId, encryptionContext: ENCRYPTION_CONTEXT, suiteId: suite })).ciphertext;
    },
    async decrypt(ciphertext) {
      const { kit: k } = await ready;
      return (await k.decrypt(ciphertext as Bytes)).plaintext;
    },
  };
}

/**
 * The core on this thread, as the `kit` peer, with `kit.signatureHasher` of a kit (default helpers):
 * the footer hash of messages from 4 MiB runs in the kit's helper worker beside this thread's AES-GCM.
 */
function kitHasherPeer(suite: SuiteNumber): Peer {
  if (!kitWorkers.has(undefined)) kitWorkerPeer(suite, undefined);
  const ready = kitWorkers.get(undefined)!;
  const keyring = new kit.RawAesKeyring({ keyNamespace: KEY_NAMESPACE, keyName: KEY_NAME, wrappingKey: wrappingKeyBytes.slice() });
  return {
    frameLength: KIT_FRAME_LENGTH,
    async encrypt(plaintext) {
      const { kit: k } = await ready;
      return (await kit.encrypt(keyring, plaintext, { suiteId: suite, encryptionContext: ENCRYPTION_CONTEXT, frameLength: KIT_FRAME_LENGTH, signatureHasher: k.signatureHasher })).ciphertext;
    },
    async decrypt(ciphertext) {
      const { kit: k } = await ready;
      return (await kit.decrypt(keyring, ciphertext, { signatureHasher: k.signatureHasher })).plaintext;
    },
  };
}

/**
 * The floor of any signed 64 MiB message here: the footer's SHA-384 of `size` bytes alone, on this
 * thread, as WebCrypto's one-shot digest (the fastest SHA-384 here, but one call over the whole
 * input, so it cannot overlap the cipher) and as the incremental WebAssembly hash in 256 KiB updates
 * (what can overlap it); and that incremental hash in the kit's helper fed from this thread through
 * `kit.signatureHasher` (each piece copied into its ring), with nothing else running; and that with
 * bare AES-GCM frames sealed here meanwhile (the overlapped schedule without the message format).
 * MiB/s, medians of `rounds`, alternating.
 */
/** A worker that seals AES-GCM frames sent to it (their buffers transferred both ways), for {@link cipherElsewhere}. */
let sealer: Worker | undefined;
const SEALER_SOURCE = `
let key;
onmessage = async ({ data }) => {
  if (data.key) { key = await crypto.subtle.importKey('raw', data.key, 'AES-GCM', false, ['encrypt']); postMessage({ ready: true }); return; }
  const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv: data.iv }, key, new Uint8Array(data.frame, 0, data.length));
  postMessage({ index: data.index, sealed, frame: data.frame }, [sealed, data.frame]);
};`;

/**
 * The placement {@link hashFloor}'s overlapped schedule does not try: each plaintext frame copied
 * into a reused buffer and sent to a worker that seals it (AES-GCM), while this thread hashes the
 * sealed frames in order (incremental WebAssembly). MiB/s of `data`.
 */
async function cipherElsewhere(data: Bytes): Promise<number> {
  if (!sealer) {
    sealer = new Worker(URL.createObjectURL(new Blob([SEALER_SOURCE], { type: 'text/javascript' })));
    await new Promise((resolve) => {
      sealer!.onmessage = resolve;
      sealer!.postMessage({ key: crypto.getRandomValues(new Uint8Array(32)) });
    });
  }
  const worker = sealer;
  const started = performance.now();
  const hash = await kit.createIncrementalHash('SHA-384');
  const frames = Math.ceil(data.length / KIT_FRAME_LENGTH);
  const free: ArrayBuffer[] = [];
  const arrived = new Map<number, ArrayBuffer>();
  let wake: (() => void) | undefined;
  worker.onmessage = ({ data: answer }: MessageEvent<{ index: number; sealed: ArrayBuffer; frame: ArrayBuffer }>) => {
    arrived.set(answer.index, answer.sealed);
    free.push(answer.frame);
    wake?.();
  };
  let sent = 0;
  const send = () => {
    const at = sent * KIT_FRAME_LENGTH;
    const part = data.subarray(at, at + KIT_FRAME_LENGTH);
    const frame = free.pop() ?? new ArrayBuffer(KIT_FRAME_LENGTH);
    new Uint8Array(frame).set(part);
    worker.postMessage({ index: sent, iv: frameIv(sent + 1), frame, length: part.length }, [frame]);
    sent++;
  };
  for (let next = 0; next < frames; next++) {
    while (sent < frames && sent < next + 2 * CONCURRENCY) send();
    while (!arrived.has(next)) await new Promise<void>((resolve) => (wake = resolve));
    hash.update(new Uint8Array(arrived.get(next)!));
    arrived.delete(next);
  }
  hash.digest();
  return data.length / 1048576 / ((performance.now() - started) / 1000);
}

async function hashFloor(size: number, rounds: number): Promise<{ oneShot: number; incremental: number; helper: number; overlapped: number; reversed: number; implementation: string }> {
  const data = plaintextOf(size);
  const oneShot: number[] = [];
  const incremental: number[] = [];
  const helper: number[] = [];
  const overlapped: number[] = [];
  const reversed: number[] = [];
  const key = await rawAesKey();
  let implementation = '';
  if (!kitWorkers.has(undefined)) kitWorkerPeer(0x0578, undefined);
  const { kit: k } = await kitWorkers.get(undefined)!;
  for (let round = 0; round < rounds; round++) {
    gc();
    const began = performance.now();
    const remote = await k.signatureHasher('SHA-384');
    for (let at = 0; at < size; at += 256 * 1024) await remote.update(data.subarray(at, at + 256 * 1024));
    await remote.digest();
    helper.push(size / 1048576 / ((performance.now() - began) / 1000));
    // The schedule itself without the message format: bare AES-GCM frames here (as the raw peer),
    // each fed in order to the helper's hash while the next ones are sealed.
    gc();
    const overlapStarted = performance.now();
    const feeding = await k.signatureHasher('SHA-384');
    for (let first = 0; first < size; first += CONCURRENCY * KIT_FRAME_LENGTH) {
      const sealed: Promise<ArrayBuffer>[] = [];
      for (let at = first; at < Math.min(size, first + CONCURRENCY * KIT_FRAME_LENGTH); at += KIT_FRAME_LENGTH) {
        sealed.push(subtle.encrypt({ name: 'AES-GCM', iv: frameIv(at / KIT_FRAME_LENGTH + 1) }, key, data.subarray(at, at + KIT_FRAME_LENGTH)));
      }
      for (const frame of sealed) await feeding.update(new Uint8Array(await frame));
    }
    await feeding.digest();
    overlapped.push(size / 1048576 / ((performance.now() - overlapStarted) / 1000));
    // The other placement: AES-GCM in a worker, the incremental hash here, in order.
    gc();
    reversed.push(await cipherElsewhere(data));
    gc();
    let started = performance.now();
    await crypto.subtle.digest('SHA-384', data);
    oneShot.push(size / 1048576 / ((performance.now() - started) / 1000));
    gc();
    started = performance.now();
    const hash = await kit.createIncrementalHash('SHA-384');
    for (let at = 0; at < size; at += 256 * 1024) hash.update(data.subarray(at, at + 256 * 1024));
    hash.digest();
    incremental.push(size / 1048576 / ((performance.now() - started) / 1000));
    implementation = hash.implementation;
  }
  return { oneShot: median(oneShot), incremental: median(incremental), helper: median(helper), overlapped: median(overlapped), reversed: median(reversed), implementation };
}

const sdkClient = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
const sdkWrappingSuite = RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING;
let sdkKeyring: Promise<RawAesKeyringWebCrypto> | undefined;

function getSdkKeyring(): Promise<RawAesKeyringWebCrypto> {
  sdkKeyring ??= RawAesKeyringWebCrypto.importCryptoKey(wrappingKeyBytes.slice(), sdkWrappingSuite).then(
    (masterKey) =>
      new RawAesKeyringWebCrypto({
        keyNamespace: KEY_NAMESPACE,
        keyName: KEY_NAME,
        wrappingSuite: sdkWrappingSuite,
        masterKey,
      }),
  );
  return sdkKeyring;
}

function sdkPeer(suite: SuiteNumber, frameLength: number): Peer {
  const suiteId = suite as unknown as AlgorithmSuiteIdentifier;
  return {
    frameLength,
    async encrypt(plaintext) {
      // Note: the SDK reads frames as `new Uint8Array(plaintext.buffer, offset, ...)`, ignoring
      // byteOffset, so plaintexts here are always whole, offset-0 buffers.
      const { result } = await sdkClient.encrypt(await getSdkKeyring(), plaintext, {
        suiteId,
        frameLength,
        encryptionContext: ENCRYPTION_CONTEXT,
      });
      return result;
    },
    async decrypt(ciphertext) {
      const { plaintext } = await sdkClient.decrypt(await getSdkKeyring(), ciphertext);
      return plaintext;
    },
  };
}

const TAG_LENGTH = 16;
let rawKey: Promise<CryptoKey> | undefined;
/** The raw peer's AES-256-GCM key (also the floor's), made once. */
function rawAesKey(): Promise<CryptoKey> {
  rawKey ??= subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']) as Promise<CryptoKey>;
  return rawKey;
}

function frameIv(sequence: number): Bytes {
  const iv = new Uint8Array(12);
  new DataView(iv.buffer).setUint32(8, sequence);
  return iv;
}

/** Runs `work(i)` for i in [0, count) with at most `limit` calls in flight. */
async function pool(count: number, limit: number, work: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, Math.max(count, 1)) }, lane));
}

function rawPeer(frameLength: number): Peer {
  return {
    frameLength,
    async encrypt(plaintext) {
      const key = await rawAesKey();
      const frames = Math.max(1, Math.ceil(plaintext.length / frameLength));
      const out = new Uint8Array(plaintext.length + frames * TAG_LENGTH);
      await pool(frames, CONCURRENCY, async (i) => {
        const start = i * frameLength;
        const chunk = plaintext.subarray(start, Math.min(plaintext.length, start + frameLength));
        const sealed = await subtle.encrypt({ name: 'AES-GCM', iv: frameIv(i + 1) }, key, chunk);
        out.set(new Uint8Array(sealed), i * (frameLength + TAG_LENGTH));
      });
      return out;
    },
    async decrypt(ciphertext) {
      const key = await rawAesKey();
      const sealedLength = frameLength + TAG_LENGTH;
      const frames = Math.max(1, Math.ceil(ciphertext.length / sealedLength));
      const out = new Uint8Array(ciphertext.length - frames * TAG_LENGTH);
      await pool(frames, CONCURRENCY, async (i) => {
        const start = i * sealedLength;
        // Our ciphertexts are always ArrayBuffer-backed (made by this page).
        const chunk = ciphertext.subarray(start, Math.min(ciphertext.length, start + sealedLength)) as Bytes;
        const opened = await subtle.decrypt({ name: 'AES-GCM', iv: frameIv(i + 1) }, key, chunk);
        out.set(new Uint8Array(opened), i * frameLength);
      });
      return out;
    },
  };
}

function makePeer(variant: VariantSpec, suite: SuiteNumber): Peer {
  switch (variant.kind) {
    case 'kit':
      return kitPeer(suite, variant.frameLength ?? KIT_FRAME_LENGTH);
    case 'sdk':
      return sdkPeer(suite, variant.frameLength ?? SDK_DEFAULT_FRAME_LENGTH);
    case 'raw':
      return rawPeer(variant.frameLength ?? KIT_FRAME_LENGTH);
    case 'kitWorker':
      return kitWorkerPeer(suite, variant.helperWorkers);
    case 'kitKeysAhead':
      return kitKeysAheadPeer(suite);
    case 'kitHasher':
      return kitHasherPeer(suite);
  }
}

// ---------------------------------------------------------------------------------------------
// Data. One plaintext per size, kept for the whole run; ciphertexts are cached per
// (peer, suite, frame length, size) by encrypt cells and consumed by the matching decrypt cell.

const plaintexts = new Map<number, Bytes>();
const ciphertexts = new Map<string, Uint8Array>();

function plaintextOf(size: number): Bytes {
  let plaintext = plaintexts.get(size);
  if (!plaintext) {
    plaintext = randomBytes(size);
    plaintexts.set(size, plaintext);
  }
  return plaintext;
}

function cacheKey(variant: VariantSpec, peer: Peer, suite: SuiteNumber, size: number): string {
  // By id as well: two kit-worker variants are two kits with their own keys.
  return `${variant.kind}:${variant.id}:${suite}:${peer.frameLength}:${size}`;
}

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

interface Running {
  readonly variant: VariantSpec;
  readonly peer: Peer;
  readonly input: Uint8Array;
  readonly call: () => Promise<Uint8Array>;
  readonly samples: number[];
  batch: number;
  error?: string;
  verified?: boolean;
  spentMs: number;
}

async function cell(spec: CellSpec): Promise<VariantResult[]> {
  const { size, suite, op } = spec;
  const plaintext = plaintextOf(size);
  const running: Running[] = [];
  const failed: VariantResult[] = [];

  // Set up every variant (and, for decrypt, its ciphertext) before timing anything.
  for (const variant of spec.variants) {
    try {
      const peer = makePeer(variant, suite);
      let input: Uint8Array = plaintext;
      if (op === 'decrypt') {
        const key = cacheKey(variant, peer, suite, size);
        input = ciphertexts.get(key) ?? (await peer.encrypt(plaintext));
        ciphertexts.delete(key);
        // Verify once, untimed: the decrypt of this exact ciphertext must give the plaintext back.
        const check = await peer.decrypt(input);
        if (!equalBytes(check, plaintext)) throw new Error(`${variant.id}: decrypt did not return the original plaintext`);
      }
      const call = op === 'encrypt' ? () => peer.encrypt(plaintext) : () => peer.decrypt(input);
      running.push({ variant, peer, input, call, samples: [], batch: 1, spentMs: 0, verified: op === 'decrypt' ? true : undefined });
    } catch (error) {
      failed.push(errorResult(variant, error));
      progress(`  ! ${spec.label} ${variant.id}: ${describe(error).split('\n')[0]}`);
    }
  }

  const drop = (run: Running, error: unknown): void => {
    run.error = describe(error);
    progress(`  ! ${spec.label} ${run.variant.id}: ${run.error.split('\n')[0]}`);
  };

  // Warm up each variant and size its batches so one sample takes ~targetMs.
  const targetMs = spec.mode === 'time' ? Math.max(20, Math.min(100, spec.budgetMs / 30)) : 0;
  for (const run of running) {
    try {
      const started = performance.now();
      let calls = 0;
      let last: Uint8Array | undefined;
      do {
        last = await run.call();
        calls++;
      } while (spec.mode === 'time' && (performance.now() - started < Math.max(150, targetMs * 2) || calls < 3));
      const perCallMs = (performance.now() - started) / calls;
      if (spec.mode === 'time') run.batch = Math.max(1, Math.round(targetMs / Math.max(perCallMs, 0.001)));
      if (op === 'encrypt') ciphertexts.set(cacheKey(run.variant, run.peer, suite, size), last);
    } catch (error) {
      drop(run, error);
    }
  }

  // Interleaved rounds: one sample of every live variant per round, so drift hits all alike.
  const live = (): Running[] => running.filter((run) => run.error === undefined);
  const cellStarted = performance.now();
  for (let round = 0; ; round++) {
    const active = live().filter((run) =>
      spec.mode === 'time' ? run.spentMs < spec.budgetMs || run.samples.length < 5 : run.samples.length < (run.variant.reps ?? spec.reps),
    );
    if (active.length === 0) break;
    // Safety net: never let one cell run away (e.g. a pathologically slow variant).
    if (performance.now() - cellStarted > Math.max(spec.budgetMs * spec.variants.length * 3, 120_000)) break;
    // Rotate the order each round so no variant always runs right after the same neighbour.
    const order = active.map((_, i) => active[(i + round) % active.length]!);
    for (const run of order) {
      if (spec.mode === 'reps') gc();
      try {
        const started = performance.now();
        for (let i = 0; i < run.batch; i++) await run.call();
        const elapsed = performance.now() - started;
        run.spentMs += elapsed;
        run.samples.push((run.batch * 1000) / elapsed);
      } catch (error) {
        drop(run, error);
      }
    }
  }

  const results = running.map((run): VariantResult => {
    const ops = median(run.samples);
    return {
      id: run.variant.id,
      samples: run.samples,
      medianOps: ops,
      medianMiBs: (ops * size) / (1024 * 1024),
      batch: run.batch,
      frameLength: run.peer.frameLength,
      ...(run.error !== undefined ? { error: run.error } : {}),
      ...(run.verified !== undefined ? { verified: run.verified } : {}),
    };
  });
  return [...results, ...failed];
}

function errorResult(variant: VariantSpec, error: unknown): VariantResult {
  return { id: variant.id, samples: [], medianOps: NaN, medianMiBs: NaN, batch: 0, frameLength: variant.frameLength ?? 0, error: describe(error) };
}

/** Releases cached ciphertexts of one size (64 MiB ones add up). */
function forget(size: number): void {
  for (const key of [...ciphertexts.keys()]) if (key.endsWith(`:${size}`)) ciphertexts.delete(key);
  gc();
}

export interface InteropResult {
  readonly label: string;
  readonly ok: boolean;
  readonly error?: string;
}

/** Untimed: the kit and the SDK must read each other's messages (catches a bench that compares apples to pears). */
async function interop(sizes: readonly number[]): Promise<InteropResult[]> {
  const results: InteropResult[] = [];
  for (const suite of [0x0478, 0x0578] as const) {
    for (const size of sizes) {
      const plaintext = plaintextOf(size);
      const pairs: [string, () => Peer, () => Peer][] = [
        ['kit -> SDK', () => kitPeer(suite, KIT_FRAME_LENGTH), () => sdkPeer(suite, SDK_DEFAULT_FRAME_LENGTH)],
        ['SDK -> kit', () => sdkPeer(suite, SDK_DEFAULT_FRAME_LENGTH), () => kitPeer(suite, KIT_FRAME_LENGTH)],
      ];
      for (const [direction, makeWriter, makeReader] of pairs) {
        const label = `0x${suite.toString(16).padStart(4, '0')} ${size >= 1048576 ? `${size / 1048576} MiB` : `${size / 1024} KiB`} ${direction}`;
        try {
          const ciphertext = await makeWriter().encrypt(plaintext);
          const back = await makeReader().decrypt(ciphertext);
          if (!equalBytes(back, plaintext)) throw new Error('decrypted bytes differ from the plaintext');
          results.push({ label, ok: true });
        } catch (error) {
          results.push({ label, ok: false, error: describe(error) });
        }
      }
    }
  }
  return results;
}

function info(): Record<string, unknown> {
  return {
    userAgent: navigator.userAgent,
    hardwareConcurrency: navigator.hardwareConcurrency,
    deviceMemory: (navigator as { deviceMemory?: number }).deviceMemory,
    isSecureContext,
    crossOriginIsolated,
    kitAvailable: KIT_AVAILABLE,
    kitExports: Object.keys(kitModule).sort(),
    frameConcurrency: FRAME_CONCURRENCY ?? null,
    defaultFrameLength: DEFAULT_FRAME_LENGTH ?? null,
    usedConcurrency: CONCURRENCY,
    usedKitFrameLength: KIT_FRAME_LENGTH,
    sdkDefaultFrameLength: SDK_DEFAULT_FRAME_LENGTH,
    gcExposed: typeof (globalThis as { gc?: unknown }).gc === 'function',
  };
}

declare global {
  interface Window {
    bench: typeof api;
    benchProgress?: (line: string) => void;
  }
}

const api = {
  info,
  cell,
  forget,
  interop,
  hashFloor,
  /** Route progress lines to Node (run.mjs exposes `benchProgress`). */
  attach(): void {
    const sink = window.benchProgress;
    if (sink) progress = (line) => void sink(line);
  },
};

window.bench = api;
document.title = 'envelope-kit bench: ready';
