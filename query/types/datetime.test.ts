import { describe, expect, it } from 'vitest';
import {
  dateAddDays, dateAddInterval, dateDiff, timeAddInterval, timeDiff, timestampAddInterval, timestampAge, timestampDiff,
  timestampSubInterval, timestamptzAddInterval, timestamptzAge, timestamptzSubInterval,
} from './datetime/datetime-math.js';
import { datePart, extractField, truncateInterval, truncateTimestamp } from './datetime/extract.js';
import { formatTimestamp, formatTimestamptz, parseDate, parseTime, parseTimestamp, parseTimestamptz } from './datetime/datetime-io.js';
import { parseTimeZoneSetting } from './datetime/time-zone.js';
import { formatFloat } from './float.js';
import {
  compareInterval, formatInterval, intervalAdd, intervalDiv, intervalMul, intervalNeg, intervalSub, justifyDays,
  justifyHours, justifyInterval, parseInterval,
} from './interval.js';
import type { Interval } from './interval.js';
import { formatNumeric } from './numeric/decimal.js';
import type { Decimal } from './numeric/decimal.js';
import { parseFloat } from './float.js';
import { parseSmallInt } from './integer.js';
import { makeSession } from './session.js';
import type { TypeSession } from './session.js';
import { loadFixture, outcome } from './testdata/fixture.js';

type Op = (args: string[], s: TypeSession) => string;

const ts = (t: string, s: TypeSession): bigint => parseTimestamp(t, s);
const tz = (t: string, s: TypeSession): bigint => parseTimestamptz(t, s);
const iv = (t: string): Interval => parseInterval(t);
const tsOut = formatTimestamp;
const ivOut = formatInterval;
const num = (d: Decimal | null): string => (d === null ? '' : formatNumeric(d));
const dbl = (x: number | null): string => (x === null ? '' : formatFloat(x, 'float8'));

const ops: Record<string, Op> = {
  'ts+iv': ([a = '', b = ''], s) => tsOut(timestampAddInterval(ts(a, s), iv(b))),
  'ts-iv': ([a = '', b = ''], s) => tsOut(timestampSubInterval(ts(a, s), iv(b))),
  'tstz+iv': ([a = '', b = ''], s) => formatTimestamptz(timestamptzAddInterval(tz(a, s), iv(b), s.timeZone), s.timeZone),
  'tstz-iv': ([a = '', b = ''], s) => formatTimestamptz(timestamptzSubInterval(tz(a, s), iv(b), s.timeZone), s.timeZone),
  'date+iv': ([a = '', b = ''], s) => tsOut(dateAddInterval(parseDate(a, s), iv(b))),
  'date+int': ([a = '', b = ''], s) => {
    const { formatDate } = dateIo;
    return formatDate(dateAddDays(parseDate(a, s), parseSmallInt(b, 'int4')));
  },
  'date-date': ([a = '', b = ''], s) => String(dateDiff(parseDate(a, s), parseDate(b, s))),
  'ts-ts': ([a = '', b = ''], s) => ivOut(timestampDiff(ts(a, s), ts(b, s))),
  'tstz-tstz': ([a = '', b = ''], s) => ivOut(timestampDiff(tz(a, s), tz(b, s))),
  age: ([a = '', b = ''], s) => ivOut(timestampAge(ts(a, s), ts(b, s))),
  agetz: ([a = '', b = ''], s) => ivOut(timestamptzAge(tz(a, s), tz(b, s), s.timeZone)),
  'time+iv': ([a = '', b = ''], s) => dateIo.formatTime(timeAddInterval(parseTime(a, s), iv(b))),
  'time-time': ([a = '', b = ''], s) => ivOut(timeDiff(parseTime(a, s), parseTime(b, s))),
  'iv+iv': ([a = '', b = '']) => ivOut(intervalAdd(iv(a), iv(b))),
  'iv-iv': ([a = '', b = '']) => ivOut(intervalSub(iv(a), iv(b))),
  neg: ([a = '']) => ivOut(intervalNeg(iv(a))),
  'iv*f': ([a = '', b = '']) => ivOut(intervalMul(iv(a), parseFloat(b, 'float8'))),
  'iv/f': ([a = '', b = '']) => ivOut(intervalDiv(iv(a), parseFloat(b, 'float8'))),
  jh: ([a = '']) => ivOut(justifyHours(iv(a))),
  jd: ([a = '']) => ivOut(justifyDays(iv(a))),
  ji: ([a = '']) => ivOut(justifyInterval(iv(a))),
  ivcmp: ([a = '', b = '']) => String(compareInterval(iv(a), iv(b))),
  x_ts: ([f = '', a = ''], s) => num(extractField(f, ts(a, s), 'timestamp', s.timeZone)),
  x_tstz: ([f = '', a = ''], s) => num(extractField(f, tz(a, s), 'timestamptz', s.timeZone)),
  x_date: ([f = '', a = ''], s) => num(extractField(f, parseDate(a, s), 'date', s.timeZone)),
  x_time: ([f = '', a = ''], s) => num(extractField(f, parseTime(a, s), 'time', s.timeZone)),
  x_iv: ([f = '', a = ''], s) => num(extractField(f, iv(a), 'interval', s.timeZone)),
  dp_ts: ([f = '', a = ''], s) => dbl(datePart(f, ts(a, s), 'timestamp', s.timeZone)),
  dp_date: ([f = '', a = ''], s) => dbl(datePart(f, parseDate(a, s), 'date', s.timeZone)),
  tr_ts: ([f = '', a = ''], s) => tsOut(truncateTimestamp(f, ts(a, s), 'timestamp', s.timeZone)),
  tr_tstz: ([f = '', a = ''], s) => formatTimestamptz(truncateTimestamp(f, tz(a, s), 'timestamptz', s.timeZone), s.timeZone),
  tr_iv: ([f = '', a = '']) => ivOut(truncateInterval(f, iv(a))),
};

import * as dateIo from './datetime/datetime-io.js';

describe('date/time arithmetic, extract and date_trunc match PostgreSQL 15', () => {
  const cases = loadFixture<[string, string, string[], string][]>('datetime-ops.json');
  it.each(cases)('[%s] %s %j', (zone, op, args, expected) => {
    const session = makeSession(parseTimeZoneSetting(zone));
    const fn = ops[op];
    if (fn === undefined) throw new Error(`no implementation for ${op}`);
    expect(outcome(() => fn(args, session))).toBe(expected);
  });
});

describe('date input fast path (YYYY-MM-DD)', () => {
  const session = makeSession(parseTimeZoneSetting('UTC'));
  it('gives the general parser\'s days for every day of 1890-2110 and its errors for impossible days', () => {
    for (let days = -40_000; days <= 40_000; days++) {
      const text = dateIo.formatDate(days);
      // A leading blank is the general parser's to read: the same date.
      expect([parseDate(text, session), parseDate(` ${text}`, session)]).toEqual([days, days]);
    }
    for (const bad of ['2023-02-29', '2024-04-31', '2024-13-01', '2024-00-10', '0000-01-01']) {
      // The same error; the message quotes the input, blank included.
      expect(outcome(() => String(parseDate(bad, session)))).toBe(outcome(() => String(parseDate(` ${bad}`, session))).replace(`" ${bad}"`, `"${bad}"`));
    }
    expect(parseDate('2024-02-29', session)).toBe(parseDate('Feb 29 2024', session));
  });
});
