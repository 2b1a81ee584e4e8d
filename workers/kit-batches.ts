/**
 * `encryptMany` / `decryptMany` in the worker: many small records, one message each, with a bounded
 * number in flight. Every message is a chain of WebCrypto calls (key derivation, header tag, frame),
 * each of which waits on the browser's crypto threads; overlapping messages keeps those threads
 * busy, and the bound keeps memory and the crypto queue from growing with the batch size.
 */
import { decrypt, encrypt, type Keyring } from '../src/core/index.js';
import type { SuiteId } from '../src/core/suites.js';
import { runPool } from '../src/core/body.js';
import type { EncryptionContext } from '../src/core/types.js';
import { batchRecordError, ownedBytes, type BatchDecryptResult } from '../src/protocol.js';

/**
 * Messages in flight at once. On 2 cores 8 beat 32 and 128 (bench/batches.mjs: ~9.0k vs ~7.7k
 * and ~8.6k encrypts/s): more in flight only lengthens the crypto queue and the GC's work.
 */
export const BATCH_CONCURRENCY = 8;

/** Options the worker has resolved for one encrypt batch. */
export interface EncryptBatch {
  readonly keyring: Keyring;
  readonly encryptionContext: EncryptionContext;
  readonly suiteId?: SuiteId;
}

/**
 * One message per record, in record order. Each plaintext record is the worker's own (it was
 * transferred) and is zeroed once encrypted, so no plaintext outlives the batch here.
 */
export async function encryptRecords(records: readonly Uint8Array[], batch: EncryptBatch): Promise<Uint8Array<ArrayBuffer>[]> {
  const out = new Array<Uint8Array<ArrayBuffer>>(records.length);
  const options = { encryptionContext: batch.encryptionContext, suiteId: batch.suiteId };
  try {
    await runPool(records.length, BATCH_CONCURRENCY, async (i) => {
      const record = records[i]!;
      const { ciphertext } = await encrypt(batch.keyring, record, options);
      out[i] = ownedBytes(ciphertext);
    });
  } finally {
    for (const record of records) record.fill(0);
  }
  return out;
}

/** Each message on its own: a failure becomes that record's `{ error }`, never the batch's. */
export async function decryptRecords(messages: readonly Uint8Array[], keyring: Keyring, encryptionContext: EncryptionContext | undefined): Promise<BatchDecryptResult[]> {
  const out = new Array<BatchDecryptResult>(messages.length);
  const options = { encryptionContext };
  await runPool(messages.length, BATCH_CONCURRENCY, async (i) => {
    try {
      const { plaintext } = await decrypt(keyring, messages[i]!, options);
      out[i] = { plaintext: ownedBytes(plaintext) };
    } catch (error) {
      out[i] = { error: batchRecordError(error) };
    }
  });
  return out;
}
