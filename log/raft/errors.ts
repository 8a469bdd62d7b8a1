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
