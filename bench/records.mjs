#!/usr/bin/env node
// Encrypted records (issue 13): kit.table put / get / query of 10,000 items (DB-ESDK item format,
// encrypted in the kit's worker, beacon index) against plain IndexedDB with the same items
// unencrypted and an index on the queried field, in one headless Chromium page, the same run.
//   node bench/records.mjs [--count=10000] [--batch=1000] [--queries=200] [--singles=500]
// Run under the machine-wide lock: flock /tmp/bench.lock node bench/records.mjs
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { bundlePage, launchChromium, serveDirectory } from './support.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = join(root, 'bench', 'out', 'records');
const option = (name, fallback) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const COUNT = option('count', 10_000);
const BATCH = option('batch', 1000);
const QUERIES = option('queries', 200);
const SINGLES = option('singles', 500);
const log = (line = '') => console.log(line);
const fmt = (n) => Math.round(n).toLocaleString('en-US');

async function main() {
  await bundlePage(outDir, { page: join(root, 'bench', 'records', 'page.ts'), 'kit.worker': join(root, 'workers', 'kit.worker.ts') }, { title: 'envelope-kit records bench' });
  const { server, origin } = await serveDirectory(outDir);
  const browser = await launchChromium();
  const load = loadavg()[0];
  try {
    const page = await browser.newPage();
    page.on('pageerror', (error) => log(`bench:records: page error: ${error.message}`));
    page.on('console', (m) => (m.type() === 'error' ? log(`bench:records: console: ${m.text()}`) : undefined));
    await page.goto(`${origin}/index.html`, { waitUntil: 'load' });
    await page.waitForFunction(() => typeof window.recordsBench === 'object', { timeout: 30_000 });
    page.setDefaultTimeout(900_000);
    log(`Chromium ${await browser.version()}; ${cpus().length} cores (${cpus()[0]?.model ?? '?'}); load average ${load.toFixed(2)}`);
    log(`${fmt(COUNT)} items (4 attributes, ~250 bytes), put/get in batches of ${fmt(BATCH)} (one worker round trip and one transaction each); ` +
      `${fmt(SINGLES)} single gets; ${fmt(QUERIES)} equality queries on a 16-bit title beacon (10 matches each)`);
    const results = [];
    results.push(await page.evaluate((c, b, q, s) => window.recordsBench.plainIndexedDb(c, b, q, s), COUNT, BATCH, QUERIES, SINGLES));
    for (const suite of [0x6700, 0x6701]) results.push(await page.evaluate((c, b, q, s, su) => window.recordsBench.kitTable(c, b, q, s, su), COUNT, BATCH, QUERIES, SINGLES, suite));
    const plain = results[0];
    log('');
    log(`${'store'.padEnd(34)}${'put items/s'.padStart(14)}${'get items/s'.padStart(14)}${'single get/s'.padStart(14)}${'queries/s'.padStart(12)}${'matches/query'.padStart(15)}${'scan ms'.padStart(10)}`);
    for (const r of results) {
      log(`${r.label.padEnd(34)}${fmt(r.putPerSec).padStart(14)}${fmt(r.getPerSec).padStart(14)}${fmt(r.getOnePerSec).padStart(14)}${fmt(r.queryPerSec).padStart(12)}${r.queryMatches.toFixed(1).padStart(15)}${fmt(r.scanMs).padStart(10)}`);
    }
    log('');
    for (const r of results.slice(1)) {
      const x = (a, b) => `${(b / a).toFixed(1)}x`;
      log(`${r.label} is slower than plain IndexedDB by: put ${x(r.putPerSec, plain.putPerSec)}, get ${x(r.getPerSec, plain.getPerSec)}, single get ${x(r.getOnePerSec, plain.getOnePerSec)}, query ${x(r.queryPerSec, plain.queryPerSec)}`);
    }
    const wrong = results.filter((r) => Math.abs(r.queryMatches - plain.queryMatches) > 1e-9);
    if (wrong.length > 0) {
      log(`bench:records: PROBLEM: queries found ${wrong.map((r) => r.queryMatches).join(', ')} matches, plain IndexedDB ${plain.queryMatches}`);
      process.exitCode = 2;
    }
  } finally {
    await browser.close().catch(() => {});
    await new Promise((resolve) => server.close(resolve));
  }
}

main().catch((error) => {
  console.error(`bench:records: ${error.stack ?? error}`);
  process.exitCode = 2;
});
