/**
 * `kit.backup` / `kit.restore` in the worker: the KMS's own backup (src/kms/backup/) with the kit's
 * branch key records attached.
 *
 * Branch key records are KMS ciphertexts (their `enc`) bound to the kit's logical key store name,
 * `<kit name>:branch-keys` (protocol.ts, branchKeyStoreNames), through the KMS encryption context's
 * `tablename`. Restored into a kit of another name, they are re-bound with KMS ReEncrypt from the
 * old context to the new one (the same call the branch key store's VersionKey makes), after the
 * KMS keys that wrap them are restored; the message-level wrapping does not name the store, so
 * every earlier message still decrypts.
 */
import { backupKeyStore, restoreKeyStore, type BackupAttachments, type BackupOptions, type RestoreOptions, type RestoreSummary } from '../src/kms/backup/key-store-backup.js';
import { keyStoreParts } from '../src/kms/kms.js';
import type { Kms } from '../src/kms/index.js';
import { KitError, KitErrorCode } from '../src/client/errors.js';
import type { KitBranchKeys } from './kit-branch-keys.js';
import { branchKeyRecordContext as recordContext, checkBranchKeyRecord as checkRecord, parseKmsKeyArn, typeError, type BranchKeyRecord } from '../src/core/index.js';

interface KitParts {
  readonly kms: Kms;
  readonly branchKeys: KitBranchKeys;
  readonly regionClient: (region: string) => ReturnType<Kms['region']>;
}

/** The whole kit as one encrypted file. */
export async function backupKit(kit: KitParts, options: BackupOptions): Promise<Blob> {
  const branchKeys = await kit.branchKeys.allRecords();
  return backupKeyStore(keyStoreParts(kit.kms), options, { branchKeys, branchKeyStoreName: kit.branchKeys.logicalName });
}

/** Restores a {@link backupKit} (or `kms.backup`) file into the kit; see key-store-backup.ts for what is checked first. */
export async function restoreKit(kit: KitParts, file: Blob | Uint8Array, options: RestoreOptions): Promise<RestoreSummary> {
  const recordsOf = (attachments: BackupAttachments) => (attachments.branchKeys ?? []).map((r, i) => checkRecord(r, `backup branch key record ${i}`));
  return restoreKeyStore(keyStoreParts(kit.kms), file, options, {
    isEmpty: async () => (await kit.branchKeys.allRecords()).length === 0,
    check: (attachments) => {
      try {
        if (attachments.branchKeys !== undefined && !Array.isArray(attachments.branchKeys)) throw typeError('attachments.branchKeys', 'a list');
        recordsOf(attachments);
      } catch (cause) {
        throw new KitError(KitErrorCode.BACKUP_DAMAGED, 'the backup file is damaged: a branch key record is malformed. Nothing was changed.', { cause });
      }
    },
    write: async (attachments) => {
      let records = recordsOf(attachments);
      const from = attachments.branchKeyStoreName;
      const to = kit.branchKeys.logicalName;
      if (from !== undefined && from !== to) records = await Promise.all(records.map((r) => rebind(kit, r, from, to)));
      await kit.branchKeys.replaceRecords(records);
      return records.length;
    },
  });
}

/** One record's `enc` re-encrypted from logical store `from` to `to` (module comment). */
async function rebind(kit: KitParts, record: BranchKeyRecord, from: string, to: string): Promise<BranchKeyRecord> {
  const arn = record['kms-arn'];
  const region = parseKmsKeyArn(arn)?.region;
  if (!region) throw new KitError(KitErrorCode.BACKUP_DAMAGED, `a branch key record names ${JSON.stringify(arn)}, not a KMS key ARN`);
  const { CiphertextBlob } = await kit.regionClient(region).reEncrypt({
    CiphertextBlob: record.enc as Uint8Array<ArrayBuffer>,
    SourceKeyId: arn,
    SourceEncryptionContext: recordContext(record, from),
    DestinationKeyId: arn,
    DestinationEncryptionContext: recordContext(record, to),
  });
  return { ...record, enc: CiphertextBlob };
}
