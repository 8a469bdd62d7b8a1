// A segment: up to segmentRowsMax rows of one table, one vector per column
// (the table's columns when the segment was opened), plus per row:
// - its key bytes (offsets + bytes), so the key index can confirm hash
//   matches and be rebuilt after a restart or a compaction;
// - the log index that inserted it, as a u32 delta from the segment's first
//   index (rows are appended in log order, so the deltas never decrease and
//   "inserted at or before R" is a prefix found by binary search);
// - a delete bitmap, with the log index of each delete (a scan at R ignores
//   deletes above R; compaction drops rows deleted at or below its horizon).
// Open segments append through column builders; sealed ones hold exactly
// sized vectors and never change except for deletes.

import { invariant } from '../assert.js';
import type { Row, SqlType } from '../entries/index.js';
import { createColumnBuilder, GrowableBytes, type BuilderOptions, type ColumnBuilder } from './column-builder.js';
import type { ColumnVector, ZoneMap } from './vectors.js';

export interface SegmentColumn {
  readonly id: number;
  readonly type: SqlType;
}

/** Rows an open segment's arrays start with. */
export const segmentInitialRows = 1024;
/** Variable-length bytes one column of a segment may hold before it seals (offsets are u32). */
export const segmentColumnBytesMax = 1024 * 1024 * 1024;
const insertDeltaMax = 0xffff_ffff;

/** The parts of a sealed segment (from a file or a compaction). */
export interface SealedSegmentParts {
  readonly id: number;
  readonly columns: readonly SegmentColumn[];
  readonly rowCount: number;
  readonly vectors: readonly ColumnVector[];
  readonly zones: readonly ZoneMap[];
  readonly keyOffsets: Uint32Array;
  readonly keyBytes: Uint8Array;
  readonly baseIndex: number;
  readonly insertDeltas: Uint32Array;
  /** Offset → delete index. */
  readonly deletes: ReadonlyMap<number, number>;
}

export class Segment {
  readonly id: number;
  readonly columns: readonly SegmentColumn[];
  rowCount: number;
  readonly capacity: number;
  /** Rows the open segment's arrays hold now (grows by doubling up to capacity). */
  private allocatedRows: number;
  /** The insert index of row 0 (meaningless while the segment is empty). */
  baseIndex: number;
  private builders: ColumnBuilder[] | null;
  private vectors: readonly ColumnVector[] | null;
  private zones: readonly ZoneMap[] | null;
  private keyOffsets: Uint32Array;
  private keyData: GrowableBytes | null;
  private keyBytes: Uint8Array;
  private insertDeltas: Uint32Array;
  private readonly deletedBits: Uint8Array;
  /** Offset → the log index that deleted it. */
  readonly deletes: Map<number, number>;
  /** Set by persistence: the file holding this segment's rows, and how many rows it holds. */
  persistedFile: string | null = null;
  persistedRowCount = 0;
  /** Deletes the persisted delete list lacks. */
  deletesDirty = false;
  /** Written by compaction (cold data; persistence compresses it with the cold algorithm). */
  compacted = false;
  persistedDeletesFile: string | null = null;

  private constructor(id: number, columns: readonly SegmentColumn[], capacity: number) {
    this.id = id;
    this.columns = columns;
    this.capacity = capacity;
    this.allocatedRows = capacity;
    this.rowCount = 0;
    this.baseIndex = 0;
    this.builders = null;
    this.vectors = null;
    this.zones = null;
    // Sized by open() or sealed().
    this.keyOffsets = new Uint32Array(1);
    this.keyData = null;
    this.keyBytes = new Uint8Array(0);
    this.insertDeltas = new Uint32Array(0);
    this.deletedBits = new Uint8Array(Math.ceil(capacity / 8));
    this.deletes = new Map();
  }

  /**
   * An open segment of up to `capacity` rows. Arrays start at
   * `initialRows` and double as rows arrive, so a small table does not pay
   * for a full segment per column.
   */
  static open(id: number, columns: readonly SegmentColumn[], capacity: number, options: BuilderOptions, initialRows = segmentInitialRows): Segment {
    const s = new Segment(id, columns, capacity);
    s.allocatedRows = Math.min(capacity, initialRows);
    s.builders = columns.map((c) => createColumnBuilder(c.type, s.allocatedRows, options));
    s.keyData = new GrowableBytes();
    s.keyOffsets = new Uint32Array(s.allocatedRows + 1);
    s.insertDeltas = new Uint32Array(s.allocatedRows);
    return s;
  }

  private growTo(rows: number): void {
    for (const b of this.builders ?? []) b.grow(rows);
    const keyOffsets = new Uint32Array(rows + 1);
    keyOffsets.set(this.keyOffsets);
    this.keyOffsets = keyOffsets;
    const insertDeltas = new Uint32Array(rows);
    insertDeltas.set(this.insertDeltas);
    this.insertDeltas = insertDeltas;
    this.allocatedRows = rows;
  }

  static sealed(parts: SealedSegmentParts): Segment {
    invariant(parts.vectors.length === parts.columns.length && parts.zones.length === parts.columns.length, `segment ${parts.id}: one vector and zone map per column`);
    invariant(parts.keyOffsets.length === parts.rowCount + 1 && parts.insertDeltas.length === parts.rowCount, `segment ${parts.id}: row arrays of ${parts.rowCount} rows`);
    const s = new Segment(parts.id, parts.columns, parts.rowCount);
    s.rowCount = parts.rowCount;
    s.vectors = parts.vectors;
    s.zones = parts.zones;
    s.keyOffsets = parts.keyOffsets;
    s.keyBytes = parts.keyBytes;
    s.baseIndex = parts.baseIndex;
    s.insertDeltas = parts.insertDeltas;
    for (const [offset, index] of parts.deletes) s.markDeleted(offset, index);
    s.deletesDirty = false;
    return s;
  }

  get sealed(): boolean {
    return this.builders === null;
  }

  get deletedCount(): number {
    return this.deletes.size;
  }

  get liveCount(): number {
    return this.rowCount - this.deletes.size;
  }

  /** The insert index of the last row (baseIndex - 1 when empty). */
  get lastInsertIndex(): number {
    return this.rowCount === 0 ? this.baseIndex - 1 : this.baseIndex + (this.insertDeltas[this.rowCount - 1] ?? 0);
  }

  /** Whether a row inserted at `index` still fits this open segment. */
  canAppend(index: number): boolean {
    const builders = this.builders;
    if (builders === null || this.rowCount >= this.capacity) return false;
    if (this.rowCount > 0 && index - this.baseIndex > insertDeltaMax) return false;
    for (const b of builders) if (b.variableBytes >= segmentColumnBytesMax) return false;
    return (this.keyData?.length ?? 0) < segmentColumnBytesMax;
  }

  /** Appends a row (values in `columns` order); returns its offset. */
  append(row: Row, key: Uint8Array, index: number): number {
    const builders = this.builders;
    // Conditions first: a template-string message per row would cost more than the append.
    if (builders === null || !this.canAppend(index)) invariant(false, `segment ${this.id}: append to a sealed or full segment`);
    if (row.length !== builders.length) invariant(false, `segment ${this.id}: row of ${row.length} values for ${builders.length} columns`);
    if (this.rowCount === 0) this.baseIndex = index;
    else if (index < this.lastInsertIndex) invariant(false, `segment ${this.id}: rows must arrive in log order`);
    if (this.rowCount === this.allocatedRows) this.growTo(Math.min(this.capacity, this.allocatedRows * 2));
    for (let i = 0; i < builders.length; i++) (builders[i] as ColumnBuilder).append(row[i] ?? null);
    const offset = this.rowCount;
    const keyData = this.keyData as GrowableBytes;
    keyData.append(key);
    this.keyOffsets[offset + 1] = keyData.length;
    this.insertDeltas[offset] = index - this.baseIndex;
    this.rowCount++;
    return offset;
  }

  /** Freezes the rows: exactly sized vectors, zone maps computed once. */
  seal(): void {
    const builders = this.builders;
    if (builders === null) return;
    this.vectors = builders.map((b) => b.seal());
    this.zones = builders.map((b) => b.zone());
    this.keyOffsets = this.keyOffsets.slice(0, this.rowCount + 1);
    this.keyBytes = (this.keyData as GrowableBytes).bytes.slice(0, (this.keyData as GrowableBytes).length);
    this.keyData = null;
    this.insertDeltas = this.insertDeltas.slice(0, this.rowCount);
    this.builders = null;
  }

  vector(position: number): ColumnVector {
    const v = this.builders === null ? this.vectors?.[position] : this.builders[position]?.view();
    invariant(v !== undefined, `segment ${this.id}: no column at position ${position}`);
    return v;
  }

  zone(position: number): ZoneMap {
    const z = this.builders === null ? this.zones?.[position] : this.builders[position]?.zone();
    invariant(z !== undefined, `segment ${this.id}: no zone map at position ${position}`);
    return z;
  }

  keyAt(offset: number): Uint8Array {
    const bytes = this.keyData === null ? this.keyBytes : this.keyData.bytes;
    return bytes.subarray(this.keyOffsets[offset] ?? 0, this.keyOffsets[offset + 1] ?? 0);
  }

  keyEquals(offset: number, key: Uint8Array): boolean {
    const start = this.keyOffsets[offset] ?? 0;
    const end = this.keyOffsets[offset + 1] ?? 0;
    if (end - start !== key.length) return false;
    const bytes = this.keyData === null ? this.keyBytes : this.keyData.bytes;
    for (let i = 0; i < key.length; i++) if (bytes[start + i] !== key[i]) return false;
    return true;
  }

  insertIndexAt(offset: number): number {
    return this.baseIndex + (this.insertDeltas[offset] ?? 0);
  }

  isDeleted(offset: number): boolean {
    return (((this.deletedBits[offset >> 3] ?? 0) >> (offset & 7)) & 1) === 1;
  }

  markDeleted(offset: number, index: number): void {
    if (offset < 0 || offset >= this.rowCount) invariant(false, `segment ${this.id}: delete of offset ${offset} beyond ${this.rowCount} rows`);
    if (this.isDeleted(offset)) invariant(false, `segment ${this.id}: row ${offset} deleted twice`);
    this.deletedBits[offset >> 3] = (this.deletedBits[offset >> 3] ?? 0) | (1 << (offset & 7));
    this.deletes.set(offset, index);
    this.deletesDirty = true;
  }

  /** Rows inserted at or before `readIndex`: a prefix, since deltas never decrease. */
  visibleRowCount(readIndex: number): number {
    if (this.rowCount === 0 || readIndex >= this.lastInsertIndex) return this.rowCount;
    const delta = readIndex - this.baseIndex;
    if (delta < 0) return 0;
    let lo = 0;
    let hi = this.rowCount;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.insertDeltas[mid] ?? 0) <= delta) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * The offsets visible at `readIndex` (inserted at or before it and not
   * deleted at or before it), ascending; null when all of rows [0, count) are.
   */
  selection(readIndex: number, count: number): Uint32Array | null {
    let hidden = 0;
    for (const [offset, index] of this.deletes) if (offset < count && index <= readIndex) hidden++;
    if (hidden === 0) return null;
    const out = new Uint32Array(count - hidden);
    let n = 0;
    for (let i = 0; i < count; i++) {
      if (this.isDeleted(i) && (this.deletes.get(i) ?? Number.POSITIVE_INFINITY) <= readIndex) continue;
      out[n++] = i;
    }
    return out;
  }

  /** Each row's key bytes and insert index delta (views of a sealed segment's arrays), for compaction. */
  rowArrays(): { readonly keyOffsets: Uint32Array; readonly keyBytes: Uint8Array; readonly baseIndex: number; readonly insertDeltas: Uint32Array } {
    invariant(this.builders === null, `segment ${this.id}: row arrays of an open segment`);
    return { keyOffsets: this.keyOffsets, keyBytes: this.keyBytes, baseIndex: this.baseIndex, insertDeltas: this.insertDeltas };
  }

  /** The sealed parts, for persistence (`rowCount` rows and deletes at or below `asOfIndex`). */
  parts(rowCount: number, asOfIndex: number): SealedSegmentParts {
    invariant(rowCount <= this.rowCount, `segment ${this.id}: parts of ${rowCount} rows beyond ${this.rowCount}`);
    const trim = (v: ColumnVector): ColumnVector => (v.length === rowCount ? v : trimVector(v, rowCount));
    const vectors = this.columns.map((_, i) => trim(this.vector(i)));
    const deletes = new Map<number, number>();
    for (const [offset, index] of this.deletes) if (offset < rowCount && index <= asOfIndex) deletes.set(offset, index);
    return {
      id: this.id, columns: this.columns, rowCount, vectors,
      zones: this.columns.map((_, i) => this.zone(i)),
      keyOffsets: this.keyOffsets.subarray(0, rowCount + 1),
      keyBytes: (this.keyData === null ? this.keyBytes : this.keyData.bytes).subarray(0, this.keyOffsets[rowCount] ?? 0),
      baseIndex: this.baseIndex, insertDeltas: this.insertDeltas.subarray(0, rowCount), deletes,
    };
  }
}

/** The first `n` rows of a vector (views, no copies). */
export function trimVector(v: ColumnVector, n: number): ColumnVector {
  const nulls = v.nulls === null ? null : v.nulls.subarray(0, Math.ceil(n / 8));
  switch (v.kind) {
    case 'int16': return { ...v, length: n, nulls, values: v.values.subarray(0, n) };
    case 'int32': return { ...v, length: n, nulls, values: v.values.subarray(0, n) };
    case 'int64': return { ...v, length: n, nulls, values: v.values.subarray(0, n) };
    case 'float32': return { ...v, length: n, nulls, values: v.values.subarray(0, n) };
    case 'float64': return { ...v, length: n, nulls, values: v.values.subarray(0, n) };
    case 'decimal64': return { ...v, length: n, nulls, values: v.values.subarray(0, n) };
    case 'bool': return { ...v, length: n, nulls, values: v.values.subarray(0, n) };
    case 'dict': return { ...v, length: n, nulls, codes: v.codes.subarray(0, n) };
    case 'utf8':
    case 'generic': {
      const offsets = v.offsets.subarray(0, n + 1);
      return { ...v, length: n, nulls, offsets, bytes: v.bytes.subarray(0, offsets[n] ?? 0) };
    }
  }
}
