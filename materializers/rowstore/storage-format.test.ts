import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rowStorageKey } from '../keys/index.js';
import { BatchBytes, encodeStoredRow } from './storage-format.js';
import { keyBytes, keyString } from './state.js';

describe('BatchBytes', () => {
  it('packs the same bytes as rowStorageKey and encodeStoredRow, across slab boundaries (property)', () => {
    const item = fc.record({
      tableId: fc.integer({ min: 0, max: 0xffff_ffff }),
      key: fc.uint8Array({ minLength: 1, maxLength: 300 }),
      index: fc.oneof(fc.integer({ min: 0, max: 300 }), fc.nat(), fc.constant(Number.MAX_SAFE_INTEGER)),
      row: fc.uint8Array({ maxLength: 70_000 }),
    });
    fc.assert(fc.property(fc.array(item, { maxLength: 40 }), (items) => {
      const bytes = new BatchBytes();
      const packed = items.map((i) => [bytes.rowKey(i.tableId, keyString(i.key)), bytes.storedRow(i.index, i.row)] as const);
      // Compared after everything is packed: no view was overwritten by a later one.
      items.forEach((i, n) => {
        expect(new Uint8Array(packed[n]?.[0] ?? [])).toEqual(rowStorageKey(i.tableId, keyBytes(keyString(i.key))));
        expect(new Uint8Array(packed[n]?.[1] ?? [])).toEqual(encodeStoredRow(i.index, i.row));
      });
    }), { numRuns: 60 });
  });
});
