// Helpers shared by the WAL tests (no vitest import, so it compiles anywhere).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { EntryKind } from '../types.js';
import type { LogEntry } from '../types.js';
import type { WalObserver, WalOptions } from './options.js';

export function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'thunderdb-wal-'));
}

export function removeDir(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true });
}

export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

/** A pino logger writing JSON lines into memory (into `lines` when given, so loggers can share them). */
export function captureLogger(lines: LogLine[] = []): { logger: Logger; lines: LogLine[] } {
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
  return { logger, lines };
}

export const pinoWarn = 40;
export const pinoError = 50;

/** Deterministic data of `sizeBytes` for `index`, compressible when `repetitive`. */
export function entryData(index: number, sizeBytes: number, repetitive = false): Uint8Array {
  const data = new Uint8Array(sizeBytes);
  let state = (index * 2654435761) >>> 0;
  for (let i = 0; i < sizeBytes; i += 1) {
    state = (state * 1103515245 + 12345) >>> 0;
    data[i] = repetitive ? (index + (i % 7)) & 0xff : state >>> 24;
  }
  return data;
}

export function makeEntry(index: number, term: number, sizeBytes = 40, repetitive = false): LogEntry {
  return { index, term, kind: EntryKind.Normal, data: entryData(index, sizeBytes, repetitive) };
}

export function makeEntries(first: number, count: number, term: number, sizeBytes = 40, repetitive = false): LogEntry[] {
  return Array.from({ length: count }, (_, k) => makeEntry(first + k, term, sizeBytes, repetitive));
}

export interface CountingObserver extends WalObserver {
  appendedRecords: number;
  fsyncs: number;
  fsyncedRecords: number;
  deletedSegments: string[];
  truncations: number[];
}

export function countingObserver(): CountingObserver {
  const observer: CountingObserver = {
    appendedRecords: 0,
    fsyncs: 0,
    fsyncedRecords: 0,
    deletedSegments: [],
    truncations: [],
    onAppend(records) {
      observer.appendedRecords += records;
    },
    onFsync(_durationMs, records) {
      observer.fsyncs += 1;
      observer.fsyncedRecords += records;
    },
    onTruncate(fromIndex) {
      observer.truncations.push(fromIndex);
    },
    onSegmentDeleted(file) {
      observer.deletedSegments.push(file);
    },
  };
  return observer;
}

export function walOptions(dir: string, logger: Logger, overrides: Partial<WalOptions> = {}): WalOptions {
  return {
    dir,
    segmentSizeBytes: 64 * 1024,
    bufferSizeBytes: 1024 * 1024,
    syncCommit: true,
    compression: 'none',
    logger,
    ...overrides,
  };
}
