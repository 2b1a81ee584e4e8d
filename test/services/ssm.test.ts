/**
 * AWS Systems Manager Parameter Store on the simulated KMS. Each rule cites where AWS documents it:
 * the Systems Manager User Guide (UG, "AWS Systems Manager Parameter Store") or API Reference (API),
 * https://docs.aws.amazon.com/systems-manager/.
 */
import { describe, expect, it } from 'vitest';
import { fromBase64 } from '../../src/core/bytes.js';
import { parseHeader } from '../../src/core/index.js';
import { openServiceStores } from '../../src/services/service-runtime.js';
import { SCHEMA, type SsmDB, type SsmStores } from '../../src/services/ssm/schema.js';
import { ALICE, keyPolicy, rejects, testServices } from './support.js';

describe('Parameter Store: SecureString encryption (UG "How AWS Systems Manager Parameter Store uses AWS KMS")', () => {
  it('Standard tier: KMS Encrypt with { PARAMETER_ARN }, via ssm; without WithDecryption the value is the ciphertext, base64', async () => {
    const t = await testServices();
    const ssm = t.services.ssm('us-east-1', { principal: ALICE });
    expect(await ssm.putParameter({ Name: '/app/db/password', Value: 'hunter2', Type: 'SecureString' })).toEqual({ Version: 1, Tier: 'Standard' });
    const arn = 'arn:aws:ssm:us-east-1:111122223333:parameter/app/db/password';
    const [enc] = await t.kms.audit.query({ region: 'us-east-1', eventName: 'Encrypt' });
    expect(enc!.userIdentity.arn).toBe(ALICE);
    expect(enc!.userIdentity.invokedBy).toBe('ssm.amazonaws.com');
    expect(enc!.requestParameters).toMatchObject({ encryptionContext: { PARAMETER_ARN: arn } });
    expect((await t.kms.region('us-east-1').describeKey({ KeyId: 'alias/aws/ssm' })).KeyMetadata.KeyManager).toBe('AWS');

    const hidden = (await ssm.getParameter({ Name: '/app/db/password' })).Parameter;
    expect(hidden.Value).not.toContain('hunter2');
    const blob = fromBase64(hidden.Value)!;
    // The base64 value is the KMS ciphertext blob itself: it decrypts with the same context, through ssm.
    const direct = await t.kms.region('us-east-1', { principal: ALICE, viaService: 'ssm.us-east-1.amazonaws.com' }).decrypt({ CiphertextBlob: blob, EncryptionContext: { PARAMETER_ARN: arn } });
    expect(new TextDecoder().decode(direct.Plaintext)).toBe('hunter2');
    const shown = (await ssm.getParameter({ Name: '/app/db/password', WithDecryption: true })).Parameter;
    expect(shown).toMatchObject({ Name: '/app/db/password', Type: 'SecureString', Value: 'hunter2', Version: 1, ARN: arn, DataType: 'text' });
    expect(shown.LastModifiedDate).toBeInstanceOf(Date);
    await t.close();
  });

  it('Advanced tier: the value is an AWS Encryption SDK message under the same context (envelope encryption)', async () => {
    const t = await testServices();
    const ssm = t.services.ssm('us-east-1');
    const big = 'x'.repeat(6000);
    expect((await ssm.putParameter({ Name: 'big', Value: big, Type: 'SecureString', Tier: 'Advanced' })).Tier).toBe('Advanced');
    const message = fromBase64((await ssm.getParameter({ Name: 'big' })).Parameter.Value)!;
    const parsed = parseHeader(message);
    expect(parsed!.encryptionContext).toMatchObject({ PARAMETER_ARN: 'arn:aws:ssm:us-east-1:111122223333:parameter/big' });
    expect(parsed!.encryptedDataKeys[0]!.providerId).toBe('aws-kms');
    expect((await t.kms.audit.query({ region: 'us-east-1', eventName: 'GenerateDataKey' })).length).toBe(1);
    expect((await ssm.getParameter({ Name: 'big', WithDecryption: true })).Parameter.Value).toBe(big);
    await t.close();
  });

  it('a SecureString is bound to its parameter: ciphertext copied to another parameter does not decrypt (PARAMETER_ARN context), in either tier', async () => {
    const t = await testServices();
    const ssm = t.services.ssm('us-east-1');
    for (const Tier of ['Standard', 'Advanced'] as const) {
      await ssm.putParameter({ Name: `/${Tier}/a`, Value: 'secret-a', Type: 'SecureString', Tier });
      await ssm.putParameter({ Name: `/${Tier}/b`, Value: 'secret-b', Type: 'SecureString', Tier });
      const store = (await openServiceStores<SsmStores, SsmDB>(t.kms, 'ssm', SCHEMA)).get('us-east-1')!;
      const a = (await store.get('parameters', `/${Tier}/a`))!;
      const b = (await store.get('parameters', `/${Tier}/b`))!;
      const moved = b.Versions.map((v) => ({ ...v, ciphertext: a.Versions[0]!.ciphertext!, keyArn: a.Versions[0]!.keyArn! }));
      await store.commit([{ store: 'parameters', id: b.id, expect: b.version, value: { ...b, version: b.version + 1, Versions: moved } }]);
      await rejects(ssm.getParameter({ Name: `/${Tier}/b`, WithDecryption: true }), 'InvalidKeyId');
      expect((await ssm.getParameter({ Name: `/${Tier}/a`, WithDecryption: true })).Parameter.Value).toBe('secret-a');
    }
    await t.close();
  });

  it('a disabled key: InvalidKeyId; a key policy denying kms:ViaService ssm.<region>: AccessDeniedException; a KMS outage: InternalServerError', async () => {
    const t = await testServices();
    const kms = t.kms.region('us-east-1');
    const ssm = t.services.ssm('us-east-1');
    const key = (await kms.createKey({})).KeyMetadata;
    await ssm.putParameter({ Name: 'p', Value: 'v', Type: 'SecureString', KeyId: key.KeyId });
    expect((await ssm.describeParameters({})).Parameters[0]!.KeyId).toBe(key.KeyId);
    await kms.disableKey({ KeyId: key.KeyId });
    await rejects(ssm.getParameter({ Name: 'p', WithDecryption: true }), 'InvalidKeyId');
    // Without decryption the KMS is not asked.
    await ssm.getParameter({ Name: 'p' });
    await rejects(ssm.putParameter({ Name: 'p', Value: 'w', Type: 'SecureString', KeyId: key.KeyId, Overwrite: true }), 'InvalidKeyId');
    const deny = keyPolicy({ Effect: 'Deny', Principal: { AWS: '*' }, Action: 'kms:*', Resource: '*', Condition: { StringEquals: { 'kms:ViaService': 'ssm.us-east-1.amazonaws.com' } } });
    const denied = (await kms.createKey({ Policy: deny })).KeyMetadata;
    await rejects(ssm.putParameter({ Name: 'q', Value: 'v', Type: 'SecureString', KeyId: denied.KeyId }), 'AccessDeniedException');
    await rejects(ssm.putParameter({ Name: 'q', Value: 'v'.repeat(5000), Type: 'SecureString', KeyId: denied.KeyId, Tier: 'Advanced' }), 'AccessDeniedException');
    await rejects(ssm.putParameter({ Name: 'q', Value: 'v', Type: 'SecureString', KeyId: 'alias/missing' }), 'InvalidKeyId');
    await ssm.putParameter({ Name: 'r', Value: 'v', Type: 'SecureString' });
    await t.kms.simulate({ region: 'us-east-1', outage: true });
    await rejects(ssm.getParameter({ Name: 'r', WithDecryption: true }), 'InternalServerError');
    await t.close();
  });
});

describe('Parameter Store: tiers, versions, labels, hierarchies (UG "Managing parameter tiers", "Working with parameter labels", "Working with parameter hierarchies")', () => {
  it('Standard holds 4 KB, Advanced 8 KB; Standard can be raised to Advanced and never lowered; Intelligent-Tiering picks Advanced only when needed', async () => {
    const t = await testServices();
    const ssm = t.services.ssm('us-east-1');
    await ssm.putParameter({ Name: 'p', Value: 'a'.repeat(4096), Type: 'String' });
    await rejects(ssm.putParameter({ Name: 'p2', Value: 'a'.repeat(4097), Type: 'String' }), 'ValidationException', /advanced/);
    await rejects(ssm.putParameter({ Name: 'p2', Value: 'a'.repeat(8193), Type: 'String', Tier: 'Advanced' }), 'ValidationException');
    expect((await ssm.putParameter({ Name: 'p3', Value: 'a', Type: 'String', Tier: 'Intelligent-Tiering' })).Tier).toBe('Standard');
    expect((await ssm.putParameter({ Name: 'p4', Value: 'a'.repeat(5000), Type: 'String', Tier: 'Intelligent-Tiering' })).Tier).toBe('Advanced');
    expect((await ssm.putParameter({ Name: 'p', Value: 'b', Type: 'String', Tier: 'Advanced', Overwrite: true })).Tier).toBe('Advanced');
    await rejects(ssm.putParameter({ Name: 'p', Value: 'c', Type: 'String', Tier: 'Standard', Overwrite: true }), 'ValidationException', /advanced/);
    expect((await ssm.putParameter({ Name: 'p', Value: 'c', Type: 'String', Overwrite: true })).Tier).toBe('Advanced');
    await t.close();
  });

  it('Overwrite makes a new version; the type cannot change; Tags and Overwrite are exclusive; history lists every version', async () => {
    const t = await testServices();
    const ssm = t.services.ssm('us-east-1');
    await ssm.putParameter({ Name: 'p', Value: 'one', Type: 'SecureString', Description: 'first' });
    await rejects(ssm.putParameter({ Name: 'p', Value: 'two', Type: 'SecureString' }), 'ParameterAlreadyExists');
    expect((await ssm.putParameter({ Name: 'p', Value: 'two', Type: 'SecureString', Overwrite: true })).Version).toBe(2);
    await rejects(ssm.putParameter({ Name: 'p', Value: 'x', Type: 'String', Overwrite: true }), 'HierarchyTypeMismatchException');
    await rejects(ssm.putParameter({ Name: 'p', Value: 'x', Type: 'SecureString', Overwrite: true, Tags: [{ Key: 'a', Value: 'b' }] }), 'ValidationException');
    await rejects(ssm.putParameter({ Name: 's', Value: 'x', Type: 'String', KeyId: 'alias/aws/ssm' }), 'ValidationException');
    const history = (await ssm.getParameterHistory({ Name: 'p', WithDecryption: true })).Parameters;
    expect(history.map((h) => [h.Version, h.Value, h.Description, h.KeyId])).toEqual([
      [1, 'one', 'first', 'alias/aws/ssm'],
      [2, 'two', 'first', 'alias/aws/ssm'],
    ]);
    const hidden = (await ssm.getParameterHistory({ Name: 'p' })).Parameters;
    expect(hidden.every((h) => !['one', 'two'].includes(h.Value))).toBe(true);
    expect((await ssm.getParameter({ Name: 'p:1', WithDecryption: true })).Parameter).toMatchObject({ Value: 'one', Version: 1, Selector: ':1' });
    await rejects(ssm.getParameter({ Name: 'p:9' }), 'ParameterVersionNotFound');
    await rejects(ssm.getParameter({ Name: 'nope' }), 'ParameterNotFound');
    await t.close();
  });

  it('labels: move between versions, at most 10 per version, invalid ones reported in InvalidLabels (API LabelParameterVersion)', async () => {
    const t = await testServices();
    const ssm = t.services.ssm('us-east-1');
    await ssm.putParameter({ Name: 'p', Value: 'one', Type: 'String' });
    await ssm.putParameter({ Name: 'p', Value: 'two', Type: 'String', Overwrite: true });
    expect(await ssm.labelParameterVersion({ Name: 'p', ParameterVersion: 1, Labels: ['prod', '1bad', 'awsx', 'ok.label'] })).toEqual({ InvalidLabels: ['1bad', 'awsx'], ParameterVersion: 1 });
    expect((await ssm.getParameter({ Name: 'p:prod' })).Parameter.Value).toBe('one');
    expect((await ssm.labelParameterVersion({ Name: 'p', Labels: ['prod'] })).ParameterVersion).toBe(2);
    expect((await ssm.getParameter({ Name: 'p:prod' })).Parameter.Value).toBe('two');
    expect((await ssm.getParameterHistory({ Name: 'p' })).Parameters.map((h) => h.Labels)).toEqual([['ok.label'], ['prod']]);
    await ssm.labelParameterVersion({ Name: 'p', ParameterVersion: 2, Labels: Array.from({ length: 9 }, (_, i) => `l${i}`) });
    await rejects(ssm.labelParameterVersion({ Name: 'p', ParameterVersion: 2, Labels: ['one-too-many'] }), 'ParameterVersionLabelLimitExceeded');
    await rejects(ssm.labelParameterVersion({ Name: 'p', ParameterVersion: 7, Labels: ['x'] }), 'ParameterVersionNotFound');
    expect(await ssm.unlabelParameterVersion({ Name: 'p', ParameterVersion: 2, Labels: ['prod', 'absent'] })).toEqual({ RemovedLabels: ['prod'], InvalidLabels: ['absent'] });
    await t.close();
  });

  it('100 versions: the oldest goes, unless it has a label (ParameterMaxVersionLimitExceeded)', async () => {
    const t = await testServices();
    const ssm = t.services.ssm('us-east-1');
    for (let i = 1; i <= 100; i++) await ssm.putParameter({ Name: 'p', Value: `v${i}`, Type: 'String', Overwrite: i > 1 });
    await ssm.labelParameterVersion({ Name: 'p', ParameterVersion: 1, Labels: ['keep'] });
    await rejects(ssm.putParameter({ Name: 'p', Value: 'v101', Type: 'String', Overwrite: true }), 'ParameterMaxVersionLimitExceeded');
    await ssm.unlabelParameterVersion({ Name: 'p', ParameterVersion: 1, Labels: ['keep'] });
    expect((await ssm.putParameter({ Name: 'p', Value: 'v101', Type: 'String', Overwrite: true })).Version).toBe(101);
    await rejects(ssm.getParameter({ Name: 'p:1' }), 'ParameterVersionNotFound');
    expect((await ssm.getParameter({ Name: 'p:2' })).Parameter.Value).toBe('v2');
    await t.close();
  });

  it('names and hierarchies: at most 15 levels, no aws/ssm prefix; GetParametersByPath one level or recursive, paged', async () => {
    const t = await testServices();
    const ssm = t.services.ssm('us-east-1');
    const deep = `/${Array.from({ length: 15 }, (_, i) => `l${i}`).join('/')}`;
    await ssm.putParameter({ Name: deep, Value: 'v', Type: 'String' });
    await rejects(ssm.putParameter({ Name: `${deep}/l15`, Value: 'v', Type: 'String' }), 'HierarchyLevelLimitExceededException');
    for (const bad of ['aws-thing', '/ssm/x', 'AWS', 'a/b', 'bad name']) await rejects(ssm.putParameter({ Name: bad, Value: 'v', Type: 'String' }), 'ValidationException');
    await ssm.putParameter({ Name: '/app/a', Value: '1', Type: 'String' });
    await ssm.putParameter({ Name: '/app/b', Value: '2', Type: 'SecureString' });
    await ssm.putParameter({ Name: '/app/sub/c', Value: '3', Type: 'StringList' });
    const one = await ssm.getParametersByPath({ Path: '/app', WithDecryption: true });
    expect(one.Parameters.map((p) => [p.Name, p.Value])).toEqual([['/app/a', '1'], ['/app/b', '2']]);
    const all = await ssm.getParametersByPath({ Path: '/app', Recursive: true, MaxResults: 2 });
    expect(all.Parameters).toHaveLength(2);
    const rest = await ssm.getParametersByPath({ Path: '/app', Recursive: true, MaxResults: 2, NextToken: all.NextToken! });
    expect(rest.Parameters.map((p) => p.Name)).toEqual(['/app/sub/c']);
    expect(rest.NextToken).toBeUndefined();
    const got = await ssm.getParameters({ Names: ['/app/a', '/app/missing'] });
    expect(got.Parameters.map((p) => p.Name)).toEqual(['/app/a']);
    expect(got.InvalidParameters).toEqual(['/app/missing']);
    const described = await ssm.describeParameters({ ParameterFilters: [{ Key: 'Type', Values: ['SecureString'] }] });
    expect(described.Parameters.map((p) => [p.Name, p.KeyId])).toEqual([['/app/b', 'alias/aws/ssm']]);
    expect((await ssm.describeParameters({ ParameterFilters: [{ Key: 'Path', Option: 'Recursive', Values: ['/app'] }] })).Parameters).toHaveLength(3);
    expect(await ssm.deleteParameters({ Names: ['/app/a', '/app/zzz'] })).toEqual({ DeletedParameters: ['/app/a'], InvalidParameters: ['/app/zzz'] });
    await ssm.deleteParameter({ Name: '/app/b' });
    await rejects(ssm.deleteParameter({ Name: '/app/b' }), 'ParameterNotFound');
    // Regions are separate stores.
    await rejects(t.services.ssm('us-west-2').getParameter({ Name: '/app/sub/c' }), 'ParameterNotFound');
    await t.close();
  });
});
