// interval_in: DecodeInterval() and DecodeISO8601Interval() from PostgreSQL
// 15 (IntervalStyle postgres), including fractional-unit cascading
// ('1.5 years' = 1 year 6 mons) and the field restrictions of a typmod.

import { roundHalfEven } from '../float.js';
import { decodeTimeCommon, DecodeFailure, fail } from './decode-parts.js';
import { intervalLiteralBufferBytes, lookupDeltaToken, splitDateTimeFields } from './tokens.js';
import type { DateTimeField, IntervalUnit } from './tokens.js';

const int32Min = -2147483648;
const int32Max = 2147483647;
const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;
const usecsPerDay = 86_400_000_000;
const usecsPerHour = 3_600_000_000n;
const usecsPerMinute = 60_000_000n;
const usecsPerSec = 1_000_000n;

/** pg_itm_in: the interval being built, with PostgreSQL's overflow rules. */
class ItmIn {
  usec = 0n;
  mday = 0;
  mon = 0;
  year = 0;

  addUsec(v: bigint): void {
    this.usec += v;
    if (this.usec < int64Min || this.usec > int64Max) fail('field-overflow');
  }
  /** AdjustFractMicroseconds: rounds the fractional microsecond half toward zero. */
  addFractMicros(frac: number, scale: number): void {
    if (frac === 0) return;
    const f = frac * scale;
    let usec = Math.trunc(f);
    const rest = f - usec;
    if (rest > 0.5) usec++; else if (rest < -0.5) usec--;
    this.addUsec(BigInt(usec));
  }
  addFractDays(frac: number, scale: number): void {
    if (frac === 0) return;
    const f = frac * scale;
    const extra = Math.trunc(f);
    this.mday = checkedInt32(this.mday + extra);
    this.addFractMicros(f - extra, usecsPerDay);
  }
  addFractYears(frac: number, scale: number): void {
    this.mon = checkedInt32(this.mon + roundHalfEven(frac * scale * 12));
  }
  addMicroseconds(val: bigint, fval: number, scale: bigint): void {
    this.addUsec(val * scale);
    this.addFractMicros(fval, Number(scale));
  }
  addDays(val: bigint, scale: number): void {
    this.mday = checkedInt32(this.mday + checkedInt32(toInt32(val) * scale));
  }
  addMonths(val: bigint): void {
    this.mon = checkedInt32(this.mon + toInt32(val));
  }
  addYears(val: bigint, scale: number): void {
    this.year = checkedInt32(this.year + checkedInt32(toInt32(val) * scale));
  }
}

function toInt32(v: bigint): number {
  if (v < BigInt(int32Min) || v > BigInt(int32Max)) fail('field-overflow');
  return Number(v);
}

function checkedInt32(v: number): number {
  if (v < int32Min || v > int32Max) fail('field-overflow');
  return v;
}

/** Units that a bare number takes under a field restriction (interval_in's `range`). */
function defaultUnit(range: number): IntervalUnit {
  const YEAR = 1 << 2; const MONTH = 1 << 1; const DAY = 1 << 3; const HOUR = 1 << 10; const MINUTE = 1 << 11;
  switch (range) {
    case YEAR: return 'year';
    case MONTH: case YEAR | MONTH: return 'month';
    case DAY: return 'day';
    case HOUR: case DAY | HOUR: return 'hour';
    case MINUTE: case HOUR | MINUTE: case DAY | HOUR | MINUTE: return 'minute';
    default: return 'second';
  }
}

const minuteToSecondRange = (1 << 11) | (1 << 12);

function timeForInterval(text: string, range: number): bigint {
  const t = decodeTimeCommon(text, range === minuteToSecondRange);
  return BigInt(t.hour) * usecsPerHour + BigInt(t.min) * usecsPerMinute + BigInt(t.sec) * usecsPerSec + BigInt(t.fsec);
}

/** A signed or unsigned number field: integer part, fraction, or SQL 'years-months'. */
function numberParts(field: string): { val: bigint; fval: number; yearMonth: boolean } {
  // strtoi64(): the integer part may be empty ('.5').
  const m = /^([+-]?)(\d*)/.exec(field);
  if (m === null || (m[2] === '' && field.charAt(m[0].length) !== '.')) fail();
  let val = BigInt(`${m[1]}${m[2] || '0'}`);
  if (val < int64Min || val > int64Max) fail('field-overflow');
  const rest = field.slice(m[0].length);
  if (rest.startsWith('-')) {
    // strtoint() after the '-': it takes a sign of its own; no digits reads as 0 and consumes nothing.
    const ym = /^-([+-]?)(\d*)(.*)$/.exec(rest) ?? fail();
    const digits = ym[2] ?? '';
    let months = digits === '' ? 0 : Number(`${ym[1] ?? ''}${digits}`);
    if (digits !== '' && (months < 0 || months >= 12)) fail('field-overflow');
    if ((digits === '' ? `${ym[1] ?? ''}${ym[3] ?? ''}` : ym[3] ?? '') !== '') fail();
    if (field.startsWith('-')) months = -months;
    val = val * 12n + BigInt(months);
    if (val < int64Min || val > int64Max) fail('field-overflow');
    return { val, fval: 0, yearMonth: true };
  }
  if (rest.startsWith('.')) {
    if (!/^\.\d*$/.test(rest)) fail();
    const frac = rest === '.' ? 0 : Number(rest);
    return { val, fval: field.startsWith('-') ? -frac : frac, yearMonth: false };
  }
  if (rest.length > 0) fail();
  return { val, fval: 0, yearMonth: false };
}

function applyUnit(itm: ItmIn, unit: IntervalUnit, val: bigint, fval: number): void {
  switch (unit) {
    case 'microsecond': itm.addMicroseconds(val, fval, 1n); break;
    case 'millisecond': itm.addMicroseconds(val, fval, 1000n); break;
    case 'second': itm.addMicroseconds(val, fval, usecsPerSec); break;
    case 'minute': itm.addMicroseconds(val, fval, usecsPerMinute); break;
    case 'hour': itm.addMicroseconds(val, fval, usecsPerHour); break;
    case 'day': itm.addDays(val, 1); itm.addFractMicros(fval, usecsPerDay); break;
    case 'week': itm.addDays(val, 7); itm.addFractDays(fval, 7); break;
    case 'month': itm.addMonths(val); itm.addFractDays(fval, 30); break;
    case 'year': itm.addYears(val, 1); itm.addFractYears(fval, 1); break;
    case 'decade': itm.addYears(val, 10); itm.addFractYears(fval, 10); break;
    case 'century': itm.addYears(val, 100); itm.addFractYears(fval, 100); break;
    case 'millennium': itm.addYears(val, 1000); itm.addFractYears(fval, 1000); break;
    default: fail();
  }
}

/** The DTK_M bit recorded for a unit, so repeating a unit is an error. */
const unitMaskBits: Partial<Record<IntervalUnit, number>> = {
  microsecond: 1 << 14, millisecond: 1 << 13, minute: 1 << 11, hour: 1 << 10, day: 1 << 3,
  week: 1 << 24, month: 1 << 1, year: 1 << 2, decade: 1 << 25, century: 1 << 26, millennium: 1 << 27,
};

/** DecodeInterval(): reads the fields right to left so units precede their values. */
function decodeInterval(fields: readonly DateTimeField[], range: number): ItmIn {
  const itm = new ItmIn();
  let fmask = 0;
  // null: no unit seen yet (a bare number takes the typmod's default); 'none': after 'ago', which
  // leaves PostgreSQL's unit variable at a value no number may use.
  let type: IntervalUnit | 'none' | null = null;
  let isBefore = false;
  for (let i = fields.length - 1; i >= 0; i--) {
    const { text, type: ftype } = fields[i] ?? fail();
    let tmask = 0;
    if (ftype === 'time' || (ftype === 'tz' && text.slice(1).includes(':') && tryTime(text.slice(1), range) !== undefined)) {
      let usec = ftype === 'time' ? timeForInterval(text, range) : tryTime(text.slice(1), range) ?? 0n;
      if (ftype === 'tz' && text.startsWith('-')) usec = -usec;
      itm.addUsec(usec);
      tmask = (1 << 10) | (1 << 11) | (1 << 12) | (1 << 13) | (1 << 14);
      type = 'day';
    } else if (ftype === 'tz' || ftype === 'date' || ftype === 'number') {
      // The unit persists leftwards: in '1 2 hours' the 1 is days (an hour count moves the default to days).
      if (type === null) type = defaultUnit(range);
      const parts = numberParts(text);
      if (parts.yearMonth) type = 'month';
      if (type === 'none') fail();
      const unit: IntervalUnit = type;
      applyUnit(itm, unit, parts.val, parts.fval);
      const secondBits = parts.fval === 0 ? 1 << 12 : (1 << 12) | (1 << 13) | (1 << 14);
      tmask = unit === 'second' ? secondBits : unitMaskBits[unit] ?? 0;
      if (unit === 'hour') type = 'day';
    } else {
      const token = lookupDeltaToken(text);
      if (token === undefined) fail();
      if (token.kind === 'ignore') continue;
      if (token.kind === 'ago') { isBefore = true; type = 'none'; continue; }
      type = token.value;
    }
    if (tmask & fmask) fail();
    fmask |= tmask;
  }
  if (fmask === 0) fail();
  if (isBefore) {
    itm.usec = -itm.usec; itm.mday = -itm.mday; itm.mon = -itm.mon; itm.year = -itm.year;
    if (itm.usec > int64Max || itm.mday > int32Max || itm.mon > int32Max || itm.year > int32Max) fail('field-overflow');
  }
  return itm;
}

function tryTime(text: string, range: number): bigint | undefined {
  try {
    return timeForInterval(text, range);
  } catch (error) {
    if (error instanceof DecodeFailure) return undefined;
    throw error;
  }
}

/** ParseISO8601Number(): a strtod() number split into integer and fraction parts. */
function iso8601Number(s: string, start: number): { val: bigint; fval: number; end: number } {
  const c = s.charAt(start);
  if (!(/[0-9]/.test(c) || c === '-' || c === '.')) fail();
  const m = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(s.slice(start));
  if (m === null) fail();
  const value = Number(m[0]);
  if (Number.isNaN(value) || value < -1e15 || value > 1e15) fail('field-overflow');
  const ipart = value >= 0 ? Math.floor(value) : -Math.floor(-value);
  return { val: BigInt(ipart), fval: value - ipart, end: start + m[0].length };
}

function integerWidth(s: string, start: number): number {
  let i = s.charAt(start) === '-' ? start + 1 : start;
  const from = i;
  while (/[0-9]/.test(s.charAt(i))) i++;
  return i - from;
}

/** Position and mode while reading an ISO 8601 interval. */
interface IsoCursor { i: number; datePart: boolean; haveField: boolean }

/** DecodeISO8601Interval(): 'P1Y2M3DT4H5M6S' and the alternative 'P0001-02-03T04:05:06'. */
function decodeIso8601Interval(str: string): ItmIn {
  const itm = new ItmIn();
  if (str.length < 2 || str[0] !== 'P') fail();
  const c: IsoCursor = { i: 1, datePart: true, haveField: false };
  while (c.i < str.length) {
    if (str[c.i] === 'T') { c.datePart = false; c.haveField = false; c.i++; continue; }
    const fieldStart = c.i;
    const n = iso8601Number(str, c.i);
    const unit = str.charAt(n.end);
    c.i = n.end + 1;
    const done = c.datePart ? isoDateUnit(itm, str, unit, fieldStart, n, c) : isoTimeUnit(itm, str, unit, fieldStart, n, c);
    if (done) return itm;
  }
  return itm;
}

type IsoNumber = { val: bigint; fval: number; end: number };

/** One date-part field; true when the input is complete. Switching to the time part clears haveField. */
function isoDateUnit(itm: ItmIn, str: string, unit: string, fieldStart: number, n: IsoNumber, c: IsoCursor): boolean {
  switch (unit) {
    case 'Y': itm.addYears(n.val, 1); itm.addFractYears(n.fval, 1); break;
    case 'M': itm.addMonths(n.val); itm.addFractDays(n.fval, 30); break;
    case 'W': itm.addDays(n.val, 7); itm.addFractDays(n.fval, 7); break;
    case 'D': itm.addDays(n.val, 1); itm.addFractMicros(n.fval, usecsPerDay); break;
    case 'T': case '':
      if (integerWidth(str, fieldStart) === 8 && !c.haveField) {
        itm.addYears(n.val / 10000n, 1);
        itm.addMonths((n.val / 100n) % 100n);
        itm.addDays(n.val % 100n, 1);
        itm.addFractMicros(n.fval, usecsPerDay);
        if (unit === '') return true;
        c.datePart = false; c.haveField = false;
        return false;
      }
      return isoAlternativeDate(itm, str, unit, n, c);
    case '-': return isoAlternativeDate(itm, str, unit, n, c);
    default: return fail();
  }
  c.haveField = true;
  return false;
}

function isoAlternativeDate(itm: ItmIn, str: string, unit: string, first: IsoNumber, c: IsoCursor): boolean {
  if (c.haveField) fail();
  itm.addYears(first.val, 1); itm.addFractYears(first.fval, 1);
  if (unit === '') return true;
  const toTime = (at: number): boolean => { c.i = at; c.datePart = false; c.haveField = false; return false; };
  if (unit === 'T') return toTime(c.i);
  let n = iso8601Number(str, c.i);
  itm.addMonths(n.val); itm.addFractDays(n.fval, 30);
  if (n.end === str.length) return true;
  if (str[n.end] === 'T') return toTime(n.end + 1);
  if (str[n.end] !== '-') fail();
  n = iso8601Number(str, n.end + 1);
  itm.addDays(n.val, 1); itm.addFractMicros(n.fval, usecsPerDay);
  if (n.end === str.length) return true;
  if (str[n.end] === 'T') return toTime(n.end + 1);
  return fail();
}

function isoTimeUnit(itm: ItmIn, str: string, unit: string, fieldStart: number, n: IsoNumber, c: IsoCursor): boolean {
  switch (unit) {
    case 'H': itm.addMicroseconds(n.val, n.fval, usecsPerHour); break;
    case 'M': itm.addMicroseconds(n.val, n.fval, usecsPerMinute); break;
    case 'S': itm.addMicroseconds(n.val, n.fval, usecsPerSec); break;
    case '':
      if (integerWidth(str, fieldStart) === 6 && !c.haveField) {
        itm.addMicroseconds(n.val / 10000n, 0, usecsPerHour);
        itm.addMicroseconds((n.val / 100n) % 100n, 0, usecsPerMinute);
        itm.addMicroseconds(n.val % 100n, 0, usecsPerSec);
        itm.addFractMicros(n.fval, 1);
        return true;
      }
      return isoAlternativeTime(itm, str, unit, n, c);
    case ':': return isoAlternativeTime(itm, str, unit, n, c);
    default: return fail();
  }
  c.haveField = true;
  return false;
}

function isoAlternativeTime(itm: ItmIn, str: string, unit: string, first: IsoNumber, c: IsoCursor): boolean {
  if (c.haveField) fail();
  itm.addMicroseconds(first.val, first.fval, usecsPerHour);
  if (unit === '') return true;
  let n = iso8601Number(str, c.i);
  itm.addMicroseconds(n.val, n.fval, usecsPerMinute);
  if (n.end === str.length) return true;
  if (str[n.end] !== ':') fail();
  n = iso8601Number(str, n.end + 1);
  itm.addMicroseconds(n.val, n.fval, usecsPerSec);
  if (n.end === str.length) return true;
  return fail();
}

export interface ParsedInterval { months: number; days: number; micros: bigint }

/** interval_in's decoding step: fields first, then ISO 8601 if those look malformed. */
export function decodeIntervalText(text: string, range: number): ParsedInterval {
  let itm: ItmIn;
  try {
    const fields = splitDateTimeFields(text, intervalLiteralBufferBytes);
    if (fields === undefined) fail();
    itm = decodeInterval(fields, range);
  } catch (error) {
    if (!(error instanceof DecodeFailure) || error.code !== 'bad-format') throw overflowAsInterval(error);
    try {
      itm = decodeIso8601Interval(text);
    } catch (isoError) {
      throw overflowAsInterval(isoError);
    }
  }
  const months = itm.year * 12 + itm.mon;
  if (months < int32Min || months > int32Max) throw new IntervalOutOfRange();
  return { months, days: itm.mday, micros: itm.usec };
}

/** interval_in reports field overflow as interval field overflow (22015). */
function overflowAsInterval(error: unknown): unknown {
  if (error instanceof DecodeFailure && error.code === 'field-overflow') return new DecodeFailure('interval-overflow');
  return error;
}

/** itmin2interval() overflow: 'interval out of range' (22008). */
export class IntervalOutOfRange extends Error {}

