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

export type EncryptionContextType = Record<string, string>;

export interface Tag {
  TagKey: string;
  TagValue: string;
}

export interface MultiRegionKey {
  Arn: string;
  Region: string;
}

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
  KeyManager: 'CUSTOMER';
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

export interface KeyIdRequest {
  KeyId: string;
}
export interface KeyIdResponse {
  KeyId: string;
}
export interface Paged {
  Limit?: number;
  Marker?: string;
}
export interface PagedResponse {
  NextMarker?: string;
  Truncated: boolean;
}
export interface CryptoRequestCommon {
  GrantTokens?: string[];
  DryRun?: boolean;
}

// --- keys ---------------------------------------------------------------------------------------
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
export interface DescribeKeyRequest extends KeyIdRequest {
  GrantTokens?: string[];
}
export interface KeyMetadataResponse {
  KeyMetadata: KeyMetadata;
}
export interface ListKeysResponse extends PagedResponse {
  Keys: { KeyId: string; KeyArn: string }[];
}
export interface UpdateKeyDescriptionRequest extends KeyIdRequest {
  Description: string;
}
export interface ScheduleKeyDeletionRequest extends KeyIdRequest {
  PendingWindowInDays?: number;
}
export interface ScheduleKeyDeletionResponse {
  KeyId: string;
  DeletionDate?: Date;
  KeyState: KeyState;
  PendingWindowInDays: number;
}
export interface TagResourceRequest extends KeyIdRequest {
  Tags: Tag[];
}
export interface UntagResourceRequest extends KeyIdRequest {
  TagKeys: string[];
}
export interface ListResourceTagsResponse extends PagedResponse {
  Tags: Tag[];
}

// --- aliases ------------------------------------------------------------------------------------
export interface AliasRequest {
  AliasName: string;
  TargetKeyId: string;
}
export interface AliasListEntry {
  AliasName: string;
  AliasArn: string;
  TargetKeyId?: string;
  CreationDate?: Date;
  LastUpdatedDate?: Date;
}
export interface ListAliasesRequest extends Paged {
  KeyId?: string;
}
export interface ListAliasesResponse extends PagedResponse {
  Aliases: AliasListEntry[];
}

// --- symmetric and asymmetric encryption --------------------------------------------------------
export interface EncryptRequest extends CryptoRequestCommon {
  KeyId: string;
  Plaintext: Uint8Array;
  EncryptionContext?: EncryptionContextType;
  EncryptionAlgorithm?: EncryptionAlgorithmSpec;
}
export interface EncryptResponse {
  CiphertextBlob: Uint8Array;
  KeyId: string;
  EncryptionAlgorithm: EncryptionAlgorithmSpec;
}
export interface DecryptRequest extends CryptoRequestCommon {
  CiphertextBlob: Uint8Array;
  EncryptionContext?: EncryptionContextType;
  KeyId?: string;
  EncryptionAlgorithm?: EncryptionAlgorithmSpec;
  Recipient?: unknown;
}
export interface DecryptResponse {
  KeyId: string;
  Plaintext: Uint8Array;
  EncryptionAlgorithm: EncryptionAlgorithmSpec;
  KeyMaterialId?: string;
}
export interface ReEncryptRequest extends CryptoRequestCommon {
  CiphertextBlob: Uint8Array;
  SourceEncryptionContext?: EncryptionContextType;
  SourceKeyId?: string;
  DestinationKeyId: string;
  DestinationEncryptionContext?: EncryptionContextType;
  SourceEncryptionAlgorithm?: EncryptionAlgorithmSpec;
  DestinationEncryptionAlgorithm?: EncryptionAlgorithmSpec;
}
export interface ReEncryptResponse {
  CiphertextBlob: Uint8Array;
  SourceKeyId: string;
  KeyId: string;
  SourceEncryptionAlgorithm: EncryptionAlgorithmSpec;
  DestinationEncryptionAlgorithm: EncryptionAlgorithmSpec;
  SourceKeyMaterialId?: string;
  DestinationKeyMaterialId?: string;
}
export interface GenerateDataKeyRequest extends CryptoRequestCommon {
  KeyId: string;
  EncryptionContext?: EncryptionContextType;
  NumberOfBytes?: number;
  KeySpec?: 'AES_256' | 'AES_128';
  Recipient?: unknown;
}
export interface GenerateDataKeyResponse {
  CiphertextBlob: Uint8Array;
  Plaintext: Uint8Array;
  KeyId: string;
  KeyMaterialId: string;
}
export type GenerateDataKeyWithoutPlaintextResponse = Omit<GenerateDataKeyResponse, 'Plaintext'>;
export interface GenerateDataKeyPairRequest extends CryptoRequestCommon {
  KeyId: string;
  KeyPairSpec: DataKeyPairSpec;
  EncryptionContext?: EncryptionContextType;
  Recipient?: unknown;
}
export interface GenerateDataKeyPairResponse {
  PrivateKeyCiphertextBlob: Uint8Array;
  PrivateKeyPlaintext: Uint8Array;
  PublicKey: Uint8Array;
  KeyId: string;
  KeyPairSpec: DataKeyPairSpec;
  KeyMaterialId: string;
}
export type GenerateDataKeyPairWithoutPlaintextResponse = Omit<GenerateDataKeyPairResponse, 'PrivateKeyPlaintext'>;
export interface GenerateRandomRequest {
  NumberOfBytes?: number;
  CustomKeyStoreId?: string;
  Recipient?: unknown;
}
export interface GenerateRandomResponse {
  Plaintext: Uint8Array;
}

// --- signatures and MACs ------------------------------------------------------------------------
export interface SignRequest extends CryptoRequestCommon {
  KeyId: string;
  Message: Uint8Array;
  MessageType?: 'RAW' | 'DIGEST' | 'EXTERNAL_MU';
  SigningAlgorithm: SigningAlgorithmSpec;
}
export interface SignResponse {
  KeyId: string;
  Signature: Uint8Array;
  SigningAlgorithm: SigningAlgorithmSpec;
}
export interface VerifyRequest extends SignRequest {
  Signature: Uint8Array;
}
export interface VerifyResponse {
  KeyId: string;
  SignatureValid: boolean;
  SigningAlgorithm: SigningAlgorithmSpec;
}
export interface GetPublicKeyResponse {
  KeyId: string;
  PublicKey: Uint8Array;
  CustomerMasterKeySpec: KeySpec;
  KeySpec: KeySpec;
  KeyUsage: KeyUsage;
  EncryptionAlgorithms?: EncryptionAlgorithmSpec[];
  SigningAlgorithms?: SigningAlgorithmSpec[];
}
export interface GenerateMacRequest extends CryptoRequestCommon {
  KeyId: string;
  Message: Uint8Array;
  MacAlgorithm: MacAlgorithmSpec;
}
export interface GenerateMacResponse {
  Mac: Uint8Array;
  MacAlgorithm: MacAlgorithmSpec;
  KeyId: string;
}
export interface VerifyMacRequest extends GenerateMacRequest {
  Mac: Uint8Array;
}
export interface VerifyMacResponse {
  KeyId: string;
  MacValid: boolean;
  MacAlgorithm: MacAlgorithmSpec;
}

// --- rotation -----------------------------------------------------------------------------------
export interface EnableKeyRotationRequest extends KeyIdRequest {
  RotationPeriodInDays?: number;
}
export interface GetKeyRotationStatusResponse {
  KeyRotationEnabled: boolean;
  KeyId: string;
  RotationPeriodInDays?: number;
  NextRotationDate?: Date;
  OnDemandRotationStartDate?: Date;
}
export interface ListKeyRotationsRequest extends KeyIdRequest, Paged {
  IncludeKeyMaterial?: 'ALL_KEY_MATERIAL' | 'ROTATIONS_ONLY';
}
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
export interface ListKeyRotationsResponse extends PagedResponse {
  Rotations: RotationsListEntry[];
}

// --- imported key material ----------------------------------------------------------------------
export interface GetParametersForImportRequest extends KeyIdRequest {
  WrappingAlgorithm: WrappingAlgorithm;
  WrappingKeySpec: 'RSA_2048' | 'RSA_3072' | 'RSA_4096' | 'SM2';
}
export interface GetParametersForImportResponse {
  KeyId: string;
  ImportToken: Uint8Array;
  PublicKey: Uint8Array;
  ParametersValidTo: Date;
}
export interface ImportKeyMaterialRequest extends KeyIdRequest {
  ImportToken: Uint8Array;
  EncryptedKeyMaterial: Uint8Array;
  ValidTo?: Date;
  ExpirationModel?: 'KEY_MATERIAL_EXPIRES' | 'KEY_MATERIAL_DOES_NOT_EXPIRE';
  ImportType?: 'NEW_KEY_MATERIAL' | 'EXISTING_KEY_MATERIAL';
  KeyMaterialDescription?: string;
  KeyMaterialId?: string;
}
export interface ImportKeyMaterialResponse {
  KeyId: string;
  KeyMaterialId: string;
}
export interface DeleteImportedKeyMaterialRequest extends KeyIdRequest {
  KeyMaterialId?: string;
}
export interface DeleteImportedKeyMaterialResponse {
  KeyId: string;
  KeyMaterialId: string;
}

// --- multi-Region keys --------------------------------------------------------------------------
export interface ReplicateKeyRequest extends KeyIdRequest {
  ReplicaRegion: string;
  Policy?: string;
  BypassPolicyLockoutSafetyCheck?: boolean;
  Description?: string;
  Tags?: Tag[];
}
export interface ReplicateKeyResponse {
  ReplicaKeyMetadata: KeyMetadata;
  ReplicaPolicy: string;
  ReplicaTags: Tag[];
}
export interface UpdatePrimaryRegionRequest extends KeyIdRequest {
  PrimaryRegion: string;
}

// --- key policies -------------------------------------------------------------------------------
export interface GetKeyPolicyRequest extends KeyIdRequest {
  PolicyName?: string;
}
export interface GetKeyPolicyResponse {
  Policy: string;
  PolicyName: string;
}
export interface PutKeyPolicyRequest extends KeyIdRequest {
  PolicyName?: string;
  Policy: string;
  BypassPolicyLockoutSafetyCheck?: boolean;
}
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
export interface GrantConstraints {
  EncryptionContextSubset?: EncryptionContextType;
  EncryptionContextEquals?: EncryptionContextType;
}
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
export interface CreateGrantResponse {
  GrantToken: string;
  GrantId: string;
}
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
export interface ListGrantsRequest extends Paged {
  KeyId: string;
  GrantId?: string;
  GranteePrincipal?: string;
}
export interface ListGrantsResponse extends PagedResponse {
  Grants: GrantListEntry[];
}
export interface ListRetirableGrantsRequest extends Paged {
  RetiringPrincipal: string;
}
export interface RetireGrantRequest {
  GrantToken?: string;
  KeyId?: string;
  GrantId?: string;
  DryRun?: boolean;
}
export interface RevokeGrantRequest {
  KeyId: string;
  GrantId: string;
  DryRun?: boolean;
}
