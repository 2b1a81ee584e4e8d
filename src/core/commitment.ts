/**
 * Commitment policies (spec: framework/commitment-policy.md): whether messages must use key
 * committing suites on encrypt and on decrypt.
 */
import { EnvelopeError, ErrorCode, typeError } from './errors.js';
import { findSuite, suiteHex, type AlgorithmSuite, type SuiteId } from './suites.js';

/**
 * The three commitment policies of the AWS Encryption SDK, by name (spec:
 * framework/commitment-policy.md). Pass one as `commitmentPolicy` in the options of
 * `encrypt`/`decrypt` and the streams; an unknown value throws a TypeError
 * (`code: 'INVALID_ARGUMENT'`), and a suite the policy forbids an {@link EnvelopeError}
 * `COMMITMENT_POLICY_VIOLATION`.
 * - `REQUIRE_ENCRYPT_REQUIRE_DECRYPT` (the default): encrypt with committing suites only, decrypt
 *   only committed messages.
 * - `REQUIRE_ENCRYPT_ALLOW_DECRYPT`: encrypt committed, still decrypt old uncommitted messages
 *   (migration).
 * - `FORBID_ENCRYPT_ALLOW_DECRYPT`: encrypt with the legacy suites (for readers on ESDK 1.x),
 *   decrypt both.
 *
 * @example
 * ```ts
 * import { decrypt, CommitmentPolicy } from 'envelope-kit/core';
 * const { plaintext } = await decrypt(keyring, legacyMessage, { commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT });
 * ```
 */
export const CommitmentPolicy = {
  FORBID_ENCRYPT_ALLOW_DECRYPT: 'FORBID_ENCRYPT_ALLOW_DECRYPT',
  REQUIRE_ENCRYPT_ALLOW_DECRYPT: 'REQUIRE_ENCRYPT_ALLOW_DECRYPT',
  REQUIRE_ENCRYPT_REQUIRE_DECRYPT: 'REQUIRE_ENCRYPT_REQUIRE_DECRYPT',
} as const;

export type CommitmentPolicy = (typeof CommitmentPolicy)[keyof typeof CommitmentPolicy];

/**
 * Encrypt with non-committing suites only (default 0x0378), decrypt committed and uncommitted
 * messages; see {@link CommitmentPolicy}.
 */
export const FORBID_ENCRYPT_ALLOW_DECRYPT = CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT;
/**
 * Encrypt with committing suites only (default 0x0578), still decrypt uncommitted messages; see
 * {@link CommitmentPolicy}.
 */
export const REQUIRE_ENCRYPT_ALLOW_DECRYPT = CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT;
/**
 * Committing suites only, both ways: the default ({@link DEFAULT_COMMITMENT_POLICY}); see
 * {@link CommitmentPolicy}.
 */
export const REQUIRE_ENCRYPT_REQUIRE_DECRYPT = CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT;

/** The policy used when none is given: the strictest. */
export const DEFAULT_COMMITMENT_POLICY: CommitmentPolicy = REQUIRE_ENCRYPT_REQUIRE_DECRYPT;

/** The default suite per policy (spec: client-apis/client.md): committing + signed unless forbidden. */
export function defaultSuiteFor(policy: CommitmentPolicy): SuiteId {
  return policy === FORBID_ENCRYPT_ALLOW_DECRYPT ? 0x0378 : 0x0578;
}

export function checkPolicy(value: unknown, argument = 'options.commitmentPolicy'): CommitmentPolicy {
  if (value === undefined) return DEFAULT_COMMITMENT_POLICY;
  if (typeof value !== 'string' || !(value in CommitmentPolicy)) {
    throw typeError(argument, `one of ${Object.keys(CommitmentPolicy).join(', ')}`);
  }
  return value as CommitmentPolicy;
}

/** Resolves a suite id for encryption and checks it against the policy. */
export function suiteForEncrypt(id: number | undefined, policy: CommitmentPolicy): AlgorithmSuite {
  const suiteId = id ?? defaultSuiteFor(policy);
  if (typeof suiteId !== 'number') throw typeError('options.suiteId', 'a suite id number such as 0x0578');
  const suite = findSuite(suiteId);
  if (!suite) {
    throw new EnvelopeError(ErrorCode.UNSUPPORTED_SUITE, `suite ${suiteHex(suiteId)} is not an AWS Encryption SDK algorithm suite`);
  }
  if (policy === FORBID_ENCRYPT_ALLOW_DECRYPT ? suite.committing : !suite.committing) {
    throw new EnvelopeError(
      ErrorCode.COMMITMENT_POLICY_VIOLATION,
      `suite ${suiteHex(suiteId)} is ${suite.committing ? '' : 'not '}key committing, which commitment policy ${policy} forbids for encryption`,
    );
  }
  return suite;
}

/** Checks a parsed message's suite against the policy on decrypt. */
export function checkDecryptSuite(suite: AlgorithmSuite, policy: CommitmentPolicy): void {
  if (policy === REQUIRE_ENCRYPT_REQUIRE_DECRYPT && !suite.committing) {
    throw new EnvelopeError(
      ErrorCode.COMMITMENT_POLICY_VIOLATION,
      `the message uses non-committing suite ${suiteHex(suite.id)}; commitment policy ${policy} forbids decrypting it (use REQUIRE_ENCRYPT_ALLOW_DECRYPT to read legacy messages)`,
    );
  }
}
