/**
 * Imported key material: GetParametersForImport, ImportKeyMaterial, DeleteImportedKeyMaterial
 * (API reference, one section each). A key with Origin EXTERNAL holds one material for life: a
 * re-import must bring the same bytes (IncorrectKeyMaterialException otherwise), which is how its
 * old ciphertexts decrypt again after the material expired or was deleted. The KeyMaterialId of an
 * imported material is HMAC-SHA-256(material, label): the same for the same bytes, and revealing
 * nothing about them.
 */
import type { CallContext } from '../requests/call-context.js';
import { fromUtf8, randomBytes, utf8, zero } from '../../core/bytes.js';
import type { Bytes } from '../../core/types.js';
import { kmsError } from '../errors.js';
import { materialIdFrom } from '../keys/identifiers.js';
import { checkWrapping, createWrappingKeyPair, openImportedMaterial, type WrappingKeySpec } from '../crypto/import-wrapping.js';
import { wrapImported } from '../crypto/key-material.js';
import { DAY_MS } from '../keys/lifecycle.js';
import type { ImportRecord, KeyRecord } from '../storage/records.js';
import type { WrappingAlgorithm } from '../keys/specs.js';
import type { DeleteImportedKeyMaterialResponse, GetParametersForImportResponse, ImportKeyMaterialResponse } from '../types.js';
import { optionalDate, optionalEnum, optionalString, requiredBytes, requiredEnum, requiredString } from '../requests/validation.js';

const WRAPPING_ALGORITHMS = ['RSAES_PKCS1_V1_5', 'RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_256', 'SM2PKE'] as const;
const WRAPPING_KEY_SPECS = ['RSA_2048', 'RSA_3072', 'RSA_4096', 'SM2'] as const;
const TOKEN_PREFIX = 'envelope-kit/kms import token 1:';
const MATERIAL_ID_LABEL = utf8('envelope-kit/kms imported key material id');

export async function getParametersForImport(ctx: CallContext, req: Record<string, unknown>): Promise<GetParametersForImportResponse> {
  const keyIdText = requiredString(req.KeyId, 'KeyId');
  const algorithm = requiredEnum(req.WrappingAlgorithm, 'WrappingAlgorithm', WRAPPING_ALGORITHMS);
  const spec = requiredEnum(req.WrappingKeySpec, 'WrappingKeySpec', WRAPPING_KEY_SPECS) as WrappingKeySpec;
  const key = await ctx.readKey(keyIdText, { op: 'GetParametersForImport', allowAlias: false });
  checkWrapping(algorithm, spec);
  const { privateKey, publicKey } = await createWrappingKeyPair(algorithm, spec);
  const tokenId = materialIdFrom(randomBytes(32));
  const validTo = ctx.now() + DAY_MS;
  const record: ImportRecord = { version: 1, tokenId, KeyId: key.record.KeyId, wrappingAlgorithm: algorithm, privateKey, validTo };
  await ctx.runtime.store.commit([{ store: 'imports', id: tokenId, expect: null, value: record }]);
  return { KeyId: key.arn, ImportToken: utf8(TOKEN_PREFIX + tokenId), PublicKey: publicKey, ParametersValidTo: new Date(validTo) };
}

async function importedMaterialId(material: Bytes): Promise<string> {
  const key = await crypto.subtle.importKey('raw', material, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return materialIdFrom(new Uint8Array(await crypto.subtle.sign('HMAC', key, MATERIAL_ID_LABEL)));
}

function tokenIdOf(token: Bytes): string {
  let text = '';
  try {
    text = fromUtf8(token);
  } catch {
    // not UTF-8: falls through to the error below
  }
  if (!text.startsWith(TOKEN_PREFIX)) throw kmsError('InvalidImportTokenException', 'The import token is not valid: use the ImportToken of a GetParametersForImport response.');
  return text.slice(TOKEN_PREFIX.length);
}

export async function importKeyMaterial(ctx: CallContext, req: Record<string, unknown>): Promise<ImportKeyMaterialResponse> {
  const keyIdText = requiredString(req.KeyId, 'KeyId');
  const token = requiredBytes(req.ImportToken, 'ImportToken', 1, 6144);
  const encrypted = requiredBytes(req.EncryptedKeyMaterial, 'EncryptedKeyMaterial', 1, 6144);
  const validTo = optionalDate(req.ValidTo, 'ValidTo');
  const model = optionalEnum(req.ExpirationModel, 'ExpirationModel', ['KEY_MATERIAL_EXPIRES', 'KEY_MATERIAL_DOES_NOT_EXPIRE'] as const) ?? (validTo !== undefined ? 'KEY_MATERIAL_EXPIRES' : 'KEY_MATERIAL_DOES_NOT_EXPIRE');
  const importType = optionalEnum(req.ImportType, 'ImportType', ['NEW_KEY_MATERIAL', 'EXISTING_KEY_MATERIAL'] as const);
  optionalString(req.KeyMaterialDescription, 'KeyMaterialDescription', 0, 256);
  const requestedId = optionalString(req.KeyMaterialId, 'KeyMaterialId', 64, 64);
  if (model === 'KEY_MATERIAL_EXPIRES' && validTo === undefined) throw kmsError('ValidationException', 'ValidTo is required when ExpirationModel is KEY_MATERIAL_EXPIRES.');
  if (model === 'KEY_MATERIAL_DOES_NOT_EXPIRE' && validTo !== undefined) throw kmsError('ValidationException', 'ValidTo must be omitted when ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE.');
  if (validTo !== undefined && validTo <= ctx.now()) throw kmsError('ValidationException', 'ValidTo must be in the future.');

  // The key and its state come first (key-state table), then the token.
  const conditions = { 'kms:ExpirationModel': model, ...(validTo !== undefined ? { 'kms:ValidTo': new Date(validTo) } : {}) };
  const keyId = (await ctx.readKey(keyIdText, { op: 'ImportKeyMaterial', allowAlias: false, conditions })).record.KeyId;
  const parameters = await ctx.runtime.store.getImport(tokenIdOf(token));
  if (!parameters || parameters.KeyId !== keyId) throw kmsError('InvalidImportTokenException', `The import token is not valid for ${ctx.arn(keyId)}.`);
  if (parameters.validTo <= ctx.now()) throw kmsError('ExpiredImportTokenException', 'The import token has expired: call GetParametersForImport again.');

  return ctx.mutateKey(keyIdText, { op: 'ImportKeyMaterial', allowAlias: false, conditions }, async ({ record, arn }) => {
    const material = await openImportedMaterial(parameters.wrappingAlgorithm as WrappingAlgorithm, parameters.privateKey, encrypted);
    try {
      if (material.length !== 32) throw kmsError('IncorrectKeyMaterialException', `SYMMETRIC_DEFAULT key material must be 256 bits; this is ${material.length * 8}.`);
      const id = await importedMaterialId(material);
      const previous = record.imported?.materialId;
      if (previous !== undefined && previous !== id) {
        throw kmsError(
          importType === 'NEW_KEY_MATERIAL' ? 'UnsupportedOperationException' : 'IncorrectKeyMaterialException',
          importType === 'NEW_KEY_MATERIAL'
            ? 'Importing new key material into a key that has key material (on-demand rotation of imported keys) is not supported by the simulated KMS.'
            : `The key material is not the key material previously imported into ${arn}.`,
        );
      }
      if (requestedId !== undefined && requestedId !== id) throw kmsError('IncorrectKeyMaterialException', `KeyMaterialId ${requestedId} does not match the imported key material.`);
      let materials = record.materials;
      if (!materials.some((m) => m.id === id)) {
        const cryptoKey = await crypto.subtle.importKey('raw', material, { name: 'AES-GCM' }, true, ['encrypt', 'decrypt']);
        materials = [{ id, createdAt: ctx.now(), wrapped: await wrapImported(cryptoKey, ctx.runtime.root, record.KeyId, id) }];
      }
      const imported = { materialId: id, expirationModel: model, ...(validTo !== undefined ? { validTo } : {}) };
      const next: KeyRecord = { ...record, materials, currentMaterialId: id, imported };
      return { record: next, result: { KeyId: arn, KeyMaterialId: id } };
    } finally {
      zero(material);
    }
  });
}

export async function deleteImportedKeyMaterial(ctx: CallContext, req: Record<string, unknown>): Promise<DeleteImportedKeyMaterialResponse> {
  const keyIdText = requiredString(req.KeyId, 'KeyId');
  const requestedId = optionalString(req.KeyMaterialId, 'KeyMaterialId', 64, 64);
  const out = await ctx.mutateKey(keyIdText, { op: 'DeleteImportedKeyMaterial', allowAlias: false }, async ({ record, arn }) => {
    const current = record.currentMaterialId;
    if (requestedId !== undefined && requestedId !== current && requestedId !== record.imported?.materialId) {
      throw kmsError('NotFoundException', `${arn} has no key material with id ${requestedId}.`);
    }
    // Pending import: nothing to delete ("No effect" in the key-state table).
    if (current === undefined) return { result: { KeyId: arn, KeyMaterialId: record.imported?.materialId ?? '', keyId: record.KeyId } };
    const { currentMaterialId: _deleted, ...rest } = record;
    const next: KeyRecord = { ...rest, materials: [], imported: { materialId: current } };
    return { record: next, result: { KeyId: arn, KeyMaterialId: current, keyId: record.KeyId } };
  });
  ctx.runtime.evict(out.keyId);
  return { KeyId: out.KeyId, KeyMaterialId: out.KeyMaterialId };
}
