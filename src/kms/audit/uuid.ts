/**
 * Random (version 4) UUIDs for audit records' eventID and requestID: two per KMS call. Formatted
 * from a pool of random bytes refilled 256 UUIDs at a time; `crypto.randomUUID()` asks the
 * platform's random source once per UUID, and two such calls were a visible share of the cost of
 * recording a call. The bytes come from `crypto.getRandomValues` all the same: these ids are
 * unguessable as before (they are not secrets, only unique).
 */
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const PER_FILL = 256;
const pool = new Uint8Array(16 * PER_FILL);
let at = pool.length;

/**
 * A random UUID, lower-case, `xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx`.
 *
 * @example
 * ```ts
 * /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(randomUuid()); // true
 * ```
 */
export function randomUuid(): string {
  if (at === pool.length) {
    crypto.getRandomValues(pool);
    at = 0;
  }
  const b = pool.subarray(at, at + 16);
  at += 16;
  // Each pool byte is used once; version and variant bits as RFC 9562 section 5.4 sets them.
  const h = (i: number) => HEX[b[i]!]!;
  const version = HEX[(b[6]! & 0x0f) | 0x40]!;
  const variant = HEX[(b[8]! & 0x3f) | 0x80]!;
  return `${h(0)}${h(1)}${h(2)}${h(3)}-${h(4)}${h(5)}-${version}${h(7)}-${variant}${h(9)}-${h(10)}${h(11)}${h(12)}${h(13)}${h(14)}${h(15)}`;
}
