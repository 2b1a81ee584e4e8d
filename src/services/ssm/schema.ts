/**
 * The IndexedDB schema of Parameter Store's database in one Region
 * (`<kms name>:<account>:<region>:ssm`), typed with idb's DBSchema.
 *
 * | store        | key (`id`)          | value           |
 * | ------------ | ------------------- | --------------- |
 * | `parameters` | the parameter Name  | ParameterRecord |
 *
 * A parameter and its version history are one record, so a new version (and the version it
 * pushes out) is one version-checked write. A SecureString's value is stored only as ciphertext:
 * a KMS ciphertext blob (Standard tier) or an AWS Encryption SDK message (Advanced tier).
 *
 * Upgrades: append a step to MIGRATIONS; never edit one.
 */
import type { DBSchema } from 'idb';
import type { ServiceMigration } from '../storage/indexeddb-store.js';
import type { ParameterType, Tag } from './types.js';

/** One version of a parameter as stored. */
export interface ParameterVersionRecord {
  readonly Version: number;
  readonly Type: ParameterType;
  /** String and StringList values, in the clear. */
  readonly value?: string;
  /** SecureString values: the ciphertext (KMS blob for Standard, ESDK message for Advanced). */
  readonly ciphertext?: Uint8Array<ArrayBuffer>;
  /** SecureString: the key as the caller named it (DescribeParameters' KeyId) and its ARN. */
  readonly KeyId?: string;
  readonly keyArn?: string;
  readonly Tier: 'Standard' | 'Advanced';
  readonly Description?: string;
  readonly AllowedPattern?: string;
  readonly DataType: string;
  readonly Labels: readonly string[];
  readonly LastModifiedDate: number;
  readonly LastModifiedUser: string;
}

/** A parameter with its whole history. */
export interface ParameterRecord {
  /** The parameter Name. */
  readonly id: string;
  readonly version: number;
  readonly Name: string;
  readonly ARN: string;
  readonly Tags: readonly Tag[];
  /** Oldest first; the last is the current version. */
  readonly Versions: readonly ParameterVersionRecord[];
}

/** The typed IndexedDB schema (idb DBSchema). */
export interface SsmDB extends DBSchema {
  parameters: { key: string; value: ParameterRecord };
}

/** The record types by store, for the generic service store. */
export type SsmStores = { parameters: ParameterRecord };

/** `MIGRATIONS[n]` takes the database from version n to n + 1 (append only). */
export const MIGRATIONS: readonly ServiceMigration<SsmDB>[] = [
  // 0 -> 1: the initial layout.
  (db) => {
    db.createObjectStore('parameters', { keyPath: 'id' });
  },
];

/** The schema `openServiceStores` opens this service's databases with. */
export const SCHEMA = { migrations: MIGRATIONS, storeNames: ['parameters'] } as const;
