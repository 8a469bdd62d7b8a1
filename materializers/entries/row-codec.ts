// Rows: [varuint layoutId][null bitmap, ceil(n/8) bytes, bit i = column i is
// NULL][each non-null value in column order, per value-codec.ts]. The layout
// id names the column list (ids and types) the row was written with, so rows
// written before an ALTER TABLE stay readable: readers project them onto the
// table's current columns by column id (see catalog/).

import { invariant } from '../assert.js';
import { ByteReader } from './byte-reader.js';
import { ByteWriter } from './byte-writer.js';
import { EntryDecodeError, EntryEncodeError } from './errors.js';
import { rowColumnsMax } from './limits.js';
import type { Row, SqlType, SqlValue } from './query-types.js';
import { valueCodecFor, type ValueCodec } from './value-codec.js';

export interface LayoutColumn {
  readonly id: number;
  readonly type: SqlType;
}

/** The physical shape of rows of one table version: column ids and types, in order. */
export interface RowLayout {
  /** Positive, unique within its table, increasing with each ALTER that changes columns. */
  readonly id: number;
  readonly columns: readonly LayoutColumn[];
}

/** Finds a layout of the row's table by id (undefined: unknown layout). */
export type LayoutResolver = (layoutId: number) => RowLayout | undefined;

export interface DecodedRow {
  readonly layout: RowLayout;
  readonly row: Row;
}

const compiled = new WeakMap<RowLayout, readonly ValueCodec[]>();

function codecsOf(layout: RowLayout): readonly ValueCodec[] {
  let codecs = compiled.get(layout);
  if (codecs === undefined) {
    invariant(layout.columns.length <= rowColumnsMax, `layout ${layout.id} has ${layout.columns.length} columns`);
    codecs = layout.columns.map((c) => valueCodecFor(c.type));
    compiled.set(layout, codecs);
  }
  return codecs;
}

/** Appends one row encoded with `layout` (values in the layout's column order). */
export function writeRow(w: ByteWriter, layout: RowLayout, row: Row): void {
  const codecs = codecsOf(layout);
  if (row.length !== codecs.length) {
    throw new EntryEncodeError(`row has ${row.length} values; layout ${layout.id} has ${codecs.length} columns`);
  }
  w.varuint(layout.id);
  for (let base = 0; base < row.length; base += 8) {
    let bits = 0;
    for (let bit = 0; bit < 8 && base + bit < row.length; bit++) if (row[base + bit] === null) bits |= 1 << bit;
    w.u8(bits);
  }
  for (let i = 0; i < row.length; i++) {
    const value: SqlValue | undefined = row[i];
    if (value === null || value === undefined) continue;
    try {
      (codecs[i] as ValueCodec).write(w, value);
    } catch (error) {
      if (error instanceof EntryEncodeError) throw new EntryEncodeError(`column id ${layout.columns[i]?.id}: ${error.message}`);
      throw error;
    }
  }
}

/** Reused by encodeRow (never re-entered: writing a value encodes no row). */
const rowScratch = new ByteWriter();

export function encodeRow(layout: RowLayout, row: Row): Uint8Array {
  const w = rowScratch;
  w.reset();
  writeRow(w, layout, row);
  return w.finish();
}

/** Reads one row; throws EntryDecodeError('layout') if the resolver does not know its layout. */
export function readRow(r: ByteReader, resolve: LayoutResolver): DecodedRow {
  const layoutId = r.varuint();
  const layout = resolve(layoutId);
  if (layout === undefined) throw new EntryDecodeError('layout', `row written with unknown layout ${layoutId}`);
  const codecs = codecsOf(layout);
  const n = codecs.length;
  const bitmapBytes = Math.ceil(n / 8);
  const bitmapAt = r.skip(bitmapBytes);
  const bytes = r.input();
  const usedBitsOfLastByte = n % 8;
  const last = bitmapBytes === 0 ? undefined : bytes[bitmapAt + bitmapBytes - 1];
  if (usedBitsOfLastByte !== 0 && last !== undefined && last >> usedBitsOfLastByte !== 0) {
    throw new EntryDecodeError('malformed', 'null bitmap has bits beyond the last column');
  }
  const row: SqlValue[] = new Array<SqlValue>(n);
  for (let i = 0; i < n; i++) {
    const isNull = (((bytes[bitmapAt + (i >> 3)] ?? 0) >> (i & 7)) & 1) === 1;
    row[i] = isNull ? null : (codecs[i] as ValueCodec).read(r);
  }
  return { layout, row };
}

/** Decodes a whole buffer holding exactly one row. */
export function decodeRow(bytes: Uint8Array, resolve: LayoutResolver): DecodedRow {
  const r = new ByteReader(bytes);
  const decoded = readRow(r, resolve);
  r.expectEnd('row');
  return decoded;
}

/** The layout id a row was written with, without decoding it. */
export function rowLayoutId(bytes: Uint8Array): number {
  return new ByteReader(bytes).varuint();
}
