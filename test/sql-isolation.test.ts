// Isolation levels, locks and uniqueness under concurrency, through SQL on
// the real log, row store and compiler.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { failsWith, openTestEngine, rows, runAll, tag, type TestEngine } from '../query/engine-impl/testing/harness.js';

let t: TestEngine;
const tick = (ms = 10): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

beforeEach(async () => {
  t = await openTestEngine();
  await runAll(t.session(), "create table acc (id int primary key, bal int not null, email text unique); insert into acc values (1, 100, 'a'), (2, 100, 'b')");
});
afterEach(async () => {
  expect(t.engine.snapshotCount()).toBe(0);
  await t.close();
});

describe('READ COMMITTED', () => {
  it('each statement sees what committed before it', async () => {
    const a = t.session();
    const b = t.session();
    await tag(a, 'begin');
    expect(await rows(a, 'select bal from acc where id = 1')).toEqual([[100]]);
    await tag(b, 'update acc set bal = 5 where id = 1');
    expect(await rows(a, 'select bal from acc where id = 1')).toEqual([[5]]);
    await tag(a, 'commit');
  });

  it('an UPDATE that waited for a row lock applies to the newest version (no lost update)', async () => {
    const a = t.session();
    const b = t.session();
    await tag(a, 'begin');
    await tag(a, 'update acc set bal = bal + 10 where id = 1');
    const waiting = tag(b, 'update acc set bal = bal + 1 where id = 1');
    await tick();
    await tag(a, 'commit');
    expect(await waiting).toBe('UPDATE 1');
    expect(await rows(a, 'select bal from acc where id = 1')).toEqual([[111]]);
  });

  it('a row deleted while waiting is skipped', async () => {
    const a = t.session();
    const b = t.session();
    await tag(a, 'begin');
    await tag(a, 'delete from acc where id = 1');
    const waiting = tag(b, 'update acc set bal = 0 where id = 1');
    await tick();
    await tag(a, 'commit');
    expect(await waiting).toBe('UPDATE 0');
  });

  it('reads its own uncommitted writes, and others do not', async () => {
    const a = t.session();
    const b = t.session();
    await tag(a, 'begin');
    await tag(a, "insert into acc values (3, 1, 'c')");
    await tag(a, 'delete from acc where id = 1');
    expect(await rows(a, 'select id from acc order by id')).toEqual([[2], [3]]);
    expect(await rows(b, 'select id from acc order by id')).toEqual([[1], [2]]);
    await tag(a, 'rollback');
    expect(await rows(a, 'select id from acc order by id')).toEqual([[1], [2]]);
  });
});

describe('REPEATABLE READ', () => {
  it('reads one snapshot for the whole transaction', async () => {
    const a = t.session();
    const b = t.session();
    await tag(a, 'begin isolation level repeatable read');
    expect(await rows(a, 'select sum(bal) from acc')).toEqual([[200n]]);
    await tag(b, 'update acc set bal = 0 where id = 1');
    await tag(b, "insert into acc values (3, 50, 'c')");
    expect(await rows(a, 'select sum(bal) from acc')).toEqual([[200n]]);
    await tag(a, 'commit');
    expect(await rows(a, 'select sum(bal) from acc')).toEqual([[150n]]);
  });

  it('prevents the lost update: the second updater gets 40001', async () => {
    const a = t.session();
    const b = t.session();
    await tag(a, 'begin isolation level repeatable read');
    await tag(b, 'begin isolation level repeatable read');
    expect(await rows(a, 'select bal from acc where id = 1')).toEqual([[100]]);
    expect(await rows(b, 'select bal from acc where id = 1')).toEqual([[100]]);
    await tag(a, 'update acc set bal = bal + 10 where id = 1');
    const second = failsWith(b, 'update acc set bal = bal + 20 where id = 1');
    await tick();
    await tag(a, 'commit');
    expect(await second).toMatchObject({ sqlState: '40001', message: 'could not serialize access due to concurrent update' });
    expect(b.transactionState()).toBe('failed');
    expect(await tag(b, 'commit')).toBe('ROLLBACK');
    expect(await rows(a, 'select bal from acc where id = 1')).toEqual([[110]]);
  });

  it('a concurrent delete is a serialization failure too', async () => {
    const a = t.session();
    const b = t.session();
    await tag(a, 'begin isolation level repeatable read');
    await rows(a, 'select * from acc');
    await tag(b, 'delete from acc where id = 2');
    expect(await failsWith(a, 'update acc set bal = 1 where id = 2')).toMatchObject({ sqlState: '40001', message: 'could not serialize access due to concurrent delete' });
    await tag(a, 'rollback');
  });
});

describe('SERIALIZABLE', () => {
  it('prevents write skew', async () => {
    const a = t.session();
    const b = t.session();
    await tag(a, 'begin isolation level serializable');
    await tag(b, 'begin isolation level serializable');
    expect(await rows(a, 'select sum(bal) from acc')).toEqual([[200n]]);
    expect(await rows(b, 'select sum(bal) from acc')).toEqual([[200n]]);
    await tag(a, 'update acc set bal = bal - 150 where id = 1');
    await tag(b, 'update acc set bal = bal - 150 where id = 2');
    expect(await tag(a, 'commit')).toBe('COMMIT');
    expect(await failsWith(b, 'commit')).toMatchObject({ sqlState: '40001' });
    expect(b.transactionState()).toBe('idle');
    expect(await rows(a, 'select id, bal from acc order by id')).toEqual([[1, -50], [2, 100]]);
  });

  it('prevents a phantom: a count that an insert changed', async () => {
    const a = t.session();
    const b = t.session();
    await tag(a, 'begin isolation level serializable');
    expect(await rows(a, 'select count(*) from acc where bal > 50')).toEqual([[2n]]);
    await tag(b, "insert into acc values (3, 60, 'c')");
    await tag(a, "insert into acc values (4, 0, 'd')");
    expect(await failsWith(a, 'commit')).toMatchObject({ sqlState: '40001' });
  });

  it('lets disjoint transactions and read-only ones commit', async () => {
    const a = t.session();
    const b = t.session();
    await tag(a, 'begin isolation level serializable');
    await tag(b, 'begin isolation level serializable read only');
    expect(await rows(a, 'select bal from acc where id = 1')).toEqual([[100]]);
    await tag(a, 'update acc set bal = 7 where id = 1');
    expect(await rows(b, 'select bal from acc where id = 1')).toEqual([[100]]);
    await tag(a, 'commit');
    expect(await tag(b, 'commit')).toBe('COMMIT');
  });
});

describe('uniqueness under concurrency', () => {
  it('a second insert of a key waits for the first and then fails with 23505', async () => {
    const a = t.session();
    const b = t.session();
    await tag(a, 'begin');
    await tag(a, "insert into acc values (3, 1, 'c')");
    const second = failsWith(b, "insert into acc values (3, 2, 'z')");
    await tick();
    await tag(a, 'commit');
    expect(await second).toEqual({ sqlState: '23505', message: 'duplicate key value violates unique constraint "acc_pkey"', detail: 'Key (id)=(3) already exists.' });
  });

  it('succeeds when the first inserter rolls back', async () => {
    const a = t.session();
    const b = t.session();
    await tag(a, 'begin');
    await tag(a, "insert into acc values (3, 1, 'c')");
    const second = tag(b, "insert into acc values (3, 2, 'c')");
    await tick();
    await tag(a, 'rollback');
    expect(await second).toBe('INSERT 0 1');
  });

  it('serialises inserts of the same unique value under different keys', async () => {
    const a = t.session();
    const b = t.session();
    await tag(a, 'begin');
    await tag(a, "insert into acc values (3, 1, 'same')");
    const second = failsWith(b, "insert into acc values (4, 1, 'same')");
    await tick();
    await tag(a, 'commit');
    expect(await second).toMatchObject({ sqlState: '23505', detail: 'Key (email)=(same) already exists.' });
  });

  it('a unique value freed by a pending delete can be taken once it commits', async () => {
    const a = t.session();
    const b = t.session();
    await tag(a, 'begin');
    await tag(a, 'delete from acc where id = 1');
    const insert = tag(b, "insert into acc values (5, 1, 'a')");
    await tick();
    await tag(a, 'commit');
    expect(await insert).toBe('INSERT 0 1');
  });

  it('concurrent upserts of one key all land', async () => {
    await tag(t.session(), 'create table counters (k text primary key, n int not null)');
    const sessions = Array.from({ length: 10 }, () => t.session());
    await Promise.all(sessions.map((s) => tag(s, "insert into counters values ('x', 1) on conflict (k) do update set n = counters.n + 1")));
    expect(await rows(sessions[0] as NonNullable<(typeof sessions)[0]>, 'select n from counters')).toEqual([[10]]);
  });
});

describe('locks', () => {
  it('detects a deadlock: one transaction gets 40P01, the other goes on', async () => {
    const a = t.session();
    const b = t.session();
    await tag(a, 'begin');
    await tag(b, 'begin');
    await tag(a, 'update acc set bal = 1 where id = 1');
    await tag(b, 'update acc set bal = 2 where id = 2');
    const first = tag(a, 'update acc set bal = 1 where id = 2');
    // a must be waiting before b closes the cycle, or a would be the one refused.
    await tick(50);
    expect(await failsWith(b, 'update acc set bal = 2 where id = 1')).toMatchObject({ sqlState: '40P01', message: 'deadlock detected' });
    await tag(b, 'rollback');
    expect(await first).toBe('UPDATE 1');
    await tag(a, 'commit');
    expect(await rows(a, 'select bal from acc order by id')).toEqual([[1], [1]]);
  });

  it('cancel ends a lock wait with 57014', async () => {
    const a = t.session();
    const b = t.session();
    await tag(a, 'begin');
    await tag(a, 'update acc set bal = 1 where id = 1');
    const waiting = failsWith(b, 'update acc set bal = 2 where id = 1');
    await tick();
    b.cancel();
    expect(await waiting).toMatchObject({ sqlState: '57014', message: 'canceling statement due to user request' });
    await tag(a, 'commit');
  });

  it('statement_timeout ends a lock wait', async () => {
    const a = t.session();
    const b = t.session();
    await tag(a, 'begin');
    await tag(a, 'update acc set bal = 1 where id = 1');
    await tag(b, "set statement_timeout = '30ms'");
    expect(await failsWith(b, 'update acc set bal = 2 where id = 1')).toMatchObject({ sqlState: '57014', message: 'canceling statement due to statement timeout' });
    await tag(a, 'rollback');
  });

  it('a session closed while its statement waits leaves no lock behind', async () => {
    const a = t.session();
    const b = t.session();
    await tag(a, 'begin');
    await tag(a, 'update acc set bal = 1 where id = 1');
    const orphan = failsWith(b, 'update acc set bal = 2 where id = 1');
    await tick();
    b.close();
    await tag(a, 'commit');
    expect(await orphan).toMatchObject({ sqlState: '57014' });
    expect(await tag(t.session(), 'update acc set bal = 3 where id = 1')).toBe('UPDATE 1');
  });

  it('DROP TABLE waits for a writer to finish', async () => {
    const a = t.session();
    const b = t.session();
    await tag(a, 'begin');
    await tag(a, "insert into acc values (3, 1, 'c')");
    let dropped = false;
    const drop = tag(b, 'drop table acc').then((x) => {
      dropped = true;
      return x;
    });
    await tick();
    expect(dropped).toBe(false);
    await tag(a, 'commit');
    expect(await drop).toBe('DROP TABLE');
  });
});

describe('transaction blocks', () => {
  it('savepoints undo what came after them', async () => {
    const a = t.session();
    await runAll(a, "begin; insert into acc values (3, 1, 'c'); savepoint s1; insert into acc values (4, 1, 'd'); savepoint s2; delete from acc where id = 1");
    await tag(a, 'rollback to savepoint s2');
    expect(await rows(a, 'select id from acc order by id')).toEqual([[1], [2], [3], [4]]);
    await tag(a, 'rollback to savepoint s1');
    expect(await rows(a, 'select id from acc order by id')).toEqual([[1], [2], [3]]);
    await tag(a, 'release savepoint s1');
    expect(await failsWith(a, 'rollback to savepoint s1')).toMatchObject({ sqlState: '3B001', message: 'savepoint "s1" does not exist' });
    expect(await tag(a, 'rollback')).toBe('ROLLBACK');
  });

  it('ROLLBACK TO SAVEPOINT leaves the failed state', async () => {
    const a = t.session();
    await runAll(a, "begin; savepoint s; insert into acc values (3, 1, 'c')");
    expect(await failsWith(a, "insert into acc values (3, 1, 'c')")).toMatchObject({ sqlState: '23505' });
    expect(await failsWith(a, 'select 1')).toMatchObject({ sqlState: '25P02', message: 'current transaction is aborted, commands ignored until end of transaction block' });
    await tag(a, 'rollback to savepoint s');
    expect(a.transactionState()).toBe('inTransaction');
    await tag(a, "insert into acc values (3, 9, 'c')");
    await tag(a, 'commit');
    expect(await rows(a, 'select bal from acc where id = 3')).toEqual([[9]]);
  });

  it('warns as PostgreSQL does about BEGIN inside and COMMIT outside a block', async () => {
    const a = t.session();
    expect(await tag(a, 'commit')).toBe('COMMIT');
    expect(a.takeNotices()).toEqual([{ severity: 'WARNING', sqlState: '25P01', message: 'there is no transaction in progress' }]);
    await tag(a, 'begin');
    expect(await tag(a, 'start transaction')).toBe('BEGIN');
    expect(a.takeNotices()).toEqual([{ severity: 'WARNING', sqlState: '25001', message: 'there is already a transaction in progress' }]);
    expect(await tag(a, 'end')).toBe('COMMIT');
  });

  it('several statements in one query are one implicit transaction', async () => {
    const a = t.session();
    expect(await failsWith(a, "insert into acc values (3, 1, 'c'); insert into acc values (1, 1, 'z')")).toMatchObject({ sqlState: '23505' });
    expect(await rows(a, 'select count(*) from acc')).toEqual([[2n]]);
    expect(a.transactionState()).toBe('idle');
  });

  it('a read-only transaction refuses writes', async () => {
    const a = t.session();
    await tag(a, 'begin read only');
    expect(await failsWith(a, 'delete from acc')).toMatchObject({ sqlState: '25006' });
    await tag(a, 'rollback');
  });
});
