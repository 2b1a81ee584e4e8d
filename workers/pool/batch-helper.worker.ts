/**
 * A batch helper: one of the kit worker's pool workers (batch-pool.ts). It encrypts and decrypts
 * its share of a kit.encryptMany / kit.decryptMany batch with hierarchical keyrings whose branch
 * keys come from the kit worker (non-extractable CryptoKeys), so it needs no KMS, no IndexedDB and
 * never sees key bytes. Messages it cannot decrypt with branch keys (those of kit.encrypt, wrapped
 * by KMS keys) are handed back for the kit worker to decrypt.
 */
import { expose, transfer, wrap, type Remote } from 'comlink';
import { createIncrementalHash, decryptMany, EnvelopeError, ErrorCode, generateSigningKey, rangeError, type BranchKeySource, type Keyring } from '../../src/core/index.js';
import { batchRecordError, branchKeyStoreNames, ownedBytes, toWireError, type BatchDecryptResult } from '../../src/client/protocol.js';
import { BATCH_CONCURRENCY, encryptRecords } from '../kit-batches.js';
import { KitBranchKeys } from '../kit-branch-keys.js';
import { HASH_DIGEST, HASH_END } from '../../src/client/port-hash.js';
import { HELPER_READY, type BatchHelperApi, type HelperKeySource, type NotForHelper } from './helper-api.js';

/** Most signing keys one request may ask for. */
const MAX_SIGNING_KEYS = 64;

let branchKeys: KitBranchKeys | undefined;

/** Marks a message without a branch key copy: the kit worker decrypts it with its KMS keyrings. */
class NotForHelperError extends Error {}

const notHere: Keyring = {
  onEncrypt: async () => {
    throw new EnvelopeError(ErrorCode.KEYRING_FAILURE, 'a batch helper encrypts with branch keys only');
  },
  onDecrypt: async () => {
    throw new NotForHelperError();
  },
};

function ready(): KitBranchKeys {
  if (!branchKeys) throw new Error('the batch helper was not initialised');
  return branchKeys;
}

const api: BatchHelperApi = {
  async init(keys, kitName) {
    const remote: Remote<HelperKeySource> = wrap<HelperKeySource>(keys);
    const { logicalKeyStoreName } = branchKeyStoreNames(kitName);
    const source = (ttlSeconds: number): BranchKeySource => ({
      logicalKeyStoreName,
      getActiveKey: (id) => remote.materials(id, undefined, ttlSeconds),
      getKeyVersion: (id, version) => remote.materials(id, version, ttlSeconds),
    });
    branchKeys = KitBranchKeys.remote(kitName, source);
  },

  async encryptMany(records, options) {
    try {
      const keyring = await ready().keyring(options.branchKeyId, options.ttlSeconds);
      const messages = await encryptRecords(records, { keyring, encryptionContext: options.encryptionContext, suiteId: options.suiteId });
      return transfer({ messages }, messages.map((m) => m.buffer));
    } catch (error) {
      return { error: toWireError(error) };
    }
  },

  async decryptMany(messages, encryptionContext) {
    const keyring = ready().decryptingKeyring(notHere);
    const results = await decryptMany(keyring, messages, { encryptionContext, concurrency: BATCH_CONCURRENCY });
    const out = results.map((r, i): BatchDecryptResult | NotForHelper => {
      if ('plaintext' in r) return { plaintext: ownedBytes(r.plaintext) };
      return r.error instanceof NotForHelperError ? { elsewhere: true, message: messages[i]! } : { error: batchRecordError(r.error) };
    });
    const buffers = new Set(out.flatMap((r) => ('plaintext' in r ? [r.plaintext.buffer] : 'message' in r ? [r.message.buffer] : [])));
    return transfer(out, [...buffers]);
  },

  async hashSession(port, hash) {
    const hasher = await createIncrementalHash(hash);
    port.onmessage = ({ data }: MessageEvent<unknown>) => {
      if (data instanceof Uint8Array) {
        hasher.update(data);
        // The buffer goes back to the kit worker's ring (offload.ts), which waits for it when full.
        port.postMessage(data.buffer, [data.buffer]);
        return;
      }
      if (data === HASH_DIGEST) {
        const digest = hasher.digest();
        port.postMessage(digest, [digest.buffer]);
      } else if (data !== HASH_END) {
        port.postMessage({ error: toWireError(new TypeError('a hash session takes bytes, then digest or end')) });
      }
      port.onmessage = null;
      port.close();
    };
  },

  async signingKeys(curve, count) {
    if (!Number.isInteger(count) || count < 1 || count > MAX_SIGNING_KEYS) throw rangeError('count', `must be an integer from 1 to ${MAX_SIGNING_KEYS}`);
    // Non-extractable: structured clone keeps them so in the kit worker.
    return Promise.all(Array.from({ length: count }, () => generateSigningKey(curve)));
  },
};

expose(api);
// Only now may the pool send work (see HELPER_READY).
self.postMessage(HELPER_READY);
