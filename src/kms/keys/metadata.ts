/**
 * KeyMetadata (API reference, Data Types, KeyMetadata) as DescribeKey, CreateKey and ReplicateKey
 * return it, built from a key record, plus the default key policy AWS KMS gives a new key.
 */
import { keyArn } from './identifiers.js';
import { keyStateOf } from './key-states.js';
import type { KeyRecord } from '../storage/records.js';
import type { RegionRuntime } from '../requests/region-runtime.js';
import { algorithmsFor } from './specs.js';
import type { KeyMetadata, MultiRegionConfiguration } from '../types.js';

/** The default key policy (developer guide, "Default key policy"): the account's root may do everything. */
export function defaultKeyPolicy(account: string): string {
  return JSON.stringify(
    {
      Version: '2012-10-17',
      Id: 'key-default-1',
      Statement: [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'kms:*', Resource: '*' }],
    },
    null,
    2,
  );
}

async function multiRegionConfiguration(runtime: RegionRuntime, record: KeyRecord): Promise<MultiRegionConfiguration | undefined> {
  const mr = record.multiRegion;
  if (!mr) return undefined;
  const arnIn = (region: string) => keyArn(region, runtime.account, record.KeyId);
  // The replica list lives on the primary; a replica reads it from there (internal, so a simulated
  // outage does not hide it).
  let replicas = mr.replicaRegions;
  if (mr.role === 'REPLICA') {
    const primary = await runtime.directory.peer(mr.primaryRegion)?.store.getKey(record.KeyId);
    replicas = primary?.multiRegion?.replicaRegions ?? [runtime.region];
  }
  return {
    MultiRegionKeyType: mr.role,
    PrimaryKey: { Arn: arnIn(mr.primaryRegion), Region: mr.primaryRegion },
    ReplicaKeys: replicas.map((region) => ({ Arn: arnIn(region), Region: region })),
  };
}

export async function keyMetadata(runtime: RegionRuntime, record: KeyRecord): Promise<KeyMetadata> {
  const state = keyStateOf(record, runtime.now());
  const metadata: KeyMetadata = {
    AWSAccountId: runtime.account,
    KeyId: record.KeyId,
    Arn: runtime.arn(record.KeyId),
    CreationDate: new Date(record.CreationDate),
    Enabled: state === 'Enabled',
    Description: record.Description,
    KeyUsage: record.KeyUsage,
    KeyState: state,
    Origin: record.Origin,
    KeyManager: record.awsManaged ? 'AWS' : 'CUSTOMER',
    CustomerMasterKeySpec: record.KeySpec,
    KeySpec: record.KeySpec,
    ...algorithmsFor(record.KeySpec, record.KeyUsage),
    MultiRegion: record.multiRegion !== undefined,
  };
  if (record.deletion?.deletionDate !== undefined) metadata.DeletionDate = new Date(record.deletion.deletionDate);
  if (state === 'PendingReplicaDeletion') metadata.PendingDeletionWindowInDays = record.deletion!.windowDays;
  if (record.imported?.expirationModel) metadata.ExpirationModel = record.imported.expirationModel;
  if (record.imported?.validTo !== undefined) metadata.ValidTo = new Date(record.imported.validTo);
  if (record.KeySpec === 'SYMMETRIC_DEFAULT' && record.currentMaterialId) metadata.CurrentKeyMaterialId = record.currentMaterialId;
  const mrc = await multiRegionConfiguration(runtime, record);
  if (mrc) metadata.MultiRegionConfiguration = mrc;
  return metadata;
}
