/**
 * AWS KMS through the AWS SDK for JavaScript v3 (`@aws-sdk/client-kms`), as a {@link KmsClient}.
 *
 * The core has no dependency on the SDK, at run time or in its types: the caller passes the three
 * command classes along with the client. That keeps the SDK out of every bundle that does not use
 * it, and lets a bundle that does tree-shake the SDK down to these commands (the alternative, a
 * dynamic `import('@aws-sdk/client-kms')` inside the core, would make every bundler chase an
 * optional dependency and would pull in the whole client). The shapes below are the minimum the
 * adapter touches, so any SDK v3 release (and test doubles) fit them structurally.
 */
import type {
  KmsClient,
  KmsDecryptRequest,
  KmsDecryptResponse,
  KmsEncryptRequest,
  KmsEncryptResponse,
  KmsGenerateDataKeyRequest,
  KmsGenerateDataKeyResponse,
} from './kms-client.js';
import { typeError } from './errors.js';

/** What the adapter uses of an SDK v3 `KMSClient`: its `send`. */
export interface AwsSdkV3KmsClient {
  // `any` because the SDK's send is generic over its own command types, which the core cannot name.
  send(command: any): Promise<any>;
}

/** The SDK v3 command classes the KMS keyrings need, passed as imported from `@aws-sdk/client-kms`. */
export interface AwsSdkV3KmsCommands {
  readonly GenerateDataKeyCommand: new (input: KmsGenerateDataKeyRequest) => object;
  readonly EncryptCommand: new (input: KmsEncryptRequest) => object;
  readonly DecryptCommand: new (input: KmsDecryptRequest) => object;
}

/**
 * Adapts an AWS SDK v3 `KMSClient` to the {@link KmsClient} the KMS keyrings take, so moving from
 * the simulated KMS to AWS KMS is a change of `clientFor` only. Requests are passed as they are;
 * responses keep only the members the keyrings read (no `$metadata`). Errors are the SDK's own: their
 * `name` already is the AWS exception name, which is all the keyrings rely on.
 *
 * @param client - a `KMSClient` (or the aggregated `KMS` class) for one region.
 * @param commands - `{ GenerateDataKeyCommand, EncryptCommand, DecryptCommand }` from `@aws-sdk/client-kms`.
 *
 * @example
 * ```ts
 * import { KMSClient, GenerateDataKeyCommand, EncryptCommand, DecryptCommand } from '@aws-sdk/client-kms';
 * import { KmsKeyring, fromAwsSdkV3 } from 'envelope-kit/core';
 * const commands = { GenerateDataKeyCommand, EncryptCommand, DecryptCommand };
 * const keyring = new KmsKeyring({
 *   generatorKeyId: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
 *   clientFor: (region) => fromAwsSdkV3(new KMSClient({ region }), commands),
 * });
 * ```
 */
export function fromAwsSdkV3(client: AwsSdkV3KmsClient, commands: AwsSdkV3KmsCommands): KmsClient {
  if (typeof (client as Partial<AwsSdkV3KmsClient> | null)?.send !== 'function') {
    throw typeError('fromAwsSdkV3 client', 'an AWS SDK v3 KMSClient (an object with a send method)');
  }
  if (commands === null || typeof commands !== 'object') {
    throw typeError('fromAwsSdkV3 commands', "{ GenerateDataKeyCommand, EncryptCommand, DecryptCommand } from '@aws-sdk/client-kms'");
  }
  for (const name of ['GenerateDataKeyCommand', 'EncryptCommand', 'DecryptCommand'] as const) {
    if (typeof commands[name] !== 'function') throw typeError(`fromAwsSdkV3 commands.${name}`, `the ${name} class from '@aws-sdk/client-kms'`);
  }
  const { GenerateDataKeyCommand, EncryptCommand, DecryptCommand } = commands;
  return {
    async generateDataKey(request: KmsGenerateDataKeyRequest): Promise<KmsGenerateDataKeyResponse> {
      const { KeyId, Plaintext, CiphertextBlob } = (await client.send(new GenerateDataKeyCommand(request))) as KmsGenerateDataKeyResponse;
      return { KeyId, Plaintext, CiphertextBlob };
    },
    async encrypt(request: KmsEncryptRequest): Promise<KmsEncryptResponse> {
      const { KeyId, CiphertextBlob } = (await client.send(new EncryptCommand(request))) as KmsEncryptResponse;
      return { KeyId, CiphertextBlob };
    },
    async decrypt(request: KmsDecryptRequest): Promise<KmsDecryptResponse> {
      const { KeyId, Plaintext } = (await client.send(new DecryptCommand(request))) as KmsDecryptResponse;
      return { KeyId, Plaintext };
    },
  };
}
