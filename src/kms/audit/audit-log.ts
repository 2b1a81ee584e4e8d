/**
 * `AuditLog`: the simulated KMS's CloudTrail. The KMS opens one per Kms instance with a storage
 * backend and calls {@link AuditLog.record} (or {@link AuditLog.append}) from its single "record
 * every call" seam, awaiting it before the call returns; users reach it as `kms.audit`.
 *
 * Per region: a hash chain of records (hash-chain.ts), signed digests every `digestEvery` records
 * and on export (digests.ts), one writer that batches concurrent appends into one transaction
 * (region-writer.ts), and a storage backend (storage.ts).
 */
import { isPlainObject } from './canonical-json.js';
import { buildAuditEvent, eventTime, type AuditEvent, type AuditEventInput } from './cloudtrail-record.js';
import { createSigningKey } from './digests.js';
import { EXPORT_FORMAT, EXPORT_VERSION, formatExport, interleave, trustedSet, verifyAuditExport, type ExportHeader, type VerifyOptions } from './audit-export.js';
import type { AuditRecord } from './hash-chain.js';
import { matcher, type AuditQuery } from './query.js';
import { RegionWriter, type AuditReceipt, type WriterStats } from './region-writer.js';
import type { AuditRegionStore, AuditStorage } from './storage.js';
import { verifyRegions, type AuditVerification, type LogItem, type RegionLog } from './verify.js';

export interface AuditLogOptions {
  /** `new MemoryAuditStorage(name)` in Node and tests, `new IndexedDbAuditStorage(name)` in pages and workers. */
  storage: AuditStorage;
  /** The 12-digit account the KMS simulates. */
  account: string;
  /** The regions, each with its own chain, digests and signing key. */
  regions: readonly string[];
  /** The clock for digest times (epoch ms). Default Date.now; the KMS passes its injected clock. */
  now?: () => number;
  /** Sign a digest once this many records are undigested. Default 100. */
  digestEvery?: number;
}

/** Default digest interval: small enough that little of a stored log is ever unsigned, large enough that signing is noise. */
export const DEFAULT_DIGEST_EVERY = 100;

/**
 * A multi-region, tamper-evident audit log.
 *
 * @example
 * ```ts
 * const audit = await AuditLog.open({ storage: new MemoryAuditStorage(), account: '111122223333', regions: ['us-east-1'] });
 * await audit.record({ eventName: 'CreateKey', region: 'us-east-1', account: '111122223333', time: Date.now(),
 *   principal: 'arn:aws:iam::111122223333:root', request: {}, response: { KeyMetadata }, resources: [KeyMetadata.Arn] });
 * const created = await audit.query({ eventName: 'CreateKey' });
 * const text = await audit.export();
 * (await audit.verify(text)).ok; // true
 * ```
 */
export class AuditLog {
  readonly account: string;
  readonly regions: readonly string[];
  readonly #writers: ReadonlyMap<string, RegionWriter>;
  readonly #now: () => number;
  #closed = false;

  private constructor(account: string, regions: readonly string[], writers: Map<string, RegionWriter>, now: () => number) {
    this.account = account;
    this.regions = regions;
    this.#writers = writers;
    this.#now = now;
  }

  /** Opens (or creates) the log of every region: its store, its head, its signing key. */
  static async open(options: AuditLogOptions): Promise<AuditLog> {
    const { storage, account, regions, now, digestEvery } = checkOptions(options);
    const writers = new Map<string, RegionWriter>();
    const stores: AuditRegionStore[] = [];
    try {
      for (const region of regions) {
        const store = await storage.open(region);
        stores.push(store);
        const key = await store.signingKey(() => createSigningKey(now()));
        writers.set(region, new RegionWriter(store, key, await store.head(), { account, now, digestEvery }));
      }
    } catch (error) {
      for (const store of stores) store.close();
      throw error;
    }
    return new AuditLog(account, regions, writers, now);
  }

  /**
   * Appends one record to `region`'s chain; resolves with its receipt (sequence, hash) once it is
   * stored. Concurrent appends share transactions; their order in the chain is the order of the calls.
   */
  append(region: string, event: AuditEvent): Promise<AuditReceipt> {
    return this.#append(region, event, false);
  }

  #append(region: string, event: AuditEvent, owned: boolean): Promise<AuditReceipt> {
    if (this.#closed) return Promise.reject(new Error('the audit log is closed'));
    const writer = this.#writers.get(region);
    if (!writer) return Promise.reject(this.#unknownRegion(region, 'region'));
    if (!isPlainObject(event)) return Promise.reject(new TypeError('record must be an AuditEvent object (buildAuditEvent makes one)'));
    if (event.awsRegion !== region) return Promise.reject(new RangeError(`record.awsRegion must be ${JSON.stringify(region)}, the region it is appended to`));
    return writer.append(event, owned);
  }

  /**
   * Builds the CloudTrail-shaped record of a call (cloudtrail-record.ts) and appends it: the one
   * call the KMS makes per API call or service event.
   */
  record(input: AuditEventInput): Promise<AuditReceipt> {
    let event: AuditEvent;
    try {
      event = buildAuditEvent(input);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#append(input.region, event, true);
  }

  /** Records matching `filter` (query.ts), oldest first (eventTime, then region order, then sequence). */
  async query(filter: AuditQuery = {}): Promise<AuditRecord[]> {
    const match = matcher(filter);
    if (filter.region !== undefined) this.#writer(filter.region, 'filter.region');
    await this.flush();
    const found: { record: AuditRecord; rank: number; key: number }[] = [];
    for (const [rank, region] of this.regions.entries()) {
      if (filter.region !== undefined && filter.region !== region) continue;
      for (const { key, value } of await this.#writer(region).store.records()) if (matches(match, value)) found.push({ record: value, rank, key });
    }
    // eventTime is ISO 8601 UTC, so text order is time order.
    found.sort((a, b) => (a.record.eventTime < b.record.eventTime ? -1 : a.record.eventTime > b.record.eventTime ? 1 : a.rank - b.rank || a.key - b.key));
    return found.map((f) => f.record);
  }

  /**
   * The log as JSON Lines (audit-export.ts): every record of `region` (default: all regions) and the
   * signed digests, ending with a digest made for the export.
   */
  async export(options: { region?: string } = {}): Promise<string> {
    if (options.region !== undefined) this.#writer(options.region, 'options.region');
    const regions = options.region === undefined ? this.regions : [options.region];
    const parts: { region: string; items: LogItem[] }[] = [];
    for (const region of regions) {
      const writer = this.#writer(region);
      const head = await writer.seal();
      const upTo = head.digest?.lastSequence ?? 0;
      if (upTo === 0) continue;
      // Records appended after the seal belong to the next export: stop at the sealing digest.
      const [records, digests] = await Promise.all([writer.store.records({ to: upTo }), writer.store.digests({ to: upTo })]);
      parts.push({ region, items: interleave(records, digests) });
    }
    const header: ExportHeader = { type: 'header', format: EXPORT_FORMAT, version: EXPORT_VERSION, account: this.account, regions: parts.map((p) => p.region), exportedAt: eventTime(this.#now()) };
    return formatExport(header, parts);
  }

  /**
   * Verifies the stored log (no `text`) or an exported text: `{ ok, checked, firstBroken? }`.
   * The stored log's digests must be signed with this log's own keys.
   */
  async verify(text?: string, options: VerifyOptions = {}): Promise<AuditVerification> {
    if (text !== undefined) return verifyAuditExport(text, options);
    const trusted = trustedSet(options);
    await this.flush();
    const logs: RegionLog[] = [];
    for (const region of this.regions) {
      const { store, key } = this.#writer(region);
      const { head, records, digests } = await store.snapshot();
      logs.push({ region, items: interleave(records, digests), head, signingKey: key.publicKeySpki });
    }
    return verifyRegions(logs, trusted);
  }

  /** A region's digest-signing public key: SPKI (base64) and its SHA-256 fingerprint (hex). */
  publicKey(region: string): { spki: string; fingerprint: string } {
    const { key } = this.#writer(region, 'region');
    return { spki: key.publicKeySpki, fingerprint: key.fingerprint };
  }

  /** Per-region write counters (records, transactions, conflicts with other writers). */
  stats(region: string): Readonly<WriterStats> {
    return { ...this.#writer(region, 'region').stats };
  }

  /** Resolves once every append made so far is stored. */
  async flush(): Promise<void> {
    await Promise.all([...this.#writers.values()].map((w) => w.idle()));
  }

  /** Refuses new appends, lets queued ones finish, then closes the stores. */
  close(): Promise<void> {
    if (this.#closed) return this.flush();
    this.#closed = true;
    return this.flush().finally(() => {
      for (const writer of this.#writers.values()) writer.store.close();
    });
  }

  #writer(region: string, argument = 'region'): RegionWriter {
    const writer = this.#writers.get(region);
    if (!writer) throw this.#unknownRegion(region, argument);
    return writer;
  }

  #unknownRegion(region: unknown, argument: string): RangeError {
    return new RangeError(`${argument} ${JSON.stringify(region)} is not one of the audit log's regions: ${this.regions.join(', ')}`);
  }
}

/** A tampered record may lack any field; query is not verification, so such a record just does not match. */
function matches(match: (record: AuditRecord) => boolean, record: AuditRecord): boolean {
  try {
    return match(record);
  } catch {
    return false;
  }
}

function checkOptions(options: AuditLogOptions): Required<AuditLogOptions> {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object with storage, account and regions');
  const { storage, account, regions } = options;
  if (!storage || typeof storage.open !== 'function') throw new TypeError('options.storage must be an AuditStorage (MemoryAuditStorage or IndexedDbAuditStorage)');
  if (typeof account !== 'string' || !/^\d{12}$/.test(account)) throw new RangeError('options.account must be a 12-digit AWS account id');
  if (!Array.isArray(regions) || regions.length === 0 || regions.some((r) => typeof r !== 'string' || r.length === 0)) {
    throw new TypeError('options.regions must be a non-empty array of region names');
  }
  if (new Set(regions).size !== regions.length) throw new RangeError('options.regions must not repeat a region');
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') throw new TypeError('options.now must be a function returning epoch milliseconds');
  const digestEvery = options.digestEvery ?? DEFAULT_DIGEST_EVERY;
  if (!Number.isSafeInteger(digestEvery) || digestEvery < 1) throw new RangeError('options.digestEvery must be a positive integer');
  return { storage, account, regions: [...regions], now, digestEvery };
}
