#!/usr/bin/env node
// Copy or transfer (issue 10): what the kit's default, copying the caller's bytes to its worker,
// costs against `{ transfer: true }`, for 64 MiB one-shot messages and batches of 1 KiB records,
// in headless Chromium through the kit's real worker. Both modes alternate (ABBA) in one run; the
// ratio copy / transfer of the medians is the figure the README quotes.
//   node bench/transfer.mjs [--rounds=6] [--mib=64] [--per-batch=1000] [--record=1024]
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundlePage, launchChromium, median, serveDirectory } from './support.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = join(root, 'bench', 'out', 'transfer');
const option = (name, fallback) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const ROUNDS = option('rounds', 6);
const MIB = option('mib', 64);
const PER_BATCH = option('per-batch', 1000);
const RECORD = option('record', 1024);
const log = (line = '') => console.log(line);
const fmt = (n) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));

async function main() {
  await bundlePage(outDir, { page: join(root, 'bench', 'transfer', 'page.ts'), 'kit.worker': join(root, 'workers', 'kit.worker.ts') }, { title: 'envelope-kit copy or transfer' });
  const { server, origin } = await serveDirectory(outDir);
  const browser = await launchChromium();
  let failed = false;
  try {
    const page = await browser.newPage();
    page.on('pageerror', (error) => log(`bench:transfer: page error: ${error.message}`));
    await page.goto(`${origin}/index.html`, { waitUntil: 'load' });
    await page.waitForFunction(() => typeof window.benchTransfer === 'object', { timeout: 30_000 });
    await page.evaluate(() => window.benchTransfer.open());
    log(`Chromium ${await browser.version()}; ${cpus().length} cores; load ${loadavg().map((l) => l.toFixed(2)).join(' / ')}; ${ROUNDS} rounds, copy and transfer alternating`);
    const cells = await page.evaluate((a) => window.benchTransfer.pairs(a.rounds, a.record, a.perBatch, a.mib), { rounds: ROUNDS, record: RECORD, perBatch: PER_BATCH, mib: MIB });
    await page.evaluate(() => window.benchTransfer.close());
    const rows = cells.map((c) => [c.cell, `${fmt(median(c.copy))} ${c.unit}`, `${fmt(median(c.transfer))} ${c.unit}`, `${((median(c.copy) / median(c.transfer)) * 100).toFixed(0)}%`]);
    const header = ['call', 'copy (default), median', '{ transfer: true }, median', 'copy / transfer'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    log('');
    log(`| ${header.map((h, i) => h.padEnd(widths[i])).join(' | ')} |`);
    log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
    for (const row of rows) log(`| ${row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`);
  } catch (error) {
    failed = true;
    log(`bench:transfer: FAILED: ${error?.stack ?? error}`);
  } finally {
    await browser.close().catch(() => {});
    await new Promise((resolve) => server.close(resolve));
  }
  process.exitCode = failed ? 1 : 0;
}

main();
