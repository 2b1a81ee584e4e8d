/**
 * The KMS and its audit log together: every call, allowed or denied, and every service event
 * writes one record before the call returns, with the access decision explained; no record holds a
 * plaintext or key byte (checked over every operation); the stored log and its export verify.
 */
import { toBase64 } from '../../src/core/bytes.js';
import type { AuditRecord, KmsRegionClient } from '../../src/kms/index.js';
import { DAY, bytes, importMaterial, material32, rejects, testKms } from './helpers.js';

const ALICE = 'arn:aws:iam::111122223333:user/alice';
const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, '0')).join('');

/** Every way a byte string could show up in a JSON record. */
function encodings(secret: Uint8Array): string[] {
  const b64 = toBase64(secret);
  return [b64, b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''), hex(secret), `[${[...secret].join(',')}]`, JSON.stringify(Object.fromEntries([...secret].map((v, i) => [i, v])))];
}

describe('audit records of calls', () => {
  it('records an allowed and a denied call, each before the call returns, with the decision explained', async () => {
    const { kms, east } = await testKms();
    const { KeyId } = (await east.createKey()).KeyMetadata;
    const [created] = await kms.audit.query({ eventName: 'CreateKey' });
    expect(created).toMatchObject({ eventSource: 'kms.amazonaws.com', eventName: 'CreateKey', awsRegion: 'us-east-1', eventType: 'AwsApiCall' });
    await rejects(kms.region('us-east-1', { principal: ALICE, viaService: 'ecr.us-east-1.amazonaws.com' }).encrypt({ KeyId, Plaintext: bytes('secret') }), 'AccessDeniedException');
    // No flush needed: the record was stored before the rejection reached us.
    const [denied] = await kms.audit.query({ errorCode: 'AccessDeniedException' });
    expect(denied).toMatchObject({ eventName: 'Encrypt', errorCode: 'AccessDeniedException' });
    expect(denied!.errorMessage).toMatch(/^User: arn:aws:iam::111122223333:user\/alice is not authorized to perform: kms:Encrypt/);
    expect(JSON.stringify(denied!.explanation)).toMatch(/implicit-deny/);
    await east.encrypt({ KeyId, Plaintext: bytes('secret') });
    const [allowed] = await kms.audit.query({ eventName: 'Encrypt', principal: 'arn:aws:iam::111122223333:root' });
    expect(allowed!.explanation).toMatchObject({ decisions: [{ action: 'kms:Encrypt', outcome: 'allow', matched: [{ source: 'key-policy', sid: 'Enable IAM User Permissions' }] }] });
    expect(await kms.audit.query({ keyId: KeyId })).toHaveLength(3);
    expect((await kms.audit.verify()).ok).toBe(true);
    const text = await kms.audit.export();
    expect(await kms.audit.verify(text)).toMatchObject({ ok: true });
    kms.close();
  });

  it('records service events: automatic rotation, replica synchronization, material expiry, deletion', async () => {
    const { kms, east, clock } = await testKms();
    const { KeyId } = (await east.createKey({ MultiRegion: true })).KeyMetadata;
    await east.replicateKey({ KeyId, ReplicaRegion: 'us-west-2' });
    await east.enableKeyRotation({ KeyId, RotationPeriodInDays: 90 });
    const external = (await east.createKey({ Origin: 'EXTERNAL' })).KeyMetadata.KeyId;
    await importMaterial(east, external, material32(), { ValidTo: new Date(clock.t + 10 * DAY) });
    const doomed = (await east.createKey()).KeyMetadata.KeyId;
    await east.scheduleKeyDeletion({ KeyId: doomed, PendingWindowInDays: 7 });
    clock.t += 91 * DAY;
    await kms.tick();
    const events = (await kms.audit.query()).filter((r) => r.eventType === 'AwsServiceEvent');
    // The replica is synchronized twice: when rotation is enabled on the primary, and after it rotates.
    expect(events.map((e) => `${e.awsRegion} ${e.eventName}`).sort()).toEqual([
      'us-east-1 DeleteExpiredKeyMaterial',
      'us-east-1 DeleteKey',
      'us-east-1 RotateKey',
      'us-west-2 SynchronizeMultiRegionKey',
      'us-west-2 SynchronizeMultiRegionKey',
    ]);
    expect((await kms.audit.verify()).ok).toBe(true);
    kms.close();
  });
});

describe('no secret in any record', () => {
  it('runs every operation and finds no plaintext, data key or private key byte in the log or its export', async () => {
    const { kms, east, west } = await testKms();
    const secrets: Uint8Array[] = [];
    const secret = (text: string) => {
      const b = bytes(text);
      secrets.push(b.slice());
      return b;
    };
    const sym = (await east.createKey({ MultiRegion: true, Tags: [{ TagKey: 't', TagValue: 'v' }] })).KeyMetadata.KeyId;
    const rsa = (await east.createKey({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' })).KeyMetadata.KeyId;
    const ecc = (await east.createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })).KeyMetadata.KeyId;
    const hmac = (await east.createKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' })).KeyMetadata.KeyId;
    const ext = (await east.createKey({ Origin: 'EXTERNAL' })).KeyMetadata.KeyId;
    const context = { purpose: 'audit-test' };
    const c = east as KmsRegionClient;
    await c.describeKey({ KeyId: sym });
    await c.listKeys();
    await c.updateKeyDescription({ KeyId: sym, Description: 'd' });
    await c.disableKey({ KeyId: hmac });
    await c.enableKey({ KeyId: hmac });
    await c.tagResource({ KeyId: sym, Tags: [{ TagKey: 'u', TagValue: 'w' }] });
    await c.untagResource({ KeyId: sym, TagKeys: ['u'] });
    await c.listResourceTags({ KeyId: sym });
    await c.createAlias({ AliasName: 'alias/a', TargetKeyId: sym });
    await c.updateAlias({ AliasName: 'alias/a', TargetKeyId: sym });
    await c.listAliases();
    const enc = await c.encrypt({ KeyId: 'alias/a', Plaintext: secret('plaintext one'), EncryptionContext: context });
    await c.decrypt({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: context });
    const destination = (await c.createKey()).KeyMetadata.KeyId;
    await c.reEncrypt({ CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: context, DestinationKeyId: destination });
    const rsaEnc = await c.encrypt({ KeyId: rsa, Plaintext: secret('rsa plaintext'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' });
    await c.decrypt({ KeyId: rsa, CiphertextBlob: rsaEnc.CiphertextBlob, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' });
    secrets.push((await c.generateDataKey({ KeyId: sym, KeySpec: 'AES_256', EncryptionContext: context })).Plaintext);
    await c.generateDataKeyWithoutPlaintext({ KeyId: sym, NumberOfBytes: 32 });
    const pair = await c.generateDataKeyPair({ KeyId: sym, KeyPairSpec: 'ECC_NIST_P256' });
    secrets.push(pair.PrivateKeyPlaintext);
    await c.generateDataKeyPairWithoutPlaintext({ KeyId: sym, KeyPairSpec: 'ECC_NIST_P256' });
    secrets.push((await c.generateRandom({ NumberOfBytes: 32 })).Plaintext);
    const message = secret('message to sign');
    const { Signature } = await c.sign({ KeyId: ecc, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' });
    await c.verify({ KeyId: ecc, Message: message, Signature, SigningAlgorithm: 'ECDSA_SHA_256' });
    await c.getPublicKey({ KeyId: ecc });
    const macMessage = secret('message to mac');
    const { Mac } = await c.generateMac({ KeyId: hmac, Message: macMessage, MacAlgorithm: 'HMAC_SHA_256' });
    await c.verifyMac({ KeyId: hmac, Message: macMessage, Mac, MacAlgorithm: 'HMAC_SHA_256' });
    await c.enableKeyRotation({ KeyId: sym });
    await c.getKeyRotationStatus({ KeyId: sym });
    await c.rotateKeyOnDemand({ KeyId: sym });
    await c.listKeyRotations({ KeyId: sym });
    await c.disableKeyRotation({ KeyId: sym });
    const material = material32(9);
    secrets.push(material.slice());
    await importMaterial(c, ext, material);
    await c.deleteImportedKeyMaterial({ KeyId: ext });
    await c.replicateKey({ KeyId: sym, ReplicaRegion: 'us-west-2' });
    await c.updatePrimaryRegion({ KeyId: sym, PrimaryRegion: 'us-west-2' });
    await west.describeKey({ KeyId: sym });
    await c.getKeyPolicy({ KeyId: sym });
    await c.putKeyPolicy({ KeyId: sym, Policy: (await c.getKeyPolicy({ KeyId: sym })).Policy });
    await c.listKeyPolicies({ KeyId: sym });
    const grant = await c.createGrant({ KeyId: destination, GranteePrincipal: ALICE, RetiringPrincipal: ALICE, Operations: ['Decrypt'] });
    await c.listGrants({ KeyId: destination });
    await c.listRetirableGrants({ RetiringPrincipal: ALICE });
    await c.retireGrant({ GrantToken: grant.GrantToken });
    const grant2 = await c.createGrant({ KeyId: destination, GranteePrincipal: ALICE, Operations: ['Decrypt'] });
    await c.revokeGrant({ KeyId: destination, GrantId: grant2.GrantId });
    await c.scheduleKeyDeletion({ KeyId: destination, PendingWindowInDays: 7 });
    await c.cancelKeyDeletion({ KeyId: destination });
    await c.deleteAlias({ AliasName: 'alias/a' });
    await rejects(kms.region('us-east-1', { principal: ALICE }).encrypt({ KeyId: rsa, Plaintext: secret('denied plaintext'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }), 'AccessDeniedException');

    const records: AuditRecord[] = await kms.audit.query();
    const names = new Set(records.map((r) => r.eventName));
    const methods = Object.keys(c).filter((k) => k !== 'region');
    expect(methods.length).toBe(46);
    for (const method of methods) expect(names, method).toContain(method.charAt(0).toUpperCase() + method.slice(1));
    const haystack = JSON.stringify(records) + (await kms.audit.export());
    for (const s of secrets) for (const encoded of encodings(s)) expect(haystack.includes(encoded), `a secret (${s.length} bytes) is in the log`).toBe(false);
    // The grant token never appears; its grant id does (RetireGrant's additionalEventData).
    expect(haystack.includes(grant.GrantToken)).toBe(false);
    expect(haystack).toContain(grant.GrantId);
    expect((await kms.audit.verify()).ok).toBe(true);
    kms.close();
  });
});
