// A follower (or learner) accepts entries and commit progress from the leader
// of its term, forwards ReadIndex requests and campaigns on TimeoutNow.

import { unreachable } from './assert.js';
import { campaign } from './candidate.js';
import type { AppendRequest, Heartbeat, InstallSnapshot } from './messages.js';
import type { Raft, RoleMessage } from './raft.js';

export function stepFollower(r: Raft, m: RoleMessage): void {
  switch (m.kind) {
    case 'AppendRequest':
      r.electionElapsedTicks = 0;
      r.setLeader(m.from);
      handleAppendRequest(r, m);
      return;
    case 'Heartbeat':
      r.electionElapsedTicks = 0;
      r.setLeader(m.from);
      handleHeartbeat(r, m);
      return;
    case 'InstallSnapshot':
      r.electionElapsedTicks = 0;
      r.setLeader(m.from);
      handleInstallSnapshot(r, m);
      return;
    case 'TimeoutNow':
      // The leader hands over: campaign at once, skipping pre-vote and the lease.
      if (r.isVoter(r.id)) {
        r.logger.info({ term: r.term, from: m.from }, 'raft: leader transfer: campaigning on TimeoutNow');
        r.electionElapsedTicks = 0;
        campaign(r, true);
      }
      return;
    case 'ReadIndexRequest':
      // Only a leader answers; the requester retries.
      r.send({ kind: 'ReadIndexResponse', from: r.id, to: m.from, term: r.term, requestId: m.requestId, ok: false, index: 0 });
      return;
    case 'VoteResponse':
    case 'PreVoteResponse':
    case 'AppendAccepted':
    case 'AppendRejected':
    case 'HeartbeatResponse':
      // Answers addressed to a role this node held earlier in the term.
      return;
    default:
      unreachable(m, 'message');
  }
}

/** AppendEntries receiver: consistency check, conflict truncation, commit, answer. */
export function handleAppendRequest(r: Raft, m: AppendRequest): void {
  const committed = r.log.commitIndex();
  if (m.prevLogIndex < committed) {
    // Everything up to our commit index matches any leader's log: say so, and
    // the leader resumes from there (a delayed or duplicated request).
    r.send({ kind: 'AppendAccepted', from: r.id, to: m.from, term: r.term, matchIndex: committed });
    return;
  }
  const lastNewIndex = r.log.maybeAppend(m.prevLogIndex, m.prevLogTerm, m.commitIndex, m.entries);
  if (lastNewIndex !== undefined) {
    // A matching commit-only append needs no answer (AppendRequest.commitOnly).
    if (!(m.commitOnly && m.entries.length === 0)) r.send({ kind: 'AppendAccepted', from: r.id, to: m.from, term: r.term, matchIndex: lastNewIndex });
    return;
  }
  // Fast backtracking: point the leader at the last index whose term could
  // still match, so it skips a whole conflicting term per round trip.
  const hint = r.log.findConflictByTerm(Math.min(m.prevLogIndex, r.log.lastIndex()), m.prevLogTerm);
  r.send({
    kind: 'AppendRejected',
    from: r.id,
    to: m.from,
    term: r.term,
    rejectedIndex: m.prevLogIndex,
    hintIndex: hint.index,
    hintTerm: hint.term,
  });
}

/**
 * A snapshot from the leader (etcd's handleSnapshot): ignored if we have
 * committed past it; a fast-forward of the commit index if our log already
 * holds its last entry; otherwise the log is replaced by it (LogView.restore)
 * and the driver installs it from the next Ready. Answered like an append.
 */
export function handleInstallSnapshot(r: Raft, m: InstallSnapshot): void {
  const { index, term } = m.snapshot;
  if (index > r.log.commitIndex()) {
    if (r.log.matchTerm(index, term)) {
      r.log.commitTo(index);
    } else {
      r.logger.info({ term: r.term, snapshotIndex: index, snapshotTerm: term, lastIndex: r.log.lastIndex() }, 'raft: restoring a snapshot from the leader');
      r.log.restore(m.snapshot);
    }
  }
  r.send({ kind: 'AppendAccepted', from: r.id, to: m.from, term: r.term, matchIndex: r.log.commitIndex() });
}

/** The term in which a node last logged "the leader believes we hold entries we do not" (once a term, not per heartbeat). */
const lostLogReportedTerm = new WeakMap<Raft, number>();

export function handleHeartbeat(r: Raft, m: Heartbeat): void {
  const lastIndex = r.log.lastIndex();
  if (m.commitIndex > lastIndex) {
    // The leader counts us as holding entries we do not have: our storage was
    // wiped and we restarted with the same id. Commit nothing; tell the
    // leader where our log ends so it probes and resends (or sends a snapshot).
    if (lostLogReportedTerm.get(r) !== r.term) {
      lostLogReportedTerm.set(r, r.term);
      r.logger.warn({ term: r.term, leaderCommit: m.commitIndex, lastIndex }, 'raft: the leader believes this node holds entries it does not (storage wiped?); asking it to resend');
    }
    r.send({ kind: 'AppendRejected', from: r.id, to: m.from, term: r.term, rejectedIndex: m.commitIndex, hintIndex: lastIndex, hintTerm: r.log.lastTerm() });
  } else {
    // The leader sends min(our match, its commit), so this needs no consistency check.
    r.log.commitTo(m.commitIndex);
  }
  r.send({ kind: 'HeartbeatResponse', from: r.id, to: m.from, term: r.term, readRound: m.readRound });
}
