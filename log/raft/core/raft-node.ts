// The public face of the Raft core (etcd's RawNode): synchronous, no timers,
// sockets, files, clocks or Math.random. Inputs are ticks, messages, proposals
// and storage acknowledgements (advance); the output is a Ready (ready.ts
// documents the order in which the driver must handle it).
//
// Usage, one Ready at a time:
//   node.tick() / node.step(m) / node.propose(data)   whenever they happen
//   node.readIndex(id) / node.proposeConfigChange(c) / node.transferLeadership(to)
//   while (node.hasReady()) { const rd = node.ready(); ...handle rd...; node.advance(rd); }

import { EntryKind, type HardState, type LogEntry } from '../../types.js';
import { invariant } from './assert.js';
import { validateRaftConfig, type RaftConfig } from './config.js';
import { appendEntries, leaderReadIndex, onPersisted, transferLeadership } from './leader.js';
import { LogView } from './log-view.js';
import { applyConfigChange, encodeConfigChange, type ConfigChange } from './membership.js';
import type { Message } from './messages.js';
import type { ProgressState } from './progress.js';
import { Raft } from './raft.js';
import { hardStateEqual, softStateEqual, type Ready, type Role, type SoftState } from './ready.js';
import { silentRaftLogger } from './storage.js';

export type ProposeResult =
  | { readonly ok: true; readonly index: number; readonly term: number }
  /** Only a leader accepts proposals; `leaderId` (0: unknown) is where to go instead. */
  | { readonly ok: false; readonly reason: 'notLeader'; readonly leaderId: number }
  /** The leader is handing over leadership (transferLeadership); retry shortly, likely elsewhere. */
  | { readonly ok: false; readonly reason: 'transferring'; readonly leaderId: number };

export type ConfigChangeResult =
  | { readonly ok: true; readonly index: number; readonly term: number }
  | { readonly ok: false; readonly reason: 'notLeader' | 'transferring'; readonly leaderId: number }
  /** Another change is not yet committed, no entry of this term has, or the change does not apply. */
  | { readonly ok: false; readonly reason: 'rejected'; readonly message: string };

/** Starting a ReadIndex: the answer comes later as a ReadState in a Ready. */
export type ReadIndexResult =
  | { readonly ok: true }
  /** No leader is known to ask. */
  | { readonly ok: false; readonly reason: 'noLeader' };

/** Config changes go through proposeConfigChange, which validates and encodes them. */
export type ProposableKind = typeof EntryKind.Normal;

export interface RaftStatus {
  readonly id: number;
  readonly role: Role;
  readonly term: number;
  readonly vote: number;
  readonly leaderId: number;
  readonly commitIndex: number;
  /** Highest index handed out in a Ready to be applied. */
  readonly appliedIndex: number;
  /** Highest index storage has acknowledged (through advance). */
  readonly persistedIndex: number;
  readonly firstIndex: number;
  readonly lastIndex: number;
  readonly voters: readonly number[];
  readonly learners: readonly number[];
  /** Index of the configuration entry in force (0: the one given at start). */
  readonly configIndex: number;
  /** Leader only: the node leadership is being transferred to, 0 for none. */
  readonly transferTarget: number;
  /** Entries held in memory (see LogView). */
  readonly tailEntryCount: number;
}

export interface MemberProgress {
  readonly nodeId: number;
  /** Highest index known to match the leader's log. */
  readonly matchIndex: number;
  readonly state: ProgressState;
}

export class RaftNode {
  private readonly raft: Raft;
  private prevHardState: HardState;
  private prevSoftState: SoftState;
  /** The Ready handed out and not yet advanced. */
  private outstanding: Ready | undefined;
  private highestCommitSeen: number;

  constructor(config: RaftConfig) {
    const limits = validateRaftConfig(config);
    const logger = config.logger ?? silentRaftLogger;
    const stored = config.storage.hardState();
    // Views only apply committed entries; if they are ahead of a lagging
    // stored commit index, the entries up to theirs are committed too.
    const commitIndex = Math.max(stored.commit, config.appliedIndex);
    const log = new LogView(config.storage, limits, config.recoveredTail, commitIndex, config.appliedIndex, {
      voters: [...config.voters],
      learners: [...(config.learners ?? [])],
    });
    const hardState = recoverTerm(stored, log.lastTerm());
    if (hardState !== stored) logger.info({ storedTerm: stored.term, lastLogTerm: hardState.term }, 'raft: log is ahead of the stored term; adopting its term without a vote');
    this.raft = new Raft(config, log, limits, logger, hardState);
    this.prevHardState = stored;
    this.prevSoftState = this.raft.softState();
    this.highestCommitSeen = commitIndex;
    this.checkInvariants();
  }

  /** Advances logical time by one tick: elections for followers, heartbeats for the leader. */
  tick(): void {
    this.raft.tick();
    this.checkInvariants();
  }

  /** Handles a message from a peer. Misrouted messages and stale terms are ignored. */
  step(message: Message): void {
    this.raft.step(message);
    this.checkInvariants();
  }

  /**
   * Appends `data` to the leader's log. The entry is sent to followers in the
   * next Ready and commits once a majority (this node counting only after
   * its own advance) has persisted it. Does not guarantee it will commit: a
   * new leader may replace it. Refused during a leader transfer.
   */
  propose(data: Uint8Array, kind: ProposableKind = EntryKind.Normal): ProposeResult {
    const r = this.raft;
    if (r.role !== 'leader') return { ok: false, reason: 'notLeader', leaderId: r.leaderId };
    if (r.transferTarget !== 0) return { ok: false, reason: 'transferring', leaderId: r.leaderId };
    const index = appendEntries(r, [{ kind, data }]);
    this.checkInvariants();
    return { ok: true, index, term: r.term };
  }

  /**
   * Proposes a membership change, one server at a time (membership.ts): it
   * takes effect on each node when appended there. Refused while another
   * change is uncommitted, or before an entry of this leader's term commits.
   */
  proposeConfigChange(change: ConfigChange): ConfigChangeResult {
    const r = this.raft;
    if (r.role !== 'leader') return { ok: false, reason: 'notLeader', leaderId: r.leaderId };
    if (r.transferTarget !== 0) return { ok: false, reason: 'transferring', leaderId: r.leaderId };
    const commitIndex = r.log.commitIndex();
    if (r.log.configIndex() > commitIndex) return { ok: false, reason: 'rejected', message: `configuration change at index ${r.log.configIndex()} is not committed yet` };
    if (r.log.term(commitIndex) !== r.term) return { ok: false, reason: 'rejected', message: 'no entry of this leader\'s term has committed yet' };
    const after = applyConfigChange(r.membership(), change);
    if (typeof after === 'string') return { ok: false, reason: 'rejected', message: after };
    const index = appendEntries(r, [{ kind: EntryKind.ConfigChange, data: encodeConfigChange(change, after) }]);
    r.logger.info({ term: r.term, index, op: change.op, nodeId: change.nodeId, voters: after.voters, learners: after.learners }, 'raft: proposed a configuration change');
    this.checkInvariants();
    return { ok: true, index, term: r.term };
  }

  /**
   * Starts a linearizable read (ReadIndex, read-index.ts). The answer arrives
   * as a ReadState with this `requestId` in a later Ready (`readStates`);
   * serve the read once this node has applied up to its index. Without an
   * answer (lost messages, a leader that crashed) the caller times out.
   */
  readIndex(requestId: number): ReadIndexResult {
    const r = this.raft;
    if (r.role === 'leader') leaderReadIndex(r, requestId, r.id);
    else if (r.leaderId !== 0) r.send({ kind: 'ReadIndexRequest', from: r.id, to: r.leaderId, term: r.term, requestId });
    else return { ok: false, reason: 'noLeader' };
    this.checkInvariants();
    return { ok: true };
  }

  /**
   * Hands leadership to voter `target` once it has caught up (TimeoutNow);
   * proposals are refused meanwhile. Aborted after an election timeout.
   * Returns why it cannot start, or undefined.
   */
  transferLeadership(target: number): string | undefined {
    const r = this.raft;
    if (r.role !== 'leader') return 'not the leader';
    const refusal = transferLeadership(r, target);
    this.checkInvariants();
    return refusal;
  }

  /** Whether ready() has anything. False while a Ready is outstanding (not yet advanced). */
  hasReady(): boolean {
    if (this.outstanding !== undefined) return false;
    const r = this.raft;
    return (
      r.hasMessages() ||
      r.readStates.length > 0 ||
      r.log.hasUnstableSnapshot() ||
      r.log.hasUnpersisted() ||
      r.log.hasCommittedToApply() ||
      !hardStateEqual(r.hardState(), this.prevHardState) ||
      !softStateEqual(r.softState(), this.prevSoftState)
    );
  }

  /** Takes what must happen next; see ready.ts for the order. Call advance(ready) when done. */
  ready(): Ready {
    invariant(this.outstanding === undefined, 'ready() called again before advance()');
    const r = this.raft;
    const messages = r.takeMessages();
    const hardState = r.hardState();
    const softState = r.softState();
    const snapshot = r.log.takeUnstableSnapshot();
    const rd: Ready = {
      ...(snapshot === undefined ? {} : { snapshot }),
      entries: r.log.takeUnpersisted(),
      messages,
      committedEntries: r.log.takeCommittedToApply(),
      readStates: r.takeReadStates(),
      ...(hardStateEqual(hardState, this.prevHardState) ? {} : { hardState }),
      ...(softStateEqual(softState, this.prevSoftState) ? {} : { softState }),
    };
    this.prevHardState = hardState;
    this.prevSoftState = softState;
    this.outstanding = rd;
    return rd;
  }

  /**
   * Committed entries that are durable here and not yet handed out, taken
   * outside a Ready: while the driver waits for a Ready's write, quorum
   * acknowledgements may commit entries of earlier Readys, and applying them
   * need not wait for that write (they are already durable, as every
   * committedEntries). Emit them before the next Ready's, which continue
   * after them. Nothing while a received snapshot awaits installation.
   */
  takeCommittedEntries(): readonly LogEntry[] {
    const log = this.raft.log;
    if (log.hasUnstableSnapshot() || !log.hasCommittedToApply()) return [];
    const entries = log.takeCommittedToApply();
    this.checkInvariants();
    return entries;
  }

  /**
   * A leader's replication messages produced since the last Ready (the
   * refill after a follower's answer), taken outside a Ready while the
   * driver waits for that Ready's write, so a follower's next append need
   * not wait for the leader's fsync. Safe as the Ready's own early messages
   * are (ready.ts): they promise nothing about this node's disk. The caller
   * must take them only while the term they carry is durable (the
   * outstanding Ready changed neither term nor vote). Empty unless leader.
   */
  takeReplicationMessages(): readonly Message[] {
    const messages = this.raft.takeReplicationMessages();
    if (messages.length > 0) this.checkInvariants();
    return messages;
  }

  /** The Ready's entries and hard state are durable and its messages sent. */
  advance(rd: Ready): void {
    invariant(rd === this.outstanding, 'advance() must receive the Ready last returned by ready()');
    this.outstanding = undefined;
    const r = this.raft;
    const last = rd.entries.at(-1);
    if (last !== undefined) r.log.persistedTo(last.index, last.term);
    if (r.role === 'leader') onPersisted(r);
    r.log.evict();
    this.checkInvariants();
  }

  /**
   * Leader only (empty otherwise): each other member's match index and
   * whether it was heard from since the last check-quorum, so the driver can
   * keep the WAL entries live followers still need.
   */
  followerProgress(): readonly { readonly id: number; readonly match: number; readonly recentActive: boolean }[] {
    const r = this.raft;
    if (r.role !== 'leader') return [];
    return [...r.progress].filter(([id]) => id !== r.id).map(([id, p]) => ({ id, match: p.match, recentActive: p.recentActive }));
  }

  status(): RaftStatus {
    const r = this.raft;
    return {
      id: r.id,
      role: r.role,
      term: r.term,
      vote: r.vote,
      leaderId: r.leaderId,
      commitIndex: r.log.commitIndex(),
      appliedIndex: r.log.appliedIndex(),
      persistedIndex: r.log.persistedIndex(),
      firstIndex: r.log.firstIndex(),
      lastIndex: r.log.lastIndex(),
      voters: r.voters,
      learners: r.membership().learners,
      configIndex: r.log.configIndex(),
      transferTarget: r.transferTarget,
      tailEntryCount: r.log.tailEntryCount(),
    };
  }

  /**
   * Leader only (else empty): each other member's match index, for lag
   * reports and promoting caught-up learners. Apart from status() so the
   * driver's per-Ready status() calls do not build it.
   */
  progress(): MemberProgress[] {
    const r = this.raft;
    if (r.role !== 'leader') return [];
    return [...r.progress].filter(([id]) => id !== r.id).map(([nodeId, p]) => ({ nodeId, matchIndex: p.match, state: p.state }));
  }

  private checkInvariants(): void {
    const r = this.raft;
    const commitIndex = r.log.commitIndex();
    invariant(commitIndex >= this.highestCommitSeen, 'the commit index never decreases');
    this.highestCommitSeen = commitIndex;
    invariant(commitIndex <= r.log.lastIndex(), 'the commit index never exceeds the last index');
    invariant(r.log.appliedIndex() <= commitIndex, 'only committed entries are applied');
    invariant(r.log.persistedIndex() <= r.log.lastIndex(), 'the persisted index never exceeds the last index');
    invariant(r.log.lastTerm() <= r.term, 'no entry has a term above the current term');
    invariant(r.role !== 'leader' || r.leaderId === r.id, 'a leader knows itself as leader');
  }
}

/**
 * The driver persists entries before the hard state, so a crash in between can
 * leave entries of a term the stored hard state has not reached. Nothing was
 * sent from that Ready and no vote in that term was ever durable, so adopting
 * the log's term with no vote is safe.
 */
function recoverTerm(stored: HardState, lastLogTerm: number): HardState {
  if (stored.term >= lastLogTerm) return stored;
  return { term: lastLogTerm, vote: 0, commit: stored.commit };
}
