/**
 * `createItemEncryptor`: the DB-ESDK's DynamoDB item encryptor
 * (spec: dynamodb-encryption-client/ddb-item-encryptor.md), with optional searchable beacons.
 */
import type { AttributeValue, Item, ItemInput } from './attribute-values.js';
import { type TableEncryptionOptions, checkTableConfig } from './config.js';
import { type ParsedHeader, decryptItem, encryptItem } from './structured-encryption.js';
import { type SearchConfig, Beacons } from './beacons.js';

/** Options of {@link createItemEncryptor}: the table configuration and, optionally, beacons. */
export interface ItemEncryptorOptions extends TableEncryptionOptions {
  /** Searchable encryption, as the DB-ESDK's SearchConfig. */
  readonly search?: SearchConfig;
}

/** What {@link ItemEncryptor.encryptItem} returns. */
export interface EncryptItemOutput {
  /** The item as stored: encrypted attributes as B, plus `aws_dbe_head`, `aws_dbe_foot` and `aws_dbe_b_*` beacons. */
  readonly encryptedItem: Record<string, AttributeValue>;
  readonly parsedHeader: ParsedHeader;
}

/** What {@link ItemEncryptor.decryptItem} returns. */
export interface DecryptItemOutput {
  /** The item as written, numbers normalized and sets sorted as DynamoDB returns them. */
  readonly plaintextItem: Record<string, AttributeValue>;
  readonly parsedHeader: ParsedHeader;
}

/** Encrypts and decrypts the items of one table. */
export interface ItemEncryptor {
  readonly tableName: string;
  readonly partitionKeyName: string;
  readonly sortKeyName?: string;
  /** Encrypts and signs an item; adds its beacons when `search` is configured. */
  encryptItem(item: ItemInput): Promise<EncryptItemOutput>;
  /** Verifies and decrypts an item; throws ItemEncryptorError with a code on any failure. */
  decryptItem(encryptedItem: ItemInput): Promise<DecryptItemOutput>;
  /**
   * The value to query beacon `name` with: the standard beacon of `value` (a string, or an
   * AttributeValue), or a compound beacon's query string (`'T-2024.Z-12345'`) with each encrypted
   * part's plaintext replaced by its beacon.
   */
  beacon(name: string, value: string | AttributeValue): Promise<string>;
  /**
   * Whether a decrypted item really has `value` for beacon `name`. Beacons are truncated, so an
   * equality query on a beacon also returns other values' items: check each candidate with this.
   */
  beaconMatches(name: string, value: string | AttributeValue, plaintextItem: Item): Promise<boolean>;
  /** The names of the configured beacons (standard, then compound). */
  readonly beaconNames: readonly string[];
}

/**
 * Creates an item encryptor for one table.
 *
 * @example
 * ```ts
 * const encryptor = createItemEncryptor({
 *   tableName: 'Notes', partitionKeyName: 'id',
 *   attributeActionsOnEncrypt: { id: 'SIGN_ONLY', title: 'ENCRYPT_AND_SIGN', body: 'ENCRYPT_AND_SIGN' },
 *   keyring, // e.g. a HierarchicalKeyring
 * });
 * const { encryptedItem } = await encryptor.encryptItem({ id: { S: 'n1' }, title: { S: 'Hi' }, body: { S: '...' } });
 * const { plaintextItem } = await encryptor.decryptItem(encryptedItem);
 * ```
 */
export function createItemEncryptor(options: ItemEncryptorOptions): ItemEncryptor {
  const config = checkTableConfig(options);
  const beacons = options.search === undefined ? undefined : new Beacons(options.search, config);
  return Object.freeze({
    tableName: config.tableName,
    partitionKeyName: config.partitionKeyName,
    sortKeyName: config.sortKeyName,
    beaconNames: beacons?.names ?? [],
    async encryptItem(input: ItemInput): Promise<EncryptItemOutput> {
      // An $unknown member is refused by the serialization, before anything is encrypted.
      const item = input as Item;
      const output = await encryptItem(config, item);
      if (beacons) Object.assign(output.encryptedItem, await beacons.attributesFor(item));
      return output;
    },
    decryptItem(encryptedItem: ItemInput): Promise<DecryptItemOutput> {
      return decryptItem(config, encryptedItem as Item);
    },
    async beacon(name: string, value: string | AttributeValue): Promise<string> {
      if (!beacons) throw new TypeError('encryptor.beacon: this encryptor has no search configuration');
      return beacons.queryValue(name, value);
    },
    async beaconMatches(name: string, value: string | AttributeValue, plaintextItem: Item): Promise<boolean> {
      if (!beacons) throw new TypeError('encryptor.beaconMatches: this encryptor has no search configuration');
      return beacons.matches(name, value, plaintextItem);
    },
  });
}
