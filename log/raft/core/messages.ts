// The messages Raft peers exchange. A readonly discriminated union on `kind`;
// every switch over it ends in `unreachable`. The transport (next issue: gRPC
// on grpc_port) serialises these as they are; the core never sees bytes.
//
// Every message carries the sender's term: a receiver with a lower term adopts
// it and becomes a follower; a message from a lower term is stale.

import type { LogEntry } from '../../types.js';

interface Envelope {
  /** Sender node id. */
  readonly from: number;
  /** Receiver node id. */
  readonly to: number;
  /** Sender's current term. */
  readonly term: number;
}

/** A candidate asks for a vote (RequestVote). next issue: a PreVote kind beside it. */
export interface VoteRequest extends Envelope {
  readonly kind: 'VoteRequest';
  readonly lastLogIndex: number;
  readonly lastLogTerm: number;
}

export interface VoteResponse extends Envelope {
  readonly kind: 'VoteResponse';
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
}

export interface HeartbeatResponse extends Envelope {
  readonly kind: 'HeartbeatResponse';
}

// next issue: InstallSnapshot, TimeoutNow (leader transfer), ReadIndex and
// their responses join this union; the compiler then lists every switch to extend.
export type Message =
  | VoteRequest
  | VoteResponse
  | AppendRequest
  | AppendAccepted
  | AppendRejected
  | Heartbeat
  | HeartbeatResponse;

export type MessageKind = Message['kind'];
