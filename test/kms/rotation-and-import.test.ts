/**
 * Rotation by the injected clock and on demand, ListKeyRotations, and imported key material:
 * GetParametersForImport (every wrapping algorithm), ImportKeyMaterial, expiry to PendingImport,
 * re-import, DeleteImportedKeyMaterial.
 */
import { aeskwp } from '@noble/ciphers/aes.js';
import { describe, expect, it } from 'vitest';
import { bytes, DAY, importMaterial, keyId, material32, rejects, testKms, wrapForImport } from './helpers.js';

describe('automatic rotation', () => {
  it('rotates when due by the clock; every earlier material keeps decrypting', async () => {
    const { east, clock, kms } = await testKms();
    const id = await keyId(east);
    await rejects(east.enableKeyRotation({ KeyId: id, RotationPeriodInDays: 89 }), 'ValidationException');
    await rejects(east.enableKeyRotation({ KeyId: id, RotationPeriodInDays: 2561 }), 'ValidationException');
    await east.enableKeyRotation({ KeyId: id, RotationPeriodInDays: 90 });
    const status = await east.getKeyRotationStatus({ KeyId: id });
    expect(status).toEqual({ KeyRotationEnabled: true, KeyId: expect.stringContaining(id), RotationPeriodInDays: 90, NextRotationDate: new Date(clock.t + 90 * DAY) });
    const before = await east.encrypt({ KeyId: id, Plaintext: bytes('old') });
    const m0 = (await east.describeKey({ KeyId: id })).KeyMetadata.CurrentKeyMaterialId;

    clock.t += 90 * DAY;
    await kms.tick();
    const after = await east.encrypt({ KeyId: id, Plaintext: bytes('new') });
    const m1 = (await east.describeKey({ KeyId: id })).KeyMetadata.CurrentKeyMaterialId;
    expect(m1).not.toBe(m0);
    expect((await east.decrypt({ CiphertextBlob: before.CiphertextBlob })).KeyMaterialId).toBe(m0);
    expect((await east.decrypt({ CiphertextBlob: after.CiphertextBlob })).KeyMaterialId).toBe(m1);

    // Two more periods pass without a call: the next call catches up, one material per period.
    clock.t += 180 * DAY;
    const rotations = await east.listKeyRotations({ KeyId: id });
    expect(rotations.Rotations.map((r) => [r.RotationType, r.RotationDate!.getTime() - Date.UTC(2025, 0, 1)])).toEqual([
      ['AUTOMATIC', 90 * DAY],
      ['AUTOMATIC', 180 * DAY],
      ['AUTOMATIC', 270 * DAY],
    ]);
    expect(rotations.Rotations.map((r) => r.KeyMaterialState)).toEqual(['NON_CURRENT', 'NON_CURRENT', 'CURRENT']);
    const all = await east.listKeyRotations({ KeyId: id, IncludeKeyMaterial: 'ALL_KEY_MATERIAL', Limit: 2 });
    expect(all.Rotations[0]!.KeyMaterialId).toBe(m0);
    expect(all.Truncated).toBe(true);
    expect(text((await east.decrypt({ CiphertextBlob: before.CiphertextBlob })).Plaintext)).toBe('old');

    await east.disableKeyRotation({ KeyId: id });
    expect(await east.getKeyRotationStatus({ KeyId: id })).toEqual({ KeyRotationEnabled: false, KeyId: expect.any(String) });
  });

  it('does not rotate a disabled key until it is enabled again', async () => {
    const { east, clock } = await testKms();
    const id = await keyId(east);
    await east.enableKeyRotation({ KeyId: id });
    await east.disableKey({ KeyId: id });
    clock.t += 400 * DAY;
    expect((await east.listKeyRotations({ KeyId: id })).Rotations).toEqual([]);
    await east.enableKey({ KeyId: id });
    expect((await east.listKeyRotations({ KeyId: id })).Rotations).toHaveLength(1);
  });

  it('refuses rotation for asymmetric and HMAC keys; their status is false', async () => {
    const { east } = await testKms();
    const hmac = await keyId(east, { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    await rejects(east.enableKeyRotation({ KeyId: hmac }), 'UnsupportedOperationException');
    await rejects(east.rotateKeyOnDemand({ KeyId: hmac }), 'UnsupportedOperationException');
    await rejects(east.listKeyRotations({ KeyId: hmac }), 'UnsupportedOperationException');
    expect((await east.getKeyRotationStatus({ KeyId: hmac })).KeyRotationEnabled).toBe(false);
  });
});

describe('on-demand rotation', () => {
  it('rotates at once, at most 25 times per key, and not just before an automatic rotation', async () => {
    const { east, clock } = await testKms();
    const id = await keyId(east);
    const first = await east.encrypt({ KeyId: id, Plaintext: bytes('first') });
    for (let i = 0; i < 25; i++) await east.rotateKeyOnDemand({ KeyId: id });
    await rejects(east.rotateKeyOnDemand({ KeyId: id }), 'LimitExceededException');
    const rotations = (await east.listKeyRotations({ KeyId: id, Limit: 1000 })).Rotations;
    expect(rotations).toHaveLength(25);
    expect(rotations.every((r) => r.RotationType === 'ON_DEMAND')).toBe(true);
    expect(text((await east.decrypt({ CiphertextBlob: first.CiphertextBlob })).Plaintext)).toBe('first');

    const other = await keyId(east);
    await east.enableKeyRotation({ KeyId: other, RotationPeriodInDays: 90 });
    clock.t += 90 * DAY - 10 * 60_000;
    await rejects(east.rotateKeyOnDemand({ KeyId: other }), 'ConflictException', /20 minutes/);
  });
});

const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('imported key material', () => {
  it('creates EXTERNAL keys in PendingImport and imports with RSAES_OAEP_SHA_256', async () => {
    const { east } = await testKms();
    const id = await keyId(east, { Origin: 'EXTERNAL' });
    const m = (await east.describeKey({ KeyId: id })).KeyMetadata;
    expect([m.KeyState, m.Origin, m.Enabled]).toEqual(['PendingImport', 'EXTERNAL', false]);
    await rejects(east.encrypt({ KeyId: id, Plaintext: bytes('x') }), 'KMSInvalidStateException', /is pending import\.$/);
    const materialId = await importMaterial(east, id, material32());
    expect(materialId).toMatch(/^[0-9a-f]{64}$/);
    const after = (await east.describeKey({ KeyId: id })).KeyMetadata;
    expect([after.KeyState, after.ExpirationModel]).toEqual(['Enabled', 'KEY_MATERIAL_DOES_NOT_EXPIRE']);
    await east.encrypt({ KeyId: id, Plaintext: bytes('x') });
  });

  it('gives a 24-hour token bound to its key; refuses PKCS#1 v1.5 and SM2', async () => {
    const { east, clock } = await testKms();
    const id = await keyId(east, { Origin: 'EXTERNAL' });
    const other = await keyId(east, { Origin: 'EXTERNAL' });
    await rejects(east.getParametersForImport({ KeyId: id, WrappingAlgorithm: 'RSAES_PKCS1_V1_5', WrappingKeySpec: 'RSA_2048' }), 'UnsupportedOperationException', /RSAES-PKCS1-v1_5/);
    await rejects(east.getParametersForImport({ KeyId: id, WrappingAlgorithm: 'SM2PKE', WrappingKeySpec: 'SM2' }), 'UnsupportedOperationException');
    const p = await east.getParametersForImport({ KeyId: id, WrappingAlgorithm: 'RSAES_OAEP_SHA_1', WrappingKeySpec: 'RSA_2048' });
    expect(p.ParametersValidTo).toEqual(new Date(clock.t + DAY));
    const EncryptedKeyMaterial = await wrapForImport(p.PublicKey, material32(), 'SHA-1');
    await rejects(east.importKeyMaterial({ KeyId: other, ImportToken: p.ImportToken, EncryptedKeyMaterial }), 'InvalidImportTokenException');
    await rejects(east.importKeyMaterial({ KeyId: id, ImportToken: bytes('forged'), EncryptedKeyMaterial }), 'InvalidImportTokenException');
    await rejects(east.importKeyMaterial({ KeyId: id, ImportToken: p.ImportToken, EncryptedKeyMaterial: new Uint8Array(256) }), 'InvalidCiphertextException');
    clock.t += DAY;
    await rejects(east.importKeyMaterial({ KeyId: id, ImportToken: p.ImportToken, EncryptedKeyMaterial }), 'ExpiredImportTokenException');
    clock.t -= 1;
    await east.importKeyMaterial({ KeyId: id, ImportToken: p.ImportToken, EncryptedKeyMaterial });
  });

  it('imports with RSA_AES_KEY_WRAP_SHA_256 (RSA-OAEP + AES-KWP)', async () => {
    const { east } = await testKms();
    const id = await keyId(east, { Origin: 'EXTERNAL' });
    const p = await east.getParametersForImport({ KeyId: id, WrappingAlgorithm: 'RSA_AES_KEY_WRAP_SHA_256', WrappingKeySpec: 'RSA_3072' });
    const ephemeral = crypto.getRandomValues(new Uint8Array(32));
    const wrapped = new Uint8Array([...(await wrapForImport(p.PublicKey, ephemeral)), ...aeskwp(ephemeral).encrypt(material32())]);
    await east.importKeyMaterial({ KeyId: id, ImportToken: p.ImportToken, EncryptedKeyMaterial: wrapped });
    expect((await east.describeKey({ KeyId: id })).KeyMetadata.KeyState).toBe('Enabled');
    const bad = new Uint8Array(wrapped);
    bad[bad.length - 1]! ^= 1;
    await rejects(east.importKeyMaterial({ KeyId: id, ImportToken: p.ImportToken, EncryptedKeyMaterial: bad }), 'InvalidCiphertextException');
  }, 30_000);

  it('expires material at ValidTo (PendingImport) and takes back only the same material', async () => {
    const { east, clock } = await testKms();
    const id = await keyId(east, { Origin: 'EXTERNAL' });
    const validTo = new Date(clock.t + 10 * DAY);
    const first = await importMaterial(east, id, material32(), { ValidTo: validTo });
    const m = (await east.describeKey({ KeyId: id })).KeyMetadata;
    expect([m.ExpirationModel, m.ValidTo]).toEqual(['KEY_MATERIAL_EXPIRES', validTo]);
    const { CiphertextBlob } = await east.encrypt({ KeyId: id, Plaintext: bytes('kept') });
    clock.t = validTo.getTime();
    expect((await east.describeKey({ KeyId: id })).KeyMetadata.KeyState).toBe('PendingImport');
    await rejects(east.decrypt({ CiphertextBlob }), 'KMSInvalidStateException');
    await rejects(importMaterial(east, id, material32(99)), 'IncorrectKeyMaterialException');
    expect(await importMaterial(east, id, material32())).toBe(first);
    expect(text((await east.decrypt({ CiphertextBlob })).Plaintext)).toBe('kept');
  });

  it('checks ExpirationModel against ValidTo and the material length', async () => {
    const { east, clock } = await testKms();
    const id = await keyId(east, { Origin: 'EXTERNAL' });
    const p = await east.getParametersForImport({ KeyId: id, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' });
    const EncryptedKeyMaterial = await wrapForImport(p.PublicKey, material32());
    const base = { KeyId: id, ImportToken: p.ImportToken, EncryptedKeyMaterial };
    await rejects(east.importKeyMaterial({ ...base, ExpirationModel: 'KEY_MATERIAL_EXPIRES' }), 'ValidationException');
    await rejects(east.importKeyMaterial({ ...base, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE', ValidTo: new Date(clock.t + DAY) }), 'ValidationException');
    await rejects(east.importKeyMaterial({ ...base, ValidTo: new Date(clock.t - 1) }), 'ValidationException');
    const short = await wrapForImport(p.PublicKey, new Uint8Array(16));
    await rejects(east.importKeyMaterial({ ...base, EncryptedKeyMaterial: short }), 'IncorrectKeyMaterialException');
  });

  it('deletes imported material (PendingImport; no effect the second time) and refuses KMS-made keys', async () => {
    const { east } = await testKms();
    const id = await keyId(east, { Origin: 'EXTERNAL' });
    const materialId = await importMaterial(east, id, material32());
    expect(await east.deleteImportedKeyMaterial({ KeyId: id })).toEqual({ KeyId: expect.stringContaining(id), KeyMaterialId: materialId });
    expect((await east.describeKey({ KeyId: id })).KeyMetadata.KeyState).toBe('PendingImport');
    await east.deleteImportedKeyMaterial({ KeyId: id });
    const kmsMade = await keyId(east);
    await rejects(east.deleteImportedKeyMaterial({ KeyId: kmsMade }), 'UnsupportedOperationException', /origin is AWS_KMS/);
    await rejects(east.getParametersForImport({ KeyId: kmsMade, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }), 'UnsupportedOperationException');
    await rejects(east.createKey({ Origin: 'EXTERNAL', KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }), 'UnsupportedOperationException');
  });
});
