// Pre-vote, check-quorum and the leader lease (dissertation §9.6, §6.2, §4.2.3),
// leader transfer and ReadIndex, on cores driven step by step.

import { describe, expect, it } from 'vitest';
import { SimCluster } from '../testing/sim-cluster.js';

function cluster(seed: number): SimCluster {
  return new SimCluster({ voters: [1, 2, 3], seed, preVote: true, checkQuorum: true });
}

describe('pre-vote', () => {
  it('elects a leader through a pre-vote round that changes no term', () => {
    const sim = cluster(1);
    const kinds: string[] = [];
    sim.onDeliver = (m) => kinds.push(m.kind);
    sim.campaign(1);
    expect(sim.core(1).status()).toMatchObject({ role: 'leader', term: 1 });
    expect(kinds.slice(0, 4)).toEqual(['PreVoteRequest', 'PreVoteRequest', 'PreVoteResponse', 'PreVoteResponse']);
  });

  it('a partitioned node that returns does not disrupt a healthy leader', () => {
    const sim = cluster(2);
    sim.campaign(1);
    sim.isolate(3);
    // Node 3 times out again and again; without pre-vote its term would climb.
    for (let k = 0; k < 100; k++) {
      sim.tick(3);
      sim.stabilize();
    }
    expect(sim.core(3).status()).toMatchObject({ term: 1, role: 'preCandidate' });
    sim.heal();
    for (let k = 0; k < 30; k++) {
      sim.tickAll();
      sim.stabilize();
    }
    expect(sim.core(1).status()).toMatchObject({ role: 'leader', term: 1 });
    expect(sim.core(3).status()).toMatchObject({ role: 'follower', term: 1, leaderId: 1 });
  });

  it('after the leader dies, a node still in its lease refuses a pre-vote; a node with the latest log wins', () => {
    const sim = cluster(3);
    sim.campaign(1);
    sim.isolate(3);
    sim.propose(1, 'x');
    sim.stabilize();
    sim.crash(1);
    sim.heal();
    // 2 still heard from 1 recently, and 3 lacks 'x' anyway: 3 cannot win even a pre-vote; 2 can.
    sim.campaign(3);
    expect(sim.core(3).status().role).not.toBe('leader');
    sim.campaign(2);
    expect(sim.core(2).status().role).toBe('leader');
  });
});

describe('check-quorum and the leader lease', () => {
  it('a leader that hears from no quorum within an election timeout steps down', () => {
    const sim = cluster(4);
    sim.campaign(1);
    sim.isolate(1);
    for (let k = 0; k < 25; k++) {
      sim.tick(1);
      sim.stabilize();
    }
    expect(sim.core(1).status()).toMatchObject({ role: 'follower', leaderId: 0 });
  });

  it('a follower that heard from its leader recently ignores a vote request of a higher term', () => {
    const sim = cluster(5);
    sim.campaign(1);
    sim.core(3).step({ kind: 'VoteRequest', from: 2, to: 3, term: 5, lastLogIndex: 10, lastLogTerm: 4, transfer: false });
    expect(sim.core(3).status()).toMatchObject({ term: 1, leaderId: 1, vote: 1 });
    expect(sim.core(3).hasReady()).toBe(false);
    // The leader asked for it (transfer): the lease gives way.
    sim.core(3).step({ kind: 'VoteRequest', from: 2, to: 3, term: 5, lastLogIndex: 10, lastLogTerm: 4, transfer: true });
    expect(sim.core(3).status()).toMatchObject({ term: 5, vote: 2 });
  });

  it('a stale leader learns the higher term from a follower it sends to', () => {
    const sim = cluster(6);
    sim.campaign(1);
    // Node 3 somehow moved to a higher term (say, a vote request it took while the lease had lapsed).
    sim.core(3).step({ kind: 'VoteRequest', from: 2, to: 3, term: 9, lastLogIndex: 0, lastLogTerm: 0, transfer: true });
    sim.tickAll();
    sim.stabilize();
    expect(sim.core(1).status()).toMatchObject({ role: 'follower', term: 9 });
  });
});

describe('leader transfer', () => {
  it('catches the target up, sends TimeoutNow, and refuses proposals meanwhile', () => {
    const sim = cluster(7);
    sim.campaign(1);
    sim.isolate(3);
    sim.propose(1, 'a');
    sim.stabilize();
    sim.heal();
    expect(sim.core(1).transferLeadership(3)).toBeUndefined();
    expect(sim.propose(1, 'refused')).toMatchObject({ ok: false, reason: 'transferring' });
    sim.stabilize();
    expect(sim.core(3).status()).toMatchObject({ role: 'leader', term: 2 });
    expect(sim.core(1).status()).toMatchObject({ role: 'follower', leaderId: 3 });
  });

  it('gives up after an election timeout if the target never answers', () => {
    const sim = cluster(8);
    sim.campaign(1);
    sim.isolate(3);
    sim.core(1).transferLeadership(3);
    sim.stabilize();
    for (let k = 0; k < 10; k++) {
      sim.tick(1);
      sim.stabilize();
    }
    expect(sim.core(1).status()).toMatchObject({ role: 'leader', transferTarget: 0 });
    expect(sim.propose(1, 'accepted again').ok).toBe(true);
  });
});

describe('ReadIndex on the core', () => {
  it('a new leader answers reads only once an entry of its term has committed', () => {
    const sim = cluster(9);
    sim.campaign(1);
    sim.propose(1, 'x');
    sim.stabilize();
    // Node 2 takes over; before its Empty entry commits it does not know the commit index.
    sim.core(1).transferLeadership(2);
    sim.runUntil(() => sim.core(2).status().role === 'leader');
    expect(sim.core(2).status().commitIndex).toBeLessThan(sim.core(2).status().lastIndex);
    expect(sim.core(2).readIndex(1)).toEqual({ ok: true });
    sim.processReady(2);
    expect(sim.readStates).toEqual([]);
    sim.stabilize();
    const commitIndex = sim.core(2).status().commitIndex;
    // Index 3 is node 2's Empty entry: registering at once would have answered 2.
    expect(commitIndex).toBe(3);
    expect(sim.readStates).toEqual([{ node: 2, state: { requestId: 1, ok: true, index: 3 } }]);
  });

  it('a one-voter group answers at once; a node that knows no leader refuses', () => {
    const solo = new SimCluster({ voters: [1], seed: 1, preVote: true, checkQuorum: true });
    solo.tick(1);
    solo.stabilize();
    solo.core(1).readIndex(7);
    solo.stabilize();
    expect(solo.readStates).toEqual([{ node: 1, state: { requestId: 7, ok: true, index: 1 } }]);
    const sim = cluster(10);
    expect(sim.core(2).readIndex(1)).toEqual({ ok: false, reason: 'noLeader' });
  });
});
