/**
 * kit.table: an encrypted table in IndexedDB, its items encrypted in the real worker with the
 * DB-ESDK item format under the kit's hierarchical keyring, queried through beacons.
 */
import { expect } from 'chai';
import { ItemEncryptorError, createItemEncryptor, fromDynamoDbJson, type Item } from '../../src/records/index.js';
import { type Kit, type KitTableConfig } from '../../src/index.js';
import { branchKeyStoreNames } from '../../src/client/protocol.js';
import { tableDatabaseName } from '../../src/client/tables/protocol.js';
import { describe, it } from '../support/bdd.js';
import { rejection, uniqueName, withKit } from './client-support.js';

function deleteDatabase(name: string): Promise<unknown> {
  return new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = request.onerror = request.onblocked = resolve;
  });
}

/** withKit with a branch key, and the kit's branch key and table databases removed afterwards. */
async function withTableKit<T>(tables: string[], body: (kit: Kit, branchKeyId: string, name: string) => Promise<T>): Promise<T> {
  const name = uniqueName();
  try {
    return await withKit(async (kit) => {
      const keyArn = (await kit.kms('us-east-1').createKey({ Description: 'tables' })).KeyMetadata.Arn;
      return body(kit, await kit.createBranchKey({ keyId: keyArn }), name);
    }, { name });
  } finally {
    await deleteDatabase(branchKeyStoreNames(name).database);
    for (const table of tables) await deleteDatabase(tableDatabaseName(name, table));
  }
}

const config = (branchKeyId: string): KitTableConfig => ({
  partitionKeyName: 'id',
  sortKeyName: 'version',
  attributeActionsOnEncrypt: { id: 'SIGN_ONLY', version: 'SIGN_ONLY', title: 'ENCRYPT_AND_SIGN', body: 'ENCRYPT_AND_SIGN', tag: 'ENCRYPT_AND_SIGN', year: 'SIGN_ONLY' },
  branchKeyId,
  algorithmSuiteId: 0x6700,
  beacons: {
    // 2 bits: 4 beacon values for many tags, so queries meet collisions and must filter them out
    standardBeacons: [{ name: 'title', length: 16 }, { name: 'tag', length: 2 }],
    compoundBeacons: [{ name: 'yearTag', split: '.', signed: [{ name: 'year', prefix: 'Y-' }], encrypted: [{ name: 'tag', prefix: 'T-' }] }],
  },
});

const note = (i: number): Item => ({
  id: { S: `note-${i}` },
  version: { N: '1' },
  title: { S: `Title ${i % 5}` },
  body: { S: `body of note ${i}` },
  tag: { S: `tag-${i % 12}` },
  year: { N: String(2020 + (i % 3)) },
});

describe('kit.table', () => {
  it('puts, gets, deletes, scans and counts items, encrypted at rest', () =>
    withTableKit(['notes'], async (kit, branchKeyId, name) => {
      const notes = kit.table('notes', config(branchKeyId));
      await notes.put(note(1));
      expect(await notes.get({ id: { S: 'note-1' }, version: { N: '1.0' } })).to.deep.equal(note(1));
      expect(await notes.get({ id: { S: 'note-2' }, version: { N: '1' } })).to.equal(undefined);
      expect(await notes.putMany([note(2), note(3), note(4)])).to.equal(3);
      expect(await notes.count()).to.equal(4);
      const many = await notes.getMany([{ id: { S: 'note-3' }, version: { N: '1' } }, { id: { S: 'nope' }, version: { N: '1' } }]);
      expect(many).to.deep.equal([note(3), undefined]);
      await notes.delete({ id: { S: 'note-1' }, version: { N: '1' } });
      expect(await notes.deleteMany([{ id: { S: 'note-2' }, version: { N: '1' } }])).to.equal(1);
      expect((await notes.scan()).map((i) => (i.id as { S: string }).S).sort()).to.deep.equal(['note-3', 'note-4']);

      // What IndexedDB holds: no plaintext title or body, the DB-ESDK attributes and beacons.
      const raw = await new Promise<unknown[]>((resolve, reject) => {
        const open = indexedDB.open(tableDatabaseName(name, 'notes'));
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const request = open.result.transaction('items').objectStore('items').getAll();
          request.onsuccess = () => {
            open.result.close();
            resolve(request.result);
          };
        };
      });
      const stored = JSON.stringify(raw, (_k, v) => (v instanceof Uint8Array ? `bytes:${v.length}` : v));
      expect(stored).to.not.contain('body of note');
      expect(stored).to.not.contain('Title 3');
      expect(stored).to.contain('aws_dbe_head').and.contain('aws_dbe_foot').and.contain('aws_dbe_b_title');
    }));

  it('queries through beacons and returns exactly the matching items despite truncation collisions', () =>
    withTableKit(['notes'], async (kit, branchKeyId) => {
      const notes = kit.table('notes', config(branchKeyId));
      const all = Array.from({ length: 48 }, (_, i) => note(i));
      await notes.putMany(all);
      const ids = (items: Item[]) => items.map((i) => (i.id as { S: string }).S).sort();
      const expected = (pick: (i: number) => boolean) => ids(all.filter((_, i) => pick(i)));
      expect(ids(await notes.query({ beacon: { title: 'Title 2' } }))).to.deep.equal(expected((i) => i % 5 === 2));
      // 12 tags in 4 beacon values: every tag query has colliding candidates, filtered after decryption
      for (const t of [0, 5, 11]) expect(ids(await notes.query({ beacon: { tag: `tag-${t}` } }))).to.deep.equal(expected((i) => i % 12 === t));
      expect(ids(await notes.query({ beacon: { yearTag: 'Y-2021.T-tag-4' } }))).to.deep.equal(expected((i) => i % 12 === 4 && i % 3 === 1));
      expect(ids(await notes.query({ beacon: { title: 'Title 1', tag: 'tag-6' } }))).to.deep.equal(expected((i) => i % 5 === 1 && i % 12 === 6));
      expect(await notes.query({ beacon: { title: 'no such title' } })).to.deep.equal([]);
    }));

  it('exports the encrypted items as DynamoDB JSON that the item encryptor reads back with the same keys', () =>
    withTableKit(['notes'], async (kit, branchKeyId) => {
      const notes = kit.table('notes', config(branchKeyId));
      await notes.putMany([note(7), note(8)]);
      const exported = await notes.export();
      expect(exported).to.have.length(2);
      const item = Object.fromEntries(Object.entries(exported[0]!).map(([k, v]) => [k, fromDynamoDbJson(v)]));
      expect(typeof (exported[0]!.aws_dbe_head as { B: string }).B).to.equal('string');
      expect(item.title).to.have.property('B');
      // The page has no key: it can parse, not decrypt; that a wrong key fails shows it is real ciphertext.
      const { HierarchicalKeyring } = await import('../../src/core/index.js');
      const { StaticBranchKeyStore } = await import('../../src/records/index.js');
      const keyStore = await StaticBranchKeyStore.create({ branchKeyId, branchKeyVersion: '00000000-0000-4000-8000-000000000000', branchKey: new Uint8Array(32) });
      const outsider = createItemEncryptor({ tableName: 'notes', partitionKeyName: 'id', sortKeyName: 'version', attributeActionsOnEncrypt: config(branchKeyId).attributeActionsOnEncrypt, keyring: new HierarchicalKeyring({ keyStore, branchKeyId, ttlSeconds: 60 }) });
      const error = await rejection(outsider.decryptItem(item));
      expect(error).to.be.instanceOf(ItemEncryptorError);
      expect(error.code).to.equal('NO_DECRYPTING_KEYRING');
    }));

  it('detects an item changed or copied from another item inside IndexedDB', () =>
    withTableKit(['notes'], async (kit, branchKeyId, name) => {
      const notes = kit.table('notes', config(branchKeyId));
      await notes.putMany([note(1), note(2)]);
      const key = (i: number) => ['S', `note-${i}`, 'N', '1'];
      // An attacker with the database (but no key) edits one record and moves a title between two.
      await new Promise<void>((resolve, reject) => {
        const open = indexedDB.open(tableDatabaseName(name, 'notes'));
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction('items', 'readwrite');
          const store = tx.objectStore('items');
          const one = store.get(key(1));
          const two = store.get(key(2));
          tx.oncomplete = () => {
            open.result.close();
            resolve();
          };
          two.onsuccess = () => {
            const first = one.result as { item: Record<string, { B?: Uint8Array }> };
            const second = two.result as { item: Record<string, { B?: Uint8Array }> };
            second.item.title = first.item.title!; // a valid ciphertext, of another item
            first.item.body!.B![first.item.body!.B!.length - 1]! ^= 1;
            store.put(first, key(1));
            store.put(second, key(2));
          };
        };
      });
      for (const i of [1, 2]) {
        const error = await rejection(notes.get({ id: { S: `note-${i}` }, version: { N: '1' } }));
        expect(error, `note ${i}`).to.be.instanceOf(ItemEncryptorError);
        expect(error.code, `note ${i}`).to.equal('SIGNATURE_INVALID');
      }
    }));

  it('without a branch key: reads of the new table make no key, the first write makes one and the table keeps it', () =>
    withTableKit(['auto', 'aliased'], async (kit) => {
      const keys = async () => (await kit.kms('us-east-1').listKeys({})).Keys.length;
      const before = await keys();
      const shape = { partitionKeyName: 'id', attributeActionsOnEncrypt: { id: 'SIGN_ONLY', title: 'ENCRYPT_AND_SIGN' }, beacons: { standardBeacons: [{ name: 'title', length: 8 }] } } as const;
      const auto = kit.table('auto', shape);
      expect(await auto.scan()).to.deep.equal([]);
      expect(await auto.get({ id: { S: 'x' } })).to.equal(undefined);
      expect(await auto.query({ beacon: { title: 'x' } })).to.deep.equal([]);
      expect((await rejection(auto.query({ beacon: { nope: 'x' } }))).code).to.equal('BEACON_ERROR');
      expect(await keys(), 'no KMS key made by reads').to.equal(before);
      await auto.putMany([{ id: { S: '1' }, title: { S: 'first' } }, { id: { S: '2' }, title: { S: 'second' } }]);
      expect(await keys(), 'one KMS key made by the first write').to.equal(before + 1);
      // another handle (a reload) finds the table's branch key in its database
      const again = kit.table('auto', shape);
      expect(await again.get({ id: { S: '2' } })).to.deep.equal({ id: { S: '2' }, title: { S: 'second' } });
      expect((await again.query({ beacon: { title: 'first' } })).map((i) => i.id)).to.deep.equal([{ S: '1' }]);

      // with keyId (here an alias), the branch key is made under that KMS key
      const { KeyMetadata } = await kit.kms('us-east-1').createKey({});
      await kit.kms('us-east-1').createAlias({ AliasName: 'alias/records', TargetKeyId: KeyMetadata.KeyId });
      const aliased = kit.table('aliased', { ...shape, keyId: 'alias/records' });
      await aliased.put({ id: { S: 'a' }, title: { S: 't' } });
      expect(await keys()).to.equal(before + 2);
      expect(await aliased.get({ id: { S: 'a' } })).to.deep.equal({ id: { S: 'a' }, title: { S: 't' } });
    }));

  it('rejects bad configurations and items with typed errors from the worker', () =>
    withTableKit(['notes', 'bad'], async (kit, branchKeyId) => {
      const bad = kit.table('bad', { ...config(branchKeyId), attributeActionsOnEncrypt: { id: 'ENCRYPT_AND_SIGN', version: 'SIGN_ONLY' } });
      const configError = await rejection(bad.put(note(1)));
      expect(configError).to.be.instanceOf(ItemEncryptorError);
      expect(configError.code).to.equal('INVALID_CONFIG');
      const notes = kit.table('notes', config(branchKeyId));
      const itemError = await rejection(notes.put({ ...note(1), stray: { S: 'x' } }));
      expect(itemError.code).to.equal('INVALID_ITEM');
      const queryError = await rejection(notes.query({ beacon: { body: 'x' } }));
      expect(queryError.code).to.equal('BEACON_ERROR');
      expect(() => kit.table('no spaces', config(branchKeyId))).to.throw(TypeError);
      const keyError = await rejection(kit.table('other', { ...config(branchKeyId), branchKeyId: 'no-such-branch-key' }).put(note(1)));
      expect(keyError.code).to.be.a('string');
    }));
});
