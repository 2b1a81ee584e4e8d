/**
 * fromAwsSdkV3 against the simulated KMS for real: a genuine `@aws-sdk/client-kms` KMSClient whose
 * request handler (test/support/kms-json-handler.ts) decodes the AWS JSON 1.1 request the SDK built
 * and signed, answers it from the simulated KMS and encodes the answer (or the error, as `__type`)
 * as AWS KMS does. Checks the wire mapping of every operation the keyrings use, the error mapping,
 * and the keyrings end to end through the SDK. No network.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { DecryptCommand, EncryptCommand, GenerateDataKeyCommand, KMS, KMSClient } from '@aws-sdk/client-kms';
import {
  KmsKeyring,
  KmsMrkDiscoveryKeyring,
  decrypt,
  encrypt,
  fromAwsSdkV3,
  toBase64,
  type KmsClient,
} from '../../src/core/index.js';
import { kmsJsonHandler, type KmsJsonHandler } from '../support/kms-json-handler.js';
import { newKey, newKms, newMrk, text, type Kms } from './kms-fixtures.js';

const commands = { GenerateDataKeyCommand, EncryptCommand, DecryptCommand };
// The SDK signs every request (SigV4) before the handler sees it; any static credentials will do.
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

async function failure(run: Promise<unknown>): Promise<Error & { $fault?: string; $metadata?: { httpStatusCode?: number } }> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected a rejection').toBeInstanceOf(Error);
  return error as Error;
}

describe('fromAwsSdkV3 over the AWS JSON 1.1 protocol', () => {
  let kms: Kms;
  let handler: KmsJsonHandler;
  let key: string;
  let other: string;
  const direct = (region: string): KmsClient => kms.region(region);
  // maxAttempts 1: the SDK would retry 5xx and throttling answers with backoff, slowing the outage tests.
  const sdk = (region: string) => new KMSClient({ region, credentials, requestHandler: handler, maxAttempts: 1 });
  const adapted = (region: string): KmsClient => fromAwsSdkV3(sdk(region), commands);

  beforeAll(async () => {
    kms = await newKms();
    handler = kmsJsonHandler((region) => kms.region(region));
    key = await newKey(kms, 'us-east-1');
    other = await newKey(kms, 'us-east-1');
  });
  afterAll(() => kms.close());

  const lastCall = () => handler.calls[handler.calls.length - 1]!;

  it('GenerateDataKey: request members on the wire, response members back as bytes, no $metadata', async () => {
    const context = { tenant: 'acme', 'ключ': 'значение' };
    const out = await adapted('us-east-1').generateDataKey({ KeyId: key, NumberOfBytes: 32, EncryptionContext: context });
    expect(lastCall()).toMatchObject({ region: 'us-east-1', target: 'TrentService.GenerateDataKey', status: 200 });
    expect(lastCall().json).toEqual({ KeyId: key, NumberOfBytes: 32, EncryptionContext: context });
    expect(Object.keys(out).sort()).toEqual(['CiphertextBlob', 'KeyId', 'Plaintext']);
    expect(out.KeyId).toBe(key);
    expect(out.Plaintext).toBeInstanceOf(Uint8Array);
    expect(out.Plaintext).toHaveLength(32);
    expect(toBase64(out.CiphertextBlob!)).toBe(lastCall().answer.CiphertextBlob);
    const back = await direct('us-east-1').decrypt({ CiphertextBlob: out.CiphertextBlob!, EncryptionContext: context });
    expect(back.Plaintext).toEqual(out.Plaintext);
  });

  it('Encrypt: the plaintext travels base64, the ciphertext decrypts with the simulated client', async () => {
    const plaintext = new Uint8Array(32).map((_, i) => i);
    const out = await adapted('us-east-1').encrypt({ KeyId: key, Plaintext: plaintext, EncryptionContext: { a: 'b' } });
    expect(lastCall().target).toBe('TrentService.Encrypt');
    expect(lastCall().json).toEqual({ KeyId: key, Plaintext: toBase64(plaintext), EncryptionContext: { a: 'b' } });
    expect(Object.keys(out).sort()).toEqual(['CiphertextBlob', 'KeyId']);
    expect(out.KeyId).toBe(key);
    expect((await direct('us-east-1').decrypt({ KeyId: key, CiphertextBlob: out.CiphertextBlob!, EncryptionContext: { a: 'b' } })).Plaintext).toEqual(plaintext);
  });

  it('Decrypt: KeyId and CiphertextBlob on the wire, KeyId and Plaintext back', async () => {
    const plaintext = text('sixteen bytes!!!');
    const { CiphertextBlob } = await direct('us-east-1').encrypt({ KeyId: key, Plaintext: plaintext });
    const out = await adapted('us-east-1').decrypt({ KeyId: key, CiphertextBlob: CiphertextBlob! });
    expect(lastCall().target).toBe('TrentService.Decrypt');
    expect(lastCall().json).toEqual({ KeyId: key, CiphertextBlob: toBase64(CiphertextBlob!) });
    expect(out).toEqual({ KeyId: key, Plaintext: plaintext });
  });

  describe('errors keep their AWS exception name, message and status', () => {
    const cases: [string, number, () => Promise<unknown>, () => Promise<unknown>][] = [];
    const add = (name: string, status: number, run: (client: KmsClient) => Promise<unknown>) =>
      cases.push([name, status, () => run(adapted('us-east-1')), () => run(direct('us-east-1'))]);
    add('NotFoundException', 404, (c) => c.encrypt({ KeyId: 'arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-000000000000', Plaintext: new Uint8Array(1) }));
    add('InvalidCiphertextException', 400, async (c) => {
      const { CiphertextBlob } = await direct('us-east-1').encrypt({ KeyId: key, Plaintext: new Uint8Array(1), EncryptionContext: { a: 'b' } });
      return c.decrypt({ KeyId: key, CiphertextBlob: CiphertextBlob!, EncryptionContext: { a: 'c' } });
    });
    add('IncorrectKeyException', 400, async (c) => {
      const { CiphertextBlob } = await direct('us-east-1').encrypt({ KeyId: key, Plaintext: new Uint8Array(1) });
      return c.decrypt({ KeyId: other, CiphertextBlob: CiphertextBlob! });
    });
    add('ValidationException', 400, (c) => c.generateDataKey({ KeyId: key, NumberOfBytes: 2000 }));

    for (const [name, status, viaSdk, viaDirect] of cases) {
      it(name, async () => {
        const expected = await failure(viaDirect());
        expect(expected.name).toBe(name);
        const error = await failure(viaSdk());
        expect(error.name).toBe(name);
        expect(error.message).toBe(expected.message);
        expect(error.$metadata?.httpStatusCode).toBe(status);
        expect(error.$fault).toBe('client');
        expect(lastCall().answer).toEqual({ __type: name, message: expected.message });
      });
    }

    it('DisabledException (409) and KMSInvalidStateException (409)', async () => {
      const disabled = await newKey(kms, 'us-east-1');
      await kms.region('us-east-1').disableKey({ KeyId: disabled });
      const a = await failure(adapted('us-east-1').generateDataKey({ KeyId: disabled, NumberOfBytes: 32 }));
      expect([a.name, a.$metadata?.httpStatusCode]).toEqual(['DisabledException', 409]);
      await kms.region('us-east-1').scheduleKeyDeletion({ KeyId: disabled, PendingWindowInDays: 7 });
      const b = await failure(adapted('us-east-1').generateDataKey({ KeyId: disabled, NumberOfBytes: 32 }));
      expect([b.name, b.$metadata?.httpStatusCode]).toEqual(['KMSInvalidStateException', 409]);
    });

    it('a simulated outage reaches the caller as a server fault', async () => {
      await kms.simulate({ region: 'us-east-1', outage: true });
      try {
        const expected = await failure(direct('us-east-1').generateDataKey({ KeyId: key, NumberOfBytes: 32 }));
        const error = await failure(adapted('us-east-1').generateDataKey({ KeyId: key, NumberOfBytes: 32 }));
        expect(error.name).toBe(expected.name);
        expect(error.$fault).toBe('server');
        expect(error.$metadata?.httpStatusCode).toBeGreaterThanOrEqual(500);
      } finally {
        await kms.simulate({ region: 'us-east-1', outage: false });
      }
    });
  });

  it('drives KmsKeyring end to end; messages move freely between the SDK path and the simulated client', async () => {
    const west = await newKey(kms, 'us-west-2');
    const viaSdk = new KmsKeyring({ generatorKeyId: key, keyIds: [west], clientFor: adapted, grantTokens: undefined });
    const viaDirect = new KmsKeyring({ keyIds: [west], clientFor: direct });
    const before = handler.calls.length;
    const { ciphertext } = await encrypt(viaSdk, text('through the SDK'), { encryptionContext: { app: 'notes' } });
    expect(handler.calls.slice(before).map((c) => `${c.target}@${c.region}`)).toEqual(['TrentService.GenerateDataKey@us-east-1', 'TrentService.Encrypt@us-west-2']);
    expect((await decrypt(viaDirect, ciphertext)).plaintext).toEqual(text('through the SDK'));
    const { ciphertext: fromDirect } = await encrypt(new KmsKeyring({ generatorKeyId: west, clientFor: direct }), text('and back'));
    expect((await decrypt(viaSdk, fromDirect)).plaintext).toEqual(text('and back'));
  });

  it('drives the MRK discovery keyring through the SDK during an outage of the writing region', async () => {
    const mrk = await newMrk(kms, 'us-east-1', ['eu-west-1']);
    const { ciphertext } = await encrypt(new KmsKeyring({ generatorKeyId: mrk['us-east-1']!, clientFor: adapted }), text('mrk via sdk'));
    await kms.simulate({ region: 'us-east-1', outage: true });
    try {
      const before = handler.calls.length;
      const keyring = new KmsMrkDiscoveryKeyring({ region: 'eu-west-1', clientFor: adapted, discoveryFilter: { partition: 'aws', accountIds: ['111122223333'] } });
      expect((await decrypt(keyring, ciphertext)).plaintext).toEqual(text('mrk via sdk'));
      expect(handler.calls.slice(before).map((c) => [c.target, c.region, c.json.KeyId])).toEqual([['TrentService.Decrypt', 'eu-west-1', mrk['eu-west-1']]]);
    } finally {
      await kms.simulate({ region: 'us-east-1', outage: false });
    }
  });

  it('the aggregated KMS class already is a KmsClient (its methods return the same shapes)', async () => {
    const client: KmsClient = new KMS({ region: 'us-east-1', credentials, requestHandler: handler, maxAttempts: 1 });
    const keyring = new KmsKeyring({ generatorKeyId: key, clientFor: () => client });
    const { ciphertext } = await encrypt(keyring, text('aggregated'));
    expect((await decrypt(keyring, ciphertext)).plaintext).toEqual(text('aggregated'));
  });

  it('refuses what is not an SDK client or its commands', () => {
    expect(() => fromAwsSdkV3({} as never, commands)).toThrow(/fromAwsSdkV3 client/);
    expect(() => fromAwsSdkV3(sdk('us-east-1'), undefined as never)).toThrow(/fromAwsSdkV3 commands/);
    expect(() => fromAwsSdkV3(sdk('us-east-1'), { ...commands, DecryptCommand: undefined as never })).toThrow(/commands\.DecryptCommand/);
  });
});
