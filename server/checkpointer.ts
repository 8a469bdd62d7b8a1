// Periodic checkpoints of the views, and WAL compaction below them. The WAL
// is the system of record: segments are deleted only once every view has
// checkpointed past them, and only when the WAL exceeds max_wal_size, so a
// deleted view can still be rebuilt from the log while there is room.
import type { Logger } from 'pino';

/** The slice of a view the checkpointer drives (the row store today). */
export interface CheckpointableView {
  readonly name: string;
  checkpoint(): Promise<{ readonly appliedIndex: number }>;
  checkpointIndex(): number;
}

/** The slice of the log the checkpointer compacts. */
export interface CompactableLog {
  sizeBytes(): number;
  compact(index: number): Promise<void>;
}

export interface CheckpointerOptions {
  readonly views: readonly CheckpointableView[];
  readonly log: CompactableLog;
  readonly intervalMs: number;
  readonly maxWalSizeBytes: number;
  readonly logger: Logger;
}

export class Checkpointer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly options: CheckpointerOptions) {}

  start(): void {
    this.timer = setInterval(() => { void this.runOnce(); }, this.options.intervalMs);
    // A pending checkpoint must not keep a stopped process alive.
    this.timer.unref();
  }

  /** Checkpoints every view, then compacts the WAL if it is over its size limit. Runs never overlap. */
  runOnce(): Promise<void> {
    this.running = this.running.then(() => this.checkpointAndCompact()).catch((err: unknown) => {
      // A failed checkpoint loses nothing (the WAL still holds every entry);
      // the next interval retries. Storage that stays broken fails the log.
      this.options.logger.error({ err }, 'checkpoint failed; the WAL still holds everything, retrying next interval');
    });
    return this.running;
  }

  /** Stops the timer and runs a final checkpoint (shutdown). */
  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.runOnce();
  }

  private async checkpointAndCompact(): Promise<void> {
    const { views, log, maxWalSizeBytes, logger } = this.options;
    for (const view of views) {
      const startMs = Date.now();
      const result = await view.checkpoint();
      logger.debug({ view: view.name, appliedIndex: result.appliedIndex, ms: Date.now() - startMs }, 'checkpoint written');
    }
    const walBytes = log.sizeBytes();
    if (walBytes <= maxWalSizeBytes || views.length === 0) return;
    const safeIndex = Math.min(...views.map((view) => view.checkpointIndex()));
    await log.compact(safeIndex);
    logger.info({ compactedThrough: safeIndex, walBytesBefore: walBytes, walBytesAfter: log.sizeBytes(), maxWalSizeBytes }, 'WAL compacted below the views\' checkpoints');
  }
}
