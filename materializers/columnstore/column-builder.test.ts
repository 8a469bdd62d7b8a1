import { describe, expect, it } from 'vitest';
import { GrowableBytes } from './column-builder.js';

describe('GrowableBytes.appendUtf8', () => {
  it('writes what Buffer.from(text) gives, ASCII or not, short or long, across growth', () => {
    const texts = ['', 'N', 'DELIVER IN PERSON', 'x'.repeat(256), 'y'.repeat(257), `${'a'.repeat(200)}é`, 'héllo, 世界 😀', 'lone \ud800 surrogate', 'z'.repeat(5000)];
    const bytes = new GrowableBytes();
    const expected: Buffer[] = [];
    for (let round = 0; round < 3; round++) {
      for (const text of texts) {
        bytes.appendUtf8(text);
        expected.push(Buffer.from(text, 'utf8'));
      }
    }
    expect(Buffer.from(bytes.bytes.subarray(0, bytes.length))).toEqual(Buffer.concat(expected));
  });
});
