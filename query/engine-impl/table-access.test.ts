// The transaction machinery without the compiler: TableAccess driven
// directly, as hand-written compiled statements would drive it.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RowSnapshot } from '../../materializers/index.js';
import type { RowHandle, TableAccess, TableInfo } from '../contract.js';
import { defaultSession } from '../types/index.js';
import { catalogView } from './catalog-view.js';
import { commitWrites } from './commit.js';
import { EngineCore } from './engine-core.js';
import { StatementRestart } from './errors.js';
import type { IsolationLevel } from './settings.js';
import type { StatementScope } from './statement-scope.js';
import { TransactionTableAccess } from './table-access.js';
import { openTestEngine, runAll, silentLogger, type TestEngine } from './testing/harness.js';
import { Transaction } from './transaction.js';

let t: TestEngine;
let core: EngineCore;
const open: RowSnapshot[] = [];

beforeEach(async () => {
  t = await openTestEngine();
  await runAll(t.session(), "create table kv (k int primary key, v text, u text unique); insert into kv values (1, 'one', 'x1'), (2, 'two', 'x2')");
  core = new EngineCore({ log: t.log, rowStore: t.store, logger: silentLogger });
});
afterEach(async () => {
  for (const s of open.splice(0)) s.release();
  core.close();
  expect(core.snapshotCount()).toBe(0);
  await t.close();
});

function begin(isolation: IsolationLevel = 'read committed'): Transaction {
  return new Transaction(core, { sessionId: 1, explicit: true, isolation, readOnly: false });
}

/** The next statement of `txn`: its access and the table as the current catalog has it. */
function statement(txn: Transaction): { access: TableAccess; kv: TableInfo } {
  txn.command++;
  const snapshot = txn.usesTransactionSnapshot() ? txn.transactionSnapshot() : core.openSnapshot();
  if (!txn.usesTransactionSnapshot()) open.push(snapshot);
  const scope: StatementScope = { core, txn, command: txn.command, snapshot, typeSession: defaultSession, checkCancelled: () => undefined };
  const kv = catalogView(core.catalog(), 'thunderdb').lookupTable(null, 'kv', ['public']);
  if (kv === undefined) throw new Error('no table kv');
  return { access: new TransactionTableAccess(scope), kv };
}

async function scan(txn: Transaction): Promise<RowHandle['row'][]> {
  const { access, kv } = statement(txn);
  const out: RowHandle['row'][] = [];
  for await (const batch of access.scan(kv)) for (const h of batch) out.push(h.row);
  return out;
}

async function commit(txn: Transaction): Promise<void> {
  try {
    await commitWrites(core, txn);
  } finally {
    txn.end();
  }
}

describe('TransactionTableAccess', () => {
  it('buffers writes visible to later statements of the transaction only', async () => {
    const a = begin();
    const { access, kv } = statement(a);
    await access.insert(kv, [3, 'three', null]);
    const [two] = await access.lookup(kv, kv.primaryKey as NonNullable<TableInfo['primaryKey']>, [2]);
    await access.delete(kv, two as RowHandle);
    expect(await scan(a)).toEqual([[1, 'one', 'x1'], [3, 'three', null]]);
    expect(await scan(begin())).toEqual([[1, 'one', 'x1'], [2, 'two', 'x2']]);
    await commit(a);
    expect(await scan(begin())).toEqual([[1, 'one', 'x1'], [3, 'three', null]]);
  });

  it('a statement does not see its own writes (no Halloween problem)', async () => {
    const a = begin();
    const { access, kv } = statement(a);
    for await (const batch of access.scan(kv)) {
      for (const h of batch) await access.insert(kv, [(h.row[0] as number) + 10, 'copy', null]);
    }
    expect((await scan(a)).map((r) => r[0])).toEqual([1, 2, 11, 12]);
    a.end();
  });

  it('two inserts of one key: the second waits, then fails once the first commits', async () => {
    const a = begin();
    const b = begin();
    const sa = statement(a);
    await sa.access.insert(sa.kv, [5, 'a', null]);
    const sb = statement(b);
    const second = sb.access.insert(sb.kv, [5, 'b', null]);
    let settled = false;
    void second.catch(() => undefined).finally(() => {
      settled = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(settled).toBe(false);
    await commit(a);
    await expect(second).rejects.toMatchObject({ sqlState: '23505', detail: 'Key (k)=(5) already exists.' });
    b.end();
  });

  it('unique secondary values are checked against committed rows and own writes', async () => {
    const a = begin();
    const { access, kv } = statement(a);
    await expect(access.insert(kv, [9, 'dup', 'x1'])).rejects.toMatchObject({ sqlState: '23505', message: 'duplicate key value violates unique constraint "kv_u_key"' });
    await access.insert(kv, [10, 'ok', 'y']);
    await expect(access.insert(kv, [11, 'dup', 'y'])).rejects.toMatchObject({ sqlState: '23505' });
    const [one] = await access.lookup(kv, kv.primaryKey as NonNullable<TableInfo['primaryKey']>, [1]);
    await access.update(kv, one as RowHandle, [1, 'one', 'z']);
    await access.insert(kv, [12, 'takes x1', 'x1']);
    a.end();
  });

  it('REPEATABLE READ: writing a row changed after the snapshot is 40001', async () => {
    const a = begin('repeatable read');
    const sa = statement(a);
    const [row] = await sa.access.lookup(sa.kv, sa.kv.primaryKey as NonNullable<TableInfo['primaryKey']>, [1]);
    await runAll(t.session(), "update kv set v = 'other' where k = 1");
    await expect(sa.access.update(sa.kv, row as RowHandle, [1, 'mine', 'x1'])).rejects.toMatchObject({ sqlState: '40001' });
    a.end();
  });

  it('READ COMMITTED: the same situation restarts the statement instead', async () => {
    const a = begin();
    const sa = statement(a);
    const [row] = await sa.access.lookup(sa.kv, sa.kv.primaryKey as NonNullable<TableInfo['primaryKey']>, [1]);
    await runAll(t.session(), "update kv set v = 'other' where k = 1");
    await expect(sa.access.update(sa.kv, row as RowHandle, [1, 'mine', 'x1'])).rejects.toBeInstanceOf(StatementRestart);
    a.end();
  });

  it('savepoint marks undo writes', async () => {
    const a = begin();
    const s1 = statement(a);
    await s1.access.insert(s1.kv, [20, 'kept', null]);
    const mark = a.writes.mark();
    const s2 = statement(a);
    await s2.access.insert(s2.kv, [21, 'undone', null]);
    a.writes.rollbackTo(mark);
    expect((await scan(a)).map((r) => r[0])).toEqual([1, 2, 20]);
    await commit(a);
    expect((await scan(begin())).map((r) => r[0])).toEqual([1, 2, 20]);
  });

  it('identity values are not transactional, and commits record the high-water mark', async () => {
    await runAll(t.session(), 'create table ids (id bigserial primary key)');
    const ids = catalogView(core.catalog(), 'thunderdb').lookupTable(null, 'ids', ['public']) as TableInfo;
    const column = ids.columns[0] as TableInfo['columns'][number];
    const a = begin();
    const sa = statement(a);
    expect(sa.access.nextIdentity(ids, column)).toBe(1n);
    a.end(); // rolled back: 1 is skipped
    const b = begin();
    const sb = statement(b);
    const id = sb.access.nextIdentity(ids, column);
    await sb.access.insert(ids, [id]);
    await commit(b);
    expect(id).toBe(2n);
    const sequenceId = core.catalog().tableById(ids.id)?.columns[0]?.sequenceId ?? -1;
    expect(t.store.sequenceValue(sequenceId)).toBe(2n);
  });
});
