import { describe, expect, it } from 'vitest';
import { BufferWriter } from './buffer-writer.js';
import { BackendType } from './constants.js';

describe('BufferWriter', () => {
  it('frames a message: type byte, then a length that counts itself but not the type', () => {
    const w = new BufferWriter();
    w.beginMessage(BackendType.CommandComplete);
    w.cstring('OK');
    w.endMessage();
    expect([...w.flush()]).toEqual([0x43, 0, 0, 0, 7, 0x4f, 0x4b, 0]);
  });

  it('flushed batches are never overwritten by later writes', () => {
    const w = new BufferWriter(64);
    const batches: Buffer[] = [];
    const expected: string[] = [];
    for (let i = 0; i < 200; i++) {
      const text = `batch ${i} ${'x'.repeat(i % 50)}`;
      w.string(text);
      batches.push(w.flush());
      expected.push(text);
    }
    expect(batches.map((b) => b.toString())).toEqual(expected);
  });

  it('grows a batch past the slab and keeps the open message intact', () => {
    const w = new BufferWriter(64);
    w.string('prefix');
    w.flush();
    w.beginMessage(BackendType.DataRow);
    w.int16(1);
    const value = 'y'.repeat(10_000);
    w.lengthPrefixed(value);
    w.endMessage();
    const out = w.flush();
    expect(out.length).toBe(1 + 4 + 2 + 4 + 10_000);
    expect(out.readInt32BE(1)).toBe(out.length - 1);
    expect(out.readInt32BE(7)).toBe(10_000);
    expect(out.subarray(11).toString()).toBe(value);
  });

  it('writes UTF-8: ASCII fast path, multi-byte, astral and lone surrogates', () => {
    for (const s of ['', 'a', 'plain ascii', 'é', 'a€b', '🐘', 'x'.repeat(32) + 'é', 'lone \uD800 surrogate', '\uDC00']) {
      const w = new BufferWriter(64);
      w.lengthPrefixed(s);
      const out = w.flush();
      expect(out.readInt32BE(0)).toBe(Buffer.byteLength(s));
      expect(out.subarray(4).equals(Buffer.from(s, 'utf8'))).toBe(true);
    }
  });

  it('NUL in a cstring becomes U+FFFD so the field cannot end early', () => {
    const w = new BufferWriter();
    w.cstring('a\0b');
    expect(w.flush().toString()).toBe('a\uFFFDb\0');
  });

  it('null and byte values', () => {
    const w = new BufferWriter();
    w.lengthPrefixed(null);
    w.lengthPrefixed(new Uint8Array([9, 8]));
    expect([...w.flush()]).toEqual([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 2, 9, 8]);
  });

  it('integers: signed and unsigned ranges are checked by Buffer', () => {
    const w = new BufferWriter();
    w.int8(-1);
    w.uint8(255);
    w.int16(-2);
    w.int32(-3);
    w.uint32(0xffff_ffff);
    expect([...w.flush()]).toEqual([0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xff, 0xfd, 0xff, 0xff, 0xff, 0xff]);
    expect(() => w.int16(40_000)).toThrow(RangeError);
  });

  it('misuse is an invariant failure', () => {
    const w = new BufferWriter();
    expect(() => w.endMessage()).toThrow(/invariant/);
    w.beginMessage(BackendType.NoData);
    expect(() => w.beginMessage(BackendType.NoData)).toThrow(/invariant/);
    expect(() => w.flush()).toThrow(/invariant/);
    expect(() => new BufferWriter(1)).toThrow(/invariant/);
  });

  it('pendingBytes counts what flush() would return', () => {
    const w = new BufferWriter();
    w.emptyMessage(BackendType.NoData);
    expect(w.pendingBytes).toBe(5);
    expect(w.flush()).toHaveLength(5);
    expect(w.pendingBytes).toBe(0);
    expect(w.flush()).toHaveLength(0);
  });
});
