// Values the executor looks up by, fitted to the key column types so they
// encode: an int8 column looked up with a JavaScript number, an int4 column
// with a bigint. A value that cannot equal any key of that type (2.5 for an
// integer column, 2^40 for int4) means "no match", not an error.

import type { SqlType, SqlValue } from '../../materializers/index.js';

const int4Min = -2147483648;
const int4Max = 2147483647;
const int2Min = -32768;
const int2Max = 32767;

function fitInteger(value: SqlValue, min: number, max: number): SqlValue | undefined {
  if (typeof value === 'bigint') return value >= BigInt(min) && value <= BigInt(max) ? Number(value) : undefined;
  if (typeof value === 'number') return Number.isInteger(value) && value >= min && value <= max ? value : undefined;
  return value;
}

function fitInt64(value: SqlValue): SqlValue | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : undefined;
  return value;
}

function fit(type: SqlType, value: SqlValue): SqlValue | undefined {
  switch (type.kind) {
    case 'int2': return fitInteger(value, int2Min, int2Max);
    case 'int4': case 'date': return fitInteger(value, int4Min, int4Max);
    case 'int8': case 'timestamp': case 'timestamptz': return fitInt64(value);
    case 'float4': case 'float8': return typeof value === 'bigint' ? Number(value) : value;
    default: return value;
  }
}

/** The values fitted to `types` (a prefix), or undefined when no key can match. */
export function fitKeyValues(types: readonly SqlType[], values: readonly SqlValue[]): SqlValue[] | undefined {
  const out: SqlValue[] = [];
  for (let i = 0; i < values.length; i++) {
    const type = types[i];
    if (type === undefined) return undefined;
    const v = fit(type, values[i] ?? null);
    if (v === undefined || v === null) return undefined;
    out.push(v);
  }
  return out;
}
