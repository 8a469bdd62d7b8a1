// Preallocation of the active segment: zeros written (and fdatasynced) ahead
// of the records, off the commit path. A durable write (O_DSYNC or write +
// fdatasync) into blocks that are already allocated, written and inside the
// file size flushes only the data; one that extends the file (or fills a hole,
// or an fallocate'd "unwritten" extent) must also commit the size and block
// map through the filesystem journal. On this disk: ~100-150 us vs ~150-200 us.
//
// Only the commit queue writes records, and it tells us each range before it
// writes it (`claim`); we write zeros only at or after every claimed end, and a
// record write that would reach a chunk being zeroed waits for that chunk. So
// zeros never land on a record. Recovery reads a zero tail as the end of the
// log (recovery.ts), and a crash mid-chunk leaves zeros or a hole, which reads
// as zeros too.
import type { WalFile } from './fs.js';

/** Zeros written per step; the extension keeps up to `aheadBytes` past the records. */
const chunkBytesMax = 256 * 1024;
const aheadBytesMax = 2 * 1024 * 1024;
/**
 * When nothing is allocated past the records (a fresh segment, or after a
 * cut), zeroing starts this far past them: the appends meanwhile grow the file
 * themselves instead of waiting for the first chunk's write and sync.
 */
const leadBytesMax = 64 * 1024;

let zeroChunk: Buffer | undefined;

export class Preallocator {
  /** End of what records were written or are about to be (never zeroed). */
  private claimedEnd: number;
  /** End of the zeros written so far; undefined until the file size is read. */
  private allocatedEnd: number | undefined;
  /** The chunk being zeroed, [start, end). */
  private inFlight: { readonly start: number; readonly done: Promise<void> } | undefined;
  /** The whole extension loop, while one runs. */
  private running: Promise<void> | undefined;
  private stopped = false;
  private failure: unknown;
  private readonly chunkBytes: number;
  private readonly aheadBytes: number;
  private readonly leadBytes: number;

  /**
   * `recordsEnd`: the logical end of the segment (records end here; anything
   * past it in the file is zeros). `targetBytes`: preallocate up to this size
   * (the segment size).
   */
  constructor(
    private readonly file: WalFile,
    recordsEnd: number,
    private readonly targetBytes: number,
  ) {
    this.claimedEnd = recordsEnd;
    this.chunkBytes = Math.min(chunkBytesMax, targetBytes);
    this.aheadBytes = Math.min(aheadBytesMax, targetBytes);
    this.leadBytes = Math.min(leadBytesMax, Math.floor(targetBytes / 8));
    this.schedule();
  }

  /**
   * Called before records are written at [start, end): returns a promise to
   * await first when a chunk being zeroed overlaps that range, else undefined.
   * Throws the error of a failed preallocation (a disk error poisons the WAL).
   */
  claim(end: number): Promise<void> | undefined {
    if (this.failure !== undefined) throw this.failure;
    if (end > this.claimedEnd) this.claimedEnd = end;
    const chunk = this.inFlight;
    return chunk !== undefined && chunk.start < end ? chunk.done : undefined;
  }

  /** After records were written: extend further ahead when needed. */
  written(): void {
    this.schedule();
  }

  /** Bytes of the file known to be allocated (zeros or records), at least the records' end. */
  get fileEnd(): number {
    return Math.max(this.allocatedEnd ?? 0, this.claimedEnd);
  }

  /** No new chunk; resolves once the one in flight (if any) is done. Never rejects. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  private schedule(): void {
    if (this.stopped || this.running !== undefined || this.failure !== undefined) return;
    if (this.allocatedEnd !== undefined && (this.allocatedEnd >= this.targetBytes || this.allocatedEnd >= this.claimedEnd + this.aheadBytes)) return;
    // extend() never rejects (a failure is kept for the next claim).
    const run = this.extend();
    this.running = run;
    void run.then(() => {
      if (this.running === run) this.running = undefined;
    });
  }

  private async extend(): Promise<void> {
    try {
      this.allocatedEnd ??= await this.file.sizeBytes();
      while (!this.stopped && this.allocatedEnd < this.targetBytes && this.allocatedEnd < this.claimedEnd + this.aheadBytes) {
        // Synchronously from the claimed end on: no record is written at or past `start` until this chunk is done.
        // (Bytes between the records and a chunk started ahead of them stay a hole until appends fill it.)
        const start = this.allocatedEnd > this.claimedEnd ? this.allocatedEnd : this.claimedEnd + this.leadBytes;
        const end = Math.min(this.targetBytes, start + this.chunkBytes);
        if (end <= start) break;
        zeroChunk ??= Buffer.alloc(chunkBytesMax);
        const write = this.writeChunk(start, end);
        this.inFlight = { start, done: write };
        await write;
        this.allocatedEnd = end;
      }
    } catch (error) {
      this.failure = error;
    } finally {
      this.inFlight = undefined;
    }
  }

  private async writeChunk(start: number, end: number): Promise<void> {
    await this.file.writev([(zeroChunk ?? Buffer.alloc(end - start)).subarray(0, end - start)], start);
    // Makes the new size and blocks durable now, so the durable record writes into them need not.
    await this.file.datasync();
  }
}
