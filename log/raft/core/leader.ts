// A leader appends proposals, replicates its log and advances the commit index.

import { EntryKind, type LogEntry } from '../../types.js';
import { invariant, unreachable } from './assert.js';
import type { AppendAccepted, AppendRejected } from './messages.js';
import { majorityMatchIndex, Progress } from './progress.js';
import type { Raft, RoleMessage } from './raft.js';

const emptyData = new Uint8Array(0);

export function becomeLeader(r: Raft): void {
  invariant(r.role === 'candidate', 'only a candidate becomes leader');
  r.reset(r.term);
  r.role = 'leader';
  r.setLeader(r.id);
  const nextIndex = r.log.lastIndex() + 1;
  for (const voter of r.voters) r.progress.set(voter, new Progress(nextIndex, r.limits.inflightAppendsMax));
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
  if (r.voters.length > 1) r.proposalsUnsent = true;
  return firstIndex;
}

/** Storage acknowledged more of the leader's log: that is the leader's own match. */
export function onPersisted(r: Raft): void {
  if (selfProgress(r).maybeUpdate(r.log.persistedIndex()) && maybeCommit(r)) bcastAppend(r);
}

export function tickLeader(r: Raft): void {
  // next issue: check-quorum (step down after an election timeout without hearing a majority).
  r.heartbeatElapsedTicks++;
  if (r.heartbeatElapsedTicks >= r.heartbeatTicks) {
    r.heartbeatElapsedTicks = 0;
    bcastHeartbeat(r);
  }
}

export function stepLeader(r: Raft, m: RoleMessage): void {
  switch (m.kind) {
    case 'AppendAccepted':
      handleAppendAccepted(r, m);
      return;
    case 'AppendRejected':
      handleAppendRejected(r, m);
      return;
    case 'HeartbeatResponse': {
      const progress = peerProgress(r, m.from);
      progress.onHeartbeatResponse();
      if (progress.match < r.log.lastIndex()) sendAppend(r, m.from, true);
      return;
    }
    case 'AppendRequest':
    case 'Heartbeat':
      // Records the sender as leader of our term, which throws: two leaders in one term.
      r.setLeader(m.from);
      return;
    case 'VoteResponse':
      // Late votes of the election already won.
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
  if (progress.state === 'probe') progress.becomeReplicate();
  if (maybeCommit(r)) bcastAppend(r);
  while (sendAppend(r, m.from, false)) {
    // Fill the follower's pipeline up to inflightAppendsMax.
  }
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

/**
 * Commits the highest index a majority holds, if it is of the current term.
 * Earlier terms' entries commit only indirectly (Raft §5.4.2).
 */
function maybeCommit(r: Raft): boolean {
  const matches = r.voters.map((voter) => r.progress.get(voter)?.match ?? 0);
  const index = majorityMatchIndex(matches);
  if (index <= r.log.commitIndex() || r.log.term(index) !== r.term) return false;
  return r.log.commitTo(index);
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
  if (prevLogTerm === undefined || entries === undefined) {
    // next issue: send a snapshot here (etcd's maybeSendSnapshot on ErrCompacted).
    if (!progress.tailMissReported) {
      progress.tailMissReported = true;
      r.logger.warn({ follower: to, nextIndex: progress.next, term: r.term }, 'raft: follower needs entries no longer held in memory; it cannot catch up until snapshots exist');
    }
    return false;
  }
  if (entries.length === 0 && !sendIfEmpty) return false;
  r.send({ kind: 'AppendRequest', from: r.id, to, term: r.term, prevLogIndex, prevLogTerm, entries, commitIndex: r.log.commitIndex() });
  progress.sentAppend(prevLogIndex + entries.length, entries.length);
  return true;
}

function bcastAppend(r: Raft): void {
  for (const peer of r.peers()) sendAppend(r, peer, true);
}

/** Sends entries proposed since the last Ready: one batch per follower rather than one per proposal. */
export function flushProposals(r: Raft): void {
  if (!r.proposalsUnsent) return;
  r.proposalsUnsent = false;
  for (const peer of r.peers()) {
    while (sendAppend(r, peer, false)) {
      // Until the follower's pipeline is full or it has everything.
    }
  }
}

function bcastHeartbeat(r: Raft): void {
  const committed = r.log.commitIndex();
  for (const peer of r.peers()) {
    const commitIndex = Math.min(peerProgress(r, peer).match, committed);
    r.send({ kind: 'Heartbeat', from: r.id, to: peer, term: r.term, commitIndex });
  }
}

function selfProgress(r: Raft): Progress {
  return peerProgress(r, r.id);
}

function peerProgress(r: Raft, id: number): Progress {
  const progress = r.progress.get(id);
  invariant(progress !== undefined, `a leader tracks every voter, not ${id}`);
  return progress;
}
