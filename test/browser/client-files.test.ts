/**
 * kit.encryptFile / kit.decryptFile: files streamed frame by frame through the worker, with
 * progress, cancellation in the middle of a file, and never a partial result.
 */
import { expect } from 'chai';
import { transfer, wrap } from 'comlink';
import { EnvelopeError, parseHeader, type FileProgress, type Kit } from '../../src/index.js';
import { deleteKmsStorage } from '../../src/kms/index.js';
import { ControlMessageType, PROTOCOL_VERSION, isWireError, type KitWorkerApi } from '../../src/client/protocol.js';
import { describe, it } from '../support/bdd.js';
import { REGIONS, blobBytes, patternBytes, rejection, sameBytes, str, uniqueName, withKit } from './client-support.js';

const context = { file: 'report.bin' };
const MiB = 1024 * 1024;

async function newKey(kit: Kit): Promise<string> {
  return (await kit.kms('us-east-1').createKey({ Description: 'files' })).KeyMetadata.Arn;
}

describe('createKit: files', () => {
  it('round-trips a multi-frame file with progress, signed and unsigned', () =>
    withKit(async (kit) => {
      const keyId = await newKey(kit);
      const plaintext = patternBytes(3 * MiB + 12345);
      for (const suiteId of [0x0578, 0x0478] as const) {
        const progress: FileProgress[] = [];
        const encrypted = await kit.encryptFile(new Blob([plaintext]), { keyId, encryptionContext: context, suiteId }, { onProgress: (p) => progress.push(p) });
        expect(encrypted).to.be.instanceOf(Blob);
        expect(progress.length).to.be.greaterThan(0);
        expect(progress.at(-1)).to.deep.equal({ done: plaintext.length, total: plaintext.length });
        for (let i = 1; i < progress.length; i++) expect(progress[i]!.done).to.be.at.least(progress[i - 1]!.done);
        const head = parseHeader(await blobBytes(encrypted.slice(0, 4096)))!;
        expect(head.suiteId).to.equal(suiteId);
        expect(head.contentType).to.equal('framed');

        const decryptProgress: FileProgress[] = [];
        const decrypted = await kit.decryptFile(encrypted, { encryptionContext: context }, { onProgress: (p) => decryptProgress.push(p) });
        expect(decryptProgress.at(-1)).to.deep.equal({ done: encrypted.size, total: encrypted.size });
        expect(sameBytes(await blobBytes(decrypted), plaintext)).to.equal(true);
      }
    }));

  it('is the same message format as the one-shot calls, both ways, including the empty file', () =>
    withKit(async (kit) => {
      const keyId = await newKey(kit);
      const streamed = await kit.encryptFile(new Blob(['file body']), { keyId, encryptionContext: context });
      expect(str((await kit.decrypt(streamed, { encryptionContext: context })).plaintext)).to.equal('file body');
      const { ciphertext: oneShot } = await kit.encrypt('one shot', { keyId, encryptionContext: context });
      expect(await (await kit.decryptFile(new Blob([oneShot]))).text()).to.equal('one shot');
      const empty = await kit.encryptFile(new Blob([]), { keyId, encryptionContext: {} });
      expect((await kit.decryptFile(empty)).size).to.equal(0);
    }));

  it('rejects a tampered file or a wrong context with the core code, and returns nothing', () =>
    withKit(async (kit) => {
      const keyId = await newKey(kit);
      const encrypted = await blobBytes(await kit.encryptFile(new Blob([patternBytes(MiB)]), { keyId, encryptionContext: context }));
      const wrong = await rejection(kit.decryptFile(new Blob([encrypted]), { encryptionContext: { file: 'other.bin' } }));
      expect(wrong).to.be.instanceOf(EnvelopeError);
      expect(wrong.code).to.equal('ENCRYPTION_CONTEXT_MISMATCH');
      const tampered = encrypted.slice();
      tampered[Math.floor(tampered.length / 2)]! ^= 1;
      const altered = await rejection(kit.decryptFile(new Blob([tampered])));
      expect(altered).to.be.instanceOf(EnvelopeError);
      expect(altered.code).to.equal('INTEGRITY_FAILURE');
      const truncated = await rejection(kit.decryptFile(new Blob([encrypted.subarray(0, encrypted.length - 50)])));
      expect(truncated.code).to.equal('MALFORMED_MESSAGE');
    }));

  it('cancels in the middle of a file: rejects promptly with ABORTED, and the worker stays usable', () =>
    withKit(async (kit) => {
      const keyId = await newKey(kit);
      const file = new Blob([patternBytes(48 * MiB)]);
      const controller = new AbortController();
      let abortedAt = 0;
      const seen: FileProgress[] = [];
      const pending = kit.encryptFile(file, { keyId, encryptionContext: context }, {
        signal: controller.signal,
        onProgress: (p) => {
          seen.push(p);
          if (abortedAt === 0) {
            abortedAt = performance.now();
            controller.abort();
          }
        },
      });
      const error = await rejection(pending);
      const latency = performance.now() - abortedAt;
      expect(abortedAt, 'a progress event arrived first').to.be.greaterThan(0);
      expect(error).to.be.instanceOf(EnvelopeError);
      expect(error.code).to.equal('ABORTED');
      expect(error.name).to.equal('AbortError');
      expect(seen[0]!.done, 'aborted in the middle').to.be.below(file.size);
      expect(latency, `rejected ${latency.toFixed(1)} ms after abort()`).to.be.below(100);
      // No progress is reported for a call that has ended.
      const count = seen.length;
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(seen.length).to.equal(count);

      // The same kit keeps working, for one-shot and file calls alike.
      const small = patternBytes(2 * MiB);
      const encrypted = await kit.encryptFile(new Blob([small]), { keyId, encryptionContext: context });
      expect(sameBytes(await blobBytes(await kit.decryptFile(encrypted, { encryptionContext: context })), small)).to.equal(true);
      expect(str((await kit.decrypt((await kit.encrypt('after abort', { keyId, encryptionContext: {} })).ciphertext)).plaintext)).to.equal('after abort');
    }));

  it('cancels a decryptFile too, and refuses a signal that is already aborted without starting', () =>
    withKit(async (kit) => {
      const keyId = await newKey(kit);
      const encrypted = await kit.encryptFile(new Blob([patternBytes(24 * MiB)]), { keyId, encryptionContext: {}, suiteId: 0x0478 });
      const controller = new AbortController();
      const pending = kit.decryptFile(encrypted, {}, { signal: controller.signal, onProgress: () => controller.abort(new Error('user cancelled')) });
      const error = await rejection(pending);
      expect(error.code).to.equal('ABORTED');
      expect((error.cause as Error).message).to.equal('user cancelled');

      let progressed = false;
      const early = await rejection(kit.encryptFile(new Blob(['x']), { keyId, encryptionContext: {} }, { signal: AbortSignal.abort(), onProgress: () => (progressed = true) }));
      expect(early.code).to.equal('ABORTED');
      expect(progressed).to.equal(false);
    }));

  it('the worker itself stops promptly on abort and rejects with ABORTED over the wire (protocol level)', async () => {
    const name = uniqueName();
    const worker = new Worker(new URL('../../workers/kit.worker.ts', import.meta.url), { type: 'module' });
    const remote = wrap<KitWorkerApi>(worker);
    try {
      await remote.open({ protocolVersion: PROTOCOL_VERSION, name, regions: REGIONS });
      const { KeyMetadata } = (await remote.kms('us-east-1', 'createKey', {})) as { KeyMetadata: { Arn: string } };
      const { port1, port2 } = new MessageChannel();
      let abortedAt = 0;
      port1.onmessage = () => {
        if (abortedAt > 0) return;
        abortedAt = performance.now();
        port1.postMessage({ type: ControlMessageType.ABORT });
      };
      let wire: unknown;
      try {
        await remote.encryptFile(new Blob([patternBytes(64 * MiB)]), { keyIds: [KeyMetadata.Arn], encryptionContext: {} }, transfer(port2, [port2]));
      } catch (error) {
        wire = error;
      }
      const stoppedAfter = performance.now() - abortedAt;
      expect(isWireError(wire), 'rejects with a wire error').to.equal(true);
      expect((wire as { code?: string }).code).to.equal('ABORTED');
      expect(stoppedAfter, `the worker stopped ${stoppedAfter.toFixed(1)} ms after the abort`).to.be.below(500);
      await remote.close();
    } finally {
      worker.terminate();
      await deleteKmsStorage({ storage: 'indexeddb', name, regions: REGIONS });
    }
  });
});
