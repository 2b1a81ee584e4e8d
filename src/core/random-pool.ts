import type { Bytes } from './types.js';
import { rangeError } from './arguments.js';

/**
 * Random bytes for many small uses, drawn from few `getRandomValues` calls (one call per message
 * costs more than the bytes): the pool starts at 1 KiB and doubles on each refill up to 64 KiB (the
 * most one call may fill), so a batch of one message does not pay for 64 KiB. Every byte is handed
 * out once and zeroed in the pool as it is, so a data key drawn from here is left only where the
 * caller put it.
 *
 * @example
 * ```ts
 * const random = new RandomPool();
 * const dataKey = random.bytes(32);
 * random.take(32, message, 3); // a message id, written in place
 * random.dispose();
 * ```
 */
export class RandomPool {
  #pool: Bytes;
  #at: number;
  readonly #max: number;

  constructor(max = 65536) {
    this.#max = Math.min(max, 65536);
    this.#pool = new Uint8Array(Math.min(1024, this.#max));
    this.#at = this.#pool.length;
  }

  /** `length` fresh random bytes in a new array. */
  bytes(length: number): Bytes {
    const out = new Uint8Array(length);
    this.take(length, out, 0);
    return out;
  }

  /** Writes `length` fresh random bytes into `out` at `offset`. */
  take(length: number, out: Uint8Array, offset: number): void {
    if (length > this.#max) throw rangeError('a', `RandomPool hands out at most ${this.#max} bytes at once`);
    if (this.#at + length > this.#pool.length) {
      this.#pool.fill(0);
      if (this.#pool.length < this.#max) this.#pool = new Uint8Array(Math.min(this.#pool.length * 2, this.#max));
      while (this.#pool.length < length) this.#pool = new Uint8Array(Math.min(this.#pool.length * 2, this.#max));
      crypto.getRandomValues(this.#pool);
      this.#at = 0;
    }
    const bytes = this.#pool.subarray(this.#at, this.#at + length);
    out.set(bytes, offset);
    bytes.fill(0);
    this.#at += length;
  }

  /** Zeroes what is left (call when the batch is done). */
  dispose(): void {
    this.#pool.fill(0);
    this.#at = this.#pool.length;
  }
}
