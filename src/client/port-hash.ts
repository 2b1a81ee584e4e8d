/**
 * A footer hash that runs in another worker, fed over a MessagePort (issue 16): the kit worker's
 * hash sessions in its helper (workers/pool/offload.ts), and the page's `kit.signatureHasher`, whose
 * port the kit worker hands to the same helper, so the bytes go from the page to the helper directly.
 *
 * The protocol on the port: Uint8Array messages carry the bytes in order (each one's buffer is
 * transferred, and transferred back once hashed); {@link HASH_DIGEST} asks for the digest, which
 * comes back as a Uint8Array (or `{ error }`, a WireError); {@link HASH_END} drops the session.
 */
import { fromWireError, KitError, KitErrorCode, type WireError } from './protocol.js';

/** On a hash session's port: asks for the digest (then the session ends). */
export const HASH_DIGEST = 'digest';
/** On a hash session's port: ends the session without a digest (the message failed or was aborted). */
export const HASH_END = 'end';

/** Bytes copied into one buffer of the ring (a frame of the default length and its overhead fit). */
const HASH_BUFFER_BYTES = 512 * 1024;
/** Buffers of one session: at most this many are with the helper, so at most 8 MiB wait to be hashed. */
const HASH_BUFFERS = 16;
/**
 * How long a session waits for the helper to hand back a buffer or the digest before it counts the
 * helper as hung: 8 MiB in flight hash in well under a second even on a loaded machine, so 30 s
 * means the helper stopped answering. The call then fails with WORKER_FAILED instead of waiting
 * forever (and the kit worker stops that helper: a later call starts another).
 */
export const HASH_STALL_MS = 30_000;

/** What {@link withinMs} resolves when its time ran out first. */
export const LATE = Symbol('late');

/** `answer`, or {@link LATE} once `ms` have passed without it (the timer is cleared either way). */
export async function withinMs<T>(answer: Promise<T>, ms: number): Promise<T | typeof LATE> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<typeof LATE>((resolve) => (timer = setTimeout(() => resolve(LATE), ms)));
  try {
    return await Promise.race([answer, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** How a {@link PortHash} learns that its helper is gone, and what it does when it stops answering. */
export interface PortHashWatch {
  /** Rejects when the helper (or the worker that owns it) dies or is stopped. */
  readonly failed: Promise<never>;
  /** Called once when the helper has not answered for `stallMs`, with the error the call fails with. */
  stalled(error: KitError): void;
  /** Called once the session is over (digest given, or failed). */
  done(): void;
  readonly stallMs: number;
}

/**
 * One message's hash in a helper. Each update is copied into a buffer of a small ring, which is
 * transferred to the helper and transferred back once hashed: no fresh allocation per frame (whose
 * page faults and garbage cost more CPU than the copy), and when the helper falls behind, `update`
 * waits for a buffer to come back, so the bytes in flight stay bounded however large the message.
 */
export class PortHash {
  readonly #port: MessagePort;
  readonly #watch: PortHashWatch;
  readonly #free: ArrayBuffer[] = [];
  #allocated = 0;
  #waiting: (() => void) | undefined;
  #digest: { resolve: (digest: Uint8Array) => void; reject: (error: unknown) => void } | undefined;
  #digested = false;

  constructor(port: MessagePort, watch: PortHashWatch) {
    this.#port = port;
    this.#watch = watch;
    port.onmessage = ({ data }: MessageEvent<ArrayBuffer | Uint8Array | { error: WireError }>) => {
      if (data instanceof ArrayBuffer) {
        if (data.byteLength === HASH_BUFFER_BYTES) this.#free.push(data);
        else this.#allocated--; // an oversized one-off buffer: let it go
        const wake = this.#waiting;
        this.#waiting = undefined;
        wake?.();
      } else if (data instanceof Uint8Array) {
        this.#digest?.resolve(data);
      } else {
        this.#digest?.reject(fromWireError(data.error));
      }
    };
  }

  /** `answer`, or the helper's failure, or WORKER_FAILED after the stall time. */
  async #withinStall<T>(answer: Promise<T>): Promise<T> {
    const result = await withinMs(Promise.race([answer, this.#watch.failed]), this.#watch.stallMs);
    if (result !== LATE) return result;
    const error = new KitError(KitErrorCode.WORKER_FAILED, `the hash helper worker did not answer within ${this.#watch.stallMs / 1000} s`);
    this.#watch.stalled(error);
    throw error;
  }

  async update(data: Uint8Array): Promise<void> {
    let buffer: ArrayBuffer;
    if (data.length > HASH_BUFFER_BYTES) {
      buffer = new ArrayBuffer(data.length); // larger than any frame of the default length: rare
      this.#allocated++;
    } else {
      while (this.#free.length === 0 && this.#allocated >= HASH_BUFFERS) {
        await this.#withinStall(new Promise<void>((resolve) => (this.#waiting = resolve)));
      }
      if (this.#free.length === 0) this.#allocated++;
      buffer = this.#free.pop() ?? new ArrayBuffer(HASH_BUFFER_BYTES);
    }
    new Uint8Array(buffer).set(data);
    this.#port.postMessage(new Uint8Array(buffer, 0, data.length), [buffer]);
  }

  digest(): Promise<Uint8Array> {
    if (this.#digested) return Promise.reject(new KitError(KitErrorCode.INTERNAL, 'a hash session was asked for its digest twice'));
    this.#digested = true;
    const answer = new Promise<Uint8Array>((resolve, reject) => (this.#digest = { resolve, reject }));
    this.#port.postMessage(HASH_DIGEST);
    return this.#withinStall(answer).finally(() => this.end());
  }

  /** Drops the session (idempotent): the helper frees it, and this side stops listening. */
  end(): void {
    if (!this.#digested) this.#port.postMessage(HASH_END);
    this.#digested = true;
    this.#port.onmessage = null;
    this.#port.close();
    this.#watch.done();
  }
}
