// The few protobuf wire-format pieces raft.proto needs: varint (uint32,
// uint64 below 2^53, bool) and length-delimited (string, bytes) fields.
// Hand-written because the messages are tiny and fixed, so a generated or
// reflective codec (protobufjs via @grpc/proto-loader) would add a
// dependency and a runtime .proto load for four messages.
import { CodecError } from './byte-io.js';

const WireType = { varint: 0, fixed64: 1, lengthDelimited: 2, fixed32: 5 } as const;

export type FieldValue = number | boolean | string | Uint8Array;

function varintBytes(value: number): number[] {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`cannot encode ${value} as a protobuf varint`);
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

/**
 * `repeated bytes` field `fieldNo` (below 16) holding `values`, in one
 * allocation: the encoding of encodeFields([[fieldNo, v] for v of values]).
 * On the path of every Raft batch sent, where encodeFields' per-field arrays
 * and concat showed in profiles.
 */
export function encodeRepeatedBytes(fieldNo: number, values: readonly Uint8Array[]): Buffer {
  if (!Number.isInteger(fieldNo) || fieldNo < 1 || fieldNo > 15) throw new RangeError(`field ${fieldNo}: expected 1..15 (a one-byte key)`);
  let bytes = 0;
  for (const value of values) bytes += 1 + varintLength(value.byteLength) + value.byteLength;
  const out = Buffer.allocUnsafe(bytes);
  let at = 0;
  for (const value of values) {
    out[at++] = fieldNo * 8 + WireType.lengthDelimited;
    let v = value.byteLength;
    while (v >= 0x80) {
      out[at++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    out[at++] = v;
    out.set(value, at);
    at += value.byteLength;
  }
  return out;
}

function varintLength(value: number): number {
  let bytes = 1;
  for (let v = value; v >= 0x80; v = Math.floor(v / 0x80)) bytes += 1;
  return bytes;
}

/** Encodes fields in the order given; `undefined` values are skipped (proto3 defaults). */
export function encodeFields(fields: ReadonlyArray<readonly [number, FieldValue | undefined]>): Buffer {
  const parts: Buffer[] = [];
  for (const [fieldNo, value] of fields) {
    if (value === undefined) continue;
    if (typeof value === 'number' || typeof value === 'boolean') {
      parts.push(Buffer.from([...varintBytes(fieldNo * 8 + WireType.varint), ...varintBytes(typeof value === 'boolean' ? (value ? 1 : 0) : value)]));
    } else {
      const data = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
      parts.push(Buffer.from([...varintBytes(fieldNo * 8 + WireType.lengthDelimited), ...varintBytes(data.byteLength)]));
      parts.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    }
  }
  return Buffer.concat(parts);
}

export interface DecodedFields {
  /** Last varint value of a field (proto3: the last one wins). */
  varint(fieldNo: number): number | undefined;
  /** Every length-delimited value of a field, in order (views into the input). */
  bytes(fieldNo: number): readonly Buffer[];
  string(fieldNo: number): string | undefined;
}

/** Decodes a protobuf message; throws CodecError on malformed input. Unknown fields are skipped. */
export function decodeFields(buf: Buffer): DecodedFields {
  const varints = new Map<number, number>();
  const chunks = new Map<number, Buffer[]>();
  let at = 0;
  const readVarint = (): number => {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      if (at >= buf.length) throw new CodecError('truncated varint');
      const byte = buf[at++] ?? 0;
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) {
        if (!Number.isSafeInteger(value)) throw new CodecError('varint above 2^53');
        return value;
      }
      scale *= 0x80;
    }
    throw new CodecError('varint longer than 8 bytes (above 2^53)');
  };
  while (at < buf.length) {
    const key = readVarint();
    const fieldNo = Math.floor(key / 8);
    const wireType = key % 8;
    if (wireType === WireType.varint) varints.set(fieldNo, readVarint());
    else if (wireType === WireType.lengthDelimited) {
      const length = readVarint();
      if (at + length > buf.length) throw new CodecError(`field ${fieldNo}: ${length} bytes, ${buf.length - at} left`);
      const list = chunks.get(fieldNo) ?? [];
      list.push(buf.subarray(at, at + length));
      chunks.set(fieldNo, list);
      at += length;
    } else if (wireType === WireType.fixed64) at += 8;
    else if (wireType === WireType.fixed32) at += 4;
    else throw new CodecError(`field ${fieldNo}: unsupported wire type ${wireType}`);
  }
  if (at > buf.length) throw new CodecError('truncated fixed-width field');
  return {
    varint: (fieldNo) => varints.get(fieldNo),
    bytes: (fieldNo) => chunks.get(fieldNo) ?? [],
    string: (fieldNo) => {
      const list = chunks.get(fieldNo);
      const last = list?.[list.length - 1];
      return last === undefined ? undefined : last.toString('utf8');
    },
  };
}
