/**
 * AWS Secrets Manager on the simulated KMS. Each rule cites where AWS documents it: the Secrets
 * Manager User Guide (UG) or API Reference (API), https://docs.aws.amazon.com/secretsmanager/.
 */
import { describe, expect, it } from 'vitest';
import { openServiceStores } from '../../src/services/service-runtime.js';
import type { SecretsManagerDB, SecretsManagerStores } from '../../src/services/secrets-manager/schema.js';
import { SCHEMA } from '../../src/services/secrets-manager/schema.js';
import { ServiceError, type RotationEvent, type SecretsManagerClient } from '../../src/services/index.js';
import { ALICE, DAY, keyPolicy, rejects, testServices } from './support.js';

const TOKEN = (n: number) => `token-${String(n).padStart(32, '0')}`;

describe('Secrets Manager: values and encryption (UG "Secret encryption and decryption")', () => {
  it('stores only ciphertext: a per-version GenerateDataKey (AES_256) with context { SecretARN, SecretVersionId }, via secretsmanager', async () => {
    const t = await testServices();
    const sm = t.services.secretsManager('us-east-1', { principal: ALICE });
    const created = await sm.createSecret({ Name: 'prod/db', SecretString: 'correct horse battery staple' });
    expect(created.ARN).toMatch(/^arn:aws:secretsmanager:us-east-1:111122223333:secret:prod\/db-[A-Za-z0-9]{6}$/);
    const got = await sm.getSecretValue({ SecretId: 'prod/db' });
    expect(got.SecretString).toBe('correct horse battery staple');
    expect(got.VersionId).toBe(created.VersionId);
    expect(got.VersionStages).toEqual(['AWSCURRENT']);
    expect(got.CreatedDate).toBeInstanceOf(Date);

    // alias/aws/secretsmanager was created on first use, an AWS managed key.
    const { KeyMetadata } = await t.kms.region('us-east-1').describeKey({ KeyId: 'alias/aws/secretsmanager' });
    expect(KeyMetadata.KeyManager).toBe('AWS');

    const [gdk] = await t.kms.audit.query({ region: 'us-east-1', eventName: 'GenerateDataKey' });
    expect(gdk!.userIdentity.arn).toBe(ALICE);
    expect(gdk!.userIdentity.invokedBy).toBe('secretsmanager.amazonaws.com');
    expect(gdk!.requestParameters).toMatchObject({ keySpec: 'AES_256', encryptionContext: { SecretARN: created.ARN, SecretVersionId: created.VersionId } });
    const [dec] = await t.kms.audit.query({ region: 'us-east-1', eventName: 'Decrypt' });
    expect(dec!.requestParameters).toMatchObject({ encryptionContext: { SecretARN: created.ARN, SecretVersionId: created.VersionId } });

    // The stored record holds no plaintext.
    const stores = await openServiceStores<SecretsManagerStores, SecretsManagerDB>(t.kms, 'secretsmanager', SCHEMA);
    const raw = JSON.stringify(await stores.get('us-east-1')!.get('secrets', 'prod/db'), (_k, v: unknown) => (v instanceof Uint8Array ? new TextDecoder('latin1').decode(v) : v));
    expect(raw).not.toContain('horse');
    await t.close();
  });

  it('binary values round-trip as Uint8Array; one of SecretString/SecretBinary; 1-65,536 bytes (API CreateSecret)', async () => {
    const t = await testServices();
    const sm = t.services.secretsManager('us-east-1');
    const bytes = crypto.getRandomValues(new Uint8Array(65_536));
    await sm.createSecret({ Name: 'bin', SecretBinary: bytes });
    const got = await sm.getSecretValue({ SecretId: 'bin' });
    expect(got.SecretBinary).toBeInstanceOf(Uint8Array);
    expect(got.SecretBinary).toEqual(bytes);
    expect(got.SecretString).toBeUndefined();
    await rejects(sm.createSecret({ Name: 'big', SecretBinary: new Uint8Array(65_537) }), 'InvalidParameterException');
    await rejects(sm.createSecret({ Name: 'big', SecretString: 'é'.repeat(32_769) }), 'InvalidParameterException');
    await rejects(sm.createSecret({ Name: 'empty', SecretString: '' }), 'InvalidParameterException');
    await rejects(sm.createSecret({ Name: 'both', SecretString: 'a', SecretBinary: new Uint8Array([1]) }), 'InvalidParameterException', /both/);
    // A secret without a value has no version yet.
    const bare = await sm.createSecret({ Name: 'later' });
    expect(bare.VersionId).toBeUndefined();
    await rejects(sm.getSecretValue({ SecretId: 'later' }), 'ResourceNotFoundException');
    await rejects(sm.createSecret({ Name: 'later' }), 'ResourceExistsException');
    await rejects(sm.getSecretValue({ SecretId: 'nope' }), 'ResourceNotFoundException');
    await t.close();
  });

  it('finds a secret by name, full ARN or partial ARN (API GetSecretValue, SecretId)', async () => {
    const t = await testServices();
    const sm = t.services.secretsManager('us-east-1');
    const { ARN } = await sm.createSecret({ Name: 'app-key', SecretString: 'v' });
    for (const id of ['app-key', ARN, ARN.slice(0, -7)]) expect((await sm.getSecretValue({ SecretId: id })).SecretString).toBe('v');
    await rejects(sm.getSecretValue({ SecretId: ARN.replace('us-east-1', 'us-west-2') }), 'ResourceNotFoundException');
    await t.close();
  });

  it('errors are typed: ServiceError with name = code and $fault', async () => {
    const t = await testServices();
    const sm = t.services.secretsManager('us-east-1');
    const e = await rejects(sm.getSecretValue({ SecretId: 'missing' }), 'ResourceNotFoundException');
    expect(e).toBeInstanceOf(ServiceError);
    expect((e as ServiceError).$fault).toBe('client');
    await rejects(sm.getSecretValue({} as never), 'InvalidParameterException', /SecretId/);
    await t.close();
  });
});

describe('Secrets Manager: a value is bound to its secret and version', () => {
  it('a sealed value moved to another version or secret does not open (SecretARN and SecretVersionId are the encryption context)', async () => {
    const t = await testServices();
    const sm = t.services.secretsManager('us-east-1');
    const v1 = (await sm.createSecret({ Name: 'a', SecretString: 'alpha' })).VersionId!;
    const v2 = (await sm.putSecretValue({ SecretId: 'a', SecretString: 'beta' })).VersionId;
    await sm.createSecret({ Name: 'b', SecretString: 'gamma' });
    const store = (await openServiceStores<SecretsManagerStores, SecretsManagerDB>(t.kms, 'secretsmanager', SCHEMA)).get('us-east-1')!;
    const a = (await store.get('secrets', 'a'))!;
    const b = (await store.get('secrets', 'b'))!;
    const value = (id: string) => a.Versions.find((v) => v.VersionId === id)!.value!;
    // Swap the two versions' sealed values within secret a.
    const swapped = a.Versions.map((v) => (v.VersionId === v1 ? { ...v, value: value(v2) } : v.VersionId === v2 ? { ...v, value: value(v1) } : v));
    await store.commit([{ store: 'secrets', id: 'a', expect: a.version, value: { ...a, version: a.version + 1, Versions: swapped } }]);
    await rejects(sm.getSecretValue({ SecretId: 'a', VersionId: v1 }), 'DecryptionFailure');
    await rejects(sm.getSecretValue({ SecretId: 'a', VersionId: v2 }), 'DecryptionFailure');
    // Secret a's current value copied into secret b.
    const bVersions = b.Versions.map((v) => ({ ...v, value: value(v2) }));
    await store.commit([{ store: 'secrets', id: 'b', expect: b.version, value: { ...b, version: b.version + 1, Versions: bVersions } }]);
    await rejects(sm.getSecretValue({ SecretId: 'b' }), 'DecryptionFailure');
    await t.close();
  });
});

describe('Secrets Manager: KMS key failures (UG "Secret encryption and decryption"; API errors)', () => {
  it('a disabled key: DecryptionFailure on read, EncryptionFailure on write; re-enabled, it works again', async () => {
    const t = await testServices();
    const kms = t.kms.region('us-east-1');
    const { KeyMetadata } = await kms.createKey({});
    const sm = t.services.secretsManager('us-east-1');
    await sm.createSecret({ Name: 's', SecretString: 'v1', KmsKeyId: KeyMetadata.KeyId });
    await kms.disableKey({ KeyId: KeyMetadata.KeyId });
    await rejects(sm.getSecretValue({ SecretId: 's' }), 'DecryptionFailure');
    await rejects(sm.putSecretValue({ SecretId: 's', SecretString: 'v2' }), 'EncryptionFailure');
    await kms.enableKey({ KeyId: KeyMetadata.KeyId });
    expect((await sm.getSecretValue({ SecretId: 's' })).SecretString).toBe('v1');
    await t.close();
  });

  it('a key pending deletion gives DecryptionFailure; an asymmetric key cannot encrypt a secret (symmetric keys only)', async () => {
    const t = await testServices();
    const kms = t.kms.region('us-east-1');
    const { KeyMetadata } = await kms.createKey({});
    const sm = t.services.secretsManager('us-east-1');
    await sm.createSecret({ Name: 's', SecretString: 'v', KmsKeyId: KeyMetadata.Arn });
    await kms.scheduleKeyDeletion({ KeyId: KeyMetadata.KeyId, PendingWindowInDays: 7 });
    await rejects(sm.getSecretValue({ SecretId: 's' }), 'DecryptionFailure');
    const rsa = await kms.createKey({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' });
    await rejects(sm.createSecret({ Name: 'r', SecretString: 'v', KmsKeyId: rsa.KeyMetadata.KeyId }), 'EncryptionFailure');
    await rejects(sm.createSecret({ Name: 'n', SecretString: 'v', KmsKeyId: 'alias/none' }), 'EncryptionFailure');
    await t.close();
  });

  it('a key policy denying kms:ViaService secretsmanager.<region>.amazonaws.com: AccessDeniedException, while direct use still works', async () => {
    const t = await testServices();
    const kms = t.kms.region('us-east-1');
    const policy = keyPolicy({ Sid: 'no-secrets-manager', Effect: 'Deny', Principal: { AWS: '*' }, Action: 'kms:*', Resource: '*', Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } } });
    const { KeyMetadata } = await kms.createKey({ Policy: policy });
    const sm = t.services.secretsManager('us-east-1');
    await rejects(sm.createSecret({ Name: 's', SecretString: 'v', KmsKeyId: KeyMetadata.KeyId }), 'AccessDeniedException', /KMS/);
    await kms.generateDataKey({ KeyId: KeyMetadata.KeyId, KeySpec: 'AES_256' });
    const denied = await t.kms.audit.query({ region: 'us-east-1', errorCode: 'AccessDeniedException' });
    expect(denied.length).toBe(1);
    expect(denied[0]!.userIdentity.invokedBy).toBe('secretsmanager.amazonaws.com');
    await t.close();
  });

  it('a key policy allowing only through Secrets Manager lets a user read secrets but not decrypt directly (UG "Permissions for the KMS key")', async () => {
    const t = await testServices();
    const kms = t.kms.region('us-east-1');
    const policy = keyPolicy({ Sid: 'alice-via-sm', Effect: 'Allow', Principal: { AWS: ALICE }, Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: '*', Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } } });
    const { KeyMetadata } = await kms.createKey({ Policy: policy });
    const sm = t.services.secretsManager('us-east-1', { principal: ALICE });
    await sm.createSecret({ Name: 's', SecretString: 'v', KmsKeyId: KeyMetadata.KeyId });
    expect((await sm.getSecretValue({ SecretId: 's' })).SecretString).toBe('v');
    await rejects(t.kms.region('us-east-1', { principal: ALICE }).generateDataKey({ KeyId: KeyMetadata.KeyId, KeySpec: 'AES_256' }), 'AccessDeniedException');
    // Another user is refused by the KMS, through the service.
    await rejects(t.services.secretsManager('us-east-1', { principal: 'arn:aws:iam::111122223333:user/bob' }).getSecretValue({ SecretId: 's' }), 'AccessDeniedException');
    await t.close();
  });

  it('a KMS Region in outage: InternalServiceError, a server fault', async () => {
    const t = await testServices();
    const sm = t.services.secretsManager('us-east-1');
    await sm.createSecret({ Name: 's', SecretString: 'v' });
    await t.kms.simulate({ region: 'us-east-1', outage: true });
    const e = await rejects(sm.getSecretValue({ SecretId: 's' }), 'InternalServiceError');
    expect((e as ServiceError).$fault).toBe('server');
    await t.close();
  });
});

describe('Secrets Manager: versions and staging labels (UG "Secret versions"; API PutSecretValue, UpdateSecretVersionStage)', () => {
  it('a new version gets AWSCURRENT and the old one AWSPREVIOUS; the one before is deprecated', async () => {
    const t = await testServices();
    const sm = t.services.secretsManager('us-east-1');
    const v1 = (await sm.createSecret({ Name: 's', SecretString: 'one' })).VersionId!;
    const v2 = (await sm.putSecretValue({ SecretId: 's', SecretString: 'two' })).VersionId;
    const v3 = (await sm.putSecretValue({ SecretId: 's', SecretString: 'three' })).VersionId;
    const { VersionIdsToStages } = await sm.describeSecret({ SecretId: 's' });
    expect(VersionIdsToStages).toEqual({ [v2]: ['AWSPREVIOUS'], [v3]: ['AWSCURRENT'] });
    expect((await sm.getSecretValue({ SecretId: 's', VersionStage: 'AWSPREVIOUS' })).SecretString).toBe('two');
    expect((await sm.getSecretValue({ SecretId: 's', VersionId: v1 })).SecretString).toBe('one');
    const listed = await sm.listSecretVersionIds({ SecretId: 's' });
    expect(listed.Versions.map((v) => v.VersionId).sort()).toEqual([v2, v3].sort());
    const all = await sm.listSecretVersionIds({ SecretId: 's', IncludeDeprecated: true });
    expect(all.Versions.find((v) => v.VersionId === v1)!.VersionStages).toEqual([]);
    await rejects(sm.getSecretValue({ SecretId: 's', VersionId: v1, VersionStage: 'AWSCURRENT' }), 'InvalidRequestException');
    await t.close();
  });

  it('custom labels: one version per label at a time; VersionStages without AWSCURRENT leaves AWSCURRENT; at most 20 labels', async () => {
    const t = await testServices();
    const sm = t.services.secretsManager('us-east-1');
    const v1 = (await sm.createSecret({ Name: 's', SecretString: 'one' })).VersionId!;
    const v2 = (await sm.putSecretValue({ SecretId: 's', SecretString: 'two', VersionStages: ['blue'] })).VersionId;
    expect((await sm.getSecretValue({ SecretId: 's' })).VersionId).toBe(v1);
    const v3 = (await sm.putSecretValue({ SecretId: 's', SecretString: 'three', VersionStages: ['blue'] })).VersionId;
    const stages = (await sm.describeSecret({ SecretId: 's' })).VersionIdsToStages!;
    expect(stages[v3]).toEqual(['blue']);
    expect(stages[v2]).toBeUndefined();
    // Moving a held label needs RemoveFromVersionId naming its holder.
    await rejects(sm.updateSecretVersionStage({ SecretId: 's', VersionStage: 'blue', MoveToVersionId: v1 }), 'InvalidParameterException');
    await sm.updateSecretVersionStage({ SecretId: 's', VersionStage: 'AWSCURRENT', MoveToVersionId: v3, RemoveFromVersionId: v1 });
    const after = (await sm.describeSecret({ SecretId: 's' })).VersionIdsToStages!;
    expect(after[v3]!.sort()).toEqual(['AWSCURRENT', 'blue']);
    expect(after[v1]).toEqual(['AWSPREVIOUS']);
    const labels = Array.from({ length: 20 }, (_, i) => `l${i}`);
    await sm.putSecretValue({ SecretId: 's', SecretString: 'x', VersionStages: labels });
    await rejects(sm.putSecretValue({ SecretId: 's', SecretString: 'y', VersionStages: [...labels, 'l20'] }), ['InvalidParameterException', 'LimitExceededException']);
    const v = (await sm.putSecretValue({ SecretId: 's', SecretString: 'z', VersionStages: ['only'] })).VersionId;
    const holder = (await sm.getSecretValue({ SecretId: 's', VersionStage: 'l0' })).VersionId;
    for (let i = 0; i < 19; i++) await sm.updateSecretVersionStage({ SecretId: 's', VersionStage: `l${i}`, MoveToVersionId: v, RemoveFromVersionId: holder });
    // v now has 20 labels: a 21st is refused.
    await rejects(sm.updateSecretVersionStage({ SecretId: 's', VersionStage: 'l19', MoveToVersionId: v, RemoveFromVersionId: holder }), 'LimitExceededException');
    expect((await sm.getSecretValue({ SecretId: 's', VersionStage: 'l19' })).VersionId).toBe(holder);
    await t.close();
  });

  it('ClientRequestToken idempotency: same token and value is a no-op; a different value is ResourceExistsException', async () => {
    const t = await testServices();
    const sm = t.services.secretsManager('us-east-1');
    const created = await sm.createSecret({ Name: 's', SecretString: 'one', ClientRequestToken: TOKEN(1) });
    expect(created.VersionId).toBe(TOKEN(1));
    expect((await sm.createSecret({ Name: 's', SecretString: 'one', ClientRequestToken: TOKEN(1) })).VersionId).toBe(TOKEN(1));
    await rejects(sm.createSecret({ Name: 's', SecretString: 'other', ClientRequestToken: TOKEN(1) }), 'ResourceExistsException');
    const put = await sm.putSecretValue({ SecretId: 's', SecretString: 'two', ClientRequestToken: TOKEN(2) });
    const again = await sm.putSecretValue({ SecretId: 's', SecretString: 'two', ClientRequestToken: TOKEN(2) });
    expect(again).toEqual(put);
    expect((await sm.listSecretVersionIds({ SecretId: 's', IncludeDeprecated: true })).Versions).toHaveLength(2);
    await rejects(sm.putSecretValue({ SecretId: 's', SecretString: 'three', ClientRequestToken: TOKEN(2) }), 'ResourceExistsException');
    await rejects(sm.putSecretValue({ SecretId: 's', SecretString: 'x', ClientRequestToken: 'short' }), 'InvalidParameterException');
    await t.close();
  });

  it('keeps 100 versions plus every version from the last 24 hours (API PutSecretValue)', async () => {
    const t = await testServices();
    const sm = t.services.secretsManager('us-east-1');
    const first = (await sm.createSecret({ Name: 's', SecretString: 'v0' })).VersionId!;
    for (let i = 1; i <= 104; i++) await sm.putSecretValue({ SecretId: 's', SecretString: `v${i}` });
    const count = async () => {
      let n = 0;
      let NextToken: string | undefined;
      do {
        const page = await sm.listSecretVersionIds({ SecretId: 's', IncludeDeprecated: true, ...(NextToken ? { NextToken } : {}) });
        n += page.Versions.length;
        NextToken = page.NextToken;
      } while (NextToken);
      return n;
    };
    expect(await count()).toBe(105);
    t.clock.t += DAY + 1;
    await sm.putSecretValue({ SecretId: 's', SecretString: 'later' });
    expect(await count()).toBe(100);
    await rejects(sm.getSecretValue({ SecretId: 's', VersionId: first }), 'ResourceNotFoundException');
    await t.close();
  }, 60_000);

  it('UpdateSecret with a new KmsKeyId re-encrypts AWSCURRENT, AWSPENDING and AWSPREVIOUS, keeping the old key usable (UG "Change the encryption key")', async () => {
    const t = await testServices();
    const kms = t.kms.region('us-east-1');
    const a = (await kms.createKey({})).KeyMetadata;
    const b = (await kms.createKey({})).KeyMetadata;
    const sm = t.services.secretsManager('us-east-1');
    const v1 = (await sm.createSecret({ Name: 's', SecretString: 'one', KmsKeyId: a.KeyId })).VersionId!;
    const v2 = (await sm.putSecretValue({ SecretId: 's', SecretString: 'two' })).VersionId;
    const v3 = (await sm.putSecretValue({ SecretId: 's', SecretString: 'three' })).VersionId;
    const pending = (await sm.putSecretValue({ SecretId: 's', SecretString: 'next', VersionStages: ['AWSPENDING'] })).VersionId;
    const other = (await sm.putSecretValue({ SecretId: 's', SecretString: 'other', VersionStages: ['custom'] })).VersionId;
    await sm.updateSecret({ SecretId: 's', KmsKeyId: b.Arn });
    expect((await sm.describeSecret({ SecretId: 's' })).KmsKeyId).toBe(b.Arn);
    const versions = (await sm.listSecretVersionIds({ SecretId: 's', IncludeDeprecated: true })).Versions;
    const keys = (id: string) => versions.find((v) => v.VersionId === id)!.KmsKeyIds!.sort();
    expect(keys(v3)).toEqual([a.Arn, b.Arn].sort());
    expect(keys(v2)).toEqual([a.Arn, b.Arn].sort());
    expect(keys(pending)).toEqual([a.Arn, b.Arn].sort());
    // Only the three rotation labels are re-encrypted; other labelled and deprecated versions keep their key.
    expect(keys(other)).toEqual([a.Arn]);
    expect(keys(v1)).toEqual([a.Arn]);
    await kms.disableKey({ KeyId: a.KeyId });
    expect((await sm.getSecretValue({ SecretId: 's', VersionStage: 'AWSPENDING' })).SecretString).toBe('next');
    expect((await sm.getSecretValue({ SecretId: 's' })).SecretString).toBe('three');
    expect((await sm.getSecretValue({ SecretId: 's', VersionStage: 'AWSPREVIOUS' })).SecretString).toBe('two');
    await rejects(sm.getSecretValue({ SecretId: 's', VersionId: v1 }), 'DecryptionFailure');
    const v4 = (await sm.updateSecret({ SecretId: 's', SecretString: 'four' })).VersionId!;
    expect((await sm.listSecretVersionIds({ SecretId: 's' })).Versions.find((v) => v.VersionId === v4)!.KmsKeyIds).toEqual([b.Arn]);
    await t.close();
  });
});

describe('Secrets Manager: rotation (UG "How rotation works"; API RotateSecret)', () => {
  const LAMBDA = 'arn:aws:lambda:us-east-1:111122223333:function:rotate-db';

  /** A rotation function as the Lambda templates write it, recording what it saw. */
  function templateRotation(log: string[], fail?: RotationEvent['Step']) {
    return async (event: RotationEvent, client: SecretsManagerClient) => {
      log.push(event.Step);
      if (event.Step === fail) throw new Error(`${fail} failed`);
      const { SecretId, ClientRequestToken: token } = event;
      if (event.Step === 'createSecret') {
        // The AWSPENDING version exists, without a value, before the first step.
        const described = await client.describeSecret({ SecretId });
        log.push(`pending:${described.VersionIdsToStages![token]?.join(',')}`);
        await rejects(client.getSecretValue({ SecretId, VersionId: token, VersionStage: 'AWSPENDING' }), 'ResourceNotFoundException');
        const { RandomPassword } = await client.getRandomPassword({ PasswordLength: 20, ExcludePunctuation: true });
        await client.putSecretValue({ SecretId, ClientRequestToken: token, SecretString: RandomPassword, VersionStages: ['AWSPENDING'] });
      } else if (event.Step === 'testSecret') {
        await client.getSecretValue({ SecretId, VersionStage: 'AWSPENDING' });
      } else if (event.Step === 'finishSecret') {
        const current = await client.getSecretValue({ SecretId });
        await client.updateSecretVersionStage({ SecretId, VersionStage: 'AWSCURRENT', MoveToVersionId: token, RemoveFromVersionId: current.VersionId });
      }
    };
  }

  it('runs createSecret, setSecret, testSecret, finishSecret; AWSCURRENT moves to the new version', async () => {
    const t = await testServices();
    const log: string[] = [];
    t.services.registerRotationFunction(LAMBDA, templateRotation(log));
    const sm = t.services.secretsManager('us-east-1');
    const v1 = (await sm.createSecret({ Name: 's', SecretString: 'old' })).VersionId!;
    const { VersionId } = await sm.rotateSecret({ SecretId: 's', RotationLambdaARN: LAMBDA, RotationRules: { AutomaticallyAfterDays: 30 } });
    expect(log).toEqual(['createSecret', 'pending:AWSPENDING', 'setSecret', 'testSecret', 'finishSecret']);
    const d = await sm.describeSecret({ SecretId: 's' });
    expect(d.VersionIdsToStages).toEqual({ [VersionId!]: ['AWSCURRENT'], [v1]: ['AWSPREVIOUS'] });
    expect(d.RotationEnabled).toBe(true);
    expect(d.RotationLambdaARN).toBe(LAMBDA);
    expect(d.LastRotatedDate!.getTime()).toBe(t.clock.t);
    expect(d.NextRotationDate!.getTime()).toBe(t.clock.t + 30 * DAY);
    expect((await sm.getSecretValue({ SecretId: 's' })).SecretString).toMatch(/^[A-Za-z0-9]{20}$/);
    await t.close();
  });

  it('RotateImmediately false runs only testSecret and removes the temporary AWSPENDING; the schedule rotates later by the clock', async () => {
    const t = await testServices();
    const log: string[] = [];
    t.services.registerRotationFunction(LAMBDA, async (e) => void log.push(e.Step));
    const sm = t.services.secretsManager('us-east-1');
    const v1 = (await sm.createSecret({ Name: 's', SecretString: 'old' })).VersionId!;
    await sm.rotateSecret({ SecretId: 's', RotationLambdaARN: LAMBDA, RotationRules: { ScheduleExpression: 'rate(10 days)' }, RotateImmediately: false });
    expect(log).toEqual(['testSecret']);
    expect((await sm.describeSecret({ SecretId: 's' })).VersionIdsToStages).toEqual({ [v1]: ['AWSCURRENT'] });
    t.services.registerRotationFunction(LAMBDA, templateRotation(log));
    t.clock.t += 9 * DAY;
    await t.services.tick();
    expect(log).toEqual(['testSecret']);
    t.clock.t += DAY;
    await t.services.tick();
    expect(log.slice(1, 2)).toEqual(['createSecret']);
    expect((await sm.getSecretValue({ SecretId: 's', VersionStage: 'AWSPREVIOUS' })).VersionId).toBe(v1);
    await t.close();
  });

  it('a failed rotation leaves AWSPENDING; the next RotateSecret fails until it is removed (API RotateSecret)', async () => {
    const t = await testServices();
    const log: string[] = [];
    t.services.registerRotationFunction(LAMBDA, templateRotation(log, 'testSecret'));
    const sm = t.services.secretsManager('us-east-1');
    const v1 = (await sm.createSecret({ Name: 's', SecretString: 'old' })).VersionId!;
    const { VersionId } = await sm.rotateSecret({ SecretId: 's', RotationLambdaARN: LAMBDA });
    expect(log).toEqual(['createSecret', 'pending:AWSPENDING', 'setSecret', 'testSecret']);
    expect((await sm.getSecretValue({ SecretId: 's' })).VersionId).toBe(v1);
    expect((await sm.describeSecret({ SecretId: 's' })).VersionIdsToStages![VersionId!]).toEqual(['AWSPENDING']);
    await rejects(sm.rotateSecret({ SecretId: 's' }), 'InvalidRequestException', /previous rotation/);
    await sm.updateSecretVersionStage({ SecretId: 's', VersionStage: 'AWSPENDING', RemoveFromVersionId: VersionId! });
    t.services.registerRotationFunction(LAMBDA, templateRotation(log));
    await sm.rotateSecret({ SecretId: 's' });
    expect((await sm.getSecretValue({ SecretId: 's' })).VersionId).not.toBe(v1);
    await t.close();
  });

  it('schedules: rate(hours) at least 4 hours, cron() six fields, Duration 1h-24h, not both kinds (API RotationRulesType)', async () => {
    const t = await testServices();
    t.services.registerRotationFunction(LAMBDA, async () => undefined);
    const sm = t.services.secretsManager('us-east-1');
    await sm.createSecret({ Name: 's', SecretString: 'v' });
    const rotate = (RotationRules: object) => sm.rotateSecret({ SecretId: 's', RotationLambdaARN: LAMBDA, RotationRules, RotateImmediately: false });
    await rejects(rotate({ ScheduleExpression: 'rate(2 hours)' }), 'InvalidParameterException');
    await rejects(rotate({ AutomaticallyAfterDays: 3, ScheduleExpression: 'rate(4 hours)' }), 'InvalidParameterException');
    await rejects(rotate({ AutomaticallyAfterDays: 0 }), 'InvalidParameterException');
    await rejects(rotate({ ScheduleExpression: 'cron(0 16 1 * *)' }), 'InvalidParameterException');
    await rejects(rotate({ AutomaticallyAfterDays: 1, Duration: '25h' }), 'InvalidParameterException');
    await rotate({ ScheduleExpression: 'rate(6 hours)', Duration: '2h' });
    expect((await sm.describeSecret({ SecretId: 's' })).NextRotationDate!.getTime()).toBe(t.clock.t + 6 * 3_600_000);
    // 16:00 UTC on the 1st and 15th of each month; T0 is 2025-01-01T00:00Z.
    await rotate({ ScheduleExpression: 'cron(0 16 1,15 * ? *)' });
    expect((await sm.describeSecret({ SecretId: 's' })).NextRotationDate!.toISOString()).toBe('2025-01-01T16:00:00.000Z');
    await sm.cancelRotateSecret({ SecretId: 's' });
    const d = await sm.describeSecret({ SecretId: 's' });
    expect(d.RotationEnabled).toBe(false);
    expect(d.NextRotationDate).toBeUndefined();
    await rejects(sm.rotateSecret({ SecretId: 's', RotationLambdaARN: 'arn:aws:lambda:us-east-1:111122223333:function:unknown' }), 'InvalidRequestException');
    await t.close();
  });
});

describe('Secrets Manager: deletion (API DeleteSecret, RestoreSecret)', () => {
  it('a recovery window of 7-30 days (default 30); no value is readable in it; RestoreSecret cancels', async () => {
    const t = await testServices();
    const sm = t.services.secretsManager('us-east-1');
    await sm.createSecret({ Name: 's', SecretString: 'v' });
    await rejects(sm.deleteSecret({ SecretId: 's', RecoveryWindowInDays: 6 }), 'InvalidParameterException');
    await rejects(sm.deleteSecret({ SecretId: 's', RecoveryWindowInDays: 31 }), 'InvalidParameterException');
    await rejects(sm.deleteSecret({ SecretId: 's', RecoveryWindowInDays: 7, ForceDeleteWithoutRecovery: true }), 'InvalidParameterException');
    const { DeletionDate } = await sm.deleteSecret({ SecretId: 's' });
    expect(DeletionDate.getTime()).toBe(t.clock.t + 30 * DAY);
    await rejects(sm.getSecretValue({ SecretId: 's' }), 'InvalidRequestException', /marked for deletion/);
    await rejects(sm.putSecretValue({ SecretId: 's', SecretString: 'x' }), 'InvalidRequestException');
    await rejects(sm.createSecret({ Name: 's', SecretString: 'x' }), 'InvalidRequestException', /scheduled for deletion/);
    expect((await sm.describeSecret({ SecretId: 's' })).DeletedDate).toBeInstanceOf(Date);
    expect((await sm.listSecrets({})).SecretList).toHaveLength(0);
    expect((await sm.listSecrets({ IncludePlannedDeletion: true })).SecretList).toHaveLength(1);
    await sm.restoreSecret({ SecretId: 's' });
    expect((await sm.getSecretValue({ SecretId: 's' })).SecretString).toBe('v');
    await sm.deleteSecret({ SecretId: 's', RecoveryWindowInDays: 7 });
    t.clock.t += 7 * DAY;
    await rejects(sm.describeSecret({ SecretId: 's' }), 'ResourceNotFoundException');
    await sm.createSecret({ Name: 's', SecretString: 'new' });
    await sm.deleteSecret({ SecretId: 's', ForceDeleteWithoutRecovery: true });
    await rejects(sm.describeSecret({ SecretId: 's' }), 'ResourceNotFoundException');
    await t.close();
  });
});

describe('Secrets Manager: replication (UG "Replicate secrets across Regions")', () => {
  it('a replica is encrypted under its own Region\'s key, reads there when the primary Region is in outage, and is read-only', async () => {
    const t = await testServices();
    const east = t.services.secretsManager('us-east-1');
    const west = t.services.secretsManager('us-west-2');
    const westKey = (await t.kms.region('us-west-2').createKey({})).KeyMetadata;
    const created = await east.createSecret({ Name: 'db', SecretString: 'v1', AddReplicaRegions: [{ Region: 'us-west-2', KmsKeyId: westKey.Arn }, { Region: 'eu-west-1' }] });
    expect(created.ReplicationStatus).toEqual([
      { Region: 'us-west-2', KmsKeyId: westKey.Arn, Status: 'InSync' },
      { Region: 'eu-west-1', Status: 'InSync' },
    ]);
    const replica = await west.describeSecret({ SecretId: 'db' });
    expect(replica.PrimaryRegion).toBe('us-east-1');
    expect(replica.ARN).toBe(created.ARN.replace('us-east-1', 'us-west-2'));
    const versions = (await west.listSecretVersionIds({ SecretId: 'db' })).Versions;
    expect(versions[0]!.KmsKeyIds).toEqual([westKey.Arn]);
    // eu-west-1 uses its own aws/secretsmanager.
    const euKey = (await t.kms.region('eu-west-1').describeKey({ KeyId: 'alias/aws/secretsmanager' })).KeyMetadata.Arn;
    expect((await t.services.secretsManager('eu-west-1').listSecretVersionIds({ SecretId: 'db' })).Versions[0]!.KmsKeyIds).toEqual([euKey]);

    await east.putSecretValue({ SecretId: 'db', SecretString: 'v2' });
    await east.tagResource({ SecretId: 'db', Tags: [{ Key: 'team', Value: 'core' }] });
    expect((await west.describeSecret({ SecretId: 'db' })).Tags).toEqual([{ Key: 'team', Value: 'core' }]);
    await t.kms.simulate({ region: 'us-east-1', outage: true });
    await rejects(east.getSecretValue({ SecretId: 'db' }), 'InternalServiceError');
    expect((await west.getSecretValue({ SecretId: 'db' })).SecretString).toBe('v2');
    await rejects(west.putSecretValue({ SecretId: 'db', SecretString: 'x' }), 'InvalidRequestException', /replica/);
    await t.kms.simulate({ region: 'us-east-1', outage: false });
    await rejects(east.deleteSecret({ SecretId: 'db', ForceDeleteWithoutRecovery: true }), 'InvalidRequestException', /replica/);
    await t.close();
  });

  it('a replica Region in outage: Failed with the reason, then InSync once the Region heals (services.tick)', async () => {
    const t = await testServices();
    const east = t.services.secretsManager('us-east-1');
    await east.createSecret({ Name: 'db', SecretString: 'v1' });
    await t.kms.simulate({ region: 'eu-west-1', outage: true });
    const { ReplicationStatus } = await east.replicateSecretToRegions({ SecretId: 'db', AddReplicaRegions: [{ Region: 'eu-west-1' }] });
    expect(ReplicationStatus[0]).toMatchObject({ Region: 'eu-west-1', Status: 'Failed' });
    expect(ReplicationStatus[0]!.StatusMessage).toMatch(/InternalServiceError/);
    await rejects(t.services.secretsManager('eu-west-1').getSecretValue({ SecretId: 'db' }), 'ResourceNotFoundException');
    await t.kms.simulate({ region: 'eu-west-1', outage: false });
    await t.services.tick();
    expect((await east.describeSecret({ SecretId: 'db' })).ReplicationStatus).toEqual([{ Region: 'eu-west-1', Status: 'InSync' }]);
    expect((await t.services.secretsManager('eu-west-1').getSecretValue({ SecretId: 'db' })).SecretString).toBe('v1');
    await t.close();
  });

  it('replication needs GenerateDataKey on the replica key as the caller: a key policy refusing it fails the replica (UG "Permissions for replicated secrets")', async () => {
    const t = await testServices();
    const deny = keyPolicy({ Effect: 'Deny', Principal: { AWS: '*' }, Action: 'kms:GenerateDataKey*', Resource: '*', Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-west-2.amazonaws.com' } } });
    const westKey = (await t.kms.region('us-west-2').createKey({ Policy: deny })).KeyMetadata;
    const east = t.services.secretsManager('us-east-1');
    const { ReplicationStatus } = await east.createSecret({ Name: 'db', SecretString: 'v', AddReplicaRegions: [{ Region: 'us-west-2', KmsKeyId: westKey.KeyId }] });
    expect(ReplicationStatus![0]!.Status).toBe('Failed');
    expect(ReplicationStatus![0]!.StatusMessage).toMatch(/AccessDeniedException/);
    await t.close();
  });

  it('StopReplicationToReplica, called in the replica Region, promotes it to a standalone secret; RemoveRegionsFromReplication deletes a replica', async () => {
    const t = await testServices();
    const east = t.services.secretsManager('us-east-1');
    const west = t.services.secretsManager('us-west-2');
    await east.createSecret({ Name: 'db', SecretString: 'v1', AddReplicaRegions: [{ Region: 'us-west-2' }, { Region: 'eu-west-1' }] });
    await rejects(east.stopReplicationToReplica({ SecretId: 'db' }), 'InvalidRequestException');
    await west.stopReplicationToReplica({ SecretId: 'db' });
    expect((await west.describeSecret({ SecretId: 'db' })).PrimaryRegion).toBe('us-west-2');
    await west.putSecretValue({ SecretId: 'db', SecretString: 'west' });
    expect((await east.getSecretValue({ SecretId: 'db' })).SecretString).toBe('v1');
    expect((await east.describeSecret({ SecretId: 'db' })).ReplicationStatus!.map((r) => r.Region)).toEqual(['eu-west-1']);
    await east.removeRegionsFromReplication({ SecretId: 'db', RemoveReplicaRegions: ['eu-west-1'] });
    await rejects(t.services.secretsManager('eu-west-1').describeSecret({ SecretId: 'db' }), 'ResourceNotFoundException');
    await east.deleteSecret({ SecretId: 'db', ForceDeleteWithoutRecovery: true });
    await t.close();
  });
});

describe('Secrets Manager: listing, batches, tags, policies, passwords', () => {
  it('ListSecrets filters by name prefix, tag and negation; BatchGetSecretValue reports errors per secret', async () => {
    const t = await testServices();
    const sm = t.services.secretsManager('us-east-1');
    await sm.createSecret({ Name: 'prod/db', SecretString: 'a', Tags: [{ Key: 'team', Value: 'core' }] });
    t.clock.t += 1000;
    await sm.createSecret({ Name: 'prod/api', SecretString: 'b', Description: 'api key' });
    t.clock.t += 1000;
    await sm.createSecret({ Name: 'dev/db', SecretString: 'c' });
    const names = async (Filters: object[]) => (await sm.listSecrets({ Filters: Filters as never })).SecretList.map((s) => s.Name);
    expect(await names([{ Key: 'name', Values: ['prod/'] }])).toEqual(['prod/api', 'prod/db']);
    expect(await names([{ Key: 'tag-key', Values: ['team'] }])).toEqual(['prod/db']);
    expect(await names([{ Key: 'name', Values: ['!prod'] }])).toEqual(['dev/db']);
    expect(await names([{ Key: 'all', Values: ['api'] }])).toEqual(['prod/api']);
    expect((await sm.listSecrets({ SortOrder: 'asc' })).SecretList.map((s) => s.Name)).toEqual(['prod/db', 'prod/api', 'dev/db']);
    const page = await sm.listSecrets({ MaxResults: 2 });
    expect(page.SecretList).toHaveLength(2);
    expect((await sm.listSecrets({ NextToken: page.NextToken! })).SecretList).toHaveLength(1);
    const batch = await sm.batchGetSecretValue({ SecretIdList: ['prod/db', 'missing'] });
    expect(batch.SecretValues.map((v) => v.SecretString)).toEqual(['a']);
    expect(batch.Errors).toEqual([{ SecretId: 'missing', ErrorCode: 'ResourceNotFoundException', Message: expect.any(String) }]);
    const byFilter = await sm.batchGetSecretValue({ Filters: [{ Key: 'name', Values: ['prod/'] }] });
    expect(byFilter.SecretValues.map((v) => v.SecretString).sort()).toEqual(['a', 'b']);
    await t.close();
  });

  it('tags, resource policies (BlockPublicPolicy) and GetRandomPassword', async () => {
    const t = await testServices();
    const sm = t.services.secretsManager('us-east-1');
    await sm.createSecret({ Name: 's', SecretString: 'v' });
    await sm.tagResource({ SecretId: 's', Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }] });
    await sm.untagResource({ SecretId: 's', TagKeys: ['a'] });
    expect((await sm.describeSecret({ SecretId: 's' })).Tags).toEqual([{ Key: 'b', Value: '2' }]);
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'secretsmanager:GetSecretValue', Resource: '*' }] });
    await sm.putResourcePolicy({ SecretId: 's', ResourcePolicy: policy });
    expect((await sm.getResourcePolicy({ SecretId: 's' })).ResourcePolicy).toBe(policy);
    const open = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'secretsmanager:GetSecretValue', Resource: '*' }] });
    await rejects(sm.putResourcePolicy({ SecretId: 's', ResourcePolicy: open }), 'InvalidRequestException', /public/);
    await rejects(sm.putResourcePolicy({ SecretId: 's', ResourcePolicy: '{' }), 'MalformedPolicyDocumentException');
    await sm.deleteResourcePolicy({ SecretId: 's' });
    expect((await sm.getResourcePolicy({ SecretId: 's' })).ResourcePolicy).toBeUndefined();

    const { RandomPassword } = await sm.getRandomPassword({});
    expect(RandomPassword).toHaveLength(32);
    for (const cls of [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/]) expect(RandomPassword).toMatch(cls);
    const digits = (await sm.getRandomPassword({ PasswordLength: 64, ExcludeLowercase: true, ExcludeUppercase: true, ExcludePunctuation: true, ExcludeCharacters: '0' })).RandomPassword;
    expect(digits).toMatch(/^[1-9]{64}$/);
    await rejects(sm.getRandomPassword({ PasswordLength: 4097 }), 'InvalidParameterException');
    await t.close();
  });
});
