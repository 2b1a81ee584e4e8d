import { defineConfig } from 'vitest/config';

/**
 * Node half of the test suite. Browser-only files live in test/browser/ and run under Web Test
 * Runner (web-test-runner.config.mjs); Vitest's default include would pick them up too, so both
 * runners name their folders explicitly.
 */
export default defineConfig({
  test: {
    include: ['test/node/**/*.test.ts', 'test/shared/**/*.test.ts', 'test/kms-keyrings/**/*.test.ts', 'test/kms/**/*.test.ts', 'test/kms-policy/**/*.test.ts', 'test/hierarchy/**/*.test.ts', 'test/kms-audit/**/*.test.ts', 'test/services/**/*.test.ts', 'test/fuzz/**/*.test.ts'],
    // The shared suites are written once for Vitest and Mocha: both provide describe/it as globals.
    globals: true,
    environment: 'node',
    // The ESDK vectors include RSA-4096 decrypts; a whole vector file can take a while on 2 cores.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
