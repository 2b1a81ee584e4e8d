#!/usr/bin/env node
// envelope-kit file benchmark: kit.encryptFile / kit.decryptFile of a large Blob (256 MiB) through
// the kit's worker in headless Chromium, against bare WebCrypto AES-GCM in the same run, with the
// longest main-thread task and the extra peak memory while they run. Same approach as bench/run.mjs:
// esbuild bundles bench/file/page.ts, the kit worker and the baseline worker; a static server on
// 127.0.0.1 serves them (a secure context; COOP/COEP make the page cross-origin isolated, which
// gives it fine timers); puppeteer-core drives Debian's chromium.
//   node bench/file.mjs [--quick] [--size=<MiB>] [--reps=<n>] [--only=<regex>]      (npm run bench:file)
//     --quick     64 MiB, 1 rep (a smoke run)
//     --only=RE   only the cells whose label matches RE, e.g. --only='kit.*0x0478' --size=1024
// Exit code: 0 when every cell ran and round-tripped (missed targets are reported, not fatal).
import { createServer } from 'node:http';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import puppeteer from 'puppeteer-core';

const started = Date.now();
const root = fileURLToPath(new URL('..', import.meta.url));
const srcDir = join(root, 'bench', 'file');
// Under bench/out/ (git-ignored), beside the other benchmarks' output.
const outDir = join(root, 'bench', 'out', 'file');

const argv = process.argv.slice(2);
const option = (name) => argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
for (const arg of argv) {
  if (arg !== '--quick' && !/^--(size|reps)=\d+$/.test(arg) && !arg.startsWith('--only=')) {
    console.error(`bench:file: unknown argument ${arg}`);
    process.exit(2);
  }
}
const QUICK = argv.includes('--quick');
const MiB = 1024 * 1024;
const SIZE_MIB = Number(option('size') ?? (QUICK ? 64 : 256));
const REPS = Number(option('reps') ?? (QUICK ? 1 : 3));
const ONLY = option('only') === undefined ? undefined : new RegExp(argv.find((a) => a.startsWith('--only=')).slice('--only='.length), 'i');
const TARGETS = { vsRaw: 0.8, longestTaskMs: 50, extraMemoryMiB: 64 };
const SAMPLE_MS = 20;
const LIVE_SAMPLE_MS = 100;
const log = (line = '') => console.log(line);
const failures = [];

async function findChromium() {
  try {
    const { findBrowser } = await import('../scripts/browsers.mjs');
    const found = findBrowser('chromium');
    if (found.path) return found.path;
  } catch {
    // fall through to the usual places
  }
  for (const candidate of [process.env.CHROME_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']) {
    if (candidate && existsSync(candidate)) return candidate;
  }
  throw new Error('Chromium not found: apt-get install chromium, or set CHROME_PATH.');
}

async function build() {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: {
      page: join(srcDir, 'page.ts'),
      'kit.worker': join(root, 'workers', 'kit.worker.ts'),
      'raw.worker': join(srcDir, 'raw.worker.ts'),
    },
    outdir: outDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: 'linked',
    tsconfig: join(root, 'tsconfig.json'),
    logLevel: 'warning',
  });
  writeFileSync(
    join(outDir, 'index.html'),
    '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>envelope-kit file bench</title><script type="module" src="./page.js"></script>\n',
  );
}

/** bench/out/file over HTTP, cross-origin isolated (COOP + COEP on every response, workers included). */
function serve() {
  const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.map': 'application/json' };
  const server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url, 'http://x').pathname)).replace(/^([/\\])+/, '');
    const file = join(outDir, path === '' ? 'index.html' : path);
    if (!file.startsWith(outDir + sep) || !existsSync(file)) {
      response.writeHead(404).end('not found');
      return;
    }
    response.writeHead(200, {
      'content-type': types[extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-store',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
    });
    response.end(readFileSync(file));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

// ---------------------------------------------------------------------------------------------
// Memory: the JS heaps of the page and the kit's worker (V8 heap + ArrayBuffer backing stores +
// Blink objects, from Runtime.getHeapUsage, sampled every SAMPLE_MS), and the peak resident set of
// Chromium's processes (/proc/<pid>/status VmHWM, reset through clear_refs before each cell).

async function heapBytes(session) {
  const h = await session.send('Runtime.getHeapUsage');
  return h.usedSize + (h.backingStorageSize ?? 0) + (h.embedderHeapUsedSize ?? 0);
}

function startHeapSampler(sessions, collect) {
  let peak = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      if (collect) await Promise.all(sessions.map((s) => s.send('HeapProfiler.collectGarbage').catch(() => undefined)));
      const sizes = await Promise.all(sessions.map((s) => heapBytes(s).catch(() => 0)));
      peak = Math.max(peak, sizes.reduce((a, b) => a + b, 0));
      await new Promise((r) => setTimeout(r, collect ? LIVE_SAMPLE_MS : SAMPLE_MS));
    }
  })();
  return async () => {
    running = false;
    await loop;
    return peak;
  };
}

function procStatus(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field) => Number(text.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'))?.[1] ?? NaN);
    return { rss: kb('VmRSS') * 1024, hwm: kb('VmHWM') * 1024 };
  } catch {
    return { rss: NaN, hwm: NaN };
  }
}

/** Resets a process's peak RSS to its current RSS (Linux clear_refs "5"; needs the same user or root). */
function resetPeak(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

async function chromiumProcesses(browserSession) {
  const { processInfo } = await browserSession.send('SystemInfo.getProcessInfo');
  const groups = { renderer: [], browser: [], other: [] };
  for (const p of processInfo) (groups[p.type] ?? groups.other).push(p.id);
  return groups;
}

// ---------------------------------------------------------------------------------------------

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const spread = (xs) => (xs.length < 2 ? '' : ` ±${Math.round(((Math.max(...xs) - Math.min(...xs)) / 2 / median(xs)) * 100)}%`);
const mib = (bytes) => (Number.isFinite(bytes) ? `${(bytes / MiB).toFixed(1)}` : '-');
const verdict = (ok) => (ok ? 'ok' : 'MISSED');

function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => String(row[i]).length)));
  const line = (cells) => cells.map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

async function main() {
  log(`bench:file: bundling bench/file/page.ts, workers/kit.worker.ts and bench/file/raw.worker.ts`);
  await build();
  const server = await serve();
  const origin = `http://127.0.0.1:${server.address().port}`;
  const browser = await puppeteer.launch({
    executablePath: await findChromium(),
    headless: true,
    protocolTimeout: 15 * 60_000,
    args: [
      '--no-sandbox',
      '--headless',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-background-timer-throttling',
      '--disable-renderer-backgrounding',
    ],
  });
  try {
    return await run(browser, origin);
  } finally {
    await browser.close().catch(() => {});
    await new Promise((resolve) => server.close(resolve));
  }
}

async function run(browser, origin) {
  const page = await browser.newPage();
  page.on('pageerror', (error) => log(`bench:file: page error: ${error.message}`));
  page.on('console', (m) => (m.type() === 'error' ? log(`bench:file: page error: ${m.text()}`) : undefined));
  await page.goto(`${origin}/index.html`, { waitUntil: 'load' });
  await page.waitForFunction(() => typeof window.fileBench === 'object', { timeout: 30_000 });
  const info = await page.evaluate(() => window.fileBench.info());
  const size = SIZE_MIB * MiB;
  log(`bench:file: creating the kit, a KMS key and a ${SIZE_MIB} MiB input Blob`);
  await page.evaluate((s) => window.fileBench.setup(s), size);

  const pageSession = await page.createCDPSession();
  await pageSession.send('Performance.enable');
  const mainThread = async () => {
    const { metrics } = await pageSession.send('Performance.getMetrics');
    const get = (name) => (metrics.find((m) => m.name === name)?.value ?? NaN) * 1000;
    return { cpu: get('ThreadTime') };
  };
  const workerSession = async (name) => {
    // Worker targets are announced asynchronously, a moment after the worker starts.
    for (let waited = 0; waited < 10_000; waited += 100) {
      const worker = page.workers().find((w) => w.url().endsWith(`/${name}.js`));
      if (worker) return worker.client;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the ${name} did not show up as a DevTools target`);
  };
  // Each cell's memory is its own worker's plus the page's.
  const sessionsFor = { kit: [pageSession, await workerSession('kit.worker')], raw: [pageSession, await workerSession('raw.worker')] };
  const browserSession = await browser.target().createCDPSession();

  log('');
  log(`Chromium ${await browser.version()}; ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 1024 ** 3).toFixed(1)} GiB; load ${loadavg().map((l) => l.toFixed(2)).join(' / ')}`);
  log(
    `page: secure context ${info.isSecureContext}, cross-origin isolated ${info.crossOriginIsolated}, Long Tasks API ${info.longTaskApi}; ` +
      `kit frame length ${info.frameLength / 1024} KiB, ${info.frameConcurrency} frames in flight`,
  );
  log(`${SIZE_MIB} MiB per call, ${REPS} rep(s) per cell, cells interleaved within each rep; memory sampled every ${SAMPLE_MS} ms`);
  log('');

  const cells = [
    { id: 'raw-memory-encrypt', label: 'raw AES-GCM, in memory: encrypt', run: () => page.evaluate(() => window.fileBench.runRaw('memory', 'encrypt')) },
    { id: 'raw-memory-decrypt', label: 'raw AES-GCM, in memory: decrypt', run: () => page.evaluate(() => window.fileBench.runRaw('memory', 'decrypt')) },
    { id: 'core-stream-encrypt', label: 'core encryptStream 0x0478, in memory', run: () => page.evaluate(() => window.fileBench.runRaw('core-stream', 'encrypt')) },
    { id: 'core-stream-decrypt', label: 'core decryptStream 0x0478, in memory', run: () => page.evaluate(() => window.fileBench.runRaw('core-stream', 'decrypt')), after: 'raw-memory' },
    { id: 'raw-file-encrypt', label: 'raw AES-GCM, Blob to Blob: encrypt', run: () => page.evaluate(() => window.fileBench.runRaw('file', 'encrypt')) },
    { id: 'raw-file-decrypt', label: 'raw AES-GCM, Blob to Blob: decrypt', run: () => page.evaluate(() => window.fileBench.runRaw('file', 'decrypt')), after: 'raw' },
    ...[0x0478, 0x0578].flatMap((suite) => {
      const hex = `0x0${suite.toString(16)}`;
      return [
        { id: `kit-${hex}-encrypt`, label: `kit.encryptFile ${hex}`, kit: true, run: () => page.evaluate((s) => window.fileBench.runKit('encrypt', s), suite) },
        { id: `kit-${hex}-decrypt`, label: `kit.decryptFile ${hex}`, kit: true, verify: true, run: () => page.evaluate((s) => window.fileBench.runKit('decrypt', s), suite), after: `kit:${suite}` },
      ];
    }),
  ];
  if (ONLY) cells.splice(0, cells.length, ...cells.filter((c) => ONLY.test(c.label)));
  const results = new Map(cells.map((c) => [c.id, []]));
  const live = new Map();

  /** One call of one cell with its memory and lag; `collect` forces a GC before every heap sample. */
  const measure = async (cell, collect) => {
    const heapSessions = cell.kit ? sessionsFor.kit : sessionsFor.raw;
    // Settle: collect garbage in the page and the worker, then take the baselines.
    await Promise.all(heapSessions.map((s) => s.send('HeapProfiler.collectGarbage').catch(() => undefined)));
    await new Promise((r) => setTimeout(r, 200));
    const procs = await chromiumProcesses(browserSession);
    const all = [...procs.renderer, ...procs.browser, ...procs.other];
    const baseRss = new Map(all.map((pid) => [pid, procStatus(pid).rss]));
    const peaksReset = all.map(resetPeak).every(Boolean);
    const baseHeap = (await Promise.all(heapSessions.map(heapBytes))).reduce((a, b) => a + b, 0);
    const mainBefore = await mainThread();
    const stopSampler = startHeapSampler(heapSessions, collect);
    let result;
    try {
      result = await cell.run();
    } catch (error) {
      await stopSampler();
      failures.push(`${cell.label}: ${error.message}`);
      log(`bench:file: ${cell.label} FAILED: ${error.message}`);
      return undefined;
    }
    const peakHeap = await stopSampler();
    const mainAfter = await mainThread();
    const extraRss = (pids) => (peaksReset ? pids.reduce((sum, pid) => sum + (procStatus(pid).hwm - (baseRss.get(pid) ?? 0)), 0) : NaN);
    if (cell.verify) {
      const ok = await page.evaluate(() => window.fileBench.verify());
      if (!ok) failures.push(`${cell.label}: the decrypted Blob differs from the input`);
      await page.evaluate(() => window.fileBench.forget('plaintext'));
    }
    if (cell.after) await page.evaluate((what) => window.fileBench.forget(what), cell.after);
    return {
      ms: result.ms,
      mibs: SIZE_MIB / (result.ms / 1000),
      lag: result.lag,
      // Main-thread CPU time during the call; it includes answering the memory sampler, so it is an upper bound.
      mainCpuMs: mainAfter.cpu - mainBefore.cpu,
      progressEvents: result.progressEvents,
      heapExtra: peakHeap - baseHeap,
      rendererExtra: extraRss(procs.renderer),
      browserExtra: extraRss(procs.browser),
      otherExtra: extraRss(procs.other),
    };
  };

  for (let rep = 1; rep <= REPS; rep++) {
    for (const cell of cells) {
      const sample = await measure(cell, false);
      if (!sample) continue;
      results.get(cell.id).push(sample);
      log(
        `  rep ${rep} ${cell.label.padEnd(36)} ${sample.mibs.toFixed(0).padStart(5)} MiB/s  ${sample.ms.toFixed(0).padStart(6)} ms  ` +
          `main thread CPU ${sample.mainCpuMs.toFixed(0)} ms, longest task ${sample.lag.longestTaskMs.toFixed(0)} ms, timer lag ${sample.lag.maxTimerLagMs.toFixed(1)} ms, JS heap +${mib(sample.heapExtra)} MiB`,
      );
    }
  }
  // One more, untimed pass over the Blob cells with a full GC before each heap sample: what is
  // still reachable (the working set), as opposed to the peak above, which includes garbage that
  // V8 has not collected yet (it lets external ArrayBuffer memory grow by tens of MiB between GCs).
  for (const cell of cells.filter((c) => !c.id.startsWith('raw-memory') && !c.id.startsWith('core-stream'))) {
    const sample = await measure(cell, true);
    if (!sample) continue;
    live.set(cell.id, sample.heapExtra);
    log(`  live ${cell.label.padEnd(36)} JS heap after GC, peak +${mib(sample.heapExtra)} MiB (${sample.mibs.toFixed(0)} MiB/s under forced GCs)`);
  }
  await page.evaluate(() => window.fileBench.teardown());
  return { cells, results, live };
}

function report({ cells, results, live }) {
  const med = (id, pick) => (results.get(id)?.length ? median(results.get(id).map(pick)) : NaN);
  const max = (id, pick) => Math.max(...results.get(id).map(pick));
  const pct = (ratio) => (Number.isFinite(ratio) ? `${(ratio * 100).toFixed(0)}%` : '-');
  const rows = cells
    .filter((c) => results.get(c.id).length > 0)
    .map((c) => {
      const op = c.id.endsWith('encrypt') ? 'encrypt' : 'decrypt';
      const rate = med(c.id, (s) => s.mibs);
      const vsMemory = rate / med(`raw-memory-${op}`, (s) => s.mibs);
      const vsFile = rate / med(`raw-file-${op}`, (s) => s.mibs);
      return [
        c.label,
        `${rate.toFixed(0)}${spread(results.get(c.id).map((s) => s.mibs))}`,
        c.id.startsWith('raw-') ? '' : pct(vsMemory),
        c.kit ? pct(vsFile) : '',
        `${max(c.id, (s) => s.mainCpuMs).toFixed(0)}`,
        `${max(c.id, (s) => s.lag.longestTaskMs).toFixed(0)}`,
        `${max(c.id, (s) => s.lag.maxTimerLagMs).toFixed(1)}`,
        mib(max(c.id, (s) => s.heapExtra)),
        live.has(c.id) ? mib(live.get(c.id)) : '-',
        mib(max(c.id, (s) => s.rendererExtra)),
        mib(max(c.id, (s) => s.browserExtra)),
        mib(max(c.id, (s) => s.otherExtra)),
      ];
    });
  log('');
  log(`File benchmark: ${SIZE_MIB} MiB, MiB/s of plaintext (median of ${REPS}, ±half-range); memory and lag are the worst rep`);
  log(
    table(
      ['cell', 'MiB/s', 'vs raw mem', 'vs raw Blob', 'main CPU ms', 'longest task ms', 'timer lag ms', 'JS heap +MiB', 'live +MiB', 'renderer +MiB', 'browser +MiB', 'other +MiB'],
      rows,
    ),
  );
  log('  raw mem:   bare AES-256-GCM over an in-memory buffer in a worker (frame-sized calls, same frames in flight): the ceiling');
  log('  core:      the core\'s encryptStream / decryptStream alone, memory to memory in a worker, raw AES keyring (no KMS, no Blob I/O)');
  log('  raw Blob:  the same, reading Blob slices and writing Blob parts as the kit worker does: the like-for-like baseline');
  log('  JS heap:   page + the cell\'s worker, V8 heap + ArrayBuffer backing stores + Blink objects (Runtime.getHeapUsage), peak - baseline');
  log(`  live:      the same after a forced full GC every ${LIVE_SAMPLE_MS} ms (separate untimed pass): memory actually reachable`);
  log('  renderer / browser / other: peak RSS - RSS before the cell, per Chromium process type (/proc VmHWM after clear_refs);');
  log('             the browser process holds the blob store, i.e. the output file itself until Chromium pages it to disk');
  log('  main CPU:  CPU time of the page\'s main thread during the whole call (DevTools ThreadTime; includes answering the sampler)');
  log('  longest task: Long Tasks API on the page (reports tasks >= 50 ms; 0 = none); timer lag: worst lateness of a 10 ms timer');

  log('');
  log('Targets (kit cells):');
  for (const c of cells.filter((cell) => cell.kit && results.get(cell.id).length > 0)) {
    const op = c.id.endsWith('encrypt') ? 'encrypt' : 'decrypt';
    const rate = med(c.id, (s) => s.mibs);
    const r1 = rate / med(`raw-memory-${op}`, (s) => s.mibs);
    const r2 = rate / med(`raw-file-${op}`, (s) => s.mibs);
    if (!Number.isFinite(r1)) continue;
    log(`  [${verdict(r1 >= TARGETS.vsRaw)}] ${c.label} throughput >= ${TARGETS.vsRaw * 100}% of raw AES-GCM in memory: ${pct(r1)} (vs raw Blob to Blob: ${pct(r2)})`);
  }
  const kitCells = cells.filter((c) => c.kit && results.get(c.id).length > 0);
  if (kitCells.length === 0) {
    log('  (no kit cell ran: see Problems)');
    return;
  }
  const longest = Math.max(...kitCells.map((c) => max(c.id, (s) => s.lag.longestTaskMs)));
  const lag = Math.max(...kitCells.map((c) => max(c.id, (s) => s.lag.maxTimerLagMs)));
  const cpu = Math.max(...kitCells.map((c) => max(c.id, (s) => s.mainCpuMs)));
  log(
    `  [${verdict(longest < TARGETS.longestTaskMs)}] longest main-thread task < ${TARGETS.longestTaskMs} ms: long tasks ${longest === 0 ? 'none' : `${longest.toFixed(0)} ms`} ` +
      `(worst timer lag ${lag.toFixed(1)} ms; main-thread CPU for a whole call at most ${cpu.toFixed(0)} ms)`,
  );
  const heap = Math.max(...kitCells.map((c) => max(c.id, (s) => s.heapExtra)));
  const renderer = Math.max(...kitCells.map((c) => max(c.id, (s) => s.rendererExtra)));
  const liveMax = Math.max(...kitCells.map((c) => live.get(c.id) ?? NaN));
  log(
    `  [${verdict(heap < TARGETS.extraMemoryMiB * MiB)}] extra peak memory < ${TARGETS.extraMemoryMiB} MiB: JS heap of page + worker +${mib(heap)} MiB ` +
      `(renderer process RSS +${mib(renderer)} MiB; reachable after GC +${mib(liveMax)} MiB)`,
  );
}

try {
  const results = await main();
  report(results);
  log('');
  if (failures.length > 0) {
    log(`Problems (${failures.length}): these make the run exit 1`);
    for (const failure of failures) log(`  - ${failure}`);
  }
  log(`bench:file: load average at the end ${loadavg().map((l) => l.toFixed(2)).join(' / ')}; finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  process.exitCode = failures.length > 0 ? 1 : 0;
} catch (error) {
  console.error('bench:file: ERROR:', error?.stack ?? error);
  process.exitCode = 1;
}
