// Browser half of the test suite: the shared suites (also run by Vitest in Node) plus the
// browser-only ones, in headless Chromium and Firefox ESR from Debian packages, and WebKitGTK when
// scripts/browser-tests.mjs (`npm run test:browser`) has started a WebDriver server for it.
// `npx wtr` alone works too, without WebKit.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher, defaultReporter } from '@web/test-runner';
import * as puppeteer from 'puppeteer-core';
import { passFailSummary } from './scripts/browser-test-summary.mjs';
import { requireBrowser } from './scripts/browsers.mjs';
import { serveSource } from './scripts/serve-source.mjs';
import { virtualAuthenticatorPlugin } from './test/support/virtual-authenticator-plugin.mjs';

// The published ESDK vectors live beside the project, not in it (they are not ours to ship), so
// the dev server, which only serves rootDir, needs a door to them. Tests fetch
// `/__vectors__/esdk/<name>.zip`, the same path in every browser.
const VECTORS_URL = '/__vectors__/esdk/';
const VECTORS_DIR = fileURLToPath(new URL('../shared/vectors/esdk/', import.meta.url));

/** @type {import('@web/dev-server-core').Middleware} */
async function serveVectors(context, next) {
  if (!context.path.startsWith(VECTORS_URL)) return next();
  const name = context.path.slice(VECTORS_URL.length);
  // A flat name only: the URL must never reach outside the vectors folder.
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*\.zip$/.test(name)) {
    context.status = 400;
    context.body = `bad vector file name: ${name}`;
    return undefined;
  }
  const file = VECTORS_DIR + name;
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) {
    context.status = 404;
    context.body = `no such vector file: ${name} (looked in ${VECTORS_DIR})`;
    return undefined;
  }
  context.type = 'application/zip';
  context.length = info.size;
  context.body = createReadStream(file);
  return undefined;
}

// The DB-ESDK item-format vectors (JSON) beside them: `/__vectors__/dbesdk/<name>.json`.
const DBESDK_VECTORS_URL = '/__vectors__/dbesdk/';
const DBESDK_VECTORS_DIR = fileURLToPath(new URL('../shared/vectors/dbesdk/', import.meta.url));

/** @type {import('@web/dev-server-core').Middleware} */
async function serveDbesdkVectors(context, next) {
  if (!context.path.startsWith(DBESDK_VECTORS_URL)) return next();
  const name = context.path.slice(DBESDK_VECTORS_URL.length);
  // A flat name only: the URL must never reach outside the vectors folder.
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*\.json$/.test(name)) {
    context.status = 400;
    context.body = `bad vector file name: ${name}`;
    return undefined;
  }
  const file = DBESDK_VECTORS_DIR + name;
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) {
    context.status = 404;
    context.body = `no such vector file: ${name} (looked in ${DBESDK_VECTORS_DIR})`;
    return undefined;
  }
  context.type = 'application/json';
  context.length = info.size;
  context.body = createReadStream(file);
  return undefined;
}

// As root Chromium refuses to start without --no-sandbox; the rest keep a headless test browser
// from phoning home or updating itself mid-run, which costs time and makes runs differ.
const chromiumArgs = [
  ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

// WebKitGTK joins when scripts/browser-tests.mjs has started a WebKitWebDriver (on a private Xvfb
// display) and passed its URL; without one, webdriverio is not even loaded.
const webkitBrowsers = [];
if (process.env.EK_WEBDRIVER_URL) {
  const { webdriverLauncher } = await import('@web/test-runner-webdriver');
  const { WEBKIT } = await import('./scripts/browsers.mjs');
  const driver = new URL(process.env.EK_WEBDRIVER_URL);
  const webkit = webdriverLauncher({
    hostname: driver.hostname,
    port: Number(driver.port),
    path: '/',
    logLevel: 'warn',
    capabilities: {
      browserName: 'MiniBrowser',
      // webdriverio 9 otherwise asks for BiDi, which WebKitWebDriver does not offer.
      'wdio:enforceWebDriverClassic': true,
      'webkitgtk:browserOptions': { binary: WEBKIT.browser, args: ['--automation'] },
    },
  });
  // The launcher names itself after the browser binary ("MiniBrowser") while initializing.
  const initialize = webkit.initialize.bind(webkit);
  webkit.initialize = async (...args) => {
    await initialize(...args);
    webkit.name = WEBKIT.label;
  };
  webkitBrowsers.push(webkit);
}

// EK_BROWSERS=chromium (or firefox, or both, comma-separated) narrows a run while iterating on one
// file; CI and `npm test` leave it unset and run every engine.
const only = process.env.EK_BROWSERS?.split(',').map((name) => name.trim().toLowerCase());
/** @template T @param {string} engine @param {() => T} make @returns {T[]} */
function pick(engine, make) {
  return !only || only.includes(engine) ? [make()] : [];
}

// On 2 cores: one test file per browser at a time, two browsers side by side. The vector suites
// are CPU-bound (RSA-4096), so more pages than cores only makes every file slower and flakier.
const concurrency = Math.max(1, Math.floor(availableParallelism() / 2));

/** @type {import('@web/test-runner').TestRunnerConfig} */
export default {
  files: ['test/shared/**/*.test.ts', 'test/browser/**/*.test.ts'],
  nodeResolve: true,
  concurrency,
  concurrentBrowsers: 2,
  // Firefox over WebDriver BiDi takes several seconds to come up on a busy 2-core machine.
  browserStartTimeout: 120_000,
  // The vector suites decrypt ~170 messages, some with RSA-4096 keys.
  testsStartTimeout: 120_000,
  testsFinishTimeout: 600_000,
  testFramework: { config: { timeout: 120_000 } },
  plugins: [esbuildPlugin({ ts: true, tsconfig: 'tsconfig.json', target: 'es2022' }), virtualAuthenticatorPlugin()],
  middleware: [serveVectors, serveDbesdkVectors, serveSource],
  browsers: [
    // The launcher calls itself "Chrome"; the summary should name the engine actually tested.
    ...pick('chromium', () =>
    Object.assign(
      chromeLauncher({
        launchOptions: { executablePath: requireBrowser('chromium'), headless: true, args: chromiumArgs },
      }),
      { name: 'Chromium' },
    )),
    // The same launcher drives Firefox through puppeteer-core over WebDriver BiDi: no geckodriver,
    // no Playwright-patched Firefox, just the Debian package.
    ...pick('firefox', () =>
      chromeLauncher({
        puppeteer,
        launchOptions: { browser: 'firefox', executablePath: requireBrowser('firefox'), headless: true },
      }),
    ),
    ...webkitBrowsers,
  ],
  reporters: [passFailSummary(), defaultReporter()],
};
