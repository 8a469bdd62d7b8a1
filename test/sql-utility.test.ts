// Session settings, prepared statements and COPY, through the engine on the
// real log, row store and compiler.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqlTypes } from '../query/types/index.js';
import { copyIn, copyOut, failsWith, openTestEngine, rows, run, runAll, tag, type TestEngine } from '../query/engine-impl/testing/harness.js';

let t: TestEngine;
beforeEach(async () => {
  t = await openTestEngine();
});
afterEach(async () => {
  expect(t.engine.snapshotCount()).toBe(0);
  await t.close();
});

describe('SET, SHOW, RESET', () => {
  it('shows, sets and resets settings with PostgreSQL\'s names and errors', async () => {
    const s = t.session('alice', 'thunderdb', { application_name: 'psql', TimeZone: 'Europe/Paris' });
    expect(await rows(s, 'show application_name')).toEqual([['psql']]);
    expect(await rows(s, 'show time zone')).toEqual([['Europe/Paris']]);
    expect(await rows(s, 'show search_path')).toEqual([['"$user", public']]);
    expect(await rows(s, 'show transaction_isolation')).toEqual([['read committed']]);
    await tag(s, "set timezone = 'UTC'");
    expect(s.reportedParameters().get('TimeZone')).toBe('UTC');
    await tag(s, 'reset timezone');
    expect(s.reportedParameters().get('TimeZone')).toBe('Europe/Paris');
    expect(await failsWith(s, 'set nope = 1')).toMatchObject({ sqlState: '42704', message: 'unrecognized configuration parameter "nope"' });
    expect(await failsWith(s, 'show nope')).toMatchObject({ sqlState: '42704' });
    expect(await failsWith(s, "set datestyle = 'German'")).toMatchObject({ sqlState: '22023' });
    expect(await tag(s, "set datestyle = iso, mdy")).toBe('SET');
    expect(await failsWith(s, "set client_encoding = 'LATIN1'")).toMatchObject({ sqlState: '22023' });
    expect(await failsWith(s, 'set server_version = 1')).toMatchObject({ sqlState: '55P02' });
    await tag(s, "set thunderdb.custom = 'x'");
    expect(await rows(s, 'show thunderdb.custom')).toEqual([['x']]);
    await tag(s, 'set statement_timeout = 5000');
    expect(await rows(s, 'show statement_timeout')).toEqual([['5s']]);
    expect((await rows(s, 'show all')).length).toBeGreaterThan(10);
  });

  it('takes settings from startup parameters, including -c options, and refuses unknown ones', async () => {
    const s = t.session('bob', 'thunderdb', { options: '-c statement_timeout=250 --search-path=app,public', DateStyle: 'ISO' });
    expect(await rows(s, 'show statement_timeout')).toEqual([['250ms']]);
    expect(await rows(s, 'show search_path')).toEqual([['app, public']]);
    expect(await rows(s, 'show session_authorization')).toEqual([['bob']]);
    expect(() => t.session('bob', 'thunderdb', { nonsense: '1' })).toThrow('unrecognized configuration parameter "nonsense"');
    expect(() => t.session('bob', 'nodb')).toThrow(expect.objectContaining({ sqlState: '3D000' }));
  });

  it('SET is undone by ROLLBACK; SET LOCAL ends with the transaction', async () => {
    const s = t.session();
    await runAll(s, "begin; set application_name = 'inside'; rollback");
    expect(await rows(s, 'show application_name')).toEqual([['']]);
    await runAll(s, "begin; set local application_name = 'local'");
    expect(await rows(s, 'show application_name')).toEqual([['local']]);
    await tag(s, 'commit');
    expect(await rows(s, 'show application_name')).toEqual([['']]);
    expect(await tag(s, "set local application_name = 'x'")).toBe('SET');
    expect(s.takeNotices()[0]).toMatchObject({ severity: 'WARNING', sqlState: '25P01' });
  });

  it('transaction isolation: BEGIN, SET TRANSACTION and the session default', async () => {
    const s = t.session();
    await tag(s, 'begin isolation level serializable');
    expect(await rows(s, 'show transaction_isolation')).toEqual([['serializable']]);
    await tag(s, 'commit');
    await tag(s, 'begin');
    await tag(s, 'set transaction isolation level repeatable read');
    expect(await rows(s, 'show transaction_isolation')).toEqual([['repeatable read']]);
    await rows(s, 'select 1');
    expect(await failsWith(s, 'set transaction isolation level serializable')).toMatchObject({ sqlState: '25001' });
    await tag(s, 'rollback');
    await tag(s, 'set session characteristics as transaction isolation level repeatable read');
    expect(await rows(s, 'show default_transaction_isolation')).toEqual([['repeatable read']]);
  });

  it('DISCARD ALL resets settings and prepared statements', async () => {
    const s = t.session();
    await runAll(s, "set application_name = 'x'; prepare p as select 1");
    expect(await tag(s, 'discard all')).toBe('DISCARD ALL');
    expect(await rows(s, 'show application_name')).toEqual([['']]);
    expect(await failsWith(s, 'execute p')).toMatchObject({ sqlState: '26000' });
  });

  it('VACUUM outside a block (no column store here: it only checks its tables) and refused inside one', async () => {
    const s = t.session();
    await tag(s, 'create table t (a int)');
    expect(await tag(s, 'vacuum t')).toBe('VACUUM');
    expect(await tag(s, 'analyze')).toBe('ANALYZE');
    await tag(s, 'begin');
    expect(await failsWith(s, 'vacuum')).toMatchObject({ sqlState: '25001' });
  });
});

describe('prepared statements', () => {
  it('PREPARE, EXECUTE and DEALLOCATE', async () => {
    const s = t.session();
    await runAll(s, 'create table t (id int primary key, v text); prepare ins (int, text) as insert into t values ($1, $2)');
    expect(await tag(s, "execute ins (1, 'one')")).toBe('INSERT 0 1');
    expect(await tag(s, "execute ins (1 + 1, 'tw' || 'o')")).toBe('INSERT 0 1');
    expect(await failsWith(s, 'execute ins (3)')).toMatchObject({ sqlState: '42601' });
    expect(await failsWith(s, 'prepare ins as select 1')).toMatchObject({ sqlState: '42P05' });
    await tag(s, 'prepare sel as select v from t where id = $1');
    expect(await rows(s, 'execute sel (2)')).toEqual([['two']]);
    expect(await tag(s, 'deallocate sel')).toBe('DEALLOCATE');
    expect(await tag(s, 'deallocate all')).toBe('DEALLOCATE ALL');
  });

  it('the extended protocol: prepare once, execute with parameters, replan after DDL', async () => {
    const s = t.session();
    await tag(s, 'create table t (id int primary key, v text)');
    const insert = s.prepare('insert into t values ($1, $2)', [undefined, undefined]);
    expect(insert.parameterTypes).toEqual([SqlTypes.int4, SqlTypes.text]);
    expect(await s.executePrepared(insert, [1, 'a'])).toEqual({ kind: 'command', tag: 'INSERT 0 1' });
    const select = s.prepare('select count(*) from t', []);
    expect(select.resultColumns?.map((c) => c.name)).toEqual(['count']);
    await tag(s, 'alter table t add column w int');
    expect(await s.executePrepared(insert, [2, 'b'])).toEqual({ kind: 'command', tag: 'INSERT 0 1' });
    expect(await s.executePrepared(select, [])).toMatchObject({ kind: 'rows', rows: [[2n]] });
    const begin = s.prepare('begin', []);
    expect(await s.executePrepared(begin, [])).toEqual({ kind: 'command', tag: 'BEGIN' });
    expect(s.transactionState()).toBe('inTransaction');
    expect(s.prepare('', []).resultColumns).toBeUndefined();
  });
});

describe('COPY', () => {
  it('loads text format and writes it back', async () => {
    const s = t.session();
    await tag(s, 'create table t (id int primary key, name text, note text)');
    expect(await copyIn(s, 'copy t from stdin', '1\tone\t\\N\n2\ttab\\there\tx\n\\.\n')).toBe('COPY 2');
    expect(await rows(s, 'select * from t order by id')).toEqual([[1, 'one', null], [2, 'tab\there', 'x']]);
    expect(await copyOut(s, 'copy t to stdout')).toBe('1\tone\t\\N\n2\ttab\\there\tx\n');
    expect(await copyOut(s, 'copy (select id, name from t where id = 2) to stdout with (format csv, header)')).toBe('id,name\n2,tab\there\n');
  });

  it('loads CSV with a header and a column list; missing columns take their defaults', async () => {
    const s = t.session();
    await tag(s, "create table t (id serial primary key, name text not null, kind text default 'plain')");
    expect(await copyIn(s, 'copy t (name) from stdin with (format csv, header true)', 'name\n"a, b"\n"say ""hi"""\n')).toBe('COPY 2');
    expect(await rows(s, 'select * from t order by id')).toEqual([[1, 'a, b', 'plain'], [2, 'say "hi"', 'plain']]);
  });

  it('a bad line fails the COPY with its line number and loads nothing', async () => {
    const s = t.session();
    await tag(s, 'create table t (id int primary key, n int)');
    let error: { sqlState?: string; message: string; detail?: string } | undefined;
    try {
      await copyIn(s, 'copy t from stdin', '1\t10\n2\t20\n3\tthirty\n4\t40\n');
    } catch (e) {
      error = e as typeof error;
    }
    expect(error).toMatchObject({ sqlState: '22P02', message: 'invalid input syntax for type integer: "thirty"' });
    expect(error?.detail).toContain('COPY t, line 3');
    expect(await rows(s, 'select count(*) from t')).toEqual([[0n]]);
    expect(s.transactionState()).toBe('idle');
  });

  it('a duplicate key in the data fails the whole COPY', async () => {
    const s = t.session();
    await tag(s, 'create table t (id int primary key)');
    await expect(copyIn(s, 'copy t from stdin', '1\n2\n1\n')).rejects.toMatchObject({ sqlState: '23505', detail: expect.stringContaining('COPY t, line 3') });
    expect(await rows(s, 'select count(*) from t')).toEqual([[0n]]);
  });

  it('COPY inside a transaction block commits with it', async () => {
    const s = t.session();
    await runAll(s, 'create table t (id int primary key); begin');
    expect(await copyIn(s, 'copy t from stdin', '1\n2\n')).toBe('COPY 2');
    expect(s.transactionState()).toBe('inTransaction');
    expect(await rows(t.session(), 'select count(*) from t')).toEqual([[0n]]);
    await tag(s, 'commit');
    expect(await rows(t.session(), 'select count(*) from t')).toEqual([[2n]]);
  });

  it('a large COPY commits as several log entries', async () => {
    await t.close();
    t = await openTestEngine({ txnEntryBytesMax: 64 * 1024 });
    const s = t.session();
    await tag(s, 'create table t (id int primary key, pad text)');
    const data = Array.from({ length: 5000 }, (_, i) => `${i}\t${'x'.repeat(40)}\n`).join('');
    const before = t.log.status().lastIndex;
    expect(await copyIn(s, 'copy t from stdin', data, 65536)).toBe('COPY 5000');
    expect(t.log.status().lastIndex - before).toBeGreaterThan(1);
    expect(await rows(s, 'select count(*), min(id), max(id) from t')).toEqual([[5000n, 0, 4999]]);
  });
});

describe('notices and errors', () => {
  it('LISTEN is refused; UNLISTEN is accepted', async () => {
    const s = t.session();
    expect(await failsWith(s, 'listen x')).toMatchObject({ sqlState: '0A000' });
    expect(await tag(s, 'unlisten *')).toBe('UNLISTEN');
  });

  it('an empty query gives no results', async () => {
    expect(await runAll(t.session(), ' ; -- nothing')).toEqual([]);
  });

  it('a syntax error does not end the session', async () => {
    const s = t.session();
    expect(await failsWith(s, 'selec 1')).toMatchObject({ sqlState: '42601' });
    expect(await run(s, 'select 1 as one')).toMatchObject({ kind: 'rows', rows: [[1]] });
  });
});
