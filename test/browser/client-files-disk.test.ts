/**
 * kit.encryptFile / kit.decryptFile with `call.output`: the worker writes the output to a
 * FileSystemFileHandle (here in the origin private file system) through createWritable(), and a
 * failed or aborted call leaves the file as it was. Engines whose workers have no createWritable
 * must refuse the option clearly; those tests say so on the console and assert the refusal instead.
 */
import { expect } from 'chai';
import { EnvelopeError, parseHeader, type FileProgress, type Kit } from '../../src/index.js';
import { describe, it, skip } from '../support/bdd.js';
import { blobBytes, patternBytes, rejection, sameBytes, withKit } from './client-support.js';

const context = { file: 'report.bin' };
const MiB = 1024 * 1024;
const PREVIOUS = 'previous content, which a failed call must leave alone';

/** What this engine offers: OPFS on the page, and createWritable inside a dedicated worker. */
interface Support {
  readonly opfs: boolean;
  readonly workerCreateWritable: boolean;
  readonly why: string;
}

let support: Promise<Support> | undefined;

function probe(): Promise<Support> {
  support ??= (async () => {
    let opfs = false;
    try {
      await navigator.storage.getDirectory();
      opfs = true;
    } catch (error) {
      const where = `isSecureContext ${String(globalThis.isSecureContext)}, FileSystemFileHandle ${typeof FileSystemFileHandle}`;
      return { opfs, workerCreateWritable: false, why: `no origin private file system here (navigator.storage.getDirectory() failed: ${String(error)}; ${where})` };
    }
    const source = `postMessage(typeof FileSystemFileHandle === 'function' && typeof FileSystemFileHandle.prototype.createWritable === 'function')`;
    const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    const worker = new Worker(url);
    try {
      const workerCreateWritable = await new Promise<boolean>((resolve, reject) => {
        worker.onmessage = (event) => resolve(event.data === true);
        worker.onerror = () => reject(new Error('probe worker failed'));
      });
      return { opfs, workerCreateWritable, why: workerCreateWritable ? '' : 'FileSystemFileHandle.createWritable is missing in dedicated workers' };
    } finally {
      worker.terminate();
      URL.revokeObjectURL(url);
    }
  })();
  return support;
}

// Probed before the tests are declared, so that an engine without OPFS in workers (WebKitGTK here)
// lists the disk tests as skipped, with the reason, instead of passing them vacuously.
const probed = await probe();

/** `it` where this engine can write OPFS files from the worker; a listed skip (with why) elsewhere. */
function itOnDisk(name: string, body: () => Promise<void>, timeoutMs?: number): void {
  if (probed.workerCreateWritable) it(name, body, timeoutMs);
  else skip(`${name} (skipped: ${probed.why})`);
}

/** A fresh OPFS directory for one test, removed afterwards. */
async function withDirectory<T>(body: (dir: FileSystemDirectoryHandle) => Promise<T>): Promise<T> {
  const root = await navigator.storage.getDirectory();
  const name = `ek-disk-test-${crypto.randomUUID()}`;
  const dir = await root.getDirectoryHandle(name, { create: true });
  try {
    return await body(dir);
  } finally {
    await root.removeEntry(name, { recursive: true }).catch(() => undefined);
  }
}

async function fileWith(dir: FileSystemDirectoryHandle, name: string, content?: string): Promise<FileSystemFileHandle> {
  const handle = await dir.getFileHandle(name, { create: true });
  if (content !== undefined) {
    const writable = await handle.createWritable();
    await writable.write(content);
    await writable.close();
  }
  return handle;
}

/**
 * The file's text once the worker has let go of it: after a rejected call the page learns of the
 * failure before the worker has aborted its writable, so wait for a new writable to be possible.
 */
async function settledText(handle: FileSystemFileHandle): Promise<string> {
  for (let i = 0; ; i++) {
    try {
      const probeWritable = await handle.createWritable({ keepExistingData: true });
      await probeWritable.abort();
      break;
    } catch (error) {
      if (i > 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  return (await handle.getFile()).text();
}

async function newKey(kit: Kit): Promise<string> {
  return (await kit.kms('us-east-1').createKey({ Description: 'disk files' })).KeyMetadata.Arn;
}

describe('createKit: files to disk (call.output)', () => {
  it('refuses an output that is not a FileSystemFileHandle, in every engine', () =>
    withKit(async (kit) => {
      const keyId = await newKey(kit);
      const error = await rejection(kit.encryptFile(new Blob(['x']), { keyId, encryptionContext: {} }, { output: {} as FileSystemFileHandle }));
      expect(error).to.be.instanceOf(TypeError);
      expect(error.message).to.contain('call.output');
    }));

  it('where workers lack createWritable, refuses call.output with a TypeError naming the option', async () => {
    const { opfs, workerCreateWritable, why } = await probe();
    if (workerCreateWritable) return; // supported here: the other tests run instead
    console.warn(`call.output unsupported in this engine (${why}): asserting the refusal`);
    if (!opfs) {
      // No handle can be had here at all; what a caller could pass is refused by name.
      await withKit(async (kit) => {
        const keyId = await newKey(kit);
        const error = await rejection(kit.encryptFile(new Blob(['x']), { keyId, encryptionContext: {} }, { output: { kind: 'file' } as FileSystemFileHandle }));
        expect(error).to.be.instanceOf(TypeError);
        expect(error.message).to.contain('call.output');
      });
      return;
    }
    await withKit(async (kit) => {
      await withDirectory(async (dir) => {
        const keyId = await newKey(kit);
        const target = await fileWith(dir, 'out.bin', PREVIOUS);
        const error = await rejection(kit.encryptFile(new Blob(['x']), { keyId, encryptionContext: {} }, { output: target }));
        expect(error).to.be.instanceOf(TypeError);
        expect(error.message).to.contain('call.output');
        expect(error.message).to.contain('createWritable');
        expect(await (await target.getFile()).text()).to.equal(PREVIOUS);
      });
    });
  });

  itOnDisk('createWritable writes to a swap file: invisible until close(), discarded by abort() (the engine claim the kit relies on)', () =>
    withDirectory(async (dir) => {
      const handle = await fileWith(dir, 'swap.bin', PREVIOUS);
      if (typeof handle.createWritable !== 'function') {
        console.warn('SKIPPED (swap file, page side): createWritable is missing on the page; the worker tests below check the same');
        return;
      }
      const writable = await handle.createWritable();
      await writable.write(patternBytes(2 * MiB));
      expect(await (await handle.getFile()).text(), 'not visible before close').to.equal(PREVIOUS);
      await writable.abort();
      expect(await (await handle.getFile()).text(), 'abort discards').to.equal(PREVIOUS);
      const again = await handle.createWritable();
      await again.write('replaced');
      await again.close();
      expect(await (await handle.getFile()).text(), 'close replaces').to.equal('replaced');
    }));

  itOnDisk('round-trips OPFS files, signed and unsigned, resolving with the File, with progress', () =>
    withKit(async (kit) => {
      await withDirectory(async (dir) => {
        const keyId = await newKey(kit);
        const plaintext = patternBytes(9 * MiB + 4321);
        const input = await fileWith(dir, 'input.bin');
        {
          const writable = await input.createWritable();
          await writable.write(plaintext);
          await writable.close();
        }
        for (const suiteId of [0x0578, 0x0478] as const) {
          const encryptedHandle = await fileWith(dir, `input.${suiteId}.enc`, PREVIOUS);
          const progress: FileProgress[] = [];
          const encrypted = await kit.encryptFile(await input.getFile(), { keyId, encryptionContext: context, suiteId }, {
            output: encryptedHandle,
            onProgress: (p) => progress.push(p),
          });
          expect(encrypted).to.be.instanceOf(File);
          expect(encrypted.name).to.equal(`input.${suiteId}.enc`);
          expect(encrypted.size).to.be.greaterThan(plaintext.length);
          expect((await encryptedHandle.getFile()).size).to.equal(encrypted.size);
          expect(progress.length).to.be.greaterThan(1);
          expect(progress.at(-1)).to.deep.equal({ done: plaintext.length, total: plaintext.length });
          for (let i = 1; i < progress.length; i++) expect(progress[i]!.done).to.be.at.least(progress[i - 1]!.done);
          expect(parseHeader(await blobBytes(encrypted.slice(0, 4096)))!.suiteId).to.equal(suiteId);

          const decryptedHandle = await fileWith(dir, `input.${suiteId}.dec`);
          const decryptProgress: FileProgress[] = [];
          const decrypted = await kit.decryptFile(encrypted, { encryptionContext: context }, {
            output: decryptedHandle,
            onProgress: (p) => decryptProgress.push(p),
          });
          expect(decrypted).to.be.instanceOf(File);
          expect(decryptProgress.at(-1)).to.deep.equal({ done: encrypted.size, total: encrypted.size });
          expect(sameBytes(await blobBytes(decrypted), plaintext)).to.equal(true);
          expect(sameBytes(await blobBytes(await decryptedHandle.getFile()), plaintext)).to.equal(true);
        }
        // The empty file too.
        const emptyOut = await fileWith(dir, 'empty.enc', PREVIOUS);
        const empty = await kit.encryptFile(new Blob([]), { keyId, encryptionContext: {} }, { output: emptyOut });
        const emptyPlain = await fileWith(dir, 'empty.dec', PREVIOUS);
        expect((await kit.decryptFile(empty, {}, { output: emptyPlain })).size).to.equal(0);
      });
    }), 120_000);

  itOnDisk('abort in the middle of a file leaves the target as it was (previous content, or empty), and the kit stays usable', () =>
    withKit(async (kit) => {
      await withDirectory(async (dir) => {
        const keyId = await newKey(kit);
        const file = new Blob([patternBytes(48 * MiB)]);
        for (const previous of [PREVIOUS, undefined]) {
          const target = await fileWith(dir, `aborted-${previous === undefined ? 'new' : 'old'}.enc`, previous);
          const controller = new AbortController();
          const seen: FileProgress[] = [];
          const pending = kit.encryptFile(file, { keyId, encryptionContext: context }, {
            output: target,
            signal: controller.signal,
            onProgress: (p) => {
              seen.push(p);
              // A few MiB in, so some output has already been written to the swap file.
              if (p.done >= 8 * MiB) controller.abort();
            },
          });
          const error = await rejection(pending);
          expect(error).to.be.instanceOf(EnvelopeError);
          expect(error.code).to.equal('ABORTED');
          expect(seen.at(-1)!.done, 'aborted in the middle').to.be.below(file.size);
          expect(await settledText(target), 'the target is untouched').to.equal(previous ?? '');
        }
        // The same handle can be written by the next call.
        const target = await dir.getFileHandle('aborted-old.enc');
        const written = await kit.encryptFile(new Blob(['after abort']), { keyId, encryptionContext: {} }, { output: target });
        expect(await (await kit.decryptFile(written)).text()).to.equal('after abort');
      });
    }), 120_000);

  itOnDisk('a tampered file leaves nothing of the plaintext: frames, signature, context, and the target as it was', () =>
    withKit(async (kit) => {
      await withDirectory(async (dir) => {
        const keyId = await newKey(kit);
        // Signed: frames are released (and written to the swap file) before the footer is checked.
        const message = await blobBytes(await kit.encryptFile(new Blob([patternBytes(12 * MiB)]), { keyId, encryptionContext: context, suiteId: 0x0578 }));
        const cases: [string, Uint8Array<ArrayBuffer>, string, Record<string, string>][] = [];
        const frame = message.slice();
        frame[Math.floor(frame.length / 2)]! ^= 1;
        cases.push(['a frame in the middle', frame, 'INTEGRITY_FAILURE', context]);
        const signature = message.slice();
        signature[signature.length - 3]! ^= 1;
        cases.push(['the footer signature (every frame already written)', signature, 'SIGNATURE_INVALID', context]);
        cases.push(['the wrong encryption context', message, 'ENCRYPTION_CONTEXT_MISMATCH', { file: 'other.bin' }]);
        for (const [what, bytes, code, encryptionContext] of cases) {
          for (const previous of [PREVIOUS, undefined]) {
            const target = await fileWith(dir, `tampered-${crypto.randomUUID()}.bin`, previous);
            const error = await rejection(kit.decryptFile(new Blob([bytes]), { encryptionContext }, { output: target }));
            expect(error, what).to.be.instanceOf(EnvelopeError);
            expect(error.code, what).to.equal(code);
            expect(await settledText(target), `${what}: the target is untouched`).to.equal(previous ?? '');
          }
        }
      });
    }), 120_000);
});
