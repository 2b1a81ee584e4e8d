/**
 * What crosses between the page and the worker for encrypted tables (`kit.table`). Items cross as
 * DynamoDB AttributeValue maps, structured-cloned (Uint8Arrays included); keys and beacon values
 * never leave the worker, and neither does a plaintext item the page did not ask for.
 */
import type { AttributeValue, CompoundBeaconConfig, CryptoAction, DbeSuiteId, ItemInput, StandardBeaconConfig } from '../../records/index.js';

/** The configuration of one encrypted table, as `kit.table(name, config)` takes it. */
export interface KitTableConfig {
  readonly partitionKeyName: string;
  readonly sortKeyName?: string;
  /** The action of every attribute, as `createItemEncryptor` takes it; key attributes must be signed. */
  readonly attributeActionsOnEncrypt: { readonly [attribute: string]: CryptoAction };
  readonly allowedUnsignedAttributes?: readonly string[];
  readonly allowedUnsignedAttributePrefix?: string;
  /**
   * The branch key (from `kit.createBranchKey`) whose hierarchical keyring wraps every item's data
   * key. Without it the table makes its own on its first write, under `keyId` (or under a new KMS
   * key of the kit's first region), and remembers it in its database.
   */
  readonly branchKeyId?: string;
  /** The KMS key (id, ARN or alias) for the branch key the table makes when `branchKeyId` is not given. */
  readonly keyId?: string;
  /** How long the worker may use fetched branch key materials; default the kit's branch key TTL. */
  readonly ttlSeconds?: number;
  /** 0x6701 (signed, default) or 0x6700 (faster: no ECDSA per item). */
  readonly algorithmSuiteId?: DbeSuiteId;
  /**
   * Searchable beacons under the branch key's beacon key (written beside it by the kit's branch key
   * store): the `standardBeacons` and `compoundBeacons` of the DB-ESDK's beacon version.
   */
  readonly beacons?: {
    readonly standardBeacons: readonly StandardBeaconConfig[];
    readonly compoundBeacons?: readonly CompoundBeaconConfig[];
  };
}

/** An equality query on beacons: every named beacon must have the given plaintext value. */
export interface KitTableQuery {
  readonly beacon: { readonly [beaconName: string]: string | AttributeValue };
}

/** One request to the worker's table endpoint. */
export type WireTableRequest =
  | { readonly op: 'put'; readonly items: readonly ItemInput[] }
  | { readonly op: 'get'; readonly keys: readonly ItemInput[] }
  | { readonly op: 'delete'; readonly keys: readonly ItemInput[] }
  | { readonly op: 'query'; readonly query: KitTableQuery }
  | { readonly op: 'scan' }
  | { readonly op: 'export' }
  | { readonly op: 'count' }
  | { readonly op: 'clear' };

/** The table a request is for. */
export interface WireTableTarget {
  readonly table: string;
  readonly config: KitTableConfig;
}

/** Table names become database names: letters, digits, `-`, `_`, `.`, 1 to 128 characters. */
export const TABLE_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

/**
 * The IndexedDB database of one table of one kit: under the kit's prefix, so closing the kit waits
 * for it like for the KMS's databases.
 *
 * @example
 * ```ts
 * tableDatabaseName('my-app', 'notes'); // 'my-app:table:notes'
 * ```
 */
export function tableDatabaseName(kitName: string, table: string): string {
  return `${kitName}:table:${table}`;
}
