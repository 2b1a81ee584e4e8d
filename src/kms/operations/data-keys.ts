/**
 * Data keys: GenerateDataKey, GenerateDataKeyWithoutPlaintext, GenerateDataKeyPair,
 * GenerateDataKeyPairWithoutPlaintext and GenerateRandom. Data keys come from the platform CSPRNG
 * (crypto.getRandomValues); data key pairs from WebCrypto generateKey, exported as PKCS#8 (private)
 * and SubjectPublicKeyInfo (public) DER as AWS KMS returns them. The private key is encrypted under
 * the symmetric KMS key exactly as Encrypt would, so Decrypt opens it.
 */
import type { CallContext } from '../requests/call-context.js';
import { randomBytes, zero } from '../../core/bytes.js';
import type { Bytes } from '../../core/types.js';
import { kmsError } from '../errors.js';
import { DATA_KEY_PAIR_SPECS, SUPPORTED_SPECS, type DataKeyPairSpec } from '../keys/specs.js';
import { sealSymmetric } from '../crypto/symmetric-crypto.js';
import type {
  GenerateDataKeyPairResponse,
  GenerateDataKeyPairWithoutPlaintextResponse,
  GenerateDataKeyResponse,
  GenerateDataKeyWithoutPlaintextResponse,
  GenerateRandomResponse,
} from '../types.js';
import { optionalContext, optionalEnum, optionalInteger, optionalString, requiredEnum, requiredString } from '../requests/validation.js';
import { commonMembers, endDryRun, refuseRecipient, requireSymmetric } from './crypto-checks.js';

async function dataKey(ctx: CallContext, req: Record<string, unknown>, withPlaintext: boolean): Promise<GenerateDataKeyResponse> {
  const keyIdText = requiredString(req.KeyId, 'KeyId');
  const context = optionalContext(req.EncryptionContext, 'EncryptionContext');
  const numberOfBytes = optionalInteger(req.NumberOfBytes, 'NumberOfBytes', 1, 1024);
  const keySpec = optionalEnum(req.KeySpec, 'KeySpec', ['AES_256', 'AES_128'] as const);
  const { dryRun } = await commonMembers(ctx, req);
  if (withPlaintext) refuseRecipient(req);
  if ((numberOfBytes === undefined) === (keySpec === undefined)) {
    throw kmsError('ValidationException', 'Specify either KeySpec or NumberOfBytes, but not both.');
  }
  const key = await ctx.readKey(keyIdText, {
    op: withPlaintext ? 'GenerateDataKey' : 'GenerateDataKeyWithoutPlaintext',
    allowAlias: true,
    ...(context ? { encryptionContext: context } : {}),
    conditions: { 'kms:EncryptionAlgorithm': 'SYMMETRIC_DEFAULT' },
  });
  requireSymmetric(key.record, key.arn, ctx.operation);
  endDryRun(dryRun);
  const plaintext = randomBytes(numberOfBytes ?? (keySpec === 'AES_128' ? 16 : 32));
  const { blob, materialId } = await sealSymmetric(ctx.runtime, key.record, plaintext, context);
  return { CiphertextBlob: blob, Plaintext: plaintext, KeyId: key.arn, KeyMaterialId: materialId };
}

export function generateDataKey(ctx: CallContext, req: Record<string, unknown>): Promise<GenerateDataKeyResponse> {
  return dataKey(ctx, req, true);
}

export async function generateDataKeyWithoutPlaintext(ctx: CallContext, req: Record<string, unknown>): Promise<GenerateDataKeyWithoutPlaintextResponse> {
  const { Plaintext, ...rest } = await dataKey(ctx, req, false);
  zero(Plaintext);
  return rest;
}

/** A fresh key pair as (PKCS#8, SPKI) DER. */
async function keyPair(spec: DataKeyPairSpec): Promise<{ privateKey: Bytes; publicKey: Bytes }> {
  const info = SUPPORTED_SPECS[spec];
  if (!info || (info.family !== 'rsa' && info.family !== 'ecc')) {
    throw kmsError('UnsupportedOperationException', `KeyPairSpec ${spec} is not supported by the simulated KMS: WebCrypto has no implementation of it.`);
  }
  const algorithm =
    info.family === 'rsa'
      ? { name: 'RSA-PSS', hash: 'SHA-256', modulusLength: info.size, publicExponent: new Uint8Array([1, 0, 1]) }
      : { name: 'ECDSA', namedCurve: info.namedCurve! };
  const pair = (await crypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
  const [pkcs8, spki] = await Promise.all([crypto.subtle.exportKey('pkcs8', pair.privateKey), crypto.subtle.exportKey('spki', pair.publicKey)]);
  return { privateKey: new Uint8Array(pkcs8), publicKey: new Uint8Array(spki) };
}

async function dataKeyPair(ctx: CallContext, req: Record<string, unknown>, withPlaintext: boolean): Promise<GenerateDataKeyPairResponse> {
  const keyIdText = requiredString(req.KeyId, 'KeyId');
  const spec = requiredEnum(req.KeyPairSpec, 'KeyPairSpec', DATA_KEY_PAIR_SPECS);
  const context = optionalContext(req.EncryptionContext, 'EncryptionContext');
  const { dryRun } = await commonMembers(ctx, req);
  if (withPlaintext) refuseRecipient(req);
  const key = await ctx.readKey(keyIdText, {
    op: withPlaintext ? 'GenerateDataKeyPair' : 'GenerateDataKeyPairWithoutPlaintext',
    allowAlias: true,
    ...(context ? { encryptionContext: context } : {}),
    conditions: { 'kms:EncryptionAlgorithm': 'SYMMETRIC_DEFAULT', 'kms:DataKeyPairSpec': spec },
  });
  requireSymmetric(key.record, key.arn, ctx.operation);
  endDryRun(dryRun);
  const { privateKey, publicKey } = await keyPair(spec);
  const { blob, materialId } = await sealSymmetric(ctx.runtime, key.record, privateKey, context);
  return { PrivateKeyCiphertextBlob: blob, PrivateKeyPlaintext: privateKey, PublicKey: publicKey, KeyId: key.arn, KeyPairSpec: spec, KeyMaterialId: materialId };
}

export function generateDataKeyPair(ctx: CallContext, req: Record<string, unknown>): Promise<GenerateDataKeyPairResponse> {
  return dataKeyPair(ctx, req, true);
}

export async function generateDataKeyPairWithoutPlaintext(ctx: CallContext, req: Record<string, unknown>): Promise<GenerateDataKeyPairWithoutPlaintextResponse> {
  const { PrivateKeyPlaintext, ...rest } = await dataKeyPair(ctx, req, false);
  zero(PrivateKeyPlaintext);
  return rest;
}

export async function generateRandom(ctx: CallContext, req: Record<string, unknown>): Promise<GenerateRandomResponse> {
  const n = optionalInteger(req.NumberOfBytes, 'NumberOfBytes', 1, 1024);
  if (optionalString(req.CustomKeyStoreId, 'CustomKeyStoreId', 1, 64) !== undefined) {
    throw kmsError('UnsupportedOperationException', 'The simulated KMS has no custom key stores.');
  }
  refuseRecipient(req);
  if (n === undefined) throw kmsError('ValidationException', "1 validation error detected: Value at 'numberOfBytes' failed to satisfy constraint: Member must not be null");
  await ctx.authorizeAccount();
  return { Plaintext: randomBytes(n) };
}
