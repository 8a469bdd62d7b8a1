// The driver: owns a Raft core, the WAL and a tick timer, and turns the
// core's Readys into I/O. One Ready is handled at a time; proposals that
// arrive meanwhile accumulate in the core and go into the next Ready
// together, so concurrent proposals share one WAL append and one fsync
// (group commit at the Raft level, on top of the WAL's own).
//
// Lifecycle: openReplicatedLog() recovers and returns the log, quiet. Subscribe
// to committed$, then start() (or waitReady(), which starts): the replay of
// recovered committed entries is emitted first, then ticking begins.
// committed$ is hot and never replays for late subscribers: whoever needs the
// history must subscribe before start.

import { Subject, type Observable } from 'rxjs';
import type { Logger } from 'pino';
import type { HardState, LogEntry, WriteAheadLog } from '../types.js';
import { invariant } from './core/assert.js';
import { defaultRaftLimits } from './core/config.js';
import type { Message } from './core/messages.js';
import type { ConfigChange } from './core/membership.js';
import { RaftNode, type MemberProgress, type ProposeResult } from './core/raft-node.js';
import type { ReadState, Ready, Role, SoftState } from './core/ready.js';
import type { SnapshotMeta } from './core/storage.js';
import {
  ConfigChangeRejectedError, LeaderTransferInProgressError, LogClosedError, LogFailedError, NotLeaderError, ProposalOutcomeUnknownError,
  ProposalsPendingLimitError, ProposalTooLargeError, ReadIndexError,
} from './errors.js';
import { HardStateWriter } from './hard-state-writer.js';
import { latencyTrace } from './latency-trace.js';
import type { RaftObserver } from './observer.js';
import { resolveReplicatedLogOptions, type ReplicatedLogOptions, type ResolvedLimits } from './options.js';
import { PendingProposals, type ProposalResult } from './pending-proposals.js';
import { realScheduler, type Scheduler } from './scheduler.js';
import type { Transport } from './transport.js';

export interface ReplicatedLogStatus {
  readonly nodeId: number;
  /**
   * A pre-candidate (pre-vote, core/candidate.ts) is reported as 'candidate'
   * with `preCandidate` set, so this stays the three roles of the Raft paper
   * that admin views and callers know.
   */
  readonly role: Exclude<Role, 'preCandidate'>;
  readonly preCandidate: boolean;
  readonly term: number;
  /** 0 when no leader is known. */
  readonly leaderId: number;
  readonly commitIndex: number;
  /** Highest index emitted on committed$. */
  readonly appliedIndex: number;
  /** Highest index durable in this node's WAL. */
  readonly persistedIndex: number;
  readonly firstIndex: number;
  readonly lastIndex: number;
  readonly voters: readonly number[];
  readonly learners: readonly number[];
  readonly proposalsPending: number;
  /** ReadIndex reads awaiting confirmation or their index to be applied. */
  readonly readsPending: number;
  /** Index of the ConfigChange entry in force (0: the configuration given at open). */
  readonly configIndex: number;
}

export interface ReplicatedLog {
  /**
   * Committed entries in index order, each exactly once per process lifetime,
   * without gaps (Empty entries included: skip them). Hot: subscribe before
   * start(). Completes on close(); errors with LogFailedError if the log stops.
   */
  readonly committed$: Observable<LogEntry>;
  /** Replays recovered committed entries onto committed$, then starts ticking. Idempotent. */
  start(): Promise<void>;
  /**
   * Proposes an entry; `data` belongs to the log from here on (do not mutate).
   * Resolves once committed and emitted on committed$. Rejects with
   * NotLeaderError, ProposalsPendingLimitError, ProposalTooLargeError,
   * ProposalDroppedError, LogClosedError (outcome unknown) or LogFailedError.
   */
  propose(data: Uint8Array): Promise<ProposalResult>;
  /**
   * A linearizable read point (ReadIndex, core/read-index.ts), on any node:
   * resolves with an index once this node has applied (emitted on committed$)
   * at least up to it; state read from the views then reflects every write
   * acknowledged before this call. Rejects with ReadIndexError (retry),
   * ProposalsPendingLimitError, LogClosedError or LogFailedError.
   */
  readIndex(): Promise<number>;
  /**
   * Leader only: proposes a membership change, one server at a time
   * (core/membership.ts). Resolves once committed. Rejects with
   * NotLeaderError, LeaderTransferInProgressError, ConfigChangeRejectedError,
   * or what propose() may reject with.
   */
  proposeConfigChange(change: ConfigChange): Promise<ProposalResult>;
  /**
   * Leader only: hands leadership to voter `nodeId` once it has caught up;
   * proposals are refused meanwhile (LeaderTransferInProgressError), and the
   * transfer is abandoned after an election timeout. Throws NotLeaderError,
   * or RangeError for a target that is not another voter.
   */
  transferLeadership(nodeId: number): void;
  status(): ReplicatedLogStatus;
  /** Leader only (else empty): every other member's match index and replication state. */
  progress(): MemberProgress[];
  /**
   * Stops this node's clock: no more elections, pre-votes or heartbeats.
   * For a node removed from the configuration that never received the
   * entry removing it (the leader stops replicating to it at once), so its
   * own configuration still makes it a voter. Messages are still answered.
   */
  retire(): void;
  /**
   * Starts the log if needed; resolves once a leader is known, the recovered
   * committed entries were emitted and, if this node leads, an entry of its
   * term (and so every entry before it) was emitted.
   */
  waitReady(): Promise<void>;
  /** Lets the WAL delete entries at or below `index`; at most appliedIndex. */
  compact(index: number): Promise<void>;
  /**
   * On the leader: the lowest match index among followers heard from
   * recently (check-quorum's recentActive), i.e. the last entry a live
   * follower is known to hold; compacting at or below it makes no live
   * follower need a snapshot. Undefined when not leader or no follower is
   * live (then only the views' checkpoints bound compaction).
   */
  liveFollowersMatchIndex(): number | undefined;
  /** Stops ticking, rejects pending proposals with LogClosedError, waits for in-flight writes, closes the WAL. */
  close(): Promise<void>;
}

type Lifecycle = 'opened' | 'starting' | 'running' | 'failed' | 'closed';

/** A promise with its settle functions; its rejection is never reported as unhandled. */
class Latch {
  readonly promise: Promise<void>;
  resolve!: () => void;
  reject!: (error: Error) => void;
  constructor() {
    this.promise = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.promise.catch(() => {});
  }
}

interface PendingRead {
  readonly resolve: (index: number) => void;
  readonly reject: (error: Error) => void;
  /** Abandoned (ReadIndexError 'timedOut') at this tick count without an answer. */
  readonly deadlineTick: number;
  /** The confirmed read index, once known. */
  index: number | undefined;
}

interface DriverParts {
  readonly options: ReplicatedLogOptions;
  readonly limits: ResolvedLimits;
  readonly core: RaftNode;
  readonly storedHardState: HardState;
  /** Replay (replayAfterIndex, replayToIndex] from the WAL at start. */
  readonly replayAfterIndex: number;
  readonly replayToIndex: number;
}

export async function openReplicatedLog(options: ReplicatedLogOptions): Promise<ReplicatedLog> {
  const limits = resolveReplicatedLogOptions(options);
  const { wal } = options;
  const storedHardState = wal.hardState();
  const { commitIndex, appliedIndex } = recoveredIndexes(options);
  // Views only hold committed entries: if they are past a lagging stored
  // commit index, so is the commit index.
  const coreAppliedIndex = Math.max(appliedIndex, commitIndex);
  // The core trusts its storage's hard state; it gets the clamped one.
  const recoveredHardState: HardState = { ...storedHardState, commit: commitIndex };
  const core = new RaftNode({
    id: options.nodeId,
    voters: options.peers,
    learners: options.learners ?? [],
    electionTimeoutTicks: options.electionTimeoutTicks,
    heartbeatTicks: options.heartbeatTicks,
    random: options.random ?? Math.random,
    ...(options.preVote === undefined ? {} : { preVote: options.preVote }),
    ...(options.checkQuorum === undefined ? {} : { checkQuorum: options.checkQuorum }),
    storage: {
      firstIndex: () => wal.firstIndex(),
      lastIndex: () => wal.lastIndex(),
      term: (index) => wal.term(index),
      hardState: () => recoveredHardState,
      snapshot: () => options.snapshotSource?.latest(),
    },
    appliedIndex: coreAppliedIndex,
    recoveredTail: await readRecoveredTail(wal, coreAppliedIndex, options, limits),
    logger: options.logger,
    ...(options.limits === undefined ? {} : { limits: options.limits }),
  });
  options.logger.info(
    { nodeId: options.nodeId, voters: options.peers, learners: options.learners ?? [], term: storedHardState.term, commitIndex: coreAppliedIndex, appliedIndex, lastIndex: wal.lastIndex() },
    'raft: log recovered',
  );
  return new ReplicatedLogDriver({ options, limits, core, storedHardState, replayAfterIndex: appliedIndex, replayToIndex: coreAppliedIndex });
}

/**
 * The stored commit index and the views' applied index, clamped to the WAL's
 * last index. Either is above it only if the WAL lost entries it had
 * acknowledged: with sync_commit off, a power loss drops up to one sync
 * interval of written but unsynced entries, while the views' checkpoints (and
 * a hard state stored before the hard-state writer clamped its commit to the
 * WAL's durable index) may survive. That loss is documented, so the node logs
 * it at error level and continues from the log it has rather than refusing
 * every start.
 */
function recoveredIndexes(options: ReplicatedLogOptions): { commitIndex: number; appliedIndex: number } {
  const { wal, logger } = options;
  const lastIndex = wal.lastIndex();
  const storedCommitIndex = wal.hardState().commit;
  if (storedCommitIndex > lastIndex) {
    logger.error(
      { storedCommitIndex, lastIndex, lostEntries: storedCommitIndex - lastIndex },
      `raft: the stored commit index ${storedCommitIndex} is beyond the last WAL entry ${lastIndex}: ` +
        `${storedCommitIndex - lastIndex} committed and acknowledged entries were lost, as sync_commit = false allows ` +
        '("a machine crash may lose the last moments of acknowledged commits"); continuing from index ' +
        `${lastIndex}, and new entries will reuse the lost indexes. With sync_commit = true this means the disk lost fsynced data.`,
    );
  }
  const appliedIndex = options.appliedIndex ?? wal.firstIndex() - 1;
  if (appliedIndex > lastIndex) {
    logger.error(
      { appliedIndex, lastIndex },
      `raft: the views have applied up to index ${appliedIndex} but the WAL ends at ${lastIndex}: the views are ahead of ` +
        'the log (its tail was lost, as sync_commit = false allows) and must be rebuilt; new entries will reuse ' +
        `indexes ${lastIndex + 1}..${appliedIndex}, which the views already hold with other contents`,
    );
  }
  return { commitIndex: Math.min(storedCommitIndex, lastIndex), appliedIndex: Math.min(appliedIndex, lastIndex) };
}

/**
 * The entries the core keeps in memory: every entry after the applied index
 * (it must hand them out when they commit) and a recent tail for followers.
 */
async function readRecoveredTail(wal: WriteAheadLog, appliedIndex: number, options: ReplicatedLogOptions, limits: ResolvedLimits): Promise<LogEntry[]> {
  const lastIndex = wal.lastIndex();
  const tailEntriesMax = options.limits?.tailEntriesMax ?? defaultRaftLimits.tailEntriesMax;
  const fromIndex = Math.max(wal.firstIndex(), Math.min(appliedIndex + 1, lastIndex - tailEntriesMax + 1));
  const entries: LogEntry[] = [];
  for (let lo = fromIndex; lo <= lastIndex; lo += limits.replayBatchEntriesMax) {
    const batch = await wal.read(lo, Math.min(lastIndex + 1, lo + limits.replayBatchEntriesMax));
    for (const entry of batch) entries.push(entry);
  }
  return entries;
}

class ReplicatedLogDriver implements ReplicatedLog {
  private readonly subject = new Subject<LogEntry>();
  readonly committed$: Observable<LogEntry> = this.subject.asObservable();
  private readonly core: RaftNode;
  private readonly wal: WriteAheadLog;
  private readonly logger: Logger;
  private readonly scheduler: Scheduler;
  private readonly transport: Transport | undefined;
  private readonly observer: RaftObserver;
  private readonly pending = new PendingProposals();
  private readonly hardStates: HardStateWriter;
  private readonly readyLatch = new Latch();
  private lifecycle: Lifecycle = 'opened';
  private failure: LogFailedError | undefined;
  private appliedIndex: number;
  private appliedTerm = 0;
  private replayed = false;
  private leaderId = 0;
  private pumpActive = false;
  private pumpDone: Promise<void> = Promise.resolve();
  /**
   * Set while handleReady waits for its writes, once the Ready's committed
   * entries are emitted (so what receive() emits continues after them).
   */
  private applyingDuringWrite = false;
  /**
   * Set while handleReady waits for the writes of a Ready that may send
   * replication early (splitMessages): answers stepped meanwhile send the
   * leader's refills at once (RaftNode.takeReplicationMessages).
   */
  private replicatingDuringWrite = false;
  private startPromise: Promise<void> | undefined;
  private closePromise: Promise<void> | undefined;
  private stopTicking: (() => void) | undefined;
  private stopReceiving: (() => void) | undefined;
  private readonly reads = new Map<number, PendingRead>();
  private nextReadId = 1;
  private tickCount = 0;

  constructor(private readonly parts: DriverParts) {
    const { options } = parts;
    this.core = parts.core;
    this.wal = options.wal;
    this.logger = options.logger;
    this.scheduler = options.scheduler ?? realScheduler;
    this.transport = options.transport;
    this.observer = options.observer ?? {};
    this.appliedIndex = parts.replayAfterIndex;
    this.hardStates = new HardStateWriter(this.wal, parts.storedHardState, (error) => this.fail(error));
  }

  start(): Promise<void> {
    this.startPromise ??= this.run();
    return this.startPromise;
  }

  private async run(): Promise<void> {
    if (this.lifecycle !== 'opened') throw this.failure ?? new LogClosedError();
    this.lifecycle = 'starting';
    try {
      await this.replay();
    } catch (error) {
      this.fail(error);
    }
    if (this.lifecycle !== 'starting') throw this.failure ?? new LogClosedError();
    this.replayed = true;
    this.lifecycle = 'running';
    this.stopReceiving = this.transport?.subscribe((message) => this.receive(message));
    this.stopTicking = this.scheduler.every(this.parts.options.tickIntervalMs, () => this.tick());
    // The clock starts now: a sole voter elects itself on this first tick.
    this.tick();
  }

  /** Emits (replayAfterIndex, replayToIndex] from the WAL, in bounded batches. */
  private async replay(): Promise<void> {
    const { replayAfterIndex, replayToIndex, limits } = this.parts;
    for (let lo = replayAfterIndex + 1; lo <= replayToIndex && this.lifecycle === 'starting'; lo += limits.replayBatchEntriesMax) {
      const hi = Math.min(replayToIndex + 1, lo + limits.replayBatchEntriesMax);
      const entries = await this.wal.read(lo, hi);
      invariant(entries.length === hi - lo, `the WAL returned ${entries.length} entries for [${lo}, ${hi})`);
      if (this.lifecycle === 'starting') this.emit(entries);
    }
    if (replayToIndex > replayAfterIndex) {
      this.logger.info({ fromIndex: replayAfterIndex + 1, toIndex: replayToIndex }, 'raft: replayed committed entries');
    }
  }

  async waitReady(): Promise<void> {
    this.start().catch(() => {
      // Reported through the latch.
    });
    return this.readyLatch.promise;
  }

  propose(data: Uint8Array): Promise<ProposalResult> {
    if (this.lifecycle === 'closed') return Promise.reject(new LogClosedError());
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const { proposalsPendingMax, entryDataBytesMax } = this.parts.limits;
    if (data.byteLength > entryDataBytesMax) return Promise.reject(new ProposalTooLargeError(data.byteLength, entryDataBytesMax));
    if (this.pending.size >= proposalsPendingMax) return Promise.reject(new ProposalsPendingLimitError(proposalsPendingMax));
    let result: ProposeResult;
    try {
      result = this.core.propose(data);
    } catch (error) {
      this.fail(error);
      return Promise.reject(this.failure);
    }
    if (!result.ok) return Promise.reject(result.reason === 'transferring' ? new LeaderTransferInProgressError() : new NotLeaderError(result.leaderId));
    const promise = this.pending.add(result.index, result.term, this.scheduler.nowMs());
    this.schedulePump();
    return promise;
  }

  proposeConfigChange(change: ConfigChange): Promise<ProposalResult> {
    const refusal = this.refuseInput();
    if (refusal !== undefined) return Promise.reject(refusal);
    if (this.pending.size >= this.parts.limits.proposalsPendingMax) return Promise.reject(new ProposalsPendingLimitError(this.parts.limits.proposalsPendingMax));
    let result: ReturnType<RaftNode['proposeConfigChange']>;
    try {
      result = this.core.proposeConfigChange(change);
    } catch (error) {
      this.fail(error);
      return Promise.reject(this.failure);
    }
    if (!result.ok) {
      if (result.reason === 'rejected') return Promise.reject(new ConfigChangeRejectedError(result.message));
      return Promise.reject(result.reason === 'transferring' ? new LeaderTransferInProgressError() : new NotLeaderError(result.leaderId));
    }
    const promise = this.pending.add(result.index, result.term, this.scheduler.nowMs());
    this.schedulePump();
    return promise;
  }

  transferLeadership(nodeId: number): void {
    const refusal = this.refuseInput();
    if (refusal !== undefined) throw refusal;
    const status = this.core.status();
    if (status.role !== 'leader') throw new NotLeaderError(status.leaderId);
    let why: string | undefined;
    try {
      why = this.core.transferLeadership(nodeId);
    } catch (error) {
      this.fail(error);
      throw this.failure;
    }
    if (why !== undefined) throw new RangeError(`transferLeadership(${nodeId}): ${why}`);
    this.schedulePump();
  }

  readIndex(): Promise<number> {
    const refusal = this.refuseInput();
    if (refusal !== undefined) return Promise.reject(refusal);
    const { proposalsPendingMax } = this.parts.limits;
    if (this.reads.size >= proposalsPendingMax) return Promise.reject(new ProposalsPendingLimitError(proposalsPendingMax));
    const requestId = this.nextReadId++;
    try {
      if (!this.core.readIndex(requestId).ok) return Promise.reject(new ReadIndexError('noLeader'));
    } catch (error) {
      this.fail(error);
      return Promise.reject(this.failure);
    }
    // Long enough for a heartbeat round even across a leader's slow disk; a lost answer costs this much.
    const deadlineTick = this.tickCount + 2 * this.parts.options.electionTimeoutTicks;
    const promise = new Promise<number>((resolve, reject) => {
      this.reads.set(requestId, { resolve, reject, deadlineTick, index: undefined });
    });
    this.schedulePump();
    return promise;
  }

  /** Why the log takes no input now, if it does not. */
  private refuseInput(): Error | undefined {
    if (this.lifecycle === 'closed') return new LogClosedError();
    return this.failure;
  }

  /** Answers from the leader: serve at once if applied, else when applied reaches the index. */
  private onReadStates(states: readonly ReadState[]): void {
    for (const state of states) {
      const read = this.reads.get(state.requestId);
      if (read === undefined) continue;
      if (!state.ok) {
        this.reads.delete(state.requestId);
        read.reject(new ReadIndexError('leaderLost'));
        continue;
      }
      read.index = state.index;
    }
    this.serveReads();
  }

  private serveReads(): void {
    for (const [requestId, read] of this.reads) {
      if (read.index === undefined || read.index > this.appliedIndex) continue;
      this.reads.delete(requestId);
      read.resolve(read.index);
    }
  }

  private expireReads(): void {
    for (const [requestId, read] of this.reads) {
      if (read.index !== undefined || read.deadlineTick > this.tickCount) continue;
      this.reads.delete(requestId);
      read.reject(new ReadIndexError('timedOut'));
    }
  }

  private rejectReads(error: Error): void {
    for (const read of this.reads.values()) read.reject(error);
    this.reads.clear();
  }

  status(): ReplicatedLogStatus {
    const s = this.core.status();
    return {
      nodeId: s.id,
      role: s.role === 'preCandidate' ? 'candidate' : s.role,
      preCandidate: s.role === 'preCandidate',
      term: s.term,
      leaderId: s.leaderId,
      commitIndex: s.commitIndex,
      appliedIndex: this.appliedIndex,
      persistedIndex: s.persistedIndex,
      firstIndex: this.wal.firstIndex(),
      lastIndex: s.lastIndex,
      voters: s.voters,
      learners: s.learners,
      proposalsPending: this.pending.size,
      readsPending: this.reads.size,
      configIndex: s.configIndex,
    };
  }

  progress(): MemberProgress[] {
    return this.core.progress();
  }

  retire(): void {
    if (this.stopTicking === undefined) return;
    this.stopTicking();
    this.stopTicking = undefined;
    this.logger.warn('raft: retired: this node no longer ticks, so it never campaigns again');
  }

  liveFollowersMatchIndex(): number | undefined {
    const live = this.core.followerProgress().filter((p) => p.recentActive);
    if (live.length === 0) return undefined;
    return Math.min(...live.map((p) => p.match));
  }

  async compact(index: number): Promise<void> {
    if (!Number.isSafeInteger(index) || index > this.appliedIndex) {
      throw new RangeError(`compact(${index}): only applied entries may be compacted (applied index ${this.appliedIndex})`);
    }
    // Followers behind the compaction point need a snapshot (options.snapshotSource).
    await this.wal.compact(index);
  }

  close(): Promise<void> {
    this.closePromise ??= this.shutDown();
    return this.closePromise;
  }

  private async shutDown(): Promise<void> {
    const failed = this.lifecycle === 'failed';
    this.lifecycle = 'closed';
    this.stopInputs();
    const closed = new LogClosedError();
    this.pending.rejectAll(closed);
    this.rejectReads(closed);
    this.readyLatch.reject(closed);
    await this.startPromise?.catch(() => {});
    await this.pumpDone;
    await this.hardStates.flush();
    await this.wal.close();
    if (!failed) this.subject.complete();
    this.logger.info({ appliedIndex: this.appliedIndex }, 'raft: replicated log closed');
  }

  private stopInputs(): void {
    this.stopTicking?.();
    this.stopTicking = undefined;
    this.stopReceiving?.();
    this.stopReceiving = undefined;
  }

  private tick(): void {
    if (this.lifecycle !== 'running') return;
    this.tickCount++;
    this.expireReads();
    // A commit-only hard state change is written once per election timeout
    // (1 s by default), not every tick: each write is ~8 thread-pool trips (a
    // tmp file, its fdatasync, a rename, a directory fsync) and two journal
    // commits that the WAL's O_DSYNC appends queue behind, on every node.
    // The stored commit index only bounds a restart's replay; it may lag.
    if (this.tickCount % this.parts.options.electionTimeoutTicks === 0) this.hardStates.writeDeferred();
    try {
      this.core.tick();
    } catch (error) {
      this.fail(error);
      return;
    }
    this.schedulePump();
  }

  private receive(message: Message): void {
    if (this.lifecycle !== 'running') return;
    if (latencyTrace !== undefined) this.traceReceived(message);
    try {
      this.core.step(message);
      // Acknowledgements arriving during this Ready's write may commit entries
      // of earlier Readys: apply them now rather than after the write.
      if (this.applyingDuringWrite) this.emit(this.core.takeCommittedEntries());
      // And a follower's answer refills its append now, not after our fsync.
      if (this.replicatingDuringWrite && this.transport !== undefined) {
        const messages = this.core.takeReplicationMessages();
        if (messages.length > 0) {
          if (latencyTrace !== undefined) this.traceSent(messages, performance.now());
          this.transport.send(messages);
        }
      }
    } catch (error) {
      this.fail(error);
      return;
    }
    this.schedulePump();
  }

  /**
   * Runs the Ready loop unless it is running. Deferred to a microtask so that
   * every proposal made in the current turn joins the first Ready.
   */
  private schedulePump(): void {
    if (this.pumpActive || this.lifecycle !== 'running') return;
    this.pumpActive = true;
    this.pumpDone = new Promise<void>((resolve) => {
      queueMicrotask(() => {
        void this.pump().then(resolve);
      });
    });
  }

  /** Never rejects: a failure stops the node. */
  private async pump(): Promise<void> {
    try {
      while (this.lifecycle === 'running' && this.core.hasReady()) {
        await this.handleReady(this.core.ready());
      }
    } catch (error) {
      this.fail(error);
    } finally {
      // Synchronously after the last hasReady() check: no proposal can slip in between.
      this.pumpActive = false;
    }
  }

  /** The order is the core's contract (core/ready.ts). */
  private async handleReady(rd: Ready): Promise<void> {
    if (rd.softState !== undefined) this.noteSoftState(rd.softState);
    if (rd.snapshot !== undefined) await this.installSnapshot(rd.snapshot);
    const { early, afterPersist } = this.splitMessages(rd);
    this.replicatingDuringWrite = early.length > 0 || this.splitAllowsEarly(rd);
    const startMs = latencyTrace === undefined ? 0 : this.traceReadyStart(rd, early);
    if (early.length > 0) this.transport?.send(early);
    // The write starts here, synchronously (an idle WAL submits it inside
    // append(), commit-queue.ts kick), before this Ready's committed entries
    // are applied: a follower's fsync, and so its answer, no longer waits
    // for its apply, nor a leader's for the apply and the client replies.
    const written = rd.entries.length > 0 ? this.wal.append(rd.entries) : undefined;
    // Awaited below; if emit throws first, the failure is the node's, not this promise's.
    written?.catch(() => undefined);
    // Already durable here: applying them need not wait for this Ready's writes.
    this.emit(rd.committedEntries);
    this.applyingDuringWrite = true;
    // Read answers need nothing persisted.
    if (rd.readStates.length > 0) this.onReadStates(rd.readStates);
    if (written !== undefined) {
      await written;
      if (latencyTrace !== undefined) latencyTrace.record(this.core.status().role === 'leader' ? 'leader.wal' : 'follower.wal', performance.now() - startMs);
      this.notify((o) => o.onBatch?.(rd.entries));
    }
    if (rd.hardState !== undefined) await this.hardStates.save(rd.hardState);
    // Persist before send: only now may peers learn of votes and acknowledgments.
    if (afterPersist.length > 0) this.transport?.send(afterPersist);
    this.replicatingDuringWrite = false;
    if (latencyTrace !== undefined && rd.entries.length > 0) this.traceAnswered(afterPersist);
    this.applyingDuringWrite = false;
    this.core.advance(rd);
    this.checkReady();
  }

  /** THUNDER_RAFT_TRACE (latency-trace.ts): an answer or a follower's entries arrived. */
  private traceReceived(message: Message): void {
    const nowMs = performance.now();
    if (message.kind === 'AppendAccepted') latencyTrace?.appendAccepted(message.from, message.matchIndex, nowMs);
    else if (message.kind === 'AppendRequest' && message.entries.length > 0) latencyTrace?.appendReceived(nowMs);
  }

  /** THUNDER_RAFT_TRACE: appends with entries handed to the transport. */
  private traceSent(messages: readonly Message[], nowMs: number): void {
    for (const message of messages) {
      const last = message.kind === 'AppendRequest' ? message.entries[message.entries.length - 1] : undefined;
      if (last !== undefined) latencyTrace?.appendSent(message.to, last.index, nowMs);
    }
  }

  /** THUNDER_RAFT_TRACE: a Ready starts; returns its start time. */
  private traceReadyStart(rd: Ready, early: readonly Message[]): number {
    const nowMs = performance.now();
    this.traceSent(early, nowMs);
    const receivedAtMs = latencyTrace?.receivedAt();
    if (rd.entries.length > 0 && receivedAtMs !== undefined && early.length === 0) latencyTrace?.record('follower.queue', nowMs - receivedAtMs);
    return nowMs;
  }

  /** THUNDER_RAFT_TRACE: a follower answered an append that carried entries. */
  private traceAnswered(sent: readonly Message[]): void {
    const receivedAtMs = latencyTrace?.receivedAt();
    if (receivedAtMs === undefined || !sent.some((m) => m.kind === 'AppendAccepted')) return;
    latencyTrace?.record('follower.answer', performance.now() - receivedAtMs);
  }

  /**
   * Which of a Ready's messages may go out before its entries are durable:
   * a leader's replication (AppendRequest, Heartbeat, InstallSnapshot), so
   * followers write to their disks while the leader writes to its own
   * (Raft dissertation §10.2.1; etcd's server does the same). Safe because
   * they promise nothing about this node's disk: the leader counts its own
   * log only once advance() reports it durable, so a commit still needs a
   * quorum of durable copies. Not when this Ready changes term or vote: the
   * term the messages carry must be durable first (a sole voter elected in
   * this very Ready could otherwise, after a crash, lead that term again with
   * other entries). Everything else (votes, acknowledgements) waits.
   */
  private splitAllowsEarly(rd: Ready): boolean {
    return rd.hardState === undefined || !this.hardStates.changesTermOrVote(rd.hardState);
  }

  private splitMessages(rd: Ready): { early: readonly Message[]; afterPersist: readonly Message[] } {
    if (rd.messages.length === 0 || !this.splitAllowsEarly(rd)) {
      return { early: [], afterPersist: rd.messages };
    }
    const early: Message[] = [];
    const afterPersist: Message[] = [];
    for (const message of rd.messages) {
      const replication = message.kind === 'AppendRequest' || message.kind === 'Heartbeat' || message.kind === 'InstallSnapshot';
      (replication ? early : afterPersist).push(message);
    }
    return { early, afterPersist };
  }

  /** Ready.snapshot: the views and the WAL jump to the snapshot; committed$ continues after it. */
  private async installSnapshot(meta: SnapshotMeta): Promise<void> {
    const sink = this.parts.options.snapshotSink;
    invariant(sink !== undefined, `received snapshot ${meta.index}/${meta.term} but no snapshotSink is configured`);
    await sink.install(meta);
    this.logger.info({ index: meta.index, term: meta.term, previousAppliedIndex: this.appliedIndex }, 'raft: installed a snapshot from the leader');
    this.appliedIndex = meta.index;
    this.appliedTerm = meta.term;
    // Their entries are inside the snapshot or were replaced: whether ours committed is unknown.
    this.pending.rejectThrough(meta.index, (index) => new ProposalOutcomeUnknownError(index));
    this.serveReads();
  }

  private emit(entries: readonly LogEntry[]): void {
    for (const entry of entries) {
      invariant(entry.index === this.appliedIndex + 1, `committed entries are emitted in order without gaps: expected ${this.appliedIndex + 1}, got ${entry.index}`);
      this.appliedIndex = entry.index;
      this.appliedTerm = entry.term;
      this.subject.next(entry);
      const proposedAtMs = this.pending.settle(entry);
      if (proposedAtMs !== undefined) {
        const latencyMs = this.scheduler.nowMs() - proposedAtMs;
        latencyTrace?.record('leader.commit', latencyMs);
        this.notify((o) => o.onCommit?.(entry.index, latencyMs));
      }
    }
    if (entries.length > 0 && this.reads.size > 0) this.serveReads();
  }

  private noteSoftState(softState: SoftState): void {
    if (softState.leaderId === this.leaderId) return;
    this.leaderId = softState.leaderId;
    const { term } = this.core.status();
    this.logger.info({ leaderId: softState.leaderId, term, role: softState.role }, 'raft: leader changed');
    this.notify((o) => o.onLeaderChange?.(softState.leaderId, term, softState.leaderId === this.parts.options.nodeId));
  }

  private checkReady(): void {
    if (!this.replayed || this.leaderId === 0) return;
    const { term, role } = this.core.status();
    // A new leader knows what is committed only once an entry of its own term is.
    if (role === 'leader' && this.appliedTerm !== term) return;
    this.readyLatch.resolve();
  }

  private notify(call: (observer: RaftObserver) => void): void {
    try {
      call(this.observer);
    } catch (error) {
      this.logger.warn({ err: error }, 'raft: observer threw; ignored');
    }
  }

  private fail(error: unknown): void {
    if (this.lifecycle === 'failed' || this.lifecycle === 'closed') return;
    this.lifecycle = 'failed';
    this.failure = new LogFailedError(error);
    this.logger.error({ err: error }, 'raft: the replicated log stopped; the node must restart');
    this.stopInputs();
    this.pending.rejectAll(this.failure);
    this.rejectReads(this.failure);
    this.readyLatch.reject(this.failure);
    this.subject.error(this.failure);
    const onFatal = this.parts.options.onFatal;
    if (onFatal !== undefined) onFatal(this.failure);
  }
}
