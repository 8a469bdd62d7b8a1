// Periodic checkpoints of the views (and early ones when a view says one is
// due, e.g. after a bulk load), and WAL compaction below them. The WAL
// is the system of record: segments are deleted only once every view has
// checkpointed past them, and only when the WAL exceeds max_wal_size, so a
// deleted view can still be rebuilt from the log while there is room.
//
// On a leader, compaction first stops at the lowest match index of the live
// followers (the log's liveFollowersMatchIndex), so a follower that is
// merely behind keeps getting entries. Only if the WAL is still above
// max_wal_size after that does it go on to the views' checkpoints: the size
// limit wins, and a follower that needs the deleted entries is sent a
// snapshot (log/raft/snapshot.ts).
import type { Logger } from 'pino';

/** The slice of a view the checkpointer drives (the row store today). */
export interface CheckpointableView {
  readonly name: string;
  checkpoint(): Promise<{ readonly appliedIndex: number }>;
  checkpointIndex(): number;
  /** True when the view holds so much unwritten data that it should checkpoint before the interval. */
  checkpointDue?(): boolean;
}

/** The slice of the log the checkpointer compacts. */
export interface CompactableLog {
  sizeBytes(): number;
  compact(index: number): Promise<void>;
  /** On a leader, the lowest match index of live followers; undefined otherwise. */
  liveFollowersMatchIndex?(): number | undefined;
}

export interface CheckpointerOptions {
  readonly views: readonly CheckpointableView[];
  readonly log: CompactableLog;
  readonly intervalMs: number;
  readonly maxWalSizeBytes: number;
  readonly logger: Logger;
  /** How often views are asked whether a checkpoint is due early (checkpointDue); default dueCheckIntervalMs. */
  readonly dueCheckMs?: number;
}

/** Views are asked this often whether a checkpoint is due before the interval: a bulk load should not wait a minute for it. */
export const dueCheckIntervalMs = 1000;

export class Checkpointer {
  private timer: NodeJS.Timeout | undefined;
  private dueTimer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  /** Runs queued or in progress. */
  private queued = 0;
  /** The last run failed: early runs wait for the interval (no retry and error log every second). */
  private failed = false;

  constructor(private readonly options: CheckpointerOptions) {}

  start(): void {
    this.timer = setInterval(() => { void this.runOnce(); }, this.options.intervalMs);
    // A pending checkpoint must not keep a stopped process alive.
    this.timer.unref();
    this.dueTimer = setInterval(() => {
      if (this.queued === 0 && !this.failed && this.options.views.some((view) => view.checkpointDue?.() === true)) void this.runOnce();
    }, this.options.dueCheckMs ?? dueCheckIntervalMs);
    this.dueTimer.unref();
  }

  /** Checkpoints every view, then compacts the WAL if it is over its size limit. Runs never overlap. */
  runOnce(): Promise<void> {
    return this.enqueue().catch((err: unknown) => {
      // A failed checkpoint loses nothing (the WAL still holds every entry);
      // the next interval retries. Storage that stays broken fails the log.
      this.options.logger.error({ err }, 'checkpoint failed; the WAL still holds everything, retrying next interval');
    });
  }

  /**
   * A checkpoint now, for the CHECKPOINT statement: queued behind a running
   * one (so it covers everything applied before the call) and, unlike the
   * timers' runs, its failure reaches the caller.
   */
  checkpointNow(): Promise<void> {
    return this.enqueue().catch((err: unknown) => {
      this.options.logger.error({ err }, 'CHECKPOINT failed; the WAL still holds everything');
      throw err;
    });
  }

  /** One checkpoint queued behind the running one; rejects with its failure. */
  private enqueue(): Promise<void> {
    this.queued++;
    const run = this.running.then(() => this.checkpointAndCompact()).then(
      () => { this.failed = false; },
      (err: unknown) => { this.failed = true; throw err; },
    ).finally(() => { this.queued--; });
    this.running = run.catch(() => undefined);
    return run;
  }

  /** Stops the timers and runs a final checkpoint (shutdown). */
  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    if (this.dueTimer !== undefined) clearInterval(this.dueTimer);
    this.timer = undefined;
    this.dueTimer = undefined;
    await this.runOnce();
  }

  private async checkpointAndCompact(): Promise<void> {
    const { views, log, maxWalSizeBytes, logger } = this.options;
    // Side by side: the views write separate stores, and after a bulk load
    // the row store's RocksDB writes of its bulk rows (4.8 s at TPC-H SF 0.2)
    // and the column store's segment files (1.8 s) overlap on two cores.
    // Every view settles before a failure is reported, so none outlives its run.
    const results = await Promise.allSettled(views.map(async (view) => {
      const startMs = Date.now();
      const result = await view.checkpoint();
      logger.debug({ view: view.name, appliedIndex: result.appliedIndex, ms: Date.now() - startMs }, 'checkpoint written');
    }));
    for (const r of results) if (r.status === 'rejected') throw r.reason;
    const walBytes = log.sizeBytes();
    if (walBytes <= maxWalSizeBytes || views.length === 0) return;
    const safeIndex = Math.min(...views.map((view) => view.checkpointIndex()));
    const followersIndex = log.liveFollowersMatchIndex?.();
    if (followersIndex !== undefined && followersIndex < safeIndex) {
      await log.compact(followersIndex);
      if (log.sizeBytes() <= maxWalSizeBytes) {
        logger.info({ compactedThrough: followersIndex, walBytesBefore: walBytes, walBytesAfter: log.sizeBytes(), maxWalSizeBytes }, 'WAL compacted below what live followers hold');
        return;
      }
      logger.warn(
        { followersMatchIndex: followersIndex, compactingThrough: safeIndex, walBytes: log.sizeBytes(), maxWalSizeBytes },
        'WAL still above storage.max_wal_size after keeping what live followers need: compacting further; followers behind will be sent a snapshot',
      );
    }
    await log.compact(safeIndex);
    logger.info({ compactedThrough: safeIndex, walBytesBefore: walBytes, walBytesAfter: log.sizeBytes(), maxWalSizeBytes }, 'WAL compacted below the views\' checkpoints');
  }
}
