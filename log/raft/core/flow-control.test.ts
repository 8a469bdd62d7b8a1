// Flow control (progress.ts): a follower in the replicate state gets a
// pipeline of at most inflightAppendsMax AppendRequests, each bounded by
// messageEntriesMax and messageBytesMax; one in the probe state gets one at a time.

import { describe, expect, it } from 'vitest';
import type { AppendRequest, Message } from './messages.js';
import { SimCluster } from '../testing/sim-cluster.js';

const appendsTo = (messages: readonly Message[], to: number): AppendRequest[] =>
  messages.filter((m): m is AppendRequest => m.kind === 'AppendRequest' && m.to === to);

describe('flow control', () => {
  it('pipelines up to the inflight window, in batches bounded by entries and bytes', () => {
    // Full messages (2 entries, or 10 bytes) are pipelined whatever pipelineEntriesMin (64) says.
    const sim = new SimCluster({ voters: [1, 2, 3], seed: 1, limits: { messageEntriesMax: 2, inflightAppendsMax: 3, messageBytesMax: 10 } });
    sim.campaign(1);
    for (let k = 0; k < 20; k++) sim.propose(1, k === 0 ? 'a-long-payload' : `${k % 10}`);
    sim.processReady(1);
    const sent = appendsTo(sim.network, 2);
    expect(sent).toHaveLength(3);
    // The first entry alone exceeds messageBytesMax: it goes alone; then pairs.
    expect(sent.map((m) => m.entries.length)).toEqual([1, 2, 2]);
    // Each acknowledgement frees one slot.
    sim.network = sim.network.filter((m) => m.to === 2 || m.from === 2);
    sim.deliver(0);
    sim.processReady(2);
    const ack = sim.network.findIndex((m) => m.kind === 'AppendAccepted');
    sim.network = sim.network.filter((m, k) => k === ack || m.kind !== 'AppendRequest');
    sim.deliver(0);
    sim.processReady(1);
    expect(appendsTo(sim.network, 2)).toHaveLength(1);
  });

  it('sends one probe at a time to a follower whose log position is unknown', () => {
    const sim = new SimCluster({ voters: [1, 2, 3], seed: 2, limits: { messageEntriesMax: 1, inflightAppendsMax: 8, pipelineEntriesMin: 1 } });
    sim.isolate(3);
    sim.campaign(1);
    for (let k = 0; k < 5; k++) sim.propose(1, `p${k}`);
    sim.network = [];
    sim.processReady(1);
    // Node 3 never answered the probe sent at election: nothing more until it does (or a heartbeat answer).
    expect(appendsTo(sim.network, 3)).toHaveLength(0);
    expect(appendsTo(sim.network, 2).length).toBeGreaterThan(1);
  });

  it('holds a small batch while an append is in flight; the answer sends it with what came meanwhile', () => {
    const sim = new SimCluster({ voters: [1, 2, 3], seed: 3, limits: { pipelineEntriesMin: 4, pipelineBytesMin: 1000 } });
    sim.campaign(1);
    sim.stabilize();
    sim.network = [];
    sim.propose(1, 'a');
    sim.processReady(1);
    expect(appendsTo(sim.network, 2).map((m) => m.entries.length)).toEqual([1]);
    // Two more proposals while 'a' is in flight: held, in neither this Ready nor a message of their own.
    sim.propose(1, 'b');
    sim.processReady(1);
    sim.propose(1, 'c');
    sim.processReady(1);
    expect(appendsTo(sim.network, 2)).toHaveLength(1);
    // Node 2 answers 'a': b and c go to it in one append, carrying the new commit index.
    sim.network = sim.network.filter((m) => m.to === 2);
    sim.deliver(0);
    sim.processReady(2);
    sim.network = sim.network.filter((m) => m.kind === 'AppendAccepted' && m.from === 2);
    sim.deliver(0);
    sim.processReady(1);
    const next = appendsTo(sim.network, 2);
    expect(next.map((m) => m.entries.map((e) => new TextDecoder().decode(e.data)))).toEqual([['b', 'c']]);
    expect(next[0]?.commitIndex).toBe(sim.core(1).status().commitIndex);
  });

  it('hands the refill after an answer out between Readys (takeReplicationMessages), and only once', () => {
    const sim = new SimCluster({ voters: [1, 2, 3], seed: 5, limits: { pipelineEntriesMin: 4, pipelineBytesMin: 1000 } });
    sim.campaign(1);
    sim.stabilize();
    sim.network = [];
    sim.propose(1, 'a');
    sim.processReady(1);
    sim.propose(1, 'b');
    sim.processReady(1);
    sim.network = sim.network.filter((m) => m.to === 2);
    sim.deliver(0);
    sim.processReady(2);
    sim.network = sim.network.filter((m) => m.kind === 'AppendAccepted' && m.from === 2);
    // The leader steps the answer while (as the driver would be) writing a Ready: no processReady.
    sim.deliver(0);
    expect(sim.core(2).takeReplicationMessages()).toEqual([]);
    const taken = sim.core(1).takeReplicationMessages();
    expect(appendsTo(taken, 2).map((m) => m.entries.map((e) => new TextDecoder().decode(e.data)))).toEqual([['b']]);
    expect(taken.every((m) => m.kind === 'AppendRequest' || m.kind === 'Heartbeat' || m.kind === 'InstallSnapshot')).toBe(true);
    // The next Ready does not send it again.
    sim.network = [];
    sim.processReady(1);
    expect(appendsTo(sim.network, 2)).toEqual([]);
  });

  it('sends a commit to a streaming follower as a commit-only append, answered only when the log does not match', () => {
    const sim = new SimCluster({ voters: [1, 2, 3], seed: 6 });
    sim.campaign(1);
    sim.stabilize();
    sim.network = [];
    sim.propose(1, 'a');
    sim.processReady(1);
    sim.network = sim.network.filter((m) => m.to === 2);
    sim.deliver(0);
    sim.processReady(2);
    sim.deliver(0);
    sim.processReady(1);
    // Node 2's answer committed 'a'; node 2 has nothing else to receive: only the commit is news.
    const commitOnly = appendsTo(sim.network, 2);
    expect(commitOnly).toMatchObject([{ entries: [], commitOnly: true, commitIndex: sim.core(1).status().commitIndex }]);
    sim.network = sim.network.filter((m) => m.to === 2);
    sim.deliver(0);
    sim.processReady(2);
    expect(sim.core(2).status().commitIndex).toBe(sim.core(1).status().commitIndex);
    expect(sim.network.filter((m) => m.from === 2)).toEqual([]);
    // One whose previous entry the follower lacks is answered (a rejection), so the leader learns of it.
    const [sent] = commitOnly;
    if (sent === undefined) throw new Error('no commit-only append');
    sim.core(2).step({ ...sent, prevLogIndex: sent.prevLogIndex + 5 });
    sim.processReady(2);
    expect(sim.network.filter((m) => m.from === 2).map((m) => m.kind)).toEqual(['AppendRejected']);
  });

  it('pipelines a batch of pipelineEntriesMin entries at once', () => {
    const sim = new SimCluster({ voters: [1, 2, 3], seed: 4, limits: { pipelineEntriesMin: 3, pipelineBytesMin: 1000 } });
    sim.campaign(1);
    sim.stabilize();
    sim.network = [];
    sim.propose(1, 'a');
    sim.processReady(1);
    for (const data of ['b', 'c', 'd']) sim.propose(1, data);
    sim.processReady(1);
    expect(appendsTo(sim.network, 2).map((m) => m.entries.length)).toEqual([1, 3]);
  });
});
