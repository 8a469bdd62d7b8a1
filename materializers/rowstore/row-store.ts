// The row store: the OLTP view of the log. It applies committed entries
// synchronously in index order (so a resolved propose() implies applied),
// answers reads at a read index from MVCC versions in memory and from RocksDB,
// and checkpoints to RocksDB with its applied index.

import { BehaviorSubject, filter, firstValueFrom, type Observable, type Subscription } from 'rxjs';
import { join } from 'node:path';
import { invariant } from '../assert.js';
import { indexKeyOf, type Catalog } from '../catalog/index.js';
import type { Row } from '../entries/index.js';
import { fullRange, type KeyRange } from '../keys/index.js';
import type { LogEntry } from '../../log/index.js';
import { addIndexKey, applyEntry } from './apply.js';
import { writeBulk, type BulkWrite } from './bulk-write.js';
import { checkpointDue, runCheckpoint, type CheckpointResult } from './checkpoint.js';
import type { StoreCore } from './core.js';
import { RowStoreClosedError, RowStoreFailedError, UnknownObjectError } from './errors.js';
import { openRocksKvStore } from './kv-store.js';
import { FencedKv, pinIterator, replaceAllKeys, type PinnedRowSnapshot } from './snapshot.js';
import { openCore } from './open.js';
import { checkReadIndex, get, lookupIndex, scan, tryGetCached, tryLookupIndexCached, type KeyedRow, type ScanOptions } from './reads.js';
import { keyString, type IndexState } from './state.js';

export interface RowStoreOptions {
  /** The row store's directory (the server passes data_dir/rowstore); created if missing. */
  readonly directory: string;
  /** buffer_pool_size: bytes of rows and index entries kept in memory. Dirty data may exceed it until a checkpoint. */
  readonly bufferPoolBytes: number;
  /**
   * A multi-part transaction (a big COPY) writes its inserts straight to
   * RocksDB (bulk-write.ts) only when its parts' entry bytes exceed this;
   * default a quarter of bufferPoolBytes. Rows held in memory take about
   * 4-6 times their entry bytes until a checkpoint (~750 B for a ~130 B
   * TPC-H lineitem row), so a load under it fits in the pool and stays
   * warm: pgbench -S right after pgbench -i (1M rows, ~110 MB) ran at 0.39
   * of PostgreSQL with its rows cold in RocksDB, 0.96 resident.
   */
  readonly bulkRowsMinBytes?: number;
}

/** A pinned read index with the catalog as of that index. Release it: it holds back version GC. */
export interface RowSnapshot {
  readonly readIndex: number;
  readonly catalog: Catalog;
  get(tableId: number, key: Uint8Array): Promise<Row | null>;
  tryGetCached(tableId: number, key: Uint8Array): Row | null | undefined;
  scan(tableId: number, range?: KeyRange, options?: ScanOptions): AsyncIterable<KeyedRow>;
  lookupIndex(indexId: number, range: KeyRange, options?: ScanOptions): AsyncIterable<KeyedRow>;
  tryLookupIndexCached(indexId: number, range: KeyRange): readonly KeyedRow[] | undefined;
  /** Idempotent. */
  release(): void;
}

export interface RowStoreStats {
  readonly appliedIndex: number;
  readonly checkpointIndex: number;
  readonly horizonIndex: number;
  readonly cachedBytes: number;
  readonly bufferPoolBytes: number;
  readonly rowEntries: number;
  readonly indexEntries: number;
  readonly dirtyRows: number;
  readonly dirtyIndexEntries: number;
  readonly snapshots: number;
  readonly evictions: number;
  readonly storageReads: number;
  /** Row entries kept encoded (clean, one version), decoded on read. */
  readonly packedRows: number;
  readonly pendingMarkers: number;
  /** Parts held of a multi-part transaction not yet complete (0: none). */
  readonly pendingTxnParts: number;
  /** Multi-part transactions dropped unfinished since the store opened. */
  readonly droppedTxns: number;
  /** Rows of multi-part transactions written to RocksDB directly since the store opened (bulk-write.ts). */
  readonly bulkRowsWritten: number;
}

export interface RowStore {
  /** The highest log index applied (Empty entries included). */
  appliedIndex(): number;
  /** The applied index of the last durable checkpoint: pass it as openReplicatedLog's appliedIndex. */
  checkpointIndex(): number;
  /** Reads and snapshots must be at or above this index. */
  horizonIndex(): number;
  /** The catalog after the last applied entry. */
  catalog(): Catalog;
  /** The catalog as of a read index (at or above the horizon). */
  catalogAt(readIndex: number): Catalog;
  /** The applied index after each entry; errors if the store fails, completes on close. */
  readonly applied$: Observable<number>;
  /** Resolves once `index` is applied. */
  waitForApplied(index: number): Promise<void>;
  /** Applies the next committed entry. Throws (and the store stops) on a corrupt entry or a broken invariant. */
  apply(entry: LogEntry): void;
  /** Subscribes to committed$ (before the log starts) and applies each entry synchronously. */
  attachToLog(committed$: Observable<LogEntry>, onFatal?: (error: Error) => void): Subscription;
  /** Pins a read index (default: the applied index) until release(). */
  registerSnapshot(readIndex?: number): RowSnapshot;
  get(tableId: number, key: Uint8Array, readIndex: number): Promise<Row | null>;
  tryGetCached(tableId: number, key: Uint8Array, readIndex: number): Row | null | undefined;
  scan(tableId: number, range: KeyRange, readIndex: number, options?: ScanOptions): AsyncIterable<KeyedRow>;
  lookupIndex(indexId: number, range: KeyRange, readIndex: number, options?: ScanOptions): AsyncIterable<KeyedRow>;
  tryLookupIndexCached(indexId: number, range: KeyRange, readIndex: number): readonly KeyedRow[] | undefined;
  /** Resolves once a new index's backfill finished (immediately for built indexes). */
  waitForIndex(indexId: number): Promise<void>;
  /** The last high-water mark of a sequence (undefined: never advanced). */
  sequenceValue(sequenceId: number): bigint | undefined;
  /**
   * Writes everything dirty plus the applied index in one synced batch. Serialised.
   * Deferred (nothing written) while parts of a multi-part transaction are held.
   */
  checkpoint(): Promise<CheckpointResult>;
  /**
   * Whether enough is waiting for a checkpoint that one should run before the
   * interval (see checkpointDueRows): a bulk load's rows stay decoded and
   * dirty, and a dropped table's rows stay in memory, until one runs.
   */
  checkpointDue(): boolean;
  stats(): RowStoreStats;
  /**
   * Pins the state of the last durable checkpoint (at checkpointIndex()) for
   * a Raft snapshot, synchronously; undefined while a checkpoint is being
   * written (ask again). Release it or stream it once.
   */
  pinSnapshot(): PinnedRowSnapshot | undefined;
  /**
   * Replaces the whole store by a snapshot's pairs (snapshot-format.ts) whose
   * checkpoint is at `index`, durably, and continues from there: applied and
   * checkpoint index = `index`. Reads in flight on the old state that need
   * storage fail with RowStoreReplacedError (retry). Not atomic on disk: the
   * caller redoes an install a crash interrupted.
   */
  installSnapshot(index: number, pairs: AsyncIterable<readonly [Uint8Array, Uint8Array]>): Promise<void>;
  /** Stops backfills and closes RocksDB. Does not checkpoint: call checkpoint() first at shutdown. */
  close(): Promise<void>;
}

/** Opens the row store in `options.directory`. A missing or empty directory opens empty at applied index 0. */
export async function openRowStore(options: RowStoreOptions): Promise<RowStore> {
  invariant(Number.isSafeInteger(options.bufferPoolBytes) && options.bufferPoolBytes > 0, 'bufferPoolBytes must be a positive integer');
  const kv = new FencedKv(await openRocksKvStore(options.directory));
  const { core, building } = await openCore(kv, options.bufferPoolBytes);
  core.bulkRowsMinBytes = options.bulkRowsMinBytes ?? Math.floor(options.bufferPoolBytes / 4);
  const store = new RowStoreImpl(core, kv);
  for (const index of building) core.startBackfill(index, core.appliedIndex);
  return store;
}

/** The row store directory under a data directory. */
export function rowStoreDirectory(dataDir: string): string {
  return join(dataDir, 'rowstore');
}

class RowStoreImpl implements RowStore {
  private readonly appliedSubject: BehaviorSubject<number>;
  readonly applied$: Observable<number>;
  private failure: RowStoreFailedError | undefined;
  private closed = false;
  private checkpointChain: Promise<unknown> = Promise.resolve();
  private readonly backfills = new Set<Promise<void>>();
  /** A checkpoint batch may be in flight: RocksDB may be ahead of checkpointIndex. */
  private checkpointing = false;

  constructor(private core: StoreCore, private kv: FencedKv) {
    this.appliedSubject = new BehaviorSubject(core.appliedIndex);
    this.applied$ = this.appliedSubject.asObservable();
    core.backfill = (index, buildIndex) => this.startBackfill(index, buildIndex);
    core.bulkWriter = (write) => this.chainBulkWrite(core, write);
  }

  /**
   * Bulk rows are written in the checkpoint chain: a checkpoint built after
   * their apply must not land first (it defers while they are pending), and
   * one that wrote a later version of a key must not be overwritten by them.
   */
  private chainBulkWrite(core: StoreCore, write: BulkWrite): Promise<unknown> {
    const run = this.checkpointChain.catch(() => undefined).then(async () => {
      // A snapshot install replaced the core meanwhile: its state is the snapshot's.
      if (this.core !== core || this.closed) return;
      try {
        await writeBulk(core, write);
      } catch (error) {
        this.fail(error);
        throw error;
      }
    });
    this.checkpointChain = run;
    return run;
  }

  appliedIndex(): number {
    return this.core.appliedIndex;
  }

  checkpointIndex(): number {
    return this.core.checkpointIndex;
  }

  horizonIndex(): number {
    return this.core.horizon();
  }

  catalog(): Catalog {
    return this.core.catalog;
  }

  catalogAt(readIndex: number): Catalog {
    this.checkOpen();
    checkReadIndex(this.core, readIndex);
    return this.core.catalogAt(readIndex);
  }

  async waitForApplied(index: number): Promise<void> {
    this.checkOpen();
    if (index <= this.core.appliedIndex) return;
    try {
      await firstValueFrom(this.applied$.pipe(filter((applied) => applied >= index)));
    } catch (error) {
      throw this.failure ?? (error instanceof Error && error.name === 'EmptyError' ? new RowStoreClosedError() : error);
    }
  }

  apply(entry: LogEntry): void {
    this.checkOpen();
    let after;
    try {
      after = applyEntry(this.core, entry);
    } catch (error) {
      this.fail(error);
      throw this.failure ?? error;
    }
    this.appliedSubject.next(this.core.appliedIndex);
    for (const start of after) start();
  }

  attachToLog(committed$: Observable<LogEntry>, onFatal?: (error: Error) => void): Subscription {
    return committed$.subscribe({
      next: (entry) => {
        if (this.failure !== undefined || this.closed) return;
        try {
          this.apply(entry);
        } catch (error) {
          onFatal?.(error instanceof Error ? error : new Error(String(error)));
        }
      },
      // The log reports its own failure through onFatal; the view just stops advancing.
      error: () => undefined,
    });
  }

  registerSnapshot(readIndex = this.core.appliedIndex): RowSnapshot {
    this.checkOpen();
    checkReadIndex(this.core, readIndex);
    this.core.readPins.pin(readIndex);
    const catalog = this.core.catalogAt(readIndex);
    let released = false;
    return {
      readIndex, catalog,
      get: (tableId, key) => this.get(tableId, key, readIndex),
      tryGetCached: (tableId, key) => this.tryGetCached(tableId, key, readIndex),
      scan: (tableId, range = fullRange, options) => this.scan(tableId, range, readIndex, options),
      lookupIndex: (indexId, range, options) => this.lookupIndex(indexId, range, readIndex, options),
      tryLookupIndexCached: (indexId, range) => this.tryLookupIndexCached(indexId, range, readIndex),
      release: () => {
        if (released) return;
        released = true;
        this.core.readPins.unpin(readIndex);
        this.core.collectGarbage();
        this.core.evictIfOverBudget();
      },
    };
  }

  get(tableId: number, key: Uint8Array, readIndex: number): Promise<Row | null> {
    this.checkOpen();
    return get(this.core, tableId, key, readIndex);
  }

  tryGetCached(tableId: number, key: Uint8Array, readIndex: number): Row | null | undefined {
    this.checkOpen();
    return tryGetCached(this.core, tableId, key, readIndex);
  }

  scan(tableId: number, range: KeyRange, readIndex: number, options?: ScanOptions): AsyncIterable<KeyedRow> {
    this.checkOpen();
    return scan(this.core, tableId, range, readIndex, options);
  }

  lookupIndex(indexId: number, range: KeyRange, readIndex: number, options?: ScanOptions): AsyncIterable<KeyedRow> {
    this.checkOpen();
    return lookupIndex(this.core, indexId, range, readIndex, options);
  }

  tryLookupIndexCached(indexId: number, range: KeyRange, readIndex: number): readonly KeyedRow[] | undefined {
    this.checkOpen();
    return tryLookupIndexCached(this.core, indexId, range, readIndex);
  }

  waitForIndex(indexId: number): Promise<void> {
    this.checkOpen();
    const state = this.core.indexes.get(indexId);
    if (state === undefined) return Promise.reject(new UnknownObjectError('index', indexId, this.core.appliedIndex));
    return state.whenReady();
  }

  sequenceValue(sequenceId: number): bigint | undefined {
    return this.core.sequences.get(sequenceId);
  }

  checkpoint(): Promise<CheckpointResult> {
    this.checkOpen();
    const run = this.checkpointChain.catch(() => undefined).then(async () => {
      this.checkOpen();
      this.checkpointing = true;
      try {
        return await runCheckpoint(this.core);
      } finally {
        this.checkpointing = false;
      }
    });
    this.checkpointChain = run;
    return run;
  }

  checkpointDue(): boolean {
    return !this.closed && this.failure === undefined && !this.checkpointing && checkpointDue(this.core);
  }

  stats(): RowStoreStats {
    const c = this.core;
    let rowEntries = 0;
    let indexEntries = 0;
    for (const t of c.tables.values()) rowEntries += t.rows.size;
    for (const i of c.indexes.values()) indexEntries += i.entries.size;
    return {
      appliedIndex: c.appliedIndex, checkpointIndex: c.checkpointIndex, horizonIndex: c.horizon(), cachedBytes: c.cachedBytes,
      bufferPoolBytes: c.budgetBytes, rowEntries, indexEntries, dirtyRows: c.dirtyRows.size, dirtyIndexEntries: c.dirtyIndexEntries.size,
      snapshots: c.readPins.pinCount(), evictions: c.evictions, storageReads: c.storageReads, packedRows: c.packedRows, pendingMarkers: c.markers.length,
      pendingTxnParts: c.parts.pendingTxn()?.parts ?? 0, droppedTxns: c.parts.droppedTxns, bulkRowsWritten: c.bulkRowsWritten,
    };
  }

  pinSnapshot(): PinnedRowSnapshot | undefined {
    this.checkOpen();
    // RocksDB may be ahead of checkpointIndex: during a checkpoint's batch, or with bulk rows written since the last one.
    if (this.checkpointing || this.core.storedAhead) return undefined;
    return pinIterator(this.core.checkpointIndex, this.kv.iterate({}));
  }

  installSnapshot(index: number, pairs: AsyncIterable<readonly [Uint8Array, Uint8Array]>): Promise<void> {
    this.checkOpen();
    // In the checkpoint chain: no checkpoint writes while the store is replaced.
    const run = this.checkpointChain.catch(() => undefined).then(() => this.replaceWith(index, pairs));
    this.checkpointChain = run;
    return run;
  }

  private async replaceWith(index: number, pairs: AsyncIterable<readonly [Uint8Array, Uint8Array]>): Promise<void> {
    this.checkOpen();
    const old = this.core;
    // From here the old core's storage reads fail (RowStoreReplacedError) rather than read the new contents.
    this.kv.revoke();
    const kv = new FencedKv(this.kv.inner);
    await replaceAllKeys(kv, pairs);
    const { core, building } = await openCore(kv, old.budgetBytes);
    core.bulkRowsMinBytes = old.bulkRowsMinBytes;
    invariant(core.appliedIndex === index, `the installed snapshot holds applied index ${core.appliedIndex}, expected ${index}`);
    core.checkpointIndex = index;
    this.kv = kv;
    this.core = core;
    core.backfill = (state, buildIndex) => this.startBackfill(state, buildIndex);
    core.bulkWriter = (write) => this.chainBulkWrite(core, write);
    for (const state of building) core.startBackfill(state, core.appliedIndex);
    this.appliedSubject.next(core.appliedIndex);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.checkpointChain.catch(() => undefined);
    await Promise.allSettled([...this.backfills]);
    for (const index of this.core.indexes.values()) index.markReady();
    if (this.failure === undefined) this.appliedSubject.complete();
    await this.core.kv.close();
  }

  private checkOpen(): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.closed) throw new RowStoreClosedError();
  }

  private fail(error: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = new RowStoreFailedError(error);
    this.appliedSubject.error(this.failure);
  }

  /** Fills a new index from the rows visible at its creation; live applies maintain it from then on. */
  private startBackfill(index: IndexState, buildIndex: number): void {
    this.core.readPins.pin(buildIndex);
    const run = this.backfill(index, buildIndex).finally(() => {
      this.core.readPins.unpin(buildIndex);
      this.backfills.delete(run);
    });
    this.backfills.add(run);
  }

  private async backfill(index: IndexState, buildIndex: number): Promise<void> {
    const core = this.core;
    const table = core.catalogAt(buildIndex).tableById(index.tableId);
    invariant(table !== undefined, `backfill of index ${index.id}: no table ${index.tableId} at ${buildIndex}`);
    try {
      for await (const { key, row } of scan(core, index.tableId, fullRange, buildIndex)) {
        if (this.closed) return;
        const indexKey = indexKeyOf(table, index.def, row);
        const entryKey = keyString(indexKey) + keyString(key);
        // An entry already here came from a later apply: it knows better.
        if (!index.entries.has(entryKey)) addIndexKey(core, index, entryKey, indexKey.length, buildIndex);
      }
      index.markReady();
      core.evictIfOverBudget();
    } catch (error) {
      // A backfill of a core a snapshot replaced just stops (its storage reads are fenced).
      if (!this.closed && this.core === core) this.fail(error);
    }
  }
}
