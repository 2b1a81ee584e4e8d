/**
 * `encryptMany` / `decryptMany` in the worker: many small records, one message each, with a bounded
 * number in flight (the core's encryptMany / decryptMany). Every message is a chain of WebCrypto
 * calls; overlapping messages keeps the crypto threads and this thread busy, and the bound keeps
 * memory and the crypto queue from growing with the batch size. With the kit's hierarchical
 * keyrings the batch takes the core's batch path: the header and context are serialized once per
 * batch and each data key goes from its wrapped form straight into the key derivation.
 */
import { decryptMany, encryptMany, type EncryptionContext, type Keyring, type SuiteId } from '../src/core/index.js';
import { batchRecordError, ownedBytes, type BatchDecryptResult } from '../src/client/protocol.js';

/**
 * Messages in flight at once. The worker's own thread is the bottleneck (each WebCrypto call costs
 * it several microseconds; the crypto itself runs on other threads), so beyond a handful in flight
 * the rate is flat: `node bench/batches.mjs --concurrency-sweep` measured 4 to 64 within noise on 2
 * cores (2 was once slower for decrypt); 16, as ENCRYPT_MANY_CONCURRENCY.
 */
export const BATCH_CONCURRENCY = 16;

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
  try {
    const messages = await encryptMany(batch.keyring, records, { encryptionContext: batch.encryptionContext, suiteId: batch.suiteId, concurrency: BATCH_CONCURRENCY });
    return messages.map(ownedBytes);
  } finally {
    for (const record of records) record.fill(0);
  }
}

/** Each message on its own: a failure becomes that record's `{ error }`, never the batch's. */
export async function decryptRecords(messages: readonly Uint8Array[], keyring: Keyring, encryptionContext: EncryptionContext | undefined): Promise<BatchDecryptResult[]> {
  const results = await decryptMany(keyring, messages, { encryptionContext, concurrency: BATCH_CONCURRENCY });
  return results.map((r) => ('plaintext' in r ? { plaintext: ownedBytes(r.plaintext) } : { error: batchRecordError(r.error) }));
}
