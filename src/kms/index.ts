/**
 * `envelope-kit/kms`: a simulated multi-region AWS KMS (design.md, "The KMS"). The API is AWS KMS's:
 * the same operations (camelCase methods), request and response shapes, exception names and
 * key-state rules, so code written against it moves to AWS KMS by changing the client.
 *
 * @example
 * ```ts
 * import { createKms } from 'envelope-kit/kms';
 * const kms = await createKms({ storage: 'indexeddb' });
 * const client = kms.region('us-east-1');
 * const { KeyMetadata } = await client.createKey({});
 * const { Plaintext, CiphertextBlob } = await client.generateDataKey({ KeyId: KeyMetadata.KeyId, NumberOfBytes: 32 });
 * ```
 * @packageDocumentation
 */
export { createKms, deleteKmsStorage, DEFAULT_ACCOUNT, DEFAULT_REGIONS, type ExplainRequest, type Kms, type KmsOptions, type KmsSimulation, type RegionClientOptions } from './kms.js';
export { IamError, IamExceptionName, type KmsIam, type PutRolePolicyRequest, type PutUserPolicyRequest } from './policy/iam.js';
export type { Decision, DecisionMatch, DecisionSource } from './policy/index.js';
export type { KmsAudit } from './audit/recording.js';
export type { AuditQuery, AuditRecord, AuditVerification, BrokenLink } from './audit/index.js';
export { AuditIntegrityError } from './audit/index.js';
export type { KmsRegionClient } from './client.js';
export { KmsError, KmsExceptionName, SimulatorError, SimulatorErrorCode } from './errors.js';
export type { BackupOptions, RestoreOptions, RestoreSummary } from './backup/key-store-backup.js';
export type { KdfChoice } from './backup/passphrase-kdf.js';
export type { PasskeyEnrollment, UnlockSecret } from './lock/key-lock.js';
export type { CallEvent, CallRecorder } from './audit/call-record.js';
export type { SimulationSettings, SimulationState } from './requests/simulation.js';
export { KeyState, type DataKeyPairSpec, type EncryptionAlgorithmSpec, type KeySpec, type KeyUsage, type MacAlgorithmSpec, type OriginType, type SigningAlgorithmSpec, type WrappingAlgorithm } from './keys/specs.js';
export { encodeEncryptionContext } from './crypto/encryption-context.js';
export type * from './types.js';
// Also registers it with the core, so `new BranchKeyStore({ storage: 'indexeddb' })` works once this entry is loaded.
export { indexedDbBranchKeyStorage } from './storage/branch-key-storage.js';

/** The package version (checked against package.json by scripts/package-test.mjs). */
export const VERSION = '0.1.0';
export { StorageBlockedError } from './storage/blocked-open.js';
