/**
 * KmsKeyring against the simulated KMS (memory storage): round trips for every suite, the requests
 * it sends, composition with raw AES keyrings, the errors users meet (wrong key, disabled key, wrong
 * context, unknown key), the spec's checks on KMS responses, zeroing, and option checking.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import {
  ALL_SUITE_IDS,
  CommitmentPolicy,
  EnvelopeError,
  KmsKeyring,
  MultiKeyring,
  RawAesKeyring,
  RequiredEncryptionContextCmm,
  decrypt,
  encrypt,
  parseHeader,
  type DecryptionMaterials,
  type EncryptionMaterials,
  type KmsClient,
  type SuiteId,
} from '../../src/core/index.js';
import { ACCOUNT, Spy, newKey, newKms, string, tamper, text, type Kms } from './kms-fixtures.js';

const committing = (id: number) => id === 0x0478 || id === 0x0578;
const policyFor = (id: number) => (committing(id) ? CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT : CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT);
const keyLengthOf = (id: number) => ([0x0014, 0x0114, 0x0214].includes(id) ? 16 : [0x0046, 0x0146, 0x0346].includes(id) ? 24 : 32);
const aes = () => new RawAesKeyring({ keyNamespace: 'app', keyName: 'aes', wrappingKey: new Uint8Array(32).fill(5) });

async function rejection(run: Promise<unknown>): Promise<EnvelopeError> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected a rejection').toBeInstanceOf(EnvelopeError);
  return error as EnvelopeError;
}

function encryptionMaterials(suiteId: SuiteId, encryptionContext: Record<string, string> = {}): EncryptionMaterials {
  return { suiteId, encryptionContext, requiredEncryptionContextKeys: [], encryptedDataKeys: [] };
}
function decryptionMaterials(suiteId: SuiteId, encryptionContext: Record<string, string> = {}): DecryptionMaterials {
  return { suiteId, encryptionContext, requiredEncryptionContextKeys: [] };
}

describe('KmsKeyring', () => {
  let kms: Kms;
  let east: string;
  let west: string;
  let spy: Spy;
  const clientFor = (region: string): KmsClient => kms.region(region);

  beforeAll(async () => {
    kms = await newKms();
    east = await newKey(kms, 'us-east-1');
    west = await newKey(kms, 'us-west-2');
  });
  afterAll(() => kms.close());

  for (const suiteId of ALL_SUITE_IDS) {
    it(`round-trips suite 0x${suiteId.toString(16).padStart(4, '0')}: one aws-kms copy per key, each key decrypts alone`, async () => {
      spy = new Spy(clientFor);
      const keyring = new KmsKeyring({ generatorKeyId: east, keyIds: [west], clientFor: spy.clientFor });
      const plaintext = text(`suite ${suiteId} `.repeat(50));
      const { ciphertext, header } = await encrypt(keyring, plaintext, { suiteId, commitmentPolicy: policyFor(suiteId), frameLength: 64, encryptionContext: { purpose: 'test' } });
      expect(header.encryptedDataKeys.map((k) => [k.providerId, string(k.providerInfo)])).toEqual([
        ['aws-kms', east],
        ['aws-kms', west],
      ]);
      expect(spy.trace()).toEqual(['generateDataKey@us-east-1', 'encrypt@us-west-2']);
      expect(spy.calls[0]!.request.NumberOfBytes).toBe(keyLengthOf(suiteId));

      const policy = CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT;
      expect((await decrypt(keyring, ciphertext, { commitmentPolicy: policy })).plaintext).toEqual(plaintext);
      const westOnly = new KmsKeyring({ keyIds: [west], clientFor });
      expect((await decrypt(westOnly, ciphertext, { commitmentPolicy: policy, encryptionContext: { purpose: 'test' } })).plaintext).toEqual(plaintext);
    });
  }

  it('sends the materials\' whole encryption context (signing key included) and the grant tokens with every call', async () => {
    spy = new Spy(clientFor);
    // A real token (the KMS refuses a malformed one with InvalidGrantTokenException).
    const { GrantToken } = await kms.region('us-east-1').createGrant({ KeyId: east, GranteePrincipal: 'arn:aws:iam::111122223333:user/x', Operations: ['Encrypt'] });
    const tokens = [GrantToken];
    const keyring = new KmsKeyring({ generatorKeyId: east, keyIds: [west], clientFor: spy.clientFor, grantTokens: tokens });
    const { ciphertext, header } = await encrypt(keyring, text('x'), { encryptionContext: { tenant: 'acme', 'ключ': 'значение' } });
    expect(header.encryptionContext).toHaveProperty('aws-crypto-public-key');
    for (const call of spy.calls) {
      expect(call.request.EncryptionContext).toEqual(header.encryptionContext);
      expect(call.request.GrantTokens).toEqual(tokens);
    }
    spy.calls.length = 0;
    await decrypt(keyring, ciphertext);
    expect(spy.calls).toHaveLength(1);
    expect(spy.calls[0]!.request).toMatchObject({ KeyId: east, EncryptionContext: header.encryptionContext, GrantTokens: tokens });
  });

  it('asks clientFor once per region, when it is made', () => {
    spy = new Spy(clientFor);
    new KmsKeyring({ generatorKeyId: east, keyIds: [west, east, `${west}`], clientFor: spy.clientFor });
    expect([...spy.clientRequests]).toEqual([
      ['us-east-1', 1],
      ['us-west-2', 1],
    ]);
  });

  it('takes kms.region itself as clientFor', async () => {
    const keyring = new KmsKeyring({ generatorKeyId: east, clientFor: kms.region });
    const { ciphertext } = await encrypt(keyring, text('x'));
    expect((await decrypt(keyring, ciphertext)).plaintext).toEqual(text('x'));
  });

  it('encrypts with an alias or a bare key id in options.region; only the key ARN decrypts', async () => {
    const keyId = east.split('/')[1]!;
    await kms.region('us-east-1').createAlias({ AliasName: 'alias/kms-keyring-test', TargetKeyId: keyId });
    spy = new Spy(clientFor);
    const keyring = new KmsKeyring({ generatorKeyId: 'alias/kms-keyring-test', keyIds: [keyId], region: 'us-east-1', clientFor: spy.clientFor });
    const { ciphertext, header } = await encrypt(keyring, text('aliased'));
    // KMS answers with the key ARN, which is what the message stores.
    expect(header.encryptedDataKeys.map((k) => string(k.providerInfo))).toEqual([east, east]);
    expect(spy.trace()).toEqual(['generateDataKey@us-east-1', 'encrypt@us-east-1']);
    // Neither identifier equals the stored ARN, so this keyring finds nothing to decrypt (spec: exact match).
    expect((await rejection(decrypt(keyring, ciphertext))).code).toBe('NO_DECRYPTING_KEYRING');
    expect((await decrypt(new KmsKeyring({ keyIds: [east], clientFor }), ciphertext)).plaintext).toEqual(text('aliased'));
  });

  it('needs options.region for an identifier without one', () => {
    expect(() => new KmsKeyring({ generatorKeyId: 'alias/x', clientFor })).toThrow(TypeError);
    expect(() => new KmsKeyring({ generatorKeyId: 'alias/x', clientFor })).toThrow(/options\.region.*generatorKeyId/);
  });

  it('is a generator or a child of a MultiKeyring beside a raw AES keyring', async () => {
    const kmsFirst = new MultiKeyring({ generator: new KmsKeyring({ generatorKeyId: east, clientFor }), children: [aes()] });
    const aesFirst = new MultiKeyring({ generator: aes(), children: [new KmsKeyring({ generatorKeyId: east, keyIds: [west], clientFor })] });
    for (const multi of [kmsFirst, aesFirst]) {
      const { ciphertext, header } = await encrypt(multi, text('both'));
      expect(header.encryptedDataKeys.map((k) => k.providerId).sort()).toEqual(multi === kmsFirst ? ['app', 'aws-kms'] : ['app', 'aws-kms', 'aws-kms']);
      expect((await decrypt(aes(), ciphertext)).plaintext).toEqual(text('both'));
      expect((await decrypt(new KmsKeyring({ keyIds: [east], clientFor }), ciphertext)).plaintext).toEqual(text('both'));
      expect((await decrypt(multi, ciphertext)).plaintext).toEqual(text('both'));
    }
  });

  it('with a raw AES generator, wraps the existing data key with Encrypt under its own generator too', async () => {
    spy = new Spy(clientFor);
    const multi = new MultiKeyring({ generator: aes(), children: [new KmsKeyring({ generatorKeyId: east, clientFor: spy.clientFor })] });
    await encrypt(multi, text('x'));
    expect(spy.trace()).toEqual(['encrypt@us-east-1']);
  });

  it('fails on encrypt without a generator when no data key exists yet', async () => {
    const error = await rejection(encrypt(new KmsKeyring({ keyIds: [east], clientFor }), text('x')));
    expect(error.code).toBe('KEYRING_FAILURE');
    expect(error.message).toMatch(/generatorKeyId/);
  });

  it('a keyring with another key finds no matching copy and makes no KMS call', async () => {
    const { ciphertext } = await encrypt(new KmsKeyring({ generatorKeyId: east, clientFor }), text('x'));
    spy = new Spy(clientFor);
    const error = await rejection(decrypt(new KmsKeyring({ keyIds: [west], clientFor: spy.clientFor }), ciphertext));
    expect(error.code).toBe('NO_DECRYPTING_KEYRING');
    expect(spy.calls).toHaveLength(0);
  });

  it('names DisabledException when the key is disabled, on encrypt and on decrypt', async () => {
    const key = await newKey(kms, 'us-east-1');
    const keyring = new KmsKeyring({ generatorKeyId: key, clientFor });
    const { ciphertext } = await encrypt(keyring, text('x'));
    await kms.region('us-east-1').disableKey({ KeyId: key });
    const onDecrypt = await rejection(decrypt(keyring, ciphertext));
    expect(onDecrypt.code).toBe('NO_DECRYPTING_KEYRING');
    expect(onDecrypt.message).toMatch(/DisabledException/);
    expect(onDecrypt.cause).toBeInstanceOf(AggregateError);
    expect((onDecrypt.cause as AggregateError).errors[0].cause.name).toBe('DisabledException');
    const onEncrypt = await rejection(encrypt(keyring, text('x')));
    expect(onEncrypt.code).toBe('KEYRING_FAILURE');
    expect(onEncrypt.message).toMatch(new RegExp(`KmsKeyring: GenerateDataKey with ${key} failed: DisabledException`));
    await kms.region('us-east-1').enableKey({ KeyId: key });
    expect((await decrypt(keyring, ciphertext)).plaintext).toEqual(text('x'));
  });

  it('names KMSInvalidStateException for a key pending deletion and NotFoundException for an unknown key', async () => {
    const key = await newKey(kms, 'us-east-1');
    const keyring = new KmsKeyring({ generatorKeyId: key, clientFor });
    const { ciphertext } = await encrypt(keyring, text('x'));
    await kms.region('us-east-1').scheduleKeyDeletion({ KeyId: key, PendingWindowInDays: 7 });
    expect((await rejection(decrypt(keyring, ciphertext))).message).toMatch(/KMSInvalidStateException/);
    const unknown = `arn:aws:kms:us-east-1:${ACCOUNT}:key/00000000-0000-4000-8000-000000000000`;
    expect((await rejection(encrypt(new KmsKeyring({ generatorKeyId: unknown, clientFor }), text('x')))).message).toMatch(/NotFoundException/);
  });

  it('fails with InvalidCiphertextException when the stored encryption context was altered', async () => {
    const { ciphertext } = await encrypt(new KmsKeyring({ generatorKeyId: east, clientFor }), text('x'), { encryptionContext: { tenant: 'acme' } });
    // Flip one letter of the stored value "acme" -> "acne": the header still parses, KMS refuses.
    const at = findBytes(ciphertext, text('acme'));
    const altered = new Uint8Array(ciphertext);
    altered[at + 2] = 'n'.charCodeAt(0);
    expect(parseHeader(altered)!.encryptionContext.tenant).toBe('acne');
    const error = await rejection(decrypt(new KmsKeyring({ keyIds: [east], clientFor }), altered));
    expect(error.code).toBe('NO_DECRYPTING_KEYRING');
    expect(error.message).toMatch(/InvalidCiphertextException/);
  });

  it('reports supplied context pairs the message lacks as ENCRYPTION_CONTEXT_MISMATCH, naming the KMS error', async () => {
    const keyring = new KmsKeyring({ generatorKeyId: east, clientFor });
    const { ciphertext } = await encrypt(keyring, text('x'), { encryptionContext: { tenant: 'acme' } });
    const error = await rejection(decrypt(keyring, ciphertext, { encryptionContext: { user: 'bob' } }));
    expect(error.code).toBe('ENCRYPTION_CONTEXT_MISMATCH');
    expect(error.message).toMatch(/"user".*InvalidCiphertextException/);
    expect((await rejection(decrypt(keyring, ciphertext, { encryptionContext: { tenant: 'other' } }))).code).toBe('ENCRYPTION_CONTEXT_MISMATCH');
  });

  it('binds required-only context pairs (not stored in the message) into the KMS calls', async () => {
    spy = new Spy(clientFor);
    const cmm = new RequiredEncryptionContextCmm({ underlying: new KmsKeyring({ generatorKeyId: east, clientFor: spy.clientFor }), requiredEncryptionContextKeys: ['tenant'] });
    const { ciphertext, header } = await encrypt(cmm, text('x'), { encryptionContext: { tenant: 'acme', kind: 'note' } });
    expect(header.encryptionContext).not.toHaveProperty('tenant');
    expect(spy.calls[0]!.request.EncryptionContext).toMatchObject({ tenant: 'acme', kind: 'note' });
    expect((await decrypt(cmm, ciphertext, { encryptionContext: { tenant: 'acme' } })).plaintext).toEqual(text('x'));
    expect((await rejection(decrypt(cmm, ciphertext, { encryptionContext: { tenant: 'other' } }))).code).toBe('ENCRYPTION_CONTEXT_MISMATCH');
  });

  describe('checks every KMS response (spec: aws-kms-keyring.md)', () => {
    const withClient = (client: KmsClient, options: { generatorKeyId?: string; keyIds?: string[] } = { generatorKeyId: east }) =>
      new KmsKeyring({ ...options, clientFor: () => client });

    it('refuses a GenerateDataKey Plaintext of the wrong length, zeroing it, and leaves the materials alone', async () => {
      let returned: Uint8Array | undefined;
      const client = tamper(kms.region('us-east-1'), { generateDataKey: (r) => ({ ...r, Plaintext: (returned = r.Plaintext!.slice(0, 16)) }) });
      const materials = encryptionMaterials(0x0478);
      const error = await rejection(withClient(client).onEncrypt(materials));
      expect(error.code).toBe('KEYRING_FAILURE');
      expect(error.message).toMatch(/not 32 bytes/);
      expect(materials.plaintextDataKey).toBeUndefined();
      expect(materials.encryptedDataKeys).toHaveLength(0);
      expect(returned!.every((b) => b === 0)).toBe(true);
    });

    it('refuses a GenerateDataKey or Encrypt KeyId that is not a key ARN', async () => {
      const gdk = tamper(kms.region('us-east-1'), { generateDataKey: (r) => ({ ...r, KeyId: 'alias/not-an-arn' }) });
      expect((await rejection(withClient(gdk).onEncrypt(encryptionMaterials(0x0478)))).message).toMatch(/KeyId that is not a key ARN/);
      const enc = tamper(kms.region('us-east-1'), { encrypt: (r) => ({ ...r, KeyId: undefined }) });
      const materials = encryptionMaterials(0x0478);
      materials.plaintextDataKey = new Uint8Array(32).fill(1);
      expect((await rejection(withClient(enc, { keyIds: [east] }).onEncrypt(materials))).message).toMatch(/Encrypt with .* KeyId that is not a key ARN/);
      expect(materials.encryptedDataKeys).toHaveLength(0);
    });

    it('leaves the materials without data key or copies when a later Encrypt fails, and zeroes what KMS returned', async () => {
      const spyEast = new Spy(clientFor);
      const failing = tamper(kms.region('us-west-2'), {
        encrypt: () => {
          throw Object.assign(new Error('simulated'), { name: 'KMSInternalException' });
        },
      });
      const keyring = new KmsKeyring({ generatorKeyId: east, keyIds: [west], clientFor: (r) => (r === 'us-west-2' ? failing : spyEast.clientFor(r)) });
      const materials = encryptionMaterials(0x0578);
      const error = await rejection(keyring.onEncrypt(materials));
      expect(error.message).toMatch(/Encrypt with .* failed: KMSInternalException/);
      expect(materials.plaintextDataKey).toBeUndefined();
      expect(materials.encryptedDataKeys).toHaveLength(0);
      expect(spyEast.returnedPlaintexts.every((p) => p.every((b) => b === 0))).toBe(true);
    });

    it('refuses a Decrypt that answers for another key or with a Plaintext of the wrong length, zeroing what came back', async () => {
      const materials = encryptionMaterials(0x0478);
      await new KmsKeyring({ generatorKeyId: east, clientFor }).onEncrypt(materials);
      const returned: Uint8Array[] = [];
      const otherKey = tamper(kms.region('us-east-1'), { decrypt: (r) => (returned.push(r.Plaintext!), { ...r, KeyId: west }) });
      const shortKey = tamper(kms.region('us-east-1'), {
        decrypt: (r) => {
          const short = r.Plaintext!.slice(0, 16);
          r.Plaintext!.fill(0);
          returned.push(short);
          return { ...r, Plaintext: short };
        },
      });
      const a = await rejection(withClient(otherKey).onDecrypt(decryptionMaterials(0x0478), materials.encryptedDataKeys));
      expect(a.message).toMatch(/answered for another key/);
      const b = await rejection(withClient(shortKey).onDecrypt(decryptionMaterials(0x0478), materials.encryptedDataKeys));
      expect(b.message).toMatch(/not 32 bytes/);
      expect(returned).toHaveLength(2);
      for (const p of returned) expect(p.every((x) => x === 0)).toBe(true);
    });

    it('zeroes the Plaintext buffers KMS returned once the data key is copied', async () => {
      spy = new Spy(clientFor);
      const keyring = new KmsKeyring({ generatorKeyId: east, clientFor: spy.clientFor });
      const materials = encryptionMaterials(0x0578);
      await keyring.onEncrypt(materials);
      const back = await keyring.onDecrypt(decryptionMaterials(0x0578), materials.encryptedDataKeys);
      expect(back.plaintextDataKey).toEqual(materials.plaintextDataKey);
      expect(spy.returnedPlaintexts).toHaveLength(2);
      for (const p of spy.returnedPlaintexts) expect(p.every((x) => x === 0)).toBe(true);
      expect(materials.plaintextDataKey!.some((x) => x !== 0)).toBe(true);
    });

    it('fails on an aws-kms copy whose provider info is not a key ARN, and on materials that already hold a key', async () => {
      const keyring = new KmsKeyring({ keyIds: [east], clientFor });
      const bad = { providerId: 'aws-kms', providerInfo: text('alias/x'), ciphertext: new Uint8Array(10) };
      expect((await rejection(keyring.onDecrypt(decryptionMaterials(0x0478), [bad]))).code).toBe('MALFORMED_MESSAGE');
      const other = { providerId: 'app', providerInfo: text('whatever'), ciphertext: new Uint8Array(10) };
      expect((await keyring.onDecrypt(decryptionMaterials(0x0478), [other])).plaintextDataKey).toBeUndefined();
      const full = { ...decryptionMaterials(0x0478), plaintextDataKey: new Uint8Array(32) };
      expect((await rejection(keyring.onDecrypt(full, []))).code).toBe('KEYRING_FAILURE');
    });

    it('tries the next copy when one fails, and reports every failure when none succeeds', async () => {
      const materials = encryptionMaterials(0x0478);
      await new KmsKeyring({ generatorKeyId: east, keyIds: [west], clientFor }).onEncrypt(materials);
      spy = new Spy((r) => (r === 'us-east-1' ? tamper(kms.region(r), { decrypt: () => { throw Object.assign(new Error('no'), { name: 'AccessDeniedException' }); } }) : kms.region(r)));
      const keyring = new KmsKeyring({ keyIds: [east, west], clientFor: spy.clientFor });
      expect((await keyring.onDecrypt(decryptionMaterials(0x0478), materials.encryptedDataKeys)).plaintextDataKey).toEqual(materials.plaintextDataKey);
      expect(spy.trace()).toEqual(['decrypt@us-east-1!AccessDeniedException', 'decrypt@us-west-2']);
      await kms.simulate({ region: 'us-west-2', outage: true });
      try {
        const error = await rejection(keyring.onDecrypt(decryptionMaterials(0x0478), materials.encryptedDataKeys));
        expect(error.message).toMatch(/\(1\) Decrypt with .*AccessDeniedException.*\(2\) Decrypt with .*us-west-2/);
      } finally {
        await kms.simulate({ region: 'us-west-2', outage: false });
      }
    });
  });

  describe('refuses bad options, naming the argument', () => {
    const cases: [string, () => unknown, RegExp, ErrorConstructor][] = [
      ['no options', () => new KmsKeyring(undefined as never), /KmsKeyring options/, TypeError],
      ['no keys', () => new KmsKeyring({ clientFor: () => ({}) as never }), /generatorKeyId, keyIds or both/, TypeError],
      ['non-string generator', () => new KmsKeyring({ generatorKeyId: 5 as never, clientFor: () => ({}) as never }), /options\.generatorKeyId/, TypeError],
      ['malformed ARN', () => new KmsKeyring({ keyIds: ['arn:aws:kms:us-east-1:111:thing/x'], clientFor: () => ({}) as never }), /options\.keyIds\[0\]/, RangeError],
      ['keyIds not an array', () => new KmsKeyring({ keyIds: 'x' as never, clientFor: () => ({}) as never }), /options\.keyIds/, TypeError],
      ['no clientFor', () => new KmsKeyring({ generatorKeyId: 'arn:aws:kms:us-east-1:111:key/x' } as never), /options\.clientFor/, TypeError],
      ['clientFor gives no client', () => new KmsKeyring({ generatorKeyId: 'arn:aws:kms:us-east-1:111:key/x', clientFor: () => ({}) as never }), /clientFor\("us-east-1"\)/, TypeError],
      ['grant tokens', () => new KmsKeyring({ generatorKeyId: 'arn:aws:kms:us-east-1:111:key/x', clientFor, grantTokens: [''] }), /options\.grantTokens/, TypeError],
    ];
    for (const [name, make, message, type] of cases) {
      it(name, () => {
        expect(make).toThrow(type);
        expect(make).toThrow(message);
      });
    }
  });
});

function findBytes(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  throw new Error('not found');
}
