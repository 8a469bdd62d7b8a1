// The column store: the OLAP view of the log. Committed entries are applied
// in batches (bounded lag, bounded buffer) into typed-array segments; reads
// name a read index and wait until it is applied; checkpoints write sealed
// segments and a manifest so a restart replays only the log tail.

import type { Observable, Subscription } from 'rxjs';
import { join } from 'node:path';
import { invariant } from '../assert.js';
import type { Catalog } from '../catalog/index.js';
import type { Row } from '../entries/index.js';
import type { LogEntry } from '../../log/index.js';
import { CompactionWorkers } from './compaction-workers.js';
import { finishMerge, pickGroup, planMerge, type CompactionStep } from './compaction.js';
import { mergeJob } from './merge-kernel.js';
import { ColumnCore } from './core.js';
import { ColumnStoreClosedError, ColumnStoreFailedError, WaitAppliedTimeoutError } from './errors.js';
import type { ColumnStoreCompression } from './file-format.js';
import { loadCheckpoint, planCheckpoint, writeCheckpoint } from './persistence.js';
import { scanTable, tableZones, type ScanBatch, type ScanOptions, type SegmentZones } from './scan.js';
import { segmentInitialRows as segmentInitialRowsDefault } from './segment.js';
import { positionStride, TableColumns, type TableConfig } from './table.js';

export interface ColumnStoreOptions {
  /** The column store's directory (the server would pass data_dir/columnstore); created at the first checkpoint. */
  readonly directory: string;
  /** Compression of segment files (the `compression_algorithm` config key). Default lz4. */
  readonly compression?: ColumnStoreCompression;
  /** Compression of segment files compaction wrote (`cold_compression_algorithm`). Default: `compression`. */
  readonly coldCompression?: ColumnStoreCompression;
  /** Rows per segment. Default 65,536. */
  readonly segmentRowsMax?: number;
  /** Rows an open segment allocates first; its arrays double up to segmentRowsMax. Default 1,024. */
  readonly segmentInitialRows?: number;
  /** Distinct values a text column of one segment keeps dictionary-encoded. Default 4,096. */
  readonly dictionaryEntriesMax?: number;
  /** Entries buffered before a batch is applied (the producer waits while a full batch applies). Default 4,096. */
  readonly batchEntriesMax?: number;
  /** Longest an entry waits in the buffer before its batch is applied when no reader asks for it. Default 50 ms. */
  readonly batchLagMs?: number;
  /**
   * A waitApplied for an index the buffer holds (or an entry arriving that a
   * waiter needs) applies the buffer at once instead of at the timer. Default
   * true; false makes the timer the only trigger (tests that need a lagging store).
   */
  readonly applyOnDemand?: boolean;
  /** The wall clock for lag metrics only (never read by the fold). Default Date.now. */
  readonly nowMs?: () => number;
  /**
   * Worker threads that do a compaction's array copying (the `compaction_threads`
   * key). Default 0: merges run on the calling thread (tests, tools).
   */
  readonly compactionThreads?: number;
}

export const columnStoreDefaults = {
  compression: 'lz4', segmentRowsMax: 65_536, dictionaryEntriesMax: 4096, batchEntriesMax: 4096, batchLagMs: 50,
} as const;
/** Largest segmentRowsMax (the row position stride). */
export const segmentRowsLimit = positionStride;

export interface ColumnStoreStats {
  readonly appliedIndex: number;
  readonly checkpointIndex: number;
  /** Commit timestamp (µs since 2000-01-01) of the last applied transaction: lag = now - this. */
  readonly lastAppliedCommitTsMicros: bigint | null;
  /** Wall time (ms since the Unix epoch) when the last batch finished applying. */
  readonly lastAppliedWallMs: number | null;
  readonly batchesApplied: number;
  readonly entriesApplied: number;
  readonly tables: number;
  readonly segments: number;
  readonly rows: number;
  readonly liveRows: number;
  readonly keyIndexBytes: number;
}

export interface CompactionOptions {
  /** Rows deleted at or below it are dropped; scans below it are refused afterwards. Default: the applied index. */
  readonly horizonIndex?: number;
  /** Default 0.5. */
  readonly fillFractionMin?: number;
  /** Merges per call. Default unlimited. */
  readonly mergesMax?: number;
  /** Only these tables. Default every table. */
  readonly tableIds?: readonly number[];
}

export interface ColumnStore {
  appliedIndex(): number;
  /** The index of the last durable checkpoint: replay the log after it. */
  checkpointIndex(): number;
  catalog(): Catalog;
  /** Applies one committed entry (the fold). Throws, and the store stops, on a corrupt entry or broken invariant. */
  apply(entry: LogEntry): void;
  /** Applies entries in order, then wakes waiters once. */
  applyBatch(entries: readonly LogEntry[]): void;
  /** Subscribes to committed$ and applies it in batches of at most batchEntriesMax, at most batchLagMs late. */
  attachToLog(committed$: Observable<LogEntry>, onFatal?: (error: Error) => void): Subscription;
  /** Resolves once `index` is applied; rejects with WaitAppliedTimeoutError after timeoutMs. */
  waitApplied(index: number, timeoutMs: number): Promise<void>;
  /**
   * Applies now the entries its batch buffer holds (they wait up to batchLagMs
   * otherwise), so a reader that sizes its work from this store's rows sees
   * every commit delivered so far.
   */
  applyBuffered(): void;
  scanTable(tableId: number, columnIds: readonly number[], readIndex: number, options?: ScanOptions): Iterable<ScanBatch>;
  tableZones(tableId: number, columnIds: readonly number[], readIndex: number): SegmentZones[];
  /** The oldest read index a scan of the table is answered at (created, truncated or compacted there); undefined: no such table. */
  readHorizon(tableId: number): number | undefined;
  /** Writes new segments, changed delete lists and the manifest. Serialised. */
  checkpoint(): Promise<{ readonly index: number }>;
  /** Merges small segments and drops deleted rows; yields between merges. */
  compact(options?: CompactionOptions): Promise<readonly CompactionStep[]>;
  stats(): ColumnStoreStats;
  /** Stops applying and rejects waiters. Does not checkpoint. */
  close(): Promise<void>;
}

function configOf(options: ColumnStoreOptions): TableConfig {
  const segmentRowsMax = options.segmentRowsMax ?? columnStoreDefaults.segmentRowsMax;
  const dictionaryEntriesMax = options.dictionaryEntriesMax ?? columnStoreDefaults.dictionaryEntriesMax;
  invariant(Number.isSafeInteger(segmentRowsMax) && segmentRowsMax >= 1 && segmentRowsMax <= segmentRowsLimit, `segmentRowsMax ${segmentRowsMax} (1 to ${segmentRowsLimit})`);
  invariant(Number.isSafeInteger(dictionaryEntriesMax) && dictionaryEntriesMax >= 1, `dictionaryEntriesMax ${dictionaryEntriesMax} (at least 1)`);
  const segmentInitialRows = options.segmentInitialRows ?? segmentInitialRowsDefault;
  invariant(Number.isSafeInteger(segmentInitialRows) && segmentInitialRows >= 1, `segmentInitialRows ${segmentInitialRows} (at least 1)`);
  return { segmentRowsMax, dictionaryEntriesMax, segmentInitialRows };
}

/** Opens the column store: loads the last checkpoint (none: empty at index 0). Replay the log after checkpointIndex(). */
export async function openColumnStore(options: ColumnStoreOptions): Promise<ColumnStore> {
  const batchEntriesMax = options.batchEntriesMax ?? columnStoreDefaults.batchEntriesMax;
  const batchLagMs = options.batchLagMs ?? columnStoreDefaults.batchLagMs;
  invariant(Number.isSafeInteger(batchEntriesMax) && batchEntriesMax >= 1, `batchEntriesMax ${batchEntriesMax} (at least 1)`);
  invariant(Number.isFinite(batchLagMs) && batchLagMs >= 0, `batchLagMs ${batchLagMs} (at least 0)`);
  const core = await loadCheckpoint(options.directory, configOf(options));
  return new ColumnStoreImpl(core, options, batchEntriesMax, batchLagMs);
}

/** One row as the row store's scan gives it: the key (no table prefix) and the row in the catalog's column order. */
export interface KeyedSourceRow {
  readonly key: Uint8Array;
  readonly row: Row;
}

/**
 * Builds a column store holding every row of `catalog`'s tables as of
 * `index` (read from another view, the row store), and checkpoints it there,
 * in `options.directory` (which must hold no column store). For a node whose
 * WAL starts after `index` (a Raft snapshot was installed), so the column
 * store cannot be rebuilt by replay. Every row counts as inserted at `index`:
 * reads at or after it see the same rows as the row store.
 */
export async function buildColumnStore(
  options: ColumnStoreOptions, catalog: Catalog, index: number, rowsOf: (tableId: number) => AsyncIterable<KeyedSourceRow>,
): Promise<ColumnStore> {
  const batchEntriesMax = options.batchEntriesMax ?? columnStoreDefaults.batchEntriesMax;
  const batchLagMs = options.batchLagMs ?? columnStoreDefaults.batchLagMs;
  const config = configOf(options);
  const core = new ColumnCore(config, catalog, index);
  for (const def of catalog.tables()) {
    const table = new TableColumns(def, index, config);
    core.tables.set(def.id, table);
    for await (const { key, row } of rowsOf(def.id)) table.insert(row, key, index);
  }
  const store = new ColumnStoreImpl(core, options, batchEntriesMax, batchLagMs);
  await store.checkpoint();
  return store;
}

export function columnStoreDirectory(dataDir: string): string {
  return join(dataDir, 'columnstore');
}

const timerDelayMsMax = 2 ** 31 - 1;

interface Waiter {
  readonly index: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

class ColumnStoreImpl implements ColumnStore {
  private failure: ColumnStoreFailedError | undefined;
  private closed = false;
  private waiters: Waiter[] = [];
  private readonly subscriptions = new Set<Subscription>();
  /** One per attached stream: applies what it has buffered now. */
  private readonly flushers = new Set<() => void>();
  private checkpointChain: Promise<unknown> = Promise.resolve();
  private lastCheckpointIndex: number;
  private lastAppliedWallMs: number | null = null;
  private batchesApplied = 0;
  private entriesApplied = 0;
  private readonly compression: ColumnStoreCompression;
  private readonly nowMs: () => number;
  /** Null: merges run on this thread. */
  private readonly compactionWorkers: CompactionWorkers | null;

  constructor(private readonly core: ColumnCore, private readonly options: ColumnStoreOptions, private readonly batchEntriesMax: number, private readonly batchLagMs: number) {
    this.lastCheckpointIndex = core.appliedIndex;
    this.compression = options.compression ?? columnStoreDefaults.compression;
    this.nowMs = options.nowMs ?? Date.now;
    const threads = options.compactionThreads ?? 0;
    invariant(Number.isSafeInteger(threads) && threads >= 0, `compactionThreads ${threads} (0 or more)`);
    this.compactionWorkers = threads > 0 ? new CompactionWorkers(threads) : null;
  }

  appliedIndex(): number {
    return this.core.appliedIndex;
  }

  checkpointIndex(): number {
    return this.lastCheckpointIndex;
  }

  catalog(): Catalog {
    return this.core.catalog;
  }

  private checkOpen(): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.closed) throw new ColumnStoreClosedError('column store is closed');
  }

  apply(entry: LogEntry): void {
    this.applyBatch([entry]);
  }

  applyBatch(entries: readonly LogEntry[]): void {
    this.checkOpen();
    try {
      for (const entry of entries) this.core.apply(entry);
    } catch (error) {
      this.fail(error);
      throw this.failure;
    } finally {
      this.entriesApplied += entries.length;
      this.batchesApplied++;
      this.lastAppliedWallMs = this.nowMs();
      this.wake();
    }
  }

  private fail(error: unknown): void {
    const cause = error instanceof Error ? error : new Error(String(error));
    this.failure = new ColumnStoreFailedError(`column store stopped: ${cause.message}`, { cause });
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(this.failure);
    }
    this.waiters = [];
  }

  private wake(): void {
    if (this.waiters.length === 0) return;
    const applied = this.core.appliedIndex;
    const still: Waiter[] = [];
    for (const w of this.waiters) {
      if (w.index <= applied) {
        clearTimeout(w.timer);
        w.resolve();
      } else {
        still.push(w);
      }
    }
    this.waiters = still;
  }

  attachToLog(committed$: Observable<LogEntry>, onFatal?: (error: Error) => void): Subscription {
    // Entries are buffered and applied as one batch when batchEntriesMax are
    // buffered (synchronously inside the producer's next(): a full batch is
    // applied before the producer continues, backpressure through a
    // synchronous emission, so the buffer never exceeds batchEntriesMax), when
    // a reader needs one of them (applyOnDemand: a query waiting for its read
    // index must not sit out the timer, which was most of commit-to-visible),
    // or batchLagMs after the first entry of the batch arrived.
    let pending: LogEntry[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onDemand = this.options.applyOnDemand ?? true;
    const flush = (): void => {
      if (timer !== undefined) {
        clearTimeout(timer);
        timer = undefined;
      }
      if (pending.length === 0) return;
      const batch = pending;
      pending = [];
      if (this.failure !== undefined || this.closed) return;
      try {
        this.applyBatch(batch);
      } catch (error) {
        onFatal?.(error instanceof Error ? error : new Error(String(error)));
      }
    };
    const subscription = committed$.subscribe({
      next: (entry) => {
        pending.push(entry);
        if (pending.length >= this.batchEntriesMax || (onDemand && this.waitedFor(entry.index))) flush();
        else timer ??= setTimeout(flush, this.batchLagMs);
      },
      complete: flush,
      // The log reports its own failure; the view stops advancing.
      error: () => undefined,
    });
    if (onDemand) this.flushers.add(flush);
    this.subscriptions.add(subscription);
    subscription.add(() => {
      if (timer !== undefined) clearTimeout(timer);
      this.flushers.delete(flush);
      this.subscriptions.delete(subscription);
    });
    return subscription;
  }

  /** Some reader waits for an index at or below `index`. */
  private waitedFor(index: number): boolean {
    for (const w of this.waiters) if (w.index <= index) return true;
    return false;
  }

  applyBuffered(): void {
    if (this.closed || this.failure !== undefined) return;
    for (const flush of this.flushers) flush();
  }

  waitApplied(index: number, timeoutMs: number): Promise<void> {
    try {
      this.checkOpen();
    } catch (error) {
      return Promise.reject(error as Error);
    }
    if (index <= this.core.appliedIndex) return Promise.resolve();
    // The entries may be here already, waiting for the batch timer.
    for (const flush of this.flushers) flush();
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (index <= this.core.appliedIndex) return Promise.resolve();
    if (!(timeoutMs >= 0)) return Promise.reject(new RangeError(`waitApplied timeout ${timeoutMs} ms`));
    return new Promise<void>((resolve, reject) => {
      // setTimeout fires at once for delays above 2^31 - 1 ms: clamp (about 24.8 days).
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.timer !== timer);
        reject(new WaitAppliedTimeoutError(`column store applied ${this.core.appliedIndex} of ${index} within ${timeoutMs} ms`));
      }, Math.min(timeoutMs, timerDelayMsMax));
      this.waiters.push({ index, resolve, reject, timer });
    });
  }

  scanTable(tableId: number, columnIds: readonly number[], readIndex: number, options?: ScanOptions): Iterable<ScanBatch> {
    this.checkOpen();
    return scanTable(this.core, tableId, columnIds, readIndex, options);
  }

  tableZones(tableId: number, columnIds: readonly number[], readIndex: number): SegmentZones[] {
    this.checkOpen();
    return tableZones(this.core, tableId, columnIds, readIndex);
  }

  readHorizon(tableId: number): number | undefined {
    this.checkOpen();
    return this.core.tables.get(tableId)?.scanHorizon;
  }

  checkpoint(): Promise<{ readonly index: number }> {
    const run = this.checkpointChain.then(async () => {
      this.checkOpen();
      const plan = planCheckpoint(this.core);
      await writeCheckpoint(this.options.directory, plan, this.compression, this.options.coldCompression ?? this.compression);
      this.lastCheckpointIndex = plan.index;
      return { index: plan.index };
    });
    this.checkpointChain = run.catch(() => undefined);
    return run;
  }

  async compact(options: CompactionOptions = {}): Promise<readonly CompactionStep[]> {
    const steps: CompactionStep[] = [];
    const mergesMax = options.mergesMax ?? Number.POSITIVE_INFINITY;
    for (const tableId of options.tableIds ?? [...this.core.tables.keys()]) {
      // A merge the table changed under (see finishMerge) is picked again, a few times at most.
      let retries = 0;
      while (steps.length < mergesMax) {
        this.checkOpen();
        const table = this.core.tables.get(tableId);
        if (table === undefined) break;
        const horizon = Math.min(options.horizonIndex ?? this.core.appliedIndex, this.core.appliedIndex);
        const policy = { horizonIndex: horizon, fillFractionMin: options.fillFractionMin ?? 0.5 };
        const group = pickGroup(table, this.core.config.segmentRowsMax, policy);
        if (group === null) break;
        const plan = planMerge(this.core, table, group, horizon);
        const job = plan.job;
        // On a worker, entries go on applying (and queries running) while the rows are copied.
        const result = job === null ? null : this.compactionWorkers === null ? mergeJob(job) : await this.compactionWorkers.run(job);
        this.checkOpen();
        const step = finishMerge(this.core, plan, result);
        if (step !== null) steps.push(step);
        else if (++retries > 3) break;
        // Let entries apply and reads run between merges.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    return steps;
  }

  stats(): ColumnStoreStats {
    let segments = 0;
    let rows = 0;
    let liveRows = 0;
    let keyIndexBytes = 0;
    for (const t of this.core.tables.values()) {
      segments += t.segments.length;
      rows += t.rowCount;
      liveRows += t.liveCount;
      keyIndexBytes += t.keyIndex.heapBytes;
    }
    return {
      appliedIndex: this.core.appliedIndex, checkpointIndex: this.lastCheckpointIndex,
      lastAppliedCommitTsMicros: this.core.lastCommitTsMicros, lastAppliedWallMs: this.lastAppliedWallMs,
      batchesApplied: this.batchesApplied, entriesApplied: this.entriesApplied,
      tables: this.core.tables.size, segments, rows, liveRows, keyIndexBytes,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const s of [...this.subscriptions]) s.unsubscribe();
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(new ColumnStoreClosedError('column store closed'));
    }
    this.waiters = [];
    await this.checkpointChain;
    // A merge still running on a worker fails (its result is not swapped in: the store is closed).
    await this.compactionWorkers?.close();
  }
}
