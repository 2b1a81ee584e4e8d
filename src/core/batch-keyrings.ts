/**
 * The batch side of a keyring: what `encryptMany` and `decryptMany` ask of a keyring that can serve
 * many messages with one encryption context more cheaply than one `onEncrypt`/`onDecrypt` each
 * (the hierarchical keyring). A keyring without these is called once per message.
 */
import type { Bytes, EncryptedDataKey, EncryptionContext } from './types.js';
import type { AlgorithmSuite } from './suites.js';

/**
 * A keyring that can serve a batch of messages with one encryption context more cheaply than one
 * `onEncrypt` per message (HierarchicalKeyring): `encryptMany` asks it once per batch for a
 * {@link DataKeyWrapper} and wraps every message's own fresh data key with it. A keyring that has
 * this must give each `wrap` exactly the encrypted data key its `onEncrypt` would have made for
 * materials with that data key and context (only the random salt and IV differ).
 */
export interface BatchEncryptingKeyring {
  dataKeyWrapper(encryptionContext: EncryptionContext, suite: AlgorithmSuite): Promise<DataKeyWrapper>;
}

/** Wraps data keys for one batch: one encrypted data key per call, of a fixed shape. */
export interface DataKeyWrapper {
  readonly providerId: string;
  readonly providerInfo: Bytes;
  /** Length of every EDK ciphertext `wrap` writes. */
  readonly ciphertextLength: number;
  /**
   * Wraps `dataKey` and writes the EDK ciphertext into `out` at `offset`. The caller leaves
   * `dataKey` intact until this settles and zeroes it afterwards.
   */
  wrap(dataKey: Bytes, out: Uint8Array, offset: number): Promise<void>;
}

/**
 * A keyring that can hand a batch's data keys straight to the key derivation: `decryptMany` asks
 * it once per batch for a {@link DataKeyUnwrapper}. The data key is unwrapped into a
 * non-extractable HKDF CryptoKey (WebCrypto `unwrapKey`), so its bytes never reach JavaScript.
 */
export interface BatchDecryptingKeyring {
  dataKeyUnwrapper(): DataKeyUnwrapper;
}

/** Unwraps data keys for one batch of messages. */
export interface DataKeyUnwrapper {
  /**
   * The data key of one message as a non-extractable HKDF key (usages deriveKey, deriveBits), from
   * the first of `encryptedDataKeys` this keyring can decrypt with `encryptionContext` (the
   * message's context plus the caller's required-only pairs); undefined when it can decrypt none.
   * The caller then runs the keyring's `onDecrypt` on the message, whose error says why.
   * `encryptionContext` is frozen and is the same object for messages with the same context.
   */
  derivationKey(suite: AlgorithmSuite, encryptedDataKeys: readonly EncryptedDataKey[], encryptionContext: EncryptionContext): Promise<CryptoKey | undefined>;
}
