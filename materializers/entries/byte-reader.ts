// A bounds-checked little-endian reader over untrusted bytes. Every read that
// would pass the end raises EntryDecodeError('truncated'); lengths are checked
// against a caller-named limit before any allocation.

import { EntryDecodeError } from './errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });
/** A varuint longer than this cannot be a safe integer (7 bits a byte, 53 bits). */
const varuintBytesMax = 8;

/**
 * The last DataView made, over a whole ArrayBuffer: a committed entry's rows
 * are views into the entry's buffer (and small entries share pooled
 * buffers), so the readers of one entry's envelope and rows share one view
 * instead of creating one each.
 */
let lastBuffer: ArrayBufferLike | undefined;
let lastView: DataView | undefined;

function viewOf(buffer: ArrayBufferLike): DataView {
  if (buffer !== lastBuffer || lastView === undefined) {
    lastView = new DataView(buffer);
    lastBuffer = buffer;
  }
  return lastView;
}

/** The last Buffer made over a whole ArrayBuffer, shared like lastView (for utf8()). */
let lastTextBuffer: ArrayBufferLike | undefined;
let lastText: Buffer | undefined;

function textViewOf(buffer: ArrayBufferLike): Buffer {
  if (buffer !== lastTextBuffer || lastText === undefined) {
    lastText = Buffer.from(buffer);
    lastTextBuffer = buffer;
  }
  return lastText;
}

/** What Buffer#toString puts in place of each byte that is not valid UTF-8. */
const replacementChar = '\uFFFD';

export class ByteReader {
  /** Over the whole buffer: reads add `base`. Bounds are checked against `bytes`, never the view. */
  private readonly view: DataView;
  private readonly base: number;
  private position: number;

  constructor(private readonly bytes: Uint8Array, offset = 0) {
    this.view = viewOf(bytes.buffer);
    this.base = bytes.byteOffset;
    this.position = offset;
  }

  get offset(): number {
    return this.position;
  }

  get remaining(): number {
    return this.bytes.length - this.position;
  }

  /** Throws unless every byte was consumed: trailing garbage is corruption. */
  expectEnd(what: string): void {
    if (this.position !== this.bytes.length) {
      throw new EntryDecodeError('trailing', `${what}: ${this.bytes.length - this.position} bytes after the last field`);
    }
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.position++] ?? 0;
  }

  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.base + this.position, true);
    this.position += 2;
    return v;
  }

  i16(): number {
    this.need(2);
    const v = this.view.getInt16(this.base + this.position, true);
    this.position += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.base + this.position, true);
    this.position += 4;
    return v;
  }

  i32(): number {
    this.need(4);
    const v = this.view.getInt32(this.base + this.position, true);
    this.position += 4;
    return v;
  }

  i64(): bigint {
    this.need(8);
    const v = this.view.getBigInt64(this.base + this.position, true);
    this.position += 8;
    return v;
  }

  u64(): bigint {
    this.need(8);
    const v = this.view.getBigUint64(this.base + this.position, true);
    this.position += 8;
    return v;
  }

  f32(): number {
    this.need(4);
    const v = this.view.getFloat32(this.base + this.position, true);
    this.position += 4;
    return v;
  }

  f64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.base + this.position, true);
    this.position += 8;
    return v;
  }

  varuint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < varuintBytesMax; i++) {
      const byte = this.u8();
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) {
        if (byte === 0 && i > 0) throw new EntryDecodeError('malformed', 'varuint with a redundant trailing byte');
        if (!Number.isSafeInteger(value)) throw new EntryDecodeError('malformed', 'varuint beyond 2^53');
        return value;
      }
      scale *= 0x80;
    }
    throw new EntryDecodeError('malformed', `varuint longer than ${varuintBytesMax} bytes`);
  }

  varint(): number {
    const zigzag = this.varuint();
    return zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2;
  }

  /** A varuint bounded by `max` (inclusive), named `what` in the error. */
  count(max: number, what: string): number {
    const n = this.varuint();
    if (n > max) throw new EntryDecodeError('limit', `${what} ${n} exceeds the limit ${max}`);
    return n;
  }

  /**
   * Skips `length` bytes and returns where they start in `input()`: a row's
   * null bitmap is read in place, not through a view (one typed array per
   * decoded row was a measurable share of applying a small entry).
   */
  skip(length: number): number {
    this.need(length);
    const at = this.position;
    this.position += length;
    return at;
  }

  /** The bytes being read (for reads in place after skip()). */
  input(): Uint8Array {
    return this.bytes;
  }

  /** `length` bytes as a view into the input (no copy). */
  raw(length: number): Uint8Array {
    this.need(length);
    const out = this.bytes.subarray(this.position, this.position + length);
    this.position += length;
    return out;
  }

  bytesWithLength(max: number, what: string): Uint8Array {
    return this.raw(this.count(max, what));
  }

  /**
   * Length-prefixed UTF-8. Buffer#toString, about twice as fast as a
   * TextDecoder on short values (a COPY's text columns, issue 5), replaces
   * invalid bytes with U+FFFD instead of failing: text that has one is
   * decoded again strictly, so corrupt bytes still fail.
   */
  utf8(max: number, what: string): string {
    const length = this.count(max, what);
    const at = this.skip(length);
    const start = this.base + at;
    const text = textViewOf(this.bytes.buffer).toString('utf8', start, start + length);
    if (!text.includes(replacementChar)) return text;
    try {
      return utf8.decode(this.bytes.subarray(at, at + length));
    } catch {
      throw new EntryDecodeError('malformed', `${what} is not valid UTF-8`);
    }
  }

  private need(bytes: number): void {
    if (this.position + bytes > this.bytes.length) {
      throw new EntryDecodeError('truncated', `needed ${bytes} bytes at offset ${this.position} of ${this.bytes.length}`);
    }
  }
}
