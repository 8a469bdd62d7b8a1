// ALTER TABLE, CREATE INDEX and DROP INDEX on a table that existed before the
// transaction block: the block reads committed rows through its private
// definition (projection.ts), others see nothing until COMMIT, ROLLBACK
// leaves the old definition and rows, and a restart keeps what committed.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyIn, failsWith, openTestEngine, rows, runAll, tag, type TestEngine } from '../testing/harness.js';

let t: TestEngine;
beforeEach(async () => {
  t = await openTestEngine();
});
afterEach(async () => {
  await t.close();
});

async function columns(t: TestEngine, table: string): Promise<string[]> {
  const result = await rows(t.session(), `select column_name from information_schema.columns where table_name = '${table}' order by ordinal_position`);
  return result.map((r) => String(r[0]));
}

const seed = "create table u (id int primary key, name text, age int); insert into u values (1, 'ada', 36), (2, 'grace', 45), (3, null, 20)";

describe('ALTER TABLE on an existing table in a transaction block', () => {
  it('ADD COLUMN (with and without default), RENAME COLUMN, DROP COLUMN: private until COMMIT, durable after', async () => {
    const s = t.session();
    const other = t.session();
    await runAll(s, seed);
    await runAll(s, 'begin; alter table u add column score int not null default 7; alter table u add column nick text');
    await runAll(s, 'alter table u rename column name to full_name; alter table u drop column age');
    expect(await rows(s, 'select * from u order by id')).toEqual([[1, 'ada', 7, null], [2, 'grace', 7, null], [3, null, 7, null]]);
    // Point, range and filtered reads of committed rows in the new shape.
    expect(await rows(s, 'select full_name, score from u where id = 2')).toEqual([['grace', 7]]);
    expect(await rows(s, 'select id from u where id > 1 and score = 7 order by id')).toEqual([[2], [3]]);
    // Writes over committed rows: updates (before-images projected), deletes, inserts.
    expect(await tag(s, "update u set nick = 'g', score = score + 1 where id = 2")).toBe('UPDATE 1');
    expect(await tag(s, 'delete from u where id = 3')).toBe('DELETE 1');
    expect(await tag(s, "insert into u (id, full_name) values (4, 'linus')")).toBe('INSERT 0 1');
    expect(await failsWith(s, "insert into u (id, full_name) values (1, 'dup')")).toMatchObject({ sqlState: '23505' });
    await runAll(s, 'rollback; begin');
    // The failed statement aborted the block: do it again, cleanly.
    await runAll(s, 'alter table u add column score int not null default 7; alter table u add column nick text');
    await runAll(s, 'alter table u rename column name to full_name; alter table u drop column age');
    await tag(s, "update u set nick = 'g', score = score + 1 where id = 2");
    await tag(s, 'delete from u where id = 3');
    await tag(s, "insert into u (id, full_name) values (4, 'linus')");
    // Another session sees the old definition and rows until COMMIT.
    expect(await rows(other, 'select * from u order by id')).toEqual([[1, 'ada', 36], [2, 'grace', 45], [3, null, 20]]);
    await tag(s, 'commit');
    const expected = [[1, 'ada', 7, null], [2, 'grace', 8, 'g'], [4, 'linus', 7, null]];
    expect(await rows(other, 'select * from u order by id')).toEqual(expected);
    expect(await columns(t, 'u')).toEqual(['id', 'full_name', 'score', 'nick']);
    await t.restart();
    expect(await rows(t.session(), 'select * from u order by id')).toEqual(expected);
  });

  it('ROLLBACK leaves the old definition and rows intact', async () => {
    const s = t.session();
    await runAll(s, seed);
    await runAll(s, "begin; alter table u add column extra text default 'x'; alter table u rename to people");
    await runAll(s, "alter table people drop column name; alter table people alter column age set default 1; update people set extra = 'y' where id = 1");
    expect(await rows(s, 'select * from people order by id')).toEqual([[1, 36, 'y'], [2, 45, 'x'], [3, 20, 'x']]);
    await tag(s, 'rollback');
    expect(await rows(s, 'select * from u order by id')).toEqual([[1, 'ada', 36], [2, 'grace', 45], [3, null, 20]]);
    expect(await failsWith(s, 'select * from people')).toMatchObject({ sqlState: '42P01' });
    expect(await columns(t, 'u')).toEqual(['id', 'name', 'age']);
    // Nothing left behind: the same ALTER outside a block works.
    await tag(s, "alter table u add column extra text default 'z'");
    expect(await rows(s, 'select extra from u where id = 1')).toEqual([['z']]);
  });

  it('SET/DROP NOT NULL, SET/DROP DEFAULT and ADD CONSTRAINT UNIQUE/CHECK check the committed rows', async () => {
    const s = t.session();
    await runAll(s, seed);
    await tag(s, 'begin');
    expect(await failsWith(s, 'alter table u alter column name set not null')).toMatchObject({ sqlState: '23502' });
    await runAll(s, 'rollback; begin; alter table u alter column age set not null; alter table u alter column name set default \'anon\'');
    await tag(s, 'insert into u (id, age) values (4, 1)');
    expect(await rows(s, 'select name from u where id = 4')).toEqual([['anon']]);
    expect(await failsWith(s, 'insert into u (id) values (5)')).toMatchObject({ sqlState: '23502' });
    await runAll(s, 'rollback; begin');
    expect(await failsWith(s, 'alter table u add constraint age_small check (age < 40)')).toMatchObject({ sqlState: '23514' });
    await runAll(s, 'rollback; begin; alter table u add constraint age_pos check (age > 0); alter table u add constraint u_name_key unique (name)');
    expect(await failsWith(s, "insert into u values (9, 'ada', 1)")).toMatchObject({ sqlState: '23505' });
    await runAll(s, 'rollback; begin; alter table u add constraint age_pos check (age > 0)');
    expect(await failsWith(s, 'insert into u values (9, null, -1)')).toMatchObject({ sqlState: '23514' });
    await runAll(s, 'rollback');
    // A duplicate among the committed rows refuses the constraint.
    await tag(s, "insert into u values (5, 'ada', 50)");
    await tag(s, 'begin');
    expect(await failsWith(s, 'alter table u add constraint u_name_key unique (name)')).toMatchObject({ sqlState: '23505' });
    await tag(s, 'rollback');
    await tag(s, "update u set name = 'x' where id = 5");
    await runAll(s, 'begin; alter table u alter column age set not null; alter table u alter column age drop not null');
    await runAll(s, "alter table u alter column name set default 'n'; alter table u alter column name drop default");
    await runAll(s, 'alter table u add constraint u_name_key unique (name), add constraint age_pos check (age > 0)');
    expect(await failsWith(s, "update u set name = 'grace' where id = 5")).toMatchObject({ sqlState: '23505' });
    await runAll(s, 'rollback; begin; alter table u add constraint u_name_key unique (name), add constraint age_pos check (age > 0)');
    await tag(s, 'insert into u (id) values (6)');
    expect(await rows(s, 'select name, age from u where id = 6')).toEqual([[null, null]]);
    await tag(s, 'commit');
    expect(await failsWith(t.session(), "insert into u values (7, 'ada', 1)")).toMatchObject({ sqlState: '23505' });
    expect(await failsWith(t.session(), "insert into u values (7, 'zed', -1)")).toMatchObject({ sqlState: '23514' });
  });

  it('CREATE INDEX and DROP INDEX: the block reads through the new index before it is built; uniqueness holds', async () => {
    const s = t.session();
    const other = t.session();
    await runAll(s, seed);
    await runAll(s, 'create index u_age on u (age)');
    await runAll(s, 'begin; create index u_name on u (name); create unique index u_name_age on u (name, age); drop index u_age');
    expect(await rows(s, "select id from u where name = 'grace'")).toEqual([[2]]);
    expect(await rows(s, "select id from u where name = 'ada' and age = 36")).toEqual([[1]]);
    expect(await rows(s, 'select id from u where age = 20')).toEqual([[3]]);
    expect(await failsWith(s, "insert into u values (7, 'ada', 36)")).toMatchObject({ sqlState: '23505' });
    await runAll(s, 'rollback');
    await runAll(s, 'begin; create index u_name on u (name); create unique index u_name_age on u (name, age); drop index u_age');
    await tag(s, "insert into u values (7, 'ada', 37)");
    expect(await rows(s, "select id from u where name = 'ada' order by id")).toEqual([[1], [7]]);
    // Others still have u_age, and not u_name.
    expect(await rows(other, "select indexname from pg_indexes where tablename = 'u' order by 1")).toEqual([['u_age'], ['u_pkey']]);
    await tag(s, 'commit');
    expect(await rows(other, "select indexname from pg_indexes where tablename = 'u' order by 1")).toEqual([['u_name'], ['u_name_age'], ['u_pkey']]);
    expect(await rows(other, "select id from u where name = 'ada' order by id")).toEqual([[1], [7]]);
    expect(await failsWith(other, "insert into u values (8, 'grace', 45)")).toMatchObject({ sqlState: '23505' });
    await t.restart();
    const after = t.session();
    expect(await rows(after, "select id from u where name = 'ada' and age = 37")).toEqual([[7]]);
    expect(await failsWith(after, "insert into u values (8, 'ada', 36)")).toMatchObject({ sqlState: '23505' });
  });

  it('a unique index created in the block is enforced against committed rows; a duplicate refuses it', async () => {
    const s = t.session();
    await runAll(s, seed);
    await runAll(s, "insert into u values (4, 'ada', 1)");
    await tag(s, 'begin');
    expect(await failsWith(s, 'create unique index u_name on u (name)')).toMatchObject({ sqlState: '23505' });
    await runAll(s, 'rollback; begin; delete from u where id = 4');
    // The block wrote the table: DDL on it now is 55006, as before.
    expect(await failsWith(s, 'create unique index u_name on u (name)')).toMatchObject({ sqlState: '55006' });
    await tag(s, 'rollback');
    await tag(s, 'delete from u where id = 4');
    await runAll(s, 'begin; create unique index u_name on u (name)');
    expect(await failsWith(s, "insert into u values (5, 'grace', 1)")).toMatchObject({ sqlState: '23505' });
    await runAll(s, "rollback; begin; create unique index u_name on u (name)");
    expect(await failsWith(s, "update u set name = 'ada' where id = 2")).toMatchObject({ sqlState: '23505' });
    await tag(s, 'rollback');
  });

  it('others wait for the table until COMMIT and then see the new definition', async () => {
    const s = t.session();
    const other = t.session();
    await runAll(s, seed);
    await runAll(s, 'begin; alter table u add column w int default 5');
    const write = tag(other, 'update u set age = age + 1 where id = 1');
    let done = false;
    void write.then(() => { done = true; });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(done).toBe(false);
    await tag(s, 'commit');
    expect(await write).toBe('UPDATE 1');
    expect(await rows(other, 'select * from u where id = 1')).toEqual([[1, 'ada', 37, 5]]);
  });

  it('REPEATABLE READ, savepoints, COPY, TRUNCATE and a multi-part commit after ALTER', async () => {
    await t.close();
    t = await openTestEngine({ txnEntryBytesMax: 4 * 1024 });
    const s = t.session();
    await runAll(s, seed);
    await runAll(s, 'begin isolation level repeatable read; select count(*) from u; alter table u add column w int default 2');
    expect(await rows(s, 'select id, w from u order by id')).toEqual([[1, 2], [2, 2], [3, 2]]);
    await runAll(s, 'savepoint a; alter table u drop column name');
    expect(await rows(s, 'select * from u where id = 1')).toEqual([[1, 36, 2]]);
    await tag(s, 'rollback to savepoint a');
    expect(await rows(s, 'select * from u where id = 1')).toEqual([[1, 'ada', 36, 2]]);
    expect(await copyIn(s, 'copy u (id, name) from stdin', '10\tcopied\n')).toBe('COPY 1');
    await tag(s, 'commit');
    expect(await rows(t.session(), 'select id, name, age, w from u where id >= 3 order by id')).toEqual([[3, null, 20, 2], [10, 'copied', null, 2]]);
    await runAll(s, 'begin isolation level serializable; alter table u add column s int default 1');
    await tag(s, 'update u set s = s + id where id = 10');
    await tag(s, 'commit');
    expect(await rows(t.session(), 'select id, s from u where id in (1, 10) order by id')).toEqual([[1, 1], [10, 11]]);
    // TRUNCATE after an ALTER in the same block: before-images in the altered shape.
    await runAll(s, 'begin; alter table u add column z text; truncate u');
    await tag(s, "insert into u (id, z) select g, 'z' || g from generate_series(1, 300) g");
    await tag(s, 'commit');
    expect(await rows(t.session(), 'select count(*), min(z), max(w), max(s) from u')).toEqual([[300n, 'z1', 2, 1]]);
    await t.restart();
    expect(await rows(t.session(), 'select count(*), min(z), max(w) from u')).toEqual([[300n, 'z1', 2]]);
  });

  it('DROP CONSTRAINT drops a UNIQUE constraint (and its index) or a CHECK; the primary key and unknown names refuse', async () => {
    const s = t.session();
    await runAll(s, seed);
    await runAll(s, 'alter table u add constraint u_name_key unique (name), add constraint age_pos check (age > 0)');
    await runAll(s, 'begin; alter table u drop constraint u_name_key; alter table u drop constraint age_pos');
    await tag(s, "insert into u values (4, 'ada', -1)");
    expect(await rows(t.session(), "select conname from pg_constraint where conrelid = 'u'::regclass order by 1")).toEqual([['age_pos'], ['u_name_key'], ['u_pkey']]);
    await tag(s, 'rollback');
    expect(await failsWith(s, "insert into u values (4, 'ada', 1)")).toMatchObject({ sqlState: '23505' });
    await runAll(s, 'begin; alter table u drop constraint u_name_key, drop constraint age_pos; commit');
    await tag(s, "insert into u values (4, 'ada', -1)");
    expect(await rows(s, "select indexname from pg_indexes where tablename = 'u'")).toEqual([['u_pkey']]);
    expect(await failsWith(s, 'alter table u drop constraint nope')).toMatchObject({ sqlState: '42704' });
    expect(await tag(s, 'alter table u drop constraint if exists nope')).toBe('ALTER TABLE');
    expect(await failsWith(s, 'alter table u drop constraint u_pkey')).toMatchObject({ sqlState: '0A000' });
  });

  it('ADD COLUMN ... DEFAULT ... UNIQUE sees the default in every existing row (in a block and outside)', async () => {
    const s = t.session();
    await runAll(s, seed);
    await tag(s, 'begin');
    expect(await failsWith(s, 'alter table u add column k int default 5 unique')).toMatchObject({ sqlState: '23505' });
    await tag(s, 'rollback');
    expect(await failsWith(s, 'alter table u add column k int default 5 unique')).toMatchObject({ sqlState: '23505' });
    await tag(s, 'delete from u where id > 1');
    await runAll(s, 'begin; alter table u add column k int default 5 unique');
    expect(await failsWith(s, "insert into u values (2, 'b', 1, 5)")).toMatchObject({ sqlState: '23505' });
    await tag(s, 'rollback');
  });

  it('still refuses ADD PRIMARY KEY and TRUNCATE ... RESTART IDENTITY with 0A000', async () => {
    const s = t.session();
    await runAll(s, 'create table x (id int, v int); create table y (id serial primary key)');
    for (const sql of ['alter table x add primary key (id)', 'truncate y restart identity']) {
      await tag(s, 'begin');
      const error = await failsWith(s, sql);
      expect(error, sql).toMatchObject({ sqlState: '0A000' });
      expect(error.message).toContain('cannot run inside a transaction block');
      await tag(s, 'rollback');
    }
  });
});
