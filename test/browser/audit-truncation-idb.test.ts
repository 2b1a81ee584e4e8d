/**
 * The stored audit log cut short, in IndexedDB (issue 11, defect 1): the newest records (and the
 * last digest) deleted from the database and the head moved back to match are reported by
 * verify() and refused by the writer, in this tab and in a new one; a database of schema version 1
 * (heads without marks) is upgraded and keeps working, its head marked at the next commit.
 */
import { expect } from 'chai';
import { deleteDB, openDB } from 'idb';
import { AuditLog, IndexedDbAuditStorage, type AuditRecord } from '../../src/kms/audit/index.js';
import type { AuditHead } from '../../src/kms/audit/storage.js';
import { ACCOUNT, EAST, T0, sampleInputs } from '../kms-audit/helpers.js';
import { rejection } from '../support/outcome.js';
import { describe, it } from '../support/bdd.js';

const REGIONS = [EAST];
const open = (name: string) => AuditLog.open({ storage: new IndexedDbAuditStorage(name), account: ACCOUNT, regions: REGIONS, now: () => T0, digestEvery: 5 });

async function withLog<T>(run: (name: string, database: string) => Promise<T>): Promise<T> {
  const name = `audit-cut-${crypto.randomUUID()}`;
  try {
    return await run(name, new IndexedDbAuditStorage(name).databaseName(EAST));
  } finally {
    await new IndexedDbAuditStorage(name).delete(REGIONS);
  }
}


/** An attacker's edit of the database: records and digests after `keep` deleted, the head moved back (keeping its old mark). */
async function cut(database: string, keep: number): Promise<void> {
  const db = await openDB(database);
  const next = (await db.get('records', keep + 1)) as AuditRecord;
  const head = (await db.get('meta', 'head')) as AuditHead;
  for (const key of await db.getAllKeys('records')) if ((key as number) > keep) await db.delete('records', key);
  for (const key of await db.getAllKeys('digests')) if ((key as number) > keep) await db.delete('digests', key);
  const digests = await db.getAll('digests');
  const last = digests.at(-1) as { lastSequence: number; digestSignature: string; digestEndTime: string } | undefined;
  const moved: AuditHead = {
    tip: { sequence: keep, hash: next.chain.previousHash }, // sampleInputs are recorded one per group
    digest: last ? { lastSequence: last.lastSequence, signature: last.digestSignature, endTime: last.digestEndTime } : null,
    ...(head.mark ? { mark: head.mark } : {}),
  };
  await db.put('meta', moved, 'head');
  db.close();
}

describe('audit log on IndexedDB cut short', () => {
  for (const [what, keep] of [['the newest records', 11], ['the newest records and the last digest', 9]] as const) {
    it(`${what} deleted and the head moved back: verify() reports it, no tab appends after it`, () =>
      withLog(async (name, database) => {
        const log = await open(name);
        for (const input of sampleInputs(EAST)) await log.record(input);
        await log.flush();
        expect((await log.verify()).ok).to.equal(true);
        await cut(database, keep);
        const result = await log.verify();
        expect(result.ok).to.equal(false);
        expect(result.firstBroken).to.deep.include({ region: EAST, sequence: keep });
        expect(result.firstBroken!.reason).to.match(/high-water mark/);
        const refused = await rejection(log.record(sampleInputs(EAST)[0]!));
        expect(refused.name).to.equal('AuditIntegrityError');
        await log.close().catch(() => undefined);
        const other = await open(name);
        expect((await rejection(other.record(sampleInputs(EAST)[0]!))).name).to.equal('AuditIntegrityError');
        expect((await other.verify()).ok).to.equal(false);
        await other.close().catch(() => undefined);
      }));
  }

  it('a version 1 database (no marks) is upgraded: it verifies, takes records, and its head is marked', () =>
    withLog(async (name, database) => {
      const log = await open(name);
      for (const input of sampleInputs(EAST)) await log.record(input);
      await log.close();
      // Rebuild the same content as schema version 1 wrote it: the head without a mark.
      const v2 = await openDB(database);
      const [records, recordKeys, digests, digestKeys, head, signingKey] = [await v2.getAll('records'), await v2.getAllKeys('records'), await v2.getAll('digests'), await v2.getAllKeys('digests'), (await v2.get('meta', 'head')) as AuditHead, await v2.get('meta', 'signingKey')];
      v2.close();
      await deleteDB(database);
      const { mark: _mark, ...unmarked } = head;
      const v1 = await openDB(database, 1, { upgrade: (db) => ['records', 'digests', 'meta'].forEach((s) => db.createObjectStore(s)) });
      for (const [i, r] of records.entries()) await v1.put('records', r, recordKeys[i]);
      for (const [i, d] of digests.entries()) await v1.put('digests', d, digestKeys[i]);
      await v1.put('meta', unmarked, 'head');
      await v1.put('meta', signingKey, 'signingKey');
      v1.close();

      const upgraded = await open(name);
      expect(await upgraded.verify()).to.include({ ok: true, checked: 12 });
      await upgraded.record(sampleInputs(EAST)[0]!);
      await upgraded.flush();
      expect(await upgraded.verify()).to.include({ ok: true, checked: 13 });
      await upgraded.close();
      const db = await openDB(database);
      expect(db.version).to.equal(2);
      expect(((await db.get('meta', 'head')) as AuditHead).mark).to.be.a('string');
      expect(await db.get('meta', 'unmarkedHead')).to.equal(undefined);
      db.close();
    }));
});
