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
import { EXPORT_FORMAT, EXPORT_VERSION, formatExport, interleave, regionEnd, sealBody, trustedSet, verifyAuditExport, type ExportHeader, type VerifyOptions } from './audit-export.js';
import type { AuditSigningKey } from './digests.js';
import { highWaterMarkBody, signHighWaterMark, signSeal, type RegionEnd } from './seal.js';
import type { AuditRecord } from './hash-chain.js';
import { matcher, type AuditQuery } from './query.js';
import { adoptWhenFree, AuditJournal, findJournals, type OrphanJournal } from './journal.js';
import { RegionWriter, type AuditReceipt, type WriterStats } from './region-writer.js';
import type { AuditHead, AuditRegionStore, AuditRestore, AuditStorage, InheritedSigningKey } from './storage.js';
import { verifyRegions, type AuditVerification, type LogItem, type RegionLog } from './verify.js';
import { rangeError, typeError } from '../../core/arguments.js';

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
  readonly #journals: readonly AuditJournal[];
  #closed = false;

  private constructor(account: string, regions: readonly string[], writers: Map<string, RegionWriter>, now: () => number, journals: readonly AuditJournal[]) {
    this.account = account;
    this.regions = regions;
    this.#writers = writers;
    this.#now = now;
    this.#journals = journals;
  }

  /** Opens (or creates) the log of every region: its store, its head, its signing key. */
  static async open(options: AuditLogOptions): Promise<AuditLog> {
    const { storage, account, regions, now, digestEvery } = checkOptions(options);
    const writers = new Map<string, RegionWriter>();
    const stores: AuditRegionStore[] = [];
    const journals: AuditJournal[] = [];
    const owned: { store: AuditRegionStore; writer: RegionWriter; name: string; id: string }[] = [];
    try {
      for (const region of regions) {
        const store = await storage.open(region);
        stores.push(store);
        const key = await store.signingKey(() => createSigningKey(now()));
        const journal = store.journalName !== undefined && store.journalWrites === true ? await AuditJournal.open(store.journalName) : null;
        if (journal) journals.push(journal);
        const writer = new RegionWriter(store, key, await store.head(), { account, now, digestEvery, journal, volatile: store.volatile === true });
        writers.set(region, writer);
        if (store.journalName !== undefined) {
          const found = await findJournals(store.journalName, new Set(journal ? [journal.id] : []));
          for (const orphan of found.orphans) await adoptOrphan(store, writer, orphan);
          owned.push(...found.owned.map((id) => ({ store, writer, name: store.journalName!, id })));
        }
      }
    } catch (error) {
      for (const journal of journals) await journal.close().catch(() => undefined);
      for (const store of stores) store.close();
      throw error;
    }
    const log = new AuditLog(account, regions, writers, now, journals);
    // Journals still owned when we looked: a live tab's, or one being torn down (a reload: the old
    // page's worker may outlive the new page's open by a moment). Adopted once their owner is gone.
    for (const { store, writer, name, id } of owned) log.#watch(store, writer, name, id);
    return log;
  }

  #abort = new AbortController();
  #closing: Promise<void> | undefined;
  #adoptions = new Set<Promise<void>>();

  #watch(store: AuditRegionStore, writer: RegionWriter, name: string, id: string): void {
    const adoption = adoptWhenFree(name, id, this.#abort.signal)
      .then((orphan) => (orphan ? adoptOrphan(store, writer, orphan) : undefined))
      // A failed takeover released the lock and left the files: the next open tries again.
      .catch(() => undefined)
      .finally(() => this.#adoptions.delete(adoption));
    this.#adoptions.add(adoption);
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
    if (!isPlainObject(event)) return Promise.reject(typeError('record', 'an AuditEvent object (buildAuditEvent makes one)'));
    if (event.awsRegion !== region) return Promise.reject(rangeError('record.awsRegion', `must be ${JSON.stringify(region)}, the region it is appended to`));
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

  /**
   * {@link record}, resolving as soon as the record is stored rather than once it is chained: in
   * the write-ahead journal (journal.ts: IndexedDB logs in a worker), in a memory log's queue, or
   * else committed. What the KMS awaits before it returns a call's result. Readers flush first, so
   * a stored record is always in what they return.
   */
  store(input: AuditEventInput): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('the audit log is closed'));
    let event: AuditEvent;
    try {
      event = buildAuditEvent(input);
    } catch (error) {
      return Promise.reject(error);
    }
    const writer = this.#writers.get(input.region);
    if (!writer) return Promise.reject(this.#unknownRegion(input.region, 'region'));
    return writer.persist(event);
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
    const ends: RegionEnd[] = [];
    const keys = new Map<string, AuditSigningKey>();
    for (const region of regions) {
      const writer = this.#writer(region);
      const head = await writer.seal();
      keys.set(region, writer.key);
      const upTo = head.digest?.lastSequence ?? 0;
      // Records appended after the seal belong to the next export: stop at the sealing digest.
      const [records, digests] = upTo === 0 ? [[], []] : await Promise.all([writer.store.records({ to: upTo }), writer.store.digests({ to: upTo })]);
      const items = interleave(records, digests);
      ends.push(regionEnd(region, items));
      if (items.length > 0) parts.push({ region, items });
    }
    const inheritedKeys: Record<string, InheritedSigningKey[]> = {};
    for (const { region } of parts) {
      const inherited = (await this.#writer(region).store.inheritedKeys?.()) ?? [];
      if (inherited.length > 0) inheritedKeys[region] = inherited;
    }
    // Regions with records first (the header's order), then the empty ones: the seal names them all.
    ends.sort((a, b) => Number(b.lastSequence > 0) - Number(a.lastSequence > 0));
    const header: ExportHeader = {
      type: 'header',
      format: EXPORT_FORMAT,
      version: EXPORT_VERSION,
      account: this.account,
      regions: parts.map((p) => p.region),
      exportedAt: eventTime(this.#now()),
      ...(Object.keys(inheritedKeys).length > 0 ? { inheritedKeys } : {}),
    };
    const text = formatExport(header, parts);
    const seal = await signSeal(await sealBody(header, text, ends), keys);
    return `${text}${JSON.stringify(seal)}
`;
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
      const inheritedKeys = (await store.inheritedKeys?.()) ?? [];
      const unmarkedHead = await store.unmarkedHead?.();
      logs.push({ region, items: interleave(records, digests), head, signingKey: key.publicKeySpki, account: this.account, unmarkedHead, ...(inheritedKeys.length > 0 ? { inheritedKeys } : {}) });
    }
    return verifyRegions(logs, trusted);
  }

  /**
   * One region's log for a key-store backup: sealed first (a digest over every record stored so
   * far, as an export ends with), then read up to that digest, with the keys that signed it.
   */
  async backupRegion(region: string): Promise<AuditRestore & { readonly publicKeySpki: string }> {
    const writer = this.#writer(region, 'region');
    const head = await writer.seal();
    const upTo = head.digest?.lastSequence ?? 0;
    const [records, digests, inheritedKeys] = await Promise.all([writer.store.records({ to: upTo }), writer.store.digests({ to: upTo }), writer.store.inheritedKeys?.() ?? []]);
    return { head, records, digests, inheritedKeys, publicKeySpki: writer.key.publicKeySpki };
  }

  /**
   * Replaces a region's log with one taken by {@link backupRegion} (possibly in another browser).
   * This region's own signing key cannot be the one that signed the backup's digests (signing keys
   * never leave their store), so the backup's key is remembered as inherited up to the backup's last
   * digest; digests after it are signed by this region's key and chain on from the restored ones.
   */
  async restoreRegion(region: string, backup: AuditRestore & { readonly publicKeySpki: string }): Promise<void> {
    const writer = this.#writer(region, 'region');
    if (!writer.store.replace) throw new TypeError(`the audit storage of ${region} cannot be replaced (no replace method)`);
    await this.flush();
    const upTo = backup.head.digest?.lastSequence ?? 0;
    const inheritedKeys: InheritedSigningKey[] = [...backup.inheritedKeys];
    if (upTo > 0 && backup.publicKeySpki !== writer.key.publicKeySpki) inheritedKeys.push({ publicKeySpki: backup.publicKeySpki, upTo });
    // The head's high-water mark (seal.ts) was the source region's signature; the backup file's own
    // authentication vouches for the head, so the target's key marks it again, or the writer would
    // refuse to append after the restore.
    const { mark: _sourceMark, ...unmarked } = backup.head;
    const head: AuditHead = { ...unmarked, mark: await signHighWaterMark(highWaterMarkBody(this.account, region, unmarked), writer.key.privateKey) };
    // The writer still holds the old head: its next commit finds the restored one (compare-and-set
    // fails once) and chains on from it, as after another tab's write.
    await writer.store.replace({ head, records: backup.records, digests: backup.digests, inheritedKeys });
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

  /**
   * Refuses new appends, lets queued ones finish (and takeovers of other writers' journals that
   * have begun), then closes the stores and this log's journals. Calling it again returns the same
   * promise.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#closed = true;
    this.#abort.abort();
    try {
      await Promise.all([...this.#adoptions]);
      await this.flush();
    } finally {
      for (const writer of this.#writers.values()) writer.store.close();
      // After a failed flush the journals keep their entries: the next open recovers them.
      for (const journal of this.#journals) await journal.close().catch(() => undefined);
    }
  }

  #writer(region: string, argument = 'region'): RegionWriter {
    const writer = this.#writers.get(region);
    if (!writer) throw this.#unknownRegion(region, argument);
    return writer;
  }

  #unknownRegion(region: unknown, argument: string): RangeError {
    return rangeError(argument, `${JSON.stringify(region)} is not one of the audit log's regions: ${this.regions.join(', ')}`);
  }
}

/**
 * Commits what a writer that is gone left in its journal (journal.ts): the entries above the
 * stored watermark were stored but never committed. They are chained after everything queued, with
 * the journal's watermark in the same transactions, so a crash during the takeover cannot commit
 * them twice; then the files are deleted and the watermark forgotten.
 */
async function adoptOrphan(store: AuditRegionStore, writer: RegionWriter, orphan: OrphanJournal): Promise<void> {
  try {
    const mark = (await store.journalMark?.(orphan.id)) ?? 0;
    await writer.adopt(orphan.id, orphan.entries.filter((e) => e.n > mark));
  } catch (error) {
    orphan.release();
    throw error;
  }
  await orphan.discard();
  await store.forgetJournal?.(orphan.id);
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
  if (options === null || typeof options !== 'object') throw typeError('options', 'an object with storage, account and regions');
  const { storage, account, regions } = options;
  if (!storage || typeof storage.open !== 'function') throw typeError('options.storage', 'an AuditStorage (MemoryAuditStorage or IndexedDbAuditStorage)');
  if (typeof account !== 'string' || !/^\d{12}$/.test(account)) throw rangeError('options.account', 'must be a 12-digit AWS account id');
  if (!Array.isArray(regions) || regions.length === 0 || regions.some((r) => typeof r !== 'string' || r.length === 0)) {
    throw typeError('options.regions', 'a non-empty array of region names');
  }
  if (new Set(regions).size !== regions.length) throw rangeError('options.regions', 'must not repeat a region');
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') throw typeError('options.now', 'a function returning epoch milliseconds');
  const digestEvery = options.digestEvery ?? DEFAULT_DIGEST_EVERY;
  if (!Number.isSafeInteger(digestEvery) || digestEvery < 1) throw rangeError('options.digestEvery', 'must be a positive integer');
  return { storage, account, regions: [...regions], now, digestEvery };
}
