// What the admin API reads from a running node. The server implements this
// from its components' exported status functions; admin/ sees nothing else.

export type Lifecycle = 'starting' | 'serving' | 'stopping';
export type RaftRole = 'leader' | 'follower' | 'candidate';

export interface RaftView {
  readonly role: RaftRole;
  readonly term: number;
  /** 0 when no leader is known. */
  readonly leaderId: number;
  readonly commitIndex: number;
  readonly appliedIndex: number;
  readonly firstIndex: number;
  readonly lastIndex: number;
  readonly voters: readonly number[];
}

export interface WalView {
  readonly dir: string;
  readonly sizeBytes: number;
  readonly maxSizeBytes: number;
  readonly firstIndex: number;
  readonly lastIndex: number;
  readonly syncCommit: boolean;
  readonly compression: string;
}

/** A materialized view of the log (row store, later column store). */
export interface ViewStatus {
  readonly name: string;
  readonly appliedIndex: number;
  readonly checkpointIndex: number;
  /** Sizes and counters worth showing (bytes cached, dirty rows, ...). */
  readonly details: Readonly<Record<string, number>>;
}

export interface AdminNodeView {
  readonly nodeId: number;
  readonly clusterName: string;
  readonly replicationFactor: number;
  /** Raft address of this node ("host:grpc_port"). */
  readonly raftAddr: string;
  readonly version: string;
  readonly startedAtMs: number;
  lifecycle(): Lifecycle;
  raft(): RaftView | undefined;
  wal(): WalView | undefined;
  /** The views that are open (empty while starting). */
  views(): readonly ViewStatus[];
  metrics(): Promise<{ readonly contentType: string; readonly body: string }>;
}
