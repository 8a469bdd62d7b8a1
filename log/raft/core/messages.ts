// The messages Raft peers exchange. A readonly discriminated union on `kind`;
// every switch over it ends in `unreachable`. The transport (later: gRPC
// on grpc_port) serialises these as they are; the core never sees bytes.
//
// Every message carries the sender's term: a receiver with a lower term adopts
// it and becomes a follower; a message from a lower term is stale.

import type { LogEntry } from '../../types.js';
import type { SnapshotMeta } from './storage.js';

interface Envelope {
  /** Sender node id. */
  readonly from: number;
  /** Receiver node id. */
  readonly to: number;
  /** Sender's current term. */
  readonly term: number;
}

/**
 * A candidate asks for a vote (RequestVote). `transfer` marks an election
 * started by TimeoutNow (leader transfer): voters then ignore the leader
 * lease, since the leader itself asked for it.
 */
export interface VoteRequest extends Envelope {
  readonly kind: 'VoteRequest';
  readonly lastLogIndex: number;
  readonly lastLogTerm: number;
  readonly transfer: boolean;
}

export interface VoteResponse extends Envelope {
  readonly kind: 'VoteResponse';
  readonly granted: boolean;
}

/**
 * Pre-vote (Raft dissertation §9.6): "would you vote for me at `term`?".
 * `term` is the sender's term + 1, but the sender has not entered it, and a
 * receiver answers without changing its own term or vote.
 */
export interface PreVoteRequest extends Envelope {
  readonly kind: 'PreVoteRequest';
  readonly lastLogIndex: number;
  readonly lastLogTerm: number;
}

/** `term` is the request's term when granted, the receiver's own when not. */
export interface PreVoteResponse extends Envelope {
  readonly kind: 'PreVoteResponse';
  readonly granted: boolean;
}

/**
 * AppendEntries. The receiver accepts `entries` only if its log holds an entry
 * at `prevLogIndex` with `prevLogTerm` (the consistency check). `entries` may
 * be empty (a probe, or news of a higher `commitIndex`).
 */
export interface AppendRequest extends Envelope {
  readonly kind: 'AppendRequest';
  readonly prevLogIndex: number;
  readonly prevLogTerm: number;
  readonly entries: readonly LogEntry[];
  /** The leader's commit index. */
  readonly commitIndex: number;
  /**
   * No entries, to a follower the leader streams to (replicate state): only
   * the commit index is news. A follower whose log matches at prevLogIndex
   * commits and does not answer, since the answer would tell the leader
   * nothing it does not know; otherwise it answers as usual (a rejection
   * still reaches the leader). Under load these were a sixth of a follower's
   * messages, each answered: a message more on every node per commit.
   */
  readonly commitOnly: boolean;
}

/** The receiver's log matches the leader's up to `matchIndex`. */
export interface AppendAccepted extends Envelope {
  readonly kind: 'AppendAccepted';
  readonly matchIndex: number;
}

/**
 * The consistency check failed at `rejectedIndex` (the request's prevLogIndex).
 * The hint lets the leader skip a whole conflicting term per round trip
 * instead of one index (etcd's fast backtracking): `hintIndex` is the largest
 * index at or below `rejectedIndex` whose term is at most the request's
 * prevLogTerm, and `hintTerm` is the receiver's term there.
 */
export interface AppendRejected extends Envelope {
  readonly kind: 'AppendRejected';
  readonly rejectedIndex: number;
  readonly hintIndex: number;
  readonly hintTerm: number;
}

/**
 * Keeps followers from campaigning and carries commit progress.
 * `commitIndex` is min(follower's matchIndex, leader's commit), so the
 * follower can apply it without a consistency check.
 */
export interface Heartbeat extends Envelope {
  readonly kind: 'Heartbeat';
  readonly commitIndex: number;
  /**
   * The leader's latest ReadIndex round in this term (0: none yet). An answer
   * echoing it confirms leadership for every read registered at or before it.
   */
  readonly readRound: number;
}

export interface HeartbeatResponse extends Envelope {
  readonly kind: 'HeartbeatResponse';
  /** Echo of the heartbeat's readRound. */
  readonly readRound: number;
}

/** A follower forwards a linearizable read to the leader. */
export interface ReadIndexRequest extends Envelope {
  readonly kind: 'ReadIndexRequest';
  /** Chosen by the requesting node; unique among its outstanding reads. */
  readonly requestId: number;
}

/**
 * The leader's answer: `index` is a commit index at least as new as every
 * write acknowledged before the read was registered; 0 with `ok: false` when
 * the receiver is not (or no longer) the leader.
 */
export interface ReadIndexResponse extends Envelope {
  readonly kind: 'ReadIndexResponse';
  readonly requestId: number;
  readonly ok: boolean;
  readonly index: number;
}

/**
 * The leader no longer holds the entries a follower needs: it sends the state
 * up to `snapshot.index` instead. This carries the metadata; the driver
 * streams the snapshot's bytes beside it and steps it into the receiving core
 * only once they have all arrived. Answered with AppendAccepted.
 */
export interface InstallSnapshot extends Envelope {
  readonly kind: 'InstallSnapshot';
  readonly snapshot: SnapshotMeta;
}

/** Leader transfer: the leader tells a caught-up follower to campaign at once. */
export interface TimeoutNow extends Envelope {
  readonly kind: 'TimeoutNow';
}

export type Message =
  | VoteRequest
  | VoteResponse
  | PreVoteRequest
  | PreVoteResponse
  | AppendRequest
  | AppendAccepted
  | AppendRejected
  | Heartbeat
  | HeartbeatResponse
  | ReadIndexRequest
  | ReadIndexResponse
  | InstallSnapshot
  | TimeoutNow;

export type MessageKind = Message['kind'];
