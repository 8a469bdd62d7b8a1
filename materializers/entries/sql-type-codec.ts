// Binary form of SqlType descriptors, for DDL entries and the persisted
// catalog: [u8 kind code][modifiers]. Kind codes are written to disk: never
// renumber.

import { unreachable } from '../assert.js';
import type { ByteReader } from './byte-reader.js';
import type { ByteWriter } from './byte-writer.js';
import { EntryDecodeError } from './errors.js';
import type { IntervalFields, ScalarSqlType, SqlType } from './query-types.js';

const kindCodes = {
  bool: 1, int2: 2, int4: 3, int8: 4, float4: 5, float8: 6, numeric: 7, text: 8, varchar: 9, bpchar: 10,
  bytea: 11, uuid: 12, date: 13, time: 14, timestamp: 15, timestamptz: 16, interval: 17, json: 18, jsonb: 19,
} as const satisfies Record<ScalarSqlType['kind'], number>;
const arrayCode = 32;

const kindByCode = new Map<number, ScalarSqlType['kind']>(
  (Object.entries(kindCodes) as [ScalarSqlType['kind'], number][]).map(([kind, code]) => [code, kind]));

const intervalFieldValues: readonly IntervalFields[] = [
  'year', 'month', 'day', 'hour', 'minute', 'second', 'year to month', 'day to hour', 'day to minute',
  'day to second', 'hour to minute', 'hour to second', 'minute to second',
];
/** Modifiers are small (PostgreSQL bounds them by 10485760); anything beyond is corruption. */
const modifierMagnitudeMax = 16 * 1024 * 1024;

function writeOptionalInt(w: ByteWriter, value: number | null): void {
  if (value === null) return w.u8(0);
  w.u8(1);
  w.varint(value);
}

function readOptionalInt(r: ByteReader): number | null {
  const present = r.u8();
  if (present === 0) return null;
  if (present !== 1) throw new EntryDecodeError('malformed', `optional int flag ${present}`);
  const v = r.varint();
  if (Math.abs(v) > modifierMagnitudeMax) throw new EntryDecodeError('limit', `type modifier ${v}`);
  return v;
}

export function writeSqlType(w: ByteWriter, type: SqlType): void {
  if (type.kind === 'array') {
    w.u8(arrayCode);
    return writeSqlType(w, type.element);
  }
  w.u8(kindCodes[type.kind]);
  switch (type.kind) {
    case 'numeric':
      writeOptionalInt(w, type.precision);
      return writeOptionalInt(w, type.scale);
    case 'varchar':
    case 'bpchar':
      return writeOptionalInt(w, type.length);
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      return writeOptionalInt(w, type.precision);
    case 'interval':
      writeOptionalInt(w, type.fields === null ? null : intervalFieldValues.indexOf(type.fields));
      return writeOptionalInt(w, type.precision);
    default:
      return;
  }
}

export function readSqlType(r: ByteReader): SqlType {
  const code = r.u8();
  if (code === arrayCode) {
    const element = readSqlType(r);
    if (element.kind === 'array') throw new EntryDecodeError('malformed', 'array of array type');
    return { kind: 'array', element };
  }
  const kind = kindByCode.get(code);
  if (kind === undefined) throw new EntryDecodeError('malformed', `type code ${code}`);
  return readScalarModifiers(r, kind);
}

function readScalarModifiers(r: ByteReader, kind: ScalarSqlType['kind']): ScalarSqlType {
  switch (kind) {
    case 'numeric': return { kind, precision: readOptionalInt(r), scale: readOptionalInt(r) };
    case 'varchar':
    case 'bpchar': return { kind, length: readOptionalInt(r) };
    case 'time':
    case 'timestamp':
    case 'timestamptz': return { kind, precision: readOptionalInt(r) };
    case 'interval': {
      const fieldIndex = readOptionalInt(r);
      const fields = fieldIndex === null ? null : intervalFieldValues[fieldIndex];
      if (fields === undefined) throw new EntryDecodeError('malformed', `interval fields ${fieldIndex}`);
      return { kind, fields, precision: readOptionalInt(r) };
    }
    case 'bool': case 'int2': case 'int4': case 'int8': case 'float4': case 'float8': case 'text': case 'bytea':
    case 'uuid': case 'date': case 'json': case 'jsonb':
      return { kind };
    default: return unreachable(kind, 'type kind');
  }
}
