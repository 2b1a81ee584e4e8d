import { defineConfig } from 'vite';

/**
 * The offline demo site (index.html + src/demo/). `npm run demo` builds it and serves the build on
 * localhost:5173; localhost is a secure context, so `crypto.subtle` is available there (a LAN
 * address is not). Tests use vitest.config.ts, which Vitest prefers over this file.
 */
export default defineConfig({
  root: '.',
  // Relative URLs let the built site be opened from any folder or sub-path.
  base: './',
  publicDir: false,
  build: {
    outDir: 'dist/site',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
  server: { port: 5173, strictPort: true },
  preview: { port: 5173, strictPort: true },
});
