/**
 * The item encryptor's table configuration and its checks
 * (spec: dynamodb-encryption-client/ddb-table-encryption-config.md).
 */
import type { Keyring } from '../core/types.js';
import type { CryptoAction } from './header.js';
import { ItemErrorCode, itemError } from './errors.js';

/**
 * The two DB-ESDK algorithm suites (MPL algorithm-suites.md, "DBE" suites).
 *
 * @example
 * ```ts
 * createItemEncryptor({ ...options, algorithmSuiteId: DbeAlgorithmSuiteId.ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY_SYMSIG_HMAC_SHA384 });
 * ```
 */
export const DbeAlgorithmSuiteId = {
  /** AES-256-GCM, HKDF-SHA-512, key commitment, HMAC-SHA-384 recipient tags; no ECDSA. */
  ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY_SYMSIG_HMAC_SHA384: 0x6700,
  /** The same plus an ECDSA P-384 signature: the default. */
  ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384_SYMSIG_HMAC_SHA384: 0x6701,
} as const;

/** 0x6700 or 0x6701. */
export type DbeSuiteId = (typeof DbeAlgorithmSuiteId)[keyof typeof DbeAlgorithmSuiteId];

/** The options of `createItemEncryptor`, named as the DB-ESDK's DynamoDbItemEncryptorConfig. */
export interface TableEncryptionOptions {
  /** The logical table name: bound into every attribute's canonical path and the context. */
  readonly tableName: string;
  readonly partitionKeyName: string;
  readonly sortKeyName?: string;
  /** The action of every attribute an item may have. Key attributes must be signed. */
  readonly attributeActionsOnEncrypt: { readonly [attribute: string]: CryptoAction };
  /** Attributes that are neither signed nor encrypted (their action must be DO_NOTHING). */
  readonly allowedUnsignedAttributes?: readonly string[];
  /** Attributes starting with this prefix are neither signed nor encrypted. */
  readonly allowedUnsignedAttributePrefix?: string;
  /** Any keyring of the core; the hierarchical keyring above all. */
  readonly keyring: Keyring;
  /** 0x6701 (signed, the default) or 0x6700; the DB-ESDK's enum names are accepted too. */
  readonly algorithmSuiteId?: DbeSuiteId | keyof typeof DbeAlgorithmSuiteId;
}

/** The checked configuration. */
export interface TableConfig {
  readonly tableName: string;
  readonly partitionKeyName: string;
  readonly sortKeyName?: string;
  readonly actions: ReadonlyMap<string, CryptoAction>;
  readonly unsigned: ReadonlySet<string>;
  readonly unsignedPrefix?: string;
  readonly keyring: Keyring;
  readonly suiteId: DbeSuiteId;
  /** 2 when any action is SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT ("Configuration Version"). */
  readonly version: 1 | 2;
}

const ACTIONS: readonly CryptoAction[] = ['ENCRYPT_AND_SIGN', 'SIGN_ONLY', 'SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT', 'DO_NOTHING'];
/** Attributes the format reserves for itself ("Writable": anything starting with `aws_dbe_`). */
export const RESERVED_ATTRIBUTE_PREFIX = 'aws_dbe_';

function configError(message: string): never {
  throw itemError(ItemErrorCode.INVALID_CONFIG, `createItemEncryptor: ${message}`);
}

function nonEmpty(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length === 0) configError(`options.${name} must be a non-empty string`);
  return value;
}

/** Checks the options once, at construction (house style: one place validates). */
export function checkTableConfig(options: TableEncryptionOptions): TableConfig {
  if (options === null || typeof options !== 'object') configError('options must be an object');
  const tableName = nonEmpty(options.tableName, 'tableName');
  const partitionKeyName = nonEmpty(options.partitionKeyName, 'partitionKeyName');
  const sortKeyName = options.sortKeyName === undefined ? undefined : nonEmpty(options.sortKeyName, 'sortKeyName');
  const { keyring } = options;
  if (keyring === null || typeof keyring !== 'object' || typeof keyring.onEncrypt !== 'function' || typeof keyring.onDecrypt !== 'function') {
    configError('options.keyring must be a keyring of envelope-kit/core (onEncrypt, onDecrypt)');
  }
  const suite = options.algorithmSuiteId ?? DbeAlgorithmSuiteId.ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384_SYMSIG_HMAC_SHA384;
  // the DB-ESDK's configurations (and its test vectors) name suites by enum
  const suiteId = typeof suite === 'string' && Object.hasOwn(DbeAlgorithmSuiteId, suite) ? DbeAlgorithmSuiteId[suite] : suite;
  if (suiteId !== 0x6700 && suiteId !== 0x6701) {
    throw itemError(ItemErrorCode.UNSUPPORTED_SUITE, 'createItemEncryptor: options.algorithmSuiteId must be 0x6700 or 0x6701 (the DB-ESDK suites)');
  }
  const given = options.attributeActionsOnEncrypt;
  if (given === null || typeof given !== 'object') configError('options.attributeActionsOnEncrypt must be an object of attribute names to actions');
  const actions = new Map<string, CryptoAction>();
  for (const [name, action] of Object.entries(given)) {
    if (!ACTIONS.includes(action)) configError(`options.attributeActionsOnEncrypt[${JSON.stringify(name)}] must be one of ${ACTIONS.join(', ')}`);
    if (name.startsWith(RESERVED_ATTRIBUTE_PREFIX)) configError(`attribute ${JSON.stringify(name)} starts with the reserved prefix aws_dbe_`);
    actions.set(name, action);
  }
  const unsignedList = options.allowedUnsignedAttributes ?? [];
  if (!Array.isArray(unsignedList) || unsignedList.some((n) => typeof n !== 'string')) configError('options.allowedUnsignedAttributes must be an array of attribute names');
  const unsigned = new Set<string>(unsignedList);
  const unsignedPrefix = options.allowedUnsignedAttributePrefix;
  if (unsignedPrefix !== undefined && (typeof unsignedPrefix !== 'string' || unsignedPrefix.length === 0)) configError('options.allowedUnsignedAttributePrefix must be a non-empty string');
  const isUnsigned = (name: string): boolean => unsigned.has(name) || (unsignedPrefix !== undefined && name.startsWith(unsignedPrefix));
  const version = [...actions.values()].includes('SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT') ? 2 : 1;
  for (const [name, action] of actions) {
    // spec ddb-table-encryption-config.md: DO_NOTHING exactly for the unauthenticated attributes
    if (action === 'DO_NOTHING' && !isUnsigned(name)) {
      configError(`attribute ${JSON.stringify(name)} is DO_NOTHING but is not in allowedUnsignedAttributes and does not start with allowedUnsignedAttributePrefix`);
    }
    if (action !== 'DO_NOTHING' && isUnsigned(name)) configError(`attribute ${JSON.stringify(name)} is ${action} but is also allowed unsigned`);
  }
  for (const key of [partitionKeyName, sortKeyName]) {
    if (key === undefined) continue;
    const action = actions.get(key);
    // "Key Action": SIGN_ONLY, or SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT in a version 2 configuration
    const expected = version === 2 ? 'SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT' : 'SIGN_ONLY';
    if (action !== expected) configError(`key attribute ${JSON.stringify(key)} must be ${expected}${version === 2 ? ' (another attribute is SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT)' : ''}, not ${action ?? 'unconfigured'}`);
  }
  return Object.freeze({ tableName, partitionKeyName, sortKeyName, actions, unsigned, unsignedPrefix, keyring, suiteId, version });
}

/** Whether `name` is outside the signature scope on decrypt ("Signature Scope"). */
export function isUnsignedAttribute(config: TableConfig, name: string): boolean {
  return config.unsigned.has(name) || (config.unsignedPrefix !== undefined && name.startsWith(config.unsignedPrefix));
}
