/**
 * The kit's encrypted tables (`kit.table(name, config)`): DynamoDB items encrypted attribute by
 * attribute with the DB-ESDK item format (envelope-kit/records) under the hierarchical keyring of
 * the table's branch key, stored in IndexedDB, one database per table. Beacons are written into
 * a multi-entry index (`<beacon name> NUL <beacon value>`), so an equality query reads only the
 * candidates; truncation collisions are filtered after decryption. Runs in the worker: the page
 * sends and receives plaintext items, never a key or a beacon key.
 *
 * Stored record: the encrypted item exactly as the DB-ESDK writes it (aws_dbe_head, aws_dbe_foot,
 * aws_dbe_b_* included), so `export` hands out items ready for a real DynamoDB table.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import {
  BEACON_ATTRIBUTE_PREFIX,
  createItemEncryptor,
  serializeAttribute,
  deserializeAttribute,
  toDynamoDbJson,
  ItemEncryptorError,
  ItemErrorCode,
  type AttributeValue,
  type AttributeValueJson,
  type Item,
  type ItemInput,
  type ItemEncryptor,
} from '../src/records/index.js';
import { DEFAULT_BRANCH_KEY_TTL_SECONDS } from '../src/protocol.js';
import { TABLE_NAME, tableDatabaseName, type KitTableConfig, type KitTableQuery, type WireTableRequest, type WireTableTarget } from '../src/tables/protocol.js';
import type { KitBranchKeys } from './kit-branch-keys.js';

/** One stored item: the encrypted item and its beacon terms (the index's entries). */
interface StoredItem {
  readonly item: Record<string, AttributeValue>;
  /** `name \0 value` per beacon of the item. */
  readonly beacons: string[];
}

/**
 * A table's database. Version 1: `items`, out-of-line keys built from the item's key attributes
 * (type tag and value per key attribute, so S "1" and N "1" differ), and the multi-entry
 * `beacons` index.
 */
interface TableDB extends DBSchema {
  items: { key: IDBValidKey; value: StoredItem; indexes: { beacons: string } };
}

const BEACON_TERM_SEPARATOR = '\u0000';

interface OpenTable {
  readonly configJson: string;
  readonly encryptor: ItemEncryptor;
  readonly keyNames: readonly string[];
  readonly db: Promise<IDBPDatabase<TableDB>>;
}

function invalidItem(message: string): ItemEncryptorError {
  return new ItemEncryptorError(ItemErrorCode.INVALID_ITEM, message);
}

/** The IndexedDB key of an item from its key attributes (S, N or B, as DynamoDB allows). */
function storageKey(item: Item, keyNames: readonly string[], operation: string): IDBValidKey {
  if (item === null || typeof item !== 'object') throw new TypeError(`${operation}: a key must be an object of key attribute names to AttributeValues`);
  const key: (string | ArrayBuffer)[] = [];
  for (const name of keyNames) {
    const value = item[name];
    if (value === undefined) throw invalidItem(`${operation}: the key has no attribute ${JSON.stringify(name)}`);
    const { typeId, value: bytes } = serializeAttribute(value, `key attribute ${JSON.stringify(name)}`);
    // normalized through the serialization, so { N: '1.0' } and { N: '1' } name the same item
    const normalized = deserializeAttribute(typeId, bytes) as { S?: string; N?: string; B?: Uint8Array };
    if (normalized.S !== undefined) key.push('S', normalized.S);
    else if (normalized.N !== undefined) key.push('N', normalized.N);
    else if (normalized.B !== undefined) key.push('B', normalized.B.slice().buffer);
    else throw invalidItem(`${operation}: key attribute ${JSON.stringify(name)} must be S, N or B`);
  }
  return key;
}

function beaconTerms(encrypted: Record<string, AttributeValue>): string[] {
  const terms: string[] = [];
  for (const [name, value] of Object.entries(encrypted)) {
    if (name.startsWith(BEACON_ATTRIBUTE_PREFIX) && 'S' in value) terms.push(name.slice(BEACON_ATTRIBUTE_PREFIX.length) + BEACON_TERM_SEPARATOR + value.S);
  }
  return terms;
}

/** The kit's tables, one encryptor and one database connection per table name. */
export class KitTables {
  readonly #kitName: string;
  readonly #branchKeys: KitBranchKeys;
  readonly #open = new Map<string, Promise<OpenTable>>();

  constructor(kitName: string, branchKeys: KitBranchKeys) {
    this.#kitName = kitName;
    this.#branchKeys = branchKeys;
  }

  /** Runs one request on one table. */
  async handle(target: WireTableTarget, request: WireTableRequest): Promise<unknown> {
    const table = await this.#table(target);
    switch (request?.op) {
      case 'put':
        return this.#put(table, request.items);
      case 'get':
        return this.#get(table, request.keys);
      case 'delete':
        return this.#delete(table, request.keys);
      case 'query':
        return this.#query(table, request.query);
      case 'scan':
        return Promise.all((await (await table.db).getAll('items')).map(async (s) => (await table.encryptor.decryptItem(s.item)).plaintextItem));
      case 'export':
        return (await (await table.db).getAll('items')).map((s) => Object.fromEntries(Object.entries(s.item).map(([k, v]) => [k, toDynamoDbJson(v)])) as Record<string, AttributeValueJson>);
      case 'count':
        return (await table.db).count('items');
      case 'clear':
        return (await table.db).clear('items');
      default:
        throw new TypeError(`table request op must be put, get, delete, query, scan, export, count or clear, not ${JSON.stringify((request as { op?: unknown })?.op)}`);
    }
  }

  async #put(table: OpenTable, items: readonly ItemInput[]): Promise<number> {
    if (!Array.isArray(items)) throw new TypeError('put: items must be an array of items');
    // All crypto first: an IndexedDB transaction commits as soon as it waits on anything else.
    const records = await Promise.all(
      items.map(async (item) => {
        const { encryptedItem } = await table.encryptor.encryptItem(item);
        return { key: storageKey(encryptedItem, table.keyNames, 'put'), value: { item: encryptedItem, beacons: beaconTerms(encryptedItem) } };
      }),
    );
    const tx = (await table.db).transaction('items', 'readwrite');
    await Promise.all([...records.map((r) => tx.store.put(r.value, r.key)), tx.done]);
    return records.length;
  }

  async #get(table: OpenTable, keys: readonly ItemInput[]): Promise<(Record<string, AttributeValue> | undefined)[]> {
    if (!Array.isArray(keys)) throw new TypeError('get: keys must be an array of keys');
    const ids = keys.map((k) => storageKey(k as Item, table.keyNames, 'get'));
    const tx = (await table.db).transaction('items', 'readonly');
    const [stored] = await Promise.all([Promise.all(ids.map((id) => tx.store.get(id))), tx.done]);
    return Promise.all(stored.map(async (s) => (s ? (await table.encryptor.decryptItem(s.item)).plaintextItem : undefined)));
  }

  async #delete(table: OpenTable, keys: readonly ItemInput[]): Promise<number> {
    if (!Array.isArray(keys)) throw new TypeError('delete: keys must be an array of keys');
    const ids = keys.map((k) => storageKey(k as Item, table.keyNames, 'delete'));
    const tx = (await table.db).transaction('items', 'readwrite');
    await Promise.all([...ids.map((id) => tx.store.delete(id)), tx.done]);
    return ids.length;
  }

  async #query(table: OpenTable, query: KitTableQuery): Promise<Record<string, AttributeValue>[]> {
    const conditions = Object.entries(query?.beacon ?? {});
    if (conditions.length === 0) throw new TypeError('query: query.beacon must name at least one beacon and its value, e.g. { beacon: { title: "Hello" } }');
    const terms = await Promise.all(conditions.map(async ([name, value]) => name + BEACON_TERM_SEPARATOR + (await table.encryptor.beacon(name, value))));
    const candidates = await (await table.db).getAllFromIndex('items', 'beacons', terms[0]!);
    const found: Record<string, AttributeValue>[] = [];
    await Promise.all(
      candidates
        .filter((c) => terms.every((t) => c.beacons.includes(t)))
        .map(async (candidate) => {
          const { plaintextItem } = await table.encryptor.decryptItem(candidate.item);
          // truncated beacons collide: only the items that really have the values are answers
          for (const [name, value] of conditions) if (!(await table.encryptor.beaconMatches(name, value, plaintextItem))) return;
          found.push(plaintextItem);
        }),
    );
    return found;
  }

  #table(target: WireTableTarget): Promise<OpenTable> {
    const { table, config } = target ?? ({} as WireTableTarget);
    if (typeof table !== 'string' || !TABLE_NAME.test(table)) throw new TypeError('table name must be 1 to 128 letters, digits, "-", "_" or "."');
    const configJson = JSON.stringify(config);
    const known = this.#open.get(table);
    const opening = (async (): Promise<OpenTable> => {
      const previous = await known?.catch(() => undefined);
      if (previous && previous.configJson === configJson) return previous;
      const encryptor = await this.#encryptor(table, config);
      const db = previous?.db ?? openDB<TableDB>(tableDatabaseName(this.#kitName, table), 1, {
        upgrade(database) {
          database.createObjectStore('items').createIndex('beacons', 'beacons', { multiEntry: true });
        },
      });
      return { configJson, encryptor, db, keyNames: config.sortKeyName === undefined ? [config.partitionKeyName] : [config.partitionKeyName, config.sortKeyName] };
    })();
    // a failed configuration is not remembered: the next call with a good one opens the table
    this.#open.set(table, opening);
    opening.catch(() => {
      if (this.#open.get(table) === opening) this.#open.delete(table);
    });
    return opening;
  }

  async #encryptor(table: string, config: KitTableConfig): Promise<ItemEncryptor> {
    if (config === null || typeof config !== 'object') throw new TypeError('kit.table config must be an object');
    if (typeof config.branchKeyId !== 'string' || config.branchKeyId.length === 0) throw new TypeError('kit.table config.branchKeyId must be a branch key id (kit.createBranchKey)');
    const ttlSeconds = config.ttlSeconds ?? DEFAULT_BRANCH_KEY_TTL_SECONDS;
    const keyring = await this.#branchKeys.keyring(config.branchKeyId, ttlSeconds);
    const search = config.beacons
      ? {
          writeVersion: 1 as const,
          versions: [
            {
              version: 1 as const,
              keyStore: await this.#branchKeys.beaconKeySource(config.branchKeyId),
              keySource: { single: { keyIdentifier: config.branchKeyId, cacheTTL: ttlSeconds } },
              standardBeacons: config.beacons.standardBeacons,
              compoundBeacons: config.beacons.compoundBeacons,
            },
          ],
        }
      : undefined;
    return createItemEncryptor({
      tableName: table,
      partitionKeyName: config.partitionKeyName,
      sortKeyName: config.sortKeyName,
      attributeActionsOnEncrypt: config.attributeActionsOnEncrypt,
      allowedUnsignedAttributes: config.allowedUnsignedAttributes,
      allowedUnsignedAttributePrefix: config.allowedUnsignedAttributePrefix,
      algorithmSuiteId: config.algorithmSuiteId,
      keyring,
      search,
    });
  }

  /** Closes every table's connection (the kit is closing). */
  async close(): Promise<void> {
    const open = [...this.#open.values()];
    this.#open.clear();
    await Promise.all(open.map((t) => t.then((table) => table.db).then((db) => db.close(), () => undefined)));
  }
}
