import { describe, expect, it } from 'vitest';
import { ByteWriter } from '../entries/index.js';
import { decodeStoredRow, encodeStoredRow } from './storage-format.js';

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
