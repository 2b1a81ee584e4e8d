/**
 * The writer's side of the write-ahead journal (region-writer.ts, persist and adopt), with the
 * journal replaced by an in-memory stand-in: whether a record is stored before the call returns,
 * what happens when storage fails after that, and the watermarks committed with the records. The
 * real journal (OPFS, Web Locks, killed workers) is tested in browsers:
 * test/browser/kms-audit-journal.test.ts. Also the journal's line format and the UUIDs.
 */
import { describe, expect, it } from 'vitest';
import { buildAuditEvent, MemoryAuditStorage, type AuditRegionStore } from '../../src/kms/audit/index.js';
import { createSigningKey } from '../../src/kms/audit/digests.js';
import { parseJournal, type AuditJournal } from '../../src/kms/audit/journal.js';
import { RegionWriter } from '../../src/kms/audit/region-writer.js';
import type { AuditBatch, AuditHead, CommitResult } from '../../src/kms/audit/storage.js';
import { randomUuid } from '../../src/kms/audit/uuid.js';
import { ACCOUNT, ALICE, EAST, T0 } from './helpers.js';

/** An in-memory journal with the real one's contract: numbered entries, a watermark. */
class FakeJournal {
  readonly id = 'a2b0c3d4-0000-4000-8000-000000000001';
  readonly lines: string[] = [];
  committedUpTo = 0;
  get pending() {
    return this.lines.length - this.committedUpTo;
  }
  write(json: string): number {
    this.lines.push(json);
    return this.lines.length;
  }
  committed(n: number) {
    this.committedUpTo = Math.max(this.committedUpTo, n);
  }
}

/** A memory store whose commits can be made to fail, and which keeps every batch it was given. */
async function flakyStore(): Promise<{ store: AuditRegionStore; batches: AuditBatch[]; failing: { on: boolean } }> {
  const inner = await new MemoryAuditStorage().open(EAST);
  const batches: AuditBatch[] = [];
  const failing = { on: false };
  const store: AuditRegionStore = {
    region: inner.region,
    signingKey: (create) => inner.signingKey(create),
    head: () => inner.head(),
    records: (range) => inner.records(range),
    digests: (range) => inner.digests(range),
    snapshot: () => inner.snapshot(),
    close: () => inner.close(),
    commit(expected: AuditHead, batch: AuditBatch): Promise<CommitResult> {
      if (failing.on) return Promise.reject(new Error('disk full'));
      batches.push(batch);
      return inner.commit(expected, batch);
    },
  };
  return { store, batches, failing };
}

const event = (i: number) => buildAuditEvent({ eventName: 'ListKeys', region: EAST, account: ACCOUNT, time: T0 + i, principal: ALICE, request: { Limit: i } });

async function writer(store: AuditRegionStore, journal: FakeJournal | null, volatile = false) {
  const key = await store.signingKey(() => createSigningKey(T0));
  return new RegionWriter(store, key, await store.head(), { account: ACCOUNT, now: () => T0, digestEvery: 100, journal: journal as unknown as AuditJournal, volatile });
}

const limits = async (store: AuditRegionStore) => (await store.records()).map((r) => (r.value.requestParameters as { limit: number }).limit);

describe('RegionWriter.persist with a journal', () => {
  it('resolves once the record is journaled, commits later with the watermark, and empties the journal', async () => {
    const { store, batches } = await flakyStore();
    const journal = new FakeJournal();
    const w = await writer(store, journal);
    for (let i = 1; i <= 5; i++) await w.persist(event(i));
    // Stored (journaled), not yet committed: the commit waits for more records or the timer.
    expect(journal.lines.length).toBe(5);
    expect(JSON.parse(journal.lines[2]!)).toMatchObject({ eventName: 'ListKeys', requestParameters: { limit: 3 } });
    expect(await store.records()).toHaveLength(0);
    await w.idle();
    expect(await limits(store)).toEqual([1, 2, 3, 4, 5]);
    expect(batches.at(-1)!.journals).toEqual([{ id: journal.id, upTo: 5 }]);
    expect(journal.committedUpTo).toBe(5);
    expect(w.stats).toMatchObject({ journaled: 5, records: 5 });
  });

  it('commits on its own within the delay, without anyone flushing', async () => {
    const { store } = await flakyStore();
    const w = await writer(store, new FakeJournal());
    await w.persist(event(1));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await limits(store)).toEqual([1]);
  });

  it('keeps journaled records through a failing commit: later calls wait for commits, and nothing is lost or doubled', async () => {
    const { store, failing } = await flakyStore();
    const journal = new FakeJournal();
    const w = await writer(store, journal);
    failing.on = true;
    for (let i = 1; i <= 3; i++) await w.persist(event(i)); // stored in the journal: these calls return
    await expect(w.idle()).rejects.toThrow('disk full');
    expect(journal.committedUpTo).toBe(0);
    // While storage fails, a call cannot claim its record is stored anywhere but in the journal
    // it already holds: new records wait for their commit, and fail with it.
    await expect(w.persist(event(4))).rejects.toThrow('disk full');
    failing.on = false;
    await w.persist(event(5));
    await w.idle();
    expect(await limits(store)).toEqual([1, 2, 3, 5]);
    expect(journal.committedUpTo).toBe(3);
  });

  it('falls back to waiting for the commit when the journal refuses a write', async () => {
    const { store } = await flakyStore();
    const journal = new FakeJournal();
    journal.write = () => {
      throw new Error('quota');
    };
    const w = await writer(store, journal);
    await w.persist(event(1));
    expect(await limits(store)).toEqual([1]); // committed before persist resolved
    expect(w.stats.journaled).toBe(0);
  });
});

describe('RegionWriter.persist on a memory log', () => {
  it('resolves at once; readers that flush see every record, in call order', async () => {
    const { store } = await flakyStore();
    const w = await writer(store, null, true);
    const done = Array.from({ length: 300 }, (_, i) => w.persist(event(i + 1)));
    await Promise.all(done);
    await w.idle();
    expect(await limits(store)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
  });

  it('without a journal or a memory store, waits for the commit', async () => {
    const { store, failing } = await flakyStore();
    const w = await writer(store, null, false);
    failing.on = true;
    await expect(w.persist(event(1))).rejects.toThrow('disk full');
  });
});

describe('RegionWriter.adopt', () => {
  it("commits a gone writer's entries after what is queued, with that journal's watermark", async () => {
    const { store, batches } = await flakyStore();
    const w = await writer(store, null, false);
    const orphan = 'a2b0c3d4-0000-4000-8000-0000000000ff';
    await w.persist(event(1));
    await w.adopt(orphan, [
      { n: 7, event: event(70) },
      { n: 8, event: { ...event(80), chain: { sequence: 9, previousHash: 'x', hash: 'y' } } as never },
    ]);
    expect(await limits(store)).toEqual([1, 70, 80]);
    expect(batches.at(-1)!.journals).toEqual([{ id: orphan, upTo: 8 }]);
    // The stale `chain` member of a journaled event is not carried over: the writer links it anew.
    expect((await store.records())[2]!.value.chain.sequence).toBe(3);
  });
});

describe('journal lines', () => {
  it('parses numbered lines and skips a torn last line and junk', () => {
    const a = JSON.stringify(event(1));
    const b = JSON.stringify(event(2));
    const text = `1\t${a}\n2\t${b}\nx\t{}\n0\t{}\n3\t[1]\n4\t${b.slice(0, 40)}`;
    expect(parseJournal(text).map((e) => e.n)).toEqual([1, 2]);
    expect(parseJournal(text)[1]!.event).toEqual(JSON.parse(b));
    expect(parseJournal('')).toEqual([]);
  });
});

describe('randomUuid', () => {
  it('makes distinct version-4 UUIDs', () => {
    const ids = Array.from({ length: 5000 }, randomUuid);
    for (const id of ids.slice(0, 300)) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(5000);
  });
});
