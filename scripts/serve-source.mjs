// Web Test Runner middleware: the text of a source file as written, TSDoc included, for the browser
// tests that read it (test/browser/doc-examples.test.ts runs createKit's @example). The dev server
// otherwise serves `.ts` files compiled by esbuild, which drops comments. Only files under src/,
// by a plain relative path: nothing else of the machine is reachable.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export const SOURCE_URL = '/__source__';
const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** @type {import('@web/dev-server-core').Middleware} */
export async function serveSource(context, next) {
  // A path without an extension, so no plugin mistakes the answer for a module to compile.
  if (context.path !== SOURCE_URL) return next();
  const file = String(context.query.file ?? '');
  if (!/^src\/(?:[A-Za-z0-9_-]+\/)*[A-Za-z0-9_.-]+\.ts$/.test(file) || file.includes('..')) {
    context.status = 400;
    context.body = `not a source file under src/: ${file}`;
    return undefined;
  }
  const text = await readFile(ROOT + file, 'utf8').catch(() => undefined);
  if (text === undefined) {
    context.status = 404;
    context.body = `no such source file: ${file}`;
    return undefined;
  }
  context.type = 'text/plain; charset=utf-8';
  context.body = text;
  return undefined;
}
