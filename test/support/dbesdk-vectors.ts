/**
 * Loader for the DB-ESDK decrypt vectors kept beside the project in
 * `<repo>/../shared/vectors/dbesdk/` (see that folder's README.md). Node reads the files; browsers
 * fetch `/__vectors__/dbesdk/<name>.json` from the test server (web-test-runner.config.mjs).
 *
 * The vectors' `plaintext` is the Java runner's loose JSON: a JSON string is S, a JSON number N,
 * and an object with one type member (`{"L": [...]}`, `{"M": {...}}`, `{"NS": [...]}`) is that type,
 * its members loose again. `encrypted` is DynamoDB JSON (binary as base64).
 */
import { HierarchicalKeyring } from '../../src/core/index.js';
import { StaticBranchKeyStore, fromDynamoDbJson, type AttributeValue, type AttributeValueJson, type CryptoAction, type DbeSuiteId, type Item } from '../../src/records/index.js';

export type DbesdkVectorFile = 'decrypt_java_32' | 'decrypt_java_33';

/** What the README says each file holds. */
export const DBESDK_VECTOR_COUNTS: Record<DbesdkVectorFile, number> = { decrypt_java_32: 9, decrypt_java_33: 12 };

/** Facts of the vectors' runner (JsonConfig.dfy), as the README lists them. */
export const VECTOR_TABLE = { tableName: 'GazelleVectorTable', partitionKeyName: 'RecNum' } as const;

export interface DbesdkVector {
  readonly id: string;
  readonly type: 'positive-decrypt' | 'negative-decrypt';
  readonly description: string;
  readonly config: {
    readonly attributeActionsOnEncrypt: Record<string, CryptoAction>;
    readonly allowedUnsignedAttributes?: string[];
    readonly algorithmSuiteId?: DbeSuiteId;
  };
  readonly plaintext: Item;
  readonly encrypted: Item;
}

const SUITES: Record<string, DbeSuiteId> = {
  ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY_SYMSIG_HMAC_SHA384: 0x6700,
  ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384_SYMSIG_HMAC_SHA384: 0x6701,
};

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p !== 'undefined' && !!p.versions?.node;
}

async function readJson(name: string): Promise<unknown> {
  if (isNode()) {
    const fsModule = 'node:fs/promises';
    const fs = (await import(/* @vite-ignore */ fsModule)) as { readFile(path: URL, encoding: 'utf8'): Promise<string> };
    return JSON.parse(await fs.readFile(new URL(`../../../shared/vectors/dbesdk/${name}.json`, import.meta.url), 'utf8'));
  }
  const res = await fetch(`/__vectors__/dbesdk/${name}.json`);
  if (!res.ok) throw new Error(`cannot fetch /__vectors__/dbesdk/${name}.json: HTTP ${res.status}`);
  return res.json();
}

const TYPED = new Set(['S', 'N', 'B', 'BOOL', 'NULL', 'M', 'L', 'SS', 'NS', 'BS']);

/** A value of the loose plaintext JSON as an AttributeValue. */
export function looseToAttribute(value: unknown): AttributeValue {
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number') return { N: String(value) };
  if (typeof value === 'boolean') return { BOOL: value };
  if (value === null) return { NULL: true };
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1 && TYPED.has(entries[0]![0])) {
    const [type, member] = entries[0]!;
    if (type === 'M') return { M: Object.fromEntries(Object.entries(member as Record<string, unknown>).map(([k, v]) => [k, looseToAttribute(v)])) };
    if (type === 'L') return { L: (member as unknown[]).map(looseToAttribute) };
    return fromDynamoDbJson({ [type]: member } as AttributeValueJson);
  }
  throw new Error(`unexpected plaintext value ${JSON.stringify(value)}`);
}

/** The tests of one vector file, in file order. */
export async function loadDbesdkVectors(file: DbesdkVectorFile): Promise<DbesdkVector[]> {
  const doc = (await readJson(file)) as { manifest: { type: string }; tests: Record<string, Record<string, unknown>> };
  if (doc.manifest.type !== 'aws-dbesdk-decrypt') throw new Error(`${file}: not a DB-ESDK decrypt manifest`);
  return Object.entries(doc.tests).map(([id, t]) => {
    const config = t.config as { attributeActionsOnEncrypt: Record<string, CryptoAction>; allowedUnsignedAttributes?: string[]; algorithmSuiteId?: string };
    return {
      id,
      type: t.type as DbesdkVector['type'],
      description: t.description as string,
      config: { ...config, algorithmSuiteId: config.algorithmSuiteId === undefined ? undefined : SUITES[config.algorithmSuiteId] },
      plaintext: Object.fromEntries(Object.entries(t.plaintext as Record<string, unknown>).map(([k, v]) => [k, looseToAttribute(v)])),
      encrypted: Object.fromEntries(Object.entries(t.encrypted as Record<string, AttributeValueJson>).map(([k, v]) => [k, fromDynamoDbJson(v)])),
    };
  });
}

function base64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/** The static branch key of keys.json as a key store, and the hierarchical keyring over it. */
export async function vectorKeyring(): Promise<{ keyStore: StaticBranchKeyStore; keyring: HierarchicalKeyring; branchKeyId: string }> {
  const doc = (await readJson('keys')) as { keys: Record<string, { 'key-id': string; branchKeyVersion: string; branchKey: string; beaconKey: string }> };
  const key = doc.keys['static-branch-key-1']!;
  const keyStore = await StaticBranchKeyStore.create({
    branchKeyId: key['key-id'],
    branchKeyVersion: key.branchKeyVersion,
    branchKey: base64(key.branchKey),
    beaconKey: base64(key.beaconKey),
  });
  return { keyStore, keyring: new HierarchicalKeyring({ keyStore, branchKeyId: key['key-id'], ttlSeconds: 600 }), branchKeyId: key['key-id'] };
}
