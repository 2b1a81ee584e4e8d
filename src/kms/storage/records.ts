/**
 * What one region stores: key records, alias records, import parameters and the region's root keys.
 * These are the persisted shapes (the IndexedDB schema in storage/schema.ts stores them as they are):
 * plain data plus CryptoKeys, dates as epoch milliseconds. Key material appears only wrapped under
 * the region's root keys ({@link WrappedMaterial}); public keys are stored in the clear.
 *
 * Every record carries a `version` that each write increments; a write names the version it read
 * and the store refuses it if another tab wrote in between (optimistic concurrency).
 */
import type { KeySpec, KeyUsage, OriginType } from '../keys/specs.js';
import type { Tag } from '../types.js';

/** A key material version, wrapped under the region's root (key-material.ts says how). */
export interface WrappedMaterial {
  /** `AES-KW`: RFC 3394 under the root wrap key (raw material of a multiple of 8 bytes). */
  /** `AES-GCM`: sealed under the root seal key with the material's identity as AAD. */
  readonly alg: 'AES-KW' | 'AES-GCM';
  readonly format: 'raw' | 'pkcs8';
  readonly iv?: Uint8Array<ArrayBuffer>;
  readonly bytes: Uint8Array<ArrayBuffer>;
}

export interface MaterialRecord {
  /** KeyMaterialId: 64 hex digits, the same in every region of a multi-Region key. */
  readonly id: string;
  readonly createdAt: number;
  /** Absent for the key's first material. */
  readonly rotationType?: 'AUTOMATIC' | 'ON_DEMAND';
  readonly wrapped: WrappedMaterial;
}

export interface MultiRegionRecord {
  readonly role: 'PRIMARY' | 'REPLICA';
  readonly primaryRegion: string;
  /** Kept on the primary only: the regions that hold a replica. */
  readonly replicaRegions: readonly string[];
}

export interface KeyRecord {
  readonly version: number;
  readonly KeyId: string;
  readonly region: string;
  readonly CreationDate: number;
  /** The enabled flag EnableKey/DisableKey set; the key state is derived (key-states.ts). */
  readonly enabled: boolean;
  readonly Description: string;
  readonly KeyUsage: KeyUsage;
  readonly KeySpec: KeySpec;
  readonly Origin: OriginType;
  readonly multiRegion?: MultiRegionRecord;
  readonly policy: string;
  readonly tags: readonly Tag[];
  readonly deletion?: {
    readonly scheduledAt: number;
    readonly windowDays: number;
    /** Undefined while a primary waits for its replicas (PendingReplicaDeletion). */
    readonly deletionDate?: number;
  };
  /** Creating (a new replica) or Updating (UpdatePrimaryRegion) until `until` by the injected clock. */
  readonly transition?: { readonly state: 'Creating' | 'Updating'; readonly until: number };
  readonly rotation: {
    readonly enabled: boolean;
    readonly periodDays: number;
    readonly nextRotation?: number;
    readonly onDemandCount: number;
  };
  /** Oldest first. Empty for a key awaiting imported material. */
  readonly materials: readonly MaterialRecord[];
  readonly currentMaterialId?: string;
  /** EXTERNAL keys: the id of the one material this key may ever hold, and its expiry. */
  readonly imported?: {
    readonly materialId?: string;
    readonly expirationModel?: 'KEY_MATERIAL_EXPIRES' | 'KEY_MATERIAL_DOES_NOT_EXPIRE';
    readonly validTo?: number;
  };
  /** SubjectPublicKeyInfo DER of an asymmetric key. */
  readonly publicKey?: Uint8Array<ArrayBuffer>;
  /** Simulated custom key store disconnected: the key reports Unavailable. */
  readonly unavailable?: boolean;
  /** An AWS managed key (`alias/aws/<service>`, aws-managed-keys.ts): KeyManager AWS. */
  readonly awsManaged?: { readonly service: string };
}

export interface AliasRecord {
  readonly version: number;
  readonly AliasName: string;
  readonly TargetKeyId: string;
  readonly CreationDate: number;
  readonly LastUpdatedDate: number;
}

/**
 * A grant (API reference, GrantListEntry): stored per region beside its key, deleted with it.
 * Constraint maps are kept as given; the grant token is not stored (every CreateGrant returns a
 * fresh one, and any token naming the grant is accepted: grants.ts).
 */
export interface GrantRecord {
  readonly version: number;
  readonly GrantId: string;
  readonly KeyId: string;
  readonly Name?: string;
  readonly CreationDate: number;
  readonly GranteePrincipal: string;
  readonly RetiringPrincipal?: string;
  readonly IssuingAccount: string;
  readonly Operations: readonly string[];
  readonly Constraints?: {
    readonly EncryptionContextEquals?: Readonly<Record<string, string>>;
    readonly EncryptionContextSubset?: Readonly<Record<string, string>>;
  };
}

/** The private half of a GetParametersForImport wrapping key pair, until the token expires. */
export interface ImportRecord {
  readonly version: number;
  readonly tokenId: string;
  readonly KeyId: string;
  readonly wrappingAlgorithm: string;
  readonly privateKey: CryptoKey;
  readonly validTo: number;
}

/** A region's root: non-extractable, never leave the store except as opaque CryptoKeys. */
export interface RootKeys {
  /** AES-256 for AES-KW (RFC 3394), usages wrapKey/unwrapKey. */
  readonly wrap: CryptoKey;
  /** AES-256-GCM, usages wrapKey/unwrapKey/encrypt/decrypt: variable-length material and HMAC-224. */
  readonly seal: CryptoKey;
  readonly createdAt: number;
}
