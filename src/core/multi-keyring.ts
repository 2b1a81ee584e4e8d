/**
 * The multi-keyring (spec: framework/multi-keyring.md): a generator makes the data key, every child
 * wraps it too; on decrypt the first keyring that unwraps wins.
 */
import type { DecryptionMaterials, EncryptedDataKey, EncryptionMaterials, Keyring } from './types.js';
import { EnvelopeError, ErrorCode, typeError } from './errors.js';

/** Options of {@link MultiKeyring}: a generator, children, or both (at least one). */
export interface MultiKeyringOptions {
  /**
   * Generates the data key on encrypt (and wraps it); needed to encrypt unless the materials
   * already hold a data key.
   */
  readonly generator?: Keyring;
  /** Each wraps the data key too; on decrypt, tried in order after the generator. */
  readonly children?: readonly Keyring[];
}

function isKeyring(value: unknown): value is Keyring {
  return typeof (value as Keyring)?.onEncrypt === 'function' && typeof (value as Keyring)?.onDecrypt === 'function';
}

/**
 * Combines keyrings so one message can be decrypted by any of them: the generator makes the data
 * key and wraps it, each child wraps the same key too. On decrypt the generator, then each child,
 * is tried until one unwraps.
 *
 * @throws TypeError (`code: 'INVALID_ARGUMENT'`) from the constructor: a generator or child that is
 *   not a keyring, or neither given.
 * @throws {@link EnvelopeError} `KEYRING_FAILURE` on encrypt without a generator (and no data key
 *   yet).
 *
 * @example
 * ```ts
 * import { encrypt, decrypt, MultiKeyring, RawAesKeyring } from 'envelope-kit/core';
 * const primary = new RawAesKeyring({ keyNamespace: 'my-app', keyName: 'primary', wrappingKey: crypto.getRandomValues(new Uint8Array(32)) });
 * const escrow = new RawAesKeyring({ keyNamespace: 'my-app', keyName: 'escrow', wrappingKey: crypto.getRandomValues(new Uint8Array(32)) });
 * const keyring = new MultiKeyring({ generator: primary, children: [escrow] });
 * const { ciphertext, header } = await encrypt(keyring, new TextEncoder().encode('hello'));
 * // One data key, wrapped twice: either keyring alone decrypts.
 * const { plaintext } = await decrypt(escrow, ciphertext);
 * if (header.encryptedDataKeys.length !== 2 || new TextDecoder().decode(plaintext) !== 'hello') throw new Error('multi-keyring round trip failed');
 * ```
 */
export class MultiKeyring implements Keyring {
  readonly generator?: Keyring;
  readonly children: readonly Keyring[];

  constructor(options: MultiKeyringOptions) {
    if (options === null || typeof options !== 'object') throw typeError('MultiKeyring options', 'an object');
    const { generator, children = [] } = options;
    if (generator !== undefined && !isKeyring(generator)) throw typeError('MultiKeyring options.generator', 'a keyring');
    if (!Array.isArray(children)) throw typeError('MultiKeyring options.children', 'an array of keyrings');
    children.forEach((child, i) => {
      if (!isKeyring(child)) throw typeError(`MultiKeyring options.children[${i}]`, 'a keyring');
    });
    if (!generator && children.length === 0) throw typeError('MultiKeyring options', 'a generator, children or both');
    this.generator = generator;
    this.children = Object.freeze([...children]);
  }

  async onEncrypt(materials: EncryptionMaterials): Promise<EncryptionMaterials> {
    if (this.generator) {
      if (materials.plaintextDataKey) {
        throw new EnvelopeError(ErrorCode.KEYRING_FAILURE, 'MultiKeyring has a generator but the materials already hold a data key');
      }
      await this.generator.onEncrypt(materials);
      if (!materials.plaintextDataKey) throw new EnvelopeError(ErrorCode.KEYRING_FAILURE, 'the MultiKeyring generator produced no data key');
    } else if (!materials.plaintextDataKey) {
      throw new EnvelopeError(ErrorCode.KEYRING_FAILURE, 'MultiKeyring has no generator and the materials hold no data key');
    }
    for (const child of this.children) await child.onEncrypt(materials);
    return materials;
  }

  async onDecrypt(materials: DecryptionMaterials, encryptedDataKeys: readonly EncryptedDataKey[]): Promise<DecryptionMaterials> {
    if (materials.plaintextDataKey) return materials;
    const failures: string[] = [];
    for (const keyring of this.generator ? [this.generator, ...this.children] : this.children) {
      try {
        await keyring.onDecrypt(materials, encryptedDataKeys);
        if (materials.plaintextDataKey) return materials;
      } catch (error) {
        // Keep going: another keyring may succeed (spec: multi-keyring.md#ondecrypt).
        failures.push((error as { code?: string })?.code ?? (error as Error)?.name ?? 'Error');
      }
    }
    if (failures.length > 0) {
      throw new EnvelopeError(ErrorCode.NO_DECRYPTING_KEYRING, `no keyring of the MultiKeyring could decrypt a data key (failures: ${failures.join(', ')})`);
    }
    return materials;
  }
}
