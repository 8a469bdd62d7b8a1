// Total order, equality and hashing per type, as the executor's sorts, merge
// joins, hash joins and hash aggregates need them. NULLs are the caller's
// business (NULLS FIRST/LAST); everything here sees non-null values. The order
// is PostgreSQL's default btree order with the C collation for text.

import { arrayDimensions, flattenArray } from './array.js';
import { bpcharTrimmed, compareText } from './character.js';
import { assertNever, UndefinedFunctionError } from './errors.js';
import { compareFloat } from './float.js';
import { compareInterval, intervalSpan } from './interval.js';
import type { Interval } from './interval.js';
import { compareJsonb, JsonbObject } from './json.js';
import type { Jsonb, JsonbValue } from './json.js';
import { Decimal } from './numeric/decimal.js';
import { compareNumeric, normalizeNumeric } from './numeric/numeric-math.js';
import type { ScalarSqlType, SqlType } from './sql-type.js';
import type { ScalarValue, SqlArray, SqlValue } from './value.js';

function cmp<T extends number | bigint | string>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return cmp(a.length, b.length);
}

/** Three-way comparison of two non-null values of `type`: -1, 0 or 1. */
export function compareValues(a: SqlValue, b: SqlValue, type: SqlType): number {
  if (a === null || b === null) throw new Error('compareValues: NULL is ordered by the caller');
  if (type.kind === 'array') return compareArrays(a as SqlArray, b as SqlArray, type.element);
  return compareScalars(a as ScalarValue, b as ScalarValue, type);
}

export function compareScalars(a: ScalarValue, b: ScalarValue, type: ScalarSqlType): number {
  switch (type.kind) {
    case 'bool': return cmp(Number(a), Number(b));
    case 'int2': case 'int4': case 'date': case 'time': return cmp(a as number, b as number);
    case 'int8': case 'timestamp': case 'timestamptz': return cmp(a as bigint, b as bigint);
    case 'float4': case 'float8': return compareFloat(a as number, b as number);
    case 'numeric': return compareNumeric(a as Decimal, b as Decimal);
    case 'text': case 'varchar': return compareText(a as string, b as string);
    case 'bpchar': return compareText(bpcharTrimmed(a as string), bpcharTrimmed(b as string));
    case 'uuid': return cmp(a as string, b as string);
    case 'bytea': return compareBytes(a as Uint8Array, b as Uint8Array);
    case 'interval': return compareInterval(a as Interval, b as Interval);
    case 'jsonb': return compareJsonb(a as Jsonb, b as Jsonb);
    case 'json': throw new UndefinedFunctionError('could not identify an ordering operator for type json');
    default: return assertNever(type, 'type kind');
  }
}

/** array_cmp(): elementwise (NULL above everything), then element count, then dimensions. */
function compareArrays(a: SqlArray, b: SqlArray, element: ScalarSqlType): number {
  const xs = flattenArray(a);
  const ys = flattenArray(b);
  const n = Math.min(xs.length, ys.length);
  for (let i = 0; i < n; i++) {
    const x = xs[i] ?? null;
    const y = ys[i] ?? null;
    if (x === null || y === null) {
      if (x !== y) return x === null ? 1 : -1;
      continue;
    }
    const c = compareScalars(x as ScalarValue, y as ScalarValue, element);
    if (c !== 0) return c;
  }
  if (xs.length !== ys.length) return cmp(xs.length, ys.length);
  const da = arrayDimensions(a);
  const db = arrayDimensions(b);
  if (da.length !== db.length) return cmp(da.length, db.length);
  for (let i = 0; i < da.length; i++) if (da[i] !== db[i]) return cmp(da[i] ?? 0, db[i] ?? 0);
  return 0;
}

/** SQL `=` on non-null values (NaN = NaN, 1.0 = 1.00, 'a ' = 'a' for char(n)). */
export function valuesEqual(a: SqlValue, b: SqlValue, type: SqlType): boolean {
  if (type.kind === 'json') throw new UndefinedFunctionError('could not identify an equality operator for type json');
  return compareValues(a, b, type) === 0;
}

// ---- hashing: equal values (per valuesEqual) hash equal; deterministic, no seed ----

function fmix32(h0: number): number {
  let h = h0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function combineHashes(a: number, b: number): number {
  return fmix32((Math.imul(a, 31) + b) | 0);
}

const f64 = new Float64Array(1);
const f64Words = new Uint32Array(f64.buffer);
const nanHash = 0x7ff80000;
const nullElementHash = 0x9e3779b9;

/** Safe integers hash by value, so int2/int4/int8, dates and integral numerics agree. */
function hashSafeInteger(n: number): number {
  const low = n | 0;
  const high = Math.floor(n / 4294967296) | 0;
  return fmix32(high === 0 || high === -1 ? low ^ (high & 0x5bd1e995) : combineHashes(low, high));
}

export function hashNumber(x: number): number {
  if (Number.isSafeInteger(x)) return hashSafeInteger(x);
  if (Number.isNaN(x)) return nanHash;
  f64[0] = x;
  return combineHashes(f64Words[0] ?? 0, f64Words[1] ?? 0);
}

const safeMin = BigInt(Number.MIN_SAFE_INTEGER);
const safeMax = BigInt(Number.MAX_SAFE_INTEGER);

export function hashBigInt(x: bigint): number {
  if (x >= safeMin && x <= safeMax) return hashSafeInteger(Number(x));
  return hashString(x.toString());
}

/** FNV-1a over UTF-16 code units, finalised with murmur3's mixer. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return fmix32(h);
}

function hashBytes(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193);
  return fmix32(h ^ bytes.length);
}

export function hashDecimal(d: Decimal): number {
  switch (d.kind) {
    case 'nan': return nanHash;
    case 'infinity': return 0x7ff00000;
    case '-infinity': return 0xfff00000;
    case 'finite': {
      const n = normalizeNumeric(d);
      if (n.scale === 0) return hashBigInt(n.coefficient);
      return combineHashes(hashBigInt(n.coefficient), n.scale);
    }
  }
}

function hashJsonbValue(v: JsonbValue): number {
  if (v === null) return 0x2545f491;
  if (typeof v === 'boolean') return v ? 0x1b873593 : 0x4cf5ad43;
  if (typeof v === 'string') return hashString(v);
  if (v instanceof Decimal) return hashDecimal(v);
  if (v instanceof JsonbObject) {
    let h = 0x3c6ef372 ^ v.keys.length;
    v.keys.forEach((k, i) => { h = combineHashes(combineHashes(h, hashString(k)), hashJsonbValue(v.values[i] ?? null)); });
    return h;
  }
  let h = 0x6a09e667 ^ v.length;
  for (const item of v) h = combineHashes(h, hashJsonbValue(item));
  return h;
}

/** A 32-bit unsigned hash consistent with valuesEqual. */
export function hashValue(value: SqlValue, type: SqlType): number {
  if (value === null) return nullElementHash;
  if (type.kind === 'array') {
    let h = 0x510e527f;
    for (const item of flattenArray(value as SqlArray)) h = combineHashes(h, item === null ? nullElementHash : hashScalar(item as ScalarValue, type.element));
    return h;
  }
  return hashScalar(value as ScalarValue, type);
}

export function hashScalar(value: ScalarValue, type: ScalarSqlType): number {
  switch (type.kind) {
    case 'bool': return value === true ? hashSafeInteger(1) : hashSafeInteger(0);
    case 'int2': case 'int4': case 'date': case 'time': case 'float4': case 'float8': return hashNumber(value as number);
    case 'int8': case 'timestamp': case 'timestamptz': return hashBigInt(value as bigint);
    case 'numeric': return hashDecimal(value as Decimal);
    case 'text': case 'varchar': case 'uuid': return hashString(value as string);
    case 'bpchar': return hashString(bpcharTrimmed(value as string));
    case 'bytea': return hashBytes(value as Uint8Array);
    case 'interval': return hashBigInt(intervalSpan(value as Interval));
    case 'jsonb': return hashJsonbValue((value as Jsonb).root);
    case 'json': throw new UndefinedFunctionError('could not identify an equality operator for type json');
    default: return assertNever(type, 'type kind');
  }
}
