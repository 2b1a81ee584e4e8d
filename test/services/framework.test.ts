/**
 * The services framework: how a service calls the KMS (as the caller, through kms:ViaService), the
 * AWS managed keys a service creates on first use, and the per-region store's guarantees.
 */
import { describe, expect, it } from 'vitest';
import { createKms } from '../../src/kms/index.js';
import { kmsAs, openServiceStores, serviceEndpoint } from '../../src/services/service-runtime.js';
import { mutate, StaleWriteError, type StoredRecord } from '../../src/services/storage/store.js';
import { rejects, T0 } from '../kms/helpers.js';

const ALICE = 'arn:aws:iam::111122223333:user/alice';

describe('services framework', () => {
  it('an AWS managed key is created once, KeyManager AWS, with the documented ViaService policy ("AWS managed key policy")', async () => {
    const kms = await createKms({ storage: 'memory', now: () => T0 });
    const id = await kms.awsManagedKey('us-east-1', 'secretsmanager');
    expect(await kms.awsManagedKey('us-east-1', 'secretsmanager')).toBe(id);
    const root = kms.region('us-east-1');
    const { KeyMetadata } = await root.describeKey({ KeyId: 'alias/aws/secretsmanager' });
    expect(KeyMetadata.KeyId).toBe(id);
    expect(KeyMetadata.KeyManager).toBe('AWS');
    // Another region gets a key of its own.
    expect(await kms.awsManagedKey('us-west-2', 'secretsmanager')).not.toBe(id);
    // The policy allows use only through the service: a direct call by the account is refused...
    await rejects(root.generateDataKey({ KeyId: id, KeySpec: 'AES_256' }), 'AccessDeniedException');
    // ...and the same call through secretsmanager.us-east-1.amazonaws.com is allowed, for any principal of the account.
    const via = kmsAs(kms, { service: 'secretsmanager', region: 'us-east-1', principal: ALICE });
    const { CiphertextBlob } = await via.generateDataKey({ KeyId: id, KeySpec: 'AES_256', EncryptionContext: { SecretARN: 'x' } });
    await via.decrypt({ CiphertextBlob, EncryptionContext: { SecretARN: 'x' } });
    // Through another service endpoint: refused.
    await rejects(kmsAs(kms, { service: 'ssm', region: 'us-east-1', principal: ALICE }).decrypt({ CiphertextBlob, EncryptionContext: { SecretARN: 'x' } }), 'AccessDeniedException');
    // Customers still cannot make alias/aws/ aliases themselves.
    await rejects(root.createAlias({ AliasName: 'alias/aws/ssm', TargetKeyId: id }), 'InvalidAliasNameException');
    await kms.close();
  });

  it('a call through a service is audited as made by the caller and invoked by the service (CloudTrail invokedBy)', async () => {
    const kms = await createKms({ storage: 'memory', now: () => T0 });
    const id = await kms.awsManagedKey('us-east-1', 'ssm');
    await kmsAs(kms, { service: 'ssm', region: 'us-east-1', principal: ALICE }).encrypt({ KeyId: id, Plaintext: new Uint8Array([1]) });
    const [record] = await kms.audit.query({ region: 'us-east-1', eventName: 'Encrypt' });
    expect(record?.userIdentity.arn).toBe(ALICE);
    expect(record?.userIdentity.invokedBy).toBe('ssm.amazonaws.com');
    expect(record?.sourceIPAddress).toBe('ssm.amazonaws.com');
    expect(serviceEndpoint('ssm', 'eu-west-1')).toBe('ssm.eu-west-1.amazonaws.com');
    await kms.close();
  });

  it('a service store commits all writes or none and refuses a stale write', async () => {
    const kms = await createKms({ storage: 'memory', now: () => T0 });
    type Stores = { things: StoredRecord & { n: number } };
    const stores = await openServiceStores<Stores, never>(kms, 'test', { migrations: [], storeNames: ['things'] });
    const store = stores.get('us-east-1')!;
    await store.commit([{ store: 'things', id: 'a', expect: null, value: { id: 'a', version: 1, n: 1 } }]);
    await expect(
      store.commit([
        { store: 'things', id: 'b', expect: null, value: { id: 'b', version: 1, n: 2 } },
        { store: 'things', id: 'a', expect: null, value: { id: 'a', version: 1, n: 3 } },
      ]),
    ).rejects.toBeInstanceOf(StaleWriteError);
    expect(await store.get('things', 'b')).toBeUndefined();
    // mutate re-reads and retries after a concurrent writer.
    let raced = false;
    const n = await mutate(store, async () => {
      const current = (await store.get('things', 'a'))!;
      if (!raced) {
        raced = true;
        await store.commit([{ store: 'things', id: 'a', expect: current.version, value: { ...current, version: current.version + 1, n: 10 } }]);
      }
      return { writes: [{ store: 'things', id: 'a', expect: current.version, value: { ...current, version: current.version + 1, n: current.n + 1 } }], result: current.n + 1 };
    });
    expect(n).toBe(11);
    // Another region is another database.
    expect(await stores.get('us-west-2')!.all('things')).toEqual([]);
    await kms.close();
  });
});
