#!/usr/bin/env node
// envelope-kit services benchmark, in Node over memory storage: bundles bench/services/node.ts
// with esbuild (Node runs no TypeScript) and runs it. Run under the machine-wide lock:
//   flock /tmp/bench.lock node bench/services.mjs      (BUDGET_MS=300 for a quick run)
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = join(root, 'bench', 'out', 'services');
mkdirSync(outDir, { recursive: true });
const outfile = join(outDir, 'node.mjs');
await esbuild.build({
  absWorkingDir: root,
  entryPoints: [join(root, 'bench', 'services', 'node.ts')],
  outfile,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  tsconfig: join(root, 'tsconfig.json'),
  logLevel: 'warning',
});
const run = spawnSync(process.execPath, [outfile], { stdio: 'inherit' });
process.exit(run.status ?? 1);
