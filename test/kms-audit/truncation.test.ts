/**
 * A log cut short is detected (issue 11, defect 1). Before the seal and the high-water mark, each
 * of these verified `ok`: an export cut right after any signed digest, an export with a region's
 * last records (and the digest made for the export) dropped, an export without one region's lines
 * and its name in the header, and a stored log whose newest records (and last digest) were removed
 * with its head moved back to match. CloudTrail's log file validation makes the same promise for
 * its digest files: "whether a log file was deleted or changed" (CloudTrail user guide, "Validating
 * CloudTrail log file integrity").
 */
import { AuditIntegrityError } from '../../src/kms/audit/seal.js';
import type { AuditHead } from '../../src/kms/audit/storage.js';
import type { AuditVerification } from '../../src/kms/audit/index.js';
import { EAST, WEST, edited, fill, openLog, paths, sampleInputs, type TestLog } from './helpers.js';

/** digestEvery 5: the 12 sample records per region get digests after 5, 10 and (on export) 12. */
const DIGEST_EVERY = 5;

async function exported(): Promise<{ log: TestLog; count: number; lines: string[] }> {
  const log = await openLog({ digestEvery: DIGEST_EVERY });
  const count = await fill(log);
  const text = await log.audit.export();
  return { log, count, lines: text.split('\n').filter((l) => l !== '') };
}

const join = (lines: readonly string[]) => `${lines.join('\n')}\n`;
const parsed = (line: string) => JSON.parse(line) as { type?: string; awsRegion?: string; regions?: string[]; lastSequence?: number; chain?: { sequence: number } };

function refused(result: AuditVerification, what: string, reason?: RegExp): void {
  expect(result.ok, `${what}: verify() said ok`).toBe(false);
  if (reason) expect(result.firstBroken!.reason, what).toMatch(reason);
}

describe('an export cut short', () => {
  it('cut right after any line, a signed digest included, is refused; the whole export verifies', async () => {
    const { log, lines } = await exported();
    expect((await log.audit.verify(join(lines))).ok).toBe(true);
    const digestLines = lines.flatMap((l, i) => (parsed(l).type === 'digest' ? [i] : []));
    expect(digestLines).toHaveLength(6);
    for (let end = 1; end < lines.length; end++) {
      const isDigest = digestLines.includes(end - 1);
      // Cut after a digest of the last region, every region listed is there and ends with a digest:
      // only the missing seal tells (before it, such a cut verified).
      const onlySealTells = isDigest && parsed(lines[end - 1]!).awsRegion === WEST;
      refused(await log.audit.verify(join(lines.slice(0, end))), `cut after line ${end}${isDigest ? ' (a digest)' : ''}`, onlySealTells ? /does not end with a seal/ : undefined);
    }
  });

  it("a region's last records dropped, with the digests after them, is refused", async () => {
    const { log, lines } = await exported();
    for (const region of [EAST, WEST]) {
      const own = lines.flatMap((l, i) => (parsed(l).awsRegion === region ? [i] : []));
      // Keep the region up to each of its digests but the last: everything after it dropped.
      for (const at of own.filter((i) => parsed(lines[i]!).type === 'digest').slice(0, -1)) {
        const dropped = own.filter((i) => i > at);
        refused(await log.audit.verify(join(lines.filter((_, i) => !dropped.includes(i)))), `${region} cut after its digest on line ${at + 1}`, /seal says .* ends at record 12/);
      }
    }
  });

  it("one region's lines and its name in the header removed is refused, whatever is done to the seal short of the other region's key", async () => {
    const { log, lines } = await exported();
    const header = parsed(lines[0]!);
    const withoutWest = lines.filter((l) => parsed(l).awsRegion !== WEST);
    withoutWest[0] = JSON.stringify({ ...header, regions: [EAST] });
    refused(await log.audit.verify(join(withoutWest)), 'west removed, header edited', /header line is not the one the seal was made for/);
    // The seal edited to match: its WEST entry and signature removed. EAST's signature no longer fits.
    const seal = JSON.parse(withoutWest.at(-1)!) as { regions: { awsRegion: string }[]; signatures: { awsRegion: string }[] };
    withoutWest[withoutWest.length - 1] = JSON.stringify({ ...seal, regions: seal.regions.filter((r) => r.awsRegion !== WEST), signatures: seal.signatures.filter((s) => s.awsRegion !== WEST) });
    refused(await log.audit.verify(join(withoutWest)), 'west removed from the header and the seal', /header line|signature for us-east-1 is invalid/);
    // Header left alone: the header names a region whose lines are gone.
    refused(await log.audit.verify(join(lines.filter((l) => parsed(l).awsRegion !== WEST))), 'west lines removed');
  });

  it('a single-region export with its records removed is refused; its empty regions are sealed too', async () => {
    const log = await openLog({ digestEvery: DIGEST_EVERY });
    await fill(log, [EAST]);
    const lines = (await log.audit.export()).split('\n').filter((l) => l !== '');
    const seal = JSON.parse(lines.at(-1)!) as { regions: { awsRegion: string; lastSequence: number }[] };
    expect(seal.regions).toEqual([expect.objectContaining({ awsRegion: EAST, lastSequence: 12 }), expect.objectContaining({ awsRegion: WEST, lastSequence: 0 })]);
    const empty = [JSON.stringify({ ...parsed(lines[0]!), regions: [] }), lines.at(-1)!];
    refused(await log.audit.verify(join(empty)), 'every record removed');
    refused(await log.audit.verify(join([lines[0]!, lines.at(-1)!])), 'every record removed, header kept');
  });

  it('every edit of the seal is refused, as is a seal anywhere but last or a version 1 export', async () => {
    const { log, lines } = await exported();
    const seal = JSON.parse(lines.at(-1)!) as Record<string, unknown>;
    const { leaves, containers } = paths(seal);
    let cases = 0;
    for (const [path, edit] of [...leaves.map((p) => [p, 'alter'] as const), ...leaves.map((p) => [p, 'delete'] as const), ...containers.map((p) => [p, 'add'] as const)]) {
      const copy = [...lines];
      copy[copy.length - 1] = JSON.stringify(edited(seal, path, edit));
      refused(await log.audit.verify(join(copy)), `${edit} seal.${path.join('.')}`);
      cases++;
    }
    expect(cases).toBeGreaterThan(30);
    refused(await log.audit.verify(join([...lines.slice(0, 3), lines.at(-1)!, ...lines.slice(3)])), 'seal in the middle', /follows the seal/);
    const v1 = [JSON.stringify({ ...parsed(lines[0]!), version: 1 }), ...lines.slice(1, -1)];
    refused(await log.audit.verify(join(v1)), 'version 1', /version 1 exports have no seal/);
  });
});

describe('a stored log cut short', () => {
  /** The attacker's edit: records after `keep` (and digests after them) deleted, the head moved back to match. */
  function cutStored(log: TestLog, region: string, keep: number, head: (tables: ReturnType<TestLog['storage']['unsafeTables']>) => AuditHead): void {
    const tables = log.storage.unsafeTables(region);
    const hashBefore = tables.records.get(keep + 1)!.chain.previousHash; // fill() writes one record per group
    for (const key of [...tables.records.keys()]) if (key > keep) tables.records.delete(key);
    for (const key of [...tables.digests.keys()]) if (key > keep) tables.digests.delete(key);
    const last = [...tables.digests.values()].at(-1);
    const moved: AuditHead = { tip: { sequence: keep, hash: hashBefore }, digest: last ? { lastSequence: last.lastSequence, signature: last.digestSignature, endTime: last.digestEndTime } : null };
    tables.head = head({ ...tables, head: moved });
  }

  for (const [what, keep] of [['the newest records removed', 11], ['the newest records and the last digest removed', 9]] as const) {
    it(`${what}, the head moved back to match: refused by verify() and by the writer`, async () => {
      // The moved head keeps the old mark, has none, or carries WEST's mark: none is EAST's signature of it.
      for (const variant of ['old mark', 'no mark', "another region's mark"] as const) {
        const name = `cut-${crypto.randomUUID()}`;
        const copy = await openLog({ name, digestEvery: DIGEST_EVERY });
        await fill(copy);
        await copy.audit.flush();
        expect(copy.storage.unsafeTables(EAST).head.mark).toEqual(expect.any(String));
        const westMark = copy.storage.unsafeTables(WEST).head.mark;
        cutStored(copy, EAST, keep, (t) => {
          const { mark: _mark, ...bare } = t.head;
          return variant === 'old mark' ? { ...bare, mark: copy.storage.unsafeTables(EAST).head.mark! } : variant === 'no mark' ? bare : { ...bare, mark: westMark! };
        });
        const result = await copy.audit.verify();
        refused(result, `${what} (${variant})`, /high-water mark/);
        expect(result.firstBroken).toMatchObject({ region: EAST, sequence: keep });
        // The writer will not chain after it (that would mark the shortened log as good) ...
        await expect(copy.audit.record(sampleInputs(EAST)[0]!)).rejects.toBeInstanceOf(AuditIntegrityError);
        // ... nor will a new log opened on the same storage.
        const reopened = await openLog({ name, digestEvery: DIGEST_EVERY });
        await expect(reopened.audit.record(sampleInputs(EAST)[0]!)).rejects.toThrow(/high-water mark/);
        // The other region is untouched and still takes records.
        await reopened.audit.record(sampleInputs(WEST)[0]!);
      }
    });
  }

  it('an untouched log re-opened keeps appending, and verifies with its marks', async () => {
    const name = `marks-${crypto.randomUUID()}`;
    const first = await openLog({ name, digestEvery: DIGEST_EVERY });
    await fill(first);
    await first.audit.close();
    const second = await openLog({ name, digestEvery: DIGEST_EVERY });
    await second.audit.record(sampleInputs(EAST)[0]!);
    expect(await second.audit.verify()).toMatchObject({ ok: true, checked: 25 });
  });
});
