// Wal.reset: the log restarts empty after a snapshot's index, durably, and a
// crash in the middle of a reset (the marker left behind) is finished at open.
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openWal } from './index.js';
import type { Wal } from './index.js';
import { encodeResetMarker, resetMarkerFileName } from './reset-marker.js';
import { captureLogger, makeEntries, removeDir, tempDir, walOptions } from './test-support.js';

let dir: string;
const opened: Wal[] = [];

beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => {
  for (const wal of opened.splice(0)) await wal.close().catch(() => undefined);
  await removeDir(dir);
});

async function open(): Promise<Wal> {
  const wal = await openWal(walOptions(dir, captureLogger().logger, { segmentSizeBytes: 4096 }));
  opened.push(wal);
  return wal;
}

describe('Wal.reset', () => {
  it('empties the log after the index, keeps its term, and continues from there across a reopen', async () => {
    const wal = await open();
    await wal.append(makeEntries(1, 300, 2));
    expect((await readdir(dir)).filter((n) => n.endsWith('.wal')).length).toBeGreaterThan(2);
    await wal.reset(1000, 5);
    expect([wal.firstIndex(), wal.lastIndex(), wal.term(1000), wal.term(1001), wal.term(300)]).toEqual([1001, 1000, 5, undefined, undefined]);
    await expect(wal.read(999, 1000)).rejects.toThrow(RangeError);
    await wal.append(makeEntries(1001, 3, 6));
    expect((await wal.read(1001, 1004)).map((e) => [e.index, e.term])).toEqual([[1001, 6], [1002, 6], [1003, 6]]);
    await wal.close();
    const again = await open();
    expect([again.firstIndex(), again.lastIndex(), again.term(1000)]).toEqual([1001, 1003, 5]);
    expect((await readdir(dir)).filter((n) => n.endsWith('.wal'))).toEqual(['00000000000000001001.wal']);
  });

  it('may reset below the old last index (a snapshot replacing a divergent log)', async () => {
    const wal = await open();
    await wal.append(makeEntries(1, 50, 1));
    await wal.reset(20, 3);
    expect([wal.firstIndex(), wal.lastIndex(), wal.term(20)]).toEqual([21, 20, 3]);
    await wal.append(makeEntries(21, 1, 3));
    expect(wal.lastIndex()).toBe(21);
  });

  it('finishes a reset interrupted by a crash: the marker wins over the segments left behind', async () => {
    const wal = await open();
    await wal.append(makeEntries(1, 100, 2));
    await wal.close();
    // As if the process died right after writing the marker.
    await writeFile(join(dir, resetMarkerFileName), encodeResetMarker({ index: 500, term: 7 }));
    const { logger, lines } = captureLogger();
    const recovered = await openWal(walOptions(dir, logger, { segmentSizeBytes: 4096 }));
    opened.push(recovered);
    expect([recovered.firstIndex(), recovered.lastIndex(), recovered.term(500)]).toEqual([501, 500, 7]);
    expect(lines.some((l) => l.msg.includes('finished a reset interrupted by a crash'))).toBe(true);
    expect(await readdir(dir)).not.toContain(resetMarkerFileName);
  });

  it('refuses to start on a damaged marker, naming it', async () => {
    const wal = await open();
    await wal.append(makeEntries(1, 3, 1));
    await wal.close();
    const bytes = encodeResetMarker({ index: 9, term: 1 });
    bytes[10] = (bytes[10] ?? 0) ^ 0xff;
    await writeFile(join(dir, resetMarkerFileName), bytes);
    await expect(openWal(walOptions(dir, captureLogger().logger))).rejects.toThrow(/reset-marker.*checksum/);
  });
});
