/**
 * The multi-Region-key-aware keyrings against the simulated KMS: a message encrypted under a
 * multi-Region key in us-east-1 decrypts in eu-west-1 through the replica while us-east-1 is in a
 * simulated outage; the discovery keyring's region rewrite and filter; the MRK matching rules
 * (spec: framework/aws-kms/aws-kms-mrk-match-for-decrypt.md) and the ARN grammar they rest on.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import {
  EnvelopeError,
  KmsKeyring,
  KmsMrkAwareKeyring,
  KmsMrkDiscoveryKeyring,
  MultiKeyring,
  RawAesKeyring,
  decrypt,
  encrypt,
  type KmsClient,
} from '../../src/core/index.js';
import { assertMrksUnique, isKmsIdentifier, isMultiRegionIdentifier, mrkMatch, parseKmsArn } from '../../src/core/kms-arn.js';
import { ACCOUNT, Spy, newKey, newKms, newMrk, string, text, type Kms } from './kms-fixtures.js';

async function rejection(run: Promise<unknown>): Promise<EnvelopeError> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected a rejection').toBeInstanceOf(EnvelopeError);
  return error as EnvelopeError;
}

/** Runs `body` with `region` in simulated outage, ending the outage afterwards whatever happens. */
async function duringOutage(kms: Kms, region: string, body: () => Promise<void>): Promise<void> {
  await kms.simulate({ region, outage: true });
  try {
    await body();
  } finally {
    await kms.simulate({ region, outage: false });
  }
}

describe('multi-Region keys', () => {
  let kms: Kms;
  let mrk: Record<string, string>;
  let single: string;
  const clientFor = (region: string): KmsClient => kms.region(region);

  beforeAll(async () => {
    kms = await newKms();
    mrk = await newMrk(kms, 'us-east-1', ['eu-west-1', 'us-west-2']);
    single = await newKey(kms, 'us-east-1');
  });
  afterAll(() => kms.close());

  it('replicas share the key id and differ only in region', () => {
    const ids = Object.values(mrk).map((arn) => parseKmsArn(arn)!.resourceId);
    expect(new Set(ids).size).toBe(1);
    expect(ids[0]).toMatch(/^mrk-/);
    expect(Object.keys(mrk).map((r) => parseKmsArn(mrk[r]!)!.region)).toEqual(['us-east-1', 'eu-west-1', 'us-west-2']);
  });

  describe('KmsMrkAwareKeyring', () => {
    it('encrypts in us-east-1 and decrypts through the eu-west-1 replica while us-east-1 is down', async () => {
      const writer = new KmsMrkAwareKeyring({ generatorKeyId: mrk['us-east-1']!, clientFor });
      const { ciphertext, header } = await encrypt(writer, text('across regions'), { encryptionContext: { app: 'notes' } });
      expect(header.encryptedDataKeys.map((k) => string(k.providerInfo))).toEqual([mrk['us-east-1']]);

      await duringOutage(kms, 'us-east-1', async () => {
        // The plain KMS keyring only knows the exact ARN, so it calls us-east-1 and fails.
        const plain = await rejection(decrypt(new KmsKeyring({ keyIds: [mrk['us-east-1']!], clientFor }), ciphertext));
        expect(plain.code).toBe('NO_DECRYPTING_KEYRING');
        expect(plain.message).toMatch(/KMSInternalException|DependencyTimeoutException|ServiceUnavailable/);

        const spy = new Spy(clientFor);
        const reader = new KmsMrkAwareKeyring({ keyIds: [mrk['eu-west-1']!], clientFor: spy.clientFor });
        expect((await decrypt(reader, ciphertext)).plaintext).toEqual(text('across regions'));
        expect(spy.trace()).toEqual(['decrypt@eu-west-1']);
        expect(spy.calls[0]!.request.KeyId).toBe(mrk['eu-west-1']);
      });
    });

    it('matches single-Region keys exactly, like KmsKeyring', async () => {
      const { ciphertext } = await encrypt(new KmsMrkAwareKeyring({ generatorKeyId: single, clientFor }), text('x'));
      expect((await decrypt(new KmsMrkAwareKeyring({ keyIds: [single], clientFor }), ciphertext)).plaintext).toEqual(text('x'));
      const elsewhere = single.replace('us-east-1', 'eu-west-1');
      expect((await rejection(decrypt(new KmsMrkAwareKeyring({ keyIds: [elsewhere], clientFor }), ciphertext))).code).toBe('NO_DECRYPTING_KEYRING');
    });

    it('encrypts with a bare mrk- key id in options.region', async () => {
      const keyId = parseKmsArn(mrk['us-west-2']!)!.resourceId;
      const spy = new Spy(clientFor);
      const { ciphertext, header } = await encrypt(new KmsMrkAwareKeyring({ generatorKeyId: keyId, region: 'us-west-2', clientFor: spy.clientFor }), text('x'));
      expect(spy.trace()).toEqual(['generateDataKey@us-west-2']);
      expect(string(header.encryptedDataKeys[0]!.providerInfo)).toBe(mrk['us-west-2']);
      expect((await decrypt(new KmsMrkAwareKeyring({ keyIds: [mrk['eu-west-1']!], clientFor }), ciphertext)).plaintext).toEqual(text('x'));
    });

    it('refuses two identifiers of one multi-Region key, naming all of them', () => {
      const make = () => new KmsMrkAwareKeyring({ generatorKeyId: mrk['us-east-1']!, keyIds: [single, mrk['eu-west-1']!], clientFor });
      expect(make).toThrow(RangeError);
      expect(make).toThrow(new RegExp(`${mrk['us-east-1']}.*${mrk['eu-west-1']}`));
      // KmsKeyring treats them as two keys: it matches exactly, so there is no ambiguity.
      expect(() => new KmsKeyring({ generatorKeyId: mrk['us-east-1']!, keyIds: [mrk['eu-west-1']!], clientFor })).not.toThrow();
    });

    it('writes one copy per replica when asked, and any replica decrypts', async () => {
      const keyring = new KmsMrkAwareKeyring({ generatorKeyId: mrk['us-east-1']!, keyIds: [single], clientFor });
      const { ciphertext } = await encrypt(keyring, text('x'));
      for (const region of ['us-east-1', 'eu-west-1', 'us-west-2']) {
        expect((await decrypt(new KmsMrkAwareKeyring({ keyIds: [mrk[region]!], clientFor }), ciphertext)).plaintext).toEqual(text('x'));
      }
    });
  });

  describe('KmsMrkDiscoveryKeyring', () => {
    it('decrypts a us-east-1 MRK copy in eu-west-1 during a us-east-1 outage, asking for the eu-west-1 ARN', async () => {
      const { ciphertext } = await encrypt(new KmsMrkAwareKeyring({ generatorKeyId: mrk['us-east-1']!, clientFor }), text('discovered'));
      await duringOutage(kms, 'us-east-1', async () => {
        const spy = new Spy(clientFor);
        const keyring = new KmsMrkDiscoveryKeyring({ region: 'eu-west-1', clientFor: spy.clientFor, discoveryFilter: { partition: 'aws', accountIds: [ACCOUNT] } });
        expect((await decrypt(keyring, ciphertext)).plaintext).toEqual(text('discovered'));
        expect(spy.trace()).toEqual(['decrypt@eu-west-1']);
        expect(spy.calls[0]!.request.KeyId).toBe(mrk['eu-west-1']);
        expect([...spy.clientRequests.keys()]).toEqual(['eu-west-1']);
      });
    });

    it('decrypts single-Region keys of its own region only', async () => {
      const { ciphertext } = await encrypt(new KmsKeyring({ generatorKeyId: single, clientFor }), text('x'));
      const spy = new Spy(clientFor);
      const away = await rejection(decrypt(new KmsMrkDiscoveryKeyring({ region: 'eu-west-1', clientFor: spy.clientFor }), ciphertext));
      expect(away.code).toBe('NO_DECRYPTING_KEYRING');
      expect(spy.calls).toHaveLength(0);
      expect((await decrypt(new KmsMrkDiscoveryKeyring({ region: 'us-east-1', clientFor }), ciphertext)).plaintext).toEqual(text('x'));
    });

    it('tries only copies whose partition and account pass the discovery filter', async () => {
      const { ciphertext } = await encrypt(new KmsMrkAwareKeyring({ generatorKeyId: mrk['us-east-1']!, clientFor }), text('x'));
      for (const discoveryFilter of [
        { partition: 'aws', accountIds: ['444455556666'] },
        { partition: 'aws-cn', accountIds: [ACCOUNT] },
      ]) {
        const spy = new Spy(clientFor);
        const error = await rejection(decrypt(new KmsMrkDiscoveryKeyring({ region: 'eu-west-1', clientFor: spy.clientFor, discoveryFilter }), ciphertext));
        expect(error.code).toBe('NO_DECRYPTING_KEYRING');
        expect(spy.calls).toHaveLength(0);
      }
      const allowed = new KmsMrkDiscoveryKeyring({ region: 'eu-west-1', clientFor, discoveryFilter: { partition: 'aws', accountIds: ['444455556666', ACCOUNT] } });
      expect((await decrypt(allowed, ciphertext)).plaintext).toEqual(text('x'));
    });

    it('names the KMS error when the replica it reaches cannot decrypt', async () => {
      const { ciphertext } = await encrypt(new KmsMrkAwareKeyring({ generatorKeyId: mrk['us-east-1']!, clientFor }), text('x'));
      // ap-northeast-2 has no replica of this key.
      const error = await rejection(decrypt(new KmsMrkDiscoveryKeyring({ region: 'ap-northeast-2', clientFor }), ciphertext));
      expect(error.code).toBe('NO_DECRYPTING_KEYRING');
      expect(error.message).toMatch(/NotFoundException/);
      expect(error.message).toContain(mrk['us-east-1']!.replace('us-east-1', 'ap-northeast-2'));
    });

    it('cannot encrypt, and works as a MultiKeyring child beside raw AES', async () => {
      const discovery = new KmsMrkDiscoveryKeyring({ region: 'eu-west-1', clientFor });
      expect((await rejection(encrypt(discovery, text('x')))).code).toBe('KEYRING_FAILURE');
      const aes = new RawAesKeyring({ keyNamespace: 'app', keyName: 'aes', wrappingKey: new Uint8Array(32).fill(9) });
      const { ciphertext } = await encrypt(new MultiKeyring({ generator: new KmsMrkAwareKeyring({ generatorKeyId: mrk['us-west-2']!, clientFor }), children: [aes] }), text('x'));
      expect((await decrypt(new MultiKeyring({ children: [discovery, aes] }), ciphertext)).plaintext).toEqual(text('x'));
    });

    it('refuses bad options, naming the argument', () => {
      expect(() => new KmsMrkDiscoveryKeyring({ region: '', clientFor })).toThrow(/options\.region/);
      expect(() => new KmsMrkDiscoveryKeyring({ region: 'eu-west-1' } as never)).toThrow(/options\.clientFor/);
      expect(() => new KmsMrkDiscoveryKeyring({ region: 'eu-west-1', clientFor, discoveryFilter: { partition: 'aws', accountIds: [] } })).toThrow(/accountIds/);
      expect(() => new KmsMrkDiscoveryKeyring({ region: 'eu-west-1', clientFor, discoveryFilter: { partition: '', accountIds: [ACCOUNT] } })).toThrow(/partition/);
    });
  });
});

describe('KMS identifiers (spec: aws-kms-key-arn.md, aws-kms-mrk-match-for-decrypt.md)', () => {
  const arn = (region: string, resource: string, account = ACCOUNT, partition = 'aws') => `arn:${partition}:kms:${region}:${account}:${resource}`;

  it('parses key and alias ARNs, keeping extra slashes in the resource id', () => {
    expect(parseKmsArn(arn('us-east-1', 'key/1234'))).toEqual({ partition: 'aws', region: 'us-east-1', account: ACCOUNT, resourceType: 'key', resourceId: '1234' });
    expect(parseKmsArn(arn('us-east-1', 'alias/a/b'))?.resourceId).toBe('a/b');
    for (const bad of ['arn:aws:kms:us-east-1:111:key', 'arn:aws:s3:us-east-1:111:key/x', 'arn::kms:us-east-1:111:key/x', 'arn:aws:kms::111:key/x', 'arn:aws:kms:us-east-1::key/x', 'arn:aws:kms:us-east-1:111:grant/x', 'arn:aws:kms:us-east-1:111:key/', 'arn:aws:kms:us-east-1:111:key/x:y']) {
      expect(parseKmsArn(bad), bad).toBeUndefined();
    }
  });

  it('accepts every KMS identifier form and nothing else', () => {
    for (const good of [arn('us-east-1', 'key/1234'), arn('us-east-1', 'alias/x'), '1234abcd-12ab-34cd-56ef-1234567890ab', 'mrk-1234', 'alias/x']) expect(isKmsIdentifier(good), good).toBe(true);
    for (const bad of ['', 'alias/', 'key/1234', 'arn:aws:kms:us-east-1:111:key', 'a:b']) expect(isKmsIdentifier(bad), bad).toBe(false);
  });

  it('tells multi-Region keys from aliases named mrk-', () => {
    expect(isMultiRegionIdentifier(arn('us-east-1', 'key/mrk-1'))).toBe(true);
    expect(isMultiRegionIdentifier('mrk-1')).toBe(true);
    expect(isMultiRegionIdentifier(arn('us-east-1', 'alias/mrk-1'))).toBe(false);
    expect(isMultiRegionIdentifier('alias/mrk-1')).toBe(false);
    expect(isMultiRegionIdentifier(arn('us-east-1', 'key/1234'))).toBe(false);
  });

  it('matches MRK ARNs across regions only, and everything else exactly', () => {
    expect(mrkMatch(arn('us-east-1', 'key/mrk-1'), arn('eu-west-1', 'key/mrk-1'))).toBe(true);
    expect(mrkMatch(arn('us-east-1', 'key/mrk-1'), arn('eu-west-1', 'key/mrk-2'))).toBe(false);
    expect(mrkMatch(arn('us-east-1', 'key/mrk-1'), arn('eu-west-1', 'key/mrk-1', '444455556666'))).toBe(false);
    expect(mrkMatch(arn('us-east-1', 'key/mrk-1'), arn('eu-west-1', 'key/mrk-1', ACCOUNT, 'aws-cn'))).toBe(false);
    expect(mrkMatch(arn('us-east-1', 'key/1234'), arn('eu-west-1', 'key/1234'))).toBe(false);
    expect(mrkMatch(arn('us-east-1', 'alias/mrk-1'), arn('eu-west-1', 'alias/mrk-1'))).toBe(false);
    expect(mrkMatch('mrk-1', arn('eu-west-1', 'key/mrk-1'))).toBe(false);
    expect(mrkMatch('mrk-1', 'mrk-1')).toBe(true);
  });

  it('finds every duplicate multi-Region key, bare ids included', () => {
    expect(() => assertMrksUnique([arn('us-east-1', 'key/mrk-1'), 'mrk-1', arn('us-east-1', 'key/mrk-2'), 'alias/mrk-1'], 'keys')).toThrow(
      /arn:aws:kms:us-east-1:111122223333:key\/mrk-1, mrk-1\)/,
    );
    expect(() => assertMrksUnique([arn('us-east-1', 'key/mrk-1'), arn('us-east-1', 'key/mrk-2'), 'alias/mrk-1', arn('us-east-1', 'key/1'), arn('us-west-2', 'key/1')], 'keys')).not.toThrow();
  });
});
