import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { kitWorkerForCdn } from './build/kit-worker.js';

/**
 * The self-contained build, for pages without a bundler or import map (`<script type="module">`
 * from a static server or a CDN), as Lit and Shoelace publish one: an ES module per `exports` entry
 * at `dist/cdn/<entry>.js`, every dependency inlined, and the worker as one file of its own beside
 * them (build/kit-worker.ts says how it starts from another origin). Entries share chunks, as in
 * dist/lib, so that the classes are the same whichever entry a page imported them from. Minified:
 * this build is loaded as-is, not re-bundled.
 */
export default defineConfig({
  base: './',
  publicDir: false,
  plugins: [kitWorkerForCdn({ root: fileURLToPath(new URL('.', import.meta.url)) })],
  build: {
    outDir: 'dist/cdn',
    emptyOutDir: true,
    target: 'es2022',
    minify: true,
    sourcemap: true,
    lib: {
      entry: {
        index: 'src/index.ts',
        core: 'src/core/index.ts',
        kms: 'src/kms/index.ts',
        components: 'src/components/index.ts',
      },
      formats: ['es'],
      fileName: (_format, entryName) => `${entryName}.js`,
    },
    rolldownOptions: {
      output: { chunkFileNames: 'chunks/[name]-[hash].js' },
    },
  },
});
