// Date and time functions. now() and friends read the transaction timestamp
// from the runtime (never a clock), clock_timestamp() reads the engine's clock
// seam; everything zone-dependent uses the session's time zone.

import { InvalidParameterValueError, DatetimeFieldOverflowError } from '../types/errors.js';
import { dateToJulian, isValidDate, isValidJulian, postgresEpochJulianDay, timestampToFields, usecsPerDayBig } from '../types/datetime/calendar.js';
import { adjustTimestampPrecision } from '../types/datetime/datetime-io.js';
import {
  localToUtc, timestampAge, timestamptzAge, timestamptzToDate, timestamptzToTime, timestamptzToTimestamp, utcToLocal,
} from '../types/datetime/datetime-math.js';
import { datePart, extractField, truncateInterval, truncateTimestamp } from '../types/datetime/extract.js';
import type { TemporalKind } from '../types/datetime/extract.js';
import { findTimeZone, utcOffsetAt } from '../types/datetime/time-zone.js';
import type { TimeZone } from '../types/datetime/time-zone.js';
import { justifyDays, justifyHours, justifyInterval, makeInterval } from '../types/interval.js';
import type { Interval } from '../types/interval.js';
import { SqlTypes } from '../types/sql-type.js';
import type { SqlType } from '../types/sql-type.js';
import type { Decimal } from '../types/numeric/decimal.js';
import { bigArg, floatArg, intArg, scalar, scalarTyped, textArg } from './define.js';
import type { FunctionEnv } from './env.js';
import type { ScalarOverload } from './signature.js';
import { decimalOf, formatDateTime, formatNumber } from './to-char.js';
import type { ToCharFields } from './to-char.js';

const { int4, int8, float8, numeric, text, date, time, timestamp, timestamptz, interval } = SqlTypes;

const unixEpochMicros = 946_684_800_000_000; // 2000-01-01 in Unix microseconds

export function transactionTimestamp(env: FunctionEnv): bigint {
  return env.runtime.transactionTimestampMicros;
}

/** current_date: the transaction's start as a date in the session zone. */
export function currentDate(env: FunctionEnv): number {
  return timestamptzToDate(transactionTimestamp(env), env.typeSession.timeZone);
}

export function localTimestamp(env: FunctionEnv, precision: number | null): bigint {
  return adjustTimestampPrecision(timestamptzToTimestamp(transactionTimestamp(env), env.typeSession.timeZone), precision);
}

export function localTime(env: FunctionEnv): number | null {
  return timestamptzToTime(transactionTimestamp(env), env.typeSession.timeZone);
}

export function currentTimestamp(env: FunctionEnv, precision: number | null): bigint {
  return adjustTimestampPrecision(transactionTimestamp(env), precision);
}

function zoneNamed(name: string): TimeZone {
  const zone = findTimeZone(name);
  if (zone === undefined) throw new InvalidParameterValueError(`time zone "${name}" not recognized`);
  return zone;
}

function temporalKind(type: SqlType): TemporalKind {
  switch (type.kind) {
    case 'date': case 'time': case 'timestamp': case 'timestamptz': case 'interval': return type.kind;
    default: throw new Error(`not a temporal type: ${type.kind}`);
  }
}

function makeDate(year: number, month: number, day: number): number {
  const y = year < 0 ? year + 1 : year;
  const days = dateToJulian(y, month, day) - postgresEpochJulianDay;
  const valid = year !== 0 && month >= 1 && month <= 12 && day >= 1 && day <= 31 && isValidJulian(y, month) && isValidDate(days);
  const roundTrip = valid && timestampToFields(BigInt(days) * usecsPerDayBig).day === day;
  if (!roundTrip) {
    throw new DatetimeFieldOverflowError(`date field value out of range: ${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`);
  }
  return days;
}

function makeTimestamp(args: readonly unknown[]): bigint {
  const days = makeDate(args[0] as number, args[1] as number, args[2] as number);
  const hour = args[3] as number;
  const minute = args[4] as number;
  const seconds = args[5] as number;
  if (hour < 0 || hour > 24 || minute < 0 || minute > 59 || seconds < 0 || seconds > 60) {
    throw new DatetimeFieldOverflowError(`time field value out of range: ${hour}:${minute}:${seconds}`);
  }
  const micros = BigInt(Math.round(((hour * 60 + minute) * 60 + seconds) * 1e6));
  return BigInt(days) * usecsPerDayBig + micros;
}

function toCharFields(micros: bigint, zone: TimeZone | null): ToCharFields {
  const offset = zone === null ? 0 : utcOffsetAt(zone, micros);
  const fields = timestampToFields(micros + BigInt(offset) * 1_000_000n);
  const zoneName = zone === null ? '' : zone.kind === 'fixed' && zone.name !== 'UTC' ? zone.name : zone.name === 'UTC' ? 'UTC' : zone.name;
  return { ...fields, zone: zoneName, offsetSeconds: offset };
}

const nowOverloads: readonly ScalarOverload[] = [
  ...['now', 'transaction_timestamp', 'statement_timestamp'].map((name) => scalar(name, [], timestamptz, (_a, env) => transactionTimestamp(env), { volatility: 'stable' })),
  scalar('clock_timestamp', [], timestamptz, (_a, env) => env.runtime.clockMicros(), { volatility: 'volatile' }),
  scalar('to_timestamp', [float8], timestamptz, (a) => BigInt(Math.round(floatArg(a, 0) * 1e6 - unixEpochMicros))),
];

const truncOverloads: readonly ScalarOverload[] = [
  scalar('date_trunc', [text, timestamp], timestamp, (a, env) => truncateTimestamp(textArg(a, 0), bigArg(a, 1), 'timestamp', env.typeSession.timeZone)),
  scalar('date_trunc', [text, timestamptz], timestamptz, (a, env) => truncateTimestamp(textArg(a, 0), bigArg(a, 1), 'timestamptz', env.typeSession.timeZone), { volatility: 'stable' }),
  scalar('date_trunc', [text, timestamptz, text], timestamptz, (a) => truncateTimestamp(textArg(a, 0), bigArg(a, 1), 'timestamptz', zoneNamed(textArg(a, 2)))),
  scalar('date_trunc', [text, interval], interval, (a) => truncateInterval(textArg(a, 0), a[1] as Interval)),
];

const extractOverloads: readonly ScalarOverload[] = [date, time, timestamp, timestamptz, interval].flatMap((type) => [
  scalarTyped('extract', [text, type], numeric, ([, t]) => (a, env) => extractField(textArg(a, 0), a[1] as number | bigint | Interval, temporalKind(t ?? type), env.typeSession.timeZone) as Decimal | null, { volatility: type.kind === 'timestamptz' ? 'stable' : 'immutable' }),
  scalarTyped('date_part', [text, type], float8, ([, t]) => (a, env) => datePart(textArg(a, 0), a[1] as number | bigint | Interval, temporalKind(t ?? type), env.typeSession.timeZone), { volatility: type.kind === 'timestamptz' ? 'stable' : 'immutable' }),
]);

const ageOverloads: readonly ScalarOverload[] = [
  scalar('age', [timestamp, timestamp], interval, (a) => timestampAge(bigArg(a, 0), bigArg(a, 1))),
  scalar('age', [timestamptz, timestamptz], interval, (a, env) => timestamptzAge(bigArg(a, 0), bigArg(a, 1), env.typeSession.timeZone), { volatility: 'stable' }),
  scalar('age', [timestamp], interval, (a, env) => timestampAge(BigInt(currentDate(env)) * usecsPerDayBig, bigArg(a, 0)), { volatility: 'stable' }),
  scalar('age', [timestamptz], interval, (a, env) => {
    const zone = env.typeSession.timeZone;
    const midnight = localToUtc(BigInt(currentDate(env)) * usecsPerDayBig, zone);
    return timestamptzAge(midnight, bigArg(a, 0), zone);
  }, { volatility: 'stable' }),
];

const toCharOverloads: readonly ScalarOverload[] = [
  scalar('to_char', [timestamp, text], text, (a) => formatDateTime(toCharFields(bigArg(a, 0), null), textArg(a, 1))),
  scalar('to_char', [timestamptz, text], text, (a, env) => formatDateTime(toCharFields(bigArg(a, 0), env.typeSession.timeZone), textArg(a, 1)), { volatility: 'stable' }),
  scalar('to_char', [int4, text], text, (a) => formatNumber(decimalOf(intArg(a, 0), true), textArg(a, 1))),
  scalar('to_char', [int8, text], text, (a) => formatNumber(decimalOf(bigArg(a, 0), true), textArg(a, 1))),
  scalar('to_char', [float8, text], text, (a) => formatNumber(decimalOf(floatArg(a, 0), false), textArg(a, 1))),
  scalar('to_char', [numeric, text], text, (a) => formatNumber(a[0] as Decimal, textArg(a, 1))),
];

export const datetimeFunctions: readonly ScalarOverload[] = [
  ...nowOverloads,
  ...truncOverloads,
  ...extractOverloads,
  ...ageOverloads,
  ...toCharOverloads,
  scalar('make_date', [int4, int4, int4], date, (a) => makeDate(intArg(a, 0), intArg(a, 1), intArg(a, 2))),
  scalar('make_timestamp', [int4, int4, int4, int4, int4, float8], timestamp, (a) => makeTimestamp(a)),
  scalar('make_interval', [int4, int4, int4, int4, int4, int4, float8], interval, (a) => makeInterval(
    intArg(a, 0) * 12 + intArg(a, 1), intArg(a, 2) * 7 + intArg(a, 3),
    BigInt(Math.round(((intArg(a, 4) * 60 + intArg(a, 5)) * 60 + floatArg(a, 6)) * 1e6)),
  )),
  scalar('timezone', [text, timestamp], timestamptz, (a) => localToUtc(bigArg(a, 1), zoneNamed(textArg(a, 0)))),
  scalar('timezone', [text, timestamptz], timestamp, (a) => utcToLocal(bigArg(a, 1), zoneNamed(textArg(a, 0)))),
  scalar('justify_days', [interval], interval, (a) => justifyDays(a[0] as Interval)),
  scalar('justify_hours', [interval], interval, (a) => justifyHours(a[0] as Interval)),
  scalar('justify_interval', [interval], interval, (a) => justifyInterval(a[0] as Interval)),
  scalar('isfinite', [timestamp], SqlTypes.bool, (a) => bigArg(a, 0) !== -(2n ** 63n) && bigArg(a, 0) !== 2n ** 63n - 1n),
];
