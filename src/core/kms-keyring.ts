/**
 * The AWS KMS keyring (spec: framework/aws-kms/aws-kms-keyring.md, composed over several keys as in
 * aws-kms-multi-keyrings.md): provider id `aws-kms`, provider info the key ARN KMS returns.
 */
import { KmsKeyringBase, type KmsKeyringOptions } from './kms-keyring-base.js';

export type { KmsKeyringOptions } from './kms-keyring-base.js';

/**
 * Wraps data keys with AWS KMS keys: GenerateDataKey under the generator, Encrypt under each other
 * key, each call bound to the message's encryption context. Decrypts a copy only with the key ARN
 * that made it (exact match), so configure key ARNs for decrypt; aliases and bare key ids encrypt
 * only (KMS stores the key ARN, which they never equal). Byte-compatible with the AWS Encryption
 * SDK's KMS keyring; works with the simulated KMS (`kms.region(name)`) or AWS KMS (`fromAwsSdkV3`).
 *
 * The client for each key comes from `clientFor(region)`, the region taken from the key's ARN (or
 * from `options.region` for a bare key id or alias).
 *
 * @throws TypeError / RangeError (`code: 'INVALID_ARGUMENT'`) from the constructor: no key, a
 *   malformed identifier, a bare id without `region`, `clientFor` not a function.
 * @throws {@link EnvelopeError} `KEYRING_FAILURE` when KMS answers with something unusable; the
 *   KMS's own errors (`AccessDeniedException`, `NotFoundException`, `DisabledException`, ...) pass
 *   through on encrypt; on decrypt they are collected and the result is `NO_DECRYPTING_KEYRING`
 *   when no key could unwrap.
 *
 * @example
 * ```ts
 * import { createKms } from 'envelope-kit/kms';
 * import { encrypt, decrypt, KmsKeyring } from 'envelope-kit/core';
 * const kms = await createKms({ storage: 'memory' });
 * const { KeyMetadata } = await kms.region('us-east-1').createKey({ Description: 'notes' });
 * const keyring = new KmsKeyring({ generatorKeyId: KeyMetadata.Arn, clientFor: (region) => kms.region(region) });
 * const { ciphertext } = await encrypt(keyring, new TextEncoder().encode('hi'), { encryptionContext: { user: 'alice' } });
 * const { plaintext } = await decrypt(keyring, ciphertext, { encryptionContext: { user: 'alice' } });
 * if (new TextDecoder().decode(plaintext) !== 'hi') throw new Error('round trip failed');
 * await kms.close();
 * ```
 */
export class KmsKeyring extends KmsKeyringBase {
  constructor(options: KmsKeyringOptions) {
    super(options, 'KmsKeyring');
  }

  protected override checkIdentifiers(): void {
    // Any mix of identifiers is allowed; two ARNs of one multi-Region key are two keys here.
  }

  protected override matches(keyId: string, providerKeyArn: string): boolean {
    // spec: aws-kms-keyring.md#ondecrypt, "The provider info MUST match the configured AWS KMS key identifier".
    return keyId === providerKeyArn;
  }
}
