/**
 * AWS managed keys: the `alias/aws/<service>` keys an AWS service creates in the account the first
 * time a resource is encrypted "with the AWS managed key" (`alias/aws/s3`, `alias/aws/ecr`, ...).
 * AWS KMS Developer Guide, "AWS managed keys": they are created by the service, their key policy
 * lets any principal of the account use them *through that service only* (kms:ViaService plus
 * kms:CallerAccount) and lets the account read their metadata; KeyManager is `AWS`. CreateAlias
 * refuses the `alias/aws/` prefix to callers (identifiers.ts), which is why the alias is written
 * here, with the key, in one commit.
 */
import { newKeyId } from './identifiers.js';
import { newMaterial } from './lifecycle.js';
import type { KeyRecord } from './records.js';
import type { RegionRuntime } from './region-runtime.js';
import { StaleWriteError } from './storage/store.js';

/** Services whose AWS managed key the kit can create; the name is the alias's last part and the endpoint's first. */
export const AWS_MANAGED_KEY_SERVICES = ['s3', 'ecr', 'secretsmanager', 'ssm', 'inspector2'] as const;
export type AwsManagedKeyService = (typeof AWS_MANAGED_KEY_SERVICES)[number];

/**
 * The key policy of an AWS managed key, as AWS KMS shows it for e.g. `aws/s3` (Developer Guide,
 * "AWS managed keys", the example policy): use through the service for the account's principals,
 * metadata for the account root. ECR's also lets the service make and retire the grants it creates
 * for a repository (ECR User Guide, "Encryption at rest": CreateGrant and RetireGrant on aws/ecr).
 */
export function awsManagedKeyPolicy(account: string, region: string, service: AwsManagedKeyService): string {
  const use = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'];
  if (service === 'ecr' || service === 'inspector2') use.push('kms:CreateGrant', 'kms:RetireGrant');
  return JSON.stringify(
    {
      Version: '2012-10-17',
      Id: `auto-${service}-2`,
      Statement: [
        {
          Sid: `Allow access through ${service} for all principals in the account that are authorized to use ${service}`,
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: use,
          Resource: '*',
          Condition: { StringEquals: { 'kms:CallerAccount': account, 'kms:ViaService': `${service}.${region}.amazonaws.com` } },
        },
        {
          Sid: 'Allow direct access to key metadata to the account',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${account}:root` },
          Action: ['kms:Describe*', 'kms:Get*', 'kms:List*'],
          Resource: '*',
        },
      ],
    },
    null,
    2,
  );
}

/**
 * The key id of `alias/aws/<service>` in `runtime`'s region, created (key and alias in one commit)
 * if it does not exist yet. Two tabs racing create one key: the loser's commit is refused and it
 * reads the winner's alias.
 */
export async function ensureAwsManagedKey(runtime: RegionRuntime, service: AwsManagedKeyService): Promise<string> {
  if (!AWS_MANAGED_KEY_SERVICES.includes(service)) throw new RangeError(`service must be one of ${AWS_MANAGED_KEY_SERVICES.join(', ')}; got ${JSON.stringify(service)}`);
  const aliasName = `alias/aws/${service}`;
  const existing = await runtime.store.getAlias(aliasName);
  if (existing) return existing.TargetKeyId;
  const now = runtime.now();
  const keyId = newKeyId(false);
  const base: KeyRecord = {
    version: 0,
    KeyId: keyId,
    region: runtime.region,
    CreationDate: now,
    enabled: true,
    Description: `Default key that protects my ${service} data when no other key is defined`,
    KeyUsage: 'ENCRYPT_DECRYPT',
    KeySpec: 'SYMMETRIC_DEFAULT',
    Origin: 'AWS_KMS',
    keyManager: 'AWS',
    policy: awsManagedKeyPolicy(runtime.account, runtime.region, service),
    tags: [],
    // AWS managed keys rotate every year, and that cannot be turned off (Developer Guide, "Rotating keys").
    rotation: { enabled: true, periodDays: 365, nextRotation: now + 365 * 86_400_000, onDemandCount: 0 },
    materials: [],
  };
  const { material } = await newMaterial(runtime, base, now);
  const record: KeyRecord = { ...base, version: 1, materials: [material], currentMaterialId: material.id };
  try {
    await runtime.store.commit([
      { store: 'keys', id: keyId, expect: null, value: record },
      { store: 'aliases', id: aliasName, expect: null, value: { version: 1, AliasName: aliasName, TargetKeyId: keyId, CreationDate: now, LastUpdatedDate: now } },
    ]);
  } catch (error) {
    if (!(error instanceof StaleWriteError)) throw error;
    const winner = await runtime.store.getAlias(aliasName);
    if (!winner) throw error;
    return winner.TargetKeyId;
  }
  return keyId;
}
