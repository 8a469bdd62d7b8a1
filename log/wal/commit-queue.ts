// Group commit. Appends (and compactions) enter one FIFO in call order; a single
// loop takes every admitted append waiting at its turn and makes them ONE
// writev and ONE fdatasync (one O_DSYNC writev where the disk offers it, see
// appendDurably). While that I/O is in flight new appends queue up and
// form the next batch, so the fsync rate, not the append rate, bounds commits.
//
// Backpressure: an append is encoded (compressed) only when admitted, and it is
// admitted only while the encoded bytes waiting to be written stay within
// bufferSizeBytes (a lone oversized append is admitted on an empty queue, so
// nothing deadlocks). zstd compresses on the libuv pool at admission; the loop
// awaits jobs in queue order, so write order is call order.
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { LogEntry } from '../types.js';
import { assert } from './assert.js';
import { encodeEntries } from './compression.js';
import type { WalCompression } from './compression.js';
import { Fifo } from './fifo.js';
import { batchRecordsMax, recordHeaderBytes } from './limits.js';
import type { WalObserver } from './options.js';
import type { SegmentStore } from './segment-store.js';

/** Suffix truncation performed before an append's records are written. */
export interface Cut {
  readonly index: number;
  /** term(index - 1) when the append was called. */
  readonly termBefore: number;
}

interface AppendJob {
  readonly kind: 'append';
  readonly entries: readonly LogEntry[];
  readonly cut: Cut | undefined;
  readonly estimateBytes: number;
  encoded: Buffer[] | Promise<Buffer[]> | undefined;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

interface CompactJob {
  readonly kind: 'compact';
  readonly index: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** Replaces the whole log by an empty one after `index` (a snapshot was installed up to it). */
interface ResetJob {
  readonly kind: 'reset';
  readonly index: number;
  readonly term: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

type Job = AppendJob | CompactJob | ResetJob;

/** Calls back into the WAL's in-memory state, always from the loop, in order. */
export interface CommitQueueHooks {
  /** Records up to `diskLastIndex` are written (and durable when syncCommit; see SegmentStore.syncedLastIndex). */
  onWritten(diskLastIndex: number): void;
  /** A suffix truncation reached the disk. */
  onCutApplied(diskLastIndex: number): void;
  /** Compaction removed segments; the log now starts at `firstIndex`. */
  onCompacted(firstIndex: number, prevTerm: number): void;
  /** The log was reset: it is empty after `index`, whose term is `term`. */
  onReset(index: number, term: number): void;
  onFailed(error: Error): void;
}

export interface CommitQueueConfig {
  readonly syncCommit: boolean;
  readonly syncIntervalMs: number;
  readonly bufferSizeBytes: number;
  readonly compression: WalCompression;
  readonly observer?: WalObserver;
  readonly logger: Logger;
}

function estimateBytes(entries: readonly LogEntry[]): number {
  let bytes = 0;
  for (const entry of entries) bytes += recordHeaderBytes + entry.data.byteLength;
  return bytes;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class CommitQueue {
  private readonly jobs = new Fifo<Job>();
  /** Jobs at the front of `jobs` already admitted (encoding started). */
  private admittedCount = 0;
  /** Estimated bytes of admitted jobs not yet written. */
  private queuedBytes = 0;
  private running = false;
  private failure: Error | undefined;
  /** Written but not yet fdatasync'd (syncCommit = false). */
  private dirty = false;
  private recordsSinceSync = 0;
  private syncDue = false;
  private syncTimer: NodeJS.Timeout | undefined;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly store: SegmentStore,
    private readonly config: CommitQueueConfig,
    private readonly hooks: CommitQueueHooks,
  ) {}

  append(entries: readonly LogEntry[], cut: Cut | undefined): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise<void>((resolve, reject) => {
      this.jobs.push({ kind: 'append', entries, cut, estimateBytes: estimateBytes(entries), encoded: undefined, resolve, reject });
      this.admit();
      this.kick(true);
    });
  }

  compact(index: number): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise<void>((resolve, reject) => {
      this.jobs.push({ kind: 'compact', index, resolve, reject });
      this.admit();
      this.kick();
    });
  }

  reset(index: number, term: number): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise<void>((resolve, reject) => {
      this.jobs.push({ kind: 'reset', index, term, resolve, reject });
      this.admit();
      this.kick();
    });
  }

  /** Waits for every queued job, then fdatasyncs what is still unsynced. */
  async close(): Promise<void> {
    if (this.running || this.jobs.length > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    if (this.syncTimer !== undefined) clearTimeout(this.syncTimer);
    this.syncTimer = undefined;
    if (this.failure === undefined && this.dirty) await this.syncNow();
    if (this.failure !== undefined) throw this.failure;
  }

  private admit(): void {
    while (this.admittedCount < this.jobs.length) {
      const job = this.jobs.peek(this.admittedCount);
      assert(job !== undefined, 'job missing');
      if (job.kind === 'append') {
        if (this.queuedBytes > 0 && this.queuedBytes + job.estimateBytes > this.config.bufferSizeBytes) return;
        this.queuedBytes += job.estimateBytes;
        job.encoded = this.encode(job.entries);
      }
      this.admittedCount += 1;
    }
  }

  private encode(entries: readonly LogEntry[]): Buffer[] | Promise<Buffer[]> {
    let encoded: Buffer[] | Promise<Buffer[]>;
    try {
      encoded = encodeEntries(entries, this.config.compression);
    } catch (error) {
      encoded = Promise.reject(asError(error));
    }
    // Awaited by the loop in order; until then, keep a rejection from counting as unhandled.
    if (encoded instanceof Promise) encoded.catch(() => undefined);
    return encoded;
  }

  /** `now`: an append (see below); compactions, resets and timed syncs start on a microtask as before. */
  private kick(now = false): void {
    if (this.running) return;
    this.running = true;
    if (!now) {
      queueMicrotask(() => void this.run());
      return;
    }
    // An append starts now, in the caller's turn: an idle queue submits the batch's
    // write before append() returns (run() awaits nothing before the write
    // when the records are already encoded and no sync or cut comes first).
    // The Raft driver appends once per Ready and then applies that Ready's
    // committed entries; a follower's fsync thus runs while it applies, and
    // a leader's starts in the same turn as its sends. It used to start on a
    // microtask (so appends of one job shared a batch), which ran only after
    // the whole Ready, apply included; before that on setImmediate, behind
    // every other callback of the loop phase (milliseconds on a busy leader).
    // Appends made while this write is in flight form the next batch.
    void this.run();
  }

  private async run(): Promise<void> {
    let stopped = false;
    try {
      while (this.failure === undefined) {
        if (this.syncDue) {
          await this.syncNow();
          continue;
        }
        this.admit();
        const job = this.jobs.peek();
        if (job === undefined) break;
        if (job.kind === 'compact') await this.runCompact(job);
        else if (job.kind === 'reset') await this.runReset(job);
        else {
          const batch = this.takeBatch();
          await this.writeBatch(batch);
          if (this.jobs.length === 0 && !this.syncDue) {
            // Idle: stop before resolving, so that the append a resolved
            // caller makes next (the driver's next Ready) starts its write
            // at once (kick) instead of after the loop's next turn.
            stopped = true;
            this.stop();
            this.settleBatch(batch);
            return;
          }
          this.settleBatch(batch);
        }
        // Let the callers just resolved issue their next appends before the next batch forms.
        await nextTurn();
      }
    } catch (error) {
      this.fail(asError(error));
    } finally {
      if (!stopped) this.stop();
    }
  }

  private stop(): void {
    this.running = false;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private takeBatch(): AppendJob[] {
    const batch: AppendJob[] = [];
    let records = 0;
    while (this.admittedCount > 0) {
      const job = this.jobs.peek();
      if (job === undefined || job.kind !== 'append') break;
      // A truncation must run alone at the head of its batch, after everything before it.
      if (batch.length > 0 && (job.cut !== undefined || records + job.entries.length > batchRecordsMax)) break;
      this.jobs.shift();
      this.admittedCount -= 1;
      batch.push(job);
      records += job.entries.length;
    }
    assert(batch.length > 0, 'the head of the queue was not admitted');
    return batch;
  }

  private async writeBatch(batch: readonly AppendJob[]): Promise<void> {
    try {
      // Not awaited when every job is encoded already: an await here would
      // defer the write to a microtask, after the caller's synchronous work.
      const encoded = encodedRecords(batch);
      const records = Array.isArray(encoded) ? encoded : await encoded;
      const cut = batch[0]?.cut;
      if (cut !== undefined) await this.truncate(cut);
      if (records.length > 0) {
        if (this.config.syncCommit) {
          await this.appendDurably(records);
        } else {
          await this.store.appendRecords(records);
          this.afterWrite(records.length);
        }
        let bytes = 0;
        for (const record of records) bytes += record.length;
        this.notify(() => this.config.observer?.onAppend(records.length, bytes));
      }
    } catch (error) {
      for (const job of batch) job.reject(error);
      throw error;
    }
  }

  private settleBatch(batch: readonly AppendJob[]): void {
    for (const job of batch) this.queuedBytes -= job.estimateBytes;
    this.hooks.onWritten(this.store.lastIndex);
    for (const job of batch) job.resolve();
  }

  private async truncate(cut: Cut): Promise<void> {
    await this.store.truncateFrom(cut.index, cut.termBefore);
    this.hooks.onCutApplied(this.store.lastIndex);
    this.notify(() => this.config.observer?.onTruncate?.(cut.index));
  }

  /**
   * sync_commit: write and sync as one file call where the disk offers it
   * (O_DSYNC, WalFile.writevDurable). Two calls cost two trips through the
   * libuv pool and back, and with 3 nodes sharing 2 busy cores each trip
   * waited for a core: a WAL append took 2 to 3 such waits on every node, on
   * every commit's critical path. Reported to the observer as the fsync.
   */
  private async appendDurably(records: readonly Buffer[]): Promise<void> {
    const startMs = performance.now();
    await this.store.appendRecords(records, true);
    const durationMs = performance.now() - startMs;
    this.notify(() => this.config.observer?.onFsync(durationMs, records.length));
  }

  /** sync_commit off: fdatasync at most one interval later. */
  private afterWrite(records: number): void {
    this.dirty = true;
    this.recordsSinceSync += records;
    if (this.syncTimer !== undefined) return;
    this.syncTimer = setTimeout(() => {
      this.syncTimer = undefined;
      this.syncDue = true;
      this.kick();
    }, this.config.syncIntervalMs);
    // The timer alone must not keep the process alive: an owner that exits
    // without close() accepted the loss of the last interval (sync_commit off).
    this.syncTimer.unref();
  }

  private async syncNow(): Promise<void> {
    this.syncDue = false;
    if (!this.dirty) return;
    const records = this.recordsSinceSync;
    this.dirty = false;
    this.recordsSinceSync = 0;
    await this.timedSync(records);
  }

  private async timedSync(records: number): Promise<void> {
    const startMs = performance.now();
    await this.store.datasync();
    const durationMs = performance.now() - startMs;
    this.notify(() => this.config.observer?.onFsync(durationMs, records));
  }

  private async runCompact(job: CompactJob): Promise<void> {
    assert(this.admittedCount > 0, 'compaction job not admitted');
    this.jobs.shift();
    this.admittedCount -= 1;
    try {
      await this.store.compactThrough(job.index, (firstIndex, prevTerm) => this.hooks.onCompacted(firstIndex, prevTerm));
    } catch (error) {
      job.reject(error);
      throw error;
    }
    job.resolve();
  }

  private async runReset(job: ResetJob): Promise<void> {
    assert(this.admittedCount > 0, 'reset job not admitted');
    this.jobs.shift();
    this.admittedCount -= 1;
    try {
      // Everything written before is replaced: nothing left to sync.
      this.dirty = false;
      this.recordsSinceSync = 0;
      await this.store.resetTo(job.index, job.term);
    } catch (error) {
      job.reject(error);
      throw error;
    }
    this.hooks.onReset(job.index, job.term);
    job.resolve();
  }

  /** After a disk error nothing is trusted: every queued and future job rejects. */
  private fail(error: Error): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    for (const job of this.jobs.drain()) job.reject(error);
    this.admittedCount = 0;
    this.queuedBytes = 0;
    if (this.syncTimer !== undefined) clearTimeout(this.syncTimer);
    this.syncTimer = undefined;
    this.hooks.onFailed(error);
  }

  private notify(call: () => void): void {
    try {
      call();
    } catch (error) {
      this.config.logger.error({ err: error }, 'WAL: an observer threw; ignored');
    }
  }
}

/** The batch's records; a promise only while some job is still being compressed (zstd on the pool). */
function encodedRecords(batch: readonly AppendJob[]): Buffer[] | Promise<Buffer[]> {
  const records: Buffer[] = [];
  for (const [position, job] of batch.entries()) {
    assert(job.encoded !== undefined, 'batch job was never encoded');
    if (!Array.isArray(job.encoded)) return encodedRecordsAsync(batch.slice(position), records);
    for (const record of job.encoded) records.push(record);
  }
  return records;
}

async function encodedRecordsAsync(rest: readonly AppendJob[], records: Buffer[]): Promise<Buffer[]> {
  for (const job of rest) {
    assert(job.encoded !== undefined, 'batch job was never encoded');
    const encoded = Array.isArray(job.encoded) ? job.encoded : await job.encoded;
    for (const record of encoded) records.push(record);
  }
  return records;
}
