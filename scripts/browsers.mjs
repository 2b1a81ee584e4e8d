// Where the test browsers live. Shared by scripts/setup.mjs (which installs what is missing) and
// web-test-runner.config.mjs (which launches them), so both always agree on the same binaries.
// Dependency-free on purpose: setup.mjs imports it before node_modules exists.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * One engine we test in. `env` lets a developer point at their own build; `defaults` are the
 * Debian package paths; `onPath` are names other distributions (or Google's .deb) use.
 */
export const ENGINES = /** @type {const} */ ({
  chromium: {
    label: 'Chromium',
    env: 'CHROME_PATH',
    defaults: ['/usr/bin/chromium'],
    onPath: ['chromium', 'google-chrome', 'google-chrome-stable'],
    debianPackages: ['chromium'],
  },
  firefox: {
    label: 'Firefox ESR',
    env: 'FIREFOX_PATH',
    defaults: ['/usr/bin/firefox-esr'],
    onPath: ['firefox-esr', 'firefox'],
    debianPackages: ['firefox-esr'],
  },
});

/**
 * WebKitGTK (Safari's engine) is not one binary but a WebDriver server, a browser it launches and
 * a virtual X display for that browser; test/README.md says how they fit together.
 */
export const WEBKIT = /** @type {const} */ ({
  label: 'WebKitGTK',
  driver: '/usr/bin/WebKitWebDriver',
  browser: '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser',
  xvfb: '/usr/bin/Xvfb',
  debianPackages: ['webkit2gtk-driver', 'xvfb'],
});

function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function which(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/**
 * Resolves one engine's executable.
 * An explicit env var wins and is never second-guessed: if it points nowhere we report that
 * instead of silently testing a different browser than the one the developer asked for.
 * @param {keyof typeof ENGINES} engine
 * @returns {{ path?: string, source: string, error?: string }}
 */
export function findBrowser(engine) {
  const spec = ENGINES[engine];
  const fromEnv = process.env[spec.env];
  if (fromEnv) {
    return isExecutable(fromEnv)
      ? { path: fromEnv, source: `$${spec.env}` }
      : { source: `$${spec.env}`, error: `${spec.env}=${fromEnv} is not an executable file` };
  }
  for (const file of spec.defaults) {
    if (isExecutable(file)) return { path: file, source: 'default path' };
  }
  for (const name of spec.onPath) {
    const file = which(name);
    if (file) return { path: file, source: `\`${name}\` on PATH` };
  }
  return { source: 'not found' };
}

/** Throws with the env var to set, for callers (the WTR config) that cannot install anything. */
export function requireBrowser(engine) {
  const found = findBrowser(engine);
  if (found.path) return found.path;
  const spec = ENGINES[engine];
  throw new Error(
    found.error ??
      `${spec.label} not found. Run \`node scripts/setup.mjs\` or set ${spec.env} to its executable.`,
  );
}

/** True when every piece of the WebKitGTK setup is installed. */
export function webkitInstalled() {
  return [WEBKIT.driver, WEBKIT.browser, WEBKIT.xvfb].every(isExecutable);
}
