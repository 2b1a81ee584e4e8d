/**
 * The `@example` of each call a newcomer makes first runs, as written: the test reads the example
 * from the TSDoc in src/ (through the TypeScript compiler, so it is the comment an editor shows),
 * points its `envelope-kit…` imports at the source files, writes it to .tmp/doc-examples/
 * (git-ignored) and imports it. An example that throws, is missing, imports something else or
 * never checks its result fails here. `createKit`'s example needs a worker and IndexedDB: it runs
 * in test/browser/doc-examples.test.ts.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeBlock, exampleProblems, rewriteImports } from '../support/doc-example-code.js';
import { examplesOf, publicExports, ROOT, typeErrorsOf, type EntryName, type PublicExport } from '../support/public-api.js';

/** The first calls (issue 10), by the entry that exports them. */
const FIRST_CALLS: Readonly<Partial<Record<EntryName, readonly string[]>>> = {
  'envelope-kit/core': [
    'encrypt',
    'decrypt',
    'encryptStream',
    'decryptStream',
    'parseHeader',
    'RawAesKeyring',
    'RawRsaKeyring',
    'MultiKeyring',
    'KmsKeyring',
    'KmsMrkAwareKeyring',
    'KmsMrkDiscoveryKeyring',
    'HierarchicalKeyring',
  ],
  'envelope-kit/kms': ['createKms'],
};

const OUT = `${ROOT}.tmp/doc-examples/`;

describe('the @example of each first call runs', () => {
  let exports: PublicExport[];
  const written: string[] = [];

  beforeAll(async () => {
    exports = publicExports();
    await rm(OUT, { recursive: true, force: true });
    await mkdir(OUT, { recursive: true });
  });
  afterAll(() => rm(OUT, { recursive: true, force: true }));

  function exampleCode(entry: EntryName, name: string): string {
    const item = exports.find((e) => e.entry === entry && e.name === name);
    if (!item) throw new Error(`${entry} does not export ${name}`);
    const code = examplesOf(item).map(codeBlock).find((block) => block !== undefined);
    if (code === undefined) throw new Error(`${name} (${item.where}) has no @example with a \`\`\`ts block`);
    const problems = exampleProblems(code);
    if (problems.length > 0) throw new Error(`${name}'s example (${item.where}): ${problems.join('; ')}`);
    return code;
  }

  for (const [entry, names] of Object.entries(FIRST_CALLS) as [EntryName, readonly string[]][]) {
    for (const name of names) {
      it(`${name} (${entry})`, async () => {
        // `.js`, as the sources import each other: Vite maps it to the .ts file, and tsc accepts it.
        const code = rewriteImports(exampleCode(entry, name), (source) => `${ROOT}${source.replace(/\.ts$/, '.js')}`);
        const file = `${OUT}${name}.ts`;
        await writeFile(file, `${code}\nexport {};\n`);
        written.push(file);
        // Vite transforms the .ts file as it does the tests; a throw anywhere in it rejects here.
        await import(/* @vite-ignore */ pathToFileURL(file).href);
      });
    }
  }

  // Vite strips types without checking them; a newcomer's editor does check them.
  it('the examples type-check as they are written', () => {
    expect(written.length).toBeGreaterThan(0);
    expect(typeErrorsOf(written)).toEqual([]);
  });

  it('createKit has a complete example too (run in the browser suite)', () => {
    expect(() => exampleCode('envelope-kit', 'createKit')).not.toThrow();
  });
});
