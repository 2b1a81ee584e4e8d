/**
 * The eleven algorithm suites of the AWS Encryption SDK message format
 * (spec: framework/algorithm-suites.md, "Supported Algorithm Suites").
 */

/** Suite ids by their specification names. */
export const AlgorithmSuiteId = {
  AES_128_GCM_IV12_TAG16_NO_KDF: 0x0014,
  AES_192_GCM_IV12_TAG16_NO_KDF: 0x0046,
  AES_256_GCM_IV12_TAG16_NO_KDF: 0x0078,
  AES_128_GCM_IV12_TAG16_HKDF_SHA256: 0x0114,
  AES_192_GCM_IV12_TAG16_HKDF_SHA256: 0x0146,
  AES_256_GCM_IV12_TAG16_HKDF_SHA256: 0x0178,
  AES_128_GCM_IV12_TAG16_HKDF_SHA256_ECDSA_P256: 0x0214,
  AES_192_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384: 0x0346,
  AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384: 0x0378,
  AES_256_GCM_HKDF_SHA512_COMMIT_KEY: 0x0478,
  AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384: 0x0578,
} as const;

/** A supported suite id (a number such as `0x0578`). */
export type SuiteId = (typeof AlgorithmSuiteId)[keyof typeof AlgorithmSuiteId];

/**
 * Suite 0x0014: AES-128-GCM, the data key used as is (no KDF), unsigned, format v1. Legacy.
 *
 * The suite constants below name each id of {@link AlgorithmSuiteId} (spec:
 * framework/algorithm-suites.md). The suites before 0x0478 are not key committing: the default
 * commitment policy refuses them on encrypt and decrypt alike (see {@link CommitmentPolicy}).
 */
export const AES_128_GCM_IV12_TAG16_NO_KDF = 0x0014;
/** Suite 0x0046: AES-192-GCM, no KDF, unsigned, format v1. Legacy. */
export const AES_192_GCM_IV12_TAG16_NO_KDF = 0x0046;
/** Suite 0x0078: AES-256-GCM, no KDF, unsigned, format v1. Legacy. */
export const AES_256_GCM_IV12_TAG16_NO_KDF = 0x0078;
/** Suite 0x0114: AES-128-GCM, HKDF-SHA256, unsigned, format v1. */
export const AES_128_GCM_IV12_TAG16_HKDF_SHA256 = 0x0114;
/** Suite 0x0146: AES-192-GCM, HKDF-SHA256, unsigned, format v1. */
export const AES_192_GCM_IV12_TAG16_HKDF_SHA256 = 0x0146;
/** Suite 0x0178: AES-256-GCM, HKDF-SHA256, unsigned, format v1. */
export const AES_256_GCM_IV12_TAG16_HKDF_SHA256 = 0x0178;
/** Suite 0x0214: AES-128-GCM, HKDF-SHA256, ECDSA P-256 signed, format v1. */
export const AES_128_GCM_IV12_TAG16_HKDF_SHA256_ECDSA_P256 = 0x0214;
/** Suite 0x0346: AES-192-GCM, HKDF-SHA384, ECDSA P-384 signed, format v1. */
export const AES_192_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384 = 0x0346;
/**
 * Suite 0x0378: AES-256-GCM, HKDF-SHA384, ECDSA P-384 signed, format v1 (the default under
 * FORBID_ENCRYPT_ALLOW_DECRYPT).
 */
export const AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384 = 0x0378;
/**
 * Suite 0x0478: AES-256-GCM, HKDF-SHA512, key committing, unsigned, format v2 (the fastest
 * committing suite).
 */
export const AES_256_GCM_HKDF_SHA512_COMMIT_KEY = 0x0478;
/**
 * Suite 0x0578: AES-256-GCM, HKDF-SHA512, key committing, ECDSA P-384 signed, format v2 (the
 * default).
 */
export const AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384 = 0x0578;

export type HashName = 'SHA-256' | 'SHA-384' | 'SHA-512';
export type CurveName = 'P-256' | 'P-384';

/** Everything the format and the crypto need to know about one suite. */
export interface AlgorithmSuite {
  readonly id: SuiteId;
  /** Message format version this suite is written with. */
  readonly messageVersion: 1 | 2;
  /** Data key and encryption key length in bytes (16, 24 or 32). */
  readonly keyLength: 16 | 24 | 32;
  readonly ivLength: 12;
  readonly tagLength: 16;
  /** Hash for HKDF; undefined for the identity KDF. */
  readonly kdfHash?: HashName;
  /** Committing suites carry a 32-byte commitment key in the v2 header. */
  readonly committing: boolean;
  /** Signing suites carry an ECDSA footer. */
  readonly signature?: { readonly curve: CurveName; readonly hash: HashName; readonly publicKeyLength: number };
  /** Length of the algorithm suite data (the commitment key) in the v2 header. */
  readonly suiteDataLength: 0 | 32;
}

const P256 = { curve: 'P-256', hash: 'SHA-256', publicKeyLength: 33 } as const;
const P384 = { curve: 'P-384', hash: 'SHA-384', publicKeyLength: 49 } as const;

function suite(
  id: SuiteId,
  keyLength: 16 | 24 | 32,
  kdfHash?: HashName,
  signature?: AlgorithmSuite['signature'],
  committing = false,
): AlgorithmSuite {
  return Object.freeze({
    id,
    messageVersion: committing ? 2 : 1,
    keyLength,
    ivLength: 12,
    tagLength: 16,
    kdfHash,
    committing,
    signature,
    suiteDataLength: committing ? 32 : 0,
  });
}

const SUITES: ReadonlyMap<number, AlgorithmSuite> = new Map(
  [
    suite(0x0014, 16),
    suite(0x0046, 24),
    suite(0x0078, 32),
    suite(0x0114, 16, 'SHA-256'),
    suite(0x0146, 24, 'SHA-256'),
    suite(0x0178, 32, 'SHA-256'),
    suite(0x0214, 16, 'SHA-256', P256),
    suite(0x0346, 24, 'SHA-384', P384),
    suite(0x0378, 32, 'SHA-384', P384),
    suite(0x0478, 32, 'SHA-512', undefined, true),
    suite(0x0578, 32, 'SHA-512', P384, true),
  ].map((s) => [s.id, s]),
);

/** Every supported suite id, oldest first. */
export const ALL_SUITE_IDS: readonly SuiteId[] = Object.freeze([...SUITES.keys()] as SuiteId[]);

/** The suite for `id`, or undefined when the id is not one of the eleven. */
export function findSuite(id: number): AlgorithmSuite | undefined {
  return SUITES.get(id);
}

/** The hex form used in messages and errors, e.g. `0x0578`. */
export function suiteHex(id: number): string {
  return `0x${id.toString(16).padStart(4, '0')}`;
}
