// The core's view of the Raft log: durable metadata from `RaftStorage` plus an
// in-memory tail of entries, with the positions etcd's raftLog tracks
// (persisted, committed, applied). Synchronous and I/O-free.
//
//   firstIndex ... tailFirstIndex ........ appliedIndex .. committedIndex .. persistedIndex .. lastIndex
//   [ storage only: terms ][ in-memory tail: whole entries ........................................ ]
//
// Memory: the tail holds every entry not yet applied or not yet durable, plus up
// to `tailEntriesMax` older ones so the leader can send them to followers. An
// entry below the tail is answered by `term()` (the WAL keeps terms in memory)
// but its payload is not available here: `entriesFrom` reports a miss and the
// leader sends a snapshot instead (etcd's ErrCompacted), if storage offers one
// (`snapshotToSend`). A follower restores one with `restore()`: the log is then
// empty up to the snapshot's index.
//
// The log also decides membership: the configuration in force is that of the
// last ConfigChange entry in it (membership.ts), tracked here on every append,
// truncation, eviction and restore.

import { EntryKind, type LogEntry } from '../../types.js';
import { invariant } from './assert.js';
import type { RaftLimits } from './config.js';
import { decodeConfigChange, type Membership } from './membership.js';
import type { RaftStorage, SnapshotMeta } from './storage.js';

export interface TermAtIndex {
  readonly index: number;
  readonly term: number;
}

interface ConfigAt {
  readonly index: number;
  readonly membership: Membership;
}

export class LogView {
  /**
   * Membership changes in the in-memory tail, in index order; the last one
   * (or `baseMembership` when none) is in force: a configuration takes
   * effect when appended and is undone when truncated (membership.ts).
   */
  private configs: ConfigAt[] = [];
  /** In force before the tail's first config entry. */
  private baseMembership: Membership;
  private baseConfigIndex = 0;
  /** The log was replaced by a snapshot up to here (restore()); 0: never. */
  private snapshotIndex = 0;
  private snapshotTerm = 0;
  /** A restored snapshot not yet handed out in a Ready. */
  private unstableSnapshot: SnapshotMeta | undefined;
  /** tail[k] is the entry at tailFirstIndex + k; the tail ends at lastIndex() unless empty. */
  private tail: LogEntry[];
  private tailFirstIndex: number;
  /** Entries up to here are durable and are the current log's entries. */
  private persisted: number;
  /** Entries up to here were handed out in a Ready to be persisted. */
  private handedOut: number;
  private committed: number;
  /** Entries up to here were handed out in a Ready to be applied. */
  private applied: number;

  constructor(
    private readonly storage: RaftStorage,
    private readonly limits: RaftLimits,
    recoveredTail: readonly LogEntry[],
    commitIndex: number,
    appliedIndex: number,
    baseMembership: Membership = { voters: [], learners: [] },
  ) {
    this.baseMembership = baseMembership;
    const storageLastIndex = storage.lastIndex();
    this.tail = [...recoveredTail];
    this.tailFirstIndex = recoveredTail[0]?.index ?? storageLastIndex + 1;
    this.persisted = storageLastIndex;
    this.handedOut = storageLastIndex;
    this.committed = commitIndex;
    this.applied = appliedIndex;
    invariant(this.tailFirstIndex + this.tail.length - 1 === storageLastIndex, 'recovered tail must end at the storage last index');
    invariant(this.tailFirstIndex <= appliedIndex + 1, 'recovered tail must hold every unapplied entry');
    invariant(appliedIndex <= commitIndex, 'applied index must not exceed the commit index');
    invariant(commitIndex <= storageLastIndex, 'recovered commit index must not exceed the last index');
    this.checkContiguous(this.tail, this.term(this.tailFirstIndex - 1));
    this.noteConfigs(this.tail);
  }

  /** The configuration in force: that of the last config entry in the log. */
  membership(): Membership {
    return this.configs.at(-1)?.membership ?? this.baseMembership;
  }

  /** Index of the config entry in force; 0 for the configuration given at start. */
  configIndex(): number {
    return this.configs.at(-1)?.index ?? this.baseConfigIndex;
  }

  private noteConfigs(entries: readonly LogEntry[]): void {
    for (const entry of entries) {
      if (entry.kind !== EntryKind.ConfigChange) continue;
      const membership = decodeConfigChange(entry.data).after;
      this.configs.push({ index: entry.index, membership });
    }
  }

  lastIndex(): number {
    return this.tailFirstIndex + this.tail.length - 1;
  }

  firstIndex(): number {
    return Math.max(this.snapshotIndex + 1, Math.min(this.tailFirstIndex, this.storage.firstIndex()));
  }

  lastTerm(): number {
    const term = this.term(this.lastIndex());
    invariant(term !== undefined, 'the term of the last index must be known');
    return term;
  }

  /** Term at `index`, or undefined when compacted away or beyond the last index. */
  term(index: number): number | undefined {
    if (index === 0) return 0;
    if (index > this.lastIndex()) return undefined;
    if (index >= this.tailFirstIndex) return this.tail[index - this.tailFirstIndex]?.term;
    // After a restore, storage may still hold the replaced log until the driver installs the snapshot.
    if (index <= this.snapshotIndex) return index === this.snapshotIndex ? this.snapshotTerm : undefined;
    return this.storage.term(index);
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  /** Raft's voting restriction: is a log ending at (lastIndex, lastTerm) at least as up to date as ours? */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const ourLastTerm = this.lastTerm();
    return lastTerm > ourLastTerm || (lastTerm === ourLastTerm && lastIndex >= this.lastIndex());
  }

  commitIndex(): number {
    return this.committed;
  }

  appliedIndex(): number {
    return this.applied;
  }

  persistedIndex(): number {
    return this.persisted;
  }

  /**
   * Appends entries whose first index is at most lastIndex() + 1, replacing a
   * conflicting suffix. Never touches committed entries.
   */
  append(entries: readonly LogEntry[]): void {
    const first = entries[0];
    if (first === undefined) return;
    invariant(first.index > this.committed, 'an append must never replace a committed entry');
    invariant(first.index <= this.lastIndex() + 1, 'an append must not leave a gap');
    invariant(first.index >= this.tailFirstIndex, 'an append must start inside the in-memory tail');
    this.checkContiguous(entries, this.term(first.index - 1));
    if (first.index <= this.lastIndex()) {
      this.tail.length = first.index - this.tailFirstIndex;
      this.persisted = Math.min(this.persisted, first.index - 1);
      this.handedOut = Math.min(this.handedOut, first.index - 1);
      this.configs = this.configs.filter((config) => config.index < first.index);
    }
    for (const entry of entries) this.tail.push(entry);
    this.noteConfigs(entries);
  }

  /**
   * The follower side of AppendEntries: if our log matches (prevIndex,
   * prevTerm), appends what is new, commits up to min(leaderCommit, last new
   * index) and returns that last new index; otherwise returns undefined.
   */
  maybeAppend(prevIndex: number, prevTerm: number, leaderCommit: number, entries: readonly LogEntry[]): number | undefined {
    if (!this.matchTerm(prevIndex, prevTerm)) return undefined;
    const lastNewIndex = prevIndex + entries.length;
    const conflictIndex = this.findConflict(entries);
    if (conflictIndex !== 0) {
      invariant(conflictIndex > this.committed, 'a leader must never conflict with a committed entry');
      this.append(entries.slice(conflictIndex - prevIndex - 1));
    }
    // Only up to lastNewIndex: entries past it may still differ from the leader's.
    this.commitTo(Math.min(leaderCommit, lastNewIndex));
    return lastNewIndex;
  }

  /** First index of `entries` whose term differs from ours or that we lack; 0 if none. */
  private findConflict(entries: readonly LogEntry[]): number {
    for (const entry of entries) {
      if (!this.matchTerm(entry.index, entry.term)) return entry.index;
    }
    return 0;
  }

  /**
   * The largest index at or below `index` whose term is at most `term`, with
   * that term: etcd's findConflictByTerm, used on both sides of a rejection.
   * Stops early (term 0) where terms are no longer known.
   */
  findConflictByTerm(index: number, term: number): TermAtIndex {
    for (let i = index; i > 0; i--) {
      const ourTerm = this.term(i);
      if (ourTerm === undefined) return { index: i, term: 0 };
      if (ourTerm <= term) return { index: i, term: ourTerm };
    }
    return { index: 0, term: 0 };
  }

  /**
   * Replaces the whole log with a snapshot from the leader (nothing of ours
   * at its index matches it): empty up to `meta.index`, committed and applied
   * up to it, and its configuration in force.
   */
  restore(meta: SnapshotMeta): void {
    invariant(meta.index > this.committed, 'a snapshot restore only moves the log forward');
    this.tail = [];
    this.tailFirstIndex = meta.index + 1;
    this.snapshotIndex = meta.index;
    this.snapshotTerm = meta.term;
    this.committed = meta.index;
    this.applied = meta.index;
    this.persisted = meta.index;
    this.handedOut = meta.index;
    this.configs = [];
    this.baseMembership = meta.membership;
    this.baseConfigIndex = meta.index;
    this.unstableSnapshot = meta;
  }

  hasUnstableSnapshot(): boolean {
    return this.unstableSnapshot !== undefined;
  }

  takeUnstableSnapshot(): SnapshotMeta | undefined {
    const meta = this.unstableSnapshot;
    this.unstableSnapshot = undefined;
    return meta;
  }

  /**
   * The storage's latest snapshot, if a follower can continue from it with
   * the entries held in memory (it reaches the tail) and it is committed.
   */
  snapshotToSend(): SnapshotMeta | undefined {
    const meta = this.storage.snapshot?.();
    if (meta === undefined || meta.index < this.tailFirstIndex - 1 || meta.index > this.committed) return undefined;
    return meta;
  }

  /** Raises the commit index; a lower value is ignored, so it never decreases. */
  commitTo(index: number): boolean {
    if (index <= this.committed) return false;
    invariant(index <= this.lastIndex(), 'the commit index must not exceed the last index');
    this.committed = index;
    return true;
  }

  /**
   * Entries from `lo` for an AppendRequest, bounded by the message limits, or
   * undefined when `lo` is below the in-memory tail (see the header comment).
   */
  entriesFrom(lo: number): readonly LogEntry[] | undefined {
    if (lo > this.lastIndex()) return [];
    if (lo < this.tailFirstIndex) return undefined;
    const start = lo - this.tailFirstIndex;
    const end = Math.min(this.tail.length, start + this.limits.messageEntriesMax);
    let bytes = 0;
    let k = start;
    for (; k < end; k++) {
      bytes += this.tail[k]?.data.byteLength ?? 0;
      if (bytes > this.limits.messageBytesMax && k > start) break;
    }
    return this.tail.slice(start, k);
  }

  hasUnpersisted(): boolean {
    return this.handedOut < this.lastIndex();
  }

  /** Entries to persist in the next Ready: those not handed out before. */
  takeUnpersisted(): readonly LogEntry[] {
    const entries = this.tail.slice(this.handedOut + 1 - this.tailFirstIndex);
    this.handedOut = this.lastIndex();
    return entries;
  }

  /**
   * Storage acknowledged entries up to (index, term). Ignored when that entry
   * was replaced since the Ready was taken: the replacement is persisted by a
   * later Ready, and storage applies appends in order.
   */
  persistedTo(index: number, term: number): void {
    if (index <= this.persisted || !this.matchTerm(index, term)) return;
    invariant(index <= this.handedOut, 'storage acknowledged entries that were never handed out');
    this.persisted = index;
  }

  hasCommittedToApply(): boolean {
    return this.applicableIndex() > this.applied;
  }

  /**
   * Committed entries to apply in the next Ready. Only durable ones: the
   * driver may then apply them without waiting for the Ready's own writes.
   */
  takeCommittedToApply(): readonly LogEntry[] {
    const hi = Math.min(this.applicableIndex(), this.applied + this.limits.readyCommittedEntriesMax);
    invariant(this.applied + 1 >= this.tailFirstIndex, 'unapplied entries must be in memory');
    const entries = this.tail.slice(this.applied + 1 - this.tailFirstIndex, hi + 1 - this.tailFirstIndex);
    this.applied = hi;
    return entries;
  }

  private applicableIndex(): number {
    return Math.min(this.committed, this.persisted);
  }

  /** Drops applied, durable entries beyond `tailEntriesMax`, in batches to amortise the copy. */
  evict(): void {
    const excess = this.tail.length - this.limits.tailEntriesMax;
    if (excess <= this.limits.tailEntriesMax >> 3) return;
    const evictable = Math.min(this.applied, this.persisted) - this.tailFirstIndex + 1;
    const count = Math.min(excess, evictable);
    if (count <= 0) return;
    this.tail.splice(0, count);
    this.tailFirstIndex += count;
    // Config entries leaving memory are committed (applied): the last becomes the base.
    while (this.configs.length > 0 && (this.configs[0]?.index ?? 0) < this.tailFirstIndex) {
      const evicted = this.configs.shift();
      if (evicted !== undefined) {
        this.baseMembership = evicted.membership;
        this.baseConfigIndex = evicted.index;
      }
    }
  }

  /** Entries held in memory (for status and tests). */
  tailEntryCount(): number {
    return this.tail.length;
  }

  private checkContiguous(entries: readonly LogEntry[], previousTerm: number | undefined): void {
    let expectedIndex = entries[0]?.index ?? 0;
    let term = previousTerm ?? 0;
    for (const entry of entries) {
      invariant(entry.index === expectedIndex, 'log indexes must be contiguous');
      invariant(entry.term >= term, 'log terms must not decrease');
      term = entry.term;
      expectedIndex++;
    }
  }
}
