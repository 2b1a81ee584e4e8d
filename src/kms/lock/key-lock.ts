/**
 * A passphrase lock on a KMS's region root keys (issue 12; design.md, "Keys a user cannot lose").
 *
 * Hierarchy, top down:
 *
 *     passphrase --Argon2id--> KEK_p ┐
 *     passkey PRF --HKDF-----> KEK_k ┴-AES-KW--> master key M --AES-KW--> each region's root keys
 *                                                                          (wrap, seal: key-material.ts)
 *
 * M is a random AES-256 key that exists only wrapped (once per unlock method, a "slot", as LUKS
 * keeps key slots) in the lock store (lock-store.ts). The region roots are created extractable
 * only long enough to be wrapped under M, then used as non-extractable CryptoKeys unwrapped from
 * that stored form; unlocked, they live in the worker's memory only, and `lock()` drops them
 * together with every unwrapped material (RegionRuntime.lockOut). Changing the passphrase
 * re-wraps M, so neither the roots nor any key material (let alone data) is touched; adding a
 * passkey needs the passphrase for the same reason: M must be unwrapped to be wrapped again.
 *
 * A wrong passphrase is detected by AES-KW's integrity check (RFC 3394, 2.2.3) when M is unwrapped,
 * so no verifier is stored beside the slots.
 */
import { isArgumentError, rangeError, typeError } from '../../core/arguments.js';
import { randomBytes, zero } from '../../core/bytes.js';
import type { Bytes } from '../../core/types.js';
import { KitError, KitErrorCode } from '../../client/errors.js';
import type { RootKeys } from '../storage/records.js';
import { checkPassphrase, deriveKeyBytes, newKdfParameters, type KdfChoice, type KdfParameters } from '../backup/passphrase-kdf.js';
import type { LockRecord, LockSlot, LockStore, PrfSlot, WrappedRoot } from './lock-store.js';

const subtle = () => globalThis.crypto.subtle;
const PRF_INFO = new TextEncoder().encode('envelope-kit lock prf v1');

/** How `unlock` is given its secret: a passphrase, or a passkey's PRF output for one credential. */
export type UnlockSecret = string | { readonly prf: Uint8Array; readonly credentialId: Uint8Array };

/** A passkey to add as a second way to unlock: its credential id, the PRF input used and the output it gave. */
export interface PasskeyEnrollment {
  /** The passphrase: the master key is unwrapped with it to be wrapped under the passkey too. */
  readonly passphrase: string;
  readonly credentialId: Uint8Array;
  readonly prfSalt: Uint8Array;
  readonly prfOutput: Uint8Array;
}

const wrongSecret = (what: string) => new KitError(KitErrorCode.WRONG_PASSPHRASE, `the ${what} does not unlock this kit`);

async function kekFromPassphrase(passphrase: string, kdf: KdfParameters): Promise<CryptoKey> {
  const bytes = await deriveKeyBytes(passphrase, kdf);
  try {
    return await subtle().importKey('raw', bytes, 'AES-KW', false, ['wrapKey', 'unwrapKey']);
  } finally {
    zero(bytes);
  }
}

async function kekFromPrf(prfOutput: Uint8Array): Promise<CryptoKey> {
  if (!(prfOutput instanceof Uint8Array) || prfOutput.length < 32) throw rangeError('prf', 'must be the 32-byte output of the WebAuthn PRF extension');
  const ikm = await subtle().importKey('raw', new Uint8Array(prfOutput), 'HKDF', false, ['deriveKey']);
  return subtle().deriveKey({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(32), info: PRF_INFO }, ikm, { name: 'AES-KW', length: 256 }, false, ['wrapKey', 'unwrapKey']);
}

function unwrapMaster(wrapped: Bytes, kek: CryptoKey, extractable: boolean): Promise<CryptoKey> {
  return subtle().unwrapKey('raw', wrapped, kek, 'AES-KW', 'AES-KW', extractable, ['wrapKey', 'unwrapKey']);
}

async function wrapUnder(key: CryptoKey, kek: CryptoKey): Promise<Bytes> {
  return new Uint8Array(await subtle().wrapKey('raw', key, kek, 'AES-KW'));
}

/** New region roots: generated extractable, wrapped under `master`, and used as the non-extractable keys unwrapped from that. */
async function newRoot(master: CryptoKey, now: number): Promise<{ wrapped: WrappedRoot; root: RootKeys }> {
  const [wrap, seal] = await Promise.all([
    subtle().generateKey({ name: 'AES-KW', length: 256 }, true, ['wrapKey', 'unwrapKey']),
    subtle().generateKey({ name: 'AES-GCM', length: 256 }, true, ['wrapKey', 'unwrapKey', 'encrypt', 'decrypt']),
  ]);
  const wrapped: WrappedRoot = { wrap: await wrapUnder(wrap, master), seal: await wrapUnder(seal, master), createdAt: now };
  return { wrapped, root: await openRoot(wrapped, master) };
}

async function openRoot(wrapped: WrappedRoot, master: CryptoKey): Promise<RootKeys> {
  const [wrap, seal] = await Promise.all([
    subtle().unwrapKey('raw', wrapped.wrap, master, 'AES-KW', 'AES-KW', false, ['wrapKey', 'unwrapKey']),
    subtle().unwrapKey('raw', wrapped.seal, master, 'AES-KW', 'AES-GCM', false, ['wrapKey', 'unwrapKey', 'encrypt', 'decrypt']),
  ]);
  return { wrap, seal, createdAt: wrapped.createdAt };
}

function passphraseSlot(record: LockRecord) {
  const slot = record.slots.find((s) => s.kind === 'passphrase');
  if (!slot || slot.kind !== 'passphrase') throw new KitError(KitErrorCode.BACKUP_DAMAGED, "this kit's lock record has no passphrase slot");
  return slot;
}

/**
 * The lock of one KMS.
 *
 * @example
 * ```ts
 * const { lock, roots } = await KeyLock.create({ store, regions, now: Date.now, passphrase });
 * lock.locked; // false; roots: the region roots to run with
 * ```
 */
export class KeyLock {
  readonly #store: LockStore;
  readonly #regions: readonly string[];
  readonly #now: () => number;

  private constructor(store: LockStore, regions: readonly string[], now: () => number) {
    this.#store = store;
    this.#regions = regions;
    this.#now = now;
  }

  /** The existing lock of `store`, or undefined when the KMS has none (it was made without a passphrase). */
  static async open(options: { store: LockStore; regions: readonly string[]; now: () => number }): Promise<KeyLock | undefined> {
    return (await options.store.lock()) ? new KeyLock(options.store, options.regions, options.now) : undefined;
  }

  /**
   * Locks a new KMS under `passphrase`: a master key, a root per region, all stored wrapped. If
   * another tab locked it first, its lock stands and is unlocked with `passphrase` (or refused).
   */
  static async create(options: { store: LockStore; regions: readonly string[]; now: () => number; passphrase: string; kdf?: KdfChoice }): Promise<{ lock: KeyLock; roots: Map<string, RootKeys> }> {
    checkPassphrase(options.passphrase, 'options.passphrase');
    const now = options.now();
    const kdf = newKdfParameters(options.kdf ?? 'argon2id');
    const master = await subtle().generateKey({ name: 'AES-KW', length: 256 }, true, ['wrapKey', 'unwrapKey']);
    const kek = await kekFromPassphrase(options.passphrase, kdf);
    const record: LockRecord = { version: 1, createdAt: now, slots: [{ kind: 'passphrase', kdf, wrappedMaster: await wrapUnder(master, kek) }] };
    const wrappedRoots = new Map<string, WrappedRoot>();
    const roots = new Map<string, RootKeys>();
    for (const region of options.regions) {
      const made = await newRoot(master, now);
      wrappedRoots.set(region, made.wrapped);
      roots.set(region, made.root);
    }
    const stored = await options.store.create(record, wrappedRoots);
    const lock = new KeyLock(options.store, options.regions, options.now);
    if (stored === record) return { lock, roots };
    return { lock, roots: await lock.unlock(options.passphrase) };
  }

  /** The region roots, unwrapped with `secret`; rejects with WRONG_PASSPHRASE when it does not open the lock. */
  async unlock(secret: UnlockSecret): Promise<Map<string, RootKeys>> {
    const master = await this.#master(secret, false);
    const roots = new Map<string, RootKeys>();
    for (const region of this.#regions) {
      const wrapped = await this.#store.root(region);
      if (wrapped) roots.set(region, await openRoot(wrapped, master));
      else {
        // A region the lock was made without (the KMS's region list grew): its root is made now.
        const made = await newRoot(master, this.#now());
        roots.set(region, await openRoot(await this.#store.addRoot(region, made.wrapped), master));
      }
    }
    return roots;
  }

  /** Re-wraps the master key under a key derived from `next`; roots and materials are untouched. */
  async changePassphrase(old: string, next: string, kdf?: KdfChoice): Promise<void> {
    checkPassphrase(old, 'oldPassphrase');
    checkPassphrase(next, 'newPassphrase');
    const master = await this.#master(old, true);
    const params = newKdfParameters(kdf ?? 'argon2id');
    const wrappedMaster = await wrapUnder(master, await kekFromPassphrase(next, params));
    const record = (await this.#store.lock())!;
    const slots: LockSlot[] = record.slots.map((s) => (s.kind === 'passphrase' ? { kind: 'passphrase', kdf: params, wrappedMaster } : s));
    await this.#store.putLock({ ...record, slots });
  }

  /** Adds a passkey (its WebAuthn PRF output) as a second way to unlock. */
  async addPasskey(enrollment: PasskeyEnrollment): Promise<void> {
    if (enrollment === null || typeof enrollment !== 'object') throw typeError('enrollment', 'an object { passphrase, credentialId, prfSalt, prfOutput }');
    checkPassphrase(enrollment.passphrase, 'enrollment.passphrase');
    if (!(enrollment.credentialId instanceof Uint8Array) || enrollment.credentialId.length === 0) throw typeError('enrollment.credentialId', "the credential's raw id (a non-empty Uint8Array)");
    if (!(enrollment.prfSalt instanceof Uint8Array) || enrollment.prfSalt.length !== 32) throw rangeError('enrollment.prfSalt', 'must be 32 bytes');
    const master = await this.#master(enrollment.passphrase, true);
    const slot: PrfSlot = {
      kind: 'prf',
      credentialId: new Uint8Array(enrollment.credentialId),
      prfSalt: new Uint8Array(enrollment.prfSalt),
      wrappedMaster: await wrapUnder(master, await kekFromPrf(enrollment.prfOutput)),
      createdAt: this.#now(),
    };
    const record = (await this.#store.lock())!;
    const others = record.slots.filter((s) => !(s.kind === 'prf' && sameBytes(s.credentialId, slot.credentialId)));
    await this.#store.putLock({ ...record, slots: [...others, slot] });
  }

  /** The passkeys that can unlock: what a WebAuthn `get()` asks for (allowCredentials, PRF input). */
  async passkeys(): Promise<{ credentialId: Bytes; prfSalt: Bytes }[]> {
    const record = await this.#store.lock();
    return (record?.slots ?? []).filter((s): s is PrfSlot => s.kind === 'prf').map((s) => ({ credentialId: s.credentialId, prfSalt: s.prfSalt }));
  }

  async #master(secret: UnlockSecret, extractable: boolean): Promise<CryptoKey> {
    const record = await this.#store.lock();
    if (!record) throw new KitError(KitErrorCode.LOCKED, 'this kit has no lock record');
    if (typeof secret === 'string') {
      checkPassphrase(secret, 'passphrase');
      const slot = passphraseSlot(record);
      try {
        return await unwrapMaster(slot.wrappedMaster, await kekFromPassphrase(secret, slot.kdf), extractable);
      } catch {
        throw wrongSecret('passphrase');
      }
    }
    if (secret === null || typeof secret !== 'object' || !(secret.prf instanceof Uint8Array) || !(secret.credentialId instanceof Uint8Array)) {
      throw typeError('secret', 'a passphrase string or { prf, credentialId } (Uint8Arrays from a WebAuthn PRF assertion)');
    }
    const slot = record.slots.find((s): s is PrfSlot => s.kind === 'prf' && sameBytes(s.credentialId, secret.credentialId));
    if (!slot) throw wrongSecret('passkey (no passkey with this credential id was added to it)');
    try {
      return await unwrapMaster(slot.wrappedMaster, await kekFromPrf(secret.prf), extractable);
    } catch (error) {
      if (isArgumentError(error)) throw error;
      throw wrongSecret('passkey');
    }
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * 32 random bytes: the PRF input (`eval.first`) of a new passkey.
 *
 * @example
 * ```ts
 * const prfSalt = newPrfSalt(); // Uint8Array(32)
 * ```
 */
export function newPrfSalt(): Bytes {
  return randomBytes(32);
}
