/**
 * ECDSA signature encodings. WebCrypto signs and verifies IEEE P1363 (r || s, each the curve's
 * byte length); AWS KMS returns and accepts DER, `SEQUENCE { INTEGER r, INTEGER s }`
 * (RFC 3279, section 2.2.3). These two functions convert between them, strictly.
 */
import { concat } from '../../core/bytes.js';
import type { Bytes } from '../../core/types.js';

function derInteger(value: Uint8Array): Bytes {
  let i = 0;
  while (i < value.length - 1 && value[i] === 0) i++;
  const trimmed = value.subarray(i);
  // A leading 1 bit would make the INTEGER negative: prefix a zero byte.
  const body = trimmed[0]! & 0x80 ? concat([new Uint8Array([0]), trimmed]) : trimmed;
  return concat([new Uint8Array([0x02]), derLength(body.length), body]);
}

function derLength(length: number): Bytes {
  if (length < 0x80) return new Uint8Array([length]);
  if (length < 0x100) return new Uint8Array([0x81, length]);
  return new Uint8Array([0x82, length >> 8, length & 0xff]);
}

/** P1363 `r || s` to DER. */
export function p1363ToDer(signature: Uint8Array): Bytes {
  const half = signature.length / 2;
  const body = concat([derInteger(signature.subarray(0, half)), derInteger(signature.subarray(half))]);
  return concat([new Uint8Array([0x30]), derLength(body.length), body]);
}

/** DER to P1363 with `size`-byte halves; undefined for anything that is not a well-formed signature. */
export function derToP1363(der: Uint8Array, size: number): Bytes | undefined {
  let pos = 0;
  const readLength = (): number | undefined => {
    const first = der[pos++];
    if (first === undefined) return undefined;
    if (first < 0x80) return first;
    const count = first & 0x7f;
    if (count === 0 || count > 2) return undefined;
    let length = 0;
    for (let i = 0; i < count; i++) {
      const b = der[pos++];
      if (b === undefined) return undefined;
      length = (length << 8) | b;
    }
    return length < 0x80 ? undefined : length; // non-minimal length encodings are not DER
  };
  if (der[pos++] !== 0x30) return undefined;
  const seqLength = readLength();
  if (seqLength === undefined || pos + seqLength !== der.length) return undefined;
  const out = new Uint8Array(size * 2);
  for (let k = 0; k < 2; k++) {
    if (der[pos++] !== 0x02) return undefined;
    const length = readLength();
    if (length === undefined || length === 0 || pos + length > der.length) return undefined;
    let value = der.subarray(pos, pos + length);
    pos += length;
    if (value[0]! & 0x80) return undefined; // negative
    if (value.length > 1 && value[0] === 0 && !(value[1]! & 0x80)) return undefined; // non-minimal
    if (value[0] === 0) value = value.subarray(1);
    if (value.length > size) return undefined;
    out.set(value, k * size + size - value.length);
  }
  return pos === der.length ? out : undefined;
}
