// A growable little-endian byte buffer for the entry and row codecs. Writes
// never fail for size reasons; the codecs check their named limits first.

import { invariant } from '../assert.js';

const initialCapacityBytes = 256;
/** A reused writer keeps at most this much buffer between uses. */
const scratchBytesMax = 64 * 1024;
const utf8 = new TextEncoder();
/** Text up to this many UTF-16 units takes the byte-by-byte ASCII path of utf8(). */
const asciiFastPathCharsMax = 256;

export class ByteWriter {
  private bytes: Uint8Array;
  private view: DataView;
  private length = 0;

  constructor(capacityBytes = initialCapacityBytes) {
    this.bytes = new Uint8Array(capacityBytes);
    this.view = new DataView(this.bytes.buffer);
  }

  get offset(): number {
    return this.length;
  }

  /**
   * Empties the writer for reuse, keeping its buffer unless it grew past
   * `keepBytesMax` (one huge row must not pin its buffer for good). Hot
   * encoders (a row, a key) reuse one writer: allocating a fresh buffer per
   * row was a tenth of the CPU of a bulk load (issue 4).
   */
  reset(keepBytesMax = scratchBytesMax): void {
    this.length = 0;
    if (this.bytes.length > keepBytesMax) {
      this.bytes = new Uint8Array(initialCapacityBytes);
      this.view = new DataView(this.bytes.buffer);
    }
  }

  /** The bytes written so far, copied into an exactly sized array the caller owns. */
  finish(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }

  /**
   * The bytes written so far as a view of this writer's buffer, valid only
   * until the next write or reset: for copying straight into another writer
   * without `finish()`'s array per call (one ArrayBuffer per encoded row was
   * most of the cost of encoding a large transaction, issue 4).
   */
  written(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }

  u8(value: number): void {
    this.reserve(1);
    this.bytes[this.length++] = value;
  }

  u16(value: number): void {
    this.reserve(2);
    this.view.setUint16(this.length, value, true);
    this.length += 2;
  }

  i16(value: number): void {
    this.reserve(2);
    this.view.setInt16(this.length, value, true);
    this.length += 2;
  }

  u32(value: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, value, true);
    this.length += 4;
  }

  i32(value: number): void {
    this.reserve(4);
    this.view.setInt32(this.length, value, true);
    this.length += 4;
  }

  i64(value: bigint): void {
    this.reserve(8);
    this.view.setBigInt64(this.length, value, true);
    this.length += 8;
  }

  u64(value: bigint): void {
    this.reserve(8);
    this.view.setBigUint64(this.length, value, true);
    this.length += 8;
  }

  f32(value: number): void {
    this.reserve(4);
    this.view.setFloat32(this.length, value, true);
    this.length += 4;
  }

  f64(value: number): void {
    this.reserve(8);
    this.view.setFloat64(this.length, value, true);
    this.length += 8;
  }

  /** Unsigned LEB128 of a safe non-negative integer (1 byte below 128). */
  varuint(value: number): void {
    // Conditions first: a template message per call would cost more than the write.
    if (!(Number.isSafeInteger(value) && value >= 0)) invariant(false, `varuint of ${value}`);
    let rest = value;
    while (rest >= 0x80) {
      this.u8((rest % 0x80) | 0x80);
      rest = Math.floor(rest / 0x80);
    }
    this.u8(rest);
  }

  /** Zigzag + LEB128 of a safe integer. */
  varint(value: number): void {
    if (!Number.isSafeInteger(value)) invariant(false, `varint of ${value}`);
    this.varuint(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  raw(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.bytes.set(bytes, this.length);
    this.length += bytes.length;
  }

  /** Length-prefixed bytes. */
  bytesWithLength(bytes: Uint8Array): void {
    this.varuint(bytes.length);
    this.raw(bytes);
  }

  /**
   * Length-prefixed big-endian bytes of a safe non-negative integer, without
   * leading zero bytes (0 is no bytes): what bytesWithLength() writes for
   * such a magnitude, without building the byte array first.
   */
  bigEndianUintWithLength(value: number): void {
    if (!(Number.isSafeInteger(value) && value >= 0)) invariant(false, `big-endian uint of ${value}`);
    let byteCount = 0;
    for (let rest = value; rest > 0; rest = Math.floor(rest / 256)) byteCount++;
    this.varuint(byteCount);
    this.reserve(byteCount);
    let rest = value;
    for (let i = this.length + byteCount - 1; i >= this.length; i--) {
      this.bytes[i] = rest % 256;
      rest = Math.floor(rest / 256);
    }
    this.length += byteCount;
  }

  /**
   * Length-prefixed UTF-8, encoded in place: short ASCII text (most SQL
   * text values) byte by byte, anything else with `encodeInto` once its
   * length is known. `TextEncoder.encode` allocated an array per value.
   */
  utf8(text: string): void {
    const n = text.length;
    if (n <= asciiFastPathCharsMax) {
      const start = this.length;
      this.varuint(n);
      this.reserve(n);
      const bytes = this.bytes;
      let at = this.length;
      for (let i = 0; i < n; i++) {
        const code = text.charCodeAt(i);
        if (code >= 0x80) {
          // Not ASCII: undo and take the general path.
          this.length = start;
          this.utf8Encoded(text);
          return;
        }
        bytes[at++] = code;
      }
      this.length = at;
      return;
    }
    this.utf8Encoded(text);
  }

  private utf8Encoded(text: string): void {
    const byteCount = Buffer.byteLength(text, 'utf8');
    this.varuint(byteCount);
    this.reserve(byteCount);
    const { written } = utf8.encodeInto(text, this.bytes.subarray(this.length, this.length + byteCount));
    if (written !== byteCount) invariant(false, `utf8 wrote ${written} of ${byteCount} bytes`);
    this.length += byteCount;
  }

  private reserve(extraBytes: number): void {
    const needed = this.length + extraBytes;
    if (needed <= this.bytes.length) return;
    let capacity = this.bytes.length * 2;
    while (capacity < needed) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
    this.view = new DataView(grown.buffer);
  }
}
