/**
 * The backup file: an AWS Encryption SDK message (the kit's own core, default suite 0x0578:
 * committing, signed) whose one data key is wrapped by a raw AES keyring over a passphrase-derived
 * key. Any ESDK opens it given that key; the header's encryption context says, in plain text, what
 * the file is and how to derive the key:
 *
 * | pair              | value                                          |
 * | ----------------- | ---------------------------------------------- |
 * | `kit`             | `envelope-kit`                                 |
 * | `format`          | `key-store-backup`                             |
 * | `format-version`  | `1`                                            |
 * | `created`         | ISO 8601 UTC time of the backup                |
 * | `kdf`             | `argon2id` or `pbkdf2-sha256`                  |
 * | `kdf-memory-kib`, `kdf-iterations`, `kdf-parallelism`, `kdf-salt` | the KDF's parameters, salt in base64 |
 *
 * The raw AES keyring's key namespace is `envelope-kit`, its key name `key-store-backup`.
 *
 * Opening checks, in order, so each failure has its own code and nothing is derived for nothing:
 * the header parses (else BACKUP_DAMAGED), names this format (else BACKUP_DAMAGED) at a version we
 * read (else BACKUP_TOO_NEW), with KDF parameters we accept (else BACKUP_DAMAGED); then the key
 * is derived and the message decrypted: no keyring can unwrap the data key means the passphrase is
 * wrong (WRONG_PASSPHRASE; an altered salt or parameter looks the same, and is as harmless), any
 * other failure (a tag, the signature, a missing frame) means the file was altered or cut.
 */
import { decrypt } from '../../core/decrypt.js';
import { encrypt } from '../../core/encrypt.js';
import { EnvelopeError, ErrorCode } from '../../core/errors.js';
import { parseHeader } from '../../core/header.js';
import { RawAesKeyring } from '../../core/raw-aes-keyring.js';
import { zero } from '../../core/bytes.js';
import type { Bytes, EncryptionContext } from '../../core/types.js';
import { KitError, KitErrorCode } from '../../client/errors.js';
import { deriveKeyBytes, kdfFromPairs, kdfToPairs, type KdfParameters } from './passphrase-kdf.js';

export const BACKUP_KIT = 'envelope-kit';
export const BACKUP_FORMAT = 'key-store-backup';
/** The format version this kit writes and the newest it reads. */
export const BACKUP_FORMAT_VERSION = 1;
/** The raw AES keyring's names in every backup (the ESDK's provider id and key name). */
export const BACKUP_KEY_NAMESPACE = 'envelope-kit';
export const BACKUP_KEY_NAME = 'key-store-backup';

/**
 * The raw AES keyring that wraps a backup's data key: `keyBytes` are the passphrase-derived bytes
 * (copied by the keyring and zeroed there; the caller zeroes its own).
 *
 * @example
 * ```ts
 * const keyring = backupKeyring(await deriveKeyBytes(passphrase, params));
 * ```
 */
export function backupKeyring(keyBytes: Bytes): RawAesKeyring {
  return new RawAesKeyring({ keyNamespace: BACKUP_KEY_NAMESPACE, keyName: BACKUP_KEY_NAME, wrappingKey: keyBytes });
}

/**
 * Encrypts `payload` into a backup file.
 *
 * @example
 * ```ts
 * const file = await sealBackup(payload, { passphrase, kdf: newKdfParameters(), createdAt: Date.now() });
 * ```
 */
export async function sealBackup(payload: Bytes, options: { passphrase: string; kdf: KdfParameters; createdAt: number }): Promise<Bytes> {
  const encryptionContext: EncryptionContext = {
    kit: BACKUP_KIT,
    format: BACKUP_FORMAT,
    'format-version': String(BACKUP_FORMAT_VERSION),
    created: new Date(options.createdAt).toISOString(),
    ...kdfToPairs(options.kdf),
  };
  const keyBytes = await deriveKeyBytes(options.passphrase, options.kdf);
  try {
    const { ciphertext } = await encrypt(backupKeyring(keyBytes), payload, { encryptionContext });
    return ciphertext;
  } finally {
    zero(keyBytes);
  }
}

/** What a backup file's header says, read before anything is derived. */
export interface BackupHeader {
  readonly version: number;
  readonly createdAt: string;
  readonly kdf: KdfParameters;
  readonly encryptionContext: EncryptionContext;
}

const damaged = (why: string, cause?: unknown) =>
  new KitError(KitErrorCode.BACKUP_DAMAGED, `the backup file is damaged or not a backup: ${why}. Nothing was changed.`, cause === undefined ? undefined : { cause });

/**
 * Reads and checks a backup file's header (no passphrase needed).
 *
 * @example
 * ```ts
 * const { version, kdf, createdAt } = readBackupHeader(bytes);
 * ```
 */
export function readBackupHeader(file: Bytes): BackupHeader {
  let parsed;
  try {
    parsed = parseHeader(file);
  } catch (cause) {
    throw damaged('its header is not an AWS Encryption SDK message header', cause);
  }
  if (!parsed) throw damaged('it ends inside its header (truncated)');
  const context = parsed.encryptionContext;
  if (context.kit !== BACKUP_KIT || context.format !== BACKUP_FORMAT) throw damaged('its encryption context does not name an envelope-kit key-store backup');
  const versionText = context['format-version'] ?? '';
  if (!/^[1-9]\d{0,5}$/.test(versionText)) throw damaged('its format version is missing or malformed');
  const version = Number(versionText);
  if (version > BACKUP_FORMAT_VERSION) {
    throw new KitError(KitErrorCode.BACKUP_TOO_NEW, `the backup file has format version ${version}; this kit reads up to version ${BACKUP_FORMAT_VERSION}. Restore it with a newer envelope-kit. Nothing was changed.`);
  }
  const kdf = kdfFromPairs(context);
  if (!kdf) throw damaged('its key derivation parameters are missing, malformed, or weaker than the kit accepts');
  return { version, createdAt: context.created ?? '', kdf, encryptionContext: context };
}

/**
 * Decrypts a backup file: its payload bytes (the caller zeroes them) and its header.
 *
 * @example
 * ```ts
 * const { payload } = await openBackup(bytes, passphrase);
 * ```
 */
export async function openBackup(file: Bytes, passphrase: string): Promise<{ payload: Bytes; header: BackupHeader }> {
  const header = readBackupHeader(file);
  const keyBytes = await deriveKeyBytes(passphrase, header.kdf);
  try {
    // The context read above must be the one authenticated: required back on decrypt.
    const { plaintext } = await decrypt(backupKeyring(keyBytes), file, { encryptionContext: header.encryptionContext });
    return { payload: plaintext, header };
  } catch (error) {
    if (error instanceof EnvelopeError && error.code === ErrorCode.NO_DECRYPTING_KEYRING) {
      throw new KitError(KitErrorCode.WRONG_PASSPHRASE, 'the passphrase does not open this backup file (or the key derivation parameters in its header were altered). Nothing was changed.');
    }
    throw damaged(error instanceof EnvelopeError ? `${error.code}: ${error.message}` : 'it did not decrypt', error);
  } finally {
    zero(keyBytes);
  }
}
