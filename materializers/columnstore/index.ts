// materializers/columnstore: the OLAP view of the log. Typed-array segments
// per table with null bitmaps, zone maps, dictionaries and delete marks,
// applied in batches, checkpointed to compressed files with a manifest.

export {
  buildColumnStore, columnStoreDefaults, columnStoreDirectory, openColumnStore, type KeyedSourceRow, segmentRowsLimit, type ColumnStore, type ColumnStoreOptions,
  type ColumnStoreStats, type CompactionOptions,
} from './column-store.js';
export type { CompactionStep } from './compaction.js';
export type { ColumnStoreCompression } from './file-format.js';
export type { ScanBatch, ScanOptions, SegmentZones } from './scan.js';
export { batchRows } from './rows.js';
export {
  bytesAt, compareText, decimal64PrecisionMax, decimal64Scale, isNullAt, vectorKindOf, vectorValue, type ColumnVector, type NullBitmap,
  type VectorKind, type ZoneMap,
} from './vectors.js';
export {
  ColumnStoreClosedError, ColumnStoreCorruptionError, ColumnStoreFailedError, ColumnValueError, ReadIndexAheadError, SnapshotTooOldError,
  UnknownTableError, WaitAppliedTimeoutError,
} from './errors.js';
