// The Raft state machine shared by all roles: term, vote, leader, timers and
// the transitions between roles. Role-specific stepping lives in follower.ts,
// candidate.ts and leader.ts (as in etcd's raft.go split by role); the public
// API is RaftNode (raft-node.ts). Internal: not exported from the component.

import type { HardState } from '../../types.js';
import { invariant, unreachable } from './assert.js';
import { campaign, stepCandidate } from './candidate.js';
import type { RaftConfig, RaftLimits } from './config.js';
import { stepFollower } from './follower.js';
import { flushLeaderMessages, stepLeader, tickLeader } from './leader.js';
import type { LogView } from './log-view.js';
import type { Membership } from './membership.js';
import type { Message, PreVoteRequest, ReadIndexResponse, VoteRequest } from './messages.js';
import type { Progress } from './progress.js';
import { ReadIndexQueue } from './read-index.js';
import type { ReadState, Role, SoftState } from './ready.js';
import type { RaftLogger } from './storage.js';

/** Every message except the vote requests and ReadIndexResponse, which Raft.step handles for all roles alike. */
export type RoleMessage = Exclude<Message, VoteRequest | PreVoteRequest | ReadIndexResponse>;

export class Raft {
  readonly id: number;
  readonly electionTimeoutTicks: number;
  readonly heartbeatTicks: number;
  readonly preVote: boolean;
  readonly checkQuorum: boolean;
  term: number;
  /** Voted for in `term`; 0 for none. */
  vote: number;
  /** 0 when unknown. */
  leaderId = 0;
  role: Role = 'follower';
  /** Ticks since the leader was last heard (followers), or since the last quorum check (leader). */
  electionElapsedTicks = 0;
  heartbeatElapsedTicks = 0;
  randomizedElectionTimeoutTicks = 0;
  /** (Pre-)candidate only: (pre-)votes received in this election. */
  readonly votes = new Map<number, boolean>();
  /** Leader only: every member's progress, this node's included. */
  readonly progress = new Map<number, Progress>();
  /** Leader only: entries were proposed but not yet sent; sent once per Ready so proposals batch. */
  proposalsUnsent = false;
  /** Leader only: the voter leadership is being handed to (TimeoutNow), 0 for none. */
  transferTarget = 0;
  /** Leader only: ReadIndex requests awaiting confirmation. */
  readonly reads = new ReadIndexQueue();
  /** Answers to this node's own ReadIndex requests, handed out in the next Ready. */
  readStates: ReadState[] = [];
  private outbox: Message[] = [];
  /** The leader seen for `leaderSeenTerm`, to assert at most one leader per term. */
  private leaderSeenTerm = 0;
  /** peers() of the configuration `peersOf` (identity: a new configuration is a new object). */
  private peersOf: Membership | undefined;
  private peersList: readonly number[] = [];
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
    this.electionTimeoutTicks = config.electionTimeoutTicks;
    this.heartbeatTicks = config.heartbeatTicks;
    this.preVote = config.preVote ?? true;
    this.checkQuorum = config.checkQuorum ?? true;
    this.random = config.random;
    this.term = hardState.term;
    this.vote = hardState.vote;
    this.resetRandomizedElectionTimeout();
  }

  membership(): Membership {
    return this.log.membership();
  }

  get voters(): readonly number[] {
    return this.log.membership().voters;
  }

  isVoter(id: number): boolean {
    return this.log.membership().voters.includes(id);
  }

  /** Every other member, voters and learners: whom a leader replicates to. */
  peers(): readonly number[] {
    // Asked for on every commit and broadcast; a configuration is an immutable
    // object replaced on change, so the list is computed once per configuration.
    const membership = this.log.membership();
    if (this.peersOf !== membership) {
      this.peersOf = membership;
      this.peersList = [...membership.voters, ...membership.learners].filter((id) => id !== this.id);
    }
    return this.peersList;
  }

  /** Voters other than this node: whom a candidate asks. */
  voterPeers(): readonly number[] {
    return this.voters.filter((id) => id !== this.id);
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
    if (this.role === 'leader') flushLeaderMessages(this);
    const messages = this.outbox;
    this.outbox = [];
    return messages;
  }

  /**
   * Leader only: takes the replication messages (AppendRequest, Heartbeat,
   * InstallSnapshot) queued since the last Ready, leaving the others (their
   * order among themselves kept) for the next one. Does not flush unsent
   * proposals: those still leave once per Ready.
   */
  takeReplicationMessages(): readonly Message[] {
    if (this.role !== 'leader' || this.outbox.length === 0) return [];
    const taken: Message[] = [];
    const kept: Message[] = [];
    for (const message of this.outbox) {
      const replication = message.kind === 'AppendRequest' || message.kind === 'Heartbeat' || message.kind === 'InstallSnapshot';
      (replication ? taken : kept).push(message);
    }
    this.outbox = kept;
    return taken;
  }

  hasMessages(): boolean {
    return this.outbox.length > 0 || (this.role === 'leader' && (this.proposalsUnsent || this.reads.heartbeatDue));
  }

  takeReadStates(): readonly ReadState[] {
    const states = this.readStates;
    this.readStates = [];
    return states;
  }

  tick(): void {
    switch (this.role) {
      case 'leader':
        tickLeader(this);
        return;
      case 'follower':
      case 'preCandidate':
      case 'candidate': {
        this.electionElapsedTicks++;
        // Learners and removed nodes never campaign.
        if (!this.isVoter(this.id)) return;
        // A sole voter needs nobody's vote: waiting out a timeout would only delay it.
        const soleVoter = this.voters.length === 1;
        if (soleVoter || this.electionElapsedTicks >= this.randomizedElectionTimeoutTicks) {
          this.electionElapsedTicks = 0;
          campaign(this, false);
        }
        return;
      }
      default:
        unreachable(this.role, 'role');
    }
  }

  step(message: Message): void {
    // Not filtered by membership: a node far behind may not yet know the
    // configuration its leader belongs to. Votes count only from voters, and
    // a leader ignores answers from nodes it does not track.
    if (message.to !== this.id || message.from === this.id || !Number.isSafeInteger(message.from) || message.from < 1) {
      // Misrouted: bad input, not a broken invariant.
      this.logger.debug({ from: message.from, to: message.to, kind: message.kind }, 'raft: dropped a message not for this group member');
      return;
    }
    if (message.kind === 'ReadIndexResponse' && message.term <= this.term) {
      // The leader confirmed the read after we asked: still a valid answer, even if our term moved on since.
      this.noteReadIndexResponse(message);
      return;
    }
    if (message.term > this.term) {
      if (!this.stepHigherTerm(message)) return;
    } else if (message.term < this.term) {
      this.stepLowerTerm(message);
      return;
    }
    switch (message.kind) {
      case 'VoteRequest':
      case 'PreVoteRequest':
        this.handleVoteRequest(message);
        return;
      case 'ReadIndexResponse':
        this.noteReadIndexResponse(message);
        return;
      default:
        break;
    }
    switch (this.role) {
      case 'follower':
        stepFollower(this, message);
        return;
      case 'preCandidate':
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

  private noteReadIndexResponse(m: ReadIndexResponse): void {
    this.readStates.push(m.ok ? { requestId: m.requestId, ok: true, index: m.index } : { requestId: m.requestId, ok: false });
  }

  /** A message from a higher term. Returns whether to go on stepping it. */
  private stepHigherTerm(m: Message): boolean {
    if (m.kind === 'VoteRequest' || m.kind === 'PreVoteRequest') {
      // The leader lease (§4.2.3): while we hear from a leader, a (pre-)candidate
      // is a node that lost touch (or came back from a partition); ignore it,
      // unless the leader itself asked for the election (leader transfer).
      const inLease = this.checkQuorum && this.leaderId !== 0 && this.electionElapsedTicks < this.electionTimeoutTicks;
      const transfer = m.kind === 'VoteRequest' && m.transfer;
      if (inLease && !transfer) {
        this.logger.debug({ from: m.from, kind: m.kind, term: this.term, leaderId: this.leaderId }, 'raft: ignored a vote request within the leader lease');
        return false;
      }
    }
    // A pre-vote changes no term: neither the request nor a grant of it.
    if (m.kind === 'PreVoteRequest' || (m.kind === 'PreVoteResponse' && m.granted)) return true;
    const fromLeader = m.kind === 'AppendRequest' || m.kind === 'Heartbeat' || m.kind === 'InstallSnapshot' || m.kind === 'TimeoutNow';
    const knownLeader = fromLeader ? m.from : 0;
    this.logger.info({ from: m.from, kind: m.kind, term: this.term, messageTerm: m.term }, 'raft: saw a higher term, becoming follower');
    this.becomeFollower(m.term, knownLeader);
    return true;
  }

  private stepLowerTerm(m: Message): void {
    if ((this.checkQuorum || this.preVote) && (m.kind === 'AppendRequest' || m.kind === 'Heartbeat' || m.kind === 'InstallSnapshot')) {
      // A stale leader: a node that moved to a higher term may be ignored by
      // everyone else (lease, pre-vote), so tell the leader our term; it steps
      // down and a new election can include us (etcd does the same).
      this.send({ kind: 'HeartbeatResponse', from: this.id, to: m.from, term: this.term, readRound: 0 });
    } else if (m.kind === 'PreVoteRequest') {
      // Lets the pre-candidate learn our term and catch up.
      this.send({ kind: 'PreVoteResponse', from: this.id, to: m.from, term: this.term, granted: false });
    } else if (m.kind === 'ReadIndexRequest') {
      // The requester's leader is gone: refuse now rather than let it time out.
      this.send({ kind: 'ReadIndexResponse', from: this.id, to: m.from, term: this.term, requestId: m.requestId, ok: false, index: 0 });
    }
    // Otherwise stale: ignore.
  }

  private handleVoteRequest(m: VoteRequest | PreVoteRequest): void {
    const pre = m.kind === 'PreVoteRequest';
    // Vote at most once per term, and not while a leader of this term is
    // known. A pre-vote for a later term promises nothing, so it may be given freely.
    const canVote = this.vote === m.from || (this.vote === 0 && this.leaderId === 0) || (pre && m.term > this.term);
    const granted = canVote && this.log.isUpToDate(m.lastLogIndex, m.lastLogTerm);
    if (pre) {
      this.send({ kind: 'PreVoteResponse', from: this.id, to: m.from, term: granted ? m.term : this.term, granted });
      return;
    }
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

  /** Asks for pre-votes without entering a new term (§9.6). */
  becomePreCandidate(): void {
    invariant(this.role !== 'leader', 'a leader never becomes a pre-candidate directly');
    this.votes.clear();
    this.leaderId = 0;
    this.role = 'preCandidate';
    this.resetRandomizedElectionTimeout();
    this.logger.debug({ term: this.term, lastIndex: this.log.lastIndex() }, 'raft: starting a pre-vote');
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
    if (this.role === 'leader') this.failPendingReads();
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
    this.transferTarget = 0;
  }

  /** Leadership is lost: every read it was confirming fails (the requester retries). */
  private failPendingReads(): void {
    for (const read of this.reads.takeAll()) {
      if (read.from === this.id) this.readStates.push({ requestId: read.requestId, ok: false });
      else this.send({ kind: 'ReadIndexResponse', from: this.id, to: read.from, term: this.term, requestId: read.requestId, ok: false, index: 0 });
    }
  }

  private resetRandomizedElectionTimeout(): void {
    const jitterTicks = Math.floor(this.random() * this.electionTimeoutTicks);
    invariant(jitterTicks >= 0 && jitterTicks < this.electionTimeoutTicks, 'random() must return a value in [0, 1)');
    this.randomizedElectionTimeoutTicks = this.electionTimeoutTicks + jitterTicks;
  }
}
