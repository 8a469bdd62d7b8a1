// The byte form of a sealed segment (before compression) and of its delete
// list. Typed arrays are written raw, little-endian (checked at load), so a
// load is a few copies rather than a parse per value.
//
// segment: [u8 version][varuint id][varuint rowCount][f64 baseIndex][varuint nColumns]
//          { [varuint columnId][sql type][vector][zone map] }
//          [u32 × (rowCount+1) key offsets][varuint keyBytes][key bytes][u32 × rowCount insert deltas]
// vector:  [u8 kind][u8 hasNulls][null bitmap if hasNulls] then by kind:
//          fixed-width: raw values; decimal64: [varuint scale] raw values;
//          dict: [varuint n] { [utf8] } raw u32 codes; utf8/generic: raw u32 offsets (rowCount+1) [raw bytes]
// zone:    [varuint nullCount][u8 hasMin][min][u8 hasMax][max] (values in the log's value encoding)
// deletes: [u8 version][varuint n] { [varuint offset][f64 delete index] }

import { invariant, unreachable } from '../assert.js';
import {
  ByteReader, ByteWriter, readSqlType, valueCodecFor, writeSqlType, type SqlType, type SqlValue,
} from '../entries/index.js';
import { ColumnStoreCorruptionError } from './errors.js';
import type { SealedSegmentParts, SegmentColumn } from './segment.js';
import type { ColumnVector, VectorKind, ZoneMap } from './vectors.js';

const segmentFormatVersion = 1;
const deletesFormatVersion = 1;
const kindCodes = {
  int16: 1, int32: 2, int64: 3, float32: 4, float64: 5, decimal64: 6, bool: 7, dict: 8, utf8: 9, generic: 10,
} as const satisfies Record<VectorKind, number>;
const kindsByCode = new Map<number, VectorKind>(Object.entries(kindCodes).map(([k, c]) => [c, k as VectorKind]));
const segmentRowsLimit = 1 << 24;
const columnsLimit = 1600;
const stringBytesLimit = 256 * 1024 * 1024;

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function rawOf(array: ArrayBufferView): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

function writeNulls(w: ByteWriter, v: ColumnVector): void {
  w.u8(v.nulls === null ? 0 : 1);
  if (v.nulls !== null) {
    const bytes = Math.ceil(v.length / 8);
    const out = new Uint8Array(bytes);
    out.set(v.nulls.subarray(0, bytes));
    w.raw(out);
  }
}

function writeVector(w: ByteWriter, v: ColumnVector): void {
  w.u8(kindCodes[v.kind]);
  writeNulls(w, v);
  switch (v.kind) {
    case 'int16':
    case 'int32':
    case 'int64':
    case 'float32':
    case 'float64':
    case 'bool':
      w.raw(rawOf(v.values));
      return;
    case 'decimal64':
      w.varuint(v.scale);
      w.raw(rawOf(v.values));
      return;
    case 'dict':
      w.varuint(v.dictionary.length);
      for (const s of v.dictionary) w.utf8(s);
      w.raw(rawOf(v.codes));
      return;
    case 'utf8':
    case 'generic':
      w.raw(rawOf(v.offsets));
      w.raw(v.bytes.subarray(0, v.offsets[v.length] ?? 0));
      return;
    default:
      unreachable(v, 'vector kind');
  }
}

function writeOptionalValue(w: ByteWriter, type: SqlType, value: SqlValue): void {
  w.u8(value === null ? 0 : 1);
  if (value !== null) valueCodecFor(type).write(w, value);
}

function writeZone(w: ByteWriter, type: SqlType, z: ZoneMap): void {
  w.varuint(z.nullCount);
  writeOptionalValue(w, type, z.min);
  writeOptionalValue(w, type, z.max);
}

export function encodeSegment(parts: SealedSegmentParts): Uint8Array {
  invariant(littleEndian, 'column store files are little-endian');
  const w = new ByteWriter(1024 + parts.rowCount * 16);
  w.u8(segmentFormatVersion);
  w.varuint(parts.id);
  w.varuint(parts.rowCount);
  w.f64(parts.baseIndex);
  w.varuint(parts.columns.length);
  parts.columns.forEach((column, i) => {
    w.varuint(column.id);
    writeSqlType(w, column.type);
    writeVector(w, parts.vectors[i] as ColumnVector);
    writeZone(w, column.type, parts.zones[i] as ZoneMap);
  });
  w.raw(rawOf(parts.keyOffsets));
  w.varuint(parts.keyBytes.length);
  w.raw(parts.keyBytes);
  w.raw(rawOf(parts.insertDeltas));
  return w.finish();
}

/** Copies `count` elements of `bytesPer` bytes into a fresh (aligned) buffer. */
function readRaw(r: ByteReader, count: number, bytesPer: number): ArrayBuffer {
  const buffer = new ArrayBuffer(count * bytesPer);
  new Uint8Array(buffer).set(r.raw(count * bytesPer));
  return buffer;
}

function readNulls(r: ByteReader, rowCount: number): Uint8Array | null {
  const has = r.u8();
  if (has > 1) throw new ColumnStoreCorruptionError(`null bitmap flag ${has}`);
  return has === 1 ? r.raw(Math.ceil(rowCount / 8)).slice() : null;
}

function readOffsets(r: ByteReader, rowCount: number): { offsets: Uint32Array; bytes: Uint8Array } {
  const offsets = new Uint32Array(readRaw(r, rowCount + 1, 4));
  for (let i = 0; i < rowCount; i++) {
    if ((offsets[i] ?? 0) > (offsets[i + 1] ?? 0)) throw new ColumnStoreCorruptionError('offsets decrease');
  }
  if (offsets[0] !== 0) throw new ColumnStoreCorruptionError('offsets do not start at 0');
  return { offsets, bytes: r.raw(offsets[rowCount] ?? 0).slice() };
}

function readVector(r: ByteReader, type: SqlType, length: number): ColumnVector {
  const code = r.u8();
  const kind = kindsByCode.get(code);
  if (kind === undefined) throw new ColumnStoreCorruptionError(`vector kind ${code}`);
  const nulls = readNulls(r, length);
  switch (kind) {
    case 'int16': return { kind, length, nulls, values: new Int16Array(readRaw(r, length, 2)) };
    case 'int32': return { kind, length, nulls, values: new Int32Array(readRaw(r, length, 4)) };
    case 'int64': return { kind, length, nulls, values: new BigInt64Array(readRaw(r, length, 8)) };
    case 'float32': return { kind, length, nulls, values: new Float32Array(readRaw(r, length, 4)) };
    case 'float64': return { kind, length, nulls, values: new Float64Array(readRaw(r, length, 8)) };
    case 'bool': return { kind, length, nulls, values: new Uint8Array(readRaw(r, length, 1)) };
    case 'decimal64': {
      const scale = r.count(1000, 'decimal64 scale');
      return { kind, length, nulls, scale, values: new BigInt64Array(readRaw(r, length, 8)) };
    }
    case 'dict': {
      const n = r.count(Math.min(length, r.remaining), 'dictionary entries');
      const dictionary: string[] = [];
      for (let i = 0; i < n; i++) dictionary.push(r.utf8(stringBytesLimit, 'dictionary entry'));
      const codes = new Uint32Array(readRaw(r, length, 4));
      for (const c of codes) if (c >= Math.max(n, 1)) throw new ColumnStoreCorruptionError(`dictionary code ${c} of ${n}`);
      return { kind, length, nulls, codes, dictionary };
    }
    case 'utf8': return { kind, length, nulls, ...readOffsets(r, length) };
    case 'generic': return { kind, type, length, nulls, ...readOffsets(r, length) };
    default: return unreachable(kind, 'vector kind');
  }
}

function readOptionalValue(r: ByteReader, type: SqlType): SqlValue {
  const has = r.u8();
  if (has > 1) throw new ColumnStoreCorruptionError(`zone map flag ${has}`);
  return has === 1 ? valueCodecFor(type).read(r) : null;
}

/** Decodes a segment body; deletes come from the delete list. Throws ColumnStoreCorruptionError (or EntryDecodeError). */
export function decodeSegment(bytes: Uint8Array, deletes: ReadonlyMap<number, number>): SealedSegmentParts {
  const r = new ByteReader(bytes);
  const version = r.u8();
  if (version !== segmentFormatVersion) throw new ColumnStoreCorruptionError(`segment format version ${version}`);
  const id = r.varuint();
  const rowCount = r.count(segmentRowsLimit, 'segment rows');
  const baseIndex = r.f64();
  const nColumns = r.count(columnsLimit, 'segment columns');
  const columns: SegmentColumn[] = [];
  const vectors: ColumnVector[] = [];
  const zones: ZoneMap[] = [];
  for (let i = 0; i < nColumns; i++) {
    const columnId = r.varuint();
    const type = readSqlType(r);
    columns.push({ id: columnId, type });
    vectors.push(readVector(r, type, rowCount));
    const nullCount = r.count(rowCount, 'zone map nulls');
    zones.push({ rowCount, nullCount, min: readOptionalValue(r, type), max: readOptionalValue(r, type) });
  }
  const keyOffsets = new Uint32Array(readRaw(r, rowCount + 1, 4));
  const keyBytes = r.bytesWithLength(r.remaining, 'key bytes').slice();
  if ((keyOffsets[rowCount] ?? 0) !== keyBytes.length) throw new ColumnStoreCorruptionError('key offsets do not match key bytes');
  const insertDeltas = new Uint32Array(readRaw(r, rowCount, 4));
  r.expectEnd('segment');
  for (const offset of deletes.keys()) if (offset >= rowCount) throw new ColumnStoreCorruptionError(`delete of row ${offset} beyond ${rowCount}`);
  return { id, columns, rowCount, vectors, zones, keyOffsets, keyBytes, baseIndex, insertDeltas, deletes };
}

export function encodeDeletes(deletes: ReadonlyMap<number, number>): Uint8Array {
  const w = new ByteWriter(16 + deletes.size * 10);
  w.u8(deletesFormatVersion);
  w.varuint(deletes.size);
  for (const [offset, index] of [...deletes].sort((a, b) => a[0] - b[0])) {
    w.varuint(offset);
    w.f64(index);
  }
  return w.finish();
}

export function decodeDeletes(bytes: Uint8Array): Map<number, number> {
  const r = new ByteReader(bytes);
  const version = r.u8();
  if (version !== deletesFormatVersion) throw new ColumnStoreCorruptionError(`delete list format version ${version}`);
  const n = r.count(r.remaining, 'deletes');
  const out = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const offset = r.varuint();
    const index = r.f64();
    if (!Number.isSafeInteger(index) || index < 1 || out.has(offset)) throw new ColumnStoreCorruptionError('malformed delete list');
    out.set(offset, index);
  }
  r.expectEnd('delete list');
  return out;
}
