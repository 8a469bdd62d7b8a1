// The read-side shapes the vectorized executor consumes: one typed-array
// vector per column and segment, a null bitmap, and a zone map (min/max).
// Vectors never carry one object per row; `vectorValue` decodes one value for
// slow paths (tests, compaction, the row-at-a-time fallback).

import { unreachable } from '../assert.js';
import { ByteReader, Decimal, valueCodecFor, type SqlType, type SqlValue } from '../entries/index.js';

/** Bit i set: row i is NULL (the typed array holds a zero there). null: no NULLs. */
export type NullBitmap = Uint8Array | null;

interface VectorBase {
  /** Rows in the vector (typed arrays are exactly this long, offsets one longer). */
  readonly length: number;
  readonly nulls: NullBitmap;
}

/**
 * One column of one segment.
 * - int16/int32: int2 / int4 and date (days since 2000-01-01).
 * - int64: int8, timestamp and timestamptz (µs since 2000-01-01).
 * - float32/float64: float4 / float8 and time (µs of the day, exact in a double).
 * - decimal64: numeric(p ≤ 18, s ≥ 0): the coefficient at the column's scale (exact).
 * - bool: one byte per row, 0 or 1.
 * - dict: text with few distinct values: codes into `dictionary`.
 * - utf8: text: value i is bytes[offsets[i] .. offsets[i+1]).
 * - generic: anything else (and numeric that does not fit decimal64), each value
 *   in the log's value encoding (entries/value-codec), empty for NULL.
 */
export type ColumnVector =
  | (VectorBase & { readonly kind: 'int16'; readonly values: Int16Array })
  | (VectorBase & { readonly kind: 'int32'; readonly values: Int32Array })
  | (VectorBase & { readonly kind: 'int64'; readonly values: BigInt64Array })
  | (VectorBase & { readonly kind: 'float32'; readonly values: Float32Array })
  | (VectorBase & { readonly kind: 'float64'; readonly values: Float64Array })
  | (VectorBase & { readonly kind: 'decimal64'; readonly values: BigInt64Array; readonly scale: number })
  | (VectorBase & { readonly kind: 'bool'; readonly values: Uint8Array })
  | (VectorBase & { readonly kind: 'dict'; readonly codes: Uint32Array; readonly dictionary: readonly string[] })
  | (VectorBase & { readonly kind: 'utf8'; readonly offsets: Uint32Array; readonly bytes: Uint8Array })
  | (VectorBase & { readonly kind: 'generic'; readonly type: SqlType; readonly offsets: Uint32Array; readonly bytes: Uint8Array });

export type VectorKind = ColumnVector['kind'];

/**
 * Min and max of the non-null values of one column in one segment, as values
 * of the column's SQL type (numeric as Decimal, text compared by code point,
 * float NaN above everything as in PostgreSQL). Computed over every row the
 * segment holds, deleted ones included, so it is a conservative bound.
 * min/max are null when every value is NULL or the type has no zone map (generic).
 */
export interface ZoneMap {
  readonly rowCount: number;
  readonly nullCount: number;
  readonly min: SqlValue;
  readonly max: SqlValue;
}

export function isNullAt(nulls: NullBitmap, i: number): boolean {
  return nulls !== null && (((nulls[i >> 3] ?? 0) >> (i & 7)) & 1) === 1;
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/** The UTF-8 bytes of value i of an offsets+bytes vector. */
export function bytesAt(offsets: Uint32Array, bytes: Uint8Array, i: number): Uint8Array {
  return bytes.subarray(offsets[i] ?? 0, offsets[i + 1] ?? 0);
}

/** Decodes value i of a vector (null for NULL). Allocates: not for hot loops. */
export function vectorValue(v: ColumnVector, i: number): SqlValue {
  if (isNullAt(v.nulls, i)) return null;
  switch (v.kind) {
    case 'int16':
    case 'int32':
    case 'int64':
    case 'float32':
    case 'float64': return v.values[i] ?? null;
    case 'decimal64': return Decimal.of(v.values[i] ?? 0n, v.scale);
    case 'bool': return v.values[i] === 1;
    case 'dict': return v.dictionary[v.codes[i] ?? 0] ?? null;
    case 'utf8': return utf8Decoder.decode(bytesAt(v.offsets, v.bytes, i));
    case 'generic': {
      const r = new ByteReader(bytesAt(v.offsets, v.bytes, i));
      const value = valueCodecFor(v.type).read(r);
      r.expectEnd('column value');
      return value;
    }
    default: return unreachable(v, 'vector kind');
  }
}

/** The vector kind a column of this type starts as (numeric may fall back to generic per segment). */
export function vectorKindOf(type: SqlType): VectorKind {
  switch (type.kind) {
    case 'int2': return 'int16';
    case 'int4':
    case 'date': return 'int32';
    case 'int8':
    case 'timestamp':
    case 'timestamptz': return 'int64';
    case 'float4': return 'float32';
    case 'float8':
    case 'time': return 'float64';
    case 'bool': return 'bool';
    case 'numeric': return decimal64Scale(type) === null ? 'generic' : 'decimal64';
    case 'text':
    case 'varchar':
    case 'bpchar': return 'dict';
    case 'json':
    case 'jsonb':
    case 'bytea':
    case 'uuid':
    case 'interval':
    case 'array': return 'generic';
    default: return unreachable(type, 'sql type');
  }
}

/** Largest precision whose coefficients all fit an int64 (10^18 - 1 < 2^63). */
export const decimal64PrecisionMax = 18;

/** The scale of a numeric column stored as decimal64, or null when it is stored generically. */
export function decimal64Scale(type: SqlType): number | null {
  if (type.kind !== 'numeric' || type.precision === null || type.precision > decimal64PrecisionMax) return null;
  const scale = type.scale ?? 0;
  return scale >= 0 ? scale : null;
}

/** Code point order (= UTF-8 byte order = C collation) of two strings. */
export function compareText(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codeUnitRank(x) - codeUnitRank(y);
  }
  return a.length - b.length;
}

/** Surrogates (code points above U+FFFF) sort after U+E000..U+FFFF in code point order. */
function codeUnitRank(c: number): number {
  if (c >= 0xd800 && c <= 0xdfff) return c + 0x2000;
  if (c >= 0xe000) return c - 0x800;
  return c;
}
