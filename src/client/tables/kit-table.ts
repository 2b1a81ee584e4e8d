/**
 * The page side of an encrypted table (`kit.table(name, config)`): every call is one round trip to
 * the worker, which encrypts and decrypts with the table's branch key. The page holds plaintext
 * items it put or asked for, never a key.
 */
import { ItemEncryptorError, type AttributeValue, type AttributeValueJson, type ItemInput, type ItemErrorCode } from '../../records/index.js';
import { TABLE_NAME, type KitTableConfig, type KitTableQuery, type WireTableRequest } from './protocol.js';

/** Sends one table request (the kit's `run` around its remote `table` method). */
export type TableTransport = (request: WireTableRequest) => Promise<unknown>;

/** An item as `get`, `query` and `scan` return it: plaintext, numbers normalized, sets sorted. */
export type TableItem = Record<string, AttributeValue>;

/** Errors from the worker's item encryptor arrive as plain Errors named ItemEncryptorError: give them their class back. */
function rebuild(error: unknown): unknown {
  const e = error as { name?: unknown; code?: unknown; message?: unknown };
  if (e?.name === 'ItemEncryptorError' && typeof e.code === 'string') return new ItemEncryptorError(e.code as ItemErrorCode, String(e.message), { cause: error });
  return error;
}

/**
 * One encrypted table of a kit, in IndexedDB. Items are DynamoDB AttributeValue maps; `key`
 * arguments hold the partition key (and sort key) attributes.
 *
 * @example
 * ```ts
 * const branchKeyId = await kit.createBranchKey({ keyId: 'alias/notes' });
 * const notes = kit.table('notes', {
 *   partitionKeyName: 'id',
 *   attributeActionsOnEncrypt: { id: 'SIGN_ONLY', title: 'ENCRYPT_AND_SIGN', body: 'ENCRYPT_AND_SIGN' },
 *   branchKeyId,
 *   beacons: { standardBeacons: [{ name: 'title', length: 16 }] },
 * });
 * await notes.put({ id: { S: '1' }, title: { S: 'Groceries' }, body: { S: 'milk' } });
 * const [found] = await notes.query({ beacon: { title: 'Groceries' } });
 * ```
 */
export class KitTable {
  readonly name: string;
  readonly config: KitTableConfig;
  readonly #send: TableTransport;

  constructor(name: string, config: KitTableConfig, send: TableTransport) {
    if (typeof name !== 'string' || !TABLE_NAME.test(name)) throw new TypeError('kit.table: name must be 1 to 128 letters, digits, "-", "_" or "."');
    if (config === null || typeof config !== 'object') throw new TypeError('kit.table: config must be an object { partitionKeyName, attributeActionsOnEncrypt, branchKeyId }');
    this.name = name;
    // a structured-clone-safe copy: later changes to the caller's object do not reach the table
    this.config = structuredClone(config);
    this.#send = send;
  }

  async #call<T>(request: WireTableRequest): Promise<T> {
    try {
      return (await this.#send(request)) as T;
    } catch (error) {
      throw rebuild(error);
    }
  }

  /** Encrypts and stores one item (replacing the item with the same key). */
  async put(item: ItemInput): Promise<void> {
    await this.#call({ op: 'put', items: [item] });
  }

  /** Encrypts and stores many items in one round trip and one transaction. */
  async putMany(items: readonly ItemInput[]): Promise<number> {
    return this.#call({ op: 'put', items });
  }

  /** The decrypted item with this key, or undefined. */
  async get(key: ItemInput): Promise<TableItem | undefined> {
    return (await this.#call<(TableItem | undefined)[]>({ op: 'get', keys: [key] }))[0];
  }

  /** The decrypted items of these keys, in order (undefined where there is none). */
  async getMany(keys: readonly ItemInput[]): Promise<(TableItem | undefined)[]> {
    return this.#call({ op: 'get', keys });
  }

  /** Deletes the item with this key (no error when there is none). */
  async delete(key: ItemInput): Promise<void> {
    await this.#call({ op: 'delete', keys: [key] });
  }

  /** Deletes many items in one transaction. */
  async deleteMany(keys: readonly ItemInput[]): Promise<number> {
    return this.#call({ op: 'delete', keys });
  }

  /**
   * The items whose beacons equal the given plaintext values: read through the beacon index,
   * decrypted, and checked against the values (truncated beacons collide).
   */
  async query(query: KitTableQuery): Promise<TableItem[]> {
    return this.#call({ op: 'query', query });
  }

  /** Every item, decrypted. */
  async scan(): Promise<TableItem[]> {
    return this.#call({ op: 'scan' });
  }

  /** The number of stored items. */
  async count(): Promise<number> {
    return this.#call({ op: 'count' });
  }

  /** Deletes every item. */
  async clear(): Promise<void> {
    await this.#call({ op: 'clear' });
  }

  /**
   * Every item as stored (encrypted, with aws_dbe_head, aws_dbe_foot and beacons) in DynamoDB
   * JSON: ready for `PutItem`/`BatchWriteItem` on a real table whose DB-ESDK client has the same
   * configuration and keys.
   */
  async export(): Promise<Record<string, AttributeValueJson>[]> {
    return this.#call({ op: 'export' });
  }
}
