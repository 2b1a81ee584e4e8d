/**
 * The published AWS Encryption SDK decrypt vectors (ESDK .NET 4.0.x), in Node and in browsers.
 * - v4-Net-4.0.1: every raw-key test decrypts to its plaintext byte for byte; the AWS KMS tests
 *   are listed as skipped ("needs AWS KMS, not run offline").
 * - valid-Net-4.0.0: every test decrypts to its plaintext.
 * - invalid-Net-4.0.0: every test is rejected with an EnvelopeError, whatever its manifest says.
 */
import { expect } from 'chai';
import { decrypt } from '../../src/core/index.js';
import { describe, it, skip } from '../support/bdd.js';
import {
  loadVectorSuite,
  EXPECTED_COUNTS,
  cmmForCase,
  decryptOptionsForCase,
  describeCase,
  type VectorSuite,
  type VectorCase,
} from '../support/vectors.js';
import { outcomeOf, expectEnvelopeError, expectBytes, describeError } from '../support/outcome.js';

const TIMEOUT = 30_000;

const [v4, valid, invalid] = await Promise.all([
  loadVectorSuite('v4-Net-4.0.1'),
  loadVectorSuite('valid-Net-4.0.0'),
  loadVectorSuite('invalid-Net-4.0.0'),
]);

async function expectDecrypts(c: VectorCase): Promise<void> {
  if (c.expected.kind !== 'plaintext') throw new Error('not a positive case');
  const outcome = await outcomeOf(() => decrypt(cmmForCase(c), c.ciphertext, decryptOptionsForCase(c)));
  if (!outcome.ok) throw new Error(`${describeCase(c)}: decrypt failed: ${describeError(outcome.error)}`);
  const { plaintext, header } = outcome.value;
  expectBytes(plaintext, c.expected.plaintext, 'plaintext');
  // Cross-checks of the parsed header against what the vectors are known to contain.
  expect(header.suiteId, 'header.suiteId').to.equal(c.suiteId);
  expect(header.version, 'header.version').to.equal(c.ciphertext[0]);
  expect(header.contentType, 'header.contentType').to.equal('framed');
  expect(header.frameLength, 'header.frameLength').to.equal(512);
  expect(header.encryptedDataKeys.length, 'EDK count').to.equal(c.masterKeys.length);
  for (const [k, v] of Object.entries(c.encryptionContext)) {
    if (c.cmm === 'RequiredEncryptionContext') {
      // required keys are authenticated but not stored in the message
      expect(header.encryptionContext, `stored context key ${k}`).to.not.have.property(k);
    } else {
      expect(header.encryptionContext[k], `stored context key ${k}`).to.equal(v);
    }
  }
}

function positiveSuite(suite: VectorSuite): void {
  const expected = EXPECTED_COUNTS[suite.zip];
  describe(`${suite.zip}.zip (${suite.client}): decrypts to the expected plaintext`, () => {
    let ran = 0;
    let passed = 0;
    it(`holds ${expected.total} tests, ${expected.kms} of them needing AWS KMS`, () => {
      expect(suite.cases.length).to.equal(expected.total);
      expect(suite.needsKms.length).to.equal(expected.kms);
      if (suite.needsKms.length > 0) {
        console.log(`${suite.zip}: ${suite.needsKms.length} tests need AWS KMS, not run offline`);
      }
    });
    for (const c of suite.runnable) {
      it(
        c.name,
        async () => {
          ran++;
          if (c.expected.kind === 'plaintext') {
            await expectDecrypts(c);
          } else {
            const outcome = await outcomeOf(() => decrypt(cmmForCase(c), c.ciphertext, decryptOptionsForCase(c)));
            expectEnvelopeError(outcome, `${c.name} (${c.expected.description})`);
          }
          passed++;
        },
        TIMEOUT,
      );
    }
    for (const c of suite.needsKms) skip(`${c.name} (needs AWS KMS, not run offline)`);
    it(`ran all ${expected.total - expected.kms} raw-key vectors`, () => {
      expect(suite.runnable.length, 'raw-key vectors in the manifest').to.equal(expected.total - expected.kms);
      expect(ran, 'vectors run').to.equal(expected.total - expected.kms);
      expect(passed, 'vectors passed').to.equal(ran);
    });
  });
}

function negativeSuite(suite: VectorSuite): void {
  const expected = EXPECTED_COUNTS[suite.zip];
  describe(`${suite.zip}.zip (${suite.client}): every message is rejected with an EnvelopeError`, () => {
    let ran = 0;
    let passed = 0;
    const codes = new Map<string, number>();
    it(`holds ${expected.total} tests`, () => {
      expect(suite.cases.length).to.equal(expected.total);
      expect(suite.needsKms.length).to.equal(0);
    });
    for (const c of suite.runnable) {
      it(
        c.name,
        async () => {
          ran++;
          const outcome = await outcomeOf(() => decrypt(cmmForCase(c), c.ciphertext, decryptOptionsForCase(c)));
          const err = expectEnvelopeError(outcome, `${c.name}: ${describeCase(c)}`);
          codes.set(err.code, (codes.get(err.code) ?? 0) + 1);
          passed++;
        },
        TIMEOUT,
      );
    }
    it(`ran all ${expected.total} negative vectors`, () => {
      console.log(`${suite.zip}: rejection codes ${JSON.stringify(Object.fromEntries(codes))}`);
      expect(ran, 'vectors run').to.equal(expected.total);
      expect(passed, 'vectors rejected with an EnvelopeError').to.equal(ran);
    });
  });
}

positiveSuite(v4);
positiveSuite(valid);
negativeSuite(invalid);
