// Date and timestamp arithmetic and conversions with PostgreSQL's rules:
// month arithmetic clamps the day of month, timestamptz arithmetic happens in
// the session time zone, timestamp - timestamp is justify_hours()'d.

import { DatetimeFieldOverflowError } from '../errors.js';
import { intervalOutOfRange, justifyHours, makeInterval } from '../interval.js';
import type { Interval } from '../interval.js';
import {
  dateNegativeInfinity, datePositiveInfinity, dateToJulian, daysInMonth, fieldsToTimestamp, floorDivBig,
  isFiniteDate, isFiniteTimestamp, isValidDate, julianToDate, postgresEpochJulianDay, timestampNegativeInfinity,
  timestampPositiveInfinity, timestampToFields, usecsPerDayBig, usecsPerSecBig,
} from './calendar.js';
import type { DateTimeFields } from './calendar.js';
import { localOffsetFor, utcOffsetAt } from './time-zone.js';
import type { TimeZone } from './time-zone.js';

const timestampEndJulian = 109203528; // date2j(294277, 1, 1)
const usecsPerDay = 86_400_000_000;

function timestampOutOfRange(): DatetimeFieldOverflowError {
  return new DatetimeFieldOverflowError('timestamp out of range');
}

function dateOutOfRange(): DatetimeFieldOverflowError {
  return new DatetimeFieldOverflowError('date out of range');
}

/** date + integer (date_pli); infinite dates stay infinite. */
export function dateAddDays(date: number, days: number): number {
  if (!isFiniteDate(date)) return date;
  const result = date + days;
  if (!isValidDate(result)) throw dateOutOfRange();
  return result;
}

/** date - date = integer days. */
export function dateDiff(a: number, b: number): number {
  if (!isFiniteDate(a) || !isFiniteDate(b)) throw new DatetimeFieldOverflowError('cannot subtract infinite dates');
  return a - b;
}

/** date → timestamp (midnight). */
export function dateToTimestamp(date: number): bigint {
  if (date === dateNegativeInfinity) return timestampNegativeInfinity;
  if (date === datePositiveInfinity) return timestampPositiveInfinity;
  if (date >= timestampEndJulian - postgresEpochJulianDay) throw new DatetimeFieldOverflowError('date out of range for timestamp');
  return BigInt(date) * usecsPerDayBig;
}

/** date → timestamptz: local midnight in `zone`. */
export function dateToTimestamptz(date: number, zone: TimeZone): bigint {
  const local = dateToTimestamp(date);
  if (!isFiniteTimestamp(local)) return local;
  return localToUtc(local, zone);
}

/** timestamp (wall clock in `zone`) → timestamptz, by DetermineTimeZoneOffset. */
export function localToUtc(local: bigint, zone: TimeZone): bigint {
  const result = local - BigInt(localOffsetFor(zone, local)) * usecsPerSecBig;
  if (!isFiniteTimestamp(result) || result < -211813488000000000n || result >= 9223371331200000000n) throw timestampOutOfRange();
  return result;
}

/** timestamptz → the wall clock in `zone`. */
export function utcToLocal(utc: bigint, zone: TimeZone): bigint {
  return utc + BigInt(utcOffsetAt(zone, utc)) * usecsPerSecBig;
}

export function timestampToTimestamptz(ts: bigint, zone: TimeZone): bigint {
  return isFiniteTimestamp(ts) ? localToUtc(ts, zone) : ts;
}

export function timestamptzToTimestamp(ts: bigint, zone: TimeZone): bigint {
  return isFiniteTimestamp(ts) ? utcToLocal(ts, zone) : ts;
}

/** timestamp → date (the day it falls on). */
export function timestampToDate(ts: bigint): number {
  if (ts === timestampNegativeInfinity) return dateNegativeInfinity;
  if (ts === timestampPositiveInfinity) return datePositiveInfinity;
  return Number(floorDivBig(ts, usecsPerDayBig));
}

export function timestamptzToDate(ts: bigint, zone: TimeZone): number {
  return timestampToDate(timestamptzToTimestamp(ts, zone));
}

/** timestamp → time of day; NULL for ±infinity, as in PostgreSQL. */
export function timestampToTime(ts: bigint): number | null {
  if (!isFiniteTimestamp(ts)) return null;
  return Number(ts - floorDivBig(ts, usecsPerDayBig) * usecsPerDayBig);
}

export function timestamptzToTime(ts: bigint, zone: TimeZone): number | null {
  return timestampToTime(timestamptzToTimestamp(ts, zone));
}

/** time + interval wraps around midnight (only the interval's time part counts). */
export function timeAddInterval(time: number, span: Interval): number {
  const r = Number((BigInt(time) + span.micros) % usecsPerDayBig);
  return r < 0 ? r + usecsPerDay : r;
}

/** time - time = interval (no justification). */
export function timeDiff(a: number, b: number): Interval {
  return makeInterval(0, 0, BigInt(a - b));
}

/** time → interval and interval → time (the time part modulo a day). */
export function timeToInterval(time: number): Interval {
  return makeInterval(0, 0, BigInt(time));
}

export function intervalToTime(span: Interval): number {
  const r = Number(span.micros % usecsPerDayBig);
  return r < 0 ? r + usecsPerDay : r;
}

/** Adds months to broken-down fields, clamping the day to the month's length. */
function addMonths(f: DateTimeFields, months: number): DateTimeFields {
  let mon = f.month + months;
  let year = f.year;
  if (mon > 12) { year += Math.trunc((mon - 1) / 12); mon = ((mon - 1) % 12) + 1; } else if (mon < 1) { year += Math.trunc(mon / 12) - 1; mon = (mon % 12) + 12; }
  const day = Math.min(f.day, daysInMonth(year, mon));
  return { ...f, year, month: mon, day };
}

function addDays(f: DateTimeFields, days: number): DateTimeFields {
  const d = julianToDate(dateToJulian(f.year, f.month, f.day) + days);
  return { ...f, year: d.year, month: d.month, day: d.day };
}

function checkedTimestamp(f: DateTimeFields, offsetWestSeconds = 0): bigint {
  const r = fieldsToTimestamp(f, offsetWestSeconds);
  if (r === undefined) throw timestampOutOfRange();
  return r;
}

function finishAdd(ts: bigint, micros: bigint): bigint {
  const r = ts + micros;
  if (r < -211813488000000000n || r >= 9223371331200000000n) throw timestampOutOfRange();
  return r;
}

/** timestamp + interval: months (clamped), then days, then the time part. */
export function timestampAddInterval(ts: bigint, span: Interval): bigint {
  if (!isFiniteTimestamp(ts)) return ts;
  let t = ts;
  if (span.months !== 0) t = checkedTimestamp(addMonths(timestampToFields(t), span.months));
  if (span.days !== 0) t = checkedTimestamp(addDays(timestampToFields(t), span.days));
  return finishAdd(t, span.micros);
}

export function timestampSubInterval(ts: bigint, span: Interval): bigint {
  return timestampAddInterval(ts, negate(span));
}

function negate(span: Interval): Interval {
  if (span.months === -2147483648 || span.days === -2147483648 || span.micros === -(2n ** 63n)) throw intervalOutOfRange();
  return { months: -span.months, days: -span.days, micros: -span.micros };
}

/** timestamptz + interval: months and days move the wall clock in `zone`, the time part is absolute. */
export function timestamptzAddInterval(ts: bigint, span: Interval, zone: TimeZone): bigint {
  if (!isFiniteTimestamp(ts)) return ts;
  let t = ts;
  const moveWallClock = (move: (f: DateTimeFields) => DateTimeFields): void => {
    const local = move(timestampToFields(utcToLocal(t, zone)));
    const localTs = checkedTimestamp(local);
    t = checkedTimestamp(local, -localOffsetFor(zone, localTs));
  };
  if (span.months !== 0) moveWallClock((f) => addMonths(f, span.months));
  if (span.days !== 0) moveWallClock((f) => addDays(f, span.days));
  return finishAdd(t, span.micros);
}

export function timestamptzSubInterval(ts: bigint, span: Interval, zone: TimeZone): bigint {
  return timestamptzAddInterval(ts, negate(span), zone);
}

/** date + interval → timestamp. */
export function dateAddInterval(date: number, span: Interval): bigint {
  return timestampAddInterval(dateToTimestamp(date), span);
}

/** timestamp - timestamp (and timestamptz - timestamptz): justify_hours of the difference. */
export function timestampDiff(a: bigint, b: bigint): Interval {
  if (!isFiniteTimestamp(a) || !isFiniteTimestamp(b)) throw new DatetimeFieldOverflowError('cannot subtract infinite timestamps');
  return justifyHours(makeInterval(0, 0, a - b));
}

interface AgeFields { year: number; month: number; day: number; hour: number; minute: number; second: number; micros: number }

/** age(): the symbolic difference in years, months and days, borrowing from the earlier timestamp's month. */
function ageOfFields(f1: DateTimeFields, f2: DateTimeFields, firstIsEarlier: boolean): Interval {
  const sign = firstIsEarlier ? -1 : 1;
  const t: AgeFields = {
    micros: sign * (f1.micros - f2.micros), second: sign * (f1.second - f2.second), minute: sign * (f1.minute - f2.minute),
    hour: sign * (f1.hour - f2.hour), day: sign * (f1.day - f2.day), month: sign * (f1.month - f2.month), year: sign * (f1.year - f2.year),
  };
  while (t.micros < 0) { t.micros += 1_000_000; t.second--; }
  while (t.second < 0) { t.second += 60; t.minute--; }
  while (t.minute < 0) { t.minute += 60; t.hour--; }
  while (t.hour < 0) { t.hour += 24; t.day--; }
  const borrowFrom = firstIsEarlier ? f1 : f2;
  while (t.day < 0) { t.day += daysInMonth(borrowFrom.year, borrowFrom.month); t.month--; }
  while (t.month < 0) { t.month += 12; t.year--; }
  const months = sign * (t.year * 12 + t.month);
  const micros = BigInt(sign) * (((BigInt(t.hour) * 60n + BigInt(t.minute)) * 60n + BigInt(t.second)) * 1_000_000n + BigInt(t.micros));
  return makeInterval(months, sign * t.day, micros);
}

/**
 * timestamp2tm(): PostgreSQL breaks down even the ±infinity sentinels as
 * ordinary int64 values, failing only below Julian day 0; age() inherits that.
 */
function fieldsForAge(ts: bigint): DateTimeFields {
  if (floorDivBig(ts, usecsPerDayBig) + BigInt(postgresEpochJulianDay) < 0n) throw timestampOutOfRange();
  return timestampToFields(ts);
}

export function timestampAge(a: bigint, b: bigint): Interval {
  return ageOfFields(fieldsForAge(a), fieldsForAge(b), a < b);
}

/** age() of timestamptz values: fields are the wall clocks in `zone`. */
export function timestamptzAge(a: bigint, b: bigint, zone: TimeZone): Interval {
  return ageOfFields(fieldsForAge(utcToLocal(a, zone)), fieldsForAge(utcToLocal(b, zone)), a < b);
}
