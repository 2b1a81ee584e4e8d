/**
 * The CiphertextBlob of symmetric encryption. AWS KMS's own format is undocumented; ours records
 * what Decrypt needs to find the key and the exact key material version without a KeyId, so every
 * material a key ever had keeps decrypting after rotation, and a multi-Region key's replica (same
 * key id, same material ids) decrypts what its primary made.
 *
 *   offset  size  field
 *   0       1     format version, 0x01
 *   1       1     length L of the key id (36 for a UUID and for `mrk-` + 32 hex)
 *   2       L     key id, ASCII
 *   2+L     32    key material id (the raw bytes of the 64-hex-digit KeyMaterialId)
 *   34+L    12    AES-GCM IV, random
 *   46+L    n+16  AES-256-GCM ciphertext and tag
 *
 * AAD = bytes 0 .. 46+L (the whole header) || the encoded encryption context
 * (encryption-context.ts), so neither the key reference nor the context can be swapped.
 */
import { concat, utf8 } from '../../core/bytes.js';
import type { Bytes } from '../../core/types.js';
import { kmsError } from '../errors.js';

const VERSION = 0x01;
const MATERIAL_ID_BYTES = 32;
export const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface ParsedBlob {
  readonly keyId: string;
  readonly materialId: string;
  readonly iv: Bytes;
  readonly header: Bytes;
  readonly sealed: Bytes;
}

const invalid = () => kmsError('InvalidCiphertextException', 'The ciphertext is not a valid ciphertext blob for a symmetric KMS key.');

export function hexToBytes(hex: string): Bytes {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function bytesToHex(bytes: Uint8Array): string {
  let hex = '';
  for (const b of bytes) hex += b.toString(16).padStart(2, '0');
  return hex;
}

/** The header (also the first part of the AAD) for a new ciphertext. */
export function blobHeader(keyId: string, materialId: string, iv: Uint8Array): Bytes {
  const id = utf8(keyId);
  return concat([new Uint8Array([VERSION, id.length]), id, hexToBytes(materialId), iv]);
}

export function assembleBlob(header: Uint8Array, sealed: Uint8Array): Bytes {
  return concat([header, sealed]);
}

/** Splits a blob; anything malformed is an InvalidCiphertextException, as AWS answers. */
export function parseBlob(blob: Uint8Array): ParsedBlob {
  if (blob.length < 2 || blob[0] !== VERSION) throw invalid();
  const idLength = blob[1]!;
  const headerLength = 2 + idLength + MATERIAL_ID_BYTES + IV_BYTES;
  if (idLength === 0 || blob.length < headerLength + TAG_BYTES) throw invalid();
  let keyId = '';
  for (let i = 2; i < 2 + idLength; i++) {
    const c = blob[i]!;
    if (c < 0x21 || c > 0x7e) throw invalid();
    keyId += String.fromCharCode(c);
  }
  const materialId = bytesToHex(blob.subarray(2 + idLength, 2 + idLength + MATERIAL_ID_BYTES));
  const iv = blob.slice(2 + idLength + MATERIAL_ID_BYTES, headerLength) as Bytes;
  return { keyId, materialId, iv, header: blob.slice(0, headerLength) as Bytes, sealed: blob.slice(headerLength) as Bytes };
}
