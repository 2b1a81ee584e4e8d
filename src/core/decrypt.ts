/** One-shot decryption (spec: client-apis/decrypt.md), of one message or of a batch. */
import type { Bytes, EncryptionContext, Keyring, MaterialsManager, MessageHeader } from './types.js';
import { webCryptoAead, type AeadKey } from './aes-gcm.js';
import { assertBytes, concat, constantTimeEqual } from './bytes.js';
import { checkDecryptSuite } from './commitment.js';
import { decryptFrame, frameAad, runPool, scanFrame, scanNonFramed, FRAME_CONCURRENCY, type FrameLocation } from './body.js';
import { checkConcurrency } from './encrypt.js';
import { PUBLIC_KEY_CONTEXT_KEY, serializeContext } from './encryption-context.js';
import { EnvelopeError, ErrorCode, malformed, typeError } from './errors.js';
import { HeaderParseMemo, readHeader, type ParsedHeader } from './header.js';
import { deriveCommittedKeys } from './kdf.js';
import { checkDecryptOptions, type CheckedDecryptOptions, type DecryptOptions } from './options.js';
import { prepareDecryption } from './prepare.js';
import type { BatchDecryptingKeyring, DataKeyUnwrapper } from './batch-keyrings.js';
import { verifyMessage } from './signature.js';
import { decryptSignedBody, INCREMENTAL_SIGNATURE_THRESHOLD } from './signed-body.js';
import { ALL_SUITE_IDS, findSuite } from './suites.js';

/** The result of {@link decrypt}. */
export interface DecryptResult {
  readonly plaintext: Bytes;
  readonly header: MessageHeader;
}

/**
 * Decrypts a complete AWS Encryption SDK message. Nothing is returned unless the header, every
 * frame and (for signed suites) the footer signature verify. The caller's array is never changed.
 *
 * @param keyringOrCmm - a keyring or materials manager that can unwrap one of the message's data
 *   keys.
 * @param ciphertext - the whole message (for a message too large for memory, use
 *   {@link decryptStream}).
 * @param options - `encryptionContext`: pairs the message must carry with these values (and the
 *   pairs a {@link RequiredEncryptionContextCmm} kept out of it); `commitmentPolicy`;
 *   `maxEncryptedDataKeys`.
 * @returns the `plaintext` and the message's `header`.
 * @throws TypeError / RangeError (`code: 'INVALID_ARGUMENT'`) for a bad argument or option.
 * @throws {@link EnvelopeError} with the reason as `code`: `MALFORMED_MESSAGE`, `INTEGRITY_FAILURE`
 *   (altered, or the wrong data key), `SIGNATURE_INVALID`, `COMMITMENT_MISMATCH`,
 *   `ENCRYPTION_CONTEXT_MISMATCH`, `NO_DECRYPTING_KEYRING`, `UNSUPPORTED_SUITE`,
 *   `COMMITMENT_POLICY_VIOLATION`, `LIMIT_EXCEEDED`.
 *
 * @example
 * ```ts
 * import { encrypt, decrypt, EnvelopeError, ErrorCode, RawAesKeyring } from 'envelope-kit/core';
 * const keyring = new RawAesKeyring({ keyNamespace: 'my-app', keyName: 'notes-key', wrappingKey: crypto.getRandomValues(new Uint8Array(32)) });
 * const { ciphertext } = await encrypt(keyring, new TextEncoder().encode('hello'), { encryptionContext: { user: 'alice' } });
 * const { plaintext, header } = await decrypt(keyring, ciphertext, { encryptionContext: { user: 'alice' } });
 * if (new TextDecoder().decode(plaintext) !== 'hello' || header.encryptionContext.user !== 'alice') throw new Error('round trip failed');
 * // Asking for a pair the message does not carry fails, and returns nothing.
 * const refused = await decrypt(keyring, ciphertext, { encryptionContext: { user: 'bob' } }).catch((error) => error);
 * if (!(refused instanceof EnvelopeError) || refused.code !== ErrorCode.ENCRYPTION_CONTEXT_MISMATCH) throw new Error('the wrong context was accepted');
 * ```
 */
export async function decrypt(keyringOrCmm: Keyring | MaterialsManager, ciphertext: Uint8Array, options?: DecryptOptions): Promise<DecryptResult> {
  assertBytes(ciphertext, 'ciphertext');
  return decryptChecked(ciphertext, checkDecryptOptions(keyringOrCmm, options));
}

async function decryptChecked(ciphertext: Uint8Array, checked: CheckedDecryptOptions, memo?: HeaderParseMemo): Promise<DecryptResult> {
  const parsed = readHeader(ciphertext, { maxEncryptedDataKeys: checked.maxEncryptedDataKeys, memo });
  if (!parsed) malformed('the message ends inside its header (truncated)');
  const { header, suite } = parsed;
  const { frames, bodyEnd, signature } = locateBody(ciphertext, parsed);
  const { key, verificationKey } = await prepareDecryption(parsed, checked);
  // Frame by frame only when the hash runs elsewhere (options.signatureHasher): see INCREMENTAL_SIGNATURE_THRESHOLD.
  if (signature && checked.signatureHasher && bodyEnd >= INCREMENTAL_SIGNATURE_THRESHOLD) {
    const result = await decryptSignedBody({ key, messageId: header.messageId, ciphertext, frames, suite, verificationKey: verificationKey!, derSignature: signature, signatureHasher: checked.signatureHasher });
    if (result.verified) return { plaintext: result.plaintext, header };
    result.plaintext.fill(0);
    throw new EnvelopeError(ErrorCode.SIGNATURE_INVALID, 'the message signature does not verify: the message was altered');
  }
  const verified = signature
    ? verifyMessage(verificationKey!, suite.signature!.curve, suite.signature!.hash, signature, ciphertext.subarray(0, bodyEnd))
    : Promise.resolve(true);
  let plaintext: Bytes | undefined;
  try {
    plaintext = await decryptFrames(key, header.messageId, ciphertext, frames);
    if (!(await verified)) throw new EnvelopeError(ErrorCode.SIGNATURE_INVALID, 'the message signature does not verify: the message was altered');
  } catch (error) {
    plaintext?.fill(0);
    await verified.catch(() => undefined);
    throw error;
  }
  return { plaintext, header };
}

/**
 * Locates every frame (and the footer) after the header: structure errors surface before any key
 * is used.
 */
function locateBody(ciphertext: Uint8Array, parsed: ParsedHeader): { frames: FrameLocation[]; bodyEnd: number; signature?: Uint8Array } {
  const { header, suite } = parsed;
  const frames: FrameLocation[] = [];
  let offset = header.headerLength;
  if (header.contentType === 'non-framed') {
    const scanned = scanNonFramed(ciphertext, offset);
    if (!scanned) malformed('the message ends inside its body (truncated)');
    frames.push(scanned.frame);
    offset = scanned.end;
  } else {
    for (let sequence = 1; ; sequence++) {
      const scanned = scanFrame(ciphertext, offset, sequence, header.frameLength);
      if (!scanned) malformed('the message ends inside its body (truncated)');
      frames.push(scanned.frame!);
      offset = scanned.end;
      if (scanned.done) break;
    }
  }
  const bodyEnd = offset;
  if (suite.signature) {
    if (bodyEnd + 2 > ciphertext.length) malformed('the message ends before its footer (truncated)');
    const length = (ciphertext[bodyEnd]! << 8) | ciphertext[bodyEnd + 1]!;
    if (bodyEnd + 2 + length !== ciphertext.length) {
      malformed(bodyEnd + 2 + length > ciphertext.length ? 'the message ends inside its footer (truncated)' : 'the message has bytes after its footer');
    }
    return { frames, bodyEnd, signature: ciphertext.subarray(bodyEnd + 2) };
  }
  if (bodyEnd !== ciphertext.length) malformed('the message has bytes after its body');
  return { frames, bodyEnd };
}

/** Decrypts located frames into one plaintext; a single frame's output is the plaintext itself (no copy). */
async function decryptFrames(key: AeadKey, messageId: Uint8Array, ciphertext: Uint8Array, frames: readonly FrameLocation[]): Promise<Bytes> {
  if (frames.length === 1) return decryptFrame(key, messageId, ciphertext, frames[0]!);
  let total = 0;
  for (const frame of frames) total += frame.contentLength;
  const plaintext = new Uint8Array(total);
  const starts: number[] = [];
  for (let i = 0, at = 0; i < frames.length; at += frames[i]!.contentLength, i++) starts.push(at);
  try {
    await runPool(frames.length, FRAME_CONCURRENCY, async (i) => {
      plaintext.set(await decryptFrame(key, messageId, ciphertext, frames[i]!), starts[i]!);
    });
  } catch (error) {
    plaintext.fill(0);
    throw error;
  }
  return plaintext;
}

/** Options of {@link decryptMany}: those of {@link decrypt}, the same for every message, and how many run at once. */
export interface DecryptManyOptions extends DecryptOptions {
  /** Messages in flight at once (default {@link DECRYPT_MANY_CONCURRENCY}). */
  readonly concurrency?: number;
}

/** Messages in flight at once by default (see ENCRYPT_MANY_CONCURRENCY). */
export const DECRYPT_MANY_CONCURRENCY = 16;

/** One message of {@link decryptMany}: what {@link decrypt} resolves with, or what it throws. */
export type DecryptManyResult = DecryptResult | { readonly error: unknown };

/**
 * Decrypts each message on its own, exactly as {@link decrypt} would with the same options, and
 * returns one result per message, in order: `{ plaintext, header }`, or `{ error }` with what
 * `decrypt` throws for that message (one bad message never fails the others). With a keyring that
 * supports batches (HierarchicalKeyring) and unsigned committing messages (0x0478), each data key
 * is unwrapped straight into the key derivation (it never exists as bytes in JavaScript) and what
 * the messages share (encryption context, branch key versions) is decoded once; any message that
 * does not decrypt on that path is decrypted again by {@link decrypt}, whose error it gets.
 *
 * @example
 * ```ts
 * const results = await decryptMany(keyring, messages, { encryptionContext: { tenant: 'acme' } });
 * const plaintexts = results.map((r) => ('plaintext' in r ? r.plaintext : undefined));
 * ```
 */
export async function decryptMany(keyringOrCmm: Keyring | MaterialsManager, ciphertexts: readonly Uint8Array[], options?: DecryptManyOptions): Promise<DecryptManyResult[]> {
  if (!Array.isArray(ciphertexts)) throw typeError('ciphertexts', 'an array of Uint8Arrays');
  const checked = checkDecryptOptions(keyringOrCmm, options);
  const concurrency = checkConcurrency(options?.concurrency, DECRYPT_MANY_CONCURRENCY);
  const memo = new HeaderParseMemo();
  const batch = checked.cmm !== keyringOrCmm && typeof (keyringOrCmm as Partial<BatchDecryptingKeyring>).dataKeyUnwrapper === 'function'
    ? new BatchMessageReader(checked, (keyringOrCmm as unknown as BatchDecryptingKeyring).dataKeyUnwrapper(), memo)
    : undefined;
  const out = new Array<DecryptManyResult>(ciphertexts.length);
  await runPool(ciphertexts.length, concurrency, async (i) => {
    const ciphertext = ciphertexts[i];
    try {
      assertBytes(ciphertext, `ciphertexts[${i}]`);
      out[i] = (await batch?.decrypt(ciphertext)) ?? (await decryptChecked(ciphertext, checked, memo));
    } catch (error) {
      out[i] = { error };
    }
  });
  return out;
}

/** Suites the batch path reads: unsigned, committing, 256-bit (0x0478). */
const BATCH_SUITES = new Set<number>(ALL_SUITE_IDS.filter((id) => {
  const suite = findSuite(id)!;
  return suite.messageVersion === 2 && suite.committing && !suite.signature && suite.keyLength === 32;
}));

/** The encryption context of messages whose header stores `stored`, as DefaultCmm makes it. */
interface BatchContext {
  readonly stored: EncryptionContext;
  /** Stored pairs plus the caller's pairs the message does not store; undefined when they conflict. */
  readonly merged?: EncryptionContext;
  /** Serialized required-only pairs, authenticated by the header tag. */
  readonly authenticatedOnly: Uint8Array;
}

/**
 * Reads the unsigned committing messages of a batch with the keyring's {@link DataKeyUnwrapper}.
 * `decrypt` resolves undefined for a message it leaves to the per-message path: another suite, a
 * caller context that conflicts, or any authentication failure (so that the error, and its
 * wording, is exactly `decrypt`'s; a bad message costs its work twice, a good one once).
 */
class BatchMessageReader {
  readonly #checked: CheckedDecryptOptions;
  readonly #unwrapper: DataKeyUnwrapper;
  readonly #memo: HeaderParseMemo;
  #context: BatchContext | undefined;

  constructor(checked: CheckedDecryptOptions, unwrapper: DataKeyUnwrapper, memo: HeaderParseMemo) {
    this.#checked = checked;
    this.#unwrapper = unwrapper;
    this.#memo = memo;
  }

  async decrypt(ciphertext: Uint8Array): Promise<DecryptResult | undefined> {
    // v2 headers start with 0x02 and the suite id: other suites (0x0578, the kit's default) go to decrypt unparsed.
    if (ciphertext[0] !== 2 || !BATCH_SUITES.has((ciphertext[1]! << 8) | ciphertext[2]!)) return undefined;
    const parsed = readHeader(ciphertext, { maxEncryptedDataKeys: this.#checked.maxEncryptedDataKeys, memo: this.#memo });
    if (!parsed) return undefined;
    const { header, suite } = parsed;
    if (!(suite.messageVersion === 2 && suite.committing && !suite.signature && suite.keyLength === 32 && header.suiteData)) return undefined;
    const { frames } = locateBody(ciphertext, parsed);
    checkDecryptSuite(suite, this.#checked.commitmentPolicy);
    const context = this.#contextOf(header.encryptionContext);
    if (!context.merged) return undefined;
    const ikm = await this.#unwrapper.derivationKey(suite, header.encryptedDataKeys, context.merged);
    if (!ikm) return undefined;
    const [key, commitKey] = await deriveCommittedKeys(suite, ikm, header.messageId, ['decrypt']);
    if (!constantTimeEqual(new Uint8Array(commitKey), header.suiteData)) return undefined;
    const subtle = globalThis.crypto.subtle;
    // The header tag (v2: IV of zeros, AAD = header body | required-only pairs), before any frame.
    const aad = context.authenticatedOnly.length === 0 ? parsed.body : concat([parsed.body, context.authenticatedOnly]);
    try {
      await subtle.decrypt({ name: 'AES-GCM', iv: parsed.authIv as Bytes, additionalData: aad as Bytes, tagLength: 128 }, key, parsed.authTag as Bytes);
    } catch {
      return undefined;
    }
    if (frames.length > 1) return { plaintext: await decryptFrames(webCryptoAead(key), header.messageId, ciphertext, frames), header };
    // One frame, the usual small record: its output is the plaintext; a bad tag goes to decrypt for its error.
    const frame = frames[0]!;
    const params = {
      name: 'AES-GCM',
      iv: ciphertext.subarray(frame.ivOffset, frame.ivOffset + 12) as Bytes,
      additionalData: frameAad(header.messageId, frame.kind, frame.sequenceNumber, frame.contentLength),
      tagLength: 128,
    };
    try {
      return { plaintext: new Uint8Array(await subtle.decrypt(params, key, ciphertext.subarray(frame.contentOffset, frame.contentOffset + frame.contentLength + 16) as Bytes)), header };
    } catch {
      return undefined;
    }
  }

  /** DefaultCmm's merge of the caller's pairs, once per distinct stored context (the memo hands out one object per context). */
  #contextOf(stored: EncryptionContext): BatchContext {
    if (this.#context?.stored === stored) return this.#context;
    let merged: EncryptionContext | undefined = { ...stored };
    const required: string[] = [];
    for (const [key, value] of Object.entries(this.#checked.encryptionContext)) {
      if (Object.prototype.hasOwnProperty.call(stored, key)) {
        if (stored[key] !== value) merged = undefined;
      } else if (merged) {
        merged[key] = value;
        required.push(key);
      }
    }
    // DefaultCmm refuses a public key in the context of an unsigned suite: leave that to it.
    if (Object.prototype.hasOwnProperty.call(stored, PUBLIC_KEY_CONTEXT_KEY)) merged = undefined;
    const authenticatedOnly = merged ? serializeContext(Object.fromEntries(required.map((k) => [k, merged![k]!]))) : new Uint8Array(0);
    this.#context = { stored, merged: merged && Object.freeze(merged), authenticatedOnly };
    return this.#context;
  }
}
