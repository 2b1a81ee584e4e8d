/**
 * Request checks at the API boundary. AWS KMS answers a malformed request with a
 * ValidationException naming the member in camelCase, e.g. "Value at 'keyId' failed to satisfy
 * constraint: Member must not be null"; the simulated KMS does the same, so a wrong type (a string
 * where bytes belong) is a ValidationException too rather than a TypeError: callers branch on the
 * AWS exception name. Limits are those of ../shared/reference/kms-operations.txt.
 */
import { kmsError, validation } from '../errors.js';
import { checkGrantTokens } from '../policy/grant-tokens.js';
import type { EncryptionContextType, Tag } from '../types.js';

const camel = (member: string) => member.charAt(0).toLowerCase() + member.slice(1);

/** The request object itself: AWS clients always send one, even if empty. */
export function requestObject(request: unknown): Record<string, unknown> {
  if (request === undefined) return {};
  if (request === null || typeof request !== 'object' || Array.isArray(request)) {
    throw kmsError('ValidationException', 'The request must be an object of request members.');
  }
  return request as Record<string, unknown>;
}

export function requiredString(value: unknown, member: string, min = 1, max = 2048): string {
  if (value === undefined || value === null) throw validation(camel(member), 'Member must not be null');
  return optionalString(value, member, min, max)!;
}

export function optionalString(value: unknown, member: string, min = 1, max = 2048): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw validation(camel(member), 'Member must be a string');
  if (value.length < min) throw validation(camel(member), `Member must have length greater than or equal to ${min}`);
  if (value.length > max) throw validation(camel(member), `Member must have length less than or equal to ${max}`);
  return value;
}

export function requiredBytes(value: unknown, member: string, min: number, max: number): Uint8Array<ArrayBuffer> {
  if (value === undefined || value === null) throw validation(camel(member), 'Member must not be null');
  if (!(value instanceof Uint8Array)) throw validation(camel(member), 'Member must be a Uint8Array');
  if (value.length < min) throw validation(camel(member), `Member must have length greater than or equal to ${min}`);
  if (value.length > max) throw validation(camel(member), `Member must have length less than or equal to ${max}`);
  // A private copy: the caller may reuse or transfer its buffer while we await.
  return new Uint8Array(value) as Uint8Array<ArrayBuffer>;
}

export function optionalInteger(value: unknown, member: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw validation(camel(member), 'Member must be an integer');
  if (value < min) throw validation(camel(member), `Member must have value greater than or equal to ${min}`, String(value));
  if (value > max) throw validation(camel(member), `Member must have value less than or equal to ${max}`, String(value));
  return value;
}

export function optionalBoolean(value: unknown, member: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw validation(camel(member), 'Member must be a boolean');
  return value;
}

export function optionalDate(value: unknown, member: string): number | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw validation(camel(member), 'Member must be a valid Date');
  return value.getTime();
}

export function optionalEnum<T extends string>(value: unknown, member: string, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw validation(camel(member), `Member must satisfy enum value set: [${allowed.join(', ')}]`, typeof value === 'string' ? value : undefined);
  }
  return value as T;
}

export function requiredEnum<T extends string>(value: unknown, member: string, allowed: readonly T[]): T {
  if (value === undefined || value === null) throw validation(camel(member), 'Member must not be null');
  return optionalEnum(value, member, allowed)!;
}

/** An encryption context: a string-to-string map (AWS caps each key and value by the request size). */
export function optionalContext(value: unknown, member: string): EncryptionContextType | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw validation(camel(member), 'Member must be a map of strings to strings');
  const out: EncryptionContextType = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw validation(camel(member), 'Member must be a map of strings to strings');
    // defineProperty keeps "__proto__" an ordinary key.
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * GrantTokens: 0..10 tokens of 1..8192 characters (ValidationException otherwise), each one a token
 * this KMS issued (InvalidGrantTokenException otherwise; grant-tokens.ts says why a token of a
 * grant that no longer exists still passes).
 */
export function grantTokens(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw validation('grantTokens', 'Member must be a list of strings');
  if (value.length > 10) throw validation('grantTokens', 'Member must have length less than or equal to 10');
  const tokens = value.map((token, i) => requiredString(token, `grantTokens.${i + 1}`, 1, 8192));
  checkGrantTokens(tokens);
  return tokens;
}

/** Tags (API reference, Tag): keys 1..128, values 0..256, no `aws:` prefix, at most 50 per key. */
export function tagList(value: unknown, member: string): Tag[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw validation(camel(member), 'Member must be a list of tags');
  return value.map((tag: unknown, i) => {
    if (tag === null || typeof tag !== 'object') throw validation(`${camel(member)}.${i + 1}`, 'Member must be a tag');
    const { TagKey, TagValue } = tag as Record<string, unknown>;
    const key = requiredString(TagKey, `${member}.${i + 1}.member.tagKey`, 1, 128);
    const val = requiredString(TagValue, `${member}.${i + 1}.member.tagValue`, 0, 256);
    if (key.startsWith('aws:')) throw kmsError('TagException', `Tag keys beginning with "aws:" are reserved: ${key}`);
    return { TagKey: key, TagValue: val };
  });
}

export function optionalStringList(value: unknown, member: string, min: number, max: number): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw validation(camel(member), 'Member must be a list of strings');
  return value.map((item, i) => requiredString(item, `${member}.${i + 1}`, min, max));
}

/** Pagination marker: our markers are the decimal offset into a stable ordering. */
export function pageStart(marker: unknown): number {
  const text = optionalString(marker, 'Marker', 1, 1024);
  if (text === undefined) return 0;
  if (!/^\d{1,9}$/.test(text)) throw kmsError('InvalidMarkerException', 'The marker is not valid: use the NextMarker of an earlier response.');
  return Number(text);
}

export function page<T>(items: readonly T[], request: { Limit?: unknown; Marker?: unknown }, defaultLimit = 100): { page: T[]; NextMarker?: string; Truncated: boolean } {
  const limit = optionalInteger(request.Limit, 'Limit', 1, 1000) ?? defaultLimit;
  const start = pageStart(request.Marker);
  const slice = items.slice(start, start + limit);
  const truncated = start + limit < items.length;
  return truncated ? { page: slice, NextMarker: String(start + limit), Truncated: true } : { page: slice, Truncated: false };
}
