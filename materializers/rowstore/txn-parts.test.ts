// Multi-part transactions in the row store: applied atomically at the last
// part, never checkpointed half-way, dropped when a leader gives up, and the
// same state whether applied live, after a restart or rebuilt from the log.

import { rm } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { Decimal, type Row, type SequenceDef, type TxnEffect } from '../entries/index.js';
import { encodeDdlEntry, encodeTxnAbortEntry, encodeTxnEntry } from '../entries/index.js';
import { applyDdl, primaryKeyOf } from '../catalog/index.js';
import { encodeKey, equalRange, fullRange } from '../keys/index.js';
import { EntryKind } from '../../log/index.js';
import { accounts, accountsId, collect, emailIndexId, EntryLog, withTempDir } from '../testing/fixtures.js';
import { openRowStore, type RowStore } from './row-store.js';

const pool = 1 << 26;
const seqId = 16390;
const sequence: SequenceDef = {
  id: seqId, databaseName: 'thunderdb', schemaName: 'public', name: 's', dataType: 'int8', start: 1n, increment: 1n, min: 1n, max: 1n << 40n,
  cycle: false, ownedBy: null,
};
const text: [{ kind: 'text' }] = [{ kind: 'text' }];
const pk = (id: number): Uint8Array => encodeKey([{ kind: 'int4' }], [id]);

function row(id: number): Row {
  return [id, `o${id % 3}`, BigInt(id), `e${id}@x`];
}

/** `parts` chunks of `perPart` inserts, ids from `from`. */
function insertChunks(log: EntryLog, from: number, parts: number, perPart: number): TxnEffect[][] {
  return Array.from({ length: parts }, (_, p) => Array.from({ length: perPart }, (_, k) => log.insert(accountsId, row(from + p * perPart + k))));
}

async function ids(store: RowStore, readIndex = store.appliedIndex()): Promise<number[]> {
  return (await collect(store.scan(accountsId, fullRange, readIndex))).map((r) => r.row[0] as number);
}

function setup(log: EntryLog): void {
  log.ddl({ kind: 'createTable', table: accounts }, { kind: 'createSequence', sequence });
  log.txn([log.insert(accountsId, row(0))]);
}

function applyRange(store: RowStore, log: EntryLog, from = store.appliedIndex() + 1, to = log.lastIndex): void {
  for (const entry of log.entries.slice(from - 1, to)) store.apply(entry);
}

describe('row store: multi-part transactions', () => {
  it('applies all parts at the last one: no reader sees a prefix', () => withTempDir(async (dir) => {
    const log = new EntryLog();
    setup(log);
    const parts = log.txnParts(insertChunks(log, 1, 3, 10), [{ sequenceId: seqId, value: 30n }]);
    const store = await openRowStore({ directory: dir, bufferPoolBytes: pool });
    applyRange(store, log, 1, 2);
    const before = store.registerSnapshot();
    store.apply(parts[0]!);
    store.apply(parts[1]!);
    expect(store.appliedIndex()).toBe(parts[1]!.index);
    expect(await ids(store)).toEqual([0]);
    expect(store.sequenceValue(seqId)).toBeUndefined();
    expect(store.stats().pendingTxnParts).toBe(2);
    const mid = store.registerSnapshot();
    store.apply(parts[2]!);
    expect(await ids(store)).toEqual(Array.from({ length: 31 }, (_, i) => i));
    expect(store.sequenceValue(seqId)).toBe(30n);
    expect(store.stats().pendingTxnParts).toBe(0);
    // Snapshots taken before the last part (even between parts) never see the transaction.
    expect(await ids(store, before.readIndex)).toEqual([0]);
    expect(await collect(mid.scan(accountsId))).toHaveLength(1);
    expect((await collect(store.lookupIndex(emailIndexId, equalRange(text, ['e25@x']), store.appliedIndex()))).map((r) => r.row)).toEqual([row(25)]);
    before.release();
    mid.release();
    await store.close();
  }));

  it('updates and deletes across parts of one transaction fold like one entry', () => withTempDir(async (dir) => {
    const log = new EntryLog();
    setup(log);
    const updated: Row = [0, 'changed', 7n, 'z@x'];
    log.txnParts([[log.insert(accountsId, row(1))], [log.update(accountsId, row(0), updated), log.update(accountsId, row(1), row(1))], [log.delete(accountsId, row(1))]]);
    const store = await openRowStore({ directory: dir, bufferPoolBytes: pool });
    applyRange(store, log);
    expect((await collect(store.scan(accountsId, fullRange, store.appliedIndex()))).map((r) => r.row)).toEqual([updated]);
    expect(await store.get(accountsId, pk(1), store.appliedIndex())).toBeNull();
    await store.close();
  }));

  it('defers a checkpoint between parts; a restart replays the parts and completes the transaction', () => withTempDir(async (dir) => {
    const log = new EntryLog();
    setup(log);
    const parts = log.txnParts(insertChunks(log, 1, 3, 5));
    const store = await openRowStore({ directory: dir, bufferPoolBytes: pool });
    applyRange(store, log, 1, 2);
    expect((await store.checkpoint()).appliedIndex).toBe(2);
    store.apply(parts[0]!);
    store.apply(parts[1]!);
    const deferred = await store.checkpoint();
    expect(deferred).toMatchObject({ deferred: true, appliedIndex: 2, rowsWritten: 0 });
    expect(store.checkpointIndex()).toBe(2);
    await store.close(); // a crash here: the last part commits but the store did not apply it

    const reopened = await openRowStore({ directory: dir, bufferPoolBytes: pool });
    expect(reopened.appliedIndex()).toBe(2);
    applyRange(reopened, log);
    expect(await ids(reopened)).toHaveLength(16);
    const result = await reopened.checkpoint();
    expect(result).toMatchObject({ deferred: false, appliedIndex: log.lastIndex });
    await reopened.close();
    const again = await openRowStore({ directory: dir, bufferPoolBytes: pool });
    expect(await ids(again)).toHaveLength(16);
    await again.close();
  }));

  it('drops a prefix whose last part never came (crash, new leader): never applied, nothing blocked', () => withTempDir(async (dir) => {
    const log = new EntryLog();
    setup(log);
    log.txnParts(insertChunks(log, 1, 4, 5), [{ sequenceId: seqId, value: 99n }], false);
    const store = await openRowStore({ directory: dir, bufferPoolBytes: pool });
    applyRange(store, log, 1, 2);
    await store.checkpoint();
    applyRange(store, log);
    expect((await store.checkpoint()).deferred).toBe(true);
    await store.close(); // crash with three of four parts committed

    // The restarted node leads a new term: its first entry is an empty one.
    log.term = 2;
    log.empty();
    log.txn([log.insert(accountsId, row(100))]);
    const reopened = await openRowStore({ directory: dir, bufferPoolBytes: pool });
    expect(reopened.appliedIndex()).toBe(2);
    applyRange(reopened, log);
    expect(await ids(reopened)).toEqual([0, 100]);
    expect(reopened.sequenceValue(seqId)).toBeUndefined();
    expect(reopened.stats()).toMatchObject({ pendingTxnParts: 0, droppedTxns: 1 });
    expect((await reopened.checkpoint()).deferred).toBe(false);
    await reopened.close();
  }));

  it('drops parts at an abort marker or any other entry; a later part of them is ignored', () => withTempDir(async (dir) => {
    const log = new EntryLog();
    setup(log);
    const chunks = insertChunks(log, 1, 2, 3);
    const aborted = log.txnParts(chunks, [], false);
    log.entries.push({ index: log.lastIndex + 1, term: 1, kind: EntryKind.Normal, data: encodeTxnAbortEntry(2n) });
    log.txnParts(insertChunks(log, 50, 2, 3));
    const store = await openRowStore({ directory: dir, bufferPoolBytes: pool });
    applyRange(store, log);
    expect(aborted).toHaveLength(1);
    expect(await ids(store)).toEqual([0, 50, 51, 52, 53, 54, 55]);
    expect(store.stats().droppedTxns).toBe(1);
    await store.close();
  }));

  it('rebuilding from the log gives the same state as applying live with checkpoints', () => withTempDir(async (dir) => {
    const log = new EntryLog();
    setup(log);
    log.txnParts(insertChunks(log, 1, 3, 4), [{ sequenceId: seqId, value: 12n }]);
    log.txnParts(insertChunks(log, 20, 3, 4), [], false);
    log.txn([log.update(accountsId, row(1), [1, 'x', 0n, null])]);
    log.txnParts([[log.delete(accountsId, row(2))], [log.insert(accountsId, row(40))]], [{ sequenceId: seqId, value: 40n }]);

    const live = await openRowStore({ directory: `${dir}/live`, bufferPoolBytes: pool });
    for (const entry of log.entries) {
      live.apply(entry);
      await live.checkpoint();
    }
    const expected = { rows: await collect(live.scan(accountsId, fullRange, live.appliedIndex())), seq: live.sequenceValue(seqId) };
    await live.close();
    const reopened = await openRowStore({ directory: `${dir}/live`, bufferPoolBytes: pool });
    expect({ rows: await collect(reopened.scan(accountsId, fullRange, reopened.appliedIndex())), seq: reopened.sequenceValue(seqId) }).toEqual(expected);
    await reopened.close();

    await rm(`${dir}/rebuilt`, { recursive: true, force: true });
    const rebuilt = await openRowStore({ directory: `${dir}/rebuilt`, bufferPoolBytes: pool });
    applyRange(rebuilt, log);
    expect({ rows: await collect(rebuilt.scan(accountsId, fullRange, rebuilt.appliedIndex())), seq: rebuilt.sequenceValue(seqId) }).toEqual(expected);
    expect(expected.seq).toBe(40n);
    expect(expected.rows.map((r) => r.row[0])).toEqual([0, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 40]);
    await rebuilt.close();
  }));

  it('a DDL part and the rows written in its layouts apply together; an unfinished one leaves no table', () => withTempDir(async (dir) => {
    const log = new EntryLog();
    setup(log);
    const other = { ...accounts, id: 16500, name: 'other', uniqueConstraints: [], indexes: [{ id: 16501, name: 'other_owner', columnIds: [2], unique: false }] };
    const compound = (txnId: bigint, complete: boolean): void => {
      const ddl = { changes: [{ kind: 'createTable' as const, table: other }] };
      const catalog = applyDdl(log.catalog, ddl);
      const def = catalog.tableById(other.id)!;
      const part = (data: Uint8Array): void => {
        log.entries.push({ index: log.lastIndex + 1, term: log.term, kind: EntryKind.Normal, data });
      };
      part(encodeDdlEntry(ddl, { txnId, number: 0, continues: true }));
      const effects = [1, 2, 3].map((id) => ({ tableId: other.id, op: 'insert' as const, key: primaryKeyOf(def, row(id)), after: row(id) }));
      const txn = { txnId, sessionId: 1, commitTsMicros: 1n, effects, sequences: [] };
      if (complete) {
        part(encodeTxnEntry(txn, () => def.layout, { number: 1, continues: false }));
        log.catalog = catalog;
      }
    };
    compound(50n, false);
    log.txn([log.insert(accountsId, row(9))]);
    compound(51n, true);
    const store = await openRowStore({ directory: dir, bufferPoolBytes: pool });
    applyRange(store, log, 1, 3);
    expect(store.catalog().tableById(other.id)).toBeUndefined();
    applyRange(store, log, 4, log.lastIndex - 1);
    expect(store.catalog().tableById(other.id)).toBeUndefined();
    expect((await store.checkpoint()).deferred).toBe(true);
    const before = store.registerSnapshot();
    applyRange(store, log);
    expect(store.catalog().tableById(other.id)?.name).toBe('other');
    expect(before.catalog.tableById(other.id)).toBeUndefined();
    expect(store.catalogAt(before.readIndex).tableById(other.id)).toBeUndefined();
    before.release();
    expect((await collect(store.scan(other.id, fullRange, store.appliedIndex()))).map((r) => r.row[0])).toEqual([1, 2, 3]);
    expect((await collect(store.lookupIndex(16501, equalRange(text, ['o1']), store.appliedIndex()))).map((r) => r.row[0])).toEqual([1]);
    await store.checkpoint();
    await store.close();
    const reopened = await openRowStore({ directory: dir, bufferPoolBytes: pool });
    expect((await collect(reopened.scan(other.id, fullRange, reopened.appliedIndex()))).map((r) => r.row[0])).toEqual([1, 2, 3]);
    await reopened.close();
  }));

  it('keeps inserts into a table without secondary indexes undecoded, and reads and checkpoints them exactly', () => withTempDir(async (dir) => {
    const plainId = 16395;
    const plain = {
      ...accounts, id: plainId, name: 'plain', uniqueConstraints: [], indexes: [],
      columns: [...accounts.columns, { id: 5, name: 'amount', type: { kind: 'numeric' as const, precision: 15, scale: 2 }, notNull: false }],
    };
    const log = new EntryLog();
    log.ddl({ kind: 'createTable', table: plain });
    const plainRow = (id: number): Row => [id, `o${id}`, BigInt(id) * 2n ** 40n, id % 2 === 0 ? null : `é${id}`, Decimal.of(BigInt(id) * 1001n - 5n, 2)];
    const parts = log.txnParts(Array.from({ length: 3 }, (_, p) => Array.from({ length: 4 }, (_, k) => log.insert(plainId, plainRow(p * 4 + k)))));
    const store = await openRowStore({ directory: dir, bufferPoolBytes: pool });
    applyRange(store, log);
    const read = async (s: RowStore): Promise<Row[]> => (await collect(s.scan(plainId, fullRange, s.appliedIndex()))).map((r) => r.row);
    const expected = Array.from({ length: 12 }, (_, i) => plainRow(i));
    expect(await read(store)).toEqual(expected);
    expect(parts).toHaveLength(3);
    await store.checkpoint();
    await store.close();
    const reopened = await openRowStore({ directory: dir, bufferPoolBytes: pool });
    expect(await read(reopened)).toEqual(expected);
    await reopened.close();
  }));
});
