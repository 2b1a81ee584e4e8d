/**
 * Items as the AWS SDK for JavaScript v3 writes them (`@aws-sdk/util-dynamodb`'s marshall, typed
 * as `@aws-sdk/client-dynamodb`'s AttributeValue) go through the item encryptor unchanged, and
 * come back out ready for `unmarshall`.
 */
import { expect } from 'chai';
import type { AttributeValue as SdkAttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { createItemEncryptor } from '../../src/records/index.js';
import { vectorKeyring } from '../support/dbesdk-vectors.js';

describe('records: AWS SDK v3 items', () => {
  it('marshall -> encryptItem -> decryptItem -> unmarshall gives the object back', async () => {
    const { keyring } = await vectorKeyring();
    const encryptor = createItemEncryptor({
      tableName: 'Orders',
      partitionKeyName: 'customer',
      sortKeyName: 'order',
      attributeActionsOnEncrypt: { customer: 'SIGN_ONLY', order: 'SIGN_ONLY', total: 'ENCRYPT_AND_SIGN', card: 'ENCRYPT_AND_SIGN', items: 'ENCRYPT_AND_SIGN', tags: 'SIGN_ONLY', paid: 'ENCRYPT_AND_SIGN', note: 'ENCRYPT_AND_SIGN' },
      keyring,
    });
    const order = {
      customer: 'c-17',
      order: 1024,
      total: 99.95,
      card: new Uint8Array([4, 1, 1, 1]),
      items: [{ sku: 'A1', qty: 2 }, { sku: 'B7', qty: 1 }],
      tags: new Set(['gift', 'express']),
      paid: true,
      note: null,
    };
    const item: Record<string, SdkAttributeValue> = marshall(order);
    const { encryptedItem } = await encryptor.encryptItem(item);
    expect(encryptedItem.card).to.have.property('B');
    const { plaintextItem } = await encryptor.decryptItem(encryptedItem);
    const back = unmarshall(plaintextItem as Record<string, SdkAttributeValue>);
    expect({ ...back, tags: [...back.tags].sort() }).to.deep.equal({ ...order, tags: ['express', 'gift'] });
  });
});
