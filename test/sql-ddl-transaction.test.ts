// DDL in a transaction block, through the engine, the real replicated log
// (in-memory WAL) and the row store: private until COMMIT, undone by
// ROLLBACK and ROLLBACK TO SAVEPOINT, committed atomically with the rows,
// holding its locks to the end; what is not covered refuses with 0A000.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeEntry } from '../materializers/index.js';
import { copyIn, failsWith, openTestEngine, rows, runAll, tag, type TestEngine } from '../query/engine-impl/testing/harness.js';

let t: TestEngine;
beforeEach(async () => {
  t = await openTestEngine({ txnEntryBytesMax: 16 * 1024 });
});
afterEach(async () => {
  await t.close();
});

describe('DDL in a transaction block', () => {
  it('CREATE TABLE and its rows are private until COMMIT, and ROLLBACK leaves nothing', async () => {
    const s = t.session();
    const other = t.session();
    await runAll(s, 'begin; create table t (id serial primary key, v text)');
    expect(await tag(s, "insert into t (v) values ('a'), ('b')")).toBe('INSERT 0 2');
    expect(await rows(s, 'select id, v from t order by id')).toEqual([[1, 'a'], [2, 'b']]);
    expect(await failsWith(other, 'select * from t')).toMatchObject({ sqlState: '42P01' });
    await tag(s, 'rollback');
    expect(await failsWith(s, 'select * from t')).toMatchObject({ sqlState: '42P01' });
    // The name, the ids and the sequence are free again: a new t starts its serial at 1.
    await tag(s, 'create table t (id serial primary key, w int)');
    expect(await rows(s, 'insert into t (w) values (7) returning id, w')).toEqual([[1, 7]]);
  });

  it('COMMIT applies the DDL and the rows atomically; they survive a restart', async () => {
    const s = t.session();
    const before = t.log.status().lastIndex;
    await runAll(s, 'begin; create table t (id serial primary key, v text); create index t_v on t (v)');
    await tag(s, "insert into t (v) select 'v' || g from generate_series(1, 50) g");
    await tag(s, 'commit');
    const entries = await t.wal.read(before + 1, t.log.status().lastIndex + 1);
    const types = entries.map((e) => decodeEntry(e.data).type);
    expect(types).toEqual(['ddlPart', 'ddlPart', 'txnPart']);
    const other = t.session();
    expect(await rows(other, "select id from t where v = 'v7'")).toEqual([[7]]);
    expect(await rows(other, 'select count(*) from t')).toEqual([[50n]]);
    await t.restart();
    const after = t.session();
    expect(await rows(after, "select id from t where v = 'v42'")).toEqual([[42]]);
    expect(await rows(after, "insert into t (v) values ('next') returning id")).toEqual([[51]]);
  });

  it('a large COPY into a table created in the block commits as DDL plus many parts', async () => {
    const s = t.session();
    await runAll(s, 'begin; create table big (id int primary key, pad text)');
    const data = Array.from({ length: 3000 }, (_, i) => `${i}\t${'x'.repeat(40)}\n`).join('');
    expect(await copyIn(s, 'copy big from stdin', data, 65536)).toBe('COPY 3000');
    await tag(s, 'commit');
    expect(await rows(t.session(), 'select count(*), max(id) from big')).toEqual([[3000n, 2999]]);
    await t.restart();
    expect(await rows(t.session(), 'select count(*) from big')).toEqual([[3000n]]);
  });

  it('DROP TABLE in a block: others still see the table until COMMIT; ROLLBACK keeps it', async () => {
    const s = t.session();
    const other = t.session();
    await runAll(s, "create table x (id int primary key); insert into x values (1), (2)");
    await runAll(s, 'begin; drop table x');
    expect(await failsWith(s, 'select * from x')).toMatchObject({ sqlState: '42P01' });
    expect(await rows(other, 'select count(*) from x')).toEqual([[2n]]);
    await tag(s, 'rollback');
    expect(await rows(s, 'select count(*) from x')).toEqual([[2n]]);
    await runAll(s, 'begin; drop table x; commit');
    expect(await failsWith(other, 'select * from x')).toMatchObject({ sqlState: '42P01' });
  });

  it('ROLLBACK TO SAVEPOINT undoes the DDL after the savepoint', async () => {
    const s = t.session();
    await runAll(s, "begin; create table a (id int); savepoint sp; create table b (id int); insert into b values (1)");
    expect(await rows(s, 'select count(*) from b')).toEqual([[1n]]);
    await tag(s, 'rollback to savepoint sp');
    await runAll(s, 'savepoint probe');
    expect(await failsWith(s, 'select * from b')).toMatchObject({ sqlState: '42P01' });
    await runAll(s, 'rollback to savepoint probe; insert into a values (5); commit');
    const other = t.session();
    expect(await rows(other, 'select id from a')).toEqual([[5]]);
    expect(await failsWith(other, 'select * from b')).toMatchObject({ sqlState: '42P01' });
  });

  it('holds the DDL lock until the transaction ends: other DDL waits', async () => {
    const s = t.session();
    await runAll(s, 'begin; create table a (id int)');
    let done = false;
    const waiting = tag(t.session(), 'create table b (id int)').then((r) => {
      done = true;
      return r;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(done).toBe(false);
    await tag(s, 'commit');
    expect(await waiting).toBe('CREATE TABLE');
  });

  it('TRUNCATE in a block (pgbench -i: BEGIN; TRUNCATE; COPY; COMMIT) is private until COMMIT and undone by ROLLBACK', async () => {
    const s = t.session();
    const other = t.session();
    await runAll(s, 'create table acc (id int primary key, v int); insert into acc select g, g from generate_series(1, 20) g');
    await runAll(s, 'begin; truncate acc');
    expect(await rows(s, 'select count(*) from acc')).toEqual([[0n]]);
    expect(await copyIn(s, 'copy acc from stdin', '1\t100\n2\t200\n')).toBe('COPY 2');
    expect(await rows(other, 'select count(*) from acc')).toEqual([[20n]]);
    await tag(s, 'rollback');
    expect(await rows(s, 'select count(*) from acc')).toEqual([[20n]]);
    await runAll(s, 'begin; truncate acc');
    expect(await copyIn(s, 'copy acc from stdin', '1\t100\n2\t200\n')).toBe('COPY 2');
    await tag(s, 'commit');
    expect(await rows(other, 'select id, v from acc order by id')).toEqual([[1, 100], [2, 200]]);
  });

  it('ALTER TABLE ADD/DROP COLUMN on a table created in the block', async () => {
    const s = t.session();
    await runAll(s, 'begin; create table n (id int primary key, old text); alter table n add column v text, drop column old');
    await tag(s, "insert into n values (1, 'a')");
    expect(await rows(s, 'select * from n')).toEqual([[1, 'a']]);
    await tag(s, 'commit');
    expect(await rows(t.session(), 'select * from n')).toEqual([[1, 'a']]);
    await runAll(s, 'begin; create table m (id int)');
    expect(await failsWith(s, 'alter table m add primary key (id)')).toMatchObject({ sqlState: '0A000' });
    await tag(s, 'rollback');
    expect(await failsWith(s, 'select * from m')).toMatchObject({ sqlState: '42P01' });
  });

  it('refuses, with 0A000, the DDL a block cannot make transactional yet', async () => {
    const s = t.session();
    await runAll(s, 'create table x (id int primary key, v int); create table nokey (id int)');
    for (const sql of ['alter table nokey add primary key (id)', 'truncate x restart identity']) {
      await tag(s, 'begin');
      expect(await failsWith(s, sql), sql).toMatchObject({ sqlState: '0A000' });
      await tag(s, 'rollback');
    }
    await tag(s, 'begin read only');
    expect(await failsWith(s, 'create table y (id int)')).toMatchObject({ sqlState: '25006' });
    await tag(s, 'rollback');
    // Outside a block they run as before.
    expect(await tag(s, 'truncate x')).toBe('TRUNCATE TABLE');
  });
});
