#!/usr/bin/env node
// Many small records (issue 6): kit.encryptMany / kit.decryptMany with the hierarchical keyring in
// headless Chromium, in the kit's worker, against the plain KMS keyring and the AWS ESDK browser
// client; KMS calls per 10,000 messages; a per-stage profile of one message's WebCrypto work.
//   node bench/batches.mjs [--batches=10] [--per-batch=1000]
import { createServer } from 'node:http';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import puppeteer from 'puppeteer-core';

const root = fileURLToPath(new URL('..', import.meta.url));
const srcDir = join(root, 'bench', 'batches');
const outDir = join(root, 'bench', 'out', 'batches');
const option = (name, fallback) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const BATCHES = option('batches', 10);
const PER_BATCH = option('per-batch', 1000);
const TTL_SECONDS = 15 * 60;
const TARGETS = { encPerSec: 20_000, decPerSec: 20_000, vsKmsKeyring: 10, kmsCallsPer10k: 1 };
const log = (line = '') => console.log(line);

function findChromium() {
  for (const candidate of [process.env.CHROME_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser']) if (candidate && existsSync(candidate)) return candidate;
  throw new Error('Chromium not found: apt-get install chromium, or set CHROME_PATH.');
}

async function build() {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const common = { absWorkingDir: root, outdir: outDir, bundle: true, format: 'esm', platform: 'browser', target: 'es2022', tsconfig: join(root, 'tsconfig.json'), logLevel: 'warning' };
  await esbuild.build({ ...common, entryPoints: { page: join(srcDir, 'page.ts'), 'kit.worker': join(root, 'workers', 'kit.worker.ts') } });
  // The ESDK needs a global Buffer (asn1.js): injected into the comparison worker only.
  await esbuild.build({ ...common, entryPoints: { worker: join(srcDir, 'worker.ts') }, inject: [join(root, 'bench', 'buffer-shim.js')] });
  writeFileSync(join(outDir, 'index.html'), '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module" src="./page.js"></script>\n');
}

function serve() {
  const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };
  const server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url, 'http://x').pathname)).replace(/^([/\\])+/, '');
    const file = join(outDir, path === '' ? 'index.html' : path);
    if (!file.startsWith(outDir + sep) || !existsSync(file)) return void response.writeHead(404).end('not found');
    response.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    response.end(readFileSync(file));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');

async function main() {
  await build();
  const server = await serve();
  const browser = await puppeteer.launch({
    executablePath: findChromium(),
    headless: true,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const failures = [];
  try {
    const page = await browser.newPage();
    page.on('pageerror', (error) => log(`bench:batches: page error: ${error.message}`));
    page.on('console', (m) => (m.type() === 'error' ? log(`bench:batches: console: ${m.text()}`) : undefined));
    await page.goto(`http://127.0.0.1:${server.address().port}/index.html`, { waitUntil: 'load' });
    await page.waitForFunction(() => typeof window.batchBench === 'object', { timeout: 30_000 });
    page.setDefaultTimeout(600_000);
    log(`Chromium ${await browser.version()}; ${cpus().length} cores (${cpus()[0]?.model ?? '?'}); 1 KiB records, suite 0x0478; ${BATCHES} batches of ${PER_BATCH}`);

    const kit = await page.evaluate((b, n, ttl) => window.batchBench.kit(b, n, ttl), BATCHES, PER_BATCH, TTL_SECONDS);
    const kmsCount = Math.min(PER_BATCH, 1000);
    const kms = await page.evaluate((n) => window.batchBench.kmsKeyring(n), kmsCount);
    const sdk = await page.evaluate((n) => window.batchBench.esdk(n), 1000);
    const profile = await page.evaluate((n) => window.batchBench.profile(n), 5000);
    const per10k = (kit.kmsCalls / kit.total) * 10_000;

    log('');
    log('                                             encrypts/s   decrypts/s   KMS calls / 10k msgs');
    log(`kit.encryptMany/decryptMany, hierarchical   ${fmt(kit.encPerSec).padStart(10)}   ${fmt(kit.decPerSec).padStart(10)}   ${per10k.toFixed(2)} (${kit.kmsCalls} in ${kit.total}: ${kit.kmsCallNames.join(', ') || 'none'}; TTL ${TTL_SECONDS} s)`);
    log(`plain KMS keyring, same batch path          ${fmt(kms.encPerSec).padStart(10)}   ${fmt(kms.decPerSec).padStart(10)}   ${fmt(kms.kmsCallsPer10k)} (encrypt)`);
    log(`ESDK client-browser 4.2.2, raw AES, seq.    ${fmt(sdk.encPerSec).padStart(10)}   ${fmt(sdk.decPerSec).padStart(10)}   -`);
    log(`hierarchical / KMS keyring: encrypt ${(kit.encPerSec / kms.encPerSec).toFixed(1)}x, decrypt ${(kit.decPerSec / kms.decPerSec).toFixed(1)}x; vs ESDK: ${(kit.encPerSec / sdk.encPerSec).toFixed(1)}x, ${(kit.decPerSec / sdk.decPerSec).toFixed(1)}x`);
    log('');
    log('profile: each stage alone, 5,000 calls with the batch concurrency (per second):');
    for (const [stage, perSec] of Object.entries(profile)) log(`  ${stage.padEnd(58)} ${fmt(perSec).padStart(9)}/s  (${(1e6 / perSec).toFixed(1)} µs)`);

    if (kit.failed > 0 || kms.failed > 0) failures.push(`${kit.failed + kms.failed} records failed to decrypt`);
    if (kit.encPerSec < TARGETS.encPerSec) failures.push(`encrypts/s ${fmt(kit.encPerSec)} < ${fmt(TARGETS.encPerSec)}`);
    if (kit.decPerSec < TARGETS.decPerSec) failures.push(`decrypts/s ${fmt(kit.decPerSec)} < ${fmt(TARGETS.decPerSec)}`);
    if (Math.min(kit.encPerSec / kms.encPerSec, kit.decPerSec / kms.decPerSec) < TARGETS.vsKmsKeyring) failures.push(`< ${TARGETS.vsKmsKeyring}x the KMS keyring`);
    if (per10k > TARGETS.kmsCallsPer10k) failures.push(`${per10k.toFixed(2)} KMS calls per 10k messages > ${TARGETS.kmsCallsPer10k}`);
  } finally {
    await browser.close().catch(() => {});
    await new Promise((resolve) => server.close(resolve));
  }
  log('');
  log(failures.length === 0 ? 'bench:batches: all targets met' : `bench:batches: targets missed: ${failures.join('; ')}`);
  process.exitCode = failures.length === 0 ? 0 : 1;
}

main().catch((error) => {
  console.error(`bench:batches: ${error.stack ?? error}`);
  process.exitCode = 2;
});
