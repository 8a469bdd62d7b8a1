// The field decoders shared by DecodeDateTime and DecodeTimeOnly (datetime.c):
// numbers, delimited dates and times, numeric zone offsets, date validation.
// Errors are thrown as DecodeFailure and turned into SQL errors by the caller.

import { roundHalfEven } from '../float.js';
import { cdiv, daysInMonth, dateToJulian, julianToDate, usecsPerDay, usecsPerSec } from './calendar.js';
import { dateFieldsMax, lookupDateToken } from './tokens.js';

export type DecodeErrorCode = 'bad-format' | 'field-overflow' | 'md-field-overflow' | 'tz-overflow' | 'interval-overflow';

export class DecodeFailure extends Error {
  constructor(readonly code: DecodeErrorCode) {
    super(code);
  }
}

export function fail(code: DecodeErrorCode = 'bad-format'): never {
  throw new DecodeFailure(code);
}

/** Field-kind bits of datetime.h (DTK_M(...)). */
export const F = {
  reserved: 0, month: 1, year: 2, day: 3, julian: 4, tz: 5, dtz: 6, dyntz: 7, ignore: 8, ampm: 9, hour: 10,
  minute: 11, second: 12, millisecond: 13, microsecond: 14, doy: 15, dow: 16, units: 17, adbc: 18, ago: 19,
  isotime: 23, week: 24, decade: 25, century: 26, millennium: 27, dtzmod: 28,
} as const;
export function bit(kind: number): number { return 1 << kind; }
export const allSecsMask = bit(F.second) | bit(F.millisecond) | bit(F.microsecond);
export const dateMask = bit(F.year) | bit(F.month) | bit(F.day);
export const timeMask = bit(F.hour) | bit(F.minute) | allSecsMask;

/** pg_tm under construction. */
export interface Tm {
  year: number; mon: number; mday: number; hour: number; min: number; sec: number;
  /** Microseconds. */
  fsec: number;
  yday: number; wday: number; isdst: number;
}

export function emptyTm(): Tm {
  return { year: 0, mon: 0, mday: 0, hour: 0, min: 0, sec: 0, fsec: 0, yday: 0, wday: 0, isdst: -1 };
}

const int32Max = 2147483647;

/** strtol into an int: [value, end], 'field-overflow' past int32 (ERANGE). */
export function strtoint(s: string, start: number, overflow: DecodeErrorCode = 'field-overflow'): [number, number] {
  const m = /^[\t\n\v\f\r ]*([+-]?)(\d+)/.exec(s.slice(start));
  if (m === null) return [0, start];
  const value = Number(m[2]);
  if (value > int32Max + (m[1] === '-' ? 1 : 0)) fail(overflow);
  return [m[1] === '-' ? -value : value, start + m[0].length];
}

/** ParseFraction(): '.ddd' to a double; anything else after the point is bad format. */
export function parseFraction(s: string): number {
  if (s === '.') return 0;
  if (!/^\.\d+$/.test(s)) fail();
  return Number(s);
}

/** ParseFractionalSecond(): '.ddd' to microseconds, rint()-rounded. */
export function parseFractionalSecond(s: string): number {
  return roundHalfEven(parseFraction(s) * usecsPerSec);
}

/** time_overflows(): 24:00:00 is allowed, and second 60 (leap seconds). */
export function timeOverflows(hour: number, min: number, sec: number, fsec: number): boolean {
  if (hour < 0 || hour > 24 || min < 0 || min >= 60 || sec < 0 || sec > 60 || fsec < 0 || fsec > usecsPerSec) return true;
  return ((hour * 60 + min) * 60 + sec) * usecsPerSec + fsec > usecsPerDay;
}

/** C's atoi() on a 64-bit platform: the long result truncated to int. */
function atoi(digits: string): number {
  const n = Number(digits);
  return Number.isSafeInteger(n) ? Number(BigInt.asIntN(32, BigInt(n))) : Number(BigInt.asIntN(32, BigInt.asIntN(64, BigInt(digits))));
}

export interface DecodeContext {
  fmask: number;
  is2digits: boolean;
}

/** DecodeNumberField(): run-together yyyymmdd, hhmmss or hhmm; returns 'date' or 'time'. */
export function decodeNumberField(str: string, fmask: number, tm: Tm, ctx: DecodeContext): { tmask: number; kind: 'date' | 'time' } {
  let s = str;
  const dot = s.indexOf('.');
  if (dot >= 0) {
    const frac = s.slice(dot);
    if (frac !== '.') {
      if (!/^\.\d*$/.test(frac)) fail();
      tm.fsec = roundHalfEven(Number(frac) * usecsPerSec);
    } else {
      tm.fsec = 0;
    }
    s = s.slice(0, dot);
  } else if ((fmask & dateMask) !== dateMask && s.length >= 6) {
    tm.mday = atoi(s.slice(-2));
    tm.mon = atoi(s.slice(-4, -2));
    tm.year = atoi(s.slice(0, -4));
    if (s.length - 4 === 2) ctx.is2digits = true;
    return { tmask: dateMask, kind: 'date' };
  }
  if ((fmask & timeMask) !== timeMask) {
    if (s.length === 6) {
      tm.sec = Number(s.slice(4));
      tm.min = Number(s.slice(2, 4));
      tm.hour = Number(s.slice(0, 2));
      return { tmask: timeMask, kind: 'time' };
    }
    if (s.length === 4) {
      tm.sec = 0;
      tm.min = Number(s.slice(2));
      tm.hour = Number(s.slice(0, 2));
      return { tmask: timeMask, kind: 'time' };
    }
  }
  return fail();
}

/** DecodeNumber(): one numeric field, interpreted by what has been seen (DateStyle MDY). */
export function decodeNumber(str: string, haveTextMonth: boolean, fmask: number, tm: Tm, ctx: DecodeContext): number {
  const flen = str.length;
  const [val, end] = strtoint(str, 0);
  if (end === 0) fail();
  if (str[end] === '.') {
    if (end > 2) return decodeNumberField(str, fmask | dateMask, tm, ctx).tmask;
    tm.fsec = parseFractionalSecond(str.slice(end));
  } else if (end !== str.length) {
    fail();
  }
  if (flen === 3 && (fmask & dateMask) === bit(F.year) && val >= 1 && val <= 366) {
    tm.yday = val;
    return bit(F.doy) | bit(F.month) | bit(F.day);
  }
  let tmask: number;
  switch (fmask & dateMask) {
    case 0:
      if (flen >= 3) { tmask = bit(F.year); tm.year = val; } else { tmask = bit(F.month); tm.mon = val; }
      break;
    case bit(F.year): tmask = bit(F.month); tm.mon = val; break;
    case bit(F.month):
      if (haveTextMonth && flen >= 3) { tmask = bit(F.year); tm.year = val; } else { tmask = bit(F.day); tm.mday = val; }
      break;
    case bit(F.year) | bit(F.month):
      if (haveTextMonth && flen >= 3 && ctx.is2digits) {
        tmask = bit(F.day); tm.mday = tm.year; tm.year = val; ctx.is2digits = false;
      } else {
        tmask = bit(F.day); tm.mday = val;
      }
      break;
    case bit(F.day): tmask = bit(F.month); tm.mon = val; break;
    case bit(F.month) | bit(F.day): tmask = bit(F.year); tm.year = val; break;
    case dateMask: return decodeNumberField(str, fmask, tm, ctx).tmask;
    default: return fail();
  }
  if (tmask === bit(F.year)) ctx.is2digits = flen <= 2;
  return tmask;
}

/**
 * DecodeDate()'s field split: skip separators, take a run of digits or of
 * letters, then consume one more character whatever it is (PostgreSQL
 * overwrites it with the field's terminator, so 'jan01' reads as 'jan', '1').
 */
function splitDateParts(str: string): string[] {
  const parts: string[] = [];
  const isAlnum = (c: string): boolean => /[0-9a-z]/i.test(c);
  let i = 0;
  while (i < str.length && parts.length < dateFieldsMax) {
    while (i < str.length && !isAlnum(str.charAt(i))) i++;
    if (i >= str.length) fail();
    const start = i;
    const run = /[0-9]/.test(str.charAt(i)) ? /[0-9]/ : /[a-z]/i;
    while (i < str.length && run.test(str.charAt(i))) i++;
    parts.push(str.slice(start, i));
    if (i < str.length) i++;
  }
  return parts;
}

/** DecodeDate(): a delimited date such as 2024-01-02, 1/2/2024 or 02-jan-2024. */
export function decodeDate(str: string, fmaskIn: number, tm: Tm, ctx: DecodeContext): number {
  let fmask = fmaskIn;
  const parts = splitDateParts(str);
  let tmask = 0;
  let haveTextMonth = false;
  const numeric: string[] = [];
  for (const part of parts) {
    if (!/^[a-z]/i.test(part)) { numeric.push(part); continue; }
    const token = lookupDateToken(part.toLowerCase());
    // An ignored word stays in the list and fails as a number below, as in PostgreSQL.
    if (token?.kind === 'ignore') { numeric.push(part); continue; }
    if (token?.kind !== 'month') fail();
    const dmask = bit(F.month);
    tm.mon = token.value;
    haveTextMonth = true;
    if (fmask & dmask) fail();
    fmask |= dmask;
    tmask |= dmask;
  }
  for (const part of numeric) {
    const dmask = decodeNumber(part, haveTextMonth, fmask, tm, ctx);
    if (fmask & dmask) fail();
    fmask |= dmask;
    tmask |= dmask;
  }
  if ((fmask & ~(bit(F.doy) | bit(F.tz))) !== dateMask) fail();
  return tmask;
}

/** ValidateDate(): BC years, two-digit years, day of year, and month/day ranges. */
export function validateDate(fmask: number, isJulian: boolean, is2digits: boolean, bc: boolean, tm: Tm): void {
  if (fmask & bit(F.year)) {
    if (isJulian) {
      // year is already correct
    } else if (bc) {
      if (tm.year <= 0) fail('field-overflow');
      tm.year = -(tm.year - 1);
    } else if (is2digits) {
      if (tm.year < 0) fail('field-overflow');
      if (tm.year < 70) tm.year += 2000; else if (tm.year < 100) tm.year += 1900;
    } else if (tm.year <= 0) {
      fail('field-overflow');
    }
  }
  if (fmask & bit(F.doy)) {
    const d = julianToDate(dateToJulian(tm.year, 1, 1) + tm.yday - 1);
    tm.year = d.year; tm.mon = d.month; tm.mday = d.day;
  }
  if ((fmask & bit(F.month)) && (tm.mon < 1 || tm.mon > 12)) fail('md-field-overflow');
  if ((fmask & bit(F.day)) && (tm.mday < 1 || tm.mday > 31)) fail('md-field-overflow');
  if ((fmask & dateMask) === dateMask && tm.mday > daysInMonth(tm.year, tm.mon)) fail('field-overflow');
}

/** DecodeTimeCommon(): hh:mm, hh:mm:ss, hh:mm:ss.fff, and mm:ss.fff. Hours may exceed 24 (intervals). */
export function decodeTimeCommon(str: string, minuteToSecond: boolean): { hour: number; min: number; sec: number; fsec: number } {
  const hm = /^(\d+)/.exec(str);
  if (hm === null) fail();
  let hour = Number(hm[1]);
  if (!Number.isSafeInteger(hour)) fail('field-overflow');
  let cp = hm[0].length;
  if (str[cp] !== ':') fail();
  let min: number;
  [min, cp] = strtoint(str, cp + 1);
  let sec = 0;
  let fsec = 0;
  if (cp === str.length) {
    if (minuteToSecond) { sec = min; min = hour; hour = 0; }
  } else if (str[cp] === '.') {
    fsec = parseFractionalSecond(str.slice(cp));
    sec = min; min = hour; hour = 0;
  } else if (str[cp] === ':') {
    [sec, cp] = strtoint(str, cp + 1);
    if (str[cp] === '.') fsec = parseFractionalSecond(str.slice(cp));
    else if (cp !== str.length) fail();
  } else {
    fail();
  }
  if (hour < 0 || min < 0 || min > 59 || sec < 0 || sec > 60 || fsec < 0 || fsec > usecsPerSec) fail('field-overflow');
  return { hour, min, sec, fsec };
}

/** DecodeTime() for timestamps: fills tm; hours must fit an int. */
export function decodeTime(str: string, tm: Tm): number {
  const t = decodeTimeCommon(str, false);
  if (t.hour > 2147483647) fail('field-overflow');
  tm.hour = t.hour; tm.min = t.min; tm.sec = t.sec; tm.fsec = t.fsec;
  return timeMask;
}

/** DecodeTimezone(): +hh, +hhmm, +hh:mm, +hh:mm:ss; returns seconds WEST of UTC (PostgreSQL's sign). */
export function decodeTimezone(str: string): number {
  if (str[0] !== '+' && str[0] !== '-') fail();
  let [hr, cp] = strtoint(str, 1, 'tz-overflow');
  let min = 0;
  let sec = 0;
  if (str[cp] === ':') {
    [min, cp] = strtoint(str, cp + 1, 'tz-overflow');
    if (str[cp] === ':') [sec, cp] = strtoint(str, cp + 1, 'tz-overflow');
  } else if (cp === str.length && str.length > 3) {
    min = hr % 100;
    hr = cdiv(hr, 100);
  }
  if (hr < 0 || hr > 15 || min < 0 || min >= 60 || sec < 0 || sec >= 60) fail('tz-overflow');
  let tz = (hr * 60 + min) * 60 + sec;
  if (str[0] === '-') tz = -tz;
  if (cp !== str.length) fail();
  return -tz;
}
