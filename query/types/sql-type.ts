// Type descriptors: what a column, parameter or expression holds. Values are
// untagged JavaScript primitives (see DESIGN.md); the SqlType that travels with
// them in the plan says how to read, print, compare and hash them.

import { assertNever } from './errors.js';

/** Interval field restriction, as in `interval year to month`. */
export type IntervalFields =
  | 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second'
  | 'year to month' | 'day to hour' | 'day to minute' | 'day to second'
  | 'hour to minute' | 'hour to second' | 'minute to second';

export type ScalarSqlType =
  | { readonly kind: 'bool' }
  | { readonly kind: 'int2' }
  | { readonly kind: 'int4' }
  | { readonly kind: 'int8' }
  | { readonly kind: 'float4' }
  | { readonly kind: 'float8' }
  /** precision null: unconstrained numeric; scale is then null too. */
  | { readonly kind: 'numeric'; readonly precision: number | null; readonly scale: number | null }
  | { readonly kind: 'text' }
  | { readonly kind: 'varchar'; readonly length: number | null }
  /** `character(n)`; length null is the unconstrained `bpchar`. */
  | { readonly kind: 'bpchar'; readonly length: number | null }
  | { readonly kind: 'bytea' }
  | { readonly kind: 'uuid' }
  | { readonly kind: 'date' }
  | { readonly kind: 'time'; readonly precision: number | null }
  | { readonly kind: 'timestamp'; readonly precision: number | null }
  | { readonly kind: 'timestamptz'; readonly precision: number | null }
  | { readonly kind: 'interval'; readonly fields: IntervalFields | null; readonly precision: number | null }
  | { readonly kind: 'json' }
  | { readonly kind: 'jsonb' };

/** Arrays are of scalar types only: PostgreSQL's int[][] is the same type as int[]. */
export type ArraySqlType = { readonly kind: 'array'; readonly element: ScalarSqlType };
export type SqlType = ScalarSqlType | ArraySqlType;
export type SqlTypeKind = SqlType['kind'];
export type ScalarKind = ScalarSqlType['kind'];

/** Named limits from PostgreSQL. */
export const varcharLengthMax = 10_485_760; // MaxAttrSize
export const numericPrecisionMax = 1000;
export const numericScaleMin = -1000;
export const numericScaleMax = 1000;
export const datetimePrecisionMax = 6; // MAX_TIMESTAMP_PRECISION

/** Modifier-free types as shared singletons: no allocation per use. */
export const SqlTypes = {
  bool: { kind: 'bool' },
  int2: { kind: 'int2' },
  int4: { kind: 'int4' },
  int8: { kind: 'int8' },
  float4: { kind: 'float4' },
  float8: { kind: 'float8' },
  numeric: { kind: 'numeric', precision: null, scale: null },
  text: { kind: 'text' },
  varchar: { kind: 'varchar', length: null },
  bpchar: { kind: 'bpchar', length: null },
  bytea: { kind: 'bytea' },
  uuid: { kind: 'uuid' },
  date: { kind: 'date' },
  time: { kind: 'time', precision: null },
  timestamp: { kind: 'timestamp', precision: null },
  timestamptz: { kind: 'timestamptz', precision: null },
  interval: { kind: 'interval', fields: null, precision: null },
  json: { kind: 'json' },
  jsonb: { kind: 'jsonb' },
} as const satisfies Record<ScalarKind, ScalarSqlType>;

export function varcharType(length: number | null): ScalarSqlType {
  return { kind: 'varchar', length };
}
export function bpcharType(length: number | null): ScalarSqlType {
  return { kind: 'bpchar', length };
}
export function numericType(precision: number | null, scale: number | null = precision === null ? null : 0): ScalarSqlType {
  return { kind: 'numeric', precision, scale };
}
export function timestampType(precision: number | null, withTimeZone = false): ScalarSqlType {
  return { kind: withTimeZone ? 'timestamptz' : 'timestamp', precision };
}
export function arrayOf(element: ScalarSqlType): ArraySqlType {
  return { kind: 'array', element };
}

/** PostgreSQL type OIDs (pg_type.oid): scalar and array. */
export const TypeOid = {
  bool: 16, bytea: 17, int8: 20, int2: 21, int4: 23, text: 25, json: 114,
  float4: 700, float8: 701, bpchar: 1042, varchar: 1043, date: 1082, time: 1083,
  timestamp: 1114, timestamptz: 1184, interval: 1186, numeric: 1700, uuid: 2950, jsonb: 3802,
} as const satisfies Record<ScalarKind, number>;

export const ArrayTypeOid = {
  bool: 1000, bytea: 1001, int8: 1016, int2: 1005, int4: 1007, text: 1009, json: 199,
  float4: 1021, float8: 1022, bpchar: 1014, varchar: 1015, date: 1182, time: 1183,
  timestamp: 1115, timestamptz: 1185, interval: 1187, numeric: 1231, uuid: 2951, jsonb: 3807,
} as const satisfies Record<ScalarKind, number>;

/** pg_type.typlen: bytes of a fixed-width value, -1 for variable length. */
const typeLengths = {
  bool: 1, bytea: -1, int8: 8, int2: 2, int4: 4, text: -1, json: -1, float4: 4, float8: 8,
  bpchar: -1, varchar: -1, date: 4, time: 8, timestamp: 8, timestamptz: 8, interval: 16,
  numeric: -1, uuid: 16, jsonb: -1,
} as const satisfies Record<ScalarKind, number>;

export function typeOid(type: SqlType): number {
  return type.kind === 'array' ? ArrayTypeOid[type.element.kind] : TypeOid[type.kind];
}

export function typeLength(type: SqlType): number {
  return type.kind === 'array' ? -1 : typeLengths[type.kind];
}

const scalarKindByOid = new Map<number, ScalarKind>(
  (Object.entries(TypeOid) as [ScalarKind, number][]).map(([kind, oid]) => [oid, kind]));
const elementKindByArrayOid = new Map<number, ScalarKind>(
  (Object.entries(ArrayTypeOid) as [ScalarKind, number][]).map(([kind, oid]) => [oid, kind]));

const varlenaHeaderBytes = 4; // VARHDRSZ, folded into character and numeric typmods

/** The atttypmod PostgreSQL reports for a type (-1 when unconstrained). */
export function typeModifier(type: SqlType): number {
  const t = type.kind === 'array' ? type.element : type;
  switch (t.kind) {
    case 'varchar':
    case 'bpchar':
      return t.length === null ? -1 : t.length + varlenaHeaderBytes;
    case 'numeric':
      return t.precision === null ? -1 : ((t.precision << 16) | ((t.scale ?? 0) & 0x7ff)) + varlenaHeaderBytes;
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      return t.precision ?? -1;
    case 'interval':
      return intervalTypmod(t.fields, t.precision);
    default:
      return -1;
  }
}

const intervalFullRange = 0x7fff;
const intervalFullPrecision = 0xffff;
const intervalFieldBits = { month: 1 << 1, year: 1 << 2, day: 1 << 3, hour: 1 << 10, minute: 1 << 11, second: 1 << 12 } as const;

/** The INTERVAL_MASK bit set of a field restriction (interval_in's `range`). */
export function intervalRangeMask(fields: IntervalFields | null): number {
  if (fields === null) return intervalFullRange;
  const [first, , last] = fields.split(' ') as [keyof typeof intervalFieldBits, string?, (keyof typeof intervalFieldBits)?];
  if (last === undefined) return intervalFieldBits[first];
  const order: (keyof typeof intervalFieldBits)[] = ['year', 'month', 'day', 'hour', 'minute', 'second'];
  let mask = 0;
  for (let i = order.indexOf(first); i <= order.indexOf(last); i++) mask |= intervalFieldBits[order[i] ?? 'second'];
  return mask;
}

const allIntervalFields: readonly IntervalFields[] = [
  'year', 'month', 'day', 'hour', 'minute', 'second', 'year to month', 'day to hour', 'day to minute',
  'day to second', 'hour to minute', 'hour to second', 'minute to second',
];

function intervalFieldsOfMask(mask: number): IntervalFields | null {
  return allIntervalFields.find((f) => intervalRangeMask(f) === mask) ?? null;
}

function intervalTypmod(fields: IntervalFields | null, precision: number | null): number {
  if (fields === null && precision === null) return -1;
  return ((intervalRangeMask(fields) & intervalFullRange) << 16) | ((precision ?? intervalFullPrecision) & 0xffff);
}

/** The inverse of typeOid + typeModifier, for parameter types sent by clients. */
export function typeFromOid(oid: number, typmod = -1): SqlType | undefined {
  const scalar = scalarKindByOid.get(oid);
  if (scalar !== undefined) return scalarFromKind(scalar, typmod);
  const element = elementKindByArrayOid.get(oid);
  return element === undefined ? undefined : arrayOf(scalarFromKind(element, typmod));
}

function scalarFromKind(kind: ScalarKind, typmod: number): ScalarSqlType {
  if (typmod < 0) return SqlTypes[kind];
  switch (kind) {
    case 'varchar':
    case 'bpchar':
      return { kind, length: typmod - varlenaHeaderBytes };
    case 'numeric': {
      const raw = typmod - varlenaHeaderBytes;
      // The scale is an 11-bit two's-complement field (PG 15 allows negative scales).
      return numericType((raw >> 16) & 0xffff, ((raw & 0x7ff) ^ 1024) - 1024);
    }
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      return { kind, precision: typmod };
    case 'interval': {
      const precision = typmod & 0xffff;
      return { kind, fields: intervalFieldsOfMask((typmod >> 16) & intervalFullRange), precision: precision === intervalFullPrecision ? null : precision };
    }
    default:
      return SqlTypes[kind];
  }
}

/** PostgreSQL's format_type(): 'integer', 'character varying(20)', 'text[]'. */
export function formatTypeName(type: SqlType): string {
  if (type.kind === 'array') return `${formatTypeName(type.element)}[]`;
  switch (type.kind) {
    case 'bool': return 'boolean';
    case 'int2': return 'smallint';
    case 'int4': return 'integer';
    case 'int8': return 'bigint';
    case 'float4': return 'real';
    case 'float8': return 'double precision';
    case 'numeric': return type.precision === null ? 'numeric' : `numeric(${type.precision},${type.scale ?? 0})`;
    case 'text': return 'text';
    case 'varchar': return type.length === null ? 'character varying' : `character varying(${type.length})`;
    case 'bpchar': return type.length === null ? 'bpchar' : `character(${type.length})`;
    case 'bytea': return 'bytea';
    case 'uuid': return 'uuid';
    case 'date': return 'date';
    case 'time': return `time${precisionSuffix(type.precision)} without time zone`;
    case 'timestamp': return `timestamp${precisionSuffix(type.precision)} without time zone`;
    case 'timestamptz': return `timestamp${precisionSuffix(type.precision)} with time zone`;
    case 'interval': return `interval${type.fields === null ? '' : ` ${type.fields}`}${precisionSuffix(type.precision)}`;
    case 'json': return 'json';
    case 'jsonb': return 'jsonb';
    default: return assertNever(type, 'type kind');
  }
}

function precisionSuffix(precision: number | null): string {
  return precision === null ? '' : `(${precision})`;
}

/** Structural equality of two type descriptors (modifiers included). */
export function sameType(a: SqlType, b: SqlType): boolean {
  if (a.kind === 'array' || b.kind === 'array') {
    return a.kind === 'array' && b.kind === 'array' && sameType(a.element, b.element);
  }
  return formatTypeName(a) === formatTypeName(b);
}

/** The type with its modifiers removed: numeric(10,2) → numeric. */
export function withoutModifiers(type: SqlType): SqlType {
  return type.kind === 'array' ? arrayOf(SqlTypes[type.element.kind]) : SqlTypes[type.kind];
}
