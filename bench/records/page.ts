/**
 * The page half of bench/records.mjs: kit.table (DB-ESDK items encrypted in the kit's worker,
 * IndexedDB, beacon index) against plain IndexedDB holding the same items unencrypted with an
 * index on the queried field, in the same page and the same run. Item generation is outside every
 * timed span; Node gets plain JSON.
 */
import { openDB, type DBSchema } from 'idb';
import { createKit, type Kit } from '../../src/client/kit.js';
import { branchKeyStoreNames } from '../../src/client/protocol.js';
import { deleteKmsStorage } from '../../src/kms/index.js';
import { tableDatabaseName, type KitTableConfig } from '../../src/client/tables/protocol.js';
import type { Item } from '../../src/records/index.js';

const REGIONS = ['us-east-1'];

interface Row {
  id: string;
  title: string;
  body: string;
  tag: string;
}

interface PlainDB extends DBSchema {
  items: { key: string; value: Row; indexes: { title: string } };
}

function rows(count: number): Row[] {
  const filler = 'lorem ipsum dolor sit amet '.repeat(8);
  return Array.from({ length: count }, (_, i) => ({ id: `r-${i}`, title: `Title ${i % 1000}`, body: `${i} ${filler}`, tag: `tag-${i % 50}` }));
}

const toItem = (r: Row): Item => ({ id: { S: r.id }, title: { S: r.title }, body: { S: r.body }, tag: { S: r.tag } });

/** Items per second (or queries per second) of `count` operations that took `ms`. */
const rate = (count: number, ms: number) => (count * 1000) / ms;

export interface RecordsResult {
  readonly label: string;
  readonly putPerSec: number;
  readonly getPerSec: number;
  readonly getOnePerSec: number;
  readonly queryPerSec: number;
  readonly queryMatches: number;
  readonly scanMs: number;
}

function deleteDatabase(name: string): Promise<unknown> {
  return new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = request.onerror = request.onblocked = resolve;
  });
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

async function kitTable(count: number, batch: number, queries: number, singles: number, suite: 0x6700 | 0x6701): Promise<RecordsResult> {
  const name = `bench-records-${crypto.randomUUID()}`;
  const kit: Kit = await createKit({ name, regions: REGIONS, worker: new Worker('./kit.worker.js', { type: 'module' }) });
  try {
    const keyArn = (await kit.kms('us-east-1').createKey({})).KeyMetadata.Arn;
    const branchKeyId = await kit.createBranchKey({ keyId: keyArn });
    const config: KitTableConfig = {
      partitionKeyName: 'id',
      attributeActionsOnEncrypt: { id: 'SIGN_ONLY', title: 'ENCRYPT_AND_SIGN', body: 'ENCRYPT_AND_SIGN', tag: 'ENCRYPT_AND_SIGN' },
      branchKeyId,
      algorithmSuiteId: suite,
      beacons: { standardBeacons: [{ name: 'title', length: 16 }, { name: 'tag', length: 8 }] },
    };
    const table = kit.table('items', config);
    const items = rows(count).map(toItem);
    const keys = items.map((i) => ({ id: i.id! }));
    await table.put(items[0]!); // opens the table and warms the branch key cache, outside the timing
    const putMs = await time(async () => {
      for (let i = 0; i < count; i += batch) await table.putMany(items.slice(i, i + batch));
    });
    const getMs = await time(async () => {
      for (let i = 0; i < count; i += batch) await table.getMany(keys.slice(i, i + batch));
    });
    const getOneMs = await time(async () => {
      for (let i = 0; i < singles; i++) await table.get(keys[(i * 7919) % count]!);
    });
    let matches = 0;
    const queryMs = await time(async () => {
      for (let q = 0; q < queries; q++) matches += (await table.query({ beacon: { title: `Title ${(q * 37) % 1000}` } })).length;
    });
    const scanMs = await time(() => table.scan());
    return { label: `kit.table, suite 0x${suite.toString(16)}`, putPerSec: rate(count, putMs), getPerSec: rate(count, getMs), getOnePerSec: rate(singles, getOneMs), queryPerSec: rate(queries, queryMs), queryMatches: matches / queries, scanMs };
  } finally {
    await kit.close();
    await deleteKmsStorage({ storage: 'indexeddb', name, regions: REGIONS });
    await deleteDatabase(branchKeyStoreNames(name).database);
    await deleteDatabase(tableDatabaseName(name, 'items'));
  }
}

async function plainIndexedDb(count: number, batch: number, queries: number, singles: number): Promise<RecordsResult> {
  const name = `bench-plain-${crypto.randomUUID()}`;
  const db = await openDB<PlainDB>(name, 1, {
    upgrade(database) {
      database.createObjectStore('items', { keyPath: 'id' }).createIndex('title', 'title');
    },
  });
  try {
    const all = rows(count);
    const putMs = await time(async () => {
      for (let i = 0; i < count; i += batch) {
        const tx = db.transaction('items', 'readwrite');
        await Promise.all([...all.slice(i, i + batch).map((r) => tx.store.put(r)), tx.done]);
      }
    });
    const getMs = await time(async () => {
      for (let i = 0; i < count; i += batch) {
        const tx = db.transaction('items');
        await Promise.all([...all.slice(i, i + batch).map((r) => tx.store.get(r.id)), tx.done]);
      }
    });
    const getOneMs = await time(async () => {
      for (let i = 0; i < singles; i++) await db.get('items', all[(i * 7919) % count]!.id);
    });
    let matches = 0;
    const queryMs = await time(async () => {
      for (let q = 0; q < queries; q++) matches += (await db.getAllFromIndex('items', 'title', `Title ${(q * 37) % 1000}`)).length;
    });
    const scanMs = await time(() => db.getAll('items'));
    return { label: 'plain IndexedDB (no encryption)', putPerSec: rate(count, putMs), getPerSec: rate(count, getMs), getOnePerSec: rate(singles, getOneMs), queryPerSec: rate(queries, queryMs), queryMatches: matches / queries, scanMs };
  } finally {
    db.close();
    await deleteDatabase(name);
  }
}

declare global {
  interface Window {
    recordsBench: {
      kitTable: typeof kitTable;
      plainIndexedDb: typeof plainIndexedDb;
    };
  }
}

window.recordsBench = { kitTable, plainIndexedDb };
