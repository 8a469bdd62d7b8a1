// Typed errors of the row store. Reads below the GC horizon are a client-
// visible condition (PostgreSQL's snapshot_too_old); the rest are misuse or a
// store that stopped.

import { SqlError } from '../entries/index.js';

/** A read at an index whose versions may already be collected (SQLSTATE 72000). */
export class SnapshotTooOldError extends SqlError {
  constructor(readIndex: number, horizonIndex: number) {
    super('72000', `snapshot too old: read index ${readIndex} is below the oldest index still kept (${horizonIndex})`);
  }
}

/** A read at an index the store has not applied yet: wait with waitForApplied() first. */
export class ReadIndexAheadError extends Error {
  override readonly name = 'ReadIndexAheadError';
  constructor(readIndex: number, appliedIndex: number) {
    super(`read index ${readIndex} is ahead of the applied index ${appliedIndex}; waitForApplied(${readIndex}) first`);
  }
}

/** An object id that names no table (or index) in the catalog at the read index. */
export class UnknownObjectError extends SqlError {
  constructor(what: 'table' | 'index', id: number, readIndex: number) {
    super(what === 'table' ? '42P01' : '42704', `${what} with id ${id} does not exist at index ${readIndex}`);
  }
}

export class RowStoreClosedError extends Error {
  override readonly name = 'RowStoreClosedError';
  constructor() {
    super('the row store is closed');
  }
}

/** Apply failed (a corrupt entry or a broken invariant): the store stopped and the node must restart. */
export class RowStoreFailedError extends Error {
  override readonly name = 'RowStoreFailedError';
  constructor(override readonly cause: unknown) {
    super(`the row store stopped: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/**
 * The row store's contents were replaced by a snapshot from the Raft leader
 * while this read was in flight (SQLSTATE 40001: the client retries and
 * reads the new state).
 */
export class RowStoreReplacedError extends SqlError {
  constructor() {
    super('40001', 'the row store was replaced by a snapshot from the leader during this read; retry the statement');
  }
}
