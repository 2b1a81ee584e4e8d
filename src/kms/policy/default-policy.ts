/**
 * The key policy AWS KMS gives a key created without one through the API (AWS KMS Developer Guide,
 * "Default key policy"): one statement that lets the account principal do everything, which gives
 * the root user full access and lets IAM policies in the account allow the rest.
 */
import type { PolicyDocument } from './types.js';
import { typeError } from '../../core/arguments.js';

const ACCOUNT = /^\d{12}$/;

/**
 * The default key policy for `account`, as a document.
 *
 * @throws TypeError when `account` is not a 12-digit AWS account id.
 * @example
 * ```ts
 * defaultKeyPolicy('111122223333').Statement;
 * // [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' }]
 * ```
 */
export function defaultKeyPolicy(account: string): PolicyDocument {
  if (typeof account !== 'string' || !ACCOUNT.test(account)) throw typeError('account', `a 12-digit AWS account id, not ${JSON.stringify(account)}`);
  return {
    Version: '2012-10-17',
    Id: 'key-default-1',
    Statement: [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'kms:*', Resource: '*' }],
  };
}

/**
 * The default key policy as the JSON text GetKeyPolicy returns.
 *
 * @example
 * ```ts
 * const text = defaultKeyPolicyText('111122223333'); // pretty-printed JSON, 2-space indent
 * ```
 */
export function defaultKeyPolicyText(account: string): string {
  return JSON.stringify(defaultKeyPolicy(account), null, 2);
}
