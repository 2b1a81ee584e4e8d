/**
 * The IndexedDB schema of Secrets Manager's database in one Region
 * (`<kms name>:<account>:<region>:secretsmanager`), typed with idb's DBSchema.
 *
 * | store     | key (`id`)       | value        |
 * | --------- | ---------------- | ------------ |
 * | `secrets` | the secret Name  | SecretRecord |
 *
 * A secret and all its versions are one record, so every change to a secret (a new version and the
 * labels it moves) is one version-checked write. Values are stored sealed ({@link SealedValue}):
 * AES-256-GCM under a data key that only the KMS can decrypt; nothing here is plaintext.
 *
 * Upgrades: append a step to MIGRATIONS; never edit one.
 */
import type { DBSchema } from 'idb';
import type { ServiceMigration } from '../storage/indexeddb-store.js';
import type { RotationRulesType, StatusType, Tag } from './types.js';

/** A data key wrapped by one KMS key (GenerateDataKey's CiphertextBlob, or its re-encryption under a new key). */
export interface WrappedDataKey {
  /** The KMS key ARN. */
  readonly KeyArn: string;
  readonly CiphertextBlob: Uint8Array<ArrayBuffer>;
}

/** A secret value, sealed ("How AWS Secrets Manager uses AWS KMS": a 256-bit data key per version). */
export interface SealedValue {
  readonly type: 'string' | 'binary';
  readonly iv: Uint8Array<ArrayBuffer>;
  /** AES-256-GCM ciphertext and tag; AAD binds the secret ARN and version id. */
  readonly ciphertext: Uint8Array<ArrayBuffer>;
  /** Newest first: UpdateSecret with a new KmsKeyId adds a wrap under the new key and keeps the old. */
  readonly dataKeys: readonly WrappedDataKey[];
}

/** One version of a secret as stored. */
export interface VersionRecord {
  readonly VersionId: string;
  readonly Stages: readonly string[];
  readonly CreatedDate: number;
  readonly LastAccessedDate?: number;
  /** Absent for the AWSPENDING version RotateSecret creates before the rotation function fills it. */
  readonly value?: SealedValue;
}

/** A replica as its primary records it. */
export interface ReplicaRecord {
  readonly Region: string;
  readonly KmsKeyId?: string;
  readonly Status: StatusType;
  readonly StatusMessage?: string;
}

/** A secret's rotation configuration and history. */
export interface RotationRecord {
  readonly Enabled: boolean;
  readonly LambdaARN?: string;
  readonly Rules?: RotationRulesType;
  readonly LastRotatedDate?: number;
  readonly NextRotationDate?: number;
}

/** A secret with all its versions: one record, one version-checked write per change. */
export interface SecretRecord {
  /** The secret's Name (unique in the Region). */
  readonly id: string;
  readonly version: number;
  readonly ARN: string;
  readonly Name: string;
  readonly Description?: string;
  /** As the caller gave it; absent for the AWS managed key aws/secretsmanager. */
  readonly KmsKeyId?: string;
  readonly Tags: readonly Tag[];
  readonly CreatedDate: number;
  readonly LastChangedDate: number;
  readonly LastAccessedDate?: number;
  /** DeleteSecret: when it was asked, and when the secret goes for good. */
  readonly deletion?: { readonly DeletedDate: number; readonly DeletionDate: number };
  readonly rotation?: RotationRecord;
  readonly ResourcePolicy?: string;
  /** This Region for a primary secret; the primary's for a replica. */
  readonly PrimaryRegion: string;
  /** Kept on the primary: its replicas and their status. */
  readonly Replicas: readonly ReplicaRecord[];
  /** Oldest first. */
  readonly Versions: readonly VersionRecord[];
}

/** The typed IndexedDB schema (idb DBSchema). */
export interface SecretsManagerDB extends DBSchema {
  secrets: { key: string; value: SecretRecord };
}

/** The record types by store, for the generic service store. */
export type SecretsManagerStores = { secrets: SecretRecord };

/** `MIGRATIONS[n]` takes the database from version n to n + 1 (append only). */
export const MIGRATIONS: readonly ServiceMigration<SecretsManagerDB>[] = [
  // 0 -> 1: the initial layout.
  (db) => {
    db.createObjectStore('secrets', { keyPath: 'id' });
  },
];

/** The schema `openServiceStores` opens this service's databases with. */
export const SCHEMA = { migrations: MIGRATIONS, storeNames: ['secrets'] } as const;
