#!/usr/bin/env node
// Many small records (issue 6): kit.encryptMany / kit.decryptMany with the hierarchical keyring in
// headless Chromium, in the kit's worker, against the WebCrypto floor (the same WebCrypto calls and
// nothing else, measured in the same rounds), the plain KMS keyring (simulated KMS with no added
// latency, and with a stated latency per call) and the AWS ESDK browser client; KMS calls per
// 10,000 messages; WebCrypto calls per message, counted; what each kind of call costs.
//   node bench/batches.mjs [--rounds=10] [--per-batch=1000] [--kms-latency-ms=5] [--concurrency-sweep]
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { helperUrlPlugin, launchChromium, median, serveDirectory } from './support.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const srcDir = join(root, 'bench', 'batches');
const outDir = join(root, 'bench', 'out', 'batches');
const option = (name, fallback) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const ROUNDS = option('rounds', option('batches', 10));
const PER_BATCH = option('per-batch', 1000);
const TTL_SECONDS = 15 * 60;
/**
 * Latency added to every call of the simulated KMS in the second plain-KMS-keyring row. A
 * deliberately low assumption, not a measured AWS figure: a real call from a browser crosses the
 * internet (tens of ms), and even a call from a server in the same region is a TLS request that a
 * hierarchical keyring does not make. See bench/README.md.
 */
const KMS_LATENCY_MS = option('kms-latency-ms', 5);
const SWEEP = process.argv.includes('--concurrency-sweep');
const SWEEP_LEVELS = [2, 4, 8, 16, 32, 64];
const TARGETS = { encPerSec: 20_000, decPerSec: 20_000, vsKmsKeyring: 10, kmsCallsPer10k: 1, poolVsOne: 1.5, vsEsdk: 4 };
const log = (line = '') => console.log(line);

async function build() {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const common = { absWorkingDir: root, outdir: outDir, bundle: true, format: 'esm', platform: 'browser', target: 'es2022', tsconfig: join(root, 'tsconfig.json'), logLevel: 'warning' };
  // The kit worker's batch helpers: their URL pointed at their bundle (bench/support.mjs says why).
  const helperUrl = helperUrlPlugin;
  await esbuild.build({
    ...common,
    plugins: [helperUrl],
    entryPoints: { page: join(srcDir, 'page.ts'), 'kit.worker': join(root, 'workers', 'kit.worker.ts'), 'batch-helper.worker': join(root, 'workers', 'pool', 'batch-helper.worker.ts'), 'floor-worker': join(srcDir, 'floor-worker.ts') },
  });
  // The ESDK needs a global Buffer (asn1.js): injected into the comparison worker only.
  await esbuild.build({ ...common, entryPoints: { worker: join(srcDir, 'worker.ts') }, inject: [join(root, 'bench', 'buffer-shim.js')] });
  writeFileSync(join(outDir, 'index.html'), '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module" src="./page.js"></script>\n');
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');
/** Total messages / total time of equal-sized batches: the harmonic mean of their rates. */
const overall = (xs) => xs.length / xs.reduce((sum, x) => sum + 1 / x, 0);
/** "median (min-max)" of per-batch rates. */
const spread = (xs) => `${fmt(median(xs))} (${fmt(Math.min(...xs))}-${fmt(Math.max(...xs))})`;
const callList = (perMessage) => {
  const total = Object.values(perMessage).reduce((a, b) => a + b, 0);
  const parts = Object.entries(perMessage).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${+v.toFixed(2)}`);
  return `${+total.toFixed(2)} (${parts.join(', ')})`;
};

async function main() {
  await build();
  const { server, origin } = await serveDirectory(outDir);
  const loadStart = loadavg()[0];
  const browser = await launchChromium({ protocolTimeout: 15 * 60_000 });
  const failures = [];
  const problems = [];
  try {
    const page = await browser.newPage();
    page.on('pageerror', (error) => log(`bench:batches: page error: ${error.message}`));
    page.on('console', (m) => (m.type() === 'error' ? log(`bench:batches: console: ${m.text()}`) : undefined));
    await page.goto(`${origin}/index.html`, { waitUntil: 'load' });
    await page.waitForFunction(() => typeof window.batchBench === 'object', { timeout: 30_000 });
    page.setDefaultTimeout(600_000);
    log(`Chromium ${await browser.version()}; ${cpus().length} cores (${cpus()[0]?.model ?? '?'}); 1 KiB records, suite 0x0478; ${ROUNDS} rounds of ${fmt(PER_BATCH)} records`);

    const run = await page.evaluate((r, n, ttl) => window.batchBench.kitAndFloor(r, n, ttl), ROUNDS, PER_BATCH, TTL_SECONDS);
    const kmsCount = Math.min(PER_BATCH, 1000);
    const kms0 = await page.evaluate((n) => window.batchBench.kmsKeyring(n, 0), kmsCount);
    const kmsSlow = await page.evaluate((n, ms) => window.batchBench.kmsKeyring(n, ms), kmsCount, KMS_LATENCY_MS);
    const sdk = await page.evaluate((n) => window.batchBench.esdk(n), 1000);
    const counts = await page.evaluate((n) => window.batchBench.callCounts(n), 500);
    const profile = await page.evaluate((n) => window.batchBench.profile(n), 5000);
    const loadEnd = loadavg()[0];
    const per10k = (run.kmsCalls / run.total) * 10_000;
    const kit = { enc: median(run.kit.enc), dec: median(run.kit.dec) };
    const floor = { enc: median(run.floor.enc), dec: median(run.floor.dec) };

    log(`load average (1 min): ${loadStart.toFixed(2)} at the start, ${loadEnd.toFixed(2)} at the end (on ${cpus().length} cores; other processes slow every row)`);
    log('');
    log('rates are medians of per-batch rates (min-max), kit and floor in the same interleaved rounds');
    log('                                                       encrypts/s              decrypts/s              KMS calls / 10k msgs');
    const row = (label, enc, dec, calls) => log(`${label.padEnd(55)}${enc.padEnd(24)}${dec.padEnd(24)}${calls}`);
    row(`kit.encryptMany/decryptMany, hierarchical, pool (${run.workers} workers)`, spread(run.kit.enc), spread(run.kit.dec), `${per10k.toFixed(2)} (${run.kmsCalls} in ${run.total}, both kit rows: ${run.kmsCallNames.join(', ') || 'none'}; TTL ${TTL_SECONDS} s)`);
    row('kit, same calls with workers: 1 (the kit worker alone)', spread(run.single.enc), spread(run.single.dec), '-');
    row('WebCrypto floor, page -> worker -> page as the kit', spread(run.floor.enc), spread(run.floor.dec), '-');
    row('WebCrypto floor, timed inside the worker', spread(run.floor.encInWorker), spread(run.floor.decInWorker), '-');
    row('WebCrypto floor, half a batch in each of 2 workers', spread(run.floorTwo.enc), spread(run.floorTwo.dec), '-');
    row('plain KMS keyring, simulated KMS, no added latency', fmt(kms0.encPerSec), fmt(kms0.decPerSec), `${fmt(kms0.kmsCallsPer10k.encrypt)} (encrypt), ${fmt(kms0.kmsCallsPer10k.decrypt)} (decrypt)`);
    row(`plain KMS keyring, simulated KMS, +${KMS_LATENCY_MS} ms per call`, fmt(kmsSlow.encPerSec), fmt(kmsSlow.decPerSec), `${fmt(kmsSlow.kmsCallsPer10k.encrypt)} (encrypt), ${fmt(kmsSlow.kmsCallsPer10k.decrypt)} (decrypt)`);
    row('ESDK client-browser 4.2.2, raw AES keyring, sequential', fmt(sdk.encPerSec), fmt(sdk.decPerSec), '-');
    log(`all ${fmt(run.total)} messages (total / total time): kit encrypt ${fmt(overall(run.kit.enc))}/s, decrypt ${fmt(overall(run.kit.dec))}/s; ` +
      `floor (page -> worker -> page) encrypt ${fmt(overall(run.floor.enc))}/s, decrypt ${fmt(overall(run.floor.dec))}/s`);
    log('');
    const pct = (a, b) => `${Math.round((100 * a) / b)}%`;
    const x = (a, b) => `${(a / b).toFixed(1)}x`;
    const single = { enc: median(run.single.enc), dec: median(run.single.dec) };
    log(`pool (${run.workers} workers) / one worker, same rounds: encrypt ${x(kit.enc, single.enc)}, decrypt ${x(kit.dec, single.dec)} (target >= ${TARGETS.poolVsOne}x)`);
    log(`  the machine's parallelism, same rounds: floor in 2 workers / floor in 1: encrypt ${x(median(run.floorTwo.enc), floor.enc)}, decrypt ${x(median(run.floorTwo.dec), floor.dec)} (what any pool can gain at best)`);
    log(`kit / WebCrypto floor (page -> worker -> page; the floor runs in one worker): encrypt ${pct(kit.enc, floor.enc)}, decrypt ${pct(kit.dec, floor.dec)}`);
    log(`hierarchical / plain KMS keyring, no added latency:   encrypt ${x(kit.enc, kms0.encPerSec)}, decrypt ${x(kit.dec, kms0.decPerSec)}`);
    log(`hierarchical / plain KMS keyring, +${KMS_LATENCY_MS} ms per KMS call: encrypt ${x(kit.enc, kmsSlow.encPerSec)}, decrypt ${x(kit.dec, kmsSlow.decPerSec)}` +
      (KMS_LATENCY_MS > 0 ? ` (that row is bounded by ${fmt(counts.concurrency)} messages in flight / ${KMS_LATENCY_MS} ms = ${fmt((counts.concurrency * 1000) / KMS_LATENCY_MS)}/s)` : ''));
    log(`hierarchical (pool) / ESDK client-browser, 0x0478 both: encrypt ${x(kit.enc, sdk.encPerSec)}, decrypt ${x(kit.dec, sdk.decPerSec)} (target >= ${TARGETS.vsEsdk}x encrypt); one worker: ${x(single.enc, sdk.encPerSec)}, ${x(single.dec, sdk.decPerSec)}`);
    log('');
    log('WebCrypto calls per message (counted over 500 messages, branch key cached):');
    log(`  kit batch path  encrypt ${callList(counts.kit.encrypt)}`);
    log(`                  decrypt ${callList(counts.kit.decrypt)}`);
    log(`  floor           encrypt ${callList(counts.floor.encrypt)}`);
    log(`                  decrypt ${callList(counts.floor.decrypt)}`);
    log('');
    log(`what each call costs the calling thread: each kind alone, 5,000 calls, ${counts.concurrency} in flight:`);
    for (const [stage, us] of Object.entries(profile)) log(`  ${stage.padEnd(58)} ${us.toFixed(1).padStart(6)} µs`);
    if (SWEEP) {
      const sweep = await page.evaluate((n, levels, r) => window.batchBench.concurrencySweep(n, levels, r), PER_BATCH, SWEEP_LEVELS, 6);
      log('');
      log(`concurrency sweep: the core's encryptMany / decryptMany in the comparison worker (no page round trip), ${fmt(PER_BATCH)} records x 6 interleaved rounds:`);
      for (const { level, enc, dec } of sweep) log(`  ${String(level).padStart(3)} in flight   encrypt ${spread(enc).padEnd(24)} decrypt ${spread(dec)}`);
    }

    if (run.failed > 0 || kms0.failed > 0 || kmsSlow.failed > 0 || counts.kit.failed > 0) problems.push(`${run.failed + kms0.failed + kmsSlow.failed + counts.kit.failed} records failed to decrypt`);
    if (kit.enc < TARGETS.encPerSec) failures.push(`encrypts/s ${fmt(kit.enc)} < ${fmt(TARGETS.encPerSec)} (floor ${fmt(floor.enc)})`);
    if (kit.dec < TARGETS.decPerSec) failures.push(`decrypts/s ${fmt(kit.dec)} < ${fmt(TARGETS.decPerSec)} (floor ${fmt(floor.dec)})`);
    for (const [label, kms] of [['no added latency', kms0], [`+${KMS_LATENCY_MS} ms per call`, kmsSlow]]) {
      const ratio = Math.min(kit.enc / kms.encPerSec, kit.dec / kms.decPerSec);
      if (ratio < TARGETS.vsKmsKeyring) failures.push(`${ratio.toFixed(1)}x < ${TARGETS.vsKmsKeyring}x the plain KMS keyring (${label})`);
    }
    if (Math.min(kit.enc / single.enc, kit.dec / single.dec) < TARGETS.poolVsOne) failures.push(`pool / one worker ${x(kit.enc, single.enc)} / ${x(kit.dec, single.dec)} < ${TARGETS.poolVsOne}x`);
    if (kit.enc / sdk.encPerSec < TARGETS.vsEsdk) failures.push(`encryptMany 0x0478 / ESDK ${x(kit.enc, sdk.encPerSec)} < ${TARGETS.vsEsdk}x`);
    if (per10k > TARGETS.kmsCallsPer10k) failures.push(`${per10k.toFixed(2)} KMS calls per 10k messages > ${TARGETS.kmsCallsPer10k}`);
  } finally {
    await browser.close().catch(() => {});
    await new Promise((resolve) => server.close(resolve));
  }
  log('');
  for (const problem of problems) log(`bench:batches: PROBLEM: ${problem}`);
  log(failures.length === 0 ? 'bench:batches: all targets met' : `bench:batches: targets missed: ${failures.join('; ')}`);
  process.exitCode = problems.length > 0 ? 2 : failures.length === 0 ? 0 : 1;
}

main().catch((error) => {
  console.error(`bench:batches: ${error.stack ?? error}`);
  process.exitCode = 2;
});
