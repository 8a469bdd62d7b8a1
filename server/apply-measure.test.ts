// Measurements, not assertions (timings are never assertions): skipped unless
// THUNDER_MEASURE_APPLY is set. Prints the CPU every node spends per committed
// single-row INSERT (the cluster bench's bench_events row) in each consumer of
// committed$ as server/node.ts wires them: the row store, the engine's
// modification tracker (a follower's: it did not propose the entry), and the
// column store (batches of 8, about what on-demand flushes apply under load).
// Wall times per consumer suffer from a loaded machine; the process CPU per
// entry (all consumers, GC included) is the figure to compare. Run with:
//   THUNDER_MEASURE_APPLY=200000 npx vitest run server/apply-measure.test.ts

import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { describe, expect, it } from 'vitest';
import { openColumnStore } from '../materializers/columnstore/index.js';
import { openRowStore } from '../materializers/rowstore/index.js';
import type { TableDefinition } from '../materializers/index.js';
import { EntryLog, withTempDir } from '../materializers/testing/fixtures.js';
import type { LogEntry } from '../log/index.js';
import { ModificationTracker } from '../query/engine-impl/modification-tracker.js';

const entries = Number(process.env['THUNDER_MEASURE_APPLY'] ?? 0);
/** THUNDER_MEASURE_PROFILE=FILE also writes a V8 CPU profile of the applies (scripts/cpuprofile-top.mjs). */
const profileFile = process.env['THUNDER_MEASURE_PROFILE'];
const tableId = 30000;
const benchEvents: TableDefinition = {
  id: tableId, databaseName: 'thunderdb', schemaName: 'public', name: 'bench_events',
  columns: [
    { id: 1, name: 'id', type: { kind: 'int8' }, notNull: true },
    { id: 2, name: 'client', type: { kind: 'int4' }, notNull: true },
    { id: 3, name: 'amount', type: { kind: 'int4' }, notNull: true },
    { id: 4, name: 'note', type: { kind: 'text' }, notNull: false },
  ],
  primaryKey: { name: 'bench_events_pkey', columnIds: [1] }, rowIdSequenceId: null, uniqueConstraints: [], checkConstraints: [], indexes: [],
};

describe.skipIf(entries === 0)('apply measurements', () => {
  it('reports µs per committed single-row insert in each consumer', async () => {
    await withTempDir(async (dir) => {
      const log = new EntryLog();
      const all: LogEntry[] = [log.ddl({ kind: 'createTable', table: benchEvents })];
      for (let i = 1; i <= entries; i++) all.push(log.txn([log.insert(tableId, [BigInt(i), i % 8, i % 1000, 'payment'])]));
      const rowStore = await openRowStore({ directory: `${dir}/rows`, bufferPoolBytes: 2 ** 30 });
      const columnStore = await openColumnStore({ directory: `${dir}/columns` });
      const tracker = new ModificationTracker(() => rowStore.appliedIndex());
      const spent = { rowStore: 0, tracker: 0, columnStore: 0 };
      const batch: LogEntry[] = [];
      const session = new Session();
      if (profileFile !== undefined) {
        session.connect();
        await session.post('Profiler.enable');
        await session.post('Profiler.start');
      }
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      for (const entry of all) {
        const a = performance.now();
        rowStore.apply(entry);
        const b = performance.now();
        tracker.onCommitted(entry);
        const c = performance.now();
        batch.push(entry);
        if (batch.length === 8) {
          columnStore.applyBatch(batch);
          batch.length = 0;
        }
        const d = performance.now();
        spent.rowStore += b - a;
        spent.tracker += c - b;
        spent.columnStore += d - c;
      }
      columnStore.applyBatch(batch);
      const total = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      if (profileFile !== undefined) {
        const { profile } = await session.post('Profiler.stop');
        writeFileSync(profileFile, JSON.stringify(profile));
        session.disconnect();
      }
      const us = (ms: number): string => ((ms * 1000) / entries).toFixed(2);
      console.log(`${entries} entries: µs per entry: row store ${us(spent.rowStore)}, tracker ${us(spent.tracker)}, column store ${us(spent.columnStore)}, all (with timing) ${us(total)}; CPU µs per entry ${((cpu.user + cpu.system) / entries).toFixed(2)} (robust under load)`);
      expect(rowStore.appliedIndex()).toBe(all.length);
      expect(columnStore.appliedIndex()).toBe(all.length);
      await columnStore.close();
      await rowStore.close();
    });
  }, 600_000);
});
