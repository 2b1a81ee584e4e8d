/**
 * One audit record per KMS call or service event, shaped like the CloudTrail records AWS KMS writes
 * (AWS KMS developer guide, "Logging AWS KMS API calls with AWS CloudTrail", and its ct-*.md
 * examples), built by {@link buildAuditEvent} from what the KMS's call pipeline has at hand: the
 * operation, the request, the response or error, the principal, the region, the time.
 *
 * What may appear is decided by the allow-list in record-shapes.ts, never by the request: a member
 * that is not listed for the operation, or has an unexpected type, is dropped. Records therefore
 * hold names, ids, encryption contexts, policies and outcomes, and never plaintext, ciphertext, key
 * material, signatures, MACs, import tokens or grant tokens.
 */
import { isPlainObject, type JsonValue } from './canonical-json.js';
import { OPERATION_SHAPES, project, type ObjectShape } from './record-shapes.js';
import { serviceHost, userIdentity } from './user-identity.js';
import { randomUuid } from './uuid.js';
import { typeError } from '../../core/arguments.js';

/** CloudTrail's record version whose fields these records use (eventCategory arrived in 1.08). */
export const EVENT_VERSION = '1.08';
/** `sourceIPAddress` and `userAgent` of calls made directly through the kit's KMS client. */
export const KIT_SOURCE = 'envelope-kit';
/** What CloudTrail writes where AWS itself acted. */
export const AWS_INTERNAL = 'AWS Internal';

/** Events AWS KMS logs as AwsServiceEvent (ct-rotatekey.md, ct-delete-key.md, ct-deleteexpiredkeymaterial.md). */
export const SERVICE_EVENTS: ReadonlySet<string> = new Set(['RotateKey', 'DeleteKey', 'DeleteExpiredKeyMaterial']);

export interface SessionIssuer {
  type: 'Role';
  principalId: string;
  arn: string;
  accountId: string;
  userName: string;
}

export interface UserIdentity {
  /** Absent for AWS's own service events, whose identity is `{ accountId, invokedBy: 'AWS Internal' }`. */
  type?: 'Root' | 'IAMUser' | 'AssumedRole' | 'AWSService' | 'Unknown';
  principalId?: string;
  arn?: string;
  accountId?: string;
  userName?: string;
  invokedBy?: string;
  sessionContext?: { sessionIssuer: SessionIssuer };
}

export interface AuditResource {
  accountId: string;
  /** CloudTrail types alias ARNs as AWS::KMS::Key too (ct-createalias.md). */
  type: 'AWS::KMS::Key';
  ARN: string;
}

/** The authorization decision behind a call (ours, not CloudTrail's): a sentence or a small JSON object. */
export type AuditExplanation = string | { readonly [key: string]: JsonValue };

/** A CloudTrail-shaped KMS record, before it is chained (hash-chain.ts adds `chain`). */
export interface AuditEvent {
  eventVersion: string;
  userIdentity: UserIdentity;
  /** ISO 8601 UTC to the second, as CloudTrail writes it: `2025-05-20T20:46:16Z`. */
  eventTime: string;
  eventSource: 'kms.amazonaws.com';
  eventName: string;
  awsRegion: string;
  sourceIPAddress: string;
  userAgent: string;
  errorCode?: string;
  errorMessage?: string;
  requestParameters: { [member: string]: JsonValue } | null;
  responseElements: { [member: string]: JsonValue } | null;
  additionalEventData?: { [member: string]: JsonValue };
  /** Absent on service events, as in CloudTrail. */
  requestID?: string;
  eventID: string;
  readOnly: boolean;
  resources: AuditResource[];
  eventType: 'AwsApiCall' | 'AwsServiceEvent';
  managementEvent: true;
  recipientAccountId: string;
  eventCategory: 'Management';
  serviceEventDetails?: { [member: string]: JsonValue };
  explanation?: AuditExplanation;
}

export interface AuditEventInput {
  /** The AWS operation name (`Encrypt`) or service event name (`RotateKey`). */
  eventName: string;
  region: string;
  /** The 12-digit account that owns the KMS. */
  account: string;
  /** Epoch milliseconds or a Date (the KMS's injected clock). */
  time: number | Date;
  /** The caller's IAM ARN or service principal; undefined for AWS's own events. */
  principal?: string;
  /** A service calling on the principal's behalf, e.g. `inspector2.us-east-1.amazonaws.com`. */
  viaService?: string;
  /** The request as the client received it (binary members and all: the allow-list filters it). */
  request?: unknown;
  /** The response, when the call succeeded. */
  response?: unknown;
  /** The error, when it failed: its `code` (or `name`) and `message` are logged. */
  error?: unknown;
  /** Key (and alias) ARNs the call touched, in the order it resolved them. */
  resources?: readonly string[];
  explanation?: AuditExplanation;
  /** Default: AwsServiceEvent for {@link SERVICE_EVENTS} without a principal, else AwsApiCall. */
  eventType?: 'AwsApiCall' | 'AwsServiceEvent';
  /** Ids the response does not carry (Encrypt's key material id, RetireGrant's grant id). */
  additionalEventData?: { keyMaterialId?: string; grantId?: string; customKeyStoreId?: string };
  requestId?: string;
  eventId?: string;
  userAgent?: string;
}

const ADDITIONAL_INPUT: ObjectShape = { keyMaterialId: 'string', grantId: 'string', customKeyStoreId: 'string' };
/** Error messages are AWS's sentences; a bound keeps a runaway `cause` message out of the log. */
const MAX_ERROR_MESSAGE = 1024;
const ARN = /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12})?:/;

/**
 * Builds the CloudTrail-shaped record of one call or service event.
 *
 * @example
 * ```ts
 * const event = buildAuditEvent({
 *   eventName: 'Encrypt',
 *   region: 'us-east-1',
 *   account: '111122223333',
 *   time: Date.now(),
 *   principal: 'arn:aws:iam::111122223333:user/alice',
 *   request: { KeyId: keyArn, Plaintext: bytes, EncryptionContext: { purpose: 'test' } },
 *   response: { KeyId: keyArn, CiphertextBlob: blob, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' },
 *   resources: [keyArn],
 * });
 * event.requestParameters; // { keyId: keyArn, encryptionContext: { purpose: 'test' } } — no plaintext
 * event.responseElements; // null, as CloudTrail logs cryptographic operations
 * ```
 */
export function buildAuditEvent(input: AuditEventInput): AuditEvent {
  checkInput(input);
  const shape = OPERATION_SHAPES[input.eventName];
  const serviceEvent = input.eventType === 'AwsServiceEvent' || (input.eventType === undefined && input.principal === undefined && SERVICE_EVENTS.has(input.eventName));
  const failed = input.error !== undefined;
  const viaService = input.viaService !== undefined && input.principal !== undefined;

  const event: AuditEvent = {
    eventVersion: EVENT_VERSION,
    userIdentity: userIdentity(input.principal, input.account, input.viaService),
    eventTime: eventTime(input.time),
    eventSource: 'kms.amazonaws.com',
    eventName: input.eventName,
    awsRegion: input.region,
    // A service calling on a principal's behalf appears as that service's host, as CloudTrail shows
    // a call Secrets Manager made for a user (sourceIPAddress and userAgent secretsmanager.amazonaws.com).
    sourceIPAddress: input.principal === undefined ? AWS_INTERNAL : viaService ? serviceHost(input.viaService!) : KIT_SOURCE,
    userAgent: input.userAgent ?? (input.principal === undefined ? AWS_INTERNAL : viaService ? serviceHost(input.viaService!) : KIT_SOURCE),
    requestParameters: null,
    responseElements: null,
    eventID: input.eventId ?? randomUuid(),
    readOnly: shape?.readOnly ?? false,
    resources: resources(input.resources, input.account),
    eventType: serviceEvent ? 'AwsServiceEvent' : 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: input.account,
    eventCategory: 'Management',
  };
  if (failed) {
    const { code, message } = errorFields(input.error);
    event.errorCode = code;
    if (message) event.errorMessage = message;
  }
  if (!serviceEvent) {
    event.requestParameters = nonEmpty(shape && project(input.request, shape.request));
    if (!failed && shape?.response) event.responseElements = nonEmpty(project(input.response, shape.response));
    event.requestID = input.requestId ?? randomUuid();
  } else if (event.resources.length === 1) {
    event.serviceEventDetails = { keyId: keyIdOf(event.resources[0]!.ARN) };
  }
  const additional = {
    ...(!failed && shape?.additional ? (project(input.response, shape.additional) as object | undefined) : undefined),
    ...(input.eventName === 'RetireGrant' ? (project(input.request, { GrantId: 'string' }) as object | undefined) : undefined),
    ...(project(input.additionalEventData, ADDITIONAL_INPUT) as object | undefined),
  } as Record<string, JsonValue>;
  if (Object.keys(additional).length > 0) event.additionalEventData = additional;
  const explanation = explanationOf(input.explanation);
  if (explanation !== undefined) event.explanation = explanation;
  return event;
}

function checkInput(input: AuditEventInput): void {
  if (!isPlainObject(input)) throw typeError('input', 'an object with eventName, region, account and time');
  for (const name of ['eventName', 'region', 'account'] as const) {
    if (typeof input[name] !== 'string' || input[name].length === 0) throw typeError(`input.${name}`, 'a non-empty string');
  }
  if (input.principal !== undefined && typeof input.principal !== 'string') throw typeError('input.principal', 'a string (an IAM ARN or a service principal)');
}

/**
 * CloudTrail's eventTime: ISO 8601 UTC without milliseconds.
 *
 * @example
 * ```ts
 * eventTime(Date.UTC(2025, 4, 20, 20, 46, 16, 789)); // '2025-05-20T20:46:16Z'
 * ```
 */
export function eventTime(time: number | Date): string {
  const ms = time instanceof Date ? time.getTime() : time;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) throw typeError('input.time', 'epoch milliseconds or a valid Date');
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function resources(arns: readonly string[] | undefined, account: string): AuditResource[] {
  const out: AuditResource[] = [];
  for (const arn of arns ?? []) {
    const m = typeof arn === 'string' ? ARN.exec(arn) : null;
    if (m && !out.some((r) => r.ARN === arn)) out.push({ accountId: m[1] ?? account, type: 'AWS::KMS::Key', ARN: arn });
  }
  return out;
}

function errorFields(error: unknown): { code: string; message?: string } {
  const e = (error ?? {}) as { code?: unknown; name?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : typeof e.name === 'string' ? e.name : 'KMSInternalException';
  const message = typeof e.message === 'string' ? e.message.slice(0, MAX_ERROR_MESSAGE) : undefined;
  return message ? { code, message } : { code };
}

function nonEmpty(value: JsonValue | undefined): { [member: string]: JsonValue } | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0 ? (value as { [member: string]: JsonValue }) : null;
}

/**
 * The key id at the end of a key ARN (`…:key/<id>`), or the text itself.
 *
 * @example
 * ```ts
 * keyIdOf('arn:aws:kms:us-east-1:111122223333:key/mrk-1234'); // 'mrk-1234'
 * ```
 */
export function keyIdOf(arnOrId: string): string {
  const at = arnOrId.indexOf(':key/');
  return at >= 0 ? arnOrId.slice(at + 5) : arnOrId;
}

/** Explanations are JSON data; anything binary or exotic in them is dropped, not logged. */
function explanationOf(value: unknown): AuditExplanation | undefined {
  const json = jsonOnly(value);
  return typeof json === 'string' || (json !== null && typeof json === 'object' && !Array.isArray(json)) ? (json as AuditExplanation) : undefined;
}

function jsonOnly(value: unknown): JsonValue | undefined {
  if (typeof value === 'string' || typeof value === 'boolean' || value === null) return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (Array.isArray(value)) return value.map(jsonOnly).filter((v): v is JsonValue => v !== undefined);
  if (!isPlainObject(value)) return undefined;
  const out: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(value)) {
    const json = jsonOnly(v);
    if (json !== undefined) out[k] = json;
  }
  return out;
}
