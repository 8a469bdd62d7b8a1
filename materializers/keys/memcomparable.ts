// Memcomparable (order-preserving) key encoding: for keys a and b of the same
// column types, the byte order of encodeKey(a) and encodeKey(b) is the SQL
// order of a and b (PostgreSQL's default btree order: ascending, NULLs last).
//
// Every column is [u8 marker][body]: marker 0x01 for a value, 0x02 for NULL
// (so NULLs sort last, as in PostgreSQL's ASC NULLS LAST). Bodies are
// prefix-free, so concatenation keeps tuple order and a key's encoded
// leading columns are a byte prefix of it (prefix ranges, keys/key-range.ts).
//
//   bool                       1 byte, 0 or 1
//   int2 / int4, date          2 / 4 bytes big-endian, sign bit flipped
//   int8, timestamp(tz), time  8 bytes big-endian, sign bit flipped
//   float4, float8             8 bytes: float64 bits, all flipped if negative, else sign flipped;
//                              -0 as 0, every NaN as one NaN above +Infinity (PostgreSQL's order)
//   numeric                    class byte (-Inf, <0, 0, >0, +Inf, NaN), then for finite non-zero
//                              values the decimal exponent and the digits (see writeNumeric);
//                              1.5 and 1.50 are equal in SQL and encode equally
//   text, varchar, bytea       bytes with 0x00 escaped as 0x00 0xFF, ended by 0x00 0x01
//   bpchar                     as text, trailing spaces removed (PostgreSQL compares without them)
//   uuid                       16 bytes
//   interval                   PostgreSQL's 128-bit span (a month is 30 days), offset to unsigned
//
// Text order is C collation (code point order, which UTF-8 byte order is).
// Keys are not decoded: the row store keeps the full row, and the length of
// an index key is stored beside it.

import { unreachable } from '../assert.js';
import { ByteWriter, Decimal, keyBytesMax, type Interval, type SqlType, type SqlValue } from '../entries/index.js';
import { KeyEncodeError } from './errors.js';

export const KeyMarker = { Value: 0x01, Null: 0x02 } as const;

const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;
const utf8 = new TextEncoder();
const scratch = new DataView(new ArrayBuffer(8));

function mismatch(type: SqlType, value: unknown): KeyEncodeError {
  return new KeyEncodeError(`value ${String(value)} (${typeof value}) does not fit key type ${type.kind}`);
}

/** Whether a column of this type can be in a primary key or an index. */
export function isKeyableType(type: SqlType): boolean {
  return type.kind !== 'array' && type.kind !== 'json' && type.kind !== 'jsonb';
}

function writeInt(w: ByteWriter, type: SqlType, value: SqlValue, bits: 16 | 32): void {
  const min = bits === 16 ? -32768 : -2147483648;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > -min - 1) throw mismatch(type, value);
  const biased = value - min; // sign bit flipped: unsigned order = signed order
  if (bits === 16) {
    w.u8(biased >>> 8);
    w.u8(biased & 0xff);
  } else {
    scratch.setUint32(0, biased, false);
    for (let i = 0; i < 4; i++) w.u8(scratch.getUint8(i));
  }
}

function writeInt64(w: ByteWriter, type: SqlType, value: SqlValue): void {
  let v: bigint;
  if (typeof value === 'bigint') v = value;
  else if (type.kind === 'time' && typeof value === 'number' && Number.isSafeInteger(value)) v = BigInt(value);
  else throw mismatch(type, value);
  if (v < int64Min || v > int64Max) throw mismatch(type, value);
  scratch.setBigUint64(0, v - int64Min, false);
  for (let i = 0; i < 8; i++) w.u8(scratch.getUint8(i));
}

function writeFloat(w: ByteWriter, type: SqlType, value: SqlValue): void {
  if (typeof value !== 'number') throw mismatch(type, value);
  const v = Number.isNaN(value) ? Number.NaN : value === 0 ? 0 : value;
  scratch.setFloat64(0, v, false);
  const negative = (scratch.getUint8(0) & 0x80) !== 0;
  for (let i = 0; i < 8; i++) {
    const b = scratch.getUint8(i);
    w.u8(negative ? ~b & 0xff : i === 0 ? b ^ 0x80 : b);
  }
}

/** Escapes 0x00 as 0x00 0xFF and terminates with 0x00 0x01: prefix-free, order kept. */
function writeEscaped(w: ByteWriter, bytes: Uint8Array): void {
  for (const b of bytes) {
    w.u8(b);
    if (b === 0) w.u8(0xff);
  }
  w.u8(0);
  w.u8(1);
}

const wellFormed = (text: string): boolean => !/\p{Cs}/u.test(text);

function writeText(w: ByteWriter, type: SqlType, value: SqlValue): void {
  if (typeof value !== 'string' || !wellFormed(value)) throw mismatch(type, value);
  const text = type.kind === 'bpchar' ? value.replace(/ +$/, '') : value;
  writeEscaped(w, utf8.encode(text));
}

function writeUuid(w: ByteWriter, type: SqlType, value: SqlValue): void {
  if (typeof value !== 'string' || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(value)) throw mismatch(type, value);
  const hex = value.replaceAll('-', '');
  for (let i = 0; i < 32; i += 2) w.u8(Number.parseInt(hex.slice(i, i + 2), 16));
}

const usecsPerDay = 86_400_000_000n;
const daysPerMonth = 30n;
const spanBias = 2n ** 127n;

function writeInterval(w: ByteWriter, type: SqlType, value: SqlValue): void {
  const iv = value as Interval;
  if (typeof value !== 'object' || value === null || typeof iv.micros !== 'bigint' || !Number.isInteger(iv.months) || !Number.isInteger(iv.days)) {
    throw mismatch(type, value);
  }
  const span = (BigInt(iv.months) * daysPerMonth + BigInt(iv.days)) * usecsPerDay + iv.micros;
  const hex = (span + spanBias).toString(16).padStart(32, '0');
  for (let i = 0; i < 32; i += 2) w.u8(Number.parseInt(hex.slice(i, i + 2), 16));
}

// numeric classes, in SQL order.
const NumericClass = { NegativeInfinity: 1, Negative: 2, Zero: 3, Positive: 4, Infinity: 5, NaN: 6 } as const;
const exponentBias = 2 ** 31;

/**
 * A finite non-zero |value| as 0.d1d2...dn × 10^exponent with d1 ≠ 0 and dn ≠ 0:
 * [u32 exponent + 2^31, big-endian][digit pairs as bytes 1..100][0x00]. For
 * equal exponents the digit strings compare as fractions; the terminator is
 * below every digit byte, so a shorter (smaller) fraction sorts first.
 * Negative values write the bitwise complement, which reverses the order.
 */
function writeNumericMagnitude(w: ByteWriter, d: Decimal, negative: boolean): void {
  let digits = (d.coefficient < 0n ? -d.coefficient : d.coefficient).toString();
  const exponent = digits.length - d.scale;
  digits = digits.replace(/0+$/, '');
  if (digits.length % 2 === 1) digits += '0';
  const flip = negative ? 0xff : 0;
  scratch.setUint32(0, exponent + exponentBias, false);
  for (let i = 0; i < 4; i++) w.u8(scratch.getUint8(i) ^ flip);
  for (let i = 0; i < digits.length; i += 2) w.u8((1 + Number(digits.slice(i, i + 2))) ^ flip);
  w.u8(flip);
}

function writeNumeric(w: ByteWriter, type: SqlType, value: SqlValue): void {
  if (!(value instanceof Decimal)) throw mismatch(type, value);
  switch (value.kind) {
    case 'nan': return w.u8(NumericClass.NaN);
    case 'infinity': return w.u8(NumericClass.Infinity);
    case '-infinity': return w.u8(NumericClass.NegativeInfinity);
    case 'finite': break;
    default: return unreachable(value.kind, 'numeric kind');
  }
  if (value.coefficient === 0n) return w.u8(NumericClass.Zero);
  const negative = value.coefficient < 0n;
  w.u8(negative ? NumericClass.Negative : NumericClass.Positive);
  writeNumericMagnitude(w, value, negative);
}

function writeBody(w: ByteWriter, type: SqlType, value: SqlValue): void {
  if (type.kind === 'array') throw new KeyEncodeError('arrays cannot be key columns');
  switch (type.kind) {
    case 'bool':
      if (typeof value !== 'boolean') throw mismatch(type, value);
      return w.u8(value ? 1 : 0);
    case 'int2': return writeInt(w, type, value, 16);
    case 'int4':
    case 'date': return writeInt(w, type, value, 32);
    case 'int8':
    case 'timestamp':
    case 'timestamptz':
    case 'time': return writeInt64(w, type, value);
    case 'float4':
    case 'float8': return writeFloat(w, type, value);
    case 'numeric': return writeNumeric(w, type, value);
    case 'text':
    case 'varchar':
    case 'bpchar': return writeText(w, type, value);
    case 'bytea':
      if (!(value instanceof Uint8Array)) throw mismatch(type, value);
      return writeEscaped(w, value);
    case 'uuid': return writeUuid(w, type, value);
    case 'interval': return writeInterval(w, type, value);
    case 'json':
    case 'jsonb': throw new KeyEncodeError(`${type.kind} cannot be a key column`);
    default: return unreachable(type, 'key type');
  }
}

/** Appends one key column (marker and body). */
export function writeKeyValue(w: ByteWriter, type: SqlType, value: SqlValue): void {
  if (value === null) return w.u8(KeyMarker.Null);
  w.u8(KeyMarker.Value);
  writeBody(w, type, value);
}

/**
 * The memcomparable key of `values` under `types`. `values` may be shorter
 * than `types` (a prefix: its encoding is a byte prefix of every full key
 * starting with those values).
 */
/** Reused by encodeKey (never re-entered: writing a key value encodes no other key). */
const keyScratch = new ByteWriter(64);

export function encodeKey(types: readonly SqlType[], values: readonly SqlValue[]): Uint8Array {
  if (values.length > types.length) throw new KeyEncodeError(`${values.length} key values for ${types.length} key columns`);
  const w = keyScratch;
  w.reset();
  for (let i = 0; i < values.length; i++) writeKeyValue(w, types[i] as SqlType, values[i] ?? null);
  if (w.offset > keyBytesMax) throw new KeyEncodeError(`key of ${w.offset} bytes exceeds ${keyBytesMax}`);
  return w.finish();
}

/** The key of a hidden row id (tables without a primary key). */
export function encodeRowIdKey(rowId: bigint): Uint8Array {
  return encodeKey([{ kind: 'int8' }], [rowId]);
}
