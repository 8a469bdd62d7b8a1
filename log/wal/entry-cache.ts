// The recent tail of the log in memory, so the Raft driver's reads of entries
// it just appended (to replicate them) do not touch the disk.
//
// Covers [startIndex, endIndex) contiguously and always reaches the logical
// last index: appended entries enter at call time. Only entries the caller
// allows (written to disk and not about to be replaced) are ever evicted, so an
// entry below startIndex is always readable from disk.
import type { LogEntry } from '../types.js';
import { assert } from './assert.js';
import { cacheEntryOverheadBytes } from './limits.js';

const compactHeadMin = 1024;

function costBytes(entry: LogEntry): number {
  return entry.data.byteLength + cacheEntryOverheadBytes;
}

export class EntryCache {
  private entries: (LogEntry | undefined)[] = [];
  private head = 0;
  private start: number;
  private bytes = 0;

  constructor(
    private readonly bytesMax: number,
    startIndex: number,
  ) {
    this.start = startIndex;
  }

  get startIndex(): number {
    return this.start;
  }

  /** One past the last cached index. */
  get endIndex(): number {
    return this.start + this.entries.length - this.head;
  }

  get sizeBytes(): number {
    return this.bytes;
  }

  get(index: number): LogEntry | undefined {
    if (index < this.start || index >= this.endIndex) return undefined;
    return this.entries[this.head + index - this.start];
  }

  push(entry: LogEntry): void {
    assert(entry.index === this.endIndex, `cache expects index ${this.endIndex}, got ${entry.index}`);
    this.entries.push(entry);
    this.bytes += costBytes(entry);
  }

  /** Forgets [index, endIndex); when index is below startIndex the cache restarts at index. */
  truncateFrom(index: number): void {
    if (index <= this.start) {
      this.entries = [];
      this.head = 0;
      this.bytes = 0;
      this.start = index;
      return;
    }
    while (this.endIndex > index) {
      const entry = this.entries.pop();
      assert(entry !== undefined, 'cache truncation ran past its entries');
      this.bytes -= costBytes(entry);
    }
  }

  /** Evicts from the front while over budget, never past `indexMax`. */
  evict(indexMax: number): void {
    while (this.bytes > this.bytesMax && this.start <= indexMax && this.start < this.endIndex) this.dropFront();
    this.compactHead();
  }

  /** Forgets everything; the cache restarts empty at `startIndex` (a WAL reset). */
  reset(startIndex: number): void {
    this.entries = [];
    this.head = 0;
    this.bytes = 0;
    this.start = startIndex;
  }

  /** Drops entries below `index` (compaction). */
  dropBelow(index: number): void {
    while (this.start < index && this.start < this.endIndex) this.dropFront();
    if (this.start < index) this.start = index;
    this.compactHead();
  }

  private dropFront(): void {
    const entry = this.entries[this.head];
    assert(entry !== undefined, 'cache front is empty');
    this.entries[this.head] = undefined;
    this.head += 1;
    this.start += 1;
    this.bytes -= costBytes(entry);
  }

  private compactHead(): void {
    if (this.head < compactHeadMin || this.head * 2 < this.entries.length) return;
    this.entries = this.entries.slice(this.head);
    this.head = 0;
  }
}
