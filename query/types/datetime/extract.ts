// extract() (numeric, PostgreSQL 14+), date_part() (double precision) and
// date_trunc() for date, time, timestamp, timestamptz and interval.

import { DatetimeFieldOverflowError, FeatureNotSupportedError, InvalidParameterValueError } from '../errors.js';
import type { Interval } from '../interval.js';
import { makeInterval } from '../interval.js';
import { Decimal, formatNumeric } from '../numeric/decimal.js';
import { numericAdd, numericDiv } from '../numeric/numeric-math.js';
import { dateToTimestamp } from './datetime-math.js';
import {
  cdiv, dateToJulian, fieldsToTimestamp, isFiniteDate, isFiniteTimestamp, julianToDate, julianToWeekday,
  postgresEpochJulianDay, timestampNegativeInfinity, timestampToFields, unixEpochJulianDay, usecsPerDayBig,
} from './calendar.js';
import type { DateTimeFields } from './calendar.js';
import { localOffsetFor, utcOffsetAt } from './time-zone.js';
import type { TimeZone } from './time-zone.js';
import { lookupDateToken, lookupDeltaToken } from './tokens.js';

export type DatetimeField =
  | 'microsecond' | 'millisecond' | 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month' | 'quarter' | 'year'
  | 'decade' | 'century' | 'millennium' | 'julian' | 'isoyear' | 'dow' | 'isodow' | 'doy' | 'epoch'
  | 'timezone' | 'timezone_hour' | 'timezone_minute';

export type TemporalKind = 'date' | 'time' | 'timestamp' | 'timestamptz' | 'interval';

const sqlTypeNames: Record<TemporalKind, string> = {
  date: 'date', time: 'time without time zone', timestamp: 'timestamp without time zone',
  timestamptz: 'timestamp with time zone', interval: 'interval',
};

/** A resolved unit and the user's (lowercased) spelling, which error messages quote. */
interface Unit { readonly field: DatetimeField; readonly name: string }

/**
 * DecodeUnits() then, for extract, DecodeSpecial() on a lowercased unit name
 * ('Hours', 'epoch', 'dow'). date_trunc consults only the units table.
 */
export function resolveDatetimeField(unit: string, kind: TemporalKind, unitsOnly = false): Unit {
  const name = unit.toLowerCase();
  const delta = lookupDeltaToken(name);
  if (delta?.kind === 'units') return { field: delta.value, name };
  const token = unitsOnly ? undefined : lookupDateToken(name);
  if (token?.kind === 'units') return { field: token.value, name };
  if (token?.kind === 'reserved' && token.value === 'epoch') return { field: 'epoch', name };
  throw new InvalidParameterValueError(`unit "${name}" not recognized for type ${sqlTypeNames[kind]}`);
}

function notSupported(unit: Unit, kind: TemporalKind): FeatureNotSupportedError {
  return new FeatureNotSupportedError(`unit "${unit.name}" not supported for type ${sqlTypeNames[kind]}`);
}

/** date2isoweek(). */
export function isoWeek(year: number, mon: number, mday: number): number {
  const dayn = dateToJulian(year, mon, mday);
  let day4 = dateToJulian(year, 1, 4);
  let day0 = julianToWeekday(day4 - 1);
  if (dayn < day4 - day0) { day4 = dateToJulian(year - 1, 1, 4); day0 = julianToWeekday(day4 - 1); }
  let result = cdiv(dayn - (day4 - day0), 7) + 1;
  if (result >= 52) {
    day4 = dateToJulian(year + 1, 1, 4);
    day0 = julianToWeekday(day4 - 1);
    if (dayn >= day4 - day0) result = cdiv(dayn - (day4 - day0), 7) + 1;
  }
  return result;
}

/** date2isoyear(). */
export function isoYear(year: number, mon: number, mday: number): number {
  let y = year;
  const dayn = dateToJulian(year, mon, mday);
  let day4 = dateToJulian(y, 1, 4);
  let day0 = julianToWeekday(day4 - 1);
  if (dayn < day4 - day0) { day4 = dateToJulian(y - 1, 1, 4); day0 = julianToWeekday(day4 - 1); y--; }
  const result = cdiv(dayn - (day4 - day0), 7) + 1;
  if (result >= 52) {
    day4 = dateToJulian(y + 1, 1, 4);
    day0 = julianToWeekday(day4 - 1);
    if (dayn >= day4 - day0) y++;
  }
  return y;
}

/** Calendar fields shared by date and timestamp extraction; undefined if not a calendar field. */
function calendarField(field: DatetimeField, f: DateTimeFields): number | undefined {
  const { year, month: mon, day } = f;
  switch (field) {
    case 'day': return day;
    case 'month': return mon;
    case 'quarter': return cdiv(mon - 1, 3) + 1;
    case 'week': return isoWeek(year, mon, day);
    case 'year': return year > 0 ? year : year - 1;
    case 'decade': return year >= 0 ? cdiv(year, 10) : -cdiv(8 - (year - 1), 10);
    case 'century': return year > 0 ? cdiv(year + 99, 100) : -cdiv(99 - (year - 1), 100);
    case 'millennium': return year > 0 ? cdiv(year + 999, 1000) : -cdiv(999 - (year - 1), 1000);
    case 'isoyear': { const y = isoYear(year, mon, day); return y <= 0 ? y - 1 : y; }
    case 'dow': case 'isodow': {
      const dow = julianToWeekday(dateToJulian(year, mon, day));
      return field === 'isodow' && dow === 0 ? 7 : dow;
    }
    case 'doy': return dateToJulian(year, mon, day) - dateToJulian(year, 1, 1) + 1;
    default: return undefined;
  }
}

/** int64_div_fast_to_numeric(): value / 10^scale with exactly `scale` digits. */
function scaled(value: bigint, scale: number): Decimal {
  return Decimal.of(value, scale);
}

const monotonicFields = new Set<DatetimeField>(['year', 'decade', 'century', 'millennium', 'julian', 'isoyear', 'epoch']);

/** extract() from ±infinity: NULL for oscillating fields, ±Infinity for monotonic ones. */
function infiniteExtract(unit: Unit, negative: boolean, kind: TemporalKind): Decimal | null {
  if (monotonicFields.has(unit.field)) return negative ? Decimal.NegativeInfinity : Decimal.Infinity;
  const oscillating: readonly DatetimeField[] = kind === 'date'
    ? ['day', 'month', 'quarter', 'week', 'dow', 'isodow', 'doy']
    : ['microsecond', 'millisecond', 'second', 'minute', 'hour', 'day', 'month', 'quarter', 'week', 'dow', 'isodow', 'doy', 'timezone', 'timezone_hour', 'timezone_minute'];
  if (oscillating.includes(unit.field)) return null;
  throw notSupported(unit, kind);
}

const epochOffsetDays = BigInt(postgresEpochJulianDay - unixEpochJulianDay);

function extractDate(unit: Unit, date: number): Decimal | null {
  const field = unit.field;
  if (!isFiniteDate(date)) return infiniteExtract(unit, date < 0, 'date');
  const { year, month, day } = julianToDate(date + postgresEpochJulianDay);
  if (field === 'epoch') return Decimal.fromInteger((BigInt(date) + epochOffsetDays) * 86400n);
  if (field === 'julian') return Decimal.fromInteger(date + postgresEpochJulianDay);
  const v = calendarField(field, { year, month, day, hour: 0, minute: 0, second: 0, micros: 0 });
  if (v === undefined) throw notSupported(unit, 'date');
  return Decimal.fromInteger(v);
}

function timeOfDayField(field: DatetimeField, f: { hour: number; minute: number; second: number; micros: number }): Decimal | undefined {
  const secMicros = BigInt(f.second) * 1_000_000n + BigInt(f.micros);
  switch (field) {
    case 'microsecond': return Decimal.fromInteger(secMicros);
    case 'millisecond': return scaled(secMicros, 3);
    case 'second': return scaled(secMicros, 6);
    case 'minute': return Decimal.fromInteger(f.minute);
    case 'hour': return Decimal.fromInteger(f.hour);
    default: return undefined;
  }
}

function extractTime(unit: Unit, time: number): Decimal {
  const field = unit.field;
  if (field === 'epoch') return scaled(BigInt(time), 6);
  const hour = Math.floor(time / 3_600_000_000);
  const minute = Math.floor((time % 3_600_000_000) / 60_000_000);
  const second = Math.floor((time % 60_000_000) / 1_000_000);
  const v = timeOfDayField(field, { hour, minute, second, micros: time % 1_000_000 });
  if (v === undefined) throw notSupported(unit, 'time');
  return v;
}

const unixEpochMicros = -epochOffsetDays * usecsPerDayBig;

function extractTimestamp(unit: Unit, utc: bigint, kind: 'timestamp' | 'timestamptz', zone: TimeZone): Decimal | null {
  const field = unit.field;
  if (!isFiniteTimestamp(utc)) return infiniteExtract(unit, utc === timestampNegativeInfinity, kind);
  if (field === 'epoch') return scaled(utc - unixEpochMicros, 6);
  const offset = kind === 'timestamptz' ? utcOffsetAt(zone, utc) : 0;
  const f = timestampToFields(utc + BigInt(offset) * 1_000_000n);
  if (kind === 'timestamptz') {
    if (field === 'timezone') return Decimal.fromInteger(offset);
    if (field === 'timezone_hour') return Decimal.fromInteger(Math.trunc(offset / 3600));
    if (field === 'timezone_minute') return Decimal.fromInteger(Math.trunc((offset % 3600) / 60));
  }
  if (field === 'julian') {
    const dayMicros = BigInt(((f.hour * 60 + f.minute) * 60 + f.second) * 1_000_000 + f.micros);
    const fraction = Decimal.of(dayMicros, 0);
    const day = Decimal.fromInteger(dateToJulian(f.year, f.month, f.day));
    // date2j + time / 86400000000 with numeric_div's scale
    return juliandPlusFraction(day, fraction);
  }
  const v = timeOfDayField(field, f) ?? optionalDecimal(calendarField(field, f));
  if (v === undefined) throw notSupported(unit, kind);
  return v;
}

function optionalDecimal(v: number | undefined): Decimal | undefined {
  return v === undefined ? undefined : Decimal.fromInteger(v);
}

function juliandPlusFraction(day: Decimal, dayMicros: Decimal): Decimal {
  return numericAdd(day, numericDiv(dayMicros, Decimal.fromInteger(86_400_000_000)));
}

function extractInterval(unit: Unit, iv: Interval): Decimal {
  const field = unit.field;
  if (field === 'epoch') {
    const years = BigInt(Math.trunc(iv.months / 12));
    const months = BigInt(iv.months % 12);
    const secs = (1461n * years + 120n * months + 4n * BigInt(iv.days)) * 21600n;
    return scaled(secs * 1_000_000n + iv.micros, 6);
  }
  const year = Math.trunc(iv.months / 12);
  const mon = iv.months % 12;
  const hour = iv.micros / 3_600_000_000n;
  let rest = iv.micros - hour * 3_600_000_000n;
  const minute = Number(rest / 60_000_000n);
  rest -= BigInt(minute) * 60_000_000n;
  switch (field) {
    case 'microsecond': return Decimal.fromInteger(rest);
    case 'millisecond': return scaled(rest, 3);
    case 'second': return scaled(rest, 6);
    case 'minute': return Decimal.fromInteger(minute);
    case 'hour': return Decimal.fromInteger(hour);
    case 'day': return Decimal.fromInteger(iv.days);
    case 'month': return Decimal.fromInteger(mon);
    case 'quarter': return Decimal.fromInteger(cdiv(mon, 3) + 1);
    case 'year': return Decimal.fromInteger(year);
    case 'decade': return Decimal.fromInteger(cdiv(year, 10));
    case 'century': return Decimal.fromInteger(cdiv(year, 100));
    case 'millennium': return Decimal.fromInteger(cdiv(year, 1000));
    default: throw notSupported(unit, 'interval');
  }
}

/** extract(field FROM value): numeric, or null where PostgreSQL returns NULL (oscillating fields of infinities). */
export function extractField(unit: string, value: number | bigint | Interval, kind: TemporalKind, zone: TimeZone): Decimal | null {
  const resolved = resolveDatetimeField(unit, kind);
  switch (kind) {
    case 'date': return extractDate(resolved, value as number);
    case 'time': return extractTime(resolved, value as number);
    case 'timestamp': case 'timestamptz': return extractTimestamp(resolved, value as bigint, kind, zone);
    case 'interval': return extractInterval(resolved, value as Interval);
  }
}

/** date_part(): the same as a double (PostgreSQL computes it in floating point; equal to the shortest digits). */
export function datePart(unit: string, value: number | bigint | Interval, kind: TemporalKind, zone: TimeZone): number | null {
  // date_part(text, date) is defined as date_part(text, date::timestamp).
  const r = kind === 'date'
    ? extractField(unit, dateToTimestamp(value as number), 'timestamp', zone)
    : extractField(unit, value, kind, zone);
  if (r === null) return null;
  return Number(formatNumeric(r));
}

function truncateFields(unit: Unit, f: DateTimeFields, kind: TemporalKind): DateTimeFields {
  const field = unit.field;
  const next = (f2: DateTimeFields, below: DatetimeField): DateTimeFields => truncateFields({ field: below, name: unit.name }, f2, kind);
  const t = { ...f };
  switch (field) {
    case 'week': {
      const woy = isoWeek(t.year, t.month, t.day);
      let year = t.year;
      if (woy >= 52 && t.month === 1) year--;
      if (woy <= 1 && t.month === 12) year++;
      const day4 = dateToJulian(year, 1, 4);
      const d = julianToDate((woy - 1) * 7 + (day4 - julianToWeekday(day4 - 1)));
      return { year: d.year, month: d.month, day: d.day, hour: 0, minute: 0, second: 0, micros: 0 };
    }
    case 'millennium': t.year = t.year > 0 ? cdiv(t.year + 999, 1000) * 1000 - 999 : -cdiv(999 - (t.year - 1), 1000) * 1000 + 1; return next(t, 'year');
    case 'century': t.year = t.year > 0 ? cdiv(t.year + 99, 100) * 100 - 99 : -cdiv(99 - (t.year - 1), 100) * 100 + 1; return next(t, 'year');
    case 'decade': t.year = t.year > 0 ? cdiv(t.year, 10) * 10 : -cdiv(8 - (t.year - 1), 10) * 10; return next(t, 'year');
    case 'year': t.month = 1; return next(t, 'month');
    case 'quarter': t.month = 3 * cdiv(t.month - 1, 3) + 1; return next(t, 'month');
    case 'month': t.day = 1; return next(t, 'day');
    case 'day': t.hour = 0; return next(t, 'hour');
    case 'hour': t.minute = 0; return next(t, 'minute');
    case 'minute': t.second = 0; return next(t, 'second');
    case 'second': t.micros = 0; return t;
    case 'millisecond': t.micros = Math.trunc(t.micros / 1000) * 1000; return t;
    case 'microsecond': return t;
    default: throw notSupported(unit, kind);
  }
}

/** Units at or above a day: truncation of a timestamptz recomputes the zone offset. */
const redoZoneFields = new Set<DatetimeField>(['week', 'millennium', 'century', 'decade', 'year', 'quarter', 'month', 'day']);

/** date_trunc(unit, timestamp | timestamptz); timestamptz truncates the wall clock in `zone`. */
export function truncateTimestamp(unit: string, ts: bigint, kind: 'timestamp' | 'timestamptz', zone: TimeZone): bigint {
  if (!isFiniteTimestamp(ts)) return ts;
  const resolved = resolveDatetimeField(unit, kind, true);
  const field = resolved.field;
  const offset = kind === 'timestamptz' ? utcOffsetAt(zone, ts) : 0;
  const f = truncateFields(resolved, timestampToFields(ts + BigInt(offset) * 1_000_000n), kind);
  const local = fieldsToTimestamp(f);
  if (local === undefined) throw new DatetimeFieldOverflowError('timestamp out of range');
  if (kind === 'timestamp') return local;
  const newOffset = redoZoneFields.has(field) ? localOffsetFor(zone, local) : offset;
  return local - BigInt(newOffset) * 1_000_000n;
}

/** date_trunc(unit, interval). */
export function truncateInterval(unit: string, iv: Interval): Interval {
  const resolved = resolveDatetimeField(unit, 'interval', true);
  const field = resolved.field;
  let year = Math.trunc(iv.months / 12);
  let mon = iv.months % 12;
  let day = iv.days;
  let time = iv.micros;
  const units = (u: bigint): bigint => (time / u) * u;
  switch (field) {
    case 'millennium': year = cdiv(year, 1000) * 1000; mon = 0; day = 0; time = 0n; break;
    case 'century': year = cdiv(year, 100) * 100; mon = 0; day = 0; time = 0n; break;
    case 'decade': year = cdiv(year, 10) * 10; mon = 0; day = 0; time = 0n; break;
    case 'year': mon = 0; day = 0; time = 0n; break;
    case 'quarter': mon = 3 * cdiv(mon, 3); day = 0; time = 0n; break;
    case 'month': day = 0; time = 0n; break;
    case 'day': time = 0n; break;
    case 'hour': time = units(3_600_000_000n); break;
    case 'minute': time = units(60_000_000n); break;
    case 'second': time = units(1_000_000n); break;
    case 'millisecond': time = units(1000n); break;
    case 'microsecond': break;
    default: throw notSupported(resolved, 'interval');
  }
  return makeInterval(year * 12 + mon, day, time);
}
