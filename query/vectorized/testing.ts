// Test support: the engine over a real log, row store and column store (the
// column store attached to the same committed entries, as server wiring does).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualScheduler, openReplicatedLog, type ReplicatedLog } from '../../log/index.js';
import { MemoryWal } from '../../log/raft/testing/memory-wal.js';
import { openColumnStore, type ColumnStore } from '../../materializers/columnstore/index.js';
import { openRowStore, type RowStore } from '../../materializers/index.js';
import type { EngineSession } from '../engine.js';
import { createQueryEngine, type ThunderQueryEngine } from '../engine-impl/query-engine.js';
import { silentLogger } from '../engine-impl/testing/harness.js';
import { loadSqlParser } from '../parser/index.js';

export interface ColumnTestEngine {
  readonly rowStore: RowStore;
  readonly columnStore: ColumnStore;
  readonly log: ReplicatedLog;
  readonly engine: ThunderQueryEngine;
  session(): EngineSession;
  close(): Promise<void>;
}

export async function openColumnTestEngine(options: { readonly segmentRowsMax?: number; readonly batchLagMs?: number; readonly applyOnDemand?: boolean; readonly dictionaryEntriesMax?: number } = {}): Promise<ColumnTestEngine> {
  await loadSqlParser();
  const dir = await mkdtemp(join(tmpdir(), 'thunder-vectorized-'));
  const rowStore = await openRowStore({ directory: dir, bufferPoolBytes: 64 * 1024 * 1024 });
  const columnStore = await openColumnStore({
    directory: join(dir, 'columnstore'), batchLagMs: options.batchLagMs ?? 0, applyOnDemand: options.applyOnDemand ?? true,
    ...(options.dictionaryEntriesMax === undefined ? {} : { dictionaryEntriesMax: options.dictionaryEntriesMax }),
    ...(options.segmentRowsMax === undefined ? {} : { segmentRowsMax: options.segmentRowsMax, segmentInitialRows: Math.min(1024, options.segmentRowsMax) }),
  });
  const log = await openReplicatedLog({
    nodeId: 1, peers: [1], wal: new MemoryWal(), electionTimeoutTicks: 10, heartbeatTicks: 1, tickIntervalMs: 10, logger: silentLogger,
    scheduler: new ManualScheduler(), random: () => 0.5, appliedIndex: rowStore.checkpointIndex(),
  });
  rowStore.attachToLog(log.committed$, (error) => {
    throw error;
  });
  const subscription = columnStore.attachToLog(log.committed$, (error) => {
    throw error;
  });
  await log.waitReady();
  const engine = createQueryEngine({ log, rowStore, logger: silentLogger, columnStore });
  const sessions: EngineSession[] = [];
  return {
    rowStore, columnStore, log, engine,
    session() {
      const s = engine.openSession({ user: 'tester', database: 'thunderdb', parameters: {} });
      sessions.push(s);
      return s;
    },
    async close() {
      for (const s of sessions.splice(0)) s.close();
      engine.close();
      subscription.unsubscribe();
      await log.close();
      await columnStore.close();
      await rowStore.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
