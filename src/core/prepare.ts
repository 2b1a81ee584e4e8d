/**
 * What one-shot and streaming encrypt/decrypt share once their options are checked (options.ts):
 * getting materials from the materials manager, deriving keys, and writing or verifying the header
 * with its tag.
 */
import type { Bytes, EncryptionContext, MaterialsManager, MessageHeader, SigningKey, VerificationKey } from './types.js';
import { type AeadKey } from './aes-gcm.js';
import { concat, constantTimeEqual, randomBytes, zero } from './bytes.js';
import { checkDecryptSuite } from './commitment.js';
import { serializeContext } from './encryption-context.js';
import { EnvelopeError, ErrorCode } from './errors.js';
import { describeHeader, serializeHeaderBody, type HeaderFields, type ParsedHeader } from './header.js';
import { deriveKeys } from './kdf.js';
import { toMaterialsManager, type StreamingEncryptionMaterialsRequest } from './materials-managers.js';
import { findSuite, suiteHex, type AlgorithmSuite } from './suites.js';
import { checkEncryptOptions, type CheckedDecryptOptions, type CheckedEncryptOptions } from './options.js';

/** Everything needed to write a message once its header is made. */
export interface PreparedEncryption {
  readonly suite: AlgorithmSuite;
  readonly key: AeadKey;
  readonly messageId: Bytes;
  readonly frameLength: number;
  /** Length of the serialized header including its authentication. */
  readonly headerLength: number;
  /** Serialized header including its authentication (the tag may still be being computed). */
  readonly headerBytes: Promise<Bytes>;
  readonly header: MessageHeader;
  readonly signingKey?: SigningKey;
}

const pick = (context: EncryptionContext, keys: readonly string[]): EncryptionContext =>
  Object.fromEntries(keys.filter((k) => Object.prototype.hasOwnProperty.call(context, k)).map((k) => [k, context[k]!]));

/** Gets materials, derives keys and writes the authenticated header. */
export async function prepareEncryption(
  keyringOrCmm: unknown,
  rawOptions: unknown,
  plaintextLength: number | undefined,
  streaming: boolean,
  checkedOptions?: CheckedEncryptOptions,
): Promise<PreparedEncryption> {
  const cmm: MaterialsManager = toMaterialsManager(keyringOrCmm);
  const { encryptionContext, suiteId, commitmentPolicy, frameLength, maxEncryptedDataKeys } = checkedOptions ?? checkEncryptOptions(rawOptions);
  const request: StreamingEncryptionMaterialsRequest = {
    encryptionContext: checkedOptions ? { ...encryptionContext } : encryptionContext,
    suiteId,
    commitmentPolicy,
    plaintextLength,
    maxEncryptedDataKeys,
    streaming,
  };
  const materials = await cmm.getEncryptionMaterials(request);
  const suite = findSuite(materials.suiteId);
  if (!suite || (request.suiteId !== undefined && suite.id !== request.suiteId)) {
    throw new EnvelopeError(ErrorCode.UNSUPPORTED_SUITE, `the materials manager returned suite ${suiteHex(materials.suiteId)}, not the one asked for`);
  }
  if (commitmentPolicy === 'FORBID_ENCRYPT_ALLOW_DECRYPT' ? suite.committing : !suite.committing) {
    throw new EnvelopeError(ErrorCode.COMMITMENT_POLICY_VIOLATION, `suite ${suiteHex(suite.id)} is not allowed by commitment policy ${commitmentPolicy}`);
  }
  const dataKey = materials.plaintextDataKey;
  if (!dataKey || dataKey.length !== suite.keyLength) throw new EnvelopeError(ErrorCode.KEYRING_FAILURE, 'the materials hold no data key of the suite\'s length');
  const edks = materials.encryptedDataKeys;
  if (edks.length === 0) throw new EnvelopeError(ErrorCode.KEYRING_FAILURE, 'the materials hold no encrypted data key');
  if (maxEncryptedDataKeys !== undefined && edks.length > maxEncryptedDataKeys) {
    throw new EnvelopeError(ErrorCode.LIMIT_EXCEEDED, `the keyrings produced ${edks.length} encrypted data keys; maxEncryptedDataKeys is ${maxEncryptedDataKeys}`);
  }
  if (edks.length > 0xffff) throw new EnvelopeError(ErrorCode.LIMIT_EXCEEDED, 'more than 65,535 encrypted data keys do not fit in a header');
  if (suite.signature && !materials.signingKey) throw new EnvelopeError(ErrorCode.KEYRING_FAILURE, `signed suite ${suiteHex(suite.id)} needs a signing key`);

  const required = materials.requiredEncryptionContextKeys;
  const missing = required.filter((k) => !Object.prototype.hasOwnProperty.call(materials.encryptionContext, k));
  if (missing.length > 0) throw new EnvelopeError(ErrorCode.ENCRYPTION_CONTEXT_MISMATCH, 'required encryption context keys are missing from the materials');
  const storedContext = Object.fromEntries(Object.entries(materials.encryptionContext).filter(([k]) => !required.includes(k)));
  const authenticatedOnly = serializeContext(pick(materials.encryptionContext, required));

  const messageId = randomBytes(suite.messageVersion === 1 ? 16 : 32);
  const { key, commitKey } = await deriveKeys(suite, dataKey, messageId);
  zero(dataKey);
  const fields: HeaderFields = { suite, messageId, storedContext, encryptedDataKeys: edks, frameLength, commitKey };
  const body = serializeHeaderBody(fields);
  const iv = new Uint8Array(12);
  const headerLength = body.length + (suite.messageVersion === 1 ? iv.length : 0) + 16;
  // The tag is computed while the caller may already encrypt frames: both need only the key.
  const headerBytes = key.encrypt(iv, new Uint8Array(0), concat([body, authenticatedOnly])).then((tag) =>
    suite.messageVersion === 1 ? concat([body, iv, tag]) : concat([body, tag]),
  );
  headerBytes.catch(() => undefined);
  return {
    suite,
    key,
    messageId,
    frameLength,
    headerLength,
    headerBytes,
    header: describeHeader(fields, headerLength),
    signingKey: materials.signingKey,
  };
}

/** Everything needed to read a message's body once its header is verified. */
export interface PreparedDecryption {
  readonly key: AeadKey;
  readonly verificationKey?: VerificationKey;
}

/**
 * Gets the data key through the materials manager, checks key commitment and the header tag.
 * Nothing of the body is touched before this succeeds.
 */
export async function prepareDecryption(parsed: ParsedHeader, options: CheckedDecryptOptions): Promise<PreparedDecryption> {
  const { header, suite } = parsed;
  checkDecryptSuite(suite, options.commitmentPolicy);
  const materials = await options.cmm.decryptMaterials({
    suiteId: suite.id,
    commitmentPolicy: options.commitmentPolicy,
    encryptedDataKeys: header.encryptedDataKeys,
    encryptionContext: header.encryptionContext,
    reproducedEncryptionContext: options.encryptionContext,
  });
  const dataKey = materials.plaintextDataKey;
  if (materials.suiteId !== suite.id) throw new EnvelopeError(ErrorCode.UNSUPPORTED_SUITE, 'the materials manager returned materials for another suite');
  if (!dataKey || dataKey.length !== suite.keyLength) throw new EnvelopeError(ErrorCode.NO_DECRYPTING_KEYRING, 'no data key could be decrypted');
  if (suite.signature && !materials.verificationKey) throw new EnvelopeError(ErrorCode.KEYRING_FAILURE, 'the materials lack the verification key');
  const { key, commitKey } = await deriveKeys(suite, dataKey, header.messageId);
  zero(dataKey);
  if (suite.committing && !constantTimeEqual(commitKey!, header.suiteData!)) {
    throw new EnvelopeError(ErrorCode.COMMITMENT_MISMATCH, 'the data key does not match the message\'s key commitment: the message was altered or crafted to decrypt two ways');
  }
  const required = materials.requiredEncryptionContextKeys;
  const aad = concat([parsed.body, serializeContext(pick(materials.encryptionContext, required))]);
  try {
    await key.decrypt(parsed.authIv, parsed.authTag, aad);
  } catch {
    if (required.length > 0) {
      throw new EnvelopeError(
        ErrorCode.ENCRYPTION_CONTEXT_MISMATCH,
        `the header does not authenticate with the supplied encryption context: key(s) ${required.map((k) => JSON.stringify(k)).join(', ')} ` +
          'are not stored in the message and were not (with these values) authenticated when it was encrypted',
      );
    }
    throw new EnvelopeError(ErrorCode.INTEGRITY_FAILURE, 'the message header failed authentication: it was altered');
  }
  // Whatever the materials manager did, the caller's pairs must hold (the API's promise).
  for (const [k, v] of Object.entries(options.encryptionContext)) {
    if (materials.encryptionContext[k] !== v) {
      throw new EnvelopeError(ErrorCode.ENCRYPTION_CONTEXT_MISMATCH, `the message's encryption context does not have the supplied value for key ${JSON.stringify(k)}`);
    }
  }
  return { key, verificationKey: materials.verificationKey };
}
