#!/usr/bin/env node
// envelope-kit disk-output benchmark: kit.encryptFile and kit.decryptFile of a large file (1 GiB by
// default) from an OPFS file to an OPFS file (`call.output`) in headless Chromium, with throughput
// and peak memory: the JS heaps of the page and the kit's worker (sampled over CDP) and the resident
// memory of all Chromium processes (/proc VmRSS, sampled). With `output` nothing is held as a Blob,
// so the figures should not grow with the size (compare --size=256 with --size=2048).
//   node bench/file-disk.mjs [--size=<MiB>] [--suite=0x0478|0x0578|both]
// Built like bench/file.mjs, served and launched with bench/support.mjs; output under
// bench/out/file-disk (git-ignored).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundlePage, launchChromium, serveDirectory } from './support.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = join(root, 'bench', 'out', 'file-disk');
const argv = process.argv.slice(2);
const option = (name) => argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const MiB = 1024 * 1024;
const SIZE_MIB = Number(option('size') ?? 1024);
const SUITES = { '0x0478': [0x0478], '0x0578': [0x0578], both: [0x0478, 0x0578] }[option('suite') ?? 'both'];
if (!SUITES || !(SIZE_MIB > 0)) {
  console.error('usage: node bench/file-disk.mjs [--size=<MiB>] [--suite=0x0478|0x0578|both]');
  process.exit(2);
}
const log = (line = '') => console.log(line);
const mib = (bytes) => (bytes / MiB).toFixed(1);
const SAMPLE_MS = 50;

async function build() {
  await bundlePage(outDir, { page: join(root, 'bench', 'file-disk', 'page.ts'), 'kit.worker': join(root, 'workers', 'kit.worker.ts') }, { title: 'envelope-kit disk bench' });
}

function rss(pid) {
  try {
    return Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

const heapBytes = (session) =>
  session.send('Runtime.getHeapUsage').then((h) => h.usedSize + (h.backingStorageSize ?? 0) + (h.embedderHeapUsedSize ?? 0), () => 0);

async function chromiumRss(browserSession) {
  const { processInfo } = await browserSession.send('SystemInfo.getProcessInfo');
  return processInfo.reduce((sum, p) => sum + rss(p.id), 0);
}

/**
 * Collects garbage in the page and the worker (what earlier cells and the verification left), then
 * returns the baseline a cell's peaks are measured against: each thread's JS heap, and Chromium's RSS.
 */
async function settle(sessions, browserSession) {
  await Promise.all(sessions.map((s) => s.send('HeapProfiler.collectGarbage').catch(() => undefined)));
  await new Promise((r) => setTimeout(r, 200));
  return { heaps: await Promise.all(sessions.map(heapBytes)), rss: await chromiumRss(browserSession) };
}

/**
 * Samples every SAMPLE_MS until stopped: the page's and the worker's JS heaps, asked at once, and
 * the summed RSS of Chromium's processes. Returns the peaks: of the heaps' sum, of each thread, of RSS.
 */
function sampler(sessions, browserSession) {
  let running = true;
  const peak = { heap: 0, each: sessions.map(() => 0), rss: 0 };
  const loop = (async () => {
    while (running) {
      const heaps = await Promise.all(sessions.map(heapBytes));
      heaps.forEach((h, i) => (peak.each[i] = Math.max(peak.each[i], h)));
      peak.heap = Math.max(peak.heap, heaps.reduce((a, b) => a + b, 0));
      peak.rss = Math.max(peak.rss, await chromiumRss(browserSession));
      await new Promise((r) => setTimeout(r, SAMPLE_MS));
    }
  })();
  return async () => {
    running = false;
    await loop;
    return peak;
  };
}

async function main() {
  await build();
  const { server, origin } = await serveDirectory(outDir);
  const browser = await launchChromium({ protocolTimeout: 30 * 60_000 });
  let ok = true;
  try {
    const page = await browser.newPage();
    page.on('pageerror', (error) => log(`bench:file-disk: page error: ${error.message}`));
    await page.goto(`${origin}/index.html`, { waitUntil: 'load' });
    await page.waitForFunction(() => typeof window.fileDiskBench === 'object', { timeout: 30_000 });
    log(`bench:file-disk: writing a ${SIZE_MIB} MiB OPFS input file`);
    await page.evaluate((s) => window.fileDiskBench.setup(s), SIZE_MIB * MiB);
    const pageSession = await page.createCDPSession();
    let worker;
    for (let waited = 0; !worker && waited < 10_000; waited += 100) {
      worker = page.workers().find((w) => w.url().endsWith('/kit.worker.js'));
      if (!worker) await new Promise((r) => setTimeout(r, 100));
    }
    const sessions = [pageSession, ...(worker ? [worker.client] : [])];
    const browserSession = await browser.target().createCDPSession();
    const idle = await settle(sessions, browserSession);
    log(`Chromium ${await browser.version()}; idle: JS heap page ${mib(idle.heaps[0])} MiB, worker ${mib(idle.heaps[1] ?? 0)} MiB; Chromium RSS ${mib(idle.rss)} MiB`);
    log(`memory: extra over a baseline taken after a forced GC before each cell; JS heaps (Runtime.getHeapUsage) sampled every ${SAMPLE_MS} ms, RSS (/proc VmRSS of all Chromium processes) likewise`);
    log('');
    log('cell                          MiB/s   seconds   JS heap +MiB (page / worker)   Chromium RSS +MiB');
    for (const suite of SUITES) {
      const hex = `0x0${suite.toString(16)}`;
      for (const op of ['encrypt', 'decrypt']) {
        const base = await settle(sessions, browserSession);
        const stop = sampler(sessions, browserSession);
        const r = await page.evaluate((o, s) => window.fileDiskBench[o](s), op, suite);
        const peak = await stop();
        const rate = r.inBytes / MiB / (r.ms / 1000);
        const heap = `${mib(peak.heap - base.heaps.reduce((a, b) => a + b, 0))} (${peak.each.map((p, i) => mib(p - base.heaps[i])).join(' / ')})`;
        log(`${`${op}File ${hex} OPFS->OPFS`.padEnd(28)}  ${rate.toFixed(0).padStart(5)}  ${(r.ms / 1000).toFixed(1).padStart(8)}  ${heap.padStart(29)}  ${mib(peak.rss - base.rss).padStart(18)}`);
      }
      const same = await page.evaluate((s) => window.fileDiskBench.verify(s), suite);
      log(`  ${hex}: decrypted file ${same ? 'equals' : 'DIFFERS FROM'} the input (${SIZE_MIB} MiB)`);
      ok &&= same;
      await page.evaluate((s) => window.fileDiskBench.drop(s), suite);
    }
    await page.evaluate(() => window.fileDiskBench.teardown());
  } finally {
    await browser.close().catch(() => undefined);
    await new Promise((resolve) => server.close(resolve));
  }
  log('');
  log(`bench:file-disk: ${ok ? 'PASS' : 'FAIL'}`);
  process.exit(ok ? 0 : 1);
}

main().catch((error) => {
  console.error(`bench:file-disk: ${error?.stack ?? error}`);
  process.exit(1);
});
