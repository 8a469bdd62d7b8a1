// The engine end to end: the real replicated log (memory WAL), the real row
// store (a temporary directory) and the real compiler. DDL, DML,
// transactions, a restart that replays the log, and concurrent transfers
// under every isolation level that must keep the total balance.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPrng } from '../log/raft/testing/prng.js';
import { decodeEntry } from '../materializers/index.js';
import type { EngineSession } from '../query/engine.js';
import { failsWith, openTestEngine, rows, run, runAll, tag, type TestEngine } from '../query/engine-impl/testing/harness.js';

let t: TestEngine;
beforeEach(async () => {
  t = await openTestEngine();
});
afterEach(async () => {
  expect(t.engine.snapshotCount()).toBe(0);
  await t.close();
});

describe('DDL and DML', () => {
  it('creates, fills, changes and drops a table', async () => {
    const s = t.session();
    expect(await tag(s, 'create table items (id serial primary key, name text not null, price numeric(10,2) default 0, tags text[])')).toBe('CREATE TABLE');
    expect(await tag(s, "insert into items (name, price) values ('apple', 1.5), ('pear', 2)")).toBe('INSERT 0 2');
    expect(await tag(s, "insert into items (name) values ('plum')")).toBe('INSERT 0 1');
    expect((await rows(s, 'select id, name, price::text from items order by id')).map((r) => [...r])).toEqual([
      [1, 'apple', '1.50'], [2, 'pear', '2.00'], [3, 'plum', '0.00'],
    ]);
    expect(await tag(s, "update items set price = price * 2 where name <> 'plum'")).toBe('UPDATE 2');
    expect(await tag(s, 'delete from items where id = 1')).toBe('DELETE 1');
    expect(await rows(s, 'select count(*) from items')).toEqual([[2n]]);
    expect(await failsWith(s, "insert into items (name) values (null)")).toMatchObject({ sqlState: '23502' });
    expect(await tag(s, 'drop table items')).toBe('DROP TABLE');
    expect(await failsWith(s, 'select * from items')).toMatchObject({ sqlState: '42P01' });
  });

  it('answers IF [NOT] EXISTS with notices', async () => {
    const s = t.session();
    await tag(s, 'create table t (a int)');
    expect(await tag(s, 'create table if not exists t (a int)')).toBe('CREATE TABLE');
    expect(s.takeNotices()).toEqual([{ severity: 'NOTICE', sqlState: '42P07', message: 'relation "t" already exists, skipping' }]);
    expect(await failsWith(s, 'create table t (b int)')).toMatchObject({ sqlState: '42P07', message: 'relation "t" already exists' });
    expect(await tag(s, 'drop table if exists nope, t')).toBe('DROP TABLE');
    expect(s.takeNotices()).toEqual([{ severity: 'NOTICE', sqlState: '00000', message: 'table "nope" does not exist, skipping' }]);
    expect(await failsWith(s, 'drop table t')).toMatchObject({ sqlState: '42P01', message: 'table "t" does not exist' });
  });

  it('accepts pgbench\'s schema and its ADD PRIMARY KEY after loading', async () => {
    const s = t.session();
    await runAll(s, 'drop table if exists pgbench_accounts, pgbench_branches, pgbench_history, pgbench_tellers');
    await tag(s, 'create table pgbench_branches(bid int not null,bbalance int,filler char(88)) with (fillfactor=100)');
    await runAll(s, 'begin; truncate table pgbench_branches; insert into pgbench_branches(bid,bbalance) values(1,0), (2,0); commit');
    expect(await tag(s, 'vacuum analyze pgbench_branches')).toBe('VACUUM');
    expect(await tag(s, 'alter table pgbench_branches add primary key (bid)')).toBe('ALTER TABLE');
    expect(await failsWith(s, 'insert into pgbench_branches(bid, bbalance) values (1, 5)')).toMatchObject({
      sqlState: '23505', message: 'duplicate key value violates unique constraint "pgbench_branches_pkey"', detail: 'Key (bid)=(1) already exists.',
    });
    expect(await tag(s, 'update pgbench_branches set bbalance = bbalance + 10 where bid = 2')).toBe('UPDATE 1');
    expect(await rows(s, 'select bid, bbalance from pgbench_branches order by bid')).toEqual([[1, 0], [2, 10]]);
  });

  it('ADD PRIMARY KEY refuses NULLs and duplicates in the rows already there', async () => {
    const s = t.session();
    await runAll(s, 'create table t (a int, b int); insert into t values (1, 1), (null, 2)');
    expect(await failsWith(s, 'alter table t add primary key (a)')).toMatchObject({ sqlState: '23502', message: 'column "a" of relation "t" contains null values' });
    await tag(s, 'update t set a = 1 where a is null');
    expect(await failsWith(s, 'alter table t add primary key (a)')).toMatchObject({
      sqlState: '23505', message: 'could not create unique index "t_pkey"', detail: 'Key (a)=(1) is duplicated.',
    });
    await tag(s, 'update t set a = 2 where b = 2');
    await tag(s, 'alter table t add primary key (a)');
    expect(await failsWith(s, 'alter table t add primary key (b)')).toMatchObject({ sqlState: '42P16' });
    expect(await rows(s, 'select b from t where a = 2')).toEqual([[2]]);
  });

  it('ALTER TABLE: columns, defaults, NOT NULL, unique, check, renames', async () => {
    const s = t.session();
    await tag(s, 'create table t (id int primary key, a int)');
    await tag(s, 'insert into t values (1, 10), (2, null)');
    await tag(s, "alter table t add column b text default 'x', add column c int");
    expect(await rows(s, 'select id, b, c from t order by id')).toEqual([[1, 'x', null], [2, 'x', null]]);
    expect(await failsWith(s, 'alter table t alter column a set not null')).toMatchObject({ sqlState: '23502', message: 'column "a" of relation "t" contains null values' });
    await tag(s, 'update t set a = 0 where a is null');
    await tag(s, 'alter table t alter column a set not null');
    expect(await failsWith(s, 'insert into t (id) values (3)')).toMatchObject({ sqlState: '23502' });
    expect(await failsWith(s, 'alter table t add constraint pos check (a > 5)')).toMatchObject({ sqlState: '23514' });
    await tag(s, 'alter table t add constraint nonneg check (a >= 0)');
    expect(await failsWith(s, 'insert into t values (3, -1)')).toMatchObject({ sqlState: '23514' });
    await tag(s, 'alter table t add unique (a)');
    expect(await failsWith(s, 'insert into t values (3, 10)')).toMatchObject({ sqlState: '23505', message: 'duplicate key value violates unique constraint "t_a_key"' });
    await tag(s, 'alter table t rename column a to amount');
    await tag(s, 'alter table t rename to t2');
    expect(await failsWith(s, 'insert into t2 values (3, -1)')).toMatchObject({ sqlState: '23514' });
    await tag(s, 'alter table t2 drop column c');
    expect(await rows(s, 'select * from t2 order by id')).toEqual([[1, 10, 'x'], [2, 0, 'x']]);
  });

  it('CREATE INDEX checks existing rows for a unique index', async () => {
    const s = t.session();
    await tag(s, 'create table t (id int primary key, e text)');
    await tag(s, "insert into t values (1, 'a'), (2, 'a'), (3, null), (4, null)");
    expect(await failsWith(s, 'create unique index t_e on t (e)')).toMatchObject({
      sqlState: '23505', message: 'could not create unique index "t_e"', detail: 'Key (e)=(a) is duplicated.',
    });
    await tag(s, "update t set e = 'b' where id = 2");
    expect(await tag(s, 'create unique index t_e on t (e)')).toBe('CREATE INDEX');
    expect(await rows(s, "select id from t where e = 'b'")).toEqual([[2]]);
    expect(await tag(s, 'drop index t_e')).toBe('DROP INDEX');
  });

  it('schemas and databases', async () => {
    const s = t.session();
    await tag(s, 'create schema app');
    await tag(s, 'create table app.t (a int)');
    await tag(s, "set search_path = app, public");
    await tag(s, 'insert into t values (1)');
    expect(await failsWith(s, 'drop schema app')).toMatchObject({ sqlState: '2BP01' });
    await tag(s, 'drop schema app cascade');
    expect(await tag(s, 'create database other')).toBe('CREATE DATABASE');
    expect(t.engine.databaseExists('other')).toBe(true);
    const o = t.session('tester', 'other');
    await tag(o, 'create table only_here (a int)');
    expect(await failsWith(s, 'select * from only_here')).toMatchObject({ sqlState: '42P01' });
    expect(await failsWith(s, 'drop database other')).toMatchObject({ sqlState: '55006' });
    o.close();
    expect(await tag(s, 'drop database other')).toBe('DROP DATABASE');
    expect(t.engine.databaseExists('other')).toBe(false);
  });
});

describe('the clock seam', () => {
  it('now() is the transaction start and the entry carries the commit time, both from the clock', async () => {
    await t.close();
    let micros = 1_000_000_000n;
    t = await openTestEngine({ clock: { nowMicros: () => (micros += 1000n) } });
    const s = t.session();
    await tag(s, 'create table t (ts timestamptz)');
    await tag(s, 'begin');
    const [[start]] = (await rows(s, 'select now()')) as [[bigint]];
    await tag(s, 'insert into t values (now())');
    expect(await rows(s, 'select ts from t')).toEqual([[start]]);
    const before = micros;
    await tag(s, 'commit');
    const last = t.wal.lastIndex();
    const [entry] = await t.wal.read(last, last + 1);
    const decoded = decodeEntry(entry?.data ?? new Uint8Array());
    expect(decoded.type === 'txn' ? decoded.txn.commitTsMicros : -1n).toBeGreaterThan(before);
    expect(decoded.type === 'txn' ? decoded.txn.sessionId : -1).toBeGreaterThan(0);
  });
});

describe('restart', () => {
  it('replays the log into a reopened row store: the same rows, the sequences continue', async () => {
    const s = t.session();
    await tag(s, 'create table t (id bigserial primary key, v text)');
    await tag(s, "insert into t (v) select 'v' || g from generate_series(1, 50) g");
    await tag(s, 'delete from t where id % 10 = 0');
    const before = await rows(s, 'select * from t order by id');
    await t.restart();
    const after = t.session();
    expect(await rows(after, 'select * from t order by id')).toEqual(before);
    expect(await rows(after, "insert into t (v) values ('next') returning id")).toEqual([[51n]]);
  });
});

const accounts = 10;
const initialBalance = 1000;

async function transfer(s: EngineSession, isolation: string, from: number, to: number, amount: number): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      await run(s, `begin isolation level ${isolation}`);
      if (isolation === 'serializable') await rows(s, `select balance from accounts where id = ${from}`);
      await run(s, `update accounts set balance = balance - ${amount} where id = ${from}`);
      await run(s, `update accounts set balance = balance + ${amount} where id = ${to}`);
      await run(s, 'commit');
      return attempt;
    } catch (error) {
      const state = (error as { sqlState?: string }).sqlState;
      await run(s, 'rollback');
      if (state !== '40001' && state !== '40P01') throw error;
    }
  }
}

describe('concurrent transfers', () => {
  for (const isolation of ['read committed', 'repeatable read', 'serializable']) {
    it(`50 sessions under ${isolation} keep the total balance`, async () => {
      const setup = t.session();
      await tag(setup, 'create table accounts (id int primary key, balance int not null)');
      await tag(setup, `insert into accounts select g, ${initialBalance} from generate_series(1, ${accounts}) g`);
      const prng = createPrng(0x5eed + isolation.length);
      const sessions = Array.from({ length: 50 }, () => t.session());
      const expected = Array.from({ length: accounts + 1 }, () => initialBalance);
      await Promise.all(sessions.map(async (s) => {
        for (let k = 0; k < 4; k++) {
          const from = 1 + prng.int(accounts);
          const to = 1 + ((from + prng.int(accounts - 1)) % accounts);
          const amount = 1 + prng.int(50);
          await transfer(s, isolation, from, to, amount);
          expected[from] = (expected[from] ?? 0) - amount;
          expected[to] = (expected[to] ?? 0) + amount;
        }
      }));
      expect(await rows(setup, 'select sum(balance) from accounts')).toEqual([[BigInt(accounts * initialBalance)]]);
      // Every committed transfer counted exactly once: no lost update under any level.
      expect(await rows(setup, 'select id, balance from accounts order by id')).toEqual(expected.slice(1).map((b, i) => [i + 1, b]));
      for (const s of sessions) expect(s.transactionState()).toBe('idle');
    });
  }
});
