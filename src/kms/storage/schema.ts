/**
 * The IndexedDB schema of one region's database, typed with idb's DBSchema, and its migrations.
 *
 * Database name: `<name>:<account>:<region>` (kms.ts). Object stores:
 *
 * | store     | key                 | value          | indexes                 |
 * | --------- | ------------------- | -------------- | ----------------------- |
 * | `meta`    | `'root'`            | RootKeys       |                         |
 * | `keys`    | KeyId               | KeyRecord      |                         |
 * | `aliases` | AliasName           | AliasRecord    | `byTarget` TargetKeyId  |
 * | `imports` | import token id     | ImportRecord   | `byKey` KeyId           |
 * | `grants`  | GrantId             | GrantRecord    | `byKey` KeyId           | (version 2)
 *
 * Records are stored as they are (records.ts): CryptoKeys (the root keys, import private keys)
 * go through the structured clone, which keeps them non-extractable.
 *
 * Upgrades: `MIGRATIONS[n]` takes a database from version n to n + 1; opening at version
 * `SCHEMA_VERSION` runs every step the stored database has not had yet, in order, inside the one
 * versionchange transaction, so a crash mid-upgrade leaves the old version intact. A future change
 * appends a step (never edits an old one) and reads/rewrites records through `transaction`.
 */
import type { DBSchema, IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';
import type { AliasRecord, GrantRecord, ImportRecord, KeyRecord, RootKeys } from './records.js';

export interface KmsRegionDB extends DBSchema {
  meta: { key: 'root'; value: RootKeys };
  keys: { key: string; value: KeyRecord };
  aliases: { key: string; value: AliasRecord; indexes: { byTarget: string } };
  imports: { key: string; value: ImportRecord; indexes: { byKey: string } };
  grants: { key: string; value: GrantRecord; indexes: { byKey: string } };
}

type Migration = (
  db: IDBPDatabase<KmsRegionDB>,
  transaction: IDBPTransaction<KmsRegionDB, StoreNames<KmsRegionDB>[], 'versionchange'>,
) => void;

export const MIGRATIONS: readonly Migration[] = [
  // 0 -> 1: the initial layout.
  (db) => {
    db.createObjectStore('meta');
    db.createObjectStore('keys', { keyPath: 'KeyId' });
    db.createObjectStore('aliases', { keyPath: 'AliasName' }).createIndex('byTarget', 'TargetKeyId');
    db.createObjectStore('imports', { keyPath: 'tokenId' }).createIndex('byKey', 'KeyId');
  },
  // 1 -> 2: grants (issue 4). Existing keys simply have none.
  (db) => {
    db.createObjectStore('grants', { keyPath: 'GrantId' }).createIndex('byKey', 'KeyId');
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** idb's `upgrade` callback: runs the missing migrations in order. */
export function upgrade(
  db: IDBPDatabase<KmsRegionDB>,
  oldVersion: number,
  transaction: IDBPTransaction<KmsRegionDB, StoreNames<KmsRegionDB>[], 'versionchange'>,
): void {
  for (let v = oldVersion; v < SCHEMA_VERSION; v++) MIGRATIONS[v]!(db, transaction);
}
