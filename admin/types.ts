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
  /** Members that receive the log but do not vote (a joining node catching up). */
  readonly learners?: readonly number[];
  /** Leader only: each other member's match index (from the Raft core's progress). */
  readonly progress?: readonly MemberProgressView[];
}

export interface MemberProgressView {
  readonly nodeId: number;
  readonly matchIndex: number;
  /** probe, replicate or snapshot (log/raft/core/progress.ts). */
  readonly state: string;
}

/** An answer of a cluster operation, already in the admin API's JSON shape. */
export interface ControlResult {
  readonly statusCode: number;
  readonly body: object;
}

/**
 * Membership operations. The server implements them on the leader and
 * forwards them there from a follower; `forwarded` is set on a request that
 * was already forwarded once (it is then answered, never forwarded again).
 */
export interface ClusterControl {
  /** A new node asks to join: add it as a learner (it is promoted once caught up). */
  join(request: { readonly nodeId: number; readonly raftAddr: string }, forwarded: boolean): Promise<ControlResult>;
  remove(nodeId: number, forwarded: boolean): Promise<ControlResult>;
  /** `target` undefined: the most caught-up other voter. */
  transferLeader(target: number | undefined, forwarded: boolean): Promise<ControlResult>;
  /** The leader tells a node it removed: it stops campaigning and reports itself removed. */
  removed(notice: { readonly index: number; readonly leaderId: number }): Promise<ControlResult>;
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

/** Another member as this node's transport sees it. */
export interface ClusterPeerView {
  /** 0 until it answered the handshake. */
  readonly nodeId: number;
  /** Its Raft (gRPC) address as configured in cluster.peers. */
  readonly addr: string;
  /** host:pg_port and host:http_port; '' until known. */
  readonly pgAddr: string;
  readonly httpAddr: string;
  /** This node's stream to it is open. */
  readonly connected: boolean;
  /** Milliseconds since a message from it arrived; undefined if none yet. */
  readonly lastHeardMsAgo: number | undefined;
  readonly lastError: string;
  readonly sentMessages: number;
  readonly droppedMessages: number;
  readonly receivedMessages: number;
}

/** Multi-node state; absent on a single node. */
export interface ClusterView {
  peers(): readonly ClusterPeerView[];
  /** What `nodeId` last acknowledged to this node as leader in `term` (AppendAccepted), if anything. */
  matchIndex(nodeId: number, term: number): number | undefined;
  /** A leader is known and reachable (or, on the leader, a quorum heard from) within an election timeout. */
  quorumReachable(): boolean;
  /** Still waiting for every peer's first handshake (the Raft log is not open yet). */
  waitingForPeers(): boolean;
  /** Joining an existing cluster: asking its leader to add this node (the Raft log is not open yet). */
  joining?(): boolean;
  /** This node was removed from the configuration: it no longer votes or campaigns. */
  removed?(): boolean;
  control?: ClusterControl;
}

export interface AdminNodeView {
  readonly nodeId: number;
  readonly clusterName: string;
  readonly replicationFactor: number;
  /** Raft address of this node ("host:grpc_port"). */
  readonly raftAddr: string;
  /** Client endpoints of this node ("host:pg_port", "host:http_port"), when known. */
  readonly pgAddr?: string;
  readonly httpAddr?: string;
  readonly version: string;
  readonly startedAtMs: number;
  lifecycle(): Lifecycle;
  raft(): RaftView | undefined;
  /** Undefined on a single node (no cluster.peers). */
  cluster?(): ClusterView | undefined;
  wal(): WalView | undefined;
  /** The views that are open (empty while starting). */
  views(): readonly ViewStatus[];
  metrics(): Promise<{ readonly contentType: string; readonly body: string }>;
}
