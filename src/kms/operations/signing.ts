/**
 * Signatures and MACs: Sign, Verify, GetPublicKey, GenerateMac, VerifyMac. ECDSA signatures are
 * DER as AWS KMS returns them (ecdsa-der.ts); RSASSA-PSS uses a salt as long as the digest. Verify
 * and VerifyMac never answer "false": a bad signature or MAC is KMSInvalidSignatureException /
 * KMSInvalidMacException, as in AWS KMS. HMAC-224 runs on @noble/hashes (WebCrypto has no SHA-224),
 * and ECDSA over a pre-computed digest (MessageType DIGEST) on @noble/curves (ecdsa-digest.ts), as
 * WebCrypto always hashes the message itself.
 */
import type { CallContext } from '../requests/call-context.js';
import { constantTimeEqual, zero } from '../../core/bytes.js';
import type { Bytes } from '../../core/types.js';
import { derToP1363, p1363ToDer } from '../crypto/ecdsa-der.js';
import { signEcdsaDigest, verifyEcdsaDigest } from '../crypto/ecdsa-digest.js';
import { kmsError } from '../errors.js';
import type { KeyRecord } from '../storage/records.js';
import type { Purpose } from '../requests/region-runtime.js';
import { algorithmsFor, ecdsaHash, rsaSigningParams, specInfo, type MacAlgorithmSpec, type SigningAlgorithmSpec } from '../keys/specs.js';
import type { GenerateMacResponse, GetPublicKeyResponse, SignResponse, VerifyMacResponse, VerifyResponse } from '../types.js';
import { optionalEnum, requiredBytes, requiredEnum, requiredString } from '../requests/validation.js';
import { commonMembers, endDryRun, requireAlgorithm, requireUsage } from './crypto-checks.js';

const SIGNING = [
  'RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512',
  'RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512',
  'ECDSA_SHA_256', 'ECDSA_SHA_384', 'ECDSA_SHA_512', 'SM2DSA', 'ML_DSA_SHAKE_256', 'ED25519_SHA_512', 'ED25519_PH_SHA_512',
] as const satisfies readonly SigningAlgorithmSpec[];
const MACS = ['HMAC_SHA_224', 'HMAC_SHA_256', 'HMAC_SHA_384', 'HMAC_SHA_512'] as const satisfies readonly MacAlgorithmSpec[];

interface SignInput {
  keyIdText: string;
  message: Bytes;
  messageType: 'RAW' | 'DIGEST';
  algorithm: SigningAlgorithmSpec;
  dryRun: boolean;
}

async function signInput(ctx: CallContext, req: Record<string, unknown>): Promise<SignInput> {
  const keyIdText = requiredString(req.KeyId, 'KeyId');
  const message = requiredBytes(req.Message, 'Message', 1, 4096);
  const messageType = optionalEnum(req.MessageType, 'MessageType', ['RAW', 'DIGEST', 'EXTERNAL_MU'] as const) ?? 'RAW';
  const algorithm = requiredEnum(req.SigningAlgorithm, 'SigningAlgorithm', SIGNING);
  const { dryRun } = await commonMembers(ctx, req);
  if (messageType === 'EXTERNAL_MU') {
    // EXTERNAL_MU is for ML-DSA keys, which the simulated KMS does not have.
    throw kmsError('UnsupportedOperationException', 'MessageType EXTERNAL_MU is not supported by the simulated KMS: it has no ML-DSA keys.');
  }
  return { keyIdText, message, messageType, algorithm, dryRun };
}

/** Bytes of the hash a signing algorithm starts with: the length a DIGEST message must have. */
const DIGEST_BYTES: Partial<Record<SigningAlgorithmSpec, number>> = {
  RSASSA_PSS_SHA_256: 32, RSASSA_PSS_SHA_384: 48, RSASSA_PSS_SHA_512: 64,
  RSASSA_PKCS1_V1_5_SHA_256: 32, RSASSA_PKCS1_V1_5_SHA_384: 48, RSASSA_PKCS1_V1_5_SHA_512: 64,
  ECDSA_SHA_256: 32, ECDSA_SHA_384: 48, ECDSA_SHA_512: 64,
};

/**
 * The DIGEST rules, checked once the key and algorithm are known to match. AWS KMS (SignRequest
 * MessageType): "the length of the Message value must match the length of hashed messages for the
 * specified signing algorithm". ECC keys sign digests here; RSA keys cannot (see below).
 */
function requireDigest(record: KeyRecord, arn: string, input: SignInput): void {
  const expected = DIGEST_BYTES[input.algorithm];
  if (expected !== undefined && input.message.length !== expected) {
    throw kmsError(
      'ValidationException',
      `Digest is invalid length for algorithm ${input.algorithm}: when MessageType is DIGEST, the length of the Message value must match the length of hashed messages for the specified signing algorithm (${expected} bytes), not ${input.message.length}.`,
    );
  }
  if (specInfo(record.KeySpec).family !== 'ecc') {
    // WebCrypto's RSASSA-PSS and PKCS#1 v1.5 always hash the message themselves, and the kit has
    // no audited RSA library that signs a given digest (its policy is no hand-written primitives).
    throw kmsError(
      'UnsupportedOperationException',
      `MessageType DIGEST with ${input.algorithm} is not supported by the simulated KMS for ${arn} (${record.KeySpec}): WebCrypto cannot sign or verify a pre-computed digest with an RSA key and there is no audited RSA library to do it; send the RAW message.`,
    );
  }
}

function webCryptoSigning(record: KeyRecord, algorithm: SigningAlgorithmSpec): { purpose: Purpose; params: AlgorithmIdentifier | RsaPssParams | EcdsaParams } {
  if (specInfo(record.KeySpec).family === 'ecc') return { purpose: 'ECDSA', params: { name: 'ECDSA', hash: ecdsaHash(record.KeySpec) } };
  const p = rsaSigningParams(algorithm);
  return { purpose: `${p.name}:${p.hash}` as Purpose, params: p.saltLength ? { name: p.name, saltLength: p.saltLength } : { name: p.name } };
}

export async function sign(ctx: CallContext, req: Record<string, unknown>): Promise<SignResponse> {
  const input = await signInput(ctx, req);
  const key = await ctx.readKey(input.keyIdText, { op: 'Sign', allowAlias: true, conditions: { 'kms:SigningAlgorithm': input.algorithm, 'kms:MessageType': input.messageType } });
  requireUsage(key.record, key.arn, 'SIGN_VERIFY', 'Sign');
  requireAlgorithm(key.record, key.arn, input.algorithm, 'SigningAlgorithms');
  if (input.messageType === 'DIGEST') requireDigest(key.record, key.arn, input);
  endDryRun(input.dryRun);
  if (input.messageType === 'DIGEST') {
    return { KeyId: key.arn, Signature: await signEcdsaDigest(ctx.runtime, key.record, input.message), SigningAlgorithm: input.algorithm };
  }
  const { purpose, params } = webCryptoSigning(key.record, input.algorithm);
  const privateKey = await ctx.runtime.cryptoKey(key.record, key.record.currentMaterialId!, purpose);
  const raw = new Uint8Array(await crypto.subtle.sign(params, privateKey, input.message));
  const signature = purpose === 'ECDSA' ? p1363ToDer(raw) : raw;
  return { KeyId: key.arn, Signature: signature, SigningAlgorithm: input.algorithm };
}

export async function verify(ctx: CallContext, req: Record<string, unknown>): Promise<VerifyResponse> {
  const input = await signInput(ctx, req);
  const signature = requiredBytes(req.Signature, 'Signature', 1, 6144);
  const key = await ctx.readKey(input.keyIdText, { op: 'Verify', allowAlias: true, conditions: { 'kms:SigningAlgorithm': input.algorithm, 'kms:MessageType': input.messageType } });
  requireUsage(key.record, key.arn, 'SIGN_VERIFY', 'Verify');
  requireAlgorithm(key.record, key.arn, input.algorithm, 'SigningAlgorithms');
  if (input.messageType === 'DIGEST') requireDigest(key.record, key.arn, input);
  endDryRun(input.dryRun);
  const valid = input.messageType === 'DIGEST' ? await verifyEcdsaDigest(key.record, signature, input.message) : await verifyRaw(key.record, input, signature);
  if (!valid) throw kmsError('KMSInvalidSignatureException', 'The signature verification failed: the signature does not match the message, key and signing algorithm.');
  return { KeyId: key.arn, SignatureValid: true, SigningAlgorithm: input.algorithm };
}

async function verifyRaw(record: KeyRecord, input: SignInput, signature: Bytes): Promise<boolean> {
  const { purpose, params } = webCryptoSigning(record, input.algorithm);
  const info = specInfo(record.KeySpec);
  const importParams = purpose === 'ECDSA' ? { name: 'ECDSA', namedCurve: info.namedCurve! } : { name: (params as { name: string }).name, hash: rsaSigningParams(input.algorithm).hash };
  const publicKey = await crypto.subtle.importKey('spki', record.publicKey!, importParams, false, ['verify']);
  const raw = purpose === 'ECDSA' ? derToP1363(signature, Math.ceil(info.size / 8)) : signature;
  return raw !== undefined && (await crypto.subtle.verify(params, publicKey, raw, input.message));
}

export async function getPublicKey(ctx: CallContext, req: Record<string, unknown>): Promise<GetPublicKeyResponse> {
  const keyIdText = requiredString(req.KeyId, 'KeyId');
  await commonMembers(ctx, req);
  const key = await ctx.readKey(keyIdText, { op: 'GetPublicKey', allowAlias: true });
  const family = specInfo(key.record.KeySpec).family;
  if (family !== 'rsa' && family !== 'ecc') {
    throw kmsError('UnsupportedOperationException', `${key.arn} key spec ${key.record.KeySpec} is not valid for this operation: it has no public key.`);
  }
  const algorithms = algorithmsFor(key.record.KeySpec, key.record.KeyUsage);
  return {
    KeyId: key.arn,
    PublicKey: new Uint8Array(key.record.publicKey!),
    CustomerMasterKeySpec: key.record.KeySpec,
    KeySpec: key.record.KeySpec,
    KeyUsage: key.record.KeyUsage,
    ...(algorithms.EncryptionAlgorithms ? { EncryptionAlgorithms: algorithms.EncryptionAlgorithms } : {}),
    ...(algorithms.SigningAlgorithms ? { SigningAlgorithms: algorithms.SigningAlgorithms } : {}),
  };
}

async function mac(ctx: CallContext, req: Record<string, unknown>, op: 'GenerateMac' | 'VerifyMac'): Promise<{ arn: string; algorithm: MacAlgorithmSpec; mac: Bytes }> {
  const keyIdText = requiredString(req.KeyId, 'KeyId');
  const message = requiredBytes(req.Message, 'Message', 1, 4096);
  const algorithm = requiredEnum(req.MacAlgorithm, 'MacAlgorithm', MACS);
  const { dryRun } = await commonMembers(ctx, req);
  const key = await ctx.readKey(keyIdText, { op, allowAlias: true, conditions: { 'kms:MacAlgorithm': algorithm } });
  requireUsage(key.record, key.arn, 'GENERATE_VERIFY_MAC', op);
  requireAlgorithm(key.record, key.arn, algorithm, 'MacAlgorithms');
  endDryRun(dryRun);
  const materialId = key.record.currentMaterialId!;
  if (algorithm === 'HMAC_SHA_224') {
    const [{ hmac }, { sha224 }] = await Promise.all([import('@noble/hashes/hmac.js'), import('@noble/hashes/sha2.js')]);
    const secret = await ctx.runtime.materialBytes(key.record, materialId);
    try {
      return { arn: key.arn, algorithm, mac: hmac(sha224, secret, message) as Bytes };
    } finally {
      zero(secret);
    }
  }
  const hmacKey = await ctx.runtime.cryptoKey(key.record, materialId, 'HMAC');
  return { arn: key.arn, algorithm, mac: new Uint8Array(await crypto.subtle.sign('HMAC', hmacKey, message)) };
}

export async function generateMac(ctx: CallContext, req: Record<string, unknown>): Promise<GenerateMacResponse> {
  const out = await mac(ctx, req, 'GenerateMac');
  return { Mac: out.mac, MacAlgorithm: out.algorithm, KeyId: out.arn };
}

export async function verifyMac(ctx: CallContext, req: Record<string, unknown>): Promise<VerifyMacResponse> {
  const expected = requiredBytes(req.Mac, 'Mac', 1, 6144);
  const out = await mac(ctx, req, 'VerifyMac');
  if (!constantTimeEqual(out.mac, expected)) throw kmsError('KMSInvalidMacException', 'The MAC verification failed: the MAC does not match the message, key and MAC algorithm.');
  return { KeyId: out.arn, MacValid: true, MacAlgorithm: out.algorithm };
}
