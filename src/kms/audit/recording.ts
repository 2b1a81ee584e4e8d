/**
 * Between the KMS and its audit log (audit/): turns each call's outcome, or a service event, into
 * one {@link AuditLog.record} and awaits it, so a call's record is stored before its result is
 * returned (the log batches concurrent appends into one transaction: audit/region-writer.ts). The
 * access decisions go into the record's `explanation`; what the request and response may show is
 * the audit module's allow-list, never ours, so no plaintext or key byte can reach a record.
 */
import type { CallDecision } from '../requests/call-context.js';
import type { CallOutcome } from './call-record.js';
import { decodeGrantToken } from '../policy/grant-tokens.js';
import { AuditLog, IndexedDbAuditStorage, MemoryAuditStorage, type AuditQuery, type AuditRecord, type AuditVerification, type JsonValue, type VerifyOptions } from './index.js';

/**
 * The audit log as `kms.audit`: CloudTrail-shaped, hash-chained records of every call and service event.
 *
 * @example
 * ```ts
 * const denied = await kms.audit.query({ errorCode: 'AccessDeniedException' });
 * const text = await kms.audit.export({ region: 'us-east-1' });
 * (await kms.audit.verify(text)).ok; // true
 * ```
 */
export interface KmsAudit {
  query(filter?: AuditQuery): Promise<AuditRecord[]>;
  export(options?: { region?: string }): Promise<string>;
  verify(text?: string, options?: VerifyOptions): Promise<AuditVerification>;
  /**
   * Resolves once every record stored so far is chained and committed. Never needed for
   * correctness (a call's record is stored before the call returns, and query, export and verify
   * flush first); useful to measure or to wait for quiet storage.
   */
  flush(): Promise<void>;
}

/** The audit storage of a Kms: `<name>:<account>` (IndexedDB databases `<name>:<account>-audit-<region>`). */
export function auditStorage(storage: 'indexeddb' | 'memory', name: string, account: string, durability: 'default' | 'strict' = 'default'): MemoryAuditStorage | IndexedDbAuditStorage {
  // 'default': the browser's default durability for transactions ("relaxed" in Chromium since 121,
  // in Firefox and in Safari), and the write-ahead journal where it can be kept (journal.ts), which
  // is as durable. 'strict': flushed transactions and no journal.
  return storage === 'memory' ? new MemoryAuditStorage(`${name}:${account}`) : new IndexedDbAuditStorage(`${name}:${account}`, { durability });
}

/** Deletes a Kms's audit log. */
export async function deleteAuditStorage(storage: 'indexeddb' | 'memory', name: string, account: string, regions: readonly string[]): Promise<void> {
  if (storage === 'memory') MemoryAuditStorage.forget(`${name}:${account}\u0000`);
  else await new IndexedDbAuditStorage(`${name}:${account}`).delete(regions);
}

/** A decision as the record's explanation: plain JSON, the reason first. */
function explanation(decisions: readonly CallDecision[]): JsonValue | undefined {
  if (decisions.length === 0) return undefined;
  return {
    decisions: decisions.map(({ action, resource, decision }) => {
      const out: Record<string, JsonValue> = { action, resource, outcome: decision.outcome, reason: decision.reason };
      // Copied member by member (strings and numbers; an absent optional member is left out, as
      // JSON would): a JSON.stringify/parse round trip per match cost more than the rest of the record.
      if (decision.matched.length > 0) out.matched = decision.matched.map(plainMatch);
      if (decision.denied) out.denied = plainMatch(decision.denied);
      return out;
    }),
  };
}

/** A DecisionMatch (and a denial's policyType) as plain JSON without undefined members. */
function plainMatch(match: object): JsonValue {
  const out: Record<string, JsonValue> = {};
  for (const key in match) {
    const value = (match as Record<string, unknown>)[key];
    if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) out[key] = value;
    else if (value !== undefined) out[key] = JSON.parse(JSON.stringify(value)) as JsonValue;
  }
  return out;
}

/** RetireGrant's record names the grant, never the token (CloudTrail's additionalEventData.grantId). */
function retiredGrantId(request: unknown): string | undefined {
  const r = request as { GrantId?: unknown; GrantToken?: unknown } | undefined;
  if (typeof r?.GrantId === 'string') return r.GrantId;
  return typeof r?.GrantToken === 'string' ? decodeGrantToken(r.GrantToken)?.grantId : undefined;
}

/** Writes one outcome to the log; resolves once it is stored (AuditLog.store: journaled, or committed). */
export async function recordOutcome(audit: AuditLog, account: string, outcome: CallOutcome): Promise<void> {
  const { event } = outcome;
  const explained = explanation(outcome.decisions ?? []);
  const grantId = event.eventName === 'RetireGrant' ? retiredGrantId(outcome.request) : undefined;
  await audit.store({
    eventName: event.eventName,
    region: event.awsRegion,
    account,
    time: event.eventTime,
    resources: event.resources,
    ...(event.principal !== undefined ? { principal: event.principal } : {}),
    ...(event.eventType ? { eventType: event.eventType } : {}),
    ...(outcome.viaService !== undefined ? { viaService: outcome.viaService } : {}),
    ...('request' in outcome ? { request: outcome.request } : {}),
    ...(outcome.error !== undefined ? { error: outcome.error } : 'response' in outcome ? { response: outcome.response } : {}),
    ...(explained !== undefined ? { explanation: explained as { [key: string]: JsonValue } } : {}),
    ...(grantId !== undefined ? { additionalEventData: { grantId } } : {}),
  });
}

export { AuditLog };
