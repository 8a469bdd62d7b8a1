// Construction parameters of a Raft core, with every limit named and checked
// once, here, before the core runs (STYLE.md: named limits checked at startup).

import type { LogEntry } from '../../types.js';
import type { RaftLogger, RaftStorage } from './storage.js';

export interface RaftLimits {
  /** Entries in one AppendRequest. */
  readonly messageEntriesMax: number;
  /** Payload bytes in one AppendRequest; a single larger entry is still sent alone. */
  readonly messageBytesMax: number;
  /** AppendRequests in flight to one follower in the replicate state. */
  readonly inflightAppendsMax: number;
  /**
   * While an AppendRequest to a follower is in flight, a second one is sent
   * only once at least this many entries (or pipelineBytesMin payload bytes)
   * wait; smaller batches wait for the answer and go out together with what
   * arrives meanwhile (leader.ts, sendAppend). 1 pipelines every batch.
   */
  readonly pipelineEntriesMin: number;
  readonly pipelineBytesMin: number;
  /**
   * Applied, durable entries kept in memory to send to followers. Entries not
   * yet applied are always kept. A follower needing an entry below the kept
   * tail is sent a snapshot instead (RaftStorage.snapshot), or, without one, cannot be caught up.
   */
  readonly tailEntriesMax: number;
  /** Entries handed out for applying in one Ready. */
  readonly readyCommittedEntriesMax: number;
}

export const defaultRaftLimits: RaftLimits = {
  messageEntriesMax: 1024,
  messageBytesMax: 1024 * 1024,
  inflightAppendsMax: 256,
  pipelineEntriesMin: 64,
  pipelineBytesMin: 64 * 1024,
  tailEntriesMax: 16_384,
  readyCommittedEntriesMax: 4096,
};

export interface RaftConfig {
  /** This node's id, a positive integer. */
  readonly id: number;
  /**
   * Voter ids of the configuration in force before `recoveredTail` (config
   * entries in the tail override it; membership.ts). A node that is not a
   * voter (a learner, or one joining) never campaigns.
   */
  readonly voters: readonly number[];
  /** Learner ids: they receive the log but neither vote nor count toward commit. */
  readonly learners?: readonly number[];
  /**
   * A follower campaigns after a randomized timeout in
   * [electionTimeoutTicks, 2 * electionTimeoutTicks) without hearing a leader.
   */
  readonly electionTimeoutTicks: number;
  /** A leader sends heartbeats every heartbeatTicks; must be below electionTimeoutTicks. */
  readonly heartbeatTicks: number;
  /**
   * Pre-vote (dissertation §9.6): before entering a new term, ask whether a
   * quorum would vote for us, so a node returning from a partition does not
   * depose a healthy leader by bumping the term. Default true.
   */
  readonly preVote?: boolean;
  /**
   * Check-quorum and the leader lease (§6.2, §4.2.3): a leader that has not
   * heard from a quorum within an election timeout steps down, and a node that
   * heard from a leader within the (minimum) election timeout ignores
   * (pre-)vote requests. Default true.
   */
  readonly checkQuorum?: boolean;
  /** Uniform in [0, 1): the one seam for randomness (a seeded PRNG in tests). */
  readonly random: () => number;
  readonly storage: RaftStorage;
  /**
   * Highest index the application has already applied (its views include it).
   * Committed entries are handed out from `appliedIndex + 1`.
   */
  readonly appliedIndex: number;
  /**
   * The durable entries the core keeps in memory at start: contiguous, ending
   * at `storage.lastIndex()`, starting at or below `appliedIndex + 1` (every
   * entry not yet applied must be here). Empty when the log is empty or fully
   * applied.
   */
  readonly recoveredTail: readonly LogEntry[];
  readonly logger?: RaftLogger;
  readonly limits?: Partial<RaftLimits>;
}

/** A configuration the core cannot run with; thrown at construction only. */
export class RaftConfigError extends Error {
  override readonly name = 'RaftConfigError';
}

function requirePositiveInteger(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RaftConfigError(`${name} must be a positive integer, got ${value}`);
  }
}

export function validateRaftConfig(config: RaftConfig): RaftLimits {
  requirePositiveInteger(config.id, 'id');
  for (const voter of config.voters) requirePositiveInteger(voter, 'voter id');
  if (new Set(config.voters).size !== config.voters.length) {
    throw new RaftConfigError(`voters must be distinct, got [${config.voters.join(', ')}]`);
  }
  const learners = config.learners ?? [];
  for (const learner of learners) requirePositiveInteger(learner, 'learner id');
  if (config.voters.length === 0) throw new RaftConfigError('voters must not be empty');
  if (new Set([...config.voters, ...learners]).size !== config.voters.length + learners.length) {
    throw new RaftConfigError(`learners [${learners.join(', ')}] must be distinct and not voters`);
  }
  requirePositiveInteger(config.electionTimeoutTicks, 'electionTimeoutTicks');
  requirePositiveInteger(config.heartbeatTicks, 'heartbeatTicks');
  if (config.heartbeatTicks >= config.electionTimeoutTicks) {
    throw new RaftConfigError(
      `heartbeatTicks (${config.heartbeatTicks}) must be below electionTimeoutTicks (${config.electionTimeoutTicks})`,
    );
  }
  if (!Number.isSafeInteger(config.appliedIndex) || config.appliedIndex < 0) {
    throw new RaftConfigError(`appliedIndex must be a non-negative integer, got ${config.appliedIndex}`);
  }
  const limits: RaftLimits = { ...defaultRaftLimits, ...config.limits };
  for (const [name, value] of Object.entries(limits)) requirePositiveInteger(value as number, name);
  return limits;
}
