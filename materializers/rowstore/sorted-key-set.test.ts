import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SortedKeySet, chunkKeysMax } from './sorted-key-set.js';

type Op = { readonly add: boolean; readonly key: string };

describe('SortedKeySet', () => {
  const key = fc.string({ unit: fc.constantFrom('\u0000', 'a', 'b', '\u00ff'), maxLength: 4 });

  it('matches a sorted-array model under random adds, deletes and range reads (property)', () => {
    fc.assert(fc.property(fc.array(fc.record({ add: fc.boolean(), key }), { maxLength: 300 }), key, key, fc.boolean(), fc.integer({ min: 1, max: 7 }), (ops: Op[], a, b, reverse, limit) => {
      const set = new SortedKeySet();
      const model = new Set<string>();
      for (const op of ops) {
        expect(op.add ? set.add(op.key) : set.delete(op.key)).toBe(op.add ? !model.has(op.key) : model.has(op.key));
        if (op.add) model.add(op.key);
        else model.delete(op.key);
      }
      const sorted = [...model].sort();
      expect(set.keys()).toEqual(sorted);
      expect(set.size).toBe(sorted.length);
      const [gte, lt] = a <= b ? [a, b] : [b, a];
      const inRange = sorted.filter((k) => k >= gte && k < lt);
      const expected = reverse ? inRange.reverse() : inRange;
      // Paging with a cursor returns the whole range in order.
      const paged: string[] = [];
      for (let page = set.collect({ gte, lt }, limit, reverse); page.length > 0; page = set.collect({ gte, lt }, limit, reverse, paged.at(-1))) {
        paged.push(...page);
      }
      expect(paged).toEqual(expected);
      for (const k of sorted) expect(set.has(k)).toBe(true);
    }), { numRuns: 500 });
  });

  it('splits and merges chunks across thousands of keys', () => {
    const set = new SortedKeySet();
    const n = chunkKeysMax * 6;
    const keys = Array.from({ length: n }, (_, i) => String(i * 7919 % n).padStart(6, '0'));
    for (const k of keys) set.add(k);
    expect(set.keys()).toEqual([...keys].sort());
    for (const k of keys.filter((_, i) => i % 3 !== 0)) set.delete(k);
    expect(set.keys()).toEqual(keys.filter((_, i) => i % 3 === 0).sort());
    expect(set.collect({}, 3, true)).toEqual(keys.filter((_, i) => i % 3 === 0).sort().reverse().slice(0, 3));
  });

  it('appends ascending keys past full chunks, then inserts and deletes between them', () => {
    const set = new SortedKeySet();
    const n = chunkKeysMax * 3 + 5;
    const key = (i: number): string => String(i).padStart(7, '0');
    for (let i = 0; i < n; i++) expect(set.add(key(2 * i))).toBe(true);
    expect(set.add(key(2 * (n - 1)))).toBe(false);
    for (let i = 0; i < n; i += 3) set.add(key(2 * i + 1));
    for (let i = 0; i < n; i += 5) set.delete(key(2 * i));
    const model = new Set<string>();
    for (let i = 0; i < n; i++) model.add(key(2 * i));
    for (let i = 0; i < n; i += 3) model.add(key(2 * i + 1));
    for (let i = 0; i < n; i += 5) model.delete(key(2 * i));
    expect(set.keys()).toEqual([...model].sort());
    expect(set.size).toBe(model.size);
    for (const k of model) expect(set.has(k)).toBe(true);
    expect(set.collect({ gte: key(2 * n - 10) }, 100, false)).toEqual([...model].sort().filter((k) => k >= key(2 * n - 10)));
  });
});
