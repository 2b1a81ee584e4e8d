/**
 * Key management, aliases, tags and key policies: CreateKey (every supported spec and the refused
 * ones), DescribeKey through all four KeyId forms, ListKeys paging, UpdateKeyDescription,
 * Enable/DisableKey, Schedule/CancelKeyDeletion, Tag/Untag/ListResourceTags, the alias operations,
 * Get/Put/ListKeyPolicies, and the AWS-style validation errors.
 */
import { describe, expect, it } from 'vitest';
import { DAY, keyId, rejects, testKms, bytes } from './helpers.js';

describe('CreateKey and DescribeKey', () => {
  it('creates a symmetric key by default, with AWS KeyMetadata', async () => {
    const { east, clock } = await testKms();
    const { KeyMetadata: m } = await east.createKey({ Description: 'app', Tags: [{ TagKey: 'team', TagValue: 'a' }] });
    expect(m.KeyId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(m.Arn).toBe(`arn:aws:kms:us-east-1:111122223333:key/${m.KeyId}`);
    expect(m).toMatchObject({
      AWSAccountId: '111122223333',
      Enabled: true,
      KeyState: 'Enabled',
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeySpec: 'SYMMETRIC_DEFAULT',
      CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
      EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
      Origin: 'AWS_KMS',
      KeyManager: 'CUSTOMER',
      MultiRegion: false,
      Description: 'app',
    });
    expect(m.CreationDate).toEqual(new Date(clock.t));
    expect(m.CurrentKeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ['RSA_2048', 'ENCRYPT_DECRYPT', { EncryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] }],
    ['RSA_2048', 'SIGN_VERIFY', { SigningAlgorithms: expect.arrayContaining(['RSASSA_PSS_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_512']) }],
    ['ECC_NIST_P256', 'SIGN_VERIFY', { SigningAlgorithms: ['ECDSA_SHA_256'] }],
    ['ECC_NIST_P384', 'SIGN_VERIFY', { SigningAlgorithms: ['ECDSA_SHA_384'] }],
    ['ECC_NIST_P521', 'SIGN_VERIFY', { SigningAlgorithms: ['ECDSA_SHA_512'] }],
    ['HMAC_224', 'GENERATE_VERIFY_MAC', { MacAlgorithms: ['HMAC_SHA_224'] }],
    ['HMAC_256', 'GENERATE_VERIFY_MAC', { MacAlgorithms: ['HMAC_SHA_256'] }],
    ['HMAC_384', 'GENERATE_VERIFY_MAC', { MacAlgorithms: ['HMAC_SHA_384'] }],
    ['HMAC_512', 'GENERATE_VERIFY_MAC', { MacAlgorithms: ['HMAC_SHA_512'] }],
  ] as const)('creates %s for %s', async (KeySpec, KeyUsage, algorithms) => {
    const { east } = await testKms();
    const { KeyMetadata } = await east.createKey({ KeySpec, KeyUsage });
    expect(KeyMetadata).toMatchObject({ KeySpec, KeyUsage, ...algorithms });
  });

  it('creates RSA_3072 and RSA_4096 keys (the larger moduli)', async () => {
    const { east } = await testKms();
    for (const KeySpec of ['RSA_3072', 'RSA_4096'] as const) {
      const id = await keyId(east, { KeySpec, KeyUsage: 'ENCRYPT_DECRYPT' });
      const { PublicKey } = await east.getPublicKey({ KeyId: id });
      const key = await crypto.subtle.importKey('spki', PublicKey as Uint8Array<ArrayBuffer>, { name: 'RSA-OAEP', hash: 'SHA-256' }, true, ['encrypt']);
      expect((key.algorithm as RsaHashedKeyAlgorithm).modulusLength).toBe(Number(KeySpec.slice(4)));
    }
  }, 60_000);

  it('accepts the deprecated CustomerMasterKeySpec, but not together with KeySpec', async () => {
    const { east } = await testKms();
    const { KeyMetadata } = await east.createKey({ CustomerMasterKeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    expect(KeyMetadata.KeySpec).toBe('ECC_NIST_P256');
    await rejects(east.createKey({ CustomerMasterKeySpec: 'ECC_NIST_P256', KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }), 'ValidationException');
  });

  it('refuses key usages a spec does not allow, and specs WebCrypto cannot do', async () => {
    const { east } = await testKms();
    await rejects(east.createKey({ KeySpec: 'HMAC_256' }), 'ValidationException', /ENCRYPT_DECRYPT is not compatible with KeySpec HMAC_256/);
    await rejects(east.createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'ENCRYPT_DECRYPT' }), 'ValidationException');
    await rejects(east.createKey({ KeyUsage: 'SIGN_VERIFY' }), 'ValidationException');
    for (const KeySpec of ['ECC_SECG_P256K1', 'SM2', 'ML_DSA_65', 'ECC_NIST_EDWARDS25519'] as const) {
      await rejects(east.createKey({ KeySpec, KeyUsage: 'SIGN_VERIFY' }), 'UnsupportedOperationException', /not supported by the simulated KMS/);
    }
    await rejects(east.createKey({ Origin: 'AWS_CLOUDHSM' }), 'UnsupportedOperationException');
    await rejects(east.createKey({ CustomKeyStoreId: 'cks-1234567890abcdef0' }), 'UnsupportedOperationException');
    await rejects(east.createKey({ KeySpec: 'RSA_9999' as never }), 'ValidationException', /Member must satisfy enum value set/);
  });

  it('validates members in AWS format', async () => {
    const { east } = await testKms();
    await rejects(east.describeKey({} as never), 'ValidationException', /^1 validation error detected: Value at 'keyId' failed to satisfy constraint: Member must not be null$/);
    await rejects(east.describeKey({ KeyId: 'x'.repeat(2049) }), 'ValidationException', /Member must have length less than or equal to 2048/);
    await rejects(east.createKey({ Description: 'x'.repeat(8193) }), 'ValidationException');
    await rejects(east.createKey({ Policy: 'not json' }), 'MalformedPolicyDocumentException');
    await rejects(east.createKey({ Tags: [{ TagKey: 'aws:reserved', TagValue: 'x' }] }), 'TagException');
    await rejects(east.encrypt({ KeyId: 'alias/x', Plaintext: 'text' as never }), 'ValidationException', /plaintext/);
  });

  it('finds a key by key id, key ARN, alias name and alias ARN where AWS allows', async () => {
    const { east } = await testKms();
    const id = await keyId(east);
    await east.createAlias({ AliasName: 'alias/app', TargetKeyId: id });
    const arn = `arn:aws:kms:us-east-1:111122223333:key/${id}`;
    for (const KeyId of [id, arn, 'alias/app', 'arn:aws:kms:us-east-1:111122223333:alias/app']) {
      expect((await east.describeKey({ KeyId })).KeyMetadata.KeyId).toBe(id);
    }
    // Management operations take a key id or key ARN only.
    await rejects(east.disableKey({ KeyId: 'alias/app' }), 'NotFoundException');
    await rejects(east.describeKey({ KeyId: 'alias/none' }), 'NotFoundException', /Alias arn:aws:kms:us-east-1:111122223333:alias\/none is not found/);
    await rejects(east.describeKey({ KeyId: '00000000-0000-4000-8000-000000000000' }), 'NotFoundException', /does not exist/);
    await rejects(east.describeKey({ KeyId: `arn:aws:kms:eu-west-1:111122223333:key/${id}` }), 'NotFoundException');
    await rejects(east.describeKey({ KeyId: 'arn:aws:kms:bad' }), 'InvalidArnException');
    await rejects(east.describeKey({ KeyId: 'not-a-key' }), 'NotFoundException');
  });
});

describe('ListKeys, descriptions, enable and disable', () => {
  it('pages through keys with Limit and NextMarker', async () => {
    const { east } = await testKms();
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await keyId(east));
    const first = await east.listKeys({ Limit: 2 });
    expect(first.Truncated).toBe(true);
    const second = await east.listKeys({ Limit: 10, Marker: first.NextMarker! });
    expect(second.Truncated).toBe(false);
    expect([...first.Keys, ...second.Keys].map((k) => k.KeyId).sort()).toEqual([...ids].sort());
    expect(first.Keys[0]!.KeyArn).toContain(':key/');
    await rejects(east.listKeys({ Marker: 'garbage' }), 'InvalidMarkerException');
    await rejects(east.listKeys({ Limit: 0 }), 'ValidationException');
  });

  it('updates the description and toggles the enabled state', async () => {
    const { east } = await testKms();
    const id = await keyId(east);
    await east.updateKeyDescription({ KeyId: id, Description: 'new' });
    await east.disableKey({ KeyId: id });
    let m = (await east.describeKey({ KeyId: id })).KeyMetadata;
    expect([m.Description, m.KeyState, m.Enabled]).toEqual(['new', 'Disabled', false]);
    await rejects(east.encrypt({ KeyId: id, Plaintext: bytes('x') }), 'DisabledException', new RegExp(`^arn:aws:kms:us-east-1:111122223333:key/${id} is disabled\\.$`));
    await east.enableKey({ KeyId: id });
    m = (await east.describeKey({ KeyId: id })).KeyMetadata;
    expect([m.KeyState, m.Enabled]).toEqual(['Enabled', true]);
  });
});

describe('ScheduleKeyDeletion and CancelKeyDeletion', () => {
  it('waits 7-30 days (default 30), cancels back to Disabled, and deletes at the end', async () => {
    const { east, clock } = await testKms();
    const id = await keyId(east);
    await east.createAlias({ AliasName: 'alias/gone', TargetKeyId: id });
    await rejects(east.scheduleKeyDeletion({ KeyId: id, PendingWindowInDays: 6 }), 'ValidationException');
    await rejects(east.scheduleKeyDeletion({ KeyId: id, PendingWindowInDays: 31 }), 'ValidationException');
    const scheduled = await east.scheduleKeyDeletion({ KeyId: id });
    expect(scheduled).toEqual({ KeyId: `arn:aws:kms:us-east-1:111122223333:key/${id}`, KeyState: 'PendingDeletion', PendingWindowInDays: 30, DeletionDate: new Date(clock.t + 30 * DAY) });
    expect((await east.describeKey({ KeyId: id })).KeyMetadata.DeletionDate).toEqual(new Date(clock.t + 30 * DAY));
    expect(await east.cancelKeyDeletion({ KeyId: id })).toEqual({ KeyId: scheduled.KeyId });
    expect((await east.describeKey({ KeyId: id })).KeyMetadata.KeyState).toBe('Disabled');

    await east.scheduleKeyDeletion({ KeyId: id, PendingWindowInDays: 7 });
    clock.t += 7 * DAY - 1;
    expect((await east.describeKey({ KeyId: id })).KeyMetadata.KeyState).toBe('PendingDeletion');
    clock.t += 1;
    await rejects(east.describeKey({ KeyId: id }), 'NotFoundException');
    expect((await east.listAliases({})).Aliases).toEqual([]);
    expect((await east.listKeys({})).Keys).toEqual([]);
  });
});

describe('tags and key policies', () => {
  it('tags, untags and lists tags; tag values overwrite', async () => {
    const { east } = await testKms();
    const id = await keyId(east, { Tags: [{ TagKey: 'a', TagValue: '1' }] });
    await east.tagResource({ KeyId: id, Tags: [{ TagKey: 'b', TagValue: '2' }, { TagKey: 'a', TagValue: '3' }] });
    expect((await east.listResourceTags({ KeyId: id })).Tags).toEqual([{ TagKey: 'a', TagValue: '3' }, { TagKey: 'b', TagValue: '2' }]);
    await east.untagResource({ KeyId: id, TagKeys: ['a'] });
    expect((await east.listResourceTags({ KeyId: id })).Tags).toEqual([{ TagKey: 'b', TagValue: '2' }]);
    const many = Array.from({ length: 50 }, (_, i) => ({ TagKey: `t${i}`, TagValue: '' }));
    await rejects(east.tagResource({ KeyId: id, Tags: many }), 'TagException');
  });

  it('stores and returns the key policy document (default: the account root may do everything)', async () => {
    const { east } = await testKms();
    const id = await keyId(east);
    const initial = JSON.parse((await east.getKeyPolicy({ KeyId: id })).Policy);
    expect(initial.Statement[0].Principal.AWS).toBe('arn:aws:iam::111122223333:root');
    const Policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Admin', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' },
        { Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*' },
      ],
    });
    await east.putKeyPolicy({ KeyId: id, Policy });
    expect(await east.getKeyPolicy({ KeyId: id, PolicyName: 'default' })).toEqual({ Policy, PolicyName: 'default' });
    expect(await east.listKeyPolicies({ KeyId: id })).toEqual({ PolicyNames: ['default'], Truncated: false });
    await rejects(east.putKeyPolicy({ KeyId: id, Policy: '[' }), 'MalformedPolicyDocumentException');
    await rejects(east.getKeyPolicy({ KeyId: id, PolicyName: 'other' }), 'NotFoundException');
  });
});

describe('aliases', () => {
  it('creates, lists, updates and deletes aliases', async () => {
    const { east, clock } = await testKms();
    const a = await keyId(east);
    const b = await keyId(east);
    await east.createAlias({ AliasName: 'alias/app', TargetKeyId: a });
    await rejects(east.createAlias({ AliasName: 'alias/app', TargetKeyId: b }), 'AlreadyExistsException', /alias\/app already exists/);
    clock.t += 1000;
    await east.updateAlias({ AliasName: 'alias/app', TargetKeyId: `arn:aws:kms:us-east-1:111122223333:key/${b}` });
    const [entry] = (await east.listAliases({ KeyId: b })).Aliases;
    expect(entry).toEqual({
      AliasName: 'alias/app',
      AliasArn: 'arn:aws:kms:us-east-1:111122223333:alias/app',
      TargetKeyId: b,
      CreationDate: new Date(clock.t - 1000),
      LastUpdatedDate: new Date(clock.t),
    });
    expect((await east.listAliases({ KeyId: a })).Aliases).toEqual([]);
    await east.deleteAlias({ AliasName: 'alias/app' });
    await rejects(east.deleteAlias({ AliasName: 'alias/app' }), 'NotFoundException');
  });

  it('checks alias names and the type of a new target', async () => {
    const { east } = await testKms();
    const sym = await keyId(east);
    const hmac = await keyId(east, { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    await rejects(east.createAlias({ AliasName: 'app', TargetKeyId: sym }), 'InvalidAliasNameException');
    await rejects(east.createAlias({ AliasName: 'alias/aws/s3', TargetKeyId: sym }), 'InvalidAliasNameException');
    await rejects(east.createAlias({ AliasName: 'alias/bad name', TargetKeyId: sym }), 'InvalidAliasNameException');
    await rejects(east.createAlias({ AliasName: 'alias/x', TargetKeyId: 'alias/y' }), 'NotFoundException');
    await east.createAlias({ AliasName: 'alias/x', TargetKeyId: sym });
    await rejects(east.updateAlias({ AliasName: 'alias/x', TargetKeyId: hmac }), 'ValidationException', /same type/);
    await rejects(east.updateAlias({ AliasName: 'alias/none', TargetKeyId: sym }), 'NotFoundException');
  });

  it('keeps aliases per region', async () => {
    const { east, west } = await testKms();
    const id = await keyId(east, { MultiRegion: true });
    await east.replicateKey({ KeyId: id, ReplicaRegion: 'us-west-2' });
    await east.createAlias({ AliasName: 'alias/only-east', TargetKeyId: id });
    await rejects(west.describeKey({ KeyId: 'alias/only-east' }), 'NotFoundException');
    await west.createAlias({ AliasName: 'alias/only-east', TargetKeyId: id });
    expect((await west.describeKey({ KeyId: 'alias/only-east' })).KeyMetadata.Arn).toContain('us-west-2');
  });
});
