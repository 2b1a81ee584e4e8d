/**
 * Request checks at a service's API boundary, shared by every service. Each service answers a
 * malformed request with its own exception (Secrets Manager: InvalidParameterException; Systems
 * Manager: ValidationException), so the checks take the `fail` that builds it. A wrong type is such
 * an exception too, not a TypeError: callers of AWS services branch on the exception name.
 */

/** Builds the service's exception for a bad request member. */
export type Fail = (message: string) => Error;

/** Checks one request; made once per call from the service's `fail`. */
export class RequestReader {
  readonly #fail: Fail;
  constructor(fail: Fail) {
    this.#fail = fail;
  }

  fail(message: string): Error {
    return this.#fail(message);
  }

  object(request: unknown): Record<string, unknown> {
    if (request === undefined) return {};
    if (request === null || typeof request !== 'object' || Array.isArray(request)) throw this.#fail('The request must be an object of request members.');
    return request as Record<string, unknown>;
  }

  string(value: unknown, member: string, min = 1, max = 2048): string {
    if (value === undefined || value === null) throw this.#fail(`${member} is required.`);
    return this.optionalString(value, member, min, max)!;
  }

  optionalString(value: unknown, member: string, min = 1, max = 2048): string | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw this.#fail(`${member} must be a string.`);
    if (value.length < min || value.length > max) throw this.#fail(`${member} must be ${min} to ${max} characters long.`);
    return value;
  }

  optionalBytes(value: unknown, member: string, min: number, max: number): Uint8Array<ArrayBuffer> | undefined {
    if (value === undefined) return undefined;
    if (!(value instanceof Uint8Array)) throw this.#fail(`${member} must be a Uint8Array.`);
    if (value.length < min || value.length > max) throw this.#fail(`${member} must be ${min} to ${max} bytes long.`);
    // A private copy: the caller may reuse or transfer its buffer while we await.
    return new Uint8Array(value) as Uint8Array<ArrayBuffer>;
  }

  optionalInteger(value: unknown, member: string, min: number, max: number): number | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value)) throw this.#fail(`${member} must be an integer.`);
    if (value < min || value > max) throw this.#fail(`${member} must be between ${min} and ${max}; got ${value}.`);
    return value;
  }

  optionalBoolean(value: unknown, member: string): boolean | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean') throw this.#fail(`${member} must be a boolean.`);
    return value;
  }

  optionalStringList(value: unknown, member: string, options: { min?: number; max: number; itemMax?: number }): string[] | undefined {
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) throw this.#fail(`${member} must be a list of strings.`);
    if (value.length < (options.min ?? 0) || value.length > options.max) throw this.#fail(`${member} must have ${options.min ?? 0} to ${options.max} items.`);
    return value.map((item, i) => this.string(item, `${member}[${i}]`, 1, options.itemMax ?? 2048));
  }

  optionalList(value: unknown, member: string, max: number): Record<string, unknown>[] | undefined {
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) throw this.#fail(`${member} must be a list.`);
    if (value.length > max) throw this.#fail(`${member} must have at most ${max} items.`);
    return value.map((item, i) => {
      if (item === null || typeof item !== 'object' || Array.isArray(item)) throw this.#fail(`${member}[${i}] must be an object.`);
      return item as Record<string, unknown>;
    });
  }

  optionalEnum<T extends string>(value: unknown, member: string, allowed: readonly T[]): T | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) throw this.#fail(`${member} must be one of ${allowed.join(', ')}.`);
    return value as T;
  }
}

/** Opaque pagination tokens: the offset into a listing, base64url-encoded with the listing's name. */
export function pageToken(listing: string, offset: number): string {
  return btoa(`${offset}:${encodeURIComponent(listing)}`).replace(/=+$/, '');
}

/** The offset a token names, or undefined when it is not a token of `listing`. */
export function pageOffset(listing: string, token: string): number | undefined {
  try {
    const text = atob(token);
    const colon = text.indexOf(':');
    const n = Number(text.slice(0, colon));
    return colon > 0 && text.slice(colon + 1) === encodeURIComponent(listing) && Number.isInteger(n) && n >= 0 ? n : undefined;
  } catch {
    return undefined;
  }
}
