// What a leader knows about each voter's log (etcd's tracker.Progress), and the
// quorum arithmetic over it. Only a leader holds progress; it is rebuilt at
// the start of every term.

import { invariant, unreachable } from './assert.js';

/**
 * probe: we do not know where the follower's log matches ours; send one
 * AppendRequest at a time and move `next` back on rejection.
 * replicate: the follower is known to match up to `match`; stream entries
 * optimistically, bounded by `inflightAppendsMax` messages.
 * snapshot: an InstallSnapshot is in flight; send nothing else until the
 * follower acknowledges it (or `snapshotPeriodsMax` check-quorum periods pass:
 * then probe again, which sends a fresh snapshot if still needed).
 */
export type ProgressState = 'probe' | 'replicate' | 'snapshot';

/** Election timeouts an InstallSnapshot may stay unanswered before the leader retries. */
export const snapshotPeriodsMax = 2;

export class Progress {
  /** Highest index known to match the leader's log (for the leader itself: persisted). */
  match = 0;
  /** Next index to send. */
  next: number;
  state: ProgressState = 'probe';
  /** In probe state: an AppendRequest is outstanding, wait for its answer or a heartbeat answer. */
  probeSent = false;
  /** Heard from since the leader's last check-quorum (leader.ts). */
  recentActive = true;
  /** The follower needed entries below the in-memory tail and we said so once this term. */
  tailMissReported = false;
  /** In snapshot state: the index of the snapshot sent, and election timeouts since. */
  pendingSnapshotIndex = 0;
  snapshotPeriods = 0;
  /** In replicate state: last index of each AppendRequest in flight, oldest first. */
  private readonly inflight: number[] = [];
  /** Highest commit index sent to this member in an AppendRequest. */
  sentCommit = 0;

  constructor(next: number, private readonly inflightAppendsMax: number) {
    this.next = next;
  }

  isPaused(): boolean {
    switch (this.state) {
      case 'probe':
        return this.probeSent;
      case 'replicate':
        return this.inflight.length >= this.inflightAppendsMax;
      case 'snapshot':
        return true;
      default:
        return unreachable(this.state, 'progress state');
    }
  }

  /** Appends with entries are sent and not yet acknowledged (replicate state). */
  hasInflight(): boolean {
    return this.state === 'replicate' && this.inflight.length > 0;
  }

  /** An AppendRequest ending at `lastIndex` (or a probe without entries) was sent. */
  sentAppend(lastIndex: number, entryCount: number): void {
    switch (this.state) {
      case 'probe':
        this.probeSent = true;
        return;
      case 'replicate':
        if (entryCount > 0) {
          this.next = lastIndex + 1;
          this.inflight.push(lastIndex);
        }
        return;
      case 'snapshot':
        invariant(false, 'nothing is sent to a follower installing a snapshot');
        break;
      default:
        unreachable(this.state, 'progress state');
    }
  }

  /** The follower matches up to `index`. Returns whether that is news. */
  maybeUpdate(index: number): boolean {
    this.probeSent = false;
    this.releaseInflight(index);
    if (index <= this.match) return false;
    this.match = index;
    this.next = Math.max(this.next, index + 1);
    return true;
  }

  /**
   * The follower rejected an append at `rejectedIndex`; `matchHint` is the
   * highest index that may match (from the fast-backtracking hint). Returns
   * false for a stale rejection (one we have already moved past).
   */
  maybeDecreaseTo(rejectedIndex: number, matchHint: number): boolean {
    // An answer to an append sent before the snapshot: the snapshot's answer decides.
    if (this.state === 'snapshot') return false;
    if (this.state === 'replicate') {
      // A rejection at or below match is usually stale (reordered). But a
      // follower whose storage was wiped (restarted with the same id) also
      // answers so, with a hint below match: probe at match to tell them apart.
      if (rejectedIndex <= this.match && matchHint >= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejectedIndex) return false;
    if (rejectedIndex === this.match && matchHint < this.match) {
      // The follower rejects the entry it acknowledged as matching: it lost
      // its log (wiped and restarted with the same id). Start over from what
      // it still holds; a lower match only delays commits, never breaks them.
      this.match = matchHint;
      this.next = matchHint + 1;
      this.probeSent = false;
      return true;
    }
    this.next = Math.max(Math.min(rejectedIndex, matchHint + 1), this.match + 1);
    this.probeSent = false;
    return true;
  }

  /** An InstallSnapshot up to `index` was sent. */
  becomeSnapshot(index: number): void {
    this.state = 'snapshot';
    this.pendingSnapshotIndex = index;
    this.snapshotPeriods = 0;
    this.inflight.length = 0;
  }

  becomeProbe(): void {
    this.state = 'probe';
    this.next = this.match + 1;
    this.probeSent = false;
    this.inflight.length = 0;
  }

  becomeReplicate(): void {
    this.state = 'replicate';
    this.next = this.match + 1;
    this.inflight.length = 0;
  }

  /** A heartbeat answer proves the follower is alive: allow one more message. */
  onHeartbeatResponse(): void {
    this.probeSent = false;
    if (this.state === 'replicate' && this.inflight.length >= this.inflightAppendsMax) this.inflight.shift();
  }

  private releaseInflight(index: number): void {
    while (this.inflight.length > 0 && (this.inflight[0] ?? 0) <= index) this.inflight.shift();
  }
}

/** Votes needed to win, or matches needed to commit, among `voterCount` voters. */
export function quorumSize(voterCount: number): number {
  invariant(voterCount > 0, 'a group needs at least one voter');
  return Math.floor(voterCount / 2) + 1;
}

/**
 * The highest index held by a majority of voters: sort the voters' match
 * indexes in descending order and take the quorum-th.
 * Membership changes one server at a time (membership.ts), so there is never a
 * joint configuration: one majority suffices.
 */
export function majorityMatchIndex(matches: readonly number[]): number {
  invariant(matches.length > 0, 'majority match index over an empty voter set');
  // Runs on every acknowledgement a leader steps: an insertion sort (descending)
  // into a reused array, not a copy sorted through a comparator closure.
  // Voter sets are small (3 or 5, at most membership's limit).
  if (sortScratch.length < matches.length) sortScratch = new Float64Array(matches.length * 2);
  const sorted = sortScratch;
  for (let i = 0; i < matches.length; i++) {
    const value = matches[i] ?? 0;
    let j = i;
    for (; j > 0 && (sorted[j - 1] ?? 0) < value; j--) sorted[j] = sorted[j - 1] ?? 0;
    sorted[j] = value;
  }
  return sorted[quorumSize(matches.length) - 1] ?? 0;
}

let sortScratch = new Float64Array(16);

export type VoteOutcome = 'won' | 'lost' | 'pending';

export function tallyVotes(voterCount: number, votes: ReadonlyMap<number, boolean>): VoteOutcome {
  let granted = 0;
  let rejected = 0;
  for (const vote of votes.values()) {
    if (vote) granted++;
    else rejected++;
  }
  const quorum = quorumSize(voterCount);
  if (granted >= quorum) return 'won';
  if (rejected > voterCount - quorum) return 'lost';
  return 'pending';
}
