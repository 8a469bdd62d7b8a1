// Random schedules over 3-5 cores: ticks, reordered/dropped/duplicated
// messages, split Ready handling, partitions, crashes that lose unsynced
// writes and restarts. After every step: election safety, log matching,
// leader completeness and state-machine safety (SimCluster.checkSafety and
// the apply check). At the end the network heals and the cluster must commit
// again. fast-check prints the failing seed; rerun with { seed, path }.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimCluster } from '../testing/sim-cluster.js';

const stepsPerRun = 3000;
/** RAFT_SIM_RUNS=2000 for a soak; RAFT_SIM_SEED=n (and RAFT_SIM_VOTERS) replays one run. */
const simRuns = Number(process.env.RAFT_SIM_RUNS ?? 60);

/** Relative weights of the actions a step may take. */
const actionWeights = {
  deliver: 40, takeReady: 15, finishReady: 15, tick: 12, propose: 8,
  crash: 0.4, restart: 2, isolate: 0.6, heal: 1,
} as const;
type Action = keyof typeof actionWeights;
const actionWeightTotal = Object.values(actionWeights).reduce((a, b) => a + b, 0);

function pickAction(roll: number): Action {
  let rest = roll * actionWeightTotal;
  for (const [action, weight] of Object.entries(actionWeights) as [Action, number][]) {
    rest -= weight;
    if (rest < 0) return action;
  }
  return 'heal';
}

interface ChaosStats {
  committed: number;
  proposalsAccepted: number;
  crashes: number;
}

function runChaos(seed: number, voterCount: number): ChaosStats {
  const voters = Array.from({ length: voterCount }, (_, k) => k + 1);
  // Every combination of pre-vote and check-quorum, chosen by the seed.
  const sim = new SimCluster({
    voters, seed, electionTimeoutTicks: 8, heartbeatTicks: 2, limits: { messageEntriesMax: 4, inflightAppendsMax: 4 },
    preVote: seed % 2 === 0, checkQuorum: (seed >> 1) % 2 === 0,
  });
  const { prng } = sim;
  sim.dropRate = 0.1;
  sim.duplicateRate = 0.05;
  const pick = (): number => voters[prng.int(voters.length)] ?? 1;
  const stats: ChaosStats = { committed: 0, proposalsAccepted: 0, crashes: 0 };
  for (let step = 0; step < stepsPerRun; step++) {
    const action = pickAction(prng.next());
    switch (action) {
      case 'deliver':
        sim.deliver(prng.int(Math.max(1, sim.network.length)));
        break;
      case 'takeReady':
        sim.takeReady(pick());
        break;
      case 'finishReady':
        sim.finishReady(pick());
        break;
      case 'tick':
        sim.tick(pick());
        break;
      case 'propose': {
        const leader = sim.leader();
        if (leader !== undefined && sim.propose(leader, `p${step}`).ok) stats.proposalsAccepted++;
        break;
      }
      case 'crash':
        sim.crash(pick());
        stats.crashes++;
        break;
      case 'restart': {
        const down = voters.filter((id) => !sim.node(id).alive);
        const id = down[prng.int(down.length)];
        if (id !== undefined) sim.restart(id);
        break;
      }
      case 'isolate':
        sim.isolate(pick());
        break;
      case 'heal':
        sim.heal();
        break;
      default:
        throw new Error(`unknown action ${action satisfies never}`);
    }
    sim.checkSafety();
  }
  recover(sim, voters);
  stats.committed = sim.committedIndex();
  return stats;
}

/**
 * Heals everything and checks the cluster commits a new entry on every node.
 * A leader elected before the heal may lose its term (and its uncommitted
 * tail) to a node that was cut off, so each new leader term proposes again.
 */
function recover(sim: SimCluster, voters: readonly number[]): void {
  sim.heal();
  sim.dropRate = 0;
  sim.duplicateRate = 0;
  for (const id of voters) {
    if (!sim.node(id).alive) sim.restart(id);
  }
  const hasFinal = (id: number): boolean => sim.node(id).applied.some((e) => new TextDecoder().decode(e.data) === 'final');
  let proposedInTerm = 0;
  for (let round = 0; round < 300; round++) {
    sim.tickAll();
    sim.stabilize();
    if (voters.every(hasFinal)) return;
    const leader = sim.leader();
    if (leader === undefined || sim.leaders().length !== 1) continue;
    const { term } = sim.core(leader).status();
    if (term !== proposedInTerm && sim.propose(leader, 'final').ok) proposedInTerm = term;
  }
  for (const id of voters) console.log(id, JSON.stringify(sim.core(id).status()), sim.node(id).applied.length);
  expect.fail('no progress after healing');
}

describe('Raft safety under random schedules', () => {
  it('holds election safety, log matching, leader completeness and state-machine safety', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 3, max: 5 }), (seed, voterCount) => {
        runChaos(seed, voterCount);
      }),
      { numRuns: simRuns },
    );
  }, 30_000 + simRuns * 100);

  it.runIf(process.env.RAFT_SIM_SEED !== undefined)('replays one seed', () => {
    runChaos(Number(process.env.RAFT_SIM_SEED), Number(process.env.RAFT_SIM_VOTERS ?? 3));
  });

  it('exercises the interesting paths (the schedule is not vacuous)', () => {
    let committed = 0;
    let crashes = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const stats = runChaos(seed, 3 + (seed % 3));
      committed += stats.committed;
      crashes += stats.crashes;
    }
    expect(committed).toBeGreaterThan(200);
    expect(crashes).toBeGreaterThan(10);
  });
});
