/**
 * Shared helpers of the audit-log tests: a log with a varied set of records, a settable clock, and
 * the tools of an attacker (walking every field of a record, snapshotting and restoring storage).
 */
import { AuditLog, MemoryAuditStorage, type AuditEventInput } from '../../src/kms/audit/index.js';

export const ACCOUNT = '111122223333';
export const EAST = 'us-east-1';
export const WEST = 'us-west-2';
export const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
export const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
export const KEY_ARN = `arn:aws:kms:${EAST}:${ACCOUNT}:key/${KEY_ID}`;
export const MRK_ID = 'mrk-1234abcd12ab34cd56ef1234567890ab';
export const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;
export const AUDITOR = `arn:aws:iam::${ACCOUNT}:role/auditor`;
export const ROOT = `arn:aws:iam::${ACCOUNT}:root`;

export const keyArn = (region: string, id = KEY_ID) => `arn:aws:kms:${region}:${ACCOUNT}:key/${id}`;

export interface TestLog {
  audit: AuditLog;
  storage: MemoryAuditStorage;
  clock: { t: number };
}

export async function openLog(options: { name?: string; digestEvery?: number; regions?: string[] } = {}): Promise<TestLog> {
  const clock = { t: T0 };
  const storage = new MemoryAuditStorage(options.name ?? `audit-test-${crypto.randomUUID()}`);
  const audit = await AuditLog.open({
    storage,
    account: ACCOUNT,
    regions: options.regions ?? [EAST, WEST],
    now: () => clock.t,
    ...(options.digestEvery ? { digestEvery: options.digestEvery } : {}),
  });
  return { audit, storage, clock };
}

const metadata = (region: string, id = KEY_ID) => ({
  AWSAccountId: ACCOUNT,
  KeyId: id,
  Arn: keyArn(region, id),
  CreationDate: new Date(T0),
  Enabled: true,
  Description: 'app data',
  KeyUsage: 'ENCRYPT_DECRYPT',
  KeyState: 'Enabled',
  Origin: 'AWS_KMS',
  KeyManager: 'CUSTOMER',
  CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
  KeySpec: 'SYMMETRIC_DEFAULT',
  EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
  MultiRegion: id.startsWith('mrk-'),
});

/** A varied day in `region`: creation, crypto, a denial, tags, a grant retirement, a service event. */
export function sampleInputs(region: string, start = T0): AuditEventInput[] {
  const arn = keyArn(region);
  const at = (minutes: number) => start + minutes * 60_000;
  const base = { region, account: ACCOUNT };
  return [
    { ...base, eventName: 'CreateKey', time: at(0), principal: ROOT, request: { Description: 'app data', Tags: [{ TagKey: 'team', TagValue: 'blue' }] }, response: { KeyMetadata: metadata(region) }, resources: [arn] },
    { ...base, eventName: 'CreateAlias', time: at(1), principal: ROOT, request: { AliasName: 'alias/app', TargetKeyId: KEY_ID }, resources: [arn, `arn:aws:kms:${region}:${ACCOUNT}:alias/app`] },
    { ...base, eventName: 'GenerateDataKey', time: at(2), principal: ALICE, request: { KeyId: 'alias/app', KeySpec: 'AES_256', EncryptionContext: { tenant: 't-1', purpose: 'invoice' } }, response: { KeyId: arn, KeyMaterialId: 'ab'.repeat(32), Plaintext: new Uint8Array(32), CiphertextBlob: new Uint8Array(184) }, resources: [arn], explanation: { decision: 'Allow', by: 'key policy statement "Enable IAM User Permissions"' } },
    { ...base, eventName: 'Decrypt', time: at(3), principal: AUDITOR, request: { CiphertextBlob: new Uint8Array(184), EncryptionContext: { tenant: 't-1' } }, error: { name: 'AccessDeniedException', message: `User: ${AUDITOR} is not authorized to perform: kms:Decrypt on resource: ${arn} because no identity-based policy allows the kms:Decrypt action` }, resources: [arn], explanation: 'no statement allows kms:Decrypt for the auditor role' },
    { ...base, eventName: 'Encrypt', time: at(4), principal: ALICE, viaService: `secretsmanager.${region}.amazonaws.com`, request: { KeyId: arn, Plaintext: new Uint8Array(16), EncryptionContext: { SecretARN: 'arn:aws:secretsmanager:x' } }, response: { KeyId: arn, CiphertextBlob: new Uint8Array(100), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' }, resources: [arn] },
    { ...base, eventName: 'TagResource', time: at(5), principal: ROOT, request: { KeyId: KEY_ID, Tags: [{ TagKey: 'env', TagValue: 'prod' }] }, resources: [arn] },
    { ...base, eventName: 'RetireGrant', time: at(6), principal: ALICE, request: { GrantToken: 'secret-grant-token' }, additionalEventData: { grantId: 'f0'.repeat(32) }, resources: [arn] },
    { ...base, eventName: 'ScheduleKeyDeletion', time: at(7), principal: ROOT, request: { KeyId: KEY_ID, PendingWindowInDays: 7 }, response: { KeyId: arn, DeletionDate: new Date(at(7) + 7 * 86_400_000), KeyState: 'PendingDeletion', PendingWindowInDays: 7 }, resources: [arn] },
    { ...base, eventName: 'ReplicateKey', time: at(8), principal: ROOT, request: { KeyId: MRK_ID, ReplicaRegion: 'eu-west-1' }, response: { ReplicaKeyMetadata: metadata('eu-west-1', MRK_ID), ReplicaPolicy: '{"Version":"2012-10-17"}', ReplicaTags: [] }, resources: [keyArn(region, MRK_ID)] },
    { ...base, eventName: 'RotateKey', time: at(9), resources: [arn] },
    { ...base, eventName: 'ListKeys', time: at(10), principal: AUDITOR, request: { Limit: 10 } },
    { ...base, eventName: 'DeleteKey', time: at(11), resources: [arn] },
  ];
}

/** Records the sample day in every region of the log; returns how many records each region has. */
export async function fill(log: TestLog, regions = [EAST, WEST]): Promise<number> {
  let count = 0;
  for (const region of regions) {
    const inputs = sampleInputs(region);
    for (const input of inputs) await log.audit.record(input);
    count = inputs.length;
  }
  return count;
}

export type Path = readonly (string | number)[];

/** Every path to a leaf and every path to an object or array (the places an attacker can edit). */
export function paths(value: unknown, prefix: Path = []): { leaves: Path[]; containers: Path[] } {
  const leaves: Path[] = [];
  const containers: Path[] = [];
  const walk = (v: unknown, p: Path) => {
    if (v !== null && typeof v === 'object') {
      containers.push(p);
      for (const [k, child] of Object.entries(v)) walk(child, [...p, Array.isArray(v) ? Number(k) : k]);
    } else leaves.push(p);
  };
  walk(value, prefix);
  return { leaves, containers };
}

export function getAt(value: unknown, path: Path): unknown {
  return path.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], value);
}

/** A different value of the same kind (or a string where there was null). */
export function altered(value: unknown): unknown {
  if (typeof value === 'string') return value + 'x';
  if (typeof value === 'number') return value + 1;
  if (typeof value === 'boolean') return !value;
  return 'x';
}

/** A copy of `value` with `edit` applied at `path` (set, delete, or add a member to a container). */
export function edited<T>(value: T, path: Path, edit: 'alter' | 'delete' | 'add'): T {
  const copy = structuredClone(value);
  if (edit === 'add') {
    const container = getAt(copy, path) as Record<string, unknown> | unknown[];
    if (Array.isArray(container)) container.push('x');
    else container['injected'] = 'x';
    return copy;
  }
  const parent = getAt(copy, path.slice(0, -1)) as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (edit === 'delete') {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else parent[last] = altered(parent[last]);
  return copy;
}
