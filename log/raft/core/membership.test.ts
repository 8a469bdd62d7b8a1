import { describe, expect, it } from 'vitest';
import { EntryKind } from '../../types.js';
import { SimCluster } from '../testing/sim-cluster.js';
import { InvariantError } from './assert.js';
import { applyConfigChange, decodeConfigChange, encodeConfigChange } from './membership.js';

describe('config change entries', () => {
  it('round-trip, carrying the whole configuration after the change', () => {
    const after = { voters: [1, 2, 3], learners: [4] };
    const data = encodeConfigChange({ op: 'addLearner', nodeId: 4 }, after);
    expect(data[0]).toBe(1);
    expect(decodeConfigChange(data)).toEqual({ change: { op: 'addLearner', nodeId: 4 }, after });
  });

  it('refuse other versions, unknown ops and bad lengths loudly', () => {
    const data = encodeConfigChange({ op: 'remove', nodeId: 2 }, { voters: [1, 3], learners: [] });
    expect(() => decodeConfigChange(Uint8Array.of(2, ...data.subarray(1)))).toThrow(InvariantError);
    expect(() => decodeConfigChange(Uint8Array.of(1, 9, ...data.subarray(2)))).toThrow(InvariantError);
    expect(() => decodeConfigChange(data.subarray(0, data.length - 1))).toThrow(InvariantError);
    expect(() => decodeConfigChange(Uint8Array.of(...data, 0))).toThrow(InvariantError);
  });

  it('apply one server at a time', () => {
    const m = { voters: [1, 2, 3], learners: [] };
    expect(applyConfigChange(m, { op: 'promote', nodeId: 4 })).toMatch(/not a learner/);
    expect(applyConfigChange(m, { op: 'addLearner', nodeId: 3 })).toMatch(/already a member/);
    expect(applyConfigChange({ voters: [1], learners: [] }, { op: 'remove', nodeId: 1 })).toMatch(/last voter/);
    expect(applyConfigChange(m, { op: 'remove', nodeId: 2 })).toEqual({ voters: [1, 3], learners: [] });
  });
});

describe('membership changes', () => {
  function elected(): SimCluster {
    const sim = new SimCluster({ voters: [1, 2, 3], seed: 11 });
    sim.campaign(1);
    return sim;
  }

  it('a learner receives the log but neither votes nor counts toward commit; promoted, it does', () => {
    const sim = elected();
    const added = sim.core(1).proposeConfigChange({ op: 'addLearner', nodeId: 4 });
    expect(added).toMatchObject({ ok: true, index: 2 });
    // In force on the leader as soon as appended.
    expect(sim.core(1).status()).toMatchObject({ voters: [1, 2, 3], learners: [4], configIndex: 2 });
    // One change at a time: the next waits for this one to commit.
    expect(sim.core(1).proposeConfigChange({ op: 'promote', nodeId: 4 })).toMatchObject({ ok: false, reason: 'rejected' });
    sim.addNode(4, [1, 2, 3], [4]);
    sim.stabilize();
    expect(sim.node(4).storage.lastIndex()).toBe(2);
    // With 2 and 3 down, the learner's acknowledgement does not commit anything.
    sim.crash(2);
    sim.crash(3);
    const index = sim.propose(1, 'needs a voter');
    sim.stabilize();
    expect(index.ok && sim.node(4).storage.lastIndex() === index.index).toBe(true);
    expect(sim.core(1).status().commitIndex).toBe(2);
    sim.restart(2);
    sim.restart(3);
    sim.tickAll();
    sim.stabilize();
    expect(sim.core(1).status().commitIndex).toBe(3);
    expect(sim.core(1).proposeConfigChange({ op: 'promote', nodeId: 4 })).toMatchObject({ ok: true, index: 4 });
    sim.stabilize();
    expect(sim.core(4).status()).toMatchObject({ voters: [1, 2, 3, 4], learners: [] });
    // Now four voters: 1 and 4 alone are not a majority.
    sim.crash(2);
    sim.crash(3);
    sim.propose(1, 'needs three of four');
    sim.stabilize();
    expect(sim.core(1).status().commitIndex).toBe(4);
  });

  it('a removed leader keeps leading until the change commits, then steps down', () => {
    const sim = elected();
    sim.propose(1, 'x');
    sim.stabilize();
    const removal = sim.core(1).proposeConfigChange({ op: 'remove', nodeId: 1 });
    expect(removal.ok).toBe(true);
    expect(sim.core(1).status()).toMatchObject({ role: 'leader', voters: [2, 3] });
    sim.stabilize();
    expect(sim.core(1).status()).toMatchObject({ role: 'follower', leaderId: 0 });
    expect(sim.core(2).status().voters).toEqual([2, 3]);
    // The rest elect a leader among themselves; node 1 never campaigns again.
    for (let k = 0; k < 40 && sim.leader() === undefined; k++) {
      sim.tickAll();
      sim.stabilize();
    }
    expect([2, 3]).toContain(sim.leader());
    const entry = sim.node(2).storage.entries[removal.ok ? removal.index - 1 : 0];
    expect(entry?.kind).toBe(EntryKind.ConfigChange);
  });

  it('a configuration is undone when its uncommitted entry is truncated', () => {
    const sim = elected();
    sim.isolate(1);
    expect(sim.core(1).proposeConfigChange({ op: 'addLearner', nodeId: 9 }).ok).toBe(true);
    sim.stabilize();
    expect(sim.core(1).status().learners).toEqual([9]);
    sim.campaign(2);
    sim.propose(2, 'overwrites');
    sim.stabilize();
    sim.heal();
    sim.tickAll();
    sim.stabilize();
    expect(sim.core(1).status()).toMatchObject({ role: 'follower', learners: [], configIndex: 0 });
  });
});
