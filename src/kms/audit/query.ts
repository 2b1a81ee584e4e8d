/**
 * `audit.query(filter)`: which records match. Filters combine with AND; an absent filter matches
 * everything. Key filters accept any spelling a KMS caller might have used or a record might hold:
 * a key id matches records naming it as an id or inside any region's key ARN; a key ARN matches only
 * that region's key; an alias name (`alias/x`) or alias ARN matches records naming the alias.
 */
import { isPlainObject } from './canonical-json.js';
import type { AuditRecord } from './hash-chain.js';
import { typeError } from '../../core/arguments.js';

/**
 * A filter of `kms.audit.query`: every member given must match (AND); `{}` matches every record.
 */
export interface AuditQuery {
  /** Only this region's log. */
  region?: string;
  /** Key id, key ARN, alias name or alias ARN. */
  keyId?: string;
  /** An IAM ARN (for a role: the role's ARN or the session's), or a service principal. */
  principal?: string;
  /** An operation (`Decrypt`) or service event (`RotateKey`) name. */
  eventName?: string;
  /** Inclusive bounds on eventTime: a Date, epoch milliseconds, or an ISO 8601 string. */
  from?: Date | number | string;
  to?: Date | number | string;
  /** An AWS exception name, e.g. `AccessDeniedException`. */
  errorCode?: string;
}

/** Record members that can name a key, as CloudTrail spells them. */
const KEY_MEMBERS = ['keyId', 'targetKeyId', 'sourceKeyId', 'destinationKeyId', 'aliasName'] as const;

interface KeyName {
  readonly region: string | undefined;
  /** Key id or `alias/…`. */
  readonly id: string;
}

function keyName(text: string): KeyName {
  const m = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:(key\/(.+)|alias\/.+)$/.exec(text);
  if (!m) return { region: undefined, id: text };
  return { region: m[1], id: m[3] ?? m[2]! };
}

/**
 * A predicate for `filter`, after checking it (TypeError naming the member).
 *
 * @example
 * ```ts
 * const denied = records.filter(matcher({ errorCode: 'AccessDeniedException', from: Date.now() - 3_600_000 }));
 * ```
 */
export function matcher(filter: AuditQuery = {}): (record: AuditRecord) => boolean {
  if (!isPlainObject(filter as unknown)) throw typeError('filter', 'an object');
  for (const member of ['region', 'keyId', 'principal', 'eventName', 'errorCode'] as const) {
    if (filter[member] !== undefined && typeof filter[member] !== 'string') throw typeError(`filter.${member}`, 'a string');
  }
  // eventTime has whole seconds (CloudTrail's format), so a bound inside a second covers all of it.
  const from = filter.from === undefined ? -Infinity : Math.floor(time(filter.from, 'from') / 1000) * 1000;
  const to = filter.to === undefined ? Infinity : time(filter.to, 'to');
  const key = filter.keyId === undefined ? undefined : keyName(filter.keyId);
  return (record) => {
    if (filter.region !== undefined && record.awsRegion !== filter.region) return false;
    if (filter.eventName !== undefined && record.eventName !== filter.eventName) return false;
    if (filter.errorCode !== undefined && record.errorCode !== filter.errorCode) return false;
    if (filter.principal !== undefined && !byPrincipal(record, filter.principal)) return false;
    if (from !== -Infinity || to !== Infinity) {
      const t = Date.parse(record.eventTime);
      if (!(t >= from && t <= to)) return false;
    }
    return key === undefined || keyNames(record).some((name) => name.id === key.id && (key.region === undefined || key.region === (name.region ?? record.awsRegion)));
  };
}

function time(value: Date | number | string, member: string): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : value;
  if (typeof ms !== 'number' || Number.isNaN(ms)) throw typeError(`filter.${member}`, 'a Date, epoch milliseconds or an ISO 8601 string');
  return ms;
}

function byPrincipal(record: AuditRecord, principal: string): boolean {
  const identity = record.userIdentity;
  return identity.arn === principal || identity.sessionContext?.sessionIssuer.arn === principal || (identity.type === 'AWSService' && identity.invokedBy === principal);
}

/** Every key or alias a record names: its parameters, its resources, its returned metadata. */
function keyNames(record: AuditRecord): KeyName[] {
  const texts: unknown[] = [];
  const params = record.requestParameters;
  if (params) for (const member of KEY_MEMBERS) texts.push(params[member]);
  for (const resource of record.resources) texts.push(resource.ARN);
  const response = record.responseElements;
  if (response) {
    texts.push(response.keyId);
    for (const member of ['keyMetadata', 'replicaKeyMetadata']) {
      const metadata = response[member];
      if (isPlainObject(metadata)) texts.push(metadata.keyId, metadata.arn);
    }
  }
  texts.push(record.serviceEventDetails?.keyId);
  return texts.filter((t): t is string => typeof t === 'string').map(keyName);
}
