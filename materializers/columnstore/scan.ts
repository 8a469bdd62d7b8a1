// Reads for the vectorized executor: per segment, one vector per requested
// column and a selection of the rows visible at the read index. No object
// per row: vectors are views of the segment's arrays.

import type { SqlValue } from '../entries/index.js';
import { createColumnBuilder } from './column-builder.js';
import type { ColumnCore } from './core.js';
import { ReadIndexAheadError, SnapshotTooOldError, UnknownTableError } from './errors.js';
import { trimVector, type Segment } from './segment.js';
import type { TableColumns } from './table.js';
import type { ColumnVector, ZoneMap } from './vectors.js';

export interface ScanBatch {
  readonly segmentId: number;
  /** Rows in each vector (rows inserted at or before the read index). */
  readonly rowCount: number;
  /** One vector per requested column, in request order. */
  readonly columns: readonly ColumnVector[];
  /** Offsets of the visible rows, ascending; null when all `rowCount` rows are visible. */
  readonly selection: Uint32Array | null;
  /** One zone map per requested column (over every row of the segment, a conservative bound). */
  readonly zoneMaps: readonly ZoneMap[];
}

export interface SegmentZones {
  readonly segmentId: number;
  readonly rowCount: number;
  readonly deletedCount: number;
  readonly zoneMaps: readonly ZoneMap[];
}

export interface ScanOptions {
  /** Called with each segment's zone maps (request order); false skips the segment. */
  readonly prune?: (zoneMaps: readonly ZoneMap[]) => boolean;
}

interface ColumnSlot {
  /** Position in the segment's columns, or -1 when the segment predates the column. */
  readonly position: number;
  readonly missing: SqlValue;
}

function tableAt(core: ColumnCore, tableId: number, readIndex: number): TableColumns {
  if (readIndex > core.appliedIndex) throw new ReadIndexAheadError(`read index ${readIndex} is above the column store's applied index ${core.appliedIndex}`);
  const table = core.tables.get(tableId);
  if (table === undefined) throw new UnknownTableError(`column store holds no table ${tableId}`);
  if (readIndex < table.scanHorizon) {
    throw new SnapshotTooOldError(`table ${tableId} cannot be read at index ${readIndex}: created, truncated or compacted at ${table.scanHorizon}`);
  }
  return table;
}

function columnIndexes(table: TableColumns, columnIds: readonly number[]): SqlValue[] {
  return columnIds.map((id) => {
    const column = table.columnById(id);
    if (column === undefined) throw new UnknownTableError(`table ${table.id} has no column ${id}`);
    return column.missingValue ?? null;
  });
}

function slotsOf(segment: Segment, columnIds: readonly number[], missing: readonly SqlValue[]): ColumnSlot[] {
  return columnIds.map((id, i) => ({ position: segment.columns.findIndex((c) => c.id === id), missing: missing[i] ?? null }));
}

/** A column added after the segment was written reads as its missingValue. */
function constantVector(table: TableColumns, columnId: number, value: SqlValue, rowCount: number): { vector: ColumnVector; zone: ZoneMap } {
  const type = table.columnById(columnId)?.type ?? { kind: 'text' };
  const builder = createColumnBuilder(type, rowCount, { dictionaryEntriesMax: 1 });
  for (let i = 0; i < rowCount; i++) builder.append(value);
  return { vector: builder.seal(), zone: builder.zone() };
}

function constantZone(value: SqlValue, rowCount: number): ZoneMap {
  return { rowCount, nullCount: value === null ? rowCount : 0, min: value, max: value };
}

/** Zone maps of every segment holding rows visible at `readIndex`, for pruning before a scan. */
export function tableZones(core: ColumnCore, tableId: number, columnIds: readonly number[], readIndex: number): SegmentZones[] {
  const table = tableAt(core, tableId, readIndex);
  const missing = columnIndexes(table, columnIds);
  return table.segments.filter((s) => s.visibleRowCount(readIndex) > 0).map((segment) => ({
    segmentId: segment.id, rowCount: segment.rowCount, deletedCount: segment.deletedCount,
    zoneMaps: slotsOf(segment, columnIds, missing).map((slot) => (slot.position >= 0 ? segment.zone(slot.position) : constantZone(slot.missing, segment.rowCount))),
  }));
}

/**
 * The rows of a table visible at `readIndex`, one batch per segment. The
 * segment list and row counts are fixed when this is called; batches are
 * produced lazily and stay correct while later entries are applied.
 */
export function scanTable(core: ColumnCore, tableId: number, columnIds: readonly number[], readIndex: number, options: ScanOptions = {}): Iterable<ScanBatch> {
  const table = tableAt(core, tableId, readIndex);
  const missing = columnIndexes(table, columnIds);
  const segments = table.segments.map((segment) => ({ segment, count: segment.visibleRowCount(readIndex) })).filter((s) => s.count > 0);
  return {
    *[Symbol.iterator](): Iterator<ScanBatch> {
      for (const { segment, count } of segments) {
        const columns: ColumnVector[] = [];
        const zoneMaps: ZoneMap[] = [];
        slotsOf(segment, columnIds, missing).forEach((slot, i) => {
          if (slot.position < 0) {
            const constant = constantVector(table, columnIds[i] ?? 0, slot.missing, count);
            columns.push(constant.vector);
            zoneMaps.push(constant.zone);
            return;
          }
          const vector = segment.vector(slot.position);
          columns.push(vector.length === count ? vector : trimVector(vector, count));
          zoneMaps.push(segment.zone(slot.position));
        });
        if (options.prune !== undefined && !options.prune(zoneMaps)) continue;
        const selection = segment.selection(readIndex, count);
        if (selection !== null && selection.length === 0) continue;
        yield { segmentId: segment.id, rowCount: count, columns, selection, zoneMaps };
      }
    },
  };
}
