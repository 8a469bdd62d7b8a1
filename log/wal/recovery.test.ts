import { open as openFile, readFile, readdir, stat, truncate, unlink, writeFile, appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WalCorruptionError, openWal } from './index.js';
import type { Wal } from './index.js';
import { recordHeaderBytes, segmentHeaderBytes } from './limits.js';
import { captureLogger, makeEntries, pinoWarn, removeDir, tempDir, walOptions } from './test-support.js';
import type { LogLine } from './test-support.js';

// Records of 40 data bytes, uncompressed: 67 bytes each, at fixed offsets.
const dataBytes = 40;
const recordBytes = recordHeaderBytes + dataBytes;
const segmentSizeBytes = 2048;
/** Records per segment: the header plus whole records within segmentSizeBytes. */
const recordsPerSegment = Math.floor((segmentSizeBytes - segmentHeaderBytes) / recordBytes);

function recordOffset(positionInSegment: number): number {
  return segmentHeaderBytes + positionInSegment * recordBytes;
}

let dir: string;
let lines: LogLine[];

beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => {
  await removeDir(dir);
});

async function open(): Promise<Wal> {
  const captured = captureLogger();
  lines = captured.lines;
  return openWal(walOptions(dir, captured.logger, { segmentSizeBytes }));
}

async function writeLog(count: number): Promise<string[]> {
  const wal = await open();
  await wal.append(makeEntries(1, count, 1, dataBytes));
  await wal.close();
  return (await readdir(dir)).filter((name) => name.endsWith('.wal')).sort().map((name) => join(dir, name));
}

async function flipByte(path: string, offset: number): Promise<void> {
  const handle = await openFile(path, 'r+');
  try {
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, offset);
    byte[0] = (byte[0] ?? 0) ^ 0x5a;
    await handle.write(byte, 0, 1, offset);
  } finally {
    await handle.close();
  }
}

async function expectRecoversTo(lastIndex: number, file: string, offset: number, droppedBytes: number): Promise<void> {
  const wal = await open();
  expect(wal.lastIndex()).toBe(lastIndex);
  const warning = lines.find((line) => line.level === pinoWarn);
  expect(warning).toMatchObject({ file, offset, droppedBytes });
  expect(warning?.msg).toContain(file);
  // The repair is durable and the log continues normally.
  await wal.append(makeEntries(lastIndex + 1, 3, 2, dataBytes));
  await wal.close();
  const again = await open();
  expect(again.lastIndex()).toBe(lastIndex + 3);
  expect(lines.some((line) => line.level === pinoWarn)).toBe(false);
  expect((await again.read(1, lastIndex + 4)).map((entry) => entry.index)).toEqual(Array.from({ length: lastIndex + 3 }, (_, k) => k + 1));
  await again.close();
}

async function expectCorruption(file: string, offset: number): Promise<void> {
  const error = await open().then(
    async (wal) => {
      await wal.close();
      return undefined;
    },
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(WalCorruptionError);
  if (!(error instanceof WalCorruptionError)) return;
  expect({ file: error.file, offset: error.offset }).toEqual({ file, offset });
  expect(error.message).toContain(file);
  expect(error.message).toContain(String(offset));
  expect(error.message).toMatch(/replica|backup/);
}

describe('torn tail in the last segment is cut off and logged', () => {
  const cuts = [1, 3, 10, recordHeaderBytes, recordBytes - 1];
  for (const keptBytes of cuts) {
    it(`keeps ${keptBytes} bytes of the last record`, async () => {
      const [segment = ''] = await writeLog(10);
      const lastOffset = recordOffset(9);
      await truncate(segment, lastOffset + keptBytes);
      await expectRecoversTo(9, segment, lastOffset, keptBytes);
    });
  }

  // The preallocated zeros after it (if any) go with the torn record.
  it('drops a last record with a flipped byte', async () => {
    const [segment = ''] = await writeLog(10);
    await flipByte(segment, recordOffset(9) + 30);
    await expectRecoversTo(9, segment, recordOffset(9), (await stat(segment)).size - recordOffset(9));
  });

  it('drops a last record whose length field is damaged', async () => {
    const [segment = ''] = await writeLog(10);
    await flipByte(segment, recordOffset(9) + 1);
    await expectRecoversTo(9, segment, recordOffset(9), (await stat(segment)).size - recordOffset(9));
  });

  it('drops a torn record followed by preallocated zeros', async () => {
    const [segment = ''] = await writeLog(10);
    await truncate(segment, recordOffset(9) + 20);
    await appendFile(segment, Buffer.alloc(1000));
    await expectRecoversTo(9, segment, recordOffset(9), 1020);
  });

  it('accepts a log whose newest segment vanished (crash during a suffix truncation)', async () => {
    const segments = await writeLog(recordsPerSegment * 3);
    await unlink(segments[2] ?? '');
    const wal = await open();
    expect(wal.lastIndex()).toBe(recordsPerSegment * 2);
    await wal.close();
  });

  it('removes temporaries left by an interrupted atomic write', async () => {
    await writeLog(3);
    await writeFile(join(dir, 'hardstate.tmp'), 'partial');
    const wal = await open();
    expect((await readdir(dir)).includes('hardstate.tmp')).toBe(false);
    await wal.close();
  });
});

/** Opens, checks the log ends at `lastIndex` with no warning and the file untouched, appends 3 and reads all back after a reopen. */
async function expectZeroTailKept(lastIndex: number, segment: string): Promise<void> {
  const sizeBefore = (await stat(segment)).size;
  const wal = await open();
  expect(wal.lastIndex()).toBe(lastIndex);
  expect(lines.some((line) => line.level >= pinoWarn)).toBe(false);
  expect((await stat(segment)).size).toBe(sizeBefore);
  // Appends go into the zeros, and reopening finds them, then the zeros after them.
  await wal.append(makeEntries(lastIndex + 1, 3, 2, dataBytes));
  await wal.close();
  const again = await open();
  expect(again.lastIndex()).toBe(lastIndex + 3);
  expect(lines.some((line) => line.level >= pinoWarn)).toBe(false);
  expect((await again.read(1, lastIndex + 4)).map((entry) => entry.index)).toEqual(Array.from({ length: lastIndex + 3 }, (_, k) => k + 1));
  await again.close();
}

describe('a zero tail of the last segment is its preallocated space: the end of the log, kept', () => {
  it('zeros after the last record', async () => {
    const [segment = ''] = await writeLog(10);
    await truncate(segment, recordOffset(10));
    await appendFile(segment, Buffer.alloc(1500));
    await expectZeroTailKept(10, segment);
  });

  it('a crash mid-preallocation: zeros, then a hole', async () => {
    const [segment = ''] = await writeLog(10);
    await truncate(segment, recordOffset(10));
    await appendFile(segment, Buffer.alloc(100));
    await truncate(segment, recordOffset(10) + 1800); // a hole reads as zeros
    await expectZeroTailKept(10, segment);
  });

  it('a preallocated last segment after rolled ones, which end at their last record', async () => {
    const segments = await writeLog(recordsPerSegment * 2 + 5);
    expect(segments).toHaveLength(3);
    for (const rolled of segments.slice(0, 2)) expect((await stat(rolled)).size).toBe(recordOffset(recordsPerSegment));
    const last = segments[2] ?? '';
    await truncate(last, recordOffset(5));
    await appendFile(last, Buffer.alloc(segmentSizeBytes - recordOffset(5)));
    await expectZeroTailKept(recordsPerSegment * 2 + 5, last);
  });

  it('the WAL preallocates the active segment, and rolls past it', async () => {
    let wal = await open();
    await wal.append(makeEntries(1, 3, 1, dataBytes));
    // Preallocation runs in the background: appends continue until it has filled the segment.
    let next = 4;
    const [first = ''] = (await readdir(dir)).filter((name) => name.endsWith('.wal')).map((name) => join(dir, name));
    while ((await stat(first)).size < segmentSizeBytes) {
      await wal.append(makeEntries(next, 1, 1, dataBytes));
      next += 1;
      expect(next).toBeLessThan(recordsPerSegment);
    }
    await wal.close();
    wal = await open();
    expect(wal.lastIndex()).toBe(next - 1);
    expect(lines.some((line) => line.level >= pinoWarn)).toBe(false);
    await wal.append(makeEntries(next, recordsPerSegment * 2, 1, dataBytes));
    await wal.close();
    await expectZeroTailKept(next - 1 + recordsPerSegment * 2, (await readdir(dir)).filter((name) => name.endsWith('.wal')).sort().map((name) => join(dir, name)).pop() ?? '');
  });
});

describe('corruption is an error naming the file and offset', () => {
  it('a zero tail in a segment that is not the last one', async () => {
    const segments = await writeLog(recordsPerSegment * 2 + 5);
    await truncate(segments[0] ?? '', recordOffset(recordsPerSegment - 1));
    await appendFile(segments[0] ?? '', Buffer.alloc(recordBytes));
    await expectCorruption(segments[0] ?? '', recordOffset(recordsPerSegment - 1));
  });

  it('a damaged record followed by good records', async () => {
    const [segment = ''] = await writeLog(10);
    await flipByte(segment, recordOffset(2) + 30);
    await expectCorruption(segment, recordOffset(2));
  });

  it('a damaged length field followed by good records', async () => {
    const [segment = ''] = await writeLog(10);
    await flipByte(segment, recordOffset(4) + 2);
    await expectCorruption(segment, recordOffset(4));
  });

  it('a damaged last record of a segment that is not the last one', async () => {
    const segments = await writeLog(recordsPerSegment * 2 + 5);
    await flipByte(segments[0] ?? '', recordOffset(recordsPerSegment - 1) + 30);
    await expectCorruption(segments[0] ?? '', recordOffset(recordsPerSegment - 1));
  });

  it('a segment cut short that is not the last one', async () => {
    const segments = await writeLog(recordsPerSegment * 2 + 5);
    await truncate(segments[1] ?? '', recordOffset(3) + 5);
    await expectCorruption(segments[1] ?? '', recordOffset(3));
  });

  it('a missing middle segment', async () => {
    const segments = await writeLog(recordsPerSegment * 3 + 5);
    await unlink(segments[1] ?? '');
    await expectCorruption(segments[2] ?? '', 0);
  });

  it('a damaged segment header', async () => {
    const segments = await writeLog(5);
    await flipByte(segments[0] ?? '', 9);
    await expectCorruption(segments[0] ?? '', 0);
  });

  it('a damaged hard state file', async () => {
    let wal = await open();
    await wal.saveHardState({ term: 4, vote: 1, commit: 0 });
    await wal.close();
    const path = join(dir, 'hardstate');
    const bytes = await readFile(path);
    bytes[10] = (bytes[10] ?? 0) ^ 1;
    await writeFile(path, bytes);
    await expectCorruption(path, 0);
    await unlink(path);
    wal = await open();
    expect(wal.hardState()).toEqual({ term: 0, vote: 0, commit: 0 });
    await wal.close();
  });
});
