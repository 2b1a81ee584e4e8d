/**
 * The state one simulated S3 shares across its regional clients: the regions' stores, the service
 * keys of SSE-S3, the Bucket Key caches, and the way to call the KMS as a principal through S3.
 */
import { fromUtf8, toBase64 } from '../../core/bytes.js';
import type { Bytes } from '../../core/types.js';
import type { KmsRegionClient } from '../../kms/client.js';
import type { Kms } from '../../kms/kms.js';
import { KmsError } from '../../kms/errors.js';
import type { RegionalStore } from '../regional-store.js';
import { S3ServiceException } from '../service-error.js';
import type { BucketRecord } from './records.js';
import type { BucketKey } from './sse.js';

/**
 * How long S3 reuses a bucket-level key. AWS documents it only as "time-limited" (S3 User Guide,
 * "Amazon S3 Bucket Keys"); the simulation's default is ten minutes of the injected clock.
 */
export const DEFAULT_BUCKET_KEY_LIFETIME_MS = 10 * 60_000;
/** How long replication retries an object whose destination is unreachable before it is FAILED. */
export const DEFAULT_REPLICATION_RETRY_MS = 60 * 60_000;

/** What every regional client of one simulated S3 shares (see the file's opening comment). */
export class S3Runtime {
  readonly kms: Kms;
  readonly stores: ReadonlyMap<string, RegionalStore>;
  readonly now: () => number;
  readonly bucketKeyLifetimeMs: number;
  readonly replicationRetryMs: number;
  /** Bucket-level keys in use for writes, by region, bucket, KMS key and context. */
  readonly writeKeys = new Map<string, { key: BucketKey; expiresAt: number }>();
  /** Bucket-level keys opened for reads, by their KMS ciphertext. */
  readonly readKeys = new Map<string, { key: CryptoKey; expiresAt: number }>();
  readonly #serviceKeys = new Map<string, Promise<CryptoKey>>();

  constructor(options: { kms: Kms; stores: ReadonlyMap<string, RegionalStore>; now: () => number; bucketKeyLifetimeMs: number; replicationRetryMs: number }) {
    this.kms = options.kms;
    this.stores = options.stores;
    this.now = options.now;
    this.bucketKeyLifetimeMs = options.bucketKeyLifetimeMs;
    this.replicationRetryMs = options.replicationRetryMs;
  }

  store(region: string): RegionalStore {
    const store = this.stores.get(region);
    if (!store) throw new RangeError(`region ${JSON.stringify(region)} is not one of this S3's regions: ${[...this.stores.keys()].join(', ')}`);
    return store;
  }

  /** The KMS as `principal` calling through S3 in `region` (kms:ViaService s3.<region>.amazonaws.com). */
  kmsAs(region: string, principal: string | undefined): KmsRegionClient {
    return this.kms.region(region, { ...(principal !== undefined ? { principal } : {}), viaService: `s3.${region}.amazonaws.com` });
  }

  /**
   * The region's SSE-S3 key: a non-extractable AES-GCM key the service owns, made on first use and
   * kept in the region's store. No caller and no KMS call ever touches it.
   */
  serviceKey(region: string): Promise<CryptoKey> {
    let key = this.#serviceKeys.get(region);
    if (!key) {
      key = (async () => {
        const store = this.store(region);
        const found = await store.get<{ id: string; key: CryptoKey }>('meta', 'sse-s3-key');
        if (found) return found.key;
        const created = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
        await store.commit([{ store: 'meta', value: { id: 'sse-s3-key', key: created }, ifAbsent: true }]);
        // Another tab may have raced us: the first key stored wins, and everyone reads it back.
        return (await store.get<{ id: string; key: CryptoKey }>('meta', 'sse-s3-key'))!.key;
      })();
      this.#serviceKeys.set(region, key);
      key.catch(() => this.#serviceKeys.delete(region));
    }
    return key;
  }

  /** The bucket named `name` in whichever region holds it. */
  async findBucket(name: string): Promise<BucketRecord | undefined> {
    for (const store of this.stores.values()) {
      const found = await store.get<BucketRecord>('buckets', name);
      if (found) return found;
    }
    return undefined;
  }

  /** Opens a bucket-level key for reading, through the read cache (one Decrypt per key and lifetime). */
  async openBucketKey(kms: KmsRegionClient, blob: Bytes, context: Record<string, string>, keyArn: string): Promise<CryptoKey> {
    const id = toBase64(blob);
    const cached = this.readKeys.get(id);
    if (cached && cached.expiresAt > this.now()) return cached.key;
    const { Plaintext } = await kms.decrypt({ CiphertextBlob: blob, KeyId: keyArn, EncryptionContext: context });
    const key = await crypto.subtle.importKey('raw', Plaintext as Bytes, 'AES-GCM', false, ['encrypt', 'decrypt']);
    Plaintext.fill(0);
    this.readKeys.set(id, { key, expiresAt: this.now() + this.bucketKeyLifetimeMs });
    return key;
  }
}

/** An S3 exception named `name` with HTTP status `status`. */
export const s3Error = (name: string, message: string, status: number, cause?: unknown): S3ServiceException =>
  new S3ServiceException(name, message, { status, ...(cause !== undefined ? { cause } : {}) });

/**
 * A KMS failure behind an S3 request, as S3 reports it: AccessDenied (403) when the KMS refused the
 * caller, otherwise the KMS exception prefixed `KMS.` (`KMS.DisabledException`,
 * `KMS.KMSInvalidStateException`, `KMS.NotFoundException`, ...), a server fault for the KMS's own.
 */
export function fromKms(error: unknown): unknown {
  if (!(error instanceof KmsError)) return error;
  if (error.name === 'AccessDeniedException') return s3Error('AccessDenied', `User is not authorized to use the KMS key: ${error.message}`, 403, error);
  const status = error.$fault === 'server' ? 503 : 400;
  return s3Error(`KMS.${error.name}`, error.message, status, error);
}

/** Reads SSEKMSEncryptionContext (base64 of a UTF-8 JSON object of strings). */
export function parseUserContext(text: string | undefined): Record<string, string> | undefined {
  if (text === undefined) return undefined;
  const invalid = () => s3Error('InvalidArgument', 'SSEKMSEncryptionContext must be a base64-encoded UTF-8 JSON object of string pairs.', 400);
  if (typeof text !== 'string') throw invalid();
  const bytes = (() => {
    try {
      return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
    } catch {
      throw invalid();
    }
  })();
  let parsed: unknown;
  try {
    parsed = JSON.parse(fromUtf8(bytes));
  } catch {
    throw invalid();
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) throw invalid();
  return parsed as Record<string, string>;
}

/** The context as S3 returns it in SSEKMSEncryptionContext: base64 of its JSON. */
export function encodeContext(context: Record<string, string>): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(JSON.stringify(context))));
}
