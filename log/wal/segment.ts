// Segment files: naming, the header codec and the in-memory record index.
//
// Header (little-endian, segmentHeaderBytes):
//   0  6  magic "TDBWAL"
//   6  1  format version
//   7  1  reserved, zero
//   8  8  first index of the segment
//   16 8  prevTerm: term of (first index - 1), so the oldest segment alone
//         answers term(firstIndex - 1) after compaction: no separate meta file
//   24 4  reserved, zero
//   28 4  crc32c of bytes 0..27
import { join } from 'node:path';
import { crc32c } from '@node-rs/crc32';
import { assert } from './assert.js';
import { indexMax, segmentHeaderBytes, segmentNameDigits, walFormatVersion } from './limits.js';

const magic = Buffer.from('TDBWAL', 'latin1');
const segmentSuffix = '.wal';
const segmentNamePattern = new RegExp(`^(\\d{${segmentNameDigits}})\\.wal$`);
const twoPow32 = 2 ** 32;

export interface SegmentHeader {
  readonly firstIndex: number;
  readonly prevTerm: number;
}

export function segmentFileName(firstIndex: number): string {
  return String(firstIndex).padStart(segmentNameDigits, '0') + segmentSuffix;
}

/** First index encoded in a segment file name, or undefined for other files. */
export function parseSegmentFileName(name: string): number | undefined {
  const match = segmentNamePattern.exec(name);
  if (match?.[1] === undefined) return undefined;
  const firstIndex = Number(match[1]);
  return firstIndex >= 1 && firstIndex <= indexMax ? firstIndex : undefined;
}

export function encodeSegmentHeader(header: SegmentHeader): Buffer {
  const buf = Buffer.alloc(segmentHeaderBytes);
  magic.copy(buf, 0);
  buf[6] = walFormatVersion;
  buf.writeUInt32LE(header.firstIndex >>> 0, 8);
  buf.writeUInt32LE(Math.floor(header.firstIndex / twoPow32), 12);
  buf.writeUInt32LE(header.prevTerm >>> 0, 16);
  buf.writeUInt32LE(Math.floor(header.prevTerm / twoPow32), 20);
  buf.writeUInt32LE(crc32c(buf.subarray(0, 28)), 28);
  return buf;
}

/** The header, or a reason it is unusable. */
export function decodeSegmentHeader(buf: Buffer): SegmentHeader | string {
  if (buf.length < segmentHeaderBytes) return `segment header is ${buf.length} bytes, expected ${segmentHeaderBytes}`;
  if (!buf.subarray(0, 6).equals(magic)) return 'not a WAL segment (bad magic)';
  if (crc32c(buf.subarray(0, 28)) !== buf.readUInt32LE(28)) return 'segment header checksum mismatch';
  if (buf[6] !== walFormatVersion) return `unsupported segment format version ${buf[6] ?? 0}`;
  const firstHigh = buf.readUInt32LE(12);
  const prevHigh = buf.readUInt32LE(20);
  if (firstHigh >= 2 ** 21 || prevHigh >= 2 ** 21) return 'segment header index or term out of range';
  return {
    firstIndex: firstHigh * twoPow32 + buf.readUInt32LE(8),
    prevTerm: prevHigh * twoPow32 + buf.readUInt32LE(16),
  };
}

/**
 * One segment file as the WAL knows it: where each record starts, the size of
 * what has been written, and the term of its last record (the next segment's
 * prevTerm). Offsets are u32: segments are capped at segmentBytesMax.
 */
export class Segment {
  readonly firstIndex: number;
  readonly prevTerm: number;
  readonly path: string;
  sizeBytes = segmentHeaderBytes;
  lastTerm: number;
  private offsets = new Uint32Array(256);
  private count = 0;

  constructor(dir: string, header: SegmentHeader) {
    this.firstIndex = header.firstIndex;
    this.prevTerm = header.prevTerm;
    this.lastTerm = header.prevTerm;
    this.path = join(dir, segmentFileName(header.firstIndex));
  }

  get entryCount(): number {
    return this.count;
  }

  /** `firstIndex - 1` when empty. */
  get lastIndex(): number {
    return this.firstIndex + this.count - 1;
  }

  has(index: number): boolean {
    return index >= this.firstIndex && index <= this.lastIndex;
  }

  recordStart(index: number): number {
    assert(this.has(index), `segment ${this.path} does not hold index ${index}`);
    return this.offsets[index - this.firstIndex] ?? 0;
  }

  recordEnd(index: number): number {
    return index === this.lastIndex ? this.sizeBytes : this.recordStart(index + 1);
  }

  /** Records that the next index was written at `offset` (which must be the current end). */
  addRecord(offset: number, recordBytes: number, term: number): void {
    assert(offset === this.sizeBytes, `record offset ${offset} is not the end of ${this.path} (${this.sizeBytes})`);
    assert(term >= this.lastTerm, `term ${term} below the previous term ${this.lastTerm}`);
    if (this.count === this.offsets.length) {
      const grown = new Uint32Array(this.offsets.length * 2);
      grown.set(this.offsets);
      this.offsets = grown;
    }
    this.offsets[this.count] = offset;
    this.count += 1;
    this.sizeBytes = offset + recordBytes;
    this.lastTerm = term;
  }

  /** Forgets records from `index` on; `termBefore` is the term of `index - 1`. */
  truncateFrom(index: number, termBefore: number): void {
    assert(index >= this.firstIndex && index <= this.lastIndex + 1, `truncation index ${index} outside ${this.path}`);
    this.sizeBytes = index === this.firstIndex ? segmentHeaderBytes : this.recordStart(index);
    this.count = index - this.firstIndex;
    this.lastTerm = index === this.firstIndex ? this.prevTerm : termBefore;
  }
}
