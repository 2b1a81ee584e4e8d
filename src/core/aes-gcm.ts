/**
 * AES-GCM with a 12-byte IV and a 16-byte tag, the only cipher of the message format.
 * WebCrypto does the work; Chromium's WebCrypto has no AES-192, so 192-bit keys fall back to
 * @noble/ciphers (audited), loaded on demand so that it is not part of the main bundle.
 */
import type { Bytes } from './types.js';

/** An AES-GCM key as the message code uses it. `encrypt` returns ciphertext || tag. */
export interface AeadKey {
  encrypt(iv: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Promise<Bytes>;
  /** Rejects (with whatever the engine throws) when the tag does not verify. */
  decrypt(iv: Uint8Array, ciphertextAndTag: Uint8Array, aad: Uint8Array): Promise<Bytes>;
}

const subtle = (): SubtleCrypto => globalThis.crypto.subtle;

/** Wraps a non-extractable WebCrypto AES-GCM key. */
export function webCryptoAead(key: CryptoKey): AeadKey {
  return {
    async encrypt(iv, plaintext, aad) {
      const params = { name: 'AES-GCM', iv: iv as Bytes, additionalData: aad as Bytes, tagLength: 128 };
      return new Uint8Array(await subtle().encrypt(params, key, plaintext as Bytes));
    },
    async decrypt(iv, ciphertextAndTag, aad) {
      const params = { name: 'AES-GCM', iv: iv as Bytes, additionalData: aad as Bytes, tagLength: 128 };
      return new Uint8Array(await subtle().decrypt(params, key, ciphertextAndTag as Bytes));
    },
  };
}

let aes192Probe: Promise<boolean> | undefined;

/** Whether this engine's WebCrypto can do AES-192-GCM (Node and Firefox can, Chromium cannot). */
export function webCryptoHasAes192(): Promise<boolean> {
  aes192Probe ??= subtle()
    .importKey('raw', new Uint8Array(24), 'AES-GCM', false, ['encrypt'])
    .then((key) => subtle().encrypt({ name: 'AES-GCM', iv: new Uint8Array(12) }, key, new Uint8Array(0)))
    .then(
      () => true,
      () => false,
    );
  return aes192Probe;
}

/** The audited fallback, used only for 192-bit keys where WebCrypto lacks them. */
async function nobleAead(keyBytes: Uint8Array): Promise<AeadKey> {
  const { gcm } = await import('@noble/ciphers/aes.js');
  // Keep our own copy: the caller zeroes its bytes once the key is imported.
  const key = new Uint8Array(keyBytes);
  return {
    async encrypt(iv, plaintext, aad) {
      return gcm(key, iv, aad).encrypt(plaintext) as Bytes;
    },
    async decrypt(iv, ciphertextAndTag, aad) {
      return gcm(key, iv, aad).decrypt(ciphertextAndTag) as Bytes;
    },
  };
}

/**
 * Imports raw AES key bytes (16, 24 or 32) as a non-extractable key. The caller may zero
 * `keyBytes` afterwards.
 */
export async function importAead(keyBytes: Uint8Array, usages: KeyUsage[] = ['encrypt', 'decrypt']): Promise<AeadKey> {
  if (keyBytes.length === 24 && !(await webCryptoHasAes192())) return nobleAead(keyBytes);
  const key = await subtle().importKey('raw', keyBytes as Bytes, 'AES-GCM', false, usages);
  return webCryptoAead(key);
}

/** The 12-byte IV of frame `sequenceNumber`: the number big-endian in the last four bytes. */
export function sequenceIv(sequenceNumber: number): Bytes {
  const iv = new Uint8Array(12);
  new DataView(iv.buffer).setUint32(8, sequenceNumber);
  return iv;
}
