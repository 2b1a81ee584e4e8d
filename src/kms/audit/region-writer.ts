/**
 * The append path of one region: group commit. Appends queue up; one flush at a time chains the
 * queued records as one write group (hash-chain.ts: the records' SHA-256s computed together, one
 * group hash after them), signs a digest when one is due (every `digestEvery` records, and on
 * export), and writes everything in one compare-and-set transaction (storage.ts). Appends that arrive
 * while a flush is running wait for the next one, so under load a transaction carries many records,
 * and a call's `await append(...)` resolves only once its record is durably stored.
 *
 * Why not one transaction per record: hashing is async (WebCrypto) and may not run inside an
 * IndexedDB transaction, so per-record writes would cost a transaction plus a head check each and
 * would serialize every KMS call behind the previous one's commit. Batching keeps the audit cost per
 * call to one concurrent SHA-256 and a share of one transaction and one group hash.
 *
 * Two writers on one region (two tabs, or a page and a worker) never fork the chain: a commit
 * whose expected head is stale writes nothing and returns the stored head; the writer re-chains the
 * same events after it and retries.
 */
import { eventTime, type AuditEvent } from './cloudtrail-record.js';
import { signDigest, type AuditDigest, type AuditSigningKey } from './digests.js';
import { chainGroup, eventTemplate, type AuditRecord, type ChainTip, type EventTemplate } from './hash-chain.js';
import type { AuditHead, AuditRegionStore } from './storage.js';

/** Records per transaction at most: bounds a transaction's size and a batch's latency. */
export const MAX_BATCH = 1024;
/** Lost races in a row before a write gives up (another writer is committing every time: progress is being made, just not ours). */
const MAX_ATTEMPTS = 1000;

export interface WriterOptions {
  readonly account: string;
  readonly now: () => number;
  /** A digest is signed once at least this many records are undigested at the end of a batch. */
  readonly digestEvery: number;
}

/**
 * What an append resolves with once the record is stored: where it is in the chain. (Not the
 * record itself: the stored object never leaves the writer, so the memory store need not copy it.)
 */
export interface AuditReceipt {
  readonly region: string;
  readonly sequence: number;
  readonly hash: string;
  readonly eventID: string;
}

interface Pending {
  /** The event's canonical JSON, taken at append time: validates it and freezes its content. */
  readonly template: EventTemplate;
  resolve(receipt: AuditReceipt): void;
  reject(error: unknown): void;
}

interface SealWaiter {
  resolve(head: AuditHead): void;
  reject(error: unknown): void;
}

export interface WriterStats {
  /** Records committed by this writer. */
  records: number;
  /** Successful transactions. */
  commits: number;
  /** Commits refused because another writer had moved the head. */
  conflicts: number;
}

/**
 * One region's writer (see above). AuditLog makes one per region; nothing else should append.
 *
 * @example
 * ```ts
 * const writer = new RegionWriter(store, await store.signingKey(() => createSigningKey(Date.now())), await store.head(), { account, now: Date.now, digestEvery: 100 });
 * const { sequence } = await writer.append(event);
 * ```
 */
export class RegionWriter {
  readonly store: AuditRegionStore;
  readonly key: AuditSigningKey;
  readonly stats: WriterStats = { records: 0, commits: 0, conflicts: 0 };
  readonly #options: WriterOptions;
  #head: AuditHead;
  #queue: Pending[] = [];
  #seals: SealWaiter[] = [];
  #running: Promise<void> | null = null;

  constructor(store: AuditRegionStore, key: AuditSigningKey, head: AuditHead, options: WriterOptions) {
    this.store = store;
    this.key = key;
    this.#head = head;
    this.#options = options;
  }

  /**
   * Queues `event`; resolves with its receipt once stored. `owned`: the caller hands the object
   * over (a fresh buildAuditEvent result) and it need not be copied.
   */
  append(event: AuditEvent, owned = false): Promise<AuditReceipt> {
    let template: EventTemplate;
    try {
      template = eventTemplate(event);
      // The hash is of the text taken now; the stored object must not drift from it. (A `chain`
      // member the caller left on the event is not part of it: the writer links the record.)
      if (!owned || 'chain' in event) {
        const copy = JSON.parse(`${template.before}0${template.after}`) as AuditEvent & { chain?: unknown };
        delete copy.chain;
        template = { ...template, event: copy };
      }
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ template, resolve, reject });
      this.#start();
    });
  }

  /** Writes everything queued, then a digest over any undigested records; resolves with the head after it. */
  seal(): Promise<AuditHead> {
    return new Promise((resolve, reject) => {
      this.#seals.push({ resolve, reject });
      this.#start();
    });
  }

  /** Resolves when nothing is queued or being written. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  #start(): void {
    // A microtask, not a timer: every append made in the same turn joins the first batch, and no
    // latency is added to a lone call.
    this.#running ??= Promise.resolve().then(() => this.#run());
  }

  async #run(): Promise<void> {
    try {
      while (this.#queue.length > 0 || this.#seals.length > 0) {
        const batch = this.#queue.splice(0, MAX_BATCH);
        // A seal waits until the records queued before it are in a batch with it.
        const seals = this.#queue.length === 0 ? this.#seals.splice(0) : [];
        try {
          const records = await this.#write(
            batch.map((p) => p.template),
            seals.length > 0,
          );
          batch.forEach((p, i) => {
            const { chain, eventID } = records[i]!;
            p.resolve({ region: this.store.region, sequence: chain.sequence, hash: chain.hash, eventID });
          });
          for (const s of seals) s.resolve(this.#head);
        } catch (error) {
          for (const p of batch) p.reject(error);
          for (const s of seals) s.reject(error);
        }
      }
    } finally {
      this.#running = null;
    }
  }

  async #write(templates: readonly EventTemplate[], seal: boolean): Promise<AuditRecord[]> {
    // Another writer may have appended since we last looked: a seal must cover its records too.
    if (seal) this.#head = await this.store.head();
    for (let attempt = 1; ; attempt++) {
      const head = this.#head;
      const { records, tip } = await chainGroup(templates, head.tip);
      // Digests end at a group's end (their lastHash is a group hash): at the end of this batch,
      // once `digestEvery` records are undigested, or whatever is undigested when sealing.
      const undigested = tip.sequence - (head.digest?.lastSequence ?? 0);
      const due = undigested > 0 && (seal || undigested >= this.#options.digestEvery);
      if (records.length === 0 && !due) return records;
      const digest = due ? await this.#digest(head.digest, records, tip) : undefined;
      const next: AuditHead = { tip, digest: digest ? { lastSequence: tip.sequence, signature: digest.digestSignature, endTime: digest.digestEndTime } : head.digest };
      const result = await this.store.commit(head, { records, digests: digest ? [digest] : [], head: next });
      if (result.ok) {
        this.#head = next;
        this.stats.records += records.length;
        this.stats.commits += 1;
        return records;
      }
      this.#head = result.head;
      this.stats.conflicts += 1;
      if (attempt >= MAX_ATTEMPTS) throw new Error(`audit log ${this.store.region}: gave up after ${attempt} concurrent-write conflicts`);
    }
  }

  /** The digest over (previous.lastSequence, tip.sequence], signed before the transaction opens. */
  async #digest(previous: AuditHead['digest'], records: readonly AuditRecord[], tip: ChainTip): Promise<AuditDigest> {
    const firstSequence = (previous?.lastSequence ?? 0) + 1;
    const oldest = await this.#recordAt(firstSequence, records);
    const newest = await this.#recordAt(tip.sequence, records);
    return signDigest(
      {
        awsAccountId: this.#options.account,
        awsRegion: this.store.region,
        digestStartTime: previous?.endTime ?? oldest.eventTime,
        digestEndTime: eventTime(this.#options.now()),
        oldestEventTime: oldest.eventTime,
        newestEventTime: newest.eventTime,
        firstSequence,
        lastSequence: tip.sequence,
        lastHash: tip.hash,
        previousDigestSignature: previous?.signature ?? null,
      },
      this.key,
    );
  }

  /** A record of this batch, or an already stored one (stored records never change: add-only). */
  async #recordAt(sequence: number, batch: readonly AuditRecord[]): Promise<AuditRecord> {
    const inBatch = batch.length > 0 ? batch[sequence - batch[0]!.chain.sequence] : undefined;
    if (inBatch) return inBatch;
    const [stored] = await this.store.records({ from: sequence, to: sequence });
    if (!stored) throw new Error(`audit log ${this.store.region}: record ${sequence} is missing from storage`);
    return stored.value;
  }
}
