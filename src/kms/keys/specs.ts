/**
 * Key specs, key usages and algorithms: which combinations AWS KMS allows (developer guide, "Key
 * spec reference") and how each maps onto WebCrypto. Everything the simulated KMS cannot do with
 * WebCrypto (SM2, secp256k1, ML-DSA, Ed25519, key agreement) is refused with a clear
 * UnsupportedOperationException rather than half-done.
 */

export const KeyState = {
  Creating: 'Creating',
  Enabled: 'Enabled',
  Disabled: 'Disabled',
  PendingDeletion: 'PendingDeletion',
  PendingImport: 'PendingImport',
  PendingReplicaDeletion: 'PendingReplicaDeletion',
  Unavailable: 'Unavailable',
  Updating: 'Updating',
} as const;
export type KeyState = (typeof KeyState)[keyof typeof KeyState];

/**
 * What a KMS key is for (AWS: `KeyUsageType`); fixed at CreateKey. `KEY_AGREEMENT` is accepted by
 * name but refused by the simulator.
 */
export type KeyUsage = 'ENCRYPT_DECRYPT' | 'SIGN_VERIFY' | 'GENERATE_VERIFY_MAC' | 'KEY_AGREEMENT';
/**
 * Where a KMS key's material comes from (AWS: `OriginType`): `AWS_KMS` (generated) or `EXTERNAL`
 * (imported); the key store origins are accepted by name and refused.
 */
export type OriginType = 'AWS_KMS' | 'EXTERNAL' | 'AWS_CLOUDHSM' | 'EXTERNAL_KEY_STORE';
/**
 * Encryption algorithms of Encrypt, Decrypt and ReEncrypt (AWS: `EncryptionAlgorithmSpec`);
 * `SM2PKE` is refused (China Regions only).
 */
export type EncryptionAlgorithmSpec = 'SYMMETRIC_DEFAULT' | 'RSAES_OAEP_SHA_1' | 'RSAES_OAEP_SHA_256' | 'SM2PKE';
/** HMAC algorithms of GenerateMac and VerifyMac (AWS: `MacAlgorithmSpec`). */
export type MacAlgorithmSpec = 'HMAC_SHA_224' | 'HMAC_SHA_256' | 'HMAC_SHA_384' | 'HMAC_SHA_512';
/**
 * Signing algorithms of Sign and Verify (AWS: `SigningAlgorithmSpec`); which a key allows depends
 * on its KeySpec.
 */
export type SigningAlgorithmSpec =
  | 'RSASSA_PSS_SHA_256'
  | 'RSASSA_PSS_SHA_384'
  | 'RSASSA_PSS_SHA_512'
  | 'RSASSA_PKCS1_V1_5_SHA_256'
  | 'RSASSA_PKCS1_V1_5_SHA_384'
  | 'RSASSA_PKCS1_V1_5_SHA_512'
  | 'ECDSA_SHA_256'
  | 'ECDSA_SHA_384'
  | 'ECDSA_SHA_512'
  | 'SM2DSA'
  | 'ML_DSA_SHAKE_256'
  | 'ED25519_SHA_512'
  | 'ED25519_PH_SHA_512';
/**
 * How imported key material is wrapped for ImportKeyMaterial (AWS: `AlgorithmSpec` of
 * GetParametersForImport).
 */
export type WrappingAlgorithm =
  | 'RSAES_PKCS1_V1_5'
  | 'RSAES_OAEP_SHA_1'
  | 'RSAES_OAEP_SHA_256'
  | 'RSA_AES_KEY_WRAP_SHA_1'
  | 'RSA_AES_KEY_WRAP_SHA_256'
  | 'SM2PKE';

/** Every KeySpec in the API, supported here or not (the API accepts the name, we may refuse it). */
export const ALL_KEY_SPECS = [
  'RSA_2048', 'RSA_3072', 'RSA_4096', 'ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'ECC_SECG_P256K1',
  'SYMMETRIC_DEFAULT', 'HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512', 'SM2', 'ML_DSA_44', 'ML_DSA_65',
  'ML_DSA_87', 'ECC_NIST_EDWARDS25519',
] as const;
/**
 * Every key spec AWS KMS names (AWS: `KeySpec`); CreateKey refuses those the simulator cannot run
 * (see the README's KMS section).
 */
export type KeySpec = (typeof ALL_KEY_SPECS)[number];

export const DATA_KEY_PAIR_SPECS = [
  'RSA_2048', 'RSA_3072', 'RSA_4096', 'ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'ECC_SECG_P256K1', 'SM2',
  'ECC_NIST_EDWARDS25519',
] as const;
/** Key pair specs of GenerateDataKeyPair (AWS: `DataKeyPairSpec`). */
export type DataKeyPairSpec = (typeof DATA_KEY_PAIR_SPECS)[number];

/** What a supported key spec is and can do. */
export interface SpecInfo {
  readonly family: 'symmetric' | 'rsa' | 'ecc' | 'hmac';
  readonly usages: readonly KeyUsage[];
  /** RSA modulus bits, or HMAC / AES key bytes. */
  readonly size: number;
  readonly namedCurve?: 'P-256' | 'P-384' | 'P-521';
  readonly hash?: 'SHA-224' | 'SHA-256' | 'SHA-384' | 'SHA-512';
}

export const SUPPORTED_SPECS: Readonly<Partial<Record<KeySpec, SpecInfo>>> = {
  SYMMETRIC_DEFAULT: { family: 'symmetric', usages: ['ENCRYPT_DECRYPT'], size: 32 },
  RSA_2048: { family: 'rsa', usages: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'], size: 2048 },
  RSA_3072: { family: 'rsa', usages: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'], size: 3072 },
  RSA_4096: { family: 'rsa', usages: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'], size: 4096 },
  ECC_NIST_P256: { family: 'ecc', usages: ['SIGN_VERIFY'], size: 256, namedCurve: 'P-256' },
  ECC_NIST_P384: { family: 'ecc', usages: ['SIGN_VERIFY'], size: 384, namedCurve: 'P-384' },
  ECC_NIST_P521: { family: 'ecc', usages: ['SIGN_VERIFY'], size: 521, namedCurve: 'P-521' },
  // HMAC key lengths equal the digest length (developer guide, "HMAC key specs").
  HMAC_224: { family: 'hmac', usages: ['GENERATE_VERIFY_MAC'], size: 28, hash: 'SHA-224' },
  HMAC_256: { family: 'hmac', usages: ['GENERATE_VERIFY_MAC'], size: 32, hash: 'SHA-256' },
  HMAC_384: { family: 'hmac', usages: ['GENERATE_VERIFY_MAC'], size: 48, hash: 'SHA-384' },
  HMAC_512: { family: 'hmac', usages: ['GENERATE_VERIFY_MAC'], size: 64, hash: 'SHA-512' },
};

export function specInfo(spec: KeySpec): SpecInfo {
  const info = SUPPORTED_SPECS[spec];
  if (!info) throw new Error(`unsupported key spec ${spec}`);
  return info;
}

/** The EncryptionAlgorithms / SigningAlgorithms / MacAlgorithms DescribeKey lists for a key. */
export function algorithmsFor(spec: KeySpec, usage: KeyUsage): {
  EncryptionAlgorithms?: EncryptionAlgorithmSpec[];
  SigningAlgorithms?: SigningAlgorithmSpec[];
  MacAlgorithms?: MacAlgorithmSpec[];
} {
  const info = specInfo(spec);
  if (info.family === 'symmetric') return { EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'] };
  if (info.family === 'hmac') return { MacAlgorithms: [`HMAC_SHA_${spec.slice(5)}` as MacAlgorithmSpec] };
  if (info.family === 'rsa' && usage === 'ENCRYPT_DECRYPT') return { EncryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] };
  if (info.family === 'rsa') {
    return {
      SigningAlgorithms: [
        'RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512',
        'RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512',
      ],
    };
  }
  // Each NIST curve signs with one hash only (developer guide, "ECC key specs").
  const hash = { ECC_NIST_P256: 'ECDSA_SHA_256', ECC_NIST_P384: 'ECDSA_SHA_384', ECC_NIST_P521: 'ECDSA_SHA_512' } as const;
  return { SigningAlgorithms: [hash[spec as keyof typeof hash]] };
}

/** WebCrypto parameters for an RSA signing algorithm. PSS salt = digest length, as AWS KMS uses. */
export function rsaSigningParams(algorithm: SigningAlgorithmSpec): { name: 'RSA-PSS' | 'RSASSA-PKCS1-v1_5'; hash: string; saltLength?: number } {
  const bits = Number(algorithm.slice(-3));
  const hash = `SHA-${bits}`;
  return algorithm.startsWith('RSASSA_PSS') ? { name: 'RSA-PSS', hash, saltLength: bits / 8 } : { name: 'RSASSA-PKCS1-v1_5', hash };
}

/** The largest plaintext RSAES-OAEP can take: k - 2*hLen - 2 (RFC 8017, section 7.1.1). */
export function oaepMaxPlaintext(modulusBits: number, algorithm: EncryptionAlgorithmSpec): number {
  const hashBytes = algorithm === 'RSAES_OAEP_SHA_1' ? 20 : 32;
  return modulusBits / 8 - 2 * hashBytes - 2;
}

export const ecdsaHash = (spec: KeySpec) => ({ ECC_NIST_P256: 'SHA-256', ECC_NIST_P384: 'SHA-384', ECC_NIST_P521: 'SHA-512' })[spec as 'ECC_NIST_P256'];
