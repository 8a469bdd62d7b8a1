import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyIndex } from './key-index.js';

describe('key index', () => {
  it('behaves like a Map under inserts, moves and removes, through growth (property)', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.constantFrom('insert', 'remove', 'move'), fc.integer({ min: 0, max: 300 })), { maxLength: 2000 }),
      (ops) => {
        // Positions point into a side table of keys, as segments do.
        const keyAt: Uint8Array[] = [];
        const model = new Map<number, number>();
        const index = new KeyIndex((position, key) => Buffer.compare(keyAt[position] ?? new Uint8Array(0), key) === 0, 8);
        const keyOf = (k: number): Uint8Array => Uint8Array.of(k & 0xff, k >> 8, 1);
        for (const [op, k] of ops) {
          const key = keyOf(k);
          if (op === 'insert' && !model.has(k)) {
            keyAt.push(key);
            index.insert(key, keyAt.length - 1);
            model.set(k, keyAt.length - 1);
          } else if (op === 'remove') {
            expect(index.remove(key)).toBe(model.get(k) ?? -1);
            model.delete(k);
          } else if (op === 'move' && model.has(k)) {
            keyAt.push(key);
            index.move(key, keyAt.length - 1);
            model.set(k, keyAt.length - 1);
          }
        }
        expect(index.size).toBe(model.size);
        for (let k = 0; k <= 300; k++) expect(index.get(keyOf(k))).toBe(model.get(k) ?? -1);
      },
    ), { numRuns: 100 });
  });
});
