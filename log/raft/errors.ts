// Typed errors of the replicated log. Everything a caller of propose() can
// see is a ReplicatedLogError; InvariantError (core/assert.ts) is not one: it
// means a bug and stops the node (surfacing here as LogFailedError).

export class ReplicatedLogError extends Error {}

/** Only the leader accepts proposals. `leaderId` is 0 when no leader is known. */
export class NotLeaderError extends ReplicatedLogError {
  override readonly name = 'NotLeaderError';
  constructor(readonly leaderId: number) {
    super(leaderId === 0 ? 'not the leader, and no leader is known yet' : `not the leader; node ${leaderId} is`);
  }
}

/**
 * The log was closed. A proposal rejected with this may still have been
 * persisted and may commit after a restart: its outcome is unknown.
 */
export class LogClosedError extends ReplicatedLogError {
  override readonly name = 'LogClosedError';
  constructor() {
    super('the replicated log is closed');
  }
}

/** Backpressure: `proposalsPendingMax` proposals are already waiting to commit. Retry later. */
export class ProposalsPendingLimitError extends ReplicatedLogError {
  override readonly name = 'ProposalsPendingLimitError';
  constructor(readonly proposalsPendingMax: number) {
    super(`too many proposals waiting to commit (proposalsPendingMax = ${proposalsPendingMax}); retry later`);
  }
}

/** The entry's data is above `entryDataBytesMax`; the WAL could not store it. */
export class ProposalTooLargeError extends ReplicatedLogError {
  override readonly name = 'ProposalTooLargeError';
  constructor(readonly dataBytes: number, readonly entryDataBytesMax: number) {
    super(`proposal of ${dataBytes} bytes is above entryDataBytesMax = ${entryDataBytesMax}`);
  }
}

/** Leadership changed and a new leader's entry took this proposal's index: it never commits. */
export class ProposalDroppedError extends ReplicatedLogError {
  override readonly name = 'ProposalDroppedError';
  constructor(readonly index: number, readonly term: number, readonly committedTerm: number) {
    super(`proposal at index ${index} (term ${term}) was replaced by an entry of term ${committedTerm} after a leader change`);
  }
}

/** The node stopped: its storage failed or an invariant broke. Restart the process. */
export class LogFailedError extends ReplicatedLogError {
  override readonly name = 'LogFailedError';
  constructor(cause: unknown) {
    super(`the replicated log stopped: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** The leader is handing leadership to another node (transferLeadership): retry shortly, likely at the new leader. */
export class LeaderTransferInProgressError extends ReplicatedLogError {
  override readonly name = 'LeaderTransferInProgressError';
  constructor() {
    super('the leader is transferring leadership; retry shortly');
  }
}

/**
 * A ReadIndex read could not be confirmed: no leader is known, leadership
 * changed while confirming it, or no answer came within the timeout. Nothing
 * was read; retry (the client may pick another node).
 */
export class ReadIndexError extends ReplicatedLogError {
  override readonly name = 'ReadIndexError';
  constructor(readonly reason: 'noLeader' | 'leaderLost' | 'timedOut') {
    super(
      reason === 'noLeader' ? 'linearizable read: no leader is known yet; retry'
        : reason === 'leaderLost' ? 'linearizable read: the leader changed while confirming the read; retry'
          : 'linearizable read: the leader did not confirm the read in time; retry',
    );
  }
}

/** A membership change the leader refused (another one pending, not applicable, too early in the term). */
export class ConfigChangeRejectedError extends ReplicatedLogError {
  override readonly name = 'ConfigChangeRejectedError';
}

/**
 * A snapshot from the leader replaced this node's log past the proposal's
 * index before it was seen to commit here: it may or may not have committed.
 */
export class ProposalOutcomeUnknownError extends ReplicatedLogError {
  override readonly name = 'ProposalOutcomeUnknownError';
  constructor(readonly index: number) {
    super(`proposal at index ${index}: a snapshot from the leader replaced the log past it; its outcome is unknown`);
  }
}
