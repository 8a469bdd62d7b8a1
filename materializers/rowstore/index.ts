// materializers/rowstore: the row store view (MVCC in memory over RocksDB).

export { openRowStore, rowStoreDirectory, type RowSnapshot, type RowStore, type RowStoreOptions, type RowStoreStats } from './row-store.js';
export type { KeyedRow, ScanOptions } from './reads.js';
export type { CheckpointResult } from './checkpoint.js';
export { ReadIndexAheadError, RowStoreClosedError, RowStoreReplacedError, RowStoreFailedError, SnapshotTooOldError, UnknownObjectError } from './errors.js';
export type { PinnedRowSnapshot } from './snapshot.js';
export { encodeSnapshot, SnapshotDecoder, SnapshotFormatError, type SnapshotHeader } from './snapshot-format.js';
