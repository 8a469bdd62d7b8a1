// Calendar arithmetic shared by date, timestamp and interval: PostgreSQL's
// Julian-day routines and the value ranges and sentinels of its datetime types.

/** Microsecond and calendar constants. */
export const usecsPerSec = 1_000_000;
export const usecsPerMinute = 60_000_000;
export const usecsPerHour = 3_600_000_000;
export const usecsPerDay = 86_400_000_000;
export const usecsPerDayBig = 86_400_000_000n;
export const usecsPerSecBig = 1_000_000n;
export const secsPerDay = 86_400;
export const monthsPerYear = 12;
export const daysPerMonth = 30; // interval arithmetic's month

/** Julian day of 2000-01-01 (PostgreSQL's epoch) and of 1970-01-01. */
export const postgresEpochJulianDay = 2451545;
export const unixEpochJulianDay = 2440588;
/** Seconds from 1970-01-01 to 2000-01-01. */
export const unixToPostgresEpochSeconds = (postgresEpochJulianDay - unixEpochJulianDay) * secsPerDay;

/** date sentinels: PostgreSQL's DATEVAL_NOBEGIN / DATEVAL_NOEND ('-infinity' / 'infinity'). */
export const dateNegativeInfinity = -2147483648;
export const datePositiveInfinity = 2147483647;
/** timestamp sentinels: DT_NOBEGIN / DT_NOEND. */
export const timestampNegativeInfinity = -9223372036854775808n;
export const timestampPositiveInfinity = 9223372036854775807n;

/** Valid ranges (IS_VALID_DATE, IS_VALID_TIMESTAMP): 4714-11-24 BC up to 5874898 / 294277 AD exclusive. */
export const dateMin = 0 - postgresEpochJulianDay; // DATETIME_MIN_JULIAN
export const dateEnd = 2147483494 - postgresEpochJulianDay; // DATE_END_JULIAN, exclusive
export const timestampMin = -211813488000000000n;
export const timestampEnd = 9223371331200000000n; // exclusive

const daysInMonthTable = [
  [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31],
  [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31],
] as const;

export function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

export function daysInMonth(year: number, month: number): number {
  return daysInMonthTable[isLeapYear(year) ? 1 : 0][month - 1] ?? 31;
}

/** C integer division (truncates toward zero). */
export function cdiv(a: number, b: number): number {
  return Math.trunc(a / b);
}

/** date2j(): Julian day number of a proleptic Gregorian date (year 0 = 1 BC). */
export function dateToJulian(year: number, month: number, day: number): number {
  let y = year;
  let m = month;
  if (m > 2) { m += 1; y += 4800; } else { m += 13; y += 4799; }
  const century = cdiv(y, 100);
  let julian = y * 365 - 32167;
  julian += cdiv(y, 4) - century + cdiv(century, 4);
  julian += cdiv(7834 * m, 256) + day;
  return julian;
}

export interface CalendarDate { year: number; month: number; day: number }

/** j2date(): the inverse of dateToJulian for julian >= 0 (unsigned arithmetic as in C). */
export function julianToDate(jd: number): CalendarDate {
  let julian = (jd + 32044) >>> 0;
  let quad = Math.floor(julian / 146097);
  const extra = (julian - quad * 146097) * 4 + 3;
  julian += 60 + quad * 3 + Math.floor(extra / 146097);
  quad = Math.floor(julian / 1461);
  julian -= quad * 1461;
  let y = Math.floor((julian * 4) / 1461);
  julian = (y !== 0 ? (julian + 305) % 365 : (julian + 306) % 366) + 123;
  y += quad * 4;
  const q = Math.floor((julian * 2141) / 65536);
  return { year: y - 4800, month: ((q + 10) % monthsPerYear) + 1, day: julian - Math.floor((7834 * q) / 256) };
}

/** j2day(): day of week, 0 = Sunday. */
export function julianToWeekday(jd: number): number {
  const d = (jd + 1) % 7;
  return d < 0 ? d + 7 : d;
}

/** IS_VALID_JULIAN: the dates the Julian-day routines accept. */
export function isValidJulian(year: number, month: number): boolean {
  return (year > -4713 || (year === -4713 && month >= 11)) && (year < 5874898 || (year === 5874898 && month < 6));
}

export function isValidDate(days: number): boolean {
  return days >= dateMin && days < dateEnd;
}

export function isValidTimestamp(micros: bigint): boolean {
  return micros >= timestampMin && micros < timestampEnd;
}

export function isFiniteDate(days: number): boolean {
  return days !== dateNegativeInfinity && days !== datePositiveInfinity;
}

export function isFiniteTimestamp(micros: bigint): boolean {
  return micros !== timestampNegativeInfinity && micros !== timestampPositiveInfinity;
}

/** Broken-down date and time (PostgreSQL's pg_tm plus fsec). */
export interface DateTimeFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Microseconds within the second. */
  micros: number;
}

/** Floor division of bigints. */
export function floorDivBig(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n) && ((a < 0n) !== (b < 0n)) ? q - 1n : q;
}

/** timestamp2tm() without a time zone: fields of a finite timestamp. */
export function timestampToFields(micros: bigint): DateTimeFields {
  const days = floorDivBig(micros, usecsPerDayBig);
  const timeOfDay = Number(micros - days * usecsPerDayBig);
  const { year, month, day } = julianToDate(Number(days) + postgresEpochJulianDay);
  return { year, month, day, ...timeOfDayToFields(timeOfDay) };
}

/** dt2time(): hour, minute, second and microseconds of a time of day. */
export function timeOfDayToFields(micros: number): { hour: number; minute: number; second: number; micros: number } {
  const hour = Math.floor(micros / usecsPerHour);
  let rest = micros - hour * usecsPerHour;
  const minute = Math.floor(rest / usecsPerMinute);
  rest -= minute * usecsPerMinute;
  const second = Math.floor(rest / usecsPerSec);
  return { hour, minute, second, micros: rest - second * usecsPerSec };
}

/**
 * tm2timestamp(): local fields to a timestamp, shifted by a zone offset given
 * in seconds west of UTC (PostgreSQL's sign); undefined when out of range.
 */
export function fieldsToTimestamp(f: DateTimeFields, offsetWestSeconds = 0): bigint | undefined {
  if (!isValidJulian(f.year, f.month)) return undefined;
  const days = dateToJulian(f.year, f.month, f.day) - postgresEpochJulianDay;
  const time = ((f.hour * 60 + f.minute) * 60 + f.second) * usecsPerSec + f.micros;
  const result = BigInt(days) * usecsPerDayBig + BigInt(time) + BigInt(offsetWestSeconds) * usecsPerSecBig;
  return isValidTimestamp(result) ? result : undefined;
}
