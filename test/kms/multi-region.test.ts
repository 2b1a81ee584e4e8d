/**
 * Multi-Region keys: ReplicateKey, shared and independent properties, cross-region decrypt while
 * the primary's region is in a simulated outage, rotation reaching replicas, UpdatePrimaryRegion,
 * and deletion of a primary that has replicas (PendingReplicaDeletion).
 */
import { describe, expect, it } from 'vitest';
import { bytes, DAY, keyId, rejects, testKms } from './helpers.js';

const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('ReplicateKey', () => {
  it('makes a replica with the same key id and material, and its own independent properties', async () => {
    const { east, eu } = await testKms();
    const id = await keyId(east, { MultiRegion: true, Description: 'primary', Tags: [{ TagKey: 'r', TagValue: 'east' }] });
    expect(id).toMatch(/^mrk-[0-9a-f]{32}$/);
    const out = await east.replicateKey({ KeyId: id, ReplicaRegion: 'eu-west-1', Description: 'replica', Tags: [{ TagKey: 'r', TagValue: 'eu' }] });
    expect(out.ReplicaKeyMetadata).toMatchObject({
      KeyId: id,
      Arn: `arn:aws:kms:eu-west-1:111122223333:key/${id}`,
      Description: 'replica',
      KeyState: 'Enabled',
      MultiRegion: true,
      MultiRegionConfiguration: {
        MultiRegionKeyType: 'REPLICA',
        PrimaryKey: { Arn: `arn:aws:kms:us-east-1:111122223333:key/${id}`, Region: 'us-east-1' },
        ReplicaKeys: [{ Arn: `arn:aws:kms:eu-west-1:111122223333:key/${id}`, Region: 'eu-west-1' }],
      },
    });
    expect(out.ReplicaTags).toEqual([{ TagKey: 'r', TagValue: 'eu' }]);
    expect(JSON.parse(out.ReplicaPolicy).Statement).toHaveLength(1);
    const primary = (await east.describeKey({ KeyId: id })).KeyMetadata;
    expect(primary.MultiRegionConfiguration!.ReplicaKeys.map((r) => r.Region)).toEqual(['eu-west-1']);
    expect(primary.CurrentKeyMaterialId).toBe(out.ReplicaKeyMetadata.CurrentKeyMaterialId);
    // Independent: disabling the replica leaves the primary enabled.
    await eu.disableKey({ KeyId: id });
    expect((await east.describeKey({ KeyId: id })).KeyMetadata.KeyState).toBe('Enabled');
    await eu.enableKey({ KeyId: id });
    await rejects(east.replicateKey({ KeyId: id, ReplicaRegion: 'eu-west-1' }), 'AlreadyExistsException');
    await rejects(east.replicateKey({ KeyId: id, ReplicaRegion: 'us-east-1' }), 'ValidationException');
    await rejects(east.replicateKey({ KeyId: id, ReplicaRegion: 'mars-north-1' }), 'ValidationException');
    await rejects(eu.replicateKey({ KeyId: id, ReplicaRegion: 'us-west-2' }), 'UnsupportedOperationException', /replica key/);
    const single = await keyId(east);
    await rejects(east.replicateKey({ KeyId: single, ReplicaRegion: 'eu-west-1' }), 'UnsupportedOperationException', /not a multi-Region key/);
  });

  it('replicates asymmetric and HMAC keys: the replica signs and verifies what the primary does', async () => {
    const { east, eu } = await testKms();
    const ecc = await keyId(east, { KeySpec: 'ECC_NIST_P384', KeyUsage: 'SIGN_VERIFY', MultiRegion: true });
    await east.replicateKey({ KeyId: ecc, ReplicaRegion: 'eu-west-1' });
    const Message = bytes('m');
    const { Signature } = await east.sign({ KeyId: ecc, Message, SigningAlgorithm: 'ECDSA_SHA_384' });
    expect((await eu.verify({ KeyId: ecc, Message, Signature, SigningAlgorithm: 'ECDSA_SHA_384' })).SignatureValid).toBe(true);
    expect((await eu.getPublicKey({ KeyId: ecc })).PublicKey).toEqual((await east.getPublicKey({ KeyId: ecc })).PublicKey);
    const mac = await keyId(east, { KeySpec: 'HMAC_224', KeyUsage: 'GENERATE_VERIFY_MAC', MultiRegion: true });
    await east.replicateKey({ KeyId: mac, ReplicaRegion: 'eu-west-1' });
    const { Mac } = await east.generateMac({ KeyId: mac, Message, MacAlgorithm: 'HMAC_SHA_224' });
    expect((await eu.verifyMac({ KeyId: mac, Message, Mac, MacAlgorithm: 'HMAC_SHA_224' })).MacValid).toBe(true);
  });
});

describe('cross-region decrypt', () => {
  it('decrypts in eu-west-1 through the replica while us-east-1 is in an outage', async () => {
    const { kms, east, eu } = await testKms();
    const id = await keyId(east, { MultiRegion: true });
    await east.replicateKey({ KeyId: id, ReplicaRegion: 'eu-west-1' });
    const dk = await east.generateDataKey({ KeyId: id, NumberOfBytes: 32, EncryptionContext: { app: 'x' } });
    await kms.simulate({ region: 'us-east-1', outage: true });
    await rejects(east.decrypt({ CiphertextBlob: dk.CiphertextBlob, EncryptionContext: { app: 'x' } }), 'KMSInternalException');
    const out = await eu.decrypt({ CiphertextBlob: dk.CiphertextBlob, EncryptionContext: { app: 'x' } });
    expect(out.Plaintext).toEqual(dk.Plaintext);
    expect(out.KeyId).toBe(`arn:aws:kms:eu-west-1:111122223333:key/${id}`);
    await kms.simulate({ region: 'us-east-1', outage: 'DependencyTimeoutException' });
    await rejects(east.listKeys(), 'DependencyTimeoutException');
    await kms.simulate({ region: 'us-east-1', outage: false });
    await east.listKeys();
  });

  it('does not decrypt a single-Region key elsewhere', async () => {
    const { east, eu } = await testKms();
    const id = await keyId(east);
    const { CiphertextBlob } = await east.encrypt({ KeyId: id, Plaintext: bytes('x') });
    await rejects(eu.decrypt({ CiphertextBlob }), 'NotFoundException');
  });
});

describe('rotation of a multi-Region key', () => {
  it('reaches the replicas, automatically and on demand', async () => {
    const { east, eu, west, clock } = await testKms();
    const id = await keyId(east, { MultiRegion: true });
    await east.replicateKey({ KeyId: id, ReplicaRegion: 'eu-west-1' });
    await east.replicateKey({ KeyId: id, ReplicaRegion: 'us-west-2' });
    await east.enableKeyRotation({ KeyId: id, RotationPeriodInDays: 90 });
    await rejects(eu.enableKeyRotation({ KeyId: id }), 'UnsupportedOperationException', /replica/);
    expect((await eu.getKeyRotationStatus({ KeyId: id })).KeyRotationEnabled).toBe(true);
    await east.rotateKeyOnDemand({ KeyId: id });
    const current = (await east.describeKey({ KeyId: id })).KeyMetadata.CurrentKeyMaterialId;
    expect((await eu.describeKey({ KeyId: id })).KeyMetadata.CurrentKeyMaterialId).toBe(current);
    clock.t += 90 * DAY;
    // The replica's call drives the primary's due rotation and receives the new material.
    const fromEu = await eu.encrypt({ KeyId: id, Plaintext: bytes('after rotation') });
    const rotated = (await east.describeKey({ KeyId: id })).KeyMetadata.CurrentKeyMaterialId;
    expect(rotated).not.toBe(current);
    expect((await east.decrypt({ CiphertextBlob: fromEu.CiphertextBlob })).KeyMaterialId).toBe(rotated);
    expect((await west.listKeyRotations({ KeyId: id })).Rotations.map((r) => r.RotationType)).toEqual(['ON_DEMAND', 'AUTOMATIC']);
  });

  it('catches a replica up that missed a rotation during an outage', async () => {
    const { kms, east, eu } = await testKms();
    const id = await keyId(east, { MultiRegion: true });
    await east.replicateKey({ KeyId: id, ReplicaRegion: 'eu-west-1' });
    await kms.simulate({ region: 'eu-west-1', outage: true });
    await east.rotateKeyOnDemand({ KeyId: id });
    const { CiphertextBlob } = await east.encrypt({ KeyId: id, Plaintext: bytes('new material') });
    await kms.simulate({ region: 'eu-west-1', outage: false });
    expect(text((await eu.decrypt({ CiphertextBlob })).Plaintext)).toBe('new material');
  });
});

describe('UpdatePrimaryRegion', () => {
  it('swaps primary and replica; rotation then belongs to the new primary', async () => {
    const { east, eu, west } = await testKms();
    const id = await keyId(east, { MultiRegion: true });
    await east.replicateKey({ KeyId: id, ReplicaRegion: 'eu-west-1' });
    await east.replicateKey({ KeyId: id, ReplicaRegion: 'us-west-2' });
    await rejects(east.updatePrimaryRegion({ KeyId: id, PrimaryRegion: 'ap-northeast-2' }), 'NotFoundException');
    await east.updatePrimaryRegion({ KeyId: id, PrimaryRegion: 'eu-west-1' });
    const cfg = (await west.describeKey({ KeyId: id })).KeyMetadata.MultiRegionConfiguration!;
    expect(cfg.PrimaryKey.Region).toBe('eu-west-1');
    expect(cfg.ReplicaKeys.map((r) => r.Region).sort()).toEqual(['us-east-1', 'us-west-2']);
    expect((await east.describeKey({ KeyId: id })).KeyMetadata.MultiRegionConfiguration!.MultiRegionKeyType).toBe('REPLICA');
    await rejects(east.enableKeyRotation({ KeyId: id }), 'UnsupportedOperationException');
    await eu.enableKeyRotation({ KeyId: id });
    await eu.rotateKeyOnDemand({ KeyId: id });
    expect((await east.describeKey({ KeyId: id })).KeyMetadata.CurrentKeyMaterialId).toBe((await eu.describeKey({ KeyId: id })).KeyMetadata.CurrentKeyMaterialId);
  });

  it('leaves keys Updating for the simulated transition time', async () => {
    const { kms, east, west, clock } = await testKms();
    const id = await keyId(east, { MultiRegion: true });
    await east.replicateKey({ KeyId: id, ReplicaRegion: 'us-west-2' });
    await kms.simulate({ region: 'us-west-2', transitionMs: 60_000 });
    await east.updatePrimaryRegion({ KeyId: id, PrimaryRegion: 'us-west-2' });
    expect((await west.describeKey({ KeyId: id })).KeyMetadata.KeyState).toBe('Updating');
    await rejects(west.disableKey({ KeyId: id }), 'KMSInvalidStateException', /is updating\.$/);
    clock.t += 60_000;
    expect((await west.describeKey({ KeyId: id })).KeyMetadata.KeyState).toBe('Enabled');
  });
});

describe('deleting multi-Region keys', () => {
  it('keeps a primary with replicas in PendingReplicaDeletion until the last replica is deleted', async () => {
    const { east, eu, clock } = await testKms();
    const id = await keyId(east, { MultiRegion: true });
    await east.replicateKey({ KeyId: id, ReplicaRegion: 'eu-west-1' });
    const { CiphertextBlob } = await east.encrypt({ KeyId: id, Plaintext: bytes('x') });
    const scheduled = await east.scheduleKeyDeletion({ KeyId: id, PendingWindowInDays: 7 });
    expect(scheduled.KeyState).toBe('PendingReplicaDeletion');
    expect(scheduled.DeletionDate).toBeUndefined();
    const m = (await east.describeKey({ KeyId: id })).KeyMetadata;
    expect([m.KeyState, m.PendingDeletionWindowInDays]).toEqual(['PendingReplicaDeletion', 7]);
    clock.t += 30 * DAY;
    expect((await east.describeKey({ KeyId: id })).KeyMetadata.KeyState).toBe('PendingReplicaDeletion');
    // The replica still decrypts: it is its own key.
    expect(text((await eu.decrypt({ CiphertextBlob })).Plaintext)).toBe('x');
    await eu.scheduleKeyDeletion({ KeyId: id, PendingWindowInDays: 7 });
    clock.t += 7 * DAY;
    const after = (await east.describeKey({ KeyId: id })).KeyMetadata;
    expect(after.KeyState).toBe('PendingDeletion');
    expect(after.DeletionDate).toEqual(new Date(clock.t + 7 * DAY));
    await rejects(eu.describeKey({ KeyId: id }), 'NotFoundException');
    clock.t += 7 * DAY;
    await rejects(east.describeKey({ KeyId: id }), 'NotFoundException');
  });
});
