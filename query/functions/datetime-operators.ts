// Date, time, timestamp and interval arithmetic as PostgreSQL's operators
// define it: date + int is a date, date + interval a timestamp, timestamptz
// arithmetic moves the wall clock in the session zone.

import {
  dateAddDays, dateAddInterval, dateDiff, dateToTimestamp, timeAddInterval, timeDiff, timestampAddInterval,
  timestampDiff, timestampSubInterval, timestamptzAddInterval, timestamptzSubInterval,
} from '../types/datetime/datetime-math.js';
import { DatetimeFieldOverflowError } from '../types/errors.js';
import { intervalAdd, intervalDiv, intervalMul, intervalNeg, intervalSub } from '../types/interval.js';
import type { Interval } from '../types/interval.js';
import { SqlTypes } from '../types/sql-type.js';
import { binaryOperator, prefixOperator } from './define.js';
import type { OperatorOverload } from './signature.js';

const { int4, float8, date, time, timestamp, timestamptz, interval } = SqlTypes;

function dateAddTime(d: number, t: number): bigint {
  const ts = dateToTimestamp(d);
  const r = ts + BigInt(t);
  if (r >= 9223371331200000000n) throw new DatetimeFieldOverflowError('timestamp out of range');
  return r;
}

function timeSubInterval(t: number, span: Interval): number {
  return timeAddInterval(t, intervalNeg(span));
}

const dateOperators: readonly OperatorOverload[] = [
  binaryOperator('+', date, int4, date, (a, b) => dateAddDays(a as number, b as number)),
  binaryOperator('+', int4, date, date, (a, b) => dateAddDays(b as number, a as number)),
  binaryOperator('-', date, int4, date, (a, b) => dateAddDays(a as number, -(b as number))),
  binaryOperator('-', date, date, int4, (a, b) => dateDiff(a as number, b as number)),
  binaryOperator('+', date, interval, timestamp, (a, b) => dateAddInterval(a as number, b as Interval)),
  binaryOperator('+', interval, date, timestamp, (a, b) => dateAddInterval(b as number, a as Interval)),
  binaryOperator('-', date, interval, timestamp, (a, b) => timestampSubInterval(dateToTimestamp(a as number), b as Interval)),
  binaryOperator('+', date, time, timestamp, (a, b) => dateAddTime(a as number, b as number)),
  binaryOperator('+', time, date, timestamp, (a, b) => dateAddTime(b as number, a as number)),
];

const timestampOperators: readonly OperatorOverload[] = [
  binaryOperator('+', timestamp, interval, timestamp, (a, b) => timestampAddInterval(a as bigint, b as Interval)),
  binaryOperator('+', interval, timestamp, timestamp, (a, b) => timestampAddInterval(b as bigint, a as Interval)),
  binaryOperator('-', timestamp, interval, timestamp, (a, b) => timestampSubInterval(a as bigint, b as Interval)),
  binaryOperator('-', timestamp, timestamp, interval, (a, b) => timestampDiff(a as bigint, b as bigint)),
  binaryOperator('+', timestamptz, interval, timestamptz, (a, b, env) => timestamptzAddInterval(a as bigint, b as Interval, env.typeSession.timeZone)),
  binaryOperator('+', interval, timestamptz, timestamptz, (a, b, env) => timestamptzAddInterval(b as bigint, a as Interval, env.typeSession.timeZone)),
  binaryOperator('-', timestamptz, interval, timestamptz, (a, b, env) => timestamptzSubInterval(a as bigint, b as Interval, env.typeSession.timeZone)),
  binaryOperator('-', timestamptz, timestamptz, interval, (a, b) => timestampDiff(a as bigint, b as bigint)),
];

const timeOperators: readonly OperatorOverload[] = [
  binaryOperator('+', time, interval, time, (a, b) => timeAddInterval(a as number, b as Interval)),
  binaryOperator('+', interval, time, time, (a, b) => timeAddInterval(b as number, a as Interval)),
  binaryOperator('-', time, interval, time, (a, b) => timeSubInterval(a as number, b as Interval)),
  binaryOperator('-', time, time, interval, (a, b) => timeDiff(a as number, b as number)),
];

const intervalOperators: readonly OperatorOverload[] = [
  binaryOperator('+', interval, interval, interval, (a, b) => intervalAdd(a as Interval, b as Interval)),
  binaryOperator('-', interval, interval, interval, (a, b) => intervalSub(a as Interval, b as Interval)),
  binaryOperator('*', interval, float8, interval, (a, b) => intervalMul(a as Interval, b as number)),
  binaryOperator('*', float8, interval, interval, (a, b) => intervalMul(b as Interval, a as number)),
  binaryOperator('/', interval, float8, interval, (a, b) => intervalDiv(a as Interval, b as number)),
  prefixOperator('-', interval, interval, (a) => intervalNeg(a as Interval)),
  prefixOperator('+', interval, interval, (a) => a),
];

export const datetimeOperators: readonly OperatorOverload[] = [...dateOperators, ...timestampOperators, ...timeOperators, ...intervalOperators];

