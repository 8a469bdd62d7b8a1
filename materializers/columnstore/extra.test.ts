import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { SequenceDef, TableDefinition } from '../entries/index.js';
import { encodeRowIdKey } from '../keys/index.js';
import { accounts, accountsId, EntryLog, withTempDir } from '../testing/fixtures.js';
import type { LogEntry } from '../../log/index.js';
import { openColumnStore } from './column-store.js';
import { ColumnStoreCorruptionError, SnapshotTooOldError } from './errors.js';
import { scanAll } from './test-support.js';

const seq: SequenceDef = {
  id: 16390, databaseName: 'thunderdb', schemaName: 'public', name: 'items_rowid_seq', dataType: 'int8', start: 1n, increment: 1n,
  min: 1n, max: 2n ** 63n - 1n, cycle: false, ownedBy: { tableId: 16391, columnId: 0 },
};
const items: TableDefinition = {
  id: 16391, databaseName: 'thunderdb', schemaName: 'public', name: 'items',
  columns: [{ id: 1, name: 'name', type: { kind: 'text' }, notNull: false }],
  primaryKey: null, rowIdSequenceId: 16390, uniqueConstraints: [], checkConstraints: [], indexes: [],
};

describe('column store, more', () => {
  it('keys rows of a table without a primary key by the hidden row id', async () => {
    await withTempDir(async (dir) => {
      const log = new EntryLog();
      const store = await openColumnStore({ directory: dir });
      store.apply(log.ddl({ kind: 'createSequence', sequence: seq }, { kind: 'createTable', table: items }));
      store.apply(log.txn([1n, 2n, 3n].map((id) => ({ tableId: 16391, op: 'insert' as const, key: encodeRowIdKey(id), after: ['same'] }))));
      store.apply(log.txn([{ tableId: 16391, op: 'delete', key: encodeRowIdKey(2n), before: ['same'] }]));
      store.apply(log.txn([{ tableId: 16391, op: 'update', key: encodeRowIdKey(3n), before: ['same'], after: ['other'] }]));
      expect(scanAll(store, 16391)).toEqual([['same'], ['other']]);
      await store.close();
    });
  });

  it('applies a full batch inside the producer\'s next(): the buffer never grows past batchEntriesMax', async () => {
    await withTempDir(async (dir) => {
      const log = new EntryLog();
      const store = await openColumnStore({ directory: dir, batchEntriesMax: 4, batchLagMs: 60_000 });
      const committed$ = new Subject<LogEntry>();
      store.attachToLog(committed$);
      committed$.next(log.ddl({ kind: 'createTable', table: accounts }));
      for (let i = 0; i < 3; i++) committed$.next(log.txn([log.insert(accountsId, [i, 'o', null, null])]));
      // Four entries buffered: applied synchronously, before next() returned.
      expect(store.appliedIndex()).toBe(4);
      committed$.next(log.txn([log.insert(accountsId, [9, 'o', null, null])]));
      expect(store.appliedIndex()).toBe(4);
      // Completing the stream flushes the rest.
      committed$.complete();
      expect(store.appliedIndex()).toBe(5);
      expect(store.stats().batchesApplied).toBe(2);
      await store.close();
    });
  });

  it('applyBuffered applies what the batch buffer holds at once (a query sizing its work right after a load)', async () => {
    await withTempDir(async (dir) => {
      const log = new EntryLog();
      const store = await openColumnStore({ directory: dir, batchLagMs: 60_000 });
      const committed$ = new Subject<LogEntry>();
      store.attachToLog(committed$);
      committed$.next(log.ddl({ kind: 'createTable', table: accounts }));
      committed$.next(log.txn([log.insert(accountsId, [1, 'o', null, null])]));
      expect(store.appliedIndex()).toBe(0);
      store.applyBuffered();
      expect(store.appliedIndex()).toBe(2);
      expect(scanAll(store, accountsId)).toEqual([[1, 'o', null, null]]);
      store.applyBuffered(); // nothing buffered: no change
      expect(store.appliedIndex()).toBe(2);
      await store.close();
      store.applyBuffered(); // closed: nothing to do, no error
    });
  });

  it('applies the buffer when a reader waits for an entry in it or one arriving, not at the batch timer', async () => {
    await withTempDir(async (dir) => {
      const log = new EntryLog();
      const store = await openColumnStore({ directory: dir, batchLagMs: 60_000 });
      const committed$ = new Subject<LogEntry>();
      store.attachToLog(committed$);
      committed$.next(log.ddl({ kind: 'createTable', table: accounts }));
      committed$.next(log.txn([log.insert(accountsId, [1, 'o', null, null])]));
      expect(store.appliedIndex()).toBe(0);
      // Buffered already: waitApplied applies it at once.
      await store.waitApplied(2, 1000);
      expect(store.appliedIndex()).toBe(2);
      // Not here yet: applied as soon as the entry the reader needs arrives.
      const waiting = store.waitApplied(4, 1000);
      committed$.next(log.txn([log.insert(accountsId, [2, 'o', null, null])]));
      expect(store.appliedIndex()).toBe(2);
      committed$.next(log.txn([log.insert(accountsId, [3, 'o', null, null])]));
      expect(store.appliedIndex()).toBe(4);
      await waiting;
      expect(scanAll(store, accountsId)).toHaveLength(3);
      await store.close();
    });
  });

  it('with applyOnDemand off, a reader waits for the batch timer', async () => {
    await withTempDir(async (dir) => {
      const log = new EntryLog();
      const store = await openColumnStore({ directory: dir, batchLagMs: 60_000, applyOnDemand: false });
      const committed$ = new Subject<LogEntry>();
      store.attachToLog(committed$);
      committed$.next(log.ddl({ kind: 'createTable', table: accounts }));
      await expect(store.waitApplied(1, 20)).rejects.toThrow(/within 20 ms/);
      expect(store.appliedIndex()).toBe(0);
      await store.close();
    });
  });

  it('refuses a corrupted segment file at open', async () => {
    await withTempDir(async (dir) => {
      const log = new EntryLog();
      const store = await openColumnStore({ directory: dir });
      store.apply(log.ddl({ kind: 'createTable', table: accounts }));
      store.apply(log.txn([log.insert(accountsId, [1, 'o', 5n, null])]));
      await store.checkpoint();
      await store.close();
      const { readdir } = await import('node:fs/promises');
      const segmentFile = (await readdir(dir)).find((n) => n.endsWith('.seg'));
      expect(segmentFile).toBeDefined();
      await writeFile(join(dir, segmentFile ?? ''), Buffer.from('TDCS garbage that is long enough'));
      await expect(openColumnStore({ directory: dir })).rejects.toThrow(ColumnStoreCorruptionError);
    });
  });

  it('reads a dropped column at an index before the drop, until compaction removes it', async () => {
    await withTempDir(async (dir) => {
      const log = new EntryLog();
      const store = await openColumnStore({ directory: dir, segmentRowsMax: 2 });
      store.apply(log.ddl({ kind: 'createTable', table: accounts }));
      for (let i = 0; i < 3; i++) store.apply(log.txn([log.insert(accountsId, [i, 'o', BigInt(i), null])]));
      const beforeDrop = store.appliedIndex();
      store.apply(log.ddl({ kind: 'alterTable', table: { ...accounts, columns: accounts.columns.filter((c) => c.id !== 3) } }));
      store.apply(log.txn([log.delete(accountsId, [0, 'o', null])]));
      expect(scanAll(store, accountsId, beforeDrop, [1, 3])).toEqual([[0, 0n], [1, 1n], [2, 2n]]);
      expect(scanAll(store, accountsId)).toEqual([[1, 'o', null], [2, 'o', null]]);
      await store.compact({ fillFractionMin: 1 });
      expect(scanAll(store, accountsId)).toEqual([[1, 'o', null], [2, 'o', null]]);
      expect(() => scanAll(store, accountsId, beforeDrop, [1, 3])).toThrow(SnapshotTooOldError);
      await store.close();
    });
  });

  it('reopens under another segmentRowsMax and still finds rows by key', async () => {
    await withTempDir(async (dir) => {
      const log = new EntryLog();
      const first = await openColumnStore({ directory: dir, segmentRowsMax: 16 });
      first.apply(log.ddl({ kind: 'createTable', table: accounts }));
      first.apply(log.txn(Array.from({ length: 12 }, (_, i) => log.insert(accountsId, [i, 'o', null, null]))));
      await first.checkpoint();
      await first.close();
      const second = await openColumnStore({ directory: dir, segmentRowsMax: 4 });
      second.apply(log.txn([log.delete(accountsId, [11, 'o', null, null]), log.insert(accountsId, [20, 'p', 1n, null])]));
      expect(scanAll(second, accountsId).map((r) => r[0])).toEqual([...Array.from({ length: 11 }, (_, i) => i), 20]);
      await second.close();
    });
  });
});
