/**
 * The caching materials manager (spec: framework/caching-cmm.md, version 0.4.0): reuses encryption
 * materials (data key, its encrypted copies, signing key) across messages with the same encryption
 * context and suite, within an age, message and byte budget, and reuses decryption materials for
 * messages with the same data key. It saves a keyring call (often a KMS call) per message.
 *
 * Cache ids are the specification's (Appendix A, 0.4.0): SHA-384 over resource id 0x01, scope
 * (0x01 encrypt, 0x02 decrypt), the partition id (UTF-8) and the resource suffix, separated by 0x00.
 * (Spec 0.3.0 and the JS SDK used SHA-512 over digests of the partition name and context; 0.4.0
 * replaced it so that one cache can be shared with hierarchical keyrings.)
 */
import type {
  DecryptMaterialsRequest,
  DecryptionMaterials,
  EncryptedDataKey,
  EncryptionContext,
  EncryptionMaterials,
  GetEncryptionMaterialsRequest,
  Keyring,
  MaterialsManager,
} from './types.js';
import { concat, copyBytes, uint16, utf8, zero } from './bytes.js';
import { rangeError, typeError } from './errors.js';
import { serializeContext } from './encryption-context.js';
import { toMaterialsManager, type StreamingEncryptionMaterialsRequest } from './materials-managers.js';
import { LocalMaterialsCache, cacheIdentifier } from './materials-cache.js';
import { findSuite } from './suites.js';

/**
 * Options of {@link CachingCmm}: what to ask on a miss, and how long and how much one cached data
 * key may be used.
 */
export interface CachingCmmOptions {
  /** A keyring (wrapped in a DefaultCmm) or the materials manager to ask on a cache miss. */
  readonly keyring: Keyring | MaterialsManager;
  /** How long cached materials may be used, in milliseconds (> 0), as the JS SDK's `maxAge`. */
  readonly maxAge: number;
  /** Messages one data key may encrypt; default 2^32 (spec: "Limit Messages"). */
  readonly maxMessagesEncrypted?: number;
  /** Plaintext bytes one data key may encrypt; default 2^53 - 1 (spec: "no more than 2^63-1"). */
  readonly maxBytesEncrypted?: number;
  /** Caching CMMs share entries of a shared cache only with the same partition; default: unique. */
  readonly partition?: string;
  /** Entry capacity of the private cache (LRU); default 1000. */
  readonly capacity?: number;
  /** A shared cache instead of a private one (then `capacity` and `now` do not apply). */
  readonly cache?: LocalMaterialsCache;
  /** The private cache's clock (epoch ms); default Date.now. */
  readonly now?: () => number;
}

const DEFAULT_CAPACITY = 1000;
const MAX_MESSAGES = 2 ** 32;

function positiveInteger(value: unknown, argument: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw typeError(argument, 'a positive integer');
  if (value < 1 || value > max) throw rangeError(argument, `must be between 1 and ${max}`);
  return value;
}

/** A copy the caller may zero without touching the cache's own (the core zeroes data keys after use). */
function copyEncryption(m: EncryptionMaterials): EncryptionMaterials {
  return {
    suiteId: m.suiteId,
    encryptionContext: { ...m.encryptionContext },
    requiredEncryptionContextKeys: [...m.requiredEncryptionContextKeys],
    plaintextDataKey: m.plaintextDataKey && copyBytes(m.plaintextDataKey),
    encryptedDataKeys: [...m.encryptedDataKeys],
    ...(m.signingKey ? { signingKey: m.signingKey } : {}),
  };
}

function copyDecryption(m: DecryptionMaterials): DecryptionMaterials {
  return {
    suiteId: m.suiteId,
    encryptionContext: { ...m.encryptionContext },
    requiredEncryptionContextKeys: [...m.requiredEncryptionContextKeys],
    plaintextDataKey: m.plaintextDataKey && copyBytes(m.plaintextDataKey),
    ...(m.verificationKey ? { verificationKey: m.verificationKey } : {}),
  };
}

const disposeKey = (m: { plaintextDataKey?: Uint8Array }): void => zero(m.plaintextDataKey);

/** An EDK as the message header serializes it (spec: data-format/message-header.md#encrypted-data-key-entries). */
function serializeEdk(edk: EncryptedDataKey): Uint8Array {
  const id = utf8(edk.providerId);
  return concat([uint16(id.length), id, uint16(edk.providerInfo.length), edk.providerInfo, uint16(edk.ciphertext.length), edk.ciphertext]);
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/**
 * Caches materials from a keyring or materials manager, per the ESDK caching CMM specification.
 * Only suites with a KDF are cached (spec: never the identity-KDF suites 0x0014, 0x0046, 0x0078);
 * encryption with an unknown plaintext length (streams without one) bypasses the cache, since the
 * byte limit could not be enforced.
 *
 * @example
 * ```ts
 * const cmm = new CachingCmm({ keyring, maxAge: 5 * 60_000, maxMessagesEncrypted: 1000, partition: 'notes' });
 * for (const note of notes) await encrypt(cmm, note, { encryptionContext: { app: 'notes' } }); // one keyring call
 * ```
 */
export class CachingCmm implements MaterialsManager {
  readonly underlying: MaterialsManager;
  readonly maxAge: number;
  readonly maxMessagesEncrypted: number;
  readonly maxBytesEncrypted: number;
  readonly partition: string;
  readonly #partitionBytes: Uint8Array;
  readonly #cache: LocalMaterialsCache;
  readonly #inflight = new Map<string, Promise<unknown>>();

  constructor(options: CachingCmmOptions) {
    if (options === null || typeof options !== 'object') throw typeError('CachingCmm options', 'an object');
    this.underlying = toMaterialsManager(options.keyring, 'CachingCmm options.keyring');
    const { maxAge, partition, cache, capacity, now } = options;
    if (typeof maxAge !== 'number' || Number.isNaN(maxAge)) throw typeError('CachingCmm options.maxAge', 'a number of milliseconds');
    // spec: "Cache Limit TTL ... This value must be greater than zero."
    if (!(maxAge > 0) || maxAge > Number.MAX_SAFE_INTEGER) throw rangeError('CachingCmm options.maxAge', 'must be greater than 0 and finite');
    this.maxAge = maxAge;
    this.maxMessagesEncrypted = positiveInteger(options.maxMessagesEncrypted, 'CachingCmm options.maxMessagesEncrypted', MAX_MESSAGES, MAX_MESSAGES);
    this.maxBytesEncrypted = positiveInteger(options.maxBytesEncrypted, 'CachingCmm options.maxBytesEncrypted', Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    if (partition !== undefined && typeof partition !== 'string') throw typeError('CachingCmm options.partition', 'a string');
    if (cache !== undefined) {
      if (!(cache instanceof LocalMaterialsCache)) throw typeError('CachingCmm options.cache', 'a LocalMaterialsCache');
      if (capacity !== undefined || now !== undefined) throw typeError('CachingCmm options', 'a cache or capacity/now, not both (a shared cache has its own capacity and clock)');
    }
    // spec: "If this parameter is not set, the caching CMM MUST set a partition ID that uniquely identifies the respective caching CMM."
    this.partition = partition ?? crypto.randomUUID();
    this.#partitionBytes = utf8(this.partition);
    this.#cache = cache ?? new LocalMaterialsCache({ capacity: positiveOrZero(capacity, 'CachingCmm options.capacity', DEFAULT_CAPACITY), now });
  }

  async getEncryptionMaterials(request: StreamingEncryptionMaterialsRequest): Promise<EncryptionMaterials> {
    const length = request.plaintextLength;
    const requested = request.suiteId === undefined ? undefined : findSuite(request.suiteId);
    if (length === undefined || length > this.maxBytesEncrypted || (requested !== undefined && !requested.kdfHash)) {
      return this.underlying.getEncryptionMaterials(request);
    }
    const id = await this.#encryptionId(request);
    // Usage is checked and counted with no await in between: limits hold however calls interleave.
    const take = (): EncryptionMaterials | undefined => {
      const entry = this.#cache.get<EncryptionMaterials>(id);
      if (!entry) return undefined;
      const m = entry.value;
      const suite = findSuite(m.suiteId)!;
      const allowed = request.commitmentPolicy === 'FORBID_ENCRYPT_ALLOW_DECRYPT' ? !suite.committing : suite.committing;
      // A stream signs with an extractable key (signature.ts); one-shot materials have none.
      const signable = !request.streaming || !m.signingKey || m.signingKey.privateKey.extractable;
      if (entry.messagesEncrypted + 1 > this.maxMessagesEncrypted || entry.bytesEncrypted + length > this.maxBytesEncrypted || !allowed || !signable) {
        this.#cache.delete(id);
        return undefined;
      }
      entry.messagesEncrypted += 1;
      entry.bytesEncrypted += length;
      return copyEncryption(m);
    };
    return this.#lookup(id, take, async () => {
      const materials = await this.underlying.getEncryptionMaterials(request);
      const suite = findSuite(materials.suiteId);
      // spec: identity-KDF suites "MUST NOT" be stored; a data key good for one message only is not worth a slot.
      if (suite?.kdfHash && materials.plaintextDataKey && this.maxMessagesEncrypted > 1) {
        this.#cache.put(id, copyEncryption(materials), { ttlMs: this.maxAge, messagesEncrypted: 1, bytesEncrypted: length, dispose: disposeKey });
      }
      return materials;
    });
  }

  async decryptMaterials(request: DecryptMaterialsRequest): Promise<DecryptionMaterials> {
    if (!findSuite(request.suiteId)?.kdfHash) return this.underlying.decryptMaterials(request);
    const id = await this.#decryptionId(request);
    const take = (): DecryptionMaterials | undefined => {
      const entry = this.#cache.get<DecryptionMaterials>(id);
      if (!entry) return undefined;
      // The id covers the stored context only; pairs supplied to decrypt must agree with the entry
      // (same values, and the same required-only keys), or the underlying manager decides afresh.
      return reproducedMatches(entry.value, request) ? copyDecryption(entry.value) : undefined;
    };
    return this.#lookup(id, take, async () => {
      const materials = await this.underlying.decryptMaterials(request);
      if (materials.plaintextDataKey) this.#cache.put(id, copyDecryption(materials), { ttlMs: this.maxAge, dispose: disposeKey });
      return materials;
    });
  }

  /**
   * A cache hit, or else the materials of a fill of the same id already under way (concurrent
   * messages on a cold cache share one underlying call), or else a fill of our own. Each waiter
   * takes from the cache again once a fill is done, so the usage limits decide who shares it.
   */
  async #lookup<T>(id: string, take: () => T | undefined, fill: () => Promise<T>): Promise<T> {
    for (;;) {
      const hit = take();
      if (hit) return hit;
      const pending = this.#inflight.get(id);
      if (!pending) break;
      try {
        await pending;
      } catch {
        break; // its failure is its caller's; this one asks for itself
      }
    }
    const pending = fill();
    this.#inflight.set(id, pending);
    const done = () => {
      if (this.#inflight.get(id) === pending) this.#inflight.delete(id);
    };
    pending.then(done, done);
    return pending;
  }

  /** spec: Appendix A, "Encryption Materials, Without / With Algorithm Suite". */
  #encryptionId(request: GetEncryptionMaterialsRequest): Promise<string> {
    const head = [new Uint8Array([0x01, 0x00, 0x01, 0x00]), this.#partitionBytes, new Uint8Array([0x00])];
    const suffix =
      request.suiteId === undefined
        ? [new Uint8Array([0x00, 0x00]), serializeContext(request.encryptionContext)]
        : [new Uint8Array([0x01, 0x00]), uint16(request.suiteId), new Uint8Array([0x00]), serializeContext(request.encryptionContext)];
    return cacheIdentifier(concat([...head, ...suffix]));
  }

  /** spec: Appendix A, "Decryption Materials": suite, sorted serialized EDKs, stored context. */
  #decryptionId(request: DecryptMaterialsRequest): Promise<string> {
    const edks = request.encryptedDataKeys.map(serializeEdk).sort(compareBytes);
    return cacheIdentifier(
      concat([
        new Uint8Array([0x01, 0x00, 0x02, 0x00]),
        this.#partitionBytes,
        new Uint8Array([0x00]),
        uint16(request.suiteId),
        new Uint8Array([0x00]),
        ...edks,
        new Uint8Array([0x00]),
        serializeContext(request.encryptionContext),
      ]),
    );
  }
}

function positiveOrZero(value: unknown, argument: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw typeError(argument, 'an integer');
  if (value < 0) throw rangeError(argument, 'must be 0 or more');
  return value;
}

/** Whether cached decryption materials answer this request's supplied pairs as the manager would. */
function reproducedMatches(m: DecryptionMaterials, request: DecryptMaterialsRequest): boolean {
  const reproduced: EncryptionContext = request.reproducedEncryptionContext ?? {};
  const requiredNow = Object.keys(reproduced).filter((k) => !hasOwn(request.encryptionContext, k));
  const requiredThen = m.requiredEncryptionContextKeys;
  if (requiredNow.length !== requiredThen.length || requiredNow.some((k) => !requiredThen.includes(k))) return false;
  return Object.entries(reproduced).every(([k, v]) => m.encryptionContext[k] === v);
}
