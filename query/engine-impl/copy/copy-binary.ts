// COPY's binary format (PostgreSQL's, copyfromparse.c / copyto.c): the
// signature PGCOPY\n\377\r\n\0, an int32 flags word, an int32 header
// extension length and that many bytes; then per tuple an int16 field count
// and per field an int32 length (-1 is NULL) and the type's binary send
// form; an int16 -1 ends the data. Values are converted by the caller
// (query/types' decodeBinary / encodeBinary).
//
// The parser takes the bytes as they arrive and hands on whole tuples; a
// tuple is buffered until all of it is there (bounded by copyLineBytesMax).
// Errors carry PostgreSQL's messages and SQLSTATE 22P04; the caller adds
// the context (`COPY t, line n`, where a binary "line" is a tuple number
// and the header is line 0, as in PostgreSQL).

import { EngineSqlState } from '../errors.js';
import { copyLineBytesMax } from '../limits.js';
import { CopyLineError } from './copy-parser.js';

export const binaryCopySignature: Uint8Array = Uint8Array.from([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00]);
/** Flags bit 16: the data has OIDs (refused, as PostgreSQL 12+ does). Bits 17-31 are critical, 0-15 may be ignored. */
const flagWithOids = 1 << 16;
const headerFixedBytes = binaryCopySignature.length + 8;

export interface BinaryTuple {
  /** One per column, the value's binary form (a view of the input); null is SQL NULL. */
  readonly fields: readonly (Uint8Array | null)[];
  /** 1-based tuple number (PostgreSQL's line number for binary COPY). */
  readonly line: number;
}

function formatError(line: number, message: string): CopyLineError {
  return new CopyLineError(line, EngineSqlState.badCopyFileFormat, message);
}

type Phase = 'signature' | 'extension' | 'tuples' | 'ended';

export class BinaryCopyParser {
  private chunks: Uint8Array[] = [];
  private bufferedBytes = 0;
  /** Bytes that must be buffered before parsing can move on. */
  private neededBytes = headerFixedBytes;
  private phase: Phase = 'signature';
  private extensionBytesLeft = 0;
  private tuplesDone = 0;

  constructor(private readonly columnCount: number, private readonly onTuple: (tuple: BinaryTuple) => void) {}

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.phase === 'ended') throw formatError(this.tuplesDone + 1, 'received copy data after EOF marker');
    this.chunks.push(chunk);
    this.bufferedBytes += chunk.length;
    if (this.phase !== 'extension' && this.bufferedBytes < this.neededBytes) return;
    this.parse();
  }

  /** The end of the data (CopyDone). A missing trailer is accepted, as PostgreSQL does; a cut tuple is not. */
  finish(): void {
    const data = this.take();
    switch (this.phase) {
      case 'signature': throw this.headerError(data);
      case 'extension': throw formatError(0, 'invalid COPY file header (wrong length)');
      case 'tuples':
        // Fewer than two bytes read as the end of the data (CopyGetInt16 fails), anything more is a cut tuple.
        if (data.length >= 2) throw formatError(this.tuplesDone + 1, 'unexpected EOF in COPY data');
        return;
      case 'ended': return;
    }
  }

  /** All buffered bytes as one array. */
  private take(): Uint8Array {
    const data = this.chunks.length === 1 ? this.chunks[0] ?? new Uint8Array(0) : Buffer.concat(this.chunks);
    this.chunks = [];
    this.bufferedBytes = 0;
    return data;
  }

  private keep(data: Uint8Array, from: number, neededBytes: number): void {
    if (from < data.length) {
      this.chunks = [data.subarray(from)];
      this.bufferedBytes = data.length - from;
    }
    this.neededBytes = neededBytes;
  }

  private parse(): void {
    const data = this.take();
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    let pos = 0;
    if (this.phase === 'signature') {
      if (data.length < headerFixedBytes) return this.keep(data, 0, headerFixedBytes);
      this.readHeader(view);
      pos = headerFixedBytes;
      this.phase = 'extension';
    }
    if (this.phase === 'extension') {
      const skipped = Math.min(this.extensionBytesLeft, data.length - pos);
      this.extensionBytesLeft -= skipped;
      pos += skipped;
      if (this.extensionBytesLeft > 0) return this.keep(data, pos, 0);
      this.phase = 'tuples';
    }
    while (this.phase === 'tuples') {
      const end = this.tupleEnd(view, pos);
      if (end < 0) return this.keep(data, pos, -end);
      pos = end;
    }
    if (pos < data.length) throw formatError(this.tuplesDone + 1, 'received copy data after EOF marker');
  }

  private readHeader(view: DataView): void {
    for (let i = 0; i < binaryCopySignature.length; i++) {
      if (view.getUint8(i) !== binaryCopySignature[i]) throw formatError(0, 'COPY file signature not recognized');
    }
    const flags = view.getInt32(binaryCopySignature.length);
    if ((flags & flagWithOids) !== 0) throw formatError(0, 'invalid COPY file header (WITH OIDS)');
    if (((flags & ~flagWithOids) >>> 16) !== 0) throw formatError(0, 'unrecognized critical flags in COPY file header');
    const extensionBytes = view.getInt32(binaryCopySignature.length + 4);
    if (extensionBytes < 0) throw formatError(0, 'invalid COPY file header (missing length)');
    this.extensionBytesLeft = extensionBytes;
  }

  /** What PostgreSQL says about a header cut short. */
  private headerError(data: Uint8Array): CopyLineError {
    const signature = binaryCopySignature.length;
    if (data.length < signature || binaryCopySignature.some((b, i) => data[i] !== b)) return formatError(0, 'COPY file signature not recognized');
    return formatError(0, data.length < signature + 4 ? 'invalid COPY file header (missing flags)' : 'invalid COPY file header (missing length)');
  }

  /**
   * Reads the tuple (or the trailer) at `start` and returns where it ends;
   * when it is not all there, minus the bytes needed from `start` to go on.
   */
  private tupleEnd(view: DataView, start: number): number {
    const available = view.byteLength - start;
    if (available < 2) return -2;
    const line = this.tuplesDone + 1;
    const count = view.getInt16(start);
    if (count === -1) {
      this.phase = 'ended';
      return start + 2;
    }
    if (count !== this.columnCount) throw formatError(line, `row field count is ${count}, expected ${this.columnCount}`);
    let pos = start + 2;
    const fields: (Uint8Array | null)[] = [];
    for (let i = 0; i < count; i++) {
      if (view.byteLength - pos < 4) return -(pos - start + 4);
      const size = view.getInt32(pos);
      pos += 4;
      if (size === -1) {
        fields.push(null);
        continue;
      }
      if (size < 0) throw formatError(line, 'invalid field size');
      if (pos - start + size > copyLineBytesMax) {
        throw new CopyLineError(line, EngineSqlState.programLimitExceeded, `COPY row longer than ${copyLineBytesMax} bytes`);
      }
      if (view.byteLength - pos < size) return -(pos - start + size);
      fields.push(new Uint8Array(view.buffer, view.byteOffset + pos, size));
      pos += size;
    }
    this.tuplesDone++;
    this.onTuple({ fields, line });
    return pos;
  }
}

/** Builds COPY TO's binary output in one growing buffer: the header, then tuples, then the trailer. */
export class BinaryCopyWriter {
  private buffer = Buffer.allocUnsafe(4096);
  private length = 0;

  header(): void {
    this.reserve(headerFixedBytes);
    this.buffer.set(binaryCopySignature, this.length);
    this.buffer.fill(0, this.length + binaryCopySignature.length, this.length + headerFixedBytes); // flags 0, no extension
    this.length += headerFixedBytes;
  }

  /** One tuple; `values` are the fields' binary forms, null for NULL. */
  tuple(values: readonly (Uint8Array | null)[]): void {
    let bytes = 2;
    for (const value of values) bytes += 4 + (value === null ? 0 : value.length);
    this.reserve(bytes);
    this.length = this.buffer.writeInt16BE(values.length, this.length);
    for (const value of values) {
      this.length = this.buffer.writeInt32BE(value === null ? -1 : value.length, this.length);
      if (value === null) continue;
      this.buffer.set(value, this.length);
      this.length += value.length;
    }
  }

  trailer(): void {
    this.reserve(2);
    this.length = this.buffer.writeInt16BE(-1, this.length);
  }

  get bytes(): number {
    return this.length;
  }

  /** What was written since the last call (a copy: the buffer is reused). */
  take(): Uint8Array {
    const out = Buffer.from(this.buffer.subarray(0, this.length));
    this.length = 0;
    return out;
  }

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + bytes));
    this.buffer.copy(next, 0, 0, this.length);
    this.buffer = next;
  }
}
