#!/usr/bin/env node
// Signed one-shot messages: the core's incremental path (hash beside AES-GCM, digest signed in
// JavaScript) against the WebCrypto path it replaced (one sign/verify call over the whole
// message), both in one headless Chromium page, alternating, per size; plus the two SHA-384s alone.
// The bar for INCREMENTAL_SIGNATURE_THRESHOLD (src/core/signed-body.ts). bench/README.md.
//   node bench/signed-paths.mjs [--rounds=6] [--sizes=1,4,16,64]   (MiB)
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import puppeteer from 'puppeteer-core';
import { launchChromium, median, serveDirectory } from './support.mjs';
import { findBrowser } from '../scripts/browsers.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = join(root, 'bench', 'out', 'signed-paths');
const option = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const ROUNDS = Number(option('rounds', 6));
const SIZES = String(option('sizes', '1,4,16,64')).split(',').map(Number);
const MiB = 1 << 20;

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
for (const [name, threshold] of [['benchIncremental', undefined], ['benchWebCrypto', 'Infinity']]) {
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: [join(root, 'bench', 'signed-paths', 'page.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outfile: join(outDir, `${name}.js`),
    logLevel: 'warning',
    banner: { js: `globalThis.__benchName = '${name}';` },
    plugins: threshold
      ? [{ name: 'threshold', setup: (b) => b.onLoad({ filter: /signed-body\.ts$/ }, (a) => ({ contents: readFileSync(a.path, 'utf8').replace('= 4 << 20;', `= ${threshold};`), loader: 'ts' })) }]
      : [],
  });
}
writeFileSync(join(outDir, 'index.html'), '<!doctype html><link rel="icon" href="data:,"><script type="module">await import("./benchIncremental.js"); await import("./benchWebCrypto.js"); window.ready = true;</script>\n');

const { server, origin } = await serveDirectory(outDir);
const browser = await launchChromium();
const load = loadavg()[0];
try {
  const page = await browser.newPage();
  await page.goto(`${origin}/index.html`);
  await page.waitForFunction(() => window.ready === true, { timeout: 30_000 });
  console.log(`Chromium ${await browser.version()}, page main thread, suite 0x0578, ${ROUNDS} alternating rounds per size, MiB/s medians (min-max); load ${load.toFixed(1)}`);
  const hashes = [];
  for (let i = 0; i < 3; i++) hashes.push(await page.evaluate((s) => window.benchIncremental.hash(s), 64 * MiB));
  console.log(`SHA-384 of 64 MiB: incremental (${hashes[0].implementation}, 256 KiB updates) ${median(hashes.map((h) => h.incremental)).toFixed(0)}, WebCrypto one-shot digest ${median(hashes.map((h) => h.webCryptoOneShot)).toFixed(0)}`);
  const f = (xs) => `${median(xs).toFixed(0)} (${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)})`;
  console.log('size     incremental enc    WebCrypto enc      incremental dec    WebCrypto dec      0x0478 enc        incr/WebCrypto enc, dec');
  for (const size of SIZES) {
    const s = { ie: [], we: [], id: [], wd: [], u: [] };
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 === 0 ? ['benchIncremental', 'benchWebCrypto'] : ['benchWebCrypto', 'benchIncremental'];
      for (const name of order) {
        const { enc, dec } = await page.evaluate((n, b) => window[n].run(b, 0x0578), name, size * MiB);
        (name === 'benchIncremental' ? s.ie : s.we).push(enc);
        (name === 'benchIncremental' ? s.id : s.wd).push(dec);
      }
      s.u.push((await page.evaluate((b) => window.benchIncremental.run(b, 0x0478), size * MiB)).enc);
    }
    const ratio = (a, b) => `${(median(a) / median(b)).toFixed(2)}x`;
    console.log(`${String(size).padStart(3)} MiB  ${f(s.ie).padEnd(19)}${f(s.we).padEnd(19)}${f(s.id).padEnd(19)}${f(s.wd).padEnd(19)}${f(s.u).padEnd(18)}${ratio(s.ie, s.we)}, ${ratio(s.id, s.wd)}`);
  }
  // Where WebCrypto runs, per engine (issue 16): on the calling thread, nothing can overlap with it
  // there, so a key pair "generated ahead" or a hash "beside the cipher" needs another worker, and a
  // key from another worker is only worth having if cloning it costs less than making it.
  const engines = [['Chromium', page]];
  const firefoxPath = findBrowser('firefox').path;
  let firefox;
  if (firefoxPath) {
    firefox = await puppeteer.launch({ browser: 'firefox', executablePath: firefoxPath, headless: true }).catch(() => undefined);
    if (firefox) {
      const ffPage = await firefox.newPage();
      await ffPage.goto(`${origin}/index.html`);
      await ffPage.waitForFunction(() => window.ready === true, { timeout: 30_000 });
      engines.push([`Firefox ${await firefox.version()}`, ffPage]);
    }
  }
  console.log('');
  console.log('WebCrypto per call, ms: inside the call (before its promise returns) / until it settles; best structured clone of a private key');
  console.log('engine                      generateKey P-384    sign P-384 1 KiB     32 x AES-GCM 256 KiB issued / settled   clone private key');
  for (const [name, p] of engines) {
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push(await p.evaluate(() => window.benchIncremental.threads()));
    const m = (k) => median(runs.map((r) => r[k])).toFixed(2);
    console.log(
      `${name.padEnd(28)}${`${m('generateKeyInsideMs')} / ${m('generateKeySettledMs')}`.padEnd(21)}${`${m('signInsideMs')} / ${m('signSettledMs')}`.padEnd(21)}` +
        `${`${m('aes32IssuedMs')} / ${m('aes32SettledMs')}`.padEnd(40)}${m('clonePrivateKeyMs')}`,
    );
  }
  await firefox?.close().catch(() => {});
  console.log(`load average at the end ${loadavg()[0].toFixed(1)}`);
} finally {
  await browser.close().catch(() => {});
  server.close();
}
