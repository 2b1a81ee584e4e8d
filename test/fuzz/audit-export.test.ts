/**
 * Property-based fuzzing of the audit export parser (issue 11): `verifyAuditExport` on exports
 * with lines removed, repeated, swapped, cut, edited character by character, replaced by random
 * JSON, or with a number made huge, and on random text. It never throws (a verdict is its only
 * answer), never hangs, allocates nothing sized by a field of the text, and says `ok` only for a
 * text whose every line is, as JSON, the line exported (regions' lines may interleave differently:
 * the order between regions carries no meaning).
 */
import fc from 'fast-check';
import { verifyAuditExport } from '../../src/kms/audit/index.js';
import { fill, openLog } from '../kms-audit/helpers.js';
import { fuzz, RUNS, watchAllocations } from './support.js';

watchAllocations();

const log = await openLog({ digestEvery: 4 });
await fill(log);
const TEXT = await log.audit.export();
const LINES = TEXT.split('\n').filter((l) => l !== '');

type LineEdit =
  | { kind: 'remove'; at: number }
  | { kind: 'repeat'; at: number }
  | { kind: 'swap'; at: number }
  | { kind: 'cut'; at: number }
  | { kind: 'chars'; at: number; offset: number; cut: number; insert: string }
  | { kind: 'json'; at: number; value: unknown }
  | { kind: 'huge'; at: number; number: number }
  | { kind: 'blank'; at: number };

const edit: fc.Arbitrary<LineEdit> = fc.oneof(
  fc.record({ kind: fc.constant('remove' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('repeat' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('chars' as const), at: fc.nat(), offset: fc.nat(), cut: fc.integer({ min: 0, max: 4 }), insert: fc.string({ maxLength: 4 }) }),
  fc.record({ kind: fc.constant('json' as const), at: fc.nat(), value: fc.jsonValue({ maxDepth: 3 }) }),
  fc.record({ kind: fc.constant('huge' as const), at: fc.nat(), number: fc.constantFrom(2 ** 53, 1e308, -1, 4294967295, 0.5) }),
  fc.record({ kind: fc.constant('blank' as const), at: fc.nat() }),
);

function apply(lines: readonly string[], edits: readonly LineEdit[]): string[] {
  let out = [...lines];
  for (const e of edits) {
    const n = out.length;
    if (n === 0) break;
    const at = e.at % n;
    const line = out[at]!;
    switch (e.kind) {
      case 'remove':
        out.splice(at, 1);
        break;
      case 'repeat':
        out.splice(at, 0, line);
        break;
      case 'swap':
        if (at + 1 < n) [out[at], out[at + 1]] = [out[at + 1]!, line];
        break;
      case 'cut':
        out = out.slice(0, at);
        break;
      case 'chars': {
        const o = e.offset % (line.length + 1);
        out[at] = line.slice(0, o) + e.insert + line.slice(o + e.cut);
        break;
      }
      case 'json':
        out[at] = JSON.stringify(e.value);
        break;
      case 'huge':
        // Every number in the line (sequence numbers, counts) replaced by a hostile one.
        out[at] = line.replace(/(?<=[:,[])\d+(?=[,}\]])/g, String(e.number));
        break;
      case 'blank':
        out.splice(at, 0, '   ');
        break;
    }
  }
  return out;
}

/**
 * The text's lines as the verifier reads them: the header, each region's lines in order, the seal.
 * The order between regions carries no meaning (tamper.test.ts: a swap across regions verifies), so
 * two texts that differ only in how regions' lines interleave are the same export.
 */
function byRegion(text: string): string[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
  const groups = new Map<string, string[]>();
  for (const value of lines) {
    const key = value.type === 'header' || value.type === 'seal' ? String(value.type) : String(value.awsRegion);
    groups.set(key, [...(groups.get(key) ?? []), JSON.stringify(value)]);
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, values]) => `${key}: ${values.join('|')}`);
}

const EXPORTED = byRegion(TEXT);

const sameAsExported = (text: string) => {
  try {
    const groups = byRegion(text);
    return groups.length === EXPORTED.length && groups.every((g, i) => g === EXPORTED[i]);
  } catch {
    return false;
  }
};

describe('fuzz: the audit export parser', () => {
  it('verifyAuditExport answers a verdict, never a throw, and ok only for the exported lines', async () => {
    const text = fc.oneof(
      { weight: 6, arbitrary: fc.array(edit, { minLength: 1, maxLength: 3 }).map((edits) => `${apply(LINES, edits).join('\n')}\n`) },
      { weight: 1, arbitrary: fc.string({ maxLength: 300 }) },
      { weight: 1, arbitrary: fc.array(fc.json({ maxDepth: 3 }), { maxLength: 5 }).map((lines) => lines.join('\n')) },
    );
    const report = await fuzz(
      'audit export parser',
      text.map((t) => ({ text: t })),
      async ({ text: input }) => {
        const result = await verifyAuditExport(input);
        if (result.ok && !sameAsExported(input)) throw new Error('verify said ok for a text that is not the export');
        return result.ok ? 'ok (the export, unchanged as JSON per region)' : 'refused';
      },
      // Records are hashed from their canonical JSON: a few copies of the text, never more.
      { maxAllocation: ({ text: input }) => 8 * input.length + 64 * 1024 },
    );
    expect(report.cases).toBe(RUNS);
    expect(report.outcomes.refused).toBeGreaterThan(0);
  });
});
