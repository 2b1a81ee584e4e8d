/**
 * Interoperability with the AWS Encryption SDK for JavaScript (@aws-crypto/client-node 4.2.4), which
 * does ship a hierarchical keyring (KmsHierarchicalKeyRingNode) and a read-only branch key store
 * (BranchKeyStoreNode, DynamoDB). Both sides share one simulated KMS and one set of records:
 * - the SDK reads our records through its own DynamoDB code path: a DynamoDBClient whose `send`
 *   answers GetItem with our record marshalled as a DynamoDB item, so the SDK's own
 *   validateBranchKeyRecord / constructAuthenticatedEncryptionContext rebuild the KMS context;
 * - the SDK calls KMS Decrypt through a real AWS SDK v3 KMS client whose HTTP goes to the simulated
 *   KMS (test/support/kms-json-handler.ts).
 * Messages made by either keyring decrypt with the other, across suites and branch key versions.
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { KMS } from '@aws-sdk/client-kms';
import { marshall } from '@aws-sdk/util-dynamodb';
import { BranchKeyStoreNode, CommitmentPolicy as SdkPolicy, KmsHierarchicalKeyRingNode, buildClient, type AlgorithmSuiteIdentifier } from '@aws-crypto/client-node';
import { HierarchicalKeyring, decrypt, encrypt, type SuiteId } from '../../src/core/index.js';
import { encryptMany } from '../../src/core/encrypt.js';
import { decryptMany } from '../../src/core/decrypt.js';
import { memoryRecords } from '../../src/core/branch-key-store-storage.js';
import { kmsJsonHandler } from '../support/kms-json-handler.js';
import { storeFixture, text, type StoreFixture } from './fixtures.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const strict = buildClient(SdkPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
const legacy = buildClient(SdkPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT);
const SUITES: readonly SuiteId[] = [0x0478, 0x0578, 0x0178, 0x0378];
const committing = (id: number): boolean => id >= 0x0478;
const context = { tenant: 'acme', 'ключ': 'значение', purpose: 'interop' };
const read = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

/** The SDK's branch key store, reading our records as DynamoDB items. */
function sdkKeyStore(fixture: StoreFixture, getItems: string[]): BranchKeyStoreNode {
  const records = memoryRecords(fixture.options.name!)!;
  const ddbClient = new DynamoDBClient({ region: 'us-east-1', credentials });
  ddbClient.send = (async (command: GetItemCommand) => {
    expect(command).toBeInstanceOf(GetItemCommand);
    const id = command.input.Key!['branch-key-id']!.S!;
    const type = command.input.Key!.type!.S!;
    getItems.push(type);
    const record = records.get(JSON.stringify([id, type]));
    return { Item: record ? marshall(record) : undefined };
  }) as DynamoDBClient['send'];
  const handler = kmsJsonHandler((region) => fixture.kms.region(region));
  return new BranchKeyStoreNode({
    logicalKeyStoreName: fixture.options.logicalKeyStoreName,
    storage: { ddbTableName: 'branch-keys', ddbClient },
    keyManagement: { kmsClient: new KMS({ region: 'us-east-1', credentials, requestHandler: handler, maxAttempts: 1 }) },
    kmsConfiguration: { identifier: fixture.keyArn },
  });
}

describe('hierarchical keyring interop with the AWS Encryption SDK for JavaScript', () => {
  for (const suiteId of SUITES) {
    it(`kit encrypts -> SDK decrypts, and SDK encrypts -> kit decrypts (suite 0x${suiteId.toString(16).padStart(4, '0')})`, async () => {
      const fixture = await storeFixture();
      const branchKeyId = await fixture.store.createKey();
      const getItems: string[] = [];
      const sdkKeyring = new KmsHierarchicalKeyRingNode({ keyStore: sdkKeyStore(fixture, getItems), branchKeyId, cacheLimitTtl: 60, utf8Sorting: true });
      const ours = new HierarchicalKeyring({ keyStore: fixture.store, branchKeyId, ttlSeconds: 60 });
      const sdk = committing(suiteId) ? strict : legacy;
      const policy = committing(suiteId) ? 'REQUIRE_ENCRYPT_REQUIRE_DECRYPT' : 'FORBID_ENCRYPT_ALLOW_DECRYPT';

      const { ciphertext } = await encrypt(ours, text('from the kit'), { suiteId, encryptionContext: context, commitmentPolicy: policy });
      const { plaintext, messageHeader } = await sdk.decrypt(sdkKeyring, ciphertext);
      expect(read(plaintext)).toBe('from the kit');
      expect(messageHeader.encryptionContext).toMatchObject(context);

      const { result } = await sdk.encrypt(sdkKeyring, text('from the SDK'), { suiteId: suiteId as AlgorithmSuiteIdentifier, encryptionContext: context });
      const back = await decrypt(ours, new Uint8Array(result), { encryptionContext: context, commitmentPolicy: 'REQUIRE_ENCRYPT_ALLOW_DECRYPT' });
      expect(read(back.plaintext)).toBe('from the SDK');
      // The SDK read our ACTIVE record (encrypt) and our version record (decrypt) as DynamoDB items.
      expect(getItems).toEqual([expect.stringMatching(/^branch:version:/), 'branch:ACTIVE']);
    });
  }

  it('batches: the SDK decrypts what encryptMany makes, decryptMany reads what the SDK makes (0x0478)', async () => {
    const fixture = await storeFixture();
    const branchKeyId = await fixture.store.createKey();
    const sdkKeyring = new KmsHierarchicalKeyRingNode({ keyStore: sdkKeyStore(fixture, []), branchKeyId, cacheLimitTtl: 60, utf8Sorting: true });
    const ours = new HierarchicalKeyring({ keyStore: fixture.store, branchKeyId, ttlSeconds: 60 });
    const plaintexts = Array.from({ length: 12 }, (_, i) => text(`batch record ${i} ${'z'.repeat(i * 100)}`));
    const messages = await encryptMany(ours, plaintexts, { suiteId: 0x0478, encryptionContext: context, frameLength: 512 });
    for (const [i, message] of messages.entries()) {
      const { plaintext, messageHeader } = await strict.decrypt(sdkKeyring, message);
      expect(read(plaintext)).toBe(read(plaintexts[i]!));
      expect(messageHeader.encryptionContext).toMatchObject(context);
    }
    const sdkMessages: Uint8Array[] = [];
    for (const p of plaintexts) sdkMessages.push(new Uint8Array((await strict.encrypt(sdkKeyring, p, { suiteId: 0x0478 as AlgorithmSuiteIdentifier, encryptionContext: context })).result));
    const results = await decryptMany(ours, sdkMessages, { encryptionContext: context });
    expect(results.map((r) => ('plaintext' in r ? read(r.plaintext) : r.error))).toEqual(plaintexts.map(read));
  });

  it('across branch key versions, with a per-tenant supplier on both sides', async () => {
    const fixture = await storeFixture();
    const ids = { acme: await fixture.store.createKey(), globex: await fixture.store.createKey() };
    const pick = (c: Record<string, string>) => ids[c.tenant as keyof typeof ids];
    const sdkStore = sdkKeyStore(fixture, []);
    const sdkKeyring = () => new KmsHierarchicalKeyRingNode({ keyStore: sdkStore, branchKeyIdSupplier: { getBranchKeyId: pick }, cacheLimitTtl: 60 });
    const oursKeyring = () => new HierarchicalKeyring({ keyStore: fixture.store, branchKeyIdSupplier: pick, ttlSeconds: 60 });
    const messages: [Uint8Array, string][] = [];
    for (let round = 0; round < 2; round++) {
      for (const tenant of ['acme', 'globex']) {
        const sdkMessage = (await strict.encrypt(sdkKeyring(), text(`sdk ${tenant} ${round}`), { encryptionContext: { tenant } })).result;
        messages.push([new Uint8Array(sdkMessage), `sdk ${tenant} ${round}`]);
        messages.push([(await encrypt(oursKeyring(), text(`kit ${tenant} ${round}`), { encryptionContext: { tenant } })).ciphertext, `kit ${tenant} ${round}`]);
      }
      for (const id of Object.values(ids)) await fixture.store.versionKey(id);
    }
    for (const [message, want] of messages) {
      expect(read((await decrypt(oursKeyring(), message)).plaintext)).toBe(want);
      expect(read((await strict.decrypt(sdkKeyring(), message)).plaintext)).toBe(want);
    }
  });
});
