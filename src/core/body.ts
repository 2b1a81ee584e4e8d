/**
 * The message body: framed on encrypt and decrypt, non-framed on decrypt only
 * (spec: data-format/message-body.md and message-body-aad.md).
 *
 * Regular frame: sequence number (4) | IV (12) | content (frame length) | tag (16)
 * Final frame:   0xFFFFFFFF (4) | sequence number (4) | IV (12) | content length (4) | content | tag (16)
 * Non-framed:    IV (12) | content length (8) | content | tag (16)
 * Each frame's AAD: message id | body AAD content string | sequence number (4) | content length (8).
 */
import type { Bytes } from './types.js';
import { sequenceIv, type AeadKey } from './aes-gcm.js';
import { utf8 } from './bytes.js';
import { EnvelopeError, ErrorCode, malformed } from './errors.js';

const FRAME_STRING = utf8('AWSKMSEncryptionClient Frame');
const FINAL_FRAME_STRING = utf8('AWSKMSEncryptionClient Final Frame');
const SINGLE_BLOCK_STRING = utf8('AWSKMSEncryptionClient Single Block');

/** The end-of-frames marker that starts a final frame. */
export const FINAL_FRAME_MARKER = 0xffffffff;
const TAG = 16;
const IV = 12;
/** Bytes a regular frame adds to its content: sequence number, IV, tag. */
export const REGULAR_FRAME_OVERHEAD = 4 + IV + TAG;
/** Bytes a final frame adds to its content: marker, sequence number, IV, content length, tag. */
export const FINAL_FRAME_OVERHEAD = 4 + 4 + IV + 4 + TAG;
/** The largest non-framed content the format allows (2^36 - 32 bytes). */
const MAX_NON_FRAMED = 2 ** 36 - 32;

/**
 * The frame length used when the caller gives none, chosen from `npm run bench` (frame-length sweep,
 * suite 0x0478, headless Chromium, two runs): 256 KiB frames were fastest on 64 MiB (699/679 MiB/s
 * encrypt/decrypt against 603/555 for 64 KiB and 277/300 for 4 KiB) and as fast as any on 1 MiB,
 * while a stream holds at most FRAME_CONCURRENCY frames (2 MiB). The specification's default is
 * 4096 (client-apis/encrypt.md); the frame length travels in the header, so every ESDK reads both.
 */
export const DEFAULT_FRAME_LENGTH = 262144;

/** How many frames are encrypted or decrypted at once in one-shot calls (WebCrypto is async). */
export const FRAME_CONCURRENCY = 8;

export type FrameKind = 'regular' | 'final' | 'single';

/** The AAD of one frame. */
export function frameAad(messageId: Uint8Array, kind: FrameKind, sequenceNumber: number, contentLength: number): Bytes {
  const label = kind === 'regular' ? FRAME_STRING : kind === 'final' ? FINAL_FRAME_STRING : SINGLE_BLOCK_STRING;
  const aad = new Uint8Array(messageId.length + label.length + 12);
  aad.set(messageId, 0);
  aad.set(label, messageId.length);
  const view = new DataView(aad.buffer, messageId.length + label.length);
  view.setUint32(0, sequenceNumber);
  view.setUint32(4, Math.floor(contentLength / 2 ** 32));
  view.setUint32(8, contentLength >>> 0);
  return aad;
}

/** Runs `task(0..count-1)` with at most `concurrency` in flight; rejects with the first failure. */
export async function runPool(count: number, concurrency: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const lane = async (): Promise<void> => {
    while (!failed && next < count) {
      const index = next++;
      try {
        await task(index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
}

/** Number of frames a plaintext of `length` bytes takes; the last one is the final frame. */
export function frameCount(length: number, frameLength: number): number {
  return Math.max(1, Math.ceil(length / frameLength));
}

/** Serialized body length for a plaintext of `length` bytes. */
export function framedBodyLength(length: number, frameLength: number): number {
  const frames = frameCount(length, frameLength);
  return length + (frames - 1) * REGULAR_FRAME_OVERHEAD + FINAL_FRAME_OVERHEAD;
}

/**
 * Encrypts one frame and writes it, serialized, into `out` at `offset`.
 * A plaintext that fills its last frame exactly ends with a full final frame (no empty frame).
 */
export async function encryptFrameInto(
  key: AeadKey,
  messageId: Uint8Array,
  sequenceNumber: number,
  content: Uint8Array,
  final: boolean,
  out: Uint8Array,
  offset: number,
): Promise<void> {
  const iv = sequenceIv(sequenceNumber);
  const sealed = await key.encrypt(iv, content, frameAad(messageId, final ? 'final' : 'regular', sequenceNumber, content.length));
  const view = new DataView(out.buffer, out.byteOffset);
  if (final) {
    view.setUint32(offset, FINAL_FRAME_MARKER);
    offset += 4;
  }
  view.setUint32(offset, sequenceNumber);
  out.set(iv, offset + 4);
  offset += 4 + IV;
  if (final) {
    view.setUint32(offset, content.length);
    offset += 4;
  }
  out.set(sealed, offset);
}

/** Throws LIMIT_EXCEEDED when a plaintext needs more frames than sequence numbers exist. */
export function checkFrameCount(length: number, frameLength: number): void {
  const frames = frameCount(length, frameLength);
  if (frames > FINAL_FRAME_MARKER - 1) {
    throw new EnvelopeError(ErrorCode.LIMIT_EXCEEDED, `the plaintext needs ${frames} frames; at most 4,294,967,294 fit: use a larger frameLength`);
  }
}

/**
 * Encrypts one frame for a stream: returns the frame's fields before the content (sequence number,
 * IV, and for the final frame the marker and content length) and the sealed content + tag as they
 * come from the cipher, so a stream can release both without copying the content again.
 */
export async function sealFrame(
  key: AeadKey,
  messageId: Uint8Array,
  sequenceNumber: number,
  content: Uint8Array,
  final: boolean,
): Promise<[prefix: Bytes, sealed: Bytes]> {
  const iv = sequenceIv(sequenceNumber);
  const sealed = key.encrypt(iv, content, frameAad(messageId, final ? 'final' : 'regular', sequenceNumber, content.length));
  const prefix = new Uint8Array(final ? 24 : 16);
  const view = new DataView(prefix.buffer);
  let at = 0;
  if (final) {
    view.setUint32(0, FINAL_FRAME_MARKER);
    at = 4;
  }
  view.setUint32(at, sequenceNumber);
  prefix.set(iv, at + 4);
  if (final) view.setUint32(20, content.length);
  return [prefix, await sealed];
}

/** Encrypts a whole plaintext into a framed body written into `out` from `offset` on. */
export async function encryptFramedBody(
  key: AeadKey,
  messageId: Uint8Array,
  plaintext: Uint8Array,
  frameLength: number,
  out: Uint8Array,
  offset: number,
): Promise<void> {
  const frames = frameCount(plaintext.length, frameLength);
  await runPool(frames, FRAME_CONCURRENCY, (i) => {
    const start = i * frameLength;
    const final = i === frames - 1;
    const content = plaintext.subarray(start, final ? plaintext.length : start + frameLength);
    return encryptFrameInto(key, messageId, i + 1, content, final, out, offset + i * (frameLength + REGULAR_FRAME_OVERHEAD));
  });
}

/** Where one frame's parts are in the message bytes. */
export interface FrameLocation {
  readonly sequenceNumber: number;
  readonly kind: FrameKind;
  readonly ivOffset: number;
  readonly contentOffset: number;
  readonly contentLength: number;
}

export type ScanResult =
  | { readonly done: true; readonly frame?: FrameLocation; readonly end: number }
  | { readonly done: false; readonly frame: FrameLocation; readonly end: number }
  | undefined;

const u32 = (b: Uint8Array, o: number): number => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;

/**
 * Reads the next frame at `offset`. Returns undefined when `bytes` ends before the frame does
 * (streams wait for more), throws MALFORMED_MESSAGE on a wrong sequence number or a length
 * larger than the header allows. `done` is true after the final frame.
 */
export function scanFrame(bytes: Uint8Array, offset: number, expectedSequence: number, frameLength: number): ScanResult {
  if (offset + 4 > bytes.length) return undefined;
  const first = u32(bytes, offset);
  if (first === FINAL_FRAME_MARKER) {
    if (offset + 4 + 4 + IV + 4 > bytes.length) return undefined;
    const sequenceNumber = u32(bytes, offset + 4);
    if (sequenceNumber !== expectedSequence) malformed(`final frame has sequence number ${sequenceNumber}, expected ${expectedSequence}`);
    const contentLength = u32(bytes, offset + 8 + IV);
    if (contentLength > frameLength) malformed(`final frame content length ${contentLength} exceeds the frame length ${frameLength}`);
    const contentOffset = offset + 8 + IV + 4;
    const end = contentOffset + contentLength + TAG;
    if (end > bytes.length) return undefined;
    return { done: true, frame: { sequenceNumber, kind: 'final', ivOffset: offset + 8, contentOffset, contentLength }, end };
  }
  if (first !== expectedSequence) malformed(`frame has sequence number ${first}, expected ${expectedSequence}`);
  if (expectedSequence === FINAL_FRAME_MARKER - 1) malformed('the message has too many frames');
  const contentOffset = offset + 4 + IV;
  const end = contentOffset + frameLength + TAG;
  if (end > bytes.length) return undefined;
  return { done: false, frame: { sequenceNumber: first, kind: 'regular', ivOffset: offset + 4, contentOffset, contentLength: frameLength }, end };
}

/** Reads a non-framed body at `offset`; undefined when more bytes are needed. */
export function scanNonFramed(bytes: Uint8Array, offset: number): { frame: FrameLocation; end: number } | undefined {
  if (offset + IV + 8 > bytes.length) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset + IV, 8);
  const contentLength = view.getUint32(0) * 2 ** 32 + view.getUint32(4);
  if (contentLength > MAX_NON_FRAMED) malformed('the non-framed content length exceeds the format limit of 2^36 - 32 bytes');
  const contentOffset = offset + IV + 8;
  const end = contentOffset + contentLength + TAG;
  if (end > bytes.length) return undefined;
  return { frame: { sequenceNumber: 1, kind: 'single', ivOffset: offset, contentOffset, contentLength }, end };
}

/** Decrypts one located frame; a bad tag becomes INTEGRITY_FAILURE. */
export async function decryptFrame(key: AeadKey, messageId: Uint8Array, bytes: Uint8Array, frame: FrameLocation): Promise<Bytes> {
  const iv = bytes.subarray(frame.ivOffset, frame.ivOffset + IV);
  const sealed = bytes.subarray(frame.contentOffset, frame.contentOffset + frame.contentLength + TAG);
  try {
    return await key.decrypt(iv, sealed, frameAad(messageId, frame.kind, frame.sequenceNumber, frame.contentLength));
  } catch {
    throw new EnvelopeError(ErrorCode.INTEGRITY_FAILURE, `frame ${frame.sequenceNumber} failed authentication: the message was altered or the data key is wrong`);
  }
}
