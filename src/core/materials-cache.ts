/**
 * The local cryptographic materials cache (spec: framework/local-cryptographic-materials-cache.md,
 * cryptographic-materials-cache.md): an in-memory LRU of entries with a TTL and usage counters.
 * The caching materials manager and the hierarchical keyring both use it; their cache ids start with
 * different resource bytes, so one cache may be shared by several of them.
 *
 * Entries may hold key bytes: each entry carries its own `dispose` (zeroing them), called whenever
 * the entry leaves the cache: replaced, evicted as least recently used, TTL-expired, or deleted.
 */
import type { Bytes } from './types.js';
import { rangeError, typeError } from './errors.js';

/** One cache entry (spec: cryptographic-materials-cache.md#cache-entry). */
export interface CacheEntry<T> {
  readonly value: T;
  /** Clock time (ms) the entry was put. */
  readonly createdAt: number;
  /** Last clock time (ms) the entry may be used: TTL-expired once the clock is past it. */
  readonly expiresAt: number;
  /** Usage metadata: messages encrypted with these materials (caching CMM only). */
  messagesEncrypted: number;
  /** Usage metadata: plaintext bytes encrypted with these materials (caching CMM only). */
  bytesEncrypted: number;
}

/** Options of {@link LocalMaterialsCache.put}. */
export interface PutOptions<T> {
  readonly ttlMs: number;
  readonly messagesEncrypted?: number;
  readonly bytesEncrypted?: number;
  /** Called once when the entry leaves the cache (zero key bytes here). */
  readonly dispose?: (value: T) => void;
}

/**
 * "the number of least recently used entries that the local CMC MUST check during pruning" (spec:
 * "Entry Pruning Tail Size"). Every get prunes this many, so expired entries do not linger.
 */
export const ENTRY_PRUNING_TAIL_SIZE = 3;

/**
 * A cache entry identifier from the bytes the formulas concatenate: their SHA-384, as lower-case hex
 * (spec: caching-cmm.md and aws-kms-hierarchical-keyring.md, "Appendix A").
 */
export async function cacheIdentifier(preimage: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-384', preimage as Bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

interface Slot {
  entry: CacheEntry<unknown>;
  dispose?: (value: unknown) => void;
}

/**
 * An LRU cache of materials with a TTL per entry, shared or private.
 *
 * @example
 * ```ts
 * const cache = new LocalMaterialsCache({ capacity: 100 });
 * const a = new CachingCmm({ keyring, maxAge: 60_000, cache, partition: 'reports' });
 * const b = new CachingCmm({ keyring, maxAge: 60_000, cache, partition: 'reports' }); // shares a's entries
 * ```
 */
export class LocalMaterialsCache {
  /** Entry capacity (spec: "Entry Capacity"); 0 caches nothing. */
  readonly capacity: number;
  readonly #now: () => number;
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  readonly #slots = new Map<string, Slot>();

  constructor(options: { capacity: number; now?: () => number }) {
    if (options === null || typeof options !== 'object') throw typeError('LocalMaterialsCache options', 'an object');
    const { capacity, now } = options;
    if (typeof capacity !== 'number' || !Number.isInteger(capacity)) throw typeError('LocalMaterialsCache options.capacity', 'an integer');
    if (capacity < 0) throw rangeError('LocalMaterialsCache options.capacity', 'must be 0 or more');
    if (now !== undefined && typeof now !== 'function') throw typeError('LocalMaterialsCache options.now', 'a function returning epoch milliseconds');
    this.capacity = capacity;
    this.#now = now ?? Date.now;
  }

  /** The cache's clock (ms). */
  now(): number {
    return this.#now();
  }

  get size(): number {
    return this.#slots.size;
  }

  /**
   * The live entry for `id`, made most recently used; undefined if absent or TTL-expired (spec:
   * "Get Cache Entry": prune, and never return a TTL-expired entry). Callers may update its usage.
   */
  get<T>(id: string): CacheEntry<T> | undefined {
    const now = this.#now();
    this.#prune(now);
    const slot = this.#slots.get(id);
    if (!slot) return undefined;
    if (now > slot.entry.expiresAt) {
      this.delete(id);
      return undefined;
    }
    this.#slots.delete(id);
    this.#slots.set(id, slot);
    return slot.entry as CacheEntry<T>;
  }

  /**
   * Stores `value` under `id`, replacing (and disposing) any entry there, then evicts least recently
   * used entries down to the capacity (spec: "Put Cache Entry"). With capacity 0 the value is
   * disposed at once.
   */
  put<T>(id: string, value: T, options: PutOptions<T>): void {
    const now = this.#now();
    this.delete(id);
    const entry: CacheEntry<T> = {
      value,
      createdAt: now,
      expiresAt: now + options.ttlMs,
      messagesEncrypted: options.messagesEncrypted ?? 0,
      bytesEncrypted: options.bytesEncrypted ?? 0,
    };
    this.#slots.set(id, { entry, dispose: options.dispose as ((value: unknown) => void) | undefined });
    while (this.#slots.size > this.capacity) this.delete(this.#slots.keys().next().value!);
  }

  /** Removes (and disposes) the entry for `id`, if any. */
  delete(id: string): void {
    const slot = this.#slots.get(id);
    if (!slot) return;
    this.#slots.delete(id);
    slot.dispose?.(slot.entry.value);
  }

  /** Removes (and disposes) every entry. */
  clear(): void {
    for (const id of [...this.#slots.keys()]) this.delete(id);
  }

  #prune(now: number): void {
    let checked = 0;
    for (const [id, slot] of this.#slots) {
      if (checked++ >= ENTRY_PRUNING_TAIL_SIZE) break;
      if (now > slot.entry.expiresAt) this.delete(id);
    }
  }
}
