/**
 * Property-based fuzzing of the simulated KMS's parsers (issue 11): the ciphertext blob parser,
 * alone and behind Decrypt, and the key and IAM policy parser, on mutated valid inputs and on
 * random ones. Every case ends in a result or a KmsError with AWS's exception name, within the
 * time limit, without an allocation sized by a field of the input (support.ts). A harness
 * self-test shows the allocation watch does catch such an allocation.
 */
import fc from 'fast-check';
import { parseBlob } from '../../src/kms/crypto/ciphertext-blob.js';
import { KmsError } from '../../src/kms/errors.js';
import { createKms } from '../../src/kms/index.js';
import { parsePolicy } from '../../src/kms/policy/parse.js';
import { ECR_KEY_POLICY, inspectorCodeSecurityKeyPolicy } from '../kms-policy/fixtures/aws-documented-policies.js';
import { byteMutation, fuzz, mutate, RUNS, watchAllocations } from './support.js';

watchAllocations();

const kms = await createKms({ storage: 'memory' });
const east = kms.region('us-east-1');
const keyId = (await east.createKey()).KeyMetadata.KeyId;
const blobs = await Promise.all(
  [new Uint8Array(0), new Uint8Array(1), crypto.getRandomValues(new Uint8Array(300))].map(async (Plaintext, i) =>
    Plaintext.length === 0 ? (await east.generateDataKey({ KeyId: keyId, NumberOfBytes: 32 })).CiphertextBlob : (await east.encrypt({ KeyId: keyId, Plaintext, ...(i === 2 ? { EncryptionContext: { a: 'b' } } : {}) })).CiphertextBlob,
  ),
);
afterAll(() => kms.close());

const hostileBlob = fc
  .oneof(
    { weight: 6, arbitrary: fc.record({ blob: fc.constantFrom(...blobs), mutations: fc.array(byteMutation, { minLength: 1, maxLength: 3 }) }).map(({ blob, mutations }) => mutate(blob, mutations)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 400 }).map((b) => new Uint8Array(b)) },
  )
  .map((bytes) => ({ bytes }));
const blobBound = (input: { bytes: Uint8Array }) => 2 * input.bytes.length + 64 * 1024;

function kmsOutcome(error: unknown): string {
  if (error instanceof KmsError) return error.name;
  throw error;
}

describe('fuzz: the KMS parsers', () => {
  it('the harness catches an allocation sized by a length field', async () => {
    const naive = async ({ bytes }: { bytes: Uint8Array }) => {
      const length = bytes.length >= 4 ? new DataView(bytes.buffer, bytes.byteOffset).getUint32(0) : 0;
      void new Uint8Array(Math.min(length, 2 ** 30));
      return 'parsed';
    };
    const huge = fc.constant({ bytes: Uint8Array.of(0x10, 0, 0, 0, 1, 2, 3) });
    const failure = await fuzz('self-test (must fail)', huge, naive, { maxAllocation: blobBound }).then(
      () => undefined,
      (error: Error & { cause?: Error }) => `${error.message} ${error.cause?.message ?? ''}`,
    );
    expect(failure).toMatch(/allocated 268435456 bytes at once for an input bounded to 65550/);
  });

  it('the ciphertext blob parser answers the parts or InvalidCiphertextException', async () => {
    const report = await fuzz(
      'KMS ciphertext blob parser',
      hostileBlob,
      async ({ bytes }) => {
        try {
          const parsed = parseBlob(bytes);
          if (parsed.header.length + parsed.sealed.length !== bytes.length) throw new Error('the parts do not add up to the blob');
          return 'parsed';
        } catch (error) {
          return kmsOutcome(error);
        }
      },
      { maxAllocation: blobBound },
    );
    expect(report.cases).toBe(RUNS);
    expect(Object.keys(report.outcomes).every((o) => o === 'parsed' || o === 'InvalidCiphertextException')).toBe(true);
  });

  it('Decrypt of a hostile CiphertextBlob answers the plaintext or a KmsError', async () => {
    await fuzz(
      'KMS Decrypt (hostile CiphertextBlob)',
      hostileBlob,
      async ({ bytes }) => {
        try {
          await east.decrypt({ CiphertextBlob: bytes, EncryptionContext: { a: 'b' } });
          return 'plaintext';
        } catch (error) {
          return kmsOutcome(error);
        }
      },
      { maxAllocation: blobBound },
    );
  });

  it('the policy parser answers a policy or MalformedPolicyDocumentException', async () => {
    const documented = [ECR_KEY_POLICY, inspectorCodeSecurityKeyPolicy()];
    const text = fc.oneof(
      // A documented policy with characters inserted, deleted or replaced.
      fc
        .record({ policy: fc.constantFrom(...documented), edits: fc.array(fc.record({ at: fc.nat(), cut: fc.integer({ min: 0, max: 8 }), insert: fc.string({ maxLength: 8, unit: 'binary' }) }), { minLength: 1, maxLength: 4 }) })
        .map(({ policy, edits }) => edits.reduce((s, e) => s.slice(0, e.at % (s.length + 1)) + e.insert + s.slice((e.at % (s.length + 1)) + e.cut), policy)),
      // A documented policy's JSON with a random value put at a random member.
      fc.record({ policy: fc.constantFrom(...documented), value: fc.jsonValue({ maxDepth: 3 }), path: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }) }).map(({ policy, value, path }) => JSON.stringify(replaceAt(JSON.parse(policy), path, value))),
      fc.json({ maxDepth: 4 }),
      fc.string({ maxLength: 200 }),
    );
    await fuzz(
      'key policy parser',
      fc.record({ text, kind: fc.constantFrom('key' as const, 'identity' as const) }),
      async ({ text: input, kind }) => {
        try {
          parsePolicy(input, kind);
          return `${kind} policy`;
        } catch (error) {
          return kmsOutcome(error);
        }
      },
      { maxAllocation: ({ text: input }) => 4 * input.length + 64 * 1024 },
    );
  });
});

/** `value` placed at the member a path of indices picks (each index modulo the members there). */
function replaceAt(document: unknown, path: readonly number[], value: unknown): unknown {
  if (path.length === 0 || document === null || typeof document !== 'object') return value;
  const keys = Array.isArray(document) ? document.map((_, i) => i) : Object.keys(document);
  if (keys.length === 0) return value;
  const key = keys[path[0]! % keys.length]!;
  const copy = (Array.isArray(document) ? [...document] : { ...document }) as Record<string | number, unknown>;
  copy[key] = replaceAt(copy[key], path.slice(1), value);
  return copy;
}
