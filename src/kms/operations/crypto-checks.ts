/**
 * Checks the cryptographic operations share: key usage and algorithm against the key spec
 * (InvalidKeyUsageException), no encryption context on asymmetric and HMAC keys, DryRun, and the
 * Nitro Enclaves `Recipient` parameter, which the simulated KMS cannot attest.
 */
import type { CallContext } from '../requests/call-context.js';
import { hasContext } from '../crypto/encryption-context.js';
import { kmsError } from '../errors.js';
import { checkIssuedGrantTokens } from '../policy/grant-tokens.js';
import type { KeyRecord } from '../storage/records.js';
import { algorithmsFor, specInfo, type KeyUsage } from '../keys/specs.js';
import type { EncryptionContextType } from '../types.js';
import { grantTokens, optionalBoolean } from '../requests/validation.js';

/**
 * GrantTokens and DryRun, read once per request, before the key is looked up: a token this KMS did
 * not issue is InvalidGrantTokenException (validation.ts, grant-tokens.ts).
 */
export async function commonMembers(ctx: CallContext, req: Record<string, unknown>): Promise<{ dryRun: boolean }> {
  await acceptGrantTokens(ctx, req.GrantTokens);
  return { dryRun: optionalBoolean(req.DryRun, 'DryRun') ?? false };
}

/**
 * A request's GrantTokens member: shape-checked (validation.ts), then each token checked to be one
 * this KMS issued (its tag, grant-tokens.ts), and kept on the call context.
 */
export async function acceptGrantTokens(ctx: CallContext, value: unknown): Promise<void> {
  const tokens = grantTokens(value);
  if (!tokens) return;
  await checkIssuedGrantTokens(ctx.runtime, tokens);
  ctx.grantTokens = tokens;
}

export function refuseRecipient(req: Record<string, unknown>): void {
  if (req.Recipient !== undefined) {
    throw kmsError('UnsupportedOperationException', 'Recipient (AWS Nitro Enclaves attestation) is not supported by the simulated KMS.');
  }
}

/** After every check passed: a dry run reports success as AWS does, by an exception. */
export function endDryRun(dryRun: boolean): void {
  if (dryRun) throw kmsError('DryRunOperationException', 'The request would have succeeded, but the DryRun option is set.');
}

export function requireUsage(record: KeyRecord, arn: string, usage: KeyUsage, operation: string): void {
  if (record.KeyUsage !== usage) {
    throw kmsError('InvalidKeyUsageException', `${arn} key usage is ${record.KeyUsage} which is not valid for ${operation}.`);
  }
}

/** Operations that only symmetric encryption keys can do (GenerateDataKey, data key pairs). */
export function requireSymmetric(record: KeyRecord, arn: string, operation: string): void {
  requireUsage(record, arn, 'ENCRYPT_DECRYPT', operation);
  if (record.KeySpec !== 'SYMMETRIC_DEFAULT') {
    throw kmsError('InvalidKeyUsageException', `${arn} key spec is ${record.KeySpec} which is not valid for ${operation}.`);
  }
}

export function requireAlgorithm(record: KeyRecord, arn: string, algorithm: string, kind: 'EncryptionAlgorithms' | 'SigningAlgorithms' | 'MacAlgorithms'): void {
  const allowed: readonly string[] = algorithmsFor(record.KeySpec, record.KeyUsage)[kind] ?? [];
  if (!allowed.includes(algorithm)) {
    throw kmsError('InvalidKeyUsageException', `Algorithm ${algorithm} is incompatible with ${arn} (key spec ${record.KeySpec}); use one of: ${allowed.join(', ') || 'none'}.`);
  }
}

/** AWS KMS refuses an encryption context with asymmetric and HMAC keys (they cannot bind one). */
export function refuseContext(record: KeyRecord, context: EncryptionContextType | undefined, member = 'EncryptionContext'): void {
  if (specInfo(record.KeySpec).family !== 'symmetric' && hasContext(context)) {
    throw kmsError('ValidationException', `${member} is not supported with ${record.KeySpec} KMS keys: only symmetric encryption KMS keys use an encryption context.`);
  }
}
