/**
 * The branch key store on IndexedDB, in real browsers: records persist across connections, two
 * stores on one database (two tabs) version at once and exactly one wins, a record altered in the
 * database is refused, and the hierarchical keyring works on top. The KMS is the simulated one in
 * memory; only the key store's own database is IndexedDB.
 */
import { expect } from 'chai';
import { rejection as rejectionOf } from '../support/outcome.js';
import { deleteDB, openDB } from 'idb';
import { createKms } from '../../src/kms/index.js';
import { BranchKeyStore, BranchKeyStoreError, HierarchicalKeyring, decrypt, encrypt, type BranchKeyStoreOptions } from '../../src/core/index.js';

const REGION = 'us-east-1';
let counter = 0;

async function setup(): Promise<{ options: BranchKeyStoreOptions; stores: BranchKeyStore[]; open: (o?: Partial<BranchKeyStoreOptions>) => BranchKeyStore }> {
  const kms = await createKms({ storage: 'memory' });
  const { KeyMetadata } = await kms.region(REGION).createKey({});
  const name = `bks-browser-${Date.now()}-${++counter}`;
  const options: BranchKeyStoreOptions = { kms: kms.region(REGION), kmsKeyId: KeyMetadata.Arn, logicalKeyStoreName: 'browser-tests', storage: 'indexeddb', name };
  const stores: BranchKeyStore[] = [];
  const open = (o: Partial<BranchKeyStoreOptions> = {}) => {
    const store = new BranchKeyStore({ ...options, ...o });
    stores.push(store);
    return store;
  };
  return { options, stores, open };
}

const rejection = (promise: Promise<unknown>) => rejectionOf<BranchKeyStoreError>(promise);

describe('BranchKeyStore on IndexedDB', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0)) await step();
  });
  async function fixture() {
    const f = await setup();
    cleanup.push(async () => {
      for (const s of f.stores) s.close();
      await deleteDB(f.options.name!);
    });
    return f;
  }

  it('creates, versions and reads branch keys that persist across connections', async () => {
    const { open } = await fixture();
    const store = open();
    const id = await store.createKey({ encryptionContext: { tenant: 'acme' } });
    const first = await store.getActiveKey(id);
    const second = await store.versionKey(id);
    store.close();
    const again = open();
    expect((await again.getActiveKey(id)).branchKeyVersion).to.equal(second);
    expect((await again.getKeyVersion(id, first.branchKeyVersion)).encryptionContext).to.deep.equal({ tenant: 'acme' });
    const error = await rejection(again.createKey({ branchKeyId: id, encryptionContext: {} }));
    expect(error).to.be.instanceOf(BranchKeyStoreError);
    expect(error.code).to.equal('ALREADY_EXISTS');
  });

  it('two stores on the same database version at once: exactly one wins, the other gets VERSION_CONFLICT', async () => {
    const { open, options } = await fixture();
    const tabA = open();
    const tabB = open();
    const id = await tabA.createKey();
    const before = (await tabB.getActiveKey(id)).branchKeyVersion;
    for (let round = 0; round < 3; round++) {
      const results = await Promise.allSettled([tabA.versionKey(id), tabB.versionKey(id)]);
      const won = results.filter((r): r is PromiseFulfilledResult<string> => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won, `round ${round}`).to.have.length(1);
      expect(lost[0]!.reason.code).to.equal('VERSION_CONFLICT');
      expect((await tabA.getActiveKey(id)).branchKeyVersion).to.equal(won[0]!.value);
    }
    // Nothing of the losers was written: the original version and the three winners only.
    const db = await openDB(options.name!);
    const types = (await db.getAllKeys('branch-keys')).map((k) => (k as string[])[1]!).filter((t) => t.startsWith('branch:version:'));
    db.close();
    expect(types).to.have.length(4);
    expect(types).to.include(`branch:version:${before}`);
  });

  it('refuses a record altered in the database', async () => {
    const { open, options } = await fixture();
    const store = open();
    const id = await store.createKey();
    store.close();
    const db = await openDB(options.name!);
    const record = await db.get('branch-keys', [id, 'branch:ACTIVE']);
    await db.put('branch-keys', { ...record, 'create-time': '2000-01-01T00:00:00.000000Z' }, [id, 'branch:ACTIVE']);
    db.close();
    expect((await rejection(open().getActiveKey(id))).code).to.equal('RECORD_NOT_AUTHENTIC');
  });

  it('keeps one logical key store per database', async () => {
    const { open } = await fixture();
    await open().createKey();
    const error = await rejection(open({ logicalKeyStoreName: 'another' }).createKey());
    expect(error.code).to.equal('STORAGE_FAILURE');
    expect(error.message).to.match(/holds logical key store "browser-tests"/);
  });

  it('serves the hierarchical keyring', async () => {
    const { open } = await fixture();
    const store = open();
    const branchKeyId = await store.createKey();
    const keyring = new HierarchicalKeyring({ keyStore: store, branchKeyId, ttlSeconds: 60 });
    const { ciphertext } = await encrypt(keyring, new TextEncoder().encode('in the browser'), { encryptionContext: { where: 'browser' } });
    await store.versionKey(branchKeyId);
    const reader = new HierarchicalKeyring({ keyStore: open(), branchKeyId, ttlSeconds: 60 });
    expect(new TextDecoder().decode((await decrypt(reader, ciphertext)).plaintext)).to.equal('in the browser');
  });
});
