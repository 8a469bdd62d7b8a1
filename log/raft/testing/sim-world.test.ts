// A bounded run of the deterministic simulator (sim-world.ts): a few seconds
// by default. Longer: RAFT_SIM_WORLD_SEEDS=500 RAFT_SIM_WORLD_STEPS=20000, or
// `npm run sim -- --seeds 500`. A failure names the seed and how to replay it.

import { describe, expect, it } from 'vitest';
import { runSimWorld, type SimStats } from './sim-world.js';

const seeds = Number(process.env.RAFT_SIM_WORLD_SEEDS ?? 12);
const steps = Number(process.env.RAFT_SIM_WORLD_STEPS ?? 3000);

describe('deterministic simulator', () => {
  it(`keeps Raft's safety properties, acknowledged writes and linearizable reads over ${seeds} seeds`, () => {
    const totals = { acked: 0, reads: 0, crashes: 0, configChanges: 0, transfers: 0, leaderTerms: 0 };
    for (let seed = 1; seed <= seeds; seed++) {
      const voterCount = [3, 5, 7][seed % 3] ?? 3;
      let stats: SimStats;
      try {
        stats = runSimWorld({ seed, voterCount, steps });
      } catch (error) {
        throw new Error(`replay: npm run sim -- --seed ${seed} --nodes ${voterCount} --steps ${steps} --verbose\n${String(error)}`, { cause: error });
      }
      totals.acked += stats.proposalsAcked;
      totals.reads += stats.readsCompleted;
      totals.crashes += stats.crashes;
      totals.configChanges += stats.configChanges;
      totals.transfers += stats.transfers;
      totals.leaderTerms += stats.leaderTerms;
    }
    // Not vacuous: the schedule reaches the interesting paths.
    expect(totals.acked).toBeGreaterThan(seeds * 20);
    expect(totals.reads).toBeGreaterThan(seeds * 10);
    expect(totals.leaderTerms).toBeGreaterThan(seeds);
    if (seeds >= 10) {
      expect(totals.crashes).toBeGreaterThan(0);
      expect(totals.configChanges).toBeGreaterThan(0);
      expect(totals.transfers).toBeGreaterThan(0);
    }
  }, 120_000);

  it('replays a seed exactly', () => {
    const a = runSimWorld({ seed: 42, voterCount: 5, steps: 1500 });
    const b = runSimWorld({ seed: 42, voterCount: 5, steps: 1500 });
    expect(a).toEqual(b);
  });
});
