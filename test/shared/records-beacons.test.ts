/**
 * Searchable beacons: the DB-ESDK's own known answers, beacons written as `aws_dbe_b_<name>`,
 * equality search that finds exactly the matching items once truncation collisions are filtered,
 * compound beacons, and beacon keys from a real branch key store over the simulated KMS.
 */
import { expect } from 'chai';
import { BranchKeyStore, HierarchicalKeyring, type BeaconKeyMaterials } from '../../src/core/index.js';
import { createKms } from '../../src/kms/index.js';
import { ItemEncryptorError, createItemEncryptor, type AttributeValue, type Item, type ItemEncryptorOptions, type SearchConfig } from '../../src/records/index.js';
import { vectorKeyring } from '../support/dbesdk-vectors.js';

/** A beacon key source over raw key bytes, as the DB-ESDK's unit tests use ([1, 2, 3, 4, 5]). */
function rawBeaconKeys(bytes: number[]) {
  return {
    async getBeaconKey(id: string): Promise<BeaconKeyMaterials> {
      const beaconKey = await crypto.subtle.importKey('raw', new Uint8Array(bytes), 'HKDF', false, ['deriveBits', 'deriveKey']);
      return { beaconKeyIdentifier: id, beaconKey, encryptionContext: {} };
    },
  };
}

async function encryptorWith(search: SearchConfig, overrides: Partial<ItemEncryptorOptions> = {}) {
  const { keyring } = await vectorKeyring();
  return createItemEncryptor({
    tableName: 'People',
    partitionKeyName: 'id',
    attributeActionsOnEncrypt: { id: 'SIGN_ONLY', std2: 'ENCRYPT_AND_SIGN', std4: 'ENCRYPT_AND_SIGN', std6: 'ENCRYPT_AND_SIGN', Name: 'ENCRYPT_AND_SIGN', Title: 'ENCRYPT_AND_SIGN', Year: 'SIGN_ONLY' },
    keyring,
    search,
    ...overrides,
  });
}

const KAT_SEARCH: SearchConfig = {
  writeVersion: 1,
  versions: [
    {
      version: 1,
      keyStore: rawBeaconKeys([1, 2, 3, 4, 5]),
      keySource: { single: { keyIdentifier: 'kat', cacheTTL: 60 } },
      standardBeacons: [
        { name: 'std2', length: 24 },
        { name: 'Name', length: 32 },
        { name: 'Title', length: 32 },
        { name: 'std4', length: 24 },
        { name: 'std6', length: 26 },
      ],
      compoundBeacons: [{ name: 'YearName', split: '.', signed: [{ name: 'Year', prefix: 'Y_' }], encrypted: [{ name: 'Name', prefix: 'N_' }] }],
    },
  ],
};

describe('records: beacons', () => {
  it("match the DB-ESDK's known answers (Beacon.dfy TestOneBeaconValue, beacon key [1,2,3,4,5])", async () => {
    const encryptor = await encryptorWith(KAT_SEARCH);
    expect(await encryptor.beacon('std2', '1.23')).to.equal('ac6f5d');
    expect(await encryptor.beacon('Name', 'MyName')).to.equal('7d9bfa40');
    expect(await encryptor.beacon('Title', 'MyTitle')).to.equal('e4feb833');
    expect(await encryptor.beacon('std4', 'abc')).to.equal('0e9064');
    expect(await encryptor.beacon('std6', '666')).to.equal('2d99222'); // 26 bits: 7 hex digits
    expect(await encryptor.beacon('Name', { S: 'MyName' })).to.equal('7d9bfa40');
  });

  it('are written as aws_dbe_b_<name> (standard and compound), and dropped on decrypt', async () => {
    const encryptor = await encryptorWith(KAT_SEARCH);
    const item: Item = { id: { S: '1' }, Name: { S: 'MyName' }, Title: { S: 'MyTitle' }, Year: { N: '1999' } };
    const { encryptedItem } = await encryptor.encryptItem(item);
    expect(encryptedItem.aws_dbe_b_Name).to.deep.equal({ S: '7d9bfa40' });
    expect(encryptedItem.aws_dbe_b_Title).to.deep.equal({ S: 'e4feb833' });
    expect(encryptedItem.aws_dbe_b_std2).to.equal(undefined); // no such attribute in the item
    expect(encryptedItem.aws_dbe_b_YearName).to.deep.equal({ S: 'Y_1999.N_7d9bfa40' });
    expect(await encryptor.beacon('YearName', 'Y_1999.N_MyName')).to.equal('Y_1999.N_7d9bfa40');
    expect(await encryptor.beacon('YearName', 'Y_1999')).to.equal('Y_1999');
    const { plaintextItem } = await encryptor.decryptItem(encryptedItem);
    expect(Object.keys(plaintextItem).sort()).to.deep.equal(['Name', 'Title', 'Year', 'id']);
    // a compound beacon is not written when a required part is missing
    const partial = await encryptor.encryptItem({ id: { S: '2' }, Name: { S: 'x' } });
    expect(partial.encryptedItem.aws_dbe_b_YearName).to.equal(undefined);
  });

  it('equality search finds exactly the matching items once truncation collisions are filtered', async () => {
    const search: SearchConfig = { ...KAT_SEARCH, versions: [{ ...KAT_SEARCH.versions[0]!, standardBeacons: [{ name: 'Name', length: 3 }], compoundBeacons: [] }] };
    const encryptor = await encryptorWith(search);
    const names = Array.from({ length: 24 }, (_, i) => `name-${i}`);
    const stored: Record<string, AttributeValue>[] = [];
    for (let i = 0; i < 96; i++) stored.push((await encryptor.encryptItem({ id: { S: String(i) }, Name: { S: names[i % names.length]! } })).encryptedItem);
    let collisions = 0;
    for (const wanted of names) {
      const beacon = await encryptor.beacon('Name', wanted);
      const candidates = stored.filter((item) => (item.aws_dbe_b_Name as { S: string }).S === beacon);
      const decrypted = await Promise.all(candidates.map(async (item) => (await encryptor.decryptItem(item)).plaintextItem));
      const matches = decrypted.filter((item) => (item.Name as { S: string }).S === wanted);
      collisions += candidates.length - matches.length;
      expect(matches.map((m) => Number((m.id as { S: string }).S)).sort((a, b) => a - b)).to.deep.equal(
        Array.from({ length: 4 }, (_, k) => names.indexOf(wanted) + k * names.length),
      );
    }
    // 24 values in 2^3 buckets: collisions are certain, so the filtering above was exercised
    expect(collisions).to.be.greaterThan(0);
  });

  it('refuse bad configurations and unknown beacons with typed errors', async () => {
    const base = KAT_SEARCH.versions[0]!;
    const bad: SearchConfig[] = [
      { ...KAT_SEARCH, versions: [{ ...base, standardBeacons: [{ name: 'Year', length: 8 }], compoundBeacons: [] }] }, // SIGN_ONLY attribute
      { ...KAT_SEARCH, versions: [{ ...base, standardBeacons: [{ name: 'Name', length: 64 }], compoundBeacons: [] }] },
      { ...KAT_SEARCH, versions: [{ ...base, compoundBeacons: [{ name: 'C', signed: [{ name: 'Year', prefix: 'A' }], encrypted: [{ name: 'Name', prefix: 'AB' }] }] }] },
      { ...KAT_SEARCH, versions: [{ ...base, compoundBeacons: [{ name: 'C', encrypted: [{ name: 'nope', prefix: 'A' }] }] }] },
      { ...KAT_SEARCH, writeVersion: 2 as 1 },
      { ...KAT_SEARCH, versions: [{ ...base, compoundBeacons: [{ name: 'C', signed: [{ name: 'Year', prefix: 'Y' }] }] }] }, // a signed beacon
    ];
    for (const search of bad) {
      const error = await encryptorWith(search).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(ItemEncryptorError);
      expect((error as ItemEncryptorError).code).to.equal('INVALID_CONFIG');
    }
    const encryptor = await encryptorWith(KAT_SEARCH);
    const unknown = await encryptor.beacon('nope', 'x').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((unknown as ItemEncryptorError).code).to.equal('BEACON_ERROR');
    const split = await encryptor.encryptItem({ id: { S: '1' }, Name: { S: 'a.b' }, Year: { N: '1' } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((split as ItemEncryptorError).code).to.equal('BEACON_ERROR');
  });

  it('take their key from the branch key store that holds the branch key (beacon key created with it)', async () => {
    const kms = await createKms({ storage: 'memory' });
    const region = kms.region('us-east-1');
    const { KeyMetadata } = await region.createKey({ Description: 'records beacons test' });
    const keyStore = new BranchKeyStore({ kms: region, kmsKeyId: KeyMetadata!.Arn!, logicalKeyStoreName: `records-${Math.random().toString(36).slice(2)}`, storage: 'memory' });
    const branchKeyId = await keyStore.createKey();
    const keyring = new HierarchicalKeyring({ keyStore, branchKeyId, ttlSeconds: 60 });
    const search: SearchConfig = {
      writeVersion: 1,
      versions: [{ version: 1, keyStore, keySource: { single: { keyIdentifier: branchKeyId, cacheTTL: 60 } }, standardBeacons: [{ name: 'Name', length: 16 }] }],
    };
    const encryptor = await encryptorWith(search, { keyring });
    const { encryptedItem } = await encryptor.encryptItem({ id: { S: '1' }, Name: { S: 'Ada' } });
    expect(encryptedItem.aws_dbe_b_Name).to.deep.equal({ S: await encryptor.beacon('Name', 'Ada') });
    expect((encryptedItem.aws_dbe_b_Name as { S: string }).S).to.match(/^[0-9a-f]{4}$/);
    expect((await encryptor.decryptItem(encryptedItem)).plaintextItem.Name).to.deep.equal({ S: 'Ada' });
  });
});
