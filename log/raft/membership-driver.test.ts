// The driver's membership surface used by the server: opening with
// learners, progress() on the leader, and retire() stopping a node's clock.
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../types.js';
import type { ReplicatedLogOptions } from './options.js';
import { openReplicatedLog, type ReplicatedLog } from './replicated-log.js';
import { ManualScheduler } from './scheduler.js';
import { MemoryTransportHub } from './testing/memory-transport.js';
import { MemoryWal } from './testing/memory-wal.js';
import { createPrng } from './testing/prng.js';

const logger = pino({ level: 'silent' });
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const settled = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('membership through the driver', () => {
  it('a node opened as a learner catches up, shows in the leader\'s progress, and once retired never campaigns', async () => {
    const hub = new MemoryTransportHub();
    const scheduler = new ManualScheduler();
    const base = (id: number, extra: Partial<ReplicatedLogOptions>): ReplicatedLogOptions => ({
      nodeId: id, peers: [1], wal: new MemoryWal(), electionTimeoutTicks: 10, heartbeatTicks: 1, tickIntervalMs: 10, logger,
      scheduler, random: createPrng(id).next, transport: hub.transport(id), ...extra,
    });
    const runFor = async (ms: number, until: () => boolean = () => false): Promise<void> => {
      for (let elapsedMs = 0; elapsedMs < ms && !until(); elapsedMs += 10) {
        scheduler.advance(10);
        for (let k = 0; k < 10; k++) await settled();
      }
    };
    const leader = await openReplicatedLog(base(1, {}));
    let ready = false;
    void leader.waitReady().then(() => (ready = true));
    await runFor(500, () => ready);
    expect(leader.status().role).toBe('leader');
    const done = async <T>(promise: Promise<T>): Promise<T> => {
      let settledFlag = false;
      void promise.finally(() => (settledFlag = true)).catch(() => {});
      await runFor(2000, () => settledFlag);
      return promise;
    };
    await done(Promise.all(['a', 'b'].map((s) => leader.propose(text(s)))));
    const added = await done(leader.proposeConfigChange({ op: 'addLearner', nodeId: 2 }));
    expect(leader.status()).toMatchObject({ voters: [1], learners: [2], configIndex: added.index });

    // The server opens a joining node with the configuration the leader answered: it is a learner there.
    const learner: ReplicatedLog = await openReplicatedLog(base(2, { peers: [1], learners: [2], preVote: false }));
    const seen: LogEntry[] = [];
    learner.committed$.subscribe((e) => seen.push(e));
    await learner.start();
    expect(learner.status()).toMatchObject({ role: 'follower', voters: [1], learners: [2] });
    await runFor(2000, () => seen.length >= added.index && leader.progress()[0]?.matchIndex === leader.status().lastIndex);
    expect(seen.map((e) => e.index)).toEqual([1, 2, 3, 4]);
    expect(leader.progress()).toEqual([{ nodeId: 2, matchIndex: leader.status().lastIndex, state: 'replicate' }]);
    expect(learner.progress()).toEqual([]);

    await done(leader.proposeConfigChange({ op: 'promote', nodeId: 2 }));
    await runFor(200, () => learner.status().voters.includes(2));
    expect(learner.status()).toMatchObject({ voters: [1, 2], learners: [] });
    // Without pre-vote, a voter cut off from its leader raises its term at each election timeout; retired, it never does.
    learner.retire();
    const term = learner.status().term;
    hub.isolate(1);
    await runFor(2000);
    expect(learner.status()).toMatchObject({ term, role: 'follower' });
    await Promise.all([leader.close(), learner.close()]);
  });
});
