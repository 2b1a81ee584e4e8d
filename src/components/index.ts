/**
 * `envelope-kit/components`: the `<ek-*>` web components (design.md, "The worker and the page").
 *
 * A placeholder so that the package's `exports` map, the build and the package test cover this
 * entry point from the start; the web-components issue fills it with the lit elements and their
 * controllers.
 * @packageDocumentation
 */

/**
 * The package version (checked against package.json by scripts/package-test.mjs).
 * @example
 * ```ts
 * import { VERSION } from 'envelope-kit/components';
 * console.log(VERSION); // '0.1.0'
 * ```
 */
export const VERSION = '0.1.0';
