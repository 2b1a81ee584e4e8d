/**
 * The byte layouts: the encryption-context AAD encoding (injective, order-independent,
 * case-sensitive), the ECDSA DER conversion, and the ciphertext blob parser's negative cases.
 */
import { p256 } from '@noble/curves/nist.js';
import { describe, expect, it } from 'vitest';
import { parseBlob } from '../../src/kms/crypto/ciphertext-blob.js';
import { derToP1363, p1363ToDer } from '../../src/kms/crypto/ecdsa-der.js';
import { encodeEncryptionContext } from '../../src/kms/index.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('encryption context encoding', () => {
  it('separates the classic ambiguous pairs', () => {
    const pairs: [Record<string, string>, Record<string, string>][] = [
      [{ ab: 'c' }, { a: 'bc' }],
      [{ a: '1', b: '2' }, { a: '1b2' }],
      [{ A: 'x' }, { a: 'x' }],
      [{}, { '': '' }],
      [{ 'a\u0000': 'b' }, { a: '\u0000b' }],
    ];
    for (const [x, y] of pairs) expect(hex(encodeEncryptionContext(x))).not.toBe(hex(encodeEncryptionContext(y)));
  });

  it('is injective and order-independent over random maps (property)', () => {
    const alphabet = ['a', 'b', 'A', '\u0000', 'é', '😀', ''];
    const seen = new Map<string, string>();
    for (let i = 0; i < 3000; i++) {
      const map: Record<string, string> = {};
      const size = i % 4;
      for (let k = 0; k < size; k++) {
        const pick = () => Array.from({ length: (i * 7 + k) % 3 }, (_, j) => alphabet[(i * 13 + k * 5 + j * 3) % alphabet.length]).join('');
        map[pick() + k] = pick();
      }
      const canonical = JSON.stringify(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      const reversed = Object.fromEntries(Object.entries(map).reverse());
      const encoded = hex(encodeEncryptionContext(map));
      expect(hex(encodeEncryptionContext(reversed))).toBe(encoded);
      const previous = seen.get(encoded);
      if (previous !== undefined) expect(previous).toBe(canonical);
      seen.set(encoded, canonical);
    }
  });
});

describe('ECDSA signature encodings', () => {
  it('round-trips P1363 and DER, agreeing with an independent library', () => {
    for (let i = 0; i < 50; i++) {
      const p1363 = crypto.getRandomValues(new Uint8Array(64));
      if (i % 5 === 0) p1363.fill(0, 0, 3); // short r
      if (i % 7 === 0) p1363[32] = 0x80; // s needs a zero prefix
      const der = p1363ToDer(p1363);
      expect(derToP1363(der, 32)).toEqual(p1363);
      if (p1363.some((b, j) => j < 32 && b !== 0) && p1363.some((b, j) => j >= 32 && b !== 0)) {
        expect(hex(p256.Signature.fromBytes(p1363, 'compact').toBytes('der'))).toBe(hex(der));
      }
    }
  });

  it('rejects malformed DER', () => {
    const good = p1363ToDer(new Uint8Array(64).fill(1));
    expect(derToP1363(good.subarray(1), 32)).toBeUndefined();
    expect(derToP1363(new Uint8Array([...good, 0]), 32)).toBeUndefined();
    const negative = new Uint8Array(good);
    negative[4] = 0x81;
    expect(derToP1363(negative, 32)).toBeUndefined();
    expect(derToP1363(p1363ToDer(new Uint8Array(66).fill(0x7f)), 32)).toBeUndefined();
  });
});

describe('ciphertext blob', () => {
  it('refuses anything that is not a version-1 blob', () => {
    for (const bad of [new Uint8Array(0), new Uint8Array([2, 36]), new Uint8Array([1, 0, 1, 2]), new Uint8Array(60).fill(1)]) {
      expect(() => parseBlob(bad)).toThrow(/not a valid ciphertext blob/);
    }
  });
});
