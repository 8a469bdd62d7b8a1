import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Subject } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { EntryKind, type LogEntry } from '../log/index.js';
import { openRowStore } from '../materializers/index.js';
import { accounts, accountsId, EntryLog } from '../materializers/testing/fixtures.js';
import { openColumnStoreService, skipApplied, type ColumnStoreSourceView } from './columnstore-service.js';

/** A row store source that must not be read (the WAL can replay the column store). */
const unusedSource: ColumnStoreSourceView = {
  appliedIndex: () => { throw new Error('not expected to rebuild'); },
  catalogAt: () => { throw new Error('not expected to rebuild'); },
  scan: () => { throw new Error('not expected to rebuild'); },
};

const logger = pino({ level: 'silent' });
const dirs: string[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'thunder-cs-service-'));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

const empty = (index: number): LogEntry => ({ index, term: 1, kind: EntryKind.Empty, data: new Uint8Array(0) });

describe('column store service', () => {
  it('applies committed entries after its checkpoint, skips ones it holds, and reopens at its checkpoint', async () => {
    const dataDir = await tempDir();
    const service = await openColumnStoreService({ dataDir, compression: 'lz4', logger, compactionIntervalMs: 0 }, 1, unusedSource);
    expect(service).toBeDefined();
    if (service === undefined) return;
    const committed = new Subject<LogEntry>();
    service.attach(committed, (error) => { throw error; });
    for (let i = 1; i <= 3; i++) committed.next(empty(i));
    await service.store.waitApplied(3, 1000);
    await service.view.checkpoint();
    await service.close();
    const again = await openColumnStoreService({ dataDir, compression: 'lz4', logger, compactionIntervalMs: 0 }, 1, unusedSource);
    expect(again?.checkpointIndex()).toBe(3);
    const replay = new Subject<LogEntry>();
    again?.attach(replay, (error) => { throw error; });
    for (let i = 2; i <= 5; i++) replay.next(empty(i));
    await again?.store.waitApplied(5, 1000);
    expect(again?.store.appliedIndex()).toBe(5);
    await again?.close();
  });

  it('is rebuilt from the row store when the WAL no longer holds the entries after its checkpoint, and follows the log from there', async () => {
    const dataDir = await tempDir();
    const log = new EntryLog();
    log.ddl({ kind: 'createTable', table: accounts });
    for (let k = 0; k < 30; k++) log.txn([log.insert(accountsId, [k, `owner${k % 3}`, BigInt(k), null])]);
    const rowStore = await openRowStore({ directory: join(dataDir, 'rowstore'), bufferPoolBytes: 1 << 20 });
    for (const e of log.entries) rowStore.apply(e);
    const service = await openColumnStoreService({ dataDir, compression: 'none', logger, compactionIntervalMs: 0 }, log.lastIndex + 1, rowStore);
    expect([service.checkpointIndex(), service.store.appliedIndex(), service.store.stats().liveRows]).toEqual([log.lastIndex, log.lastIndex, 30]);
    const committed = new Subject<LogEntry>();
    service.attach(committed, (error) => { throw error; });
    log.txn([log.insert(accountsId, [100, 'x', 1n, null])]);
    const next = log.entries[log.lastIndex - 1];
    if (next === undefined) throw new Error('no entry');
    rowStore.apply(next);
    committed.next(next);
    await service.store.waitApplied(log.lastIndex, 1000);
    expect(service.store.stats().liveRows).toBe(31);
    // A live rebuild (a snapshot install) replaces the store and keeps following.
    await service.rebuildFrom(rowStore);
    expect([service.store.appliedIndex(), service.store.stats().liveRows, service.current() === service.store]).toEqual([log.lastIndex, 31, true]);
    await service.close();
    await rowStore.close();
  });

  it('skipApplied drops entries at or below the applied index', () => {
    const seen: number[] = [];
    const source = new Subject<LogEntry>();
    skipApplied(source, () => 2).subscribe((e) => seen.push(e.index));
    for (let i = 1; i <= 4; i++) source.next(empty(i));
    expect(seen).toEqual([3, 4]);
  });
});
