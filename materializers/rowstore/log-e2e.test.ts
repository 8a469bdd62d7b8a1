// End to end with the real replicated log: the row store subscribes to
// committed$ before the log starts, so when propose() resolves, the entry is
// applied and its rows are visible; a restart replays only the tail.

import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { encodeKey, fullRange } from '../keys/index.js';
import type { Row } from '../entries/index.js';
import { openReplicatedLog, ManualScheduler, type ReplicatedLog } from '../../log/index.js';
import { MemoryWal } from '../../log/raft/testing/memory-wal.js';
import { accounts, accountsId, collect, EntryLog, withTempDir } from '../testing/fixtures.js';
import { openRowStore, type RowStore } from './row-store.js';

const logger = pino({ level: 'silent' });
const pk = (id: number): Uint8Array => encodeKey([{ kind: 'int4' }], [id]);

async function start(wal: MemoryWal, store: RowStore, fatal: Error[]): Promise<ReplicatedLog> {
  const log = await openReplicatedLog({
    nodeId: 1, peers: [1], wal, electionTimeoutTicks: 10, heartbeatTicks: 1, tickIntervalMs: 10, logger,
    scheduler: new ManualScheduler(), random: () => 0.5, appliedIndex: store.checkpointIndex(),
  });
  store.attachToLog(log.committed$, (error) => fatal.push(error));
  await log.waitReady();
  return log;
}

describe('row store on the replicated log', () => {
  it('makes each proposed row visible when its propose() resolves, and replays the tail after a restart', () => withTempDir(async (dir) => {
    const leader = new EntryLog(); // builds entry payloads as the executor would
    const wal = new MemoryWal();
    const fatal: Error[] = [];
    let store = await openRowStore({ directory: dir, bufferPoolBytes: 1 << 20 });
    let log = await start(wal, store, fatal);
    const ddl = leader.ddl({ kind: 'createTable', table: accounts });
    await log.propose(ddl.data);
    expect(store.catalog().table('public', 'accounts')?.id).toBe(accountsId);
    const rows: Row[] = [];
    for (let k = 0; k < 20; k++) {
      const row: Row = [k, `o${k}`, BigInt(k), null];
      const { index } = await log.propose(leader.txn([leader.insert(accountsId, row)]).data);
      rows.push(row);
      expect(store.appliedIndex()).toBeGreaterThanOrEqual(index);
      expect(store.tryGetCached(accountsId, pk(k), index)).toEqual(row);
    }
    await store.checkpoint();
    const checkpointed = store.appliedIndex();
    const more: Row = [100, 'late', 0n, null];
    await log.propose(leader.txn([leader.insert(accountsId, more)]).data);
    await log.close();
    await store.close();

    store = await openRowStore({ directory: dir, bufferPoolBytes: 1 << 20 });
    expect(store.appliedIndex()).toBe(checkpointed);
    log = await start(wal.crashCopy(), store, fatal);
    await store.waitForApplied(checkpointed + 2); // the late insert, then the new term's Empty entry
    expect((await collect(store.scan(accountsId, fullRange, store.appliedIndex()))).map((r) => r.row)).toEqual([...rows, more]);
    expect(fatal).toEqual([]);
    await log.close();
    await store.close();
  }));
});
