/**
 * Turning a TSDoc `@example` into a program that runs: shared by test/node/doc-examples.test.ts
 * (examples of the core and the KMS, run by Vitest) and test/browser/doc-examples.test.ts
 * (`createKit`'s, which needs a worker and IndexedDB). Pure string work, no Node or DOM APIs, so
 * both runners import it.
 */

/** The package specifiers an example may import, and the source file each is built from. */
export const PACKAGE_SOURCES: Readonly<Record<string, string>> = {
  'envelope-kit': 'src/index.ts',
  'envelope-kit/core': 'src/core/index.ts',
  'envelope-kit/kms': 'src/kms/index.ts',
  'envelope-kit/components': 'src/components/index.ts',
};

/** The body of the first ```ts (or ```js) fenced block of an example, or undefined. */
export function codeBlock(example: string): string | undefined {
  return /```(?:ts|typescript|js)\s*\n([\s\S]*?)```/.exec(example)?.[1];
}

const IMPORT_FROM = /\b(from|import)\s*(['"])([^'"]+)\2/g;

/** Every module specifier a snippet imports (static `import … from 'x'` and bare `import 'x'`). */
export function importedSpecifiers(code: string): string[] {
  return [...code.matchAll(IMPORT_FROM)].map((match) => match[3]!);
}

/**
 * What makes an example worth running, checked before it runs: it imports only from the package (so
 * it is self-contained: it creates every key, keyring and KMS it uses), and it ends by checking its
 * result with a `throw` (so running it proves something; `console.assert` only logs).
 */
export function exampleProblems(code: string): string[] {
  const problems: string[] = [];
  const specifiers = importedSpecifiers(code);
  if (specifiers.length === 0) problems.push('imports nothing from envelope-kit (a snippet, not a complete example)');
  for (const specifier of specifiers) {
    if (!(specifier in PACKAGE_SOURCES)) problems.push(`imports '${specifier}', which is not a package entry`);
  }
  if (!/\bthrow new Error\(/.test(code)) problems.push('never checks its result (end it with `if (…) throw new Error(…)`)');
  return problems;
}

/** Replaces each package specifier with `resolve(source file)` (an absolute path or URL). */
export function rewriteImports(code: string, resolve: (sourceFile: string) => string): string {
  return code.replace(IMPORT_FROM, (whole, keyword: string, quote: string, specifier: string) => {
    const source = PACKAGE_SOURCES[specifier];
    return source === undefined ? whole : `${keyword} ${quote}${resolve(source)}${quote}`;
  });
}

/**
 * The `@example` of the doc comment right before `declaration` in `source` (a TypeScript file's
 * text), its `*` margins removed; undefined when the declaration or its comment has none. For the
 * browser, which has no TypeScript compiler; Node uses the compiler's reading (public-api.ts).
 */
export function exampleBefore(source: string, declaration: string): string | undefined {
  const at = source.indexOf(declaration);
  if (at < 0) return undefined;
  const end = source.lastIndexOf('*/', at);
  const start = source.lastIndexOf('/**', end);
  if (end < 0 || start < 0 || source.slice(end + 2, at).trim() !== '') return undefined;
  const text = source
    .slice(start + 3, end)
    .split('\n')
    .map((line) => line.replace(/^\s*\* ?/, ''))
    .join('\n');
  const example = text.indexOf('@example');
  return example < 0 ? undefined : text.slice(example + '@example'.length).split(/\n@\w+/)[0];
}
