import { describe, expect, it } from 'vitest';
import { parseTimestamp, parseTimestamptz } from './datetime/datetime-io.js';
import { parseTimeZoneSetting } from './datetime/time-zone.js';
import { parseFloat } from './float.js';
import { parseInterval } from './interval.js';
import { parseBigInt } from './integer.js';
import { parseNumeric } from './numeric/decimal.js';
import { makeSession } from './session.js';
import type { TypeSession } from './session.js';
import { intervalToChar, timestampToChar, timestamptzToChar } from './to-char/datetime-to-char.js';
import { floatToChar, integerToChar, numericToChar } from './to-char/number-to-char.js';
import { loadFixture, outcome } from './testdata/fixture.js';

const ops: Record<string, (value: string, format: string, s: TypeSession) => string> = {
  ts: (v, f, s) => timestampToChar(parseTimestamp(v, s), f) ?? '',
  tstz: (v, f, s) => timestamptzToChar(parseTimestamptz(v, s), f, s.timeZone) ?? '',
  iv: (v, f) => intervalToChar(parseInterval(v), f),
  num: (v, f) => numericToChar(parseNumeric(v), f),
  int: (v, f) => integerToChar(parseBigInt(v), f),
  f8: (v, f) => floatToChar(parseFloat(v, 'float8'), 'float8', f),
  f4: (v, f) => floatToChar(parseFloat(v, 'float4'), 'float4', f),
};

/** Formats ThunderDB does not implement (DESIGN.md, gaps): V, EEEE and RN. */
function isKnownGap(format: string): boolean {
  return /V|EEEE|RN/.test(format);
}

describe('to_char matches PostgreSQL 15', () => {
  const cases = loadFixture<[string, string, [string, string], string][]>('to-char-cases.json');
  it.each(cases)('[%s] %s %j', (zone, op, [value, format], expected) => {
    const session = makeSession(parseTimeZoneSetting(zone));
    const fn = ops[op];
    if (fn === undefined) throw new Error(`no implementation for ${op}`);
    const got = outcome(() => fn(value, format, session));
    if (op !== 'ts' && op !== 'tstz' && op !== 'iv' && isKnownGap(format)) {
      expect(got).toMatch(/^ERR:0A000:/);
      return;
    }
    expect(got).toBe(expected);
  });
});
