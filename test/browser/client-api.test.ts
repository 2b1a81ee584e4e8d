/**
 * createKit() in a real browser with a real worker: round trips, transfer, errors that keep their
 * class and code across the boundary, several key ids, multi-Region replicas, persistence, and what
 * happens when the worker cannot start or the kit is closed.
 */
import { expect } from 'chai';
import { EnvelopeError, KitError, createKit, parseHeader } from '../../src/index.js';
import { deleteKmsStorage } from '../../src/kms/index.js';
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
      for (const [message, expected] of [[fromString, 'a secret note'], [fromBytes, 'some bytes'], [fromBlob, 'a blob']] as const) {
        expect(message).to.be.instanceOf(Uint8Array);
        const header = parseHeader(message)!.header;
        expect(header.encryptedDataKeys).to.have.length(1);
        expect(header.encryptedDataKeys[0]!.providerId).to.equal('aws-kms');
        expect(str(header.encryptedDataKeys[0]!.providerInfo)).to.equal(keyId);
        const { plaintext, header: decrypted } = await kit.decrypt(message, { encryptionContext: context });
        expect(str(plaintext)).to.equal(expected);
        expect(decrypted.encryptionContext).to.include(context);
        expect(decrypted.suiteId).to.equal(0x0578);
      }
      // A Blob of ciphertext decrypts too, and the suite option is honoured.
      const unsigned = await kit.encrypt('x', { keyId, encryptionContext: {}, suiteId: 0x0478 });
      const { plaintext, header } = await kit.decrypt(new Blob([unsigned]));
      expect(str(plaintext)).to.equal('x');
      expect(header.suiteId).to.equal(0x0478);
    }));

  it('accepts an alias and a bare key id in the region given, and the first region by default', () =>
    withKit(async (kit) => {
      const west = kit.kms('eu-west-1');
      const { KeyMetadata } = await west.createKey({});
      await west.createAlias({ AliasName: 'alias/notes', TargetKeyId: KeyMetadata.KeyId });
      const byAlias = await kit.encrypt('via alias', { keyId: 'alias/notes', region: 'eu-west-1', encryptionContext: {} });
      const byId = await kit.encrypt('via id', { keyId: KeyMetadata.KeyId, region: 'eu-west-1', encryptionContext: {} });
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
      const message = await kit.encrypt('two wraps', { keyId: [east.Arn, west.Arn], encryptionContext: context });
      const arns = parseHeader(message)!.header.encryptedDataKeys.map((edk) => str(edk.providerInfo));
      expect(arns).to.deep.equal([east.Arn, west.Arn]);
      // With the first key disabled, the second region's copy is used.
      // (Each decrypt gets a copy: the bytes sent are transferred to the worker.)
      await kit.kms('us-east-1').disableKey({ KeyId: east.KeyId });
      expect(str((await kit.decrypt(message.slice())).plaintext)).to.equal('two wraps');
      expect(str((await kit.decrypt(message.slice(), { region: 'eu-west-1' })).plaintext)).to.equal('two wraps');
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
      const message = await kit.encrypt('replicated', { keyId: KeyMetadata.Arn, encryptionContext: context });
      await kit.simulate({ region: 'us-east-1', outage: true });
      try {
        const down = await rejection(kit.decrypt(message.slice(), { encryptionContext: context }));
        expect(down.code).to.equal('NO_DECRYPTING_KEYRING');
        expect(down.message).to.contain('KMSInternalException');
        const { plaintext } = await kit.decrypt(message, { encryptionContext: context, region: 'eu-west-1' });
        expect(str(plaintext)).to.equal('replicated');
      } finally {
        await kit.simulate({ region: 'us-east-1', outage: false });
      }
    }));
});

describe('createKit: transfer', () => {
  it('detaches the buffer it sends, and copies a view into part of a buffer instead', () =>
    withKit(async (kit) => {
      const { KeyMetadata } = await kit.kms('us-east-1').createKey({});
      const whole = text('transferred, not copied');
      const pending = kit.encrypt(whole, { keyId: KeyMetadata.Arn, encryptionContext: {} });
      // The transfer happens when the call is made, before the worker answers.
      expect(whole.byteLength).to.equal(0);
      expect(whole.buffer.byteLength).to.equal(0);
      // Sending it again is a mistake the kit names.
      const again = await rejection(kit.encrypt(whole, { keyId: KeyMetadata.Arn, encryptionContext: {} }));
      expect(again).to.be.instanceOf(TypeError);
      expect(again.message).to.contain('transferred');
      const message = await pending;
      expect(message.byteLength).to.be.greaterThan(0);
      expect(message.byteOffset).to.equal(0);
      expect(message.buffer.byteLength, 'the result owns its whole buffer').to.equal(message.byteLength);

      const sent = message.slice();
      const decrypting = kit.decrypt(sent);
      expect(sent.byteLength, 'ciphertext is transferred too').to.equal(0);
      expect(str((await decrypting).plaintext)).to.equal('transferred, not copied');

      const shared = text('xxhello partxx');
      const part = shared.subarray(2, 12);
      const partMessage = await kit.encrypt(part, { keyId: KeyMetadata.Arn, encryptionContext: {} });
      expect(shared.byteLength, 'a partial view leaves its buffer alone').to.equal(14);
      expect(str((await kit.decrypt(partMessage)).plaintext)).to.equal('hello part');
    }));
});

describe('createKit: errors keep their class and code', () => {
  it('a KMS NotFoundException arrives as an Error named and coded after the exception', () =>
    withKit(async (kit) => {
      const error = await rejection(kit.kms('us-east-1').describeKey({ KeyId: 'arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000000' }));
      expect(error.name).to.equal('NotFoundException');
      expect(error.code).to.equal('NotFoundException');
      expect((error as { $fault?: string }).$fault).to.equal('client');
      expect(error).not.to.be.instanceOf(EnvelopeError);
      expect(error.message).to.contain('does not exist');
    }));

  it('a wrong encryption context is an EnvelopeError ENCRYPTION_CONTEXT_MISMATCH that names no plaintext', () =>
    withKit(async (kit) => {
      const { KeyMetadata } = await kit.kms('us-east-1').createKey({});
      const message = await kit.encrypt('do not leak me', { keyId: KeyMetadata.Arn, encryptionContext: context });
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

describe('createKit: life cycle', () => {
  it('keeps keys across a re-created kit of the same name, and not across names', async () => {
    const name = uniqueName();
    const other = uniqueName();
    try {
      const first = await createKit({ name, regions: REGIONS });
      const { KeyMetadata } = await first.kms('us-east-1').createKey({ Description: 'persistent' });
      await first.kms('us-east-1').createAlias({ AliasName: 'alias/kept', TargetKeyId: KeyMetadata.KeyId });
      const message = await first.encrypt('still here', { keyId: KeyMetadata.Arn, encryptionContext: context });
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
      const message = await kit.encrypt('audited', { keyId: KeyMetadata.Arn, encryptionContext: context });
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
