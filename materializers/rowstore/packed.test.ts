// Clean single-version rows are kept packed (encoded) and decoded on read
// (state.ts, RowEntry.packed): every read path must answer as it did with
// decoded versions, at old snapshots too, and any change must unpack first.
import { describe, expect, it } from 'vitest';
import { encodeKey, equalRange, fullRange } from '../keys/index.js';
import type { Row, TableDefinition } from '../entries/index.js';
import { accounts, accountsId, collect, emailIndexId, EntryLog, withTempDir } from '../testing/fixtures.js';
import { openRowStore } from './row-store.js';

const pk = (id: number): Uint8Array => encodeKey([{ kind: 'int4' }], [id]);
const text: [{ kind: 'text' }] = [{ kind: 'text' }];
const rowOf = (k: number, round = 0): Row => [k, `owner${k % 3}`, BigInt(round), `u${k}-${round}@x`];

describe('row store: packed rows', () => {
  it('packs rows once a checkpoint wrote them, reads them back right, and unpacks them for a change older snapshots still see', () => withTempDir(async (dir) => {
    const log = new EntryLog();
    const store = await openRowStore({ directory: dir, bufferPoolBytes: 1 << 26 });
    store.apply(log.ddl({ kind: 'createTable', table: accounts }));
    const first = Array.from({ length: 100 }, (_, k) => rowOf(k));
    store.apply(log.txn(first.map((r) => log.insert(accountsId, r))));
    expect(store.stats().packedRows).toBe(0);
    await store.checkpoint();
    expect(store.stats().packedRows).toBe(100);
    const at = store.appliedIndex();
    expect(store.tryGetCached(accountsId, pk(7), at)).toEqual(first[7]);
    expect(await store.get(accountsId, pk(8), at)).toEqual(first[8]);
    expect((await collect(store.scan(accountsId, fullRange, at))).map((r) => r.row)).toEqual(first);
    expect((await collect(store.lookupIndex(emailIndexId, equalRange(text, ['u9-0@x']), at))).map((r) => r.row)).toEqual([first[9]]);
    expect(store.tryLookupIndexCached(emailIndexId, equalRange(text, ['u9-0@x']), at)?.map((r) => r.row)).toEqual([first[9]]);
    // Reads do not unpack.
    expect(store.stats().packedRows).toBe(100);

    const old = store.registerSnapshot();
    const updated = rowOf(7, 1);
    store.apply(log.txn([log.update(accountsId, first[7] as Row, updated), log.delete(accountsId, first[8] as Row)]));
    expect(store.stats().packedRows).toBe(98);
    const now = store.appliedIndex();
    expect(store.tryGetCached(accountsId, pk(7), now)).toEqual(updated);
    expect(store.tryGetCached(accountsId, pk(8), now)).toBeNull();
    expect(await old.get(accountsId, pk(7))).toEqual(first[7]);
    expect(old.tryGetCached(accountsId, pk(8))).toEqual(first[8]);
    // Written, but the old snapshot still needs the before-image: not packed yet.
    await store.checkpoint();
    expect(store.stats().packedRows).toBe(98);
    expect((await collect(old.scan(accountsId))).map((r) => r.row)).toEqual(first);
    old.release();
    // Released: the next collection prunes the chain to the written version and packs it.
    store.apply(log.txn([log.insert(accountsId, rowOf(500))]));
    expect(store.stats().packedRows).toBe(99);
    expect(store.tryGetCached(accountsId, pk(7), store.appliedIndex())).toEqual(updated);
    expect((await collect(store.lookupIndex(emailIndexId, equalRange(text, ['u7-1@x']), store.appliedIndex()))).map((r) => r.row)).toEqual([updated]);
    await store.close();
  }));

  it('keeps rows read from RocksDB packed, evicts them within the budget, and projects old layouts after ALTER', () => withTempDir(async (dir) => {
    const log = new EntryLog();
    const first = Array.from({ length: 300 }, (_, k) => rowOf(k));
    const store = await openRowStore({ directory: dir, bufferPoolBytes: 1 << 26 });
    store.apply(log.ddl({ kind: 'createTable', table: accounts }));
    store.apply(log.txn(first.map((r) => log.insert(accountsId, r))));
    await store.checkpoint();
    await store.close();

    const budget = 16 * 1024;
    const reopened = await openRowStore({ directory: dir, bufferPoolBytes: budget });
    const at = reopened.appliedIndex();
    expect(reopened.tryGetCached(accountsId, pk(5), at)).toBeUndefined();
    expect(await reopened.get(accountsId, pk(5), at)).toEqual(first[5]);
    expect(reopened.stats().packedRows).toBe(1);
    expect(reopened.tryGetCached(accountsId, pk(5), at)).toEqual(first[5]);
    for (let k = 0; k < 300; k++) expect(await reopened.get(accountsId, pk(k), at)).toEqual(first[k]);
    expect(reopened.stats().cachedBytes).toBeLessThanOrEqual(budget);
    expect(reopened.stats().evictions).toBeGreaterThan(0);
    expect(reopened.stats().packedRows).toBe(reopened.stats().rowEntries);

    const altered: TableDefinition = { ...accounts, columns: [...accounts.columns, { id: 5, name: 'flag', type: { kind: 'bool' }, notNull: false, missingValue: true }] };
    reopened.apply(log.ddl({ kind: 'alterTable', table: altered }));
    const cachedKey = (await collect(reopened.scan(accountsId, fullRange, reopened.appliedIndex()))).at(-1);
    expect(cachedKey?.row).toEqual([...(first[299] as Row), true]);
    expect(reopened.tryGetCached(accountsId, pk(299), reopened.appliedIndex())).toEqual([...(first[299] as Row), true]);
    // A packed row in the old layout, updated into the new one.
    reopened.apply(log.txn([log.update(accountsId, [...(first[299] as Row), true], [...rowOf(299, 2), false])]));
    expect(reopened.tryGetCached(accountsId, pk(299), reopened.appliedIndex())).toEqual([...rowOf(299, 2), false]);
    await reopened.close();
  }));

  it('drops packed rows a truncate hides, keeps those inserted after it, and old snapshots still read them', () => withTempDir(async (dir) => {
    const log = new EntryLog();
    const store = await openRowStore({ directory: dir, bufferPoolBytes: 1 << 26 });
    store.apply(log.ddl({ kind: 'createTable', table: accounts }));
    const first = Array.from({ length: 20 }, (_, k) => rowOf(k));
    store.apply(log.txn(first.map((r) => log.insert(accountsId, r))));
    await store.checkpoint();
    const old = store.registerSnapshot();
    store.apply(log.ddl({ kind: 'truncateTable', tableId: accountsId }));
    store.apply(log.txn([log.insert(accountsId, rowOf(3, 9))]));
    await store.checkpoint();
    expect((await collect(old.scan(accountsId))).map((r) => r.row)).toEqual(first);
    old.release();
    await store.checkpoint();
    expect(store.stats()).toMatchObject({ rowEntries: 1, packedRows: 1, pendingMarkers: 0 });
    expect((await collect(store.scan(accountsId, fullRange, store.appliedIndex()))).map((r) => r.row)).toEqual([rowOf(3, 9)]);
    await store.close();
  }));

  it('says a checkpoint is due once many rows wait, and not after one ran', () => withTempDir(async (dir) => {
    const log = new EntryLog();
    // 160 bytes of overhead per dirty row: due at 64 rows for a 20 KiB pool.
    const store = await openRowStore({ directory: dir, bufferPoolBytes: 20 * 1024 });
    store.apply(log.ddl({ kind: 'createTable', table: accounts }));
    store.apply(log.txn(Array.from({ length: 50 }, (_, k) => log.insert(accountsId, rowOf(k)))));
    expect(store.checkpointDue()).toBe(false);
    store.apply(log.txn(Array.from({ length: 50 }, (_, k) => log.insert(accountsId, rowOf(100 + k)))));
    expect(store.checkpointDue()).toBe(true);
    await store.checkpoint();
    expect(store.checkpointDue()).toBe(false);
    await store.close();
  }));
});
