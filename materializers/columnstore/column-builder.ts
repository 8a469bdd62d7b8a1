// Column builders: the open segment appends one value per row into
// preallocated typed arrays (capacity = the segment's row count), tracking
// NULLs and the zone map as it goes. `view()` hands out vectors over the rows
// written so far; later appends never change those rows, so a view taken by a
// scan stays valid. `seal()` copies into exactly sized arrays.

import { invariant, unreachable } from '../assert.js';
import { ByteWriter, Decimal, valueCodecFor, type SqlType, type SqlValue, type ValueCodec } from '../entries/index.js';
import { ColumnValueError } from './errors.js';
import { compareText, decimal64Scale, isNullAt, vectorKindOf, type ColumnVector, type ZoneMap } from './vectors.js';

const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;

export interface ColumnBuilder {
  readonly type: SqlType;
  readonly length: number;
  /** Appends one value of the column's type (null for NULL). Throws ColumnValueError on a value of the wrong shape. */
  append(value: SqlValue): void;
  /** Rows [0, length) as a vector sharing this builder's arrays. */
  view(): ColumnVector;
  /** Rows [0, length) in exactly sized arrays. */
  seal(): ColumnVector;
  zone(): ZoneMap;
  /** Bytes held by variable-length data (a segment seals before offsets could overflow). */
  readonly variableBytes: number;
  /** Reallocates for `rows` rows (more than now), copying; views handed out earlier keep the old arrays. */
  grow(rows: number): void;
}

export interface BuilderOptions {
  /** Distinct values a text column keeps dictionary-encoded before switching to offsets + bytes. */
  readonly dictionaryEntriesMax: number;
}

const utf8Encoder = new TextEncoder();
/** Text up to this many UTF-16 units takes appendUtf8()'s byte-by-byte ASCII path. */
const asciiFastPathCharsMax = 256;
/** UTF-8 bytes a UTF-16 unit can take at most (a lone surrogate becomes U+FFFD, 3 bytes). */
const utf8BytesPerUnitMax = 3;

/** An append-only byte buffer; growing copies into a new buffer, so earlier views keep their bytes. */
export class GrowableBytes {
  bytes = new Uint8Array(1024);
  length = 0;

  append(chunk: Uint8Array): void {
    this.reserve(chunk.length);
    this.bytes.set(chunk, this.length);
    this.length += chunk.length;
  }

  /**
   * The text's UTF-8 (what Buffer.from(text) gives), written in place: a
   * Buffer per value was a visible share of a bulk load's column appends
   * (issue 5). Short ASCII text byte by byte, anything else by encodeInto.
   */
  appendUtf8(text: string): void {
    const n = text.length;
    this.reserve(n * utf8BytesPerUnitMax);
    const bytes = this.bytes;
    if (n <= asciiFastPathCharsMax) {
      let at = this.length;
      let ascii = true;
      for (let i = 0; i < n && ascii; i++) {
        const code = text.charCodeAt(i);
        if (code >= 0x80) ascii = false;
        else bytes[at++] = code;
      }
      if (ascii) {
        this.length = at;
        return;
      }
    }
    const { written } = utf8Encoder.encodeInto(text, bytes.subarray(this.length));
    this.length += written;
  }

  private reserve(extraBytes: number): void {
    if (this.length + extraBytes <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + extraBytes));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }
}

abstract class BaseBuilder {
  length = 0;
  nullCount = 0;
  protected nullBits: Uint8Array;

  constructor(readonly type: SqlType, protected capacity: number) {
    this.nullBits = new Uint8Array(Math.ceil(capacity / 8));
  }

  grow(rows: number): void {
    invariant(rows > this.capacity, 'builders only grow');
    this.capacity = rows;
    const nullBits = new Uint8Array(Math.ceil(rows / 8));
    nullBits.set(this.nullBits);
    this.nullBits = nullBits;
    this.growValues(rows);
  }

  protected abstract growValues(rows: number): void;

  get variableBytes(): number {
    return 0;
  }

  append(value: SqlValue): void {
    if (this.length >= this.capacity) throw new ColumnValueError(`column builder full at ${this.capacity} rows`);
    if (value === null) {
      this.nullBits[this.length >> 3] = (this.nullBits[this.length >> 3] ?? 0) | (1 << (this.length & 7));
      this.nullCount++;
      this.storeNull(this.length);
    } else {
      this.store(this.length, value);
    }
    this.length++;
  }

  protected storeNull(_row: number): void {
    // Typed arrays are zero-filled: nothing to do for fixed-width kinds.
  }

  protected abstract store(row: number, value: SqlValue): void;

  protected nullsView(): Uint8Array | null {
    return this.nullCount === 0 ? null : this.nullBits.subarray(0, Math.ceil(this.length / 8));
  }

  protected nullsCopy(): Uint8Array | null {
    return this.nullCount === 0 ? null : this.nullBits.slice(0, Math.ceil(this.length / 8));
  }

  protected mismatch(value: SqlValue): ColumnValueError {
    return new ColumnValueError(`value of JavaScript type ${typeof value} does not fit a ${this.type.kind} column`);
  }
}

type NumberArray = Int16Array | Int32Array | Float32Array | Float64Array;

/** int2, int4, date, float4, float8, time: JavaScript numbers. */
class NumberBuilder extends BaseBuilder implements ColumnBuilder {
  private values: NumberArray;
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;
  private hasNaN = false;

  constructor(type: SqlType, capacity: number, private readonly kind: 'int16' | 'int32' | 'float32' | 'float64') {
    super(type, capacity);
    this.values = NumberBuilder.allocate(kind, capacity);
  }

  private static allocate(kind: 'int16' | 'int32' | 'float32' | 'float64', rows: number): NumberArray {
    return kind === 'int16' ? new Int16Array(rows) : kind === 'int32' ? new Int32Array(rows)
      : kind === 'float32' ? new Float32Array(rows) : new Float64Array(rows);
  }

  protected growValues(rows: number): void {
    const grown = NumberBuilder.allocate(this.kind, rows);
    grown.set(this.values);
    this.values = grown;
  }

  protected store(row: number, value: SqlValue): void {
    if (typeof value !== 'number') throw this.mismatch(value);
    this.values[row] = value;
    if (Number.isNaN(value)) this.hasNaN = true;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  private vector(values: NumberArray, nulls: Uint8Array | null): ColumnVector {
    const { length } = this;
    switch (this.kind) {
      case 'int16': return { kind: 'int16', length, nulls, values: values as Int16Array };
      case 'int32': return { kind: 'int32', length, nulls, values: values as Int32Array };
      case 'float32': return { kind: 'float32', length, nulls, values: values as Float32Array };
      case 'float64': return { kind: 'float64', length, nulls, values: values as Float64Array };
      default: return unreachable(this.kind, 'number vector kind');
    }
  }

  view(): ColumnVector {
    return this.vector(this.values.subarray(0, this.length), this.nullsView());
  }

  seal(): ColumnVector {
    return this.vector(this.values.slice(0, this.length), this.nullsCopy());
  }

  zone(): ZoneMap {
    const some = this.length > this.nullCount;
    const max = this.hasNaN ? Number.NaN : this.max;
    // Only NaNs: min is NaN too (NaN sorts above everything in PostgreSQL).
    const min = this.min === Number.POSITIVE_INFINITY && this.hasNaN ? Number.NaN : this.min;
    return { rowCount: this.length, nullCount: this.nullCount, min: some ? min : null, max: some ? max : null };
  }
}

/** int8, timestamp, timestamptz: bigints. */
class BigIntBuilder extends BaseBuilder implements ColumnBuilder {
  private values: BigInt64Array;
  private min: bigint | null = null;
  private max: bigint | null = null;

  constructor(type: SqlType, capacity: number) {
    super(type, capacity);
    this.values = new BigInt64Array(capacity);
  }

  protected growValues(rows: number): void {
    const grown = new BigInt64Array(rows);
    grown.set(this.values);
    this.values = grown;
  }

  protected store(row: number, value: SqlValue): void {
    if (typeof value !== 'bigint') throw this.mismatch(value);
    this.values[row] = value;
    if (this.min === null || value < this.min) this.min = value;
    if (this.max === null || value > this.max) this.max = value;
  }

  view(): ColumnVector {
    return { kind: 'int64', length: this.length, nulls: this.nullsView(), values: this.values.subarray(0, this.length) };
  }

  seal(): ColumnVector {
    return { kind: 'int64', length: this.length, nulls: this.nullsCopy(), values: this.values.slice(0, this.length) };
  }

  zone(): ZoneMap {
    return { rowCount: this.length, nullCount: this.nullCount, min: this.min, max: this.max };
  }
}

class BoolBuilder extends BaseBuilder implements ColumnBuilder {
  private values: Uint8Array;
  private seen = 0; // bit 0: false seen, bit 1: true seen

  constructor(type: SqlType, capacity: number) {
    super(type, capacity);
    this.values = new Uint8Array(capacity);
  }

  protected growValues(rows: number): void {
    const grown = new Uint8Array(rows);
    grown.set(this.values);
    this.values = grown;
  }

  protected store(row: number, value: SqlValue): void {
    if (typeof value !== 'boolean') throw this.mismatch(value);
    this.values[row] = value ? 1 : 0;
    this.seen |= value ? 2 : 1;
  }

  view(): ColumnVector {
    return { kind: 'bool', length: this.length, nulls: this.nullsView(), values: this.values.subarray(0, this.length) };
  }

  seal(): ColumnVector {
    return { kind: 'bool', length: this.length, nulls: this.nullsCopy(), values: this.values.slice(0, this.length) };
  }

  zone(): ZoneMap {
    const min = this.seen === 0 ? null : (this.seen & 1) !== 0 ? false : true;
    const max = this.seen === 0 ? null : (this.seen & 2) !== 0;
    return { rowCount: this.length, nullCount: this.nullCount, min, max };
  }
}

/** Offsets + encoded bytes: utf8 text, or any type in the log's value encoding. */
class BytesBuilder extends BaseBuilder implements ColumnBuilder {
  private offsets: Uint32Array;
  private readonly data = new GrowableBytes();
  private readonly codec: ValueCodec | null;
  private min: string | null = null;
  private max: string | null = null;

  constructor(type: SqlType, capacity: number, private readonly kind: 'utf8' | 'generic') {
    super(type, capacity);
    this.offsets = new Uint32Array(capacity + 1);
    this.codec = kind === 'generic' ? valueCodecFor(type) : null;
  }

  override get variableBytes(): number {
    return this.data.length;
  }

  protected growValues(rows: number): void {
    const grown = new Uint32Array(rows + 1);
    grown.set(this.offsets);
    this.offsets = grown;
  }

  protected override storeNull(row: number): void {
    this.offsets[row + 1] = this.data.length;
  }

  protected store(row: number, value: SqlValue): void {
    if (this.codec === null) {
      if (typeof value !== 'string') throw this.mismatch(value);
      this.data.appendUtf8(value);
      if (this.min === null || compareText(value, this.min) < 0) this.min = value;
      if (this.max === null || compareText(value, this.max) > 0) this.max = value;
    } else {
      const w = new ByteWriter(32);
      try {
        this.codec.write(w, value);
      } catch (error) {
        throw new ColumnValueError(`value does not fit a ${this.type.kind} column: ${String(error)}`);
      }
      this.data.append(w.finish());
    }
    this.offsets[row + 1] = this.data.length;
  }

  private vector(offsets: Uint32Array, bytes: Uint8Array, nulls: Uint8Array | null): ColumnVector {
    return this.kind === 'utf8'
      ? { kind: 'utf8', length: this.length, nulls, offsets, bytes }
      : { kind: 'generic', type: this.type, length: this.length, nulls, offsets, bytes };
  }

  view(): ColumnVector {
    return this.vector(this.offsets.subarray(0, this.length + 1), this.data.bytes.subarray(0, this.data.length), this.nullsView());
  }

  seal(): ColumnVector {
    return this.vector(this.offsets.slice(0, this.length + 1), this.data.bytes.slice(0, this.data.length), this.nullsCopy());
  }

  zone(): ZoneMap {
    return { rowCount: this.length, nullCount: this.nullCount, min: this.min, max: this.max };
  }
}

/** text, varchar, bpchar: dictionary codes while the dictionary stays small, then offsets + UTF-8 bytes. */
class TextBuilder implements ColumnBuilder {
  private codes: Uint32Array | null;
  private readonly dictionary: string[] = [];
  private readonly codeOf = new Map<string, number>();
  private plain: BytesBuilder | null = null;
  private nullBits: Uint8Array;
  private nullCount = 0;
  private min: string | null = null;
  private max: string | null = null;
  length = 0;

  constructor(readonly type: SqlType, private capacity: number, private readonly options: BuilderOptions) {
    this.codes = new Uint32Array(capacity);
    this.nullBits = new Uint8Array(Math.ceil(capacity / 8));
  }

  get variableBytes(): number {
    return this.plain?.variableBytes ?? 0;
  }

  grow(rows: number): void {
    invariant(rows > this.capacity, 'builders only grow');
    this.capacity = rows;
    if (this.plain !== null) {
      this.plain.grow(rows);
      return;
    }
    const codes = new Uint32Array(rows);
    codes.set(this.codes as Uint32Array);
    this.codes = codes;
    const nullBits = new Uint8Array(Math.ceil(rows / 8));
    nullBits.set(this.nullBits);
    this.nullBits = nullBits;
  }

  append(value: SqlValue): void {
    if (this.plain !== null) {
      this.plain.append(value);
      this.length++;
      return;
    }
    if (value !== null && typeof value !== 'string') throw new ColumnValueError(`value of JavaScript type ${typeof value} does not fit a ${this.type.kind} column`);
    if (this.length >= this.capacity) throw new ColumnValueError(`column builder full at ${this.capacity} rows`);
    const codes = this.codes as Uint32Array;
    if (value === null) {
      this.nullBits[this.length >> 3] = (this.nullBits[this.length >> 3] ?? 0) | (1 << (this.length & 7));
      this.nullCount++;
      this.length++;
      return;
    }
    let code = this.codeOf.get(value);
    if (code === undefined) {
      if (this.dictionary.length >= this.options.dictionaryEntriesMax) {
        this.switchToPlain();
        this.append(value);
        return;
      }
      code = this.dictionary.length;
      this.dictionary.push(value);
      this.codeOf.set(value, code);
      if (this.min === null || compareText(value, this.min) < 0) this.min = value;
      if (this.max === null || compareText(value, this.max) > 0) this.max = value;
    }
    codes[this.length++] = code;
  }

  private switchToPlain(): void {
    const plain = new BytesBuilder(this.type, this.capacity, 'utf8');
    const codes = this.codes as Uint32Array;
    for (let i = 0; i < this.length; i++) {
      const isNull = (((this.nullBits[i >> 3] ?? 0) >> (i & 7)) & 1) === 1;
      plain.append(isNull ? null : (this.dictionary[codes[i] ?? 0] ?? null));
    }
    this.plain = plain;
    this.codes = null;
  }

  view(): ColumnVector {
    if (this.plain !== null) return this.plain.view();
    const nulls = this.nullCount === 0 ? null : this.nullBits.subarray(0, Math.ceil(this.length / 8));
    return { kind: 'dict', length: this.length, nulls, codes: (this.codes as Uint32Array).subarray(0, this.length), dictionary: this.dictionary };
  }

  seal(): ColumnVector {
    if (this.plain !== null) return this.plain.seal();
    const nulls = this.nullCount === 0 ? null : this.nullBits.slice(0, Math.ceil(this.length / 8));
    return { kind: 'dict', length: this.length, nulls, codes: (this.codes as Uint32Array).slice(0, this.length), dictionary: this.dictionary.slice() };
  }

  zone(): ZoneMap {
    if (this.plain !== null) return this.plain.zone();
    return { rowCount: this.length, nullCount: this.nullCount, min: this.min, max: this.max };
  }
}

/**
 * numeric: exact scaled int64 (decimal64) at the column's scale while every
 * value fits (finite, that scale, |coefficient| < 2^63); the first value that
 * does not (NaN, another scale, a wider value) moves this segment's column to
 * the generic encoding, replaying what it holds. Never binary floating point.
 */
class NumericBuilder implements ColumnBuilder {
  private decimal: BigIntBuilder | null;
  private generic: BytesBuilder | null = null;
  private min: Decimal | null = null;
  private max: Decimal | null = null;

  constructor(readonly type: SqlType, private capacity: number, private readonly scale: number | null) {
    this.decimal = scale === null ? null : new BigIntBuilder(type, capacity);
    if (scale === null) this.generic = new BytesBuilder(type, capacity, 'generic');
  }

  get length(): number {
    return (this.decimal ?? this.generic as BytesBuilder).length;
  }

  get variableBytes(): number {
    return this.generic?.variableBytes ?? 0;
  }

  grow(rows: number): void {
    this.capacity = rows;
    (this.decimal ?? this.generic as BytesBuilder).grow(rows);
  }

  append(value: SqlValue): void {
    if (value !== null && !(value instanceof Decimal)) throw new ColumnValueError(`value of JavaScript type ${typeof value} does not fit a numeric column`);
    if (value !== null) this.track(value);
    if (this.decimal !== null) {
      if (value === null || this.fits(value)) {
        this.decimal.append(value === null ? null : value.coefficient);
        return;
      }
      this.switchToGeneric();
    }
    (this.generic as BytesBuilder).append(value);
  }

  private fits(value: Decimal): boolean {
    return value.kind === 'finite' && value.scale === this.scale && value.coefficient >= int64Min && value.coefficient <= int64Max;
  }

  private track(value: Decimal): void {
    if (this.min === null || compareDecimal(value, this.min) < 0) this.min = value;
    if (this.max === null || compareDecimal(value, this.max) > 0) this.max = value;
  }

  private switchToGeneric(): void {
    const decimal = this.decimal as BigIntBuilder;
    const generic = new BytesBuilder(this.type, this.capacity, 'generic');
    const v = decimal.view();
    invariant(v.kind === 'int64', 'a decimal64 builder holds int64 values');
    for (let i = 0; i < v.length; i++) {
      generic.append(isNullAt(v.nulls, i) ? null : Decimal.of(v.values[i] ?? 0n, this.scale ?? 0));
    }
    this.generic = generic;
    this.decimal = null;
  }

  private withScale(v: ColumnVector): ColumnVector {
    return v.kind === 'int64' ? { kind: 'decimal64', length: v.length, nulls: v.nulls, values: v.values, scale: this.scale ?? 0 } : v;
  }

  view(): ColumnVector {
    return this.withScale((this.decimal ?? this.generic as BytesBuilder).view());
  }

  seal(): ColumnVector {
    return this.withScale((this.decimal ?? this.generic as BytesBuilder).seal());
  }

  zone(): ZoneMap {
    const inner = (this.decimal ?? this.generic as BytesBuilder).zone();
    return { rowCount: inner.rowCount, nullCount: inner.nullCount, min: this.min, max: this.max };
  }
}

/** A top-level function, not a closure per call: every numeric append tracks min and max. */
function decimalRank(d: Decimal): number {
  return d.kind === 'nan' ? 3 : d.kind === 'infinity' ? 2 : d.kind === '-infinity' ? 0 : 1;
}

/** PostgreSQL's numeric order: NaN above +Infinity above every finite value. */
export function compareDecimal(a: Decimal, b: Decimal): number {
  const ra = decimalRank(a);
  const rb = decimalRank(b);
  if (ra !== rb || ra !== 1) return ra - rb;
  if (a.scale === b.scale) return a.coefficient < b.coefficient ? -1 : a.coefficient > b.coefficient ? 1 : 0;
  const scale = Math.max(a.scale, b.scale);
  const x = a.coefficient * 10n ** BigInt(scale - a.scale);
  const y = b.coefficient * 10n ** BigInt(scale - b.scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A builder for `capacity` rows of a column of `type`. */
export function createColumnBuilder(type: SqlType, capacity: number, options: BuilderOptions): ColumnBuilder {
  const kind = vectorKindOf(type);
  switch (kind) {
    case 'int16':
    case 'int32':
    case 'float32':
    case 'float64': return new NumberBuilder(type, capacity, kind);
    case 'int64': return new BigIntBuilder(type, capacity);
    case 'bool': return new BoolBuilder(type, capacity);
    case 'decimal64': return new NumericBuilder(type, capacity, decimal64Scale(type));
    case 'dict': return new TextBuilder(type, capacity, options);
    case 'utf8': return new BytesBuilder(type, capacity, 'utf8');
    case 'generic': return type.kind === 'numeric' ? new NumericBuilder(type, capacity, null) : new BytesBuilder(type, capacity, 'generic');
    default: return unreachable(kind, 'vector kind');
  }
}
