/**
 * The page half of bench/transfer.mjs: one kit (its real worker), and the same calls made with the
 * default copy and with `{ transfer: true }` in alternating order (ABBA), so both see the same
 * machine. Inputs are made before each timed call, outside the timing: the difference between the
 * two columns is the copy (and, for transfer, nothing but the detach).
 */
import { createKit, type Kit } from '../../src/index.js';

const MiB = 1024 * 1024;

function filled(size: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  const block = crypto.getRandomValues(new Uint8Array(65536));
  for (let at = 0; at < size; at += block.length) out.set(block.subarray(0, Math.min(block.length, size - at)), at);
  return out;
}

interface Pair {
  readonly cell: string;
  readonly unit: string;
  readonly copy: number[];
  readonly transfer: number[];
}

let kit: Kit | undefined;
let keyArn = '';
let branchKeyId = '';

async function open(): Promise<void> {
  kit = await createKit({ name: `bench-transfer-${crypto.randomUUID()}`, regions: ['us-east-1'], worker: new Worker(new URL('./kit.worker.js', import.meta.url), { type: 'module' }) });
  keyArn = (await kit.kms('us-east-1').createKey({})).KeyMetadata.Arn;
  branchKeyId = await kit.createBranchKey({ keyId: keyArn });
}

/** Rate of one call: `units` per second. `make` builds fresh inputs (untimed); `call` is timed. */
async function timed<T>(make: () => T, call: (input: T) => Promise<unknown>, units: number): Promise<number> {
  const input = make();
  const start = performance.now();
  await call(input);
  return units / ((performance.now() - start) / 1000);
}

async function pairs(rounds: number, record: number, perBatch: number, bigMiB: number): Promise<Pair[]> {
  const k = kit!;
  const options = { keyId: keyArn, encryptionContext: { bench: 'transfer' }, suiteId: 0x0478 } as const;
  const big = filled(bigMiB * MiB);
  const { ciphertext: bigMessage } = await k.encrypt(big, options);
  const records = Array.from({ length: perBatch }, () => filled(record));
  const messages = await k.encryptMany(records, { branchKeyId, suiteId: 0x0478 });
  const cells: Pair[] = [
    { cell: `kit.encrypt ${bigMiB} MiB (0x0478)`, unit: 'MiB/s', copy: [], transfer: [] },
    { cell: `kit.decrypt ${bigMiB} MiB (0x0478)`, unit: 'MiB/s', copy: [], transfer: [] },
    { cell: `kit.encryptMany ${perBatch} x ${record} B (0x0478)`, unit: 'records/s', copy: [], transfer: [] },
    { cell: `kit.decryptMany ${perBatch} x ${record} B (0x0478)`, unit: 'records/s', copy: [], transfer: [] },
  ];
  const run = async (transfer: boolean) => {
    const t = { transfer };
    const side = (cell: Pair) => (transfer ? cell.transfer : cell.copy);
    side(cells[0]!).push(await timed(() => (transfer ? big.slice() : big), (input) => k.encrypt(input, { ...options, ...t }), bigMiB));
    side(cells[1]!).push(await timed(() => (transfer ? bigMessage.slice() : bigMessage), (input) => k.decrypt(input, { encryptionContext: options.encryptionContext, ...t }), bigMiB));
    side(cells[2]!).push(await timed(() => (transfer ? records.map((r) => r.slice()) : records), (input) => k.encryptMany(input, { branchKeyId, suiteId: 0x0478, ...t }), perBatch));
    side(cells[3]!).push(await timed(() => (transfer ? messages.map((m) => m.slice()) : messages), (input) => k.decryptMany(input, t), perBatch));
  };
  await run(false); // warm-up, not kept
  await run(true);
  for (const cell of cells) (cell.copy.length = 0), (cell.transfer.length = 0);
  for (let i = 0; i < rounds; i++) {
    const order = i % 2 === 0 ? [false, true] : [true, false];
    for (const transfer of order) await run(transfer);
  }
  return cells;
}

(window as unknown as { benchTransfer: unknown }).benchTransfer = {
  open,
  pairs,
  close: () => kit?.close(),
};
