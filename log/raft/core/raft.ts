// The Raft state machine shared by all roles: term, vote, leader, timers and
// the transitions between roles. Role-specific stepping lives in follower.ts,
// candidate.ts and leader.ts (as in etcd's raft.go split by role); the public
// API is RaftNode (raft-node.ts). Internal: not exported from the component.

import type { HardState } from '../../types.js';
import { invariant, unreachable } from './assert.js';
import { campaign, stepCandidate } from './candidate.js';
import type { RaftConfig, RaftLimits } from './config.js';
import { stepFollower } from './follower.js';
import { flushProposals, stepLeader, tickLeader } from './leader.js';
import type { LogView } from './log-view.js';
import type { Message, VoteRequest } from './messages.js';
import type { Progress } from './progress.js';
import type { Role, SoftState } from './ready.js';
import type { RaftLogger } from './storage.js';

/** Every message except VoteRequest, which Raft.step handles for all roles alike. */
export type RoleMessage = Exclude<Message, VoteRequest>;

export class Raft {
  readonly id: number;
  readonly voters: readonly number[];
  readonly electionTimeoutTicks: number;
  readonly heartbeatTicks: number;
  term: number;
  /** Voted for in `term`; 0 for none. */
  vote: number;
  /** 0 when unknown. */
  leaderId = 0;
  role: Role = 'follower';
  electionElapsedTicks = 0;
  heartbeatElapsedTicks = 0;
  randomizedElectionTimeoutTicks = 0;
  /** Candidate only: votes received in this term. */
  readonly votes = new Map<number, boolean>();
  /** Leader only: every voter's progress, this node's included. */
  readonly progress = new Map<number, Progress>();
  /** Leader only: entries were proposed but not yet sent; sent once per Ready so proposals batch. */
  proposalsUnsent = false;
  private outbox: Message[] = [];
  /** The leader seen for `leaderSeenTerm`, to assert at most one leader per term. */
  private leaderSeenTerm = 0;
  private leaderSeenId = 0;
  private readonly random: () => number;

  constructor(
    config: RaftConfig,
    readonly log: LogView,
    readonly limits: RaftLimits,
    readonly logger: RaftLogger,
    hardState: HardState,
  ) {
    this.id = config.id;
    this.voters = [...config.voters];
    this.electionTimeoutTicks = config.electionTimeoutTicks;
    this.heartbeatTicks = config.heartbeatTicks;
    this.random = config.random;
    this.term = hardState.term;
    this.vote = hardState.vote;
    this.resetRandomizedElectionTimeout();
  }

  peers(): readonly number[] {
    return this.voters.filter((voter) => voter !== this.id);
  }

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.commitIndex() };
  }

  softState(): SoftState {
    return { leaderId: this.leaderId, role: this.role };
  }

  send(message: Message): void {
    this.outbox.push(message);
  }

  takeMessages(): readonly Message[] {
    if (this.role === 'leader') flushProposals(this);
    const messages = this.outbox;
    this.outbox = [];
    return messages;
  }

  hasMessages(): boolean {
    return this.outbox.length > 0 || (this.role === 'leader' && this.proposalsUnsent);
  }

  tick(): void {
    switch (this.role) {
      case 'leader':
        tickLeader(this);
        return;
      case 'follower':
      case 'candidate':
        this.electionElapsedTicks++;
        // A sole voter needs nobody's vote: waiting out a timeout would only delay it.
        if (this.voters.length === 1 || this.electionElapsedTicks >= this.randomizedElectionTimeoutTicks) {
          this.electionElapsedTicks = 0;
          campaign(this);
        }
        return;
      default:
        unreachable(this.role, 'role');
    }
  }

  step(message: Message): void {
    if (message.to !== this.id || message.from === this.id || !this.voters.includes(message.from)) {
      // Misrouted or from a non-member: bad input, not a broken invariant.
      this.logger.debug({ from: message.from, to: message.to, kind: message.kind }, 'raft: dropped a message not for this group member');
      return;
    }
    if (message.term > this.term) {
      const knownLeader = message.kind === 'AppendRequest' || message.kind === 'Heartbeat' ? message.from : 0;
      this.logger.info({ from: message.from, kind: message.kind, term: this.term, messageTerm: message.term }, 'raft: saw a higher term, becoming follower');
      this.becomeFollower(message.term, knownLeader);
    } else if (message.term < this.term) {
      // Stale. next issue: with check-quorum and pre-vote, answer a stale
      // leader (etcd replies with our term) so it steps down sooner.
      return;
    }
    if (message.kind === 'VoteRequest') {
      this.handleVoteRequest(message);
      return;
    }
    switch (this.role) {
      case 'follower':
        stepFollower(this, message);
        return;
      case 'candidate':
        stepCandidate(this, message);
        return;
      case 'leader':
        stepLeader(this, message);
        return;
      default:
        unreachable(this.role, 'role');
    }
  }

  private handleVoteRequest(m: VoteRequest): void {
    // Vote at most once per term; and not at all while a leader of this term is known.
    const canVote = this.vote === m.from || (this.vote === 0 && this.leaderId === 0);
    const granted = canVote && this.log.isUpToDate(m.lastLogIndex, m.lastLogTerm);
    if (granted) {
      this.electionElapsedTicks = 0;
      this.vote = m.from;
    }
    this.send({ kind: 'VoteResponse', from: this.id, to: m.from, term: this.term, granted });
  }

  becomeFollower(term: number, leaderId: number): void {
    this.reset(term);
    this.role = 'follower';
    this.setLeader(leaderId);
  }

  becomeCandidate(): void {
    invariant(this.role !== 'leader', 'a leader never becomes a candidate directly');
    this.reset(this.term + 1);
    this.role = 'candidate';
    this.vote = this.id;
    this.logger.info({ term: this.term, lastIndex: this.log.lastIndex() }, 'raft: starting an election');
  }

  /** Records the leader of the current term; a second, different one is a safety violation. */
  setLeader(leaderId: number): void {
    if (leaderId !== 0) {
      invariant(
        this.leaderSeenTerm !== this.term || this.leaderSeenId === leaderId,
        `at most one leader per term: term ${this.term} had leader ${this.leaderSeenId}, now ${leaderId}`,
      );
      this.leaderSeenTerm = this.term;
      this.leaderSeenId = leaderId;
    }
    this.leaderId = leaderId;
  }

  /** etcd's reset: enter `term` (clearing the vote if it is new) with fresh timers and no role state. */
  reset(term: number): void {
    invariant(term >= this.term, 'the term never decreases');
    if (term !== this.term) {
      this.term = term;
      this.vote = 0;
    }
    this.leaderId = 0;
    this.electionElapsedTicks = 0;
    this.heartbeatElapsedTicks = 0;
    this.resetRandomizedElectionTimeout();
    this.votes.clear();
    this.progress.clear();
    this.proposalsUnsent = false;
  }

  private resetRandomizedElectionTimeout(): void {
    const jitterTicks = Math.floor(this.random() * this.electionTimeoutTicks);
    invariant(jitterTicks >= 0 && jitterTicks < this.electionTimeoutTicks, 'random() must return a value in [0, 1)');
    this.randomizedElectionTimeoutTicks = this.electionTimeoutTicks + jitterTicks;
  }
}
