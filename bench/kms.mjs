#!/usr/bin/env node
// envelope-kit KMS benchmark: GenerateDataKey and Decrypt calls per second of the simulated KMS,
// inside a dedicated Web Worker in headless Chromium, with IndexedDB storage (as the kit runs it)
// and with memory storage for comparison, audit log off and on in alternating time boxes of the
// same run (the on / off ratio per adjacent pair is the figure). Same approach as bench/run.mjs:
// esbuild bundles bench/kms/page.ts and bench/kms/worker.ts, a static server on 127.0.0.1 (a
// secure context, so crypto.subtle works) serves them, puppeteer-core drives Debian's chromium.
//   node bench/kms.mjs [--quick]     (npm run bench:kms)
// Exit code 0 when every cell ran and round-tripped; 1 otherwise.

import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundlePage, launchChromium, median, serveDirectory } from './support.mjs';

const started = Date.now();
const root = fileURLToPath(new URL('..', import.meta.url));
const srcDir = join(root, 'bench', 'kms');
// Under bench/out/ (git-ignored), beside bench/run.mjs's output.
const outDir = join(root, 'bench', 'out', 'kms');
const args = new Set(process.argv.slice(2));
for (const arg of args) {
  if (arg !== '--quick') {
    console.error(`bench:kms: unknown argument ${arg}`);
    process.exit(2);
  }
}
const QUICK = args.has('--quick');
const BUDGET_MS = QUICK ? 300 : 1500;
const REPS = QUICK ? 2 : 6;
const CONCURRENCY = 8;
const log = (line = '') => console.log(line);

async function build() {
  await bundlePage(outDir, { page: join(srcDir, 'page.ts'), worker: join(srcDir, 'worker.ts') }, { title: 'envelope-kit KMS bench' });
}

const spread = (xs) => (xs.length < 2 ? '' : ` ±${Math.round(((Math.max(...xs) - Math.min(...xs)) / 2 / median(xs)) * 100)}%`);
const fmt = (v) => Math.round(v).toLocaleString('en-US');

async function main() {
  log('bench:kms: bundling bench/kms/page.ts and bench/kms/worker.ts');
  await build();
  const { server, origin } = await serveDirectory(outDir);
  const browser = await launchChromium({ protocolTimeout: 10 * 60_000 });
  let failed = false;
  try {
    const page = await browser.newPage();
    page.on('pageerror', (error) => log(`bench:kms: page error: ${error.message}`));
    page.on('console', (m) => (m.type() === 'error' ? log(`bench:kms: page error: ${m.text()}`) : undefined));
    await page.goto(`${origin}/index.html`, { waitUntil: 'load' });
    await page.waitForFunction(() => typeof window.benchKms === 'object', { timeout: 30_000 });
    const info = await page.evaluate(() => window.benchKms.info());
    log('');
    log(`Chromium ${await browser.version()}; ${cpus().length} cores (${cpus()[0]?.model ?? '?'}); load ${loadavg().map((l) => l.toFixed(2)).join(' / ')}`);
    log(`secure context ${info.isSecureContext}, IndexedDB ${info.indexedDB}; ${REPS} x ${BUDGET_MS} ms per cell after a warm-up; 32-byte data keys, 2-pair encryption context`);
    const rows = [];
    // Audit off and on, side by side in alternating boxes: issue 4 asks that auditing not halve
    // cryptographic throughput. The verdict uses the median of the per-pair ratios.
    for (const storage of ['indexeddb', 'memory']) {
      log(`bench:kms: measuring ${storage} storage, audit off and on alternately, in a dedicated worker ...`);
      try {
        const results = await page.evaluate((request) => window.benchKms.run(request), { storage, budgetMs: BUDGET_MS, reps: REPS, concurrency: CONCURRENCY });
        for (const r of results) {
          const ratio = median(r.ratios);
          const verdict = ratio >= 0.5 ? 'met' : 'MISSED';
          rows.push([storage, r.op, String(r.inFlight), `${fmt(median(r.off))}${spread(r.off)}`, `${fmt(median(r.on))}${spread(r.on)}`, `${(ratio * 100).toFixed(0)}%${spread(r.ratios)}`, verdict]);
        }
      } catch (error) {
        failed = true;
        log(`bench:kms: ${storage} FAILED: ${error.message}`);
      }
    }
    const header = ['storage', 'operation', 'in flight', 'audit off calls/s', 'audit on calls/s', 'on / off (median of pairs)', '>= 50%'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
    log('');
    log(header.map((h, i) => h.padEnd(widths[i])).join('  '));
    log(widths.map((w) => '-'.repeat(w)).join('  '));
    for (const row of rows) log(row.map((c, i) => (i >= 2 && i <= 5 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  "));
  } finally {
    await browser.close().catch(() => {});
    await new Promise((resolve) => server.close(resolve));
  }
  log('');
  log(`bench:kms: finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  process.exitCode = failed ? 1 : 0;
}

main().catch((error) => {
  console.error('bench:kms: ERROR:', error?.stack ?? error);
  process.exitCode = 1;
});
