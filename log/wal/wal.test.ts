import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emptyHardState } from '../types.js';
import type { LogEntry } from '../types.js';
import { WalClosedError, nodeFileSystem, openWal } from './index.js';
import type { Wal, WalFile, WalFileSystem, WalOptions } from './index.js';
import { captureLogger, countingObserver, makeEntries, makeEntry, removeDir, tempDir, walOptions } from './test-support.js';

let dir: string;
const opened: Wal[] = [];

beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => {
  for (const wal of opened.splice(0)) await wal.close().catch(() => undefined);
  await removeDir(dir);
});

async function open(overrides: Partial<WalOptions> = {}): Promise<Wal> {
  const wal = await openWal(walOptions(dir, captureLogger().logger, overrides));
  opened.push(wal);
  return wal;
}

async function reopen(wal: Wal, overrides: Partial<WalOptions> = {}): Promise<Wal> {
  await wal.close();
  return open(overrides);
}

function summary(entries: readonly LogEntry[]): [number, number, string][] {
  return entries.map((entry) => [entry.index, entry.term, Buffer.from(entry.data).toString('hex')]);
}

/** The methods of `file`, bound, so a test can override some of them. */
function bindFile(file: WalFile): WalFile {
  return {
    read: (target, position) => file.read(target, position),
    writev: (buffers, position) => file.writev(buffers, position),
    datasync: () => file.datasync(),
    truncate: (lengthBytes) => file.truncate(lengthBytes),
    sizeBytes: () => file.sizeBytes(),
    close: () => file.close(),
  };
}

async function segmentNames(): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.endsWith('.wal')).sort();
}

describe('append, read, term', () => {
  it('starts empty at index 1', async () => {
    const wal = await open();
    expect([wal.firstIndex(), wal.lastIndex(), wal.term(0), wal.term(1)]).toEqual([1, 0, 0, undefined]);
    expect(await wal.read(1, 1)).toEqual([]);
    expect(wal.hardState()).toEqual(emptyHardState);
  });

  it('reads back across segment rolls, from cache and from disk, and after reopen', async () => {
    const written = [...makeEntries(1, 150, 1, 100), ...makeEntries(151, 150, 2, 100)];
    let wal = await open({ segmentSizeBytes: 4096, cacheBytes: 0 });
    for (let k = 0; k < written.length; k += 10) await wal.append(written.slice(k, k + 10));
    expect(wal.lastIndex()).toBe(300);
    expect((await segmentNames()).length).toBeGreaterThan(5);
    expect(summary(await wal.read(1, 301))).toEqual(summary(written));
    expect(summary(await wal.read(140, 160))).toEqual(summary(written.slice(139, 159)));
    expect([wal.term(150), wal.term(151), wal.term(300), wal.term(301)]).toEqual([1, 2, 2, undefined]);
    const sizeBefore = wal.sizeBytes();
    wal = await reopen(wal, { segmentSizeBytes: 4096 });
    expect([wal.firstIndex(), wal.lastIndex(), wal.sizeBytes()]).toEqual([1, 300, sizeBefore]);
    expect(summary(await wal.read(1, 301))).toEqual(summary(written));
    // Rolled segments end at their last record; the active one may hold preallocated zeros past it.
    const names = await segmentNames();
    let onDisk = 0;
    for (const name of names.slice(0, -1)) onDisk += (await stat(join(dir, name))).size;
    const activeOnDisk = (await stat(join(dir, names[names.length - 1] ?? ''))).size;
    expect(wal.sizeBytes()).toBeGreaterThan(onDisk);
    expect(wal.sizeBytes() - onDisk).toBeLessThanOrEqual(activeOnDisk);
  });

  it('refuses gaps, compacted indexes, decreasing terms and bad ranges', async () => {
    const wal = await open();
    await wal.append(makeEntries(1, 3, 2));
    await expect(wal.append([makeEntry(5, 2)])).rejects.toThrow(RangeError);
    await expect(wal.append([makeEntry(4, 1)])).rejects.toThrow(/below the previous term/);
    await expect(wal.append([makeEntry(4, 2), makeEntry(6, 2)])).rejects.toThrow(RangeError);
    await expect(wal.read(0, 2)).rejects.toThrow(RangeError);
    await expect(wal.read(2, 5)).rejects.toThrow(RangeError);
    expect(wal.lastIndex()).toBe(3);
  });

  it('sees an append in lastIndex/term/read before it resolves (call order)', async () => {
    const wal = await open();
    const pending = wal.append(makeEntries(1, 2, 1));
    expect(wal.lastIndex()).toBe(2);
    expect(wal.term(2)).toBe(1);
    expect((await wal.read(1, 3)).length).toBe(2);
    await pending;
  });
});

describe('group commit', () => {
  it('makes 100 concurrent appends durable with far fewer fsyncs', async () => {
    const observer = countingObserver();
    const wal = await open({ observer });
    await Promise.all(Array.from({ length: 100 }, (_, k) => wal.append([makeEntry(k + 1, 1)])));
    expect(observer.appendedRecords).toBe(100);
    expect(observer.fsyncedRecords).toBe(100);
    expect(observer.fsyncs).toBeLessThanOrEqual(5);
    expect(wal.lastIndex()).toBe(100);
  });

  it('with syncCommit off, resolves after write, syncs on a timer and on close, and reopens whole', async () => {
    const observer = countingObserver();
    let wal = await open({ syncCommit: false, syncIntervalMs: 5, observer });
    for (let k = 1; k <= 50; k += 1) await wal.append([makeEntry(k, 1)]);
    // The timer fsync comes without any further append or close.
    for (let waitedMs = 0; observer.fsyncs === 0 && waitedMs < 5000; waitedMs += 5) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(observer.fsyncs).toBeGreaterThan(0);
    await Promise.all(Array.from({ length: 50 }, (_, k) => wal.append([makeEntry(51 + k, 1)])));
    wal = await reopen(wal);
    expect(observer.fsyncedRecords).toBe(100);
    expect(summary(await wal.read(1, 101))).toEqual(summary(makeEntries(1, 100, 1)));
  });

  it('with syncCommit off, the sync timer does not keep the process alive', async () => {
    const activeTimeouts = (): number => process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length;
    const wal = await open({ syncCommit: false, syncIntervalMs: 10_000 });
    const timeoutsBefore = activeTimeouts();
    await wal.append(makeEntries(1, 3, 1));
    expect(activeTimeouts()).toBe(timeoutsBefore);
    await wal.close();
    expect(wal.durableIndex()).toBe(3); // close still syncs
  });

  it('durableIndex(): at an append\'s last index when it resolves with syncCommit on, after the timer with it off', async () => {
    let wal = await open();
    await wal.append(makeEntries(1, 10, 1));
    expect(wal.durableIndex()).toBe(10);
    const pending = wal.append(makeEntries(11, 5, 1));
    expect(wal.durableIndex()).toBe(10);
    // A truncation lowers it at call time: the durable 8..10 on disk are the entries being replaced.
    const replacing = wal.append(makeEntries(8, 2, 2));
    expect(wal.durableIndex()).toBe(7);
    await Promise.all([pending, replacing]);
    expect([wal.durableIndex(), wal.lastIndex()]).toEqual([9, 9]);

    const observer = countingObserver();
    wal = await reopen(wal, { syncCommit: false, syncIntervalMs: 20, observer });
    expect(wal.durableIndex()).toBe(9);
    await wal.append(makeEntries(10, 5, 2));
    expect(wal.durableIndex()).toBe(9);
    for (let waitedMs = 0; observer.fsyncs === 0 && waitedMs < 5000; waitedMs += 5) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(wal.durableIndex()).toBe(14);
  });

  it('applies backpressure with a tiny buffer without deadlock, keeping order', async () => {
    const wal = await open({ bufferSizeBytes: 200 });
    const written = makeEntries(1, 200, 1, 150);
    const order: number[] = [];
    await Promise.all(written.map((entry) => wal.append([entry]).then(() => order.push(entry.index))));
    expect(order).toEqual(written.map((entry) => entry.index));
    const reopened = await reopen(wal);
    expect(summary(await reopened.read(1, 201))).toEqual(summary(written));
  });

  it('rejects appends, reads and saves after close', async () => {
    const wal = await open();
    const before = wal.append([makeEntry(1, 1)]);
    await wal.close();
    await before;
    await expect(wal.append([makeEntry(2, 1)])).rejects.toThrow(WalClosedError);
    await expect(wal.read(1, 2)).rejects.toThrow(WalClosedError);
    await expect(wal.saveHardState({ term: 1, vote: 0, commit: 0 })).rejects.toThrow(WalClosedError);
    await wal.close();
  });
});

describe('suffix truncation', () => {
  it('replaces the tail within a segment, then reopens', async () => {
    const observer = countingObserver();
    let wal = await open({ observer });
    await wal.append(makeEntries(1, 10, 1));
    await wal.append(makeEntries(6, 3, 2, 77));
    expect([wal.lastIndex(), wal.term(5), wal.term(6), wal.term(9)]).toEqual([8, 1, 2, undefined]);
    expect(observer.truncations).toEqual([6]);
    const expected = [...makeEntries(1, 5, 1), ...makeEntries(6, 3, 2, 77)];
    expect(summary(await wal.read(1, 9))).toEqual(summary(expected));
    wal = await reopen(wal);
    expect(wal.lastIndex()).toBe(8);
    expect(summary(await wal.read(1, 9))).toEqual(summary(expected));
  });

  it('replaces the tail across segments, deleting later segments, then reopens', async () => {
    let wal = await open({ segmentSizeBytes: 2048, cacheBytes: 0 });
    for (let k = 1; k <= 200; k += 20) await wal.append(makeEntries(k, 20, 1, 60));
    const segmentsBefore = await segmentNames();
    await wal.append(makeEntries(30, 5, 3, 10));
    const segmentsAfter = await segmentNames();
    expect(segmentsAfter.length).toBeLessThan(segmentsBefore.length);
    const expected = [...makeEntries(1, 29, 1, 60), ...makeEntries(30, 5, 3, 10)];
    expect(summary(await wal.read(1, 35))).toEqual(summary(expected));
    await wal.append(makeEntries(35, 100, 3, 60));
    wal = await reopen(wal, { segmentSizeBytes: 2048 });
    expect(wal.lastIndex()).toBe(134);
    expect(summary(await wal.read(1, 135))).toEqual(summary([...expected, ...makeEntries(35, 100, 3, 60)]));
  });

  it('handles truncation at a segment boundary and a truncation queued behind pending appends', async () => {
    let wal = await open({ segmentSizeBytes: 2048, cacheBytes: 0 });
    const first = wal.append(makeEntries(1, 100, 1, 60));
    const second = wal.append(makeEntries(50, 10, 2, 60));
    const third = wal.append(makeEntries(40, 5, 3, 60));
    await Promise.all([first, second, third]);
    const expected = [...makeEntries(1, 39, 1, 60), ...makeEntries(40, 5, 3, 60)];
    expect(summary(await wal.read(1, 45))).toEqual(summary(expected));
    wal = await reopen(wal, { segmentSizeBytes: 2048 });
    expect(summary(await wal.read(1, 45))).toEqual(summary(expected));
  });
});

describe('compaction', () => {
  it('deletes only whole old segments; term(firstIndex - 1) survives reopen', async () => {
    const observer = countingObserver();
    let wal = await open({ segmentSizeBytes: 2048, observer });
    for (let k = 1; k <= 300; k += 10) await wal.append(makeEntries(k, 10, Math.ceil(k / 50), 60));
    const before = await segmentNames();
    await wal.compact(120);
    const after = await segmentNames();
    expect(after.length).toBeLessThan(before.length);
    expect(observer.deletedSegments.length).toBe(before.length - after.length);
    const first = wal.firstIndex();
    expect(first).toBeLessThanOrEqual(121);
    expect(first).toBeGreaterThan(1);
    expect(after[0]).toBe(`${String(first).padStart(20, '0')}.wal`);
    const boundaryTerm = Math.ceil((first - 1) / 50) || 1;
    expect(wal.term(first - 1)).toBe(boundaryTerm);
    expect(wal.term(first - 2)).toBeUndefined();
    await expect(wal.read(first - 1, first)).rejects.toThrow(RangeError);
    await expect(wal.append(makeEntries(100, 1, 9))).rejects.toThrow(RangeError);
    wal = await reopen(wal, { segmentSizeBytes: 2048 });
    expect([wal.firstIndex(), wal.lastIndex(), wal.term(first - 1)]).toEqual([first, 300, boundaryTerm]);
    expect((await wal.read(first, 301)).length).toBe(301 - first);
  });

  it('never deletes the active segment', async () => {
    let wal = await open({ segmentSizeBytes: 2048 });
    await wal.append(makeEntries(1, 100, 4, 60));
    await wal.compact(1000);
    expect((await segmentNames()).length).toBe(1);
    expect(wal.lastIndex()).toBe(100);
    const first = wal.firstIndex();
    wal = await reopen(wal, { segmentSizeBytes: 2048 });
    expect([wal.firstIndex(), wal.term(first - 1)]).toEqual([first, 4]);
    await wal.append(makeEntries(101, 1, 5));
    expect(wal.term(101)).toBe(5);
  });
});

describe('reads racing disk changes', () => {
  it('a disk read started before compaction still returns its entries', async () => {
    const wal = await open({ segmentSizeBytes: 2048, cacheBytes: 0 });
    await wal.append(makeEntries(1, 200, 1, 60));
    const reading = wal.read(1, 150);
    const compacting = wal.compact(180);
    expect(summary(await reading)).toEqual(summary(makeEntries(1, 149, 1, 60)));
    await compacting;
    expect(wal.firstIndex()).toBeGreaterThan(150);
  });

  it('a disk read started before a suffix truncation returns the entries it planned', async () => {
    // Reads are slowed down so the truncation surely reaches the disk while they are in flight.
    const slowReads: WalFileSystem = {
      ...nodeFileSystem,
      async open(path, mode) {
        const file = await nodeFileSystem.open(path, mode);
        return {
          ...bindFile(file),
          read: async (target, position) => {
            await new Promise((resolve) => setTimeout(resolve, 50));
            return file.read(target, position);
          },
        };
      },
    };
    const wal = await open({ cacheBytes: 0, fs: slowReads });
    const written = makeEntries(1, 2000, 1);
    await wal.append(written);
    // Same turn: the read has planned its byte ranges but not read them when the truncation runs.
    const reading = wal.read(1, 2001);
    const replacing = wal.append([makeEntry(2, 2)]);
    expect(summary(await reading)).toEqual(summary(written));
    await replacing;
    expect(summary(await wal.read(1, 3))).toEqual(summary([written[0] as LogEntry, makeEntry(2, 2)]));
  });
});

/** A real disk that counts the calls made on files opened after `counting` is set. */
function countingFs(): { fs: WalFileSystem; calls: Record<'writev' | 'writevDurable' | 'datasync', number> } {
  const calls = { writev: 0, writevDurable: 0, datasync: 0 };
  const fs: WalFileSystem = {
    ...nodeFileSystem,
    async open(path, mode) {
      const file = await nodeFileSystem.open(path, mode);
      const durable = file.writevDurable?.bind(file);
      expect(durable).toBeDefined();
      return {
        ...bindFile(file),
        writev: (buffers, position) => { calls.writev++; return file.writev(buffers, position); },
        writevDurable: (buffers, position) => { calls.writevDurable++; return file.writevDurable?.(buffers, position) ?? Promise.reject(new Error('no writevDurable')); },
        datasync: () => { calls.datasync++; return file.datasync(); },
      };
    },
  };
  return { fs, calls };
}

describe('durable writes', () => {
  it('sync_commit: each batch is written and synced in one call (O_DSYNC), durable when append resolves', async () => {
    const { fs, calls } = countingFs();
    // Without preallocation: its zero writes and syncs would be counted too.
    let wal = await open({ fs, syncCommit: true, preallocate: false });
    const before = { ...calls };
    const written = makeEntries(1, 20, 1);
    await wal.append(written.slice(0, 10));
    await Promise.all([wal.append(written.slice(10, 15)), wal.append(written.slice(15))]);
    expect(wal.durableIndex()).toBe(20);
    expect(calls.writevDurable - before.writevDurable).toBeGreaterThanOrEqual(1);
    expect(calls.writev - before.writev).toBe(0);
    expect(calls.datasync - before.datasync).toBe(0);
    wal = await reopen(wal);
    expect(summary(await wal.read(1, 21))).toEqual(summary(written));
  });

  it('an idle WAL submits the write inside append(), before the caller continues; appends meanwhile form the next batch', async () => {
    const { fs, calls } = countingFs();
    const wal = await open({ fs, syncCommit: true, preallocate: false });
    await wal.append(makeEntries(1, 1, 1)); // opens the O_DSYNC descriptor
    const before = calls.writevDurable;
    const first = wal.append(makeEntries(2, 3, 1));
    // The Raft driver applies committed entries right after append(): the fsync must already be under way.
    expect(calls.writevDurable - before).toBe(1);
    const second = wal.append(makeEntries(5, 2, 1));
    expect(calls.writevDurable - before).toBe(1);
    await Promise.all([first, second]);
    expect(calls.writevDurable - before).toBe(2);
    expect(wal.durableIndex()).toBe(6);
  });

  it('sync_commit = false: plain writes, fdatasync later', async () => {
    const { fs, calls } = countingFs();
    const wal = await open({ fs, syncCommit: false, preallocate: false });
    const before = { ...calls };
    await wal.append(makeEntries(1, 5, 1));
    expect(calls.writevDurable - before.writevDurable).toBe(0);
    expect(calls.writev - before.writev).toBe(1);
  });

  it('a failed durable write rejects the batch and every later append', async () => {
    let fail = false;
    const failing: WalFileSystem = {
      ...nodeFileSystem,
      async open(path, mode) {
        const file = await nodeFileSystem.open(path, mode);
        return {
          ...bindFile(file),
          writevDurable: (buffers, position) => (fail ? Promise.reject(new Error('EIO: simulated')) : file.writevDurable?.(buffers, position) ?? Promise.resolve()),
        };
      },
    };
    const wal = await open({ fs: failing });
    await wal.append(makeEntries(1, 5, 1));
    fail = true;
    await expect(wal.append([makeEntry(6, 1)])).rejects.toThrow(/EIO/);
    await expect(wal.append([makeEntry(7, 1)])).rejects.toThrow(/EIO/);
    expect(wal.durableIndex()).toBe(5);
  });
});

describe('disk failures', () => {
  it('an fdatasync failure rejects the batch and every later append', async () => {
    let failSyncs = false;
    const failing: WalFileSystem = {
      ...nodeFileSystem,
      async open(path, mode) {
        const file = await nodeFileSystem.open(path, mode);
        return { ...bindFile(file), datasync: () => (failSyncs ? Promise.reject(new Error('EIO: simulated')) : file.datasync()) };
      },
    };
    const wal = await open({ fs: failing });
    await wal.append(makeEntries(1, 5, 1));
    failSyncs = true;
    const batch = [wal.append([makeEntry(6, 1)]), wal.append([makeEntry(7, 1)])];
    await expect(batch[0]).rejects.toThrow(/EIO/);
    await expect(batch[1]).rejects.toThrow(/EIO/);
    await expect(wal.append([makeEntry(8, 1)])).rejects.toThrow(/EIO/);
    failSyncs = false;
  });
});

describe('compression', () => {
  for (const compression of ['lz4', 'zstd'] as const) {
    it(`${compression}: round trips, shrinks compressible data, reads back with compression none`, async () => {
      const written = [...makeEntries(1, 50, 1, 2000, true), ...makeEntries(51, 50, 1, 300)];
      let wal = await open({ compression, cacheBytes: 0 });
      await wal.append(written.slice(0, 50));
      await Promise.all([wal.append(written.slice(50, 75)), wal.append(written.slice(75))]);
      expect(wal.sizeBytes()).toBeLessThan(2000 * 50);
      expect(summary(await wal.read(1, 101))).toEqual(summary(written));
      wal = await reopen(wal, { compression: 'none' });
      expect(summary(await wal.read(1, 101))).toEqual(summary(written));
    });
  }
});

describe('hard state', () => {
  it('refuses to open a directory whose hard state has commits but no segments', async () => {
    const wal = await open();
    await wal.saveHardState({ term: 1, vote: 1, commit: 3 });
    await wal.close();
    for (const name of await segmentNames()) await rm(join(dir, name));
    await expect(open()).rejects.toThrow(/holds no segment file/);
  });

  it('round trips across reopen', async () => {
    let wal = await open();
    await Promise.all([wal.saveHardState({ term: 1, vote: 1, commit: 0 }), wal.saveHardState({ term: 2, vote: 3, commit: 0 })]);
    expect(wal.hardState()).toEqual({ term: 2, vote: 3, commit: 0 });
    await wal.append(makeEntries(1, 5, 2));
    await wal.saveHardState({ term: 2, vote: 3, commit: 5 });
    wal = await reopen(wal);
    expect(wal.hardState()).toEqual({ term: 2, vote: 3, commit: 5 });
    await expect(wal.saveHardState({ term: -1, vote: 0, commit: 0 })).rejects.toThrow(RangeError);
  });
});
