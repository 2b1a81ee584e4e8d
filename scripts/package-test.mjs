#!/usr/bin/env node
// Tests the package as users get it: build, `npm pack`, install the tarball into a throwaway
// project outside the repository, and import it with plain Node. This catches what the source-level
// suites cannot: a wrong `exports` path, a file missing from `files`, a missing .d.ts, an entry
// that only works inside the repository's node_modules, a bare import left in the bundle.
//   node scripts/package-test.mjs              build, pack, install, check
//   node scripts/package-test.mjs --no-build   reuse dist/ from a previous `npm run build`
//   node scripts/package-test.mjs --keep       leave the temp project for inspection
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = new Set(process.argv.slice(2));
const started = Date.now();

function run(command, argv, cwd, capture = false) {
  const result = spawnSync(command, argv, { cwd, encoding: 'utf8', stdio: capture ? 'pipe' : 'inherit' });
  if (result.status !== 0) {
    if (capture) process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`);
    console.error(`package: FAIL - \`${command} ${argv.join(' ')}\` exited with ${result.status ?? result.error}`);
    process.exit(1);
  }
  return result.stdout;
}

/**
 * Every import specifier in the packed JavaScript that is neither relative nor absolute. A real
 * parser, because a regular expression also matches `from '…'` inside strings and doc comments.
 */
async function bareImports(packageDir, files) {
  const { build } = await import('esbuild');
  const found = new Set();
  await build({
    absWorkingDir: packageDir,
    entryPoints: files.filter((f) => f.endsWith('.js')),
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    outdir: 'out',
    logLevel: 'silent',
    plugins: [
      {
        name: 'record-bare-imports',
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, (a) => {
            if (a.kind !== 'entry-point') found.add(`${a.importer.slice(packageDir.length + 1)}: ${a.path}`);
            return { path: a.path, external: true };
          });
        },
      },
    ],
  });
  return [...found];
}

if (!args.has('--no-build')) run('npm', ['run', 'build', '--silent'], root);

const work = mkdtempSync(join(tmpdir(), 'envelope-kit-package-'));
const consumer = join(work, 'consumer');
try {
  const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], root, true));
  const tarball = join(work, packed.filename);
  const packedFiles = packed.files.map((f) => f.path);

  writeFileSync(join(work, 'packed-files.json'), JSON.stringify(packedFiles));
  mkdirSync(consumer);
  writeFileSync(
    join(consumer, 'package.json'),
    JSON.stringify({ name: 'envelope-kit-consumer', private: true, type: 'module' }, null, 2),
  );
  // --prefer-offline: the runtime dependencies usually sit in npm's cache already; the registry is
  // only asked when they do not.
  run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--no-package-lock', '--prefer-offline', '--loglevel=error', tarball],
    consumer,
    true,
  );

  const installed = join(consumer, 'node_modules', 'envelope-kit');
  writeFileSync(join(work, 'bare-imports.json'), JSON.stringify(await bareImports(installed, packedFiles)));

  copyFileSync(join(root, 'scripts', 'package-checks.mjs'), join(consumer, 'check.mjs'));
  const checkArgs = ['check.mjs', join(work, 'packed-files.json'), join(work, 'bare-imports.json')];
  const output = spawnSync(process.execPath, checkArgs, {
    cwd: consumer,
    encoding: 'utf8',
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`package: ${output.status === 0 ? 'PASS' : 'FAIL'} in ${seconds} s (${packed.filename}, ${packedFiles.length} files, ${(packed.size / 1024).toFixed(0)} KiB)`);
  process.exitCode = output.status === 0 ? 0 : 1;
} finally {
  if (args.has('--keep')) console.log(`package: kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
