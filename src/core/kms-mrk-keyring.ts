/**
 * The AWS KMS multi-Region-key-aware keyring (spec: framework/aws-kms/aws-kms-mrk-keyring.md,
 * composed over several keys as in aws-kms-mrk-multi-keyrings.md).
 */
import { assertMrksUnique, mrkMatch } from './kms-arn.js';
import { KmsKeyringBase, type KmsKeyringOptions } from './kms-keyring-base.js';

/** Options of {@link KmsMrkAwareKeyring}: those of the KMS keyring. */
export type KmsMrkAwareKeyringOptions = KmsKeyringOptions;

/**
 * A KMS keyring for which replicas of one multi-Region key are the same key: a copy made under
 * `arn:aws:kms:us-east-1:…:key/mrk-1` decrypts with a keyring configured with the eu-west-1 replica
 * `arn:aws:kms:eu-west-1:…:key/mrk-1`, calling only eu-west-1 (spec: aws-kms-mrk-match-for-decrypt.md).
 * Single-Region keys match exactly, as in {@link KmsKeyring}. Two identifiers of one multi-Region key
 * are refused (RangeError): which replica to call would be ambiguous (spec: aws-kms-mrk-are-unique.md).
 *
 * @example
 * ```ts
 * // Encrypt in us-east-1 ...
 * const writer = new KmsMrkAwareKeyring({ generatorKeyId: 'arn:aws:kms:us-east-1:111122223333:key/mrk-1234', clientFor: (r) => kms.region(r) });
 * const { ciphertext } = await encrypt(writer, data);
 * // ... decrypt through the eu-west-1 replica, with us-east-1 unreachable.
 * const reader = new KmsMrkAwareKeyring({ keyIds: ['arn:aws:kms:eu-west-1:111122223333:key/mrk-1234'], clientFor: (r) => kms.region(r) });
 * const { plaintext } = await decrypt(reader, ciphertext);
 * ```
 */
export class KmsMrkAwareKeyring extends KmsKeyringBase {
  constructor(options: KmsMrkAwareKeyringOptions) {
    super(options, 'KmsMrkAwareKeyring');
  }

  protected override checkIdentifiers(identifiers: readonly string[]): void {
    assertMrksUnique(identifiers, 'KmsMrkAwareKeyring options.generatorKeyId and options.keyIds');
  }

  protected override matches(keyId: string, providerKeyArn: string): boolean {
    return mrkMatch(keyId, providerKeyArn);
  }
}
