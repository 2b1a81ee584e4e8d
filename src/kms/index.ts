/**
 * `envelope-kit/kms`: the simulated AWS KMS (design.md, "The KMS").
 *
 * A placeholder so that the package's `exports` map, the build and the package test cover this
 * entry point from the start; the simulated-KMS issue fills it.
 * @packageDocumentation
 */

/**
 * The package version (checked against package.json by scripts/package-test.mjs).
 * @example
 * ```ts
 * import { VERSION } from 'envelope-kit/kms';
 * console.log(VERSION); // '0.1.0'
 * ```
 */
export const VERSION = '0.1.0';
