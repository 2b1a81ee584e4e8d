/**
 * Property-based fuzzing of the message format (issue 11): the header parser, `decrypt` and
 * `decryptStream` fed in random chunks, on messages of four suites mutated as an attacker would
 * (bit flips, bytes set, truncation, insertion, deletion, length fields made huge) and on random
 * bytes. Every case ends in the original plaintext or an EnvelopeError, within the time limit,
 * without allocating more than its input's size allows (support.ts).
 */
import fc from 'fast-check';
import { decrypt, decryptStream, encrypt, EnvelopeError, parseHeader, RawAesKeyring, type SuiteId } from '../../src/core/index.js';
import { byteMutation, chunks, fuzz, mutate, RUNS, watchAllocations } from './support.js';

watchAllocations();

const keyring = new RawAesKeyring({ keyNamespace: 'fuzz', keyName: 'aes-256', wrappingKey: crypto.getRandomValues(new Uint8Array(32)) });
const SUITES = [0x0478, 0x0578, 0x0178, 0x0014] as const;
const COMMITTING = new Set<number>([0x0478, 0x0578]);
const PLAINTEXT = crypto.getRandomValues(new Uint8Array(100));
const DECRYPT = { commitmentPolicy: 'REQUIRE_ENCRYPT_ALLOW_DECRYPT' as const, maxEncryptedDataKeys: 3 };
/** A message of 100 bytes in frames of 32, or non-framed (frameLength 0 is refused, so one big frame stands in for it). */
const messages = await Promise.all(
  SUITES.flatMap((suiteId) =>
    [32, 4096].map(async (frameLength) => {
      const { ciphertext } = await encrypt(keyring, PLAINTEXT, {
        suiteId: suiteId as SuiteId,
        frameLength,
        encryptionContext: { purpose: 'fuzz', tenant: 'ü' },
        commitmentPolicy: COMMITTING.has(suiteId) ? 'REQUIRE_ENCRYPT_REQUIRE_DECRYPT' : 'FORBID_ENCRYPT_ALLOW_DECRYPT',
      });
      return new Uint8Array(ciphertext);
    }),
  ),
);

/**
 * The largest buffer a case may allocate: its input's size, twice over (a copy and a view), plus
 * the fixed working buffers of the decrypt path. A length field is at most 4 bytes of the input, so
 * any allocation sized by one (up to 4 GiB) is far outside this bound.
 */
const bound = (input: { bytes: Uint8Array }) => 2 * input.bytes.length + 64 * 1024;

/** A mutated message, or (one case in eight) random bytes. */
const hostile = fc
  .oneof(
    { weight: 7, arbitrary: fc.record({ message: fc.constantFrom(...messages), mutations: fc.array(byteMutation, { minLength: 1, maxLength: 4 }) }).map(({ message, mutations }) => mutate(message, mutations)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 512 }).map((b) => new Uint8Array(b)) },
  )
  .map((bytes) => ({ bytes }));

function outcome(error: unknown): string {
  if (error instanceof EnvelopeError) return `EnvelopeError ${error.code}`;
  throw error;
}

const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

describe('fuzz: the message format', () => {
  it('the header parser answers a header, undefined (more bytes needed) or an EnvelopeError', async () => {
    const report = await fuzz(
      'header parser',
      hostile,
      async ({ bytes }) => {
        try {
          return parseHeader(bytes, { maxEncryptedDataKeys: 3 }) === undefined ? 'needs more bytes' : 'header';
        } catch (error) {
          return outcome(error);
        }
      },
      { maxAllocation: bound },
    );
    expect(report.cases).toBe(RUNS);
  });

  it('decrypt answers the original plaintext or an EnvelopeError', async () => {
    await fuzz(
      'decrypt',
      hostile,
      async ({ bytes }) => {
        try {
          const { plaintext } = await decrypt(keyring, bytes, DECRYPT);
          if (!same(plaintext, PLAINTEXT)) throw new Error('decrypt released bytes that are not the plaintext');
          return 'plaintext';
        } catch (error) {
          return outcome(error);
        }
      },
      { maxAllocation: bound },
    );
  });

  it('decryptStream, fed in random chunks, answers the original plaintext or an EnvelopeError', async () => {
    const arbitrary = fc.record({ input: hostile, cuts: fc.array(fc.nat(), { maxLength: 12 }), intact: fc.boolean() });
    await fuzz(
      'decryptStream (random chunking)',
      arbitrary.map(({ input, cuts, intact }) => ({ bytes: intact ? messages[cuts.length % messages.length]! : input.bytes, cuts, intact })),
      async ({ bytes, cuts, intact }) => {
        const stream = decryptStream(keyring, DECRYPT);
        const writer = stream.writable.getWriter();
        const written = (async () => {
          for (const chunk of chunks(bytes, cuts)) await writer.write(chunk);
          await writer.close();
        })();
        written.catch(() => undefined);
        const parts: Uint8Array[] = [];
        try {
          const reader = stream.readable.getReader();
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            parts.push(value);
          }
          await written;
          const out = Uint8Array.from(parts.flatMap((p) => [...p]));
          if (!same(out, PLAINTEXT)) throw new Error('decryptStream released bytes that are not the plaintext');
          return intact ? 'plaintext (intact, chunked)' : 'plaintext';
        } catch (error) {
          // An intact message, however it is chunked, must decrypt.
          if (intact) throw error;
          return outcome(error);
        }
      },
      { maxAllocation: bound },
    );
  });
});
