// Record framing: pure encode/decode, no I/O. Everything is little-endian.
//
//   offset  size  field
//   0       4     bodyBytes: bytes after the crc field (recordBodyBytesMin + payload)
//   4       4     crc32c of those bodyBytes
//   8       1     format version
//   9       1     flags: bits 0-1 compression algorithm, other bits zero
//   10      1     entry kind
//   11      8     term
//   19      8     index
//   27      ...   payload (when compressed: u32 uncompressed size, then the block)
//
// The length is checked against recordBodyBytesMax before waiting for (or
// allocating) the body, so a damaged length field can never make us allocate.
import { crc32c } from '@node-rs/crc32';
import { EntryKind } from '../types.js';
import { indexMax, recordBodyBytesMax, recordBodyBytesMin, recordHeaderBytes, walFormatVersion } from './limits.js';

/** Values of the flags byte's compression bits. Written to disk: never renumber. */
export const Compression = { None: 0, Lz4: 1, Zstd: 2 } as const;
export type Compression = (typeof Compression)[keyof typeof Compression];

const compressionMask = 0b11;
const offsetBodyBytes = 0;
const offsetCrc = 4;
const offsetVersion = 8;
const offsetFlags = 9;
const offsetKind = 10;
const offsetTerm = 11;
const offsetIndex = 19;
const twoPow32 = 2 ** 32;

export interface RecordFields {
  readonly term: number;
  readonly index: number;
  readonly kind: EntryKind;
  readonly compression: Compression;
}

export interface DecodedRecord extends RecordFields {
  /** Stored payload (still compressed when `compression` is not None); a view into the input. */
  readonly payload: Uint8Array;
  readonly recordBytes: number;
}

/**
 * `frame`: the bytes do not form a record (length out of bounds, CRC mismatch):
 * what a torn write looks like. `content`: the CRC holds but a field is invalid,
 * so these exact bytes were written by someone: never a torn write.
 */
export type RecordDamage = 'frame' | 'content';

export type DecodeResult =
  | { readonly kind: 'record'; readonly record: DecodedRecord }
  | { readonly kind: 'incomplete'; readonly bytesMissing: number }
  | { readonly kind: 'invalid'; readonly damage: RecordDamage; readonly reason: string };

function writeU64(buf: Buffer, value: number, offset: number): void {
  buf.writeUInt32LE(value >>> 0, offset);
  buf.writeUInt32LE(Math.floor(value / twoPow32), offset + 4);
}

/** Reads a u64 that must be below 2^53; returns -1 when it is not. */
function readU64(buf: Buffer, offset: number): number {
  const high = buf.readUInt32LE(offset + 4);
  if (high >= 2 ** 21) return -1;
  return high * twoPow32 + buf.readUInt32LE(offset);
}

/**
 * Fills the header of `record`, whose payload already sits at
 * `record[recordHeaderBytes..]`, and computes the CRC. Lets callers compress
 * straight into the final buffer (one allocation per record).
 */
export function sealRecord(record: Buffer, fields: RecordFields): void {
  const bodyBytes = record.length - 8;
  record.writeUInt32LE(bodyBytes, offsetBodyBytes);
  record[offsetVersion] = walFormatVersion;
  record[offsetFlags] = fields.compression;
  record[offsetKind] = fields.kind;
  writeU64(record, fields.term, offsetTerm);
  writeU64(record, fields.index, offsetIndex);
  record.writeUInt32LE(crc32c(record.subarray(offsetVersion)), offsetCrc);
}

export function encodeRecord(fields: RecordFields, payload: Uint8Array): Buffer {
  const record = Buffer.allocUnsafe(recordHeaderBytes + payload.length);
  record.set(payload, recordHeaderBytes);
  sealRecord(record, fields);
  return record;
}

/** Term of an encoded record (the writer needs it when rolling a segment). */
export function recordTerm(record: Buffer): number {
  return readU64(record, offsetTerm);
}

/** Index of an encoded record. */
export function recordIndex(record: Buffer): number {
  return readU64(record, offsetIndex);
}

const entryKinds: ReadonlySet<number> = new Set(Object.values(EntryKind));

function checkFields(buf: Buffer, start: number): string | undefined {
  const version = buf[start + offsetVersion] ?? 0;
  if (version !== walFormatVersion) return `unsupported record format version ${version}`;
  const flags = buf[start + offsetFlags] ?? 0;
  if ((flags & ~compressionMask) !== 0 || (flags & compressionMask) > Compression.Zstd) {
    return `unknown flags 0x${flags.toString(16)}`;
  }
  const kind = buf[start + offsetKind] ?? 0;
  if (!entryKinds.has(kind)) return `unknown entry kind ${kind}`;
  const term = readU64(buf, start + offsetTerm);
  const index = readU64(buf, start + offsetIndex);
  if (term < 1 || term > indexMax) return `term out of range`;
  if (index < 1 || index > indexMax) return `index out of range`;
  return undefined;
}

/**
 * Cheap pre-check used when searching damaged bytes for a later valid record:
 * header fully present, length in bounds and within the file, known version,
 * flags and kind. Only then is the CRC worth computing.
 */
export function plausibleRecordStart(buf: Buffer, start: number, bytesToEndOfFile: number): boolean {
  if (start + recordHeaderBytes > buf.length) return false;
  const bodyBytes = buf.readUInt32LE(start + offsetBodyBytes);
  if (bodyBytes < recordBodyBytesMin || bodyBytes > recordBodyBytesMax || bodyBytes + 8 > bytesToEndOfFile) return false;
  return checkFields(buf, start) === undefined;
}

/** Decodes the record starting at `buf[start]`. Pure: reads nothing else. */
export function decodeRecord(buf: Buffer, start: number): DecodeResult {
  const available = buf.length - start;
  if (available < 4) return { kind: 'incomplete', bytesMissing: recordHeaderBytes - available };
  const bodyBytes = buf.readUInt32LE(start + offsetBodyBytes);
  if (bodyBytes < recordBodyBytesMin || bodyBytes > recordBodyBytesMax) {
    return { kind: 'invalid', damage: 'frame', reason: `record length ${bodyBytes} out of bounds` };
  }
  const recordBytes = bodyBytes + 8;
  if (available < recordBytes) return { kind: 'incomplete', bytesMissing: recordBytes - available };
  const body = buf.subarray(start + offsetVersion, start + recordBytes);
  if (crc32c(body) !== buf.readUInt32LE(start + offsetCrc)) {
    return { kind: 'invalid', damage: 'frame', reason: 'record checksum mismatch' };
  }
  const problem = checkFields(buf, start);
  if (problem !== undefined) return { kind: 'invalid', damage: 'content', reason: problem };
  const record: DecodedRecord = {
    term: readU64(buf, start + offsetTerm),
    index: readU64(buf, start + offsetIndex),
    kind: buf[start + offsetKind] as EntryKind,
    compression: ((buf[start + offsetFlags] ?? 0) & compressionMask) as Compression,
    payload: buf.subarray(start + recordHeaderBytes, start + recordBytes),
    recordBytes,
  };
  return { kind: 'record', record };
}

export type StreamStep =
  | { readonly kind: 'record'; readonly record: DecodedRecord; readonly offset: number }
  | { readonly kind: 'need-more'; readonly bufferedBytes: number }
  | { readonly kind: 'invalid'; readonly offset: number; readonly damage: RecordDamage; readonly reason: string };

/**
 * Incremental decoder over a byte stream fed in arbitrary chunks (recovery reads
 * segments chunk by chunk). Buffers at most one partial record, whose length was
 * already bounded. Returned payloads are views that stay valid: buffers are
 * never written after being handed in.
 */
export class RecordStreamDecoder {
  private buffer: Buffer = Buffer.alloc(0);
  private position = 0;
  private streamOffset: number;

  constructor(startOffset: number) {
    this.streamOffset = startOffset;
  }

  /** Stream offset of the next record to decode. */
  get offset(): number {
    return this.streamOffset;
  }

  get bufferedBytes(): number {
    return this.buffer.length - this.position;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.buffer = this.bufferedBytes === 0 ? chunk : Buffer.concat([this.buffer.subarray(this.position), chunk]);
    this.position = 0;
  }

  next(): StreamStep {
    const result = decodeRecord(this.buffer, this.position);
    switch (result.kind) {
      case 'incomplete':
        return { kind: 'need-more', bufferedBytes: this.bufferedBytes };
      case 'invalid':
        return { kind: 'invalid', offset: this.streamOffset, damage: result.damage, reason: result.reason };
      case 'record': {
        const offset = this.streamOffset;
        this.position += result.record.recordBytes;
        this.streamOffset += result.record.recordBytes;
        return { kind: 'record', record: result.record, offset };
      }
      default: {
        const unreachable: never = result;
        return unreachable;
      }
    }
  }
}
