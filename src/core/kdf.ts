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
  const hash = suite.kdfHash;
  // Non-committing suites use a zero salt of hash length; committing ones the 32-byte message id.
  const salt = (suite.committing ? messageId : new Uint8Array(HASH_LENGTH[hash])) as Bytes;
  const suiteId = uint16(suite.id);
  const info = suite.committing ? concat([suiteId, DERIVE_KEY]) : concat([suiteId, messageId]);
  const params = { name: 'HKDF', hash, salt, info };
  // The content key and the commitment key come from the same extract step and do not depend on
  // each other: derive them concurrently.
  const commitKey = suite.committing
    ? subtle.deriveBits({ name: 'HKDF', hash, salt, info: COMMIT_KEY }, ikm, 256).then((bits) => new Uint8Array(bits))
    : undefined;
  let key: AeadKey;
  if (suite.keyLength === 24 && !(await webCryptoHasAes192())) {
    const bits = new Uint8Array(await subtle.deriveBits(params, ikm, 192));
    key = await importAead(bits);
    zero(bits);
  } else {
    const aes = { name: 'AES-GCM', length: suite.keyLength * 8 };
    key = webCryptoAead(await subtle.deriveKey(params, ikm, aes, false, ['encrypt', 'decrypt']));
  }
  return commitKey ? { key, commitKey: await commitKey } : { key };
}
