/**
 * kit.createBranchKey / kit.encryptMany / kit.decryptMany: many small records through the
 * hierarchical keyring in one worker round trip, each failure reported in its record's place.
 */
import { expect } from 'chai';
import { BranchKeyStore, HIERARCHY_PROVIDER_ID, createKit, parseHeader, type Kit } from '../../src/index.js';
import { parseWrappedDataKey } from '../../src/core/hierarchical-keyring-wrap.js';
import { branchKeyStoreNames } from '../../src/client/protocol.js';
import { describe, it } from '../support/bdd.js';
import { REGIONS, newBranchKey, rejection, str, text, withBatchKit } from './client-support.js';

const context = { tenant: 'acme' };



const records = (count: number, tag = 'record') => Array.from({ length: count }, (_, i) => text(`${tag} ${i} ${'x'.repeat(i % 7)}`));

/** The branch key version (16 bytes, hex) a message's data key is wrapped under. */
function versionOf(message: Uint8Array): string {
  const header = parseHeader(message)!;
  const edk = header.encryptedDataKeys.find((e) => e.providerId === HIERARCHY_PROVIDER_ID)!;
  const wrapped = parseWrappedDataKey(edk.ciphertext, 32)!;
  return [...wrapped.version].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function plaintexts(results: Awaited<ReturnType<Kit['decryptMany']>>): string[] {
  return results.map((r) => ('plaintext' in r ? str(r.plaintext) : `error:${r.error.code}`));
}

describe('createKit: batches', () => {
  it('round-trips a batch in order, default and 0x0478 suites, transferring the sent buffers when asked', () =>
    withBatchKit(async (kit) => {
      const { branchKeyId } = await newBranchKey(kit);
      for (const suiteId of [undefined, 0x0478] as const) {
        const sent = records(40);
        const expected = sent.map((r) => str(r));
        const messages = await kit.encryptMany(sent, { branchKeyId, encryptionContext: context, suiteId, transfer: true });
        expect(sent.every((r) => r.byteLength === 0 && r.buffer.byteLength === 0), 'records are detached').to.equal(true);
        expect(messages).to.have.length(40);
        const header = parseHeader(messages[0]!)!;
        expect(header.suiteId).to.equal(suiteId ?? 0x0578);
        expect(header.encryptedDataKeys.map((e) => e.providerId)).to.deep.equal([HIERARCHY_PROVIDER_ID]);
        expect(header.encryptionContext).to.include(context);

        const results = await kit.decryptMany(messages, { encryptionContext: context, transfer: true });
        expect(messages.every((m) => m.byteLength === 0), 'messages are detached').to.equal(true);
        expect(plaintexts(results)).to.deep.equal(expected);
      }
      expect(await kit.encryptMany([], { branchKeyId })).to.deep.equal([]);
      expect(await kit.decryptMany([])).to.deep.equal([]);
    }));

  it('reports a tampered record and a wrong-context record alone, with their codes', () =>
    withBatchKit(async (kit) => {
      const { branchKeyId } = await newBranchKey(kit);
      const good = await kit.encryptMany(records(4), { branchKeyId, encryptionContext: context, suiteId: 0x0478 });
      const [other] = await kit.encryptMany([text('other tenant')], { branchKeyId, encryptionContext: { tenant: 'globex' }, suiteId: 0x0478 });
      const tampered = good[1]!.slice();
      tampered[tampered.length - 5] = tampered[tampered.length - 5]! ^ 1; // inside the final frame's sealed content
      const batch = [good[0]!, tampered, good[2]!, other!, good[3]!];
      const results = await kit.decryptMany(batch, { encryptionContext: context });
      expect(plaintexts(results)).to.deep.equal([
        `record 0 `,
        'error:INTEGRITY_FAILURE',
        `record 2 xx`,
        'error:ENCRYPTION_CONTEXT_MISMATCH',
        `record 3 xxx`,
      ]);
      const failed = results[1] as { error: { name: string; code: string; message: string } };
      expect(Object.keys(failed.error).sort()).to.deep.equal(['code', 'message', 'name']);
      expect(failed.error.name).to.equal('EnvelopeError');
      expect(failed.error.message).to.be.a('string').and.not.empty;
    }));

  it('needs one KMS call per branch key and TTL, not per record; mixes in kit.encrypt messages', () =>
    withBatchKit(async (kit) => {
      const { branchKeyId, keyArn } = await newBranchKey(kit);
      const before = (await kit.audit.query({ region: 'us-east-1' })).length;
      const messages = await kit.encryptMany(records(200), { branchKeyId, suiteId: 0x0478 });
      const more = await kit.encryptMany(records(200), { branchKeyId, suiteId: 0x0478 });
      const calls = (await kit.audit.query({ region: 'us-east-1' })).slice(before);
      expect(calls.map((r) => r.eventName)).to.deep.equal(['Decrypt']);
      const { ciphertext: kmsMessage } = await kit.encrypt('via KMS', { keyId: keyArn, encryptionContext: {} });
      const results = await kit.decryptMany([messages[0]!, kmsMessage, more[199]!]);
      expect(plaintexts(results)).to.deep.equal(['record 0 ', 'via KMS', `record 199 ${'x'.repeat(199 % 7)}`]);
    }));

  it('decrypts older records after the branch key is versioned through the store, and a second kit of the same name decrypts the first one\'s', () =>
    withBatchKit(async (kit, name) => {
      const { branchKeyId, keyArn } = await newBranchKey(kit);
      const older = await kit.encryptMany(records(5, 'old'), { branchKeyId, encryptionContext: context, suiteId: 0x0478 });
      // Version through the store on the page: its KMS calls (GenerateDataKeyWithoutPlaintext,
      // ReEncrypt) run in the worker and return no plaintext key.
      const { logicalKeyStoreName, database } = branchKeyStoreNames(name);
      const store = new BranchKeyStore({ kms: kit.kms('us-east-1'), kmsKeyId: keyArn, logicalKeyStoreName, storage: 'indexeddb', name: database });
      await store.versionKey(branchKeyId);
      store.close();

      const second = await createKit({ name, regions: REGIONS });
      try {
        // A fresh cache: the second kit encrypts under the new ACTIVE version.
        const newer = await second.encryptMany(records(5, 'new'), { branchKeyId, encryptionContext: context, suiteId: 0x0478 });
        expect(versionOf(newer[0]!)).to.not.equal(versionOf(older[0]!));
        const copy = (list: Uint8Array[]) => list.map((m) => m.slice());
        for (const reader of [second, kit]) {
          const results = await reader.decryptMany([...copy(older), ...copy(newer)], { encryptionContext: context });
          expect(plaintexts(results)).to.deep.equal([...records(5, 'old'), ...records(5, 'new')].map((r) => str(r)));
        }
      } finally {
        await second.close();
      }
    }));

  it('refuses bad arguments on the page and unknown branch keys in the worker', () =>
    withBatchKit(async (kit) => {
      expect((await rejection(kit.encryptMany([text('x')], { branchKeyId: '' }))).name).to.equal('TypeError');
      expect((await rejection(kit.encryptMany([text('x')], { branchKeyId: 'b', ttlSeconds: 0 }))).name).to.equal('RangeError');
      expect((await rejection(kit.encryptMany(['x' as unknown as Uint8Array], { branchKeyId: 'b' }))).name).to.equal('TypeError');
      const unknown = await rejection(kit.encryptMany([text('x')], { branchKeyId: crypto.randomUUID() }));
      expect(unknown.code).to.equal('NOT_FOUND');
      const sent = text('twice');
      await kit.encryptMany([sent], { branchKeyId: (await newBranchKey(kit)).branchKeyId, transfer: true });
      expect((await rejection(kit.decryptMany([sent]))).message).to.match(/detached/);
      const [result] = await kit.decryptMany([text('not a message')]);
      expect(result).to.have.property('error');
    }));
});
