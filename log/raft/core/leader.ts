// A leader appends proposals, replicates its log and advances the commit
// index; it also checks it still has a quorum (check-quorum), confirms
// ReadIndex reads, and hands leadership over on request (TimeoutNow).

import { EntryKind, type LogEntry } from '../../types.js';
import { invariant, unreachable } from './assert.js';
import type { AppendAccepted, AppendRejected, HeartbeatResponse } from './messages.js';
import { majorityMatchIndex, Progress, quorumSize, snapshotPeriodsMax } from './progress.js';
import type { Raft, RoleMessage } from './raft.js';
import type { WaitingRead } from './read-index.js';

const emptyData = new Uint8Array(0);

export function becomeLeader(r: Raft): void {
  invariant(r.role === 'candidate', 'only a candidate becomes leader');
  invariant(r.isVoter(r.id), 'only a voter becomes leader');
  r.reset(r.term);
  r.role = 'leader';
  r.setLeader(r.id);
  syncProgress(r);
  // The leader's own match is what its storage has acknowledged, never more.
  selfProgress(r).maybeUpdate(r.log.persistedIndex());
  // A leader may only commit entries of its own term by counting replicas
  // (Raft §5.4.2); this entry commits every earlier, recovered tail with it.
  appendEntries(r, [{ kind: EntryKind.Empty, data: emptyData }]);
  r.logger.info({ term: r.term, lastIndex: r.log.lastIndex(), commitIndex: r.log.commitIndex() }, 'raft: became leader');
  bcastAppend(r);
}

/** Appends new entries at the end of the leader's log, in its term. Returns the first index. */
export function appendEntries(r: Raft, entries: readonly Pick<LogEntry, 'kind' | 'data'>[]): number {
  invariant(r.role === 'leader', 'only a leader appends its own entries');
  const firstIndex = r.log.lastIndex() + 1;
  r.log.append(entries.map((entry, k) => ({ index: firstIndex + k, term: r.term, kind: entry.kind, data: entry.data })));
  // A configuration takes effect when appended: track the members it names from now on.
  if (entries.some((entry) => entry.kind === EntryKind.ConfigChange)) syncProgress(r);
  if (r.peers().length > 0) r.proposalsUnsent = true;
  return firstIndex;
}

/** Progress for every member of the configuration in force (and for this node); none for others. */
function syncProgress(r: Raft): void {
  const members = new Set([...r.peers(), r.id]);
  for (const id of r.progress.keys()) if (!members.has(id)) r.progress.delete(id);
  for (const id of members) {
    if (!r.progress.has(id)) r.progress.set(id, new Progress(r.log.lastIndex() + 1, r.limits.inflightAppendsMax));
  }
}

/** Storage acknowledged more of the leader's log: that is the leader's own match. */
export function onPersisted(r: Raft): void {
  if (selfProgress(r).maybeUpdate(r.log.persistedIndex()) && maybeCommit(r)) afterCommit(r);
}

export function tickLeader(r: Raft): void {
  r.electionElapsedTicks++;
  if (r.electionElapsedTicks >= r.electionTimeoutTicks) {
    r.electionElapsedTicks = 0;
    if (r.checkQuorum && !quorumActiveSinceLastCheck(r)) {
      r.logger.warn({ term: r.term }, 'raft: check-quorum: no quorum heard within an election timeout, stepping down');
      r.becomeFollower(r.term, 0);
      return;
    }
    if (r.transferTarget !== 0) {
      r.logger.warn({ term: r.term, target: r.transferTarget }, 'raft: leader transfer timed out; accepting proposals again');
      r.transferTarget = 0;
    }
    retryLostSnapshots(r);
  }
  r.heartbeatElapsedTicks++;
  if (r.heartbeatElapsedTicks >= r.heartbeatTicks) {
    r.heartbeatElapsedTicks = 0;
    bcastHeartbeat(r);
  }
}

/** An InstallSnapshot unanswered for snapshotPeriodsMax election timeouts was lost: probe again. */
function retryLostSnapshots(r: Raft): void {
  for (const progress of r.progress.values()) {
    if (progress.state === 'snapshot' && ++progress.snapshotPeriods >= snapshotPeriodsMax) progress.becomeProbe();
  }
}

/** Whether a quorum of voters (this node included) was heard from since the last check; starts a new period. */
function quorumActiveSinceLastCheck(r: Raft): boolean {
  let active = 0;
  for (const voter of r.voters) {
    const progress = r.progress.get(voter);
    if (voter === r.id || progress?.recentActive === true) active++;
  }
  for (const [id, progress] of r.progress) progress.recentActive = id === r.id;
  return active >= quorumSize(r.voters.length);
}

export function stepLeader(r: Raft, m: RoleMessage): void {
  const sender = r.progress.get(m.from);
  if (sender !== undefined) sender.recentActive = true;
  else if (m.kind === 'AppendAccepted' || m.kind === 'AppendRejected' || m.kind === 'HeartbeatResponse') {
    // From a node no longer in the configuration: nothing to track.
    return;
  }
  switch (m.kind) {
    case 'AppendAccepted':
      handleAppendAccepted(r, m);
      return;
    case 'AppendRejected':
      handleAppendRejected(r, m);
      return;
    case 'HeartbeatResponse':
      handleHeartbeatResponse(r, m);
      return;
    case 'ReadIndexRequest':
      leaderReadIndex(r, m.requestId, m.from);
      return;
    case 'AppendRequest':
    case 'Heartbeat':
    case 'InstallSnapshot':
      // Records the sender as leader of our term, which throws: two leaders in one term.
      r.setLeader(m.from);
      return;
    case 'VoteResponse':
    case 'PreVoteResponse':
    case 'TimeoutNow':
      // Late votes of the election already won; a TimeoutNow for an older leadership.
      return;
    default:
      unreachable(m, 'message');
  }
}

function handleAppendAccepted(r: Raft, m: AppendAccepted): void {
  invariant(m.matchIndex <= r.log.lastIndex(), 'a follower cannot match entries its leader does not have');
  const progress = peerProgress(r, m.from);
  const updated = progress.maybeUpdate(m.matchIndex);
  // A probe answered at the index we already knew also proves where the logs match.
  if (!updated && !(progress.state === 'probe' && progress.match === m.matchIndex)) return;
  if (progress.state === 'snapshot' && progress.match < progress.pendingSnapshotIndex) return;
  // Probe answered, or snapshot installed: the follower matches at `match`; stream from there.
  if (progress.state !== 'replicate') progress.becomeReplicate();
  if (maybeCommit(r)) {
    afterCommit(r);
    if (r.role !== 'leader') return;
  }
  let sent = false;
  while (sendAppend(r, m.from, false)) {
    // Fill the follower's pipeline up to inflightAppendsMax.
    sent = true;
  }
  // It has everything we sent: tell it a commit index it has not heard (afterCommit).
  if (!sent && r.role === 'leader' && !progress.hasInflight() && progress.sentCommit < r.log.commitIndex()) sendAppend(r, m.from, true);
  if (r.transferTarget === m.from && progress.match === r.log.lastIndex()) sendTimeoutNow(r, m.from);
}

function handleAppendRejected(r: Raft, m: AppendRejected): void {
  const progress = peerProgress(r, m.from);
  // The follower's hint names its last index whose term is <= our prevLogTerm;
  // find our own last index at or below it with a term <= the follower's there.
  const matchHint = m.hintTerm > 0 ? r.log.findConflictByTerm(m.hintIndex, m.hintTerm).index : m.hintIndex;
  if (!progress.maybeDecreaseTo(m.rejectedIndex, matchHint)) return;
  if (progress.state === 'replicate') progress.becomeProbe();
  sendAppend(r, m.from, true);
}

function handleHeartbeatResponse(r: Raft, m: HeartbeatResponse): void {
  const progress = peerProgress(r, m.from);
  progress.onHeartbeatResponse();
  if (progress.match < r.log.lastIndex()) sendAppend(r, m.from, true);
  if (r.isVoter(m.from)) {
    for (const read of r.reads.acknowledge(m.from, m.readRound, (acks) => hasQuorum(r, acks))) answerRead(r, read, read.index);
  }
}

const matchScratch: number[] = [];

/**
 * Commits the highest index a majority of voters holds, if it is of the
 * current term. Earlier terms' entries commit only indirectly (Raft §5.4.2).
 */
function maybeCommit(r: Raft): boolean {
  // Reused: this runs on every acknowledgement (majorityMatchIndex reads it synchronously).
  matchScratch.length = 0;
  for (const voter of r.voters) matchScratch.push(r.progress.get(voter)?.match ?? 0);
  const index = majorityMatchIndex(matchScratch);
  if (index <= r.log.commitIndex() || r.log.term(index) !== r.term) return false;
  return r.log.commitTo(index);
}

/** Tells followers, releases reads that waited for a commit in this term, and steps down if removed. */
function afterCommit(r: Raft): void {
  // Only followers with no append in flight get an (often empty) append now.
  // The others will answer theirs: that answer brings them the next entries,
  // which carry the commit index, or else an empty append
  // (handleAppendAccepted). Sending every commit at once cost each follower
  // a message, a Ready and an answer more per commit: under load nearly half
  // of their appends carried nothing else (3-node bench traces).
  for (const peer of r.peers()) {
    if (!peerProgress(r, peer).hasInflight()) sendAppend(r, peer, true);
  }
  for (const read of r.reads.takeWaiting()) leaderReadIndex(r, read.requestId, read.from);
  if (!r.isVoter(r.id) && r.log.commitIndex() >= r.log.configIndex()) {
    // Removed (§4.2.2): it led until the configuration without it committed.
    r.logger.info({ term: r.term, configIndex: r.log.configIndex() }, 'raft: removed from the configuration; stepping down');
    r.becomeFollower(r.term, 0);
  }
}

/** ReadIndex on the leader; see read-index.ts for the protocol. */
export function leaderReadIndex(r: Raft, requestId: number, from: number): void {
  invariant(r.role === 'leader', 'only a leader confirms reads');
  const read: WaitingRead = { requestId, from };
  if (r.log.term(r.log.commitIndex()) !== r.term) {
    // Until an entry of our term commits, we do not know the latest commit index.
    r.reads.wait(read);
    return;
  }
  const index = r.log.commitIndex();
  const acks = r.isVoter(r.id) ? [r.id] : [];
  if (hasQuorum(r, new Set(acks))) {
    // A one-voter group: no other leader can exist.
    answerRead(r, read, index);
    return;
  }
  r.reads.register(requestId, from, index, acks);
}

function hasQuorum(r: Raft, acks: ReadonlySet<number>): boolean {
  let count = 0;
  for (const voter of r.voters) if (acks.has(voter)) count++;
  return count >= quorumSize(r.voters.length);
}

function answerRead(r: Raft, read: WaitingRead, index: number): void {
  if (read.from === r.id) r.readStates.push({ requestId: read.requestId, ok: true, index });
  else r.send({ kind: 'ReadIndexResponse', from: r.id, to: read.from, term: r.term, requestId: read.requestId, ok: true, index });
}

/**
 * Leader transfer (dissertation §3.10): stop taking proposals, bring `target`
 * up to date, then send it TimeoutNow so it campaigns at once. Aborted after
 * an election timeout. Returns why not, or undefined when started.
 */
export function transferLeadership(r: Raft, target: number): string | undefined {
  invariant(r.role === 'leader', 'only a leader transfers leadership');
  if (target === r.id) return 'already the leader';
  if (!r.isVoter(target)) return `node ${target} is not a voter`;
  if (r.transferTarget === target) return undefined;
  r.transferTarget = target;
  // Abort after one election timeout from now.
  r.electionElapsedTicks = 0;
  r.logger.info({ term: r.term, target }, 'raft: transferring leadership');
  const progress = peerProgress(r, target);
  if (progress.match === r.log.lastIndex()) sendTimeoutNow(r, target);
  else sendAppend(r, target, true);
  return undefined;
}

function sendTimeoutNow(r: Raft, to: number): void {
  r.send({ kind: 'TimeoutNow', from: r.id, to, term: r.term });
}

/**
 * Sends the follower's next entries (or, with sendIfEmpty, an empty append
 * carrying the commit index). Returns whether a message was sent.
 */
function sendAppend(r: Raft, to: number, sendIfEmpty: boolean): boolean {
  const progress = peerProgress(r, to);
  if (progress.isPaused()) return false;
  const prevLogIndex = progress.next - 1;
  const prevLogTerm = r.log.term(prevLogIndex);
  const entries = r.log.entriesFrom(progress.next);
  if (prevLogTerm === undefined || entries === undefined) return sendSnapshot(r, to, progress);
  if (entries.length === 0 && !sendIfEmpty) return false;
  if (!sendIfEmpty && progress.hasInflight() && !worthPipelining(r, entries)) return false;
  // Probes (probe state) must be answered: the leader waits for that answer.
  const commitOnly = entries.length === 0 && progress.state === 'replicate';
  r.send({ kind: 'AppendRequest', from: r.id, to, term: r.term, prevLogIndex, prevLogTerm, entries, commitIndex: r.log.commitIndex(), commitOnly });
  progress.sentCommit = Math.max(progress.sentCommit, r.log.commitIndex());
  progress.sentAppend(prevLogIndex + entries.length, entries.length);
  return true;
}

/**
 * Whether new `entries` may go to a follower that has an append in flight
 * (the batching paths: a Ready's proposals, the refill after an answer). A
 * small batch waits for that answer instead: what is proposed meanwhile joins
 * it, so a follower gets one AppendRequest (one Ready, one WAL write, one
 * answer, one commit-index update) per round trip rather than one per leader
 * Ready. On 3 nodes sharing 2 cores that per-message work was most of a
 * follower's CPU per commit (cluster bench). Large batches (bulk loads, many
 * clients) are still pipelined up to inflightAppendsMax. If the answer is
 * lost, the next heartbeat answer sends them (handleHeartbeatResponse, not
 * held); a leader transfer does not wait either.
 */
function worthPipelining(r: Raft, entries: readonly LogEntry[]): boolean {
  const { pipelineEntriesMin, pipelineBytesMin, messageEntriesMax, messageBytesMax } = r.limits;
  // A full message always is, whatever the limits (a follower catching up).
  if (entries.length >= Math.min(pipelineEntriesMin, messageEntriesMax)) return true;
  let bytes = 0;
  for (const entry of entries) bytes += entry.data.byteLength;
  return bytes >= Math.min(pipelineBytesMin, messageBytesMax);
}

/** etcd's maybeSendSnapshot: the follower needs entries below the in-memory tail. */
function sendSnapshot(r: Raft, to: number, progress: Progress): boolean {
  const snapshot = r.log.snapshotToSend();
  if (snapshot === undefined) {
    if (!progress.tailMissReported) {
      progress.tailMissReported = true;
      r.logger.warn({ follower: to, nextIndex: progress.next, term: r.term }, 'raft: follower needs entries no longer held in memory and storage offers no snapshot covering them; it cannot catch up');
    }
    return false;
  }
  r.logger.info({ follower: to, nextIndex: progress.next, snapshotIndex: snapshot.index, term: r.term }, 'raft: sending a snapshot');
  r.send({ kind: 'InstallSnapshot', from: r.id, to, term: r.term, snapshot });
  progress.becomeSnapshot(snapshot.index);
  return true;
}

function bcastAppend(r: Raft): void {
  for (const peer of r.peers()) sendAppend(r, peer, true);
}

/**
 * Before a Ready: sends entries proposed since the last one (one batch per
 * follower rather than one per proposal) and a heartbeat for reads
 * registered since (one round confirms them all).
 */
export function flushLeaderMessages(r: Raft): void {
  if (r.proposalsUnsent) {
    r.proposalsUnsent = false;
    for (const peer of r.peers()) {
      while (sendAppend(r, peer, false)) {
        // Until the follower's pipeline is full or it has everything.
      }
    }
  }
  if (r.reads.heartbeatDue) bcastHeartbeat(r);
}

function bcastHeartbeat(r: Raft): void {
  r.reads.heartbeatDue = false;
  const committed = r.log.commitIndex();
  for (const peer of r.peers()) {
    const commitIndex = Math.min(peerProgress(r, peer).match, committed);
    r.send({ kind: 'Heartbeat', from: r.id, to: peer, term: r.term, commitIndex, readRound: r.reads.round });
  }
}

function selfProgress(r: Raft): Progress {
  return peerProgress(r, r.id);
}

function peerProgress(r: Raft, id: number): Progress {
  const progress = r.progress.get(id);
  invariant(progress !== undefined, `a leader tracks every member, not ${id}`);
  return progress;
}
