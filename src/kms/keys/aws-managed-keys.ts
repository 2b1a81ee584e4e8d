/**
 * AWS managed keys: the KMS keys an AWS service creates in an account the first time a resource of
 * that service is encrypted without a customer managed key, under the alias `alias/aws/<service>`
 * (AWS KMS Developer Guide, "AWS managed keys"). Customers cannot create, change or delete the
 * `alias/aws/` aliases (identifiers.ts refuses them); only the service layer reaches this file,
 * through `kms.awsManagedKey`.
 *
 * The key policy is the one AWS documents for these keys ("How AWS Secrets Manager uses AWS KMS",
 * "AWS managed key policy"; the same shape for every service): any principal of the account may
 * use the key, but only through the service in this region (kms:ViaService) and only from this
 * account (kms:CallerAccount); the account may read the key's metadata directly.
 */
import { newKeyId } from './identifiers.js';
import { newMaterial } from './lifecycle.js';
import type { AliasRecord, KeyRecord } from '../storage/records.js';
import type { RegionRuntime } from '../requests/region-runtime.js';
import { StaleWriteError } from '../storage/store.js';

/**
 * The documented AWS managed key policy for `service` (e.g. `secretsmanager`, `ssm`) in `region`.
 *
 * @example
 * ```ts
 * JSON.parse(awsManagedKeyPolicy('111122223333', 'us-east-1', 'secretsmanager')).Statement.length; // 3
 * ```
 */
export function awsManagedKeyPolicy(account: string, region: string, service: string): string {
  const via = `${service}.${region}.amazonaws.com`;
  const sid = `Allow access through ${service} for all principals in the account that are authorized to use ${service}`;
  return JSON.stringify(
    {
      Version: '2012-10-17',
      Id: `auto-${service}-2`,
      Statement: [
        {
          Sid: sid,
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:CreateGrant', 'kms:DescribeKey'],
          Resource: '*',
          Condition: { StringEquals: { 'kms:CallerAccount': account, 'kms:ViaService': via } },
        },
        {
          Sid: sid,
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: 'kms:GenerateDataKey*',
          Resource: '*',
          Condition: { StringEquals: { 'kms:CallerAccount': account }, StringLike: { 'kms:ViaService': via } },
        },
        {
          Sid: 'Allow direct access to key metadata to the account',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${account}:root` },
          Action: ['kms:Describe*', 'kms:Get*', 'kms:List*', 'kms:RevokeGrant'],
          Resource: '*',
        },
      ],
    },
    null,
    2,
  );
}

/**
 * The id of `alias/aws/<service>`'s key in `runtime`'s region, creating key and alias on first use.
 * Two tabs racing both try; the alias write expects no alias, so one commit wins and the other
 * re-reads the winner's alias.
 */
export async function ensureAwsManagedKey(runtime: RegionRuntime, service: string): Promise<string> {
  if (!/^[a-z0-9-]+$/.test(service)) throw new TypeError(`service must be a service name such as secretsmanager; got ${JSON.stringify(service)}`);
  const aliasName = `alias/aws/${service}`;
  for (;;) {
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
      policy: awsManagedKeyPolicy(runtime.account, runtime.region, service),
      tags: [],
      // AWS managed keys rotate every year, always (developer guide, "Rotating AWS KMS keys").
      rotation: { enabled: true, periodDays: 365, nextRotation: now + 365 * 86_400_000, onDemandCount: 0 },
      materials: [],
      awsManaged: { service },
    };
    const { material } = await newMaterial(runtime, base, now);
    const record: KeyRecord = { ...base, version: 1, materials: [material], currentMaterialId: material.id };
    const alias: AliasRecord = { version: 1, AliasName: aliasName, TargetKeyId: keyId, CreationDate: now, LastUpdatedDate: now };
    try {
      await runtime.store.commit([
        { store: 'keys', id: keyId, expect: null, value: record },
        { store: 'aliases', id: aliasName, expect: null, value: alias },
      ]);
      return keyId;
    } catch (error) {
      if (!(error instanceof StaleWriteError)) throw error;
    }
  }
}
