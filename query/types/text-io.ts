// Text input and output per type: the typinput/typoutput functions, with the
// type's modifier applied as PostgreSQL's input functions do (assignment rules
// for varchar(n)/char(n), rounding for numeric(p,s) and timestamp(p)).

import { formatArray, parseArray } from './array.js';
import { formatBoolean, parseBoolean } from './bool.js';
import { formatBytea, parseBytea } from './bytea.js';
import { checkText, coerceBpchar, coerceVarchar } from './character.js';
import {
  formatDate, formatTime, formatTimestamp, formatTimestamptz, parseDate, parseTime, parseTimestamp,
  parseTimestamptz,
} from './datetime/datetime-io.js';
import { assertNever } from './errors.js';
import { formatFloat, parseFloat } from './float.js';
import { parseBigInt, parseSmallInt } from './integer.js';
import { formatInterval, parseInterval } from './interval.js';
import type { Interval } from './interval.js';
import { formatJsonb, parseJson, parseJsonb } from './json.js';
import type { Jsonb } from './json.js';
import { formatNumeric, parseNumeric } from './numeric/decimal.js';
import type { Decimal } from './numeric/decimal.js';
import { applyNumericTypmod } from './numeric/numeric-math.js';
import { parseUuid } from './uuid.js';
import type { TypeSession } from './session.js';
import type { ScalarSqlType, SqlType } from './sql-type.js';
import type { ScalarValue, SqlArray, SqlValue } from './value.js';

/** The type's input function: text → value (never NULL; NULL is not a text). */
export function parseText(text: string, type: SqlType, session: TypeSession): SqlValue {
  if (type.kind === 'array') {
    const element = type.element;
    return parseArray(text, (item) => parseScalarText(item, element, session));
  }
  return parseScalarText(text, type, session);
}

export function parseScalarText(text: string, type: ScalarSqlType, session: TypeSession): ScalarValue {
  switch (type.kind) {
    case 'bool': return parseBoolean(text);
    case 'int2': case 'int4': return parseSmallInt(text, type.kind);
    case 'int8': return parseBigInt(text);
    case 'float4': case 'float8': return parseFloat(text, type.kind);
    case 'numeric': {
      const d = parseNumeric(text);
      return type.precision === null ? d : applyNumericTypmod(d, type.precision, type.scale ?? 0);
    }
    case 'text': return checkText(text);
    case 'varchar': return type.length === null ? checkText(text) : coerceVarchar(checkText(text), type.length, 'assignment');
    case 'bpchar': return type.length === null ? checkText(text) : coerceBpchar(checkText(text), type.length, 'assignment');
    case 'bytea': return parseBytea(text);
    case 'uuid': return parseUuid(text);
    case 'date': return parseDate(text, session);
    case 'time': return parseTime(text, session, type.precision);
    case 'timestamp': return parseTimestamp(text, session, type.precision);
    case 'timestamptz': return parseTimestamptz(text, session, type.precision);
    case 'interval': return parseInterval(text, type.fields, type.precision);
    case 'json': return parseJson(checkText(text));
    case 'jsonb': return parseJsonb(checkText(text));
    default: return assertNever(type, 'type kind');
  }
}

/** The type's output function: value → text. */
export function formatText(value: SqlValue, type: SqlType, session: TypeSession): string {
  if (value === null) throw new Error('formatText: NULL has no text form');
  if (type.kind === 'array') {
    const element = type.element;
    return formatArray(value as SqlArray, (item) => formatScalarText(item, element, session));
  }
  return formatScalarText(value as ScalarValue, type, session);
}

export function formatScalarText(value: ScalarValue, type: ScalarSqlType, session: TypeSession): string {
  switch (type.kind) {
    case 'bool': return formatBoolean(value as boolean);
    case 'int2': case 'int4': return String(value as number);
    case 'int8': return (value as bigint).toString();
    case 'float4': case 'float8': return formatFloat(value as number, type.kind);
    case 'numeric': return formatNumeric(value as Decimal);
    case 'text': case 'varchar': case 'bpchar': case 'uuid': case 'json': return value as string;
    case 'bytea': return formatBytea(value as Uint8Array);
    case 'date': return formatDate(value as number);
    case 'time': return formatTime(value as number);
    case 'timestamp': return formatTimestamp(value as bigint);
    case 'timestamptz': return formatTimestamptz(value as bigint, session.timeZone);
    case 'interval': return formatInterval(value as Interval);
    case 'jsonb': return formatJsonb(value as Jsonb);
    default: return assertNever(type, 'type kind');
  }
}
