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
import { columnStoreDirectory, openColumnStore, type ColumnStore, type ColumnStoreCompression } from '../materializers/columnstore/index.js';
import type { CheckpointableView } from './checkpointer.js';

export interface ColumnStoreServiceOptions {
  readonly dataDir: string;
  readonly compression: ColumnStoreCompression;
  readonly logger: Logger;
  /** Background compaction period; 0 turns it off. Default 60 s. */
  readonly compactionIntervalMs?: number;
}

export interface ColumnStoreService {
  readonly store: ColumnStore;
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
   * Stops applying, closes the store and deletes its directory (a snapshot
   * from the leader replaced the row store; see server/snapshot-store.ts).
   * Its checkpointer view then no longer holds the WAL back. Idempotent.
   */
  drop(): Promise<void>;
  /** False once dropped. */
  inUse(): boolean;
}

const compactionIntervalMsDefault = 60_000;

/** Entries after `appliedIndex()`: a view whose checkpoint is ahead of the log's replay start skips what it holds. */
export function skipApplied(committed$: Observable<LogEntry>, appliedIndex: () => number): Observable<LogEntry> {
  return committed$.pipe(filter((entry) => entry.index > appliedIndex()));
}

/**
 * Opens the column store. `walFirstIndex` is the first index the WAL still
 * holds: a column store whose checkpoint is below it (a new column store on
 * an old data directory whose WAL was compacted) cannot be rebuilt from the
 * log, so it is not used (undefined, logged): queries take the row path.
 */
export async function openColumnStoreService(options: ColumnStoreServiceOptions, walFirstIndex: number): Promise<ColumnStoreService | undefined> {
  const { logger } = options;
  const store = await openColumnStore({ directory: columnStoreDirectory(options.dataDir), compression: options.compression });
  const checkpointIndex = store.checkpointIndex();
  if (walFirstIndex > checkpointIndex + 1) {
    logger.warn({ checkpointIndex, walFirstIndex }, 'the column store cannot be rebuilt: the WAL no longer holds the entries after its checkpoint; analytic queries use the row store');
    await store.close();
    return undefined;
  }
  logger.info({ checkpointIndex }, 'column store opened; replaying the log after its checkpoint');
  let subscription: Subscription | undefined;
  let compactionTimer: NodeJS.Timeout | undefined;
  let compacting: Promise<unknown> = Promise.resolve();
  let dropped: Promise<void> | undefined;
  const intervalMs = options.compactionIntervalMs ?? compactionIntervalMsDefault;
  const stopApplying = async (): Promise<void> => {
    if (compactionTimer !== undefined) clearInterval(compactionTimer);
    await compacting;
    subscription?.unsubscribe();
  };
  return {
    store,
    view: {
      name: 'columnstore',
      // A dropped store holds nothing back: it checkpoints nothing and bounds no compaction.
      checkpoint: async () => ({ appliedIndex: dropped === undefined ? (await store.checkpoint()).index : Number.POSITIVE_INFINITY }),
      checkpointIndex: () => (dropped === undefined ? store.checkpointIndex() : Number.POSITIVE_INFINITY),
    },
    checkpointIndex: () => store.checkpointIndex(),
    inUse: () => dropped === undefined,
    drop() {
      dropped ??= (async () => {
        await stopApplying();
        await store.close();
        await rm(columnStoreDirectory(options.dataDir), { recursive: true, force: true });
        logger.warn('column store dropped after a snapshot install: analytic queries on this node use the row store');
      })();
      return dropped;
    },
    attach(committed$, onFatal) {
      subscription = store.attachToLog(skipApplied(committed$, () => store.appliedIndex()), onFatal);
      if (intervalMs > 0) {
        compactionTimer = setInterval(() => {
          compacting = compacting.then(() => store.compact()).catch((err: unknown) => logger.error({ err }, 'column store compaction failed'));
        }, intervalMs);
        compactionTimer.unref();
      }
    },
    async close() {
      if (dropped !== undefined) {
        await dropped;
        return;
      }
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
