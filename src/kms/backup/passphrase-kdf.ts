/**
 * Keys from passphrases: what opens a backup file and what wraps a locked kit's root keys.
 *
 * Argon2id (RFC 9106) by default, at OWASP's current minimum row (Password Storage Cheat Sheet:
 * m = 19 MiB, t = 2, p = 1), computed with @noble/hashes' audited pure-JS argon2id, which the kit
 * already depends on. We measured it against hash-wasm's WebAssembly argon2id (README, "Keys you
 * cannot lose"): WebAssembly is faster in Node (about 0.24 s against 1.5 s here) but close in
 * Chromium (0.39 s against 0.62 s), and it would need `'wasm-unsafe-eval'` in the page's
 * Content-Security-Policy; a derivation happens once per backup, restore or unlock, in the worker,
 * so the dependency and the CSP exception were not worth it.
 *
 * PBKDF2-HMAC-SHA-256 with at least 600,000 iterations (OWASP's figure for it) is the fallback
 * WebCrypto has everywhere; restore reads either, as the file's encryption context names it.
 *
 * Parameters travel in plain text (a backup's encryption context, a locked root's record), so they
 * are checked on the way in against a floor (nothing weaker than we write is accepted: a file
 * cannot talk us into a cheap derivation) and a ceiling (nor into an unbounded one).
 */
import { rangeError, typeError } from '../../core/arguments.js';
import { argon2idAsync } from '@noble/hashes/argon2.js';
import { fromBase64, randomBytes, toBase64, utf8, zero } from '../../core/bytes.js';
import type { Bytes } from '../../core/types.js';

/** Argon2id parameters: memory in KiB, passes, lanes. */
export interface Argon2idParameters {
  readonly kdf: 'argon2id';
  readonly memoryKiB: number;
  readonly iterations: number;
  readonly parallelism: number;
  /** 16 random bytes. */
  readonly salt: Bytes;
}

/** PBKDF2-HMAC-SHA-256 parameters. */
export interface Pbkdf2Parameters {
  readonly kdf: 'pbkdf2-sha256';
  readonly iterations: number;
  readonly salt: Bytes;
}

export type KdfParameters = Argon2idParameters | Pbkdf2Parameters;

/** Which KDF a new backup or lock uses. */
export type KdfChoice = 'argon2id' | 'pbkdf2-sha256';

/** OWASP Password Storage Cheat Sheet's Argon2id minimum (m = 19 MiB, t = 2, p = 1). */
export const ARGON2ID_DEFAULTS = { memoryKiB: 19 * 1024, iterations: 2, parallelism: 1 } as const;
/** OWASP's PBKDF2-HMAC-SHA-256 figure. */
export const PBKDF2_MIN_ITERATIONS = 600_000;

const SALT_BYTES = 16;
/** Ceilings for parameters read from a file: 1 GiB of memory, 64 passes, 16 lanes, 10^8 PBKDF2 rounds. */
const MAX = { memoryKiB: 1024 * 1024, iterations: 64, parallelism: 16, pbkdf2: 100_000_000 } as const;

/**
 * Fresh parameters (a new random salt) for `kdf`.
 *
 * @example
 * ```ts
 * const params = newKdfParameters('argon2id'); // { kdf: 'argon2id', memoryKiB: 19456, iterations: 2, parallelism: 1, salt }
 * ```
 */
export function newKdfParameters(kdf: KdfChoice = 'argon2id'): KdfParameters {
  if (kdf === 'argon2id') return { kdf, ...ARGON2ID_DEFAULTS, salt: randomBytes(SALT_BYTES) };
  if (kdf === 'pbkdf2-sha256') return { kdf, iterations: PBKDF2_MIN_ITERATIONS, salt: randomBytes(SALT_BYTES) };
  throw typeError('options.kdf', `'argon2id' or 'pbkdf2-sha256', not ${JSON.stringify(kdf)}`);
}

/**
 * Checks a passphrase argument: a non-empty string.
 *
 * @example
 * ```ts
 * checkPassphrase(options.passphrase, 'options.passphrase');
 * ```
 */
export function checkPassphrase(value: unknown, argument: string): asserts value is string {
  if (typeof value !== 'string') throw typeError(argument, 'a string');
  if (value.length === 0) throw rangeError(argument, 'must not be empty');
}

/**
 * Derives 32 key bytes from `passphrase` (UTF-8, NFC-normalized so that the same passphrase typed
 * on two systems gives the same key). The caller zeroes the result once it is imported.
 *
 * @example
 * ```ts
 * const bytes = await deriveKeyBytes('correct horse', newKdfParameters());
 * const key = await crypto.subtle.importKey('raw', bytes, 'AES-KW', false, ['wrapKey', 'unwrapKey']);
 * zero(bytes);
 * ```
 */
export async function deriveKeyBytes(passphrase: string, params: KdfParameters): Promise<Bytes> {
  const password = utf8(passphrase.normalize('NFC'));
  try {
    if (params.kdf === 'argon2id') {
      const out = await argon2idAsync(password, params.salt, { m: params.memoryKiB, t: params.iterations, p: params.parallelism, dkLen: 32 });
      return new Uint8Array(out.buffer as ArrayBuffer, out.byteOffset, out.byteLength);
    }
    const base = await crypto.subtle.importKey('raw', password, 'PBKDF2', false, ['deriveBits']);
    return new Uint8Array(await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: params.salt, iterations: params.iterations }, base, 256));
  } finally {
    zero(password);
  }
}

/**
 * The parameters as plain-text pairs (a backup's encryption context), under `prefix`.
 *
 * @example
 * ```ts
 * kdfToPairs(params); // { kdf: 'argon2id', 'kdf-memory-kib': '19456', 'kdf-iterations': '2', 'kdf-parallelism': '1', 'kdf-salt': '…' }
 * ```
 */
export function kdfToPairs(params: KdfParameters): Record<string, string> {
  const pairs: Record<string, string> = { kdf: params.kdf, 'kdf-iterations': String(params.iterations), 'kdf-salt': toBase64(params.salt) };
  if (params.kdf === 'argon2id') {
    pairs['kdf-memory-kib'] = String(params.memoryKiB);
    pairs['kdf-parallelism'] = String(params.parallelism);
  }
  return pairs;
}

/**
 * Reads parameters back from {@link kdfToPairs}' pairs; undefined if they are missing, malformed,
 * weaker than the kit writes, or beyond the ceilings.
 *
 * @example
 * ```ts
 * const params = kdfFromPairs(header.encryptionContext);
 * if (!params) throw new Error('the file does not say how to derive its key');
 * ```
 */
export function kdfFromPairs(pairs: Readonly<Record<string, string>>): KdfParameters | undefined {
  const int = (key: string) => (/^[1-9]\d{0,9}$/.test(pairs[key] ?? '') ? Number(pairs[key]) : NaN);
  const salt = fromBase64(pairs['kdf-salt'] ?? '');
  if (!salt || salt.length < SALT_BYTES || salt.length > 64) return undefined;
  const iterations = int('kdf-iterations');
  if (pairs.kdf === 'argon2id') {
    const memoryKiB = int('kdf-memory-kib');
    const parallelism = int('kdf-parallelism');
    const ok =
      memoryKiB >= ARGON2ID_DEFAULTS.memoryKiB && memoryKiB <= MAX.memoryKiB &&
      iterations >= ARGON2ID_DEFAULTS.iterations && iterations <= MAX.iterations &&
      parallelism >= 1 && parallelism <= MAX.parallelism;
    return ok ? { kdf: 'argon2id', memoryKiB, iterations, parallelism, salt } : undefined;
  }
  if (pairs.kdf === 'pbkdf2-sha256') {
    return iterations >= PBKDF2_MIN_ITERATIONS && iterations <= MAX.pbkdf2 ? { kdf: 'pbkdf2-sha256', iterations, salt } : undefined;
  }
  return undefined;
}
