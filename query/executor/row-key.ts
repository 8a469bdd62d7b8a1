// Hash keys for grouping, DISTINCT, set operations, hash joins and IN sets: a
// string that is equal exactly when the values are equal in SQL (1 = 1.00 for
// numeric, '1 day' = '24 hours' for interval, 'a ' = 'a' for char(n)).
// Integers of every width and integral numerics share one form, so cross-type
// integer joins match.

import { intervalSpan } from '../types/interval.js';
import type { Interval } from '../types/interval.js';
import { Jsonb, JsonbObject } from '../types/json.js';
import type { JsonbValue } from '../types/json.js';
import { Decimal, formatNumeric } from '../types/numeric/decimal.js';
import { normalizeNumeric } from '../types/numeric/numeric-math.js';
import { bpcharTrimmed } from '../types/character.js';
import type { SqlType } from '../types/sql-type.js';
import type { SqlArray, SqlValue } from '../types/value.js';

function decimalKey(d: Decimal): string {
  if (!d.isFinite()) return `d${d.kind}`;
  const n = normalizeNumeric(d);
  return n.scale === 0 ? `i${n.coefficient.toString()}` : `d${formatNumeric(n)}`;
}

function jsonKey(v: JsonbValue): string {
  if (v === null) return 'n';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'string') return JSON.stringify(v);
  if (v instanceof Decimal) return decimalKey(v);
  if (v instanceof JsonbObject) return `{${v.keys.map((k, i) => `${JSON.stringify(k)}:${jsonKey(v.values[i] ?? null)}`).join(',')}}`;
  return `[${(v as readonly JsonbValue[]).map(jsonKey).join(',')}]`;
}

function bytesKey(bytes: Uint8Array): string {
  let out = 'x';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

/** The key of one non-array value; `type` only matters for char(n) padding. */
export function valueKey(value: SqlValue, type: SqlType | undefined): string {
  if (value === null) return 'N';
  switch (typeof value) {
    case 'boolean': return value ? 'b1' : 'b0';
    case 'number': return Number.isInteger(value) ? `i${value === 0 ? 0 : value}` : Number.isNaN(value) ? 'fNaN' : `f${value}`;
    case 'bigint': return `i${value.toString()}`;
    case 'string': return type?.kind === 'bpchar' ? `s${bpcharTrimmed(value)}` : `s${value}`;
    default: break;
  }
  if (Array.isArray(value)) {
    const element = type?.kind === 'array' ? type.element : undefined;
    return `[${(value as SqlArray).map((v) => { const k = valueKey(v, element); return `${k.length}:${k}`; }).join('')}]`;
  }
  if (value instanceof Decimal) return decimalKey(value);
  if (value instanceof Uint8Array) return bytesKey(value);
  if (value instanceof Jsonb) return `j${jsonKey(value.root)}`;
  return `v${intervalSpan(value as Interval).toString()}`;
}

/** The key of several values (length-prefixed, so no two tuples collide). */
export function rowKey(values: readonly SqlValue[], types: readonly (SqlType | undefined)[]): string {
  if (values.length === 1) return valueKey(values[0] ?? null, types[0]);
  let out = '';
  for (let i = 0; i < values.length; i++) {
    const k = valueKey(values[i] ?? null, types[i]);
    out += `${k.length}:${k}`;
  }
  return out;
}
