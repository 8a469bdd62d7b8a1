import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Checkpointer, type CheckpointableView, type CompactableLog } from './checkpointer.js';

function fakeView(indexes: number[]): CheckpointableView & { calls: number } {
  let checkpointed = 0;
  const view = {
    name: 'rowstore',
    calls: 0,
    checkpoint: () => {
      view.calls++;
      checkpointed = indexes.shift() ?? checkpointed;
      return Promise.resolve({ appliedIndex: checkpointed });
    },
    checkpointIndex: () => checkpointed,
  };
  return view;
}

function fakeLog(sizeBytes: number): CompactableLog & { compactedTo: number[] } {
  const log = {
    compactedTo: [] as number[],
    sizeBytes: () => sizeBytes,
    compact: (index: number) => { log.compactedTo.push(index); return Promise.resolve(); },
  };
  return log;
}

const logger = pino({ level: 'silent' });

/** A view whose checkpoints fail with "disk full" while `fail` is set; counts those that succeed. */
function diskFullView(appliedIndex: number): CheckpointableView & { fail: boolean; succeeded: number } {
  const view = {
    name: 'rowstore',
    fail: true,
    succeeded: 0,
    checkpoint: () => {
      if (view.fail) return Promise.reject(new Error('disk full'));
      view.succeeded++;
      return Promise.resolve({ appliedIndex });
    },
    checkpointIndex: () => appliedIndex,
  };
  return view;
}

describe('Checkpointer', () => {
  it('checkpoints the views side by side, and reports a failure only once every view has settled', async () => {
    let releaseSlow = (): void => undefined;
    const events: string[] = [];
    const slow: CheckpointableView = {
      name: 'rowstore',
      checkpoint: () => {
        events.push('slow started');
        return new Promise((resolve) => { releaseSlow = () => { events.push('slow done'); resolve({ appliedIndex: 5 }); }; });
      },
      checkpointIndex: () => 5,
    };
    const failing: CheckpointableView = {
      name: 'columnstore',
      checkpoint: () => { events.push('failing started'); return Promise.reject(new Error('disk full')); },
      checkpointIndex: () => 0,
    };
    const checkpointer = new Checkpointer({ views: [slow, failing], log: fakeLog(0), intervalMs: 3_600_000, maxWalSizeBytes: 1 << 30, logger });
    const run = checkpointer.checkpointNow().then(() => 'resolved', (error: unknown) => `rejected: ${(error as Error).message}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Both started before the slow one finished, and the failure waits for it.
    expect(events).toEqual(['slow started', 'failing started']);
    releaseSlow();
    expect(await run).toBe('rejected: disk full');
    expect(events).toEqual(['slow started', 'failing started', 'slow done']);
  });

  it('checkpoints before the interval when a view says one is due, and not again while it runs', async () => {
    let due = true;
    let release = (): void => undefined;
    let started = (): void => undefined;
    const firstStarted = new Promise<void>((resolve) => { started = resolve; });
    let calls = 0;
    const view: CheckpointableView = {
      name: 'rowstore',
      checkpoint: () => {
        calls++;
        if (calls > 1) return Promise.resolve({ appliedIndex: 7 });
        started();
        return new Promise((resolve) => { release = () => { due = false; resolve({ appliedIndex: 7 }); }; });
      },
      checkpointIndex: () => 0,
      checkpointDue: () => due,
    };
    // The interval is far away: only the due check can start this checkpoint.
    const checkpointer = new Checkpointer({ views: [view], log: fakeLog(0), intervalMs: 3_600_000, maxWalSizeBytes: 1 << 30, logger, dueCheckMs: 5 });
    checkpointer.start();
    await firstStarted;
    // Still due while it runs: several due checks pass, none queues another.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(calls).toBe(1);
    release();
    await checkpointer.stop();
    // The final checkpoint of stop() only.
    expect(calls).toBe(2);
  });

  it('after a failed checkpoint, leaves retries to the interval even while a view says one is due', async () => {
    let calls = 0;
    let failed = (): void => undefined;
    const firstFailed = new Promise<void>((resolve) => { failed = resolve; });
    const view: CheckpointableView = {
      name: 'rowstore',
      checkpoint: () => {
        calls++;
        failed();
        return Promise.reject(new Error('disk full'));
      },
      checkpointIndex: () => 0,
      checkpointDue: () => true,
    };
    const checkpointer = new Checkpointer({ views: [view], log: fakeLog(0), intervalMs: 3_600_000, maxWalSizeBytes: 1 << 30, logger, dueCheckMs: 5 });
    checkpointer.start();
    await firstFailed;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(calls).toBe(1);
    await checkpointer.stop();
    expect(calls).toBe(2);
  });

  it('checkpoints but keeps the WAL while it is under max_wal_size (a view can still be rebuilt)', async () => {
    const view = fakeView([10]);
    const log = fakeLog(1000);
    await new Checkpointer({ views: [view], log, intervalMs: 1000, maxWalSizeBytes: 2000, logger }).runOnce();
    expect(view.calls).toBe(1);
    expect(log.compactedTo).toEqual([]);
  });

  it('compacts only below the lowest view checkpoint once the WAL is over max_wal_size', async () => {
    const a = fakeView([50]);
    const b = { ...fakeView([20]), name: 'other' };
    const log = fakeLog(5000);
    await new Checkpointer({ views: [a, b], log, intervalMs: 1000, maxWalSizeBytes: 2000, logger }).runOnce();
    expect(log.compactedTo).toEqual([20]);
  });

  it('on a leader, keeps what live followers still need when that brings the WAL under max_wal_size', async () => {
    const view = fakeView([100]);
    const log = { ...fakeLog(0), liveFollowersMatchIndex: () => 60 };
    let sizeBytes = 5000;
    log.sizeBytes = () => sizeBytes;
    log.compact = (index: number) => { log.compactedTo.push(index); sizeBytes = 1000; return Promise.resolve(); };
    await new Checkpointer({ views: [view], log, intervalMs: 1000, maxWalSizeBytes: 2000, logger }).runOnce();
    expect(log.compactedTo).toEqual([60]);
  });

  it('goes past a lagging follower when the WAL stays over max_wal_size (it will get a snapshot)', async () => {
    const view = fakeView([100]);
    const log = { ...fakeLog(5000), liveFollowersMatchIndex: () => 60 };
    await new Checkpointer({ views: [view], log, intervalMs: 1000, maxWalSizeBytes: 2000, logger }).runOnce();
    expect(log.compactedTo).toEqual([60, 100]);
  });

  it('survives a failed checkpoint and runs a final one on stop', async () => {
    const view = diskFullView(3);
    const log = fakeLog(0);
    const checkpointer = new Checkpointer({ views: [view], log, intervalMs: 60_000, maxWalSizeBytes: 1, logger });
    await expect(checkpointer.runOnce()).resolves.toBeUndefined();
    expect(view.succeeded).toBe(0);
    view.fail = false;
    checkpointer.start();
    await checkpointer.stop();
    expect(view.succeeded).toBe(1);
  });

  it('checkpointNow (the CHECKPOINT statement) reports a failure to its caller, and the next one succeeds', async () => {
    const view = diskFullView(5);
    const checkpointer = new Checkpointer({ views: [view], log: fakeLog(0), intervalMs: 60_000, maxWalSizeBytes: 1 << 30, logger });
    await expect(checkpointer.checkpointNow()).rejects.toThrow('disk full');
    view.fail = false;
    await checkpointer.checkpointNow();
    expect(view.succeeded).toBe(1);
  });

  it('checkpointNow waits for a running checkpoint and then runs its own', async () => {
    const view = fakeView([10, 20]);
    const checkpointer = new Checkpointer({ views: [view], log: fakeLog(0), intervalMs: 60_000, maxWalSizeBytes: 1 << 30, logger });
    const background = checkpointer.runOnce();
    await checkpointer.checkpointNow();
    await background;
    expect(view.calls).toBe(2);
    expect(view.checkpointIndex()).toBe(20);
  });
});
