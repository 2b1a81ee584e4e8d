/**
 * envelope-kit/core: envelope encryption in the AWS Encryption SDK message format, on WebCrypto.
 * Runs unchanged in Node >= 20, browsers and workers.
 * @packageDocumentation
 */
export { encrypt, encryptMany, type EncryptResult, type EncryptManyOptions } from './encrypt.js';
export { decrypt, decryptMany, type DecryptResult, type DecryptManyOptions, type DecryptManyResult } from './decrypt.js';
export type { BatchEncryptingKeyring, BatchDecryptingKeyring, DataKeyWrapper, DataKeyUnwrapper } from './batch-keyrings.js';
export {
  INVALID_ARGUMENT,
  argumentError,
  checkArray,
  checkBytes,
  checkObject,
  checkString,
  describeType,
  isArgumentError,
  rangeError,
  typeError,
  type ArgumentError,
  type LengthBounds,
} from './arguments.js';
export { parseKmsKeyArn, type KmsArn } from './kms-arn.js';
export { encryptStream, decryptStream, type EncryptStreamOptions, type DecryptStreamOptions, type MessageTransformStream } from './stream.js';
export type { EncryptOptions, DecryptOptions, SignatureHasher, MessageHasher, SignatureHashName } from './options.js';
export { createIncrementalHash, type IncrementalHash, type IncrementalHashOptions, type HashImplementation } from './hashing/incremental-hash.js';
export { generateSigningKey } from './signature.js';
export { RawAesKeyring, type RawAesKeyringOptions } from './raw-aes-keyring.js';
export { RawRsaKeyring, type RawRsaKeyringOptions, type RsaPadding } from './raw-rsa-keyring.js';
export { MultiKeyring, type MultiKeyringOptions } from './multi-keyring.js';
export { DefaultCmm, RequiredEncryptionContextCmm, type DefaultCmmOptions, type SigningKeySource, type RequiredEncryptionContextCmmOptions } from './materials-managers.js';
export { EnvelopeError, ErrorCode } from './errors.js';
export {
  CommitmentPolicy,
  DEFAULT_COMMITMENT_POLICY,
  FORBID_ENCRYPT_ALLOW_DECRYPT,
  REQUIRE_ENCRYPT_ALLOW_DECRYPT,
  REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
} from './commitment.js';
export {
  AlgorithmSuiteId,
  ALL_SUITE_IDS,
  AES_128_GCM_IV12_TAG16_NO_KDF,
  AES_192_GCM_IV12_TAG16_NO_KDF,
  AES_256_GCM_IV12_TAG16_NO_KDF,
  AES_128_GCM_IV12_TAG16_HKDF_SHA256,
  AES_192_GCM_IV12_TAG16_HKDF_SHA256,
  AES_256_GCM_IV12_TAG16_HKDF_SHA256,
  AES_128_GCM_IV12_TAG16_HKDF_SHA256_ECDSA_P256,
  AES_192_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384,
  AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384,
  AES_256_GCM_HKDF_SHA512_COMMIT_KEY,
  AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
  type SuiteId,
} from './suites.js';
export { DEFAULT_FRAME_LENGTH, FRAME_CONCURRENCY } from './body.js';
export { parseHeader } from './header.js';
export { serializeContext } from './encryption-context.js';
export { toBase64, fromBase64 } from './bytes.js';
export type {
  Bytes,
  DecryptionMaterials,
  DecryptMaterialsRequest,
  EncryptedDataKey,
  EncryptionContext,
  EncryptionMaterials,
  GetEncryptionMaterialsRequest,
  Keyring,
  MaterialsManager,
  MessageHeader,
  SigningKey,
  VerificationKey,
} from './types.js';
export type { KmsClient, KmsClientSupplier, KmsGenerateDataKeyRequest, KmsGenerateDataKeyResponse, KmsEncryptRequest, KmsEncryptResponse, KmsDecryptRequest, KmsDecryptResponse } from './kms-client.js';
export { KmsKeyring, type KmsKeyringOptions } from './kms-keyring.js';
export { KmsMrkAwareKeyring, type KmsMrkAwareKeyringOptions } from './kms-mrk-keyring.js';
export { KmsMrkDiscoveryKeyring, type KmsMrkDiscoveryKeyringOptions, type KmsDiscoveryFilter } from './kms-mrk-discovery-keyring.js';
export { fromAwsSdkV3, type AwsSdkV3KmsClient, type AwsSdkV3KmsCommands } from './aws-sdk-kms-adapter.js';
export type { KmsGenerateDataKeyWithoutPlaintextRequest, KmsGenerateDataKeyWithoutPlaintextResponse, KmsReEncryptRequest, KmsReEncryptResponse } from './kms-client.js';
export {
  BranchKeyStore,
  type BranchKeyStoreOptions,
  type BranchKeyStoreKmsClient,
  type BranchKeyMaterials,
  type BeaconKeyMaterials,
  type BranchKeySource,
  type CreateBranchKeyOptions,
} from './branch-key-store.js';
export { BranchKeyStoreError, BranchKeyStoreErrorCode } from './branch-key-store-errors.js';
export { ACTIVE_TYPE as BRANCH_KEY_ACTIVE_TYPE, checkRecord as checkBranchKeyRecord, recordContext as branchKeyRecordContext, type BranchKeyRecord } from './branch-key-store-records.js';
export type { BranchKeyStorage } from './branch-key-store-storage.js';
export { HierarchicalKeyring, type HierarchicalKeyringOptions, type BranchKeyIdSupplier } from './hierarchical-keyring.js';
export { HIERARCHY_PROVIDER_ID } from './hierarchical-keyring-wrap.js';
export { CachingCmm, type CachingCmmOptions } from './caching-cmm.js';
export { LocalMaterialsCache, type CacheEntry, type PutOptions } from './materials-cache.js';
