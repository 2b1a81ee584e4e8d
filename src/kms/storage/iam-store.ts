/**
 * Storage of the account's IAM inline policies (iam.ts). IAM is global: one store per account, shared
 * by every region, so it is its own IndexedDB database, `<name>:<account>:iam`, rather than a store
 * in one region's database (a region could be dropped from a Kms's list; the account's IAM cannot).
 *
 * | store      | key                               | value           | indexes                   |
 * | ---------- | --------------------------------- | --------------- | ------------------------- |
 * | `policies` | `<kind>/<entity>/<PolicyName>`    | IamPolicyRecord | `byEntity` `<kind>/<entity>` |
 *
 * Each put or delete is one request, so one transaction; there is nothing to keep consistent
 * between records.
 */
import { deleteDB, type DBSchema, type IDBPDatabase } from 'idb';
import { argumentError } from '../../core/arguments.js';
import { openUnblocked } from './blocked-open.js';

export type IamEntityKind = 'user' | 'role';

export interface IamPolicyRecord {
  readonly id: string;
  readonly entityKey: string;
  readonly kind: IamEntityKind;
  /** UserName or RoleName. */
  readonly entity: string;
  readonly PolicyName: string;
  readonly PolicyDocument: string;
}

export interface IamStore {
  get(kind: IamEntityKind, entity: string, policyName: string): Promise<IamPolicyRecord | undefined>;
  /** The entity's policies, by PolicyName. */
  list(kind: IamEntityKind, entity: string): Promise<IamPolicyRecord[]>;
  put(record: IamPolicyRecord): Promise<void>;
  /** Every policy of every user and role (key-store backup). */
  all(): Promise<IamPolicyRecord[]>;
  /** Replaces every policy at once (key-store restore). */
  replace(records: readonly IamPolicyRecord[]): Promise<void>;
  /** False when there was no such policy. */
  delete(kind: IamEntityKind, entity: string, policyName: string): Promise<boolean>;
  close(): void;
}

export const entityKey = (kind: IamEntityKind, entity: string) => `${kind}/${entity}`;
export const policyId = (kind: IamEntityKind, entity: string, policyName: string) => `${kind}/${entity}/${policyName}`;
const byName = (a: IamPolicyRecord, b: IamPolicyRecord) => (a.PolicyName < b.PolicyName ? -1 : a.PolicyName > b.PolicyName ? 1 : 0);

interface IamDB extends DBSchema {
  policies: { key: string; value: IamPolicyRecord; indexes: { byEntity: string } };
}

const IAM_SCHEMA_VERSION = 1;

/** The IndexedDB database name of an account's IAM store. */
export const iamDatabaseName = (name: string, account: string) => `${name}:${account}:iam`;

export class IndexedDbIamStore implements IamStore {
  readonly #db: IDBPDatabase<IamDB>;

  private constructor(db: IDBPDatabase<IamDB>) {
    this.#db = db;
  }

  static async open(databaseName: string): Promise<IndexedDbIamStore> {
    if (typeof indexedDB === 'undefined') {
      throw argumentError('storage', "'indexeddb' needs IndexedDB (a page or a worker); use storage: 'memory' in Node");
    }
    // Not openDB: an upgrade another tab blocks must fail with a clear error, not hang (blocked-open.ts).
    const db = await openUnblocked<IamDB>(databaseName, IAM_SCHEMA_VERSION, {
      upgrade: (database, oldVersion) => {
        // 0 -> 1: the initial layout. Later versions append steps here, as storage/schema.ts does.
        if (oldVersion < 1) database.createObjectStore('policies', { keyPath: 'id' }).createIndex('byEntity', 'entityKey');
      },
      blocking: () => db.close(),
    });
    return new IndexedDbIamStore(db);
  }

  static delete(databaseName: string): Promise<void> {
    return deleteDB(databaseName);
  }

  get(kind: IamEntityKind, entity: string, policyName: string) {
    return this.#db.get('policies', policyId(kind, entity, policyName));
  }
  async list(kind: IamEntityKind, entity: string) {
    return (await this.#db.getAllFromIndex('policies', 'byEntity', entityKey(kind, entity))).sort(byName);
  }
  async put(record: IamPolicyRecord) {
    await this.#db.put('policies', record);
  }
  async all() {
    return this.#db.getAll('policies');
  }
  async replace(records: readonly IamPolicyRecord[]) {
    const tx = this.#db.transaction('policies', 'readwrite', { durability: 'strict' });
    await Promise.all([tx.store.clear(), ...records.map((r) => tx.store.put(r)), tx.done]);
  }
  async delete(kind: IamEntityKind, entity: string, policyName: string) {
    const tx = this.#db.transaction('policies', 'readwrite');
    const id = policyId(kind, entity, policyName);
    const found = (await tx.store.getKey(id)) !== undefined;
    if (found) await tx.store.delete(id);
    await tx.done;
    return found;
  }
  close(): void {
    this.#db.close();
  }
}

const shared = new Map<string, Map<string, IamPolicyRecord>>();

/** Memory storage for Node and tests; stores of the same name share their data, as IndexedDB does. */
export class MemoryIamStore implements IamStore {
  readonly #table: Map<string, IamPolicyRecord>;

  constructor(databaseName: string) {
    let table = shared.get(databaseName);
    if (!table) shared.set(databaseName, (table = new Map()));
    this.#table = table;
  }

  /** Forgets every memory IAM store whose name starts with `prefix` (tests). */
  static forget(prefix: string): void {
    for (const name of [...shared.keys()]) if (name.startsWith(prefix)) shared.delete(name);
  }

  async get(kind: IamEntityKind, entity: string, policyName: string) {
    const record = this.#table.get(policyId(kind, entity, policyName));
    return record && { ...record };
  }
  async list(kind: IamEntityKind, entity: string) {
    const key = entityKey(kind, entity);
    return [...this.#table.values()].filter((r) => r.entityKey === key).map((r) => ({ ...r })).sort(byName);
  }
  async put(record: IamPolicyRecord) {
    this.#table.set(record.id, { ...record });
  }
  async all() {
    return [...this.#table.values()].map((r) => ({ ...r }));
  }
  async replace(records: readonly IamPolicyRecord[]) {
    this.#table.clear();
    for (const r of records) this.#table.set(r.id, { ...r });
  }
  async delete(kind: IamEntityKind, entity: string, policyName: string) {
    return this.#table.delete(policyId(kind, entity, policyName));
  }
  close(): void {}
}
