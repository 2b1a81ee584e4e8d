// The browser half of the package test (scripts/package-test.mjs calls it with the consumer project
// where the packed tarball is installed). Two ways users load the kit, each built or served from the
// installed package only, and driven in headless Chromium through a real kit call (worker, IndexedDB,
// simulated KMS, encrypt and decrypt):
//   (a) an app built with Vite that imports envelope-kit, envelope-kit/components and Lit itself:
//       the output must hold exactly one copy of Lit, and the kit's elements must extend the app's
//       LitElement (they would not with two copies); the same app also runs under Vite's dev server,
//       whose dependency optimizer may pre-bundle the kit away from its worker file;
//   (b) a plain HTML page without a bundler or import map that loads dist/cdn, both from its own
//       origin and from another one (as from a CDN).
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';

/**
 * The kit call both pages make, as page script: create a key, encrypt a note under it, decrypt the
 * message and compare. Accepts either result shape of `kit.encrypt` (bytes, or `{ ciphertext }`).
 */
const ROUND_TRIP = `
  const kit = await createKit({ name: 'package-test' });
  try {
    const { KeyMetadata } = await kit.kms('us-east-1').createKey({ Description: 'package test' });
    const note = 'a note through the packed kit';
    const { ciphertext, header } = await kit.encrypt(note, { keyId: KeyMetadata.Arn, encryptionContext: { test: 'package' } });
    if (header.encryptedDataKeys[0].providerId !== 'aws-kms') throw new Error('kit.encrypt returned no header');
    const bytes = ciphertext.length;
    if (bytes <= note.length) throw new Error('the message has ' + bytes + ' bytes');
    const { plaintext } = await kit.decrypt(ciphertext, { encryptionContext: { test: 'package' } });
    const back = new TextDecoder().decode(plaintext);
    if (back !== note) throw new Error('the round trip gave ' + JSON.stringify(back));
    return { ok: true, bytes };
  } finally {
    await kit.close();
  }`;

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.map': 'application/json', '.json': 'application/json', '.css': 'text/css' };

/**
 * A static server over several folders (`/app/`, `/plain/`, `/cdn/`), sending CORS headers as CDNs
 * do so that a page of the other origin can import the modules.
 */
async function serve(mounts) {
  const server = createServer(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    const [, mount, ...rest] = path.split('/');
    const base = mounts[mount];
    const file = base && normalize(join(base, rest.join('/') || 'index.html'));
    const info = file?.startsWith(base) ? await stat(file).catch(() => undefined) : undefined;
    if (!info?.isFile()) {
      response.writeHead(404).end('not found');
      return;
    }
    response.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': info.size,
      'access-control-allow-origin': '*',
    });
    createReadStream(file).pipe(response);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

async function filesUnder(dir) {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(join(entry.parentPath, entry.name));
  }
  return out;
}

/** Builds the Vite app of check (a) from the consumer project; returns its output folder. */
async function buildViteApp(consumer) {
  const app = join(consumer, 'vite-app');
  await mkdir(app, { recursive: true });
  await writeFile(
    join(app, 'index.html'),
    `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module" src="./main.js"></script></head><body><app-hello></app-hello></body></html>`,
  );
  await writeFile(
    join(app, 'main.js'),
    `import { createKit } from 'envelope-kit';
import { defineElements } from 'envelope-kit/components';
import { LitElement, html } from 'lit';

// The app's own Lit element: its LitElement is the one the kit's elements must share.
class AppHello extends LitElement {
  render() { return html\`<p>hello from the app</p>\`; }
}
customElements.define('app-hello', AppHello);
defineElements();

window.__result = (async () => {
  const kitElement = customElements.get('ek-kit');
  if (!kitElement) throw new Error('<ek-kit> is not defined');
  if (!(kitElement.prototype instanceof LitElement)) throw new Error("<ek-kit> extends another copy of Lit than the app's");
  ${ROUND_TRIP}
})().catch((error) => ({ ok: false, error: String(error?.stack ?? error) }));
`,
  );
  const { build } = await import('vite');
  const outDir = join(app, 'dist');
  await build({
    root: app,
    base: './',
    configFile: false,
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, target: 'es2022' },
  });
  return outDir;
}

/** Writes the plain page of check (b), importing dist/cdn from `cdnBase` (same or other origin). */
async function writePlainPage(dir, name, cdnBase) {
  await writeFile(
    join(dir, name),
    `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script>
  // Which URL the kit starts its worker from: its own file on the same origin, a blob: from another.
  window.__workers = [];
  window.Worker = class extends Worker {
    constructor(url, options) { window.__workers.push(String(url)); super(url, options); }
  };
</script>
<script type="module">
import { createKit } from '${cdnBase}/index.js';
import { defineElements } from '${cdnBase}/components.js';
defineElements();
window.__result = (async () => {
  if (!customElements.get('ek-encrypt')) throw new Error('<ek-encrypt> is not defined');
  // The element's own kit (a second worker) renders its regions: Lit, inlined, works.
  const regions = document.querySelector('ek-regions');
  for (let i = 0; !regions.shadowRoot?.textContent?.includes('us-east-1'); i++) {
    if (i === 200) throw new Error('<ek-regions> did not render its regions');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  ${ROUND_TRIP}
})().catch((error) => ({ ok: false, error: String(error?.stack ?? error) }));
</script></head><body><ek-kit name="package-test-elements"><ek-regions></ek-regions></ek-kit></body></html>`,
  );
}

/**
 * Runs the browser checks. `check(name, fn)` is the caller's reporter.
 * @param {{ consumer: string, installed: string, check: (name: string, fn: () => Promise<void>) => Promise<void> }} options
 */
export async function browserChecks({ consumer, installed, check }) {
  const { chromium } = await import('playwright-core');
  let appOut;
  await check('a Vite app importing envelope-kit, envelope-kit/components and Lit builds with one copy of Lit', async () => {
    appOut = await buildViteApp(consumer);
    const js = (await filesUnder(appOut)).filter((f) => f.endsWith('.js'));
    const text = (await Promise.all(js.map((f) => readFile(f, 'utf8')))).join('\n');
    // Each copy of lit-html and of lit-element registers its version on globalThis once.
    for (const marker of ['litHtmlVersions', 'litElementVersions']) {
      const copies = text.split(marker).length - 1;
      if (copies !== 1) throw new Error(`${copies} copies of Lit in the app's output (${marker})`);
    }
    // The kit's worker was built by the app's bundler from dist/lib/kit.worker.js, not copied.
    const workers = js.filter((f) => /kit\.worker/.test(f));
    if (workers.length !== 1) throw new Error(`expected the kit's worker in the app's output, found: ${js.map((f) => f.slice(appOut.length)).join(', ')}`);
  });

  const plain = join(consumer, 'plain');
  await mkdir(plain, { recursive: true });
  const server = await serve({ app: appOut ?? plain, plain, cdn: join(installed, 'dist', 'cdn') });
  const port = server.address().port;
  // Two names for one server, two origins for the browser: 127.0.0.1 and localhost are both secure contexts.
  const here = `http://127.0.0.1:${port}`;
  const elsewhere = `http://localhost:${port}`;
  await writePlainPage(plain, 'same-origin.html', '/cdn');
  await writePlainPage(plain, 'cross-origin.html', `${elsewhere}/cdn`);

  const browser = await chromium.launch({
    executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  /** Opens `url` in a fresh context (its own IndexedDB) and waits for the page's round trip. */
  async function roundTrip(url, { ignore } = {}) {
    const context = await browser.newContext();
    const problems = [];
    try {
      const page = await context.newPage();
      page.on('console', (m) => m.type() === 'error' && !ignore?.test(m.text()) && problems.push(`console: ${m.text()}`));
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      await page.goto(url);
      await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 30_000 });
      const result = await page.evaluate(() => window.__result);
      if (!result.ok) throw new Error(result.error);
      if (problems.length) throw new Error(problems.join('; '));
      if (await page.evaluate(() => document.querySelector('script[type="importmap"]') !== null)) throw new Error('the page has an import map');
      return { result, workers: await page.evaluate(() => window.__workers) };
    } finally {
      await context.close();
    }
  }

  try {
    await check('the Vite app runs: a kit call goes through the worker to the KMS and back', async () => {
      if (!appOut) throw new Error('the app was not built');
      await roundTrip(`${here}/app/index.html`);
    });
    await check("the same app runs under Vite's dev server", async () => {
      const { createServer } = await import('vite');
      // Port 0: any free port (5173 is the demo's, and may be taken).
      const dev = await createServer({ root: join(consumer, 'vite-app'), configFile: false, logLevel: 'warn', server: { host: '127.0.0.1', port: 0, hmr: false } });
      await dev.listen();
      try {
        // Lit's dev build warns on the console that it is in dev mode: expected there, not a problem.
        await roundTrip(`${dev.resolvedUrls.local[0]}index.html`, { ignore: /Lit is in dev mode/ });
      } finally {
        await dev.close();
      }
    });
    await check('a plain page with no import map loads dist/cdn from its own origin and the kit works', async () => {
      const { workers } = await roundTrip(`${here}/plain/same-origin.html`);
      // Two kits: the page's createKit() and the <ek-kit> element's.
      if (workers.length !== 2 || !workers.every((w) => w.startsWith(`${here}/cdn/`))) throw new Error(`the worker started from ${workers.join(', ')}`);
    });
    await check('a plain page loads dist/cdn from another origin (as from a CDN) and the kit works', async () => {
      const { workers } = await roundTrip(`${here}/plain/cross-origin.html`);
      // A worker script must be same-origin: the kit fetched it and started it from a blob: URL.
      if (workers.length !== 2 || !workers.every((w) => w.startsWith('blob:'))) throw new Error(`the worker started from ${workers.join(', ')}`);
    });
  } finally {
    await browser.close();
    server.close();
  }
}
