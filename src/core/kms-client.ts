/**
 * The AWS KMS client the KMS keyrings need: three operations in AWS KMS's own request and response
 * shapes (PascalCase members, binary as Uint8Array). It is a structural type so that the core never
 * imports the simulated KMS or an AWS SDK (design.md: the arrows point down only); the simulated
 * KMS's `kms.region(name)` fits it as it is, and {@link fromAwsSdkV3} adapts an AWS SDK v3 client.
 *
 * Response members are optional, as in the AWS SDK's types: the keyrings check every member they
 * use (spec: framework/aws-kms/aws-kms-keyring.md) rather than trusting the client.
 */
import type { EncryptionContext } from './types.js';

/** GenerateDataKey request, as far as the keyrings fill it. */
export interface KmsGenerateDataKeyRequest {
  KeyId: string;
  NumberOfBytes?: number;
  EncryptionContext?: EncryptionContext;
  GrantTokens?: string[];
}

/** GenerateDataKey response: `KeyId` is the key ARN; `Plaintext` is the data key in the clear. */
export interface KmsGenerateDataKeyResponse {
  KeyId?: string;
  Plaintext?: Uint8Array;
  CiphertextBlob?: Uint8Array;
}

/** Encrypt request. */
export interface KmsEncryptRequest {
  KeyId: string;
  Plaintext: Uint8Array;
  EncryptionContext?: EncryptionContext;
  GrantTokens?: string[];
}

/** Encrypt response: `KeyId` is the key ARN. */
export interface KmsEncryptResponse {
  KeyId?: string;
  CiphertextBlob?: Uint8Array;
}

/** Decrypt request. The keyrings always name the key: KMS then refuses any other key's ciphertext. */
export interface KmsDecryptRequest {
  KeyId?: string;
  CiphertextBlob: Uint8Array;
  EncryptionContext?: EncryptionContext;
  GrantTokens?: string[];
}

/** Decrypt response: `KeyId` is the ARN of the key that decrypted. */
export interface KmsDecryptResponse {
  KeyId?: string;
  Plaintext?: Uint8Array;
}

/**
 * GenerateDataKeyWithoutPlaintext request: the branch key store asks for 32-byte branch keys this
 * way, so that the plaintext never leaves KMS at creation (spec: framework/branch-key-store.md).
 */
export interface KmsGenerateDataKeyWithoutPlaintextRequest {
  KeyId: string;
  NumberOfBytes?: number;
  EncryptionContext?: EncryptionContext;
  GrantTokens?: string[];
}

/** GenerateDataKeyWithoutPlaintext response: `KeyId` is the key ARN. */
export interface KmsGenerateDataKeyWithoutPlaintextResponse {
  KeyId?: string;
  CiphertextBlob?: Uint8Array;
}

/** ReEncrypt request: the branch key store re-binds a wrapped key to another encryption context. */
export interface KmsReEncryptRequest {
  CiphertextBlob: Uint8Array;
  SourceKeyId?: string;
  SourceEncryptionContext?: EncryptionContext;
  DestinationKeyId: string;
  DestinationEncryptionContext?: EncryptionContext;
  GrantTokens?: string[];
}

/** ReEncrypt response: `SourceKeyId` and `KeyId` are key ARNs. */
export interface KmsReEncryptResponse {
  SourceKeyId?: string;
  KeyId?: string;
  CiphertextBlob?: Uint8Array;
}

/**
 * An AWS KMS client for one region. Failures reject with an Error whose `name` is the AWS exception
 * name (`NotFoundException`, `DisabledException`, `InvalidCiphertextException`, ...).
 *
 * @example
 * ```ts
 * import { createKms } from 'envelope-kit/kms';
 * const kms = await createKms({ storage: 'memory' });
 * const client: KmsClient = kms.region('us-east-1');
 * const { KeyId, Plaintext, CiphertextBlob } = await client.generateDataKey({ KeyId: 'alias/app', NumberOfBytes: 32 });
 * ```
 */
export interface KmsClient {
  generateDataKey(request: KmsGenerateDataKeyRequest): Promise<KmsGenerateDataKeyResponse>;
  encrypt(request: KmsEncryptRequest): Promise<KmsEncryptResponse>;
  decrypt(request: KmsDecryptRequest): Promise<KmsDecryptResponse>;
  /**
   * Optional: only the branch key store's CreateKey and VersionKey need it (the keyrings never call
   * it), so clients written for the keyrings alone stay valid.
   */
  generateDataKeyWithoutPlaintext?(request: KmsGenerateDataKeyWithoutPlaintextRequest): Promise<KmsGenerateDataKeyWithoutPlaintextResponse>;
  /** Optional: only the branch key store's CreateKey and VersionKey need it. */
  reEncrypt?(request: KmsReEncryptRequest): Promise<KmsReEncryptResponse>;
}

/**
 * Gives the client for a region, e.g. `(region) => kms.region(region)` for the simulated KMS or
 * `(region) => fromAwsSdkV3(new KMSClient({ region }), commands)` for AWS KMS.
 */
export type KmsClientSupplier = (region: string) => KmsClient;
