// A candidate asks every voter for its vote in a new term.

import { unreachable } from './assert.js';
import { handleAppendRequest, handleHeartbeat } from './follower.js';
import { becomeLeader } from './leader.js';
import { tallyVotes } from './progress.js';
import type { Raft, RoleMessage } from './raft.js';

/** Starts an election. next issue: pre-vote first, as a preCandidate that does not bump the term. */
export function campaign(r: Raft): void {
  r.becomeCandidate();
  r.votes.set(r.id, true);
  if (tallyVotes(r.voters.length, r.votes) === 'won') {
    // A sole voter wins on its own vote.
    becomeLeader(r);
    return;
  }
  const lastLogIndex = r.log.lastIndex();
  const lastLogTerm = r.log.lastTerm();
  for (const peer of r.peers()) {
    r.send({ kind: 'VoteRequest', from: r.id, to: peer, term: r.term, lastLogIndex, lastLogTerm });
  }
}

export function stepCandidate(r: Raft, m: RoleMessage): void {
  switch (m.kind) {
    case 'VoteResponse': {
      r.votes.set(m.from, m.granted);
      const outcome = tallyVotes(r.voters.length, r.votes);
      if (outcome === 'won') becomeLeader(r);
      else if (outcome === 'lost') r.becomeFollower(r.term, 0);
      return;
    }
    case 'AppendRequest':
      // Someone won this term.
      r.becomeFollower(m.term, m.from);
      handleAppendRequest(r, m);
      return;
    case 'Heartbeat':
      r.becomeFollower(m.term, m.from);
      handleHeartbeat(r, m);
      return;
    case 'AppendAccepted':
    case 'AppendRejected':
    case 'HeartbeatResponse':
      // No leader of this term ever sent to them: nothing to learn.
      return;
    default:
      unreachable(m, 'message');
  }
}
