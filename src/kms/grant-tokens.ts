/**
 * Grant tokens (AWS KMS Developer Guide, "Grant tokens"): opaque strings CreateGrant returns, which
 * name the grant before it is visible everywhere. Every CreateGrant returns a fresh token, even a
 * retry that returns an existing grant, and all tokens of one grant are interchangeable (API
 * reference, CreateGrant, Name). Ours are base64url of `ekgt1:<region>:<keyId>:<grantId>:<nonce>`:
 * enough to find the grant for RetireGrant, and nothing secret (a token gives no permission the
 * grant does not give its grantee).
 */
import { fromUtf8, randomBytes, utf8 } from '../core/bytes.js';

const PREFIX = 'ekgt1';

export interface GrantTokenContents {
  readonly region: string;
  readonly keyId: string;
  readonly grantId: string;
}

const toBase64Url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/**
 * A new token for a grant.
 *
 * @example
 * ```ts
 * const token = grantToken('us-east-1', keyId, grantId);
 * decodeGrantToken(token)?.grantId === grantId; // true
 * ```
 */
export function grantToken(region: string, keyId: string, grantId: string): string {
  const nonce = [...randomBytes(8)].map((b) => b.toString(16).padStart(2, '0')).join('');
  return toBase64Url(utf8(`${PREFIX}:${region}:${keyId}:${grantId}:${nonce}`));
}

/**
 * What a token names, or undefined when it is not a grant token of the simulated KMS.
 *
 * @example
 * ```ts
 * decodeGrantToken('not a token'); // undefined
 * ```
 */
export function decodeGrantToken(token: string): GrantTokenContents | undefined {
  if (typeof token !== 'string' || !/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  let text: string;
  try {
    const binary = atob(token.replace(/-/g, '+').replace(/_/g, '/'));
    text = fromUtf8(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  } catch {
    return undefined;
  }
  const parts = text.split(':');
  if (parts.length !== 5 || parts[0] !== PREFIX || !/^[0-9a-f]{64}$/.test(parts[3]!)) return undefined;
  return { region: parts[1]!, keyId: parts[2]!, grantId: parts[3]! };
}
