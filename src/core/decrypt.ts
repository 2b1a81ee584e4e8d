/** One-shot decryption (spec: client-apis/decrypt.md). */
import type { Bytes, Keyring, MaterialsManager, MessageHeader } from './types.js';
import { assertBytes } from './bytes.js';
import { decryptFrame, runPool, scanFrame, scanNonFramed, FRAME_CONCURRENCY, type FrameLocation } from './body.js';
import { EnvelopeError, ErrorCode, malformed } from './errors.js';
import { parseHeader } from './header.js';
import { checkDecryptOptions, prepareDecryption, type DecryptOptions } from './message.js';
import { verifyMessage } from './signature.js';

/** The result of {@link decrypt}. */
export interface DecryptResult {
  readonly plaintext: Bytes;
  readonly header: MessageHeader;
}

/**
 * Decrypts a complete AWS Encryption SDK message. Nothing is returned unless the header, every
 * frame and (for signed suites) the footer signature verify.
 *
 * @example
 * ```ts
 * const { plaintext, header } = await decrypt(keyring, ciphertext, { encryptionContext: { user: 'alice' } });
 * ```
 */
export async function decrypt(keyringOrCmm: Keyring | MaterialsManager, ciphertext: Uint8Array, options?: DecryptOptions): Promise<DecryptResult> {
  assertBytes(ciphertext, 'ciphertext');
  const checked = checkDecryptOptions(keyringOrCmm, options);
  const parsed = parseHeader(ciphertext, { maxEncryptedDataKeys: checked.maxEncryptedDataKeys });
  if (!parsed) malformed('the message ends inside its header (truncated)');
  const { header, suite } = parsed;

  // Locate every frame first: structure errors surface before any key is used.
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
  let signature: Uint8Array | undefined;
  if (suite.signature) {
    if (bodyEnd + 2 > ciphertext.length) malformed('the message ends before its footer (truncated)');
    const length = (ciphertext[bodyEnd]! << 8) | ciphertext[bodyEnd + 1]!;
    if (bodyEnd + 2 + length !== ciphertext.length) {
      malformed(bodyEnd + 2 + length > ciphertext.length ? 'the message ends inside its footer (truncated)' : 'the message has bytes after its footer');
    }
    signature = ciphertext.subarray(bodyEnd + 2);
  } else if (bodyEnd !== ciphertext.length) {
    malformed('the message has bytes after its body');
  }

  const { key, verificationKey } = await prepareDecryption(parsed, checked);
  let total = 0;
  for (const frame of frames) total += frame.contentLength;
  const plaintext = new Uint8Array(total);
  const starts: number[] = [];
  for (let i = 0, at = 0; i < frames.length; at += frames[i]!.contentLength, i++) starts.push(at);
  const verified = signature
    ? verifyMessage(verificationKey!, suite.signature!.curve, suite.signature!.hash, signature, ciphertext.subarray(0, bodyEnd))
    : Promise.resolve(true);
  try {
    await runPool(frames.length, FRAME_CONCURRENCY, async (i) => {
      plaintext.set(await decryptFrame(key, header.messageId, ciphertext, frames[i]!), starts[i]!);
    });
    if (!(await verified)) throw new EnvelopeError(ErrorCode.SIGNATURE_INVALID, 'the message signature does not verify: the message was altered');
  } catch (error) {
    plaintext.fill(0);
    await verified.catch(() => undefined);
    throw error;
  }
  return { plaintext, header };
}
