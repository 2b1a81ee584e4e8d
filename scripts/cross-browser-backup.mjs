#!/usr/bin/env node
// A key-store backup made in one browser engine restores in every other (issue 12), and every
// message made before it decrypts there. One Web Test Runner file runs in one engine at a time, so
// this script drives the engines itself, from Node:
//   1. bundles test/cross-browser/backup-page.ts and workers/kit.worker.ts with esbuild and serves
//      them on 127.0.0.1 (a secure context: WebCrypto and IndexedDB work);
//   2. in each engine, `ekProduce()`: a kit with keys, a rotation, a multi-Region replica, a branch
//      key and messages, backed up under a passphrase;
//   3. in each engine, `ekConsume()` of every other engine's backup: a wrong passphrase is refused,
//      then the restore, every message and branch-key record decrypts, the audit chains verify.
// Chromium and Firefox ESR run through puppeteer-core (DevTools protocol, WebDriver BiDi), WebKitGTK
// through WebKitWebDriver on a private Xvfb display, all from Debian packages (scripts/browsers.mjs).
//   node scripts/cross-browser-backup.mjs        every installed engine (at least two)
//   EK_BROWSERS=chromium,firefox EK_WEBKIT=0      narrow it, as for scripts/browser-tests.mjs
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createServer as netServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import * as puppeteer from 'puppeteer-core';
import { findBrowser, WEBKIT, webkitInstalled } from './browsers.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const only = process.env.EK_BROWSERS?.split(',').map((s) => s.trim().toLowerCase());
const wanted = (engine) => !only || only.includes(engine);
const withWebkit = wanted('webkit') && process.env.EK_WEBKIT !== '0' && webkitInstalled();
const started = Date.now();

/** Processes we start (Xvfb, WebKitWebDriver): each in its own group, all stopped on exit. */
const helpers = [];
function stopHelpers() {
  for (const child of helpers) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // gone already
      }
    }
  }
  return Promise.all(helpers.map((c) => (c.exitCode !== null || c.signalCode !== null ? undefined : new Promise((r) => c.once('exit', r)))));
}
process.on('exit', () => {
  for (const child of helpers) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
});

async function bundle() {
  const dir = await mkdtemp(join(tmpdir(), 'ek-cross-browser-'));
  const common = { bundle: true, format: 'esm', target: 'es2022', tsconfig: join(root, 'tsconfig.json'), logLevel: 'warning' };
  await build({ ...common, entryPoints: [join(root, 'test/cross-browser/backup-page.ts')], outfile: join(dir, 'page.js') });
  await build({ ...common, entryPoints: [join(root, 'workers/kit.worker.ts')], outfile: join(dir, 'kit.worker.js') });
  return dir;
}

function serve(dir) {
  const types = { '.js': 'text/javascript', '.html': 'text/html' };
  const server = createServer(async (request, response) => {
    const path = new URL(request.url, 'http://x').pathname;
    if (path === '/' || path === '/index.html') {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<!doctype html><link rel="icon" href="data:,"><script type="module" src="./page.js"></script>');
      return;
    }
    if (!/^\/[a-z.]+\.js$/.test(path)) {
      response.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(join(dir, path.slice(1)));
      response.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = netServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** A page in a puppeteer-driven engine: `call(name, arg)` runs window[name](arg) and returns its JSON. */
async function puppeteerEngine(label, launchOptions, url) {
  const browser = await puppeteer.launch({ headless: true, ...launchOptions });
  const page = await browser.newPage();
  await page.goto(url);
  await page.waitForFunction(() => typeof globalThis.ekProduce === 'function');
  return {
    label,
    call: (name, arg) => page.evaluate((n, a) => globalThis[n](a), name, arg),
    close: () => browser.close(),
  };
}

async function webkitEngine(url) {
  const display = await new Promise((resolve, reject) => {
    const xvfb = spawn(WEBKIT.xvfb, ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], { detached: true, stdio: ['ignore', 'ignore', 'ignore', 'pipe'] });
    helpers.push(xvfb);
    xvfb.stdio[3].on('data', (chunk) => resolve(`:${String(chunk).trim()}`));
    xvfb.on('exit', (code) => reject(new Error(`Xvfb exited (${code}) before it was ready`)));
  });
  const port = await freePort();
  const driver = spawn(WEBKIT.driver, [`--port=${port}`], { detached: true, env: { ...process.env, DISPLAY: display }, stdio: ['ignore', 'ignore', 'inherit'] });
  helpers.push(driver);
  for (let i = 0; ; i++) {
    if (await fetch(`http://127.0.0.1:${port}/status`).then((r) => r.ok, () => false)) break;
    if (i > 200) throw new Error('WebKitWebDriver did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  const { remote } = await import('webdriverio');
  const browser = await remote({
    hostname: '127.0.0.1',
    port,
    path: '/',
    logLevel: 'warn',
    capabilities: { browserName: 'MiniBrowser', 'wdio:enforceWebDriverClassic': true, 'webkitgtk:browserOptions': { binary: WEBKIT.browser, args: ['--automation'] } },
  });
  await browser.setTimeout({ script: 300_000 });
  await browser.url(url);
  await browser.waitUntil(() => browser.execute(() => typeof globalThis.ekProduce === 'function'), { timeout: 30_000 });
  return {
    label: WEBKIT.label,
    call: async (name, arg) => {
      const result = await browser.executeAsync((n, a, done) => {
        globalThis[n](a).then(
          (value) => done({ value }),
          (error) => done({ error: `${error?.name}: ${error?.message} (${error?.code ?? ''})` }),
        );
      }, name, arg);
      if (result.error) throw new Error(result.error);
      return result.value;
    },
    close: () => browser.deleteSession(),
  };
}

const failures = [];
function check(condition, what) {
  if (!condition) failures.push(what);
  console.log(`  ${condition ? 'ok  ' : 'FAIL'} ${what}`);
}

const dir = await bundle();
const server = await serve(dir);
const url = `http://127.0.0.1:${server.address().port}/`;
const engines = [];
let code = 1;
try {
  const chromium = findBrowser('chromium').path;
  const firefox = findBrowser('firefox').path;
  const chromiumArgs = [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'];
  if (wanted('chromium') && chromium) engines.push(await puppeteerEngine('Chromium', { executablePath: chromium, args: chromiumArgs }, url));
  if (wanted('firefox') && firefox) engines.push(await puppeteerEngine('Firefox ESR', { browser: 'firefox', executablePath: firefox }, url));
  if (withWebkit) engines.push(await webkitEngine(url));
  if (engines.length < 2) throw new Error(`needs two engines at least; found ${engines.map((e) => e.label).join(', ') || 'none'}`);
  const made = new Map();
  for (const engine of engines) {
    const t = Date.now();
    made.set(engine.label, await engine.call('ekProduce', engine.label));
    console.log(`cross-browser: ${engine.label} made a backup (${Math.round((made.get(engine.label).backup.length * 3) / 4 / 1024)} KiB) in ${Date.now() - t} ms`);
  }
  for (const target of engines) {
    for (const source of engines) {
      if (source === target) continue;
      const produced = made.get(source.label);
      const t = Date.now();
      const got = await target.call('ekConsume', produced);
      console.log(`cross-browser: ${source.label} -> ${target.label} (${Date.now() - t} ms)`);
      check(got.wrongPassphrase === 'WRONG_PASSPHRASE', `${source.label} -> ${target.label}: a wrong passphrase is refused (${got.wrongPassphrase})`);
      check(got.keys === 4 && got.branchKeys === 3, `${source.label} -> ${target.label}: 4 keys and 3 branch key records restored (${got.keys}, ${got.branchKeys})`);
      check(JSON.stringify(got.decrypted) === JSON.stringify(produced.messages.map((m) => m.plaintext)), `${source.label} -> ${target.label}: every KMS message decrypts`);
      check(JSON.stringify(got.records) === JSON.stringify(produced.records.map((r) => r.plaintext)), `${source.label} -> ${target.label}: every branch key record decrypts (${got.records.join(' | ')})`);
      check(got.auditOk === true, `${source.label} -> ${target.label}: the restored audit chains verify`);
    }
  }
  code = failures.length === 0 ? 0 : 1;
} catch (error) {
  console.error(`cross-browser: ERROR: ${error instanceof Error ? error.stack : error}`);
} finally {
  for (const engine of engines) await engine.close().catch(() => undefined);
  server.close();
  await stopHelpers();
  await rm(dir, { recursive: true, force: true });
}
const labels = engines.map((e) => e.label).join(' + ') || 'no engine';
if (!withWebkit) console.log(`cross-browser: ${WEBKIT.label} not run (${process.env.EK_WEBKIT === '0' || !wanted('webkit') ? 'skipped on request' : 'not installed'})`);
console.log(`cross-browser backups (${labels}): ${code === 0 ? 'PASS' : 'FAIL'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(code);
