// The leader's side of ReadIndex (Raft dissertation §6.4): linearizable reads
// without writing to the log.
//
//   1. A read arriving at the leader records the leader's commit index as its
//      read index. If no entry of the leader's term has committed yet, the
//      leader does not know the true commit index: the read waits for that.
//   2. The leader confirms it is still the leader: every read gets a round
//      number, the next heartbeat carries the latest round, and a follower's
//      answer echoing round n acknowledges every read of round <= n. Once a
//      quorum of voters (the leader included) acknowledged a read, no other
//      leader could have committed anything at the time it was registered.
//   3. The read index goes back to the requester (a ReadState locally, a
//      ReadIndexResponse to a follower), which serves the read once it has
//      applied up to it.
// A one-voter group skips step 2: no other leader can exist.

import { invariant } from './assert.js';

export interface PendingRead {
  readonly requestId: number;
  /** The node that asked (this leader for a local read). */
  readonly from: number;
  /** The leader's commit index when the read was registered. */
  readonly index: number;
  readonly round: number;
  /** Voters that acknowledged leadership after the read was registered. */
  readonly acks: Set<number>;
}

export interface WaitingRead {
  readonly requestId: number;
  readonly from: number;
}

/** Outstanding reads on a leader, for one term (cleared when leadership ends). */
export class ReadIndexQueue {
  /** Latest round issued in this term; heartbeats carry it. */
  round = 0;
  /** A read was registered since the last heartbeat: send one with the next Ready. */
  heartbeatDue = false;
  /** Awaiting an entry of the leader's term to commit. */
  private waiting: WaitingRead[] = [];
  /** Awaiting a quorum of acknowledgements, in round order. */
  private pending: PendingRead[] = [];

  get size(): number {
    return this.waiting.length + this.pending.length;
  }

  wait(read: WaitingRead): void {
    this.waiting.push(read);
  }

  takeWaiting(): readonly WaitingRead[] {
    const waiting = this.waiting;
    this.waiting = [];
    return waiting;
  }

  /** Registers a read at `index`, acknowledged so far by `acks`; returns its round. */
  register(requestId: number, from: number, index: number, acks: readonly number[]): void {
    this.round++;
    this.pending.push({ requestId, from, index, round: this.round, acks: new Set(acks) });
    this.heartbeatDue = true;
  }

  /**
   * `voter` answered a heartbeat of `round`: it acknowledges every read up to
   * that round. Returns the reads now confirmed by `isQuorum`, oldest first
   * (a quorum for a read confirms every earlier one too).
   */
  acknowledge(voter: number, round: number, isQuorum: (acks: ReadonlySet<number>) => boolean): readonly PendingRead[] {
    let confirmed = 0;
    for (const [k, read] of this.pending.entries()) {
      if (read.round > round) break;
      read.acks.add(voter);
      if (isQuorum(read.acks)) confirmed = k + 1;
    }
    return this.pending.splice(0, confirmed);
  }

  /** Every outstanding read, for failing them when leadership ends. */
  takeAll(): readonly WaitingRead[] {
    const all: WaitingRead[] = [...this.waiting, ...this.pending];
    this.waiting = [];
    this.pending = [];
    this.round = 0;
    this.heartbeatDue = false;
    invariant(this.size === 0, 'read queue is empty after takeAll');
    return all;
  }
}
