/**
 * Replication of encrypted objects to a bucket in another region (S3 User Guide, "Replicating
 * objects that are created with server-side encryption (SSE-C, SSE-S3, SSE-KMS, DSSE-KMS)"):
 *
 * - SSE-S3 objects replicate always, re-encrypted under the destination's SSE-S3 key;
 * - SSE-KMS and DSSE-KMS objects replicate only when the rule opts in with
 *   `SourceSelectionCriteria.SseKmsEncryptedObjects` Enabled, and then re-encrypted under
 *   `Destination.EncryptionConfiguration.ReplicaKmsKeyID`. S3 acts as the rule's role: it needs
 *   kms:Decrypt on the source key (through s3.<source-region>) and kms:Encrypt on the replica key
 *   (through s3.<destination-region>), which is why the replica's data key is made locally and
 *   wrapped with Encrypt, not GenerateDataKey;
 * - SSE-C objects replicate as they are (the same customer key reads the replica), unless the
 *   destination blocks SSE-C: then their replication FAILS ("Blocking or unblocking SSE-C").
 *
 * A destination the KMS cannot serve (a region in outage: KMSInternalException,
 * DependencyTimeoutException, throttling) leaves the object PENDING; retries go on until the
 * retry window of the injected clock has passed, then it is FAILED. A refusal (the role lacks a
 * permission, the key is disabled) is FAILED at once.
 */
import { randomBytes, zero } from '../../core/bytes.js';
import type { Bytes } from '../../core/types.js';
import { KmsError } from '../../kms/errors.js';
import { describePrincipal } from '../../kms/policy/principals.js';
import { blocksSseC } from './encrypt-object.js';
import { objectArn, objectId, type BucketRecord, type ObjectRecord, type ReplicationState } from './records.js';
import { s3Error, type S3Runtime } from './runtime.js';
import { openBody, sealSseS3, type SealedBody } from './sse.js';
import type { ReplicationConfiguration, ReplicationRule } from './types.js';

const isKmsEncrypted = (record: ObjectRecord) => record.body?.encryption.mode === 'aws:kms' || record.body?.encryption.mode === 'aws:kms:dsse';
const prefixOf = (rule: ReplicationRule) => rule.Filter?.Prefix ?? rule.Prefix ?? '';
const destinationName = (rule: ReplicationRule) => rule.Destination.Bucket.replace(/^arn:aws:s3:::/, '');

/** The rule that replicates `record`, if any: enabled, prefix matching, highest Priority first. */
export function ruleFor(bucket: BucketRecord, record: ObjectRecord): ReplicationRule | undefined {
  if (!bucket.replication || record.deleteMarker || record.replica) return undefined;
  const rules = bucket.replication.Rules.filter((r) => r.Status === 'Enabled' && record.key.startsWith(prefixOf(r))).sort((a, b) => (b.Priority ?? 0) - (a.Priority ?? 0));
  const rule = rules[0];
  if (!rule) return undefined;
  // "By default, Amazon S3 doesn't replicate objects that are stored at rest using SSE-KMS or DSSE-KMS."
  if (isKmsEncrypted(record) && rule.SourceSelectionCriteria?.SseKmsEncryptedObjects?.Status !== 'Enabled') return undefined;
  return rule;
}

/** PutBucketReplication's checks (API reference, PutBucketReplication; S3 User Guide, "Requirements for replication"). */
export async function checkReplicationConfiguration(runtime: S3Runtime, bucket: BucketRecord, configuration: ReplicationConfiguration | undefined): Promise<ReplicationConfiguration> {
  if (!configuration || typeof configuration !== 'object') throw s3Error('MalformedXML', 'ReplicationConfiguration is required.', 400);
  if (bucket.versioning !== 'Enabled') throw s3Error('InvalidRequest', "Versioning must be 'Enabled' on the bucket to apply a replication configuration", 400);
  const role = describePrincipal(String(configuration.Role));
  if (!role || role.kind !== 'role') throw s3Error('InvalidArgument', 'Role must be the ARN of an IAM role, arn:aws:iam::<account>:role/<name>.', 400);
  if (!Array.isArray(configuration.Rules) || configuration.Rules.length === 0) throw s3Error('MalformedXML', 'ReplicationConfiguration needs at least one rule.', 400);
  for (const rule of configuration.Rules) {
    if (rule.Status !== 'Enabled' && rule.Status !== 'Disabled') throw s3Error('MalformedXML', 'Each rule needs Status Enabled or Disabled.', 400);
    const destination = await runtime.findBucket(destinationName(rule));
    if (!destination) throw s3Error('InvalidRequest', `Destination bucket must exist: ${rule.Destination?.Bucket}`, 400);
    if (destination.versioning !== 'Enabled') throw s3Error('InvalidRequest', 'Destination bucket must have versioning enabled.', 400);
    const optIn = rule.SourceSelectionCriteria?.SseKmsEncryptedObjects?.Status === 'Enabled';
    const replicaKey = rule.Destination.EncryptionConfiguration?.ReplicaKmsKeyID;
    if (optIn && !replicaKey) throw s3Error('InvalidRequest', 'ReplicaKmsKeyID must be specified if SseKmsEncryptedObjects tag is present.', 400);
    if (!optIn && replicaKey) throw s3Error('InvalidRequest', 'SseKmsEncryptedObjects must be specified if EncryptionConfiguration is present.', 400);
  }
  return structuredClone(configuration);
}

/** Every object of every region still PENDING replication. */
export async function pendingReplications(runtime: S3Runtime): Promise<{ region: string; record: ObjectRecord }[]> {
  const out: { region: string; record: ObjectRecord }[] = [];
  for (const [region, store] of runtime.stores) {
    for (const record of await store.all<ObjectRecord>('objects')) if (record.replication?.status === 'PENDING') out.push({ region, record });
  }
  return out;
}

/** A failure worth retrying: the KMS (or the region behind it) is unavailable, not refusing. */
const transient = (error: unknown) => error instanceof KmsError && error.$fault === 'server';

/** One replication attempt for a PENDING version; records COMPLETED, FAILED or PENDING again. */
export async function attemptReplication(runtime: S3Runtime, pending: { region: string; record: ObjectRecord }): Promise<void> {
  const { region } = pending;
  const store = runtime.store(region);
  // Read afresh: another tab may have replicated it, and a listing holds a large body by reference only.
  const record = await store.get<ObjectRecord>('objects', pending.record.id);
  const state = record?.replication;
  if (!record || !state || state.status !== 'PENDING') return;
  const source = await store.get<BucketRecord>('buckets', record.bucket);
  const rule = source && ruleFor(source, record);
  let next: ReplicationState;
  try {
    if (!source || !rule) throw s3Error('InvalidRequest', 'The replication rule for this object no longer exists.', 400);
    await replicate(runtime, { region, source, rule, record });
    next = { ...state, status: 'COMPLETED', attempts: state.attempts + 1 };
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const giveUp = !transient(error) || runtime.now() - state.firstAttemptAt >= runtime.replicationRetryMs;
    next = { ...state, status: giveUp ? 'FAILED' : 'PENDING', attempts: state.attempts + 1, reason };
  }
  const current = await store.get<ObjectRecord>('objects', record.id);
  if (current) await store.commit([{ store: 'objects', value: { ...current, replication: next } }]);
}

async function replicate(runtime: S3Runtime, job: { region: string; source: BucketRecord; rule: ReplicationRule; record: ObjectRecord }): Promise<void> {
  const { region, source, rule, record } = job;
  const role = source.replication!.Role;
  const destination = await runtime.findBucket(destinationName(rule));
  if (!destination) throw s3Error('NoSuchBucket', 'The destination bucket does not exist.', 404);
  const destinationArn = objectArn(destination.Name, record.key);
  const sealed = record.body!;
  let body: SealedBody;
  if (sealed.encryption.mode === 'SSE-C') {
    if (blocksSseC(destination)) throw s3Error('AccessDenied', `The destination bucket ${destination.Name} blocks SSE-C: SSE-C objects cannot be replicated to it.`, 403);
    body = sealed;
  } else {
    // The role reads the source object as S3 would: Decrypt through s3.<source-region>.
    const sourceKms = runtime.kmsAs(region, role);
    const plaintext = await openBody(sealed, {
      serviceKey: () => runtime.serviceKey(region),
      kms: sourceKms,
      bucketKey: async (blob, context, keyArn) => {
        const { Plaintext } = await sourceKms.decrypt({ CiphertextBlob: blob, KeyId: keyArn, EncryptionContext: context });
        const key = await crypto.subtle.importKey('raw', Plaintext as Bytes, 'AES-GCM', false, ['encrypt', 'decrypt']);
        zero(Plaintext);
        return key;
      },
      objectArn: objectArn(record.bucket, record.key),
    });
    body =
      sealed.encryption.mode === 'AES256'
        ? await sealSseS3(await runtime.serviceKey(destination.region), destinationArn, plaintext)
        : await sealWithEncrypt(runtime, { role, destination, keyId: rule.Destination.EncryptionConfiguration!.ReplicaKmsKeyID!, objectArn: destinationArn, layers: sealed.encryption.mode === 'aws:kms:dsse' ? 2 : 1 }, plaintext);
    zero(plaintext);
  }
  // The replica keeps the source's version id (S3 User Guide, "What does Amazon S3 replicate?").
  const replica: ObjectRecord = {
    ...record,
    id: objectId(destination.Name, record.key, record.versionId),
    path: `${destination.Name}/${record.key}`,
    bucket: destination.Name,
    seq: record.seq,
    body,
    replica: true,
  };
  delete (replica as { replication?: unknown }).replication;
  await runtime.store(destination.region).commit([{ store: 'objects', value: replica }]);
}

/** The replica's body under the replica key: data keys made here, wrapped with kms:Encrypt as the role. */
async function sealWithEncrypt(runtime: S3Runtime, job: { role: string; destination: BucketRecord; keyId: string; objectArn: string; layers: 1 | 2 }, plaintext: Bytes): Promise<SealedBody> {
  const kms = runtime.kmsAs(job.destination.region, job.role);
  const context = { 'aws:s3:arn': job.objectArn };
  const layers: { blob: Bytes; iv: Bytes; key: CryptoKey }[] = [];
  let keyArn = '';
  for (let i = 0; i < job.layers; i++) {
    const dataKey = randomBytes(32);
    const { CiphertextBlob, KeyId } = await kms.encrypt({ KeyId: job.keyId, Plaintext: dataKey, EncryptionContext: context });
    keyArn = KeyId;
    layers.push({ blob: new Uint8Array(CiphertextBlob), iv: randomBytes(12), key: await crypto.subtle.importKey('raw', dataKey, 'AES-GCM', false, ['encrypt']) });
    zero(dataKey);
  }
  let data: Bytes = plaintext;
  for (const layer of layers) data = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv: layer.iv }, layer.key, data));
  if (job.layers === 1) return { iv: layers[0]!.iv, ciphertext: data, encryption: { mode: 'aws:kms', keyArn, context, blob: layers[0]!.blob } };
  return {
    iv: layers[1]!.iv,
    ciphertext: data,
    encryption: { mode: 'aws:kms:dsse', keyArn, context, layers: [{ blob: layers[0]!.blob, iv: layers[0]!.iv }, { blob: layers[1]!.blob, iv: layers[1]!.iv }] },
  };
}
