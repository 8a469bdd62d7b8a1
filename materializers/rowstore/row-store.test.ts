import { describe, expect, it } from 'vitest';
import { boundedRange, encodeKey, encodeRowIdKey, equalRange, fullRange } from '../keys/index.js';
import { EntryKind } from '../../log/index.js';
import type { Row, TableDefinition } from '../entries/index.js';
import { accounts, accountsId, collect, emailIndexId, EntryLog, ownerIndexId, withTempDir } from '../testing/fixtures.js';
import { ReadIndexAheadError, RowStoreFailedError, SnapshotTooOldError } from './errors.js';
import { openRowStore, type RowStore } from './row-store.js';

const pk = (id: number): Uint8Array => encodeKey([{ kind: 'int4' }], [id]);
const text: [{ kind: 'text' }] = [{ kind: 'text' }];
const rows = async (store: RowStore, readIndex: number): Promise<Row[]> =>
  (await collect(store.scan(accountsId, fullRange, readIndex))).map((r) => r.row);
const byEmail = async (store: RowStore, email: string, readIndex: number): Promise<Row[]> =>
  (await collect(store.lookupIndex(emailIndexId, equalRange(text, [email]), readIndex))).map((r) => r.row);

async function withStore(body: (store: RowStore, log: EntryLog, dir: string) => Promise<void>, bufferPoolBytes = 64 * 1024 * 1024): Promise<void> {
  await withTempDir(async (dir) => {
    const store = await openRowStore({ directory: dir, bufferPoolBytes });
    try {
      await body(store, new EntryLog(), dir);
    } finally {
      await store.close();
    }
  });
}

describe('row store: MVCC', () => {
  it('serves each read index its own version: insert, update (a new version), delete (a tombstone)', () => withStore(async (store, log) => {
    store.apply(log.ddl({ kind: 'createTable', table: accounts }));
    const v1: Row = [1, 'ann', 100n, 'ann@x'];
    const v2: Row = [1, 'ann', 150n, 'ann@y'];
    const other: Row = [2, 'bob', null, null];
    const snap1 = store.registerSnapshot(1);
    store.apply(log.txn([log.insert(accountsId, v1), log.insert(accountsId, other)])); // 2
    const snap2 = store.registerSnapshot();
    store.apply(log.txn([log.update(accountsId, v1, v2)])); // 3
    const snap3 = store.registerSnapshot();
    store.apply(log.txn([log.delete(accountsId, v2)])); // 4
    expect(store.appliedIndex()).toBe(4);
    expect(await store.get(accountsId, pk(1), 1)).toBeNull();
    expect(await store.get(accountsId, pk(1), 2)).toEqual(v1);
    expect(await store.get(accountsId, pk(1), 3)).toEqual(v2);
    expect(await store.get(accountsId, pk(1), 4)).toBeNull();
    expect(store.tryGetCached(accountsId, pk(1), 3)).toEqual(v2);
    expect(store.tryGetCached(accountsId, pk(9), 4)).toBeNull();
    expect(await rows(store, 2)).toEqual([v1, other]);
    expect(await rows(store, 3)).toEqual([v2, other]);
    expect(await rows(store, 4)).toEqual([other]);
    expect((await collect(store.scan(accountsId, fullRange, 3, { reverse: true }))).map((r) => r.row)).toEqual([other, v2]);
    expect(await byEmail(store, 'ann@x', 2)).toEqual([v1]);
    expect(await byEmail(store, 'ann@x', 3)).toEqual([]);
    expect(await byEmail(store, 'ann@y', 3)).toEqual([v2]);
    expect(await byEmail(store, 'ann@y', 4)).toEqual([]);
    for (const s of [snap1, snap2, snap3]) s.release();
    expect(store.horizonIndex()).toBe(4);
    expect(() => store.tryGetCached(accountsId, pk(1), 3)).toThrow(SnapshotTooOldError);
    expect(() => store.tryGetCached(accountsId, pk(1), 5)).toThrow(ReadIndexAheadError);
  }));

  it('applies several effects on one key in one entry as one version', () => withStore(async (store, log) => {
    store.apply(log.ddl({ kind: 'createTable', table: accounts }));
    const a: Row = [1, 'ann', 1n, 'a@x'];
    const b: Row = [1, 'ann', 2n, 'b@x'];
    store.apply(log.txn([log.insert(accountsId, a), log.update(accountsId, a, b)]));
    expect(await rows(store, 2)).toEqual([b]);
    expect(await byEmail(store, 'a@x', 2)).toEqual([]);
    expect(await byEmail(store, 'b@x', 2)).toEqual([b]);
    store.apply(log.txn([log.delete(accountsId, b), log.insert(accountsId, a)]));
    expect(await rows(store, 3)).toEqual([a]);
  }));

  it('skips Empty entries but advances the applied index, and wakes waiters', () => withStore(async (store, log) => {
    const waiting = store.waitForApplied(2);
    const seen: number[] = [];
    const sub = store.applied$.subscribe((i) => seen.push(i));
    store.apply(log.empty());
    store.apply(log.ddl({ kind: 'createTable', table: accounts }));
    await waiting;
    expect(seen).toEqual([0, 1, 2]);
    sub.unsubscribe();
  }));

  it('maintains unique and non-unique indexes, NULL keys included', () => withStore(async (store, log) => {
    store.apply(log.ddl({ kind: 'createTable', table: accounts }));
    const rowsIn: Row[] = [[1, 'ann', 1n, 'a@x'], [2, 'ann', 2n, null], [3, 'bob', 3n, null], [4, 'ann', 4n, 'd@x']];
    store.apply(log.txn(rowsIn.map((r) => log.insert(accountsId, r))));
    const owners = async (owner: string, at: number): Promise<number[]> =>
      (await collect(store.lookupIndex(ownerIndexId, equalRange(text, [owner]), at))).map((r) => r.row[0] as number);
    expect(await owners('ann', 2)).toEqual([1, 2, 4]);
    expect(await owners('bob', 2)).toEqual([3]);
    expect((await collect(store.lookupIndex(emailIndexId, equalRange(text, [null]), 2))).map((r) => r.row[0])).toEqual([2, 3]);
    const range = boundedRange(text, { values: ['a@x'], inclusive: false }, undefined);
    expect((await collect(store.lookupIndex(emailIndexId, range, 2))).map((r) => r.row[0])).toEqual([4, 2, 3]);
    store.apply(log.txn([log.update(accountsId, rowsIn[1] as Row, [2, 'bob', 2n, 'b@x'])]));
    expect(await owners('ann', 3)).toEqual([1, 4]);
    expect(await owners('bob', 3)).toEqual([2, 3]);
    expect(store.tryLookupIndexCached(ownerIndexId, equalRange(text, ['bob']), 3)?.map((r) => r.key)).toEqual([pk(2), pk(3)]);
    // A key freed by a delete is taken by another row in the same entry.
    store.apply(log.txn([log.delete(accountsId, rowsIn[0] as Row), log.insert(accountsId, [5, 'eve', 5n, 'a@x'])]));
    expect((await byEmail(store, 'a@x', 4)).map((r) => r[0])).toEqual([5]);
  }));

  it('truncates: old readers keep the rows, new readers see none, later inserts are visible', () => withStore(async (store, log) => {
    store.apply(log.ddl({ kind: 'createTable', table: accounts }));
    store.apply(log.txn([log.insert(accountsId, [1, 'ann', 1n, 'a@x']), log.insert(accountsId, [2, 'bob', 2n, 'b@x'])]));
    const before = store.registerSnapshot();
    store.apply(log.ddl({ kind: 'truncateTable', tableId: accountsId }));
    store.apply(log.txn([log.insert(accountsId, [2, 'bob2', 9n, 'b@x'])]));
    expect((await before.get(accountsId, pk(1)))?.[1]).toBe('ann');
    expect(await rows(store, 2)).toHaveLength(2);
    expect(await rows(store, 3)).toEqual([]);
    expect(await rows(store, 4)).toEqual([[2, 'bob2', 9n, 'b@x']]);
    expect(await byEmail(store, 'a@x', 4)).toEqual([]);
    expect(await byEmail(store, 'b@x', 4)).toEqual([[2, 'bob2', 9n, 'b@x']]);
    expect(await byEmail(store, 'b@x', 2)).toEqual([[2, 'bob', 2n, 'b@x']]);
    await store.checkpoint();
    expect(store.stats().pendingMarkers).toBe(1); // the snapshot predates the truncate
    before.release();
    const result = await store.checkpoint();
    expect(result.keysDeleted).toBeGreaterThan(0);
    expect(store.stats().pendingMarkers).toBe(0);
    expect(await rows(store, 4)).toEqual([[2, 'bob2', 9n, 'b@x']]);
    expect(await byEmail(store, 'b@x', 4)).toEqual([[2, 'bob2', 9n, 'b@x']]);
  }));

  it('stops on a corrupt entry and refuses further use', () => withStore(async (store, log) => {
    store.apply(log.ddl({ kind: 'createTable', table: accounts }));
    const bad = { index: 2, term: 1, kind: EntryKind.Normal, data: new Uint8Array([1, 1, 0, 0, 0, 0]) };
    expect(() => store.apply(bad)).toThrow(RowStoreFailedError);
    expect(() => store.appliedIndex()).not.toThrow();
    expect(() => store.tryGetCached(accountsId, pk(1), 1)).toThrow(RowStoreFailedError);
  }));

  it('refuses effects that contradict the state it knows', () => withStore(async (store, log) => {
    store.apply(log.ddl({ kind: 'createTable', table: accounts }));
    store.apply(log.txn([log.insert(accountsId, [1, 'ann', 1n, null])]));
    expect(() => store.apply(log.txn([log.insert(accountsId, [1, 'ann', 1n, null])]))).toThrow(RowStoreFailedError);
  }));

  it('keys tables without a primary key by a hidden row id and keeps sequence high-water marks', () => withStore(async (store, log) => {
    const seqId = 16500;
    const heap: TableDefinition = {
      id: 16501, databaseName: 'thunderdb', schemaName: 'public', name: 'heap',
      columns: [{ id: 1, name: 'v', type: { kind: 'text' }, notNull: false }],
      primaryKey: null, rowIdSequenceId: seqId, uniqueConstraints: [], checkConstraints: [],
      indexes: [{ id: 16502, name: 'heap_v', columnIds: [1], unique: false }],
    };
    store.apply(log.ddl({
      kind: 'createSequence', sequence: {
        id: seqId, databaseName: 'thunderdb', schemaName: 'public', name: 'heap_rowid', dataType: 'int8', start: 1n, increment: 1n,
        min: 1n, max: 2n ** 63n - 1n, cycle: false, ownedBy: { tableId: 16501, columnId: 0 },
      },
    }, { kind: 'createTable', table: heap }));
    const rowId = (n: bigint): Uint8Array => encodeRowIdKey(n);
    store.apply(log.txn([
      { tableId: 16501, op: 'insert', key: rowId(1n), after: ['x'] },
      { tableId: 16501, op: 'insert', key: rowId(2n), after: ['x'] },
    ], [{ sequenceId: seqId, value: 32n }]));
    expect(store.sequenceValue(seqId)).toBe(32n);
    expect((await collect(store.scan(16501, fullRange, 2))).map((r) => r.key)).toEqual([rowId(1n), rowId(2n)]);
    expect((await collect(store.lookupIndex(16502, equalRange(text, ['x']), 2))).length).toBe(2);
    store.apply(log.ddl({ kind: 'dropTable', tableId: 16501 }, { kind: 'dropSequence', sequenceId: seqId }));
    expect(store.sequenceValue(seqId)).toBeUndefined();
  }));
});
