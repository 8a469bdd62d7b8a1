import { rm } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { encodeKey, equalRange, fullRange, objectRange } from '../keys/index.js';
import type { Row, TableDefinition } from '../entries/index.js';
import { accounts, accountsId, collect, rowStoreContents, emailIndexId, EntryLog, ownerIndexId, withTempDir } from '../testing/fixtures.js';
import { SnapshotTooOldError } from './errors.js';
import { openRocksKvStore } from './kv-store.js';
import { openRowStore, type RowStore } from './row-store.js';

const pk = (id: number): Uint8Array => encodeKey([{ kind: 'int4' }], [id]);
const text: [{ kind: 'text' }] = [{ kind: 'text' }];


/** A history with every kind of change: inserts, updates, deletes, truncate, alter, a second table, sequences. */
function history(log: EntryLog): void {
  const seqId = 16390;
  log.ddl({ kind: 'createTable', table: accounts });
  for (let batch = 0; batch < 10; batch++) {
    log.txn(Array.from({ length: 20 }, (_, k) => log.insert(accountsId, [batch * 20 + k, `owner${k % 3}`, BigInt(k), `u${batch * 20 + k}@x`])));
  }
  log.empty();
  for (let id = 0; id < 200; id += 7) log.txn([log.update(accountsId, [id, `owner${(id % 20) % 3}`, BigInt(id % 20), `u${id}@x`], [id, 'moved', -1n, null])]);
  for (let id = 1; id < 200; id += 11) {
    const before: Row = id % 7 === 0 ? [id, 'moved', -1n, null] : [id, `owner${(id % 20) % 3}`, BigInt(id % 20), `u${id}@x`];
    log.txn([log.delete(accountsId, before)]);
  }
  const other: TableDefinition = { ...accounts, id: 16400, name: 'other', uniqueConstraints: [], indexes: [{ id: 16401, name: 'other_owner', columnIds: [2], unique: false }] };
  log.ddl({
    kind: 'createSequence', sequence: {
      id: seqId, databaseName: 'thunderdb', schemaName: 'public', name: 's', dataType: 'int8', start: 1n, increment: 1n, min: 1n, max: 1000n, cycle: false, ownedBy: null,
    },
  }, { kind: 'createTable', table: other });
  log.txn([log.insert(16400, [1, 'x', 1n, null])], [{ sequenceId: seqId, value: 42n }]);
  log.ddl({ kind: 'truncateTable', tableId: 16400 });
  log.txn([log.insert(16400, [2, 'y', 2n, null])]);
  const altered: TableDefinition = {
    ...accounts, columns: [...accounts.columns, { id: 5, name: 'flag', type: { kind: 'bool' }, notNull: false, missingValue: true }],
    indexes: [...accounts.indexes, { id: 16402, name: 'accounts_flag', columnIds: [5, 1], unique: false }],
  };
  log.ddl({ kind: 'alterTable', table: altered });
  log.txn([log.insert(accountsId, [1000, 'new', 0n, 'new@x', false])]);
}

async function applyAll(store: RowStore, log: EntryLog, from = store.appliedIndex() + 1, to = log.lastIndex): Promise<void> {
  for (const entry of log.entries.slice(from - 1, to)) store.apply(entry);
  await Promise.all([...store.catalog().tables().flatMap((t) => t.indexes.map((i) => store.waitForIndex(i.id)))]);
}

describe('row store: persistence', () => {
  it('reopens a checkpoint with the same rows, applied index, catalog and sequences', () => withTempDir(async (dir) => {
    const log = new EntryLog();
    history(log);
    const store = await openRowStore({ directory: dir, bufferPoolBytes: 1 << 26 });
    await applyAll(store, log);
    const expected = await rowStoreContents(store);
    const result = await store.checkpoint();
    expect(result.appliedIndex).toBe(log.lastIndex);
    await store.close();
    const reopened = await openRowStore({ directory: dir, bufferPoolBytes: 1 << 26 });
    expect(reopened.appliedIndex()).toBe(log.lastIndex);
    expect(reopened.checkpointIndex()).toBe(log.lastIndex);
    expect(reopened.sequenceValue(16390)).toBe(42n);
    expect(await rowStoreContents(reopened)).toEqual(expected);
    expect((await reopened.get(accountsId, pk(3), log.lastIndex))?.[4]).toBe(true); // missingValue of the added column
    await reopened.close();
  }));

  it('replays the tail after the last checkpoint, and rebuilds from scratch when the directory is gone', () => withTempDir(async (dir) => {
    const log = new EntryLog();
    history(log);
    const reference = await openRowStore({ directory: `${dir}/reference`, bufferPoolBytes: 1 << 26 });
    await applyAll(reference, log);
    const expected = await rowStoreContents(reference);
    await reference.close();

    const store = await openRowStore({ directory: `${dir}/store`, bufferPoolBytes: 1 << 26 });
    const checkpointAt = 20;
    await applyAll(store, log, 1, checkpointAt);
    await store.checkpoint();
    await applyAll(store, log, checkpointAt + 1);
    await store.close(); // no checkpoint: the tail after 20 is lost from the view

    const tail = await openRowStore({ directory: `${dir}/store`, bufferPoolBytes: 1 << 26 });
    expect(tail.appliedIndex()).toBe(checkpointAt);
    await applyAll(tail, log);
    expect(await rowStoreContents(tail)).toEqual(expected);
    await tail.close();

    await rm(`${dir}/store`, { recursive: true });
    const rebuilt = await openRowStore({ directory: `${dir}/store`, bufferPoolBytes: 1 << 26 });
    expect(rebuilt.appliedIndex()).toBe(0);
    await applyAll(rebuilt, log);
    expect(await rowStoreContents(rebuilt)).toEqual(expected);
    await rebuilt.close();
  }));

  it('returns correct rows under a tiny buffer pool, reading evicted rows back from RocksDB', () => withTempDir(async (dir) => {
    const log = new EntryLog();
    history(log);
    const reference = await openRowStore({ directory: `${dir}/reference`, bufferPoolBytes: 1 << 26 });
    await applyAll(reference, log);
    const expected = await rowStoreContents(reference);
    await reference.close();

    const budget = 8 * 1024;
    const store = await openRowStore({ directory: `${dir}/small`, bufferPoolBytes: budget });
    await applyAll(store, log, 1, 30);
    await store.checkpoint();
    await applyAll(store, log);
    await store.checkpoint();
    expect(store.stats().cachedBytes).toBeLessThanOrEqual(budget);
    expect(store.stats().evictions).toBeGreaterThan(0);
    expect(await rowStoreContents(store)).toEqual(expected);
    const readsBefore = store.stats().storageReads;
    expect(await store.get(accountsId, pk(2), store.appliedIndex())).toEqual([2, 'owner2', 2n, 'u2@x', true]);
    expect(store.tryGetCached(accountsId, pk(2), store.appliedIndex())).toEqual([2, 'owner2', 2n, 'u2@x', true]);
    expect(store.stats().storageReads).toBeGreaterThanOrEqual(readsBefore);
    await store.close();
  }));

  it('keeps the versions an open snapshot needs, through checkpoints and eviction, and collects them after', () => withTempDir(async (dir) => {
    const log = new EntryLog();
    const store = await openRowStore({ directory: dir, bufferPoolBytes: 4 * 1024 });
    store.apply(log.ddl({ kind: 'createTable', table: accounts }));
    const first = Array.from({ length: 50 }, (_, k): Row => [k, 'a', 0n, `e${k}`]);
    store.apply(log.txn(first.map((r) => log.insert(accountsId, r))));
    await store.checkpoint();
    const snapshot = store.registerSnapshot();
    let current = first;
    for (let round = 1; round <= 5; round++) {
      const next = current.map((r): Row => [r[0] as number, 'a', BigInt(round), `e${r[0] as number}-${round}`]);
      store.apply(log.txn(current.map((r, i) => log.update(accountsId, r, next[i] as Row))));
      await store.checkpoint();
      current = next;
    }
    expect(store.horizonIndex()).toBe(snapshot.readIndex);
    expect((await collect(snapshot.scan(accountsId))).map((r) => r.row)).toEqual(first);
    expect(await snapshot.get(accountsId, pk(7))).toEqual(first[7]);
    expect((await collect(snapshot.lookupIndex(emailIndexId, equalRange(text, ['e7'])))).map((r) => r.row)).toEqual([first[7]]);
    expect((await collect(store.scan(accountsId, fullRange, store.appliedIndex()))).map((r) => r.row)).toEqual(current);
    snapshot.release();
    expect(store.horizonIndex()).toBe(store.appliedIndex());
    expect(() => store.tryGetCached(accountsId, pk(7), snapshot.readIndex)).toThrow(SnapshotTooOldError);
    await store.checkpoint();
    expect(store.stats().cachedBytes).toBeLessThanOrEqual(4 * 1024);
    expect((await collect(store.lookupIndex(emailIndexId, equalRange(text, ['e7-5']), store.appliedIndex()))).map((r) => r.row[0])).toEqual([7]);
    await store.close();
  }));

  it('drops a table: old snapshots still read it, and its keys go once they are released', () => withTempDir(async (dir) => {
    const log = new EntryLog();
    const store = await openRowStore({ directory: dir, bufferPoolBytes: 1 << 20 });
    store.apply(log.ddl({ kind: 'createTable', table: accounts }));
    store.apply(log.txn([log.insert(accountsId, [1, 'a', 1n, 'x'])]));
    await store.checkpoint();
    const old = store.registerSnapshot();
    store.apply(log.ddl({ kind: 'dropTable', tableId: accountsId }));
    expect(store.catalog().tableById(accountsId)).toBeUndefined();
    expect(await old.get(accountsId, pk(1))).toEqual([1, 'a', 1n, 'x']);
    expect((await collect(old.lookupIndex(ownerIndexId, equalRange(text, ['a'])))).length).toBe(1);
    old.release();
    const result = await store.checkpoint();
    // The table and its two indexes, each cleared as one key range.
    expect(result).toMatchObject({ keysDeleted: 0, objectsCleared: 3 });
    await store.close();
    const reopened = await openRowStore({ directory: dir, bufferPoolBytes: 1 << 20 });
    expect(reopened.catalog().tables()).toEqual([]);
    expect(reopened.stats().pendingMarkers).toBe(0);
    await reopened.close();
    const kv = await openRocksKvStore(dir);
    for (const id of [accountsId, emailIndexId, ownerIndexId]) {
      const iterator = kv.iterate(objectRange(id));
      expect(await iterator.next(), `object ${id}`).toBeUndefined();
      await iterator.close();
    }
    await kv.close();
  }));

  it('backfills an index created on a table whose rows are only in RocksDB', () => withTempDir(async (dir) => {
    const log = new EntryLog();
    const plain: TableDefinition = { ...accounts, uniqueConstraints: [], indexes: [] };
    const first = await openRowStore({ directory: dir, bufferPoolBytes: 1 << 20 });
    first.apply(log.ddl({ kind: 'createTable', table: plain }));
    first.apply(log.txn(Array.from({ length: 30 }, (_, k) => log.insert(accountsId, [k, `o${k % 4}`, 0n, null]))));
    await first.checkpoint();
    await first.close();
    const store = await openRowStore({ directory: dir, bufferPoolBytes: 1 << 20 });
    store.apply(log.ddl({ kind: 'alterTable', table: { ...plain, indexes: [accounts.indexes[1]!] } }));
    store.apply(log.txn([log.update(accountsId, [0, 'o0', 0n, null], [0, 'o1', 0n, null])]));
    await store.waitForIndex(ownerIndexId);
    const ids = async (owner: string): Promise<unknown[]> =>
      (await collect(store.lookupIndex(ownerIndexId, equalRange(text, [owner]), store.appliedIndex()))).map((r) => r.row[0]);
    expect(await ids('o0')).toEqual([4, 8, 12, 16, 20, 24, 28]);
    expect(await ids('o1')).toEqual([0, 1, 5, 9, 13, 17, 21, 25, 29]);
    await store.checkpoint();
    await store.close();
    const reopened = await openRowStore({ directory: dir, bufferPoolBytes: 1 << 20 });
    expect((await collect(reopened.lookupIndex(ownerIndexId, equalRange(text, ['o1']), reopened.appliedIndex()))).length).toBe(9);
    await reopened.close();
  }));

  it('serves rows a truncate hid to an older snapshot, when the key is inserted again after eviction', () => withTempDir(async (dir) => {
    const log = new EntryLog();
    const store = await openRowStore({ directory: dir, bufferPoolBytes: 2 * 1024 });
    store.apply(log.ddl({ kind: 'createTable', table: accounts }));
    const old = Array.from({ length: 40 }, (_, k): Row => [k, 'old', BigInt(k), null]);
    store.apply(log.txn(old.map((r) => log.insert(accountsId, r))));
    await store.checkpoint();
    expect(store.tryGetCached(accountsId, pk(1), store.appliedIndex())).toBeUndefined(); // evicted
    const before = store.registerSnapshot();
    store.apply(log.ddl({ kind: 'truncateTable', tableId: accountsId }));
    const fresh: Row = [1, 'new', 100n, null];
    store.apply(log.txn([log.insert(accountsId, fresh)]));
    const latest = store.appliedIndex();
    const check = async (): Promise<void> => {
      expect(await before.get(accountsId, pk(1))).toEqual(old[1]);
      expect((await collect(before.scan(accountsId))).map((r) => r.row)).toEqual(old);
      expect((await collect(store.scan(accountsId, fullRange, latest))).map((r) => r.row)).toEqual([fresh]);
      expect(await store.get(accountsId, pk(1), latest)).toEqual(fresh);
    };
    await check();
    await store.checkpoint(); // overwrites key 1 in RocksDB: the old row must stay reachable
    await check();
    before.release();
    await store.checkpoint();
    expect((await collect(store.scan(accountsId, fullRange, latest))).map((r) => r.row)).toEqual([fresh]);
    await store.close();
  }));

  it('keeps a running scan whole while a checkpoint and eviction run under it', () => withTempDir(async (dir) => {
    const budget = 2 * 1024;
    for (const reopenFirst of [false, true]) {
      const log = new EntryLog();
      const rowsIn = Array.from({ length: 600 }, (_, k): Row => [k, 'a', 0n, null]);
      let store = await openRowStore({ directory: `${dir}/${String(reopenFirst)}`, bufferPoolBytes: budget });
      store.apply(log.ddl({ kind: 'createTable', table: accounts }));
      store.apply(log.txn(rowsIn.map((r) => log.insert(accountsId, r))));
      if (reopenFirst) {
        await store.checkpoint();
        await store.close();
        store = await openRowStore({ directory: `${dir}/${String(reopenFirst)}`, bufferPoolBytes: budget });
      }
      const at = store.appliedIndex();
      const seen: Row[] = [];
      for await (const { row } of store.scan(accountsId, fullRange, at)) {
        seen.push(row);
        if (seen.length === 1) {
          store.apply(log.txn([log.update(accountsId, rowsIn[599] as Row, [599, 'b', 1n, null])]));
          await store.checkpoint();
        }
      }
      expect(seen).toEqual(rowsIn);
      expect(store.stats().cachedBytes).toBeLessThanOrEqual(budget);
      await store.close();
    }
  }));
});
