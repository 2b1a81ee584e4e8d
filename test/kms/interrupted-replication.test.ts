/**
 * ReplicateKey writes two databases (the replica's region, then the primary's list). A worker
 * killed between the two commits leaves a replica its primary does not list; the next start lists
 * it (recovery.ts). The state is made here exactly as such a crash leaves it, by removing the
 * listing from the primary's stored record; browser-side kills of the real worker are in
 * test/browser/worker-kill.test.ts.
 */
import { createKms, deleteKmsStorage } from '../../src/kms/index.js';
import { MemoryStore } from '../../src/kms/storage/memory-store.js';

const ACCOUNT = '111122223333';

describe('an interrupted ReplicateKey', () => {
  it('the replica exists but the primary does not list it: the next start lists it, once', async () => {
    const name = `replication-${crypto.randomUUID()}`;
    const first = await createKms({ storage: 'memory', name });
    const { KeyMetadata } = await first.region('us-east-1').createKey({ MultiRegion: true });
    await first.region('us-east-1').replicateKey({ KeyId: KeyMetadata.KeyId, ReplicaRegion: 'us-west-2' });
    await first.close();

    // The crash: the replica's commit happened, the primary's did not.
    const store = new MemoryStore(`${name}:${ACCOUNT}:us-east-1`, 'us-east-1');
    const stored = (await store.getKey(KeyMetadata.KeyId))!;
    await store.commit([{ store: 'keys', id: stored.KeyId, expect: stored.version, value: { ...stored, version: stored.version + 1, multiRegion: { ...stored.multiRegion!, replicaRegions: [] } } }]);

    const second = await createKms({ storage: 'memory', name });
    const replicas = async (kms: typeof second) => (await kms.region('us-east-1').describeKey({ KeyId: KeyMetadata.KeyId })).KeyMetadata.MultiRegionConfiguration?.ReplicaKeys?.map((r) => r.Region);
    expect(await replicas(second)).toEqual(['us-west-2']);
    // Idempotent: another start (another tab) does not list it twice.
    const third = await createKms({ storage: 'memory', name });
    expect(await replicas(third)).toEqual(['us-west-2']);
    // And a replicate to a region that has the replica already is refused, as before.
    await expect(third.region('us-east-1').replicateKey({ KeyId: KeyMetadata.KeyId, ReplicaRegion: 'us-west-2' })).rejects.toMatchObject({ name: 'AlreadyExistsException' });
    await second.close();
    await third.close();
    await deleteKmsStorage({ storage: 'memory', name });
  });
});
