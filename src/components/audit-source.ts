/**
 * What `<ek-audit-log>` needs from the KMS's audit log (issue 4: `audit.query/export/verify`), as a
 * structural type so this part imports nothing of the KMS's internals. The log is found on the kit
 * (`kit.audit`) when the kit exposes one; until then the element says it is not available rather
 * than showing anything made up.
 */
import type { Kit } from '../client/kit.js';

/** The record members the log view shows (a subset of a CloudTrail record). */
export interface AuditRecordView {
  readonly eventTime: string;
  readonly eventName: string;
  readonly awsRegion: string;
  readonly eventID: string;
  readonly errorCode?: string;
  readonly userIdentity?: { readonly arn?: string; readonly invokedBy?: string };
  readonly resources?: readonly { readonly ARN: string }[];
  readonly chain?: { readonly sequence?: number };
}

/**
 * The filter `<ek-audit-log>` passes to {@link AuditSource.query}: each member given must match
 * (the KMS's `AuditQuery`, narrowed to what the element offers).
 */
export interface AuditFilter {
  region?: string;
  eventName?: string;
  errorCode?: string;
  keyId?: string;
}

/**
 * What `<ek-audit-log>` shows of a verification: whether the log holds, how many records were
 * checked, and the first break.
 */
export interface AuditVerificationView {
  readonly ok: boolean;
  readonly checked: number;
  readonly firstBroken?: { readonly region: string; readonly sequence: number; readonly reason: string };
}

/**
 * The three audit-log calls `<ek-audit-log>` makes (the KMS's `kms.audit` has them);
 * {@link auditOf} finds one on a kit.
 */
export interface AuditSource {
  query(filter?: AuditFilter): Promise<readonly AuditRecordView[]>;
  export(options?: { region?: string }): Promise<string>;
  verify(): Promise<AuditVerificationView>;
}

function isAuditSource(value: unknown): value is AuditSource {
  const v = value as Partial<Record<keyof AuditSource, unknown>> | null | undefined;
  return typeof v?.query === 'function' && typeof v.export === 'function' && typeof v.verify === 'function';
}

/**
 * The kit's audit log, when it has one (`kit.audit` with query, export and verify).
 *
 * @example
 * ```ts
 * const audit = auditOf(kit);
 * if (audit) console.log((await audit.verify()).ok);
 * ```
 */
export function auditOf(kit: Kit | undefined): AuditSource | undefined {
  const candidate = (kit as { audit?: unknown } | undefined)?.audit;
  return isAuditSource(candidate) ? candidate : undefined;
}
