import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { EntryKind, type LogEntry } from '../types.js';
import type { Message } from './core/messages.js';
import {
  LeaderTransferInProgressError, LogClosedError, LogFailedError, NotLeaderError, ReadIndexError, ProposalDroppedError, ProposalsPendingLimitError, ProposalTooLargeError,
} from './errors.js';
import type { ReplicatedLogOptions } from './options.js';
import { openReplicatedLog, type ReplicatedLog } from './replicated-log.js';
import { ManualScheduler } from './scheduler.js';
import { MemoryTransportHub } from './testing/memory-transport.js';
import { MemoryWal } from './testing/memory-wal.js';
import { createPrng } from './testing/prng.js';
import type { SnapshotMeta } from './snapshot.js';

const logger = pino({ level: 'silent' });
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const decode = (e: LogEntry): string => new TextDecoder().decode(e.data);

function options(wal: MemoryWal, extra: Partial<ReplicatedLogOptions> = {}): ReplicatedLogOptions {
  return {
    nodeId: 1, peers: [1], wal, electionTimeoutTicks: 10, heartbeatTicks: 1, tickIntervalMs: 10, logger,
    scheduler: new ManualScheduler(), random: createPrng(1).next, ...extra,
  };
}

/** Opens, subscribes a collector, then starts: the order the API asks for. */
async function openCollecting(wal: MemoryWal, extra: Partial<ReplicatedLogOptions> = {}): Promise<{ log: ReplicatedLog; seen: LogEntry[] }> {
  const log = await openReplicatedLog(options(wal, extra));
  const seen: LogEntry[] = [];
  log.committed$.subscribe({ next: (entry) => seen.push(entry), error: () => {} });
  await log.waitReady();
  return { log, seen };
}

function expectContiguous(entries: readonly LogEntry[], fromIndex: number): void {
  expect(entries.map((e) => e.index)).toEqual(Array.from({ length: entries.length }, (_, k) => fromIndex + k));
}

const settled = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('replicated log, single voter', () => {
  it('is ready once it leads and its Empty entry is emitted', async () => {
    const leaderChanges: unknown[] = [];
    const { log, seen } = await openCollecting(new MemoryWal(), { observer: { onLeaderChange: (...args) => leaderChanges.push(args) } });
    expect(log.status()).toMatchObject({ nodeId: 1, role: 'leader', term: 1, leaderId: 1, commitIndex: 1, appliedIndex: 1, lastIndex: 1, firstIndex: 1, voters: [1] });
    expect(seen.map((e) => e.kind)).toEqual([EntryKind.Empty]);
    expect(leaderChanges).toEqual([[1, 1, true]]);
    await log.close();
  });

  it('commits 1000 concurrent proposals with contiguous indexes in few batches', async () => {
    const wal = new MemoryWal();
    const batches: number[] = [];
    const commits: number[] = [];
    const { log, seen } = await openCollecting(wal, {
      observer: { onBatch: (entries) => batches.push(entries.length), onCommit: (index) => commits.push(index) },
    });
    const appendsBefore = wal.appendCount;
    const results = await Promise.all(Array.from({ length: 1000 }, (_, k) => log.propose(text(`p${k}`))));
    expect(results.map((r) => r.index)).toEqual(Array.from({ length: 1000 }, (_, k) => k + 2));
    expect(new Set(results.map((r) => r.term))).toEqual(new Set([1]));
    expect(wal.appendCount - appendsBefore).toBeLessThanOrEqual(2);
    expect(batches.at(-1)).toBe(1000);
    expect(commits).toHaveLength(1000);
    expectContiguous(seen, 1);
    expect(seen.slice(1).map(decode)).toEqual(results.map((_, k) => `p${k}`));
    await log.close();
  });

  it('resolves a proposal only after the WAL made it durable, and writes entries before the hard state', async () => {
    const wal = new MemoryWal();
    const { log, seen } = await openCollecting(wal);
    wal.holdWrites();
    let resolved = false;
    const proposal = log.propose(text('a')).then((r) => {
      resolved = true;
      return r;
    });
    await settled();
    expect(wal.pendingWriteCount()).toBe(1);
    expect(resolved).toBe(false);
    expect(seen).toHaveLength(1);
    wal.releaseWrites();
    expect(await proposal).toEqual({ index: 2, term: 1 });
    expect(seen.map(decode)).toEqual(['', 'a']);
    await log.close();
    // Commit-only hard states wait for a tick (none ran here) or close: entries always come first.
    expect(wal.trace).toEqual(['append 1..1', 'hardState 1/1/0', 'append 2..2', 'hardState 1/1/2']);
  });

  it('shares one persist among proposals that arrive while a persist is in flight', async () => {
    const wal = new MemoryWal();
    const { log } = await openCollecting(wal);
    wal.holdWrites();
    const first = log.propose(text('first'));
    await settled();
    const later = Array.from({ length: 50 }, (_, k) => log.propose(text(`later-${k}`)));
    await settled();
    expect(wal.pendingWriteCount()).toBe(1);
    wal.releaseWrites();
    await first;
    await settled();
    wal.releaseWrites();
    await Promise.all(later);
    expect(wal.trace.filter((t) => t.startsWith('append'))).toEqual(['append 1..1', 'append 2..2', 'append 3..52']);
    await log.close();
  });

  it('replays appliedIndex+1 .. commit on restart, in bounded reads, before new entries', async () => {
    const wal = new MemoryWal();
    const first = await openCollecting(wal);
    for (let k = 0; k < 10; k++) await first.log.propose(text(`e${k}`));
    await first.log.close();
    const durable = wal.crashCopy();
    expect(durable.hardState().commit).toBe(11);
    const reads: number[] = [];
    const read = durable.read.bind(durable);
    durable.read = (lo, hi) => {
      reads.push(hi - lo);
      return read(lo, hi);
    };
    const { log, seen } = await openCollecting(durable, { appliedIndex: 5, replayBatchEntriesMax: 4 });
    expect(seen.map((e) => e.index)).toEqual([6, 7, 8, 9, 10, 11, 12]);
    expect(seen.at(-1)).toMatchObject({ index: 12, term: 2, kind: EntryKind.Empty });
    expect(Math.max(...reads)).toBeLessThanOrEqual(4);
    expect(log.status()).toMatchObject({ term: 2, appliedIndex: 12, commitIndex: 12 });
    await log.close();
  });

  it('emits a recovered but uncommitted tail once the new term commits it', async () => {
    const wal = new MemoryWal();
    const first = await openCollecting(wal);
    await first.log.propose(text('committed'));
    await settled();
    // The next entries become durable, but the crash comes before the commit index is stored.
    wal.holdWrites('hardState');
    const proposals = [first.log.propose(text('tail-1')), first.log.propose(text('tail-2'))];
    await settled();
    const durable = wal.crashCopy();
    expect(durable.lastIndex()).toBe(4);
    expect(durable.hardState().commit).toBeLessThan(4);
    await Promise.all(proposals);
    wal.releaseWrites();
    await first.log.close();
    const { log, seen } = await openCollecting(durable, { appliedIndex: 2 });
    expect(seen.map(decode)).toEqual(['tail-1', 'tail-2', '']);
    expectContiguous(seen, 3);
    await log.close();
  });

  it('close() rejects pending proposals, waits for the in-flight write and closes the WAL', async () => {
    const wal = new MemoryWal();
    const { log } = await openCollecting(wal);
    let completed = false;
    log.committed$.subscribe({ complete: () => (completed = true) });
    wal.holdWrites();
    const pending = log.propose(text('never acknowledged'));
    await settled();
    const closing = log.close();
    await expect(pending).rejects.toBeInstanceOf(LogClosedError);
    await settled();
    expect(wal.isClosed()).toBe(false);
    wal.releaseWrites();
    await closing;
    expect(wal.isClosed()).toBe(true);
    expect(completed).toBe(true);
    await expect(log.propose(text('x'))).rejects.toBeInstanceOf(LogClosedError);
  });

  it('rejects proposals before start, beyond proposalsPendingMax and above entryDataBytesMax', async () => {
    const wal = new MemoryWal();
    const log = await openReplicatedLog(options(wal, { proposalsPendingMax: 3 }));
    await expect(log.propose(text('early'))).rejects.toEqual(new NotLeaderError(0));
    await log.waitReady();
    wal.holdWrites();
    const accepted = [1, 2, 3].map((k) => log.propose(text(`${k}`)));
    await expect(log.propose(text('4'))).rejects.toBeInstanceOf(ProposalsPendingLimitError);
    await expect(log.propose(new Uint8Array(17 * 1024 * 1024))).rejects.toBeInstanceOf(ProposalTooLargeError);
    wal.releaseWrites();
    await settled();
    wal.releaseWrites();
    await Promise.all(accepted);
    await log.close();
  });

  it('stops on a WAL failure: pending proposals, committed$ and onFatal all see LogFailedError', async () => {
    const wal = new MemoryWal();
    const fatal: Error[] = [];
    const { log } = await openCollecting(wal, { onFatal: (error) => fatal.push(error) });
    let streamError: unknown;
    log.committed$.subscribe({ error: (error: unknown) => (streamError = error) });
    wal.failNextAppend = new Error('EIO');
    await expect(log.propose(text('x'))).rejects.toBeInstanceOf(LogFailedError);
    expect(fatal).toHaveLength(1);
    expect(streamError).toBeInstanceOf(LogFailedError);
    await expect(log.propose(text('y'))).rejects.toBeInstanceOf(LogFailedError);
    await log.close();
  });

  it('validates options and compaction bounds', async () => {
    const wal = new MemoryWal();
    // An appliedIndex above the last index is clamped (power-loss.test.ts); below the first one, the views need compacted entries.
    await expect(openReplicatedLog(options(wal, { appliedIndex: -1 }))).rejects.toThrow(/compacted away/);
    await expect(openReplicatedLog(options(wal, { peers: [1, 2] }))).rejects.toThrow(/transport/);
    await expect(openReplicatedLog(options(wal, { tickIntervalMs: 0 }))).rejects.toThrow(/tickIntervalMs/);
    const { log } = await openCollecting(wal);
    await log.propose(text('a'));
    await expect(log.compact(3)).rejects.toBeInstanceOf(RangeError);
    await log.compact(1);
    expect(log.status().firstIndex).toBe(2);
    await log.close();
  });
});

describe('replicated log, three voters over an in-memory transport', () => {
  /** Every node's committed$ entries, by node id (shared with startCluster's `extra`). */
  const collected = new Map<number, LogEntry[]>();

  it('persists the vote before sending vote requests', async () => {
    const wal = new MemoryWal();
    const scheduler = new ManualScheduler();
    const sent: Message[] = [];
    // Without pre-vote, so the first election writes a vote at once (a pre-vote writes nothing).
    const log = await openReplicatedLog(options(wal, {
      peers: [1, 2, 3], scheduler, preVote: false, transport: { send: (messages) => sent.push(...messages), subscribe: () => () => {} },
    }));
    await log.start();
    wal.holdWrites();
    scheduler.advance(10 * 20);
    await settled();
    expect(log.status().role).toBe('candidate');
    expect(sent).toEqual([]);
    wal.releaseWrites();
    await settled();
    expect(sent.map((m) => m.kind)).toEqual(['VoteRequest', 'VoteRequest']);
    expect(wal.hardState()).toMatchObject({ term: 1, vote: 1 });
    await log.close();
  });

  interface Cluster {
    readonly hub: MemoryTransportHub;
    readonly logs: readonly ReplicatedLog[];
    readonly seen: ReadonlyMap<number, LogEntry[]>;
    /** Lets time pass in 10 ms ticks, letting messages and writes settle after each. */
    runFor(ms: number, until?: () => boolean): Promise<void>;
    leader(): ReplicatedLog | undefined;
  }

  async function startCluster(extra: (id: number, wal: MemoryWal, seen: LogEntry[]) => Partial<ReplicatedLogOptions> = () => ({})): Promise<Cluster> {
    const hub = new MemoryTransportHub();
    const scheduler = new ManualScheduler();
    const logs: ReplicatedLog[] = [];
    const seen = new Map<number, LogEntry[]>();
    for (const id of [1, 2, 3]) {
      const wal = new MemoryWal();
      const log = await openReplicatedLog(options(wal, {
        nodeId: id, peers: [1, 2, 3], transport: hub.transport(id), scheduler, random: createPrng(id).next,
        ...extra(id, wal, seen.get(id) ?? []),
      }));
      const entries: LogEntry[] = [];
      log.committed$.subscribe((entry) => entries.push(entry));
      seen.set(id, entries);
      collected.set(id, entries);
      logs.push(log);
      await log.start();
    }
    const runFor = async (ms: number, until: () => boolean = () => false): Promise<void> => {
      for (let elapsedMs = 0; elapsedMs < ms && !until(); elapsedMs += 10) {
        scheduler.advance(10);
        for (let k = 0; k < 10; k++) await settled();
      }
    };
    const leader = (): ReplicatedLog | undefined => {
      const leaders = logs.filter((log) => log.status().role === 'leader');
      return leaders.length === 1 ? leaders[0] : undefined;
    };
    let allReady = false;
    void Promise.all(logs.map((log) => log.waitReady())).then(() => (allReady = true));
    await runFor(2000, () => allReady);
    expect(allReady).toBe(true);
    return { hub, logs, seen, runFor, leader };
  }

  it('elects a leader, replicates and emits on every node', async () => {
    const { logs, seen, runFor, leader: findLeader } = await startCluster();
    const leader = findLeader() as ReplicatedLog;
    expect(leader).toBeDefined();
    const leaderId = leader.status().nodeId;
    const follower = logs.find((log) => log !== leader) as ReplicatedLog;
    await expect(follower.propose(text('x'))).rejects.toEqual(new NotLeaderError(leaderId));
    const proposals = Promise.all(['a', 'b', 'c'].map((s) => leader.propose(text(s))));
    let committed = false;
    void proposals.then(() => (committed = true));
    await runFor(500, () => committed);
    expect((await proposals).map((r) => r.index)).toEqual([2, 3, 4]);
    // Followers learn the commit index with the next heartbeat.
    await runFor(100, () => [1, 2, 3].every((id) => (seen.get(id)?.length ?? 0) >= 4));
    for (const id of [1, 2, 3]) expect(seen.get(id)?.map(decode), `node ${id}`).toEqual(['', 'a', 'b', 'c']);
    await Promise.all(logs.map((log) => log.close()));
  });

  it('replicates while the leader writes: the followers persist an entry first, and it is applied once the leader\'s write ends', async () => {
    const wals = new Map<number, MemoryWal>();
    const { logs, runFor, leader: findLeader } = await startCluster((id, wal) => {
      wals.set(id, wal);
      return {};
    });
    const leader = findLeader() as ReplicatedLog;
    const leaderWal = wals.get(leader.status().nodeId) as MemoryWal;
    leaderWal.holdWrites('append');
    let resolved = false;
    const proposal = leader.propose(text('parallel')).then((r) => {
      resolved = true;
      return r;
    });
    const index = leader.status().lastIndex;
    const followers = logs.filter((log) => log !== leader);
    await runFor(200, () => followers.every((f) => f.status().persistedIndex >= index));
    // Sent before the leader's own append finished (which it has not).
    for (const f of followers) expect(f.status().persistedIndex).toBe(index);
    expect(leader.status().persistedIndex).toBe(index - 1);
    // The two followers are a quorum: committed, but the leader applies only what its own disk holds.
    expect(leader.status().commitIndex).toBe(index);
    expect(resolved).toBe(false);
    leaderWal.releaseWrites();
    await runFor(200, () => resolved);
    expect((await proposal).index).toBe(index);
    await Promise.all(logs.map((log) => log.close()));
  });

  it('rejects a proposal whose index a new leader filled with ProposalDroppedError', async () => {
    const { hub, logs, runFor, leader: findLeader } = await startCluster();
    const oldLeader = findLeader() as ReplicatedLog;
    const oldLeaderId = oldLeader.status().nodeId;
    hub.isolate(oldLeaderId);
    const lost = oldLeader.propose(text('lost'));
    lost.catch(() => {});
    const others = logs.filter((log) => log !== oldLeader);
    await runFor(2000, () => others.some((log) => log.status().role === 'leader'));
    const newLeader = others.find((log) => log.status().role === 'leader') as ReplicatedLog;
    expect(newLeader).toBeDefined();
    const kept = await (async () => {
      const proposal = newLeader.propose(text('kept'));
      await runFor(500, () => newLeader.status().appliedIndex >= 3);
      return proposal;
    })();
    expect(kept.index).toBe(3);
    hub.heal();
    await runFor(500, () => oldLeader.status().appliedIndex >= 3);
    await expect(lost).rejects.toBeInstanceOf(ProposalDroppedError);
    expect(oldLeader.status()).toMatchObject({ role: 'follower', leaderId: newLeader.status().nodeId });
    await Promise.all(logs.map((log) => log.close()));
  });
  it('serves linearizable reads on the leader and on followers (ReadIndex)', async () => {
    const { logs, runFor, leader: findLeader } = await startCluster();
    const leader = findLeader() as ReplicatedLog;
    const written = leader.propose(text('w'));
    let writeDone = false;
    void written.then(() => (writeDone = true));
    await runFor(500, () => writeDone);
    const { index: writeIndex } = await written;
    for (const log of logs) {
      const read = log.readIndex();
      let readDone = false;
      void read.then(() => (readDone = true), () => (readDone = true));
      await runFor(500, () => readDone);
      const readIndex = await read;
      // At least as new as the acknowledged write, and already applied here.
      expect(readIndex).toBeGreaterThanOrEqual(writeIndex);
      expect(log.status().appliedIndex).toBeGreaterThanOrEqual(readIndex);
    }
    await Promise.all(logs.map((log) => log.close()));
  });

  it('fails a read on a leader cut off from the majority instead of serving stale data', async () => {
    const { hub, logs, runFor, leader: findLeader } = await startCluster();
    const leader = findLeader() as ReplicatedLog;
    hub.isolate(leader.status().nodeId);
    const read = leader.readIndex();
    let outcome: unknown;
    read.then((index) => (outcome = index), (error: unknown) => (outcome = error));
    await runFor(1000, () => outcome !== undefined);
    expect(outcome).toBeInstanceOf(ReadIndexError);
    await Promise.all(logs.map((log) => log.close()));
  });

  it('hands leadership over with transferLeadership, refusing proposals meanwhile', async () => {
    const { logs, runFor, leader: findLeader } = await startCluster();
    const leader = findLeader() as ReplicatedLog;
    const target = logs.find((log) => log !== leader) as ReplicatedLog;
    const targetId = target.status().nodeId;
    leader.transferLeadership(targetId);
    await expect(leader.propose(text('during'))).rejects.toBeInstanceOf(LeaderTransferInProgressError);
    await runFor(1000, () => target.status().role === 'leader');
    expect(target.status().role).toBe('leader');
    expect(() => target.transferLeadership(targetId)).toThrow(RangeError);
    expect(() => leader.transferLeadership(targetId)).toThrow(NotLeaderError);
    await Promise.all(logs.map((log) => log.close()));
  });
  it('catches a follower behind the leader\'s in-memory tail up with a snapshot', async () => {
    const installed = new Map<number, SnapshotMeta[]>();
    const { hub, logs, seen, runFor, leader: findLeader } = await startCluster((id, wal) => ({
      limits: { tailEntriesMax: 4 },
      snapshotSource: {
        // The state machine here is the list of entries seen: a snapshot of it at the last one.
        latest: () => {
          const last = collected.get(id)?.at(-1);
          return last === undefined ? undefined : { index: last.index, term: last.term, membership: { voters: [1, 2, 3], learners: [] } };
        },
        read: async function* () {},
      },
      snapshotSink: {
        write: async () => {},
        install: async (meta) => {
          wal.restoreSnapshot(meta.index, meta.term);
          installed.set(id, [...(installed.get(id) ?? []), meta]);
        },
      },
    }));
    const leader = findLeader() as ReplicatedLog;
    const follower = logs.find((log) => log !== leader) as ReplicatedLog;
    const followerId = follower.status().nodeId;
    hub.isolate(followerId);
    const proposals = Promise.all(Array.from({ length: 30 }, (_, k) => leader.propose(text(`e${k}`))));
    let committed = false;
    void proposals.then(() => (committed = true));
    await runFor(1000, () => committed);
    const lastIndex = leader.status().lastIndex;
    hub.heal();
    await runFor(3000, () => follower.status().appliedIndex >= lastIndex);
    expect(follower.status().appliedIndex).toBeGreaterThanOrEqual(lastIndex);
    const snapshot = installed.get(followerId)?.[0];
    expect(snapshot).toBeDefined();
    // committed$ jumps over the snapshot and continues after it, in order.
    const after = (seen.get(followerId) ?? []).filter((e) => e.index > (snapshot?.index ?? 0));
    expectContiguous(after, (snapshot?.index ?? 0) + 1);
    await Promise.all(logs.map((log) => log.close()));
  });
});
