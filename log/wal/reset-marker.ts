// The marker that makes a WAL reset (Wal.reset, after a snapshot install)
// crash-safe. A reset deletes every segment and starts an empty one after the
// snapshot's index. Order: write this marker (atomically), delete the
// segments, create the new empty segment, remove the marker. Recovery that
// finds the marker redoes the reset from the start (deleting whatever
// segments exist and creating the empty one), so a crash at any step leaves
// the old log (marker never durable) or the new empty log.
//
//   0  6  magic "TDBRST"
//   6  1  format version
//   7  1  reserved, zero
//   8  8  index (little-endian u53)
//   16 8  term
//   24 4  crc32c of bytes 0..23
import { join } from 'node:path';
import { crc32c } from '@node-rs/crc32';
import { readSmallFile, writeFileAtomic } from './atomic-file.js';
import { WalCorruptionError } from './errors.js';
import type { WalFileSystem } from './fs.js';
import { indexMax, walFormatVersion } from './limits.js';

export const resetMarkerFileName = 'reset-marker';
const markerBytes = 28;
const magic = Buffer.from('TDBRST', 'latin1');
const twoPow32 = 2 ** 32;

export interface ResetPoint {
  /** The log continues empty after this index... */
  readonly index: number;
  /** ...whose term is this. */
  readonly term: number;
}

function writeU53(buf: Buffer, value: number, at: number): void {
  buf.writeUInt32LE(value >>> 0, at);
  buf.writeUInt32LE(Math.floor(value / twoPow32), at + 4);
}

function readU53(buf: Buffer, at: number): number {
  const high = buf.readUInt32LE(at + 4);
  return high >= 2 ** 21 ? -1 : high * twoPow32 + buf.readUInt32LE(at);
}

export function encodeResetMarker(point: ResetPoint): Buffer {
  for (const [name, value] of Object.entries(point)) {
    if (!Number.isSafeInteger(value) || value < 0 || value > indexMax) throw new RangeError(`WAL reset ${name} = ${String(value)}: expected an integer in [0, 2^53)`);
  }
  const buf = Buffer.alloc(markerBytes);
  magic.copy(buf, 0);
  buf[6] = walFormatVersion;
  writeU53(buf, point.index, 8);
  writeU53(buf, point.term, 16);
  buf.writeUInt32LE(crc32c(buf.subarray(0, 24)), 24);
  return buf;
}

/** The reset point, or why the bytes are not one. */
export function decodeResetMarker(buf: Buffer): ResetPoint | string {
  if (buf.length !== markerBytes) return `reset marker is ${buf.length} bytes, expected ${markerBytes}`;
  if (!buf.subarray(0, 6).equals(magic)) return 'reset marker has a bad magic';
  if (crc32c(buf.subarray(0, 24)) !== buf.readUInt32LE(24)) return 'reset marker checksum mismatch';
  if (buf[6] !== walFormatVersion) return `unsupported reset marker format version ${buf[6] ?? 0}`;
  const index = readU53(buf, 8);
  const term = readU53(buf, 16);
  if (index < 0 || term < 0) return 'reset marker value out of range';
  return { index, term };
}

export async function writeResetMarker(fs: WalFileSystem, dir: string, point: ResetPoint): Promise<void> {
  await writeFileAtomic(fs, dir, resetMarkerFileName, encodeResetMarker(point));
}

export async function removeResetMarker(fs: WalFileSystem, dir: string): Promise<void> {
  await fs.unlink(join(dir, resetMarkerFileName));
  await fs.syncDir(dir);
}

/** The interrupted reset recorded in `dir`, if any. A damaged marker is corruption: which log is current is unknown. */
export async function readResetMarker(fs: WalFileSystem, dir: string, names: readonly string[]): Promise<ResetPoint | undefined> {
  if (!names.includes(resetMarkerFileName)) return undefined;
  const path = join(dir, resetMarkerFileName);
  const decoded = decodeResetMarker(await readSmallFile(fs, path, markerBytes + 1));
  if (typeof decoded === 'string') {
    throw new WalCorruptionError(path, 0, decoded, 'Wipe this node\'s WAL and data directories and let it re-replicate from the leader (it was installing a snapshot).');
  }
  return decoded;
}
