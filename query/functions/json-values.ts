// SQL values to JSON: to_jsonb()'s conversion (numbers stay numbers, times
// become ISO 8601 strings) and json's text form, which keeps key order and
// duplicates (json is text; only jsonb normalises).

import { formatBytea } from '../types/bytea.js';
import { formatDate, formatTime } from '../types/datetime/datetime-io.js';
import { timestampToFields } from '../types/datetime/calendar.js';
import { utcOffsetAt } from '../types/datetime/time-zone.js';
import { formatFloat } from '../types/float.js';
import { formatInterval } from '../types/interval.js';
import type { Interval } from '../types/interval.js';
import { escapeJsonString, formatJsonb, Jsonb, JsonbObject, makeJsonbObject, parseJsonb } from '../types/json.js';
import type { JsonbValue } from '../types/json.js';
import { Decimal, formatNumeric } from '../types/numeric/decimal.js';
import { floatToNumeric } from '../types/cast.js';
import type { TypeSession } from '../types/session.js';
import type { ScalarSqlType, SqlType } from '../types/sql-type.js';
import type { SqlArray, SqlValue } from '../types/value.js';

function two(n: number): string {
  return String(n).padStart(2, '0');
}

/** PostgreSQL's JSON timestamp form: 2020-01-02T03:04:05.123456, with +HH:MM for timestamptz. */
function isoTimestamp(micros: bigint, offsetSeconds: number | null): string {
  const f = timestampToFields(micros + BigInt(offsetSeconds ?? 0) * 1_000_000n);
  const fraction = f.micros === 0 ? '' : `.${String(f.micros).padStart(6, '0').replace(/0+$/, '')}`;
  const year = f.year > 0 ? String(f.year).padStart(4, '0') : `${String(1 - f.year).padStart(4, '0')}`;
  const base = `${year}-${two(f.month)}-${two(f.day)}T${two(f.hour)}:${two(f.minute)}:${two(f.second)}${fraction}`;
  if (offsetSeconds === null) return f.year > 0 ? base : `${base} BC`;
  const abs = Math.abs(offsetSeconds);
  const zone = `${offsetSeconds < 0 ? '-' : '+'}${two(Math.floor(abs / 3600))}:${two(Math.floor((abs % 3600) / 60))}`;
  return base + zone;
}

function floatToJson(x: number): JsonbValue {
  return Number.isFinite(x) ? floatToNumeric(x, 'float8') : formatFloat(x, 'float8');
}

function scalarToJsonb(value: SqlValue, type: ScalarSqlType, session: TypeSession): JsonbValue {
  switch (type.kind) {
    case 'bool': return value as boolean;
    case 'int2': case 'int4': return Decimal.fromInteger(value as number);
    case 'int8': return Decimal.of(value as bigint, 0);
    case 'float4': case 'float8': return floatToJson(value as number);
    case 'numeric': return (value as Decimal).isFinite() ? (value as Decimal) : formatNumeric(value as Decimal);
    case 'text': case 'varchar': case 'bpchar': case 'uuid': return value as string;
    case 'bytea': return formatBytea(value as Uint8Array);
    case 'date': return formatDate(value as number);
    case 'time': return formatTime(value as number);
    case 'timestamp': return isoTimestamp(value as bigint, null);
    case 'timestamptz': return isoTimestamp(value as bigint, utcOffsetAt(session.timeZone, value as bigint));
    case 'interval': return formatInterval(value as Interval);
    case 'json': return parseJsonb(value as string).root;
    case 'jsonb': return (value as Jsonb).root;
  }
}

/** to_jsonb(): SQL NULL is JSON null here (callers decide where NULL stays NULL). */
export function toJsonbValue(value: SqlValue, type: SqlType, session: TypeSession): JsonbValue {
  if (value === null) return null;
  if (type.kind === 'array') {
    const element = type.element;
    const convert = (v: SqlValue): JsonbValue => (Array.isArray(v) ? (v as SqlArray).map(convert) : toJsonbValue(v, element, session));
    return (value as SqlArray).map(convert);
  }
  return scalarToJsonb(value, type, session);
}

/** to_json(): the json text of a value; json passes through verbatim. */
export function toJsonText(value: SqlValue, type: SqlType, session: TypeSession): string {
  if (value === null) return 'null';
  if (type.kind === 'json') return value as string;
  if (type.kind === 'jsonb') return formatJsonb(value as Jsonb);
  if (type.kind === 'array') {
    const element = type.element;
    const convert = (v: SqlValue): string => (Array.isArray(v) ? `[${(v as SqlArray).map(convert).join(',')}]` : toJsonText(v, element, session));
    return `[${(value as SqlArray).map(convert).join(',')}]`;
  }
  const v = scalarToJsonb(value, type, session);
  return typeof v === 'string' ? escapeJsonString(v) : formatJsonb(new Jsonb(v));
}

export function jsonbObjectOf(pairs: readonly (readonly [string, JsonbValue])[]): JsonbObject {
  return makeJsonbObject(pairs);
}

export function jsonTypeof(v: JsonbValue): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'boolean';
  if (v instanceof Decimal) return 'number';
  return v instanceof JsonbObject ? 'object' : 'array';
}
