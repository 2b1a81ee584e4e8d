/**
 * The shapes shared by the core: messages, materials, keyrings and materials managers.
 * Byte layouts follow the AWS Encryption SDK specification
 * (awslabs/aws-encryption-sdk-specification, `data-format/message-header.md`).
 */
import type { SuiteId } from './suites.js';
import type { CommitmentPolicy } from './commitment.js';

/** Bytes backed by a plain ArrayBuffer, as WebCrypto wants them (TS >= 5.7). */
export type Bytes = Uint8Array<ArrayBuffer>;

/** A string map that is authenticated (AAD) but not secret. */
export type EncryptionContext = Record<string, string>;

/** One wrapped copy of the data key, as it is stored in the message header. */
export interface EncryptedDataKey {
  /** UTF-8 provider id, e.g. the raw keyring's key namespace, or `aws-kms`. */
  readonly providerId: string;
  /** Provider-specific bytes, e.g. key name + IV for the raw AES keyring. */
  readonly providerInfo: Uint8Array;
  /** The wrapped data key. */
  readonly ciphertext: Uint8Array;
}

/** The parsed message header (spec: data-format/message-header.md). */
export interface MessageHeader {
  /** 1 or 2. */
  readonly version: 1 | 2;
  /** The algorithm suite id, e.g. `0x0578`. */
  readonly suiteId: SuiteId;
  /** 16 bytes in version 1, 32 bytes in version 2. */
  readonly messageId: Uint8Array;
  /** The encryption context stored in the header (required-only keys are not stored). */
  readonly encryptionContext: EncryptionContext;
  /** Every wrapped copy of the data key. */
  readonly encryptedDataKeys: readonly EncryptedDataKey[];
  /** `'framed'` (content type 2) or `'non-framed'` (content type 1, decrypt only). */
  readonly contentType: 'framed' | 'non-framed';
  /** Frame length in bytes; 0 for a non-framed body. */
  readonly frameLength: number;
  /** Version 2 only: the 32-byte commitment key. */
  readonly suiteData?: Uint8Array;
  /** Length in bytes of the serialized header including its authentication tag. */
  readonly headerLength: number;
}

/** What keyrings receive and fill on encrypt (spec: framework/structures.md#encryption-materials). */
export interface EncryptionMaterials {
  readonly suiteId: SuiteId;
  /** The full context that goes into the header and header authentication. */
  readonly encryptionContext: EncryptionContext;
  /** Keys of the context that are authenticated but not stored in the message. */
  readonly requiredEncryptionContextKeys: readonly string[];
  /** The plaintext data key, once a generator has produced it. */
  plaintextDataKey?: Bytes;
  readonly encryptedDataKeys: EncryptedDataKey[];
  /** Signing key for signed suites (set by the materials manager). */
  signingKey?: SigningKey;
}

/** What keyrings receive and fill on decrypt. */
export interface DecryptionMaterials {
  readonly suiteId: SuiteId;
  readonly encryptionContext: EncryptionContext;
  readonly requiredEncryptionContextKeys: readonly string[];
  plaintextDataKey?: Bytes;
  verificationKey?: VerificationKey;
}

/** An ECDSA private key: a WebCrypto key plus the compressed public point for the header. */
export interface SigningKey {
  readonly privateKey: CryptoKey;
  /** base64 of the SEC1 compressed public point. */
  readonly publicKeyBase64: string;
}

/** An ECDSA public key for footer verification. */
export interface VerificationKey {
  readonly publicKey: CryptoKey;
  /** Uncompressed SEC1 public point (for the incremental, pre-hashed verifier). */
  readonly publicPoint: Uint8Array;
}

/**
 * A keyring generates, wraps and unwraps data keys (spec: framework/keyring-interface.md).
 * Implementations must not keep plaintext data keys beyond the call.
 */
export interface Keyring {
  onEncrypt(materials: EncryptionMaterials): Promise<EncryptionMaterials>;
  onDecrypt(materials: DecryptionMaterials, encryptedDataKeys: readonly EncryptedDataKey[]): Promise<DecryptionMaterials>;
}

/** Request to a materials manager on encrypt. */
export interface GetEncryptionMaterialsRequest {
  readonly encryptionContext: EncryptionContext;
  readonly suiteId?: SuiteId;
  readonly commitmentPolicy: CommitmentPolicy;
  /** Length of the plaintext when known (caching CMMs use it). */
  readonly plaintextLength?: number;
  readonly maxEncryptedDataKeys?: number;
}

/** Request to a materials manager on decrypt. */
export interface DecryptMaterialsRequest {
  readonly suiteId: SuiteId;
  readonly commitmentPolicy: CommitmentPolicy;
  readonly encryptedDataKeys: readonly EncryptedDataKey[];
  /** The context stored in the message. */
  readonly encryptionContext: EncryptionContext;
  /** The context the caller supplied to decrypt (may carry required-only keys). */
  readonly reproducedEncryptionContext?: EncryptionContext;
}

/** A cryptographic materials manager (spec: framework/cmm-interface.md). */
export interface MaterialsManager {
  getEncryptionMaterials(request: GetEncryptionMaterialsRequest): Promise<EncryptionMaterials>;
  decryptMaterials(request: DecryptMaterialsRequest): Promise<DecryptionMaterials>;
}
