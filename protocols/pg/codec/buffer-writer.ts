// A growable output buffer for backend messages. The session writes a whole
// batch (say RowDescription, many DataRows, CommandComplete, ReadyForQuery)
// and flush() hands it over as one Buffer for one socket write.
//
// flush() returns a view, not a copy, and later writes go after it in the
// same slab (or into a new one): bytes handed out are never overwritten, so
// the socket may hold them as long as it likes.
import type { BackendType } from './constants.js';
import { invariant } from './assert.js';

/** Size of a fresh slab. A batch that outgrows it moves to a slab twice its size. */
export const writerSlabBytesDefault = 64 * 1024;

/**
 * Strings up to this many UTF-16 units are copied by a JavaScript loop when
 * they are ASCII: for short values (most DataRow fields) that is several
 * times cheaper than crossing into Buffer.write's native code (measured on
 * Node 20: about 5-40 ns against 65-90 ns).
 */
const asciiLoopCharsMax = 32;

/** Largest value of a protocol Int32 length. */
const int32Max = 0x7fff_ffff;

export class BufferWriter {
  private buf: Buffer;
  /** First byte of the batch not yet flushed. */
  private batchStart = 0;
  private pos = 0;
  /** Offset of the open message's type byte, or -1. */
  private messageStart = -1;

  constructor(private readonly slabBytes: number = writerSlabBytesDefault) {
    invariant(Number.isSafeInteger(slabBytes) && slabBytes >= 64, 'slabBytes is an integer >= 64');
    this.buf = Buffer.allocUnsafe(slabBytes);
  }

  /** Bytes written since the last flush. */
  get pendingBytes(): number {
    return this.pos - this.batchStart;
  }

  /** The batch written since the last flush, as one Buffer (possibly empty). */
  flush(): Buffer {
    invariant(this.messageStart < 0, 'flush() with a message still open');
    const batch = this.buf.subarray(this.batchStart, this.pos);
    this.batchStart = this.pos;
    return batch;
  }

  /** Starts a message: type byte and a placeholder for its length. */
  beginMessage(type: BackendType): void {
    invariant(this.messageStart < 0, 'beginMessage() inside another message');
    this.ensure(5);
    this.messageStart = this.pos;
    this.buf[this.pos] = type;
    this.pos += 5;
  }

  /** Ends the open message, filling in its length (which counts itself, not the type byte). */
  endMessage(): void {
    invariant(this.messageStart >= 0, 'endMessage() without beginMessage()');
    const length = this.pos - this.messageStart - 1;
    invariant(length <= int32Max, 'a message fits an Int32 length');
    this.buf.writeInt32BE(length, this.messageStart + 1);
    this.messageStart = -1;
  }

  /** A message with no body. */
  emptyMessage(type: BackendType): void {
    this.beginMessage(type);
    this.endMessage();
  }

  int8(value: number): void {
    this.ensure(1);
    this.buf.writeInt8(value, this.pos);
    this.pos += 1;
  }

  /** One byte 0-255 (a character code such as a field type or transaction status). */
  uint8(value: number): void {
    this.ensure(1);
    this.buf.writeUInt8(value, this.pos);
    this.pos += 1;
  }

  int16(value: number): void {
    this.ensure(2);
    this.buf.writeInt16BE(value, this.pos);
    this.pos += 2;
  }

  int32(value: number): void {
    this.ensure(4);
    this.buf.writeInt32BE(value, this.pos);
    this.pos += 4;
  }

  /** OIDs are unsigned 32-bit on the wire. */
  uint32(value: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(value, this.pos);
    this.pos += 4;
  }

  bytes(value: Uint8Array): void {
    this.ensure(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
  }

  /** UTF-8 without a terminator (SASL data, which the length frames). */
  string(value: string): void {
    this.reserveUtf8(value, 0);
    this.writeUtf8Unchecked(value);
  }

  /**
   * A NUL-terminated UTF-8 string. An embedded NUL would end the field early
   * and shift every later field of the message on the client (an error text
   * quoting client data could forge fields), so NUL is written as U+FFFD.
   */
  cstring(value: string): void {
    const safe = value.includes('\0') ? value.replaceAll('\0', '\uFFFD') : value;
    this.reserveUtf8(safe, 1);
    this.writeUtf8Unchecked(safe);
    this.buf[this.pos++] = 0;
  }

  /** Int32 length then the bytes, or -1 for null: a DataRow or CopyData value. */
  lengthPrefixed(value: Uint8Array | string | null): void {
    if (value === null) {
      this.int32(-1);
    } else if (typeof value === 'string') {
      this.reserveUtf8(value, 4);
      const lengthAt = this.pos;
      this.pos += 4;
      this.buf.writeInt32BE(this.writeUtf8Unchecked(value), lengthAt);
    } else {
      this.ensure(4 + value.length);
      this.buf.writeInt32BE(value.length, this.pos);
      this.buf.set(value, this.pos + 4);
      this.pos += 4 + value.length;
    }
  }

  /** Makes room for `value` in UTF-8 plus `extraBytes`, measuring exactly only when the worst case does not fit. */
  private reserveUtf8(value: string, extraBytes: number): void {
    const worstBytes = value.length * 3 + extraBytes;
    if (this.pos + worstBytes <= this.buf.length) return;
    this.ensure(Buffer.byteLength(value, 'utf8') + extraBytes);
  }

  /** Writes `value` as UTF-8 at `pos` (room already reserved); returns the byte count. */
  private writeUtf8Unchecked(value: string): number {
    const n = value.length;
    if (n <= asciiLoopCharsMax) {
      const buf = this.buf;
      const start = this.pos;
      let i = 0;
      for (; i < n; i++) {
        const code = value.charCodeAt(i);
        if (code >= 0x80) break;
        buf[start + i] = code;
      }
      if (i === n) {
        this.pos += n;
        return n;
      }
    }
    // Lone surrogates become U+FFFD (3 bytes), as Buffer.byteLength counts them.
    const written = this.buf.write(value, this.pos, 'utf8');
    this.pos += written;
    return written;
  }

  private ensure(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    const pendingBytes = this.pos - this.batchStart;
    // Doubling the pending batch keeps a growing batch's copying linear overall.
    const next = Buffer.allocUnsafe(Math.max(this.slabBytes, 2 * pendingBytes + bytes));
    this.buf.copy(next, 0, this.batchStart, this.pos);
    if (this.messageStart >= 0) this.messageStart -= this.batchStart;
    this.buf = next;
    this.batchStart = 0;
    this.pos = pendingBytes;
  }
}
