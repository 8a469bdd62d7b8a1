// Recovery at open: scan every segment in order, verify each record (CRC,
// index = previous + 1, terms non-decreasing) and rebuild the in-memory index.
//
// Rules (see DESIGN.md):
// - Zeros from the end of the last record to the end of the LAST segment are
//   its preallocated tail (preallocator.ts): the end of the log, kept as is.
// - A bad record at the end of the LAST segment with nothing valid after it
//   (short header, short payload, CRC mismatch, zero fill) is a torn write: it
//   was never acknowledged as durable. It is cut off and logged.
// - A bad record followed by a valid one, any damage in an earlier segment, a
//   CRC-valid record with impossible fields, a bad segment header or a gap
//   between segments is corruption: WalCorruptionError, the node does not start.
import { join } from 'node:path';
import type { Logger } from 'pino';
import { tmpSuffix } from './atomic-file.js';
import { WalCorruptionError } from './errors.js';
import type { WalFile, WalFileSystem } from './fs.js';
import { recordHeaderBytes, scanChunkBytes, segmentHeaderBytes } from './limits.js';
import { RecordStreamDecoder, decodeRecord, plausibleRecordStart } from './record.js';
import type { RecordDamage } from './record.js';
import { readResetMarker, removeResetMarker } from './reset-marker.js';
import { Segment, decodeSegmentHeader, encodeSegmentHeader, parseSegmentFileName, segmentFileName } from './segment.js';
import { writeFileAtomic } from './atomic-file.js';
import { TermTable } from './term-table.js';

export interface RecoveredSegments {
  readonly segments: Segment[];
  /** Undefined when the directory holds no segment. */
  readonly terms: TermTable | undefined;
  /** Every name in the directory (after removing leftover temporaries). */
  readonly names: readonly string[];
}

interface BadRecord {
  readonly offset: number;
  readonly damage: RecordDamage;
  readonly reason: string;
}

export async function recoverSegments(fs: WalFileSystem, dir: string, logger: Logger): Promise<RecoveredSegments> {
  await fs.mkdirp(dir);
  let names = await removeTemporaries(fs, dir, await fs.readdir(dir), logger);
  if (await finishReset(fs, dir, names, logger)) names = await fs.readdir(dir);
  const listed = names
    .map((name) => ({ name, firstIndex: parseSegmentFileName(name) }))
    .filter((entry): entry is { name: string; firstIndex: number } => entry.firstIndex !== undefined)
    .sort((a, b) => a.firstIndex - b.firstIndex);
  const segments: Segment[] = [];
  let terms: TermTable | undefined;
  for (const [position, entry] of listed.entries()) {
    const isLast = position === listed.length - 1;
    const path = join(dir, entry.name);
    const file = await fs.open(path, 'read');
    try {
      const scanned = await scanSegment(file, { dir, path, nameIndex: entry.firstIndex, isLast }, terms, logger, fs);
      segments.push(scanned.segment);
      terms = scanned.terms;
    } finally {
      await file.close();
    }
  }
  return { segments, terms, names };
}

/**
 * A reset interrupted by a crash (reset-marker.ts): redo it (delete every
 * segment, create the empty one after the marker's index, remove the
 * marker). Returns whether there was one.
 */
async function finishReset(fs: WalFileSystem, dir: string, names: readonly string[], logger: Logger): Promise<boolean> {
  const point = await readResetMarker(fs, dir, names);
  if (point === undefined) return false;
  for (const name of names) {
    if (parseSegmentFileName(name) !== undefined) await fs.unlink(join(dir, name));
  }
  await fs.syncDir(dir);
  const header = { firstIndex: point.index + 1, prevTerm: point.term };
  await writeFileAtomic(fs, dir, segmentFileName(header.firstIndex), encodeSegmentHeader(header));
  await removeResetMarker(fs, dir);
  logger.warn({ dir, index: point.index, term: point.term }, 'WAL: finished a reset interrupted by a crash (a snapshot install); the log is empty after the snapshot index');
  return true;
}

/** Leftover temporaries are writes that never completed their rename: discard them. */
async function removeTemporaries(fs: WalFileSystem, dir: string, names: readonly string[], logger: Logger): Promise<string[]> {
  const kept: string[] = [];
  for (const name of names) {
    if (!name.endsWith(tmpSuffix)) {
      kept.push(name);
      continue;
    }
    await fs.unlink(join(dir, name));
    logger.info({ file: join(dir, name) }, 'WAL: removed a temporary file left by an interrupted write');
  }
  return kept;
}

interface SegmentFileInfo {
  readonly dir: string;
  readonly path: string;
  readonly nameIndex: number;
  readonly isLast: boolean;
}

async function scanSegment(
  file: WalFile,
  info: SegmentFileInfo,
  previous: TermTable | undefined,
  logger: Logger,
  fs: WalFileSystem,
): Promise<{ segment: Segment; terms: TermTable }> {
  const headerBytes = Buffer.alloc(segmentHeaderBytes);
  const header = decodeSegmentHeader(headerBytes.subarray(0, await file.read(headerBytes, 0)));
  if (typeof header === 'string') throw new WalCorruptionError(info.path, 0, header);
  if (header.firstIndex !== info.nameIndex) {
    throw new WalCorruptionError(info.path, 0, `header says first index ${header.firstIndex} but the file name says ${info.nameIndex}`);
  }
  if (previous !== undefined && header.firstIndex !== previous.lastIndex + 1) {
    throw new WalCorruptionError(info.path, 0, `segment starts at index ${header.firstIndex} but the previous one ends at ${previous.lastIndex}: a segment is missing or overlaps`);
  }
  if (previous !== undefined && header.prevTerm !== previous.lastTerm) {
    throw new WalCorruptionError(info.path, 0, `header says the previous term is ${header.prevTerm} but the previous segment ends in term ${previous.lastTerm}`);
  }
  const terms = previous ?? new TermTable(header.firstIndex, header.prevTerm);
  const segment = new Segment(info.dir, header);
  const sizeBytes = await file.sizeBytes();
  const bad = await scanRecords(file, info.path, sizeBytes, segment, terms);
  if (bad !== undefined) await handleBadRecord(file, info, sizeBytes, bad, terms, logger, fs);
  return { segment, terms };
}

/** Adds every good record to `segment` and `terms`; returns the first bad one, if any. */
async function scanRecords(file: WalFile, path: string, fileBytes: number, segment: Segment, terms: TermTable): Promise<BadRecord | undefined> {
  const decoder = new RecordStreamDecoder(segmentHeaderBytes);
  let position = segmentHeaderBytes;
  let sizeBytes = fileBytes;
  while (true) {
    const step = decoder.next();
    if (step.kind === 'invalid') return step;
    if (step.kind === 'record') {
      const { record } = step;
      if (record.index !== terms.lastIndex + 1) {
        throw new WalCorruptionError(path, step.offset, `record holds index ${record.index}, expected ${terms.lastIndex + 1}`);
      }
      if (record.term < terms.lastTerm) {
        throw new WalCorruptionError(path, step.offset, `record term ${record.term} is below the previous term ${terms.lastTerm}`);
      }
      segment.addRecord(step.offset, record.recordBytes, record.term);
      terms.push(record.term);
      continue;
    }
    if (position >= sizeBytes) {
      if (step.bufferedBytes === 0) return undefined;
      return { offset: decoder.offset, damage: 'frame', reason: `record cut short by the end of the file (${step.bufferedBytes} bytes)` };
    }
    const chunk = Buffer.allocUnsafe(Math.min(scanChunkBytes, sizeBytes - position));
    const readBytes = await file.read(chunk, position);
    if (readBytes < chunk.length) sizeBytes = position + readBytes; // the file shrank under us: stop at what exists
    decoder.push(chunk.subarray(0, readBytes));
    position += readBytes;
  }
}

async function handleBadRecord(
  file: WalFile,
  info: SegmentFileInfo,
  sizeBytes: number,
  bad: BadRecord,
  terms: TermTable,
  logger: Logger,
  fs: WalFileSystem,
): Promise<void> {
  if (bad.damage === 'content') throw new WalCorruptionError(info.path, bad.offset, bad.reason);
  if (!info.isLast) throw new WalCorruptionError(info.path, bad.offset, `${bad.reason}, in a segment that is not the last one`);
  // Kept, not cut: appends after reopening go into it, as preallocated space.
  if (await zerosUpTo(file, bad.offset, sizeBytes)) return;
  const validOffset = await findValidRecord(file, bad.offset + 1, sizeBytes, terms);
  if (validOffset !== undefined) {
    throw new WalCorruptionError(info.path, bad.offset, `${bad.reason}, and a valid record follows at offset ${validOffset}`);
  }
  const writable = await fs.open(info.path, 'readWrite');
  try {
    await writable.truncate(bad.offset);
    await writable.datasync();
  } finally {
    await writable.close();
  }
  logger.warn(
    { file: info.path, offset: bad.offset, droppedBytes: sizeBytes - bad.offset, reason: bad.reason, lastIndex: terms.lastIndex },
    `WAL: dropped a torn write at the end of ${info.path}: ${sizeBytes - bad.offset} bytes from offset ${bad.offset} (${bad.reason})`,
  );
}

/** Whether every byte of [from, end) is zero. */
async function zerosUpTo(file: WalFile, from: number, end: number): Promise<boolean> {
  const chunkBytes = Math.min(scanChunkBytes, Math.max(0, end - from));
  const chunk = Buffer.allocUnsafe(chunkBytes);
  const zeros = Buffer.alloc(chunkBytes);
  for (let position = from; position < end; position += chunkBytes) {
    const window = chunk.subarray(0, Math.min(chunkBytes, end - position));
    const readBytes = await file.read(window, position);
    if (!window.subarray(0, readBytes).equals(zeros.subarray(0, readBytes))) return false;
    if (readBytes < window.length) return true; // the file ends sooner: what exists is zeros
  }
  return true;
}

/**
 * Offset of the first valid record in [from, end) that could continue the log
 * (index after and term not below the last good record), or undefined. Reads
 * windows of scanChunkBytes; a candidate longer than its window is read alone.
 */
async function findValidRecord(file: WalFile, from: number, end: number, terms: TermTable): Promise<number | undefined> {
  for (let windowStart = from; windowStart < end; windowStart += scanChunkBytes) {
    const window = Buffer.allocUnsafe(Math.min(end - windowStart, scanChunkBytes + recordHeaderBytes));
    const filled = window.subarray(0, await file.read(window, windowStart));
    const candidates = Math.min(scanChunkBytes, filled.length);
    for (let position = 0; position < candidates; position += 1) {
      if (!plausibleRecordStart(filled, position, end - windowStart - position)) continue;
      const fileOffset = windowStart + position;
      const bytes = await recordBytesAt(file, filled, position, fileOffset);
      const result = decodeRecord(bytes, bytes === filled ? position : 0);
      if (result.kind !== 'record') continue;
      if (result.record.index > terms.lastIndex && result.record.term >= terms.lastTerm) return fileOffset;
    }
  }
  return undefined;
}

async function recordBytesAt(file: WalFile, window: Buffer, position: number, fileOffset: number): Promise<Buffer> {
  const recordBytes = window.readUInt32LE(position) + 8;
  if (position + recordBytes <= window.length) return window;
  const bytes = Buffer.allocUnsafe(recordBytes);
  return bytes.subarray(0, await file.read(bytes, fileOffset));
}
