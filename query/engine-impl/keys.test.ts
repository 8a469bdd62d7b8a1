import { describe, expect, it } from 'vitest';
import { keyString as rowStoreKeyString } from '../../materializers/rowstore/state.js';
import { keyFromString, keyString } from './keys.js';

describe('keyString', () => {
  it('maps every byte to one latin1 code unit, for short keys and long ones, views included', () => {
    for (const length of [0, 1, 8, 64, 65, 300]) {
      const bytes = Uint8Array.from({ length: length + 3 }, (_, i) => (i * 37 + 255) % 256);
      const view = bytes.subarray(3);
      const expected = Buffer.from(view).toString('latin1');
      expect(keyString(view)).toBe(expected);
      expect(rowStoreKeyString(view)).toBe(expected);
      expect([...keyFromString(keyString(view))]).toEqual([...view]);
    }
  });
});
