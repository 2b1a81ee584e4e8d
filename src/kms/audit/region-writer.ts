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
import type { AuditJournal } from './journal.js';
import { sameHead, type AuditHead, type AuditRegionStore } from './storage.js';
import { AuditIntegrityError, headMarkProblem, highWaterMarkBody, signHighWaterMark } from './seal.js';

/** Records per transaction at most: bounds a transaction's size and a batch's latency. */
export const MAX_BATCH = 1024;
/**
 * Journaled records not yet committed, at most: beyond this, {@link RegionWriter.persist} waits for
 * the commit as it does without a journal, so a storage that cannot keep up slows the callers down
 * instead of piling records up in the journal.
 */
export const MAX_JOURNALED = 4096;
/**
 * How long records that are already stored (journaled, or queued in a memory log) may wait for
 * their commit, so that one transaction carries many of them. Committing each at once cost as much
 * as the calls themselves: in Chromium every IndexedDB transaction of an origin is served by one
 * backend, so a commit per call delays the KMS's own reads of the next call. A record that someone
 * waits for (append, seal, flush, a call without a journal) is committed at once, and takes the
 * waiting ones along.
 */
export const COMMIT_DELAY_MS = 20;
/** Stored records waiting for their commit, at most, before it starts anyway. */
const COMMIT_AT = 256;
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
  /**
   * The event's canonical JSON, taken at append time (validates it and freezes its content); for
   * {@link RegionWriter.persist}, taken when the batch is written (the event is the writer's own).
   */
  template: EventTemplate | null;
  readonly event: AuditEvent;
  /**
   * Where it is journaled, when it is (and so already stored): this writer's journal, or the
   * journal of a writer that is gone ({@link RegionWriter.adopt}), and its entry number there.
   */
  readonly journal?: { readonly id: string; readonly n: number };
  /** Someone awaits its commit: write it now, not after {@link COMMIT_DELAY_MS}. */
  urgent: boolean;
  resolve(receipt: AuditReceipt): void;
  reject(error: unknown): void;
}

const ignore = (): void => undefined;

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
  /** Records stored in the journal first (their calls returned before the commit). */
  journaled: number;
}

export interface RegionWriterOptions extends WriterOptions {
  /** The write-ahead journal (journal.ts), where the store has one. */
  readonly journal?: AuditJournal | null;
  /**
   * The store is memory (MemoryAuditStorage): a record queued here is as stored as a committed one
   * (same memory, same lifetime, and every reader flushes first), so {@link RegionWriter.persist}
   * need not wait for the commit.
   */
  readonly volatile?: boolean;
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
  readonly stats: WriterStats = { records: 0, commits: 0, conflicts: 0, journaled: 0 };
  readonly #options: WriterOptions;
  readonly #journal: AuditJournal | null;
  readonly #volatile: boolean;
  #head: AuditHead;
  #queue: Pending[] = [];
  #seals: SealWaiter[] = [];
  #running: Promise<void> | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  /** Why the last write failed, while journaled records wait for a retry (cleared by a commit). */
  #failure: { error: unknown } | null = null;
  /** The last head known good (our own, or one we checked): not checked again. */
  #trusted: AuditHead | undefined;
  /** A pre-mark head the schema upgrade recorded (storage.ts, unmarkedHead), read once. */
  #unmarked: Promise<AuditHead | undefined> | undefined;

  constructor(store: AuditRegionStore, key: AuditSigningKey, head: AuditHead, options: RegionWriterOptions) {
    this.store = store;
    this.key = key;
    this.#head = head;
    this.#options = options;
    this.#journal = options.journal ?? null;
    this.#volatile = options.volatile === true;
  }

  /** The journal's id, if this writer has one. */
  get journalId(): string | undefined {
    return this.#journal?.id;
  }

  /**
   * Stores `event` (a fresh buildAuditEvent result, handed over) and resolves as soon as it is
   * stored: written to the journal, or queued in a memory log, or else committed. The KMS awaits
   * this before returning a call's result. The record is chained and committed in the background;
   * readers (query, export, verify) flush first, so they always see it.
   */
  persist(event: AuditEvent): Promise<void> {
    if (this.#failure === null && (this.#volatile || this.#journal)) {
      let entry: number | undefined;
      if (this.#journal && this.#journal.pending < MAX_JOURNALED) {
        try {
          entry = this.#journal.write(JSON.stringify(event));
        } catch {
          entry = undefined; // the journal cannot take it: wait for the commit instead
        }
      }
      if (entry !== undefined || (this.#volatile && !this.#journal)) {
        if (entry !== undefined) this.stats.journaled += 1;
        const journal = entry !== undefined ? { journal: { id: this.#journal!.id, n: entry } } : {};
        this.#queue.push({ template: null, event, ...journal, urgent: false, resolve: ignore, reject: ignore });
        this.#later();
        return Promise.resolve();
      }
    }
    return this.append(event, true).then(ignore);
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
      this.#queue.push({ template, event: template.event, urgent: true, resolve, reject });
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

  /**
   * Resolves when nothing is queued or being written. Records left queued by a failed write (stored
   * in the journal, so not lost) are retried first; if that fails again, rejects with its error.
   */
  async idle(): Promise<void> {
    // Everything queued now is waited for: urgent, so the write loop takes all of it.
    const waited = [...this.#queue];
    for (const p of waited) p.urgent = true;
    if (waited.length > 0) this.#start();
    while (this.#running) await this.#running;
    if (this.#failure && this.#queue.some((p) => waited.includes(p))) throw this.#failure.error;
  }

  /** Starts a write within {@link COMMIT_DELAY_MS}, or at once once {@link COMMIT_AT} records wait. */
  #later(): void {
    if (this.#running) return; // the running write looks at the queue again when it ends
    if (this.#queue.length >= COMMIT_AT) {
      this.#start();
      return;
    }
    this.#timer ??= setTimeout(() => {
      this.#timer = null;
      this.#start();
    }, COMMIT_DELAY_MS);
  }

  #start(): void {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    // A microtask, not a timer: every append made in the same turn joins the first batch, and no
    // latency is added to a lone call.
    this.#running ??= Promise.resolve().then(() => this.#run());
  }

  async #run(): Promise<void> {
    let first = true;
    try {
      // The first pass writes whatever is queued; later passes only if someone waits (an urgent
      // record, a seal) or many records do: stored records that merely arrived during a write wait
      // for the next timer, with the ones after them.
      while (first || this.#seals.length > 0 || this.#queue.length >= COMMIT_AT || this.#queue.some((p) => p.urgent)) {
        first = false;
        if (this.#queue.length === 0 && this.#seals.length === 0) break;
        const batch = this.#queue.splice(0, MAX_BATCH);
        // A seal waits until the records queued before it are in a batch with it.
        const seals = this.#queue.length === 0 ? this.#seals.splice(0) : [];
        const ready = this.#templates(batch);
        // Each journal's highest entry in the batch: its watermark, committed with the records.
        const marks = new Map<string, number>();
        for (const { journal } of ready) if (journal) marks.set(journal.id, Math.max(marks.get(journal.id) ?? 0, journal.n));
        try {
          const records = await this.#write(
            ready.map((p) => p.template!),
            seals.length > 0,
            [...marks].map(([id, upTo]) => ({ id, upTo })),
          );
          this.#failure = null;
          const own = this.#journal && marks.get(this.#journal.id);
          if (own) this.#journal!.committed(own);
          ready.forEach((p, i) => {
            const { chain, eventID } = records[i]!;
            p.resolve({ region: this.store.region, sequence: chain.sequence, hash: chain.hash, eventID });
          });
          for (const s of seals) s.resolve(this.#head);
        } catch (error) {
          // Journaled records are stored: they must reach the chain. Back to the head of the queue,
          // for the next run (the next append, a flush, or the next open after a crash) to retry.
          // Everything else fails with the error, as a call waiting for its commit should.
          const kept = ready.filter((p) => p.journal !== undefined);
          for (const p of ready) if (p.journal === undefined) p.reject(error);
          for (const s of seals) s.reject(error);
          if (kept.length > 0) {
            this.#failure = { error };
            this.#queue.unshift(...kept);
            return;
          }
        }
      }
    } finally {
      this.#running = null;
      // Stored records that came in during the write: the next timer takes them (not after a
      // failure: the next append, flush or open retries, rather than a timer looping on an error).
      if (this.#queue.length > 0 && this.#failure === null) this.#later();
    }
  }

  /** The batch's canonical templates, made now for stored records; one that cannot be made fails alone. */
  #templates(batch: Pending[]): Pending[] {
    const ready: Pending[] = [];
    for (const p of batch) {
      if (p.template === null) {
        try {
          p.template = eventTemplate(p.event);
        } catch (error) {
          // Not reachable for buildAuditEvent's output (plain JSON by construction); never loop on it.
          p.reject(error);
          continue;
        }
      }
      ready.push(p);
    }
    return ready;
  }

  /**
   * Takes over the entries of a journal whose writer is gone (journal.ts): they are chained after
   * whatever is queued, with that journal's watermark in the same transactions, so a crash during
   * the takeover cannot commit them twice. Resolves once all are committed.
   */
  async adopt(id: string, entries: readonly { readonly n: number; readonly event: AuditEvent }[]): Promise<void> {
    const commits: Promise<AuditReceipt>[] = [];
    for (const { n, event } of entries) {
      let template: EventTemplate;
      try {
        const { chain: _chain, ...rest } = event as AuditEvent & { chain?: unknown };
        template = eventTemplate(rest as AuditEvent);
      } catch {
        continue; // not a record a writer could have journaled
      }
      commits.push(
        new Promise((resolve, reject) => {
          this.#queue.push({ template, event: template.event, journal: { id, n }, urgent: true, resolve, reject });
        }),
      );
    }
    if (commits.length === 0) return;
    this.#start();
    await Promise.all(commits);
  }

  async #write(templates: readonly EventTemplate[], seal: boolean, marks: readonly { id: string; upTo: number }[]): Promise<AuditRecord[]> {
    // Another writer may have appended since we last looked: a seal must cover its records too.
    if (seal) this.#head = await this.store.head();
    for (let attempt = 1; ; attempt++) {
      const head = this.#head;
      await this.#checkHead(head);
      const { records, tip } = await chainGroup(templates, head.tip);
      // Digests end at a group's end (their lastHash is a group hash): at the end of this batch,
      // once `digestEvery` records are undigested, or whatever is undigested when sealing.
      const undigested = tip.sequence - (head.digest?.lastSequence ?? 0);
      const due = undigested > 0 && (seal || undigested >= this.#options.digestEvery);
      if (records.length === 0 && !due && marks.length === 0) return records;
      const digest = due ? await this.#digest(head.digest, records, tip) : undefined;
      const unmarked: AuditHead = { tip, digest: digest ? { lastSequence: tip.sequence, signature: digest.digestSignature, endTime: digest.digestEndTime } : head.digest };
      // The high-water mark (seal.ts) goes in the same transaction as the head it signs.
      const next: AuditHead = { ...unmarked, mark: await signHighWaterMark(highWaterMarkBody(this.#options.account, this.store.region, unmarked), this.key.privateKey) };
      // The journal's watermark goes in the same transaction: after a crash, exactly the entries
      // above it are missing from storage (journal.ts).
      const result = await this.store.commit(head, { records, digests: digest ? [digest] : [], head: next, ...(marks.length > 0 ? { journals: marks } : {}) });
      if (result.ok) {
        this.#head = next;
        this.#trusted = next;
        this.stats.records += records.length;
        this.stats.commits += 1;
        return records;
      }
      this.#head = result.head;
      this.stats.conflicts += 1;
      if (attempt >= MAX_ATTEMPTS) throw new Error(`audit log ${this.store.region}: gave up after ${attempt} concurrent-write conflicts`);
    }
  }

  /**
   * Refuses to chain after a head this region's key did not mark (seal.ts): someone moved the
   * stored head back, and continuing from it would bury the evidence under a fresh, valid mark.
   */
  async #checkHead(head: AuditHead): Promise<void> {
    // Same head and same mark as one already checked (a head's content with another head's mark is not).
    if (this.#trusted && head.mark === this.#trusted.mark && sameHead(head, this.#trusted)) return;
    this.#unmarked ??= this.store.unmarkedHead?.() ?? Promise.resolve(undefined);
    const problem = await headMarkProblem(head, { account: this.#options.account, region: this.store.region, spki: this.key.publicKeySpki, unmarked: await this.#unmarked });
    if (problem) throw new AuditIntegrityError(this.store.region, problem);
    this.#trusted = head;
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
