/**
 * Interoperability with the AWS Encryption SDK for JavaScript (@aws-crypto/client-node 4.2.4), both
 * directions: SDK → kit and kit → SDK, for every algorithm suite × every keyring kind (raw AES
 * 128/192/256, raw RSA OAEP SHA-1/256/384/512, a multi-keyring of AES generator + RSA child), each
 * with several plaintext shapes (empty, frame length 1, exactly filled frames, 3.5 frames, the
 * default frame length) and encryption contexts (empty, ASCII, non-ASCII incl. keys whose UTF-16
 * and UTF-8 orders differ).
 *
 * The SDK's raw AES keyrings are created with `utf8Sorting: true` (without it they build the
 * wrapping AAD from a locale-sorted context, which other ESDKs cannot decrypt; see the last test).
 * The SDK 4.2.4 has no required-encryption-context CMM: that part of the format is covered by the
 * ESDK .NET vectors in test/shared/vectors.test.ts instead.
 */
import { describe, it, expect } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import {
  buildClient,
  CommitmentPolicy as SdkCommitmentPolicy,
  RawAesKeyringNode,
  RawAesWrappingSuiteIdentifier,
  RawRsaKeyringNode,
  MultiKeyringNode,
  type KeyringNode,
  type AlgorithmSuiteIdentifier,
} from '@aws-crypto/client-node';
import {
  encrypt,
  decrypt,
  RawAesKeyring,
  RawRsaKeyring,
  MultiKeyring,
  EnvelopeError,
  ALL_SUITE_IDS,
  DEFAULT_FRAME_LENGTH,
  type SuiteId,
} from '../../src/core/index.js';
import { outcomeOf, expectEnvelopeError, expectBytes, describeError, patternBytes, hex4 } from '../support/outcome.js';

// ---------------------------------------------------------------------------------------------
// Keys and keyrings on both sides
// ---------------------------------------------------------------------------------------------

const NAMESPACE = 'envelope-kit-interop';
const AES_KEYS = {
  128: patternBytes(16, 128),
  192: patternBytes(24, 192),
  256: patternBytes(32, 256),
} as const;
type AesBits = keyof typeof AES_KEYS;

const RSA = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});

type OaepHash = 'sha1' | 'sha256' | 'sha384' | 'sha512';
const KIT_PADDING = {
  sha1: 'OAEP-SHA1',
  sha256: 'OAEP-SHA256',
  sha384: 'OAEP-SHA384',
  sha512: 'OAEP-SHA512',
} as const;

const SDK_AES_SUITE = {
  128: RawAesWrappingSuiteIdentifier.AES128_GCM_IV12_TAG16_NO_PADDING,
  192: RawAesWrappingSuiteIdentifier.AES192_GCM_IV12_TAG16_NO_PADDING,
  256: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
} as const;

type KitKeyring = RawAesKeyring | RawRsaKeyring | MultiKeyring;

function kitAes(bits: AesBits): RawAesKeyring {
  return new RawAesKeyring({ keyNamespace: NAMESPACE, keyName: `aes-${bits}`, wrappingKey: new Uint8Array(AES_KEYS[bits]) });
}
function sdkAes(bits: AesBits, utf8Sorting = true): RawAesKeyringNode {
  return new RawAesKeyringNode({
    keyNamespace: NAMESPACE,
    keyName: `aes-${bits}`,
    // the SDK insists on a Uint8Array that owns its whole ArrayBuffer
    unencryptedMasterKey: new Uint8Array(AES_KEYS[bits]),
    wrappingSuite: SDK_AES_SUITE[bits],
    utf8Sorting,
  });
}
function kitRsa(hash: OaepHash): RawRsaKeyring {
  return new RawRsaKeyring({
    keyNamespace: NAMESPACE,
    keyName: `rsa-2048-${hash}`,
    publicKey: RSA.publicKey,
    privateKey: RSA.privateKey,
    padding: KIT_PADDING[hash],
  });
}
function sdkRsa(hash: OaepHash): RawRsaKeyringNode {
  return new RawRsaKeyringNode({
    keyNamespace: NAMESPACE,
    keyName: `rsa-2048-${hash}`,
    rsaKey: { publicKey: RSA.publicKey, privateKey: RSA.privateKey },
    oaepHash: hash,
  });
}

interface KeyringKind {
  readonly name: string;
  readonly kit: () => KitKeyring;
  readonly sdk: () => KeyringNode;
  /** How many EDKs a message encrypted with this kind carries. */
  readonly edks: number;
  /** Keyrings on the receiving side that must each decrypt such a message (default: the same kind). */
  readonly kitDecryptors?: ReadonlyArray<readonly [string, () => KitKeyring]>;
  readonly sdkDecryptors?: ReadonlyArray<readonly [string, () => KeyringNode]>;
}

const KINDS: readonly KeyringKind[] = [
  ...([128, 192, 256] as const).map((bits) => ({
    name: `raw AES-${bits}`,
    kit: () => kitAes(bits),
    sdk: () => sdkAes(bits),
    edks: 1,
  })),
  ...(['sha1', 'sha256', 'sha384', 'sha512'] as const).map((hash) => ({
    name: `raw RSA-2048 OAEP-${hash.toUpperCase()}`,
    kit: () => kitRsa(hash),
    sdk: () => sdkRsa(hash),
    edks: 1,
  })),
  {
    name: 'multi (AES-256 generator + RSA OAEP-SHA256 child)',
    kit: () => new MultiKeyring({ generator: kitAes(256), children: [kitRsa('sha256')] }),
    sdk: () => new MultiKeyringNode({ generator: sdkAes(256), children: [sdkRsa('sha256')] }),
    edks: 2,
    kitDecryptors: [
      ['kit multi', () => new MultiKeyring({ generator: kitAes(256), children: [kitRsa('sha256')] })],
      ['kit AES-256 alone', () => kitAes(256)],
      ['kit RSA alone', () => kitRsa('sha256')],
      ['kit multi with only children', () => new MultiKeyring({ children: [kitAes(128), kitRsa('sha256')] })],
    ],
    sdkDecryptors: [
      ['SDK multi', () => new MultiKeyringNode({ generator: sdkAes(256), children: [sdkRsa('sha256')] })],
      ['SDK AES-256 alone', () => sdkAes(256)],
      ['SDK RSA alone', () => sdkRsa('sha256')],
    ],
  },
];

// ---------------------------------------------------------------------------------------------
// Suites, policies, plaintext shapes, contexts
// ---------------------------------------------------------------------------------------------

const COMMITTING = new Set([0x0478, 0x0578]);
const SIGNED = new Set([0x0214, 0x0346, 0x0378, 0x0578]);

const sdk = {
  committing: buildClient(SdkCommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT),
  forbidEncrypt: buildClient(SdkCommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT),
  allowDecrypt: buildClient(SdkCommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT),
};
const sdkEncryptClient = (suiteId: number) => (COMMITTING.has(suiteId) ? sdk.committing : sdk.forbidEncrypt);
const sdkDecryptClient = (suiteId: number) => (COMMITTING.has(suiteId) ? sdk.committing : sdk.allowDecrypt);
const kitEncryptPolicy = (suiteId: number) =>
  COMMITTING.has(suiteId) ? ('REQUIRE_ENCRYPT_REQUIRE_DECRYPT' as const) : ('FORBID_ENCRYPT_ALLOW_DECRYPT' as const);
const kitDecryptPolicy = (suiteId: number) =>
  COMMITTING.has(suiteId) ? ('REQUIRE_ENCRYPT_REQUIRE_DECRYPT' as const) : ('REQUIRE_ENCRYPT_ALLOW_DECRYPT' as const);

/** '\uFF5E' sorts after '\u{1F600}' in UTF-16 code units but before it in UTF-8 bytes. */
const FULLWIDTH_TILDE = '\uFF5E';
const GRINNING = '\u{1F600}';

const CONTEXTS: ReadonlyArray<Record<string, string>> = [
  {},
  { purpose: 'interop', 'Zeta': 'upper', alpha: '' },
  {
    'ключ': 'значение',
    '鍵': '値',
    '😀': 'emoji key',
    [FULLWIDTH_TILDE]: 'fullwidth tilde',
    [GRINNING + 'x']: 'emoji prefix',
    ascii: 'plain',
    B: 'upper-case B sorts before a in UTF-8',
    a: 'lower-case a',
    'é': 'e acute (2 bytes)',
  },
];

interface Shape {
  readonly name: string;
  readonly length: number;
  readonly frameLength?: number;
}

const SHAPES: readonly Shape[] = [
  { name: 'empty plaintext', length: 0, frameLength: 512 },
  { name: 'frame length 1', length: 7, frameLength: 1 },
  { name: 'one exactly filled frame', length: 64, frameLength: 64 },
  { name: 'three frames, last one exactly filled', length: 192, frameLength: 64 },
  { name: '3.5 frames', length: 350, frameLength: 100 },
  { name: 'default frame length, 2 frames', length: 5000 },
];

const PLAINTEXTS = SHAPES.map((s, i) => patternBytes(s.length, 1000 + i));

/** The context the SDK/kit report after decrypt: the caller's plus the public key for signed suites. */
function expectContext(actual: Record<string, string>, expected: Record<string, string>, suiteId: number, who: string): void {
  const { ['aws-crypto-public-key']: publicKey, ...rest } = actual;
  expect(rest, `${who}: encryption context`).toEqual(expected);
  if (SIGNED.has(suiteId)) expect(typeof publicKey, `${who}: aws-crypto-public-key`).toBe('string');
  else expect(publicKey, `${who}: aws-crypto-public-key`).toBeUndefined();
}

/** The frame length the kit writes for a shape (its own default when none is given). */
function frameLengthOf(shape: Shape): number {
  return shape.frameLength ?? DEFAULT_FRAME_LENGTH;
}

// ---------------------------------------------------------------------------------------------
// The table: every suite × keyring kind × direction, each case running every shape
// ---------------------------------------------------------------------------------------------

let pairs = 0;

describe('interop with @aws-crypto/client-node 4.2.4', () => {
  it('covers all eleven suites', () => {
    expect([...ALL_SUITE_IDS].sort((a, b) => a - b)).toEqual(
      [0x0014, 0x0046, 0x0078, 0x0114, 0x0146, 0x0178, 0x0214, 0x0346, 0x0378, 0x0478, 0x0578],
    );
  });

  for (const suiteId of ALL_SUITE_IDS) {
    describe(`suite ${hex4(suiteId)}`, () => {
      for (const kind of KINDS) {
        it(`SDK → kit, ${kind.name}`, async () => {
          const decryptors = kind.kitDecryptors ?? [[`kit ${kind.name}`, kind.kit] as const];
          for (const [i, shape] of SHAPES.entries()) {
            const context = CONTEXTS[i % CONTEXTS.length]!;
            const plaintext = PLAINTEXTS[i]!;
            const what = `${hex4(suiteId)} ${kind.name}, ${shape.name}, context #${i % CONTEXTS.length}`;
            const { result: ciphertext, messageHeader } = await sdkEncryptClient(suiteId).encrypt(kind.sdk(), plaintext, {
              suiteId: suiteId as AlgorithmSuiteIdentifier,
              encryptionContext: context,
              ...(shape.frameLength === undefined ? {} : { frameLength: shape.frameLength }),
            });
            expect(messageHeader.suiteId, `${what}: SDK suite`).toBe(suiteId);
            for (const [decryptorName, makeKeyring] of decryptors) {
              const outcome = await outcomeOf(() =>
                decrypt(makeKeyring(), new Uint8Array(ciphertext), {
                  commitmentPolicy: kitDecryptPolicy(suiteId),
                  encryptionContext: context,
                }),
              );
              if (!outcome.ok) {
                throw new Error(`${what}: ${decryptorName} failed to decrypt the SDK message: ${describeError(outcome.error)}`);
              }
              const { plaintext: out, header } = outcome.value;
              expectBytes(out, plaintext, `${what}: ${decryptorName} plaintext`);
              expect(header.suiteId, `${what}: kit header suite`).toBe(suiteId);
              expect(header.version, `${what}: version`).toBe(COMMITTING.has(suiteId) ? 2 : 1);
              expect(header.frameLength, `${what}: frame length`).toBe(messageHeader.frameLength);
              expect(header.contentType, `${what}: content type`).toBe('framed');
              expect(header.encryptedDataKeys.length, `${what}: EDKs`).toBe(kind.edks);
              expect(header.encryptionContext, `${what}: context`).toEqual(messageHeader.encryptionContext);
              expectContext(header.encryptionContext, context, suiteId, what);
              pairs++;
            }
          }
        });

        it(`kit → SDK, ${kind.name}`, async () => {
          const decryptors = kind.sdkDecryptors ?? [[`SDK ${kind.name}`, kind.sdk] as const];
          for (const [i, shape] of SHAPES.entries()) {
            const context = CONTEXTS[(i + 1) % CONTEXTS.length]!;
            const plaintext = PLAINTEXTS[i]!;
            const what = `${hex4(suiteId)} ${kind.name}, ${shape.name}, context #${(i + 1) % CONTEXTS.length}`;
            const enc = await outcomeOf(() =>
              encrypt(kind.kit(), plaintext, {
                suiteId: suiteId as SuiteId,
                encryptionContext: context,
                commitmentPolicy: kitEncryptPolicy(suiteId),
                ...(shape.frameLength === undefined ? {} : { frameLength: shape.frameLength }),
              }),
            );
            if (!enc.ok) throw new Error(`${what}: kit encrypt failed: ${describeError(enc.error)}`);
            const { ciphertext, header } = enc.value;
            expect(header.suiteId, `${what}: kit suite`).toBe(suiteId);
            expect(header.frameLength, `${what}: kit frame length`).toBe(frameLengthOf(shape));
            expect(header.encryptedDataKeys.length, `${what}: EDKs`).toBe(kind.edks);
            expect(header.headerLength, `${what}: header length`).toBeGreaterThan(0);
            for (const [decryptorName, makeKeyring] of decryptors) {
              const dec = await outcomeOf(() => sdkDecryptClient(suiteId).decrypt(makeKeyring(), ciphertext));
              if (!dec.ok) {
                throw new Error(`${what}: ${decryptorName} failed to decrypt the kit message: ${describeError(dec.error)}`);
              }
              const { plaintext: out, messageHeader } = dec.value;
              expectBytes(new Uint8Array(out), plaintext, `${what}: ${decryptorName} plaintext`);
              expect(messageHeader.suiteId, `${what}: SDK-parsed suite`).toBe(suiteId);
              expect(messageHeader.version, `${what}: SDK-parsed version`).toBe(header.version);
              expect(messageHeader.frameLength, `${what}: SDK-parsed frame length`).toBe(frameLengthOf(shape));
              expect(messageHeader.encryptedDataKeys.length, `${what}: SDK-parsed EDKs`).toBe(kind.edks);
              expect(Buffer.from(messageHeader.messageId).equals(Buffer.from(header.messageId)), `${what}: message id`).toBe(true);
              expectContext({ ...messageHeader.encryptionContext }, context, suiteId, `${what} (SDK view)`);
              expect(header.encryptionContext, `${what}: kit header context`).toEqual({ ...messageHeader.encryptionContext });
              pairs++;
            }
          }
        });
      }
    });
  }

  it('ran every pair of the table', () => {
    // 11 suites × (7 single kinds × 1 decryptor + 1 multi kind × (4 kit | 3 SDK decryptors)) × 6 shapes
    const perSuite = (7 * 1 + 4) * SHAPES.length + (7 * 1 + 3) * SHAPES.length;
    expect(pairs).toBe(ALL_SUITE_IDS.length * perSuite);
  });
});

// ---------------------------------------------------------------------------------------------
// UTF-8 vs UTF-16 ordering of the encryption context
// ---------------------------------------------------------------------------------------------

const utf8 = (s: string) => new TextEncoder().encode(s);

function indexOfBytes(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

describe('encryption context ordering (UTF-8 bytes, not UTF-16 code units)', () => {
  const context = { [FULLWIDTH_TILDE]: 'tilde', [GRINNING]: 'grin', B: 'b', a: 'a' };
  // UTF-8 order of the keys: 'B' (42) < 'a' (61) < U+FF5E (EF BD 9E) < U+1F600 (F0 9F 98 80)
  const utf8Order = ['B', 'a', FULLWIDTH_TILDE, GRINNING];
  // A serialized pair (key length, key, value length, value): unlike a bare one-byte key such as
  // 'B', it cannot turn up by chance in the random message id before the context field.
  const pairBytes = (k: string): Uint8Array => {
    const key = utf8(k);
    const value = utf8((context as Record<string, string>)[k]!);
    return Uint8Array.from([key.length >> 8, key.length & 255, ...key, value.length >> 8, value.length & 255, ...value]);
  };

  it('the premise: UTF-16 order differs from UTF-8 order for these keys', () => {
    expect([FULLWIDTH_TILDE, GRINNING].sort()).toEqual([GRINNING, FULLWIDTH_TILDE]);
    const byUtf8 = Object.keys(context).sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect(byUtf8).toEqual(utf8Order);
  });

  for (const suiteId of [0x0578, 0x0478, 0x0178, 0x0014]) {
    for (const [name, kit, sdkRing] of [
      ['AES-256', () => kitAes(256), () => sdkAes(256)],
      ['RSA OAEP-SHA256', () => kitRsa('sha256'), () => sdkRsa('sha256')],
    ] as const) {
      it(`${hex4(suiteId)} ${name}: the kit decrypts an SDK message with such keys`, async () => {
        const { result } = await sdkEncryptClient(suiteId).encrypt(sdkRing(), patternBytes(100, 5), {
          suiteId: suiteId as AlgorithmSuiteIdentifier,
          encryptionContext: context,
          frameLength: 64,
        });
        // the SDK's header is in UTF-8 order
        const positions = utf8Order.map((k) => indexOfBytes(result, pairBytes(k)));
        expect(positions.every((p, i) => p > 0 && (i === 0 || p > positions[i - 1]!)), 'SDK header order').toBe(true);
        const outcome = await outcomeOf(() =>
          decrypt(kit(), new Uint8Array(result), { commitmentPolicy: kitDecryptPolicy(suiteId), encryptionContext: context }),
        );
        if (!outcome.ok) throw new Error(`kit failed: ${describeError(outcome.error)}`);
        expectBytes(outcome.value.plaintext, patternBytes(100, 5));
        expectContext(outcome.value.header.encryptionContext, context, suiteId, 'kit');
      });

      it(`${hex4(suiteId)} ${name}: the kit writes such keys in UTF-8 order and the SDK decrypts`, async () => {
        const { ciphertext } = await encrypt(kit(), patternBytes(100, 6), {
          suiteId: suiteId as SuiteId,
          encryptionContext: context,
          commitmentPolicy: kitEncryptPolicy(suiteId),
          frameLength: 64,
        });
        const positions = utf8Order.map((k) => indexOfBytes(ciphertext, pairBytes(k)));
        expect(positions.every((p, i) => p > 0 && (i === 0 || p > positions[i - 1]!)), 'kit header order').toBe(true);
        const { plaintext } = await sdkDecryptClient(suiteId).decrypt(sdkRing(), ciphertext);
        expectBytes(new Uint8Array(plaintext), patternBytes(100, 6));
      });
    }
  }

  it('an SDK raw AES message wrapped with the legacy (locale) context order is rejected with an EnvelopeError', async () => {
    // utf8Sorting: false sorts the context with localeCompare for the wrapping AAD while the header
    // is UTF-8 ordered: other ESDKs cannot decrypt such messages (aws-encryption-sdk-javascript#428),
    // and the kit, which follows the specification, must refuse them cleanly, never crash.
    const legacyOrder = Object.keys(context).sort((x, y) => x.localeCompare(y));
    expect(legacyOrder, 'premise: legacy order differs').not.toEqual(utf8Order);
    const { result } = await sdk.committing.encrypt(sdkAes(256, false), patternBytes(50, 7), {
      encryptionContext: context,
    });
    const outcome = await outcomeOf(() => decrypt(kitAes(256), new Uint8Array(result), { encryptionContext: context }));
    expectEnvelopeError(outcome, 'legacy-sorted SDK message');
    // and the SDK's own UTF-8 keyring agrees that it cannot be unwrapped
    const sdkOutcome = await outcomeOf(() => sdk.committing.decrypt(sdkAes(256, true), result));
    expect(sdkOutcome.ok).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// Misc. interop facts
// ---------------------------------------------------------------------------------------------

describe('interop details', () => {
  it('default frame lengths differ (SDK 4096, kit 256 KiB from the benchmark) and each side reads the other', async () => {
    // spec client-apis/encrypt.md#frame-length says 4096; the kit deliberately defaults to
    // DEFAULT_FRAME_LENGTH (chosen from `npm run bench`, see README). The header carries the
    // frame length, so messages interoperate either way.
    const { result, messageHeader } = await sdk.committing.encrypt(sdkAes(256), patternBytes(10, 13));
    expect(messageHeader.frameLength, 'SDK default').toBe(4096);
    expect((await decrypt(kitAes(256), new Uint8Array(result))).header.frameLength).toBe(4096);
    const { ciphertext, header } = await encrypt(kitAes(256), patternBytes(10, 13));
    expect(header.frameLength, 'kit default').toBe(DEFAULT_FRAME_LENGTH);
    expect(DEFAULT_FRAME_LENGTH).toBe(262144);
    const back = await sdk.committing.decrypt(sdkAes(256), ciphertext);
    expect(back.messageHeader.frameLength).toBe(262144);
  });

  it('the SDK default suite (0x0578) message decrypts with the kit under the default policy', async () => {
    const { result, messageHeader } = await sdk.committing.encrypt(sdkAes(128), patternBytes(3000, 8));
    expect(messageHeader.suiteId).toBe(0x0578);
    const { plaintext, header } = await decrypt(kitAes(128), new Uint8Array(result));
    expectBytes(plaintext, patternBytes(3000, 8));
    expect(header.suiteId).toBe(0x0578);
  });

  it('the kit default suite message decrypts with the SDK under its default policy', async () => {
    const { ciphertext, header } = await encrypt(kitRsa('sha512'), patternBytes(3000, 9));
    expect(header.suiteId).toBe(0x0578);
    const { plaintext, messageHeader } = await buildClient().decrypt(sdkRsa('sha512'), ciphertext);
    expectBytes(new Uint8Array(plaintext), patternBytes(3000, 9));
    expect(messageHeader.suiteId).toBe(0x0578);
  });

  it('an SDK message under a non-committing suite is refused by the kit default policy', async () => {
    const { result } = await sdk.forbidEncrypt.encrypt(sdkAes(256), patternBytes(10, 10), { suiteId: 0x0178 as AlgorithmSuiteIdentifier });
    expectEnvelopeError(await outcomeOf(() => decrypt(kitAes(256), new Uint8Array(result))), 'default policy', [
      'COMMITMENT_POLICY_VIOLATION',
    ]);
  });

  it('a wrong wrapping key on either side is refused (no false interop)', async () => {
    const { result } = await sdk.committing.encrypt(sdkAes(256), patternBytes(10, 11));
    const other = new RawAesKeyring({ keyNamespace: NAMESPACE, keyName: 'aes-256', wrappingKey: patternBytes(32, 999) });
    expectEnvelopeError(await outcomeOf(() => decrypt(other, new Uint8Array(result))), 'wrong AES key', ['NO_DECRYPTING_KEYRING']);
    const renamed = new RawAesKeyring({ keyNamespace: NAMESPACE, keyName: 'aes-256-other', wrappingKey: new Uint8Array(AES_KEYS[256]) });
    expectEnvelopeError(await outcomeOf(() => decrypt(renamed, new Uint8Array(result))), 'other key name', ['NO_DECRYPTING_KEYRING']);
  });

  it('RSA PKCS#1 v1.5 padding (which the SDK offers) is refused by the kit with UNSUPPORTED_PADDING', async () => {
    let err: unknown;
    try {
      const ring = new RawRsaKeyring({
        keyNamespace: NAMESPACE,
        keyName: 'rsa-pkcs1',
        publicKey: RSA.publicKey,
        privateKey: RSA.privateKey,
        padding: 'PKCS1' as 'OAEP-SHA1',
      });
      // if the constructor accepted it, the first use must refuse it
      await encrypt(ring, patternBytes(10, 12));
    } catch (e) {
      err = e;
    }
    expect(err instanceof EnvelopeError, describeError(err)).toBe(true);
    expect((err as EnvelopeError).code).toBe('UNSUPPORTED_PADDING');
  });
});
