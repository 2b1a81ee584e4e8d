/**
 * workers/file-pipeline.ts's BlobReader, run in a worker as the kit runs it: every byte in order
 * whatever the size and the Blob's parts, chunks of at most CHUNK_BYTES, and no stall when the
 * engine collects garbage in the middle of a read (Chromium's BYOB reads on Blob streams used to
 * hang then: see `reading` in file-pipeline.ts).
 */
import { expect } from 'chai';
import { wrap, type Remote } from 'comlink';
import { CHUNK_BYTES, SLICE_BYTES } from '../../workers/file-pipeline.js';
import { describe, it } from '../support/bdd.js';
import type { FilePipelineWorker } from './file-pipeline-worker.js';

const MiB = 1024 * 1024;

async function withWorker<T>(body: (remote: Remote<FilePipelineWorker>) => Promise<T>): Promise<T> {
  const worker = new Worker(new URL('./file-pipeline-worker.ts', import.meta.url), { type: 'module' });
  try {
    return await body(wrap<FilePipelineWorker>(worker));
  } finally {
    worker.terminate();
  }
}

/** `size` bytes in Blob parts of uneven sizes, so that slices and chunks cut across parts. */
function patterned(size: number): { blob: Blob; bytes: Uint8Array<ArrayBuffer> } {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 7 + (i >>> 16)) & 255;
  const parts: Uint8Array<ArrayBuffer>[] = [];
  for (let at = 0, n = 0; at < size; n++) {
    const length = Math.min(size - at, [1, 65_537, 3 * MiB + 5, 777][n % 4]!);
    parts.push(bytes.subarray(at, at + length));
    at += length;
  }
  return { blob: new Blob(parts), bytes };
}

describe('file pipeline: BlobReader', () => {
  it('reads every byte in order, in chunks of at most CHUNK_BYTES, across slices and parts, with either reader', () =>
    withWorker(async (remote) => {
      for (const [size, byob] of [0, 1, CHUNK_BYTES - 1, CHUNK_BYTES, CHUNK_BYTES + 1, SLICE_BYTES + 12_345].flatMap((n) => [[n, true], [n, false]] as const)) {
        const { blob, bytes } = patterned(size);
        const read = await remote.readAll(blob, byob);
        expect(read.bytes.length, `size ${size}`).to.equal(size);
        expect(read.largest).to.be.at.most(CHUNK_BYTES);
        expect(read.chunks).to.be.at.least(Math.ceil(size / CHUNK_BYTES));
        let same = true;
        for (let i = 0; i < size && same; i++) same = read.bytes[i] === bytes[i];
        expect(same, `size ${size}, ${byob ? 'BYOB' : 'default'} reader: the bytes read equal the Blob's`).to.equal(true);
      }
    }));

  it('does not stall when the engine collects garbage while a read is pending', () =>
    withWorker(async (remote) => {
      const size = 64 * MiB;
      const result = await remote.readUnderGarbage(new Blob([new Uint8Array(size)]), 20_000);
      expect(result).to.equal(size);
    }));
});
