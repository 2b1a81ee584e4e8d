/**
 * Backup and restore of a whole simulated KMS: every region's keys (every material version, so
 * every earlier ciphertext decrypts), replicas, aliases, key policies, grants, rotation schedules,
 * the account's IAM policies and every region's audit chain, plus whatever the caller attaches (the
 * worker attaches the kit's branch key records).
 *
 * ## How key material leaves without leaving in the clear
 * Region root keys are non-extractable CryptoKeys: they cannot be exported, and a backup must open
 * in another browser, whose roots are others. So each material version is re-wrapped, inside the
 * worker, from the region root to a pair of one-time *transfer keys* (AES-256 for AES-KW, AES-256
 * for AES-GCM: the same two algorithms a region root has, key-material.ts) with the same `rewrap`
 * that moves material between regions. WebCrypto's unwrapKey/wrapKey hand the material from one
 * wrapping to the next as an extractable CryptoKey, so it never becomes JavaScript bytes (HMAC-224
 * excepted: it is sealed bytes already, and is unsealed transiently and zeroed, as in every call
 * that uses it). The transfer keys' 64 raw bytes are the only key bytes in the payload; they go
 * first, ahead of the JSON, so they are never in a JavaScript string, and the payload buffer is
 * zeroed once the ESDK message is made. The message's data key protects the payload; the derived
 * passphrase key protects the data key. Restore runs the same path backwards, into the target's
 * own roots.
 *
 * Payload (format 1): bytes 0-31 the AES-KW transfer key, 32-63 the AES-GCM transfer key, then the
 * UTF-8 JSON of {@link BackupContents} (Uint8Arrays as `{ "$bytes": base64 }`).
 *
 * ## Restore changes nothing unless it succeeds
 * Everything that can refuse is checked before the first write: the file (backup-file.ts), the
 * contents' shape, the account and regions, the target's emptiness, and every re-wrap into the
 * target's roots. Then each region's records are replaced in one transaction per database. Writes
 * span databases (a region each, IAM, the audit log, branch keys), which IndexedDB cannot make one
 * transaction: a crash between two of them would leave a partial restore, which restoring again
 * with `{ replace: true }` repairs.
 *
 * Not in a backup: pending import tokens (GetParametersForImport; their private keys are
 * non-extractable and expire within 24 hours: ask for new ones) and the simulation settings.
 */
import { typeError } from '../../core/arguments.js';
import { fromBase64, toBase64, utf8, fromUtf8, zero, concat } from '../../core/bytes.js';
import type { Bytes } from '../../core/types.js';
import { KitError, KitErrorCode } from '../../client/errors.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { AuditRestore } from '../audit/storage.js';
import { rewrap } from '../crypto/key-material.js';
import type { AliasRecord, GrantRecord, KeyRecord, MaterialRecord, RootKeys } from '../storage/records.js';
import type { RegionRuntime } from '../requests/region-runtime.js';
import type { IamPolicyRecord, IamStore } from '../storage/iam-store.js';
import { BACKUP_FORMAT_VERSION, openBackup, sealBackup } from './backup-file.js';
import { checkPassphrase, newKdfParameters, type KdfChoice } from './passphrase-kdf.js';

/** The parts of a Kms a backup reads and a restore writes (kms.ts hands them over). */
export interface KeyStoreParts {
  readonly account: string;
  readonly regions: readonly string[];
  runtime(region: string): RegionRuntime;
  readonly iamStore: IamStore;
  /** Absent when the Kms runs with `audit: false`. */
  readonly audit: AuditLog | undefined;
  readonly now: () => number;
}

/** Options of `kms.backup` / `kit.backup`. */
export interface BackupOptions {
  /** Derives the key that opens the file. Use a long one: the file may be copied anywhere. */
  passphrase: string;
  /** Default `argon2id` (m = 19 MiB, t = 2, p = 1); `pbkdf2-sha256` (600,000 iterations) where Argon2id is unwelcome. */
  kdf?: KdfChoice;
}

/** Options of `kms.restore` / `kit.restore`. */
export interface RestoreOptions {
  passphrase: string;
  /** Discard the keys (and everything else) the target holds. Without it, a target holding keys is refused. */
  replace?: boolean;
}

/** What a restore brought back. */
export interface RestoreSummary {
  /** Regions whose keys, aliases, grants and audit chain were restored. */
  readonly regions: number;
  /** KMS keys (a multi-Region key counts once per region that holds it). */
  readonly keys: number;
  /** Key material versions. */
  readonly materials: number;
  readonly aliases: number;
  readonly grants: number;
  readonly iamPolicies: number;
  readonly auditRecords: number;
  /** Branch key records (kit.restore only; 0 from kms.restore). */
  readonly branchKeys: number;
  /** When the backup was made (ISO 8601, from the file's header). */
  readonly backupCreated: string;
}

/** Sections a caller adds beside the KMS's own (the worker: the kit's branch key records). */
export interface BackupAttachments {
  readonly branchKeys?: readonly unknown[];
  /** The logical key store name the branch key records are bound to (their KMS encryption context's `tablename`). */
  readonly branchKeyStoreName?: string;
}

/** What a caller of {@link restoreKeyStore} adds to the KMS's own restore. */
export interface RestoreTarget {
  /** Whether the caller's own part of the target is empty (with the KMS's: no key, no IAM policy). */
  isEmpty?: () => Promise<boolean>;
  /** Checks the attachments before anything is written; throws to refuse the restore. */
  check?: (attachments: BackupAttachments) => void;
  /** Writes the attachments once the KMS's records are written; resolves with how many records. */
  write?: (attachments: BackupAttachments) => Promise<number>;
}

interface RegionContentsJson {
  readonly region: string;
  readonly keys: KeyRecord[];
  readonly aliases: AliasRecord[];
  readonly grants: GrantRecord[];
  readonly audit?: AuditRestore & { readonly publicKeySpki: string };
}

/** The JSON part of a backup's payload. */
export interface BackupContents {
  readonly format: 'envelope-kit/key-store';
  readonly version: number;
  readonly account: string;
  readonly createdAt: number;
  readonly regions: RegionContentsJson[];
  readonly iam: IamPolicyRecord[];
  readonly attachments: BackupAttachments;
}

const TRANSFER_BYTES = 32;

/**
 * Writes the whole key store into one encrypted file (module comment: how).
 *
 * @example
 * ```ts
 * const file = await backupKeyStore(parts, { passphrase: 'correct horse battery staple' });
 * ```
 */
export async function backupKeyStore(parts: KeyStoreParts, options: BackupOptions, attachments: BackupAttachments = {}): Promise<Blob> {
  checkOptionsObject(options);
  checkPassphrase(options.passphrase, 'options.passphrase');
  const kdf = newKdfParameters(options.kdf ?? 'argon2id');
  const transfer = await newTransferKeys();
  const createdAt = parts.now();
  const regions: RegionContentsJson[] = [];
  for (const region of parts.regions) {
    const runtime = parts.runtime(region);
    const [keys, aliases, grants] = await Promise.all([runtime.store.allKeys(), runtime.store.allAliases(), runtime.store.allGrants()]);
    const moved = await rewrapKeys(keys, runtime.root, transfer.keys);
    const audit = parts.audit ? await parts.audit.backupRegion(region) : undefined;
    regions.push({ region, keys: moved, aliases, grants, ...(audit ? { audit } : {}) });
  }
  const contents: BackupContents = { format: 'envelope-kit/key-store', version: BACKUP_FORMAT_VERSION, account: parts.account, createdAt, regions, iam: await parts.iamStore.all(), attachments };
  const json = utf8(JSON.stringify(contents, bytesReplacer));
  const payload = concat([transfer.raw, json]);
  zero(transfer.raw);
  try {
    const file = await sealBackup(payload, { passphrase: options.passphrase, kdf, createdAt });
    return new Blob([file], { type: 'application/octet-stream' });
  } finally {
    zero(payload);
  }
}

/** What {@link decodeBackup} found, ready to be written. */
export interface DecodedBackup {
  readonly contents: BackupContents;
  readonly created: string;
  /** Each region's keys with materials re-wrapped under the target's roots. */
  readonly keys: ReadonlyMap<string, KeyRecord[]>;
}

/**
 * Restores a backup into `parts` (module comment: nothing changes unless every check passes).
 * `target` adds the caller's own part (the worker: branch keys).
 *
 * @example
 * ```ts
 * const summary = await restoreKeyStore(parts, file, { passphrase });
 * ```
 */
export async function restoreKeyStore(
  parts: KeyStoreParts,
  file: Blob | Uint8Array | ArrayBuffer,
  options: RestoreOptions,
  target: RestoreTarget = {},
): Promise<RestoreSummary> {
  const decoded = await decodeBackup(parts, file, options);
  target.check?.(decoded.contents.attachments);
  if (options.replace !== true) {
    const empty = (await holdsNothing(parts)) && (target.isEmpty ? await target.isEmpty() : true);
    if (!empty) {
      throw new KitError(KitErrorCode.NOT_EMPTY, 'this kit already holds keys or IAM policies: restore into an empty kit, or pass { replace: true } to discard what it holds. Nothing was changed.');
    }
  }
  const { contents } = decoded;
  let materials = 0;
  let auditRecords = 0;
  for (const section of contents.regions) {
    const runtime = parts.runtime(section.region);
    const keys = decoded.keys.get(section.region)!;
    const previous = await runtime.store.allKeys();
    await runtime.store.replace({ keys, aliases: section.aliases, grants: section.grants });
    // Unwrapped copies of the keys this region held before are no longer valid (crypto-shredding).
    for (const key of previous) runtime.evict(key.KeyId);
    materials += keys.reduce((n, k) => n + k.materials.length, 0);
    if (parts.audit && section.audit) {
      await parts.audit.restoreRegion(section.region, section.audit);
      auditRecords += section.audit.records.length;
    }
  }
  await parts.iamStore.replace(contents.iam);
  const branchKeys = target.write ? await target.write(contents.attachments) : 0;
  return {
    regions: contents.regions.length,
    keys: contents.regions.reduce((n, r) => n + r.keys.length, 0),
    materials,
    aliases: contents.regions.reduce((n, r) => n + r.aliases.length, 0),
    grants: contents.regions.reduce((n, r) => n + r.grants.length, 0),
    iamPolicies: contents.iam.length,
    auditRecords,
    branchKeys,
    backupCreated: decoded.created,
  };
}

/**
 * Opens, parses and checks a backup against `parts`, and re-wraps its materials under the target's
 * roots: everything a restore does before its first write.
 *
 * @example
 * ```ts
 * const { contents } = await decodeBackup(parts, file, { passphrase });
 * ```
 */
export async function decodeBackup(parts: KeyStoreParts, file: Blob | Uint8Array | ArrayBuffer, options: RestoreOptions): Promise<DecodedBackup> {
  checkOptionsObject(options);
  checkPassphrase(options.passphrase, 'options.passphrase');
  if (options.replace !== undefined && typeof options.replace !== 'boolean') throw typeError('options.replace', 'a boolean');
  const bytes = await fileBytes(file);
  const { payload, header } = await openBackup(bytes, options.passphrase);
  let transfer: RootKeys;
  let contents: BackupContents;
  try {
    if (payload.length < 2 * TRANSFER_BYTES) throw damaged('its contents are too short');
    transfer = await importTransferKeys(payload.subarray(0, 2 * TRANSFER_BYTES));
    try {
      contents = JSON.parse(fromUtf8(payload.subarray(2 * TRANSFER_BYTES)), bytesReviver) as BackupContents;
    } catch (cause) {
      throw damaged('its contents are not JSON', cause);
    }
  } finally {
    zero(payload);
  }
  checkContents(contents);
  if (contents.version > BACKUP_FORMAT_VERSION) {
    throw new KitError(KitErrorCode.BACKUP_TOO_NEW, `the backup's contents have format version ${contents.version}; this kit reads up to ${BACKUP_FORMAT_VERSION}. Nothing was changed.`);
  }
  if (contents.account !== parts.account) {
    throw new KitError(
      KitErrorCode.BACKUP_MISMATCH,
      `the backup is of account ${contents.account}, this kit simulates account ${parts.account}: key ARNs (and so every ciphertext) name the account, so restore it into a kit of account ${contents.account}. Nothing was changed.`,
    );
  }
  const missing = contents.regions.map((r) => r.region).filter((r) => !parts.regions.includes(r));
  if (missing.length > 0) {
    throw new KitError(KitErrorCode.BACKUP_MISMATCH, `the backup holds regions this kit does not have (${missing.join(', ')}); create the kit with those regions. Nothing was changed.`);
  }
  const keys = new Map<string, KeyRecord[]>();
  for (const section of contents.regions) {
    try {
      keys.set(section.region, await rewrapKeys(section.keys, transfer, parts.runtime(section.region).root));
    } catch (cause) {
      if (cause instanceof KitError) throw cause;
      throw damaged(`a key material of ${section.region} does not unwrap`, cause);
    }
  }
  return { contents, created: header.createdAt, keys };
}

/** Whether the KMS holds no key in any region and no IAM policy. */
async function holdsNothing(parts: KeyStoreParts): Promise<boolean> {
  for (const region of parts.regions) if ((await parts.runtime(region).store.allKeys()).length > 0) return false;
  return (await parts.iamStore.all()).length === 0;
}

async function rewrapKeys(keys: readonly KeyRecord[], from: RootKeys, to: RootKeys): Promise<KeyRecord[]> {
  const out: KeyRecord[] = [];
  for (const key of keys) {
    const materials: MaterialRecord[] = await Promise.all(key.materials.map((m) => rewrap(m, from, to, key.KeyId, key.KeySpec, key.KeyUsage)));
    out.push({ ...key, materials });
  }
  return out;
}

/** One-time transfer keys (extractable: their raw bytes go into the encrypted payload) and those bytes. */
async function newTransferKeys(): Promise<{ keys: RootKeys; raw: Bytes }> {
  const [wrap, seal] = await Promise.all([
    crypto.subtle.generateKey({ name: 'AES-KW', length: 256 }, true, ['wrapKey', 'unwrapKey']),
    crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, ['wrapKey', 'unwrapKey', 'encrypt', 'decrypt']),
  ]);
  const [a, b] = await Promise.all([crypto.subtle.exportKey('raw', wrap), crypto.subtle.exportKey('raw', seal)]);
  const raw = concat([new Uint8Array(a), new Uint8Array(b)]);
  zero(new Uint8Array(a));
  zero(new Uint8Array(b));
  return { keys: { wrap, seal, createdAt: 0 }, raw };
}

async function importTransferKeys(raw: Uint8Array): Promise<RootKeys> {
  const [wrap, seal] = await Promise.all([
    crypto.subtle.importKey('raw', raw.slice(0, TRANSFER_BYTES), 'AES-KW', false, ['wrapKey', 'unwrapKey']),
    crypto.subtle.importKey('raw', raw.slice(TRANSFER_BYTES, 2 * TRANSFER_BYTES), 'AES-GCM', false, ['wrapKey', 'unwrapKey', 'encrypt', 'decrypt']),
  ]);
  return { wrap, seal, createdAt: 0 };
}

async function fileBytes(file: Blob | Uint8Array | ArrayBuffer): Promise<Bytes> {
  if (typeof Blob !== 'undefined' && file instanceof Blob) return new Uint8Array(await file.arrayBuffer());
  if (file instanceof Uint8Array) return new Uint8Array(file);
  if (file instanceof ArrayBuffer) return new Uint8Array(file.slice(0));
  throw typeError('file', 'a Blob, a Uint8Array or an ArrayBuffer (a backup made by kit.backup or kms.backup)');
}

function checkOptionsObject(options: unknown): void {
  if (options === null || typeof options !== 'object') throw typeError('options', 'an object with a passphrase');
}

const damaged = (why: string, cause?: unknown) =>
  new KitError(KitErrorCode.BACKUP_DAMAGED, `the backup file is damaged: ${why}. Nothing was changed.`, cause === undefined ? undefined : { cause });

/**
 * The contents decrypted, so they were written by someone holding the passphrase; still, a shape
 * check keeps a bug (or a hand-made file) from writing half a store.
 */
function checkContents(c: BackupContents): void {
  const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (!isObj(c) || c.format !== 'envelope-kit/key-store' || !Number.isSafeInteger(c.version) || typeof c.account !== 'string') throw damaged('its contents do not describe a key store');
  if (!Array.isArray(c.regions) || !Array.isArray(c.iam) || !isObj(c.attachments)) throw damaged('its contents lack regions, IAM policies or attachments');
  const seen = new Set<string>();
  for (const r of c.regions) {
    if (!isObj(r) || typeof r.region !== 'string' || seen.has(r.region) || !Array.isArray(r.keys) || !Array.isArray(r.aliases) || !Array.isArray(r.grants)) throw damaged('a region section is malformed');
    seen.add(r.region);
    for (const k of r.keys) {
      if (!isObj(k) || typeof k.KeyId !== 'string' || k.region !== r.region || !Array.isArray(k.materials)) throw damaged(`a key record of ${r.region} is malformed`);
      for (const m of k.materials as unknown[]) if (!isObj(m) || typeof m.id !== 'string' || !isObj(m.wrapped) || !(m.wrapped.bytes instanceof Uint8Array)) throw damaged(`a key material of ${r.region} is malformed`);
    }
    if (r.aliases.some((a) => !isObj(a) || typeof a.AliasName !== 'string') || r.grants.some((g) => !isObj(g) || typeof g.GrantId !== 'string')) throw damaged(`an alias or grant of ${r.region} is malformed`);
    if (r.audit !== undefined) {
      const a = r.audit;
      if (!isObj(a) || !isObj(a.head) || !Array.isArray(a.records) || !Array.isArray(a.digests) || !Array.isArray(a.inheritedKeys) || typeof a.publicKeySpki !== 'string') throw damaged(`the audit log of ${r.region} is malformed`);
    }
  }
  if (c.iam.some((p) => !isObj(p) || typeof p.id !== 'string' || typeof p.PolicyDocument !== 'string')) throw damaged('an IAM policy is malformed');
}

/** JSON.stringify replacer: bytes as `{ $bytes: base64 }` (key records hold wrapped material, IVs, public keys). */
function bytesReplacer(_key: string, value: unknown): unknown {
  return value instanceof Uint8Array ? { $bytes: toBase64(value) } : value;
}

function bytesReviver(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === '$bytes' && typeof (value as { $bytes: unknown }).$bytes === 'string') {
      const bytes = fromBase64((value as { $bytes: string }).$bytes);
      if (bytes) return bytes;
    }
  }
  return value;
}
