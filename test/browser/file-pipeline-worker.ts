/**
 * Runs the file pipeline's BlobReader in a dedicated worker, where the kit runs it, for
 * file-pipeline.test.ts. Nothing here keeps a reference to a reader: only the pending reads do,
 * as in the kit's worker, which is what a garbage collection must not break.
 */
import { expose, transfer } from 'comlink';
import { BlobReader } from '../../workers/file-pipeline.js';

/** Reads `blob` with a BlobReader and returns its bytes, the number of chunks and the largest. */
async function readAll(blob: Blob, byob: boolean): Promise<{ bytes: Uint8Array<ArrayBuffer>; chunks: number; largest: number }> {
  const reader = new BlobReader(blob, { byob });
  const out = new Uint8Array(blob.size);
  let at = 0;
  let chunks = 0;
  let largest = 0;
  for (let chunk = await reader.next(); chunk; chunk = await reader.next()) {
    out.set(chunk, at);
    at += chunk.length;
    chunks++;
    largest = Math.max(largest, chunk.length);
    reader.recycle(chunk);
  }
  return transfer({ bytes: out.subarray(0, at), chunks, largest }, [out.buffer]);
}

/**
 * Reads `blob` while a timer allocates garbage fast enough to make the engine collect again and
 * again, between the reader's tasks, when only its pending read refers to it. Resolves with the
 * bytes read, or 'hung' if the reading stalls for `limitMs`.
 */
async function readUnderGarbage(blob: Blob, limitMs: number): Promise<number | 'hung'> {
  let churning = true;
  const churn = () => {
    if (!churning) return;
    for (let i = 0; i < 16; i++) new Uint8Array(1024 * 1024)[0] = i;
    setTimeout(churn, 1);
  };
  churn();
  const read = (async () => {
    const reader = new BlobReader(blob);
    let total = 0;
    for (let chunk = await reader.next(); chunk; chunk = await reader.next()) {
      total += chunk.length;
      reader.recycle(chunk);
    }
    return total;
  })();
  try {
    return await Promise.race([read, new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), limitMs))]);
  } finally {
    churning = false;
  }
}

const api = { readAll, readUnderGarbage };
export type FilePipelineWorker = typeof api;
expose(api);
