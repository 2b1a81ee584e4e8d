/**
 * Items the kit encrypts: round trips of every attribute type under both suites and both header
 * versions, the stored bytes checked against the specification's layout, and one tamper test per
 * rule (each fails with its typed error). Runs in Node and in every browser.
 */
import { expect } from 'chai';
import { HierarchicalKeyring } from '../../src/core/index.js';
import {
  ItemEncryptorError,
  StaticBranchKeyStore,
  createItemEncryptor,
  serializeAttribute,
  type AttributeValue,
  type CryptoAction,
  type Item,
  type ItemEncryptorOptions,
} from '../../src/records/index.js';
import { vectorKeyring } from '../support/dbesdk-vectors.js';

const ITEM: Item = {
  pk: { S: 'tenant#1' },
  sk: { N: '0042.50' },
  title: { S: 'Grüße, 世界 🌍' },
  body: { B: new Uint8Array([0, 1, 2, 255]) },
  count: { N: '-1.5e3' },
  flag: { BOOL: true },
  nothing: { NULL: true },
  tags: { SS: ['b', 'a', 'é'] },
  scores: { NS: ['10', '2', '-0.5'] },
  blobs: { BS: [new Uint8Array([2]), new Uint8Array([1, 0])] },
  nested: { M: { z: { L: [{ S: 'x' }, { N: '1' }, { M: {} }] }, a: { BOOL: false } } },
  list: { L: [] },
  author: { S: 'ann' },
  note: { S: 'not signed' },
};

const ACTIONS: Record<string, CryptoAction> = {
  pk: 'SIGN_ONLY',
  sk: 'SIGN_ONLY',
  title: 'ENCRYPT_AND_SIGN',
  body: 'ENCRYPT_AND_SIGN',
  count: 'ENCRYPT_AND_SIGN',
  flag: 'ENCRYPT_AND_SIGN',
  nothing: 'ENCRYPT_AND_SIGN',
  tags: 'ENCRYPT_AND_SIGN',
  scores: 'ENCRYPT_AND_SIGN',
  blobs: 'ENCRYPT_AND_SIGN',
  nested: 'ENCRYPT_AND_SIGN',
  list: 'SIGN_ONLY',
  author: 'SIGN_ONLY',
  note: 'DO_NOTHING',
};

async function setup(overrides: Partial<ItemEncryptorOptions> = {}) {
  const { keyring } = await vectorKeyring();
  return createItemEncryptor({
    tableName: 'Notes',
    partitionKeyName: 'pk',
    sortKeyName: 'sk',
    attributeActionsOnEncrypt: ACTIONS,
    allowedUnsignedAttributes: ['note'],
    keyring,
    ...overrides,
  });
}

function expectSameItem(actual: Item, expected: Item): void {
  expect(Object.keys(actual).sort()).to.deep.equal(Object.keys(expected).sort());
  for (const name of Object.keys(expected)) {
    const a = serializeAttribute(actual[name]!);
    const e = serializeAttribute(expected[name]!);
    expect(a.typeId, name).to.equal(e.typeId);
    expect(Array.from(a.value), name).to.deep.equal(Array.from(e.value));
  }
}

async function failure(promise: Promise<unknown>): Promise<ItemEncryptorError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).to.be.instanceOf(ItemEncryptorError);
  return error as ItemEncryptorError;
}

function bytesOf(item: Item, name: string): Uint8Array {
  return (item[name] as { B: Uint8Array }).B;
}

function flipped(bytes: Uint8Array, index: number): { B: Uint8Array } {
  const copy = bytes.slice();
  copy[index < 0 ? copy.length + index : index]! ^= 1;
  return { B: copy };
}

function withByte(bytes: Uint8Array, index: number, value: number): { B: Uint8Array } {
  const copy = bytes.slice();
  expect(copy[index]).to.not.equal(value);
  copy[index] = value;
  return { B: copy };
}

const u16 = (b: Uint8Array, o: number) => (b[o]! << 8) | b[o + 1]!;
const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('records: item encryptor round trips', () => {
  for (const suite of [0x6701, 0x6700] as const) {
    it(`every attribute type, suite 0x${suite.toString(16)}`, async () => {
      const encryptor = await setup({ algorithmSuiteId: suite });
      const { encryptedItem, parsedHeader } = await encryptor.encryptItem(ITEM);
      expect(parsedHeader.algorithmSuiteId).to.equal(suite);
      for (const [name, action] of Object.entries(ACTIONS)) {
        if (action === 'ENCRYPT_AND_SIGN') {
          const stored = bytesOf(encryptedItem, name);
          // type id of the plaintext, then ciphertext and a 16-byte tag
          expect(u16(stored, 0)).to.equal(serializeAttribute(ITEM[name]!).typeId);
          expect(stored.length).to.equal(2 + serializeAttribute(ITEM[name]!).value.length + 16);
        } else {
          expectSameItem({ [name]: encryptedItem[name]! }, { [name]: ITEM[name]! });
        }
      }
      const { plaintextItem } = await encryptor.decryptItem(encryptedItem);
      expectSameItem(plaintextItem, ITEM);
      // DynamoDB's normalization: numbers and sets come back as DynamoDB stores them
      expect(plaintextItem.sk).to.deep.equal({ N: '42.5' });
      expect(plaintextItem.count).to.deep.equal({ N: '-1500' });
      expect(plaintextItem.scores).to.deep.equal({ NS: ['-0.5', '10', '2'] });
      expect(plaintextItem.tags).to.deep.equal({ SS: ['a', 'b', 'é'] });
    });
  }

  it('version 2 (SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT) binds those attributes into the context', async () => {
    const actions = { ...ACTIONS, pk: 'SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT', sk: 'SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT', author: 'SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT' } as const;
    const encryptor = await setup({ attributeActionsOnEncrypt: actions });
    const { encryptedItem, parsedHeader } = await encryptor.encryptItem(ITEM);
    expect(bytesOf(encryptedItem, 'aws_dbe_head')[0]).to.equal(2);
    expect(parsedHeader.encryptionContext).to.include({
      'aws-crypto-table-name': 'Notes',
      'aws-crypto-partition-name': 'pk',
      'aws-crypto-sort-name': 'sk',
      'aws-crypto-attr.pk': 'tenant#1',
      'aws-crypto-attr.sk': '42.5',
      'aws-crypto-attr.author': 'ann',
      'aws-crypto-legend': 'SSN', // author, pk, sk sorted by name: S, S, N
    });
    expect(Object.keys(parsedHeader.storedEncryptionContext)).to.deep.equal(['aws-crypto-public-key']);
    const { plaintextItem } = await encryptor.decryptItem(encryptedItem);
    expectSameItem(plaintextItem, ITEM);
    // the context attribute is signed and in the context: changing it breaks the data key
    const error = await failure(encryptor.decryptItem({ ...encryptedItem, author: { S: 'bob' } }));
    expect(error.code).to.equal('NO_DECRYPTING_KEYRING');
  });

  it("accepts the DB-ESDK's suite enum names as algorithmSuiteId", async () => {
    const encryptor = await setup({ algorithmSuiteId: 'ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY_SYMSIG_HMAC_SHA384' });
    const { encryptedItem, parsedHeader } = await encryptor.encryptItem(ITEM);
    expect(parsedHeader.algorithmSuiteId).to.equal(0x6700);
    expect(bytesOf(encryptedItem, 'aws_dbe_head')[1]).to.equal(0);
  });

  it('re-encrypts the plaintext of the published vectors and reads it back', async () => {
    const { keyring } = await vectorKeyring();
    const encryptor = createItemEncryptor({
      tableName: 'GazelleVectorTable',
      partitionKeyName: 'RecNum',
      attributeActionsOnEncrypt: { RecNum: 'SIGN_ONLY', Stuff: 'ENCRYPT_AND_SIGN', Junk: 'SIGN_ONLY' },
      keyring,
    });
    const item: Item = { RecNum: { N: '1' }, Stuff: { L: [{ M: { A: { S: 'B' } } }, { NS: ['00.0011', '0000'] }] }, Junk: { S: 'JunkData' } };
    const { plaintextItem } = await encryptor.decryptItem((await encryptor.encryptItem(item)).encryptedItem);
    expectSameItem(plaintextItem, item);
  });
});

describe('records: the stored bytes follow the specification layout', () => {
  it('header: version, flavor, message id, legend in canonical path order, context, EDKs, commitment', async () => {
    const encryptor = await setup();
    const { encryptedItem } = await encryptor.encryptItem(ITEM);
    const head = bytesOf(encryptedItem, 'aws_dbe_head');
    expect(head[0], 'format version').to.equal(1);
    expect(head[1], 'flavor of 0x6701').to.equal(1);
    let o = 2 + 32;
    const legendLength = u16(head, o);
    const legend = text(head.subarray(o + 2, o + 2 + legendLength));
    o += 2 + legendLength;
    // canonical paths put the name's length before the name: shorter names first, then bytes
    const signed = Object.keys(ACTIONS).filter((n) => ACTIONS[n] !== 'DO_NOTHING');
    signed.sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
    expect(legend).to.equal(signed.map((n) => (ACTIONS[n] === 'ENCRYPT_AND_SIGN' ? 'e' : 's')).join(''));
    expect(u16(head, o), 'stored context pairs').to.equal(1);
    const keyLength = u16(head, o + 2);
    expect(text(head.subarray(o + 4, o + 4 + keyLength))).to.equal('aws-crypto-public-key');
    o += 4 + keyLength;
    const valueLength = u16(head, o);
    expect(valueLength, 'base64 of a compressed P-384 point').to.equal(68);
    o += 2 + valueLength;
    expect(head[o], 'one EDK').to.equal(1);
    o += 1;
    const idLength = u16(head, o);
    expect(text(head.subarray(o + 2, o + 2 + idLength))).to.equal('aws-kms-hierarchy');
    o += 2 + idLength;
    const infoLength = u16(head, o);
    o += 2 + infoLength;
    // sealed data key (32 + 16) | salt 16 | IV 12 | version 16 | wrapped intermediate key 32 | tag 16
    expect(u16(head, o)).to.equal(48 + 16 + 12 + 16 + 32 + 16);
    o += 2 + u16(head, o);
    expect(head.length - o, 'commitment').to.equal(32);
  });

  it('footer: one 48-byte tag per EDK, then a 103-byte DER signature (0x6701) or nothing (0x6700)', async () => {
    const encryptor = await setup();
    const signed = (await encryptor.encryptItem(ITEM)).encryptedItem;
    const foot = bytesOf(signed, 'aws_dbe_foot');
    expect(foot.length).to.equal(48 + 103);
    expect([foot[48], foot[49]]).to.deep.equal([0x30, 0x65]);
    // The signer picks s or n - s so that DER is always 103 bytes: every item here, and each verifies.
    for (let i = 0; i < 16; i++) {
      const item = (await encryptor.encryptItem({ ...ITEM, pk: { S: `p${i}` } })).encryptedItem;
      expect(bytesOf(item, 'aws_dbe_foot').length).to.equal(48 + 103);
      await encryptor.decryptItem(item);
    }
    const unsigned = (await (await setup({ algorithmSuiteId: 0x6700 })).encryptItem(ITEM)).encryptedItem;
    expect(bytesOf(unsigned, 'aws_dbe_foot').length).to.equal(48);
    expect(bytesOf(unsigned, 'aws_dbe_head')[1]).to.equal(0);
  });

  it('canonical path: the table name is bound into every item', async () => {
    const a = (await (await setup()).encryptItem(ITEM)).encryptedItem;
    const other = await setup({ tableName: 'Notes2' });
    const error = await failure(other.decryptItem(a));
    expect(error.code).to.equal('NO_DECRYPTING_KEYRING');
  });
});

describe('records: tampering fails with a typed error', () => {
  // Mocha (browsers) and Vitest name their hooks differently: one lazily made item serves all.
  let encryptor: Awaited<ReturnType<typeof setup>>;
  let stored: Record<string, AttributeValue>;
  let ready: Promise<void> | undefined;
  const prepare = () =>
    (ready ??= (async () => {
      encryptor = await setup();
      stored = (await encryptor.encryptItem(ITEM)).encryptedItem;
    })());

  const cases: [string, string, () => Item][] = [
    ['a changed SIGN_ONLY attribute', 'SIGNATURE_INVALID', () => ({ ...stored, author: { S: 'mallory' } })],
    ['a changed SIGN_ONLY attribute type', 'SIGNATURE_INVALID', () => ({ ...stored, list: { M: {} } })],
    ['a changed encrypted attribute', 'SIGNATURE_INVALID', () => ({ ...stored, title: flipped(bytesOf(stored, 'title'), -1) })],
    ['two swapped encrypted attributes', 'SIGNATURE_INVALID', () => ({ ...stored, title: stored.body!, body: stored.title! })],
    ['two swapped signed attributes', 'SIGNATURE_INVALID', () => ({ ...stored, author: stored.list!, list: stored.author! })],
    ['an added attribute', 'SIGNED_ATTRIBUTES_MISMATCH', () => ({ ...stored, extra: { S: 'x' } })],
    ['a removed signed attribute', 'SIGNED_ATTRIBUTES_MISMATCH', () => Object.fromEntries(Object.entries(stored).filter(([k]) => k !== 'author'))],
    ['a removed and an added attribute (same count)', 'SIGNATURE_INVALID', () => ({ ...Object.fromEntries(Object.entries(stored).filter(([k]) => k !== 'author')), authoR: stored.author! })],
    // legend byte 2 is `body` (after pk and sk): ENCRYPT_AND_SIGN rewritten as SIGN_ONLY
    ['a changed action in the header legend', 'COMMITMENT_MISMATCH', () => ({ ...stored, aws_dbe_head: withByte(bytesOf(stored, 'aws_dbe_head'), 2 + 32 + 2 + 2, 0x73) })],
    ['a changed commitment', 'COMMITMENT_MISMATCH', () => ({ ...stored, aws_dbe_head: flipped(bytesOf(stored, 'aws_dbe_head'), -1) })],
    ['a changed partition key', 'NO_DECRYPTING_KEYRING', () => ({ ...stored, pk: { S: 'tenant#2' } })],
    ['a changed sort key', 'NO_DECRYPTING_KEYRING', () => ({ ...stored, sk: { N: '43' } })],
    ['a changed recipient tag', 'SIGNATURE_INVALID', () => ({ ...stored, aws_dbe_foot: flipped(bytesOf(stored, 'aws_dbe_foot'), 0) })],
    ['a changed signature', 'SIGNATURE_INVALID', () => ({ ...stored, aws_dbe_foot: flipped(bytesOf(stored, 'aws_dbe_foot'), -1) })],
    ['a truncated footer', 'MALFORMED_ITEM', () => ({ ...stored, aws_dbe_foot: { B: bytesOf(stored, 'aws_dbe_foot').slice(0, 100) } })],
    ['a missing header', 'MALFORMED_ITEM', () => Object.fromEntries(Object.entries(stored).filter(([k]) => k !== 'aws_dbe_head'))],
    ['a header that is not binary', 'MALFORMED_ITEM', () => ({ ...stored, aws_dbe_head: { S: 'x' } })],
    ['a truncated header', 'MALFORMED_ITEM', () => ({ ...stored, aws_dbe_head: { B: bytesOf(stored, 'aws_dbe_head').slice(0, 50) } })],
  ];
  for (const [what, code, make] of cases) {
    it(`${what}: ${code}`, async () => {
      await prepare();
      expect((await failure(encryptor.decryptItem(make()))).code).to.equal(code);
    });
  }

  it('an unsigned attribute may change (it is not authenticated, by configuration)', async () => {
    await prepare();
    const { plaintextItem } = await encryptor.decryptItem({ ...stored, note: { S: 'changed' } });
    expect(plaintextItem.note).to.deep.equal({ S: 'changed' });
  });

  it('a reader that treats a signed attribute as unsigned: SIGNED_ATTRIBUTES_MISMATCH', async () => {
    await prepare();
    const reader = await setup({ attributeActionsOnEncrypt: { ...ACTIONS, author: 'DO_NOTHING' }, allowedUnsignedAttributes: ['note', 'author'] });
    expect((await failure(reader.decryptItem(stored))).code).to.equal('SIGNED_ATTRIBUTES_MISMATCH');
  });

  it('a wrong table name: NO_DECRYPTING_KEYRING', async () => {
    await prepare();
    expect((await failure((await setup({ tableName: 'Other' })).decryptItem(stored))).code).to.equal('NO_DECRYPTING_KEYRING');
  });

  it('a wrong key (another branch key, same id and version): NO_DECRYPTING_KEYRING', async () => {
    await prepare();
    const { branchKeyId } = await vectorKeyring();
    const keyStore = await StaticBranchKeyStore.create({ branchKeyId, branchKeyVersion: 'e9ce18a3-edb5-4272-9f86-1cacb7997ff6', branchKey: new Uint8Array(32).fill(7) });
    const wrong = await setup({ keyring: new HierarchicalKeyring({ keyStore, branchKeyId, ttlSeconds: 60 }) });
    expect((await failure(wrong.decryptItem(stored))).code).to.equal('NO_DECRYPTING_KEYRING');
  });
});

describe('records: bad configuration and items', () => {
  it('refuses key attributes that are not signed, unknown actions and DO_NOTHING outside the unsigned list', async () => {
    const bad: Partial<ItemEncryptorOptions>[] = [
      { attributeActionsOnEncrypt: { ...ACTIONS, pk: 'ENCRYPT_AND_SIGN' } },
      { attributeActionsOnEncrypt: { ...ACTIONS, sk: 'DO_NOTHING' } },
      { attributeActionsOnEncrypt: { ...ACTIONS, title: 'ENCRYPT' as CryptoAction } },
      { allowedUnsignedAttributes: [] },
      { attributeActionsOnEncrypt: { ...ACTIONS, aws_dbe_x: 'SIGN_ONLY' } },
      { tableName: '' },
    ];
    for (const options of bad) {
      const error = await failure(setup(options));
      expect(error.code, JSON.stringify(options)).to.equal('INVALID_CONFIG');
    }
    expect((await failure(setup({ algorithmSuiteId: 0x0578 as 0x6701 }))).code).to.equal('UNSUPPORTED_SUITE');
  });

  it('refuses items without their keys, with unconfigured or reserved attributes, or with bad values', async () => {
    const encryptor = await setup();
    const items: [Item, string][] = [
      [{ ...ITEM, pk: undefined as unknown as AttributeValue }, 'INVALID_ITEM'],
      [{ ...ITEM, stray: { S: 'x' } }, 'INVALID_ITEM'],
      [{ ...ITEM, aws_dbe_b_x: { S: 'x' } }, 'INVALID_ITEM'],
      [{ ...ITEM, count: { N: '1e200' } }, 'INVALID_ATTRIBUTE_VALUE'],
      [{ ...ITEM, count: { N: 'abc' } }, 'INVALID_ATTRIBUTE_VALUE'],
      [{ ...ITEM, tags: { SS: ['a', 'a'] } }, 'INVALID_ATTRIBUTE_VALUE'],
      [{ ...ITEM, scores: { NS: ['1', '1.0'] } }, 'INVALID_ATTRIBUTE_VALUE'],
      [{ ...ITEM, title: { S: 'a', N: '1' } as unknown as AttributeValue }, 'INVALID_ATTRIBUTE_VALUE'],
    ];
    for (const [item, code] of items) expect((await failure(encryptor.encryptItem(item))).code).to.equal(code);
  });
});

describe('records: several recipients (a MultiKeyring)', () => {
  it('gives each recipient its own EDK and recipient tag; each alone decrypts, and only its own tag authenticates it', async () => {
    const { MultiKeyring, RawAesKeyring } = await import('../../src/core/index.js');
    const alice = new RawAesKeyring({ keyNamespace: 'team', keyName: 'alice', wrappingKey: crypto.getRandomValues(new Uint8Array(32)) });
    const bob = new RawAesKeyring({ keyNamespace: 'team', keyName: 'bob', wrappingKey: crypto.getRandomValues(new Uint8Array(32)) });
    const options = { tableName: 'Shared', partitionKeyName: 'id', attributeActionsOnEncrypt: { id: 'SIGN_ONLY', secret: 'ENCRYPT_AND_SIGN' } as Record<string, CryptoAction>, algorithmSuiteId: 0x6700 as const };
    const writer = createItemEncryptor({ ...options, keyring: new MultiKeyring({ generator: alice, children: [bob] }) });
    const { encryptedItem, parsedHeader } = await writer.encryptItem({ id: { S: '1' }, secret: { S: 'shared' } });
    expect(parsedHeader.encryptedDataKeys).to.have.length(2);
    const foot = bytesOf(encryptedItem, 'aws_dbe_foot');
    expect(foot.length).to.equal(2 * 48);
    expect(Array.from(foot.subarray(0, 48))).to.not.deep.equal(Array.from(foot.subarray(48)));
    for (const keyring of [alice, bob]) {
      const { plaintextItem } = await createItemEncryptor({ ...options, keyring }).decryptItem(encryptedItem);
      expect(plaintextItem.secret).to.deep.equal({ S: 'shared' });
    }
    // Bob's tag changed: Alice still reads the item (her tag holds), Bob no longer does.
    const bobsTagChanged = { ...encryptedItem, aws_dbe_foot: flipped(foot, 60) };
    expect((await createItemEncryptor({ ...options, keyring: alice }).decryptItem(bobsTagChanged)).plaintextItem.secret).to.deep.equal({ S: 'shared' });
    expect((await failure(createItemEncryptor({ ...options, keyring: bob }).decryptItem(bobsTagChanged))).code).to.equal('SIGNATURE_INVALID');
  });
});
