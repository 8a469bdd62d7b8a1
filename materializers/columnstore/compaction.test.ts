// Compaction on worker threads (compaction_threads): the same segments as a
// merge on the calling thread, and entries applied while a worker copies the
// rows (deletes of merged rows, a truncate) are neither lost nor resurrected.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Decimal, type Row, type TableDefinition } from '../entries/index.js';
import { EntryLog, withTempDir } from '../testing/fixtures.js';
import type { LogEntry } from '../../log/index.js';
import { openColumnStore, type ColumnStore } from './column-store.js';
import { mergeJob } from './merge-kernel.js';
import { scanAll } from './test-support.js';

const tableId = 30000;
const items: TableDefinition = {
  id: tableId, databaseName: 'thunderdb', schemaName: 'public', name: 'items',
  columns: [
    { id: 1, name: 'id', type: { kind: 'int4' }, notNull: true },
    { id: 2, name: 'price', type: { kind: 'numeric', precision: 15, scale: 2 }, notNull: false },
    { id: 3, name: 'colour', type: { kind: 'text' }, notNull: false },
    { id: 4, name: 'note', type: { kind: 'text' }, notNull: false },
    { id: 5, name: 'at', type: { kind: 'timestamptz', precision: null }, notNull: false },
    { id: 6, name: 'ok', type: { kind: 'bool' }, notNull: false },
    { id: 7, name: 'raw', type: { kind: 'bytea' }, notNull: false },
  ],
  primaryKey: { name: 'items_pkey', columnIds: [1] }, rowIdSequenceId: null, uniqueConstraints: [], checkConstraints: [], indexes: [],
};

function rowOf(id: number): Row {
  return [
    id,
    id % 11 === 0 ? null : id % 13 === 0 ? Decimal.NaN : Decimal.of(BigInt(id * 101 - 5000), 2),
    id % 7 === 0 ? null : ['red', 'green', 'blue'][id % 3] ?? null,
    // Many distinct values: past dictionaryEntriesMax in some segments only.
    id % 5 === 0 ? null : id < 150 ? `n${id % 4}` : `note-${id}`,
    BigInt(id) * 1_000_000n,
    id % 9 === 0 ? null : id % 2 === 0,
    id % 6 === 0 ? null : Uint8Array.of(id & 0xff, id >> 8),
  ];
}

/** Rows 0..n-1 in transactions of 10, then every third deleted and every fourth updated. */
function workload(log: EntryLog, n: number): LogEntry[] {
  const out: LogEntry[] = [log.ddl({ kind: 'createTable', table: items })];
  for (let i = 0; i < n; i += 10) {
    out.push(log.txn(Array.from({ length: Math.min(10, n - i) }, (_, j) => log.insert(tableId, rowOf(i + j)))));
  }
  for (let id = 0; id < n; id += 3) out.push(log.txn([log.delete(tableId, rowOf(id))]));
  for (let id = 1; id < n; id += 4) if (id % 3 !== 0) out.push(log.txn([log.update(tableId, rowOf(id), [id, ...rowOf(id + 100_000).slice(1)])]));
  return out;
}

const options = { segmentRowsMax: 32, segmentInitialRows: 4, dictionaryEntriesMax: 8 } as const;

async function loaded(dir: string, compactionThreads: number, log: EntryLog, entries: readonly LogEntry[]): Promise<ColumnStore> {
  const store = await openColumnStore({ directory: dir, ...options, compactionThreads });
  store.applyBatch(entries);
  return store;
}

describe('column store compaction on worker threads', () => {
  it('merges to the same rows, segments and zone maps as a merge on this thread', async () => {
    await withTempDir(async (dir) => {
      const log = new EntryLog();
      const entries = workload(log, 300);
      const inline = await loaded(`${dir}/inline`, 0, log, entries);
      const worker = await loaded(`${dir}/worker`, 2, new EntryLog(), entries);
      const expected = scanAll(inline, tableId);
      const inlineSteps = await inline.compact({ fillFractionMin: 0.9 });
      const workerSteps = await worker.compact({ fillFractionMin: 0.9 });
      expect(inlineSteps.length).toBeGreaterThan(0);
      expect(workerSteps).toEqual(inlineSteps);
      expect(scanAll(worker, tableId)).toEqual(expected);
      expect(scanAll(inline, tableId)).toEqual(expected);
      const ids = items.columns.map((c) => c.id);
      const zones = (s: ColumnStore): unknown => s.tableZones(tableId, ids, s.appliedIndex());
      expect(zones(worker)).toEqual(zones(inline));
      expect(worker.stats().rows).toBe(worker.stats().liveRows);
      // A checkpoint writes the merged segments; a reopen reads them back.
      await worker.checkpoint();
      await worker.close();
      const reopened = await openColumnStore({ directory: `${dir}/worker`, ...options });
      expect(scanAll(reopened, tableId)).toEqual(expected);
      await reopened.close();
      await inline.close();
    });
  });

  it('carries over a delete applied while the worker copies the rows; older readers above the horizon still see the row', async () => {
    await withTempDir(async (dir) => {
      const log = new EntryLog();
      const entries = workload(log, 300);
      const store = await loaded(dir, 1, log, entries);
      const before = store.appliedIndex();
      const expected = scanAll(store, tableId);
      const victim = expected.find((r) => r[0] === 10) as Row;
      // The horizon pinned at `before` (a reader there): the delete below is above it and must be kept as a mark.
      const compaction = store.compact({ fillFractionMin: 0.9, horizonIndex: before });
      // compact() planned its first merge synchronously and now waits for the worker: this delete lands meanwhile.
      store.apply(log.txn([log.delete(tableId, victim)]));
      const steps = await compaction;
      expect(steps.length).toBeGreaterThan(0);
      expect(scanAll(store, tableId)).toEqual(expected.filter((r) => r[0] !== 10));
      // Read at the index before the delete: the row is there.
      expect(scanAll(store, tableId, before)).toEqual(expected);
      // Deleting it again would be a second delete of the same key: the key index no longer holds it.
      store.apply(log.txn([log.insert(tableId, rowOf(10))]));
      expect(scanAll(store, tableId).filter((r) => r[0] === 10)).toHaveLength(1);
      await store.close();
    });
  });

  it('drops a merge whose table was truncated while the worker ran, losing nothing', async () => {
    await withTempDir(async (dir) => {
      const log = new EntryLog();
      const store = await loaded(dir, 1, log, workload(log, 300));
      const compaction = store.compact({ fillFractionMin: 0.9, mergesMax: 1 });
      store.apply(log.ddl({ kind: 'truncateTable', tableId }));
      store.apply(log.txn([log.insert(tableId, rowOf(7))]));
      await compaction;
      expect(scanAll(store, tableId)).toEqual([rowOf(7)]);
      await store.close();
    });
  });

  it('writes segments compaction merged with the cold compression, fresh ones with the configured one', async () => {
    await withTempDir(async (dir) => {
      const log = new EntryLog();
      const store = await openColumnStore({ directory: dir, ...options, compactionThreads: 1, compression: 'lz4', coldCompression: 'zstd' });
      store.applyBatch(workload(log, 300));
      const merged = await store.compact({ fillFractionMin: 0.9 });
      expect(merged.length).toBeGreaterThan(0);
      // New rows after the compaction: a fresh segment.
      store.applyBatch(Array.from({ length: 4 }, (_, i) => log.txn(Array.from({ length: 10 }, (__, j) => log.insert(tableId, rowOf(1000 + i * 10 + j))))));
      const expected = scanAll(store, tableId);
      await store.checkpoint();
      await store.close();
      // The file header's compression byte (file-format.ts: 0 none, 1 lz4, 2 zstd).
      const codes = new Set<number>();
      for (const name of (await readdir(dir)).filter((f) => f.endsWith('.seg'))) codes.add((await readFile(join(dir, name)))[5] ?? -1);
      expect([...codes].sort()).toEqual([1, 2]);
      const reopened = await openColumnStore({ directory: dir, ...options });
      expect(scanAll(reopened, tableId)).toEqual(expected);
      await reopened.close();
    });
  });

  it('runs the kernel on an empty group and on sources whose whole rows are kept', () => {
    const keep = [Uint32Array.of(0, 1, 2), new Uint32Array(0)];
    const result = mergeJob({
      keep,
      columns: [{ out: 'fixed', dictionaryMax: 4, sources: [{ k: 'fixed', values: Int32Array.of(5, 6, 7), nulls: Uint8Array.of(0b010) }, { k: 'fixed', values: new Int32Array(0), nulls: null }] }],
      keys: [{ offsets: Uint32Array.of(0, 1, 2, 3), bytes: Uint8Array.of(1, 2, 3) }, { offsets: Uint32Array.of(0), bytes: new Uint8Array(0) }],
      inserts: [{ base: 40, deltas: Uint32Array.of(0, 0, 2) }, { base: 0, deltas: new Uint32Array(0) }],
    });
    expect(result.rowCount).toBe(3);
    expect(result.columns[0]).toMatchObject({ k: 'fixed', values: Int32Array.of(5, 6, 7), nullCount: 1 });
    expect([...result.keyBytes]).toEqual([1, 2, 3]);
    expect(result.baseIndex).toBe(40);
    expect([...result.insertDeltas]).toEqual([0, 0, 2]);
  });
});
