// Shared vocabulary of the log component: entries, hard state and the storage
// interface the Raft driver persists through. The WAL implements
// `WriteAheadLog`; the Raft core and driver only see these types.

/** What an entry carries. Numeric values are written to disk: never renumber. */
export const EntryKind = {
  /** An application command (a transaction's effects, a DDL fact, ...). */
  Normal: 1,
  /** A membership change (the voter/learner sets after the change). */
  ConfigChange: 2,
  /** Appended by a new leader at the start of its term; carries no data. */
  Empty: 3,
} as const;
export type EntryKind = (typeof EntryKind)[keyof typeof EntryKind];

/**
 * One log entry. `index` and `term` are positive integers below 2^53.
 * `data` is owned by whoever created the entry; readers must not mutate it.
 */
export interface LogEntry {
  readonly index: number;
  readonly term: number;
  readonly kind: EntryKind;
  readonly data: Uint8Array;
}

/** Raft state that must be durable before any message depending on it is sent. */
export interface HardState {
  readonly term: number;
  /** Node id voted for in `term`; 0 means no vote. */
  readonly vote: number;
  /** Highest index known committed. May lag the truth after a crash; never ahead of it. */
  readonly commit: number;
}

export const emptyHardState: HardState = { term: 0, vote: 0, commit: 0 };

/**
 * The durable log as the Raft driver uses it. Implemented by `log/wal`.
 *
 * Indexes are contiguous from `firstIndex()` to `lastIndex()`. An empty log has
 * `lastIndex() === firstIndex() - 1` (the compaction point). Every method that
 * returns a Promise may reject with an I/O error; the caller treats that as
 * fatal for the node (the disk can no longer be trusted).
 */
export interface WriteAheadLog {
  /** First index still stored (entries below were compacted). */
  firstIndex(): number;
  /** Last index stored; `firstIndex() - 1` when empty. */
  lastIndex(): number;
  /**
   * Term of the entry at `index`, answered from memory. For `firstIndex() - 1`
   * returns the term of the compaction point. `undefined` outside the range.
   */
  term(index: number): number | undefined;
  /**
   * Appends entries. `entries[0].index` must be at most `lastIndex() + 1`;
   * when it is at or below `lastIndex()` the stored suffix from that index is
   * replaced (Raft's conflicting-tail truncation). Resolves once the entries are
   * durable (sync_commit = true: after fdatasync) or written (sync_commit =
   * false: fsynced shortly after by a timer). Concurrent calls are serialised in
   * call order and share fsyncs (group commit).
   */
  append(entries: readonly LogEntry[]): Promise<void>;
  /**
   * Highest index such that every entry from `firstIndex()` to it, as this log
   * now holds them (in call order), is durable: fdatasynced, so a machine
   * crash cannot lose it. At most `lastIndex()`, and at least `firstIndex() - 1`.
   * With sync_commit = true it reaches an append's last index before that
   * append resolves; with sync_commit = false it lags by up to one sync
   * interval. A suffix truncation lowers it at call time. Raft stores a commit
   * index no higher than this, so a stored commit never points past what
   * survives a power loss.
   */
  durableIndex(): number;
  /**
   * Reads entries in [lo, hi). Served from memory for the recent tail, from
   * disk otherwise. Throws RangeError outside [firstIndex, lastIndex + 1).
   */
  read(lo: number, hi: number): Promise<LogEntry[]>;
  /** Durably records Raft's hard state (atomic replace of a small file). */
  saveHardState(state: HardState): Promise<void>;
  /** The hard state recovered at open, or the last saved. */
  hardState(): HardState;
  /**
   * Allows deleting entries at or below `index` (all views have checkpointed
   * past it). Whole segments entirely at or below it are deleted; the
   * segment holding `index + 1` is kept, so `firstIndex()` may stay lower.
   */
  compact(index: number): Promise<void>;
  /**
   * Replaces the whole log by an empty one after `index` (whose term becomes
   * `term`): a snapshot up to `index` was installed. Durable and crash-safe
   * when it resolves: a crash meanwhile leaves the old log or the new one.
   */
  reset(index: number, term: number): Promise<void>;
  /** Bytes of all segment files on disk. */
  sizeBytes(): number;
  /** Flushes, fsyncs and closes files. Appends after close reject. */
  close(): Promise<void>;
}
