/**
 * `envelope-kit`: the main-thread entry point.
 *
 * The worker client, `createKit()`, which keeps every key in a worker and talks to it over comlink
 * (design.md, "The worker and the page"), and the core (`envelope-kit/core`) re-exported, so that
 * `import … from 'envelope-kit'` gives both.
 *
 * @example
 * ```ts
 * import { createKit, EnvelopeError } from 'envelope-kit';
 * const kit = await createKit();
 * const { KeyMetadata } = await kit.kms('us-east-1').createKey({});
 * const message = await kit.encrypt('hello', { keyId: KeyMetadata.Arn, encryptionContext: { purpose: 'demo' } });
 * ```
 * @packageDocumentation
 */
export * from './core/index.js';
export {
  createKit,
  type CreateKitOptions,
  type FileCallOptions,
  type FileProgress,
  type Kit,
  type KitDecryptOptions,
  type KitDecryptResult,
  type KitEncryptOptions,
  type KitCreateBranchKeyOptions,
  type KitEncryptManyOptions,
  type KitDecryptManyOptions,
  type KitDecryptManyResult,
  type BatchRecordError,
} from './client.js';
export { KitError, KitErrorCode } from './protocol.js';
export { TRUSTED_TYPES_POLICY } from './strict-pages/trusted-worker.js';

/**
 * The package version (checked against package.json by scripts/package-test.mjs).
 * @example
 * ```ts
 * import { VERSION } from 'envelope-kit';
 * console.log(VERSION); // '0.1.0'
 * ```
 */
export const VERSION = '0.1.0';
