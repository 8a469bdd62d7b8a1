// WAL options, the observer the server maps to metrics, and validation.
import type { Logger } from 'pino';
import type { WalCompression } from './compression.js';
import type { WalFileSystem } from './fs.js';
import {
  bufferBytesMax,
  bufferBytesMin,
  cacheBytesDefault,
  cacheBytesMax,
  segmentBytesMax,
  segmentBytesMin,
  syncIntervalMsDefault,
  syncIntervalMsMax,
  syncIntervalMsMin,
} from './limits.js';

/**
 * Hooks for metrics, so log/ does not depend on prom-client. Called on the
 * WAL's own path: keep them cheap and non-throwing (a throw is logged and ignored).
 */
export interface WalObserver {
  /** A batch of `records` records, `bytes` bytes in all, was written. */
  onAppend(records: number, bytes: number): void;
  /** One fdatasync took `durationMs` and made `recordsInBatch` records durable. */
  onFsync(durationMs: number, recordsInBatch: number): void;
  /** The stored suffix from `fromIndex` was replaced (Raft conflict). */
  onTruncate?(fromIndex: number): void;
  /** A whole segment file was deleted by compaction or truncation. */
  onSegmentDeleted?(file: string, sizeBytes: number): void;
}

export interface WalOptions {
  /** Directory of the segments and the hard state; created when missing. */
  readonly dir: string;
  /** A segment rolls when the next record would take it past this size. */
  readonly segmentSizeBytes: number;
  /** Bound on encoded bytes waiting to be written; appends beyond it wait (backpressure). */
  readonly bufferSizeBytes: number;
  /** true: append resolves after fdatasync. false: after write(); fdatasync every syncIntervalMs. */
  readonly syncCommit: boolean;
  readonly syncIntervalMs?: number;
  /** Algorithm for new records; reading follows each record's flags, whatever this says. */
  readonly compression: WalCompression;
  readonly logger: Logger;
  readonly observer?: WalObserver;
  /** Bytes of recent entries kept in memory for reads of the tail. */
  readonly cacheBytes?: number;
  /**
   * Write zeros ahead of the records in the active segment, off the commit
   * path, so durable appends overwrite allocated blocks instead of growing the
   * file (preallocator.ts). Default true; false only to measure or test without.
   */
  readonly preallocate?: boolean;
  /** The disk seam; node:fs/promises when omitted. */
  readonly fs?: WalFileSystem;
}

/** Options with defaults applied and every limit checked. */
export interface ResolvedWalOptions extends WalOptions {
  readonly syncIntervalMs: number;
  readonly cacheBytes: number;
}

function checkInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`WAL option ${name} = ${String(value)}: expected an integer in [${min}, ${max}]`);
  }
}

export function resolveWalOptions(options: WalOptions): ResolvedWalOptions {
  if (typeof options.dir !== 'string' || options.dir.length === 0) {
    throw new RangeError(`WAL option dir = ${JSON.stringify(options.dir)}: expected a directory path`);
  }
  checkInteger('segmentSizeBytes', options.segmentSizeBytes, segmentBytesMin, segmentBytesMax);
  checkInteger('bufferSizeBytes', options.bufferSizeBytes, bufferBytesMin, bufferBytesMax);
  const syncIntervalMs = options.syncIntervalMs ?? syncIntervalMsDefault;
  checkInteger('syncIntervalMs', syncIntervalMs, syncIntervalMsMin, syncIntervalMsMax);
  const cacheBytes = options.cacheBytes ?? cacheBytesDefault;
  checkInteger('cacheBytes', cacheBytes, 0, cacheBytesMax);
  if (!['none', 'lz4', 'zstd'].includes(options.compression)) {
    throw new RangeError(`WAL option compression = ${JSON.stringify(options.compression)}: expected none, lz4 or zstd`);
  }
  return { ...options, syncIntervalMs, cacheBytes };
}
