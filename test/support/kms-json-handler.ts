/**
 * A request handler for AWS SDK v3 clients that answers AWS KMS's JSON 1.1 protocol from the
 * simulated KMS, with no network: give it to `new KMSClient({ requestHandler })` (or the aggregated
 * `KMS` class) and every SDK call goes through the SDK's real serializer, signer, retry and
 * deserializer, then into the simulated KMS, and back as AWS KMS would encode it.
 *
 * Wire format (AWS KMS API, "Common parameters"; Smithy awsJson1_1 protocol): POST /, header
 * `X-Amz-Target: TrentService.<Operation>`, JSON body with blobs as base64 strings and timestamps as
 * epoch seconds; errors are JSON `{ "__type": "<ExceptionName>", "message": "…" }` with the status
 * code the KMS model gives the exception. Tests only.
 */
import { fromBase64, toBase64 } from '../../src/core/index.js';

/** The parts of the SDK's HttpRequest this handler reads. */
export interface JsonHttpRequest {
  readonly method: string;
  readonly hostname: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: unknown;
}

/** A plain HttpResponse (the SDK checks responses structurally). */
export interface JsonHttpResponse {
  readonly statusCode: number;
  readonly reason?: string;
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
}

/** One decoded call, as the handler saw it (for assertions on the SDK's wire mapping). */
export interface KmsWireCall {
  readonly region: string;
  readonly target: string;
  readonly operation: string;
  /** The JSON body exactly as the SDK sent it (blobs still base64). */
  readonly json: Record<string, unknown>;
  readonly status: number;
  /** The JSON body of the answer (blobs base64, errors with `__type`). */
  readonly answer: Record<string, unknown>;
}

export interface KmsJsonHandler {
  handle(request: JsonHttpRequest, options?: unknown): Promise<{ response: JsonHttpResponse }>;
  /** Every call answered so far, oldest first. */
  readonly calls: KmsWireCall[];
}

/** Input members that are blobs in the KMS model (base64 on the wire). */
const BLOB_MEMBERS = new Set([
  'Plaintext',
  'CiphertextBlob',
  'Message',
  'Signature',
  'Mac',
  'ImportToken',
  'EncryptedKeyMaterial',
  'PublicKey',
  'AttestationDocument',
]);
/** Input members that are timestamps (epoch seconds on the wire). */
const DATE_MEMBERS = new Set(['ValidTo']);

/** The `httpError` codes of the KMS model (@aws-sdk/client-kms schemas); other exceptions are 400. */
const STATUS: Record<string, number> = {
  AlreadyExistsException: 409,
  ConflictException: 409,
  DependencyTimeoutException: 503,
  DisabledException: 409,
  DryRunOperationException: 412,
  KeyUnavailableException: 500,
  KMSInternalException: 500,
  KMSInvalidStateException: 409,
  NotFoundException: 404,
};

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function decodeInput(value: unknown, member?: string): unknown {
  if (typeof value === 'string' && member && BLOB_MEMBERS.has(member)) {
    const bytes = fromBase64(value);
    if (!bytes) throw Object.assign(new Error(`${member} is not valid base64`), { name: 'SerializationException' });
    return bytes;
  }
  if (typeof value === 'number' && member && DATE_MEMBERS.has(member)) return new Date(value * 1000);
  if (Array.isArray(value)) return value.map((v) => decodeInput(v));
  if (value !== null && typeof value === 'object') {
    // EncryptionContext values are strings that must stay strings whatever their key is named.
    if (member === 'EncryptionContext' || member?.endsWith('EncryptionContext')) return { ...value };
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decodeInput(v, k)]));
  }
  return value;
}

function encodeOutput(value: unknown): unknown {
  if (value instanceof Uint8Array) return toBase64(value);
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(encodeOutput);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, encodeOutput(v)]));
  }
  return value;
}

function bodyText(body: unknown): string {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return decoder.decode(body);
  throw new Error(`kms-json-handler: unsupported request body type ${typeof body}`);
}

function header(headers: Record<string, string>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

let requestCounter = 0;

/**
 * Makes the handler. `clientFor(region)` gives the simulated KMS client of the region named by the
 * request's host (`kms.<region>.amazonaws.com`), e.g. `(region) => kms.region(region)`.
 */
export function kmsJsonHandler(clientFor: (region: string) => object): KmsJsonHandler {
  const calls: KmsWireCall[] = [];
  const respond = (statusCode: number, answer: Record<string, unknown>): { response: JsonHttpResponse } => {
    const body = encoder.encode(JSON.stringify(answer));
    const headers: Record<string, string> = {
      'content-type': 'application/x-amz-json-1.1',
      'content-length': String(body.length),
      'x-amzn-requestid': `00000000-0000-4000-8000-${String(++requestCounter).padStart(12, '0')}`,
    };
    return { response: { statusCode, headers, body } };
  };
  return {
    calls,
    async handle(request) {
      const region = /^kms\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(request.hostname)?.[1] ?? '';
      const target = header(request.headers, 'x-amz-target') ?? '';
      const operation = target.startsWith('TrentService.') ? target.slice('TrentService.'.length) : '';
      const json = JSON.parse(bodyText(request.body) || '{}') as Record<string, unknown>;
      let status = 200;
      let answer: Record<string, unknown>;
      try {
        if (request.method !== 'POST' || request.path !== '/') throw Object.assign(new Error('KMS answers POST / only'), { name: 'UnknownOperationException' });
        if (header(request.headers, 'content-type') !== 'application/x-amz-json-1.1') {
          throw Object.assign(new Error('expected Content-Type application/x-amz-json-1.1'), { name: 'SerializationException' });
        }
        const method = operation.charAt(0).toLowerCase() + operation.slice(1);
        const client = clientFor(region) as Record<string, unknown>;
        if (!operation || typeof client[method] !== 'function') {
          throw Object.assign(new Error(`unknown operation ${JSON.stringify(target)}`), { name: 'UnknownOperationException' });
        }
        const output = await (client[method] as (input: unknown) => Promise<unknown>).call(client, decodeInput(json));
        answer = (encodeOutput(output ?? {}) ?? {}) as Record<string, unknown>;
      } catch (error) {
        const { name = 'InternalFailure', message = String(error) } = error as { name?: string; message?: string };
        status = STATUS[name] ?? (name === 'InternalFailure' ? 500 : 400);
        answer = { __type: name, message };
      }
      calls.push({ region, target, operation, json, status, answer });
      return respond(status, answer);
    },
  };
}
