/**
 * Grant tokens (AWS KMS Developer Guide, "Grant tokens"): opaque strings CreateGrant returns, which
 * name the grant before it is visible everywhere. Every CreateGrant returns a fresh token, even a
 * retry that returns an existing grant, and all tokens of one grant are interchangeable (API
 * reference, CreateGrant, Name). Ours are base64url of `ekgt1:<region>:<keyId>:<grantId>:<nonce>`:
 * enough to find the grant for RetireGrant, and nothing secret (a token gives no permission the
 * grant does not give its grantee).
 *
 * Every operation that takes GrantTokens (the cryptographic operations, CreateGrant) and RetireGrant
 * by GrantToken checks that each token is one this KMS issued, and answers anything else with
 * InvalidGrantTokenException, "The request was rejected because the specified grant token is not
 * valid." (API reference, the operations' Errors). A well-formed token of a grant that has since
 * been retired or revoked is NOT invalid: AWS documents no error for it, and its tokens are
 * described only as a way to use a new grant before it is visible everywhere ("Using a grant
 * token"), never as a permission of their own. So such a token is accepted and adds nothing: the
 * request is decided on the key policy, IAM policies and the grants that still exist, and is
 * AccessDeniedException when nothing else allows it. RetireGrant by such a token finds no grant
 * and is NotFoundException, the error RetireGrant documents for a grant that does not exist.
 */
import { fromUtf8, randomBytes, utf8 } from '../../core/bytes.js';
import { kmsError, type KmsError } from '../errors.js';
import { isKeyId } from '../keys/identifiers.js';

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
  if (parts.length !== 5 || parts[0] !== PREFIX || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(parts[1]!) || !isKeyId(parts[2]!) || !/^[0-9a-f]{64}$/.test(parts[3]!) || !/^[0-9a-f]{16}$/.test(parts[4]!)) return undefined;
  return { region: parts[1]!, keyId: parts[2]!, grantId: parts[3]! };
}

/**
 * AWS KMS's answer to a grant token it did not issue. `member` names the request member at fault
 * (`GrantTokens.2`, `GrantToken`); the token itself is not repeated.
 *
 * @example
 * ```ts
 * throw invalidGrantToken('GrantTokens.1');
 * ```
 */
export function invalidGrantToken(member: string): KmsError {
  return kmsError(
    'InvalidGrantTokenException',
    `The request was rejected because the specified grant token is not valid: ${member} is not a grant token this KMS issued. Pass the GrantToken a CreateGrant response returned, unchanged.`,
  );
}

/**
 * Checks every token of a GrantTokens list (already shape-checked: 0..10 strings of 1..8192).
 *
 * @throws KmsError InvalidGrantTokenException naming the first token (1-based, as AWS numbers list members) that this KMS did not issue.
 * @example
 * ```ts
 * checkGrantTokens([GrantToken]); // passes for a token from createGrant, even after the grant is retired
 * ```
 */
export function checkGrantTokens(tokens: readonly string[]): void {
  tokens.forEach((token, i) => {
    if (!decodeGrantToken(token)) throw invalidGrantToken(`GrantTokens.${i + 1}`);
  });
}
