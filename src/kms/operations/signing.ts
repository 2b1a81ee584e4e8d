/**
 * Signatures and MACs: Sign, Verify, GetPublicKey, GenerateMac, VerifyMac. ECDSA signatures are
 * DER as AWS KMS returns them (ecdsa-der.ts); RSASSA-PSS uses a salt as long as the digest. Verify
 * and VerifyMac never answer "false": a bad signature or MAC is KMSInvalidSignatureException /
 * KMSInvalidMacException, as in AWS KMS. HMAC-224 runs on @noble/hashes (WebCrypto has no SHA-224).
 */
import type { CallContext } from '../call-context.js';
import { constantTimeEqual, zero } from '../../core/bytes.js';
import type { Bytes } from '../../core/types.js';
import { derToP1363, p1363ToDer } from '../ecdsa-der.js';
import { kmsError } from '../errors.js';
import type { KeyRecord } from '../records.js';
import type { Purpose } from '../region-runtime.js';
import { algorithmsFor, ecdsaHash, rsaSigningParams, specInfo, type MacAlgorithmSpec, type SigningAlgorithmSpec } from '../specs.js';
import type { GenerateMacResponse, GetPublicKeyResponse, SignResponse, VerifyMacResponse, VerifyResponse } from '../types.js';
import { optionalEnum, requiredBytes, requiredEnum, requiredString } from '../validation.js';
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
  algorithm: SigningAlgorithmSpec;
  dryRun: boolean;
}

function signInput(ctx: CallContext, req: Record<string, unknown>): SignInput {
  const keyIdText = requiredString(req.KeyId, 'KeyId');
  const message = requiredBytes(req.Message, 'Message', 1, 4096);
  const messageType = optionalEnum(req.MessageType, 'MessageType', ['RAW', 'DIGEST', 'EXTERNAL_MU'] as const) ?? 'RAW';
  const algorithm = requiredEnum(req.SigningAlgorithm, 'SigningAlgorithm', SIGNING);
  const { dryRun } = commonMembers(ctx, req);
  if (messageType !== 'RAW') {
    // WebCrypto always hashes the message itself: it cannot sign or verify a precomputed digest.
    throw kmsError('UnsupportedOperationException', `MessageType ${messageType} is not supported by the simulated KMS; send the RAW message.`);
  }
  return { keyIdText, message, algorithm, dryRun };
}

function webCryptoSigning(record: KeyRecord, algorithm: SigningAlgorithmSpec): { purpose: Purpose; params: AlgorithmIdentifier | RsaPssParams | EcdsaParams } {
  if (specInfo(record.KeySpec).family === 'ecc') return { purpose: 'ECDSA', params: { name: 'ECDSA', hash: ecdsaHash(record.KeySpec) } };
  const p = rsaSigningParams(algorithm);
  return { purpose: `${p.name}:${p.hash}` as Purpose, params: p.saltLength ? { name: p.name, saltLength: p.saltLength } : { name: p.name } };
}

export async function sign(ctx: CallContext, req: Record<string, unknown>): Promise<SignResponse> {
  const input = signInput(ctx, req);
  const key = await ctx.readKey(input.keyIdText, { op: 'Sign', allowAlias: true, conditions: { 'kms:SigningAlgorithm': input.algorithm, 'kms:MessageType': 'RAW' } });
  requireUsage(key.record, key.arn, 'SIGN_VERIFY', 'Sign');
  requireAlgorithm(key.record, key.arn, input.algorithm, 'SigningAlgorithms');
  endDryRun(input.dryRun);
  const { purpose, params } = webCryptoSigning(key.record, input.algorithm);
  const privateKey = await ctx.runtime.cryptoKey(key.record, key.record.currentMaterialId!, purpose);
  const raw = new Uint8Array(await crypto.subtle.sign(params, privateKey, input.message));
  const signature = purpose === 'ECDSA' ? p1363ToDer(raw) : raw;
  return { KeyId: key.arn, Signature: signature, SigningAlgorithm: input.algorithm };
}

export async function verify(ctx: CallContext, req: Record<string, unknown>): Promise<VerifyResponse> {
  const input = signInput(ctx, req);
  const signature = requiredBytes(req.Signature, 'Signature', 1, 6144);
  const key = await ctx.readKey(input.keyIdText, { op: 'Verify', allowAlias: true, conditions: { 'kms:SigningAlgorithm': input.algorithm, 'kms:MessageType': 'RAW' } });
  requireUsage(key.record, key.arn, 'SIGN_VERIFY', 'Verify');
  requireAlgorithm(key.record, key.arn, input.algorithm, 'SigningAlgorithms');
  endDryRun(input.dryRun);
  const { purpose, params } = webCryptoSigning(key.record, input.algorithm);
  const info = specInfo(key.record.KeySpec);
  const importParams = purpose === 'ECDSA' ? { name: 'ECDSA', namedCurve: info.namedCurve! } : { name: (params as { name: string }).name, hash: rsaSigningParams(input.algorithm).hash };
  const publicKey = await crypto.subtle.importKey('spki', key.record.publicKey!, importParams, false, ['verify']);
  const raw = purpose === 'ECDSA' ? derToP1363(signature, Math.ceil(info.size / 8)) : signature;
  const valid = raw !== undefined && (await crypto.subtle.verify(params, publicKey, raw, input.message));
  if (!valid) throw kmsError('KMSInvalidSignatureException', 'The signature verification failed: the signature does not match the message, key and signing algorithm.');
  return { KeyId: key.arn, SignatureValid: true, SigningAlgorithm: input.algorithm };
}

export async function getPublicKey(ctx: CallContext, req: Record<string, unknown>): Promise<GetPublicKeyResponse> {
  const keyIdText = requiredString(req.KeyId, 'KeyId');
  commonMembers(ctx, req);
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
  const { dryRun } = commonMembers(ctx, req);
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
