// The core's output: what must happen, as data. The driver handles one Ready
// at a time, in this order, then calls `advance(ready)`:
//
//   0. install `snapshot`, if any (a follower far behind; see Ready.snapshot).
//   1. apply `committedEntries` (in order). They are already durable locally,
//      so this may overlap step 2; it must not wait for step 4.
//   2. persist `entries` (may replace a suffix of the stored log) and then
//      `hardState`. Entries first: a hard state's commit index must never
//      point past durable entries. (With the WAL's sync_commit off, an
//      append resolves when written, not yet durable; the driver then also
//      stores no commit above the WAL's durableIndex().)
//   3. only then send `messages`: a vote or an acknowledgment promises that
//      the state behind it survives a crash ("persist before send").
//   4. advance(ready): tells the core the entries are durable. A leader counts
//      its own log as replicated only from here, so even a single voter
//      commits nothing before its own fsync.

import type { HardState, LogEntry } from '../../types.js';
import type { Message } from './messages.js';
import type { SnapshotMeta } from './storage.js';

/** preCandidate: asking for pre-votes, still in its old term (pre-vote, §9.6). */
export type Role = 'follower' | 'preCandidate' | 'candidate' | 'leader';

/**
 * The outcome of a ReadIndex request made on this node (RaftNode.readIndex).
 * ok: once this node has applied up to `index`, its state is at least as new
 * as every write acknowledged before the request; serve the read then.
 * Not ok: the leader was lost or refused (retry, perhaps elsewhere).
 */
export type ReadState =
  | { readonly requestId: number; readonly ok: true; readonly index: number }
  | { readonly requestId: number; readonly ok: false };

/** Volatile state, reported when it changes; never persisted. */
export interface SoftState {
  /** 0 when no leader is known. */
  readonly leaderId: number;
  readonly role: Role;
}

export interface Ready {
  /** Set only when term, vote or commit changed since the last Ready. */
  readonly hardState?: HardState;
  /** Entries to persist, in index order; the first may be at or below the stored last index. */
  readonly entries: readonly LogEntry[];
  /** To send after `entries` and `hardState` are durable. */
  readonly messages: readonly Message[];
  /** Committed, durable entries to apply, contiguous from the last Ready's. */
  readonly committedEntries: readonly LogEntry[];
  /** Set only when leader or role changed since the last Ready. */
  readonly softState?: SoftState;
  /** Answers to ReadIndex requests made on this node; need no persistence. */
  readonly readStates: readonly ReadState[];
  /**
   * A snapshot received from the leader, to install before `entries` (which
   * then start after its index): the log becomes empty up to `index` (the
   * term at `index` is `term`), the views load the snapshot's bytes, and the
   * applied index becomes `index`. `committedEntries` then continue after it.
   */
  readonly snapshot?: SnapshotMeta;
}

export function hardStateEqual(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

export function softStateEqual(a: SoftState, b: SoftState): boolean {
  return a.leaderId === b.leaderId && a.role === b.role;
}
