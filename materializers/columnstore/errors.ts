// Errors of the column store. Broken invariants use MaterializerInvariantError
// (../assert.ts); these are the typed answers to callers.

/** A value did not fit its column's vector (an executor or log bug upstream). */
export class ColumnValueError extends Error {
  override readonly name = 'ColumnValueError';
}

/** The column store stopped after a fatal apply error; it answers nothing until rebuilt. */
export class ColumnStoreFailedError extends Error {
  override readonly name = 'ColumnStoreFailedError';
}

export class ColumnStoreClosedError extends Error {
  override readonly name = 'ColumnStoreClosedError';
}

/** A scan asked for a table the column store does not hold at that index. */
export class UnknownTableError extends Error {
  override readonly name = 'UnknownTableError';
}

/** A read index above what the column store has applied: call waitApplied first. */
export class ReadIndexAheadError extends Error {
  override readonly name = 'ReadIndexAheadError';
}

/** A read index below what the column store can still answer (a truncate or compaction dropped rows it would see). */
export class SnapshotTooOldError extends Error {
  override readonly name = 'SnapshotTooOldError';
}

/** waitApplied gave up. */
export class WaitAppliedTimeoutError extends Error {
  override readonly name = 'WaitAppliedTimeoutError';
}

/** A column store file failed its checks (CRC, magic, bounds). */
export class ColumnStoreCorruptionError extends Error {
  override readonly name = 'ColumnStoreCorruptionError';
}
