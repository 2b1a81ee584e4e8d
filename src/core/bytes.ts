/** Small byte helpers: no Buffer, no Node built-ins, so the core runs in browsers and workers. */
import type { Bytes } from './types.js';
import { typeError } from './errors.js';

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true });

export function utf8(text: string): Bytes {
  return encoder.encode(text) as Bytes;
}

/** Decodes UTF-8, throwing on invalid sequences (the message format requires valid UTF-8). */
export function fromUtf8(bytes: Uint8Array): string {
  return strictDecoder.decode(bytes);
}

export function concat(parts: readonly Uint8Array[]): Bytes {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** A copy backed by its own ArrayBuffer (WebCrypto and transfer want exactly that). */
export function copyBytes(bytes: Uint8Array): Bytes {
  return new Uint8Array(bytes) as Bytes;
}

/** The same bytes as an ArrayBuffer-backed view, copying only when they live in something else. */
export function asBytes(bytes: Uint8Array): Bytes {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Bytes) : copyBytes(bytes);
}

export function randomBytes(length: number): Bytes {
  const out = new Uint8Array(length);
  // getRandomValues is limited to 65,536 bytes per call.
  for (let offset = 0; offset < length; offset += 65536) {
    crypto.getRandomValues(out.subarray(offset, Math.min(length, offset + 65536)));
  }
  return out;
}

/**
 * Compares in time independent of where the first difference is (commitment keys, tags).
 * Lengths are public, so a length mismatch may return early.
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

/** Overwrites temporary key bytes so they do not linger in memory longer than needed. */
export function zero(bytes: Uint8Array | undefined): void {
  bytes?.fill(0);
}

export function uint16(value: number): Bytes {
  return new Uint8Array([(value >>> 8) & 0xff, value & 0xff]);
}

export function uint32(value: number): Bytes {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value);
  return out;
}

export function uint64(value: number): Bytes {
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  view.setUint32(0, Math.floor(value / 2 ** 32));
  view.setUint32(4, value >>> 0);
  return out;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * Standard base64 (RFC 4648 section 4, with padding) of `bytes`, as AWS KMS and the ESDK write
 * ciphertext blobs and public keys. Never throws; works in every runtime (no `btoa`/`Buffer`).
 *
 * @example
 * ```ts
 * import { toBase64 } from 'envelope-kit/core';
 * toBase64(new Uint8Array([1, 2, 3])); // 'AQID'
 * ```
 */
export function toBase64(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += BASE64[n >> 18]! + BASE64[(n >> 12) & 63]! + BASE64[(n >> 6) & 63]! + BASE64[n & 63]!;
  }
  if (i < bytes.length) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8);
    out += BASE64[n >> 18]! + BASE64[(n >> 12) & 63]!;
    out += i + 1 < bytes.length ? BASE64[(n >> 6) & 63]! + '=' : '==';
  }
  return out;
}

const BASE64_INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < BASE64.length; i++) BASE64_INDEX[BASE64.charCodeAt(i)] = i;

/**
 * Strict base64 decoding (standard alphabet, padding required); returns `undefined` on bad input
 * (wrong length, a character outside the alphabet), never throws.
 *
 * @example
 * ```ts
 * import { fromBase64 } from 'envelope-kit/core';
 * fromBase64('AQID'); // Uint8Array [1, 2, 3]
 * fromBase64('AQI'); // undefined
 * ```
 */
export function fromBase64(text: string): Bytes | undefined {
  if (text.length % 4 !== 0) return undefined;
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    let n = 0;
    for (let j = 0; j < 4; j++) {
      const c = text.charCodeAt(i + j);
      const isPad = c === 61 && i + j >= text.length - pad;
      const v = isPad ? 0 : c < 128 ? BASE64_INDEX[c]! : -1;
      if (v < 0) return undefined;
      n = (n << 6) | v;
    }
    if (o < out.length) out[o++] = (n >> 16) & 0xff;
    if (o < out.length) out[o++] = (n >> 8) & 0xff;
    if (o < out.length) out[o++] = n & 0xff;
  }
  return out;
}

/** Throws a TypeError naming `argument` unless `value` is a Uint8Array. */
export function assertBytes(value: unknown, argument: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw typeError(argument, 'a Uint8Array');
}
