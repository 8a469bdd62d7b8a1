import { describe, expect, it } from 'vitest';
import { EntryKind, type HardState, type LogEntry } from '../../types.js';
import { SimCluster, SimStorage } from '../testing/sim-cluster.js';
import { InvariantError } from './assert.js';
import { RaftConfigError } from './config.js';
import type { Message } from './messages.js';
import { RaftNode } from './raft-node.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const decode = (e: LogEntry): string => new TextDecoder().decode(e.data);

function singleVoter(storage = new SimStorage(), appliedIndex = 0): RaftNode {
  return new RaftNode({
    id: 1, voters: [1], electionTimeoutTicks: 10, heartbeatTicks: 1, random: () => 0.5,
    storage, appliedIndex, recoveredTail: storage.entries.slice(appliedIndex),
  });
}

describe('single voter', () => {
  it('becomes leader on its first tick and appends an Empty entry', () => {
    const node = singleVoter();
    expect(node.hasReady()).toBe(false);
    node.tick();
    expect(node.status()).toMatchObject({ role: 'leader', term: 1, leaderId: 1, lastIndex: 1, commitIndex: 0 });
    const rd = node.ready();
    expect(rd.softState).toEqual({ leaderId: 1, role: 'leader' });
    expect(rd.hardState).toEqual({ term: 1, vote: 1, commit: 0 });
    expect(rd.entries).toEqual([{ index: 1, term: 1, kind: EntryKind.Empty, data: new Uint8Array(0) }]);
    expect(rd.messages).toEqual([]);
    expect(rd.committedEntries).toEqual([]);
  });

  it('commits an entry only after its own persistence is acknowledged by advance()', () => {
    const node = singleVoter();
    node.tick();
    node.advance(node.ready());
    // The Empty entry is durable now: committed, handed out to apply.
    const rd1 = node.ready();
    expect(rd1.committedEntries.map((e) => e.kind)).toEqual([EntryKind.Empty]);
    expect(node.propose(text('a'))).toEqual({ ok: true, index: 2, term: 1 });
    node.advance(rd1);
    const rd2 = node.ready();
    expect(rd2.entries.map(decode)).toEqual(['a']);
    expect(node.status().commitIndex).toBe(1);
    // Not durable yet: nothing to apply, and ticking does not change that.
    node.tick();
    expect(node.status().commitIndex).toBe(1);
    node.advance(rd2);
    expect(node.status().commitIndex).toBe(2);
    const rd3 = node.ready();
    expect(rd3.committedEntries.map(decode)).toEqual(['a']);
    expect(rd3.hardState).toEqual({ term: 1, vote: 1, commit: 2 });
    node.advance(rd3);
    expect(node.hasReady()).toBe(false);
  });

  it('batches every proposal made between two Readys into one', () => {
    const node = singleVoter();
    node.tick();
    const rd = node.ready();
    for (let k = 0; k < 100; k++) node.propose(text(`p${k}`));
    node.advance(rd);
    const next = node.ready();
    expect(next.entries).toHaveLength(100);
    expect(next.entries[0]?.index).toBe(2);
  });

  it('refuses ready() before advance() and advance() of another Ready', () => {
    const node = singleVoter();
    node.tick();
    const rd = node.ready();
    expect(node.hasReady()).toBe(false);
    expect(() => node.ready()).toThrow(InvariantError);
    expect(() => node.advance({ ...rd })).toThrow(InvariantError);
  });

  it('commits a recovered, uncommitted tail through the Empty entry of its new term', () => {
    const storage = new SimStorage();
    storage.persist([1, 2, 3].map((index) => ({ index, term: 1, kind: EntryKind.Normal, data: text(`e${index}`) })), { term: 1, vote: 1, commit: 1 });
    const node = singleVoter(storage, 1);
    node.tick();
    expect(node.status()).toMatchObject({ role: 'leader', term: 2, lastIndex: 4, commitIndex: 1 });
    node.advance(node.ready());
    const rd = node.ready();
    expect(rd.committedEntries.map((e) => e.index)).toEqual([2, 3, 4]);
  });

  it('adopts the log term when entries outran the stored hard state in a crash', () => {
    const storage = new SimStorage();
    storage.persist([{ index: 1, term: 3, kind: EntryKind.Empty, data: new Uint8Array(0) }], { term: 2, vote: 1, commit: 0 });
    const node = singleVoter(storage);
    expect(node.status()).toMatchObject({ term: 3, vote: 0 });
    node.tick();
    expect(node.status()).toMatchObject({ role: 'leader', term: 4 });
  });

  it('treats an applied index above the stored commit index as committed', () => {
    const storage = new SimStorage();
    storage.persist([1, 2].map((index) => ({ index, term: 1, kind: EntryKind.Normal, data: text('x') })), { term: 1, vote: 1, commit: 0 });
    expect(singleVoter(storage, 2).status()).toMatchObject({ commitIndex: 2, appliedIndex: 2 });
  });

  it('rejects impossible configurations', () => {
    const base = { id: 1, voters: [1], electionTimeoutTicks: 10, heartbeatTicks: 1, random: () => 0, storage: new SimStorage(), appliedIndex: 0, recoveredTail: [] };
    expect(() => new RaftNode({ ...base, voters: [] })).toThrow(RaftConfigError);
    expect(() => new RaftNode({ ...base, learners: [1] })).toThrow(RaftConfigError);
    expect(() => new RaftNode({ ...base, voters: [1, 1] })).toThrow(RaftConfigError);
    expect(() => new RaftNode({ ...base, heartbeatTicks: 10 })).toThrow(RaftConfigError);
    expect(() => new RaftNode({ ...base, limits: { messageEntriesMax: 0 } })).toThrow(RaftConfigError);
    const corrupt = new SimStorage();
    corrupt.state = { term: 1, vote: 1, commit: 5 } satisfies HardState;
    expect(() => new RaftNode({ ...base, storage: corrupt })).toThrow(InvariantError);
  });
});

describe('three voters', () => {
  it('elects exactly one leader, which replicates and commits', () => {
    const sim = new SimCluster({ voters: [1, 2, 3], seed: 1 });
    sim.campaign(1);
    expect(sim.leaders()).toEqual([1]);
    for (const id of [2, 3]) expect(sim.core(id).status()).toMatchObject({ role: 'follower', leaderId: 1, term: 1 });
    expect(sim.propose(2, 'x')).toEqual({ ok: false, reason: 'notLeader', leaderId: 1 });
    expect(sim.propose(1, 'a')).toMatchObject({ ok: true, index: 2 });
    sim.stabilize();
    expect(sim.core(1).status().commitIndex).toBe(2);
    // Followers learn the commit index with the next append or heartbeat.
    sim.tickAll();
    sim.stabilize();
    for (const id of [1, 2, 3]) expect(sim.node(id).applied.map((e) => e.index)).toEqual([1, 2]);
  });

  it('a randomized timeout elects one leader when every node ticks', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const sim = new SimCluster({ voters: [1, 2, 3], seed });
      for (let round = 0; round < 100 && sim.leaders().length === 0; round++) {
        sim.tickAll();
        sim.stabilize();
      }
      expect(sim.leaders(), `seed ${seed}`).toHaveLength(1);
    }
  });

  it('overwrites a follower’s divergent uncommitted tail', () => {
    const sim = new SimCluster({ voters: [1, 2, 3], seed: 2 });
    sim.campaign(1);
    sim.propose(1, 'committed');
    sim.stabilize();
    sim.isolate(1);
    for (let k = 0; k < 5; k++) sim.propose(1, `lost-${k}`);
    sim.stabilize();
    expect(sim.node(1).storage.lastIndex()).toBe(7);
    sim.campaign(2);
    expect(sim.core(2).status()).toMatchObject({ role: 'leader', term: 2 });
    sim.propose(2, 'new');
    sim.stabilize();
    sim.heal();
    sim.tickAll();
    sim.stabilize();
    sim.tickAll();
    sim.stabilize();
    expect(sim.core(1).status()).toMatchObject({ role: 'follower', leaderId: 2, term: 2 });
    const log = (id: number): string[] => sim.node(id).storage.entries.map((e) => `${e.term}:${decode(e)}`);
    expect(log(1)).toEqual(log(2));
    expect(log(1)).toEqual(['1:', '1:committed', '2:', '2:new']);
    expect(sim.node(1).applied.map(decode)).toEqual(['', 'committed', '', 'new']);
  });

  it('backtracks over a long conflicting tail in a few round trips', () => {
    const sim = new SimCluster({ voters: [1, 2, 3], seed: 3, limits: { messageEntriesMax: 8 } });
    sim.campaign(1);
    sim.isolate(1);
    for (let k = 0; k < 200; k++) sim.propose(1, `stale-${k}`);
    sim.stabilize();
    sim.campaign(2);
    for (let k = 0; k < 100; k++) sim.propose(2, `fresh-${k}`);
    sim.stabilize();
    // Node 3 leads term 3 and starts probing node 1 at its own last index (103),
    // a hundred entries past where node 1's log diverges (index 2).
    sim.campaign(3);
    sim.heal();
    let rejections = 0;
    sim.tickAll();
    for (let k = 0; k < 10_000 && (sim.network.length > 0 || [1, 2, 3].some((id) => sim.core(id).hasReady())); k++) {
      for (const id of [1, 2, 3]) sim.processReady(id);
      if (sim.network[0]?.kind === 'AppendRejected') rejections++;
      sim.deliver();
    }
    sim.tickAll();
    sim.stabilize();
    expect(sim.node(1).storage.entries.map((e) => e.term)).toEqual(sim.node(2).storage.entries.map((e) => e.term));
    // One index at a time would take ~200 rejections; the term hint skips the stale term at once.
    expect(rejections).toBeGreaterThanOrEqual(1);
    expect(rejections).toBeLessThanOrEqual(3);
  });

  it('keeps committed entries through a leader crash and re-election', () => {
    const sim = new SimCluster({ voters: [1, 2, 3], seed: 4 });
    sim.campaign(1);
    for (let k = 0; k < 3; k++) sim.propose(1, `c${k}`);
    sim.stabilize();
    const committed = sim.core(1).status().commitIndex;
    expect(committed).toBe(4);
    sim.crash(1);
    sim.campaign(3);
    expect(sim.core(3).status()).toMatchObject({ role: 'leader', term: 2 });
    // Leader completeness: the new leader holds everything committed before.
    expect(sim.node(3).storage.entries.slice(0, committed).map(decode)).toEqual(['', 'c0', 'c1', 'c2']);
    sim.propose(3, 'after');
    sim.stabilize();
    sim.restart(1);
    sim.tickAll();
    sim.stabilize();
    sim.tickAll();
    sim.stabilize();
    for (const id of [1, 2, 3]) {
      expect(sim.node(id).applied.map(decode), `node ${id}`).toEqual(['', 'c0', 'c1', 'c2', '', 'after']);
    }
  });

  it('a commit is not sent on its own to followers with appends in flight: their answers bring it', () => {
    // Every batch pipelined (by default 'b' would wait for the answer to 'a': flow-control.test.ts).
    const sim = new SimCluster({ voters: [1, 2, 3], seed: 10, limits: { pipelineEntriesMin: 1 } });
    sim.campaign(1);
    sim.stabilize();
    const deliverWhere = (pick: (m: Message) => boolean): void => {
      for (let k = sim.network.length - 1; k >= 0; k--) if (pick(sim.network[k] as Message)) sim.deliver(k);
    };
    const appendsTo = (to: number): { entries: number; commit: number }[] =>
      sim.network.flatMap((m) => (m.kind === 'AppendRequest' && m.to === to ? [{ entries: m.entries.length, commit: m.commitIndex }] : []));
    const before = sim.core(1).status().commitIndex;
    sim.propose(1, 'a');
    sim.processReady(1);
    sim.propose(1, 'b');
    sim.processReady(1);
    // Both followers have 'a' and 'b' in flight; node 2 persists 'a' and answers.
    deliverWhere((m) => m.kind === 'AppendRequest' && m.to === 2 && m.entries.some((e) => decode(e) === 'a'));
    sim.processReady(2);
    deliverWhere((m) => m.kind === 'AppendAccepted' && m.from === 2);
    expect(sim.core(1).status().commitIndex).toBe(before + 1);
    sim.processReady(1);
    // 'a' committed, and no empty append went out for it.
    expect(appendsTo(2)).toEqual([{ entries: 1, commit: before }]);
    expect(appendsTo(3)).toEqual([{ entries: 1, commit: before }, { entries: 1, commit: before }]);
    // Node 2 answers 'b': nothing else is in flight to it, so it hears the commit now.
    deliverWhere((m) => m.kind === 'AppendRequest' && m.to === 2);
    sim.processReady(2);
    deliverWhere((m) => m.kind === 'AppendAccepted' && m.from === 2);
    sim.processReady(1);
    const commit = sim.core(1).status().commitIndex;
    expect(commit).toBe(before + 2);
    expect(appendsTo(2)).toEqual([{ entries: 0, commit }]);
    sim.stabilize();
    for (const id of [2, 3]) expect(sim.core(id).status().commitIndex, `node ${id}`).toBe(commit);
  });

  it('a leader cut off from the majority cannot commit', () => {
    const sim = new SimCluster({ voters: [1, 2, 3, 4, 5], seed: 5 });
    sim.campaign(1);
    const commitBefore = sim.core(1).status().commitIndex;
    sim.isolate(1);
    sim.isolate(2);
    for (let k = 0; k < 3; k++) sim.propose(1, `minority-${k}`);
    for (let round = 0; round < 5; round++) {
      sim.tick(1);
      sim.stabilize();
    }
    expect(sim.core(1).status()).toMatchObject({ role: 'leader', commitIndex: commitBefore });
    expect(sim.node(1).applied).toHaveLength(commitBefore);
  });

  it('a follower persists before it acknowledges', () => {
    const sim = new SimCluster({ voters: [1, 2, 3], seed: 6 });
    sim.campaign(1);
    sim.propose(1, 'a');
    sim.processReady(1);
    // The append reaches node 2, which answers only through its next Ready.
    while (sim.network.length > 0) sim.deliver();
    expect(sim.network).toEqual([]);
    sim.takeReady(2);
    expect(sim.network).toEqual([]);
    sim.finishReady(2);
    expect(sim.node(2).storage.lastIndex()).toBe(2);
    expect(sim.network.map((m) => m.kind)).toEqual(['AppendAccepted']);
  });

  it('ignores misrouted messages, and votes from non-voters', () => {
    const sim = new SimCluster({ voters: [1, 2, 3], seed: 7 });
    const core = sim.core(1);
    core.step({ kind: 'Heartbeat', from: 2, to: 3, term: 5, commitIndex: 0, readRound: 0 });
    core.step({ kind: 'Heartbeat', from: 1, to: 1, term: 5, commitIndex: 0, readRound: 0 });
    expect(core.status()).toMatchObject({ term: 0, leaderId: 0 });
    expect(core.hasReady()).toBe(false);
    // Node 9 is in no configuration 1 knows: its vote does not count.
    for (let k = 0; k < 100 && core.status().role !== 'candidate'; k++) core.tick();
    const { term } = core.status();
    core.step({ kind: 'VoteResponse', from: 9, to: 1, term, granted: true });
    expect(core.status().role).toBe('candidate');
    core.step({ kind: 'VoteResponse', from: 2, to: 1, term, granted: true });
    expect(core.status().role).toBe('leader');
  });

  it('accepts a leader its configuration does not name yet (it is behind)', () => {
    const sim = new SimCluster({ voters: [1, 2, 3], seed: 7 });
    sim.core(1).step({ kind: 'Heartbeat', from: 9, to: 1, term: 5, commitIndex: 0, readRound: 0 });
    expect(sim.core(1).status()).toMatchObject({ term: 5, leaderId: 9 });
  });

  it('asserts at most one leader per term', () => {
    const sim = new SimCluster({ voters: [1, 2, 3], seed: 8 });
    sim.campaign(1);
    const term = sim.core(1).status().term;
    expect(() => sim.core(2).step({ kind: 'Heartbeat', from: 3, to: 2, term, commitIndex: 0, readRound: 0 })).toThrow(InvariantError);
  });
});

describe('Raft paper, figure 8', () => {
  it('a leader does not commit an entry of an earlier term by counting replicas', () => {
    const sim = new SimCluster({ voters: [1, 2, 3, 4, 5], seed: 9, limits: { messageEntriesMax: 1 } });
    sim.campaign(1);
    // (a) Leader 1 (term 1) replicates index 2 to node 2 only.
    sim.partition([1, 2], [3, 4, 5]);
    sim.propose(1, 'term-1 entry');
    sim.stabilize();
    // (b) Node 5 wins term 2 with 3 and 4, persists index 2 of term 2, and crashes before sending it.
    sim.crash(1);
    sim.heal();
    sim.partition([2], [3, 4, 5]);
    for (let k = 0; k < 100 && sim.core(5).status().term < 2; k++) sim.tick(5);
    sim.runUntil(() => sim.core(5).status().role === 'leader');
    sim.processReady(5);
    sim.dropMessagesFrom(5);
    sim.crash(5);
    expect(sim.node(5).storage.term(2)).toBe(2);
    // (c) Node 1 restarts and wins term 3 with 2 and 3; index 2 (term 1) reaches node 3: a majority holds it.
    sim.heal();
    sim.restart(1);
    sim.partition([1, 2, 3], [4]);
    for (let k = 0; k < 100 && sim.core(1).status().role !== 'leader'; k++) {
      sim.tick(1);
      sim.runUntil(() => sim.core(1).status().role === 'leader');
    }
    const ackOfIndex2 = (m: Message): boolean => m.kind === 'AppendAccepted' && m.from === 3 && m.matchIndex === 2;
    sim.runUntil(() => sim.network.some(ackOfIndex2));
    sim.deliver(sim.network.findIndex(ackOfIndex2));
    sim.processReady(1);
    expect(sim.node(2).storage.term(2)).toBe(1);
    expect(sim.node(3).storage.term(2)).toBe(1);
    // It must not count that majority: index 2 is not of its term.
    expect(sim.core(1).status().commitIndex).toBe(1);
    sim.dropMessagesFrom(1);
    sim.crash(1);
    // (d) Node 5 can still win term 4 and overwrite index 2, which was therefore never committed.
    sim.heal();
    sim.restart(5);
    for (let k = 0; k < 100 && sim.core(5).status().role !== 'leader'; k++) {
      sim.tick(5);
      sim.stabilize();
    }
    expect(sim.core(5).status()).toMatchObject({ role: 'leader', term: 4 });
    sim.tickAll();
    sim.stabilize();
    for (const id of [2, 3, 4, 5]) expect(sim.node(id).storage.term(2), `node ${id}`).toBe(2);
  });
});
