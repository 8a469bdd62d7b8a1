import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteWriter } from '../entries/index.js';
import { rowStorageKey } from '../keys/index.js';
import { BatchBytes, decodeStoredRow, encodeStoredRow } from './storage-format.js';
import { keyBytes, keyString } from './state.js';

describe('stored row values', () => {
  it('encode as [varuint index][row bytes], byte for byte as a ByteWriter writes them, and decode back', () => {
    const row = new Uint8Array([3, 0, 42, 7]);
    for (const index of [0, 1, 127, 128, 16_383, 16_384, 2 ** 31, 2 ** 53 - 1]) {
      const w = new ByteWriter();
      w.varuint(index);
      w.raw(row);
      const encoded = encodeStoredRow(index, row);
      expect(encoded).toEqual(w.finish());
      const decoded = decodeStoredRow(encoded);
      expect(decoded.index).toBe(index);
      expect(decoded.rowBytes).toEqual(row);
    }
    expect(() => encodeStoredRow(-1, row)).toThrow(/stored row index/);
  });
});

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
