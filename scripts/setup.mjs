#!/usr/bin/env node
// Brings a fresh clone (or a stale checkout) to the point where every test can run:
//   node scripts/setup.mjs                 dependencies, Chromium + Firefox ESR (required) and
//                                          WebKitGTK (when this machine can install it)
//   node scripts/setup.mjs --no-webkit     dependencies, Chromium + Firefox ESR
//   node scripts/setup.mjs --no-browsers   dependencies only (the demo, the build)
// It runs before node_modules exists, so it may only use Node's standard library.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENGINES, WEBKIT, findBrowser, webkitInstalled } from './browsers.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = new Set(process.argv.slice(2));
const wantBrowsers = !args.has('--no-browsers');
const wantWebkit = wantBrowsers && !args.has('--no-webkit') && process.env.EK_WEBKIT !== '0';

const log = (message) => console.log(`setup: ${message}`);

function fail(message) {
  console.error(`setup: ERROR: ${message}`);
  process.exit(1);
}

function run(command, argv, options = {}) {
  log(`$ ${command} ${argv.join(' ')}`);
  const result = spawnSync(command, argv, { cwd: root, stdio: 'inherit', ...options });
  if (result.error) return { ok: false, why: result.error.message };
  return { ok: result.status === 0, why: `exit code ${result.status}` };
}

// --- dependencies ---------------------------------------------------------------------------
// npm rewrites node_modules/.package-lock.json on every install, after package-lock.json, so its
// mtime says which lockfile the installed tree was built from; the node_modules directory's own
// mtime does not change when a nested package is updated.
function staleDependencies() {
  const lock = join(root, 'package-lock.json');
  const installed = join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(join(root, 'node_modules'))) return 'node_modules is missing';
  if (!existsSync(installed)) return 'node_modules was not installed by npm';
  if (statSync(installed).mtimeMs < statSync(lock).mtimeMs) return 'package-lock.json is newer than node_modules';
  return undefined;
}

const stale = staleDependencies();
if (stale) {
  log(`${stale}: installing exactly what package-lock.json says`);
  const started = Date.now();
  const ci = run('npm', ['ci', '--no-audit', '--no-fund']);
  if (!ci.ok) fail(`npm ci failed (${ci.why}). See the npm output above.`);
  log(`npm ci took ${((Date.now() - started) / 1000).toFixed(1)} s`);
} else {
  log('dependencies up to date');
}

if (!wantBrowsers) process.exit(0);

// --- browsers -------------------------------------------------------------------------------
const canApt = process.getuid?.() === 0 && existsSync('/etc/debian_version');

function aptInstall(packages) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // Another apt run (unattended upgrades, a parallel setup) holds the dpkg lock for a while:
  // wait for it instead of failing at once.
  const lock = ['-o', 'DPkg::Lock::Timeout=300'];
  // A failed update (one unreachable mirror) should not stop us: the package lists already on
  // disk may well be enough, and the install below reports the real problem if not.
  const update = run('apt-get', [...lock, 'update'], { env });
  if (!update.ok) log(`apt-get update failed (${update.why}); trying the install anyway`);
  const install = run('apt-get', [...lock, 'install', '-y', '--no-install-recommends', ...packages], { env });
  return install;
}

function version(file) {
  const result = spawnSync(file, ['--version'], { encoding: 'utf8', timeout: 20_000 });
  return (result.stdout ?? '').trim().split('\n').pop() || 'version unknown';
}

const found = Object.fromEntries(Object.keys(ENGINES).map((engine) => [engine, findBrowser(engine)]));

// An env var that points nowhere is a typo to fix, not a reason to install something else.
for (const result of Object.values(found)) if (result.error) fail(result.error);

const missing = Object.keys(ENGINES).filter((engine) => !found[engine].path);
// WebKit is best effort: installed when we can, never a reason to fail setup (test/README.md).
const webkitMissing = wantWebkit && !webkitInstalled();
const packages = missing.flatMap((engine) => ENGINES[engine].debianPackages);
if (webkitMissing && canApt) packages.push(...WEBKIT.debianPackages);

if (missing.length > 0 && !canApt) {
  const names = missing.map((engine) => `${ENGINES[engine].label} (set ${ENGINES[engine].env})`);
  fail(
    `missing: ${names.join(', ')}.\n` +
      '  This script installs browsers only as root on Debian. Install them yourself, or point\n' +
      '  CHROME_PATH / FIREFOX_PATH at existing Chromium / Firefox executables, then re-run.',
  );
}

if (packages.length > 0) {
  log(`installing ${packages.join(', ')} with apt-get`);
  const started = Date.now();
  const install = aptInstall(packages);
  if (!install.ok) fail(`apt-get install ${packages.join(' ')} failed (${install.why}).`);
  log(`apt-get took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  for (const engine of missing) found[engine] = findBrowser(engine);
}

for (const [engine, result] of Object.entries(found)) {
  const spec = ENGINES[engine];
  if (!result.path) fail(`${spec.label} is still missing after apt-get; set ${spec.env}.`);
  log(`${spec.label}: ${result.path} (${result.source}) - ${version(result.path)}`);
}
if (!wantWebkit) {
  log(`${WEBKIT.label}: not wanted (--no-webkit); browser tests run without it`);
} else if (webkitInstalled()) {
  log(`${WEBKIT.label}: ${WEBKIT.browser} via ${WEBKIT.driver}, display from ${WEBKIT.xvfb}`);
} else {
  log(
    `${WEBKIT.label}: not installed and not installable here (needs root on Debian: ` +
      `apt-get install ${WEBKIT.debianPackages.join(' ')}); browser tests run without it`,
  );
}
