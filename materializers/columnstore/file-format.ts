// Column store files: [4-byte magic][u8 format][u8 compression][u32 raw bytes]
// [payload, compressed with the configured algorithm][u32 CRC-32C of everything
// before it]. Compression is recorded per file, so files written with lz4 read
// back under a zstd configuration. Written to a temporary name, fdatasynced,
// then renamed; the manifest rename (plus a directory fsync) is the commit point.

import { crc32c } from '@node-rs/crc32';
import { compress as zstdCompress, decompress as zstdDecompress } from '@mongodb-js/zstd';
import { open, rename } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ColumnStoreCorruptionError } from './errors.js';

export type ColumnStoreCompression = 'none' | 'lz4' | 'zstd';

const compressionCodes = { none: 0, lz4: 1, zstd: 2 } as const satisfies Record<ColumnStoreCompression, number>;
const headerBytes = 10;
const crcBytes = 4;
const zstdLevel = 3;
/** Largest uncompressed file body accepted at load (bounds the allocation). */
export const fileRawBytesMax = 2 ** 31 - 1;

interface Lz4Binding {
  encodeBound(inputBytes: number): number;
  encodeBlock(source: Buffer, target: Buffer): number;
  decodeBlock(source: Buffer, target: Buffer): number;
}
// log/wal/compression.ts does the same; it is not exported from log/wal's index,
// so the column store loads lz4 (CommonJS, no types) itself.
const lz4 = createRequire(import.meta.url)('lz4') as Lz4Binding;

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

async function compressBody(body: Uint8Array, compression: ColumnStoreCompression): Promise<Uint8Array> {
  switch (compression) {
    case 'none': return body;
    case 'lz4': {
      const target = Buffer.allocUnsafe(lz4.encodeBound(body.length));
      const n = body.length === 0 ? 0 : lz4.encodeBlock(asBuffer(body), target);
      // lz4 returns 0 for incompressible input: store it raw.
      return n <= 0 ? body : target.subarray(0, n);
    }
    case 'zstd': return zstdCompress(asBuffer(body), zstdLevel);
  }
}

export async function frameFile(magic: string, body: Uint8Array, compression: ColumnStoreCompression): Promise<Buffer> {
  let payload = await compressBody(body, compression);
  let used = compression;
  if (payload === body) used = 'none';
  if (used !== 'none' && payload.length >= body.length) {
    payload = body;
    used = 'none';
  }
  const out = Buffer.allocUnsafe(headerBytes + payload.length + crcBytes);
  out.write(magic, 0, 4, 'latin1');
  out.writeUInt8(1, 4);
  out.writeUInt8(compressionCodes[used], 5);
  out.writeUInt32LE(body.length, 6);
  out.set(payload, headerBytes);
  out.writeUInt32LE(crc32c(out.subarray(0, headerBytes + payload.length)), headerBytes + payload.length);
  return out;
}

export async function unframeFile(magic: string, file: Buffer, name: string): Promise<Uint8Array> {
  if (file.length < headerBytes + crcBytes) throw new ColumnStoreCorruptionError(`${name}: ${file.length} bytes is shorter than a header`);
  if (file.toString('latin1', 0, 4) !== magic) throw new ColumnStoreCorruptionError(`${name}: bad magic`);
  const crcAt = file.length - crcBytes;
  if (crc32c(file.subarray(0, crcAt)) !== file.readUInt32LE(crcAt)) throw new ColumnStoreCorruptionError(`${name}: CRC-32C mismatch`);
  if (file.readUInt8(4) !== 1) throw new ColumnStoreCorruptionError(`${name}: format ${file.readUInt8(4)}`);
  const rawBytes = file.readUInt32LE(6);
  if (rawBytes > fileRawBytesMax) throw new ColumnStoreCorruptionError(`${name}: ${rawBytes} raw bytes`);
  const payload = file.subarray(headerBytes, crcAt);
  let body: Uint8Array;
  switch (file.readUInt8(5)) {
    case compressionCodes.none: body = payload; break;
    case compressionCodes.lz4: {
      const out = Buffer.allocUnsafe(rawBytes);
      const n = rawBytes === 0 ? 0 : lz4.decodeBlock(payload, out);
      body = out.subarray(0, n);
      break;
    }
    case compressionCodes.zstd: body = await zstdDecompress(payload); break;
    default: throw new ColumnStoreCorruptionError(`${name}: compression code ${file.readUInt8(5)}`);
  }
  if (body.length !== rawBytes) throw new ColumnStoreCorruptionError(`${name}: body of ${body.length} bytes, expected ${rawBytes}`);
  // A plain Uint8Array view: Buffer#slice does not copy, and decoders copy with slice().
  return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
}

/** Writes a file under a temporary name, fdatasyncs it and renames it into place (the directory is synced by the caller). */
export async function writeFileDurably(dir: string, name: string, bytes: Uint8Array): Promise<void> {
  const tmp = join(dir, `${name}.tmp`);
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(bytes);
    await handle.datasync();
  } finally {
    await handle.close();
  }
  await rename(tmp, join(dir, name));
}

export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
