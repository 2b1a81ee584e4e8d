/** One-shot encryption (spec: client-apis/encrypt.md). */
import type { Bytes, Keyring, MaterialsManager, MessageHeader } from './types.js';
import { assertBytes } from './bytes.js';
import { checkFrameCount, encryptFramedBody, framedBodyLength } from './body.js';
import { prepareEncryption, type EncryptOptions } from './message.js';
import { signMessage } from './signature.js';

/** The result of {@link encrypt}. */
export interface EncryptResult {
  /** The complete message in the AWS Encryption SDK format. */
  readonly ciphertext: Bytes;
  readonly header: MessageHeader;
}

/** Largest DER ECDSA signature for P-384 (two 49-byte integers with headers). */
const MAX_FOOTER = 2 + 104;

/**
 * Encrypts `plaintext` under a fresh data key wrapped by the keyring (or the materials manager),
 * producing an AWS Encryption SDK message that any ESDK implementation can decrypt.
 *
 * @example
 * ```ts
 * import { encrypt, decrypt, RawAesKeyring } from 'envelope-kit/core';
 * const keyring = new RawAesKeyring({ keyNamespace: 'app', keyName: 'k1', wrappingKey: crypto.getRandomValues(new Uint8Array(32)) });
 * const { ciphertext, header } = await encrypt(keyring, new TextEncoder().encode('hi'), { encryptionContext: { user: 'alice' } });
 * const { plaintext } = await decrypt(keyring, ciphertext, { encryptionContext: { user: 'alice' } });
 * ```
 */
export async function encrypt(keyringOrCmm: Keyring | MaterialsManager, plaintext: Uint8Array, options?: EncryptOptions): Promise<EncryptResult> {
  assertBytes(plaintext, 'plaintext');
  const frameLength = options?.frameLength;
  if (typeof frameLength === 'number' && frameLength >= 1) checkFrameCount(plaintext.length, frameLength);
  const prepared = await prepareEncryption(keyringOrCmm, options, plaintext.length, false);
  const { headerLength, suite } = prepared;
  const bodyLength = framedBodyLength(plaintext.length, prepared.frameLength);
  const unsignedLength = headerLength + bodyLength;
  const out = new Uint8Array(unsignedLength + (suite.signature ? MAX_FOOTER : 0));
  const [headerBytes] = await Promise.all([
    prepared.headerBytes,
    encryptFramedBody(prepared.key, prepared.messageId, plaintext, prepared.frameLength, out, headerLength),
  ]);
  out.set(headerBytes, 0);
  if (!suite.signature) return { ciphertext: out, header: prepared.header };
  const signature = await signMessage(prepared.signingKey!, suite.signature.hash, out.subarray(0, unsignedLength));
  new DataView(out.buffer).setUint16(unsignedLength, signature.length);
  out.set(signature, unsignedLength + 2);
  return { ciphertext: shrink(out, unsignedLength + 2 + signature.length), header: prepared.header };
}

/** The first `length` bytes as an array of exactly that size, without a copy where the engine can. */
function shrink(bytes: Bytes, length: number): Bytes {
  const buffer = bytes.buffer as ArrayBuffer & { transfer?: (length: number) => ArrayBuffer };
  return typeof buffer.transfer === 'function' ? new Uint8Array(buffer.transfer(length)) : bytes.slice(0, length);
}
