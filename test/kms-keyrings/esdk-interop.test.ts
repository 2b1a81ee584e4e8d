/**
 * Interoperability of the KMS keyrings with the AWS Encryption SDK for JavaScript
 * (@aws-crypto/client-node 4.2.4), both directions, with one simulated KMS behind both:
 * - the SDK's KMS keyrings get real AWS SDK v3 `KMS` clients whose request handler answers from the
 *   simulated KMS over the AWS JSON protocol (test/support/kms-json-handler.ts), exactly as they
 *   would talk to AWS KMS;
 * - and, separately, the simulated KMS client itself as the SDK's client (it has the v3 shape the
 *   SDK accepts: methods returning promises of the AWS response shapes).
 * Messages made by either side decrypt on the other, for KMS keys and multi-Region keys.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { KMS } from '@aws-sdk/client-kms';
import {
  AwsKmsMrkAwareSymmetricDiscoveryKeyringNode,
  AwsKmsMrkAwareSymmetricKeyringNode,
  CommitmentPolicy as SdkCommitmentPolicy,
  KmsKeyringNode,
  buildClient,
  type AlgorithmSuiteIdentifier,
} from '@aws-crypto/client-node';
import {
  CommitmentPolicy,
  KmsKeyring,
  KmsMrkAwareKeyring,
  KmsMrkDiscoveryKeyring,
  decrypt,
  encrypt,
  type KmsClient,
  type SuiteId,
} from '../../src/core/index.js';
import { kmsJsonHandler, type KmsJsonHandler } from '../support/kms-json-handler.js';
import { ACCOUNT, newKey, newKms, newMrk, string, text, type Kms } from './kms-fixtures.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const strict = buildClient(SdkCommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
const legacy = buildClient(SdkCommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT);
/** Committing suites with the strict policy, the others with the legacy one, on both sides. */
const SUITES: readonly SuiteId[] = [0x0578, 0x0478, 0x0378, 0x0178, 0x0014];
const committing = (id: number) => id === 0x0478 || id === 0x0578;
const sdkFor = (id: number) => (committing(id) ? strict : legacy);
const kitPolicy = (id: number) => (committing(id) ? CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT : CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT);
const hex = (id: number) => `0x${id.toString(16).padStart(4, '0')}`;

describe('AWS Encryption SDK interop through KMS', () => {
  let kms: Kms;
  let handler: KmsJsonHandler;
  let east: string;
  let west: string;
  let mrk: Record<string, string>;
  const direct = (region: string): KmsClient => kms.region(region);
  /** A real AWS SDK v3 KMS client whose HTTP goes to the simulated KMS. */
  const sdkKms = (region: string) => new KMS({ region, credentials, requestHandler: handler, maxAttempts: 1 });
  const plaintext = text('interop through KMS '.repeat(40));
  const context = { purpose: 'interop', 'ключ': 'значение' };

  beforeAll(async () => {
    kms = await newKms();
    handler = kmsJsonHandler((region) => kms.region(region));
    east = await newKey(kms, 'us-east-1');
    west = await newKey(kms, 'us-west-2');
    mrk = await newMrk(kms, 'us-east-1', ['eu-west-1']);
  });
  afterAll(() => kms.close());

  for (const suiteId of SUITES) {
    it(`SDK KmsKeyringNode encrypts (suite ${hex(suiteId)}) -> kit KmsKeyring decrypts`, async () => {
      const sdkKeyring = new KmsKeyringNode({ generatorKeyId: east, keyIds: [west], clientProvider: sdkKms });
      const before = handler.calls.length;
      const { result } = await sdkFor(suiteId).encrypt(sdkKeyring, plaintext, {
        encryptionContext: context,
        suiteId: suiteId as AlgorithmSuiteIdentifier,
        frameLength: 128,
      });
      expect(handler.calls.slice(before).map((c) => `${c.target}@${c.region}`)).toEqual(['TrentService.GenerateDataKey@us-east-1', 'TrentService.Encrypt@us-west-2']);
      const message = new Uint8Array(result);
      for (const keyIds of [[east], [west]]) {
        const { plaintext: back, header } = await decrypt(new KmsKeyring({ keyIds, clientFor: direct }), message, { commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT, encryptionContext: context });
        expect(back).toEqual(plaintext);
        expect(header.encryptedDataKeys.map((k) => [k.providerId, string(k.providerInfo)])).toEqual([
          ['aws-kms', east],
          ['aws-kms', west],
        ]);
      }
    });

    it(`kit KmsKeyring encrypts (suite ${hex(suiteId)}) -> SDK KmsKeyringNode decrypts`, async () => {
      const keyring = new KmsKeyring({ generatorKeyId: west, keyIds: [east], clientFor: direct });
      const { ciphertext } = await encrypt(keyring, plaintext, { suiteId, commitmentPolicy: kitPolicy(suiteId), encryptionContext: context, frameLength: 100 });
      for (const keyIds of [[west], [east]]) {
        const sdkKeyring = new KmsKeyringNode({ keyIds, clientProvider: sdkKms });
        const before = handler.calls.length;
        const { plaintext: back, messageHeader } = await sdkFor(suiteId).decrypt(sdkKeyring, ciphertext);
        expect(handler.calls.slice(before).map((c) => [c.target, c.json.KeyId, c.status])).toEqual([['TrentService.Decrypt', keyIds[0], 200]]);
        expect(new Uint8Array(back)).toEqual(plaintext);
        expect(messageHeader.encryptionContext).toMatchObject(context);
      }
    });
  }

  it('the SDK also takes the simulated KMS client itself as its KMS client, both ways', async () => {
    const sdkKeyring = new KmsKeyringNode({ generatorKeyId: east, clientProvider: (region: string) => kms.region(region) as never });
    const { result } = await strict.encrypt(sdkKeyring, plaintext, { encryptionContext: context });
    expect((await decrypt(new KmsKeyring({ keyIds: [east], clientFor: direct }), new Uint8Array(result))).plaintext).toEqual(plaintext);
    const { ciphertext } = await encrypt(new KmsKeyring({ generatorKeyId: east, clientFor: direct }), plaintext, { encryptionContext: context });
    expect(new Uint8Array((await strict.decrypt(sdkKeyring, ciphertext)).plaintext)).toEqual(plaintext);
  });

  it('SDK MRK keyring encrypts in us-east-1 -> kit discovery keyring decrypts in eu-west-1 during a us-east-1 outage', async () => {
    const sdkKeyring = new AwsKmsMrkAwareSymmetricKeyringNode({ keyId: mrk['us-east-1']!, client: sdkKms('us-east-1') });
    const { result } = await strict.encrypt(sdkKeyring, plaintext, { encryptionContext: context });
    await kms.simulate({ region: 'us-east-1', outage: true });
    try {
      const discovery = new KmsMrkDiscoveryKeyring({ region: 'eu-west-1', clientFor: direct, discoveryFilter: { partition: 'aws', accountIds: [ACCOUNT] } });
      expect((await decrypt(discovery, new Uint8Array(result))).plaintext).toEqual(plaintext);
      const aware = new KmsMrkAwareKeyring({ keyIds: [mrk['eu-west-1']!], clientFor: direct });
      expect((await decrypt(aware, new Uint8Array(result))).plaintext).toEqual(plaintext);
    } finally {
      await kms.simulate({ region: 'us-east-1', outage: false });
    }
  });

  it('kit MRK keyring encrypts in us-east-1 -> SDK MRK discovery keyring decrypts in eu-west-1 during a us-east-1 outage', async () => {
    const { ciphertext } = await encrypt(new KmsMrkAwareKeyring({ generatorKeyId: mrk['us-east-1']!, clientFor: direct }), plaintext, { encryptionContext: context });
    await kms.simulate({ region: 'us-east-1', outage: true });
    try {
      const before = handler.calls.length;
      const sdkKeyring = new AwsKmsMrkAwareSymmetricDiscoveryKeyringNode({ client: sdkKms('eu-west-1'), discoveryFilter: { partition: 'aws', accountIDs: [ACCOUNT] } });
      expect(new Uint8Array((await strict.decrypt(sdkKeyring, ciphertext)).plaintext)).toEqual(plaintext);
      expect(handler.calls.slice(before).map((c) => [c.target, c.region, c.json.KeyId])).toEqual([['TrentService.Decrypt', 'eu-west-1', mrk['eu-west-1']]]);
      const sdkAware = new AwsKmsMrkAwareSymmetricKeyringNode({ keyId: mrk['eu-west-1']!, client: sdkKms('eu-west-1') });
      expect(new Uint8Array((await strict.decrypt(sdkAware, ciphertext)).plaintext)).toEqual(plaintext);
    } finally {
      await kms.simulate({ region: 'us-east-1', outage: false });
    }
  });
});
