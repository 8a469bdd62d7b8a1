// Elections: a pre-candidate asks whether it would win (pre-vote, §9.6); a
// candidate asks every voter for its vote in a new term.

import { unreachable } from './assert.js';
import { handleAppendRequest, handleHeartbeat, handleInstallSnapshot } from './follower.js';
import { becomeLeader } from './leader.js';
import { tallyVotes } from './progress.js';
import type { Raft, RoleMessage } from './raft.js';

/**
 * Starts an election: with pre-vote, first a pre-vote round that keeps the
 * term. `transfer`: the leader asked for it (TimeoutNow), so skip the
 * pre-vote and let voters override the leader lease.
 */
export function campaign(r: Raft, transfer: boolean): void {
  if (r.preVote && !transfer) {
    r.becomePreCandidate();
    r.votes.set(r.id, true);
    if (tallyVotes(r.voters.length, r.votes) === 'won') {
      startElection(r, false);
      return;
    }
    const lastLogIndex = r.log.lastIndex();
    const lastLogTerm = r.log.lastTerm();
    for (const peer of r.voterPeers()) {
      r.send({ kind: 'PreVoteRequest', from: r.id, to: peer, term: r.term + 1, lastLogIndex, lastLogTerm });
    }
    return;
  }
  startElection(r, transfer);
}

function startElection(r: Raft, transfer: boolean): void {
  r.becomeCandidate();
  r.votes.set(r.id, true);
  if (tallyVotes(r.voters.length, r.votes) === 'won') {
    // A sole voter wins on its own vote.
    becomeLeader(r);
    return;
  }
  const lastLogIndex = r.log.lastIndex();
  const lastLogTerm = r.log.lastTerm();
  for (const peer of r.voterPeers()) {
    r.send({ kind: 'VoteRequest', from: r.id, to: peer, term: r.term, lastLogIndex, lastLogTerm, transfer });
  }
}

/** Steps a pre-candidate or a candidate. */
export function stepCandidate(r: Raft, m: RoleMessage): void {
  switch (m.kind) {
    case 'PreVoteResponse':
      // A grant names the term we would enter; a refusal, the voter's own.
      if (r.role !== 'preCandidate' || m.term !== (m.granted ? r.term + 1 : r.term)) return;
      tally(r, m.from, m.granted);
      return;
    case 'VoteResponse':
      if (r.role !== 'candidate') return;
      tally(r, m.from, m.granted);
      return;
    case 'AppendRequest':
      // Someone won this term.
      r.becomeFollower(m.term, m.from);
      handleAppendRequest(r, m);
      return;
    case 'Heartbeat':
      r.becomeFollower(m.term, m.from);
      handleHeartbeat(r, m);
      return;
    case 'InstallSnapshot':
      r.becomeFollower(m.term, m.from);
      handleInstallSnapshot(r, m);
      return;
    case 'ReadIndexRequest':
      r.send({ kind: 'ReadIndexResponse', from: r.id, to: m.from, term: r.term, requestId: m.requestId, ok: false, index: 0 });
      return;
    case 'AppendAccepted':
    case 'AppendRejected':
    case 'HeartbeatResponse':
    case 'TimeoutNow':
      // No leader of this term ever sent to them: nothing to learn.
      return;
    default:
      unreachable(m, 'message');
  }
}

function tally(r: Raft, from: number, granted: boolean): void {
  if (!r.isVoter(from)) return;
  r.votes.set(from, granted);
  const outcome = tallyVotes(r.voters.length, r.votes);
  if (outcome === 'won') {
    if (r.role === 'preCandidate') startElection(r, false);
    else becomeLeader(r);
  } else if (outcome === 'lost') {
    r.becomeFollower(r.term, 0);
  }
}
