/**
 * Encrypt, Decrypt and ReEncrypt (API reference, one section each). Symmetric ciphertexts name
 * their key and material version (ciphertext-blob.ts), so Decrypt needs no KeyId for them; a KeyId
 * that names another key is IncorrectKeyException. RSA ciphertexts are bare OAEP output, so Decrypt
 * needs the KeyId and the algorithm.
 */
import type { CallContext, LoadedKey } from '../requests/call-context.js';
import { zero } from '../../core/bytes.js';
import type { Bytes } from '../../core/types.js';
import { parseBlob } from '../crypto/ciphertext-blob.js';
import { kmsError } from '../errors.js';
import type { KeyStateOperation } from '../keys/key-states.js';
import { pullFromPrimary } from '../keys/lifecycle.js';
import { rsaDecrypt, rsaEncrypt } from '../crypto/rsa-crypto.js';
import type { EncryptionAlgorithmSpec } from '../keys/specs.js';
import { openSymmetric, sealSymmetric } from '../crypto/symmetric-crypto.js';
import type { DecryptResponse, EncryptResponse, EncryptionContextType, ReEncryptResponse } from '../types.js';
import { optionalContext, optionalEnum, optionalString, requiredBytes, requiredString } from '../requests/validation.js';
import { commonMembers, endDryRun, refuseContext, refuseRecipient, requireAlgorithm, requireUsage } from './crypto-checks.js';

const ALGORITHMS = ['SYMMETRIC_DEFAULT', 'RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'SM2PKE'] as const;

interface Sealed {
  blob: Bytes;
  materialId?: string;
}

/** Encrypts under a loaded key after the usage/algorithm/context checks. */
export async function encryptWith(
  ctx: CallContext,
  key: LoadedKey,
  algorithm: EncryptionAlgorithmSpec,
  plaintext: Bytes,
  context: EncryptionContextType | undefined,
  dryRun: boolean,
  contextMember = 'EncryptionContext',
): Promise<Sealed> {
  requireUsage(key.record, key.arn, 'ENCRYPT_DECRYPT', ctx.operation);
  requireAlgorithm(key.record, key.arn, algorithm, 'EncryptionAlgorithms');
  refuseContext(key.record, context, contextMember);
  endDryRun(dryRun);
  if (algorithm === 'SYMMETRIC_DEFAULT') return sealSymmetric(ctx.runtime, key.record, plaintext, context);
  return { blob: await rsaEncrypt(key.record, key.arn, algorithm, plaintext) };
}

export interface Opened {
  key: LoadedKey;
  plaintext: Bytes;
  algorithm: EncryptionAlgorithmSpec;
  materialId?: string;
}

/** The decrypting half shared by Decrypt and ReEncrypt. */
async function decryptBlob(
  ctx: CallContext,
  op: KeyStateOperation,
  blob: Bytes,
  keyIdText: string | undefined,
  algorithm: EncryptionAlgorithmSpec,
  context: EncryptionContextType | undefined,
  dryRun: boolean,
  contextMember: string,
): Promise<Opened> {
  // ReEncrypt is two permissions: kms:ReEncryptFrom on the source key, with the source context.
  const access = {
    ...(op === 'ReEncrypt' ? { action: 'kms:ReEncryptFrom' } : {}),
    ...(context ? { encryptionContext: context } : {}),
    conditions: { 'kms:EncryptionAlgorithm': algorithm },
  };
  if (algorithm !== 'SYMMETRIC_DEFAULT') {
    if (keyIdText === undefined) throw kmsError('ValidationException', `KeyId is required to decrypt with ${algorithm}: asymmetric ciphertexts do not name their key.`);
    const key = await ctx.readKey(keyIdText, { op, allowAlias: true, ...access });
    requireUsage(key.record, key.arn, 'ENCRYPT_DECRYPT', ctx.operation);
    requireAlgorithm(key.record, key.arn, algorithm, 'EncryptionAlgorithms');
    refuseContext(key.record, context, contextMember);
    endDryRun(dryRun);
    return { key, plaintext: await rsaDecrypt(ctx.runtime, key.record, algorithm, blob), algorithm };
  }
  // A named key is checked first: an asymmetric KeyId with SYMMETRIC_DEFAULT is a usage error,
  // whatever the blob holds.
  const named = keyIdText === undefined ? undefined : await ctx.readKey(keyIdText, { op, allowAlias: true, ...access });
  if (named) requireAlgorithm(named.record, named.arn, algorithm, 'EncryptionAlgorithms');
  const parsed = parseBlob(blob);
  if (named) {
    if (named.record.KeyId !== parsed.keyId) {
      throw kmsError('IncorrectKeyException', 'The key ID in the request does not identify a KMS key that can perform this operation.');
    }
  }
  // The ciphertext names a key of this account: by ARN, since a bare key id would resolve in the
  // caller's own account (call-context.ts, resolveKey), and another account's principal may decrypt.
  let key = await ctx.readKey(ctx.arn(parsed.keyId), { op, allowAlias: false, ...access });
  requireAlgorithm(key.record, key.arn, algorithm, 'EncryptionAlgorithms');
  endDryRun(dryRun);
  if (!key.record.materials.some((m) => m.id === parsed.materialId)) {
    // A replica may not have received a rotation yet: fetch it from the primary once.
    const synced = await pullFromPrimary(ctx.runtime, key.record);
    if (synced) key = { ...key, record: synced };
  }
  const plaintext = await openSymmetric(ctx.runtime, key.record, parsed, context);
  return { key, plaintext, algorithm, materialId: parsed.materialId };
}

export async function encrypt(ctx: CallContext, req: Record<string, unknown>): Promise<EncryptResponse> {
  const keyIdText = requiredString(req.KeyId, 'KeyId');
  const plaintext = requiredBytes(req.Plaintext, 'Plaintext', 1, 4096);
  const context = optionalContext(req.EncryptionContext, 'EncryptionContext');
  const algorithm = optionalEnum(req.EncryptionAlgorithm, 'EncryptionAlgorithm', ALGORITHMS) ?? 'SYMMETRIC_DEFAULT';
  const { dryRun } = await commonMembers(ctx, req);
  try {
    const key = await ctx.readKey(keyIdText, { op: 'Encrypt', allowAlias: true, ...(context ? { encryptionContext: context } : {}), conditions: { 'kms:EncryptionAlgorithm': algorithm } });
    const { blob } = await encryptWith(ctx, key, algorithm, plaintext, context, dryRun);
    return { CiphertextBlob: blob, KeyId: key.arn, EncryptionAlgorithm: algorithm };
  } finally {
    zero(plaintext);
  }
}

export async function decrypt(ctx: CallContext, req: Record<string, unknown>): Promise<DecryptResponse> {
  const blob = requiredBytes(req.CiphertextBlob, 'CiphertextBlob', 1, 6144);
  const context = optionalContext(req.EncryptionContext, 'EncryptionContext');
  const keyIdText = optionalString(req.KeyId, 'KeyId');
  const algorithm = optionalEnum(req.EncryptionAlgorithm, 'EncryptionAlgorithm', ALGORITHMS) ?? 'SYMMETRIC_DEFAULT';
  const { dryRun } = await commonMembers(ctx, req);
  refuseRecipient(req);
  const opened = await decryptBlob(ctx, 'Decrypt', blob, keyIdText, algorithm, context, dryRun, 'EncryptionContext');
  return {
    KeyId: opened.key.arn,
    Plaintext: opened.plaintext,
    EncryptionAlgorithm: algorithm,
    ...(opened.materialId ? { KeyMaterialId: opened.materialId } : {}),
  };
}

export async function reEncrypt(ctx: CallContext, req: Record<string, unknown>): Promise<ReEncryptResponse> {
  const blob = requiredBytes(req.CiphertextBlob, 'CiphertextBlob', 1, 6144);
  const sourceContext = optionalContext(req.SourceEncryptionContext, 'SourceEncryptionContext');
  const sourceKeyId = optionalString(req.SourceKeyId, 'SourceKeyId');
  const destinationKeyId = requiredString(req.DestinationKeyId, 'DestinationKeyId');
  const destinationContext = optionalContext(req.DestinationEncryptionContext, 'DestinationEncryptionContext');
  const sourceAlgorithm = optionalEnum(req.SourceEncryptionAlgorithm, 'SourceEncryptionAlgorithm', ALGORITHMS) ?? 'SYMMETRIC_DEFAULT';
  const destinationAlgorithm = optionalEnum(req.DestinationEncryptionAlgorithm, 'DestinationEncryptionAlgorithm', ALGORITHMS) ?? 'SYMMETRIC_DEFAULT';
  const { dryRun } = await commonMembers(ctx, req);
  // Both keys are checked before anything is decrypted, so a dry run touches no plaintext.
  const destination = await ctx.readKey(destinationKeyId, {
    op: 'ReEncrypt',
    allowAlias: true,
    action: 'kms:ReEncryptTo',
    ...(destinationContext ? { encryptionContext: destinationContext } : {}),
    conditions: { 'kms:EncryptionAlgorithm': destinationAlgorithm },
  });
  requireUsage(destination.record, destination.arn, 'ENCRYPT_DECRYPT', 'ReEncrypt');
  requireAlgorithm(destination.record, destination.arn, destinationAlgorithm, 'EncryptionAlgorithms');
  refuseContext(destination.record, destinationContext, 'DestinationEncryptionContext');
  const source = await decryptBlob(ctx, 'ReEncrypt', blob, sourceKeyId, sourceAlgorithm, sourceContext, dryRun, 'SourceEncryptionContext');
  try {
    const sealed = await encryptWith(ctx, destination, destinationAlgorithm, source.plaintext, destinationContext, false, 'DestinationEncryptionContext');
    return {
      CiphertextBlob: sealed.blob,
      SourceKeyId: source.key.arn,
      KeyId: destination.arn,
      SourceEncryptionAlgorithm: sourceAlgorithm,
      DestinationEncryptionAlgorithm: destinationAlgorithm,
      ...(source.materialId ? { SourceKeyMaterialId: source.materialId } : {}),
      ...(sealed.materialId ? { DestinationKeyMaterialId: sealed.materialId } : {}),
    };
  } finally {
    zero(source.plaintext);
  }
}
