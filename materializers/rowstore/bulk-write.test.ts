// Bulk rows (bulk-write.ts): the inserts of a multi-part transaction into a
// table without secondary indexes go to RocksDB, not memory. They appear
// atomically at the last part, never for older readers, survive a crash
// before the checkpoint that covers them, and give the same state as a
// rebuild from the log.

import { rm } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { Row, TableDefinition, TxnEffect } from '../entries/index.js';
import { encodeKey, fullRange } from '../keys/index.js';
import { collect, EntryLog, rowStoreContents, withTempDir } from '../testing/fixtures.js';
import { openRowStore, type RowStore } from './row-store.js';

const pool = 1 << 26;
const linesId = 16400;
const lines: TableDefinition = {
  id: linesId, databaseName: 'thunderdb', schemaName: 'public', name: 'lines',
  columns: [
    { id: 1, name: 'id', type: { kind: 'int4' }, notNull: true },
    { id: 2, name: 'note', type: { kind: 'text' }, notNull: false },
  ],
  primaryKey: { name: 'lines_pkey', columnIds: [1] },
  rowIdSequenceId: null, uniqueConstraints: [], checkConstraints: [], indexes: [],
};
const pk = (id: number): Uint8Array => encodeKey([{ kind: 'int4' }], [id]);
const row = (id: number, note = `n${id}`): Row => [id, note];

async function ids(store: RowStore, readIndex = store.appliedIndex()): Promise<number[]> {
  return (await collect(store.scan(linesId, fullRange, readIndex))).map((r) => r.row[0] as number);
}

/** `parts` parts of `perPart` inserts, ids from `from`. */
function inserts(log: EntryLog, from: number, parts: number, perPart: number): TxnEffect[][] {
  return Array.from({ length: parts }, (_, p) => Array.from({ length: perPart }, (_, k) => log.insert(linesId, row(from + p * perPart + k))));
}

function applyAll(store: RowStore, log: EntryLog, to = log.lastIndex): void {
  for (const entry of log.entries.slice(store.appliedIndex(), to)) store.apply(entry);
}

const range = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i);

describe('row store: bulk rows of multi-part transactions', () => {
  it('keeps a transaction no bigger than bulkRowsMinBytes resident (warm for point reads); a bigger one goes to RocksDB', () => withTempDir(async (dir) => {
    const log = new EntryLog();
    log.ddl({ kind: 'createTable', table: lines });
    const small = log.txnParts(inserts(log, 0, 3, 20));
    const big = log.txnParts(inserts(log, 100, 3, 200));
    const bytes = (entries: readonly { data: Uint8Array }[]): number => entries.reduce((sum, e) => sum + e.data.byteLength, 0);
    const smallBytes = bytes(small);
    expect(bytes(big)).toBeGreaterThan(smallBytes);
    const store = await openRowStore({ directory: dir, bufferPoolBytes: pool, bulkRowsMinBytes: smallBytes });
    applyAll(store, log, small[2]!.index);
    expect(store.stats()).toMatchObject({ bulkRowsWritten: 0, rowEntries: 60 });
    applyAll(store, log);
    expect(await ids(store)).toEqual([...range(0, 60), ...range(100, 600)]);
    expect(store.stats()).toMatchObject({ bulkRowsWritten: 600, rowEntries: 60 });
    await store.close();
  }));

  it('writes them to RocksDB, not memory; visible at the last part only; later changes start from them', () => withTempDir(async (dir) => {
    const log = new EntryLog();
    log.ddl({ kind: 'createTable', table: lines });
    log.txn([log.insert(linesId, row(0))]);
    const parts = log.txnParts(inserts(log, 1, 3, 20));
    const store = await openRowStore({ directory: dir, bufferPoolBytes: pool, bulkRowsMinBytes: 0 });
    applyAll(store, log, 2);
    const before = store.registerSnapshot();
    applyAll(store, log, parts[1]!.index);
    const between = store.registerSnapshot();
    store.apply(parts[2]!);
    // Read at once: the reader waits for the write, it does not miss rows.
    expect(await ids(store)).toEqual(range(0, 61));
    expect(store.stats()).toMatchObject({ bulkRowsWritten: 60, rowEntries: 1 });
    expect(store.pinSnapshot()).toBeUndefined();
    // Older readers never see them (RocksDB rows newer than the reader are absent for it).
    expect(await ids(store, before.readIndex)).toEqual([0]);
    expect(await collect(between.scan(linesId))).toHaveLength(1);
    expect(await between.get(linesId, pk(33))).toBeNull();
    // A point read below the write did not cache the key as absent.
    expect(await store.get(linesId, pk(33), store.appliedIndex())).toEqual(row(33));
    before.release();
    between.release();
    log.txn([log.update(linesId, row(5), row(5, 'changed')), log.delete(linesId, row(6))]);
    applyAll(store, log);
    expect((await store.get(linesId, pk(5), store.appliedIndex()))?.[1]).toBe('changed');
    expect(await ids(store)).toEqual(range(0, 61).filter((id) => id !== 6));
    const result = await store.checkpoint();
    expect(result).toMatchObject({ deferred: false, appliedIndex: log.lastIndex });
    expect(store.pinSnapshot()).toBeDefined();
    const contents = await rowStoreContents(store);
    await store.close();
    const reopened = await openRowStore({ directory: dir, bufferPoolBytes: pool, bulkRowsMinBytes: 0 });
    expect(await rowStoreContents(reopened)).toEqual(contents);
    await reopened.close();
    // A rebuild from the whole log reaches the same state.
    await rm(dir, { recursive: true, force: true });
    const rebuilt = await openRowStore({ directory: dir, bufferPoolBytes: pool, bulkRowsMinBytes: 0 });
    applyAll(rebuilt, log);
    expect(await rowStoreContents(rebuilt)).toEqual(contents);
    await rebuilt.close();
  }));

  it('keeps to the ordinary path keys memory holds, and tables the transaction updates or deletes in', () => withTempDir(async (dir) => {
    const log = new EntryLog();
    log.ddl({ kind: 'createTable', table: lines });
    log.txn([log.insert(linesId, row(1)), log.insert(linesId, row(2))]);
    log.txn([log.delete(linesId, row(1))]);
    log.txnParts([[log.insert(linesId, row(1, 'again')), log.insert(linesId, row(3))], [log.insert(linesId, row(4))]]);
    // An update after an insert of the same transaction: as bulk rows, older readers would see the insert as the base.
    log.txnParts([[log.insert(linesId, row(5))], [log.update(linesId, row(5), row(5, 'x')), log.insert(linesId, row(6))]]);
    const store = await openRowStore({ directory: dir, bufferPoolBytes: pool, bulkRowsMinBytes: 0 });
    applyAll(store, log, 3);
    const old = store.registerSnapshot();
    applyAll(store, log);
    const expected = [row(1, 'again'), row(2), row(3), row(4), row(5, 'x'), row(6)];
    expect((await collect(store.scan(linesId, fullRange, store.appliedIndex()))).map((r) => r.row)).toEqual(expected);
    expect(await ids(store, old.readIndex)).toEqual([2]);
    // Rows 3 and 4 only: row 1 was in memory (deleted), the second transaction updates.
    expect(store.stats().bulkRowsWritten).toBe(2);
    old.release();
    await store.checkpoint();
    await store.close();
    const reopened = await openRowStore({ directory: dir, bufferPoolBytes: pool, bulkRowsMinBytes: 0 });
    expect((await collect(reopened.scan(linesId, fullRange, reopened.appliedIndex()))).map((r) => r.row)).toEqual(expected);
    await reopened.close();
  }));

  it('a crash after the write but before a checkpoint: restart hides the rows below their index and replays them', () => withTempDir(async (dir) => {
    const log = new EntryLog();
    log.ddl({ kind: 'createTable', table: lines });
    log.txn([log.insert(linesId, row(0))]);
    const parts = log.txnParts(inserts(log, 1, 2, 10));
    log.txn([log.insert(linesId, row(100))]);
    const store = await openRowStore({ directory: dir, bufferPoolBytes: pool, bulkRowsMinBytes: 0 });
    applyAll(store, log, 2);
    expect((await store.checkpoint()).appliedIndex).toBe(2);
    applyAll(store, log);
    expect(await ids(store)).toHaveLength(22);
    await store.close(); // the bulk rows are in RocksDB; checkpoint index 2

    const reopened = await openRowStore({ directory: dir, bufferPoolBytes: pool, bulkRowsMinBytes: 0 });
    expect(reopened.appliedIndex()).toBe(2);
    expect(reopened.pinSnapshot()).toBeUndefined();
    expect(await ids(reopened)).toEqual([0]);
    applyAll(reopened, log, parts[0]!.index);
    expect(await ids(reopened)).toEqual([0]);
    expect(await reopened.get(linesId, pk(5), reopened.appliedIndex())).toBeNull();
    applyAll(reopened, log);
    expect(await ids(reopened)).toEqual([...range(0, 21), 100]);
    expect((await reopened.checkpoint()).appliedIndex).toBe(log.lastIndex);
    expect(reopened.pinSnapshot()).toBeDefined();
    await reopened.close();
    const again = await openRowStore({ directory: dir, bufferPoolBytes: pool, bulkRowsMinBytes: 0 });
    expect(await ids(again)).toEqual([...range(0, 21), 100]);
    // Stored rows are no longer ahead of the checkpoint: no reader below it exists, and none may be hidden.
    expect(again.pinSnapshot()).toBeDefined();
    await again.close();
  }));

  it('a checkpoint requested while the write is queued runs after it and covers it', () => withTempDir(async (dir) => {
    const log = new EntryLog();
    log.ddl({ kind: 'createTable', table: lines });
    log.txnParts(inserts(log, 1, 4, 50));
    const store = await openRowStore({ directory: dir, bufferPoolBytes: pool, bulkRowsMinBytes: 0 });
    applyAll(store, log, 2);
    const early = store.checkpoint();
    applyAll(store, log);
    const late = store.checkpoint();
    expect((await early).appliedIndex).toBeLessThanOrEqual(log.lastIndex);
    expect(await late).toMatchObject({ deferred: false, appliedIndex: log.lastIndex });
    await store.close();
    const reopened = await openRowStore({ directory: dir, bufferPoolBytes: pool, bulkRowsMinBytes: 0 });
    expect(reopened.appliedIndex()).toBe(log.lastIndex);
    expect(await ids(reopened)).toEqual(range(1, 200));
    await reopened.close();
  }));
});
