/**
 * How the kit's worker is referenced from each published build (vite.lib.config.ts, vite.cdn.config.ts).
 *
 * The source starts the worker with the one form every bundler understands:
 * `new Worker(new URL('../workers/kit.worker.ts', import.meta.url), { type: 'module' })`. What the
 * build must turn that into differs:
 *
 * - dist/lib is read by the app's bundler. Left to itself, Vite would bundle the worker *and all of
 *   its dependencies* into one opaque asset, which the app's bundler then copies as-is: a second copy
 *   of idb, comlink and @noble/* that no dedupe reaches. So the worker becomes an entry of its own
 *   (`dist/lib/kit.worker.js`, bare imports like the rest), and the page code keeps the same literal
 *   `new Worker(new URL('../kit.worker.js', import.meta.url), …)` form, which the app's bundler
 *   (Vite, webpack 5) recognises and builds with the app's copies (README: "Two builds").
 * - dist/cdn is loaded by a page without a bundler, usually from another origin (a CDN). A worker
 *   script must be same-origin with the page, so there the worker is a self-contained file beside
 *   the modules, started by `startKitWorker` (src/cdn/start-worker.ts), which falls back to a blob:
 *   URL of the fetched script when the modules come from another origin.
 */
import { dirname, posix, resolve } from 'node:path';
import type { Plugin } from 'vite';

/** `new Worker(new URL('…/kit.worker.ts', import.meta.url), { type: 'module' })` in the page code. */
const WORKER_CONSTRUCTION =
  /new\s+Worker\(\s*new\s+URL\(\s*(['"])([^'"]*\/kit\.worker\.ts)\1\s*,\s*import\.meta\.url\s*\)\s*,\s*\{\s*type:\s*(['"])module\3\s*\}\s*\)/g;

/**
 * A placeholder for the worker's URL, replaced per output chunk once the chunk's own path is known
 * (client code lands in `chunks/…`, so the relative path depends on where the bundler put it). An
 * identifier rather than a string literal so that Vite's own worker and asset plugins, which match
 * `new URL('literal', import.meta.url)`, leave it alone.
 */
const PLACEHOLDER = '__ENVELOPE_KIT_WORKER_URL__';

/** The worker's source file, as the `entry` of vite.lib.config.ts names it. */
export const KIT_WORKER_SOURCE = 'workers/kit.worker.ts';

/**
 * dist/lib: the worker is the lib entry `kit.worker` (see {@link KIT_WORKER_SOURCE}); the page code
 * points at the emitted `kit.worker.js` with a literal relative URL, for the app's bundler to follow.
 */
export function kitWorkerAsEntry(options: { readonly fileName: string }): Plugin {
  let found = 0;
  return {
    name: 'envelope-kit:worker-as-entry',
    enforce: 'pre',
    buildStart() {
      found = 0;
    },
    transform(code, id) {
      if (!code.includes('kit.worker.ts') || id.includes('/workers/')) return null;
      const next = code.replace(WORKER_CONSTRUCTION, (match: string, ...rest: unknown[]) => {
        if (inComment(code, rest.at(-2) as number)) return match;
        found += 1;
        return `new Worker(new URL(${PLACEHOLDER}, import.meta.url), { type: 'module' })`;
      });
      return next === code ? null : { code: next, map: null };
    },
    renderChunk(code, chunk) {
      if (!code.includes(PLACEHOLDER)) return null;
      let path = posix.relative(posix.dirname(chunk.fileName), options.fileName);
      if (!path.startsWith('.')) path = `./${path}`;
      const literal = `new URL(${JSON.stringify(path)}, import.meta.url)`;
      const placed = code.split(`new URL(${PLACEHOLDER}, import.meta.url)`).join(literal);
      if (placed.includes(PLACEHOLDER)) this.error(`${chunk.fileName}: the worker URL placeholder was printed in a shape this plugin does not know`);
      // The source may construct through a wrapper imported under the name `Worker` (a Trusted
      // Types policy does that). Bundling renames such a binding, and the app's bundler (Vite
      // matches the text `new Worker(new URL(`) would no longer see the worker: give the name back.
      const renamed = new RegExp(`new\\s+(?!Worker\\b)([A-Za-z_$][\\w$]*)\\(\\s*${escapeRegExp(literal)}\\s*,\\s*(\\{[^}]*\\})\\s*\\)`, 'g');
      const named = placed.replace(renamed, (_match, constructor: string, workerOptions: string) => `((Worker) => new Worker(${literal}, ${workerOptions}))(${constructor})`);
      return { code: named, map: null };
    },
    buildEnd(error) {
      // If the source changes shape, fail the build rather than publish a package whose worker
      // is bundled (or missing) without anyone noticing.
      if (!error && found === 0) this.error(`no \`new Worker(new URL('…/kit.worker.ts', import.meta.url), { type: 'module' })\` found in the sources`);
    },
  };
}

/**
 * dist/cdn: the worker is bundled by Vite into one self-contained file beside the modules
 * (`?worker&url`), and the page code starts it through `startKitWorker`, which copes with modules
 * served from another origin.
 */
export function kitWorkerForCdn(options: { readonly root: string }): Plugin {
  const starter = resolve(options.root, 'src/cdn/start-worker.ts');
  let found = 0;
  return {
    name: 'envelope-kit:worker-for-cdn',
    enforce: 'pre',
    buildStart() {
      found = 0;
    },
    transform(code, id) {
      if (!code.includes('kit.worker.ts') || id.includes('/workers/') || id === starter) return null;
      const imports: string[] = [];
      const next = code.replace(WORKER_CONSTRUCTION, (match: string, _quote: string, path: string, ...rest: unknown[]) => {
        if (inComment(code, rest.at(-2) as number)) return match;
        const local = `__envelopeKitWorkerUrl${found}`;
        found += 1;
        const absolute = resolve(dirname(id.split('?')[0]!), path);
        imports.push(`import ${local} from ${JSON.stringify(`${absolute}?worker&url`)};`);
        // createKit is async: awaiting here keeps its signature and its error handling as they are.
        // The constructor is the source's own `Worker` binding (the global, or a wrapper such as a
        // Trusted Types policy's imported under that name), so whatever it adds still applies.
        return `(await __envelopeKitStartWorker(${local}, (url, options) => new Worker(url, options)))`;
      });
      if (next === code) return null;
      imports.push(`import { startKitWorker as __envelopeKitStartWorker } from ${JSON.stringify(starter)};`);
      // Appended, not prepended: imports are hoisted anyway, and the source's line numbers (and so
      // its source map, which this transform does not rewrite) stay as they are.
      return { code: `${next}\n${imports.join('\n')}\n`, map: null };
    },
    buildEnd(error) {
      if (!error && found === 0) this.error(`no \`new Worker(new URL('…/kit.worker.ts', import.meta.url), { type: 'module' })\` found in the sources`);
    },
  };
}

/**
 * Whether `offset` is on a comment line (`//` before it, or a JSDoc line starting with `*`): doc
 * comments show the very same `new Worker(new URL(…))` as examples, and must stay as they are.
 */
function inComment(code: string, offset: number): boolean {
  const lineStart = code.lastIndexOf('\n', offset - 1) + 1;
  const before = code.slice(lineStart, offset);
  return /^\s*\*/.test(before) || before.includes('//');
}

/** `text` as a literal part of a regular expression. */
const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The package's runtime `dependencies`, as a matcher for bare specifiers (`lit`, `lit/…`, `@noble/hashes/sha2.js`). */
export function dependencyMatcher(dependencies: Readonly<Record<string, string>>): RegExp {
  const names = Object.keys(dependencies).map(escapeRegExp);
  return new RegExp(`^(?:${names.join('|')})(?:/|$)`);
}

