/**
 * `envelope-kit`: the main-thread entry point.
 *
 * Today it is the core (`envelope-kit/core`) re-exported, so that `import … from 'envelope-kit'`
 * works from the first release. The worker client (`createKit()`, which keeps key material in a
 * worker and talks to it over comlink; design.md, "The worker and the page") is added here by the
 * worker-client issue.
 *
 * @example
 * ```ts
 * import { encrypt, decrypt, RawAesKeyring } from 'envelope-kit';
 * ```
 * @packageDocumentation
 */
export * from './core/index.js';

/**
 * The package version (checked against package.json by scripts/package-test.mjs).
 * @example
 * ```ts
 * import { VERSION } from 'envelope-kit';
 * console.log(VERSION); // '0.1.0'
 * ```
 */
export const VERSION = '0.1.0';
