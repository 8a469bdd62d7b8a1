// Per-type binary encodings of one non-null value (rows carry nulls in a
// bitmap). Fixed widths for fixed-width types, varuint lengths otherwise.
// Encoders check that the value fits its type (EntryEncodeError: an executor
// bug); decoders check canonical form and limits (EntryDecodeError).

import { unreachable } from '../assert.js';
import type { ByteReader } from './byte-reader.js';
import type { ByteWriter } from './byte-writer.js';
import { EntryDecodeError, EntryEncodeError } from './errors.js';
import { arrayDimensionsMax, arrayElementsMax, jsonbDepthMax, valueBytesMax } from './limits.js';
import {
  Decimal, Jsonb, JsonbObject, numericDisplayScaleMax, type Interval, type JsonbValue, type ScalarSqlType, type SqlType,
  type SqlValue,
} from './query-types.js';

/** Writes and reads one non-null value of a type. */
export interface ValueCodec {
  write(w: ByteWriter, value: SqlValue): void;
  read(r: ByteReader): SqlValue;
}

const int16Min = -32768;
const int16Max = 32767;
const int32Min = -2147483648;
const int32Max = 2147483647;
const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;
const timeOfDayMicrosMax = 86_400_000_000; // 24:00:00 is a valid time
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const uuidBytes = 16;
/** Bytes of a numeric coefficient: 10^131072 * 10^16383 fits in about 60 kB. */
const numericCoefficientBytesMax = 64 * 1024;

declare global {
  interface String {
    /** ES2024, in Node 20; the project's lib is ES2023. */
    isWellFormed(): boolean;
  }
}

/**
 * Whether UTF-8 can carry the text (no unpaired surrogates). The native
 * check: a /\p{Cs}/u test per value was a visible share of a COPY (issue 5).
 */
function isWellFormed(text: string): boolean {
  return text.isWellFormed();
}

function mismatch(type: string, value: unknown): EntryEncodeError {
  const shown = typeof value === 'bigint' ? `${value}n` : typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : String(value);
  return new EntryEncodeError(`value ${shown} (${typeof value}) does not fit type ${type}`);
}

function intCodec(kind: string, min: number, max: number, width: 2 | 4): ValueCodec {
  return {
    write(w, v) {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw mismatch(kind, v);
      if (width === 2) w.i16(v);
      else w.i32(v);
    },
    read: (r) => (width === 2 ? r.i16() : r.i32()),
  };
}

function int64Codec(kind: string): ValueCodec {
  return {
    write(w, v) {
      if (typeof v !== 'bigint' || v < int64Min || v > int64Max) throw mismatch(kind, v);
      w.i64(v);
    },
    read: (r) => r.i64(),
  };
}

const boolCodec: ValueCodec = {
  write(w, v) {
    if (typeof v !== 'boolean') throw mismatch('bool', v);
    w.u8(v ? 1 : 0);
  },
  read(r) {
    const b = r.u8();
    if (b > 1) throw new EntryDecodeError('malformed', `bool byte ${b}`);
    return b === 1;
  },
};

function floatCodec(kind: 'float4' | 'float8'): ValueCodec {
  return {
    write(w, v) {
      if (typeof v !== 'number') throw mismatch(kind, v);
      if (kind === 'float4') {
        if (!Number.isNaN(v) && Math.fround(v) !== v) throw mismatch(kind, v);
        w.f32(v);
      } else {
        w.f64(v);
      }
    },
    read: (r) => (kind === 'float4' ? r.f32() : r.f64()),
  };
}

/** time: microseconds of the day, a safe integer held as a float64 (exact below 2^53). */
const timeCodec: ValueCodec = {
  write(w, v) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > timeOfDayMicrosMax) throw mismatch('time', v);
    w.f64(v);
  },
  read(r) {
    const v = r.f64();
    if (!Number.isInteger(v) || v < 0 || v > timeOfDayMicrosMax) throw new EntryDecodeError('malformed', `time ${v}`);
    return v;
  },
};

function textCodec(kind: string): ValueCodec {
  return {
    write(w, v) {
      if (typeof v !== 'string' || !isWellFormed(v)) throw mismatch(kind, v);
      w.utf8(v);
    },
    read: (r) => r.utf8(valueBytesMax, kind),
  };
}

const byteaCodec: ValueCodec = {
  write(w, v) {
    if (!(v instanceof Uint8Array)) throw mismatch('bytea', v);
    w.bytesWithLength(v);
  },
  // A copy: the value must not pin (or alias) the entry buffer it came from.
  read: (r) => r.bytesWithLength(valueBytesMax, 'bytea').slice(),
};

const uuidCodec: ValueCodec = {
  write(w, v) {
    if (typeof v !== 'string' || !uuidPattern.test(v)) throw mismatch('uuid', v);
    const hex = v.replaceAll('-', '');
    for (let i = 0; i < uuidBytes; i++) w.u8(Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16));
  },
  read(r) {
    let hex = '';
    for (const b of r.raw(uuidBytes)) hex += b.toString(16).padStart(2, '0');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  },
};

function isInterval(v: SqlValue): v is Interval {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && 'months' in v && 'days' in v && 'micros' in v;
}

const intervalCodec: ValueCodec = {
  write(w, v) {
    if (!isInterval(v) || !Number.isInteger(v.months) || !Number.isInteger(v.days) || typeof v.micros !== 'bigint') throw mismatch('interval', v);
    if (v.months < int32Min || v.months > int32Max || v.days < int32Min || v.days > int32Max) throw mismatch('interval', v);
    if (v.micros < int64Min || v.micros > int64Max) throw mismatch('interval', v);
    w.i32(v.months);
    w.i32(v.days);
    w.i64(v.micros);
  },
  read(r): Interval {
    const months = r.i32();
    const days = r.i32();
    return { months: months === 0 ? 0 : months, days: days === 0 ? 0 : days, micros: r.i64() };
  },
};

// numeric: [u8 kind] then, when finite, [varuint scale][u8 sign][varuint n][n bytes of |coefficient|, big-endian].
const NumericTag = { Finite: 0, NaN: 1, Infinity: 2, NegativeInfinity: 3 } as const;

/** Largest coefficient magnitude the Number paths carry exactly (2^53 - 1). */
const magnitudeNumberMax = BigInt(Number.MAX_SAFE_INTEGER);
/** Coefficient bytes a Number holds exactly whatever their value (6 bytes = 48 bits < 2^53). */
const magnitudeNumberBytesMax = 6;
/** The Number paths hold coefficient bytes in 6-byte (48-bit) chunks beyond that. */
const chunkBits = 48n;

function writeDecimal(w: ByteWriter, d: Decimal): void {
  switch (d.kind) {
    case 'nan': return w.u8(NumericTag.NaN);
    case 'infinity': return w.u8(NumericTag.Infinity);
    case '-infinity': return w.u8(NumericTag.NegativeInfinity);
    case 'finite': break;
    default: return unreachable(d.kind, 'numeric kind');
  }
  w.u8(NumericTag.Finite);
  w.varuint(d.scale);
  const negative = d.coefficient < 0n;
  w.u8(negative ? 1 : 0);
  const magnitude = negative ? -d.coefficient : d.coefficient;
  // Coefficients below 2^53 (all of numeric(15,2), most data) as a Number:
  // the same bytes without the hex string and two buffers a value (issue 5).
  if (magnitude <= magnitudeNumberMax) w.bigEndianUintWithLength(Number(magnitude));
  else w.bytesWithLength(Buffer.from(evenHex(magnitude), 'hex'));
}

function evenHex(magnitude: bigint): string {
  const hex = magnitude.toString(16);
  return hex.length % 2 === 0 ? hex : `0${hex}`;
}

function readDecimal(r: ByteReader): Decimal {
  const tag = r.u8();
  if (tag === NumericTag.NaN) return Decimal.NaN;
  if (tag === NumericTag.Infinity) return Decimal.Infinity;
  if (tag === NumericTag.NegativeInfinity) return Decimal.NegativeInfinity;
  if (tag !== NumericTag.Finite) throw new EntryDecodeError('malformed', `numeric tag ${tag}`);
  const scale = r.count(numericDisplayScaleMax, 'numeric scale');
  const sign = r.u8();
  const length = r.count(numericCoefficientBytesMax, 'numeric coefficient bytes');
  // Read in place: a view per value was a measurable share of a bulk apply.
  const at = r.skip(length);
  const bytes = r.input();
  if (sign > 1 || (length > 0 && bytes[at] === 0) || (length === 0 && sign === 1)) {
    throw new EntryDecodeError('malformed', 'numeric coefficient not in canonical form');
  }
  const magnitude = length <= magnitudeNumberBytesMax ? BigInt(bigEndianUint(bytes, at, length)) : bigEndianMagnitude(bytes, at, length);
  try {
    return Decimal.of(sign === 1 ? -magnitude : magnitude, scale);
  } catch {
    throw new EntryDecodeError('malformed', 'numeric beyond its storage limits');
  }
}

/** `length` (at most 6) big-endian bytes at `at` as a Number (exact: below 2^48). */
function bigEndianUint(bytes: Uint8Array, at: number, length: number): number {
  let value = 0;
  for (let i = at; i < at + length; i++) value = value * 256 + (bytes[i] ?? 0);
  return value;
}

/** Any number of big-endian bytes as a bigint, 48 bits at a time (no hex string). */
function bigEndianMagnitude(bytes: Uint8Array, at: number, length: number): bigint {
  const head = length % magnitudeNumberBytesMax;
  let magnitude = BigInt(bigEndianUint(bytes, at, head));
  for (let i = at + head; i < at + length; i += magnitudeNumberBytesMax) {
    magnitude = (magnitude << chunkBits) | BigInt(bigEndianUint(bytes, i, magnitudeNumberBytesMax));
  }
  return magnitude;
}

const numericCodec: ValueCodec = {
  write(w, v) {
    if (!(v instanceof Decimal)) throw mismatch('numeric', v);
    writeDecimal(w, v);
  },
  read: readDecimal,
};

// jsonb: a tree of tagged nodes.
const JsonbTag = { Null: 0, False: 1, True: 2, String: 3, Number: 4, Array: 5, Object: 6 } as const;

function writeJsonb(w: ByteWriter, node: JsonbValue, depth: number): void {
  if (depth > jsonbDepthMax) throw new EntryEncodeError(`jsonb nested deeper than ${jsonbDepthMax}`);
  if (node === null) return w.u8(JsonbTag.Null);
  if (typeof node === 'boolean') return w.u8(node ? JsonbTag.True : JsonbTag.False);
  if (typeof node === 'string') {
    if (!isWellFormed(node)) throw mismatch('jsonb string', node);
    w.u8(JsonbTag.String);
    return w.utf8(node);
  }
  if (node instanceof Decimal) {
    w.u8(JsonbTag.Number);
    return writeDecimal(w, node);
  }
  if (node instanceof JsonbObject) {
    w.u8(JsonbTag.Object);
    w.varuint(node.keys.length);
    node.keys.forEach((key, i) => {
      w.utf8(key);
      writeJsonb(w, node.values[i] ?? null, depth + 1);
    });
    return;
  }
  if (!Array.isArray(node)) throw mismatch('jsonb node', node);
  w.u8(JsonbTag.Array);
  w.varuint(node.length);
  for (const item of node as readonly JsonbValue[]) writeJsonb(w, item, depth + 1);
}

function readJsonb(r: ByteReader, depth: number): JsonbValue {
  if (depth > jsonbDepthMax) throw new EntryDecodeError('limit', `jsonb nested deeper than ${jsonbDepthMax}`);
  const tag = r.u8();
  switch (tag) {
    case JsonbTag.Null: return null;
    case JsonbTag.False: return false;
    case JsonbTag.True: return true;
    case JsonbTag.String: return r.utf8(valueBytesMax, 'jsonb string');
    case JsonbTag.Number: return readDecimal(r);
    case JsonbTag.Array: {
      const n = r.count(Math.min(arrayElementsMax, r.remaining), 'jsonb array length');
      return Array.from({ length: n }, () => readJsonb(r, depth + 1));
    }
    case JsonbTag.Object: {
      const n = r.count(Math.min(arrayElementsMax, r.remaining), 'jsonb object size');
      const keys: string[] = [];
      const values: JsonbValue[] = [];
      for (let i = 0; i < n; i++) {
        keys.push(r.utf8(valueBytesMax, 'jsonb key'));
        values.push(readJsonb(r, depth + 1));
      }
      return new JsonbObject(keys, values);
    }
    default: throw new EntryDecodeError('malformed', `jsonb tag ${tag}`);
  }
}

const jsonbCodec: ValueCodec = {
  write(w, v) {
    if (!(v instanceof Jsonb)) throw mismatch('jsonb', v);
    writeJsonb(w, v.root, 0);
  },
  read: (r) => new Jsonb(readJsonb(r, 0)),
};

// Arrays: [varuint n] then per element [u8 tag: 0 null, 1 value, 2 nested array].
const ArrayTag = { Null: 0, Value: 1, Nested: 2 } as const;

function arrayCodec(element: ValueCodec, elementKind: string): ValueCodec {
  const write = (w: ByteWriter, v: SqlValue, depth: number): void => {
    if (!Array.isArray(v)) throw mismatch(`${elementKind}[]`, v);
    if (depth > arrayDimensionsMax) throw new EntryEncodeError(`array nested deeper than ${arrayDimensionsMax}`);
    const items = v as readonly SqlValue[];
    w.varuint(items.length);
    for (const item of items) {
      if (item === null) {
        w.u8(ArrayTag.Null);
      } else if (Array.isArray(item)) {
        w.u8(ArrayTag.Nested);
        write(w, item, depth + 1);
      } else {
        w.u8(ArrayTag.Value);
        element.write(w, item);
      }
    }
  };
  const read = (r: ByteReader, depth: number): SqlValue[] => {
    if (depth > arrayDimensionsMax) throw new EntryDecodeError('limit', `array nested deeper than ${arrayDimensionsMax}`);
    const n = r.count(Math.min(arrayElementsMax, r.remaining), 'array length');
    const items: SqlValue[] = [];
    for (let i = 0; i < n; i++) {
      const tag = r.u8();
      if (tag === ArrayTag.Null) items.push(null);
      else if (tag === ArrayTag.Value) items.push(element.read(r));
      else if (tag === ArrayTag.Nested) items.push(read(r, depth + 1));
      else throw new EntryDecodeError('malformed', `array element tag ${tag}`);
    }
    return items;
  };
  return { write: (w, v) => write(w, v, 1), read: (r) => read(r, 1) };
}

function scalarCodec(type: ScalarSqlType): ValueCodec {
  switch (type.kind) {
    case 'bool': return boolCodec;
    case 'int2': return intCodec('int2', int16Min, int16Max, 2);
    case 'int4': return intCodec('int4', int32Min, int32Max, 4);
    case 'date': return intCodec('date', int32Min, int32Max, 4);
    case 'int8':
    case 'timestamp':
    case 'timestamptz': return int64Codec(type.kind);
    case 'float4':
    case 'float8': return floatCodec(type.kind);
    case 'time': return timeCodec;
    case 'numeric': return numericCodec;
    case 'text':
    case 'varchar':
    case 'bpchar':
    case 'json': return textCodec(type.kind);
    case 'bytea': return byteaCodec;
    case 'uuid': return uuidCodec;
    case 'interval': return intervalCodec;
    case 'jsonb': return jsonbCodec;
    default: return unreachable(type, 'scalar type');
  }
}

/** The codec of one column type (arrays of any scalar type included). */
export function valueCodecFor(type: SqlType): ValueCodec {
  return type.kind === 'array' ? arrayCodec(scalarCodec(type.element), type.element.kind) : scalarCodec(type);
}
