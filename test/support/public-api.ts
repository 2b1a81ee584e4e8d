/**
 * The package's public API as its users see it: every name the package entries export
 * (`envelope-kit`, `/core`, `/kms`, `/services`, `/components`, as package.json lists them), each
 * followed through its re-exports to the declaration that carries its TSDoc. Used by test/node/tsdoc.test.ts (every export documented) and
 * test/node/doc-examples.test.ts (the first-call examples run).
 *
 * TypeScript 7 (the project's `tsc`) ships no JavaScript API, so this loads TypeScript 5.9 under the
 * npm alias `typescript-api` (package.json). Only parsing and symbol resolution are used; no emit.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript-api';

/** The repository root (absolute, with a trailing slash). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * package.json `exports` entry → the source file it is built from: each entry's `types` path
 * (`./dist/lib/types/<x>.d.ts`) names it (`src/<x>.ts`). Read from package.json, so that an entry
 * added there is checked here without anyone remembering to list it. Entries without types (the
 * worker script, package.json) export no API.
 */
export const ENTRIES: Readonly<Record<string, string>> = (() => {
  const manifest = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { name: string; exports: Record<string, unknown> };
  const entries: Record<string, string> = {};
  for (const [subpath, target] of Object.entries(manifest.exports)) {
    const types = (target as { types?: unknown })?.types;
    if (typeof types !== 'string') continue;
    const source = /^\.\/dist\/lib\/types\/(.+)\.d\.ts$/.exec(types);
    if (!source) throw new Error(`package.json exports["${subpath}"].types is not under dist/lib/types/: ${types}`);
    entries[subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`] = `src/${source[1]}.ts`;
  }
  return entries;
})();

/** A package entry: `envelope-kit`, `envelope-kit/core`, …. */
export type EntryName = string;

/** One exported name of one entry, resolved to where it is declared. */
export interface PublicExport {
  readonly entry: EntryName;
  readonly name: string;
  /** The declarations, in the files that hold them (a value and a type of one name are two). */
  readonly declarations: readonly ts.Declaration[];
  /** `file:line` of the first declaration, relative to the repository root. */
  readonly where: string;
  /** True for functions and classes (which must carry an `@example`). */
  readonly callable: boolean;
}

/** The compiler options of tsconfig.json (without its test-only `types`). */
function compilerOptions(): ts.CompilerOptions {
  const configFile = ts.readConfigFile(`${ROOT}tsconfig.json`, (path) => ts.sys.readFile(path));
  if (configFile.error) throw new Error(ts.flattenDiagnosticMessageText(configFile.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(configFile.config, ts.sys, ROOT);
  return { ...parsed.options, noEmit: true, types: [] };
}

/**
 * Type errors in `files` (absolute paths), as `file:line: message`, with the project's compiler
 * options. Used for the extracted examples, whose imports point at the source files.
 */
export function typeErrorsOf(files: readonly string[]): string[] {
  const checked = ts.createProgram({ rootNames: [...files], options: compilerOptions() });
  return files.flatMap((file) =>
    ts.getPreEmitDiagnostics(checked, checked.getSourceFile(file)).map((d) => {
      const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
      return `${(d.file?.fileName ?? file).slice(ROOT.length)}:${line}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
    }),
  );
}

let cached: { program: ts.Program; checker: ts.TypeChecker } | undefined;

/** One program over the entries (about a second on 2 cores; built once per test file). */
function program(): { program: ts.Program; checker: ts.TypeChecker } {
  if (cached) return cached;
  // Only the entries as roots: the checker follows their imports, and test files stay out.
  const roots = Object.values(ENTRIES).map((file) => `${ROOT}${file}`);
  const built = ts.createProgram({ rootNames: roots, options: compilerOptions() });
  cached = { program: built, checker: built.getTypeChecker() };
  return cached;
}

function resolveAlias(checker: ts.TypeChecker, symbol: ts.Symbol): ts.Symbol {
  return symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
}

function location(declaration: ts.Declaration): string {
  const file = declaration.getSourceFile();
  const { line } = file.getLineAndCharacterOfPosition(declaration.getStart());
  return `${file.fileName.slice(ROOT.length)}:${line + 1}`;
}

/** Every export of every entry (names exported by two entries appear once per entry). */
export function publicExports(): PublicExport[] {
  const { program: built, checker } = program();
  const result: PublicExport[] = [];
  for (const [entry, file] of Object.entries(ENTRIES)) {
    const source = built.getSourceFile(`${ROOT}${file}`);
    if (!source) throw new Error(`${file} is not in the program`);
    const moduleSymbol = checker.getSymbolAtLocation(source);
    if (!moduleSymbol) throw new Error(`${file} has no module symbol`);
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const symbol = resolveAlias(checker, exported);
      const declarations = (symbol.declarations ?? []).filter((d) => !d.getSourceFile().isDeclarationFile);
      if (declarations.length === 0) continue; // a re-export of a library's name
      const callable = declarations.some((d) => ts.isFunctionDeclaration(d) || ts.isClassDeclaration(d));
      result.push({ entry, name: exported.name, declarations, where: location(declarations[0]!), callable });
    }
  }
  return result;
}

/**
 * The doc comments that belong to a declaration. A variable's comment sits on its statement
 * (`/** … *\/ export const X = …`), so that is where to look for one.
 */
function docsOf(declaration: ts.Declaration): ts.JSDoc[] {
  const node: ts.Node = ts.isVariableDeclaration(declaration) ? declaration.parent.parent : declaration;
  return ts.getJSDocCommentsAndTags(node).filter((doc): doc is ts.JSDoc => ts.isJSDoc(doc));
}

/** The prose of a TSDoc comment (before its tags), trimmed; '' when there is none. */
function prose(doc: ts.JSDoc): string {
  return (ts.getTextOfJSDocComment(doc.comment) ?? '').trim();
}

/**
 * Whether a module re-exported as a namespace (`export type * as S3 from './s3/types.js'`) opens
 * with a doc comment: its declaration is the file, and its TSDoc the file's opening comment.
 */
function hasFileDoc(declaration: ts.Declaration): boolean {
  if (!ts.isSourceFile(declaration)) return false;
  const first = ts.getLeadingCommentRanges(declaration.text, 0)?.[0];
  return first !== undefined && declaration.text.startsWith('/**', first.pos) && declaration.text.slice(first.pos + 3, first.end - 2).replace(/[\s*]/g, '').length > 0;
}

/** What a public export's TSDoc lacks: `['summary']`, `['@example']`, or nothing. */
export function missingDocs(item: PublicExport): string[] {
  const docs = item.declarations.flatMap(docsOf);
  const missing: string[] = [];
  if (!docs.some((doc) => prose(doc).length > 0) && !item.declarations.some(hasFileDoc)) missing.push('summary');
  if (item.callable && !docs.some((doc) => (doc.tags ?? []).some((tag) => tag.tagName.text === 'example'))) missing.push('@example');
  return missing;
}

/** The text of every `@example` of a public export's TSDoc (the comment's `*` margins removed). */
export function examplesOf(item: PublicExport): string[] {
  const examples: string[] = [];
  for (const doc of item.declarations.flatMap(docsOf)) {
    for (const tag of doc.tags ?? []) {
      if (tag.tagName.text === 'example') examples.push(ts.getTextOfJSDocComment(tag.comment) ?? '');
    }
  }
  return examples;
}
