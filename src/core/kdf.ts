/**
 * Key derivation from the data key (spec: framework/transitive-requirements.md, "HKDF Encryption
 * Key" and "HKDF Commit Key").
 */
import type { Bytes } from './types.js';
import type { AlgorithmSuite } from './suites.js';
import { importAead, webCryptoAead, webCryptoHasAes192, type AeadKey } from './aes-gcm.js';
import { concat, uint16, utf8, zero } from './bytes.js';

const DERIVE_KEY = utf8('DERIVEKEY');
const COMMIT_KEY = utf8('COMMITKEY');
const HASH_LENGTH = { 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 } as const;
/** The content key's HKDF info of committing suites (suite id | "DERIVEKEY"), made once per suite. */
const committingInfo = new Map<number, Bytes>();

export interface DerivedKeys {
  /** The key that encrypts the header tag and every frame. */
  readonly key: AeadKey;
  /** Committing suites: the 32-byte commitment key (algorithm suite data). */
  readonly commitKey?: Bytes;
}

/**
 * Derives the message's content key, and for committing suites its commitment key.
 * `messageId` is 16 bytes (v1) or 32 bytes (v2).
 */
export async function deriveKeys(suite: AlgorithmSuite, dataKey: Bytes, messageId: Uint8Array): Promise<DerivedKeys> {
  if (!suite.kdfHash) return { key: await importAead(dataKey) };
  const subtle = globalThis.crypto.subtle;
  const ikm = await subtle.importKey('raw', dataKey, 'HKDF', false, ['deriveBits', 'deriveKey']);
  if (suite.committing && suite.keyLength === 32) {
    const [key, commitKey] = await deriveCommittedKeys(suite, ikm, messageId, ['encrypt', 'decrypt']);
    return { key: webCryptoAead(key), commitKey: new Uint8Array(commitKey) };
  }
  const hash = suite.kdfHash;
  // Non-committing suites use a zero salt of hash length and (suite id | message id) as info.
  const salt = new Uint8Array(HASH_LENGTH[hash]);
  const params = { name: 'HKDF', hash, salt, info: concat([uint16(suite.id), messageId]) };
  if (suite.keyLength === 24 && !(await webCryptoHasAes192())) {
    const bits = new Uint8Array(await subtle.deriveBits(params, ikm, 192));
    const key = await importAead(bits);
    zero(bits);
    return { key };
  }
  const aes = { name: 'AES-GCM', length: suite.keyLength * 8 };
  return { key: webCryptoAead(await subtle.deriveKey(params, ikm, aes, false, ['encrypt', 'decrypt'])) };
}

/**
 * The two derivations of a committing suite (0x0478, 0x0578) from the data key already imported as
 * an HKDF key: salt = the 32-byte message id; the content key with info suite id | "DERIVEKEY",
 * the commitment key with info "COMMITKEY" (both 256 bits). They share the extract step's inputs
 * but not each other's output, so both WebCrypto calls are issued at once. `messageId` may be a
 * view into a buffer the caller changes afterwards: WebCrypto copies its inputs when called.
 * Resolves with [content key, commitment key bytes].
 */
export function deriveCommittedKeys(suite: AlgorithmSuite, ikm: CryptoKey, messageId: Uint8Array, usages: KeyUsage[]): Promise<[CryptoKey, ArrayBuffer]> {
  const subtle = globalThis.crypto.subtle;
  const hash = suite.kdfHash!;
  let info = committingInfo.get(suite.id);
  if (!info) committingInfo.set(suite.id, (info = concat([uint16(suite.id), DERIVE_KEY])));
  const salt = messageId as Bytes;
  return Promise.all([
    subtle.deriveKey({ name: 'HKDF', hash, salt, info }, ikm, { name: 'AES-GCM', length: 256 }, false, usages),
    subtle.deriveBits({ name: 'HKDF', hash, salt, info: COMMIT_KEY }, ikm, 256),
  ]);
}
