// The segment files on disk: appending records (rolling to a new segment when
// full), suffix truncation, compaction and reads. Only the commit queue calls
// the mutating methods, one at a time, so no two disk changes ever interleave.
// Reads run concurrently with them: each read plans its byte ranges at call
// time, and the mutations keep those bytes readable until it finishes (see
// deleteSegment and truncateFrom).
import { basename } from 'node:path';
import { assert } from './assert.js';
import { writeFileAtomic } from './atomic-file.js';
import { WalCorruptionError } from './errors.js';
import type { WalFile, WalFileSystem } from './fs.js';
import { readChunkBytesMax } from './limits.js';
import { removeResetMarker, writeResetMarker } from './reset-marker.js';
import { decodeRecord, recordIndex, recordTerm } from './record.js';
import type { DecodedRecord } from './record.js';
import { Preallocator } from './preallocator.js';
import { Segment, encodeSegmentHeader } from './segment.js';
import type { SegmentHeader } from './segment.js';

/** Bytes [startOffset, endOffset) of one segment holding `count` records from `firstIndex`. */
export interface ReadPlan {
  readonly segment: Segment;
  readonly firstIndex: number;
  readonly count: number;
  readonly startOffset: number;
  readonly endOffset: number;
  readonly reader: SegmentReader;
  readonly inFlight: InFlightRead;
}

/** A planned read not yet finished; `done` resolves (never rejects) when it is. */
interface InFlightRead {
  readonly endOffset: number;
  readonly done: Promise<void>;
  readonly finish: () => void;
}

/** A read-only handle shared by the reads in flight on one segment; closed when the last one finishes. */
interface SegmentReader {
  readonly file: Promise<WalFile>;
  readonly reads: Set<InFlightRead>;
}

export type SegmentDeletedHook = (file: string, sizeBytes: number) => void;

export class SegmentStore {
  private readonly readers = new Map<Segment, SegmentReader>();
  private segments: Segment[];
  private totalBytes: number;
  /**
   * Every record up to here is durable (fdatasynced), in disk order: raised by
   * each datasync, lowered at once by a suffix truncation. The store is built
   * over files already synced at open, so it starts at the last index.
   */
  private syncedIndex: number;
  /** Zeros ahead of the records in the active segment (preallocator.ts). */
  private preallocator: Preallocator;

  constructor(
    private readonly fs: WalFileSystem,
    private readonly dir: string,
    private readonly segmentSizeBytes: number,
    segments: Segment[],
    private activeFile: WalFile,
    private readonly onSegmentDeleted: SegmentDeletedHook,
    private readonly preallocateSegments = true,
  ) {
    assert(segments.length > 0, 'a store needs at least one segment');
    this.segments = segments;
    this.totalBytes = segments.reduce((sum, segment) => sum + segment.sizeBytes, 0);
    this.syncedIndex = this.active.lastIndex;
    this.preallocator = this.preallocate();
  }

  /** Starts preallocating the active segment, whose file is `activeFile`. */
  private preallocate(): Preallocator {
    // Disabled, it still learns the file size, so a roll cuts a tail left by an earlier process.
    return new Preallocator(this.activeFile, this.active.sizeBytes, this.preallocateSegments ? this.segmentSizeBytes : 0);
  }

  /**
   * Creates a segment file holding only its header, atomically (temporary file,
   * fdatasync, rename, directory fsync): a segment file on disk always has a
   * complete header, so a bad header is corruption, never a torn write.
   */
  static async createSegment(fs: WalFileSystem, dir: string, header: SegmentHeader): Promise<{ segment: Segment; file: WalFile }> {
    const segment = new Segment(dir, header);
    await writeFileAtomic(fs, dir, basename(segment.path), encodeSegmentHeader(header));
    return { segment, file: await fs.open(segment.path, 'readWrite') };
  }

  get firstIndex(): number {
    return this.oldest.firstIndex;
  }

  get prevTerm(): number {
    return this.oldest.prevTerm;
  }

  get lastIndex(): number {
    return this.active.lastIndex;
  }

  /** Last index of the durable prefix of the log on disk. */
  get syncedLastIndex(): number {
    return this.syncedIndex;
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  /** Bytes of headers and records; the preallocated zeros of the active segment are not counted. */
  sizeBytes(): number {
    return this.totalBytes;
  }

  private get oldest(): Segment {
    const segment = this.segments[0];
    assert(segment !== undefined, 'no segments');
    return segment;
  }

  /** The last segment, the only one ever written. */
  private get active(): Segment {
    const segment = this.segments[this.segments.length - 1];
    assert(segment !== undefined, 'no segments');
    return segment;
  }

  /**
   * Writes encoded records, which must continue the log. Positional writes at the
   * tracked end rather than O_APPEND: we need each record's offset for the index
   * anyway, and after a suffix truncation or torn-tail repair the next write
   * position is exactly the truncation point, with no reliance on the file size.
   * `durable`: resolves only once the records are on stable storage.
   */
  async appendRecords(records: readonly Buffer[], durable = false): Promise<void> {
    // Durable: each run is written and synced in one call where the file
    // offers it (WalFile.writevDurable), else written and then fdatasynced.
    // A roll syncs the segment it leaves, so only the active one may need it.
    let unsynced = false;
    let next = 0;
    while (next < records.length) {
      const first = records[next];
      assert(first !== undefined, 'record missing');
      if (this.active.entryCount > 0 && this.active.sizeBytes + first.length > this.segmentSizeBytes) await this.roll();
      const end = this.runEnd(records, next);
      const run = records.slice(next, end);
      const active = this.active;
      const file = this.activeFile;
      let runBytes = 0;
      for (const record of run) runBytes += record.length;
      const overlap = this.preallocator.claim(active.sizeBytes + runBytes);
      if (overlap !== undefined) await overlap;
      if (durable && file.writevDurable !== undefined) {
        await file.writevDurable(run, active.sizeBytes);
      } else {
        await file.writev(run, active.sizeBytes);
        unsynced = true;
      }
      for (const record of run) {
        assert(recordIndex(record) === active.lastIndex + 1, `record index ${recordIndex(record)} does not follow ${active.lastIndex}`);
        this.totalBytes += record.length;
        active.addRecord(active.sizeBytes, record.length, recordTerm(record));
      }
      next = end;
    }
    this.preallocator.written();
    if (!durable) return;
    if (unsynced) await this.datasync();
    else this.syncedIndex = this.lastIndex;
  }

  /** End of the run of records from `start` that fits in the active segment (at least one). */
  private runEnd(records: readonly Buffer[], start: number): number {
    let sizeBytes = this.active.sizeBytes + (records[start]?.length ?? 0);
    let end = start + 1;
    while (end < records.length) {
      const recordBytes = records[end]?.length ?? 0;
      if (sizeBytes + recordBytes > this.segmentSizeBytes) break;
      sizeBytes += recordBytes;
      end += 1;
    }
    return end;
  }

  async datasync(): Promise<void> {
    // Only the loop writes, so nothing is written while this sync runs.
    const lastIndex = this.lastIndex;
    await this.activeFile.datasync();
    this.syncedIndex = lastIndex;
  }

  private async roll(): Promise<void> {
    const full = this.active;
    // A segment must end at its last record before a later one exists:
    // recovery reads a zero tail as the end of the log only in the last
    // segment. So the preallocated tail is cut (at most once per segment),
    // and the cut made durable by the sync.
    await this.preallocator.stop();
    if (this.preallocator.fileEnd > full.sizeBytes) await this.activeFile.truncate(full.sizeBytes);
    // A segment must be durable before a later one exists: recovery accepts a
    // torn tail only in the last segment.
    await this.datasync();
    await this.activeFile.close();
    const { segment, file } = await SegmentStore.createSegment(this.fs, this.dir, {
      firstIndex: full.lastIndex + 1,
      prevTerm: full.lastTerm,
    });
    this.segments.push(segment);
    this.activeFile = file;
    this.totalBytes += segment.sizeBytes;
    this.preallocator = this.preallocate();
  }

  /**
   * Removes records from `index` on (`termBefore` is the term of index - 1).
   * Later segments go first, newest first, each unlink made durable before the
   * next, then the file is cut and synced: a crash at any point leaves a
   * contiguous prefix of the old log, which recovery accepts, or the new tail.
   * Reads in flight keep what they planned: an unlinked file stays readable
   * through their open handle, and the cut waits for those reading past it.
   */
  async truncateFrom(index: number, termBefore: number): Promise<void> {
    assert(index >= this.firstIndex && index <= this.lastIndex + 1, `truncation index ${index} outside the log`);
    if (index === this.lastIndex + 1) return;
    // What is durable from `index` on belongs to the log being replaced.
    this.syncedIndex = Math.min(this.syncedIndex, index - 1);
    // The cut is an ftruncate, which also drops the preallocated tail: zeroing
    // the replaced records instead could, torn by a crash, leave zeros followed
    // by valid old records, which recovery must refuse. Truncations are rare;
    // preallocation starts again after the cut.
    await this.preallocator.stop();
    let activeClosed = false;
    while (this.segments.length > 1 && this.active.firstIndex > index) {
      if (!activeClosed) await this.activeFile.close();
      activeClosed = true;
      const doomed = this.segments.pop();
      assert(doomed !== undefined, 'segment missing');
      await this.deleteSegment(doomed);
      await this.fs.syncDir(this.dir);
    }
    if (activeClosed) this.activeFile = await this.fs.open(this.active.path, 'readWrite');
    const segment = this.active;
    const oldSizeBytes = segment.sizeBytes;
    // In memory first: no read planned from here on can reach past the cut.
    segment.truncateFrom(index, termBefore);
    this.totalBytes -= oldSizeBytes - segment.sizeBytes;
    await this.readsPast(segment, segment.sizeBytes);
    await this.activeFile.truncate(segment.sizeBytes);
    await this.datasync();
    this.preallocator = this.preallocate();
  }

  /**
   * Waits for the reads in flight on `segment` that reach past `offsetBytes`.
   * Only those planned before the call: a steady stream of later reads (which
   * stay below the cut) cannot starve the truncation.
   */
  private async readsPast(segment: Segment, offsetBytes: number): Promise<void> {
    const reads = this.readers.get(segment)?.reads ?? new Set<InFlightRead>();
    await Promise.all([...reads].filter((read) => read.endOffset > offsetBytes).map((read) => read.done));
  }

  /**
   * Deletes whole segments whose last index is at or below `index`, never the
   * active one. They leave the index synchronously (`onDetached` gets the new
   * first index and its prevTerm before any await, so no read can plan on a
   * segment being deleted); then the files go oldest first, each unlink made
   * durable before the next, so a crash leaves a contiguous suffix.
   */
  async compactThrough(index: number, onDetached: (firstIndex: number, prevTerm: number) => void): Promise<void> {
    const doomed: Segment[] = [];
    while (this.segments.length > 1 && this.oldest.lastIndex <= index) {
      const segment = this.segments.shift();
      assert(segment !== undefined, 'segment missing');
      doomed.push(segment);
    }
    if (doomed.length === 0) return;
    onDetached(this.firstIndex, this.prevTerm);
    for (const segment of doomed) {
      await this.deleteSegment(segment);
      await this.fs.syncDir(this.dir);
    }
  }

  /**
   * Replaces every segment by one empty segment starting at `index + 1` with
   * prevTerm `term` (a snapshot up to `index` was installed). Crash-safe by a
   * marker file (reset-marker.ts): written first, removed last; recovery
   * finds it and finishes the reset, so a crash leaves the old log (marker not
   * yet durable) or the new empty one, never a mix.
   */
  async resetTo(index: number, term: number): Promise<void> {
    await writeResetMarker(this.fs, this.dir, { index, term });
    await this.preallocator.stop();
    await this.activeFile.close();
    const doomed = this.segments.splice(0);
    // Newest first, as a suffix truncation does; the marker makes any order safe.
    for (const segment of doomed.reverse()) {
      await this.deleteSegment(segment);
    }
    await this.fs.syncDir(this.dir);
    const { segment, file } = await SegmentStore.createSegment(this.fs, this.dir, { firstIndex: index + 1, prevTerm: term });
    this.segments.push(segment);
    this.activeFile = file;
    this.totalBytes = segment.sizeBytes;
    this.syncedIndex = index;
    await removeResetMarker(this.fs, this.dir);
    this.preallocator = this.preallocate();
  }

  private async deleteSegment(segment: Segment): Promise<void> {
    // A read that planned on this segment may still be opening it: let the open
    // finish, then unlink; the open handle keeps the data readable (POSIX).
    await this.readers.get(segment)?.file.catch(() => undefined);
    await this.fs.unlink(segment.path);
    this.totalBytes -= segment.sizeBytes;
    this.onSegmentDeleted(segment.path, segment.sizeBytes);
  }

  /**
   * Plans the disk reads for [lo, hi) synchronously, so later truncation or
   * compaction cannot change what this read sees. Each plan holds a reader.
   */
  planRead(lo: number, hi: number): ReadPlan[] {
    assert(lo >= this.firstIndex && hi <= this.lastIndex + 1 && lo <= hi, `disk read [${lo}, ${hi}) outside the log`);
    const plans: ReadPlan[] = [];
    for (const segment of this.segments) {
      let index = Math.max(lo, segment.firstIndex);
      const segmentEnd = Math.min(hi, segment.lastIndex + 1);
      while (index < segmentEnd) {
        const startOffset = segment.recordStart(index);
        let end = index + 1;
        while (end < segmentEnd && segment.recordEnd(end) - startOffset <= readChunkBytesMax) end += 1;
        const endOffset = segment.recordEnd(end - 1);
        const { reader, inFlight } = this.acquireReader(segment, endOffset);
        plans.push({ segment, firstIndex: index, count: end - index, startOffset, endOffset, reader, inFlight });
        index = end;
      }
    }
    return plans;
  }

  /** Reads and decodes one plan; releases its reader. Every plan must be read (a truncation may wait for it). */
  async readPlan(plan: ReadPlan): Promise<DecodedRecord[]> {
    try {
      const file = await plan.reader.file;
      const bytes = Buffer.allocUnsafe(plan.endOffset - plan.startOffset);
      const readBytes = await file.read(bytes, plan.startOffset);
      if (readBytes < bytes.length) {
        throw new WalCorruptionError(plan.segment.path, plan.startOffset + readBytes, 'segment file is shorter than the WAL index says');
      }
      return decodePlanned(plan, bytes);
    } finally {
      await this.releaseReader(plan.segment, plan.reader, plan.inFlight);
    }
  }

  private acquireReader(segment: Segment, endOffset: number): { reader: SegmentReader; inFlight: InFlightRead } {
    let reader = this.readers.get(segment);
    if (reader === undefined) {
      reader = { file: this.fs.open(segment.path, 'read'), reads: new Set() };
      reader.file.catch(() => undefined); // awaited by readPlan; avoid an unhandled rejection meanwhile
      this.readers.set(segment, reader);
    }
    let finish = (): void => undefined;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const inFlight: InFlightRead = { endOffset, done, finish };
    reader.reads.add(inFlight);
    return { reader, inFlight };
  }

  private async releaseReader(segment: Segment, reader: SegmentReader, inFlight: InFlightRead): Promise<void> {
    // The bytes were read (or the read failed): the truncation waiting for them may go on.
    reader.reads.delete(inFlight);
    inFlight.finish();
    if (reader.reads.size > 0) return;
    this.readers.delete(segment);
    const file = await reader.file.catch(() => undefined);
    await file?.close();
  }

  async close(): Promise<void> {
    // The zeros stay: reopening appends into them (recovery stops at the zero tail).
    await this.preallocator.stop();
    await this.activeFile.close();
  }
}

function decodePlanned(plan: ReadPlan, bytes: Buffer): DecodedRecord[] {
  const records: DecodedRecord[] = [];
  let position = 0;
  for (let k = 0; k < plan.count; k += 1) {
    const result = decodeRecord(bytes, position);
    const fileOffset = plan.startOffset + position;
    if (result.kind !== 'record') {
      const reason = result.kind === 'invalid' ? result.reason : 'record cut short';
      throw new WalCorruptionError(plan.segment.path, fileOffset, `${reason} (found while reading)`);
    }
    if (result.record.index !== plan.firstIndex + k) {
      throw new WalCorruptionError(plan.segment.path, fileOffset, `record holds index ${result.record.index}, expected ${plan.firstIndex + k}`);
    }
    records.push(result.record);
    position += result.record.recordBytes;
  }
  return records;
}
