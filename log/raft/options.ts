// Options of openReplicatedLog, their defaults and their validation.

import type { Logger } from 'pino';
import type { WriteAheadLog } from '../types.js';
import type { RaftLimits } from './core/config.js';
import type { RaftObserver } from './observer.js';
import type { SnapshotSink, SnapshotSource } from './snapshot.js';
import type { Scheduler } from './scheduler.js';
import type { Transport } from './transport.js';

export interface ReplicatedLogOptions {
  /** This node's Raft id, a positive integer. */
  readonly nodeId: number;
  /** Voter ids, including nodeId. [nodeId] is a single-voter group: same code path, no special mode. */
  readonly peers: readonly number[];
  /** The log's storage. The replicated log owns it from here on and closes it. */
  readonly wal: WriteAheadLog;
  readonly electionTimeoutTicks: number;
  readonly heartbeatTicks: number;
  readonly tickIntervalMs: number;
  readonly logger: Logger;
  /** Required when there is more than one voter. */
  readonly transport?: Transport;
  /** Real time (setInterval) when omitted. */
  readonly scheduler?: Scheduler;
  /** Pre-vote before elections (core/config.ts); default true. */
  readonly preVote?: boolean;
  /** Check-quorum and the leader lease (core/config.ts); default true. */
  readonly checkQuorum?: boolean;
  /** Uniform in [0, 1), for election timeouts; Math.random when omitted. */
  readonly random?: () => number;
  /**
   * Highest index already reflected in the views; replay starts after it.
   * Only pass an index the views really applied from committed$: it is
   * trusted as committed (it may be above the stored commit index, which
   * lags). Default: wal.firstIndex() - 1 (replay everything stored). Above
   * wal.lastIndex() (the WAL lost its tail in a power loss with sync_commit
   * off) it is clamped to it and logged at error level: the views are then
   * ahead of the log and must be rebuilt.
   */
  readonly appliedIndex?: number;
  /**
   * How long a change of the commit index alone may wait before the hard
   * state is rewritten (hard-state-writer.ts); default 1000 ms, 0 writes it
   * after every commit.
   */
  readonly hardStateCommitDelayMs?: number;
  readonly observer?: RaftObserver;
  /**
   * Snapshots to send to followers behind the leader's log (snapshot.ts).
   * Without one, such a follower cannot be caught up (logged).
   */
  readonly snapshotSource?: SnapshotSource;
  /**
   * Installs a snapshot received from the leader (snapshot.ts). Without one,
   * receiving a snapshot stops the node (LogFailedError): it cannot continue.
   */
  readonly snapshotSink?: SnapshotSink;
  /** Proposals waiting to commit; beyond it propose() rejects with ProposalsPendingLimitError. */
  readonly proposalsPendingMax?: number;
  /**
   * Largest entry payload propose() accepts; must not exceed what the WAL
   * stores (log/wal's entryDataBytesMax, also 16 MiB), or an oversized
   * proposal would fail the WAL append and stop the node.
   */
  readonly entryDataBytesMax?: number;
  /** Entries read from the WAL at a time during replay and recovery. */
  readonly replayBatchEntriesMax?: number;
  /** Limits of the Raft core (message sizes, in-memory tail). */
  readonly limits?: Partial<RaftLimits>;
  /**
   * Called once if the log stops on a storage error or a broken invariant
   * (pending proposals and committed$ fail with LogFailedError). The node
   * should then stop: the server exits non-zero.
   */
  readonly onFatal?: (error: Error) => void;
}

export const proposalsPendingMaxDefault = 16_384;
export const replayBatchEntriesMaxDefault = 1000;
export const entryDataBytesMaxDefault = 16 * 1024 * 1024;

export interface ResolvedLimits {
  readonly proposalsPendingMax: number;
  readonly replayBatchEntriesMax: number;
  readonly entryDataBytesMax: number;
}

function checkPositiveInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`replicated log option ${name} = ${String(value)}: expected a positive integer`);
  }
}

/** Checks what the core does not (the core validates ids, ticks and its own limits). */
export function resolveReplicatedLogOptions(options: ReplicatedLogOptions): ResolvedLimits {
  checkPositiveInteger('tickIntervalMs', options.tickIntervalMs);
  const proposalsPendingMax = options.proposalsPendingMax ?? proposalsPendingMaxDefault;
  checkPositiveInteger('proposalsPendingMax', proposalsPendingMax);
  const replayBatchEntriesMax = options.replayBatchEntriesMax ?? replayBatchEntriesMaxDefault;
  checkPositiveInteger('replayBatchEntriesMax', replayBatchEntriesMax);
  const entryDataBytesMax = options.entryDataBytesMax ?? entryDataBytesMaxDefault;
  checkPositiveInteger('entryDataBytesMax', entryDataBytesMax);
  if (options.peers.length > 1 && options.transport === undefined) {
    throw new RangeError(`replicated log option peers = [${options.peers.join(', ')}]: more than one voter needs a transport`);
  }
  const { wal } = options;
  const appliedIndex = options.appliedIndex;
  if (appliedIndex !== undefined) {
    if (!Number.isSafeInteger(appliedIndex) || appliedIndex < wal.firstIndex() - 1) {
      throw new RangeError(
        `replicated log option appliedIndex = ${String(appliedIndex)}: the WAL starts at index ${wal.firstIndex()}, ` +
          'so entries the views still need were compacted away; rebuild the views from a snapshot',
      );
    }
  }
  return { proposalsPendingMax, replayBatchEntriesMax, entryDataBytesMax };
}
