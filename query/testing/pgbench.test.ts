// pgbench's statements, prepared the way `pgbench -M prepared` sends them:
// parameter types inferred from their columns, primary-key access through an
// index lookup, and the TPC-B transaction's effects.

import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { loadSqlParser } from '../parser/index.js';
import { SqlTypes } from '../types/sql-type.js';
import { TestDatabase } from './test-database.js';

const schema = `
  create table pgbench_history(tid int,bid int,aid int,delta int,mtime timestamp,filler char(22));
  create table pgbench_tellers(tid int not null primary key,bid int,tbalance int,filler char(84)) with (fillfactor=100);
  create table pgbench_accounts(aid int not null primary key,bid int,abalance int,filler char(84)) with (fillfactor=100);
  create table pgbench_branches(bid int not null primary key,bbalance int,filler char(88)) with (fillfactor=100);
`;

const tpcb = {
  updateAccount: 'UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2',
  selectAccount: 'SELECT abalance FROM pgbench_accounts WHERE aid = $1',
  updateTeller: 'UPDATE pgbench_tellers SET tbalance = tbalance + $1 WHERE tid = $2',
  updateBranch: 'UPDATE pgbench_branches SET bbalance = bbalance + $1 WHERE bid = $2',
  insertHistory: 'INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES ($1, $2, $3, $4, CURRENT_TIMESTAMP)',
};

let db: TestDatabase;

beforeAll(async () => {
  await loadSqlParser();
});

beforeEach(async () => {
  db = new TestDatabase();
  await db.run(schema);
  await db.run('insert into pgbench_branches(bid,bbalance) values(1,0)');
  await db.run('insert into pgbench_tellers(tid,bid,tbalance) select tid, (tid - 1) / 10 + 1, 0 from generate_series(1, 10) as tid');
  await db.run(`insert into pgbench_accounts(aid,bid,abalance,filler) select aid, (aid - 1) / 100000 + 1, 0, '' from generate_series(1, 1000) as aid`);
});

describe('pgbench -i', () => {
  test('loads the generated rows', async () => {
    expect(await db.query('select count(*) from pgbench_accounts')).toEqual([[1000n]]);
    expect(await db.query('select sum(tid), max(bid) from pgbench_tellers')).toEqual([[55n, 1]]);
    expect(await db.query(`select filler = '' , length(filler) from pgbench_accounts where aid = 7`)).toEqual([[true, 0]]);
  });
});

describe('TPC-B statements', () => {
  test('infer int4 parameters from the columns they meet', () => {
    const int4 = SqlTypes.int4;
    expect(db.compile(tpcb.updateAccount).parameterTypes).toEqual([int4, int4]);
    expect(db.compile(tpcb.selectAccount).parameterTypes).toEqual([int4]);
    expect(db.compile(tpcb.insertHistory).parameterTypes).toEqual([int4, int4, int4, int4]);
  });

  test('read and write by primary key through index lookups', async () => {
    for (const sql of [tpcb.updateAccount, tpcb.selectAccount, tpcb.updateTeller, tpcb.updateBranch]) {
      const plan = (await db.query(`EXPLAIN ${sql}`)).map((r) => r[0]).join('\n');
      expect(plan).toContain('Index Lookup using');
      expect(plan).not.toContain('Seq Scan');
    }
  });

  test('one transaction moves the balances and logs history', async () => {
    const runtime = (params: (number | bigint)[]): ReturnType<TestDatabase['runtime']> => db.runtime(params);
    const delta = -4242;
    const [aid, tid, bid] = [17, 3, 1];
    expect((await db.compile(tpcb.updateAccount).execute(runtime([delta, aid]))).kind === 'command').toBe(true);
    const selected = await db.compile(tpcb.selectAccount).execute(runtime([aid]));
    expect(selected).toMatchObject({ kind: 'rows', tag: 'SELECT 1', rows: [[delta]] });
    expect(await db.compile(tpcb.updateTeller).execute(runtime([delta, tid]))).toEqual({ kind: 'command', tag: 'UPDATE 1' });
    expect(await db.compile(tpcb.updateBranch).execute(runtime([delta, bid]))).toEqual({ kind: 'command', tag: 'UPDATE 1' });
    expect(await db.compile(tpcb.insertHistory).execute(runtime([tid, bid, aid, delta]))).toEqual({ kind: 'command', tag: 'INSERT 0 1' });
    expect(await db.query('select tid, bid, aid, delta, mtime is not null from pgbench_history')).toEqual([[tid, bid, aid, delta, true]]);
    expect(await db.query('select bbalance from pgbench_branches')).toEqual([[delta]]);
  });

  test('a compiled statement runs again with other parameters', async () => {
    const update = db.compile(tpcb.updateAccount);
    for (let i = 1; i <= 5; i++) await update.execute(db.runtime([i, i]));
    expect(await db.query('select aid, abalance from pgbench_accounts where aid <= 6 order by aid')).toEqual([[1, 1], [2, 2], [3, 3], [4, 4], [5, 5], [6, 0]]);
  });
});
