#!/usr/bin/env node
// envelope-kit file benchmark: kit.encryptFile / kit.decryptFile of a large Blob (256 MiB) through
// the kit's worker in headless Chromium, with the default suite (no suiteId: 0x0578, signed) and
// with 0x0478, against baselines in the same run (bench/file/raw.worker.ts): bare WebCrypto AES-GCM
// in memory and Blob to Blob, the Blob I/O alone, the streaming signature's SHA-384 alone; with the
// longest main-thread task and the extra peak memory (JS heaps sampled, renderer RSS peak exact)
// while they run. Same approach as bench/run.mjs: esbuild bundles bench/file/page.ts, the kit
// worker and the baseline worker; a static server on 127.0.0.1 serves them (a secure context;
// COOP/COEP make the page cross-origin isolated, which gives it fine timers); puppeteer-core drives
// Debian's chromium. bench/README.md ("Files") says what each cell is and how to read the report.
//   node bench/file.mjs [--quick] [--size=<MiB>] [--reps=<n>] [--only=<regex>]      (npm run bench:file)
//     --quick     64 MiB, 1 rep (a smoke run)
//     --only=RE   only the cells whose label matches RE, e.g. --only='kit.*0x0478'
//     --size: past 256 MiB headless Chromium's blob store fails reads here; bench/file-disk.mjs is for larger files
// Exit code: 0 when every cell ran and round-tripped (missed targets are reported, not fatal).
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundlePage, launchChromium, median, serveDirectory } from './support.mjs';

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
const TARGETS = { vsRaw: 0.8, longestTaskMs: 50, extraMemoryMiB: 64, signedVsUnsigned: 0.8 };
const SAMPLE_MS = 20;
const LIVE_SAMPLE_MS = 100;
const log = (line = '') => console.log(line);
const failures = [];

async function build() {
  await bundlePage(
    outDir,
    { page: join(srcDir, 'page.ts'), 'kit.worker': join(root, 'workers', 'kit.worker.ts'), 'raw.worker': join(srcDir, 'raw.worker.ts') },
    { title: 'envelope-kit file bench' },
  );
}

/** Cross-origin isolation (COOP + COEP on every response, workers included): without it the page's timers are coarse. */
const ISOLATED = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

// ---------------------------------------------------------------------------------------------
// Memory: the JS heaps of the page and the cell's worker (V8 heap + ArrayBuffer backing stores +
// Blink objects, from Runtime.getHeapUsage), and the peak resident set of Chromium's processes
// (/proc/<pid>/status VmHWM, reset through clear_refs before each cell).

async function heapBytes(session) {
  const h = await session.send('Runtime.getHeapUsage');
  return h.usedSize + (h.backingStorageSize ?? 0) + (h.embedderHeapUsedSize ?? 0);
}

/** Samples `sessions` (page first, then the worker) until stopped; `collect` forces a full GC before each round. */
function startHeapSampler(sessions, collect) {
  const peak = { sum: 0, each: sessions.map(() => 0), rounds: 0, startedAt: performance.now(), stoppedAt: 0 };
  let running = true;
  const loop = (async () => {
    while (running) {
      if (collect) await Promise.all(sessions.map((s) => s.send('HeapProfiler.collectGarbage').catch(() => undefined)));
      const sizes = await Promise.all(sessions.map((s) => heapBytes(s).catch(() => 0)));
      sizes.forEach((size, i) => (peak.each[i] = Math.max(peak.each[i], size)));
      peak.sum = Math.max(peak.sum, sizes.reduce((a, b) => a + b, 0));
      peak.rounds++;
      await new Promise((r) => setTimeout(r, collect ? LIVE_SAMPLE_MS : SAMPLE_MS));
    }
  })();
  return async () => {
    running = false;
    await loop;
    peak.stoppedAt = performance.now();
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

/** CPU time a process has used so far, all its threads, in ms (/proc/<pid>/stat utime + stime, in clock ticks of 10 ms). */
function procCpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

async function chromiumProcesses(browserSession) {
  const { processInfo } = await browserSession.send('SystemInfo.getProcessInfo');
  const groups = { renderer: [], browser: [], other: [] };
  for (const p of processInfo) (groups[p.type] ?? groups.other).push(p.id);
  return groups;
}

// ---------------------------------------------------------------------------------------------

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
  const { server, origin } = await serveDirectory(outDir, { headers: ISOLATED });
  const browser = await launchChromium();
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
      const worker = page.workers().find((w) => w.url().endsWith(name.includes('.js') ? `/${name}` : `/${name}.js`));
      if (worker) return worker.client;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the ${name} did not show up as a DevTools target`);
  };
  // Each cell's memory is its own worker's plus the page's.
  const sessionsFor = {
    kit: [pageSession, await workerSession('kit.worker')],
    alone: [pageSession, await workerSession('kit.worker.js?alone')],
    raw: [pageSession, await workerSession('raw.worker')],
  };
  const browserSession = await browser.target().createCDPSession();

  log('');
  log(`Chromium ${await browser.version()}; ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 1024 ** 3).toFixed(1)} GiB; load ${loadavg().map((l) => l.toFixed(2)).join(' / ')}`);
  log(
    `page: secure context ${info.isSecureContext}, cross-origin isolated ${info.crossOriginIsolated}, Long Tasks API ${info.longTaskApi}; ` +
      `kit frame length ${info.frameLength / 1024} KiB, ${info.frameConcurrency} frames in flight`,
  );
  log(`${SIZE_MIB} MiB per call, ${REPS} rep(s) per cell, cells interleaved within each rep`);
  log(`memory: JS heaps of the page and the cell's worker sampled together every ${SAMPLE_MS} ms (DevTools Runtime.getHeapUsage), Chromium processes' peak RSS (kernel VmHWM)`);
  log('');

  const raw = (form, op) => () => page.evaluate((f, o) => window.fileBench.runRaw(f, o), form, op);
  const inMemory = (form, op) => () => page.evaluate((f, o) => window.fileBench.prepareRaw(f, o), form, op);
  const kitCell = (suite, op, alone = false) => {
    const name = suite === 'default' ? 'default suite' : `0x0${suite.toString(16)}`;
    return {
      id: `kit-${suite}-${alone ? 'alone-' : ''}${op}`,
      op,
      label: `kit.${op}File ${name}${alone ? ', no helper' : ''}`,
      kit: true,
      alone,
      suite,
      verify: op === 'decrypt',
      run: () => page.evaluate((s, o, a) => window.fileBench.runKit(o, s, a), suite, op, alone),
      after: op === 'decrypt' ? `kit:${suite}${alone ? ':alone' : ''}` : undefined,
    };
  };
  const cells = [
    { id: 'raw-memory-encrypt', op: 'encrypt', label: 'raw AES-GCM in memory: encrypt', prepare: inMemory('memory', 'encrypt'), run: raw('memory', 'encrypt') },
    { id: 'raw-memory-decrypt', op: 'decrypt', label: 'raw AES-GCM in memory: decrypt', prepare: inMemory('memory', 'decrypt'), run: raw('memory', 'decrypt') },
    { id: 'sha384', label: 'SHA-384 alone (no cipher)', prepare: inMemory('hash', 'encrypt'), run: raw('hash', 'encrypt') },
    { id: 'core-stream-encrypt', op: 'encrypt', label: 'core encryptStream 0x0478 in memory', prepare: inMemory('core-stream', 'encrypt'), run: raw('core-stream', 'encrypt') },
    { id: 'core-stream-decrypt', op: 'decrypt', label: 'core decryptStream 0x0478 in memory', run: raw('core-stream', 'decrypt'), after: 'raw-memory' },
    { id: 'blob-io', label: 'Blob I/O alone (no cipher)', blob: true, run: raw('blob-io', 'encrypt') },
    { id: 'raw-file-encrypt', op: 'encrypt', label: 'raw AES-GCM Blob to Blob: encrypt', blob: true, run: raw('file', 'encrypt') },
    { id: 'raw-file-decrypt', op: 'decrypt', label: 'raw AES-GCM Blob to Blob: decrypt', blob: true, run: raw('file', 'decrypt'), after: 'raw' },
    ...['default', 0x0478].flatMap((suite) => [kitCell(suite, 'encrypt'), kitCell(suite, 'decrypt')]),
    // The default suite with `helperWorkers: 0`: the hash on the kit worker's thread, as before issue 16's offload.
    kitCell('default', 'encrypt', true),
    kitCell('default', 'decrypt', true),
  ];
  if (ONLY) cells.splice(0, cells.length, ...cells.filter((c) => ONLY.test(c.label)));
  const results = new Map(cells.map((c) => [c.id, []]));
  const live = new Map();

  /** One call of one cell with its memory and lag; `collect` forces a GC before every heap sample. */
  const measure = async (cell, collect) => {
    const heapSessions = cell.alone ? sessionsFor.alone : cell.kit ? sessionsFor.kit : sessionsFor.raw;
    if (cell.prepare) await cell.prepare();
    // Settle: collect garbage in the page and the worker, then take the baselines.
    await Promise.all(heapSessions.map((s) => s.send('HeapProfiler.collectGarbage').catch(() => undefined)));
    await new Promise((r) => setTimeout(r, 200));
    const procs = await chromiumProcesses(browserSession);
    const all = [...procs.renderer, ...procs.browser, ...procs.other];
    const baseRss = new Map(all.map((pid) => [pid, procStatus(pid).rss]));
    const peaksReset = all.map(resetPeak).every(Boolean);
    const baseEach = await Promise.all(heapSessions.map(heapBytes));
    const mainBefore = await mainThread();
    const cpuBefore = new Map(all.map((pid) => [pid, procCpuMs(pid)]));
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
    const cpuMs = (pids) => pids.reduce((sum, pid) => sum + (procCpuMs(pid) - (cpuBefore.get(pid) ?? NaN)), 0);
    const cpu = { renderer: cpuMs(procs.renderer), browser: cpuMs(procs.browser), other: cpuMs(procs.other) };
    const peak = await stopSampler();
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
      suiteId: result.suiteId,
      lag: result.lag,
      // Main-thread CPU time during the call; it includes answering the memory sampler, so it is an upper bound.
      mainCpuMs: mainAfter.cpu - mainBefore.cpu,
      // CPU time of every Chromium process during the call (all threads: page, workers, WebCrypto, blob store, IPC); the heap sampler's share is included.
      cpuMs: cpu.renderer + cpu.browser + cpu.other,
      cpu,
      progressEvents: result.progressEvents,
      heapExtra: peak.sum - baseEach.reduce((a, b) => a + b, 0),
      pageExtra: peak.each[0] - baseEach[0],
      workerExtra: peak.each[1] - baseEach[1],
      sampleEveryMs: (peak.stoppedAt - peak.startedAt) / Math.max(1, peak.rounds),
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
          `longest task ${sample.lag.longestTaskMs.toFixed(0)} ms, timer lag ${sample.lag.maxTimerLagMs.toFixed(1)} ms, ` +
          `JS heap +${mib(sample.heapExtra)} MiB (page +${mib(sample.pageExtra)}, worker +${mib(sample.workerExtra)}), renderer RSS +${mib(sample.rendererExtra)} MiB`,
      );
    }
  }
  // One more, untimed pass over the Blob cells with a full GC before each heap sample: what is
  // still reachable (the working set), as opposed to the peak above, which includes garbage that
  // V8 has not collected yet.
  for (const cell of cells.filter((c) => c.kit || c.blob)) {
    const sample = await measure(cell, true);
    if (!sample) continue;
    live.set(cell.id, sample.heapExtra);
    log(`  live ${cell.label.padEnd(36)} JS heap after GC, peak +${mib(sample.heapExtra)} MiB (${sample.mibs.toFixed(0)} MiB/s under forced GCs)`);
  }
  await page.evaluate(() => window.fileBench.teardown());
  return { cells, results, live };
}

function report({ cells, results, live }) {
  const ran = cells.filter((c) => results.get(c.id).length > 0);
  const med = (id, pick) => (results.get(id)?.length ? median(results.get(id).map(pick)) : NaN);
  const max = (id, pick) => Math.max(...results.get(id).map(pick));
  const pct = (ratio) => (Number.isFinite(ratio) ? `${(ratio * 100).toFixed(0)}%` : '-');
  const rate = (id) => med(id, (s) => s.mibs);
  const hex = (suite) => (Number.isFinite(suite) ? `0x${suite.toString(16).padStart(4, '0')}` : '?');
  // The default cells say which suite the default was, as read from the message header.
  const name = (c) => (c.suite === 'default' ? `${c.label} (${hex(results.get(c.id)[0]?.suiteId)})` : c.label);
  const signed = (c) => c.kit && results.get(c.id)[0]?.suiteId === 0x0578;

  log('');
  log(`File benchmark: ${SIZE_MIB} MiB, MiB/s of plaintext (median of ${REPS}, ±half-range); lag and memory are the worst rep`);
  log(
    table(
      ['cell', 'MiB/s', 'vs raw mem', 'vs raw Blob', 'CPU ms', 'cores busy', 'main CPU ms', 'longest task ms', 'timer lag ms'],
      ran.map((c) => {
        const r = rate(c.id);
        return [
          name(c),
          `${r.toFixed(0)}${spread(results.get(c.id).map((s) => s.mibs))}`,
          c.op && !c.id.startsWith('raw-memory') ? pct(r / rate(`raw-memory-${c.op}`)) : '',
          c.kit ? pct(r / rate(`raw-file-${c.op}`)) : '',
          `${med(c.id, (s) => s.cpuMs).toFixed(0)}`,
          `${med(c.id, (s) => s.cpuMs / s.ms).toFixed(2)}`,
          `${max(c.id, (s) => s.mainCpuMs).toFixed(0)}`,
          `${max(c.id, (s) => s.lag.longestTaskMs).toFixed(0)}`,
          `${max(c.id, (s) => s.lag.maxTimerLagMs).toFixed(1)}`,
        ];
      }),
    ),
  );
  log('');
  log('Extra memory over the idle baseline before each call, MiB (worst rep)');
  log(
    table(
      ['cell', 'JS heap', 'page', 'worker', 'sampled every', 'live', 'renderer RSS', 'browser RSS', 'other RSS'],
      ran.map((c) => [
        name(c),
        mib(max(c.id, (s) => s.heapExtra)),
        mib(max(c.id, (s) => s.pageExtra)),
        mib(max(c.id, (s) => s.workerExtra)),
        `${max(c.id, (s) => s.sampleEveryMs).toFixed(0)} ms`,
        live.has(c.id) ? mib(live.get(c.id)) : '-',
        mib(max(c.id, (s) => s.rendererExtra)),
        mib(max(c.id, (s) => s.browserExtra)),
        mib(max(c.id, (s) => s.otherExtra)),
      ]),
    ),
  );
  log('  raw mem:   bare AES-256-GCM over an in-memory buffer in a worker, frame-sized calls, the same frames in flight,');
  log('             each result let go at once: the cipher alone, the ceiling');
  log('  raw Blob:  the same between Blobs, with the kit worker\'s own Blob reader and sink: the like-for-like baseline');
  log('  Blob I/O:  that reader and sink with no cipher (each frame copied into a fresh buffer): the ceiling of any Blob-to-Blob pipeline');
  log('  SHA-384:   the streaming signature\'s SHA-384 as the core runs it (incrementalHash: WebAssembly, hash-wasm) alone over as many bytes');
  log('  core:      the core\'s encryptStream / decryptStream alone, memory to memory in a worker, raw AES keyring (no KMS, no Blob I/O)');
  log(`  JS heap:   page main thread + the cell's worker (Runtime.getHeapUsage: V8 heap incl. uncollected garbage + ArrayBuffer backing stores`);
  log(`             + Blink objects), both asked at once every ${SAMPLE_MS} ms throughout the call (actual interval in "sampled every");`);
  log('             the peak of their sum minus the baseline; page and worker: each thread\'s own peak');
  log(`  live:      the same after a forced full GC before every sample (${LIVE_SAMPLE_MS} ms, separate untimed pass): memory actually reachable`);
  log('  RSS:       peak resident memory of Chromium\'s processes by type (kernel VmHWM, reset through clear_refs before each cell): exact,');
  log('             all threads. The browser process holds the blob store, i.e. the output Blob itself (the result, not overhead)');
  log('  CPU ms:    CPU time of all Chromium processes during the call (/proc/<pid>/stat: every thread of the renderer, browser and');
  log('             utility processes, 10 ms ticks; the heap sampler\'s share included); cores busy = CPU ms / wall ms (this machine has');
  log(`             ${cpus().length}): a pipeline near the core count cannot go faster by moving work to another thread, only by doing less`);
  log('  main CPU:  CPU time of the page\'s main thread during the whole call (DevTools ThreadTime; includes answering the sampler)');
  log('  longest task: Long Tasks API on the page (reports tasks >= 50 ms; 0 = none); timer lag: worst lateness of a 10 ms timer');

  log('');
  log('Targets (kit cells):');
  const kitCells = ran.filter((c) => c.kit);
  if (kitCells.length === 0) {
    log('  (no kit cell ran: see Problems)');
    return;
  }
  for (const c of kitCells) {
    const r = rate(c.id);
    const vsMemory = r / rate(`raw-memory-${c.op}`);
    const vsBlob = r / rate(`raw-file-${c.op}`);
    if (Number.isFinite(vsMemory)) log(`  [${verdict(vsMemory >= TARGETS.vsRaw)}] ${name(c)} >= ${TARGETS.vsRaw * 100}% of raw AES-GCM in memory: ${pct(vsMemory)}`);
    if (Number.isFinite(vsBlob)) log(`  [${verdict(vsBlob >= TARGETS.vsRaw)}] ${name(c)} >= ${TARGETS.vsRaw * 100}% of raw AES-GCM Blob to Blob: ${pct(vsBlob)}`);
    if (signed(c) && results.get('sha384')?.length) {
      log(`        signed: SHA-384 alone ${rate('sha384').toFixed(0)} MiB/s (${pct(rate('sha384') / rate(`raw-memory-${c.op}`))} of raw AES-GCM in memory); this call reaches ${pct(r / rate('sha384'))} of it`);
    }
  }
  // Issue 16: the signed default suite against the unsigned 0x0478, same run.
  for (const op of ['encrypt', 'decrypt']) {
    const ratio = rate(`kit-default-${op}`) / rate(`kit-1144-${op}`);
    if (Number.isFinite(ratio)) log(`  [${verdict(ratio >= TARGETS.signedVsUnsigned)}] ${op}File default suite / 0x0478, same run >= ${TARGETS.signedVsUnsigned}: ${ratio.toFixed(2)}`);
    const alone = rate(`kit-default-alone-${op}`) / rate(`kit-1144-${op}`);
    if (Number.isFinite(alone)) log(`        without the helper (helperWorkers: 0, the hash on the kit worker's thread): ${alone.toFixed(2)}`);
  }
  // What the signed suite costs on top of 0x0478 is the hash's CPU; with every core busy, only less
  // work can make it faster: (CPU of the 0x0478 call + CPU of SHA-384 alone) / cores is the shortest
  // the signed call can take, whatever thread runs the hash.
  if (results.get('sha384')?.length) {
    for (const op of ['encrypt', 'decrypt']) {
      const unsigned = `kit-1144-${op}`;
      if (!results.get(unsigned)?.length) continue;
      const floorMs = (med(unsigned, (s) => s.cpuMs) + med('sha384', (s) => s.cpuMs)) / cpus().length;
      const best = SIZE_MIB / (Math.max(floorMs, med(unsigned, (s) => s.ms)) / 1000);
      log(
        `  note: ${op}File signed at best ${best.toFixed(0)} MiB/s = ${(best / rate(unsigned)).toFixed(2)} of 0x0478 on ${cpus().length} cores: ` +
          `(CPU of kit.${op}File 0x0478 ${med(unsigned, (s) => s.cpuMs).toFixed(0)} ms + SHA-384 alone ${med('sha384', (s) => s.cpuMs).toFixed(0)} ms) / ${cpus().length} cores`,
      );
    }
  }
  if (results.get('blob-io')?.length) {
    for (const op of ['encrypt', 'decrypt']) {
      const ceiling = rate('blob-io') / rate(`raw-memory-${op}`);
      if (Number.isFinite(ceiling)) log(`  note: Blob I/O alone (no cipher) runs at ${rate('blob-io').toFixed(0)} MiB/s = ${pct(ceiling)} of raw AES-GCM in memory (${op}): the most any Blob-to-Blob ${op} can reach`);
    }
  }
  const longest = Math.max(...kitCells.map((c) => max(c.id, (s) => s.lag.longestTaskMs)));
  const lag = Math.max(...kitCells.map((c) => max(c.id, (s) => s.lag.maxTimerLagMs)));
  const cpu = Math.max(...kitCells.map((c) => max(c.id, (s) => s.mainCpuMs)));
  log(
    `  [${verdict(longest < TARGETS.longestTaskMs)}] longest main-thread task < ${TARGETS.longestTaskMs} ms: long tasks ${longest === 0 ? 'none' : `${longest.toFixed(0)} ms`} ` +
      `(worst timer lag ${lag.toFixed(1)} ms; main-thread CPU for a whole call at most ${cpu.toFixed(0)} ms)`,
  );
  const worst = (pick) => kitCells.map((c) => ({ c, v: max(c.id, pick) })).reduce((a, b) => (b.v > a.v ? b : a));
  const heap = worst((s) => s.heapExtra);
  const renderer = worst((s) => s.rendererExtra);
  const liveMax = Math.max(...kitCells.map((c) => live.get(c.id) ?? NaN));
  log(`  [${verdict(heap.v < TARGETS.extraMemoryMiB * MiB)}] extra peak JS heap (page + kit worker, sampled) < ${TARGETS.extraMemoryMiB} MiB: +${mib(heap.v)} MiB, worst cell ${name(heap.c)} (reachable after GC +${mib(liveMax)} MiB)`);
  log(`  [${verdict(renderer.v < TARGETS.extraMemoryMiB * MiB)}] extra peak renderer RSS (kernel VmHWM) < ${TARGETS.extraMemoryMiB} MiB: +${mib(renderer.v)} MiB, worst cell ${name(renderer.c)}`);
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
