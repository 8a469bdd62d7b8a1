// The WriteAheadLog the Raft driver persists through.
//
// In-memory state follows CALL order: append() updates lastIndex, the terms and
// the tail cache synchronously before returning its promise, so the next
// append (or term()/read()) already sees it; the promise says when it is
// written/durable. The commit queue then does the disk work in the same order.
import type { Logger } from 'pino';
import { EntryKind, type HardState, type LogEntry, type WriteAheadLog } from '../types.js';
import { assert } from './assert.js';
import { CommitQueue } from './commit-queue.js';
import type { Cut } from './commit-queue.js';
import { PayloadError, recordData } from './compression.js';
import { EntryCache } from './entry-cache.js';
import { WalClosedError, WalCorruptionError } from './errors.js';
import { nodeFileSystem } from './fs.js';
import type { WalFile, WalFileSystem } from './fs.js';
import { HardStateStore, loadHardState } from './hard-state.js';
import { entryDataBytesMax, indexMax } from './limits.js';
import { resolveWalOptions } from './options.js';
import type { ResolvedWalOptions, WalOptions } from './options.js';
import type { DecodedRecord } from './record.js';
import { recoverSegments } from './recovery.js';
import type { RecoveredSegments } from './recovery.js';
import type { Segment } from './segment.js';
import { SegmentStore } from './segment-store.js';
import type { ReadPlan } from './segment-store.js';
import { TermTable } from './term-table.js';

const entryKinds: ReadonlySet<number> = new Set(Object.values(EntryKind));

export async function openWal(options: WalOptions): Promise<Wal> {
  return Wal.open(options);
}

export class Wal implements WriteAheadLog {
  private readonly queue: CommitQueue;
  private readonly logger: Logger;
  /** Last index the commit queue has written. */
  private diskLastIndex: number;
  /** Suffix truncations called but not yet on disk, in call order. */
  private readonly pendingCuts: number[] = [];
  /** Highest index passed to compact(): entries at or below it can never be replaced. */
  private compactIndexMax = 0;
  private closed = false;
  private closing: Promise<void> | undefined;
  private failure: Error | undefined;

  private constructor(
    options: ResolvedWalOptions,
    private readonly store: SegmentStore,
    private readonly terms: TermTable,
    private readonly cache: EntryCache,
    private readonly hardStates: HardStateStore,
  ) {
    this.logger = options.logger;
    this.diskLastIndex = terms.lastIndex;
    this.queue = new CommitQueue(store, options, {
      onWritten: (diskLastIndex) => {
        this.diskLastIndex = diskLastIndex;
        this.evict();
      },
      onCutApplied: (diskLastIndex) => {
        this.pendingCuts.shift();
        this.diskLastIndex = diskLastIndex;
      },
      onCompacted: (firstIndex, prevTerm) => {
        this.terms.dropBefore(firstIndex, prevTerm);
        this.cache.dropBelow(firstIndex);
      },
      onReset: (index, term) => {
        this.terms.reset(index + 1, term);
        this.cache.reset(index + 1);
        this.diskLastIndex = index;
        this.compactIndexMax = Math.max(this.compactIndexMax, index);
      },
      onFailed: (error) => {
        this.failure = error;
        this.logger.error({ err: error }, 'WAL: disk operation failed; every further append is rejected');
      },
    });
  }

  /** Recovers the log in `options.dir` (creating it when missing). */
  static async open(options: WalOptions): Promise<Wal> {
    const resolved = resolveWalOptions(options);
    const fs = resolved.fs ?? nodeFileSystem;
    const recovered = await recoverSegments(fs, resolved.dir, resolved.logger);
    const hardState = await loadHardState(fs, resolved.dir, recovered.names);
    if (recovered.segments.length === 0 && hardState.commit > 0) {
      throw new WalCorruptionError(
        resolved.dir,
        0,
        `the hard state says index ${hardState.commit} is committed but the directory holds no segment file`,
        'Check that the configured WAL directory is the right one; otherwise restore it from a backup or wipe this node and let it re-replicate from the leader.',
      );
    }
    const { segments, activeFile, terms } = await openSegments(fs, resolved.dir, recovered);
    // Likewise for names: a dead process may have renamed the hard state (or a
    // segment) into place without its directory fsync, and we just trusted it.
    await fs.syncDir(resolved.dir);
    const onDeleted = (file: string, sizeBytes: number): void => resolved.observer?.onSegmentDeleted?.(file, sizeBytes);
    const store = new SegmentStore(fs, resolved.dir, resolved.segmentSizeBytes, segments, activeFile, onDeleted, resolved.preallocate ?? true);
    if (hardState.commit > terms.lastIndex) {
      resolved.logger.warn(
        { commit: hardState.commit, lastIndex: terms.lastIndex },
        'WAL: the hard state commit index is beyond the last stored entry: entries it covers were lost (a power loss with sync_commit off, or a damaged disk); the replicated log clamps it at open',
      );
    }
    resolved.logger.info(
      { dir: resolved.dir, segments: segments.length, firstIndex: terms.firstIndex, lastIndex: terms.lastIndex, sizeBytes: store.sizeBytes() },
      'WAL opened',
    );
    const cache = new EntryCache(resolved.cacheBytes, terms.lastIndex + 1);
    return new Wal(resolved, store, terms, cache, new HardStateStore(fs, resolved.dir, hardState));
  }

  firstIndex(): number {
    return this.terms.firstIndex;
  }

  lastIndex(): number {
    return this.terms.lastIndex;
  }

  term(index: number): number | undefined {
    return this.terms.term(index);
  }

  durableIndex(): number {
    // The store knows what is synced in disk order; a truncation called but not
    // yet on disk still has the entries it replaces durable there, not ours.
    let durable = Math.min(this.store.syncedLastIndex, this.terms.lastIndex);
    for (const cut of this.pendingCuts) durable = Math.min(durable, cut - 1);
    return durable;
  }

  append(entries: readonly LogEntry[]): Promise<void> {
    const refusal = this.refusal();
    if (refusal !== undefined) return Promise.reject(refusal);
    if (entries.length === 0) return this.queue.append(entries, undefined);
    const problem = this.checkAppend(entries);
    if (problem !== undefined) return Promise.reject(new RangeError(`WAL append refused: ${problem}`));
    return this.queue.append(entries, this.applyAppend(entries));
  }

  /** Why `entries` cannot continue the log, or undefined. */
  private checkAppend(entries: readonly LogEntry[]): string | undefined {
    const first = entries[0]?.index ?? 0;
    if (!Number.isSafeInteger(first) || first < this.terms.firstIndex) {
      return `first index ${first} is below the first stored index ${this.terms.firstIndex}`;
    }
    if (first > this.terms.lastIndex + 1) return `first index ${first} leaves a gap after the last index ${this.terms.lastIndex}`;
    if (first <= this.terms.lastIndex && first <= this.compactIndexMax) {
      return `cannot replace index ${first}: compaction through ${this.compactIndexMax} was requested`;
    }
    let termBefore = this.terms.term(first - 1) ?? 0;
    for (const [position, entry] of entries.entries()) {
      if (entry.index !== first + position) return `entry ${position} has index ${entry.index}, expected ${first + position}`;
      if (!Number.isSafeInteger(entry.term) || entry.term < 1 || entry.term > indexMax) return `entry ${entry.index} has term ${entry.term}`;
      if (entry.term < termBefore) return `entry ${entry.index} has term ${entry.term}, below the previous term ${termBefore}`;
      if (!entryKinds.has(entry.kind)) return `entry ${entry.index} has unknown kind ${String(entry.kind)}`;
      if (!(entry.data instanceof Uint8Array)) return `entry ${entry.index} data is not a Uint8Array`;
      if (entry.data.byteLength > entryDataBytesMax) return `entry ${entry.index} has ${entry.data.byteLength} bytes of data, above ${entryDataBytesMax}`;
      termBefore = entry.term;
    }
    return undefined;
  }

  /** Applies a checked append to the in-memory state; returns the suffix truncation it implies. */
  private applyAppend(entries: readonly LogEntry[]): Cut | undefined {
    const first = entries[0]?.index ?? 0;
    let cut: Cut | undefined;
    if (first <= this.terms.lastIndex) {
      cut = { index: first, termBefore: this.terms.term(first - 1) ?? 0 };
      this.terms.truncateFrom(first);
      this.cache.truncateFrom(first);
      this.pendingCuts.push(first);
    }
    for (const entry of entries) {
      this.terms.push(entry.term);
      this.cache.push(entry);
    }
    this.evict();
    return cut;
  }

  /** Evicts only entries on disk that no pending truncation will replace. */
  private evict(): void {
    let evictableMax = this.diskLastIndex;
    for (const cut of this.pendingCuts) evictableMax = Math.min(evictableMax, cut - 1);
    this.cache.evict(evictableMax);
  }

  async read(lo: number, hi: number): Promise<LogEntry[]> {
    const refusal = this.refusal();
    if (refusal !== undefined) throw refusal;
    const first = this.terms.firstIndex;
    const end = this.terms.lastIndex + 1;
    if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || lo < first || hi > end || lo > hi) {
      throw new RangeError(`WAL read [${lo}, ${hi}) outside the stored range [${first}, ${end})`);
    }
    // The plan is captured synchronously, so this read returns the entries
    // stored when it was called. The disk keeps those bytes until it finishes:
    // compaction and truncation unlink files only after the read opened them
    // (the handle keeps the data), and a suffix truncation waits for in-flight
    // reads of the segment it cuts (SegmentStore.truncateFrom).
    const diskHi = Math.min(hi, this.cache.startIndex);
    const cached: LogEntry[] = [];
    for (let index = Math.max(lo, this.cache.startIndex); index < hi; index += 1) {
      const entry = this.cache.get(index);
      assert(entry !== undefined, `cache misses index ${index}`);
      cached.push(entry);
    }
    if (lo >= diskHi) return cached;
    assert(diskHi - 1 <= this.diskLastIndex, `index ${diskHi - 1} is neither cached nor written`);
    const fromDisk = await readPlans(this.store, this.store.planRead(lo, diskHi));
    for (const entry of cached) fromDisk.push(entry);
    return fromDisk;
  }

  saveHardState(state: HardState): Promise<void> {
    const refusal = this.refusal();
    if (refusal !== undefined) return Promise.reject(refusal);
    try {
      return this.hardStates.save(state);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  hardState(): HardState {
    return this.hardStates.current;
  }

  compact(index: number): Promise<void> {
    const refusal = this.refusal();
    if (refusal !== undefined) return Promise.reject(refusal);
    if (!Number.isSafeInteger(index) || index < 0) return Promise.reject(new RangeError(`WAL compact index ${index} is not a non-negative integer`));
    this.compactIndexMax = Math.max(this.compactIndexMax, index);
    return this.queue.compact(index);
  }

  /**
   * Replaces the whole log by an empty one continuing after `index`, whose
   * term is `term` (a snapshot up to `index` was installed: every stored
   * entry is replaced by it). Crash-safe (reset-marker.ts). Queued after
   * the appends called before it; must not race appends called meanwhile
   * (the Raft driver calls it between Readys).
   */
  reset(index: number, term: number): Promise<void> {
    const refusal = this.refusal();
    if (refusal !== undefined) return Promise.reject(refusal);
    if (!Number.isSafeInteger(index) || index < 0 || !Number.isSafeInteger(term) || term < 0) {
      return Promise.reject(new RangeError(`WAL reset to index ${index}, term ${term}: expected non-negative integers`));
    }
    if (this.pendingCuts.length > 0) return Promise.reject(new RangeError('WAL reset refused: a suffix truncation is still pending'));
    return this.queue.reset(index, term);
  }

  sizeBytes(): number {
    return this.store.sizeBytes();
  }

  close(): Promise<void> {
    this.closing ??= this.closeOnce();
    return this.closing;
  }

  private async closeOnce(): Promise<void> {
    this.closed = true;
    try {
      await this.queue.close();
      await this.hardStates.idle();
    } finally {
      await this.store.close();
    }
    this.logger.info({ lastIndex: this.terms.lastIndex }, 'WAL closed');
  }

  private refusal(): Error | undefined {
    if (this.closed) return new WalClosedError();
    return this.failure;
  }
}

async function openSegments(
  fs: WalFileSystem,
  dir: string,
  recovered: RecoveredSegments,
): Promise<{ segments: Segment[]; activeFile: WalFile; terms: TermTable }> {
  const last = recovered.segments[recovered.segments.length - 1];
  if (last === undefined || recovered.terms === undefined) {
    const { segment, file } = await SegmentStore.createSegment(fs, dir, { firstIndex: 1, prevTerm: 0 });
    return { segments: [segment], activeFile: file, terms: new TermTable(1, 0) };
  }
  const activeFile = await fs.open(last.path, 'readWrite');
  // A previous process may have died with written, unsynced records that we
  // just read back from the page cache: sync them, so that what this process
  // recovered is durable and durableIndex() starts at the last index.
  await activeFile.datasync();
  return { segments: recovered.segments, activeFile, terms: recovered.terms };
}

async function readPlans(store: SegmentStore, plans: readonly ReadPlan[]): Promise<LogEntry[]> {
  // All plans start at once so each releases its reader even if another fails.
  const planned = await Promise.all(plans.map((plan) => store.readPlan(plan)));
  const entries: LogEntry[] = [];
  for (const [position, records] of planned.entries()) {
    const plan = plans[position];
    assert(plan !== undefined, 'plan missing');
    for (const record of records) entries.push(await toEntry(plan.segment, record));
  }
  return entries;
}

async function toEntry(segment: Segment, record: DecodedRecord): Promise<LogEntry> {
  try {
    const data = await recordData(record);
    return { index: record.index, term: record.term, kind: record.kind, data };
  } catch (error) {
    if (!(error instanceof PayloadError)) throw error;
    throw new WalCorruptionError(segment.path, segment.recordStart(record.index), error.message);
  }
}
