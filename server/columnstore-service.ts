// Wiring of the column store into a node: opened in data_dir/columnstore,
// fed the committed entries after its own checkpoint, checkpointed by the
// node's Checkpointer (so the WAL below it is kept until it has
// checkpointed), compacted in the background, closed after the log.
//
// Replay: the log replays committed entries after the index the node passes
// as `appliedIndex`. With two views that index is the smaller of the two
// checkpoints (`replayAfter`), and each view skips the entries it already
// holds (`skipApplied`): both folds require entries in order without gaps.

import { rm } from 'node:fs/promises';
import { filter, type Observable, type Subscription } from 'rxjs';
import type { Logger } from 'pino';
import type { LogEntry } from '../log/index.js';
import type { Catalog } from '../materializers/catalog/index.js';
import {
  buildColumnStore, columnStoreDirectory, openColumnStore, type ColumnStore, type ColumnStoreCompression, type KeyedSourceRow,
} from '../materializers/columnstore/index.js';
import { fullRange, type KeyRange } from '../materializers/keys/index.js';
import type { CheckpointableView } from './checkpointer.js';

export interface ColumnStoreServiceOptions {
  readonly dataDir: string;
  readonly compression: ColumnStoreCompression;
  /** For segments compaction rewrote. Default: `compression`. */
  readonly coldCompression?: ColumnStoreCompression;
  readonly logger: Logger;
  /** Background compaction period; 0 turns it off. Default 60 s. */
  readonly compactionIntervalMs?: number;
  /** Worker threads a compaction copies rows on (`storage.compaction_threads`). Default 0: the calling thread. */
  readonly compactionThreads?: number;
}

/** Where a column store is rebuilt from when the WAL cannot replay it: the row store. */
export interface ColumnStoreSourceView {
  appliedIndex(): number;
  catalogAt(index: number): Catalog;
  scan(tableId: number, range: KeyRange, readIndex: number): AsyncIterable<KeyedSourceRow>;
}

export interface ColumnStoreService {
  /** The store in use now (a rebuild replaces it). */
  readonly store: ColumnStore;
  /** The store queries may read now: undefined while a rebuild runs (they take the row path meanwhile). */
  current(): ColumnStore | undefined;
  /** The view for the node's Checkpointer. */
  readonly view: CheckpointableView;
  /** The lowest index the log must replay after for this view (its checkpoint). */
  checkpointIndex(): number;
  /**
   * Subscribes the store to committed$ (before the log starts: committed$ does
   * not replay for late subscribers), skipping entries it already applied.
   */
  attach(committed$: Observable<LogEntry>, onFatal: (error: Error) => void): void;
  /** Stops compaction and applying, after a final checkpoint. Call after the log closed. */
  close(): Promise<void>;
  /**
   * Replaces the store by one built from `source` at its applied index (a
   * Raft snapshot replaced the row store and the WAL starts after it; see
   * server/snapshot-store.ts): stops applying, deletes the old directory,
   * builds and checkpoints the new store, and follows committed$ again.
   */
  rebuildFrom(source: ColumnStoreSourceView): Promise<void>;
}

const compactionIntervalMsDefault = 60_000;

/** Entries after `appliedIndex()`: a view whose checkpoint is ahead of the log's replay start skips what it holds. */
export function skipApplied(committed$: Observable<LogEntry>, appliedIndex: () => number): Observable<LogEntry> {
  return committed$.pipe(filter((entry) => entry.index > appliedIndex()));
}

async function buildFrom(options: ColumnStoreServiceOptions, source: ColumnStoreSourceView): Promise<ColumnStore> {
  const directory = columnStoreDirectory(options.dataDir);
  await rm(directory, { recursive: true, force: true });
  const index = source.appliedIndex();
  const startedMs = Date.now();
  const store = await buildColumnStore({ directory, compression: options.compression, coldCompression: options.coldCompression, compactionThreads: options.compactionThreads }, source.catalogAt(index), index, (tableId) => source.scan(tableId, fullRange, index));
  options.logger.info({ index, rows: store.stats().rows, ms: Date.now() - startedMs }, 'column store rebuilt from the row store');
  return store;
}

/**
 * Opens the column store. `walFirstIndex` is the first index the WAL still
 * holds: a column store whose checkpoint is below it (a node that installed
 * a Raft snapshot, or a new column store on an old data directory whose WAL
 * was compacted) cannot catch up from the log, so it is rebuilt from
 * `source` (the row store, at its applied index) before the log replays.
 */
export async function openColumnStoreService(
  options: ColumnStoreServiceOptions, walFirstIndex: number, source: ColumnStoreSourceView,
): Promise<ColumnStoreService> {
  const { logger } = options;
  let store = await openColumnStore({
    directory: columnStoreDirectory(options.dataDir), compression: options.compression, coldCompression: options.coldCompression,
    compactionThreads: options.compactionThreads,
  });
  const checkpointIndex = store.checkpointIndex();
  if (walFirstIndex > checkpointIndex + 1) {
    logger.warn({ checkpointIndex, walFirstIndex }, 'the WAL no longer holds the entries after the column store\'s checkpoint: rebuilding it from the row store');
    await store.close();
    store = await buildFrom(options, source);
  } else {
    logger.info({ checkpointIndex }, 'column store opened; replaying the log after its checkpoint');
  }
  let subscription: Subscription | undefined;
  let compactionTimer: NodeJS.Timeout | undefined;
  let compacting: Promise<unknown> = Promise.resolve();
  let followed: { committed$: Observable<LogEntry>; onFatal: (error: Error) => void } | undefined;
  let rebuilding: Promise<void> | undefined;
  let rebuildsRunning = 0;
  const intervalMs = options.compactionIntervalMs ?? compactionIntervalMsDefault;
  const follow = (): void => {
    if (followed === undefined) return;
    subscription = store.attachToLog(skipApplied(followed.committed$, () => store.appliedIndex()), followed.onFatal);
    if (intervalMs > 0) {
      compactionTimer = setInterval(() => {
        compacting = compacting.then(() => store.compact()).catch((err: unknown) => logger.error({ err }, 'column store compaction failed'));
      }, intervalMs);
      compactionTimer.unref();
    }
  };
  const stopApplying = async (): Promise<void> => {
    if (compactionTimer !== undefined) clearInterval(compactionTimer);
    compactionTimer = undefined;
    await compacting;
    subscription?.unsubscribe();
    subscription = undefined;
  };
  return {
    get store() {
      return store;
    },
    current: () => (rebuildsRunning > 0 ? undefined : store),
    view: {
      name: 'columnstore',
      checkpoint: async () => {
        await rebuilding;
        return { appliedIndex: (await store.checkpoint()).index };
      },
      checkpointIndex: () => store.checkpointIndex(),
    },
    checkpointIndex: () => store.checkpointIndex(),
    attach(committed$, onFatal) {
      followed = { committed$, onFatal };
      follow();
    },
    rebuildFrom(rowSource) {
      rebuildsRunning++;
      const run = (async () => {
        try {
          await rebuilding;
          await stopApplying();
          await store.close();
          store = await buildFrom(options, rowSource);
          follow();
        } finally {
          rebuildsRunning--;
        }
      })();
      rebuilding = run.catch(() => undefined);
      return run;
    },
    async close() {
      await rebuilding;
      await stopApplying();
      try {
        await store.checkpoint();
      } catch (err) {
        logger.error({ err }, 'final column store checkpoint failed; the WAL still holds the entries');
      }
      await store.close();
    },
  };
}
