/**
 * The WebCrypto floor of bench/batches.mjs: the minimum WebCrypto work of one 0x0478 message with
 * one hierarchical encrypted data key, and nothing else (no options, header parsing, materials or
 * error handling), at the kit's batch concurrency. floor-worker.ts runs it in a worker of its own,
 * as lean as the kit's; worker.ts counts its calls.
 */
import { transfer } from 'comlink';
import { serializeContext } from '../../src/core/encryption-context.js';
import { frameAad, runPool } from '../../src/core/body.js';
import { BATCH_CONCURRENCY } from '../../workers/kit-batches.js';

const CONTEXT = { tenant: 'bench' };
const subtle = crypto.subtle;
const utf8 = (s: string) => new TextEncoder().encode(s);

/**
 * The byte sizes of the kit's messages in this benchmark (branch key ids are UUIDs, the context is
 * CONTEXT), so that every floor call gets inputs of the kit's sizes.
 */
const ID_LENGTH = 36;
const CONTEXT_LENGTH = serializeContext(CONTEXT).length;
const EDK_LENGTH = 16 + 12 + 16 + 32 + 16;
const WRAP_AAD_LENGTH = 'aws-kms-hierarchy'.length + ID_LENGTH + 16 + CONTEXT_LENGTH;
// v2 header body: version, suite, message id, AAD length, AAD, EDK count, one EDK, content type, frame length, commitment key.
export const BODY_LENGTH = 1 + 2 + 32 + 2 + CONTEXT_LENGTH + 2 + (2 + 17 + 2 + ID_LENGTH + 2 + EDK_LENGTH) + 1 + 4 + 32;
const EDK_AT = BODY_LENGTH - 32 - 5 - EDK_LENGTH;
const COMMIT_AT = BODY_LENGTH - 32;
const FRAME_AT = BODY_LENGTH + 16;
const KDF_PREFIX = new Uint8Array([0, 0, 0, 1, ...utf8('aws-kms-hierarchy'), 0]);
export const DERIVE_INFO = new Uint8Array([0x04, 0x78, ...utf8('DERIVEKEY')]);
export const COMMIT_INFO = utf8('COMMITKEY');
export const ZERO_IV = new Uint8Array(12);
export const FINAL_IV = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);

let floorKey: Promise<CryptoKey> | undefined;
export const floorBranchKey = () => (floorKey ??= subtle.importKey('raw', crypto.getRandomValues(new Uint8Array(32)), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']));
export const wrapAad = crypto.getRandomValues(new Uint8Array(WRAP_AAD_LENGTH));

export function kdfInput(salt: Uint8Array): Uint8Array<ArrayBuffer> {
  const input = new Uint8Array(KDF_PREFIX.length + 16 + 4);
  input.set(KDF_PREFIX);
  input.set(salt, KDF_PREFIX.length);
  input.set([0, 0, 1, 0], KDF_PREFIX.length + 16);
  return input;
}

/**
 * The minimum a 0x0478 message with one hierarchical EDK asks of WebCrypto, with nothing around it:
 * HMAC (wrapping key) -> importKey -> AES-GCM (wrap); importKey (HKDF) -> deriveKey + deriveBits;
 * AES-GCM header tag over a header-sized AAD; AES-GCM of the record. 8 calls. Randomness comes from
 * one getRandomValues per batch. The output has the kit's message length and keeps each part at the
 * kit's offset, so the floor decrypt below reads what this wrote; nothing else is serialized.
 */
async function floorEncryptOne(branchKey: CryptoKey, record: Uint8Array<ArrayBuffer>, random: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const out = new Uint8Array(FRAME_AT + 24 + record.length + 16);
  const dataKey = random.subarray(0, 32);
  out.set(random.subarray(32, 64), 3); // message id
  out.set(random.subarray(64, 92), EDK_AT); // salt | IV
  const messageId = out.subarray(3, 35);
  const ikm = subtle.importKey('raw', dataKey, 'HKDF', false, ['deriveKey', 'deriveBits']);
  const wrap = (async () => {
    const derived = await subtle.sign('HMAC', branchKey, kdfInput(out.subarray(EDK_AT, EDK_AT + 16)));
    const wrappingKey = await subtle.importKey('raw', derived, 'AES-GCM', false, ['encrypt']);
    const sealed = await subtle.encrypt({ name: 'AES-GCM', iv: out.subarray(EDK_AT + 16, EDK_AT + 28), additionalData: wrapAad }, wrappingKey, dataKey);
    out.set(new Uint8Array(sealed), EDK_AT + 44);
  })();
  const key = await ikm;
  const [contentKey, commitKey] = await Promise.all([
    subtle.deriveKey({ name: 'HKDF', hash: 'SHA-512', salt: messageId, info: DERIVE_INFO }, key, { name: 'AES-GCM', length: 256 }, false, ['encrypt']),
    subtle.deriveBits({ name: 'HKDF', hash: 'SHA-512', salt: messageId, info: COMMIT_INFO }, key, 256),
  ]);
  const frame = subtle.encrypt({ name: 'AES-GCM', iv: FINAL_IV, additionalData: frameAad(messageId, 'final', 1, record.length) }, contentKey, record);
  out.set(new Uint8Array(commitKey), COMMIT_AT);
  await wrap;
  out.set(new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv: ZERO_IV, additionalData: out.subarray(0, BODY_LENGTH) }, contentKey, new Uint8Array(0))), BODY_LENGTH);
  out.set(new Uint8Array(await frame), FRAME_AT + 24);
  random.fill(0);
  return out;
}

/**
 * The decrypt floor: HMAC -> importKey -> unwrapKey (straight into HKDF); deriveKey + deriveBits and
 * a constant-time commitment check; AES-GCM header tag; AES-GCM of the record. 7 calls.
 */
async function floorDecryptOne(branchKey: CryptoKey, message: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const messageId = message.subarray(3, 35);
  const derived = await subtle.sign('HMAC', branchKey, kdfInput(message.subarray(EDK_AT, EDK_AT + 16)));
  const wrappingKey = await subtle.importKey('raw', derived, 'AES-GCM', false, ['unwrapKey']);
  const unwrap = { name: 'AES-GCM', iv: message.subarray(EDK_AT + 16, EDK_AT + 28), additionalData: wrapAad };
  const ikm = await subtle.unwrapKey('raw', message.subarray(EDK_AT + 44, EDK_AT + 92), wrappingKey, unwrap, 'HKDF', false, ['deriveKey', 'deriveBits']);
  const [contentKey, commitKey] = await Promise.all([
    subtle.deriveKey({ name: 'HKDF', hash: 'SHA-512', salt: messageId, info: DERIVE_INFO }, ikm, { name: 'AES-GCM', length: 256 }, false, ['decrypt']),
    subtle.deriveBits({ name: 'HKDF', hash: 'SHA-512', salt: messageId, info: COMMIT_INFO }, ikm, 256),
  ]);
  const commit = new Uint8Array(commitKey);
  let diff = 0;
  for (let i = 0; i < 32; i++) diff |= commit[i]! ^ message[COMMIT_AT + i]!;
  if (diff !== 0) throw new Error('floor: commitment mismatch');
  await subtle.decrypt({ name: 'AES-GCM', iv: ZERO_IV, additionalData: message.subarray(0, BODY_LENGTH) }, contentKey, message.subarray(BODY_LENGTH, BODY_LENGTH + 16));
  const length = message.length - FRAME_AT - 24 - 16;
  return new Uint8Array(await subtle.decrypt({ name: 'AES-GCM', iv: FINAL_IV, additionalData: frameAad(messageId, 'final', 1, length) }, contentKey, message.subarray(FRAME_AT + 24)));
}

/** One floor encrypt batch, at the kit's concurrency; `ms` is the time inside this worker. */
export async function floorEncrypt(records: Uint8Array<ArrayBuffer>[]) {
  const branchKey = await floorBranchKey();
  const t0 = performance.now();
  const pool = crypto.getRandomValues(new Uint8Array(Math.min(65536, 92 * records.length)));
  let at = pool.length;
  const out = new Array<Uint8Array<ArrayBuffer>>(records.length);
  await runPool(records.length, BATCH_CONCURRENCY, async (i) => {
    if (at + 92 > pool.length) {
      crypto.getRandomValues(pool);
      at = 0;
    }
    const random = pool.slice(at, at + 92);
    pool.fill(0, at, (at += 92));
    out[i] = await floorEncryptOne(branchKey, records[i]!, random);
  });
  const ms = performance.now() - t0;
  for (const record of records) record.fill(0);
  return transfer({ messages: out, ms }, out.map((m) => m.buffer));
}

export async function floorDecrypt(messages: Uint8Array<ArrayBuffer>[]) {
  const branchKey = await floorBranchKey();
  const t0 = performance.now();
  const out = new Array<Uint8Array<ArrayBuffer>>(messages.length);
  await runPool(messages.length, BATCH_CONCURRENCY, async (i) => {
    out[i] = await floorDecryptOne(branchKey, messages[i]!);
  });
  const ms = performance.now() - t0;
  return transfer({ plaintexts: out, ms }, out.map((m) => m.buffer));
}
