/**
 * The audit log's write-ahead journal (src/kms/audit/journal.ts), in real workers of every engine:
 * a KMS call returns once its record is in the journal, and a worker killed before its records are
 * committed loses none of them: the next open of the log (here: on the page's main thread, as a
 * reloaded tab would) replays exactly the missing ones. Where an engine has no OPFS sync access
 * handles in workers (WebKitGTK), the log commits before every call returns and the same kill
 * loses nothing either; the tests check that too.
 */
import { expect } from 'chai';
import { AuditLog, IndexedDbAuditStorage } from '../../src/kms/audit/index.js';
import { createKms, deleteKmsStorage } from '../../src/kms/index.js';
import { describe, it } from '../support/bdd.js';

const ACCOUNT = '111122223333';
const EAST = 'us-east-1';
const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;
const BOB = `arn:aws:iam::${ACCOUNT}:user/bob`;

interface Reply {
  supported?: boolean;
  stats?: { records: number; commits: number; journaled: number };
  keyId?: string;
  error?: string;
}

/** Starts the worker, sends `command`, and terminates the worker the moment it answers. */
async function runThenKill(command: object): Promise<Reply> {
  const worker = new Worker(new URL('./audit-journal-worker.ts', import.meta.url), { type: 'module' });
  try {
    return await new Promise<Reply>((resolve, reject) => {
      worker.onerror = (event) => {
        event.preventDefault();
        reject(new Error(`worker failed: ${event.message}`));
      };
      worker.onmessage = ({ data }: MessageEvent<'ready' | Reply>) => {
        if (data === 'ready') {
          worker.postMessage(command);
          return;
        }
        worker.terminate(); // at once: records stored but not yet committed die with it
        if (data.error) reject(new Error(data.error));
        else resolve(data);
      };
    });
  } finally {
    worker.terminate();
  }
}

/**
 * `read()` until `done(value)`, for up to 10 s. A killed worker's Web Lock is released when the
 * browser has finished tearing the worker down, which can be a moment after `terminate()`; until
 * then its journal looks owned, and the log adopts it as soon as the lock is free.
 */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = performance.now() + 10_000;
  for (;;) {
    const value = await read();
    if (done(value) || performance.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function withName<T>(run: (name: string) => Promise<T>): Promise<T> {
  const name = `audit-journal-test-${crypto.randomUUID()}`;
  try {
    return await run(name);
  } finally {
    await new IndexedDbAuditStorage(name).delete([EAST]);
  }
}

describe('audit journal', () => {
  it('records stored by workers that are killed before their commits are all recovered, once each', () =>
    withName(async (name) => {
      const [a, b] = await Promise.all([
        runThenKill({ cmd: 'log', name, region: EAST, count: 300, principal: ALICE }),
        runThenKill({ cmd: 'log', name, region: EAST, count: 200, principal: BOB }),
      ]);
      if (a.supported) {
        // Every record went through the journal; when the worker answered, not all were committed.
        expect(a.stats!.journaled).to.equal(300);
        expect(b.stats!.journaled).to.equal(200);
      } else {
        expect(a.stats!.journaled).to.equal(0);
        expect(a.stats!.records).to.equal(300);
      }
      console.log(`killed workers: journal ${a.supported ? 'on' : 'off'}; committed when answering ${a.stats!.records}/300 and ${b.stats!.records}/200`);
      const log = await AuditLog.open({ storage: new IndexedDbAuditStorage(name), account: ACCOUNT, regions: [EAST] });
      try {
        const all = await eventually(() => log.query({ region: EAST }), (records) => records.length >= 500);
        expect(all.filter((r) => r.userIdentity.arn === ALICE).length).to.equal(300);
        expect(all.filter((r) => r.userIdentity.arn === BOB).length).to.equal(200);
        expect(new Set(all.map((r) => r.eventID)).size).to.equal(500);
        // Each writer's records in the order its calls were made.
        const limits = all.filter((r) => r.userIdentity.arn === ALICE).map((r) => (r.requestParameters as { limit: number }).limit);
        expect(limits).to.deep.equal(Array.from({ length: 300 }, (_, i) => 1 + (i % 100)));
        expect(await log.verify()).to.include({ ok: true, checked: 500 });
      } finally {
        await log.close();
      }
      // Opening again replays nothing twice.
      const again = await AuditLog.open({ storage: new IndexedDbAuditStorage(name), account: ACCOUNT, regions: [EAST] });
      expect((await again.query({ region: EAST })).length).to.equal(500);
      await again.close();
    }), 120_000);

  it('a KMS in a killed worker: every call that returned has its record', () =>
    withName(async (name) => {
      const reply = await runThenKill({ cmd: 'kms', name, region: EAST, count: 150 });
      const kms = await createKms({ storage: 'indexeddb', name, regions: [EAST] });
      try {
        const calls = await eventually(() => kms.audit.query({ region: EAST, eventName: 'GenerateDataKey' }), (records) => records.length >= 150);
        expect(calls.length).to.equal(150);
        expect(calls.every((r) => r.resources?.[0]?.ARN.endsWith(reply.keyId!))).to.equal(true);
        expect((await kms.audit.query({ region: EAST, eventName: 'CreateKey' })).length).to.equal(1);
        expect((await kms.audit.verify()).ok).to.equal(true);
      } finally {
        await kms.close();
        await deleteKmsStorage({ storage: 'indexeddb', name, regions: [EAST] });
      }
    }), 120_000);

  it("durability 'strict' keeps no journal: each record is committed before its call returns", () =>
    withName(async (name) => {
      const reply = await runThenKill({ cmd: 'log', name, region: EAST, count: 40, principal: ALICE, durability: 'strict' });
      expect(reply.stats).to.include({ journaled: 0, records: 40 });
      const log = await AuditLog.open({ storage: new IndexedDbAuditStorage(name), account: ACCOUNT, regions: [EAST] });
      expect((await log.query({ region: EAST })).length).to.equal(40);
      await log.close();
    }), 60_000);
});
