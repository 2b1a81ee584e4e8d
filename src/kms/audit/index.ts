/**
 * The simulated KMS's audit log (issue 4): CloudTrail-shaped records of every call and service
 * event, hash-chained per region, with ECDSA-signed digests, queryable, exportable as JSON Lines and
 * verifiable offline.
 *
 * @example
 * ```ts
 * import { AuditLog, MemoryAuditStorage } from './audit/index.js';
 * const audit = await AuditLog.open({ storage: new MemoryAuditStorage(), account: '111122223333', regions: ['us-east-1'] });
 * await audit.record({ eventName: 'ListKeys', region: 'us-east-1', account: '111122223333', time: Date.now(), principal: 'arn:aws:iam::111122223333:root', request: {} });
 * (await audit.verify()).ok; // true
 * ```
 * @packageDocumentation
 */
export { AuditLog, DEFAULT_DIGEST_EVERY, type AuditLogOptions } from './audit-log.js';
export { verifyAuditExport, EXPORT_FORMAT, EXPORT_VERSION, type ExportHeader, type VerifyOptions } from './audit-export.js';
export {
  buildAuditEvent,
  EVENT_VERSION,
  SERVICE_EVENTS,
  type AuditEvent,
  type AuditEventInput,
  type AuditExplanation,
  type AuditResource,
  type UserIdentity,
} from './cloudtrail-record.js';
export { canonicalJson, type JsonValue } from './canonical-json.js';
export { DIGEST_SIGNATURE_ALGORITHM, digestSignatureValid, type AuditDigest } from './digests.js';
export { GENESIS_HASH, recordHash, type AuditRecord, type ChainLink } from './hash-chain.js';
export { IndexedDbAuditStorage, type IndexedDbAuditOptions } from './indexeddb-storage.js';
export { MemoryAuditStorage } from './memory-storage.js';
export type { AuditQuery } from './query.js';
export type { AuditReceipt } from './region-writer.js';
export { OPERATION_SHAPES } from './record-shapes.js';
export type { AuditHead, AuditRegionStore, AuditStorage } from './storage.js';
export type { AuditVerification, BrokenLink } from './verify.js';
export { AuditIntegrityError, type ExportSeal, type RegionEnd, type SealSignature } from './seal.js';
