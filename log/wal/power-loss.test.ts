// Power-loss model test: random appends (some replacing the tail, some not
// awaited), compactions, reads, hard-state saves and pauses (which let the
// sync_commit = false timer run) on a simulated disk that crashes at a random
// operation and reboots with only what was made durable (optionally torn: a
// random prefix of what was pending). Then the WAL must reopen, hold some
// prefix-consistent state of the log (never a gap, never a corruption
// refusal), keep every acknowledged append with sync_commit = true and every
// entry durableIndex() vouched for with either setting, and the node-level
// open (openReplicatedLog over this WAL) must always restart.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openReplicatedLog } from '../raft/replicated-log.js';
import { ManualScheduler } from '../raft/scheduler.js';
import { createPrng } from '../raft/testing/prng.js';
import type { LogEntry } from '../types.js';
import { openWal } from './index.js';
import type { Wal, WalOptions } from './index.js';
import { captureLogger, makeEntries, walOptions } from './test-support.js';
import { CrashingFileSystem, SimulatedCrashError } from './testing/crashing-fs.js';

const dir = '/data/wal';

type Op =
  | { readonly kind: 'append'; readonly back: number; readonly count: number; readonly bump: boolean; readonly sizeBytes: number; readonly wait: boolean }
  | { readonly kind: 'compact'; readonly back: number }
  | { readonly kind: 'read'; readonly from: number; readonly span: number }
  | { readonly kind: 'hardState' }
  | { readonly kind: 'pause'; readonly ms: number };

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('append' as const), back: fc.nat(6), count: fc.integer({ min: 1, max: 12 }), bump: fc.boolean(), sizeBytes: fc.nat(300), wait: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('compact' as const), back: fc.nat(30) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('read' as const), from: fc.nat(1000), span: fc.nat(40) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('hardState' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('pause' as const), ms: fc.nat(3) }) },
);

/** The log as appends define it, in call order, from index 1 (compaction only hides a prefix on disk). */
type LogState = readonly LogEntry[];

/** "Entries 1..index of state `call` are durable" (unless a later call replaced them). */
interface DurableClaim {
  readonly call: number;
  readonly index: number;
  readonly source: string;
}

const entryKey = (entry: LogEntry | undefined): string =>
  entry === undefined ? 'missing' : `${entry.index}/${entry.term}/${Buffer.from(entry.data).toString('base64')}`;

const isCrash = (error: unknown): boolean => error instanceof SimulatedCrashError || (error instanceof Error && error.cause instanceof SimulatedCrashError);

class Workload {
  /** states[j]: the log after the j-th append call; states[0] is empty. */
  readonly states: LogState[] = [[]];
  /** cutIndexes[j]: the first index the j-th append replaced, or Infinity. */
  readonly cutIndexes: number[] = [Infinity];
  readonly claims: DurableClaim[] = [];
  /** Highest append call acknowledged (resolved). */
  ackedCall = 0;
  compactIndexMax = 0;
  term = 1;
  private readonly inFlight: Promise<unknown>[] = [];
  /** Failures other than the simulated crash (a read returning wrong entries, a refused append). */
  readonly unexpected: unknown[] = [];

  constructor(
    readonly fs: CrashingFileSystem,
    readonly wal: Wal,
    private readonly syncCommit: boolean,
  ) {}

  get current(): LogState {
    return this.states[this.states.length - 1] ?? [];
  }

  /** Runs `ops` until the disk crashes; then crashes it (if the budget was not reached) and lets everything settle. */
  async run(ops: readonly Op[]): Promise<void> {
    for (const op of ops) {
      if (this.fs.isCrashed) break;
      await this.step(op);
      this.claims.push({ call: this.states.length - 1, index: this.wal.durableIndex(), source: 'durableIndex() between ops' });
    }
    this.fs.crash();
    await Promise.allSettled(this.inFlight);
    await this.wal.close().catch(() => undefined);
  }

  private async step(op: Op): Promise<void> {
    switch (op.kind) {
      case 'append':
        return this.append(op);
      case 'compact': {
        const index = Math.max(0, this.current.length - op.back);
        this.compactIndexMax = Math.max(this.compactIndexMax, index);
        return this.track(this.wal.compact(index), false);
      }
      case 'read':
        return this.read(op.from, op.span);
      case 'hardState':
        // Stored as the driver did before it clamped its commit to durableIndex(): the node-level open must cope.
        return this.track(this.wal.saveHardState({ term: this.term, vote: 1, commit: this.current.length }), false);
      case 'pause':
        await new Promise((resolve) => setTimeout(resolve, op.ms));
        return;
      default: {
        const unreachable: never = op;
        throw new Error(String(unreachable));
      }
    }
  }

  private async append(op: Extract<Op, { kind: 'append' }>): Promise<void> {
    const lastIndex = this.current.length;
    const first = Math.max(this.compactIndexMax + 1, lastIndex + 1 - op.back);
    if (first <= lastIndex || op.bump) this.term += 1; // a replacement comes from a newer leader
    const entries = makeEntries(first, op.count, this.term, op.sizeBytes, op.sizeBytes % 2 === 0);
    this.states.push([...this.current.slice(0, first - 1), ...entries]);
    this.cutIndexes.push(first <= lastIndex ? first : Infinity);
    const call = this.states.length - 1;
    const done = this.wal.append(entries).then(() => {
      this.ackedCall = Math.max(this.ackedCall, call);
      if (this.syncCommit) this.claims.push({ call, index: first + op.count - 1, source: `append call ${call} acknowledged` });
      this.claims.push({ call: this.states.length - 1, index: this.wal.durableIndex(), source: `durableIndex() when call ${call} resolved` });
    });
    return this.track(done, op.wait);
  }

  private async read(from: number, span: number): Promise<void> {
    const state = this.current;
    const firstIndex = this.wal.firstIndex();
    const size = state.length - firstIndex + 1;
    const lo = firstIndex + (size <= 0 ? 0 : from % size);
    const hi = Math.min(lo + span, state.length + 1);
    const expected = state.slice(lo - 1, hi - 1).map(entryKey);
    const done = this.wal.read(lo, hi).then((entries) => {
      // A read returns the entries stored when it was called, whatever the disk does meanwhile.
      if (JSON.stringify(entries.map(entryKey)) !== JSON.stringify(expected)) this.unexpected.push(new Error(`read [${lo}, ${hi}) returned other entries`));
    });
    return this.track(done, false);
  }

  /** Keeps `done` for the final settle; a rejection other than the crash is a failure of the test. */
  private async track(done: Promise<unknown>, wait: boolean): Promise<void> {
    const checked = done.catch((error: unknown) => {
      if (!isCrash(error)) this.unexpected.push(error);
    });
    this.inFlight.push(checked);
    if (wait) await checked;
  }

  /** Lowest index a call after `call` replaced (entries from there may be lost). */
  cutAfter(call: number): number {
    return Math.min(Infinity, ...this.cutIndexes.slice(call + 1));
  }
}

/** The recovered log must be a contiguous piece [first, last] of some call-order state at or after `fromCall`. */
function matchingState(workload: Workload, recovered: readonly LogEntry[], firstIndex: number, fromCall: number): number | undefined {
  for (let call = workload.states.length - 1; call >= fromCall; call -= 1) {
    const state = workload.states[call] ?? [];
    if (firstIndex - 1 + recovered.length > state.length) continue;
    if (recovered.every((entry) => entryKey(entry) === entryKey(state[entry.index - 1]))) return call;
  }
  return undefined;
}

function checkRecovered(workload: Workload, wal: Wal, recovered: readonly LogEntry[], syncCommit: boolean): void {
  const firstIndex = wal.firstIndex();
  const lastIndex = wal.lastIndex();
  expect(recovered.map((entry) => entry.index)).toEqual(Array.from({ length: lastIndex - firstIndex + 1 }, (_, k) => firstIndex + k));
  // Only compaction removes entries from the front, and only up to what was requested.
  expect(firstIndex - 1).toBeLessThanOrEqual(workload.compactIndexMax);
  const call = matchingState(workload, recovered, firstIndex, syncCommit ? workload.ackedCall : 0);
  expect(call, 'the recovered log is no prefix of any call-order state since the last acknowledged append').toBeDefined();
  if (firstIndex > 1 && call !== undefined) expect(wal.term(firstIndex - 1)).toBe(workload.states[call]?.[firstIndex - 2]?.term);
  for (const claim of workload.claims) {
    const keptThrough = Math.min(claim.index, workload.cutAfter(claim.call) - 1);
    const state = workload.states[claim.call] ?? [];
    for (let index = Math.max(firstIndex, 1); index <= keptThrough; index += 1) {
      expect(entryKey(recovered[index - firstIndex]), `index ${index} lost (${claim.source}, durable through ${claim.index})`).toBe(entryKey(state[index - 1]));
    }
  }
  expect(wal.durableIndex()).toBe(lastIndex);
}

/** The node-level restart: the replicated log opens on the recovered WAL, replays, elects itself and appends. */
async function checkNodeRestarts(wal: Wal, recovered: readonly LogEntry[]): Promise<void> {
  const log = await openReplicatedLog({
    nodeId: 1, peers: [1], wal, electionTimeoutTicks: 10, heartbeatTicks: 1, tickIntervalMs: 10, logger: captureLogger().logger,
    scheduler: new ManualScheduler(), random: createPrng(1).next,
  });
  const seen: LogEntry[] = [];
  log.committed$.subscribe({ next: (entry) => seen.push(entry) });
  await log.waitReady();
  // Everything recovered is replayed or committed by the new term, then its Empty entry.
  expect(seen.slice(0, -1).map(entryKey)).toEqual(recovered.map(entryKey));
  expect(seen.at(-1)?.index).toBe(wal.firstIndex() + recovered.length);
  await log.close();
}

async function runScenario(ops: readonly Op[], syncCommit: boolean, crashAtOperation: number, torn: boolean, seed: number): Promise<void> {
  const options = (fs: CrashingFileSystem): WalOptions =>
    walOptions(dir, captureLogger().logger, { fs, syncCommit, syncIntervalMs: 1, segmentSizeBytes: 1024, cacheBytes: seed % 2 === 0 ? 0 : 4096 });
  const latency = createPrng(seed + 1);
  const fs = new CrashingFileSystem({ crashAtOperation, turnsPerOperation: () => latency.int(3) });
  let workload: Workload | undefined;
  try {
    workload = new Workload(fs, await openWal(options(fs)), syncCommit);
  } catch (error) {
    if (!isCrash(error)) throw error; // a crash while creating the first segment: nothing was acknowledged
  }
  await workload?.run(ops);
  expect((workload?.unexpected ?? []).map(String)).toEqual([]);

  const rebooted = fs.restart({ random: createPrng(seed).next, torn });
  const wal = await openWal(options(rebooted));
  const recovered = await wal.read(wal.firstIndex(), wal.lastIndex() + 1);
  if (workload !== undefined) checkRecovered(workload, wal, recovered, syncCommit);
  await checkNodeRestarts(wal, recovered);
  // And once more, cleanly, after the node's own writes.
  const reopened = await openWal(options(rebooted));
  expect(reopened.lastIndex()).toBe(wal.lastIndex());
  await reopened.close();
}

describe('WAL power loss', () => {
  for (const syncCommit of [true, false]) {
    it(`sync_commit = ${syncCommit}: reopens as a prefix of the log, keeping what was durable, and the node restarts`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(opArbitrary, { minLength: 5, maxLength: 60, size: 'max' }),
          fc.integer({ min: 1, max: 600 }),
          fc.boolean(),
          fc.nat(),
          async (ops, crashAtOperation, torn, seed) => runScenario(ops, syncCommit, crashAtOperation, torn, seed),
        ),
        { numRuns: 150 },
      );
    });
  }
});
