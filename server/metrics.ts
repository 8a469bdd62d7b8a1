// Prometheus metrics for /admin/metrics. Components report through small
// observer interfaces (log/ never imports prom-client); this file maps those
// callbacks onto a prom-client registry owned by one server instance.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface NodeMetrics {
  readonly registry: Registry;
  readonly walAppendedRecords: Counter;
  readonly walAppendedBytes: Counter;
  readonly walFsyncSeconds: Histogram;
  readonly walGroupCommitBatchRecords: Histogram;
  readonly walSizeBytes: Gauge;
  readonly walSegmentsDeleted: Counter;
  readonly walTruncations: Counter;
  readonly raftTerm: Gauge;
  readonly raftCommitIndex: Gauge;
  readonly raftAppliedIndex: Gauge;
  readonly viewLagEntries: Gauge;
  readonly viewLagSeconds: Gauge;
  readonly columnWaitChecks: Counter;
  readonly columnWaits: Counter;
  readonly columnWaitSeconds: Counter;
  readonly raftLeaderChanges: Counter;
  readonly raftCommitSeconds: Histogram;
  readonly raftIsLeader: Gauge;
  readonly raftVoters: Gauge;
  readonly raftLearners: Gauge;
  readonly raftReplicationLagEntries: Gauge<'peer'>;
  readonly raftSnapshotsSent: Counter<'peer'>;
  readonly raftConfigChanges: Counter<'op'>;
  readonly transportSentMessages: Counter<'peer'>;
  readonly transportDroppedMessages: Counter<'peer' | 'reason'>;
  readonly transportReceivedMessages: Counter<'peer'>;
  readonly clusterPeerConnected: Gauge<'peer'>;
}

export function createNodeMetrics(labels: { nodeId: number; clusterName: string }): NodeMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ node_id: String(labels.nodeId), cluster: labels.clusterName });
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    walAppendedRecords: new Counter({
      name: 'thunderdb_wal_appended_records_total', help: 'Records appended to the WAL.', registers,
    }),
    walAppendedBytes: new Counter({
      name: 'thunderdb_wal_appended_bytes_total', help: 'Bytes (framed, after compression) appended to the WAL.', registers,
    }),
    walFsyncSeconds: new Histogram({
      name: 'thunderdb_wal_fsync_duration_seconds', help: 'Latency of one WAL fdatasync.', registers,
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    }),
    walGroupCommitBatchRecords: new Histogram({
      name: 'thunderdb_wal_group_commit_batch_records', help: 'Records made durable by one fdatasync (group commit).', registers,
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096],
    }),
    walSizeBytes: new Gauge({
      name: 'thunderdb_wal_size_bytes', help: 'Bytes of WAL segment files on disk.', registers,
    }),
    walSegmentsDeleted: new Counter({
      name: 'thunderdb_wal_segments_deleted_total', help: 'WAL segment files deleted (compaction, or a suffix truncation that removed whole segments).', registers,
    }),
    walTruncations: new Counter({
      name: 'thunderdb_wal_truncations_total', help: 'Conflicting WAL suffixes replaced (Raft log truncation).', registers,
    }),
    raftTerm: new Gauge({ name: 'thunderdb_raft_term', help: 'Current Raft term.', registers }),
    raftCommitIndex: new Gauge({ name: 'thunderdb_raft_commit_index', help: 'Highest log index known committed.', registers }),
    raftAppliedIndex: new Gauge({
      name: 'thunderdb_raft_applied_index', help: 'Highest committed index handed to the materializers.', registers,
    }),
    viewLagEntries: new Gauge({
      name: 'thunderdb_view_lag_entries', help: 'Committed log entries a view (rowstore, columnstore) has not applied yet.',
      labelNames: ['view'], registers,
    }),
    viewLagSeconds: new Gauge({
      name: 'thunderdb_view_lag_seconds',
      help: 'How long a view has been behind the commit index: 0 when caught up, else the time since it last applied a batch.',
      labelNames: ['view'], registers,
    }),
    // Set from query/vectorized's process-wide counts at scrape time (reset + inc).
    columnWaitChecks: new Counter({
      name: 'thunderdb_column_wait_checks_total', help: 'Column-path queries that checked the column store had applied their read index.', registers,
    }),
    columnWaits: new Counter({
      name: 'thunderdb_column_waits_total', help: 'Column-path queries that found the column store behind their read index and waited for it.', registers,
    }),
    columnWaitSeconds: new Counter({
      name: 'thunderdb_column_wait_seconds_total', help: 'Time column-path queries spent waiting for the column store to apply their read index.', registers,
    }),
    raftLeaderChanges: new Counter({
      name: 'thunderdb_raft_leader_changes_total', help: 'Leader changes observed by this node.', registers,
    }),
    raftCommitSeconds: new Histogram({
      name: 'thunderdb_raft_commit_duration_seconds', help: 'From proposal to commit of one log entry.', registers,
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    }),
    raftIsLeader: new Gauge({ name: 'thunderdb_raft_is_leader', help: '1 when this node leads its Raft group.', registers }),
    raftVoters: new Gauge({ name: 'thunderdb_raft_voters', help: 'Voters in the Raft configuration this node has.', registers }),
    raftLearners: new Gauge({ name: 'thunderdb_raft_learners', help: 'Learners (catching up, not voting) in the Raft configuration this node has.', registers }),
    raftReplicationLagEntries: new Gauge({
      name: 'thunderdb_raft_replication_lag_entries', help: 'Leader only: entries a follower or learner is behind the leader\'s last index.',
      labelNames: ['peer'], registers,
    }),
    raftSnapshotsSent: new Counter({
      name: 'thunderdb_raft_snapshots_sent_total', help: 'Snapshots sent to a follower behind the leader\'s log (InstallSnapshot).', labelNames: ['peer'], registers,
    }),
    raftConfigChanges: new Counter({
      name: 'thunderdb_raft_config_changes_total', help: 'Membership changes applied on this node (addLearner, promote, remove).', labelNames: ['op'], registers,
    }),
    transportSentMessages: new Counter({
      name: 'thunderdb_raft_transport_sent_messages_total', help: 'Raft messages written to a peer stream (gRPC).', labelNames: ['peer'], registers,
    }),
    transportDroppedMessages: new Counter({
      name: 'thunderdb_raft_transport_dropped_messages_total',
      help: 'Raft messages dropped: queue_full, disconnected, unknown_peer (outgoing) or malformed (either way).',
      labelNames: ['peer', 'reason'], registers,
    }),
    transportReceivedMessages: new Counter({
      name: 'thunderdb_raft_transport_received_messages_total', help: 'Raft messages received from a peer (gRPC).', labelNames: ['peer'], registers,
    }),
    clusterPeerConnected: new Gauge({
      name: 'thunderdb_cluster_peer_connected', help: '1 while this node has an open stream to the peer.', labelNames: ['peer'], registers,
    }),
  };
}
