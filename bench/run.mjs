#!/usr/bin/env node
// envelope-kit benchmark: the kit vs @aws-crypto/client-browser vs bare WebCrypto AES-GCM, side
// by side in one headless Chromium page, plus a frame-length sweep and the bundle size.
// See bench/README.md. Usage:
//   node bench/run.mjs [--quick] [--skip-sweep] [--skip-size] [--skip-large] [--only=<regex>]
//     --quick       short time boxes and 1 rep (a smoke run; numbers are noisy)
//     --skip-sweep  no frame-length sweep
//     --skip-size   no bundle-size measurement
//     --skip-large  no 64 MiB cells (main table and sweep)
//     --only=RE     only the cells whose label matches RE (case-insensitive), e.g. --only='1 MiB decrypt'
// Exit code: 0 when everything ran (missed performance targets are reported, not fatal);
// 1 when a peer threw, a round trip / interop check failed, or the harness itself broke.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, platform, release } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { helperUrlPlugin, launchChromium, serveDirectory } from './support.mjs';

const started = Date.now();
const root = fileURLToPath(new URL('..', import.meta.url));
const benchDir = join(root, 'bench');
const outDir = join(benchDir, 'out');
const coreEntry = join(root, 'src', 'core', 'index.ts');

const argv = process.argv.slice(2);
const onlyArg = argv.find((arg) => arg.startsWith('--only='));
/** Runs only the cells whose label (e.g. `0x0478 1 MiB decrypt`, `sweep 0x0478 64 MiB encrypt`) matches. */
const ONLY = onlyArg ? new RegExp(onlyArg.slice('--only='.length), 'i') : undefined;
const args = new Set(argv.filter((arg) => arg !== onlyArg));
for (const arg of args) {
  if (!['--quick', '--skip-sweep', '--skip-size', '--skip-large', '--skip-kit-worker'].includes(arg)) {
    console.error(`bench: unknown argument ${arg}`);
    process.exit(2);
  }
}
const QUICK = args.has('--quick');

const KiB = 1024;
const MiB = 1024 * 1024;
const SIZES = [1 * KiB, 1 * MiB, ...(args.has('--skip-large') ? [] : [64 * MiB])];
const SUITES = [0x0478, 0x0578];
const OPS = ['encrypt', 'decrypt'];
const SWEEP_FRAME_LENGTHS = [4096, 16384, 65536, 262144, 1 * MiB];
const SWEEP_SIZES = [1 * MiB, ...(args.has('--skip-large') ? [] : [64 * MiB])];
/** Time box per variant per small cell, and reps for 64 MiB cells. */
const BUDGET_MS = QUICK ? 300 : 1500;
const SWEEP_BUDGET_MS = QUICK ? 300 : 1000;
/** 64 MiB: reps for the SDK (slow), and for the kit, raw WebCrypto and the sweep (fast, noisier). */
const LARGE_REPS = QUICK ? 1 : 3;
const LARGE_REPS_FAST = QUICK ? 1 : 5;
const TARGETS = { vsRaw: 0.8, vsSdkLarge: 3, vsSdkSmallOps: 1.5, entryGzipBytes: 15_000 };

const failures = [];
const log = (line = '') => console.log(line);
const suiteName = (suite) => `0x${suite.toString(16).padStart(4, '0')}`;
const sizeName = (size) => (size >= MiB ? `${size / MiB} MiB` : size >= KiB ? `${size / KiB} KiB` : `${size} B`);
const isSmall = (size) => size < MiB; // reported in ops/s; the rest in MiB/s

// ---------------------------------------------------------------------------------------------
// Bundles

/** When the core does not exist yet, the page still runs the SDK and raw peers against a stub. */
const missingCorePlugin = {
  name: 'missing-core',
  setup(build) {
    build.onResolve({ filter: /src\/core\/index\.js$/ }, () =>
      existsSync(coreEntry) ? undefined : { path: 'missing-core', namespace: 'missing-core' },
    );
    build.onLoad({ filter: /.*/, namespace: 'missing-core' }, () => ({
      contents: 'export const __coreMissing = true;',
      loader: 'js',
    }));
  },
};

async function buildPage() {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const result = await esbuild.build({
    absWorkingDir: root,
    // The kit itself (createKit: its worker and the worker's batch helper) for the `kit.encrypt` column.
    entryPoints: {
      page: join(benchDir, 'page.ts'),
      'kit.worker': join(root, 'workers', 'kit.worker.ts'),
      'batch-helper.worker': join(root, 'workers', 'pool', 'batch-helper.worker.ts'),
    },
    outdir: outDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: 'linked',
    minify: false,
    // The SDK's asn1.js / bn.js need a global Buffer: polyfill it in THIS bundle only.
    inject: [join(benchDir, 'buffer-shim.js')],
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
    tsconfig: join(root, 'tsconfig.json'),
    plugins: [missingCorePlugin, helperUrlPlugin],
    logLevel: 'silent',
  });
  for (const warning of result.warnings) {
    // material-management probes Node's `crypto` with require() inside try/catch: expected.
    if (/require\("crypto"\)|"crypto"/.test(warning.text) || warning.id === 'require-resolve-not-external') continue;
    // With no core yet, the stub has no exports: the page checks for that at run time.
    if (!existsSync(coreEntry) && warning.id === 'import-is-undefined') continue;
    const [formatted] = await esbuild.formatMessages([warning], { kind: 'warning', color: false });
    log(`bench: esbuild warning: ${formatted.trim()}`);
  }
  writeFileSync(
    join(outDir, 'index.html'),
    '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>envelope-kit bench</title>' +
      '<script type="module" src="./page.js"></script>\n',
  );
}

async function measureBundleSize() {
  const sizeDir = join(outDir, 'size');
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: { 'core-entry': join(benchDir, 'size-entry.ts') },
    outdir: sizeDir,
    bundle: true,
    splitting: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    legalComments: 'none',
    metafile: true,
    tsconfig: join(root, 'tsconfig.json'),
    logLevel: 'silent',
  });
  const outputs = result.metafile.outputs;
  const gzip = (file) => gzipSync(readFileSync(join(root, file)), { level: 9 }).length;
  const entryFile = Object.keys(outputs).find((file) => outputs[file].entryPoint && file.endsWith('.js'));
  const eager = new Set();
  const visit = (file) => {
    if (eager.has(file)) return;
    eager.add(file);
    for (const edge of outputs[file].imports) if (edge.kind === 'import-statement' && !edge.external) visit(edge.path);
  };
  visit(entryFile);
  const files = Object.keys(outputs)
    .filter((file) => file.endsWith('.js'))
    .map((file) => {
      const inputs = Object.entries(outputs[file].inputs)
        .sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput)
        .filter(([, value]) => value.bytesInOutput > 0);
      return {
        file: relative(sizeDir, join(root, file)),
        bytes: outputs[file].bytes,
        gzip: gzip(file),
        kind: file === entryFile ? 'entry' : eager.has(file) ? 'static' : 'lazy',
        top: inputs.length === 0 ? ['(re-exports only)'] : inputs.slice(0, 3).map(([input, value]) => `${input.replace(/^node_modules\//, '')} ${(value.bytesInOutput / 1024).toFixed(1)}K`),
      };
    });
  return { files, entry: files.find((f) => f.kind === 'entry') };
}

// ---------------------------------------------------------------------------------------------
// Formatting

const fmtRate = (value, small) => {
  if (!Number.isFinite(value)) return 'ERR';
  if (small) return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(1);
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
};
/**
 * A rough noise gauge, relative to the median: half the interquartile range when there are enough
 * samples (robust to the odd GC pause), half the min..max range for a handful of reps.
 */
const spread = (result) => {
  const samples = [...(result?.samples ?? [])].sort((a, b) => a - b);
  if (samples.length < 2 || !Number.isFinite(result.medianOps)) return '';
  const at = (q) => {
    const pos = (samples.length - 1) * q;
    const lo = Math.floor(pos);
    return samples[lo] + (samples[Math.min(lo + 1, samples.length - 1)] - samples[lo]) * (pos - lo);
  };
  const [low, high] = samples.length >= 8 ? [at(0.25), at(0.75)] : [samples[0], samples[samples.length - 1]];
  return ` ±${Math.round(((high - low) / 2 / result.medianOps) * 100)}%`;
};
/** Numeric form of `spread`, for the noise caveats on targets. */
const spreadPct = (result) => Number((spread(result).match(/(\d+)%/) ?? [])[1] ?? 0);
const NOISY_PCT = 20;
const noiseNote = (...results) => {
  const worst = Math.max(...results.map(spreadPct));
  return worst > NOISY_PCT ? `  (noisy: up to ±${worst}%, re-run before trusting this verdict)` : '';
};
const fmtRatio = (value) => (Number.isFinite(value) ? `${value.toFixed(2)}x` : '-');
const metric = (result, size) => (result ? (isSmall(size) ? result.medianOps : result.medianMiBs) : NaN);

function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => String(row[i]).length)));
  const line = (cells) => cells.map((cell, i) => (i < 3 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const coreExists = existsSync(coreEntry);
  log(`bench: bundling bench/page.ts${coreExists ? '' : ' (src/core/index.ts missing: the kit peer will be skipped)'}`);
  await buildPage();

  const { server, origin } = await serveDirectory(outDir);
  const browser = await launchChromium({ extraArgs: ['--js-flags=--expose-gc'] });
  try {
    return await runInBrowser(browser, origin, coreExists);
  } finally {
    await browser.close().catch(() => {});
    await new Promise((resolve) => server.close(resolve));
  }
}

async function runInBrowser(browser, origin, coreExists) {
  const page = await browser.newPage();
  page.on('pageerror', (error) => log(`bench: page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warn') log(`bench: page ${message.type()}: ${message.text()}`);
  });
  await page.exposeFunction('benchProgress', (line) => log(line));
  await page.goto(`${origin}/index.html`, { waitUntil: 'load' });
  await page.waitForFunction(() => typeof window.bench === 'object', { timeout: 30_000 });
  await page.evaluate(() => window.bench.attach());

  const pageInfo = await page.evaluate(() => window.bench.info());
  const chromiumVersion = await browser.version();
  const cpu = cpus();
  const machine = {
    cpu: `${cpu[0]?.model ?? 'unknown CPU'} (${cpu.length} logical cores in Node, navigator.hardwareConcurrency ${pageInfo.hardwareConcurrency})`,
    memory: `${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    os: `${platform()} ${release()}`,
    load: `${loadavg().map((l) => l.toFixed(2)).join(' / ')} (1 / 5 / 15 min load average at start; other work on the machine adds noise)`,
    node: process.version,
    chromium: `${chromiumVersion} (${browser.process()?.spawnfile ?? ''})`,
  };
  log('');
  log('Machine');
  for (const [key, value] of Object.entries(machine)) log(`  ${key.padEnd(9)} ${value}`);
  log(
    `  kit      ${pageInfo.kitAvailable ? 'src/core/index.ts' : 'NOT AVAILABLE (' + (coreExists ? 'no encrypt/decrypt export' : 'src/core/index.ts missing') + ')'}; ` +
      `DEFAULT_FRAME_LENGTH ${pageInfo.defaultFrameLength ?? `not exported (using ${pageInfo.usedKitFrameLength})`}, ` +
      `FRAME_CONCURRENCY ${pageInfo.frameConcurrency ?? `not exported (using ${pageInfo.usedConcurrency})`}`,
  );
  log(`  secure context ${pageInfo.isSecureContext}, gc exposed ${pageInfo.gcExposed}`);
  if (!pageInfo.kitAvailable) failures.push('kit not available');
  if (pageInfo.kitAvailable && (pageInfo.defaultFrameLength === null || pageInfo.frameConcurrency === null)) {
    failures.push('src/core/index.ts does not export DEFAULT_FRAME_LENGTH and FRAME_CONCURRENCY');
  }

  const kitFrame = pageInfo.usedKitFrameLength;
  const sdkFrame = pageInfo.sdkDefaultFrameLength;
  const sdkAtKitFrame = kitFrame !== sdkFrame;
  const ids = {
    kit: 'kit',
    sdk: `SDK@${sdkFrame}`,
    sdkKit: `SDK@${kitFrame}`,
    raw: 'raw GCM',
    kitWorker: 'kit.encrypt',
    kitAlone: 'kit.encrypt no helper',
    keysAhead: 'kit+keys ahead',
    kitHasher: 'kit+hash worker',
  };

  // --- interop (untimed) ---
  if (pageInfo.kitAvailable) {
    log('');
    log('Interop check (untimed): each side decrypts the other side\'s messages');
    const interop = await page.evaluate((sizes) => window.bench.interop(sizes), [KiB, MiB]);
    for (const result of interop) {
      log(`  ${result.ok ? 'ok  ' : 'FAIL'} ${result.label}${result.ok ? '' : `: ${result.error.split('\n')[0]}`}`);
      if (!result.ok) failures.push(`interop ${result.label}:\n${result.error}`);
    }
  }

  // --- main cells ---
  const variantsFor = (suite, size) => [
    ...(pageInfo.kitAvailable ? [{ id: ids.kit, kind: 'kit', reps: LARGE_REPS_FAST }] : []),
    { id: ids.sdk, kind: 'sdk', frameLength: sdkFrame },
    ...(sdkAtKitFrame ? [{ id: ids.sdkKit, kind: 'sdk', frameLength: kitFrame }] : []),
    // Bare AES-GCM does not depend on the suite: measured once, next to 0x0478.
    ...(suite === 0x0478 ? [{ id: ids.raw, kind: 'raw', frameLength: kitFrame, reps: LARGE_REPS_FAST }] : []),
    // The kit as apps call it (createKit's worker and helper), for the default suite: the signed
    // suite's key pairs and large messages' hash run beside the worker in its helper.
    ...(pageInfo.kitAvailable && suite === 0x0578 ? [{ id: ids.keysAhead, kind: 'kitKeysAhead', reps: LARGE_REPS_FAST }] : []),
    // The core on the page with kit.signatureHasher: the hash of messages from 4 MiB in the kit's helper.
    ...(pageInfo.kitAvailable && suite === 0x0578 && size >= 4 * MiB ? [{ id: ids.kitHasher, kind: 'kitHasher', reps: LARGE_REPS_FAST }] : []),
    ...(pageInfo.kitAvailable && suite === 0x0578 && !args.has('--skip-kit-worker')
      ? [
          { id: ids.kitWorker, kind: 'kitWorker', reps: LARGE_REPS_FAST },
          { id: ids.kitAlone, kind: 'kitWorker', helperWorkers: 0, reps: LARGE_REPS_FAST },
        ]
      : []),
  ];
  const plan = [];
  const mainLabel = (size, suite, op) => `${suiteName(suite)} ${sizeName(size)} ${op}`;
  const sweepLabel = (size, op) => `sweep 0x0478 ${sizeName(size)} ${op}`;
  for (const size of SIZES) for (const suite of SUITES) for (const op of OPS) plan.push({ size, suite, op });
  const sweepPlan = args.has('--skip-sweep') || !pageInfo.kitAvailable ? [] : SWEEP_SIZES.flatMap((size) => OPS.map((op) => ({ size, op })));
  if (ONLY) {
    plan.splice(0, plan.length, ...plan.filter(({ size, suite, op }) => ONLY.test(mainLabel(size, suite, op))));
    sweepPlan.splice(0, sweepPlan.length, ...sweepPlan.filter(({ size, op }) => ONLY.test(sweepLabel(size, op))));
  }
  const totalCells = plan.length + sweepPlan.length;
  let cellNo = 0;

  const runCell = async (spec) => {
    cellNo++;
    const label = `[${cellNo}/${totalCells}] ${spec.label}`;
    log(`${label} ...`);
    const t0 = Date.now();
    const results = await page.evaluate((s) => window.bench.cell(s), { ...spec, label });
    const byId = Object.fromEntries(results.map((r) => [r.id, r]));
    const small = isSmall(spec.size);
    const unit = small ? 'ops/s' : 'MiB/s';
    log(
      `    ${results.map((r) => `${r.id} ${fmtRate(small ? r.medianOps : r.medianMiBs, small)}${spread(r)} (n=${r.samples.length})`).join(' | ')}` +
        `  [${unit}, ${((Date.now() - t0) / 1000).toFixed(1)} s]`,
    );
    for (const result of results) {
      if (result.error) failures.push(`${spec.label} ${result.id}:\n${result.error}`);
    }
    return byId;
  };

  const cells = new Map();
  const key = (size, suite, op) => `${size}:${suite}:${op}`;
  log('');
  log(`Measuring (small cells: ${BUDGET_MS} ms per peer, interleaved; 64 MiB: ${LARGE_REPS_FAST} reps for kit and raw, ${LARGE_REPS} for the SDK, after 1 warm-up call)`);
  let previousSize;
  for (const { size, suite, op } of plan) {
    if (previousSize !== undefined && previousSize !== size && previousSize >= MiB) await page.evaluate((s) => window.bench.forget(s), previousSize);
    previousSize = size;
    const byId = await runCell({
      label: mainLabel(size, suite, op),
      size,
      suite,
      op,
      variants: variantsFor(suite, size),
      mode: size >= 16 * MiB ? 'reps' : 'time',
      budgetMs: BUDGET_MS,
      reps: LARGE_REPS,
    });
    cells.set(key(size, suite, op), byId);
  }
  // The SHA-384 floor of signed 64 MiB messages, in the same page, right after their cells.
  let floor;
  if (pageInfo.kitAvailable && plan.some(({ size, suite }) => size === 64 * MiB && suite === 0x0578)) {
    log('[floor] SHA-384 of 64 MiB alone ...');
    floor = await page.evaluate((s) => window.bench.hashFloor(s.size, s.rounds), { size: 64 * MiB, rounds: LARGE_REPS_FAST });
    log(`    WebCrypto one-shot digest ${floor.oneShot.toFixed(0)} MiB/s | incremental (${floor.implementation}, 256 KiB updates) ${floor.incremental.toFixed(0)} MiB/s | the same in the kit's helper via kit.signatureHasher ${floor.helper.toFixed(0)} MiB/s | that while this thread seals bare AES-GCM frames and feeds them ${floor.overlapped.toFixed(0)} MiB/s | bare AES-GCM in a worker, the hash here ${floor.reversed.toFixed(0)} MiB/s`);
  }
  if (previousSize !== undefined) await page.evaluate((s) => window.bench.forget(s), previousSize);

  // --- frame-length sweep (kit only, 0x0478) ---
  const sweep = new Map();
  for (const { size, op } of sweepPlan) {
    const byId = await runCell({
      label: sweepLabel(size, op),
      size,
      suite: 0x0478,
      op,
      variants: SWEEP_FRAME_LENGTHS.map((frameLength) => ({ id: `kit@${frameLength}`, kind: 'kit', frameLength })),
      mode: size >= 16 * MiB ? 'reps' : 'time',
      budgetMs: SWEEP_BUDGET_MS,
      reps: LARGE_REPS_FAST,
    });
    sweep.set(`${size}:${op}`, byId);
    if (op === OPS[OPS.length - 1]) await page.evaluate((s) => window.bench.forget(s), size);
  }
  await page.close();
  return { machine, pageInfo, ids, sdkAtKitFrame, kitFrame, cells, key, sweep, sweepPlan, floor };
}

function report({ pageInfo, ids, sdkAtKitFrame, kitFrame, cells, key, sweep, sweepPlan, floor }, size) {
  const kitOn = pageInfo.kitAvailable;
  log('');
  log('='.repeat(100));
  log(`Results: median of the samples; ±x% = half the interquartile range (half the min..max range when n < 8) / median.`);
  log('1 KiB in ops/s, 1 MiB and 64 MiB in MiB/s. Ratios > 1x (or > 100%) mean the kit is faster.');
  log(
    `kit = src/core (frame ${kitFrame}); ${ids.sdk} = @aws-crypto/client-browser 4.2.2 at its default frame length` +
      `${sdkAtKitFrame ? `; ${ids.sdkKit} = the SDK at the kit's frame length` : ''}; ${ids.raw} = bare WebCrypto AES-GCM, ` +
      `${kitFrame}-byte chunks, ${pageInfo.usedConcurrency} in flight (suite-independent, shown with 0x0478).`,
  );
  const header = ['suite', 'size', 'op', ids.kit, ids.keysAhead, ids.kitHasher, ids.kitWorker, ids.kitAlone, ids.sdk, ...(sdkAtKitFrame ? [ids.sdkKit] : []), ids.raw, `kit/${ids.sdk}`, `${ids.keysAhead}/${ids.sdk}`, `${ids.kitHasher}/${ids.sdk}`, `${ids.kitWorker}/${ids.sdk}`, ...(sdkAtKitFrame ? [`kit/${ids.sdkKit}`] : []), 'kit/raw'];
  const rows = [];
  for (const sz of SIZES) {
    for (const suite of SUITES) {
      for (const op of OPS) {
        const byId = cells.get(key(sz, suite, op));
        if (!byId) continue;
        const small = isSmall(sz);
        const cell = (id) => (byId[id] ? `${fmtRate(metric(byId[id], sz), small)}${spread(byId[id])}` : '-');
        const kitValue = metric(byId[ids.kit], sz);
        rows.push([
          suiteName(suite),
          sizeName(sz),
          op,
          kitOn ? cell(ids.kit) : 'n/a',
          cell(ids.keysAhead),
          cell(ids.kitHasher),
          cell(ids.kitWorker),
          cell(ids.kitAlone),
          cell(ids.sdk),
          ...(sdkAtKitFrame ? [cell(ids.sdkKit)] : []),
          cell(ids.raw),
          fmtRatio(kitValue / metric(byId[ids.sdk], sz)),
          byId[ids.keysAhead] ? fmtRatio(metric(byId[ids.keysAhead], sz) / metric(byId[ids.sdk], sz)) : '-',
          byId[ids.kitHasher] ? fmtRatio(metric(byId[ids.kitHasher], sz) / metric(byId[ids.sdk], sz)) : '-',
          byId[ids.kitWorker] ? fmtRatio(metric(byId[ids.kitWorker], sz) / metric(byId[ids.sdk], sz)) : '-',
          ...(sdkAtKitFrame ? [fmtRatio(kitValue / metric(byId[ids.sdkKit], sz))] : []),
          byId[ids.raw] && Number.isFinite(kitValue / metric(byId[ids.raw], sz)) ? `${((kitValue / metric(byId[ids.raw], sz)) * 100).toFixed(0)}%` : '-',
        ]);
      }
    }
  }
  log(table(header, rows));

  // --- targets ---
  log('');
  log('Targets (informational: a miss does not fail the run)');
  const verdict = (ok) => (ok ? 'met   ' : 'MISSED');
  const targetLines = [];
  const check = (label, value, ok, targetText) => {
    targetLines.push({ ok });
    log(`  [${Number.isFinite(value) ? verdict(ok) : 'n/a   '}] ${label}: ${targetText}`);
  };
  if (!kitOn) log('  (kit not available: no targets evaluated)');
  else {
    const large = 64 * MiB;
    for (const op of OPS) {
      const byId = cells.get(key(large, 0x0478, op));
      if (!byId) continue;
      const r = metric(byId[ids.kit], large) / metric(byId[ids.raw], large);
      check(`kit 0x0478 64 MiB ${op} vs raw WebCrypto`, r, r >= TARGETS.vsRaw, `${(r * 100).toFixed(0)}% of raw (target >= ${TARGETS.vsRaw * 100}%)${noiseNote(byId[ids.kit], byId[ids.raw])}`);
    }
    for (const suite of SUITES) {
      for (const op of OPS) {
        const byId = cells.get(key(large, suite, op));
        if (!byId) continue;
        const r = metric(byId[ids.kit], large) / metric(byId[ids.sdk], large);
        const alt = sdkAtKitFrame ? metric(byId[ids.kit], large) / metric(byId[ids.sdkKit], large) : NaN;
        check(`kit vs SDK ${suiteName(suite)} 64 MiB ${op}`, r, r >= TARGETS.vsSdkLarge, `${fmtRatio(r)} vs ${ids.sdk} (target >= ${TARGETS.vsSdkLarge}x)${sdkAtKitFrame ? `; ${fmtRatio(alt)} vs ${ids.sdkKit}` : ''}${noiseNote(byId[ids.kit], byId[ids.sdk])}`);
        if (byId[ids.kitHasher]) {
          const w = metric(byId[ids.kitHasher], large) / metric(byId[ids.sdk], large);
          check(`${ids.kitHasher} (core here, hash in the kit's helper) vs SDK ${suiteName(suite)} 64 MiB ${op}`, w, w >= TARGETS.vsSdkLarge, `${fmtRatio(w)} vs ${ids.sdk} (target >= ${TARGETS.vsSdkLarge}x)${noiseNote(byId[ids.kitHasher], byId[ids.sdk])}`);
        }
        if (suite === 0x0578 && floor) {
          // No schedule signs 64 MiB faster than it hashes them: the fastest SHA-384 here, alone, bounds every peer.
          const sdkRate = metric(byId[ids.sdk], large);
          const best = Math.max(floor.oneShot, floor.incremental);
          log(
            `           floor: SHA-384 of 64 MiB alone runs at ${best.toFixed(0)} MiB/s here (one-shot ${floor.oneShot.toFixed(0)}, incremental ${floor.incremental.toFixed(0)}), ` +
              `${fmtRatio(best / sdkRate)} the SDK's ${op}; a schedule that overlaps the cipher hashes incrementally, so at most ${fmtRatio(floor.incremental / sdkRate)} ` +
              `(${fmtRatio(floor.helper / sdkRate)} with the hash in the kit's helper, fed from this thread; ${fmtRatio(floor.overlapped / sdkRate)} with bare AES-GCM sealed here meanwhile; ${fmtRatio(floor.reversed / sdkRate)} with bare AES-GCM in a worker and the hash here)`,
          );
        }
        if (byId[ids.kitWorker]) {
          const w = metric(byId[ids.kitWorker], large) / metric(byId[ids.sdk], large);
          check(`${ids.kitWorker} (worker + helper) vs SDK ${suiteName(suite)} 64 MiB ${op}`, w, w >= TARGETS.vsSdkLarge, `${fmtRatio(w)} vs ${ids.sdk} (target >= ${TARGETS.vsSdkLarge}x)${noiseNote(byId[ids.kitWorker], byId[ids.sdk])}`);
        }
      }
    }
    for (const suite of SUITES) {
      for (const op of OPS) {
        const byId = cells.get(key(KiB, suite, op));
        if (!byId) continue;
        const r = byId[ids.kit]?.medianOps / byId[ids.sdk]?.medianOps;
        const alt = sdkAtKitFrame ? byId[ids.kit]?.medianOps / byId[ids.sdkKit]?.medianOps : NaN;
        check(
          `kit vs SDK ${suiteName(suite)} 1 KiB ${op} ops/s`,
          r,
          r >= TARGETS.vsSdkSmallOps,
          `${fmtRatio(r)} vs ${ids.sdk} (target >= ${TARGETS.vsSdkSmallOps}x)${sdkAtKitFrame ? `; ${fmtRatio(alt)} vs ${ids.sdkKit}` : ''}${noiseNote(byId[ids.kit], byId[ids.sdk])}`,
        );
        if (byId[ids.keysAhead]) {
          const w = byId[ids.keysAhead].medianOps / byId[ids.sdk]?.medianOps;
          check(`${ids.keysAhead} (signing keys from a helper worker) vs SDK ${suiteName(suite)} 1 KiB ${op} ops/s`, w, w >= TARGETS.vsSdkSmallOps, `${fmtRatio(w)} vs ${ids.sdk} (target >= ${TARGETS.vsSdkSmallOps}x)${noiseNote(byId[ids.keysAhead], byId[ids.sdk])}`);
        }
        if (byId[ids.kitWorker]) {
          const w = byId[ids.kitWorker].medianOps / byId[ids.sdk]?.medianOps;
          check(`${ids.kitWorker} (worker + helper, one KMS call each) vs SDK ${suiteName(suite)} 1 KiB ${op} ops/s`, w, w >= TARGETS.vsSdkSmallOps, `${fmtRatio(w)} vs ${ids.sdk} (target >= ${TARGETS.vsSdkSmallOps}x)${noiseNote(byId[ids.kitWorker], byId[ids.sdk])}`);
        }
      }
    }
  }

  // --- sweep ---
  if (sweepPlan.length > 0) {
    log('');
    log('Frame-length sweep: kit only, suite 0x0478, MiB/s (median ±x%)');
    const sweepSizes = [...new Set(sweepPlan.map((p) => p.size))];
    const header2 = ['frame length', '', '', ...sweepSizes.flatMap((s) => OPS.map((op) => `${sizeName(s)} ${op}`))];
    const rows2 = SWEEP_FRAME_LENGTHS.map((frameLength) => [
      frameLength >= MiB ? `${frameLength / MiB} MiB` : `${frameLength / KiB} KiB`,
      frameLength === kitFrame ? '(default)' : '',
      '',
      ...sweepSizes.flatMap((s) =>
        OPS.map((op) => {
          const r = sweep.get(`${s}:${op}`)?.[`kit@${frameLength}`];
          return r ? `${fmtRate(r.medianMiBs, false)}${spread(r)}` : '-';
        }),
      ),
    ]);
    log(table(header2, rows2));
  }

  // --- size ---
  if (size) {
    log('');
    if (size.error) log(`Bundle size: could not build (${size.error})`);
    else {
      log('Bundle size: esbuild --bundle --minify --format=esm --splitting of bench/size-entry.ts');
      log('  (exports only encrypt, decrypt, RawAesKeyring, RawRsaKeyring); gzip = node:zlib level 9, per file');
      log(
        table(
          ['file', 'loaded', 'largest inputs', 'bytes', 'gzip'],
          size.files.map((f) => [f.file, f.kind, f.top.join(', '), f.bytes.toLocaleString('en-US'), f.gzip.toLocaleString('en-US')]),
        ),
      );
      const eager = size.files.filter((f) => f.kind !== 'lazy').reduce((sum, f) => sum + f.gzip, 0);
      const all = size.files.reduce((sum, f) => sum + f.gzip, 0);
      log(`  entry chunk alone:            ${size.entry.gzip.toLocaleString('en-US')} B gzip`);
      if (eager !== size.entry.gzip) log(`  entry + its static chunks:    ${eager.toLocaleString('en-US')} B gzip`);
      log(`  everything (incl. lazy):      ${all.toLocaleString('en-US')} B gzip`);
      log(`  [${verdict(eager <= TARGETS.entryGzipBytes)}] eagerly loaded code <= ${TARGETS.entryGzipBytes.toLocaleString('en-US')} B (15 KB) gzip, without the lazy AES-192 / signature chunks: ${eager.toLocaleString('en-US')} B`);
    }
  }
  return targetLines;
}

async function sizeStep() {
  if (args.has('--skip-size')) return undefined;
  if (!existsSync(coreEntry)) return { error: 'src/core/index.ts does not exist yet' };
  try {
    return await measureBundleSize();
  } catch (error) {
    const text = error.errors ? (await esbuild.formatMessages(error.errors, { kind: 'error', color: false })).join('\n').trim() : String(error);
    failures.push(`bundle size build:\n${text}`);
    return { error: text.split('\n')[0] };
  }
}

try {
  const results = await main();
  const size = await sizeStep();
  report(results, size);
  log('');
  if (failures.length > 0) {
    log(`Problems (${failures.length}): these make the run exit 1`);
    for (const failure of failures) log(`  - ${failure.split('\n').join('\n    ')}`);
    log('');
  }
  log(`bench: load average at the end ${loadavg().map((l) => l.toFixed(2)).join(' / ')} (${cpus().length} cores)`);
  log(`bench: finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  process.exitCode = failures.length > 0 ? 1 : 0;
} catch (error) {
  console.error('bench: ERROR:', error?.stack ?? error);
  process.exitCode = 1;
}
