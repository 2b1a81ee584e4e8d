/**
 * Tamper evidence: every single-record edit (each field: changed, removed, or a field added),
 * deletion, insertion and reordering is reported by verify() at the record where it happened, on
 * the stored log and on an exported text; digests catch a consistently rewritten chain and any
 * edit of their own; a re-signed export is caught against a trusted key.
 */
import { createSigningKey, signDigest, type AuditDigest } from '../../src/kms/audit/digests.js';
import { groupHash } from '../../src/kms/audit/hash-chain.js';
import { signSeal, type ExportSeal } from '../../src/kms/audit/seal.js';
import { recordHash, type AuditRecord, type AuditVerification } from '../../src/kms/audit/index.js';
import { EAST, WEST, edited, fill, openLog, paths, sampleInputs, type Path, type TestLog } from './helpers.js';

/** digestEvery 5: the 12 sample records per region get digests after 5 and 10, and one at export. */
const DIGEST_EVERY = 5;

async function filledLog(): Promise<{ log: TestLog; count: number; text: string }> {
  const log = await openLog({ digestEvery: DIGEST_EVERY });
  const count = await fill(log);
  const text = await log.audit.export();
  return { log, count, text };
}

function snapshot(log: TestLog, region: string) {
  const tables = log.storage.unsafeTables(region);
  const saved = structuredClone({ records: tables.records, digests: tables.digests, head: tables.head });
  return () => {
    const copy = structuredClone(saved);
    tables.records.clear();
    tables.digests.clear();
    for (const [k, v] of copy.records) tables.records.set(k, v);
    for (const [k, v] of copy.digests) tables.digests.set(k, v);
    tables.head = copy.head;
  };
}

function expectBroken(result: AuditVerification, where: { sequence?: number | number[]; line?: number; region?: string }, what: string): void {
  expect(result.ok, `${what}: verify() said ok`).toBe(false);
  const broken = result.firstBroken!;
  if (where.region) expect(broken.region, what).toBe(where.region);
  const atSequence = where.sequence !== undefined && [where.sequence].flat().includes(broken.sequence);
  const atLine = where.line !== undefined && broken.line === where.line;
  expect(atSequence || atLine, `${what}: reported ${JSON.stringify(broken)}, expected ${JSON.stringify(where)}`).toBe(true);
}

/** Every edit of one record: each leaf altered and deleted, each object/array given an extra member, each container deleted. */
function recordEdits(record: AuditRecord): { path: Path; edit: 'alter' | 'delete' | 'add' }[] {
  const { leaves, containers } = paths(record);
  return [
    ...leaves.map((path) => ({ path, edit: 'alter' as const })),
    ...leaves.map((path) => ({ path, edit: 'delete' as const })),
    ...containers.map((path) => ({ path, edit: 'add' as const })),
    ...containers.filter((p) => p.length > 0).map((path) => ({ path, edit: 'delete' as const })),
  ];
}

const lineOf = (lines: string[], predicate: (v: Record<string, unknown>) => boolean) => lines.findIndex((l) => l && predicate(JSON.parse(l)));
const isRecordLine = (region: string, sequence: number) => (v: Record<string, unknown>) => v.awsRegion === region && v.type !== 'digest' && (v.chain as { sequence: number })?.sequence === sequence;

describe('tamper evidence: the stored log', () => {
  it('an untouched log verifies', async () => {
    const { log, count } = await filledLog();
    const result = await log.audit.verify();
    expect(result).toMatchObject({ ok: true, checked: 2 * count, digests: 6 });
    expect(result.publicKeys[EAST]).toBe(log.audit.publicKey(EAST).spki);
  });

  it('every single-field edit of every record is reported at that record', async () => {
    const { log, count } = await filledLog();
    const tables = log.storage.unsafeTables(WEST);
    const restore = snapshot(log, WEST);
    let cases = 0;
    for (let sequence = 1; sequence <= count; sequence++) {
      for (const { path, edit } of recordEdits(tables.records.get(sequence)!)) {
        tables.records.set(sequence, edited(tables.records.get(sequence)!, path, edit));
        expectBroken(await log.audit.verify(), { sequence, region: WEST }, `${edit} ${path.join('.')} of record ${sequence}`);
        restore();
        cases++;
      }
    }
    expect(cases).toBeGreaterThan(count * 40);
    expect((await log.audit.verify()).ok).toBe(true);
  });

  it('deleting, inserting, moving or swapping records is reported where the chain breaks', async () => {
    const { log, count } = await filledLog();
    const tables = log.storage.unsafeTables(EAST);
    const restore = snapshot(log, EAST);
    const records = () => tables.records;
    for (let s = 1; s <= count; s++) {
      records().delete(s);
      expectBroken(await log.audit.verify(), { sequence: s, region: EAST }, `delete record ${s}`);
      restore();
      if (s < count) {
        const [a, b] = [records().get(s)!, records().get(s + 1)!];
        records().set(s, b).set(s + 1, a);
        expectBroken(await log.audit.verify(), { sequence: s }, `swap records ${s} and ${s + 1}`);
        restore();
      }
      // Insertion: a well-formed record (valid own hash, linked to record s - 1) pushed in at s. It
      // passes; the break is the displaced record s at key s + 1, or record s's digest if one follows.
      const forged = structuredClone(records().get(s)!);
      forged.eventName = 'ListKeys';
      forged.chain.hash = await recordHash(forged);
      for (let k = count; k >= s; k--) records().set(k + 1, records().get(k)!);
      records().set(s, forged);
      expectBroken(await log.audit.verify(), { sequence: [s, s + 1] }, `insert before record ${s}`);
      restore();
    }
    // A record added after the last one, without moving the head.
    const extra = structuredClone(records().get(count)!);
    extra.chain = { sequence: count + 1, previousHash: await groupHash([extra.chain.hash]), hash: '' };
    extra.chain.hash = await recordHash(extra);
    records().set(count + 1, extra);
    expectBroken(await log.audit.verify(), { sequence: count + 1 }, 'append behind the writer');
    restore();
  });

  it('a consistently rewritten chain is caught by the next digest; digest edits by their signature', async () => {
    const { log, count } = await filledLog();
    const tables = log.storage.unsafeTables(EAST);
    const restore = snapshot(log, EAST);
    // Rewrite record 2 and recompute every later link (the sample was written one record per
    // group): each record and each group is self-consistent again.
    let previous = tables.records.get(1)!.chain.hash;
    for (let s = 2; s <= count; s++) {
      const record = structuredClone(tables.records.get(s)!);
      if (s === 2) record.userIdentity = { ...record.userIdentity, arn: 'arn:aws:iam::111122223333:user/mallory' };
      record.chain.previousHash = await groupHash([previous]);
      record.chain.hash = await recordHash(record);
      previous = record.chain.hash;
      tables.records.set(s, record);
    }
    expectBroken(await log.audit.verify(), { sequence: DIGEST_EVERY }, 'rewritten chain');
    expect((await log.audit.verify()).firstBroken!.reason).toMatch(/lastHash/);
    restore();

    for (const [key, digest] of [...tables.digests]) {
      for (const { path, edit } of recordEdits(digest as unknown as AuditRecord).filter((e) => e.path.length > 0 || e.edit === 'add')) {
        tables.digests.set(key, edited(digest, path, edit));
        expectBroken(await log.audit.verify(), { sequence: key, region: EAST }, `${edit} digest ${key} ${path.join('.')}`);
        restore();
      }
      tables.digests.delete(key);
      expect((await log.audit.verify()).ok, `delete digest ${key}`).toBe(false);
      restore();
    }
  });

  it('records written as one group (concurrent appends): each edit, deletion and swap is reported at its record', async () => {
    const log = await openLog({ regions: [EAST] });
    const inputs = Array.from({ length: 3 }, () => sampleInputs(EAST)).flat();
    await Promise.all(inputs.slice(0, 12).map((input) => log.audit.record(input)));
    await Promise.all(inputs.slice(12).map((input) => log.audit.record(input)));
    const tables = log.storage.unsafeTables(EAST);
    const restore = snapshot(log, EAST);
    // Two groups: 1-12 share GENESIS as previousHash; 13-36 carry the hash of the first group.
    expect(new Set([...tables.records.values()].map((r) => r.chain.previousHash)).size).toBe(2);
    expect(tables.records.get(13)!.chain.previousHash).toBe(await groupHash([...tables.records.values()].slice(0, 12).map((r) => r.chain.hash)));
    expect((await log.audit.verify()).ok).toBe(true);
    for (const s of [1, 6, 12, 13, 20, 36]) {
      for (const { path, edit } of recordEdits(tables.records.get(s)!)) {
        tables.records.set(s, edited(tables.records.get(s)!, path, edit));
        expectBroken(await log.audit.verify(), { sequence: s }, `${edit} ${path.join('.')} of record ${s} (grouped)`);
        restore();
      }
      tables.records.delete(s);
      expectBroken(await log.audit.verify(), { sequence: s }, `delete grouped record ${s}`);
      restore();
    }
    // Moving a record across the group boundary (swap 12 and 13) is reported at 12.
    const [a, b] = [tables.records.get(12)!, tables.records.get(13)!];
    tables.records.set(12, b).set(13, a);
    expectBroken(await log.audit.verify(), { sequence: 12 }, 'swap across the group boundary');
  });

  it('digests signed with another key are refused, even with a valid signature', async () => {
    const { log } = await filledLog();
    const tables = log.storage.unsafeTables(EAST);
    const mallory = await createSigningKey(0);
    const [key, digest] = [...tables.digests][0]!;
    const { digestSignature: _s, digestPublicKey: _k, digestPublicKeyFingerprint: _f, digestSignatureAlgorithm: _a, type: _t, hashAlgorithm: _h, ...body } = digest;
    tables.digests.set(key, await signDigest(body, mallory));
    const result = await log.audit.verify();
    expectBroken(result, { sequence: key }, 're-signed digest');
    expect(result.firstBroken!.reason).toMatch(/different key/);
  });
});

describe('tamper evidence: an exported text', () => {
  it('round-trips: the export verifies offline and in another log', async () => {
    const { log, count, text } = await filledLog();
    expect(await log.audit.verify(text)).toMatchObject({ ok: true, checked: 2 * count, digests: 6 });
    const other = await openLog();
    expect((await other.audit.verify(text)).ok).toBe(true);
    expect((await log.audit.verify(await log.audit.export({ region: WEST }))).checked).toBe(count);
  });

  it('every single-field edit of every record line is reported at that record', async () => {
    const { log, text, count } = await filledLog();
    const lines = text.split('\n');
    let cases = 0;
    for (let s = 1; s <= count; s++) {
      const at = lineOf(lines, isRecordLine(EAST, s));
      const record = JSON.parse(lines[at]!) as AuditRecord;
      for (const { path, edit } of recordEdits(record)) {
        const copy = [...lines];
        copy[at] = JSON.stringify(edited(record, path, edit));
        expectBroken(await log.audit.verify(copy.join('\n')), { sequence: s, line: at + 1 }, `${edit} ${path.join('.')} of line ${at + 1}`);
        cases++;
      }
    }
    expect(cases).toBeGreaterThan(count * 40);
  });

  it('removing, duplicating, inserting or reordering lines is reported', async () => {
    const { log, text } = await filledLog();
    const lines = text.split('\n').filter((l) => l !== '');
    // Every line but the header and the seal (the seal's own tests are in truncation.test.ts).
    for (let i = 1; i < lines.length - 1; i++) {
      const value = JSON.parse(lines[i]!);
      const sequence = value.type === 'digest' ? value.lastSequence : value.chain.sequence;
      const verify = (copy: string[]) => log.audit.verify(copy.join('\n') + '\n');
      // Removal of any line (record or digest).
      expect((await verify(lines.filter((_, j) => j !== i))).ok, `remove line ${i + 1}`).toBe(false);
      // Duplication (a replayed line).
      expect((await verify([...lines.slice(0, i + 1), lines[i]!, ...lines.slice(i + 1)])).ok, `duplicate line ${i + 1}`).toBe(false);
      // Swap with the next line of the same region (the order between regions carries no meaning).
      if (i + 1 < lines.length - 1 && JSON.parse(lines[i + 1]!).awsRegion === value.awsRegion) {
        const swapped = [...lines];
        [swapped[i], swapped[i + 1]] = [swapped[i + 1]!, swapped[i]!];
        expect((await verify(swapped)).ok, `swap lines ${i + 1} and ${i + 2}`).toBe(false);
      }
      if (value.type !== 'digest') {
        const removed = await verify(lines.filter((_, j) => j !== i));
        expect(removed.firstBroken!.sequence, `remove record ${value.awsRegion} ${sequence}`).toBe(sequence);
      }
    }
    // Truncation: the last record cut, with the digest made for the export.
    const cut = lines.slice(0, -2);
    expect((await log.audit.verify(cut.join('\n'))).firstBroken!.reason).toMatch(/not covered by a digest/);
    // Not JSON, and an unknown line.
    expect((await log.audit.verify(lines.join('\n').replace('}', '},'))).firstBroken!.reason).toMatch(/not JSON/);
    expect((await log.audit.verify(`${text}{"hello":1}\n`)).firstBroken!.reason).toMatch(/follows the seal/);
    expect((await log.audit.verify([...lines.slice(0, -1), '{"hello":1}', lines.at(-1)].join('\n'))).firstBroken!.reason).toMatch(/neither a record, a digest nor the seal/);
    // A region listed in the header but cut out entirely.
    const noWest = lines.filter((l) => JSON.parse(l).awsRegion !== WEST);
    expect((await log.audit.verify(noWest.join('\n'))).firstBroken).toMatchObject({ region: WEST, sequence: 1 });
  });

  it('every edit of a digest line breaks its signature or its links', async () => {
    const { log, text } = await filledLog();
    const lines = text.split('\n');
    for (const [at, line] of lines.entries()) {
      if (!line.includes('"type":"digest"')) continue;
      const digest = JSON.parse(line) as AuditDigest;
      for (const { path, edit } of recordEdits(digest as unknown as AuditRecord)) {
        const copy = [...lines];
        copy[at] = JSON.stringify(edited(digest, path, edit));
        expect((await log.audit.verify(copy.join('\n'))).ok, `${edit} ${path.join('.')} of digest line ${at + 1}`).toBe(false);
      }
    }
  });

  it('a fully re-signed export passes on its own but fails against the trusted key', async () => {
    const { log, text } = await filledLog();
    const mallory = await createSigningKey(0);
    let previous: string | null = null;
    const lines: string[] = [];
    for (const line of text.split('\n')) {
      if (!line.includes('"type":"digest"')) {
        lines.push(line);
        if (line.includes('"type":"header"')) previous = null;
        continue;
      }
      const { digestSignature: _s, digestPublicKey: _k, digestPublicKeyFingerprint: _f, digestSignatureAlgorithm: _a, type: _t, hashAlgorithm: _h, ...body } = JSON.parse(line) as AuditDigest;
      if (body.firstSequence === 1) previous = null;
      const resigned = await signDigest({ ...body, previousDigestSignature: previous }, mallory);
      previous = resigned.digestSignature;
      lines.push(JSON.stringify(resigned));
    }
    // The seal too: its ends name the re-signed last digests, and mallory signs it for every region.
    const seal = JSON.parse(lines.filter((l) => l !== '').at(-1)!) as ExportSeal;
    const lastDigest = (region: string) => lines.map((l) => (l.includes('"type":"digest"') ? (JSON.parse(l) as AuditDigest) : null)).filter((d) => d?.awsRegion === region).at(-1)!;
    const { signatures: _signatures, ...sealBody } = seal;
    const body = { ...sealBody, regions: seal.regions.map((r) => ({ ...r, lastDigestSignature: lastDigest(r.awsRegion).digestSignature })) };
    const resealed = await signSeal(body, new Map([[EAST, mallory], [WEST, mallory]]));
    const sealAt = lines.map((l) => l !== '').lastIndexOf(true);
    lines.splice(sealAt, 1, JSON.stringify(resealed));
    const forged = lines.join('\n');
    const alone = await log.audit.verify(forged);
    expect(alone.ok).toBe(true);
    expect(alone.publicKeys[EAST]).toBe(mallory.publicKeySpki);
    expect(alone.publicKeys[EAST]).not.toBe(log.audit.publicKey(EAST).spki);
    const trusted = [log.audit.publicKey(EAST).spki, log.audit.publicKey(WEST).spki];
    expect((await log.audit.verify(text, { trustedPublicKeys: trusted })).ok).toBe(true);
    const checked = await log.audit.verify(forged, { trustedPublicKeys: trusted });
    expect(checked.ok).toBe(false);
    expect(checked.firstBroken!.reason).toMatch(/not trusted/);
  });
});
