// Measurements, not assertions (timings are never assertions): skipped unless
// THUNDER_MEASURE_ROWS is set. Prints fold throughput and memory per row for a
// lineitem-like table (int8 key, 4 × numeric(15,2), 2 low-cardinality text,
// date, int4). Run with:
//   THUNDER_MEASURE_ROWS=1000000 NODE_OPTIONS=--expose-gc npx vitest run materializers/columnstore/measure.test.ts

import { describe, expect, it } from 'vitest';
import { layoutResolverOf } from '../catalog/index.js';
import { decodeEntry, decodeRow, Decimal, type Row, type TableDefinition } from '../entries/index.js';
import { EntryLog, withTempDir } from '../testing/fixtures.js';
import type { LogEntry } from '../../log/index.js';
import { openColumnStore } from './column-store.js';

const rows = Number(process.env['THUNDER_MEASURE_ROWS'] ?? 0);
const rowsPerTxn = Number(process.env['THUNDER_MEASURE_ROWS_PER_TXN'] ?? 100);
const tableId = 30000;
const lineitem: TableDefinition = {
  id: tableId, databaseName: 'thunderdb', schemaName: 'public', name: 'lineitem',
  columns: [
    { id: 1, name: 'id', type: { kind: 'int8' }, notNull: true },
    { id: 2, name: 'quantity', type: { kind: 'numeric', precision: 15, scale: 2 }, notNull: true },
    { id: 3, name: 'price', type: { kind: 'numeric', precision: 15, scale: 2 }, notNull: true },
    { id: 4, name: 'discount', type: { kind: 'numeric', precision: 15, scale: 2 }, notNull: true },
    { id: 5, name: 'tax', type: { kind: 'numeric', precision: 15, scale: 2 }, notNull: true },
    { id: 6, name: 'returnflag', type: { kind: 'bpchar', length: 1 }, notNull: true },
    { id: 7, name: 'linestatus', type: { kind: 'bpchar', length: 1 }, notNull: true },
    { id: 8, name: 'shipdate', type: { kind: 'date' }, notNull: true },
    { id: 9, name: 'suppkey', type: { kind: 'int4' }, notNull: true },
  ],
  primaryKey: { name: 'lineitem_pkey', columnIds: [1] }, rowIdSequenceId: null, uniqueConstraints: [], checkConstraints: [], indexes: [],
};

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function heapMb(): number {
  const m = process.memoryUsage();
  return (m.heapUsed + m.arrayBuffers) / 2 ** 20;
}

describe.skipIf(rows === 0)('column store measurements', () => {
  it('folds rows and reports throughput and memory per row', async () => {
    await withTempDir(async (dir) => {
      const log = new EntryLog();
      const entries: LogEntry[] = [log.ddl({ kind: 'createTable', table: lineitem })];
      for (let base = 0; base < rows; base += rowsPerTxn) {
        const effects = [];
        for (let i = base; i < Math.min(rows, base + rowsPerTxn); i++) {
          const row: Row = [BigInt(i), Decimal.of(BigInt(100 + (i % 5000)), 2), Decimal.of(BigInt(i % 100_000) * 7n, 2),
            Decimal.of(BigInt(i % 11), 2), Decimal.of(BigInt(i % 9), 2), 'ANR'[i % 3] ?? 'A', 'OF'[i % 2] ?? 'O', 9000 + (i % 2500), i % 10_000];
          effects.push(log.insert(tableId, row));
        }
        entries.push(log.txn(effects));
      }
      // The share of the fold spent decoding rows (entries/ codecs).
      const catalogTable = log.table(tableId);
      const td = performance.now();
      for (const e of entries.slice(1)) {
        const decoded = decodeEntry(e.data);
        if (decoded.type !== 'txn') continue;
        for (const effect of decoded.txn.effects) if (effect.after !== null) decodeRow(effect.after, layoutResolverOf(catalogTable));
      }
      const decodeMs = performance.now() - td;
      gc();
      const heapBefore = heapMb();
      const store = await openColumnStore({ directory: dir, batchLagMs: 1 });
      const t0 = performance.now();
      for (let i = 0; i < entries.length; i += 256) store.applyBatch(entries.slice(i, i + 256));
      const foldMs = performance.now() - t0;
      gc();
      const heapAfter = heapMb();
      const t1 = performance.now();
      let sum = 0n;
      for (const batch of store.scanTable(tableId, [3], store.appliedIndex())) {
        const v = batch.columns[0];
        if (v?.kind !== 'decimal64') continue;
        for (let i = 0; i < batch.rowCount; i++) sum += v.values[i] ?? 0n;
      }
      const scanMs = performance.now() - t1;
      const t2 = performance.now();
      const { index } = await store.checkpoint();
      const checkpointMs = performance.now() - t2;
      const stats = store.stats();
      await store.close();
      const t3 = performance.now();
      const reopened = await openColumnStore({ directory: dir });
      const reopenMs = performance.now() - t3;
      expect(reopened.appliedIndex()).toBe(index);
      await reopened.close();
      const perRow = ((heapAfter - heapBefore) * 2 ** 20) / rows;
      console.log(JSON.stringify({
        rows, rowsPerTxn, foldMs: Math.round(foldMs), decodeMs: Math.round(decodeMs), rowsPerSecond: Math.round(rows / (foldMs / 1000)),
        memoryBytesPerRow: Math.round(perRow), keyIndexBytesPerRow: Math.round(stats.keyIndexBytes / rows),
        sumScanMs: Math.round(scanMs), sum: sum.toString(), checkpointMs: Math.round(checkpointMs), reopenMs: Math.round(reopenMs),
        segments: stats.segments,
      }));
    });
  }, 600_000);
});
