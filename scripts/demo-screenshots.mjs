#!/usr/bin/env node
// Screenshots of the built demo in Chromium and Firefox ESR at a desktop and a phone width, for a
// person to look at after a layout change (the e2e test, Chromium only, checks behaviour). Serves
// dist/site on 127.0.0.1 on a free port and prints, per browser and width, what a glance can miss:
// horizontal overflow and form fields that overlap one another.
//   node scripts/demo-screenshots.mjs             build the demo, then shoot
//   node scripts/demo-screenshots.mjs --no-build  shoot the existing dist/site
// PNGs go to test-results/screenshots/<browser>-<width>-<what>.png (page, top, key-form, fragment-files).
import { spawnSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { findBrowser } from './browsers.mjs';
import { layoutProblems } from './layout-problems.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const site = join(root, 'dist', 'site');
const out = join(root, 'test-results', 'screenshots');
const WIDTHS = [1280, 390];

if (!process.argv.includes('--no-build')) {
  const build = spawnSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(1);
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };
const server = createServer(async (request, response) => {
  const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
  const file = normalize(join(site, path.endsWith('/') ? `${path}index.html` : path));
  const info = file.startsWith(site) ? await stat(file).catch(() => undefined) : undefined;
  if (!info?.isFile()) return void response.writeHead(404).end('not found');
  response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
  createReadStream(file).pipe(response);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;
await mkdir(out, { recursive: true });

let failed = 0;
try {
  for (const engine of ['chromium', 'firefox']) {
    const { path } = findBrowser(engine);
    if (!path) {
      console.log(`screenshots: ${engine} not found, skipped`);
      continue;
    }
    const browser = await puppeteer.launch(
      engine === 'chromium'
        ? { executablePath: path, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] }
        : { browser: 'firefox', executablePath: path, headless: true },
    );
    try {
      for (const width of WIDTHS) {
        const page = await browser.newPage();
        await page.setViewport({ width, height: 900 });
        await page.goto(`${origin}/index.html`);
        // The kit is up once the key form has rendered inside <ek-key-manager>.
        await page.waitForFunction(() => document.querySelector('ek-key-manager')?.shadowRoot?.querySelector('form button'), { timeout: 30_000 });
        await new Promise((resolve) => setTimeout(resolve, 300));
        const file = (what) => join(out, `${engine}-${width}-${what}.png`);
        await page.screenshot({ path: file('page'), fullPage: true });
        await page.screenshot({ path: file('top') });
        const form = await page.evaluateHandle(() => document.querySelector('ek-key-manager').shadowRoot.querySelector('form'));
        await form.asElement().screenshot({ path: file('key-form') });
        const problems = await page.evaluate(layoutProblems);
        failed += problems.length;
        console.log(`screenshots: ${engine} ${width}px ${problems.length ? `PROBLEMS: ${problems.join('; ')}` : 'no overflow, no overlapping fields'}`);
        // A section reached by its link: it must start below the sticky contents bar.
        await page.goto(`${origin}/index.html#files`);
        await page.waitForFunction(() => document.querySelector('ek-key-manager')?.shadowRoot?.querySelector('form button'), { timeout: 30_000 });
        await new Promise((resolve) => setTimeout(resolve, 500));
        await page.screenshot({ path: file('fragment-files') });
        await page.close();
      }
    } finally {
      await browser.close();
    }
  }
} finally {
  server.close();
}
console.log(`screenshots: in ${out}`);
process.exit(failed ? 1 : 0);
