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
  metrics(): Promise<{ readonly contentType: string; readonly body: string }>;
}
