/**
 * AuditLog's API: query filters, export/verify round trip, the batching append path under
 * concurrency (one instance and two sharing storage, as two tabs), digest cadence, input checks,
 * and a logged append-throughput figure (not a timed assertion).
 */
import { AuditLog, buildAuditEvent, MemoryAuditStorage, type AuditRegionStore, type AuditStorage } from '../../src/kms/audit/index.js';
import { ACCOUNT, ALICE, AUDITOR, EAST, KEY_ARN, KEY_ID, MRK_ID, T0, WEST, fill, keyArn, openLog } from './helpers.js';

/** Wraps a storage and counts the transactions (commits) it is asked for. */
function counting(inner: AuditStorage): AuditStorage & { commits: number } {
  const wrapper = {
    commits: 0,
    async open(region: string): Promise<AuditRegionStore> {
      const store = await inner.open(region);
      return new Proxy(store, {
        get(target, prop, receiver) {
          if (prop === 'commit') return (...args: Parameters<AuditRegionStore['commit']>) => (wrapper.commits++, target.commit(...args));
          const value = Reflect.get(target, prop, receiver);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    },
  };
  return wrapper;
}

const listKeys = (region: string, i: number, principal = ALICE) =>
  buildAuditEvent({ eventName: 'ListKeys', region, account: ACCOUNT, time: T0 + i * 1000, principal, request: { Limit: (i % 100) + 1 } });

describe('audit.query', () => {
  it('filters by region, key (id, ARN, alias), principal, event name, time and error code', async () => {
    const log = await openLog();
    const count = await fill(log);
    const q = log.audit.query.bind(log.audit);
    expect(await q()).toHaveLength(2 * count);
    expect(await q({ region: WEST })).toHaveLength(count);
    expect((await q({ region: WEST })).every((r) => r.awsRegion === WEST)).toBe(true);
    // A bare key id matches in every region; an ARN only in its own.
    const byId = await q({ keyId: KEY_ID });
    expect(byId.length).toBeGreaterThan(0);
    expect(new Set(byId.map((r) => r.awsRegion))).toEqual(new Set([EAST, WEST]));
    const byArn = await q({ keyId: KEY_ARN });
    expect(byArn.length).toBe(byId.length / 2);
    expect(byArn.every((r) => r.awsRegion === EAST)).toBe(true);
    expect((await q({ keyId: 'alias/app', region: EAST })).map((r) => r.eventName)).toEqual(['CreateAlias', 'GenerateDataKey']);
    expect((await q({ keyId: keyArn(EAST, MRK_ID) })).map((r) => r.eventName)).toEqual(['ReplicateKey']);
    // Principals: users by ARN; roles by the role ARN or the session ARN.
    expect((await q({ principal: AUDITOR, region: EAST })).map((r) => r.eventName)).toEqual(['Decrypt', 'ListKeys']);
    expect(await q({ principal: `arn:aws:sts::${ACCOUNT}:assumed-role/auditor/envelope-kit`, region: EAST })).toHaveLength(2);
    expect((await q({ principal: ALICE, region: EAST })).map((r) => r.eventName)).toEqual(['GenerateDataKey', 'Encrypt', 'RetireGrant']);
    expect((await q({ eventName: 'Decrypt' })).map((r) => r.errorCode)).toEqual(['AccessDeniedException', 'AccessDeniedException']);
    expect(await q({ errorCode: 'AccessDeniedException', region: WEST })).toHaveLength(1);
    // Time bounds are inclusive, accept Date, epoch ms and ISO text, and cover the whole second.
    expect((await q({ region: EAST, from: T0 + 2 * 60_000 + 999, to: new Date(T0 + 4 * 60_000) })).map((r) => r.eventName)).toEqual(['GenerateDataKey', 'Decrypt', 'Encrypt']);
    expect(await q({ region: EAST, from: '2025-01-01T12:11:00Z' })).toHaveLength(1);
    // Oldest first across regions: the same minute in both regions sorts east (first region) first.
    expect((await q({ eventName: 'CreateKey' })).map((r) => r.awsRegion)).toEqual([EAST, WEST]);
  });

  it('checks its filter', async () => {
    const { audit } = await openLog();
    await expect(audit.query({ region: 'mars-1' })).rejects.toThrow(RangeError);
    await expect(audit.query({ keyId: 7 as unknown as string })).rejects.toThrow(/filter.keyId/);
    await expect(audit.query({ from: 'yesterday' })).rejects.toThrow(/filter.from/);
  });
});

describe('audit.export / audit.verify', () => {
  it('export holds every record and the digests, ending each region with a digest', async () => {
    const log = await openLog({ digestEvery: 4 });
    const count = await fill(log);
    const text = await log.audit.export();
    const lines = text.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ type: 'header', format: 'envelope-kit-audit', version: 2, account: ACCOUNT, regions: [EAST, WEST] });
    // The last line is the seal: each region's end, signed by each region's key.
    expect(lines.at(-1)).toMatchObject({ type: 'seal', version: 2, account: ACCOUNT, regions: [{ awsRegion: EAST, lastSequence: count }, { awsRegion: WEST, lastSequence: count }] });
    expect(lines.at(-1).signatures.map((s: { digestPublicKey: string }) => s.digestPublicKey)).toEqual([log.audit.publicKey(EAST).spki, log.audit.publicKey(WEST).spki]);
    expect(lines.filter((l) => l.eventVersion)).toHaveLength(2 * count);
    const digests = lines.filter((l) => l.type === 'digest');
    // 12 records per region with digestEvery 4: digests at 4, 8, 12 (the last one coincides with the export).
    expect(digests.map((d) => `${d.awsRegion}:${d.firstSequence}-${d.lastSequence}`)).toEqual([`${EAST}:1-4`, `${EAST}:5-8`, `${EAST}:9-12`, `${WEST}:1-4`, `${WEST}:5-8`, `${WEST}:9-12`]);
    expect(digests[1].previousDigestSignature).toBe(digests[0].digestSignature);
    expect(digests[0]).toMatchObject({ digestSignatureAlgorithm: 'SHA256withECDSAinP1363Format', digestPublicKey: log.audit.publicKey(EAST).spki, hashAlgorithm: 'SHA-256' });
    expect(await log.audit.verify(text)).toMatchObject({ ok: true, checked: 2 * count, digests: 6 });
    // An export seals what is undigested: one more record, one more digest.
    await log.audit.append(EAST, listKeys(EAST, 99));
    const again = await log.audit.export({ region: EAST });
    expect(again.trimEnd().split('\n').map((l) => JSON.parse(l)).filter((l) => l.type === 'digest').at(-1)).toMatchObject({ firstSequence: 13, lastSequence: 13 });
    expect((await log.audit.verify()).ok).toBe(true);
    // An empty log exports a header and a seal naming its empty regions, and verifies.
    const empty = await openLog();
    const emptyText = await empty.audit.export();
    expect(emptyText.trimEnd().split('\n').map((l) => JSON.parse(l).type)).toEqual(['header', 'seal']);
    expect((await empty.audit.verify(emptyText)).ok).toBe(true);
  });

  it('the stored log and its digests survive re-opening the storage', async () => {
    const name = `audit-reopen-${crypto.randomUUID()}`;
    const first = await openLog({ name, digestEvery: 5 });
    await fill(first);
    const key = first.audit.publicKey(EAST).spki;
    await first.audit.close();
    const second = await openLog({ name, digestEvery: 5 });
    expect(second.audit.publicKey(EAST).spki).toBe(key);
    await fill(second, [EAST]);
    const result = await second.audit.verify();
    expect(result).toMatchObject({ ok: true, checked: 36 });
    // The second day reused the first day's times, so sort by sequence: 1 … 24, nothing lost.
    const sequences = (await second.audit.query({ region: EAST })).map((r) => r.chain.sequence).sort((x, y) => x - y);
    expect(sequences).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
  });
});

describe('append: durable, batched, concurrent', () => {
  it('1000 concurrent appends: 1000 records, in call order, chain intact, far fewer transactions', async () => {
    const storage = counting(new MemoryAuditStorage());
    const audit = await AuditLog.open({ storage, account: ACCOUNT, regions: [EAST], now: () => T0 });
    const receipts = await Promise.all(Array.from({ length: 1000 }, (_, i) => audit.append(EAST, listKeys(EAST, i))));
    expect(receipts.map((r) => r.sequence)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    const stored = (await audit.query()).sort((a, b) => a.chain.sequence - b.chain.sequence);
    expect(stored).toHaveLength(1000);
    expect(stored.map((r) => r.requestParameters!.limit)).toEqual(Array.from({ length: 1000 }, (_, i) => (i % 100) + 1));
    expect(stored.map((r) => r.eventID)).toEqual(receipts.map((r) => r.eventID));
    // One write group, so one digest at its end (digests close groups: their lastHash is a group hash).
    expect(await audit.verify()).toMatchObject({ ok: true, checked: 1000, digests: 1 });
    expect(storage.commits).toBeLessThan(10);
    expect(audit.stats(EAST)).toMatchObject({ records: 1000, conflicts: 0 });
  });

  it('each append resolves only after its record is stored', async () => {
    const log = await openLog();
    const receipt = await log.audit.append(EAST, listKeys(EAST, 1));
    expect(log.storage.unsafeTables(EAST).records.get(receipt.sequence)?.chain.hash).toBe(receipt.hash);
  });

  it('two instances on one storage (two tabs) appending at once never lose or fork a record', async () => {
    const name = `audit-tabs-${crypto.randomUUID()}`;
    const [a, b] = [await openLog({ name }), await openLog({ name })];
    expect(a.audit.publicKey(EAST).spki).toBe(b.audit.publicKey(EAST).spki);
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 500; i++) {
      writes.push(a.audit.append(EAST, listKeys(EAST, i, ALICE)));
      writes.push(b.audit.append(EAST, listKeys(EAST, i, AUDITOR)));
      if (i % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
    }
    await Promise.all(writes);
    const all = await a.audit.query({ region: EAST });
    expect(all).toHaveLength(1000);
    expect(new Set(all.map((r) => r.chain.sequence)).size).toBe(1000);
    expect(all.filter((r) => r.userIdentity.arn === ALICE)).toHaveLength(500);
    expect((await b.audit.verify()).ok).toBe(true);
    expect(a.audit.stats(EAST).conflicts + b.audit.stats(EAST).conflicts).toBeGreaterThan(0);
  });

  it('a bad record fails its own append only', async () => {
    const { audit } = await openLog();
    const good = audit.append(EAST, listKeys(EAST, 1));
    const bad = audit.append(EAST, { ...listKeys(EAST, 2), requestParameters: { blob: new Uint8Array(4) } } as never);
    await expect(bad).rejects.toThrow(/record.requestParameters.blob is a Uint8Array/);
    await expect(good).resolves.toMatchObject({ region: EAST, sequence: 1 });
    await expect(audit.append('mars-1', listKeys('mars-1', 1))).rejects.toThrow(RangeError);
    await expect(audit.append(EAST, listKeys(WEST, 1))).rejects.toThrow(/awsRegion/);
    await audit.close();
    await expect(audit.append(EAST, listKeys(EAST, 3))).rejects.toThrow(/closed/);
  });

  it('a storage failure rejects every append of the batch (no call returns unaudited)', async () => {
    const inner = new MemoryAuditStorage();
    const failing: AuditStorage = {
      async open(region) {
        const store = await inner.open(region);
        return Object.assign(Object.create(store), { commit: () => Promise.reject(new Error('disk full')), head: () => store.head(), signingKey: store.signingKey.bind(store) });
      },
    };
    const audit = await AuditLog.open({ storage: failing, account: ACCOUNT, regions: [EAST] });
    const results = await Promise.allSettled([1, 2, 3].map((i) => audit.append(EAST, listKeys(EAST, i))));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
  });

  it('checks its options', async () => {
    const storage = new MemoryAuditStorage();
    await expect(AuditLog.open({ storage, account: '12', regions: [EAST] })).rejects.toThrow(/options.account/);
    await expect(AuditLog.open({ storage, account: ACCOUNT, regions: [] })).rejects.toThrow(/options.regions/);
    await expect(AuditLog.open({ storage, account: ACCOUNT, regions: [EAST], digestEvery: 0 })).rejects.toThrow(/options.digestEvery/);
    await expect(AuditLog.open({ storage: {} as AuditStorage, account: ACCOUNT, regions: [EAST] })).rejects.toThrow(/options.storage/);
  });

  it('throughput (memory storage): logged, not asserted', async () => {
    const { audit } = await openLog({ regions: [EAST] });
    const events = Array.from({ length: 2000 }, (_, i) => listKeys(EAST, i));
    for (const [label, concurrency] of [['sequential', 1], ['64 in flight', 64]] as const) {
      let next = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < events.length) await audit.append(EAST, events[next++]!);
        }),
      );
      const perSecond = Math.round(events.length / ((performance.now() - started) / 1000));
      console.log(`audit append, memory storage, ${label}: ${perSecond} records/s`);
    }
    expect((await audit.verify()).ok).toBe(true);
  });
});
