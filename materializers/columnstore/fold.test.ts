import { describe, expect, it } from 'vitest';
import { encodeTxnAbortEntry, type TableDefinition } from '../entries/index.js';
import { accounts, accountsId, EntryLog, withTempDir } from '../testing/fixtures.js';
import { EntryKind } from '../../log/index.js';
import { openColumnStore, type ColumnStore } from './column-store.js';
import { ReadIndexAheadError, SnapshotTooOldError, UnknownTableError } from './errors.js';
import { scanAll } from './test-support.js';

async function withStore(body: (store: ColumnStore, log: EntryLog, dir: string) => Promise<void>, segmentRowsMax = 4): Promise<void> {
  await withTempDir(async (dir) => {
    const store = await openColumnStore({ directory: dir, segmentRowsMax, batchLagMs: 1 });
    try {
      await body(store, new EntryLog(), dir);
    } finally {
      await store.close();
    }
  });
}

const row = (id: number, owner: string, balance: bigint | null, email: string | null = null): [number, string, bigint | null, string | null] =>
  [id, owner, balance, email];

describe('column store fold', () => {
  it('applies inserts, updates and deletes across segments', async () => {
    await withStore(async (store, log) => {
      store.apply(log.ddl({ kind: 'createTable', table: accounts }));
      const rows = Array.from({ length: 10 }, (_, i) => row(i, i % 2 === 0 ? 'ann' : 'bob', BigInt(i * 100)));
      store.apply(log.txn(rows.map((r) => log.insert(accountsId, r))));
      const afterInsert = store.appliedIndex();
      store.apply(log.txn([log.update(accountsId, row(3, 'bob', 300n), row(3, 'bob', 333n, 'b@x'))]));
      store.apply(log.txn([log.delete(accountsId, row(4, 'ann', 400n)), log.delete(accountsId, row(9, 'bob', 900n))]));
      const expected = rows.filter((r) => r[0] !== 4 && r[0] !== 9 && r[0] !== 3).concat([row(3, 'bob', 333n, 'b@x')]);
      expect(scanAll(store, accountsId)).toEqual(expected);
      // An older read index sees the rows as they were then.
      expect(scanAll(store, accountsId, afterInsert)).toEqual(rows);
      expect(scanAll(store, accountsId, afterInsert - 1)).toEqual([]);
      expect(store.stats().segments).toBe(3);
      expect(store.stats().liveRows).toBe(8);
    });
  });

  it('hands out typed vectors, a selection and zone maps', async () => {
    await withStore(async (store, log) => {
      store.apply(log.ddl({ kind: 'createTable', table: accounts }));
      store.apply(log.txn([1, 2, 3].map((i) => log.insert(accountsId, row(i, 'o', BigInt(i))))));
      store.apply(log.txn([log.delete(accountsId, row(2, 'o', 2n))]));
      const batches = [...store.scanTable(accountsId, [3, 1], store.appliedIndex())];
      expect(batches).toHaveLength(1);
      const [batch] = batches;
      expect(batch?.columns.map((c) => c.kind)).toEqual(['int64', 'int32']);
      expect([...(batch?.selection ?? [])]).toEqual([0, 2]);
      expect(batch?.zoneMaps[0]).toMatchObject({ min: 1n, max: 3n, nullCount: 0 });
      const pruned = [...store.scanTable(accountsId, [1], store.appliedIndex(), { prune: (z) => (z[0]?.max as number) > 100 })];
      expect(pruned).toEqual([]);
      expect(store.tableZones(accountsId, [1], store.appliedIndex())[0]?.zoneMaps[0]).toMatchObject({ min: 1, max: 3 });
    });
  });

  it('truncates and drops tables; refuses reads it cannot answer', async () => {
    await withStore(async (store, log) => {
      store.apply(log.ddl({ kind: 'createTable', table: accounts }));
      store.apply(log.txn([log.insert(accountsId, row(1, 'a', 1n))]));
      const before = store.appliedIndex();
      store.apply(log.ddl({ kind: 'truncateTable', tableId: accountsId }));
      expect(scanAll(store, accountsId)).toEqual([]);
      expect(() => scanAll(store, accountsId, before)).toThrow(SnapshotTooOldError);
      store.apply(log.txn([log.insert(accountsId, row(1, 'again', 2n))]));
      expect(scanAll(store, accountsId)).toEqual([row(1, 'again', 2n)]);
      expect(() => scanAll(store, accountsId, store.appliedIndex() + 1)).toThrow(ReadIndexAheadError);
      store.apply(log.ddl({ kind: 'dropTable', tableId: accountsId }));
      expect(() => store.scanTable(accountsId, [1], store.appliedIndex())).toThrow(UnknownTableError);
    });
  });

  it('reads columns added later as their missing value, and rows written before a drop without the column', async () => {
    await withStore(async (store, log) => {
      store.apply(log.ddl({ kind: 'createTable', table: accounts }));
      store.apply(log.txn([log.insert(accountsId, row(1, 'a', 1n))]));
      const altered: TableDefinition = {
        ...accounts,
        columns: [...accounts.columns.filter((c) => c.id !== 3), { id: 5, name: 'tier', type: { kind: 'int2' }, notNull: false, missingValue: 7 }],
      };
      store.apply(log.ddl({ kind: 'alterTable', table: altered }));
      store.apply(log.txn([log.insert(accountsId, [2, 'b', null, 9])]));
      expect(scanAll(store, accountsId)).toEqual([[1, 'a', null, 7], [2, 'b', null, 9]]);
    });
  });

  it('applies a multi-part transaction at its last part, and drops an unfinished one', async () => {
    await withStore(async (store, log) => {
      store.apply(log.ddl({ kind: 'createTable', table: accounts }));
      const parts = log.txnParts([[log.insert(accountsId, row(1, 'a', 1n))], [log.insert(accountsId, row(2, 'b', 2n))]]);
      store.apply(parts[0] as never);
      expect(scanAll(store, accountsId)).toEqual([]);
      expect(store.stats().appliedIndex).toBe(2);
      store.apply(parts[1] as never);
      expect(scanAll(store, accountsId)).toEqual([row(1, 'a', 1n), row(2, 'b', 2n)]);
      for (const e of log.txnParts([[log.insert(accountsId, row(3, 'c', 3n))], [log.insert(accountsId, row(4, 'd', 4n))]], [], false)) store.apply(e);
      store.apply(log.empty());
      expect(scanAll(store, accountsId)).toHaveLength(2);
      const abortData = encodeTxnAbortEntry(99n);
      store.apply({ index: log.lastIndex + 1, term: 1, kind: EntryKind.Normal, data: abortData });
    });
  });

  it('applies parts of more effects than a slice, in order, with their deletes', async () => {
    await withStore(async (store, log) => {
      store.apply(log.ddl({ kind: 'createTable', table: accounts }));
      const ids = Array.from({ length: 2500 }, (_, i) => i + 1);
      const first = ids.map((id) => log.insert(accountsId, row(id, `o${id}`, BigInt(id))));
      const second = [...ids.slice(0, 1100).map((id) => log.delete(accountsId, row(id, `o${id}`, BigInt(id)))), log.insert(accountsId, row(9000, 'z', 9n))];
      for (const part of log.txnParts([first, second])) store.apply(part);
      const rows = scanAll(store, accountsId);
      expect(rows).toHaveLength(1401);
      expect(rows[0]).toEqual(row(1101, 'o1101', 1101n));
      expect(rows.at(-1)).toEqual(row(9000, 'z', 9n));
    });
  });

  it('applies through attachToLog in batches and wakes waitApplied', async () => {
    const { Subject } = await import('rxjs');
    await withStore(async (store, log) => {
      const committed$ = new Subject<never>();
      const fatal: Error[] = [];
      store.attachToLog(committed$, (e) => fatal.push(e));
      committed$.next(log.ddl({ kind: 'createTable', table: accounts }) as never);
      for (let i = 0; i < 20; i++) committed$.next(log.txn([log.insert(accountsId, row(i, 'x', null))]) as never);
      await store.waitApplied(log.lastIndex, 5000);
      expect(scanAll(store, accountsId)).toHaveLength(20);
      expect(store.stats().lastAppliedCommitTsMicros).toBe(20_000n);
      await expect(store.waitApplied(log.lastIndex + 5, 10)).rejects.toThrow(/within 10 ms/);
      expect(fatal).toEqual([]);
    });
  });

  it('stops on an entry that breaks an invariant', async () => {
    await withStore(async (store, log) => {
      const fatal: Error[] = [];
      const { Subject } = await import('rxjs');
      const committed$ = new Subject<never>();
      store.attachToLog(committed$, (e) => fatal.push(e));
      committed$.next(log.ddl({ kind: 'createTable', table: accounts }) as never);
      committed$.next(log.txn([log.insert(accountsId, row(1, 'a', 1n))]) as never);
      committed$.next(log.txn([log.insert(accountsId, row(1, 'a', 1n))]) as never);
      await new Promise((r) => setTimeout(r, 30));
      expect(fatal).toHaveLength(1);
      expect(() => store.scanTable(accountsId, [1], 1)).toThrow(/stopped/);
    });
  });
});
