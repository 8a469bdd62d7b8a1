// Bounds-checked reads over one message body. Every read checks what is left
// first, so a lying count or a missing NUL can only ever produce a
// BodyError, never an out-of-range read or a large allocation.
import { FormatCode, SqlState } from './constants.js';
import { ProtocolViolation } from './violation.js';

// ignoreBOM: a leading U+FEFF is data (part of a query or a name), not a
// marker to strip. fatal: invalid UTF-8 is an error, as in PostgreSQL.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * A problem inside one body. Thrown by BodyReader and always caught by the
 * codec function that created the reader (which returns a ProtocolViolation):
 * throwing keeps field-by-field decoders linear instead of checking a result
 * after every read. It never leaves the codec.
 */
export class BodyError {
  constructor(
    readonly sqlState: SqlState,
    readonly message: string,
  ) {}
}

/** PostgreSQL's wording, so clients and their tests see familiar errors. */
const insufficientData = 'insufficient data left in message';

export class BodyReader {
  private offset = 0;

  constructor(private readonly body: Buffer) {}

  get remainingBytes(): number {
    return this.body.length - this.offset;
  }

  byte(): number {
    this.need(1);
    return this.body[this.offset++] ?? 0;
  }

  int16(): number {
    this.need(2);
    const value = this.body.readInt16BE(this.offset);
    this.offset += 2;
    return value;
  }

  /** Counts are unsigned on the wire in PostgreSQL (pq_getmsgint), so 65535 columns is a count, not -1. */
  uint16(): number {
    this.need(2);
    const value = this.body.readUInt16BE(this.offset);
    this.offset += 2;
    return value;
  }

  int32(): number {
    this.need(4);
    const value = this.body.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  /** OIDs are unsigned 32-bit. */
  uint32(): number {
    this.need(4);
    const value = this.body.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  /** A NUL-terminated UTF-8 string. */
  cstring(): string {
    const nul = this.body.indexOf(0, this.offset);
    if (nul < 0) throw new BodyError(SqlState.ProtocolViolation, 'invalid string in message');
    const start = this.offset;
    this.offset = nul + 1;
    return nul === start ? '' : decodeUtf8OrThrow(this.body.subarray(start, nul));
  }

  /** A view of the next `count` bytes (no copy). */
  bytes(count: number): Buffer {
    if (count < 0) throw new BodyError(SqlState.ProtocolViolation, insufficientData);
    this.need(count);
    const view = this.body.subarray(this.offset, this.offset + count);
    this.offset += count;
    return view;
  }

  /** A view of everything not read yet. */
  rest(): Buffer {
    return this.bytes(this.remainingBytes);
  }

  /** A body must be consumed exactly: trailing bytes mean the client and we disagree on the layout. */
  expectEnd(): void {
    if (this.remainingBytes !== 0) throw new BodyError(SqlState.ProtocolViolation, 'invalid message format');
  }

  /** Int16 count, then that many Int16 format codes, each 0 or 1. */
  formatCodes(): FormatCode[] {
    const count = this.uint16();
    this.need(count * 2);
    const codes: FormatCode[] = new Array<FormatCode>(count);
    for (let i = 0; i < count; i++) codes[i] = this.formatCode();
    return codes;
  }

  formatCode(): FormatCode {
    const code = this.int16();
    if (code !== FormatCode.Text && code !== FormatCode.Binary) {
      throw new BodyError(SqlState.InvalidParameterValue, `unsupported format code: ${code}`);
    }
    return code;
  }

  /** Int16 count, then that many Int32 OIDs. */
  oids(): number[] {
    const count = this.uint16();
    this.need(count * 4);
    const oids = new Array<number>(count);
    for (let i = 0; i < count; i++) oids[i] = this.uint32();
    return oids;
  }

  /** Int16 count, then per value an Int32 length (-1 for NULL) and the bytes. */
  values(): (Buffer | null)[] {
    const count = this.uint16();
    // Each value takes at least its 4-byte length: refuse a count the body cannot hold
    // before sizing an array for it.
    this.need(count * 4);
    const values: (Buffer | null)[] = new Array<Buffer | null>(count);
    for (let i = 0; i < count; i++) {
      const length = this.int32();
      values[i] = length === -1 ? null : this.bytes(length);
    }
    return values;
  }

  private need(count: number): void {
    if (count > this.remainingBytes) throw new BodyError(SqlState.ProtocolViolation, insufficientData);
  }
}

const invalidUtf8 = 'invalid byte sequence for encoding "UTF8"';

function decodeUtf8OrThrow(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new BodyError(SqlState.CharacterNotInRepertoire, invalidUtf8);
  }
}

/**
 * Decodes a text-format parameter value (or any client text) the way
 * PostgreSQL validates client input: invalid UTF-8 is a non-fatal 22021.
 */
/** Up to this many bytes, ASCII text is decoded by a JS loop. */
const asciiFastPathBytesMax = 32;

export function decodeUtf8(bytes: Uint8Array): string | ProtocolViolation {
  // Short ASCII (names, numbers: most of what Bind and Execute carry) costs less in a loop than a
  // call into the decoder; ASCII is valid UTF-8 and decodes to the same string either way.
  if (bytes.length <= asciiFastPathBytesMax) {
    let text = '';
    let i = 0;
    for (; i < bytes.length; i++) {
      const b = bytes[i] as number;
      if (b >= 0x80) break;
      text += String.fromCharCode(b);
    }
    if (i === bytes.length) return text;
  }
  try {
    return utf8.decode(bytes);
  } catch {
    return new ProtocolViolation(SqlState.CharacterNotInRepertoire, invalidUtf8, false, undefined);
  }
}
