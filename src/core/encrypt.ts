/** One-shot encryption (spec: client-apis/encrypt.md), of one message or of a batch. */
import type { Bytes, Keyring, MaterialsManager, MessageHeader } from './types.js';
import { assertBytes, zero } from './bytes.js';
import { checkFrameCount, encryptFrameInto, encryptFramedBody, framedBodyLength, runPool } from './body.js';
import { webCryptoAead } from './aes-gcm.js';
import { suiteForEncrypt } from './commitment.js';
import { rangeError, typeError } from './errors.js';
import { headerTemplate } from './header.js';
import { deriveCommittedKeys } from './kdf.js';
import { toMaterialsManager } from './materials-managers.js';
import { checkEncryptOptions, type CheckedEncryptOptions, type EncryptOptions } from './options.js';
import { prepareEncryption } from './prepare.js';
import { RandomPool } from './random-pool.js';
import type { BatchEncryptingKeyring, DataKeyWrapper } from './batch-keyrings.js';
import { SIGNATURE_LENGTH, signMessage } from './signature.js';
import { encryptSignedBody, INCREMENTAL_SIGNATURE_THRESHOLD } from './signed-body.js';
import type { AlgorithmSuite } from './suites.js';

/** The result of {@link encrypt}. */
export interface EncryptResult {
  /** The complete message in the AWS Encryption SDK format. */
  readonly ciphertext: Bytes;
  readonly header: MessageHeader;
}

/** Largest DER ECDSA signature for P-384 (two 49-byte integers with headers). */

/**
 * Encrypts `plaintext` under a fresh data key wrapped by the keyring (or the materials manager),
 * producing an AWS Encryption SDK message that any ESDK implementation can decrypt. The caller's
 * array is read, never changed or kept.
 *
 * @param keyringOrCmm - a keyring (RawAesKeyring, KmsKeyring, HierarchicalKeyring, ...) or a
 *   materials manager.
 * @param plaintext - the bytes to encrypt (up to 2^32 - 1 frames of `frameLength` bytes).
 * @param options - `encryptionContext` (authenticated, not secret, stored in the header), `suiteId`
 *   (default 0x0578), `frameLength` (default {@link DEFAULT_FRAME_LENGTH}), `commitmentPolicy`,
 *   `maxEncryptedDataKeys`.
 * @returns the message (`ciphertext`) and its parsed `header`.
 * @throws TypeError / RangeError (`code: 'INVALID_ARGUMENT'`) for a bad argument or option, naming
 *   it.
 * @throws {@link EnvelopeError} `COMMITMENT_POLICY_VIOLATION` or `UNSUPPORTED_SUITE` for a suite
 *   the policy refuses, `RESERVED_CONTEXT_KEY` for a context key starting `aws-crypto-`,
 *   `LIMIT_EXCEEDED`, `KEYRING_FAILURE` (a KMS keyring's, with the KMS's error as `cause`); and
 *   whatever else the keyring throws (a {@link BranchKeyStoreError} from a hierarchical keyring).
 *
 * @example
 * ```ts
 * import { encrypt, decrypt, RawAesKeyring } from 'envelope-kit/core';
 * const keyring = new RawAesKeyring({ keyNamespace: 'my-app', keyName: 'notes-key', wrappingKey: crypto.getRandomValues(new Uint8Array(32)) });
 * const { ciphertext, header } = await encrypt(keyring, new TextEncoder().encode('hello'), { encryptionContext: { user: 'alice' } });
 * if (header.suiteId !== 0x0578 || header.encryptionContext.user !== 'alice') throw new Error('unexpected header');
 * const { plaintext } = await decrypt(keyring, ciphertext, { encryptionContext: { user: 'alice' } });
 * if (new TextDecoder().decode(plaintext) !== 'hello') throw new Error('round trip failed');
 * ```
 */
export async function encrypt(keyringOrCmm: Keyring | MaterialsManager, plaintext: Uint8Array, options?: EncryptOptions): Promise<EncryptResult> {
  assertBytes(plaintext, 'plaintext');
  const cmm = toMaterialsManager(keyringOrCmm);
  return encryptChecked(cmm, plaintext, checkEncryptOptions(options));
}

async function encryptChecked(cmm: MaterialsManager, plaintext: Uint8Array, checked: CheckedEncryptOptions): Promise<EncryptResult> {
  // Before any materials are asked for (a KMS call): a plaintext the format cannot hold.
  checkFrameCount(plaintext.length, checked.frameLength);
  // With a signatureHasher, a large message is hashed frame by frame (elsewhere, while the frames are
  // encrypted here) and its digest signed in JavaScript, which needs the signing key's scalar:
  // materials managers give an extractable key to requests marked streaming. Without one, WebCrypto
  // signs the whole message in one call (see INCREMENTAL_SIGNATURE_THRESHOLD for why).
  const incremental = checked.signatureHasher !== undefined && plaintext.length >= INCREMENTAL_SIGNATURE_THRESHOLD;
  const prepared = await prepareEncryption(cmm, undefined, plaintext.length, incremental, checked);
  const { headerLength, suite } = prepared;
  const bodyLength = framedBodyLength(plaintext.length, prepared.frameLength);
  const unsignedLength = headerLength + bodyLength;
  // Room for the footer at its usual length (footerSignature): only a rare shorter one costs a copy.
  const out = new Uint8Array(unsignedLength + (suite.signature ? 2 + SIGNATURE_LENGTH[suite.signature.curve] : 0));
  let signature: Bytes;
  if (suite.signature && incremental && prepared.signingKey!.privateKey.extractable) {
    signature = await encryptSignedBody({ ...prepared, signingKey: prepared.signingKey!, signatureHasher: checked.signatureHasher }, plaintext, out.subarray(0, unsignedLength), headerLength);
  } else {
    const [headerBytes] = await Promise.all([
      prepared.headerBytes,
      encryptFramedBody(prepared.key, prepared.messageId, plaintext, prepared.frameLength, out, headerLength),
    ]);
    out.set(headerBytes, 0);
    if (!suite.signature) return { ciphertext: out, header: prepared.header };
    signature = await signMessage(prepared.signingKey!, suite.signature.curve, suite.signature.hash, out.subarray(0, unsignedLength));
  }
  // footerSignature never exceeds SIGNATURE_LENGTH: the footer fits the room made for it.
  const length = unsignedLength + 2 + signature.length;
  new DataView(out.buffer).setUint16(unsignedLength, signature.length);
  out.set(signature, unsignedLength + 2);
  return { ciphertext: length === out.length ? out : shrink(out, length), header: prepared.header };
}

/** The first `length` bytes as an array of exactly that size, without a copy where the engine can. */
function shrink(bytes: Bytes, length: number): Bytes {
  const buffer = bytes.buffer as ArrayBuffer & { transfer?: (length: number) => ArrayBuffer };
  return typeof buffer.transfer === 'function' ? new Uint8Array(buffer.transfer(length)) : bytes.slice(0, length);
}

/** Options of {@link encryptMany}: those of {@link encrypt}, the same for every message, and how many run at once. */
export interface EncryptManyOptions extends EncryptOptions {
  /**
   * Messages in flight at once (default {@link ENCRYPT_MANY_CONCURRENCY}). Each message is a chain
   * of WebCrypto calls; overlapping messages keeps the engine's crypto threads and the calling
   * thread busy while each waits.
   */
  readonly concurrency?: number;
}

/**
 * Messages in flight at once by default. Measured with `node bench/batches.mjs --concurrency-sweep`
 * (headless Chromium, 2 cores, 1 KiB records, 0x0478): in two sweeps 4 to 64 in flight were within
 * noise of each other (2 was once slower for decrypt); the calling thread, not the crypto threads,
 * is the bottleneck, so more in flight only lengthens the queue. 16 leaves room for slower crypto
 * threads.
 */
export const ENCRYPT_MANY_CONCURRENCY = 16;

/** The checked `concurrency` option of the batch functions. */
export function checkConcurrency(value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw typeError('options.concurrency', 'a positive integer');
  if (value < 1) throw rangeError('options.concurrency', 'must be at least 1');
  return value;
}

/**
 * Encrypts each plaintext into its own message, exactly as {@link encrypt} would with the same
 * options (each message has its own data key, message id and IVs), and returns the messages in
 * order; the first failure rejects the batch. With a keyring that supports batches
 * (HierarchicalKeyring) and an unsigned committing suite (0x0478), what every message shares is
 * done once: options checked, the branch key looked up, the encryption context and the header
 * template serialized; each message is then the WebCrypto work the format requires (wrap, HKDF,
 * header tag, frames), written straight into its output buffer.
 *
 * @example
 * ```ts
 * const messages = await encryptMany(keyring, records, { encryptionContext: { tenant: 'acme' }, suiteId: 0x0478 });
 * ```
 */
export async function encryptMany(keyringOrCmm: Keyring | MaterialsManager, plaintexts: readonly Uint8Array[], options?: EncryptManyOptions): Promise<Bytes[]> {
  if (!Array.isArray(plaintexts)) throw typeError('plaintexts', 'an array of Uint8Arrays');
  for (let i = 0; i < plaintexts.length; i++) assertBytes(plaintexts[i], `plaintexts[${i}]`);
  const cmm = toMaterialsManager(keyringOrCmm);
  const checked = checkEncryptOptions(options);
  const concurrency = checkConcurrency(options?.concurrency, ENCRYPT_MANY_CONCURRENCY);
  const out = new Array<Bytes>(plaintexts.length);
  if (plaintexts.length === 0) return out;
  const suite = batchSuite(keyringOrCmm, cmm, checked);
  if (!suite) {
    await runPool(plaintexts.length, concurrency, async (i) => {
      out[i] = (await encryptChecked(cmm, plaintexts[i]!, checked)).ciphertext;
    });
    return out;
  }
  const writer = new BatchMessageWriter(suite, checked, await (keyringOrCmm as unknown as BatchEncryptingKeyring).dataKeyWrapper(checked.encryptionContext, suite));
  try {
    await runPool(plaintexts.length, concurrency, async (i) => {
      out[i] = await writer.encrypt(plaintexts[i]!);
    });
  } finally {
    writer.dispose();
  }
  return out;
}

/** The suite of the batch fast path, or undefined when the batch takes the per-message path. */
function batchSuite(keyringOrCmm: unknown, cmm: MaterialsManager, checked: CheckedEncryptOptions): AlgorithmSuite | undefined {
  // A materials manager may do anything per message; only a bare keyring with batch support qualifies.
  if (cmm === keyringOrCmm || typeof (keyringOrCmm as Partial<BatchEncryptingKeyring>).dataKeyWrapper !== 'function') return undefined;
  const suite = suiteForEncrypt(checked.suiteId, checked.commitmentPolicy);
  const fast = suite.messageVersion === 2 && suite.committing && !suite.signature && suite.kdfHash !== undefined && suite.keyLength === 32;
  return fast ? suite : undefined;
}

const ZERO_IV = new Uint8Array(12);
const EMPTY = new Uint8Array(0);

/**
 * Writes the messages of one batch: the header serialized once as a template, and per message the
 * minimum the format asks of WebCrypto: importKey (HKDF), wrap (HMAC, importKey, AES-GCM), deriveKey
 * and deriveBits (content and commitment keys), the header tag and one AES-GCM call per frame.
 */
class BatchMessageWriter {
  readonly #suite: AlgorithmSuite;
  readonly #frameLength: number;
  readonly #wrapper: DataKeyWrapper;
  readonly #template: ReturnType<typeof headerTemplate>;
  readonly #random = new RandomPool();

  constructor(suite: AlgorithmSuite, checked: CheckedEncryptOptions, wrapper: DataKeyWrapper) {
    this.#suite = suite;
    this.#frameLength = checked.frameLength;
    this.#wrapper = wrapper;
    const shape = { providerId: wrapper.providerId, providerInfo: wrapper.providerInfo, ciphertextLength: wrapper.ciphertextLength };
    this.#template = headerTemplate(suite, checked.encryptionContext, [shape], checked.frameLength);
  }

  async encrypt(plaintext: Uint8Array): Promise<Bytes> {
    const subtle = globalThis.crypto.subtle;
    const frameLength = this.#frameLength;
    checkFrameCount(plaintext.length, frameLength);
    const template = this.#template;
    const headerLength = template.bytes.length;
    const out = new Uint8Array(headerLength + framedBodyLength(plaintext.length, frameLength));
    out.set(template.bytes);
    this.#random.take(32, out, template.messageIdOffset);
    const messageId = out.subarray(template.messageIdOffset, template.messageIdOffset + 32);
    const dataKey = this.#random.bytes(this.#suite.keyLength);
    // Both read the data key when called (WebCrypto copies its inputs); it is zeroed once both settle.
    const ikm = subtle.importKey('raw', dataKey, 'HKDF', false, ['deriveBits', 'deriveKey']);
    const wrapped = this.#wrapper.wrap(dataKey, out, template.ciphertextOffsets[0]!);
    ikm.catch(() => undefined);
    wrapped.catch(() => undefined);
    try {
      const [key, commitKey] = await deriveCommittedKeys(this.#suite, await ikm, messageId, ['encrypt']);
      const body =
        plaintext.length <= frameLength
          ? encryptFrameInto(webCryptoAead(key), messageId, 1, plaintext, true, out, headerLength)
          : encryptFramedBody(webCryptoAead(key), messageId, plaintext, frameLength, out, headerLength);
      body.catch(() => undefined);
      out.set(new Uint8Array(commitKey), template.commitKeyOffset);
      await wrapped;
      // The header is complete now: its tag (v2: IV of zeros, AAD = the header body; a bare keyring has no required-only pairs).
      const params = { name: 'AES-GCM', iv: ZERO_IV, additionalData: out.subarray(0, template.bodyLength), tagLength: 128 };
      out.set(new Uint8Array(await subtle.encrypt(params, key, EMPTY)), template.bodyLength);
      await body;
      return out;
    } finally {
      await wrapped.catch(() => undefined);
      zero(dataKey);
    }
  }

  dispose(): void {
    this.#random.dispose();
  }
}
