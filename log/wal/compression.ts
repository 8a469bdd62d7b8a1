// Turns entries into encoded records and stored payloads back into data.
// Compression is chosen per record when writing; reading follows the record's
// flags only, so a log written with lz4 reads back with any configuration.
import { createRequire } from 'node:module';
import { compress as zstdCompress, decompress as zstdDecompress } from '@mongodb-js/zstd';
import type { LogEntry } from '../types.js';
import {
  compressPayloadBytesMin,
  compressedSizePrefixBytes,
  entryDataBytesMax,
  recordHeaderBytes,
  zstdLevel,
} from './limits.js';
import { Compression, sealRecord } from './record.js';
import type { DecodedRecord } from './record.js';

export type WalCompression = 'none' | 'lz4' | 'zstd';

interface Lz4Binding {
  encodeBound(inputBytes: number): number;
  encodeBlock(source: Buffer, target: Buffer): number;
  decodeBlock(source: Buffer, target: Buffer): number;
}
// lz4 is CommonJS without type declarations. Loading it through createRequire
// with a local interface avoids a global `declare module 'lz4'`, which could
// clash with another component's declaration of the same module.
const loadCommonJs = createRequire(import.meta.url);
const lz4 = loadCommonJs('lz4') as Lz4Binding;

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function rawRecord(entry: LogEntry, spare?: Buffer): Buffer {
  const recordBytes = recordHeaderBytes + entry.data.length;
  const record = spare !== undefined && spare.length >= recordBytes ? spare.subarray(0, recordBytes) : Buffer.allocUnsafe(recordBytes);
  record.set(entry.data, recordHeaderBytes);
  sealRecord(record, { term: entry.term, index: entry.index, kind: entry.kind, compression: Compression.None });
  return record;
}

/** Compresses straight into the record buffer; falls back to raw in the same buffer. */
function lz4Record(entry: LogEntry): Buffer {
  const rawBytes = entry.data.length;
  const prefixEnd = recordHeaderBytes + compressedSizePrefixBytes;
  const buffer = Buffer.allocUnsafe(prefixEnd + lz4.encodeBound(rawBytes));
  const blockBytes = lz4.encodeBlock(asBuffer(entry.data), buffer.subarray(prefixEnd));
  if (blockBytes <= 0 || compressedSizePrefixBytes + blockBytes >= rawBytes) return rawRecord(entry, buffer);
  buffer.writeUInt32LE(rawBytes, recordHeaderBytes);
  const record = buffer.subarray(0, prefixEnd + blockBytes);
  sealRecord(record, { term: entry.term, index: entry.index, kind: entry.kind, compression: Compression.Lz4 });
  return record;
}

async function zstdRecord(entry: LogEntry): Promise<Buffer> {
  const rawBytes = entry.data.length;
  const block = await zstdCompress(asBuffer(entry.data), zstdLevel);
  if (compressedSizePrefixBytes + block.length >= rawBytes) return rawRecord(entry);
  const prefixEnd = recordHeaderBytes + compressedSizePrefixBytes;
  const record = Buffer.allocUnsafe(prefixEnd + block.length);
  record.writeUInt32LE(rawBytes, recordHeaderBytes);
  record.set(block, prefixEnd);
  sealRecord(record, { term: entry.term, index: entry.index, kind: entry.kind, compression: Compression.Zstd });
  return record;
}

/**
 * Encodes entries as records, one Buffer each. Synchronous for none and lz4;
 * zstd runs on the libuv pool, so it returns a Promise (order is kept by the
 * caller awaiting batches in queue order).
 */
export function encodeEntries(entries: readonly LogEntry[], compression: WalCompression): Buffer[] | Promise<Buffer[]> {
  switch (compression) {
    case 'none':
      return entries.map((entry) => rawRecord(entry));
    case 'lz4':
      return entries.map((entry) => (entry.data.length >= compressPayloadBytesMin ? lz4Record(entry) : rawRecord(entry)));
    case 'zstd':
      return Promise.all(
        entries.map((entry) => (entry.data.length >= compressPayloadBytesMin ? zstdRecord(entry) : rawRecord(entry))),
      );
    default: {
      const unreachable: never = compression;
      throw new RangeError(`unknown compression ${String(unreachable)}`);
    }
  }
}

/** Thrown when a CRC-valid payload does not decompress: the caller names file and offset. */
export class PayloadError extends Error {
  override readonly name = 'PayloadError';
}

function compressedParts(payload: Uint8Array): { rawBytes: number; block: Buffer } {
  if (payload.length < compressedSizePrefixBytes) throw new PayloadError('compressed payload shorter than its size prefix');
  const bytes = asBuffer(payload);
  const rawBytes = bytes.readUInt32LE(0);
  if (rawBytes > entryDataBytesMax) throw new PayloadError(`uncompressed size ${rawBytes} above the limit ${entryDataBytesMax}`);
  return { rawBytes, block: bytes.subarray(compressedSizePrefixBytes) };
}

async function zstdData(payload: Uint8Array): Promise<Uint8Array> {
  const { rawBytes, block } = compressedParts(payload);
  let data: Buffer;
  try {
    data = await zstdDecompress(block);
  } catch (error) {
    throw new PayloadError(`zstd block does not decompress: ${String(error)}`);
  }
  if (data.length !== rawBytes) throw new PayloadError(`zstd block gave ${data.length} bytes, expected ${rawBytes}`);
  return data;
}

/** The entry data of a decoded record. Throws PayloadError on a bad block. */
export function recordData(record: DecodedRecord): Uint8Array | Promise<Uint8Array> {
  switch (record.compression) {
    case Compression.None:
      return record.payload;
    case Compression.Lz4: {
      const { rawBytes, block } = compressedParts(record.payload);
      const data = Buffer.allocUnsafe(rawBytes);
      const decodedBytes = rawBytes === 0 ? 0 : lz4.decodeBlock(block, data);
      if (decodedBytes !== rawBytes) throw new PayloadError(`lz4 block gave ${decodedBytes} bytes, expected ${rawBytes}`);
      return data;
    }
    case Compression.Zstd:
      return zstdData(record.payload);
    default: {
      const unreachable: never = record.compression;
      throw new PayloadError(`unknown compression ${String(unreachable)}`);
    }
  }
}
