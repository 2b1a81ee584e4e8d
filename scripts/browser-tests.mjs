#!/usr/bin/env node
// Runs the browser suites (web-test-runner.config.mjs) and ends with one verdict line.
//   node scripts/browser-tests.mjs              Chromium + Firefox ESR, + WebKitGTK when installed
//   node scripts/browser-tests.mjs --webkit     WebKitGTK is required: fail if it is not installed
//   node scripts/browser-tests.mjs --no-webkit  Chromium + Firefox ESR only (also EK_WEBKIT=0)
//   node scripts/browser-tests.mjs --watch      any other argument goes to Web Test Runner
//
// WebKit needs three processes besides the test runner (a virtual display, WebKitWebDriver, and
// the MiniBrowser it launches). They are started here rather than with `xvfb-run`, so that each
// one is ours to stop: its own process group, killed on every exit path, nothing left running.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WEBKIT, webkitInstalled } from './browsers.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const wtrBin = join(root, 'node_modules', '@web', 'test-runner', 'dist', 'bin.js');

const ours = new Set(['--webkit', '--no-webkit']);
const argv = process.argv.slice(2);
const passthrough = argv.filter((arg) => !ours.has(arg));
const requireWebkit = argv.includes('--webkit') || process.env.EK_WEBKIT === '1';
const skipWebkit = !requireWebkit && (argv.includes('--no-webkit') || process.env.EK_WEBKIT === '0');
// WebKit is the one engine that cannot come from a single package on every machine (it needs a
// virtual display), so it runs wherever setup.mjs could install it and is reported when skipped.
const withWebkit = requireWebkit || (!skipWebkit && webkitInstalled());
// The progress bars redraw the screen; in a log file they turn into noise.
const staticLogging = process.env.CI || !process.stdout.isTTY ? ['--static-logging'] : [];

/** @type {import('node:child_process').ChildProcess[]} */
const helpers = [];

/** Signals each helper's whole process group, so WebKitWebDriver's MiniBrowser gets it too. */
function signalHelpers(signal) {
  for (const child of helpers) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  }
}

/**
 * Stops the helpers and waits until they have exited, so that Node reaps them: orphans would be
 * left to PID 1, which in a container is not always an init that reaps zombies.
 */
async function stopHelpers() {
  const exited = helpers.map(
    (child) =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) resolve(undefined);
        else child.once('exit', resolve);
      }),
  );
  signalHelpers('SIGTERM');
  const timer = setTimeout(() => signalHelpers('SIGKILL'), 5_000);
  await Promise.all(exited);
  clearTimeout(timer);
  helpers.length = 0;
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    void stopHelpers().finally(() => process.exit(130));
  });
}
// Last resort if something throws past the finally below: at least do not leave them running.
process.on('exit', () => signalHelpers('SIGKILL'));

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

/** Starts a helper in its own process group so that stopHelpers() reaches its children too. */
function startHelper(command, args, options) {
  const child = spawn(command, args, { detached: true, ...options });
  helpers.push(child);
  return child;
}

/**
 * A private X display. `-displayfd` lets Xvfb pick a free display number itself and tell us,
 * which avoids the lock-file race `xvfb-run -a` has when two runs start at once.
 */
function startXvfb() {
  return new Promise((resolve, reject) => {
    const xvfb = startHelper(WEBKIT.xvfb, ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    xvfb.stderr.on('data', (chunk) => (stderr += chunk));
    xvfb.stdio[3].on('data', (chunk) => resolve(`:${String(chunk).trim()}`));
    xvfb.on('error', reject);
    xvfb.on('exit', (code) => reject(new Error(`Xvfb exited (${code}) before it was ready:\n${stderr}`)));
  });
}

async function waitForDriver(url, driver, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (driver.exitCode !== null) throw new Error(`WebKitWebDriver exited with code ${driver.exitCode}`);
    try {
      const response = await fetch(`${url}/status`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`WebKitWebDriver did not answer on ${url} within ${timeoutMs / 1000} s`);
}

async function startWebkit() {
  if (!webkitInstalled()) {
    throw new Error(
      `${WEBKIT.label} is not installed: run \`node scripts/setup.mjs\` as root on Debian, ` +
        `or install ${WEBKIT.debianPackages.join(' and ')}.`,
    );
  }
  const display = await startXvfb();
  const port = await freePort();
  const driver = startHelper(WEBKIT.driver, [`--port=${port}`], {
    env: { ...process.env, DISPLAY: display },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForDriver(url, driver);
  console.log(`browser: ${WEBKIT.label} driver on ${url}, display ${display}`);
  return url;
}

function runTestRunner(env) {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [wtrBin, '--config', join(root, 'web-test-runner.config.mjs'), ...staticLogging, ...passthrough],
      { cwd: root, stdio: 'inherit', env },
    );
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const started = Date.now();
let code = 1;
try {
  const env = { ...process.env };
  if (withWebkit) env.EK_WEBDRIVER_URL = await startWebkit();
  code = await runTestRunner(env);
} catch (error) {
  console.error(`browser: ERROR: ${error instanceof Error ? error.message : error}`);
} finally {
  await stopHelpers();
}
const engines = ['Chromium', 'Firefox ESR', ...(withWebkit ? [WEBKIT.label] : [])].join(' + ');
if (!withWebkit) {
  const why = skipWebkit ? 'skipped on request' : 'not installed; `node scripts/setup.mjs` installs it as root on Debian';
  console.log(`browser: ${WEBKIT.label} ${why}`);
}
const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log(`browser tests (${engines}): ${code === 0 ? 'PASS' : 'FAIL'} in ${seconds} s`);
process.exit(code === 0 ? 0 : 1);
