import { readFileSync } from 'node:fs';
import { defineConfig } from 'vite';
import { dependencyMatcher, KIT_WORKER_SOURCE, kitWorkerAsEntry } from './build/kit-worker.js';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> };

/**
 * The published library, for apps with a bundler: one ES module per `exports` entry of
 * package.json, plus shared chunks so that `envelope-kit` and `envelope-kit/core` hand out the same
 * classes (`instanceof EnvelopeError` holds whichever entry a caller imported from). Declarations
 * come from `tsc -p tsconfig.build.json`, run after this build because this build empties dist/lib.
 *
 * Runtime dependencies (lit, idb, comlink, @noble/*) stay bare imports: the app's bundler resolves
 * them once for the app and the kit together, so an app that uses Lit itself gets one copy of it.
 * The worker is an entry of its own for the same reason (build/kit-worker.ts). Pages without a
 * bundler use the self-contained build instead (vite.cdn.config.ts, dist/cdn).
 */
export default defineConfig({
  // With the default '/', URLs Vite writes into the bundle are root-absolute and 404 once the
  // package is served from anywhere but the site root.
  base: './',
  publicDir: false,
  plugins: [kitWorkerAsEntry({ fileName: 'kit.worker.js' })],
  build: {
    outDir: 'dist/lib',
    emptyOutDir: true,
    target: 'es2022',
    minify: false,
    sourcemap: true,
    lib: {
      entry: {
        index: 'src/index.ts',
        core: 'src/core/index.ts',
        kms: 'src/kms/index.ts',
        services: 'src/services/index.ts',
        records: 'src/records/index.ts',
        components: 'src/components/index.ts',
        'kit.worker': KIT_WORKER_SOURCE,
      },
      formats: ['es'],
      fileName: (_format, entryName) => `${entryName}.js`,
    },
    rolldownOptions: {
      external: dependencyMatcher(pkg.dependencies),
      output: {
        chunkFileNames: 'chunks/[name]-[hash].js',
        // Its own chunk, listed in package.json `sideEffects`: loading it registers the branch key
        // store's IndexedDB storage with the core, so an app's bundler must not drop it as unused.
        advancedChunks: { groups: [{ name: 'branch-key-storage', test: /src\/kms\/storage\/branch-key-storage\.ts$/ }] },
      },
    },
  },
});
