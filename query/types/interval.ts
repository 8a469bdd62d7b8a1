// interval: { months, days, micros } as PostgreSQL stores it. Text I/O with
// IntervalStyle postgres, typmod field restrictions, arithmetic, justify_*,
// and the total order PostgreSQL uses (a month is 30 days, a day 24 hours).

import { DatetimeFieldOverflowError, DivisionByZeroError } from './errors.js';
import { roundHalfEven } from './float.js';
import { secondsText, withDecodeErrors } from './datetime/datetime-io.js';
import { decodeIntervalText, IntervalOutOfRange } from './datetime/interval-parse.js';
import { intervalRangeMask } from './sql-type.js';
import type { IntervalFields } from './sql-type.js';

export interface Interval {
  /** int32 */
  readonly months: number;
  /** int32 */
  readonly days: number;
  /** int64 microseconds */
  readonly micros: bigint;
}

export const zeroInterval: Interval = { months: 0, days: 0, micros: 0n };

const int32Min = -2147483648;
const int32Max = 2147483647;
const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;
const usecsPerDay = 86_400_000_000n;
const usecsPerHour = 3_600_000_000n;
const usecsPerMinute = 60_000_000n;
const usecsPerSec = 1_000_000n;
const daysPerMonth = 30;

export function intervalOutOfRange(): DatetimeFieldOverflowError {
  return new DatetimeFieldOverflowError('interval out of range');
}

/** Builds an interval, checking PostgreSQL's field widths. */
export function makeInterval(months: number, days: number, micros: bigint): Interval {
  if (!Number.isInteger(months) || months < int32Min || months > int32Max) throw intervalOutOfRange();
  if (!Number.isInteger(days) || days < int32Min || days > int32Max) throw intervalOutOfRange();
  if (micros < int64Min || micros > int64Max) throw intervalOutOfRange();
  return { months: months === 0 ? 0 : months, days: days === 0 ? 0 : days, micros };
}

/** interval_in, with an optional typmod (fields restriction and/or precision). */
export function parseInterval(text: string, fields: IntervalFields | null = null, precision: number | null = null): Interval {
  const range = intervalRangeMask(fields);
  const parsed = withDecodeErrors(text, 'interval', () => {
    try {
      return decodeIntervalText(text, range);
    } catch (error) {
      if (error instanceof IntervalOutOfRange) throw intervalOutOfRange();
      throw error;
    }
  });
  return adjustIntervalForTypmod(makeInterval(parsed.months, parsed.days, parsed.micros), fields, precision);
}

const precisionScales = [1_000_000n, 100_000n, 10_000n, 1000n, 100n, 10n, 1n] as const;

/** AdjustIntervalForTypmod(): drop fields below the restriction, round to precision (half away from zero). */
export function adjustIntervalForTypmod(iv: Interval, fields: IntervalFields | null, precision: number | null): Interval {
  let { months, days, micros } = iv;
  switch (fields) {
    case null: case 'second': case 'day to second': case 'hour to second': case 'minute to second': break;
    case 'year': months = Math.trunc(months / 12) * 12; days = 0; micros = 0n; break;
    case 'month': case 'year to month': days = 0; micros = 0n; break;
    case 'day': micros = 0n; break;
    case 'hour': case 'day to hour': micros = (micros / usecsPerHour) * usecsPerHour; break;
    case 'minute': case 'day to minute': case 'hour to minute': micros = (micros / usecsPerMinute) * usecsPerMinute; break;
  }
  if (precision !== null && precision < 6) {
    const scale = precisionScales[precision] ?? 1n;
    const offset = scale / 2n;
    micros = micros >= 0n ? ((micros + offset) / scale) * scale : -(((-micros + offset) / scale) * scale);
  }
  return months === iv.months && days === iv.days && micros === iv.micros ? iv : { months, days, micros };
}

/** interval_out, IntervalStyle postgres: '1 year 2 mons 3 days 04:05:06.5', '-1 days +02:00:00'. */
export function formatInterval(iv: Interval): string {
  const year = Math.trunc(iv.months / 12);
  const mon = iv.months % 12;
  let time = iv.micros;
  const hour = time / usecsPerHour;
  time -= hour * usecsPerHour;
  const min = Number(time / usecsPerMinute);
  time -= BigInt(min) * usecsPerMinute;
  const sec = Number(time / usecsPerSec);
  const fsec = Number(time - BigInt(sec) * usecsPerSec);
  let out = '';
  let isZero = true;
  let isBefore = false;
  const addPart = (value: number, unit: string): void => {
    if (value === 0) return;
    out += `${isZero ? '' : ' '}${isBefore && value > 0 ? '+' : ''}${value} ${unit}${value !== 1 ? 's' : ''}`;
    isBefore = value < 0;
    isZero = false;
  };
  addPart(year, 'year');
  addPart(mon, 'mon');
  addPart(iv.days, 'day');
  if (isZero || hour !== 0n || min !== 0 || sec !== 0 || fsec !== 0) {
    const minus = hour < 0n || min < 0 || sec < 0 || fsec < 0;
    const absHour = hour < 0n ? -hour : hour;
    out += `${isZero ? '' : ' '}${minus ? '-' : isBefore ? '+' : ''}${String(absHour).padStart(2, '0')}:${String(Math.abs(min)).padStart(2, '0')}:${secondsText(Math.abs(sec), Math.abs(fsec))}`;
  }
  return out;
}

export function intervalAdd(a: Interval, b: Interval): Interval {
  return makeInterval(a.months + b.months, a.days + b.days, a.micros + b.micros);
}

export function intervalSub(a: Interval, b: Interval): Interval {
  return makeInterval(a.months - b.months, a.days - b.days, a.micros - b.micros);
}

export function intervalNeg(a: Interval): Interval {
  return makeInterval(-a.months, -a.days, -a.micros);
}

/** TSROUND(): round to microsecond precision in floating point. */
function tsRound(value: number): number {
  return roundHalfEven(value * 1e6) / 1e6;
}

function toInt32Truncated(value: number): number {
  if (Number.isNaN(value) || value < int32Min || value >= -int32Min) throw intervalOutOfRange();
  return Math.trunc(value);
}

/** interval_mul / interval_div: fractional months spill into days, fractional days into time. */
function scaleInterval(span: Interval, apply: (x: number) => number): Interval {
  const months = toInt32Truncated(apply(span.months));
  let days = toInt32Truncated(apply(span.days));
  const monthRemainderDays = tsRound((apply(span.months) - months) * daysPerMonth);
  let secRemainder = tsRound((apply(span.days) - days + monthRemainderDays - Math.trunc(monthRemainderDays)) * 86400);
  if (Math.abs(secRemainder) >= 86400) {
    const extraDays = Math.trunc(secRemainder / 86400);
    days = toInt32Truncated(days + extraDays);
    secRemainder -= extraDays * 86400;
  }
  days = toInt32Truncated(days + Math.trunc(monthRemainderDays));
  const micros = roundHalfEven(apply(Number(span.micros)) + secRemainder * 1e6);
  if (Number.isNaN(micros) || micros < -9223372036854775808 || micros >= 9223372036854775808) throw intervalOutOfRange();
  return makeInterval(months, days, BigInt(micros));
}

export function intervalMul(span: Interval, factor: number): Interval {
  return scaleInterval(span, (x) => x * factor);
}

export function intervalDiv(span: Interval, divisor: number): Interval {
  if (divisor === 0) throw new DivisionByZeroError();
  return scaleInterval(span, (x) => x / divisor);
}

/** C's TMODULO: quotient and remainder truncated toward zero. */
function truncDivMod(a: bigint, b: bigint): [bigint, bigint] {
  const q = a / b;
  return [q, a - q * b];
}

/** justify_hours: whole 24-hour periods become days, signs made consistent. */
export function justifyHours(span: Interval): Interval {
  const [wholeDays, rest] = truncDivMod(span.micros, usecsPerDay);
  let days = span.days + Number(wholeDays);
  let micros = rest;
  if (days > 0 && micros < 0n) { micros += usecsPerDay; days--; } else if (days < 0 && micros > 0n) { micros -= usecsPerDay; days++; }
  return makeInterval(span.months, days, micros);
}

/** justify_days: whole 30-day periods become months. */
export function justifyDays(span: Interval): Interval {
  const wholeMonths = Math.trunc(span.days / daysPerMonth);
  let days = span.days - wholeMonths * daysPerMonth;
  let months = span.months + wholeMonths;
  if (months > 0 && days < 0) { days += daysPerMonth; months--; } else if (months < 0 && days > 0) { days -= daysPerMonth; months++; }
  return makeInterval(months, days, span.micros);
}

/** justify_interval: both, with one sign throughout. */
export function justifyInterval(span: Interval): Interval {
  let { months, days, micros } = span;
  if ((days > 0 && micros > 0n) || (days < 0 && micros < 0n)) {
    const wholeMonths = Math.trunc(days / daysPerMonth);
    days -= wholeMonths * daysPerMonth;
    months += wholeMonths;
  }
  const [wholeDays, rest] = truncDivMod(micros, usecsPerDay);
  micros = rest;
  days += Number(wholeDays);
  const wholeMonths = Math.trunc(days / daysPerMonth);
  days -= wholeMonths * daysPerMonth;
  months += wholeMonths;
  if (months > 0 && (days < 0 || (days === 0 && micros < 0n))) { days += daysPerMonth; months--; } else if (months < 0 && (days > 0 || (days === 0 && micros > 0n))) { days -= daysPerMonth; months++; }
  if (days > 0 && micros < 0n) { micros += usecsPerDay; days--; } else if (days < 0 && micros > 0n) { micros -= usecsPerDay; days++; }
  return makeInterval(months, days, micros);
}

/** interval_cmp_value(): the 128-bit span used for ordering, equality and hashing. */
export function intervalSpan(iv: Interval): bigint {
  return (BigInt(iv.months) * BigInt(daysPerMonth) + BigInt(iv.days)) * usecsPerDay + iv.micros;
}

export function compareInterval(a: Interval, b: Interval): number {
  const x = intervalSpan(a);
  const y = intervalSpan(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
