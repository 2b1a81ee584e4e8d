/**
 * The local cryptographic materials cache (spec: framework/local-cryptographic-materials-cache.md):
 * LRU eviction down to the entry capacity on put, TTL-expired entries never returned and pruned
 * from the least recently used tail on get, and every entry disposed exactly once when it leaves.
 */
import { LocalMaterialsCache } from '../../src/core/index.js';
import { ENTRY_PRUNING_TAIL_SIZE } from '../../src/core/materials-cache.js';

function setup(capacity: number) {
  const clock = { t: 0 };
  const disposed: string[] = [];
  const cache = new LocalMaterialsCache({ capacity, now: () => clock.t });
  const put = (id: string, ttlMs = 100) => cache.put(id, id, { ttlMs, dispose: (v) => disposed.push(v) });
  return { clock, disposed, cache, put };
}

describe('LocalMaterialsCache', () => {
  it('evicts the least recently used entries down to the capacity', () => {
    const { cache, put, disposed } = setup(2);
    put('a');
    put('b');
    cache.get('a');
    put('c');
    expect(disposed).toEqual(['b']);
    expect([cache.get('a')?.value, cache.get('b'), cache.get('c')?.value]).toEqual(['a', undefined, 'c']);
  });

  it('never returns a TTL-expired entry; valid up to exactly its TTL', () => {
    const { cache, put, clock, disposed } = setup(5);
    put('a', 100);
    clock.t = 100;
    expect(cache.get('a')?.createdAt).toBe(0);
    clock.t = 101;
    expect(cache.get('a')).toBeUndefined();
    expect(disposed).toEqual(['a']);
  });

  it(`prunes expired entries among the ${ENTRY_PRUNING_TAIL_SIZE} least recently used on every get`, () => {
    const { cache, put, clock, disposed } = setup(10);
    for (const id of ['a', 'b', 'c', 'd', 'e']) put(id, 10);
    put('fresh', 1_000);
    clock.t = 50;
    cache.get('fresh');
    expect(disposed).toEqual(['a', 'b', 'c'].slice(0, ENTRY_PRUNING_TAIL_SIZE));
    expect(cache.size).toBe(6 - ENTRY_PRUNING_TAIL_SIZE);
  });

  it('disposes a replaced entry, everything on clear, and at once with capacity 0', () => {
    const { cache, put, disposed } = setup(3);
    put('a');
    put('a');
    expect(disposed).toEqual(['a']);
    put('b');
    cache.clear();
    expect(disposed.sort()).toEqual(['a', 'a', 'b']);
    const none = setup(0);
    none.put('x');
    expect(none.disposed).toEqual(['x']);
    expect(none.cache.size).toBe(0);
  });

  it('checks its options', () => {
    expect(() => new LocalMaterialsCache({ capacity: -1 })).toThrow(RangeError);
    expect(() => new LocalMaterialsCache({ capacity: 1.5 })).toThrow(TypeError);
  });
});
