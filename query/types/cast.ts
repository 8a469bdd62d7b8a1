// Casts between SQL types with PostgreSQL's semantics. castContext() tells the
// binder where a cast may be applied implicitly (pg_cast.castcontext plus the
// I/O conversion rules); castExplicit/castAssignment perform conversions, and
// differ where PostgreSQL's length coercion differs (varchar(n) truncates on
// an explicit cast, errors on assignment).

import { booleanToText } from './bool.js';
import { bpcharTrimmed, coerceBpchar, coerceVarchar } from './character.js';
import type { LengthCoercion } from './character.js';
import { adjustTimePrecision, adjustTimestampPrecision } from './datetime/datetime-io.js';
import {
  dateToTimestamp, dateToTimestamptz, intervalToTime, timestampToDate, timestampToTime, timestampToTimestamptz,
  timestamptzToDate, timestamptzToTime, timestamptzToTimestamp, timeToInterval,
} from './datetime/datetime-math.js';
import { assertNever, CannotCoerceError, InvalidParameterValueError } from './errors.js';
import { float8ToFloat4, floatToInt, parseFloat } from './float.js';
import { int2Max, int2Min, int4Max, int4Min, intOutOfRange } from './integer.js';
import type { IntKind } from './integer.js';
import { adjustIntervalForTypmod } from './interval.js';
import type { Interval } from './interval.js';
import { formatJsonb, JsonbObject, parseJsonb } from './json.js';
import type { Jsonb, JsonbValue } from './json.js';
import { Decimal, formatNumeric, pow10 } from './numeric/decimal.js';
import { applyNumericTypmod, numericToInt } from './numeric/numeric-math.js';
import { formatTypeName, SqlTypes } from './sql-type.js';
import type { ScalarKind, ScalarSqlType, SqlType } from './sql-type.js';
import type { TypeSession } from './session.js';
import { formatScalarText, formatText, parseScalarText, parseText } from './text-io.js';
import type { ScalarValue, SqlArray, SqlValue } from './value.js';

export type CastContext = 'implicit' | 'assignment' | 'explicit';
export type CastMode = 'explicit' | 'assignment';

const stringKinds = new Set<ScalarKind>(['text', 'varchar', 'bpchar']);
const numberKinds: readonly ScalarKind[] = ['int2', 'int4', 'int8', 'float4', 'float8', 'numeric'];

/** pg_cast rows among the supported types (source → target → context). */
const castTable = new Map<string, CastContext>();
function allow(from: ScalarKind, to: ScalarKind, context: CastContext): void {
  castTable.set(`${from}>${to}`, context);
}
for (const [from, targets] of [
  ['int2', { int4: 'implicit', int8: 'implicit', float4: 'implicit', float8: 'implicit', numeric: 'implicit' }],
  ['int4', { int2: 'assignment', int8: 'implicit', float4: 'implicit', float8: 'implicit', numeric: 'implicit', bool: 'explicit' }],
  ['int8', { int2: 'assignment', int4: 'assignment', float4: 'implicit', float8: 'implicit', numeric: 'implicit' }],
  ['float4', { int2: 'assignment', int4: 'assignment', int8: 'assignment', float8: 'implicit', numeric: 'assignment' }],
  ['float8', { int2: 'assignment', int4: 'assignment', int8: 'assignment', float4: 'assignment', numeric: 'assignment' }],
  ['numeric', { int2: 'assignment', int4: 'assignment', int8: 'assignment', float4: 'implicit', float8: 'implicit' }],
  ['bool', { int4: 'explicit' }],
  ['text', { varchar: 'implicit', bpchar: 'implicit' }],
  ['varchar', { text: 'implicit', bpchar: 'implicit' }],
  ['bpchar', { text: 'implicit', varchar: 'implicit' }],
  ['date', { timestamp: 'implicit', timestamptz: 'implicit' }],
  ['timestamp', { date: 'assignment', time: 'assignment', timestamptz: 'implicit' }],
  ['timestamptz', { date: 'assignment', time: 'assignment', timestamp: 'assignment' }],
  ['time', { interval: 'implicit' }],
  ['interval', { time: 'assignment' }],
  ['json', { jsonb: 'assignment' }],
  ['jsonb', { json: 'assignment', bool: 'explicit', int2: 'explicit', int4: 'explicit', int8: 'explicit', float4: 'explicit', float8: 'explicit', numeric: 'explicit' }],
] as const) {
  for (const [to, context] of Object.entries(targets)) allow(from, to as ScalarKind, context);
}

/**
 * Where a cast from `from` to `to` may be applied: 'implicit' anywhere,
 * 'assignment' in INSERT/UPDATE targets, 'explicit' only in CAST/::;
 * null when there is no cast at all.
 */
export function castContext(from: SqlType, to: SqlType): CastContext | null {
  if (from.kind === 'array' && to.kind === 'array') return castContext(from.element, to.element);
  if (to.kind !== 'array' && stringKinds.has(to.kind) && !(from.kind !== 'array' && stringKinds.has(from.kind))) return 'assignment';
  if (from.kind !== 'array' && stringKinds.has(from.kind) && !(to.kind !== 'array' && stringKinds.has(to.kind))) return 'explicit';
  if (from.kind === 'array' || to.kind === 'array') return null;
  if (from.kind === to.kind) return 'implicit';
  return castTable.get(`${from.kind}>${to.kind}`) ?? null;
}

function cannotCast(from: SqlType, to: SqlType): CannotCoerceError {
  return new CannotCoerceError(`cannot cast type ${formatTypeName(from)} to ${formatTypeName(to)}`);
}

/** CAST(value AS to) / value::to. */
export function castExplicit(value: SqlValue, from: SqlType, to: SqlType, session: TypeSession): SqlValue {
  return castValue(value, from, to, 'explicit', session);
}

/** The conversion INSERT and UPDATE apply to a value stored into a column of type `to`. */
export function castAssignment(value: SqlValue, from: SqlType, to: SqlType, session: TypeSession): SqlValue {
  return castValue(value, from, to, 'assignment', session);
}

export function castValue(value: SqlValue, from: SqlType, to: SqlType, mode: CastMode, session: TypeSession): SqlValue {
  if (value === null) return null;
  if (from.kind === 'array' && to.kind === 'array') {
    const element = (v: SqlValue): SqlValue => (Array.isArray(v) ? (v as SqlArray).map(element) : castValue(v, from.element, to.element, mode, session));
    return (value as SqlArray).map(element);
  }
  if (to.kind === 'array') {
    if (from.kind !== 'array' && stringKinds.has(from.kind)) return parseText(value as string, to, session);
    throw cannotCast(from, to);
  }
  if (from.kind === 'array') {
    if (stringKinds.has(to.kind)) return applyModifier(formatText(value, from, session), to, mode);
    throw cannotCast(from, to);
  }
  const converted = convertScalar(value as ScalarValue, from, to.kind, session, to);
  return converted === null ? null : applyModifier(converted, to, mode);
}

/** The target type's length coercion (varchar(n), numeric(p,s), timestamp(p), ...). */
function applyModifier(value: ScalarValue, to: ScalarSqlType, mode: CastMode): ScalarValue {
  const lengthMode: LengthCoercion = mode === 'explicit' ? 'explicit' : 'assignment';
  switch (to.kind) {
    case 'varchar': return to.length === null ? value : coerceVarchar(value as string, to.length, lengthMode);
    case 'bpchar': return to.length === null ? value : coerceBpchar(value as string, to.length, lengthMode);
    case 'numeric': return to.precision === null ? value : applyNumericTypmod(value as Decimal, to.precision, to.scale ?? 0);
    case 'timestamp': case 'timestamptz': return adjustTimestampPrecision(value as bigint, to.precision);
    case 'time': return adjustTimePrecision(value as number, to.precision);
    case 'interval': return adjustIntervalForTypmod(value as Interval, to.fields, to.precision);
    default: return value;
  }
}

/** Converts between kinds; null only where PostgreSQL's cast yields NULL ('infinity'::timestamp::time). */
function convertScalar(value: ScalarValue, from: ScalarSqlType, to: ScalarKind, session: TypeSession, target: ScalarSqlType): ScalarValue | null {
  if (from.kind === to) return value;
  if (stringKinds.has(to)) return toText(value, from, session);
  if (stringKinds.has(from.kind)) return parseScalarText(value as string, SqlTypes[to], session);
  switch (from.kind) {
    case 'int2': case 'int4': case 'int8': case 'float4': case 'float8': case 'numeric':
      return convertNumber(value as number | bigint | Decimal, from.kind, to, from, target);
    case 'bool':
      if (to === 'int4') return value === true ? 1 : 0;
      break;
    case 'date': case 'timestamp': case 'timestamptz': case 'time': case 'interval':
      return convertTemporal(value, from, to, session, target);
    case 'json':
      if (to === 'jsonb') return parseJsonb(value as string);
      break;
    case 'jsonb':
      return convertJsonb(value as Jsonb, to, from, target);
    case 'uuid': case 'bytea': case 'text': case 'varchar': case 'bpchar':
      break;
    default:
      return assertNever(from, 'type kind');
  }
  throw cannotCast(from, target);
}

/** Output-function conversion to text, except bool ('true') and char(n) (trailing blanks dropped). */
function toText(value: ScalarValue, from: ScalarSqlType, session: TypeSession): string {
  if (from.kind === 'bool') return booleanToText(value as boolean);
  if (from.kind === 'bpchar') return bpcharTrimmed(value as string);
  if (from.kind === 'jsonb') return formatJsonb(value as Jsonb);
  return formatScalarText(value, from, session);
}

function smallIntRange(v: number, kind: 'int2' | 'int4'): number {
  const [min, max] = kind === 'int2' ? [int2Min, int2Max] : [int4Min, int4Max];
  if (v < min || v > max) throw intOutOfRange(kind);
  return v;
}

function integerTo(v: number | bigint, to: ScalarKind): ScalarValue | undefined {
  switch (to) {
    case 'int2': case 'int4': {
      if (typeof v === 'bigint' && (v < BigInt(int4Min) || v > BigInt(int4Max))) throw intOutOfRange(to);
      return smallIntRange(Number(v), to);
    }
    case 'int8': return BigInt(v);
    case 'float4': return Math.fround(Number(v));
    case 'float8': return Number(v);
    case 'numeric': return Decimal.fromInteger(v);
    default: return undefined;
  }
}

function convertNumber(v: number | bigint | Decimal, from: 'int2' | 'int4' | 'int8' | 'float4' | 'float8' | 'numeric', to: ScalarKind, fromType: ScalarSqlType, target: ScalarSqlType): ScalarValue {
  let result: ScalarValue | undefined;
  if (from === 'int2' || from === 'int4' || from === 'int8') {
    // Only integer ↔ boolean exists (int4 ↔ bool), as in pg_cast.
    result = to === 'bool' ? (from === 'int4' ? v !== 0 : undefined) : integerTo(v as number | bigint, to);
  } else if (from === 'float4' || from === 'float8') {
    const x = v as number;
    if (to === 'int2' || to === 'int4' || to === 'int8') result = floatToInt(x, to as IntKind);
    else if (to === 'float8') result = x;
    else if (to === 'float4') result = float8ToFloat4(x);
    else if (to === 'numeric') result = floatToNumeric(x, from);
  } else {
    const d = v as Decimal;
    if (to === 'int2' || to === 'int4' || to === 'int8') result = numericToInt(d, to);
    else if (to === 'float4' || to === 'float8') result = numericToFloat(d, to);
  }
  if (result === undefined) throw cannotCast(fromType, target);
  return result;
}

/** numeric → float: through the text form, so the result is correctly rounded (float8in/float4in). */
export function numericToFloat(d: Decimal, kind: 'float4' | 'float8'): number {
  switch (d.kind) {
    case 'nan': return Number.NaN;
    case 'infinity': return Number.POSITIVE_INFINITY;
    case '-infinity': return Number.NEGATIVE_INFINITY;
    case 'finite': return parseFloat(formatNumeric(d), kind);
  }
}

/**
 * float → numeric: PostgreSQL prints the float with %.15g (%.6g for real) and
 * reads that back, so 0.1::float8::numeric is exactly 0.1. The rounding to 15
 * digits is done exactly (half to even on the binary value, like printf).
 */
export function floatToNumeric(x: number, kind: 'float4' | 'float8'): Decimal {
  if (Number.isNaN(x)) return Decimal.NaN;
  if (x === Number.POSITIVE_INFINITY) return Decimal.Infinity;
  if (x === Number.NEGATIVE_INFINITY) return Decimal.NegativeInfinity;
  if (x === 0) return Decimal.Zero;
  const digits = kind === 'float8' ? 15 : 6;
  const { coefficient, exponent } = roundSignificantHalfEven(Math.abs(x), digits);
  let c = coefficient;
  let e = exponent;
  while (c % 10n === 0n && c !== 0n) { c /= 10n; e++; }
  const signed = x < 0 ? -c : c;
  return e >= 0 ? Decimal.of(signed * pow10(e), 0) : Decimal.of(signed, -e);
}

/** The exact binary value of a positive double rounded to `digits` significant digits: coefficient × 10^exponent. */
function roundSignificantHalfEven(x: number, digits: number): { coefficient: bigint; exponent: number } {
  let m = x;
  let binaryExponent = 0;
  while (!Number.isInteger(m)) { m *= 2; binaryExponent--; }
  // x = m × 2^binaryExponent = m × 5^-be / 10^-be
  let exact = BigInt(m);
  let decimalExponent = 0;
  if (binaryExponent < 0) { exact *= 5n ** BigInt(-binaryExponent); decimalExponent = binaryExponent; }
  const length = exact.toString().length;
  const drop = length - digits;
  if (drop <= 0) return { coefficient: exact, exponent: decimalExponent };
  const unit = pow10(drop);
  let q = exact / unit;
  const r = exact % unit;
  const half = unit / 2n;
  if (r > half || (r === half && q % 2n === 1n)) q++;
  return { coefficient: q, exponent: decimalExponent + drop };
}

function convertTemporal(value: ScalarValue, from: ScalarSqlType, to: ScalarKind, session: TypeSession, target: ScalarSqlType): ScalarValue | null {
  const zone = session.timeZone;
  switch (`${from.kind}>${to}`) {
    case 'date>timestamp': return dateToTimestamp(value as number);
    case 'date>timestamptz': return dateToTimestamptz(value as number, zone);
    case 'timestamp>date': return timestampToDate(value as bigint);
    case 'timestamp>time': return timestampToTime(value as bigint);
    case 'timestamp>timestamptz': return timestampToTimestamptz(value as bigint, zone);
    case 'timestamptz>date': return timestamptzToDate(value as bigint, zone);
    case 'timestamptz>time': return timestamptzToTime(value as bigint, zone);
    case 'timestamptz>timestamp': return timestamptzToTimestamp(value as bigint, zone);
    case 'time>interval': return timeToInterval(value as number);
    case 'interval>time': return intervalToTime(value as Interval);
    default: throw cannotCast(from, target);
  }
}

function jsonbTypeName(v: JsonbValue): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'boolean';
  if (v instanceof Decimal) return 'numeric';
  return v instanceof JsonbObject ? 'object' : 'array';
}

/** jsonb → bool / number types: the value must be a scalar of the matching JSON type. */
function convertJsonb(j: Jsonb, to: ScalarKind, from: ScalarSqlType, target: ScalarSqlType): ScalarValue {
  if (to === 'json') return formatJsonb(j);
  const v = j.root;
  const sqlName = formatTypeName(SqlTypes[to]);
  if (to === 'bool') {
    if (typeof v !== 'boolean') throw new InvalidParameterValueError(`cannot cast jsonb ${jsonbTypeName(v)} to type ${sqlName}`);
    return v;
  }
  if (!numberKinds.includes(to)) throw cannotCast(from, target);
  if (!(v instanceof Decimal)) throw new InvalidParameterValueError(`cannot cast jsonb ${jsonbTypeName(v)} to type ${sqlName}`);
  return to === 'numeric' ? v : convertNumber(v, 'numeric', to, SqlTypes.numeric, target);
}
