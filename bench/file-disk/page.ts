/**
 * Page of bench/file-disk.mjs: kit.encryptFile and kit.decryptFile OPFS file -> OPFS file
 * (`call.output`), so neither the JS heap nor the blob store holds the output, whatever the size.
 */
import { createKit, type Kit } from '../../src/index.js';

const MiB = 1024 * 1024;
const DIR = 'ek-file-disk-bench';

let kit: Kit | undefined;
let keyId = '';
let dir: FileSystemDirectoryHandle | undefined;

async function file(name: string): Promise<FileSystemFileHandle> {
  return dir!.getFileHandle(name, { create: true });
}

const fileDiskBench = {
  /** A kit, a key, and an OPFS input file of `size` bytes (a repeated random 8 MiB block). */
  async setup(size: number): Promise<void> {
    const root = await navigator.storage.getDirectory();
    await root.removeEntry(DIR, { recursive: true }).catch(() => undefined);
    dir = await root.getDirectoryHandle(DIR, { create: true });
    kit = await createKit({
      name: `ek-file-disk-bench-${crypto.randomUUID()}`,
      regions: ['us-east-1'],
      worker: new Worker(new URL('./kit.worker.js', import.meta.url), { type: 'module' }),
    });
    keyId = (await kit.kms('us-east-1').createKey({})).KeyMetadata.Arn;
    const block = new Uint8Array(8 * MiB);
    for (let at = 0; at < block.length; at += 65536) crypto.getRandomValues(block.subarray(at, at + 65536));
    const writable = await (await file('input.bin')).createWritable();
    for (let at = 0; at < size; at += block.length) await writable.write(block.subarray(0, Math.min(block.length, size - at)));
    await writable.close();
  },

  async encrypt(suiteId: 0x0478 | 0x0578): Promise<{ ms: number; inBytes: number; outBytes: number }> {
    const input = await (await file('input.bin')).getFile();
    const started = performance.now();
    const out = await kit!.encryptFile(input, { keyId, encryptionContext: { bench: 'disk' }, suiteId }, { output: await file(`input.${suiteId}.enc`) });
    return { ms: performance.now() - started, inBytes: input.size, outBytes: out.size };
  },

  async decrypt(suiteId: 0x0478 | 0x0578): Promise<{ ms: number; inBytes: number; outBytes: number }> {
    const input = await (await file(`input.${suiteId}.enc`)).getFile();
    const started = performance.now();
    const out = await kit!.decryptFile(input, { encryptionContext: { bench: 'disk' } }, { output: await file(`input.${suiteId}.dec`) });
    return { ms: performance.now() - started, inBytes: input.size, outBytes: out.size };
  },

  /** Whether the decrypted file equals the input, compared 8 MiB at a time. */
  async verify(suiteId: 0x0478 | 0x0578): Promise<boolean> {
    const a = await (await file('input.bin')).getFile();
    const b = await (await file(`input.${suiteId}.dec`)).getFile();
    if (a.size !== b.size) return false;
    for (let at = 0; at < a.size; at += 8 * MiB) {
      const [x, y] = await Promise.all([a.slice(at, at + 8 * MiB).arrayBuffer(), b.slice(at, at + 8 * MiB).arrayBuffer()]);
      const u = new Uint8Array(x);
      const v = new Uint8Array(y);
      for (let i = 0; i < u.length; i++) if (u[i] !== v[i]) return false;
    }
    return true;
  },

  /** Removes the output of one suite, so the next does not need twice the disk. */
  async drop(suiteId: number): Promise<void> {
    await dir!.removeEntry(`input.${suiteId}.enc`).catch(() => undefined);
    await dir!.removeEntry(`input.${suiteId}.dec`).catch(() => undefined);
  },

  async teardown(): Promise<void> {
    await kit?.close();
    await (await navigator.storage.getDirectory()).removeEntry(DIR, { recursive: true }).catch(() => undefined);
  },
};

declare global {
  interface Window {
    fileDiskBench: typeof fileDiskBench;
  }
}
window.fileDiskBench = fileDiskBench;
