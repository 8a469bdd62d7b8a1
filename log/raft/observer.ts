// Metrics hooks, so log/ does not depend on prom-client: the server maps these
// callbacks to Prometheus. Called on the commit path: keep them cheap. A throw
// is logged and ignored.

import type { LogEntry } from '../types.js';

export interface RaftObserver {
  /** A proposal made on this node committed and was emitted, `latencyMs` after propose(). */
  onCommit?(index: number, latencyMs: number): void;
  /** The known leader changed (0: none known) in `term`. */
  onLeaderChange?(leaderId: number, term: number, isSelf: boolean): void;
  /** A batch of entries was persisted in one WAL append (one Ready): the group-commit size. */
  onBatch?(entries: readonly LogEntry[]): void;
  /** A snapshot of `bytes` was streamed to follower `peer` completely (log/grpc). */
  onSnapshotSent?(peer: number, bytes: number): void;
  /** A snapshot up to `index`, `bytes` long, was installed on this node. */
  onSnapshotInstalled?(index: number, bytes: number): void;
}
