/**
 * Loader for the AWS Encryption SDK decrypt test vectors kept beside the project in
 * `<repo>/../shared/vectors/esdk/<name>.zip` (see that folder's README.md).
 *
 * Works in Node (reads the zip from disk, located relative to this file) and in the browser
 * (fetches `/__vectors__/esdk/<name>.zip` from the test dev server). Each zip holds:
 * - `manifest.json`: `{ manifest: { type: 'awses-decrypt', version: 4 }, keys: 'file://keys.json',
 *   tests: { <name>: { ciphertext, 'master-keys', cmm, 'encryption-context', result } } }`
 * - `keys.json`: `{ manifest: { type: 'keys', version: 3 }, keys: { <name>: { type, 'key-id',
 *   algorithm, bits, encoding, material } } }`
 * - `ciphertexts/…`, `plaintexts/…` referenced as `file://…`.
 *
 * In these manifests a test with `"cmm": "RequiredEncryptionContext"` names no required keys: every
 * key of its `encryption-context` is required (their headers store none of them), so the required
 * keys are the keys of `encryption-context`, and the same pairs are supplied to decrypt.
 */
import { unzipSync } from 'fflate';
import {
  RawAesKeyring,
  RawRsaKeyring,
  MultiKeyring,
  DefaultCmm,
  RequiredEncryptionContextCmm,
} from '../../src/core/index.js';

export type VectorZipName = 'v4-Net-4.0.1' | 'valid-Net-4.0.0' | 'invalid-Net-4.0.0';

/** What `/work/shared/vectors/esdk/README.md` says each zip contains. */
export const EXPECTED_COUNTS: Record<VectorZipName, { total: number; kms: number }> = {
  'v4-Net-4.0.1': { total: 132, kms: 33 },
  'valid-Net-4.0.0': { total: 5, kms: 0 },
  'invalid-Net-4.0.0': { total: 28, kms: 0 },
};

export type RsaPadding = 'OAEP-SHA1' | 'OAEP-SHA256' | 'OAEP-SHA384' | 'OAEP-SHA512' | 'PKCS1';

export interface RawAesKeySpec {
  readonly kind: 'raw-aes';
  readonly providerId: string;
  readonly keyName: string;
  readonly material: Uint8Array<ArrayBuffer>;
}

export interface RawRsaKeySpec {
  readonly kind: 'raw-rsa';
  readonly providerId: string;
  readonly keyName: string;
  readonly pem: string;
  readonly pemType: 'private' | 'public';
  readonly padding: RsaPadding;
}

export interface KmsKeySpec {
  readonly kind: 'aws-kms';
  readonly type: string;
  readonly keyId: string;
}

export type MasterKeySpec = RawAesKeySpec | RawRsaKeySpec | KmsKeySpec;

export type ExpectedResult =
  | { readonly kind: 'plaintext'; readonly plaintext: Uint8Array }
  | { readonly kind: 'error'; readonly description: string };

export type CmmKind = 'Default' | 'RequiredEncryptionContext';

export interface VectorCase {
  readonly zip: VectorZipName;
  readonly name: string;
  readonly ciphertext: Uint8Array<ArrayBuffer>;
  /** The suite id read from the ciphertext's first bytes (0 if it cannot be read). */
  readonly suiteId: number;
  readonly expected: ExpectedResult;
  readonly masterKeys: readonly MasterKeySpec[];
  /** True when any master key is AWS KMS: such a test cannot run offline. */
  readonly needsKms: boolean;
  readonly cmm: CmmKind;
  /** The `encryption-context` the manifest supplies to decrypt. */
  readonly encryptionContext: Readonly<Record<string, string>>;
  /** For the RequiredEncryptionContext CMM: the required keys (all keys of `encryptionContext`). */
  readonly requiredEncryptionContextKeys: readonly string[];
}

export interface VectorSuite {
  readonly zip: VectorZipName;
  readonly client: string;
  readonly cases: readonly VectorCase[];
  /** Cases that can run offline (raw keys only). */
  readonly runnable: readonly VectorCase[];
  /** Cases that need AWS KMS: listed, counted, not run. */
  readonly needsKms: readonly VectorCase[];
}

// ---------------------------------------------------------------------------------------------
// Loading bytes
// ---------------------------------------------------------------------------------------------

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p !== 'undefined' && !!p.versions?.node;
}

async function readZipBytes(zip: VectorZipName): Promise<Uint8Array> {
  if (isNode()) {
    // A computed specifier keeps browser bundlers/dev servers from trying to resolve it.
    const fsModule = 'node:fs/promises';
    const fs = (await import(/* @vite-ignore */ fsModule)) as {
      readFile(path: URL): Promise<Uint8Array>;
    };
    const url = new URL(`../../../shared/vectors/esdk/${zip}.zip`, import.meta.url);
    try {
      return new Uint8Array(await fs.readFile(url));
    } catch (err) {
      throw new Error(`cannot read test vectors ${url.href}: ${(err as Error).message}`);
    }
  }
  const url = `/__vectors__/esdk/${zip}.zip`;
  const res = await fetch(url);
  if (!res.ok) throw new Error(`cannot fetch test vectors ${url}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function obj(v: Json | undefined, what: string): JsonObject {
  if (!isObject(v)) throw new Error(`vector manifest: ${what} is not an object`);
  return v;
}

function str(v: Json | undefined, what: string): string {
  if (typeof v !== 'string') throw new Error(`vector manifest: ${what} is not a string`);
  return v;
}

function base64ToBytes(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64.replace(/\s+/g, ''));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Reads the suite id from a message's first bytes (version 1: bytes 2-3; version 2: bytes 1-2). */
export function suiteIdOf(message: Uint8Array): number {
  if (message.length >= 4 && message[0] === 1) return (message[2]! << 8) | message[3]!;
  if (message.length >= 3 && message[0] === 2) return (message[1]! << 8) | message[2]!;
  return 0;
}

function paddingOf(mk: JsonObject, what: string): RsaPadding {
  const alg = str(mk['padding-algorithm'], `${what}.padding-algorithm`).toLowerCase();
  if (alg === 'pkcs1') return 'PKCS1';
  if (alg !== 'oaep-mgf1') throw new Error(`vector manifest: ${what}: unknown padding-algorithm ${alg}`);
  const hash = str(mk['padding-hash'], `${what}.padding-hash`).toLowerCase();
  switch (hash) {
    case 'sha1':
      return 'OAEP-SHA1';
    case 'sha256':
      return 'OAEP-SHA256';
    case 'sha384':
      return 'OAEP-SHA384';
    case 'sha512':
      return 'OAEP-SHA512';
    default:
      throw new Error(`vector manifest: ${what}: unknown padding-hash ${hash}`);
  }
}

function parseMasterKey(mk: JsonObject, keys: JsonObject, what: string): MasterKeySpec {
  const type = str(mk.type, `${what}.type`);
  const keyRef = str(mk.key, `${what}.key`);
  const key = obj(keys[keyRef], `keys.json key ${keyRef}`);
  if (type.startsWith('aws-kms')) {
    return { kind: 'aws-kms', type, keyId: str(key['key-id'], `keys.json ${keyRef}.key-id`) };
  }
  if (type !== 'raw') throw new Error(`vector manifest: ${what}: unknown master key type ${type}`);
  const providerId = str(mk['provider-id'], `${what}.provider-id`);
  const keyName = str(key['key-id'], `keys.json ${keyRef}.key-id`);
  const algorithm = str(mk['encryption-algorithm'], `${what}.encryption-algorithm`);
  const encoding = str(key.encoding, `keys.json ${keyRef}.encoding`);
  const material = str(key.material, `keys.json ${keyRef}.material`);
  if (algorithm === 'aes') {
    if (encoding !== 'base64') throw new Error(`keys.json ${keyRef}: unexpected encoding ${encoding}`);
    const bytes = base64ToBytes(material);
    const bits = key.bits;
    if (typeof bits === 'number' && bits !== bytes.length * 8) {
      throw new Error(`keys.json ${keyRef}: ${bytes.length * 8} bits of material, manifest says ${bits}`);
    }
    return { kind: 'raw-aes', providerId, keyName, material: bytes };
  }
  if (algorithm === 'rsa') {
    if (encoding !== 'pem') throw new Error(`keys.json ${keyRef}: unexpected encoding ${encoding}`);
    const keyType = str(key.type, `keys.json ${keyRef}.type`);
    if (keyType !== 'private' && keyType !== 'public') {
      throw new Error(`keys.json ${keyRef}: unexpected RSA key type ${keyType}`);
    }
    return { kind: 'raw-rsa', providerId, keyName, pem: material, pemType: keyType, padding: paddingOf(mk, what) };
  }
  throw new Error(`vector manifest: ${what}: unknown encryption-algorithm ${algorithm}`);
}

function parseSuite(zip: VectorZipName, files: Record<string, Uint8Array>): VectorSuite {
  const text = (path: string): string => new TextDecoder().decode(file(path));
  const file = (uriOrPath: string): Uint8Array<ArrayBuffer> => {
    const path = uriOrPath.startsWith('file://') ? uriOrPath.slice('file://'.length) : uriOrPath;
    const bytes = files[path];
    if (!bytes) throw new Error(`${zip}.zip has no entry ${path}`);
    // copy onto a plain ArrayBuffer of exactly this length
    return new Uint8Array(bytes);
  };

  const manifest = obj(JSON.parse(text('manifest.json')) as Json, 'manifest.json');
  const header = obj(manifest.manifest, 'manifest');
  if (header.type !== 'awses-decrypt' || header.version !== 4) {
    throw new Error(`${zip}: unexpected manifest ${JSON.stringify(header)} (want awses-decrypt v4)`);
  }
  const client = isObject(manifest.client) ? `${String(manifest.client.name)} ${String(manifest.client.version)}` : '?';
  const keysManifest = obj(JSON.parse(text(str(manifest.keys, 'keys'))) as Json, 'keys.json');
  const keysHeader = obj(keysManifest.manifest, 'keys.json manifest');
  if (keysHeader.type !== 'keys' || keysHeader.version !== 3) {
    throw new Error(`${zip}: unexpected keys manifest ${JSON.stringify(keysHeader)} (want keys v3)`);
  }
  const keys = obj(keysManifest.keys, 'keys.json keys');
  const tests = obj(manifest.tests, 'tests');

  const plaintextCache = new Map<string, Uint8Array>();
  const cases: VectorCase[] = [];
  for (const [name, t] of Object.entries(tests)) {
    const test = obj(t, `test ${name}`);
    const ciphertext = file(str(test.ciphertext, `${name}.ciphertext`));
    const mks = test['master-keys'];
    if (!Array.isArray(mks) || mks.length === 0) throw new Error(`${name}: no master-keys`);
    const masterKeys = mks.map((mk, i) => parseMasterKey(obj(mk, `${name}.master-keys[${i}]`), keys, `${name}.master-keys[${i}]`));
    const cmmName = test.cmm ?? 'Default';
    if (cmmName !== 'Default' && cmmName !== 'RequiredEncryptionContext') {
      throw new Error(`${name}: unknown cmm ${JSON.stringify(cmmName)}`);
    }
    const ecJson = test['encryption-context'] ?? {};
    const encryptionContext: Record<string, string> = {};
    for (const [k, v] of Object.entries(obj(ecJson, `${name}.encryption-context`))) {
      encryptionContext[k] = str(v, `${name}.encryption-context.${k}`);
    }
    const result = obj(test.result, `${name}.result`);
    let expected: ExpectedResult;
    if (isObject(result.output)) {
      const uri = str(result.output.plaintext, `${name}.result.output.plaintext`);
      let pt = plaintextCache.get(uri);
      if (!pt) plaintextCache.set(uri, (pt = file(uri)));
      expected = { kind: 'plaintext', plaintext: pt };
    } else if (isObject(result.error)) {
      expected = { kind: 'error', description: String(result.error['error-description'] ?? 'error') };
    } else {
      throw new Error(`${name}: result is neither output nor error`);
    }
    cases.push({
      zip,
      name,
      ciphertext,
      suiteId: suiteIdOf(ciphertext),
      expected,
      masterKeys,
      needsKms: masterKeys.some((k) => k.kind === 'aws-kms'),
      cmm: cmmName,
      encryptionContext,
      requiredEncryptionContextKeys: cmmName === 'RequiredEncryptionContext' ? Object.keys(encryptionContext) : [],
    });
  }
  return {
    zip,
    client,
    cases,
    runnable: cases.filter((c) => !c.needsKms),
    needsKms: cases.filter((c) => c.needsKms),
  };
}

const loaded = new Map<VectorZipName, Promise<VectorSuite>>();

/** Loads and parses one vector zip (cached per zip). */
export function loadVectorSuite(zip: VectorZipName): Promise<VectorSuite> {
  let p = loaded.get(zip);
  if (!p) {
    p = readZipBytes(zip).then((bytes) => parseSuite(zip, unzipSync(bytes)));
    loaded.set(zip, p);
  }
  return p;
}

// ---------------------------------------------------------------------------------------------
// Building keyrings, CMMs and decrypt options
// ---------------------------------------------------------------------------------------------

/** The keyring for one raw master key. */
export function keyringFor(spec: MasterKeySpec): RawAesKeyring | RawRsaKeyring {
  switch (spec.kind) {
    case 'raw-aes':
      return new RawAesKeyring({ keyNamespace: spec.providerId, keyName: spec.keyName, wrappingKey: spec.material });
    case 'raw-rsa':
      return new RawRsaKeyring({
        keyNamespace: spec.providerId,
        keyName: spec.keyName,
        ...(spec.pemType === 'private' ? { privateKey: spec.pem } : { publicKey: spec.pem }),
        // 'PKCS1' is not in the core's padding type (the core refuses it); none of the vectors use it.
        padding: spec.padding as 'OAEP-SHA1',
      });
    case 'aws-kms':
      throw new Error(`master key ${spec.keyId} needs AWS KMS; not available offline`);
  }
}

/** The test's keyring: one raw key → its keyring; several → a MultiKeyring of children. */
export function keyringForCase(c: VectorCase): RawAesKeyring | RawRsaKeyring | MultiKeyring {
  const rings = c.masterKeys.map(keyringFor);
  if (rings.length === 1) return rings[0]!;
  return new MultiKeyring({ children: rings });
}

/** The test's materials manager, as its manifest `cmm` names it. */
export function cmmForCase(c: VectorCase): DefaultCmm | RequiredEncryptionContextCmm {
  const underlying = new DefaultCmm({ keyring: keyringForCase(c) });
  if (c.cmm === 'Default') return underlying;
  return new RequiredEncryptionContextCmm({
    underlying,
    requiredEncryptionContextKeys: [...c.requiredEncryptionContextKeys],
  });
}

/**
 * Options for `decrypt`: the manifest's encryption context, and a commitment policy that allows
 * every suite (the vectors include non-committing suites; the default policy would refuse them).
 */
export function decryptOptionsForCase(c: VectorCase): {
  encryptionContext: Record<string, string>;
  commitmentPolicy: 'REQUIRE_ENCRYPT_ALLOW_DECRYPT';
} {
  return { encryptionContext: { ...c.encryptionContext }, commitmentPolicy: 'REQUIRE_ENCRYPT_ALLOW_DECRYPT' };
}

/** A short description of a case, for logs. */
export function describeCase(c: VectorCase): string {
  const keys = c.masterKeys
    .map((k) => (k.kind === 'raw-rsa' ? `${k.keyName}/${k.padding}` : k.kind === 'raw-aes' ? k.keyName : `kms:${k.keyId}`))
    .join('+');
  return `suite 0x${c.suiteId.toString(16).padStart(4, '0')} cmm=${c.cmm} keys=${keys} ec=${JSON.stringify(c.encryptionContext)}`;
}
