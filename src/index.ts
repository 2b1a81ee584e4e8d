/**
 * `envelope-kit`: the main-thread entry point.
 *
 * The worker client, `createKit()`, which keeps every key in a worker and talks to it over comlink
 * (design.md, "The worker and the page"), and the core (`envelope-kit/core`) re-exported, so that
 * `import … from 'envelope-kit'` gives both.
 *
 * @example
 * ```ts
 * import { createKit } from 'envelope-kit';
 * const kit = await createKit();
 * const { KeyMetadata } = await kit.kms('us-east-1').createKey({});
 * const { ciphertext, header } = await kit.encrypt('hello', { keyId: KeyMetadata.Arn, encryptionContext: { purpose: 'demo' } });
 * const { plaintext } = await kit.decrypt(ciphertext, { encryptionContext: { purpose: 'demo' } });
 * ```
 * @packageDocumentation
 */
export * from './core/index.js';
// The branch key store's IndexedDB storage lives in the KMS layer; this entry loads it, so that
// `new BranchKeyStore({ storage: 'indexeddb' })` from 'envelope-kit' works as it always has.
export { indexedDbBranchKeyStorage } from './kms/storage/branch-key-storage.js';
export {
  createKit,
  type CreateKitOptions,
  type FileCallOptions,
  type FileProgress,
  type Kit,
  type KitDecryptOptions,
  type KitDecryptResult,
  type KitEncryptOptions,
  type KitEncryptResult,
  type KitTransferOption,
  type KitCreateBranchKeyOptions,
  type KitEncryptManyOptions,
  type KitDecryptManyOptions,
  type KitDecryptManyResult,
  type BatchRecordError,
} from './client/kit.js';
export { KitError, KitErrorCode } from './client/errors.js';
export { KitTable, type TableItem } from './client/tables/kit-table.js';
export type { KitTableConfig, KitTableQuery } from './client/tables/protocol.js';
export type { BackupOptions, RestoreOptions, RestoreSummary } from './kms/index.js';
export type { StorageStatus } from './client/key-custody/storage.js';
export type { AddPasskeyOptions } from './client/key-custody/passkeys.js';
export { TRUSTED_TYPES_POLICY } from './client/trusted-worker.js';

/**
 * The package version (checked against package.json by scripts/package-test.mjs).
 * @example
 * ```ts
 * import { VERSION } from 'envelope-kit';
 * console.log(VERSION); // '0.1.0'
 * ```
 */
export const VERSION = '0.1.0';
