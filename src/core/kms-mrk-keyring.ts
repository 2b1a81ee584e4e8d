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
 * `arn:aws:kms:eu-west-1:…:key/mrk-1`, calling only eu-west-1 (spec:
 * aws-kms-mrk-match-for-decrypt.md). Single-Region keys match exactly, as in {@link KmsKeyring}.
 * Two identifiers of one multi-Region key are refused (RangeError): which replica to call would be
 * ambiguous (spec: aws-kms-mrk-are-unique.md).
 *
 * @throws TypeError / RangeError (`code: 'INVALID_ARGUMENT'`) from the constructor, as
 *   {@link KmsKeyring}'s; errors on use as {@link KmsKeyring}'s.
 *
 * @example
 * ```ts
 * import { createKms } from 'envelope-kit/kms';
 * import { encrypt, decrypt, KmsMrkAwareKeyring } from 'envelope-kit/core';
 * const kms = await createKms({ storage: 'memory' });
 * const { KeyMetadata } = await kms.region('us-east-1').createKey({ MultiRegion: true });
 * const { ReplicaKeyMetadata } = await kms.region('us-east-1').replicateKey({ KeyId: KeyMetadata.KeyId, ReplicaRegion: 'eu-west-1' });
 * // Encrypt in us-east-1 ...
 * const writer = new KmsMrkAwareKeyring({ generatorKeyId: KeyMetadata.Arn, clientFor: (region) => kms.region(region) });
 * const { ciphertext } = await encrypt(writer, new TextEncoder().encode('hello'));
 * // ... and decrypt through the eu-west-1 replica while us-east-1 is down.
 * await kms.simulate({ region: 'us-east-1', outage: true });
 * const reader = new KmsMrkAwareKeyring({ keyIds: [ReplicaKeyMetadata.Arn], clientFor: (region) => kms.region(region) });
 * const { plaintext } = await decrypt(reader, ciphertext);
 * if (new TextDecoder().decode(plaintext) !== 'hello') throw new Error('the replica did not decrypt');
 * await kms.close();
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
