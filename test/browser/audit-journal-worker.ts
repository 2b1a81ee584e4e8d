/**
 * A worker for the audit-journal tests (kms-audit-journal.test.ts): it stores records the way the
 * KMS does (AuditLog.store, or real KMS calls), answers as soon as the last one is stored, and is
 * then terminated by the page, with whatever has not been committed yet still in flight: a crash.
 */
import { AuditLog, IndexedDbAuditStorage } from '../../src/kms/audit/index.js';
import { journalSupported } from '../../src/kms/audit/journal.js';
import { createKms } from '../../src/kms/index.js';

const ACCOUNT = '111122223333';

interface LogCommand {
  cmd: 'log';
  name: string;
  region: string;
  count: number;
  principal: string;
  durability?: 'strict';
}

interface KmsCommand {
  cmd: 'kms';
  name: string;
  region: string;
  count: number;
}

onmessage = async ({ data }: MessageEvent<LogCommand | KmsCommand>) => {
  try {
    if (data.cmd === 'log') {
      const storage = new IndexedDbAuditStorage(data.name, data.durability ? { durability: data.durability } : {});
      const log = await AuditLog.open({ storage, account: ACCOUNT, regions: [data.region] });
      for (let i = 0; i < data.count; i++) {
        await log.store({ eventName: 'ListKeys', region: data.region, account: ACCOUNT, time: Date.now(), principal: data.principal, request: { Limit: 1 + (i % 100) } });
      }
      postMessage({ supported: journalSupported(), stats: log.stats(data.region) });
    } else {
      const kms = await createKms({ storage: 'indexeddb', name: data.name, regions: [data.region] });
      const client = kms.region(data.region);
      const { KeyMetadata } = await client.createKey({ Description: 'journal test' });
      for (let i = 0; i < data.count; i++) {
        await client.generateDataKey({ KeyId: KeyMetadata.KeyId, NumberOfBytes: 32, EncryptionContext: { record: String(i) } });
      }
      postMessage({ supported: journalSupported(), keyId: KeyMetadata.KeyId });
    }
  } catch (error) {
    postMessage({ error: String((error as Error)?.stack ?? error) });
  }
};

postMessage('ready');
