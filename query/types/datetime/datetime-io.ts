// Text input and output of date, time, timestamp and timestamptz
// (DateStyle ISO, MDY), following date_in/date_out, time_in/time_out,
// timestamp_in/timestamp_out and timestamptz_in/timestamptz_out.

import {
  DatetimeFieldOverflowError, InvalidDatetimeFormatError, InvalidParameterValueError,
  InvalidTimeZoneDisplacementError, IntervalFieldOverflowError,
} from '../errors.js';
import {
  dateNegativeInfinity, datePositiveInfinity, dateToJulian, isValidDate, isValidJulian, julianToDate,
  postgresEpochJulianDay, timestampNegativeInfinity, timestampPositiveInfinity, timestampToFields,
  unixEpochJulianDay, usecsPerDayBig, usecsPerSec, usecsPerSecBig, fieldsToTimestamp,
} from './calendar.js';
import type { DateTimeFields } from './calendar.js';
import { decodeDateTime, decodeTimeOnly, ZoneNotRecognized } from './decode-datetime.js';
import type { DateTimeContext, Decoded } from './decode-datetime.js';
import { DecodeFailure } from './decode-parts.js';
import type { DecodeErrorCode } from './decode-parts.js';
import { utcOffsetAt } from './time-zone.js';
import type { TimeZone } from './time-zone.js';
import { dateLiteralBufferBytes, splitDateTimeFields, timestampLiteralBufferBytes } from './tokens.js';
import type { DateTimeField } from './tokens.js';

/** DateTimeParseError(): the SQL error for a decoder failure. */
export function dateTimeParseError(code: DecodeErrorCode, text: string, typeName: string): Error {
  switch (code) {
    case 'field-overflow':
      return new DatetimeFieldOverflowError(`date/time field value out of range: "${text}"`);
    case 'md-field-overflow':
      return new DatetimeFieldOverflowError(`date/time field value out of range: "${text}"`, {
        hint: 'Perhaps you need a different "datestyle" setting.',
      });
    case 'interval-overflow':
      return new IntervalFieldOverflowError(`interval field value out of range: "${text}"`);
    case 'tz-overflow':
      return new InvalidTimeZoneDisplacementError(`time zone displacement out of range: "${text}"`);
    case 'bad-format':
      return new InvalidDatetimeFormatError(`invalid input syntax for type ${typeName}: "${text}"`);
  }
}

/** Runs a decoder, translating its failures into SQL errors for `typeName`. */
export function withDecodeErrors<T>(text: string, typeName: string, decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    if (error instanceof DecodeFailure) throw dateTimeParseError(error.code, text, typeName);
    if (error instanceof ZoneNotRecognized) throw new InvalidParameterValueError(`time zone "${error.zoneName}" not recognized`);
    throw error;
  }
}

function fieldsOf(text: string, bufferBytes: number): DateTimeField[] {
  const fields = splitDateTimeFields(text, bufferBytes);
  if (fields === undefined) throw new DecodeFailure('bad-format');
  return fields;
}

function decode(text: string, typeName: string, bufferBytes: number, ctx: DateTimeContext): Decoded {
  return withDecodeErrors(text, typeName, () => decodeDateTime(fieldsOf(text, bufferBytes), ctx));
}

const cumulativeDaysBeforeMonth = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

/** The decimal number of `count` digits at `start`, or -1 if any is not a digit. */
function digits(text: string, start: number, count: number): number {
  let n = 0;
  for (let i = start; i < start + count; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/**
 * `YYYY-MM-DD` with a valid day, as a bulk load sends it (TPC-H: three dates
 * a lineitem row): the days straight from the digits, undefined for
 * anything else (the general parser decides, errors included). ISO order
 * is year-month-day whatever DateStyle says, as in PostgreSQL.
 */
function isoDateDays(text: string): number | undefined {
  if (text.length !== 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  if (year < 1 || month < 1 || month > 12 || day < 1) return undefined;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const monthDays = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  if (day > monthDays) return undefined;
  // Days from 2000-01-01 (the PostgreSQL epoch), proleptic Gregorian.
  const y = year - 1;
  const daysBeforeYear = y * 365 + Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400);
  const dayOfYear = (cumulativeDaysBeforeMonth[month - 1] ?? 0) + (leap && month > 2 ? 1 : 0) + day - 1;
  return daysBeforeYear + dayOfYear - daysBefore2000;
}

/** Days from 0001-01-01 to 2000-01-01. */
const daysBefore2000 = 1999 * 365 + Math.floor(1999 / 4) - Math.floor(1999 / 100) + Math.floor(1999 / 400);

/** date_in: days since 2000-01-01, or the ±infinity sentinels. */
export function parseDate(text: string, ctx: DateTimeContext): number {
  const iso = isoDateDays(text);
  if (iso !== undefined) return iso;
  const d = decode(text, 'date', dateLiteralBufferBytes, ctx);
  let { year, mon, mday } = d.tm;
  switch (d.kind) {
    case 'late': return datePositiveInfinity;
    case 'early': return dateNegativeInfinity;
    case 'epoch': ({ year, month: mon, day: mday } = julianToDate(unixEpochJulianDay)); break;
    case 'date': break;
  }
  if (!isValidJulian(year, mon)) throw new DatetimeFieldOverflowError(`date out of range: "${text}"`);
  const days = dateToJulian(year, mon, mday) - postgresEpochJulianDay;
  if (!isValidDate(days)) throw new DatetimeFieldOverflowError(`date out of range: "${text}"`);
  return days;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** ISO year: 4+ digits, years <= 0 printed as BC (year 0 is 1 BC). */
function yearText(year: number): string {
  return pad(year > 0 ? year : -(year - 1), 4);
}

/** date_out (ISO). */
export function formatDate(days: number): string {
  if (days === datePositiveInfinity) return 'infinity';
  if (days === dateNegativeInfinity) return '-infinity';
  const { year, month, day } = julianToDate(days + postgresEpochJulianDay);
  return `${yearText(year)}-${pad(month, 2)}-${pad(day, 2)}${year <= 0 ? ' BC' : ''}`;
}

/** AppendSeconds(): ss plus a fraction without trailing zeros. */
export function secondsText(second: number, micros: number): string {
  const ss = pad(second, 2);
  if (micros === 0) return ss;
  return `${ss}.${pad(micros, 6).replace(/0+$/, '')}`;
}

/** EncodeTimezone(): +HH, +HH:MM or +HH:MM:SS for an offset in seconds east. */
export function formatUtcOffset(offsetEastSeconds: number): string {
  const abs = Math.abs(offsetEastSeconds);
  const hour = Math.floor(abs / 3600);
  const min = Math.floor((abs % 3600) / 60);
  const sec = abs % 60;
  const sign = offsetEastSeconds >= 0 ? '+' : '-';
  if (sec !== 0) return `${sign}${pad(hour, 2)}:${pad(min, 2)}:${pad(sec, 2)}`;
  if (min !== 0) return `${sign}${pad(hour, 2)}:${pad(min, 2)}`;
  return `${sign}${pad(hour, 2)}`;
}

/** time_in: µs since midnight, 0..86400000000 inclusive. */
export function parseTime(text: string, ctx: DateTimeContext, precision: number | null = null): number {
  const tm = withDecodeErrors(text, 'time', () => decodeTimeOnly(fieldsOf(text, dateLiteralBufferBytes), ctx));
  const micros = ((tm.hour * 60 + tm.min) * 60 + tm.sec) * usecsPerSec + tm.fsec;
  return adjustTimePrecision(micros, precision);
}

const precisionScales = [1_000_000, 100_000, 10_000, 1000, 100, 10, 1] as const;

/** AdjustTimeForTypmod(): round half away from zero to `precision` fraction digits. */
export function adjustTimePrecision(micros: number, precision: number | null): number {
  if (precision === null || precision >= 6 || precision < 0) return micros;
  const scale = precisionScales[precision] ?? 1;
  const offset = Math.floor(scale / 2);
  return micros >= 0 ? Math.floor((micros + offset) / scale) * scale : -Math.floor((-micros + offset) / scale) * scale;
}

/** time_out. */
export function formatTime(micros: number): string {
  const hour = Math.floor(micros / 3_600_000_000);
  let rest = micros - hour * 3_600_000_000;
  const minute = Math.floor(rest / 60_000_000);
  rest -= minute * 60_000_000;
  const second = Math.floor(rest / usecsPerSec);
  return `${pad(hour, 2)}:${pad(minute, 2)}:${secondsText(second, rest - second * usecsPerSec)}`;
}

/** AdjustTimestampForTypmod(). */
export function adjustTimestampPrecision(micros: bigint, precision: number | null): bigint {
  if (precision === null || precision >= 6 || precision < 0) return micros;
  if (micros === timestampNegativeInfinity || micros === timestampPositiveInfinity) return micros;
  const scale = BigInt(precisionScales[precision] ?? 1);
  const offset = scale / 2n;
  return micros >= 0n ? ((micros + offset) / scale) * scale : -(((-micros + offset) / scale) * scale);
}

const epochMicros = BigInt(unixEpochJulianDay - postgresEpochJulianDay) * usecsPerDayBig;

function decodedTimestamp(text: string, typeName: string, ctx: DateTimeContext, withZone: boolean): bigint {
  const d = decode(text, typeName, timestampLiteralBufferBytes, ctx);
  switch (d.kind) {
    case 'late': return timestampPositiveInfinity;
    case 'early': return timestampNegativeInfinity;
    case 'epoch': return epochMicros;
    case 'date': break;
  }
  const fields: DateTimeFields = { year: d.tm.year, month: d.tm.mon, day: d.tm.mday, hour: d.tm.hour, minute: d.tm.min, second: d.tm.sec, micros: d.tm.fsec };
  const result = fieldsToTimestamp(fields, withZone ? d.tzWest : 0);
  if (result === undefined) throw new DatetimeFieldOverflowError(`timestamp out of range: "${text}"`);
  return result;
}

/** timestamp_in: µs since 2000-01-01 (a zone in the literal is ignored). */
export function parseTimestamp(text: string, ctx: DateTimeContext, precision: number | null = null): bigint {
  return adjustTimestampPrecision(decodedTimestamp(text, 'timestamp', ctx, false), precision);
}

/** timestamptz_in: µs since 2000-01-01 UTC; no zone in the literal means the session zone. */
export function parseTimestamptz(text: string, ctx: DateTimeContext, precision: number | null = null): bigint {
  return adjustTimestampPrecision(decodedTimestamp(text, 'timestamp with time zone', ctx, true), precision);
}

function formatFields(f: DateTimeFields): string {
  return `${yearText(f.year)}-${pad(f.month, 2)}-${pad(f.day, 2)} ${pad(f.hour, 2)}:${pad(f.minute, 2)}:${secondsText(f.second, f.micros)}`;
}

/** timestamp_out. */
export function formatTimestamp(micros: bigint): string {
  if (micros === timestampPositiveInfinity) return 'infinity';
  if (micros === timestampNegativeInfinity) return '-infinity';
  const f = timestampToFields(micros);
  return `${formatFields(f)}${f.year <= 0 ? ' BC' : ''}`;
}

/** timestamptz_out: local time in `zone` plus its offset ('2024-01-02 03:04:05+05:30'). */
export function formatTimestamptz(micros: bigint, zone: TimeZone): string {
  if (micros === timestampPositiveInfinity) return 'infinity';
  if (micros === timestampNegativeInfinity) return '-infinity';
  const offset = utcOffsetAt(zone, micros);
  const f = timestampToFields(micros + BigInt(offset) * usecsPerSecBig);
  return `${formatFields(f)}${formatUtcOffset(offset)}${f.year <= 0 ? ' BC' : ''}`;
}
