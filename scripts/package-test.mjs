#!/usr/bin/env node
// Tests the package as users get it: build, `npm pack`, install the tarball into a throwaway
// project outside the repository, and import it with plain Node. This catches what the source-level
// suites cannot: a wrong `exports` path, a file missing from `files`, a missing .d.ts, an entry
// that only works inside the repository's node_modules, a bare import left in dist/cdn, a dependency
// inlined into dist/lib (a second copy of Lit in the app), a worker the app's bundler cannot build.
//   node scripts/package-test.mjs              build, pack, install, check
//   node scripts/package-test.mjs --no-build   reuse dist/ from a previous `npm run build`
//   node scripts/package-test.mjs --keep       leave the temp project for inspection
//   node scripts/package-test.mjs --no-browser skip the browser checks (scripts/package-browser.mjs)
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
  // dist/lib is for bundlers and keeps its dependencies as bare imports; dist/cdn must have none.
  const bare = {
    lib: await bareImports(installed, packedFiles.filter((f) => f.startsWith('dist/lib/'))),
    cdn: await bareImports(installed, packedFiles.filter((f) => f.startsWith('dist/cdn/'))),
  };
  writeFileSync(join(work, 'bare-imports.json'), JSON.stringify(bare));

  copyFileSync(join(root, 'scripts', 'package-checks.mjs'), join(consumer, 'check.mjs'));
  const checkArgs = ['check.mjs', join(work, 'packed-files.json'), join(work, 'bare-imports.json')];
  const output = spawnSync(process.execPath, checkArgs, {
    cwd: consumer,
    encoding: 'utf8',
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  // In a browser: a Vite app built from the tarball, and a plain page loading dist/cdn.
  let browserFailed = 0;
  if (!args.has('--no-browser')) {
    const { browserChecks } = await import('./package-browser.mjs');
    await browserChecks({
      consumer,
      installed,
      async check(name, fn) {
        try {
          await fn();
          console.log('  ok    ' + name);
        } catch (error) {
          browserFailed += 1;
          console.log('  FAIL  ' + name + '\n        ' + String(error?.stack ?? error).split('\n').slice(0, 6).join('\n        '));
        }
      },
    });
  }
  const passed = output.status === 0 && browserFailed === 0;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`package: ${passed ? 'PASS' : 'FAIL'} in ${seconds} s (${packed.filename}, ${packedFiles.length} files, ${(packed.size / 1024).toFixed(0)} KiB)`);
  process.exitCode = passed ? 0 : 1;
} finally {
  if (args.has('--keep')) console.log(`package: kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
