// What every benchmark script shares: finding Debian's Chromium, serving a built folder on
// 127.0.0.1 (a secure context, so crypto.subtle works), launching headless Chromium with the flags
// that keep it from phoning home or throttling a background page, and the median.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import puppeteer from 'puppeteer-core';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Bundles a benchmark page into a fresh `outDir`: `entryPoints` (name -> source path, one of them
 * `page`) as browser ESM with code splitting and linked source maps, and an index.html that loads
 * page.js.
 */
export async function bundlePage(outDir, entryPoints, { title = 'envelope-kit bench' } = {}) {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  // A page with the kit's worker also needs the worker's batch helpers (workers/pool/): their
  // `new Worker(new URL('./batch-helper.worker.ts', …))` is pointed at their own bundle, which Vite
  // does by itself and esbuild does not.
  const withKit = 'kit.worker' in entryPoints;
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: withKit ? { ...entryPoints, 'batch-helper.worker': join(root, 'workers', 'pool', 'batch-helper.worker.ts') } : entryPoints,
    plugins: withKit ? [helperUrlPlugin] : [],
    outdir: outDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: 'linked',
    tsconfig: join(root, 'tsconfig.json'),
    logLevel: 'warning',
  });
  writeFileSync(
    join(outDir, 'index.html'),
    `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>${title}</title><script type="module" src="./page.js"></script>\n`,
  );
}

/** Rewrites the pool's helper worker URL to the bundled file's name (see bundlePage). */
export const helperUrlPlugin = {
  name: 'batch-helper-url',
  setup(build) {
    build.onLoad({ filter: /workers[\\/]pool[\\/]batch-pool\.ts$/ }, (args) => ({
      contents: readFileSync(args.path, 'utf8').replace("'./batch-helper.worker.ts'", "'./batch-helper.worker.js'"),
      loader: 'ts',
    }));
  },
};

/** Chromium's path: scripts/browsers.mjs (CHROME_PATH or the usual places), else the usual places here. */
export async function findChromium() {
  try {
    const { findBrowser } = await import('../scripts/browsers.mjs');
    const found = findBrowser('chromium');
    if (found.error) throw new Error(found.error);
    if (found.path) return found.path;
  } catch (error) {
    if (process.env.CHROME_PATH) throw error;
  }
  for (const candidate of [process.env.CHROME_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']) {
    if (candidate && existsSync(candidate)) return candidate;
  }
  throw new Error('Chromium not found: run `node scripts/setup.mjs` (or apt-get install chromium) or set CHROME_PATH.');
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.map': 'application/json' };

/**
 * Serves the files of `dir` (index.html at /) on 127.0.0.1 and a free port; nothing outside `dir`.
 * `headers` go on every response (e.g. COOP/COEP for cross-origin isolation, which un-coarsens the
 * page's timers). Resolves with the server and its origin.
 */
export function serveDirectory(dir, { headers = {} } = {}) {
  const server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url, 'http://x').pathname)).replace(/^([/\\])+/, '');
    const file = join(dir, path === '' ? 'index.html' : path);
    if (!file.startsWith(dir + sep) || !existsSync(file)) {
      response.writeHead(404).end('not found');
      return;
    }
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store', ...headers });
    response.end(readFileSync(file));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({ server, origin: `http://127.0.0.1:${server.address().port}` }));
  });
}

/** Headless Chromium for measuring: no network chatter, no background throttling; `extraArgs` appended. */
export async function launchChromium({ extraArgs = [], protocolTimeout = 15 * 60_000 } = {}) {
  return puppeteer.launch({
    executablePath: await findChromium(),
    headless: true,
    protocolTimeout,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-background-timer-throttling',
      '--disable-renderer-backgrounding',
      ...extraArgs,
    ],
  });
}

export function median(xs) {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
