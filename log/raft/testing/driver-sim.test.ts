// The driver-level simulator (driver-sim.ts): a few seeds by default;
// RAFT_DRIVER_SIM_SEEDS / RAFT_DRIVER_SIM_STEPS for longer runs.

import { describe, expect, it } from 'vitest';
import { runDriverSim } from './driver-sim.js';

const seeds = Number(process.env.RAFT_DRIVER_SIM_SEEDS ?? 4);
const steps = Number(process.env.RAFT_DRIVER_SIM_STEPS ?? 3000);

describe('driver simulator', () => {
  it(`real drivers keep acknowledged writes and serve linearizable reads over ${seeds} seeds`, async () => {
    let acked = 0;
    let reads = 0;
    for (let seed = 1; seed <= seeds; seed++) {
      const voterCount = [3, 5][seed % 2] ?? 3;
      const stats = await runDriverSim({ seed, voterCount, steps });
      acked += stats.proposalsAcked;
      reads += stats.readsCompleted;
    }
    expect(acked).toBeGreaterThan(seeds * 20);
    expect(reads).toBeGreaterThan(seeds * 10);
  }, 120_000);

  it('replays a seed exactly', async () => {
    const a = await runDriverSim({ seed: 7, voterCount: 3, steps: 1500 });
    const b = await runDriverSim({ seed: 7, voterCount: 3, steps: 1500 });
    expect(a).toEqual(b);
  });
});
