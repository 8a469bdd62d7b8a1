// Bounds-checked big-endian writer and reader for the Raft message codec.
// The reader never allocates from an untrusted length before checking it
// against the bytes actually present: a bad frame throws CodecError, which
// the transport turns into a dropped batch (never a throw into the driver).

const twoPow32 = 2 ** 32;

/** A frame that does not decode. Caught by the transport; never reaches Raft. */
export class CodecError extends Error {
  override readonly name = 'CodecError';
}

export class ByteWriter {
  private buf: Buffer;
  private at = 0;

  constructor(initialBytes = 256) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  private reserve(bytes: number): void {
    if (this.at + bytes <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + bytes));
    this.buf.copy(next, 0, 0, this.at);
    this.buf = next;
  }

  u8(value: number): void {
    this.reserve(1);
    this.buf.writeUInt8(value, this.at);
    this.at += 1;
  }

  u16(value: number): void {
    this.reserve(2);
    this.buf.writeUInt16BE(value, this.at);
    this.at += 2;
  }

  u32(value: number): void {
    this.reserve(4);
    this.buf.writeUInt32BE(value, this.at);
    this.at += 4;
  }

  /** A non-negative safe integer (index, term) as two u32 halves. */
  u53(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`cannot encode ${value} as an unsigned integer`);
    this.u32(Math.floor(value / twoPow32));
    this.u32(value >>> 0);
  }

  bytes(data: Uint8Array): void {
    this.u32(data.byteLength);
    this.reserve(data.byteLength);
    this.buf.set(data, this.at);
    this.at += data.byteLength;
  }

  /** The bytes written so far (a view of the internal buffer). */
  finish(): Buffer {
    return this.buf.subarray(0, this.at);
  }
}

export class ByteReader {
  private at = 0;

  constructor(private readonly buf: Buffer) {}

  private need(bytes: number, what: string): void {
    if (this.at + bytes > this.buf.length) {
      throw new CodecError(`truncated ${what}: need ${bytes} bytes at offset ${this.at}, frame has ${this.buf.length}`);
    }
  }

  u8(what: string): number {
    this.need(1, what);
    const v = this.buf.readUInt8(this.at);
    this.at += 1;
    return v;
  }

  u16(what: string): number {
    this.need(2, what);
    const v = this.buf.readUInt16BE(this.at);
    this.at += 2;
    return v;
  }

  u32(what: string): number {
    this.need(4, what);
    const v = this.buf.readUInt32BE(this.at);
    this.at += 4;
    return v;
  }

  u53(what: string): number {
    const hi = this.u32(what);
    const lo = this.u32(what);
    const v = hi * twoPow32 + lo;
    if (!Number.isSafeInteger(v)) throw new CodecError(`${what} ${hi}:${lo} is above 2^53`);
    return v;
  }

  bool(what: string): boolean {
    const v = this.u8(what);
    if (v > 1) throw new CodecError(`${what}: ${v} is not a boolean`);
    return v === 1;
  }

  /** A length-prefixed byte string; a copy, so the frame's buffer can be released. */
  bytes(what: string, bytesMax: number): Buffer {
    const length = this.u32(what);
    if (length > bytesMax) throw new CodecError(`${what} of ${length} bytes is above ${bytesMax}`);
    this.need(length, what);
    const out = Buffer.from(this.buf.subarray(this.at, this.at + length));
    this.at += length;
    return out;
  }

  /** Fails unless every byte was consumed. */
  end(what: string): void {
    if (this.at !== this.buf.length) throw new CodecError(`${this.buf.length - this.at} trailing bytes after ${what}`);
  }
}
