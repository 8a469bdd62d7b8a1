// The byte format of a row store snapshot (what a Raft leader streams to a
// follower that fell behind its log): every RocksDB key and value of the row
// store as of one checkpoint, catalog and applied index included. Pure: bytes
// in, pairs out; the transport cuts the stream into chunks anywhere.
//
//   header   magic "TDBSNP" | u8 version = 1 | u8 reserved = 0 | u64 index | u64 term      (24 bytes)
//   pairs    { u32 keyBytes | u32 valueBytes | key | value }*
//   trailer  u32 0xFFFFFFFF | u64 pairCount | u32 crc32c of every byte before this field
//
// Big-endian. One checksum over the whole stream rather than one per chunk:
// the receiver writes chunks to a file as they come and checks the trailer
// once; a chunk boundary means nothing to the format. Lengths are bounded
// before anything is allocated; a truncated stream (no trailer), a checksum
// mismatch, bytes after the trailer or a bad header are SnapshotFormatError.

import { crc32c } from '@node-rs/crc32';

export const snapshotFormatVersion = 1;
const magic = Buffer.from('TDBSNP', 'latin1');
export const snapshotHeaderBytes = 24;
const pairHeaderBytes = 8;
const trailerTag = 0xffff_ffff;
const trailerBytes = 16;
/** Largest key accepted (row store keys are far smaller). */
export const snapshotKeyBytesMax = 1024 * 1024;
/** Largest value accepted (a row is at most the 16 MiB entry limit; the catalog is smaller). */
export const snapshotValueBytesMax = 64 * 1024 * 1024;

export class SnapshotFormatError extends Error {
  override readonly name = 'SnapshotFormatError';
}

export interface SnapshotHeader {
  readonly index: number;
  readonly term: number;
}

function writeU64(buf: Buffer, value: number, at: number): void {
  buf.writeBigUInt64BE(BigInt(value), at);
}

function readU64(buf: Buffer, at: number, what: string): number {
  const value = buf.readBigUInt64BE(at);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new SnapshotFormatError(`snapshot ${what} ${value} is above 2^53`);
  return Number(value);
}

export function encodeSnapshotHeader(header: SnapshotHeader): Buffer {
  const buf = Buffer.alloc(snapshotHeaderBytes);
  magic.copy(buf, 0);
  buf[6] = snapshotFormatVersion;
  writeU64(buf, header.index, 8);
  writeU64(buf, header.term, 16);
  return buf;
}

/**
 * Encodes a snapshot as chunks of at most `chunkBytesMax` bytes, reading
 * `pairs` as it goes: memory stays at about one chunk plus one pair.
 */
export async function* encodeSnapshot(
  header: SnapshotHeader,
  pairs: AsyncIterable<readonly [Uint8Array, Uint8Array]>,
  chunkBytesMax: number,
): AsyncGenerator<Uint8Array> {
  if (!Number.isSafeInteger(chunkBytesMax) || chunkBytesMax < 1) throw new RangeError(`chunkBytesMax = ${chunkBytesMax}: expected a positive integer`);
  let chunk = Buffer.allocUnsafe(chunkBytesMax);
  let filled = 0;
  let crc = 0;
  let pairCount = 0;
  // Copies `bytes` into chunks; yields each full one.
  function* put(bytes: Uint8Array, checksummed = true): Generator<Uint8Array> {
    if (checksummed) crc = crc32c(bytes, crc);
    let at = 0;
    while (at < bytes.length) {
      const n = Math.min(bytes.length - at, chunkBytesMax - filled);
      chunk.set(bytes.subarray(at, at + n), filled);
      filled += n;
      at += n;
      if (filled === chunkBytesMax) {
        yield chunk;
        chunk = Buffer.allocUnsafe(chunkBytesMax);
        filled = 0;
      }
    }
  }
  yield* put(encodeSnapshotHeader(header));
  const pairHeader = Buffer.alloc(pairHeaderBytes);
  for await (const [key, value] of pairs) {
    if (key.length > snapshotKeyBytesMax || value.length > snapshotValueBytesMax) {
      throw new SnapshotFormatError(`a key of ${key.length} bytes or value of ${value.length} bytes is above the snapshot limits`);
    }
    pairHeader.writeUInt32BE(key.length, 0);
    pairHeader.writeUInt32BE(value.length, 4);
    yield* put(pairHeader);
    yield* put(key);
    yield* put(value);
    pairCount++;
  }
  const trailer = Buffer.alloc(trailerBytes);
  trailer.writeUInt32BE(trailerTag, 0);
  writeU64(trailer, pairCount, 4);
  yield* put(trailer.subarray(0, 12));
  trailer.writeUInt32BE(crc, 12);
  // The checksum itself is not checksummed.
  yield* put(trailer.subarray(12), false);
  if (filled > 0) yield chunk.subarray(0, filled);
}

type DecoderState = 'header' | 'pair' | 'trailer' | 'done';

/**
 * Incremental decoder: push() bytes as they arrive (split anywhere); pairs
 * come out through `onPair`; finish() checks the stream ended with a valid
 * trailer. Throws SnapshotFormatError on anything malformed.
 */
export class SnapshotDecoder {
  header: SnapshotHeader | undefined;
  pairCount = 0;
  private buffered: Buffer[] = [];
  private bufferedBytes = 0;
  private state: DecoderState = 'header';
  private crc = 0;

  constructor(private readonly onPair: (key: Uint8Array, value: Uint8Array) => void = () => undefined) {}

  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (this.state === 'done') throw new SnapshotFormatError('bytes after the end of the snapshot');
    this.buffered.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    this.bufferedBytes += bytes.length;
    while (this.step()) {
      // Each step consumes one unit (header, pair or trailer) if buffered whole.
    }
  }

  /** The stream ended: it must have been complete. */
  finish(): { header: SnapshotHeader; pairCount: number } {
    if (this.state !== 'done' || this.header === undefined) {
      throw new SnapshotFormatError(`the snapshot stream is truncated (ended while reading its ${this.state}, ${this.pairCount} pairs in)`);
    }
    return { header: this.header, pairCount: this.pairCount };
  }

  /** Takes `n` buffered bytes (n <= bufferedBytes), checksummed unless told otherwise. */
  private take(n: number, checksummed = true): Buffer {
    const all = this.buffered.length === 1 ? this.buffered[0] ?? Buffer.alloc(0) : Buffer.concat(this.buffered);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.buffered = rest.length > 0 ? [rest] : [];
    this.bufferedBytes -= n;
    if (checksummed) this.crc = crc32c(out, this.crc);
    return out;
  }

  /** A copy of the first `n` buffered bytes without consuming them. */
  private peek(n: number): Buffer {
    const all = this.buffered.length === 1 ? this.buffered[0] ?? Buffer.alloc(0) : Buffer.concat(this.buffered);
    this.buffered = [all];
    return all.subarray(0, n);
  }

  private step(): boolean {
    switch (this.state) {
      case 'header': {
        if (this.bufferedBytes < snapshotHeaderBytes) return false;
        const h = this.take(snapshotHeaderBytes);
        if (!h.subarray(0, 6).equals(magic)) throw new SnapshotFormatError('not a ThunderDB row store snapshot (bad magic)');
        if (h[6] !== snapshotFormatVersion) throw new SnapshotFormatError(`snapshot format version ${h[6] ?? 0} is not supported (this node reads ${snapshotFormatVersion})`);
        this.header = { index: readU64(h, 8, 'index'), term: readU64(h, 16, 'term') };
        this.state = 'pair';
        return true;
      }
      case 'pair': {
        if (this.bufferedBytes < 4) return false;
        const keyBytes = this.peek(4).readUInt32BE(0);
        if (keyBytes === trailerTag) {
          this.state = 'trailer';
          return true;
        }
        if (this.bufferedBytes < pairHeaderBytes) return false;
        const valueBytes = this.peek(pairHeaderBytes).readUInt32BE(4);
        if (keyBytes > snapshotKeyBytesMax) throw new SnapshotFormatError(`a key of ${keyBytes} bytes is above ${snapshotKeyBytesMax}`);
        if (valueBytes > snapshotValueBytesMax) throw new SnapshotFormatError(`a value of ${valueBytes} bytes is above ${snapshotValueBytesMax}`);
        if (this.bufferedBytes < pairHeaderBytes + keyBytes + valueBytes) return false;
        this.take(pairHeaderBytes);
        // Copies: the caller may keep them while later chunks reuse memory.
        const key = new Uint8Array(this.take(keyBytes));
        const value = new Uint8Array(this.take(valueBytes));
        this.pairCount++;
        this.onPair(key, value);
        return true;
      }
      case 'trailer': {
        if (this.bufferedBytes < trailerBytes) return false;
        const t = this.take(12);
        const pairCount = readU64(t, 4, 'pair count');
        const expected = this.crc;
        const crc = this.take(4, false).readUInt32BE(0);
        if (crc !== expected) throw new SnapshotFormatError('snapshot checksum mismatch: the stream is corrupt');
        if (pairCount !== this.pairCount) throw new SnapshotFormatError(`the snapshot trailer says ${pairCount} pairs, the stream held ${this.pairCount}`);
        this.state = 'done';
        if (this.bufferedBytes > 0) throw new SnapshotFormatError('bytes after the end of the snapshot');
        return false;
      }
      case 'done':
        return false;
    }
  }
}
