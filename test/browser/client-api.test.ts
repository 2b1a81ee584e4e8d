/**
 * createKit() in a real browser with a real worker: round trips, transfer, errors that keep their
 * class and code across the boundary, several key ids, multi-Region replicas, persistence, and what
 * happens when the worker cannot start or the kit is closed.
 */
import { expect } from 'chai';
import { EnvelopeError, KitError, createKit, parseHeader } from '../../src/index.js';
import { KmsError, deleteKmsStorage } from '../../src/kms/index.js';
import { BranchKeyStoreError } from '../../src/core/index.js';
import { describe, it } from '../support/bdd.js';
import { REGIONS, rejection, str, text, uniqueName, withKit } from './client-support.js';

const context = { purpose: 'client-test', user: 'alice' };

describe('createKit: round trips', () => {
  it('encrypts a string, bytes and a Blob, and decrypts each under its context', () =>
    withKit(async (kit) => {
      const { KeyMetadata } = await kit.kms('us-east-1').createKey({ Description: 'round trips' });
      const keyId = KeyMetadata.Arn;
      const fromString = await kit.encrypt('a secret note', { keyId, encryptionContext: context });
      const fromBytes = await kit.encrypt(text('some bytes'), { keyId, encryptionContext: context });
      const fromBlob = await kit.encrypt(new Blob(['a ', 'blob']), { keyId, encryptionContext: context });
      for (const [{ ciphertext: message, header: returned }, expected] of [[fromString, 'a secret note'], [fromBytes, 'some bytes'], [fromBlob, 'a blob']] as const) {
        expect(message).to.be.instanceOf(Uint8Array);
        const header = parseHeader(message)!;
        // kit.encrypt resolves with the header too, the one parseHeader reads back (issue 10).
        expect(returned).to.deep.equal(header);
        expect(header.encryptedDataKeys).to.have.length(1);
        expect(header.encryptedDataKeys[0]!.providerId).to.equal('aws-kms');
        expect(str(header.encryptedDataKeys[0]!.providerInfo)).to.equal(keyId);
        const { plaintext, header: decrypted } = await kit.decrypt(message, { encryptionContext: context });
        expect(str(plaintext)).to.equal(expected);
        expect(decrypted.encryptionContext).to.include(context);
        expect(decrypted.suiteId).to.equal(0x0578);
      }
      // A Blob of ciphertext decrypts too, and the suite option is honoured.
      const { ciphertext: unsigned } = await kit.encrypt('x', { keyId, encryptionContext: {}, suiteId: 0x0478 });
      const { plaintext, header } = await kit.decrypt(new Blob([unsigned]));
      expect(str(plaintext)).to.equal('x');
      expect(header.suiteId).to.equal(0x0478);
    }));

  it('accepts an alias and a bare key id in the region given, and the first region by default', () =>
    withKit(async (kit) => {
      const west = kit.kms('eu-west-1');
      const { KeyMetadata } = await west.createKey({});
      await west.createAlias({ AliasName: 'alias/notes', TargetKeyId: KeyMetadata.KeyId });
      const { ciphertext: byAlias } = await kit.encrypt('via alias', { keyId: 'alias/notes', region: 'eu-west-1', encryptionContext: {} });
      const { ciphertext: byId } = await kit.encrypt('via id', { keyId: KeyMetadata.KeyId, region: 'eu-west-1', encryptionContext: {} });
      expect(str((await kit.decrypt(byAlias)).plaintext)).to.equal('via alias');
      expect(str((await kit.decrypt(byId)).plaintext)).to.equal('via id');
      // Without `region`, a bare id is looked up in the kit's first region, where it does not exist.
      const error = await rejection(kit.encrypt('x', { keyId: KeyMetadata.KeyId, encryptionContext: {} }));
      expect(error).to.be.instanceOf(EnvelopeError);
      expect((error.cause as Error).name).to.equal('NotFoundException');
    }));

  it('wraps the data key under several keys; either one decrypts', () =>
    withKit(async (kit) => {
      const east = (await kit.kms('us-east-1').createKey({})).KeyMetadata;
      const west = (await kit.kms('eu-west-1').createKey({})).KeyMetadata;
      const { ciphertext: message } = await kit.encrypt('two wraps', { keyId: [east.Arn, west.Arn], encryptionContext: context });
      const arns = parseHeader(message)!.encryptedDataKeys.map((edk) => str(edk.providerInfo));
      expect(arns).to.deep.equal([east.Arn, west.Arn]);
      // With the first key disabled, the second region's copy is used.
      await kit.kms('us-east-1').disableKey({ KeyId: east.KeyId });
      expect(str((await kit.decrypt(message)).plaintext)).to.equal('two wraps');
      expect(str((await kit.decrypt(message, { region: 'eu-west-1' })).plaintext)).to.equal('two wraps');
      const failed = await rejection(kit.decrypt(message, { region: 'us-east-1' }));
      expect(failed).to.be.instanceOf(EnvelopeError);
      expect(failed.code).to.equal('NO_DECRYPTING_KEYRING');
      expect(failed.message).to.contain('DisabledException');
    }));

  it("decrypts through another region's replica of a multi-Region key while the primary's region is down", () =>
    withKit(async (kit) => {
      const { KeyMetadata } = await kit.kms('us-east-1').createKey({ MultiRegion: true });
      expect(KeyMetadata.KeyId.startsWith('mrk-')).to.equal(true);
      await kit.kms('us-east-1').replicateKey({ KeyId: KeyMetadata.KeyId, ReplicaRegion: 'eu-west-1' });
      const { ciphertext: message } = await kit.encrypt('replicated', { keyId: KeyMetadata.Arn, encryptionContext: context });
      await kit.simulate({ region: 'us-east-1', outage: true });
      try {
        const down = await rejection(kit.decrypt(message, { encryptionContext: context }));
        expect(down.code).to.equal('NO_DECRYPTING_KEYRING');
        expect(down.message).to.contain('KMSInternalException');
        const { plaintext } = await kit.decrypt(message, { encryptionContext: context, region: 'eu-west-1' });
        expect(str(plaintext)).to.equal('replicated');
      } finally {
        await kit.simulate({ region: 'us-east-1', outage: false });
      }
    }));
});

describe('createKit: copy by default, transfer on request', () => {
  it("leaves the caller's arrays intact after encrypt, decrypt, encryptMany and decryptMany", () =>
    withKit(async (kit) => {
      const { KeyMetadata } = await kit.kms('us-east-1').createKey({});
      const input = text('kept by the caller');
      const { ciphertext } = await kit.encrypt(input, { keyId: KeyMetadata.Arn, encryptionContext: {} });
      expect(str(input), 'plaintext intact after encrypt').to.equal('kept by the caller');
      const copy = ciphertext.slice();
      expect(str((await kit.decrypt(ciphertext)).plaintext)).to.equal('kept by the caller');
      expect(ciphertext, 'ciphertext intact after decrypt').to.deep.equal(copy);
      // So the same array can be sent twice: a retry, a tamper test, a second decrypt.
      expect(str((await kit.decrypt(ciphertext)).plaintext)).to.equal('kept by the caller');

      const branchKeyId = await kit.createBranchKey({ keyId: KeyMetadata.Arn });
      const records = ['one', 'two', 'two'].map(text);
      records.push(records[0]!); // the same array twice is fine too
      const messages = await kit.encryptMany(records, { branchKeyId, suiteId: 0x0478 });
      expect(records.map(str), 'records intact after encryptMany').to.deep.equal(['one', 'two', 'two', 'one']);
      const before = messages.map((m) => m.slice());
      const results = await kit.decryptMany(messages);
      expect(results.map((r) => ('plaintext' in r ? str(r.plaintext) : r.error.code))).to.deep.equal(['one', 'two', 'two', 'one']);
      expect(messages, 'messages intact after decryptMany').to.deep.equal(before);
      // The KMS client, too: requests are cloned, never transferred.
      const secret = text('kms plaintext');
      const { CiphertextBlob } = await kit.kms('us-east-1').encrypt({ KeyId: KeyMetadata.KeyId, Plaintext: secret });
      expect(str(secret), 'Plaintext intact after kms.encrypt').to.equal('kms plaintext');
      const blobCopy = CiphertextBlob.slice();
      await kit.kms('us-east-1').decrypt({ CiphertextBlob });
      expect(CiphertextBlob, 'CiphertextBlob intact after kms.decrypt').to.deep.equal(blobCopy);
      // Views into part of a buffer are copied as themselves, never their whole buffer.
      const shared = text('xxhello partxx');
      const { ciphertext: partMessage } = await kit.encrypt(shared.subarray(2, 12), { keyId: KeyMetadata.Arn, encryptionContext: {} });
      expect(str(shared)).to.equal('xxhello partxx');
      expect(str((await kit.decrypt(partMessage)).plaintext)).to.equal('hello part');
    }));

  it('with { transfer: true } detaches what it sends, and names the mistake of sending it again', () =>
    withKit(async (kit) => {
      const { KeyMetadata } = await kit.kms('us-east-1').createKey({});
      const whole = text('transferred, not copied');
      const pending = kit.encrypt(whole, { keyId: KeyMetadata.Arn, encryptionContext: {}, transfer: true });
      // The transfer happens when the call is made, before the worker answers.
      expect(whole.byteLength).to.equal(0);
      expect(whole.buffer.byteLength).to.equal(0);
      const again = await rejection(kit.encrypt(whole, { keyId: KeyMetadata.Arn, encryptionContext: {} }));
      expect(again).to.be.instanceOf(TypeError);
      expect(again.message).to.contain('transferred');
      const { ciphertext: message } = await pending;
      expect(message.byteLength).to.be.greaterThan(0);
      expect(message.byteOffset).to.equal(0);
      expect(message.buffer.byteLength, 'the result owns its whole buffer').to.equal(message.byteLength);

      const sent = message.slice();
      const decrypting = kit.decrypt(sent, { transfer: true });
      expect(sent.byteLength, 'ciphertext is transferred too').to.equal(0);
      expect(str((await decrypting).plaintext)).to.equal('transferred, not copied');

      const branchKeyId = await kit.createBranchKey({ keyId: KeyMetadata.Arn });
      const records = [text('a'), text('b')];
      const messages = await kit.encryptMany(records, { branchKeyId, suiteId: 0x0478, transfer: true });
      expect(records.map((r) => r.byteLength), 'records detached').to.deep.equal([0, 0]);
      const results = await kit.decryptMany(messages, { transfer: true });
      expect(messages.map((m) => m.byteLength), 'messages detached').to.deep.equal([0, 0]);
      expect(results.map((r) => ('plaintext' in r ? str(r.plaintext) : r.error.code))).to.deep.equal(['a', 'b']);

      const shared = text('xxhello partxx');
      const { ciphertext: partMessage } = await kit.encrypt(shared.subarray(2, 12), { keyId: KeyMetadata.Arn, encryptionContext: {}, transfer: true });
      expect(shared.byteLength, 'a partial view is copied even with transfer').to.equal(14);
      expect(str((await kit.decrypt(partMessage)).plaintext)).to.equal('hello part');
      await rejection(kit.encrypt('x', { keyId: KeyMetadata.Arn, encryptionContext: {}, transfer: 'yes' as never })).then((e) => expect(e.message).to.contain('options.transfer'));
    }));
});

describe('createKit: errors keep their class and code', () => {
  it('a KMS NotFoundException arrives as an Error named and coded after the exception', () =>
    withKit(async (kit) => {
      const error = await rejection(kit.kms('us-east-1').describeKey({ KeyId: 'arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000000' }));
      expect(error.name).to.equal('NotFoundException');
      expect(error.code).to.equal('NotFoundException');
      expect((error as { $fault?: string }).$fault).to.equal('client');
      expect(error).to.be.instanceOf(KmsError);
      expect(error).not.to.be.instanceOf(EnvelopeError);
      expect(error.message).to.contain('does not exist');
    }));

  it('a wrong encryption context is an EnvelopeError ENCRYPTION_CONTEXT_MISMATCH that names no plaintext', () =>
    withKit(async (kit) => {
      const { KeyMetadata } = await kit.kms('us-east-1').createKey({});
      const { ciphertext: message } = await kit.encrypt('do not leak me', { keyId: KeyMetadata.Arn, encryptionContext: context });
      const error = await rejection(kit.decrypt(message, { encryptionContext: { ...context, user: 'mallory' } }));
      expect(error).to.be.instanceOf(EnvelopeError);
      expect(error.name).to.equal('EnvelopeError');
      expect(error.code).to.equal('ENCRYPTION_CONTEXT_MISMATCH');
      expect(error.message).not.to.contain('do not leak me');
    }));

  it('a KMS failure inside a keyring keeps the KMS exception as its cause', () =>
    withKit(async (kit) => {
      const error = await rejection(kit.encrypt('x', { keyId: 'arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000001', encryptionContext: {} }));
      expect(error).to.be.instanceOf(EnvelopeError);
      expect(error.code).to.equal('KEYRING_FAILURE');
      const cause = error.cause as Error & { code?: string };
      expect(cause.name).to.equal('NotFoundException');
      expect(cause.code).to.equal('NotFoundException');
    }));

  it('argument errors are TypeError / RangeError, from the page or from the worker', () =>
    withKit(async (kit) => {
      const { KeyMetadata } = await kit.kms('us-east-1').createKey({});
      await rejection(kit.encrypt(42 as never, { keyId: KeyMetadata.Arn, encryptionContext: {} })).then((e) => expect(e).to.be.instanceOf(TypeError));
      await rejection(kit.encrypt('x', { keyId: [], encryptionContext: {} })).then((e) => expect(e.message).to.contain('options.keyId'));
      await rejection(kit.encrypt('x', { keyId: KeyMetadata.Arn } as never)).then((e) => expect(e.message).to.contain('options.encryptionContext'));
      await rejection(kit.decrypt(text('x'), { region: 'mars-north-1' })).then((e) => expect(e).to.be.instanceOf(RangeError));
      expect(() => kit.kms('mars-north-1')).to.throw(RangeError, /region/);
      // Checked by the core in the worker: crosses as a TypeError with the core's code.
      const fromWorker = await rejection(kit.encrypt('x', { keyId: KeyMetadata.Arn, encryptionContext: {}, suiteId: 'fast' as never }));
      expect(fromWorker).to.be.instanceOf(TypeError);
      expect(fromWorker.code).to.equal('INVALID_ARGUMENT');
      expect(fromWorker.message).to.contain('options.suiteId');
      // A malformed message is the core's MALFORMED_MESSAGE.
      const malformed = await rejection(kit.decrypt(text('not a message')));
      expect(malformed).to.be.instanceOf(EnvelopeError);
      expect(malformed.code).to.equal('MALFORMED_MESSAGE');
    }));
});

describe('createKit: one error model (issue 10)', () => {
  it('a simulated outage is a KmsError KMSInternalException, as AWS names it', () =>
    withKit(async (kit) => {
      await kit.simulate({ region: 'eu-west-1', outage: true });
      const down = await rejection(kit.kms('eu-west-1').listKeys());
      expect(down).to.be.instanceOf(KmsError);
      expect(down.name).to.equal('KMSInternalException');
      expect(down.code).to.equal('KMSInternalException');
      expect((down as { $fault?: string }).$fault).to.equal('server');
      await kit.simulate({ region: 'eu-west-1', outage: false });
      expect((await kit.kms('eu-west-1').listKeys()).Keys).to.deep.equal([]);
    }));

  it('failed storage is a KitError STORAGE_FAILED, not a KMS exception', () =>
    withKit(async (kit, name) => {
      await kit.kms('eu-west-1').createKey({});
      // Deleting the region's database from the page makes the worker's connection step aside
      // (versionchange) and close: its next request is refused by IndexedDB itself.
      await new Promise<void>((resolve, reject) => {
        const request = indexedDB.deleteDatabase(`${name}:${kit.account}:eu-west-1`);
        request.onsuccess = () => resolve();
        request.onerror = () => reject(request.error);
      });
      const failed = await rejection(kit.kms('eu-west-1').listKeys());
      expect(failed).to.be.instanceOf(KitError);
      expect(failed.code).to.equal('STORAGE_FAILED');
      expect(failed).not.to.be.instanceOf(KmsError);
      expect(failed.name).to.equal('KitError');
    }));

  it('a branch key store failure arrives as a BranchKeyStoreError with its code', () =>
    withKit(async (kit) => {
      const error = await rejection(kit.encryptMany([text('x')], { branchKeyId: 'no-such-branch-key' }));
      expect(error).to.be.instanceOf(BranchKeyStoreError);
      expect(error.name).to.equal('BranchKeyStoreError');
      expect(error.code).to.be.a('string').and.not.equal('INTERNAL');
    }));

  it('an abort is an EnvelopeError ABORTED named AbortError', () =>
    withKit(async (kit) => {
      const error = await rejection(kit.encryptFile(new Blob(['x']), { keyId: 'alias/any', encryptionContext: {} }, { signal: AbortSignal.abort() }));
      expect(error).to.be.instanceOf(EnvelopeError);
      expect(error.name).to.equal('AbortError');
      expect(error.code).to.equal('ABORTED');
    }));

  it('after close(), KMS calls, encrypt and decrypt are KitError CLOSED, never KMSInternalException', async () => {
    const name = uniqueName();
    const kit = await createKit({ name, regions: REGIONS });
    await kit.simulate({ region: 'us-east-1', outage: true });
    await kit.close();
    for (const call of [kit.kms('us-east-1').listKeys(), kit.encrypt('x', { keyId: 'alias/x', encryptionContext: {} }), kit.simulate({ region: 'us-east-1', outage: false })]) {
      const error = await rejection(call);
      expect(error).to.be.instanceOf(KitError);
      expect(error.code).to.equal('CLOSED');
    }
    await deleteKmsStorage({ storage: 'indexeddb', name, regions: REGIONS });
  });
});

describe('createKit: life cycle', () => {
  it('keeps keys across a re-created kit of the same name, and not across names', async () => {
    const name = uniqueName();
    const other = uniqueName();
    try {
      const first = await createKit({ name, regions: REGIONS });
      const { KeyMetadata } = await first.kms('us-east-1').createKey({ Description: 'persistent' });
      await first.kms('us-east-1').createAlias({ AliasName: 'alias/kept', TargetKeyId: KeyMetadata.KeyId });
      const { ciphertext: message } = await first.encrypt('still here', { keyId: KeyMetadata.Arn, encryptionContext: context });
      await first.close();

      const second = await createKit({ name, regions: REGIONS });
      const described = await second.kms('us-east-1').describeKey({ KeyId: 'alias/kept' });
      expect(described.KeyMetadata.KeyId).to.equal(KeyMetadata.KeyId);
      expect(described.KeyMetadata.Description).to.equal('persistent');
      expect(described.KeyMetadata.CreationDate).to.be.instanceOf(Date);
      expect(str((await second.decrypt(message, { encryptionContext: context })).plaintext)).to.equal('still here');
      await second.close();

      const stranger = await createKit({ name: other, regions: REGIONS });
      const missing = await rejection(stranger.kms('us-east-1').describeKey({ KeyId: KeyMetadata.Arn }));
      expect(missing.name).to.equal('NotFoundException');
      await stranger.close();
    } finally {
      await deleteKmsStorage({ storage: 'indexeddb', name, regions: REGIONS });
      await deleteKmsStorage({ storage: 'indexeddb', name: other, regions: REGIONS });
    }
  });

  it("reads and verifies the KMS audit log, which records the kit's own KMS calls", () =>
    withKit(async (kit) => {
      const { KeyMetadata } = await kit.kms('us-east-1').createKey({});
      const { ciphertext: message } = await kit.encrypt('audited', { keyId: KeyMetadata.Arn, encryptionContext: context });
      await kit.decrypt(message, { encryptionContext: context });
      const records = await kit.audit.query({ region: 'us-east-1' });
      expect(records.map((r) => r.eventName)).to.include.members(['CreateKey', 'GenerateDataKey', 'Decrypt']);
      const verification = await kit.audit.verify();
      expect(verification.ok).to.equal(true);
      expect(verification.checked).to.be.at.least(3);
      expect(await kit.audit.export()).to.be.a('string');
    }));

  it('rejects every call after close() with KitError CLOSED', async () => {
    const name = uniqueName();
    const kit = await createKit({ name, regions: REGIONS });
    const client = kit.kms('us-east-1');
    await kit.close();
    await kit.close(); // idempotent
    for (const call of [client.listKeys(), kit.encrypt('x', { keyId: 'alias/x', encryptionContext: {} }), kit.decrypt(text('x'))]) {
      const error = await rejection(call);
      expect(error).to.be.instanceOf(KitError);
      expect(error.code).to.equal('CLOSED');
    }
    await deleteKmsStorage({ storage: 'indexeddb', name, regions: REGIONS });
  });

  it('rejects pending and later calls with KitError WORKER_FAILED when the worker dies mid-call', async () => {
    const worker = new Worker(new URL('./client-crash-worker.ts', import.meta.url), { type: 'module' });
    try {
      const kit = await createKit({ name: uniqueName(), worker });
      const pending = await rejection(kit.encrypt('x', { keyId: 'alias/any', encryptionContext: {} }));
      expect(pending).to.be.instanceOf(KitError);
      expect(pending.code).to.equal('WORKER_FAILED');
      expect(pending.message).to.contain('simulated crash');
      const later = await rejection(kit.kms('us-east-1').listKeys());
      expect(later.code).to.equal('WORKER_FAILED');
      await kit.close();
    } finally {
      worker.terminate();
    }
  });

  it('rejects creation with KitError WORKER_FAILED when the worker script does not load', async () => {
    const worker = new Worker(new URL('./no-such-worker.js', import.meta.url), { type: 'module' });
    try {
      const started = performance.now();
      const error = await rejection(createKit({ name: uniqueName(), worker }));
      expect(error).to.be.instanceOf(KitError);
      expect(error.code).to.equal('WORKER_FAILED');
      expect(performance.now() - started, 'fails promptly rather than hanging').to.be.below(10_000);
    } finally {
      worker.terminate();
    }
  });
});
