/**
 * Branch key store records and the KMS encryption contexts that bind them
 * (spec: framework/branch-key-store.md, "Record Format", "Encryption Context").
 *
 * A record is the DynamoDB item of the specification, attribute for attribute, so a store can be
 * exported to (or imported from) a real AWS key store table unchanged:
 *
 * | attribute | ACTIVE | version | beacon |
 * | --- | --- | --- | --- |
 * | `branch-key-id` | id | id | id |
 * | `type` | `branch:ACTIVE` | `branch:version:<uuid>` | `beacon:ACTIVE` |
 * | `version` | `branch:version:<uuid>` | absent | absent |
 * | `enc` | KMS ciphertext | KMS ciphertext | KMS ciphertext |
 * | `kms-arn`, `create-time`, `hierarchy-version` (number 1) | yes | yes | yes |
 * | `aws-crypto-ec:<key>` | custom context | same | same |
 *
 * The KMS encryption context of a record is every attribute but `enc` (numbers as decimal strings)
 * plus `tablename` = the logical key store name, which is how the logical name is bound to every key
 * without being stored.
 */
import type { EncryptionContext } from './types.js';
import { BranchKeyStoreError, BranchKeyStoreErrorCode } from './branch-key-store-errors.js';

export const BRANCH_KEY_ID_FIELD = 'branch-key-id';
export const TYPE_FIELD = 'type';
export const VERSION_FIELD = 'version';
export const ENC_FIELD = 'enc';
export const KMS_ARN_FIELD = 'kms-arn';
export const CREATE_TIME_FIELD = 'create-time';
export const HIERARCHY_VERSION_FIELD = 'hierarchy-version';
/** Not stored: only in the KMS encryption context (spec: "Encryption Context"). */
export const TABLE_NAME_FIELD = 'tablename';
export const CUSTOM_CONTEXT_PREFIX = 'aws-crypto-ec:';
/** The `type` of a branch key's ACTIVE record (spec: branch-key-store.md, "Record Format"). */
export const ACTIVE_TYPE = 'branch:ACTIVE';
export const BEACON_TYPE = 'beacon:ACTIVE';
export const VERSION_TYPE_PREFIX = 'branch:version:';
/** The record format version (a DynamoDB Number in the specification's table). */
export const HIERARCHY_VERSION = 1;

/** One stored record: the specification's DynamoDB item. */
export interface BranchKeyRecord {
  readonly 'branch-key-id': string;
  readonly type: string;
  /** ACTIVE records only: `branch:version:<uuid>` of the active version. */
  readonly version?: string;
  /** The branch (or beacon) key wrapped by KMS under this record's encryption context. */
  readonly enc: Uint8Array;
  readonly 'kms-arn': string;
  readonly 'create-time': string;
  readonly 'hierarchy-version': number;
  /** The custom encryption context, each key prefixed with `aws-crypto-ec:`. */
  readonly [custom: `aws-crypto-ec:${string}`]: string;
}

const KNOWN_FIELDS = new Set([BRANCH_KEY_ID_FIELD, TYPE_FIELD, VERSION_FIELD, ENC_FIELD, KMS_ARN_FIELD, CREATE_TIME_FIELD, HIERARCHY_VERSION_FIELD]);

function invalid(message: string): BranchKeyStoreError {
  return new BranchKeyStoreError(BranchKeyStoreErrorCode.RECORD_INVALID, message);
}

/**
 * Checks that a value read from storage has the record format (spec: "Record Format"). Anything else
 * is refused before KMS is asked: storage is outside the trust boundary, KMS is the judge. Throws
 * BranchKeyStoreError with a code naming what is wrong, and `where` in the message.
 *
 * @example
 * ```ts
 * const record = checkBranchKeyRecord(await storage.get(branchKeyId, BRANCH_KEY_ACTIVE_TYPE), `branch key ${branchKeyId}`);
 * ```
 */
export function checkRecord(value: unknown, where: string): BranchKeyRecord {
  if (value === null || typeof value !== 'object') throw invalid(`the stored record for ${where} is not an object`);
  const item = value as Record<string, unknown>;
  for (const field of [BRANCH_KEY_ID_FIELD, TYPE_FIELD, KMS_ARN_FIELD, CREATE_TIME_FIELD]) {
    if (typeof item[field] !== 'string' || item[field] === '') throw invalid(`the stored record for ${where} has no string "${field}"`);
  }
  if (!(item[ENC_FIELD] instanceof Uint8Array) || item[ENC_FIELD].length === 0) throw invalid(`the stored record for ${where} has no "enc" bytes`);
  if (typeof item[HIERARCHY_VERSION_FIELD] !== 'number') throw invalid(`the stored record for ${where} has no numeric "hierarchy-version"`);
  const type = item[TYPE_FIELD] as string;
  if (type === ACTIVE_TYPE) {
    const version = item[VERSION_FIELD];
    if (typeof version !== 'string' || !version.startsWith(VERSION_TYPE_PREFIX) || version === VERSION_TYPE_PREFIX) {
      throw invalid(`the stored ACTIVE record for ${where} has no "version" of the form branch:version:<version>`);
    }
  } else if (VERSION_FIELD in item) {
    throw invalid(`the stored ${type} record for ${where} has a "version" attribute, which only ACTIVE records have`);
  }
  for (const [key, field] of Object.entries(item)) {
    if (KNOWN_FIELDS.has(key)) continue;
    // The encryption context is built from every attribute, so an extra one cannot slip past KMS;
    // refusing non-string ones keeps the context a string map.
    if (typeof field !== 'string') throw invalid(`the stored record for ${where} has a non-string attribute ${JSON.stringify(key)}`);
    if (key === TABLE_NAME_FIELD) throw invalid(`the stored record for ${where} has a "tablename" attribute; the logical key store name is never stored`);
  }
  return item as unknown as BranchKeyRecord;
}

/**
 * The KMS encryption context of a record: every attribute except `enc`, plus `tablename`
 * (spec: "Encryption Context": "Any additionally attributes on the DynamoDB item MUST be added").
 *
 * @example
 * ```ts
 * await kms.reEncrypt({ CiphertextBlob: record.enc, SourceEncryptionContext: branchKeyRecordContext(record, 'old-store'), ... });
 * ```
 */
export function recordContext(record: BranchKeyRecord, logicalKeyStoreName: string): EncryptionContext {
  const context: EncryptionContext = {};
  for (const [key, value] of Object.entries(record)) {
    if (key === ENC_FIELD) continue;
    context[key] = typeof value === 'number' ? String(value) : (value as string);
  }
  context[TABLE_NAME_FIELD] = logicalKeyStoreName;
  return context;
}

/** What every context of one branch key shares (spec: "Encryption Context"). */
export interface ContextBase {
  readonly branchKeyId: string;
  readonly createTime: string;
  readonly kmsArn: string;
  readonly logicalKeyStoreName: string;
  /** The custom context, unprefixed. */
  readonly custom: EncryptionContext;
}

function sharedContext(base: ContextBase, type: string): EncryptionContext {
  const context: EncryptionContext = {
    [BRANCH_KEY_ID_FIELD]: base.branchKeyId,
    [TYPE_FIELD]: type,
    [CREATE_TIME_FIELD]: base.createTime,
    [TABLE_NAME_FIELD]: base.logicalKeyStoreName,
    [KMS_ARN_FIELD]: base.kmsArn,
    [HIERARCHY_VERSION_FIELD]: String(HIERARCHY_VERSION),
  };
  for (const [key, value] of Object.entries(base.custom)) context[CUSTOM_CONTEXT_PREFIX + key] = value;
  return context;
}

/** DECRYPT_ONLY context: `type` = `branch:version:<version>`, no `version` attribute. */
export function decryptOnlyContext(base: ContextBase, version: string): EncryptionContext {
  return sharedContext(base, VERSION_TYPE_PREFIX + version);
}

/** ACTIVE context: `type` = `branch:ACTIVE`, `version` = `branch:version:<version>`. */
export function activeContext(base: ContextBase, version: string): EncryptionContext {
  return { ...sharedContext(base, ACTIVE_TYPE), [VERSION_FIELD]: VERSION_TYPE_PREFIX + version };
}

/** Beacon key context: `type` = `beacon:ACTIVE`, no `version` attribute. */
export function beaconContext(base: ContextBase): EncryptionContext {
  return sharedContext(base, BEACON_TYPE);
}

/** The record for a context and its KMS ciphertext: the context minus `tablename`. */
export function recordFromContext(context: EncryptionContext, enc: Uint8Array): BranchKeyRecord {
  const item: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(context)) {
    if (key === TABLE_NAME_FIELD) continue;
    item[key] = key === HIERARCHY_VERSION_FIELD ? Number(value) : value;
  }
  item[ENC_FIELD] = new Uint8Array(enc);
  return item as unknown as BranchKeyRecord;
}

/**
 * The branch key version a record holds (spec: "Branch Key Materials From Authenticated Encryption
 * Context"): from `version` on ACTIVE records, from `type` on version records.
 */
export function recordVersion(record: BranchKeyRecord): string {
  const tagged = record.type === ACTIVE_TYPE ? record.version! : record.type;
  return tagged.slice(VERSION_TYPE_PREFIX.length);
}

/** The custom context of a record, unprefixed (spec: "Custom Encryption Context From ..."). */
export function customContext(record: BranchKeyRecord): EncryptionContext {
  const custom: EncryptionContext = {};
  for (const [key, value] of Object.entries(record)) {
    if (key.startsWith(CUSTOM_CONTEXT_PREFIX)) custom[key.slice(CUSTOM_CONTEXT_PREFIX.length)] = value as string;
  }
  return custom;
}

/**
 * ISO 8601 in UTC "to microsecond precision" (spec: "Branch Key and Beacon Key Creation"). The
 * clock has milliseconds, so the last three digits are zero.
 */
export function createTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/Z$/, '000Z');
}
