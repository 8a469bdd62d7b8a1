// The driver over the real WAL on a simulated disk that loses what was not
// made durable (wal/testing/crashing-fs.ts): a node must restart after a
// power loss whatever sync_commit says, and with sync_commit on it keeps
// every entry whose proposal resolved.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyHardState, type LogEntry } from '../types.js';
import { captureLogger, pinoError, type LogLine } from '../wal/test-support.js';
import { CrashingFileSystem } from '../wal/testing/crashing-fs.js';
import { openWal, type Wal } from '../wal/index.js';
import { openReplicatedLog, type ReplicatedLog } from './replicated-log.js';
import { ManualScheduler } from './scheduler.js';
import { MemoryWal } from './testing/memory-wal.js';
import { createPrng } from './testing/prng.js';

const walDir = '/node/wal';
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const decode = (e: LogEntry): string => new TextDecoder().decode(e.data);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Node {
  readonly wal: Wal;
  readonly log: ReplicatedLog;
  readonly seen: LogEntry[];
  readonly lines: LogLine[];
  readonly scheduler: ManualScheduler;
}

function openWalOn(fs: CrashingFileSystem, syncCommit: boolean, syncIntervalMs: number, lines: LogLine[], preallocate = true): Promise<Wal> {
  return openWal({
    dir: walDir, segmentSizeBytes: 2048, bufferSizeBytes: 1 << 20, syncCommit, syncIntervalMs, compression: 'none', logger: captureLogger(lines).logger, fs, preallocate,
  });
}

/** Opens the WAL and the replicated log on `fs`, subscribes, and waits until it is ready. */
async function openNode(fs: CrashingFileSystem, syncCommit: boolean, syncIntervalMs = 10_000, preallocate = true): Promise<Node> {
  const lines: LogLine[] = [];
  const wal = await openWalOn(fs, syncCommit, syncIntervalMs, lines, preallocate);
  const { logger } = captureLogger(lines);
  const scheduler = new ManualScheduler();
  const log = await openReplicatedLog({
    nodeId: 1, peers: [1], wal, electionTimeoutTicks: 10, heartbeatTicks: 1, tickIntervalMs: 10, logger,
    scheduler, random: createPrng(1).next,
  });
  const seen: LogEntry[] = [];
  log.committed$.subscribe({ next: (entry) => seen.push(entry), error: () => {} });
  await log.waitReady();
  return { wal, log, seen, lines, scheduler };
}

describe('sync_commit off: the stored commit index never outruns the durable log', () => {
  it('restarts after a power loss that drops every unsynced entry the node committed', async () => {
    const fs = new CrashingFileSystem();
    // Without preallocation: its background fdatasync of a zero chunk would
    // also make the records written before it durable (whether it runs
    // before or after the first append's write is timing).
    const before = await openNode(fs, false, 10_000, false);
    for (let k = 0; k < 20; k += 1) await before.log.propose(text(`e${k}`));
    await sleep(20); // the background hard-state writes finish
    expect(before.seen).toHaveLength(21);
    // Nothing was fdatasynced (the timer is 10 s away): a power loss drops all 21 entries.
    const storedCommitIndex = before.wal.hardState().commit;

    const after = await openNode(fs.restart({ random: Math.random, torn: false }), false);
    expect(after.wal.lastIndex()).toBe(1); // only the new term's Empty entry
    expect(after.seen.map(decode)).toEqual(['']);
    // The loss is the one sync_commit = false documents; it needed no clamping at open.
    expect(after.lines.filter((line) => line.level >= pinoError)).toEqual([]);
    expect(storedCommitIndex).toBe(0);
    expect(before.wal.durableIndex()).toBe(0);
    await after.log.close();
  });

  it('stores commits once the timer fdatasynced the entries they cover', async () => {
    const fs = new CrashingFileSystem();
    const node = await openNode(fs, false, 1);
    for (let k = 0; k < 5; k += 1) await node.log.propose(text(`e${k}`));
    await sleep(20);
    expect(node.wal.durableIndex()).toBe(6);
    await node.log.propose(text('e5')); // a commit change after the sync carries it to the hard state
    node.scheduler.advance(100); // commit-only changes are written once per election timeout (10 ticks of 10 ms)
    await sleep(20);
    expect(node.wal.hardState().commit).toBeGreaterThanOrEqual(6);
    expect(node.wal.hardState().commit).toBeLessThanOrEqual(node.wal.durableIndex());
    const restarted = await openNode(fs.restart({ random: Math.random, torn: false }), false);
    expect(restarted.seen.slice(0, 6).map(decode)).toEqual(['', 'e0', 'e1', 'e2', 'e3', 'e4']);
    await restarted.log.close();
  });
});

describe('openReplicatedLog after a power loss with sync_commit off', () => {
  it('clamps a stored commit index beyond the last entry, logging the loss at error level', async () => {
    const wal = new MemoryWal();
    await wal.append([1, 2, 3].map((index) => ({ index, term: 1, kind: 1, data: text(`e${index}`) }) as LogEntry));
    // As written by a driver without the clamp: commit 9 stored, entries 4..9 lost with the WAL tail.
    await wal.saveHardState({ ...emptyHardState, term: 1, vote: 1, commit: 9 });
    const { logger, lines } = captureLogger();
    const log = await openReplicatedLog({
      nodeId: 1, peers: [1], wal, electionTimeoutTicks: 10, heartbeatTicks: 1, tickIntervalMs: 10, logger,
      scheduler: new ManualScheduler(), random: createPrng(1).next,
    });
    const seen: LogEntry[] = [];
    log.committed$.subscribe({ next: (entry) => seen.push(entry) });
    await log.waitReady();
    expect(seen.map((e) => e.index)).toEqual([1, 2, 3, 4]);
    expect(seen.slice(0, 3).map(decode)).toEqual(['e1', 'e2', 'e3']);
    const errors = lines.filter((line) => line.level === pinoError);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ storedCommitIndex: 9, lastIndex: 3, lostEntries: 6 });
    expect(errors[0]?.msg).toMatch(/sync_commit/);
    await log.close();
  });

  it('clamps an appliedIndex beyond the last entry: the views are ahead and must be rebuilt', async () => {
    const wal = new MemoryWal();
    await wal.append([1, 2].map((index) => ({ index, term: 1, kind: 1, data: text(`e${index}`) }) as LogEntry));
    await wal.saveHardState({ ...emptyHardState, term: 1, vote: 1, commit: 2 });
    const { logger, lines } = captureLogger();
    const log = await openReplicatedLog({
      nodeId: 1, peers: [1], wal, electionTimeoutTicks: 10, heartbeatTicks: 1, tickIntervalMs: 10, logger,
      scheduler: new ManualScheduler(), random: createPrng(1).next, appliedIndex: 5,
    });
    const seen: LogEntry[] = [];
    log.committed$.subscribe({ next: (entry) => seen.push(entry) });
    await log.waitReady();
    expect(seen.map((e) => e.index)).toEqual([3]);
    const errors = lines.filter((line) => line.level === pinoError);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ appliedIndex: 5, lastIndex: 2 });
    expect(errors[0]?.msg).toMatch(/rebuil/);
    await log.close();
  });
});

/** A proposal stream on a disk that loses power at operation `crashAtOperation`, then a restart. */
async function crashAndRestart(syncCommit: boolean, crashAtOperation: number, torn: boolean, seed: number): Promise<void> {
  const prng = createPrng(seed);
  const fs = new CrashingFileSystem({ crashAtOperation, turnsPerOperation: () => prng.int(3) });
  const proposed: string[] = [];
  const acknowledged = new Map<number, string>();
  const before = await openNode(fs, syncCommit, 1).catch((error: unknown) => {
    if (!fs.isCrashed) throw error;
    return undefined; // the power went out while opening or electing
  });
  for (let wave = 0; before !== undefined && wave < 12 && !fs.isCrashed; wave += 1) {
    const proposals = Array.from({ length: 1 + prng.int(8) }, () => {
      const data = `p${proposed.length}`;
      proposed.push(data);
      return before.log.propose(text(data)).then((result) => void acknowledged.set(result.index, data));
    });
    const settledWave = Promise.allSettled(proposals);
    if (prng.chance(0.5)) await settledWave;
    if (prng.chance(0.3)) await sleep(1 + prng.int(2)); // the sync_commit = false timer
  }
  fs.crash();
  await before?.log.close().catch(() => undefined);
  const committedBefore = before?.seen ?? [];

  const rebooted = fs.restart({ random: prng.next, torn });
  const after = await openNode(rebooted, syncCommit, 1);
  // The stored commit never outran the durable log, so nothing needed clamping at open.
  expect(after.lines.filter((line) => line.level >= pinoError).map((line) => line.msg)).toEqual([]);
  const replayed = after.seen.slice(0, -1);
  expect(after.seen.map((entry) => entry.index)).toEqual(after.seen.map((_, k) => k + 1));
  // The recovered log is a prefix of the one before: committed entries kept their contents...
  for (const entry of replayed) {
    const earlier = committedBefore[entry.index - 1];
    if (earlier !== undefined) expect(decode(entry)).toBe(decode(earlier));
  }
  // ...and the proposals in it appear in proposal order, none invented.
  const proposalsKept = replayed.map(decode).filter((data) => data !== '');
  expect(proposalsKept).toEqual(proposed.slice(0, proposalsKept.length));
  if (syncCommit) {
    for (const [index, data] of acknowledged) {
      const entry = after.seen[index - 1];
      expect(entry === undefined ? 'missing' : decode(entry), `acknowledged index ${index}`).toBe(data);
    }
  }
  await after.log.close();
  // A second power loss right after a clean close loses nothing.
  const again = await openNode(rebooted.restart({ random: prng.next, torn: true }), syncCommit);
  expect(again.seen.slice(0, after.seen.length).map(decode)).toEqual(after.seen.map(decode));
  await again.log.close();
}

describe('the driver restarts after a power loss at any disk operation', () => {
  for (const syncCommit of [true, false]) {
    it(`sync_commit = ${syncCommit}${syncCommit ? ', keeping every acknowledged proposal' : ''}`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 300 }), fc.boolean(), fc.nat(), async (crashAtOperation, torn, seed) =>
          crashAndRestart(syncCommit, crashAtOperation, torn, seed),
        ),
        { numRuns: 80 },
      );
    });
  }
});
