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
  type BeaconKeySource,
} from '../src/records/index.js';
import { parseKmsKeyArn, type Keyring } from '../src/core/index.js';
import { DEFAULT_BRANCH_KEY_TTL_SECONDS } from '../src/client/protocol.js';
import { TABLE_NAME, tableDatabaseName, type KitTableConfig, type KitTableQuery, type WireTableRequest, type WireTableTarget } from '../src/client/tables/protocol.js';
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
 * `beacons` index; `meta`, the branch key the table created on its first write (key `branchKeyId`).
 */
interface TableDB extends DBSchema {
  items: { key: IDBValidKey; value: StoredItem; indexes: { beacons: string } };
  meta: { key: 'branchKeyId'; value: string };
}

/** What the tables need of the worker's KMS: a client per region and the default region. */
export interface TableKms {
  readonly regionClient: (region: string) => { describeKey(r: { KeyId: string }): Promise<{ KeyMetadata: { Arn: string } }>; createKey(r: { Description?: string }): Promise<{ KeyMetadata: { Arn: string } }> };
  readonly defaultRegion: string;
}

const BEACON_TERM_SEPARATOR = '\u0000';

interface OpenTable {
  readonly name: string;
  readonly config: KitTableConfig;
  readonly configJson: string;
  readonly keyNames: readonly string[];
  readonly db: IDBPDatabase<TableDB>;
  /** Undefined until the table has a branch key: nothing was written yet, so there is nothing to read. */
  encryptor: ItemEncryptor | undefined;
  /** Checks the configuration (and beacon names) before the table has a branch key. */
  readonly shape: ItemEncryptor;
  creating?: Promise<ItemEncryptor>;
}

/** Stands in for the keyring while a table has no branch key; never asked (reads of an empty table stop first). */
const NO_KEY_YET = {
  onEncrypt: () => Promise.reject(new Error('the table has no branch key yet')),
  onDecrypt: () => Promise.reject(new Error('the table has no branch key yet')),
};

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
  readonly #kms: TableKms;
  readonly #open = new Map<string, Promise<OpenTable>>();

  constructor(kitName: string, branchKeys: KitBranchKeys, kms: TableKms) {
    this.#kitName = kitName;
    this.#branchKeys = branchKeys;
    this.#kms = kms;
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
      case 'scan': {
        const reader = table.encryptor;
        return reader ? Promise.all((await table.db.getAll('items')).map(async (s) => (await reader.decryptItem(s.item)).plaintextItem)) : [];
      }
      case 'export':
        return (await table.db.getAll('items')).map((s) => Object.fromEntries(Object.entries(s.item).map(([k, v]) => [k, toDynamoDbJson(v)])) as Record<string, AttributeValueJson>);
      case 'count':
        return table.db.count('items');
      case 'clear':
        return table.db.clear('items');
      default:
        throw new TypeError(`table request op must be put, get, delete, query, scan, export, count or clear, not ${JSON.stringify((request as { op?: unknown })?.op)}`);
    }
  }

  async #put(table: OpenTable, items: readonly ItemInput[]): Promise<number> {
    if (!Array.isArray(items)) throw new TypeError('put: items must be an array of items');
    const writer = await this.#writer(table);
    // All crypto first: an IndexedDB transaction commits as soon as it waits on anything else.
    const records = await Promise.all(
      items.map(async (item) => {
        const { encryptedItem } = await writer.encryptItem(item);
        return { key: storageKey(encryptedItem, table.keyNames, 'put'), value: { item: encryptedItem, beacons: beaconTerms(encryptedItem) } };
      }),
    );
    const tx = table.db.transaction('items', 'readwrite');
    await Promise.all([...records.map((r) => tx.store.put(r.value, r.key)), tx.done]);
    return records.length;
  }

  async #get(table: OpenTable, keys: readonly ItemInput[]): Promise<(Record<string, AttributeValue> | undefined)[]> {
    if (!Array.isArray(keys)) throw new TypeError('get: keys must be an array of keys');
    const ids = keys.map((k) => storageKey(k as Item, table.keyNames, 'get'));
    const reader = table.encryptor;
    if (!reader) return ids.map(() => undefined);
    const tx = table.db.transaction('items', 'readonly');
    const [stored] = await Promise.all([Promise.all(ids.map((id) => tx.store.get(id))), tx.done]);
    return Promise.all(stored.map(async (s) => (s ? (await reader.decryptItem(s.item)).plaintextItem : undefined)));
  }

  async #delete(table: OpenTable, keys: readonly ItemInput[]): Promise<number> {
    if (!Array.isArray(keys)) throw new TypeError('delete: keys must be an array of keys');
    const ids = keys.map((k) => storageKey(k as Item, table.keyNames, 'delete'));
    const tx = table.db.transaction('items', 'readwrite');
    await Promise.all([...ids.map((id) => tx.store.delete(id)), tx.done]);
    return ids.length;
  }

  async #query(table: OpenTable, query: KitTableQuery): Promise<Record<string, AttributeValue>[]> {
    const conditions = Object.entries(query?.beacon ?? {});
    if (conditions.length === 0) throw new TypeError('query: query.beacon must name at least one beacon and its value, e.g. { beacon: { title: "Hello" } }');
    for (const [name] of conditions) {
      if (!table.shape.beaconNames.includes(name)) throw new ItemEncryptorError(ItemErrorCode.BEACON_ERROR, `query: no beacon named ${JSON.stringify(name)}; configured: ${table.shape.beaconNames.join(', ') || 'none'}`);
    }
    const reader = table.encryptor;
    if (!reader) return [];
    const terms = await Promise.all(conditions.map(async ([name, value]) => name + BEACON_TERM_SEPARATOR + (await reader.beacon(name, value))));
    const candidates = await table.db.getAllFromIndex('items', 'beacons', terms[0]!);
    const found: Record<string, AttributeValue>[] = [];
    await Promise.all(
      candidates
        .filter((c) => terms.every((t) => c.beacons.includes(t)))
        .map(async (candidate) => {
          const { plaintextItem } = await reader.decryptItem(candidate.item);
          // truncated beacons collide: only the items that really have the values are answers
          for (const [name, value] of conditions) if (!(await reader.beaconMatches(name, value, plaintextItem))) return;
          found.push(plaintextItem);
        }),
    );
    return found;
  }

  #table(target: WireTableTarget): Promise<OpenTable> {
    const { table, config } = target ?? ({} as WireTableTarget);
    if (typeof table !== 'string' || !TABLE_NAME.test(table)) throw new TypeError('table name must be 1 to 128 letters, digits, "-", "_" or "."');
    if (config === null || typeof config !== 'object') throw new TypeError('kit.table config must be an object');
    const configJson = JSON.stringify(config);
    const known = this.#open.get(table);
    const opening = (async (): Promise<OpenTable> => {
      const previous = await known?.catch(() => undefined);
      if (previous && previous.configJson === configJson) return previous;
      // the configuration is checked (and fails) before anything is opened or created
      const shape = this.#encryptorWith(table, config, NO_KEY_YET, undefined);
      const db =
        previous?.db ??
        (await openDB<TableDB>(tableDatabaseName(this.#kitName, table), 1, {
          upgrade(database) {
            database.createObjectStore('items').createIndex('beacons', 'beacons', { multiEntry: true });
            database.createObjectStore('meta');
          },
        }));
      const branchKeyId = config.branchKeyId ?? (await db.get('meta', 'branchKeyId'));
      const encryptor = branchKeyId === undefined ? undefined : await this.#encryptor(table, config, branchKeyId);
      const keyNames = config.sortKeyName === undefined ? [config.partitionKeyName] : [config.partitionKeyName, config.sortKeyName];
      return { name: table, config, configJson, keyNames, db, encryptor, shape };
    })();
    // a failed configuration is not remembered: the next call with a good one opens the table
    this.#open.set(table, opening);
    opening.catch(() => {
      if (this.#open.get(table) === opening) this.#open.delete(table);
    });
    return opening;
  }

  /**
   * The encryptor that writes: the table's own, or, on its first write, one under a branch key made
   * now (under `config.keyId`, or a new KMS key of the default region) and remembered in `meta`.
   */
  #writer(table: OpenTable): Promise<ItemEncryptor> {
    if (table.encryptor) return Promise.resolve(table.encryptor);
    table.creating ??= (async () => {
      const { regionClient, defaultRegion } = this.#kms;
      const keyId = table.config.keyId;
      const region = (keyId === undefined ? undefined : parseKmsKeyArn(keyId)?.region) ?? defaultRegion;
      // the branch key store is bound to a key ARN (never an alias): resolve or create one
      const { KeyMetadata } = keyId === undefined ? await regionClient(region).createKey({ Description: `envelope-kit table ${table.name}` }) : await regionClient(region).describeKey({ KeyId: keyId });
      const branchKeyId = await this.#branchKeys.create(KeyMetadata.Arn);
      await table.db.put('meta', branchKeyId, 'branchKeyId');
      table.encryptor = await this.#encryptor(table.name, table.config, branchKeyId);
      return table.encryptor;
    })();
    table.creating.catch(() => (table.creating = undefined));
    return table.creating;
  }

  async #encryptor(table: string, config: KitTableConfig, branchKeyId: string): Promise<ItemEncryptor> {
    const ttlSeconds = config.ttlSeconds ?? DEFAULT_BRANCH_KEY_TTL_SECONDS;
    const keyring = await this.#branchKeys.keyring(branchKeyId, ttlSeconds);
    const keyStore = config.beacons ? await this.#branchKeys.beaconKeySource(branchKeyId) : undefined;
    return this.#encryptorWith(table, config, keyring, keyStore && { keyStore, branchKeyId, ttlSeconds });
  }

  #encryptorWith(table: string, config: KitTableConfig, keyring: Keyring, beaconKeys: { keyStore: BeaconKeySource; branchKeyId: string; ttlSeconds: number } | undefined): ItemEncryptor {
    if (config.branchKeyId !== undefined && (typeof config.branchKeyId !== 'string' || config.branchKeyId.length === 0)) throw new TypeError('kit.table config.branchKeyId must be a branch key id (kit.createBranchKey)');
    if (config.keyId !== undefined && (typeof config.keyId !== 'string' || config.keyId.length === 0)) throw new TypeError('kit.table config.keyId must be a KMS key id, ARN or alias');
    const search = config.beacons
      ? {
          writeVersion: 1 as const,
          versions: [
            {
              version: 1 as const,
              keyStore: beaconKeys?.keyStore ?? { getBeaconKey: () => Promise.reject(new Error('the table has no branch key yet')) },
              keySource: { single: { keyIdentifier: beaconKeys?.branchKeyId ?? 'none yet', cacheTTL: beaconKeys?.ttlSeconds ?? 0 } },
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
    await Promise.all(open.map((t) => t.then((table) => table.db.close(), () => undefined)));
  }
}
