/**
 * Searchable encryption: standard and compound beacons (spec: searchable-encryption/beacons.md,
 * search-config.md), written as `aws_dbe_b_<name>` attributes beside the encrypted item.
 *
 * - HMAC key of beacon `name` ("HMAC Key Generation"): HKDF-SHA-512(beacon key, no salt,
 *   "AWS_DBE_SCAN_BEACON" | name), 64 bytes.
 * - basicHash: HMAC-SHA-384(key, bytes), first 8 bytes read big-endian, its rightmost `length`
 *   bits as lower-case hex of ceil(length / 4) digits.
 * - Standard beacon of an attribute: basicHash of its serialized value (S: UTF-8, N: the
 *   normalized number, ...); type S.
 * - Compound beacon: the first constructor whose required parts all exist, its parts joined on the
 *   split character; a signed part is prefix | plaintext, an encrypted part prefix | the standard
 *   beacon's hash of the field's string.
 *
 * Beacon keys come from `keyStore.getBeaconKey(keyIdentifier)` (the branch key store writes one
 * beside every branch key) and are cached for `cacheTTL` seconds. Beacon partitions, virtual
 * fields, AsSet/Shared styles, signed beacons (compound beacons without an encrypted part) and the
 * multi-tenant key source are not implemented.
 */
import type { BeaconKeyMaterials } from '../core/branch-key-store.js';
import { concat, utf8 } from '../core/bytes.js';
import type { AttributeValue, Item } from './attribute-values.js';
import { attributeType, serializeAttribute, terminalText } from './attribute-values.js';
import type { TableConfig } from './config.js';
import { ItemErrorCode, itemError } from './errors.js';

/** Anything that hands out beacon keys: a BranchKeyStore, a StaticBranchKeyStore. */
export interface BeaconKeySource {
  getBeaconKey(branchKeyId: string): Promise<BeaconKeyMaterials>;
}

/** A standard beacon: `length` bits (1 to 63) of an HMAC of one ENCRYPT_AND_SIGN attribute. */
export interface StandardBeaconConfig {
  readonly name: string;
  readonly length: number;
  /** The attribute it is computed from; default `name`. Top-level attributes only. */
  readonly loc?: string;
}

/** An encrypted part of a compound beacon: a standard beacon's hash after a literal prefix. */
export interface EncryptedPartConfig {
  /** The name of a standard beacon. */
  readonly name: string;
  readonly prefix: string;
}

/** A signed part of a compound beacon: a SIGN_ONLY attribute's plaintext after a literal prefix. */
export interface SignedPartConfig {
  readonly name: string;
  readonly prefix: string;
  /** Default `name`. */
  readonly loc?: string;
}

/** One way of assembling a compound beacon. */
export interface ConstructorConfig {
  readonly parts: readonly { readonly name: string; readonly required: boolean }[];
}

/** A compound beacon (beacons.md, "Compound Beacon"). */
export interface CompoundBeaconConfig {
  readonly name: string;
  /** One character that separates the parts; default `.`. */
  readonly split?: string;
  readonly encrypted?: readonly EncryptedPartConfig[];
  readonly signed?: readonly SignedPartConfig[];
  /** Default: all signed parts then all encrypted parts, all required. */
  readonly constructors?: readonly ConstructorConfig[];
}

/** One beacon version (search-config.md, "Beacon Version Initialization"). */
export interface BeaconVersion {
  readonly version: 1;
  readonly keyStore: BeaconKeySource;
  readonly keySource: { readonly single: { readonly keyIdentifier: string; readonly cacheTTL: number } };
  readonly standardBeacons: readonly StandardBeaconConfig[];
  readonly compoundBeacons?: readonly CompoundBeaconConfig[];
}

/** The DB-ESDK's SearchConfig. */
export interface SearchConfig {
  readonly writeVersion: 1;
  readonly versions: readonly BeaconVersion[];
}

/**
 * The attribute name prefix of stored beacons.
 *
 * @example
 * ```ts
 * encryptedItem[BEACON_ATTRIBUTE_PREFIX + 'title']; // { S: '3f1a' }
 * ```
 */
export const BEACON_ATTRIBUTE_PREFIX = 'aws_dbe_b_';
const SCAN_BEACON_INFO = utf8('AWS_DBE_SCAN_BEACON');

interface Standard {
  readonly kind: 'standard';
  readonly name: string;
  readonly length: number;
  readonly loc: string;
}

type Part = { readonly kind: 'encrypted'; readonly prefix: string; readonly beacon: Standard } | { readonly kind: 'signed'; readonly prefix: string; readonly loc: string; readonly name: string };

interface Compound {
  readonly kind: 'compound';
  readonly name: string;
  readonly split: string;
  readonly parts: readonly Part[];
  readonly constructors: readonly (readonly { readonly part: Part; readonly required: boolean }[])[];
}

function configError(message: string): never {
  throw itemError(ItemErrorCode.INVALID_CONFIG, `createItemEncryptor options.search: ${message}`);
}

function beaconError(message: string): never {
  throw itemError(ItemErrorCode.BEACON_ERROR, message);
}

/** The string form of a signed or encrypted part's attribute (S and N only, as virtual fields). */
function partString(value: AttributeValue | undefined, where: string): string | undefined {
  if (value === undefined) return undefined;
  const type = attributeType(value, where);
  if (type !== 'S' && type !== 'N') beaconError(`${where} must be a string or a number to be part of a compound beacon`);
  return terminalText(serializeAttribute(value, where));
}

/** Beacons of one encryptor: checked configuration, cached keys, values. */
export class Beacons {
  readonly names: readonly string[];
  readonly #standard = new Map<string, Standard>();
  readonly #compound = new Map<string, Compound>();
  readonly #version: BeaconVersion;
  #keys?: { readonly expires: number; readonly hmac: Promise<ReadonlyMap<string, CryptoKey>> };

  constructor(search: SearchConfig, table: TableConfig) {
    if (search === null || typeof search !== 'object') configError('must be an object');
    if (search.writeVersion !== 1) configError('writeVersion must be 1');
    if (!Array.isArray(search.versions) || search.versions.length !== 1) configError('versions must hold exactly one beacon version');
    const version = search.versions[0]!;
    if (version.version !== 1) configError('versions[0].version must be 1');
    if (!version.keyStore || typeof version.keyStore.getBeaconKey !== 'function') configError('versions[0].keyStore must have getBeaconKey(branchKeyId)');
    const single = version.keySource?.single;
    if (!single || typeof single.keyIdentifier !== 'string' || single.keyIdentifier.length === 0) configError('versions[0].keySource.single.keyIdentifier must be a branch key id');
    if (typeof single.cacheTTL !== 'number' || !(single.cacheTTL >= 0)) configError('versions[0].keySource.single.cacheTTL must be a number of seconds');
    this.#version = version;
    if (!Array.isArray(version.standardBeacons) || version.standardBeacons.length === 0) configError('at least one standard beacon is required');
    const locs = new Set<string>();
    const taken = (name: string): boolean => this.#standard.has(name) || this.#compound.has(name) || table.actions.has(name);
    for (const b of version.standardBeacons) {
      if (typeof b?.name !== 'string' || b.name.length === 0) configError('a standard beacon needs a name');
      if (!Number.isInteger(b.length) || b.length < 1 || b.length > 63) configError(`standard beacon ${JSON.stringify(b.name)}: length must be an integer from 1 to 63`);
      const loc = b.loc ?? b.name;
      // search-config.md: "the terminal location reference by a standard beacon" must be encrypted
      if (table.actions.get(loc) !== 'ENCRYPT_AND_SIGN') configError(`standard beacon ${JSON.stringify(b.name)}: attribute ${JSON.stringify(loc)} must be ENCRYPT_AND_SIGN`);
      if (locs.has(loc)) configError(`two standard beacons on attribute ${JSON.stringify(loc)}`);
      if (this.#standard.has(b.name)) configError(`two beacons named ${JSON.stringify(b.name)}`);
      locs.add(loc);
      this.#standard.set(b.name, { kind: 'standard', name: b.name, length: b.length, loc });
    }
    for (const c of version.compoundBeacons ?? []) this.#addCompound(c, table, taken);
    this.names = Object.freeze([...this.#standard.keys(), ...this.#compound.keys()]);
  }

  #addCompound(c: CompoundBeaconConfig, table: TableConfig, taken: (name: string) => boolean): void {
    if (typeof c?.name !== 'string' || c.name.length === 0) configError('a compound beacon needs a name');
    if (taken(c.name)) configError(`compound beacon ${JSON.stringify(c.name)}: the name is taken by an attribute or another beacon`);
    const split = c.split ?? '.';
    if (typeof split !== 'string' || [...split].length !== 1) configError(`compound beacon ${JSON.stringify(c.name)}: split must be one character`);
    const parts: Part[] = [];
    for (const s of c.signed ?? []) {
      const loc = s.loc ?? s.name;
      const action = table.actions.get(loc);
      if (action !== 'SIGN_ONLY' && action !== 'SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT') configError(`compound beacon ${JSON.stringify(c.name)}: signed part ${JSON.stringify(s.name)} must be a SIGN_ONLY attribute`);
      parts.push({ kind: 'signed', prefix: s.prefix, loc, name: s.name });
    }
    for (const e of c.encrypted ?? []) {
      const beacon = this.#standard.get(e.name);
      if (!beacon) configError(`compound beacon ${JSON.stringify(c.name)}: encrypted part ${JSON.stringify(e.name)} is not a standard beacon`);
      parts.push({ kind: 'encrypted', prefix: e.prefix, beacon });
    }
    if (parts.length === 0) configError(`compound beacon ${JSON.stringify(c.name)} has no parts`);
    // beacons.md "Signed Beacons": those are stored as plain, signed attributes named NAME; not implemented
    if (!parts.some((p) => p.kind === 'encrypted')) configError(`compound beacon ${JSON.stringify(c.name)} has no encrypted part: signed beacons are not supported`);
    for (const a of parts) {
      if (typeof a.prefix !== 'string' || a.prefix.length === 0) configError(`compound beacon ${JSON.stringify(c.name)}: every part needs a non-empty prefix`);
      for (const b of parts) if (a !== b && b.prefix.startsWith(a.prefix)) configError(`compound beacon ${JSON.stringify(c.name)}: prefix ${JSON.stringify(a.prefix)} is a prefix of ${JSON.stringify(b.prefix)}`);
    }
    const partName = (p: Part): string => (p.kind === 'signed' ? p.name : p.beacon.name);
    const constructors = (c.constructors ?? [{ parts: parts.map((p) => ({ name: partName(p), required: true })) }]).map((k, i) => {
      const resolved = (k.parts ?? []).map(({ name, required }) => {
        const part = parts.find((p) => partName(p) === name);
        if (!part) configError(`compound beacon ${JSON.stringify(c.name)}: constructor ${i} names unknown part ${JSON.stringify(name)}`);
        return { part, required: required === true };
      });
      if (!resolved.some((p) => p.required)) configError(`compound beacon ${JSON.stringify(c.name)}: constructor ${i} has no required part`);
      return resolved;
    });
    this.#compound.set(c.name, { kind: 'compound', name: c.name, split, parts, constructors });
  }

  /** HMAC keys per standard beacon, from the beacon key (cached for cacheTTL seconds). */
  #hmacKeys(): Promise<ReadonlyMap<string, CryptoKey>> {
    const now = Date.now();
    if (this.#keys && now < this.#keys.expires) return this.#keys.hmac;
    const { keyIdentifier, cacheTTL } = this.#version.keySource.single;
    const hmac = (async () => {
      let materials: BeaconKeyMaterials;
      try {
        materials = await this.#version.keyStore.getBeaconKey(keyIdentifier);
      } catch (cause) {
        throw itemError(ItemErrorCode.BEACON_ERROR, `could not get the beacon key of ${JSON.stringify(keyIdentifier)}: ${(cause as Error)?.message ?? cause}`, cause);
      }
      const keys = new Map<string, CryptoKey>();
      for (const name of this.#standard.keys()) {
        const params = { name: 'HKDF', hash: 'SHA-512', salt: new Uint8Array(0), info: concat([SCAN_BEACON_INFO, utf8(name)]) };
        keys.set(name, await crypto.subtle.deriveKey(params, materials.beaconKey, { name: 'HMAC', hash: 'SHA-384', length: 512 }, false, ['sign']));
      }
      return keys;
    })();
    this.#keys = { expires: now + cacheTTL * 1000, hmac };
    hmac.catch(() => (this.#keys = undefined));
    return hmac;
  }

  async #hash(beacon: Standard, bytes: Uint8Array): Promise<string> {
    const key = (await this.#hmacKeys()).get(beacon.name)!;
    const mac = new DataView(await crypto.subtle.sign('HMAC', key, bytes as Uint8Array<ArrayBuffer>));
    const bits = mac.getBigUint64(0) & ((1n << BigInt(beacon.length)) - 1n);
    return bits.toString(16).padStart(Math.ceil(beacon.length / 4), '0');
  }

  async #compoundValue(beacon: Compound, item: Item, hashed = true): Promise<string | undefined> {
    for (const constructor of beacon.constructors) {
      const values: (string | undefined)[] = constructor.map(({ part }) => partString(item[part.kind === 'signed' ? part.loc : part.beacon.loc], `attribute for part ${JSON.stringify(part.prefix)} of beacon ${JSON.stringify(beacon.name)}`));
      if (constructor.some(({ required }, i) => required && values[i] === undefined)) continue;
      const pieces: string[] = [];
      for (const [i, { part }] of constructor.entries()) {
        const value = values[i];
        if (value === undefined) continue;
        if (value.includes(beacon.split)) beaconError(`a value of beacon ${JSON.stringify(beacon.name)} contains its split character`);
        pieces.push(part.prefix + (part.kind === 'signed' || !hashed ? value : await this.#hash(part.beacon, utf8(value))));
      }
      return pieces.join(beacon.split);
    }
    return undefined;
  }

  /** The `aws_dbe_b_<name>` attributes of a plaintext item (ddb-support.md, "GetEncryptedBeacons"). */
  async attributesFor(item: Item): Promise<Record<string, AttributeValue>> {
    const out: Record<string, AttributeValue> = {};
    for (const beacon of this.#standard.values()) {
      const value = item[beacon.loc];
      if (value === undefined) continue;
      out[BEACON_ATTRIBUTE_PREFIX + beacon.name] = { S: await this.#hash(beacon, serializeAttribute(value).value) };
    }
    for (const beacon of this.#compound.values()) {
      const value = await this.#compoundValue(beacon, item);
      if (value !== undefined) out[BEACON_ATTRIBUTE_PREFIX + beacon.name] = { S: value };
    }
    return out;
  }

  /**
   * Whether a decrypted item really has `value` for beacon `name`: truncated beacons collide, so
   * an equality query's candidates are checked against the plaintext after decryption.
   */
  async matches(name: string, value: string | AttributeValue, item: Item): Promise<boolean> {
    const standard = this.#standard.get(name);
    if (standard) {
      const actual = item[standard.loc];
      if (actual === undefined) return false;
      const wanted = typeof value === 'string' ? utf8(value) : serializeAttribute(value, `beacon ${JSON.stringify(name)} value`).value;
      const got = serializeAttribute(actual).value;
      return got.length === wanted.length && got.every((b, i) => b === wanted[i]);
    }
    const compound = this.#compound.get(name);
    if (!compound) beaconError(`no beacon named ${JSON.stringify(name)}; configured: ${this.names.join(', ')}`);
    const text = typeof value === 'string' ? value : partString(value, `beacon ${JSON.stringify(name)} value`);
    return (await this.#compoundValue(compound, item, false)) === text;
  }

  /** The value to query beacon `name` with (beacons.md, "getPart"). */
  async queryValue(name: string, value: string | AttributeValue): Promise<string> {
    const standard = this.#standard.get(name);
    if (standard) {
      const bytes = typeof value === 'string' ? utf8(value) : serializeAttribute(value, `beacon ${JSON.stringify(name)} value`).value;
      return this.#hash(standard, bytes);
    }
    const compound = this.#compound.get(name);
    if (!compound) beaconError(`no beacon named ${JSON.stringify(name)}; configured: ${this.names.join(', ')}`);
    const text = typeof value === 'string' ? value : partString(value, `beacon ${JSON.stringify(name)} value`)!;
    if (text.length === 0) beaconError(`the query value of beacon ${JSON.stringify(name)} is empty`);
    const pieces: string[] = [];
    for (const piece of text.split(compound.split)) {
      const part = compound.parts.find((p) => piece.startsWith(p.prefix));
      if (!part) beaconError(`a piece of the query value of beacon ${JSON.stringify(name)} starts with no configured prefix`);
      const rest = piece.slice(part.prefix.length);
      // GetBeaconValue: a bare prefix stays a prefix (for begins_with queries)
      pieces.push(part.kind === 'signed' || rest.length === 0 ? piece : part.prefix + (await this.#hash(part.beacon, utf8(rest))));
    }
    return pieces.join(compound.split);
  }
}
