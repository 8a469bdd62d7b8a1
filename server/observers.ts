// Adapters from the log component's observer callbacks to Prometheus metrics.
import type { RaftObserver, WalObserver } from '../log/index.js';
import type { NodeMetrics } from './metrics.js';

export function walObserver(metrics: NodeMetrics): WalObserver {
  return {
    onAppend(records: number, bytes: number): void {
      metrics.walAppendedRecords.inc(records);
      metrics.walAppendedBytes.inc(bytes);
    },
    onFsync(durationMs: number, recordsInBatch: number): void {
      metrics.walFsyncSeconds.observe(durationMs / 1000);
      metrics.walGroupCommitBatchRecords.observe(recordsInBatch);
    },
    onTruncate(): void {
      metrics.walTruncations.inc();
    },
    onSegmentDeleted(): void {
      metrics.walSegmentsDeleted.inc();
    },
  };
}

export function raftObserver(metrics: NodeMetrics): RaftObserver {
  return {
    onCommit(_index: number, latencyMs: number): void {
      metrics.raftCommitSeconds.observe(latencyMs / 1000);
    },
    onLeaderChange(_leaderId: number, term: number, isSelf: boolean): void {
      metrics.raftLeaderChanges.inc();
      metrics.raftTerm.set(term);
      metrics.raftIsLeader.set(isSelf ? 1 : 0);
    },
    onSnapshotSent(nodeId: number): void {
      metrics.raftSnapshotsSent.inc({ peer: String(nodeId) });
    },
  };
}
