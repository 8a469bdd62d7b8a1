// A follower accepts entries and commit progress from the leader of its term.

import { unreachable } from './assert.js';
import type { AppendRequest, Heartbeat } from './messages.js';
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
    case 'VoteResponse':
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
    r.send({ kind: 'AppendAccepted', from: r.id, to: m.from, term: r.term, matchIndex: lastNewIndex });
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

export function handleHeartbeat(r: Raft, m: Heartbeat): void {
  // The leader sends min(our match, its commit), so this needs no consistency check.
  r.log.commitTo(m.commitIndex);
  r.send({ kind: 'HeartbeatResponse', from: r.id, to: m.from, term: r.term });
}
