import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bytesPerGiB, bytesPerKiB, bytesPerMiB, bytesPerTiB, formatDuration, formatSize, msPerHour, msPerMinute,
  parseDuration, parseSize, tryParseDuration, tryParseSize, UnitError,
} from './units.js';

function reasonOf(result: ReturnType<typeof tryParseSize>): string {
  if (result.ok) throw new Error(`expected a failure, got ${result.value}`);
  return result.reason;
}

describe('parseSize', () => {
  it.each([
    ['0B', 0],
    ['1B', 1],
    ['16KB', 16 * bytesPerKiB],
    ['512MB', 512 * bytesPerMiB],
    ['2GB', 2 * bytesPerGiB],
    ['1TB', bytesPerTiB],
    ['1kb', bytesPerKiB],
    ['64 mb', 64 * bytesPerMiB],
    ['  1Gb  ', bytesPerGiB],
    ['1.5GB', 1.5 * bytesPerGiB],
    ['0.5KB', 512],
    ['1.25KB', 1280],
    ['4096', 4096],
  ] as const)('%s is %d bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it('takes a bare integer as bytes', () => {
    expect(parseSize(4096)).toBe(4096);
    expect(parseSize(0)).toBe(0);
  });

  it.each([
    ['', /size is empty/],
    ['   ', /size is empty/],
    ['-1GB', /cannot be negative/],
    ['2XB', /"XB" is not a size unit; use one of B, KB, MB, GB, TB/],
    ['1KiB', /write KB: 1KB = 1024 bytes/],
    ['1GiB', /write GB/],
    ['GB', /"GB" is not a number followed by a unit/],
    ['abc', /"abc" is not a number followed by a unit/],
    ['1e3GB', /not a number followed by a unit/],
    ['.5GB', /not a number followed by a unit/],
    ['1.GB', /not a number followed by a unit/],
    ['+1GB', /not a number followed by a unit/],
    ['1 2GB', /not a number followed by a unit/],
    ['1.5B', /1.5B is not a whole number of bytes/],
    ['1.1MB', /1.1MB is not a whole number of bytes/],
    ['1.5', /without a unit means bytes and must be a whole number/],
    ['99999999TB', /too large/],
  ] as const)('rejects %j', (text, reason) => {
    expect(reasonOf(tryParseSize(text))).toMatch(reason);
  });

  it.each([
    [-5, /cannot be negative/],
    [1.5, /must be a whole number/],
    [Number.NaN, /not a number/],
    [Number.POSITIVE_INFINITY, /not a number/],
    [2 ** 60, /too large/],
  ] as const)('rejects the number %d', (value, reason) => {
    expect(reasonOf(tryParseSize(value))).toMatch(reason);
  });

  it('throws UnitError naming the input', () => {
    expect(() => parseSize('2XB')).toThrow(UnitError);
    expect(() => parseSize('2XB')).toThrow('invalid size "2XB": "XB" is not a size unit');
  });
});

describe('parseDuration', () => {
  it.each([
    ['100ms', 100],
    ['1s', 1000],
    ['60s', 60_000],
    ['5m', 5 * msPerMinute],
    ['2h', 2 * msPerHour],
    ['1.5s', 1500],
    ['0ms', 0],
    ['1S', 1000],
    ['10 MS', 10],
    ['250', 250],
  ] as const)('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it('takes a bare integer as milliseconds', () => {
    expect(parseDuration(250)).toBe(250);
  });

  it.each([
    ['', /duration is empty/],
    ['-1s', /cannot be negative/],
    ['1d', /"d" is not a duration unit; use one of ms, s, m, h/],
    ['soon', /"soon" is not a number followed by a unit/],
    ['0.5ms', /0.5ms is not a whole number of milliseconds/],
    ['1.5', /without a unit means milliseconds/],
  ] as const)('rejects %j', (text, reason) => {
    expect(reasonOf(tryParseDuration(text))).toMatch(reason);
  });

  it('rejects negative and fractional numbers', () => {
    expect(reasonOf(tryParseDuration(-1))).toMatch(/cannot be negative/);
    expect(reasonOf(tryParseDuration(0.5))).toMatch(/whole number/);
  });

  it('throws UnitError naming the input', () => {
    expect(() => parseDuration('soon')).toThrow('invalid duration "soon"');
  });
});

describe('formatSize and formatDuration', () => {
  it('use the largest unit that divides exactly', () => {
    expect(formatSize(bytesPerGiB)).toBe('1GB');
    expect(formatSize(64 * bytesPerMiB)).toBe('64MB');
    expect(formatSize(1536 * bytesPerMiB)).toBe('1536MB');
    expect(formatSize(1536)).toBe('1536B');
    expect(formatSize(0)).toBe('0B');
    expect(formatDuration(60_000)).toBe('1m');
    expect(formatDuration(90_000)).toBe('90s');
    expect(formatDuration(1500)).toBe('1500ms');
    expect(formatDuration(3 * msPerHour)).toBe('3h');
    expect(formatDuration(0)).toBe('0ms');
  });

  it('refuse values that are not non-negative integers', () => {
    expect(() => formatSize(-1)).toThrow(UnitError);
    expect(() => formatSize(1.5)).toThrow(UnitError);
    expect(() => formatDuration(Number.NaN)).toThrow(UnitError);
  });

  it('round-trip through the parsers', () => {
    fc.assert(fc.property(fc.nat({ max: Number.MAX_SAFE_INTEGER }), (value) => {
      expect(parseSize(formatSize(value))).toBe(value);
      expect(parseDuration(formatDuration(value))).toBe(value);
    }));
  });
});
