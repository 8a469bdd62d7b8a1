import { readdir, rm } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { Row } from '../entries/index.js';
import { accounts, accountsId, EntryLog, withTempDir } from '../testing/fixtures.js';
import type { LogEntry } from '../../log/index.js';
import { openColumnStore, type ColumnStore, type ColumnStoreOptions } from './column-store.js';
import { scanAll } from './test-support.js';

/** A workload: inserts in several transactions, updates, deletes, a truncate-free history. */
function workload(log: EntryLog, n: number): LogEntry[] {
  const out: LogEntry[] = [log.ddl({ kind: 'createTable', table: accounts })];
  const live = new Map<number, Row>();
  for (let i = 0; i < n; i += 7) {
    const rows: Row[] = [];
    for (let j = i; j < Math.min(n, i + 7); j++) rows.push([j, `owner${j % 5}`, BigInt(j) * 10n, j % 3 === 0 ? null : `e${j}@x`]);
    out.push(log.txn(rows.map((r) => log.insert(accountsId, r))));
    for (const r of rows) live.set(r[0] as number, r);
  }
  for (let id = 0; id < n; id += 4) {
    const before = live.get(id);
    if (before === undefined) continue;
    const after: Row = [id, 'updated', 1n, null];
    out.push(log.txn([log.update(accountsId, before, after)]));
    live.set(id, after);
  }
  for (let id = 1; id < n; id += 6) {
    const before = live.get(id);
    if (before === undefined) continue;
    out.push(log.txn([log.delete(accountsId, before)]));
    live.delete(id);
  }
  return out;
}

async function open(dir: string, extra: Partial<ColumnStoreOptions> = {}): Promise<ColumnStore> {
  return openColumnStore({ directory: dir, segmentRowsMax: 16, ...extra });
}

function replay(store: ColumnStore, entries: readonly LogEntry[]): void {
  store.applyBatch(entries.filter((e) => e.index > store.appliedIndex()));
}

describe('column store persistence', () => {
  for (const compression of ['lz4', 'zstd', 'none'] as const) {
    it(`reopens to the same scan (${compression})`, async () => {
      await withTempDir(async (dir) => {
        const log = new EntryLog();
        const entries = workload(log, 100);
        const first = await open(dir, { compression });
        replay(first, entries.slice(0, 20));
        await first.checkpoint();
        replay(first, entries);
        const { index } = await first.checkpoint();
        expect(index).toBe(log.lastIndex);
        const expected = scanAll(first, accountsId);
        await first.close();

        const second = await open(dir, { compression: compression === 'lz4' ? 'zstd' : 'lz4' });
        expect(second.appliedIndex()).toBe(log.lastIndex);
        expect(scanAll(second, accountsId)).toEqual(expected);
        // The key index came back too: updates and deletes after the restart find their rows.
        replay(second, [log.txn([log.delete(accountsId, [2, 'owner2', 20n, 'e2@x'])])]);
        expect(scanAll(second, accountsId)).toEqual(expected.filter((r) => r[0] !== 2));
        await second.close();
      });
    });
  }

  function scanAllOf(store: ColumnStore): unknown[] {
    return scanAll(store, accountsId);
  }

  it('replays the log tail after the checkpoint, and rebuilds from the log when the directory is gone', async () => {
    await withTempDir(async (dir) => {
      const log = new EntryLog();
      const entries = workload(log, 120);
      const incremental = await open(dir);
      replay(incremental, entries.slice(0, 30));
      await incremental.checkpoint();
      replay(incremental, entries);
      const expected = scanAllOf(incremental);
      await incremental.close();

      const restarted = await open(dir);
      expect(restarted.appliedIndex()).toBe(30);
      replay(restarted, entries);
      expect(scanAllOf(restarted)).toEqual(expected);
      await restarted.close();

      await rm(dir, { recursive: true, force: true });
      const rebuilt = await open(dir);
      expect(rebuilt.appliedIndex()).toBe(0);
      replay(rebuilt, entries);
      expect(scanAllOf(rebuilt)).toEqual(expected);
      await rebuilt.close();
    });
  });

  it('compaction merges segments, drops deleted rows and keeps the scan; files not in the manifest are removed', async () => {
    await withTempDir(async (dir) => {
      const log = new EntryLog();
      const entries = workload(log, 200);
      const store = await open(dir);
      replay(store, entries);
      await store.checkpoint();
      const expected = scanAllOf(store);
      const before = store.stats();
      const steps = await store.compact({ fillFractionMin: 0.9 });
      expect(steps.length).toBeGreaterThan(0);
      const after = store.stats();
      expect(after.segments).toBeLessThanOrEqual(before.segments);
      expect(after.rows).toBeLessThan(before.rows);
      expect(after.rows).toBe(after.liveRows);
      expect(scanAllOf(store)).toEqual(expected);
      // Updates and deletes still find rows that compaction moved.
      replay(store, [log.txn([log.delete(accountsId, [5, 'owner0', 50n, 'e5@x'])])]);
      const expectedAfterDelete = expected.filter((r) => (r as unknown[])[0] !== 5);
      expect(scanAllOf(store)).toEqual(expectedAfterDelete);
      await store.checkpoint();
      const files = await readdir(dir);
      await store.close();
      const reopened = await open(dir);
      expect(scanAllOf(reopened)).toEqual(expectedAfterDelete);
      expect((await readdir(dir)).sort()).toEqual(files.sort());
      await reopened.close();
    });
  });

  it('keeps rows deleted above the compaction horizon for older readers', async () => {
    await withTempDir(async (dir) => {
      const log = new EntryLog();
      let store = await open(dir, { segmentRowsMax: 8 });
      // Each reopen loads the open segment as a small sealed one: three small segments.
      const reopen = async (): Promise<void> => {
        await store.checkpoint();
        await store.close();
        store = await open(dir, { segmentRowsMax: 8 });
      };
      replay(store, [log.ddl({ kind: 'createTable', table: accounts })]);
      for (let i = 0; i < 6; i++) {
        replay(store, [log.txn([log.insert(accountsId, [i, 'o', null, null])])]);
        if (i % 2 === 1) await reopen();
      }
      replay(store, [log.txn([log.delete(accountsId, [0, 'o', null, null])])]);
      const pinned = store.appliedIndex();
      replay(store, [log.txn([log.delete(accountsId, [1, 'o', null, null])])]);
      await reopen();
      const atPinned = scanAll(store, accountsId, pinned);
      const segmentsBefore = store.stats().segments;
      await store.compact({ horizonIndex: pinned, fillFractionMin: 1 });
      expect(store.stats().segments).toBeLessThan(segmentsBefore);
      expect(store.stats().rows).toBe(5);
      expect(scanAll(store, accountsId, pinned)).toEqual(atPinned);
      expect(scanAll(store, accountsId)).toHaveLength(4);
      expect(() => scanAll(store, accountsId, pinned - 1)).toThrow(/compacted/);
      await store.close();
    });
  });
});
