// Binary wire format (PostgreSQL typsend/typreceive) per type. Encoders return
// the value's bytes without the length word; decoders take exactly one value's
// bytes and reject short or over-long input.

import { arrayDimensions, arrayDimensionsMax, flattenArray } from './array.js';
import { checkText, coerceBpchar, coerceVarchar, decodeUtf8, encodeUtf8 } from './character.js';
import { adjustTimePrecision, adjustTimestampPrecision } from './datetime/datetime-io.js';
import { isValidTimestamp, timestampNegativeInfinity, timestampPositiveInfinity } from './datetime/calendar.js';
import {
  assertNever, DatetimeFieldOverflowError, FeatureNotSupportedError, InvalidBinaryRepresentationError,
  ProtocolViolationError, SqlError,
} from './errors.js';
import { adjustIntervalForTypmod, makeInterval } from './interval.js';
import type { Interval } from './interval.js';
import { formatJsonb, parseJson, parseJsonb } from './json.js';
import type { Jsonb } from './json.js';
import { absBigInt, Decimal, pow10 } from './numeric/decimal.js';
import { applyNumericTypmod, numericTrunc } from './numeric/numeric-math.js';
import { typeOid, formatTypeName, typeFromOid } from './sql-type.js';
import type { ScalarSqlType, SqlType } from './sql-type.js';
import { uuidFromBytes, uuidToBytes } from './uuid.js';
import type { ScalarValue, SqlArray, SqlValue } from './value.js';

/** Bound on array elements decoded from one message (MaxArraySize). */
export const arrayElementsMax = 134_217_727;

class Writer {
  private buf = new Uint8Array(64);
  private view = new DataView(this.buf.buffer);
  length = 0;
  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  int16(v: number): void { this.reserve(2); this.view.setInt16(this.length, v); this.length += 2; }
  int32(v: number): void { this.reserve(4); this.view.setInt32(this.length, v); this.length += 4; }
  int64(v: bigint): void { this.reserve(8); this.view.setBigInt64(this.length, v); this.length += 8; }
  float32(v: number): void { this.reserve(4); this.view.setFloat32(this.length, v); this.length += 4; }
  float64(v: number): void { this.reserve(8); this.view.setFloat64(this.length, v); this.length += 8; }
  byte(v: number): void { this.reserve(1); this.buf[this.length++] = v; }
  bytes(b: Uint8Array): void { this.reserve(b.length); this.buf.set(b, this.length); this.length += b.length; }
  result(): Uint8Array { return this.buf.slice(0, this.length); }
}

class Reader {
  pos = 0;
  private readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  need(n: number): void {
    if (n < 0 || this.pos + n > this.bytes.length) throw new ProtocolViolationError('insufficient data left in message');
  }
  int16(): number { this.need(2); const v = this.view.getInt16(this.pos); this.pos += 2; return v; }
  uint16(): number { this.need(2); const v = this.view.getUint16(this.pos); this.pos += 2; return v; }
  int32(): number { this.need(4); const v = this.view.getInt32(this.pos); this.pos += 4; return v; }
  int64(): bigint { this.need(8); const v = this.view.getBigInt64(this.pos); this.pos += 8; return v; }
  float32(): number { this.need(4); const v = this.view.getFloat32(this.pos); this.pos += 4; return v; }
  float64(): number { this.need(8); const v = this.view.getFloat64(this.pos); this.pos += 8; return v; }
  byte(): number { this.need(1); return this.bytes[this.pos++] ?? 0; }
  take(n: number): Uint8Array { this.need(n); const b = this.bytes.subarray(this.pos, this.pos + n); this.pos += n; return b; }
  rest(): Uint8Array { return this.take(this.bytes.length - this.pos); }
  end(): void {
    if (this.pos !== this.bytes.length) throw new InvalidBinaryRepresentationError('incorrect binary data format');
  }
}

const numericSignPositive = 0x0000;
const numericSignNegative = 0x4000;
const numericSignNaN = 0xc000;
const numericSignPositiveInfinity = 0xd000;
const numericSignNegativeInfinity = 0xf000;
/** What numeric_send puts in the dscale word of ±Infinity (bits of PostgreSQL's short header). */
const numericInfinityDscaleWord = 0x20;
const numericBase = 10000n;

/** numeric_send: base-10000 digits, weight of the first, sign, display scale. */
function writeNumeric(w: Writer, d: Decimal): void {
  switch (d.kind) {
    case 'nan': w.int16(0); w.int16(0); w.int16(numericSignNaN); w.int16(0); return;
    case 'infinity': w.int16(0); w.int16(0); w.int16(numericSignPositiveInfinity); w.int16(numericInfinityDscaleWord); return;
    case '-infinity': w.int16(0); w.int16(0); w.int16(numericSignNegativeInfinity - 0x10000); w.int16(numericInfinityDscaleWord); return;
    case 'finite': break;
  }
  const fracPad = (4 - (d.scale % 4)) % 4;
  const fracGroups = (d.scale + fracPad) / 4;
  let v = absBigInt(d.coefficient) * pow10(fracPad);
  const groups: number[] = [];
  while (v > 0n) { groups.unshift(Number(v % numericBase)); v /= numericBase; }
  let weight = groups.length - fracGroups - 1;
  while (groups.length > 0 && groups[0] === 0) { groups.shift(); weight--; }
  while (groups.length > 0 && groups[groups.length - 1] === 0) groups.pop();
  if (groups.length === 0) weight = 0;
  w.int16(groups.length);
  w.int16(weight);
  w.int16(d.coefficient < 0n ? numericSignNegative : numericSignPositive);
  w.int16(d.scale);
  for (const g of groups) w.int16(g);
}

function readNumeric(r: Reader): Decimal {
  const ndigits = r.uint16();
  const weight = r.int16();
  const sign = r.uint16();
  const dscale = r.uint16();
  if (sign === numericSignNaN) return Decimal.NaN;
  if (sign === numericSignPositiveInfinity) return Decimal.Infinity;
  if (sign === numericSignNegativeInfinity) return Decimal.NegativeInfinity;
  if (sign !== numericSignPositive && sign !== numericSignNegative) {
    throw new InvalidBinaryRepresentationError('invalid sign in external "numeric" value');
  }
  if ((dscale & 0x3fff) !== dscale) throw new InvalidBinaryRepresentationError('invalid scale in external "numeric" value');
  let v = 0n;
  for (let i = 0; i < ndigits; i++) {
    const digit = r.int16();
    if (digit < 0 || digit >= 10000) throw new InvalidBinaryRepresentationError('invalid digit in external "numeric" value');
    v = v * numericBase + BigInt(digit);
  }
  // value = v × 10000^(weight - ndigits + 1)
  const exponent = 4 * (weight - ndigits + 1);
  const exact = exponent >= 0 ? Decimal.of(v * pow10(exponent), 0) : Decimal.ofUnchecked(v, -exponent);
  // numeric_recv truncates digits the display scale hides.
  const truncated = numericTrunc(exact, dscale);
  const signed = sign === numericSignNegative ? Decimal.of(-truncated.coefficient, truncated.scale) : truncated;
  return signed;
}

const jsonbVersion = 1;

function writeScalar(w: Writer, value: ScalarValue, type: ScalarSqlType): void {
  switch (type.kind) {
    case 'bool': w.byte(value ? 1 : 0); return;
    case 'int2': w.int16(value as number); return;
    case 'int4': case 'date': w.int32(value as number); return;
    case 'int8': case 'timestamp': case 'timestamptz': w.int64(value as bigint); return;
    case 'time': w.int64(BigInt(value as number)); return;
    case 'float4': w.float32(value as number); return;
    case 'float8': w.float64(value as number); return;
    case 'numeric': writeNumeric(w, value as Decimal); return;
    case 'text': case 'varchar': case 'bpchar': case 'json': w.bytes(encodeUtf8(value as string)); return;
    case 'jsonb': w.byte(jsonbVersion); w.bytes(encodeUtf8(formatJsonb(value as Jsonb))); return;
    case 'bytea': w.bytes(value as Uint8Array); return;
    case 'uuid': w.bytes(uuidToBytes(value as string)); return;
    case 'interval': {
      const iv = value as Interval;
      w.int64(iv.micros); w.int32(iv.days); w.int32(iv.months);
      return;
    }
    default: assertNever(type, 'type kind');
  }
}

function readTimestamp(r: Reader, precision: number | null): bigint {
  const v = r.int64();
  if (v !== timestampNegativeInfinity && v !== timestampPositiveInfinity && !isValidTimestamp(v)) {
    throw new DatetimeFieldOverflowError('timestamp out of range');
  }
  return adjustTimestampPrecision(v, precision);
}

function readScalar(r: Reader, type: ScalarSqlType): ScalarValue {
  switch (type.kind) {
    case 'bool': return r.byte() !== 0;
    case 'int2': return r.int16();
    case 'int4': return r.int32();
    case 'int8': return r.int64();
    case 'float4': return r.float32();
    case 'float8': return r.float64();
    case 'numeric': {
      const d = readNumeric(r);
      return type.precision === null ? d : applyNumericTypmod(d, type.precision, type.scale ?? 0);
    }
    case 'text': return decodeUtf8(r.rest());
    case 'varchar': { const s = decodeUtf8(r.rest()); return type.length === null ? s : coerceVarchar(s, type.length, 'assignment'); }
    case 'bpchar': { const s = decodeUtf8(r.rest()); return type.length === null ? s : coerceBpchar(s, type.length, 'assignment'); }
    case 'json': return parseJson(decodeUtf8(r.rest()));
    case 'jsonb': {
      const version = r.byte();
      if (version !== jsonbVersion) throw new InvalidBinaryRepresentationError(`unsupported jsonb version number ${version}`);
      return parseJsonb(checkText(decodeUtf8(r.rest())));
    }
    case 'bytea': return r.rest().slice();
    case 'uuid': return uuidFromBytes(r.take(16));
    case 'date': return r.int32();
    case 'time': {
      const t = r.int64();
      if (t < 0n || t > 86_400_000_000n) throw new DatetimeFieldOverflowError('time out of range');
      return adjustTimePrecision(Number(t), type.precision);
    }
    case 'timestamp': case 'timestamptz': return readTimestamp(r, type.precision);
    case 'interval': {
      const micros = r.int64();
      const days = r.int32();
      const months = r.int32();
      return adjustIntervalForTypmod(makeInterval(months, days, micros), type.fields, type.precision);
    }
    default: return assertNever(type, 'type kind');
  }
}

/** array_send: dimensions, null flag, element OID, then length-prefixed elements. */
function writeArray(w: Writer, value: SqlArray, element: ScalarSqlType): void {
  const dims = arrayDimensions(value);
  const items = flattenArray(value);
  w.int32(dims.length);
  w.int32(items.some((v) => v === null) ? 1 : 0);
  w.int32(typeOid(element));
  for (const d of dims) { w.int32(d); w.int32(1); }
  for (const item of items) {
    if (item === null) { w.int32(-1); continue; }
    const inner = new Writer();
    writeScalar(inner, item as ScalarValue, element);
    w.int32(inner.length);
    w.bytes(inner.result());
  }
}

function readArrayHeader(r: Reader, element: ScalarSqlType): number[] {
  const ndim = r.int32();
  const flags = r.int32();
  const elementOid = r.int32();
  if (ndim < 0) throw new InvalidBinaryRepresentationError(`invalid number of dimensions: ${ndim}`);
  if (ndim > arrayDimensionsMax) {
    throw new InvalidBinaryRepresentationError(`number of array dimensions (${ndim}) exceeds the maximum allowed (${arrayDimensionsMax})`);
  }
  if (flags !== 0 && flags !== 1) throw new InvalidBinaryRepresentationError('invalid array flags');
  if (elementOid !== typeOid(element)) {
    const sent = typeFromOid(elementOid);
    throw new SqlError('42804', `binary data has array element type ${elementOid} (${sent === undefined ? '???' : formatTypeName(sent)}) instead of expected ${typeOid(element)} (${formatTypeName(element)})`);
  }
  const dims: number[] = [];
  let total = ndim === 0 ? 0 : 1;
  for (let i = 0; i < ndim; i++) {
    const length = r.int32();
    const lower = r.int32();
    if (lower !== 1 && length > 0) throw new FeatureNotSupportedError('array lower bounds other than 1 are not supported');
    dims.push(length);
    total *= length;
  }
  if (total < 0 || total > arrayElementsMax) throw new InvalidBinaryRepresentationError(`array size exceeds the maximum allowed (${arrayElementsMax})`);
  return dims;
}

function readArray(r: Reader, element: ScalarSqlType): SqlArray {
  const dims = readArrayHeader(r, element);
  if (dims.length === 0 || dims.includes(0)) return [];
  const build = (depth: number, counter: { n: number }): SqlValue[] => {
    const out: SqlValue[] = [];
    for (let i = 0; i < (dims[depth] ?? 0); i++) {
      if (depth < dims.length - 1) { out.push(build(depth + 1, counter)); continue; }
      counter.n++;
      const length = r.int32();
      if (length === -1) { out.push(null); continue; }
      if (length < -1) throw new InvalidBinaryRepresentationError(`improper binary format in array element ${counter.n}`);
      const inner = new Reader(r.take(length));
      out.push(readScalar(inner, element));
      if (inner.pos !== length) throw new InvalidBinaryRepresentationError(`improper binary format in array element ${counter.n}`);
    }
    return out;
  };
  return build(0, { n: 0 });
}

/** typsend: the binary form of a non-null value. */
export function encodeBinary(value: SqlValue, type: SqlType): Uint8Array {
  if (value === null) throw new Error('encodeBinary: NULL is sent as length -1 by the caller');
  const w = new Writer();
  if (type.kind === 'array') writeArray(w, value as SqlArray, type.element); else writeScalar(w, value as ScalarValue, type);
  return w.result();
}

/** typreceive: exactly one value's bytes to a value. */
export function decodeBinary(bytes: Uint8Array, type: SqlType): SqlValue {
  const r = new Reader(bytes);
  const value = type.kind === 'array' ? readArray(r, type.element) : readScalar(r, type);
  r.end();
  return value;
}
