// The Raft component: the pure core and the driver that runs it over a WAL.

export { InvariantError } from './core/assert.js';
export { defaultRaftLimits, RaftConfigError, type RaftLimits } from './core/config.js';
export type { InstallSnapshot, Message, MessageKind } from './core/messages.js';
export type { Role } from './core/ready.js';
export {
  ConfigChangeRejectedError, LeaderTransferInProgressError, LogClosedError, LogFailedError, NotLeaderError, ProposalDroppedError,
  ProposalOutcomeUnknownError, ProposalsPendingLimitError, ProposalTooLargeError, ReadIndexError, ReplicatedLogError,
} from './errors.js';
export { decodeConfigChange, type ConfigChange, type ConfigChangeOpName, type Membership } from './core/membership.js';
export type { MemberProgress } from './core/raft-node.js';
export type { RaftObserver } from './observer.js';
export {
  entryDataBytesMaxDefault, proposalsPendingMaxDefault, replayBatchEntriesMaxDefault, type ReplicatedLogOptions,
} from './options.js';
export type { ProposalResult } from './pending-proposals.js';
export { openReplicatedLog, type ReplicatedLog, type ReplicatedLogStatus } from './replicated-log.js';
export { ManualScheduler, realScheduler, type Scheduler } from './scheduler.js';
export { snapshotChunkBytesMax, type SnapshotMeta, type SnapshotSink, type SnapshotSource } from './snapshot.js';
export type { Transport } from './transport.js';
