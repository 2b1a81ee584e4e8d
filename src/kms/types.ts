/**
 * AWS KMS request and response shapes (API reference, "Data Types" and each action's "Request
 * Syntax" / "Response Syntax"): PascalCase members, binary members as Uint8Array, dates as Date.
 * Only the members the simulated KMS understands are declared; the shapes and limits are listed in
 * ../shared/reference/kms-operations.txt.
 */
import type {
  DataKeyPairSpec,
  EncryptionAlgorithmSpec,
  KeySpec,
  KeyState,
  KeyUsage,
  MacAlgorithmSpec,
  OriginType,
  SigningAlgorithmSpec,
  WrappingAlgorithm,
} from './keys/specs.js';

/**
 * An encryption context: string pairs bound to a ciphertext as additional authenticated data (AWS:
 * `EncryptionContextType`).
 */
export type EncryptionContextType = Record<string, string>;

/** A key tag (AWS: `Tag`); CreateKey, TagResource and ListResourceTags use it. */
export interface Tag {
  TagKey: string;
  TagValue: string;
}

/** One key of a multi-Region key set: its ARN and Region (AWS: `MultiRegionKey`). */
export interface MultiRegionKey {
  Arn: string;
  Region: string;
}

/**
 * A multi-Region key's place in its set: primary or replica, and the set's keys (AWS:
 * `MultiRegionConfiguration`).
 */
export interface MultiRegionConfiguration {
  MultiRegionKeyType: 'PRIMARY' | 'REPLICA';
  PrimaryKey: MultiRegionKey;
  ReplicaKeys: MultiRegionKey[];
}

/** DescribeKey's KeyMetadata. */
export interface KeyMetadata {
  AWSAccountId: string;
  KeyId: string;
  Arn: string;
  CreationDate: Date;
  Enabled: boolean;
  Description: string;
  KeyUsage: KeyUsage;
  KeyState: KeyState;
  DeletionDate?: Date;
  ValidTo?: Date;
  Origin: OriginType;
  ExpirationModel?: 'KEY_MATERIAL_EXPIRES' | 'KEY_MATERIAL_DOES_NOT_EXPIRE';
  KeyManager: 'CUSTOMER' | 'AWS';
  CustomerMasterKeySpec: KeySpec;
  KeySpec: KeySpec;
  EncryptionAlgorithms?: EncryptionAlgorithmSpec[];
  SigningAlgorithms?: SigningAlgorithmSpec[];
  MacAlgorithms?: MacAlgorithmSpec[];
  MultiRegion: boolean;
  MultiRegionConfiguration?: MultiRegionConfiguration;
  PendingDeletionWindowInDays?: number;
  CurrentKeyMaterialId?: string;
}

/**
 * A request naming one key: a key id, key ARN, alias name (`alias/…`) or alias ARN, where the
 * operation allows aliases.
 */
export interface KeyIdRequest {
  KeyId: string;
}
/** A response naming the key it acted on (its key ARN). */
export interface KeyIdResponse {
  KeyId: string;
}
/**
 * Paging of List* requests: `Limit` entries per page, `Marker` the previous page's `NextMarker`.
 */
export interface Paged {
  Limit?: number;
  Marker?: string;
}
/**
 * Paging of List* responses: while `Truncated`, pass `NextMarker` as the next request's `Marker`.
 */
export interface PagedResponse {
  NextMarker?: string;
  Truncated: boolean;
}
/**
 * Members every cryptographic operation accepts: grant tokens (for grants not yet eventually
 * consistent) and `DryRun` (check permission only; fails with `DryRunOperationException` when
 * allowed).
 */
export interface CryptoRequestCommon {
  GrantTokens?: string[];
  DryRun?: boolean;
}

// --- keys ---------------------------------------------------------------------------------------
/**
 * CreateKey's request: every member optional (`{}` makes a symmetric ENCRYPT_DECRYPT key with the
 * default key policy).
 */
export interface CreateKeyRequest {
  Policy?: string;
  Description?: string;
  KeyUsage?: KeyUsage;
  CustomerMasterKeySpec?: KeySpec;
  KeySpec?: KeySpec;
  Origin?: OriginType;
  CustomKeyStoreId?: string;
  BypassPolicyLockoutSafetyCheck?: boolean;
  Tags?: Tag[];
  MultiRegion?: boolean;
  XksKeyId?: string;
}
/** DescribeKey's request. */
export interface DescribeKeyRequest extends KeyIdRequest {
  GrantTokens?: string[];
}
/** The response of CreateKey and DescribeKey: the key's metadata. */
export interface KeyMetadataResponse {
  KeyMetadata: KeyMetadata;
}
/** ListKeys' response: one page of the account's keys in the client's Region. */
export interface ListKeysResponse extends PagedResponse {
  Keys: { KeyId: string; KeyArn: string }[];
}
/** UpdateKeyDescription's request. */
export interface UpdateKeyDescriptionRequest extends KeyIdRequest {
  Description: string;
}
/** ScheduleKeyDeletion's request: a waiting period of 7 to 30 days (default 30). */
export interface ScheduleKeyDeletionRequest extends KeyIdRequest {
  PendingWindowInDays?: number;
}
/** ScheduleKeyDeletion's response: when the key will be deleted. */
export interface ScheduleKeyDeletionResponse {
  KeyId: string;
  DeletionDate?: Date;
  KeyState: KeyState;
  PendingWindowInDays: number;
}
/** TagResource's request: tags to add or overwrite. */
export interface TagResourceRequest extends KeyIdRequest {
  Tags: Tag[];
}
/** UntagResource's request: the tag keys to remove. */
export interface UntagResourceRequest extends KeyIdRequest {
  TagKeys: string[];
}
/** ListResourceTags' response: one page of a key's tags. */
export interface ListResourceTagsResponse extends PagedResponse {
  Tags: Tag[];
}

// --- aliases ------------------------------------------------------------------------------------
/** The request of CreateAlias and UpdateAlias: an `alias/` name and the key it points to. */
export interface AliasRequest {
  AliasName: string;
  TargetKeyId: string;
}
/** One alias of ListAliases (AWS: `AliasListEntry`). */
export interface AliasListEntry {
  AliasName: string;
  AliasArn: string;
  TargetKeyId?: string;
  CreationDate?: Date;
  LastUpdatedDate?: Date;
}
/** ListAliases' request: all aliases of the Region, or only those of `KeyId`. */
export interface ListAliasesRequest extends Paged {
  KeyId?: string;
}
/** ListAliases' response: one page of aliases. */
export interface ListAliasesResponse extends PagedResponse {
  Aliases: AliasListEntry[];
}

// --- symmetric and asymmetric encryption --------------------------------------------------------
/** Encrypt's request: up to 4,096 bytes of plaintext under a symmetric or RSA key. */
export interface EncryptRequest extends CryptoRequestCommon {
  KeyId: string;
  Plaintext: Uint8Array;
  EncryptionContext?: EncryptionContextType;
  EncryptionAlgorithm?: EncryptionAlgorithmSpec;
}
/** Encrypt's response: the ciphertext blob and the key ARN that made it. */
export interface EncryptResponse {
  CiphertextBlob: Uint8Array;
  KeyId: string;
  EncryptionAlgorithm: EncryptionAlgorithmSpec;
}
/**
 * Decrypt's request: the ciphertext blob and the encryption context it was made with (`KeyId`
 * required for asymmetric keys). `Recipient` (Nitro enclaves) is refused.
 */
export interface DecryptRequest extends CryptoRequestCommon {
  CiphertextBlob: Uint8Array;
  EncryptionContext?: EncryptionContextType;
  KeyId?: string;
  EncryptionAlgorithm?: EncryptionAlgorithmSpec;
  Recipient?: unknown;
}
/** Decrypt's response: the plaintext and the key ARN that decrypted it. */
export interface DecryptResponse {
  KeyId: string;
  Plaintext: Uint8Array;
  EncryptionAlgorithm: EncryptionAlgorithmSpec;
  KeyMaterialId?: string;
}
/**
 * ReEncrypt's request: decrypt under the source key and encrypt under the destination key, without
 * the plaintext leaving KMS.
 */
export interface ReEncryptRequest extends CryptoRequestCommon {
  CiphertextBlob: Uint8Array;
  SourceEncryptionContext?: EncryptionContextType;
  SourceKeyId?: string;
  DestinationKeyId: string;
  DestinationEncryptionContext?: EncryptionContextType;
  SourceEncryptionAlgorithm?: EncryptionAlgorithmSpec;
  DestinationEncryptionAlgorithm?: EncryptionAlgorithmSpec;
}
/** ReEncrypt's response: the new ciphertext blob and both key ARNs. */
export interface ReEncryptResponse {
  CiphertextBlob: Uint8Array;
  SourceKeyId: string;
  KeyId: string;
  SourceEncryptionAlgorithm: EncryptionAlgorithmSpec;
  DestinationEncryptionAlgorithm: EncryptionAlgorithmSpec;
  SourceKeyMaterialId?: string;
  DestinationKeyMaterialId?: string;
}
/**
 * The request of GenerateDataKey and GenerateDataKeyWithoutPlaintext: give `NumberOfBytes` or
 * `KeySpec`.
 */
export interface GenerateDataKeyRequest extends CryptoRequestCommon {
  KeyId: string;
  EncryptionContext?: EncryptionContextType;
  NumberOfBytes?: number;
  KeySpec?: 'AES_256' | 'AES_128';
  Recipient?: unknown;
}
/** GenerateDataKey's response: the data key in plaintext and encrypted under the KMS key. */
export interface GenerateDataKeyResponse {
  CiphertextBlob: Uint8Array;
  Plaintext: Uint8Array;
  KeyId: string;
  KeyMaterialId: string;
}
/** GenerateDataKeyWithoutPlaintext's response: the data key encrypted only. */
export type GenerateDataKeyWithoutPlaintextResponse = Omit<GenerateDataKeyResponse, 'Plaintext'>;
/** The request of GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext. */
export interface GenerateDataKeyPairRequest extends CryptoRequestCommon {
  KeyId: string;
  KeyPairSpec: DataKeyPairSpec;
  EncryptionContext?: EncryptionContextType;
  Recipient?: unknown;
}
/**
 * GenerateDataKeyPair's response: the public key (DER SPKI), the private key (PKCS#8) in plaintext
 * and encrypted.
 */
export interface GenerateDataKeyPairResponse {
  PrivateKeyCiphertextBlob: Uint8Array;
  PrivateKeyPlaintext: Uint8Array;
  PublicKey: Uint8Array;
  KeyId: string;
  KeyPairSpec: DataKeyPairSpec;
  KeyMaterialId: string;
}
/**
 * GenerateDataKeyPairWithoutPlaintext's response: the public key and the encrypted private key
 * only.
 */
export type GenerateDataKeyPairWithoutPlaintextResponse = Omit<GenerateDataKeyPairResponse, 'PrivateKeyPlaintext'>;
/** GenerateRandom's request: 1 to 1,024 bytes. */
export interface GenerateRandomRequest {
  NumberOfBytes?: number;
  CustomKeyStoreId?: string;
  Recipient?: unknown;
}
/** GenerateRandom's response: the random bytes. */
export interface GenerateRandomResponse {
  Plaintext: Uint8Array;
}

// --- signatures and MACs ------------------------------------------------------------------------
/**
 * Sign's request: a message (up to 4,096 bytes) or its digest, under an asymmetric SIGN_VERIFY key.
 */
export interface SignRequest extends CryptoRequestCommon {
  KeyId: string;
  Message: Uint8Array;
  MessageType?: 'RAW' | 'DIGEST' | 'EXTERNAL_MU';
  SigningAlgorithm: SigningAlgorithmSpec;
}
/** Sign's response: the signature (DER for ECDSA). */
export interface SignResponse {
  KeyId: string;
  Signature: Uint8Array;
  SigningAlgorithm: SigningAlgorithmSpec;
}
/** Verify's request: Sign's request and the signature to check. */
export interface VerifyRequest extends SignRequest {
  Signature: Uint8Array;
}
/**
 * Verify's response (an invalid signature throws `KMSInvalidSignatureException` instead of
 * returning `false`, as AWS KMS does).
 */
export interface VerifyResponse {
  KeyId: string;
  SignatureValid: boolean;
  SigningAlgorithm: SigningAlgorithmSpec;
}
/**
 * GetPublicKey's response: the public key (DER SPKI) of an asymmetric key and what it may be used
 * for.
 */
export interface GetPublicKeyResponse {
  KeyId: string;
  PublicKey: Uint8Array;
  CustomerMasterKeySpec: KeySpec;
  KeySpec: KeySpec;
  KeyUsage: KeyUsage;
  EncryptionAlgorithms?: EncryptionAlgorithmSpec[];
  SigningAlgorithms?: SigningAlgorithmSpec[];
}
/** GenerateMac's request: a message (up to 4,096 bytes) under an HMAC key. */
export interface GenerateMacRequest extends CryptoRequestCommon {
  KeyId: string;
  Message: Uint8Array;
  MacAlgorithm: MacAlgorithmSpec;
}
/** GenerateMac's response: the MAC. */
export interface GenerateMacResponse {
  Mac: Uint8Array;
  MacAlgorithm: MacAlgorithmSpec;
  KeyId: string;
}
/** VerifyMac's request: GenerateMac's request and the MAC to check. */
export interface VerifyMacRequest extends GenerateMacRequest {
  Mac: Uint8Array;
}
/** VerifyMac's response (an invalid MAC throws `KMSInvalidMacException`, as AWS KMS does). */
export interface VerifyMacResponse {
  KeyId: string;
  MacValid: boolean;
  MacAlgorithm: MacAlgorithmSpec;
}

// --- rotation -----------------------------------------------------------------------------------
/** EnableKeyRotation's request: a period of 90 to 2,560 days (default 365). */
export interface EnableKeyRotationRequest extends KeyIdRequest {
  RotationPeriodInDays?: number;
}
/** GetKeyRotationStatus' response. */
export interface GetKeyRotationStatusResponse {
  KeyRotationEnabled: boolean;
  KeyId: string;
  RotationPeriodInDays?: number;
  NextRotationDate?: Date;
  OnDemandRotationStartDate?: Date;
}
/** ListKeyRotations' request. */
export interface ListKeyRotationsRequest extends KeyIdRequest, Paged {
  IncludeKeyMaterial?: 'ALL_KEY_MATERIAL' | 'ROTATIONS_ONLY';
}
/** One key material of ListKeyRotations (AWS: `RotationsListEntry`). */
export interface RotationsListEntry {
  KeyId: string;
  KeyMaterialId: string;
  KeyMaterialState: 'CURRENT' | 'NON_CURRENT';
  RotationDate?: Date;
  RotationType?: 'AUTOMATIC' | 'ON_DEMAND';
  ImportState?: 'IMPORTED' | 'PENDING_IMPORT';
  ExpirationModel?: 'KEY_MATERIAL_EXPIRES' | 'KEY_MATERIAL_DOES_NOT_EXPIRE';
  ValidTo?: Date;
}
/** ListKeyRotations' response: one page of a key's rotations. */
export interface ListKeyRotationsResponse extends PagedResponse {
  Rotations: RotationsListEntry[];
}

// --- imported key material ----------------------------------------------------------------------
/** GetParametersForImport's request: how the key material will be wrapped for import. */
export interface GetParametersForImportRequest extends KeyIdRequest {
  WrappingAlgorithm: WrappingAlgorithm;
  WrappingKeySpec: 'RSA_2048' | 'RSA_3072' | 'RSA_4096' | 'SM2';
}
/**
 * GetParametersForImport's response: the RSA wrapping public key and the import token, valid 24
 * hours.
 */
export interface GetParametersForImportResponse {
  KeyId: string;
  ImportToken: Uint8Array;
  PublicKey: Uint8Array;
  ParametersValidTo: Date;
}
/** ImportKeyMaterial's request: key material wrapped under GetParametersForImport's public key. */
export interface ImportKeyMaterialRequest extends KeyIdRequest {
  ImportToken: Uint8Array;
  EncryptedKeyMaterial: Uint8Array;
  ValidTo?: Date;
  ExpirationModel?: 'KEY_MATERIAL_EXPIRES' | 'KEY_MATERIAL_DOES_NOT_EXPIRE';
  ImportType?: 'NEW_KEY_MATERIAL' | 'EXISTING_KEY_MATERIAL';
  KeyMaterialDescription?: string;
  KeyMaterialId?: string;
}
/** ImportKeyMaterial's response. */
export interface ImportKeyMaterialResponse {
  KeyId: string;
  KeyMaterialId: string;
}
/** DeleteImportedKeyMaterial's request. */
export interface DeleteImportedKeyMaterialRequest extends KeyIdRequest {
  KeyMaterialId?: string;
}
/** DeleteImportedKeyMaterial's response. */
export interface DeleteImportedKeyMaterialResponse {
  KeyId: string;
  KeyMaterialId: string;
}

// --- multi-Region keys --------------------------------------------------------------------------
/** ReplicateKey's request: copy a multi-Region primary key into another Region. */
export interface ReplicateKeyRequest extends KeyIdRequest {
  ReplicaRegion: string;
  Policy?: string;
  BypassPolicyLockoutSafetyCheck?: boolean;
  Description?: string;
  Tags?: Tag[];
}
/** ReplicateKey's response: the replica's metadata, policy and tags. */
export interface ReplicateKeyResponse {
  ReplicaKeyMetadata: KeyMetadata;
  ReplicaPolicy: string;
  ReplicaTags: Tag[];
}
/** UpdatePrimaryRegion's request: make the replica in `PrimaryRegion` the primary. */
export interface UpdatePrimaryRegionRequest extends KeyIdRequest {
  PrimaryRegion: string;
}

// --- key policies -------------------------------------------------------------------------------
/** GetKeyPolicy's request (`PolicyName` is `default`, the only one). */
export interface GetKeyPolicyRequest extends KeyIdRequest {
  PolicyName?: string;
}
/** GetKeyPolicy's response: the policy document as JSON text. */
export interface GetKeyPolicyResponse {
  Policy: string;
  PolicyName: string;
}
/** PutKeyPolicy's request: a JSON policy document (checked against lockout unless bypassed). */
export interface PutKeyPolicyRequest extends KeyIdRequest {
  PolicyName?: string;
  Policy: string;
  BypassPolicyLockoutSafetyCheck?: boolean;
}
/** ListKeyPolicies' response (always `['default']`). */
export interface ListKeyPoliciesResponse extends PagedResponse {
  PolicyNames: string[];
}

/** What operations that return nothing resolve to (the AWS SDK gives `$metadata` only). */
export type Empty = Record<string, never>;

// --- grants -------------------------------------------------------------------------------------
/** CreateGrant's Operations values (API reference, CreateGrant). */
export type GrantOperation =
  | 'Decrypt'
  | 'Encrypt'
  | 'GenerateDataKey'
  | 'GenerateDataKeyWithoutPlaintext'
  | 'ReEncryptFrom'
  | 'ReEncryptTo'
  | 'Sign'
  | 'Verify'
  | 'GetPublicKey'
  | 'CreateGrant'
  | 'RetireGrant'
  | 'DescribeKey'
  | 'GenerateDataKeyPair'
  | 'GenerateDataKeyPairWithoutPlaintext'
  | 'GenerateMac'
  | 'VerifyMac'
  | 'DeriveSharedSecret';
/**
 * A grant's encryption context condition: the request's context must contain (`Subset`) or equal
 * (`Equals`) these pairs.
 */
export interface GrantConstraints {
  EncryptionContextSubset?: EncryptionContextType;
  EncryptionContextEquals?: EncryptionContextType;
}
/** CreateGrant's request: who may use the key for which operations, under which constraints. */
export interface CreateGrantRequest {
  KeyId: string;
  GranteePrincipal: string;
  RetiringPrincipal?: string;
  Operations: GrantOperation[];
  Constraints?: GrantConstraints;
  GrantTokens?: string[];
  Name?: string;
  DryRun?: boolean;
}
/** CreateGrant's response: the grant id and a grant token usable at once. */
export interface CreateGrantResponse {
  GrantToken: string;
  GrantId: string;
}
/** One grant of ListGrants and ListRetirableGrants (AWS: `GrantListEntry`). */
export interface GrantListEntry {
  KeyId: string;
  GrantId: string;
  Name?: string;
  CreationDate: Date;
  GranteePrincipal: string;
  RetiringPrincipal?: string;
  IssuingAccount: string;
  Operations: GrantOperation[];
  Constraints?: GrantConstraints;
}
/** ListGrants' request: a key's grants, optionally one grant or one grantee's. */
export interface ListGrantsRequest extends Paged {
  KeyId: string;
  GrantId?: string;
  GranteePrincipal?: string;
}
/** The response of ListGrants and ListRetirableGrants: one page of grants. */
export interface ListGrantsResponse extends PagedResponse {
  Grants: GrantListEntry[];
}
/** ListRetirableGrants' request: grants that name this retiring principal. */
export interface ListRetirableGrantsRequest extends Paged {
  RetiringPrincipal: string;
}
/** RetireGrant's request: the grant token, or the key and grant id. */
export interface RetireGrantRequest {
  GrantToken?: string;
  KeyId?: string;
  GrantId?: string;
  DryRun?: boolean;
}
/** RevokeGrant's request. */
export interface RevokeGrantRequest {
  KeyId: string;
  GrantId: string;
  DryRun?: boolean;
}
