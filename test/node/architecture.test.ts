/**
 * The dependency arrows of design.md, checked on the source: the core imports nothing of the other
 * parts and no storage library; the KMS nothing of the services, the client or the worker; the
 * worker reaches the core through its public entry only (issue 10).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    return statSync(join(root, path)).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Every import specifier of a file (static and dynamic), resolved to a repository path when relative. */
function imports(file: string): string[] {
  // Comments out first: doc examples import the package by name, which is not a dependency.
  const text = readFileSync(join(root, file), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found = [
    ...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s*'([^']+)'/gm),
    ...text.matchAll(/^\s*import\s*'([^']+)'/gm),
    ...text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g),
  ].map((m) => m[1]!);
  return found.map((spec) => (spec.startsWith('.') ? relative(root, join(root, file, '..', spec)) : spec));
}

describe('the architecture holds (design.md)', () => {
  it('the core imports only the core and its audited primitives: no idb, no other part', () => {
    const offending = files('src/core').flatMap((file) =>
      imports(file)
        .filter((target) => !target.startsWith('src/core/') && !target.startsWith('@noble/') && target !== 'hash-wasm')
        .map((target) => `${file} -> ${target}`),
    );
    expect(offending).toEqual([]);
  });

  it('the KMS imports neither the services, the records, the client, the components nor the worker', () => {
    const offending = files('src/kms').flatMap((file) =>
      imports(file)
        .filter((target) => /^src\/(services|records|components|demo)\//.test(target) || target.startsWith('workers/'))
        .map((target) => `${file} -> ${target}`),
    );
    expect(offending).toEqual([]);
  });

  it("the worker reaches the core through its public entry only", () => {
    const offending = files('workers').flatMap((file) =>
      imports(file)
        .filter((target) => target.startsWith('src/core/') && target !== 'src/core/index.js')
        .map((target) => `${file} -> ${target}`),
    );
    expect(offending).toEqual([]);
  });

  it('src/kms has only its entry points at the top; everything else sits in the folder of its concern', () => {
    const top = readdirSync(join(root, 'src/kms')).filter((name) => name.endsWith('.ts')).sort();
    expect(top).toEqual(['client.ts', 'errors.ts', 'index.ts', 'kms.ts', 'types.ts']);
  });
});
