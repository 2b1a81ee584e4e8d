/**
 * `createKit`'s @example runs as written, in a real browser with a real worker and IndexedDB (its
 * Node counterpart, test/node/doc-examples.test.ts, runs the core's and the KMS's examples). The
 * test reads src/client/kit.ts as written from the dev server (scripts/serve-source.mjs; the
 * compiled module has no comments), takes the ```ts block of createKit's TSDoc, points its
 * `envelope-kit` imports at the served source modules and runs it as a module from a Blob URL. That
 * module is not compiled, so the example must stay plain JavaScript (no type annotations): a
 * SyntaxError here says so.
 */
import { expect } from 'chai';
import { describe, it } from '../support/bdd.js';
import { codeBlock, exampleBefore, exampleProblems, rewriteImports } from '../support/doc-example-code.js';

async function sourceOf(file: string): Promise<string> {
  const response = await fetch(`/__source__?file=${encodeURIComponent(file)}`);
  if (!response.ok) throw new Error(`${file}: ${response.status} ${await response.text()}`);
  return response.text();
}

/** Runs `code` as a module; resolves when its top-level await settles, rejects with what it throws. */
async function runModule(code: string): Promise<void> {
  const url = URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));
  try {
    await import(/* @vite-ignore */ url);
  } catch (error) {
    if (error instanceof SyntaxError) throw new SyntaxError(`${error.message} (the example must be plain JavaScript: no type annotations)`);
    throw error;
  } finally {
    URL.revokeObjectURL(url);
  }
}

describe('the @example of createKit', () => {
  it('is a complete example that runs in the browser and checks its result', async () => {
    const example = exampleBefore(await sourceOf('src/client/kit.ts'), 'export async function createKit(');
    if (example === undefined) throw new Error('createKit (src/client/kit.ts) has no @example');
    const code = codeBlock(example);
    if (code === undefined) throw new Error("createKit's @example has no ```ts block");
    expect(exampleProblems(code)).to.deep.equal([]);
    // A Blob URL module has no base for '/src/…': give it absolute URLs of the served modules.
    await runModule(rewriteImports(code, (file) => new URL(`/${file}`, location.href).href));
  });
});
