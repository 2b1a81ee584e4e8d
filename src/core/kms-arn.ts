/**
 * AWS KMS key identifiers as the KMS keyrings read them (spec: framework/aws-kms/aws-kms-key-arn.md,
 * aws-kms-mrk-match-for-decrypt.md, aws-kms-mrk-are-unique.md). This is the ESDK's reading of ARNs,
 * not AWS's authoritative grammar: it is what every ESDK agrees on, so it is what interop needs.
 */
import { rangeError, typeError } from './errors.js';

/** The six parts of a KMS ARN: `arn:<partition>:kms:<region>:<account>:<type>/<id>`. */
export interface KmsArn {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly resourceType: 'key' | 'alias';
  /** Everything after the first `/` (alias names may themselves contain `/`). */
  readonly resourceId: string;
}

/**
 * Parses a KMS ARN (spec: aws-kms-key-arn.md#a-valid-aws-kms-arn); undefined when `text` is not one.
 * Exactly five `:` separate the parts, so `key:` style resources and extra colons are refused.
 */
export function parseKmsArn(text: string): KmsArn | undefined {
  const parts = text.split(':');
  if (parts.length !== 6) return undefined;
  const [arn, partition, service, region, account, resource] = parts as [string, string, string, string, string, string];
  if (arn !== 'arn' || partition === '' || service !== 'kms' || region === '' || account === '') return undefined;
  const slash = resource.indexOf('/');
  if (slash < 0) return undefined;
  const resourceType = resource.slice(0, slash);
  const resourceId = resource.slice(slash + 1);
  if ((resourceType !== 'key' && resourceType !== 'alias') || resourceId === '') return undefined;
  return { partition, region, account, resourceType, resourceId };
}

/**
 * Parses a KMS key ARN (resource type `key`), the only form KMS returns and the ESDK stores as
 * provider info; undefined for anything else (an alias ARN, a bare key id, a malformed ARN).
 *
 * @example
 * ```ts
 * parseKmsKeyArn('arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab')?.region; // 'us-east-1'
 * parseKmsKeyArn('alias/notes'); // undefined
 * ```
 */
export function parseKmsKeyArn(text: string): KmsArn | undefined {
  const arn = parseKmsArn(text);
  return arn?.resourceType === 'key' ? arn : undefined;
}

/** Rebuilds the ARN string from its parts. */
export function formatKmsArn(arn: KmsArn): string {
  return `arn:${arn.partition}:kms:${arn.region}:${arn.account}:${arn.resourceType}/${arn.resourceId}`;
}

/**
 * True for any identifier KMS accepts as a KeyId (spec: aws-kms-key-arn.md#a-valid-aws-kms-identifier):
 * a key or alias ARN, `alias/<name>`, or a bare key id.
 */
export function isKmsIdentifier(text: string): boolean {
  if (text.startsWith('arn:')) return parseKmsArn(text) !== undefined;
  if (text.includes(':')) return false;
  if (text.startsWith('alias/')) return text.length > 'alias/'.length;
  return text.length > 0 && !text.includes('/');
}

/**
 * Multi-Region key test for an identifier (spec: aws-kms-key-arn.md, "Identifying an AWS KMS
 * multi-Region identifier"). An alias named `mrk-…` is not a multi-Region key.
 */
export function isMultiRegionIdentifier(text: string): boolean {
  if (text.startsWith('arn:')) {
    const arn = parseKmsArn(text);
    return arn !== undefined && arn.resourceType === 'key' && arn.resourceId.startsWith('mrk-');
  }
  return !text.startsWith('alias/') && text.startsWith('mrk-');
}

/**
 * Whether a configured identifier may decrypt what `other` encrypted (spec:
 * aws-kms-mrk-match-for-decrypt.md): equal strings, or two multi-Region key ARNs that differ at most
 * in their region.
 */
export function mrkMatch(a: string, b: string): boolean {
  if (a === b) return true;
  const x = parseKmsKeyArn(a);
  const y = parseKmsKeyArn(b);
  if (!x || !y || !x.resourceId.startsWith('mrk-') || !y.resourceId.startsWith('mrk-')) return false;
  return x.partition === y.partition && x.account === y.account && x.resourceId === y.resourceId;
}

/**
 * Refuses two identifiers of the same multi-Region key (spec: aws-kms-mrk-are-unique.md): which
 * replica to call would be ambiguous. The error names every duplicate, not only the first.
 */
export function assertMrksUnique(identifiers: readonly string[], argument: string): void {
  const byId = new Map<string, string[]>();
  for (const identifier of identifiers) {
    if (!isMultiRegionIdentifier(identifier)) continue;
    const id = parseKmsArn(identifier)?.resourceId ?? identifier;
    byId.set(id, [...(byId.get(id) ?? []), identifier]);
  }
  const duplicates = [...byId.values()].filter((list) => list.length > 1).flat();
  if (duplicates.length > 0) {
    throw rangeError(argument, `name the same multi-Region key more than once (${duplicates.join(', ')}); keep one replica per key`);
  }
}

/**
 * The region whose client serves `identifier`: the ARN's region, else `defaultRegion`.
 * Bare key ids and aliases carry no region, so a keyring needs its `region` option for them.
 */
export function regionOf(identifier: string, defaultRegion: string | undefined, argument: string): string {
  const arn = identifier.startsWith('arn:') ? parseKmsArn(identifier) : undefined;
  if (arn) return arn.region;
  if (defaultRegion === undefined) {
    throw typeError('options.region', `a region name because ${argument} (${JSON.stringify(identifier)}) is not an ARN and names no region`);
  }
  return defaultRegion;
}

/** Checks one configured KMS key identifier (TypeError for a non-string, RangeError for a bad form). */
export function checkKmsIdentifier(value: unknown, argument: string): string {
  if (typeof value !== 'string' || value.length === 0) throw typeError(argument, 'a non-empty string (a key ARN, key id, alias name or alias ARN)');
  if (!isKmsIdentifier(value)) {
    throw rangeError(argument, `is not an AWS KMS key identifier (${JSON.stringify(value)}); use a key ARN such as arn:aws:kms:us-east-1:111122223333:key/<id>`);
  }
  return value;
}
