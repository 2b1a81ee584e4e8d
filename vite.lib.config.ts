import { defineConfig } from 'vite';

/**
 * The published library: one ES module per `exports` entry of package.json, plus shared chunks so
 * that `envelope-kit` and `envelope-kit/core` hand out the same classes (`instanceof EnvelopeError`
 * holds whichever entry a caller imported from). Declarations come from `tsc -p
 * tsconfig.build.json`, run after this build because this build empties dist/lib.
 *
 * Runtime dependencies (@noble/*) are bundled rather than externalized: the output then has no bare
 * specifiers and loads as-is from a static server or inside a worker without a bundler or import map.
 */
export default defineConfig({
  // With the default '/', URLs Vite writes into the bundle (e.g. a worker's) are root-absolute and
  // 404 once the package is served from anywhere but the site root.
  base: './',
  publicDir: false,
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
        records: 'src/records/index.ts',
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
