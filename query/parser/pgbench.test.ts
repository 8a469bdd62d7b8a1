// pgbench's SQL, verbatim: the TPC-B script and the statements of `pgbench -i`.

import { beforeAll, describe, expect, test } from 'vitest';
import { loadSqlParser, parseSql } from './parse.js';
import { bin, col, noPositions, one, param, type } from './test-support.js';

beforeAll(async () => {
  await loadSqlParser();
});

const table = (name: string): unknown => ({ schema: null, name });

describe('pgbench TPC-B script', () => {
  test('UPDATE pgbench_accounts', () => {
    expect(noPositions(one('UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2;'))).toEqual({
      kind: 'update', with: null, table: { name: table('pgbench_accounts'), only: false, alias: null },
      set: [{ kind: 'column', column: 'abalance', value: bin('+', col('abalance'), param(1)) }],
      from: [], where: bin('=', col('aid'), param(2)), returning: [],
    });
  });

  test('SELECT abalance', () => {
    expect(noPositions(one('SELECT abalance FROM pgbench_accounts WHERE aid = $1'))).toEqual({
      kind: 'select', with: null, orderBy: [], limit: null, limitWithTies: false, offset: null, locking: [],
      body: {
        kind: 'selectCore', distinct: { kind: 'all' }, targets: [{ expr: col('abalance'), alias: null }],
        from: [{ kind: 'table', name: table('pgbench_accounts'), only: false, alias: null }],
        where: bin('=', col('aid'), param(1)), groupBy: [], having: null, windows: [],
      },
    });
  });

  test('UPDATE pgbench_tellers and pgbench_branches', () => {
    expect(noPositions(one('UPDATE pgbench_tellers SET tbalance = tbalance + $1 WHERE tid = $2;'))).toMatchObject({
      table: { name: table('pgbench_tellers') }, set: [{ column: 'tbalance', value: bin('+', col('tbalance'), param(1)) }], where: bin('=', col('tid'), param(2)),
    });
    expect(noPositions(one('UPDATE pgbench_branches SET bbalance = bbalance + $1 WHERE bid = $2;'))).toMatchObject({
      table: { name: table('pgbench_branches') }, set: [{ column: 'bbalance', value: bin('+', col('bbalance'), param(1)) }], where: bin('=', col('bid'), param(2)),
    });
  });

  test('INSERT INTO pgbench_history', () => {
    expect(noPositions(one('INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES ($1, $2, $3, $4, CURRENT_TIMESTAMP)'))).toMatchObject({
      kind: 'insert', table: { name: table('pgbench_history') },
      columns: [{ name: 'tid' }, { name: 'bid' }, { name: 'aid' }, { name: 'delta' }, { name: 'mtime' }],
      source: { body: { kind: 'values', rows: [[param(1), param(2), param(3), param(4), { kind: 'sqlValueFunction', name: 'current_timestamp', precision: null }]] } },
    });
  });

  test('BEGIN and END', () => {
    expect(one('BEGIN;')).toEqual({ kind: 'begin', options: { isolationLevel: null, readOnly: null, deferrable: null } });
    expect(one('END;')).toEqual({ kind: 'commit', chain: false });
  });

  test('the script sent as one simple-protocol string', () => {
    const script = 'BEGIN;UPDATE pgbench_accounts SET abalance = abalance + 5 WHERE aid = 3;SELECT abalance FROM pgbench_accounts WHERE aid = 3;END;';
    expect(parseSql(script).map((s) => [s.statement.kind, s.text])).toEqual([
      ['begin', 'BEGIN'],
      ['update', 'UPDATE pgbench_accounts SET abalance = abalance + 5 WHERE aid = 3'],
      ['select', 'SELECT abalance FROM pgbench_accounts WHERE aid = 3'],
      ['commit', 'END'],
    ]);
  });
});

describe('pgbench -i', () => {
  test('drop table if exists', () => {
    expect(noPositions(one('drop table if exists pgbench_accounts, pgbench_branches, pgbench_history, pgbench_tellers'))).toEqual({
      kind: 'dropTable', ifExists: true, cascade: false,
      names: [table('pgbench_accounts'), table('pgbench_branches'), table('pgbench_history'), table('pgbench_tellers')],
    });
  });

  test('create table pgbench_history', () => {
    const int4 = type('pg_catalog', 'int4');
    const column = (name: string, t: unknown): unknown => ({ name, type: t, constraints: [], collation: null });
    expect(noPositions(one('create table pgbench_history(tid int,bid int,aid int,delta int,mtime timestamp,filler char(22))'))).toEqual({
      kind: 'createTable', name: table('pgbench_history'), ifNotExists: false, persistence: 'permanent', constraints: [], options: [],
      columns: [
        column('tid', int4), column('bid', int4), column('aid', int4), column('delta', int4),
        column('mtime', type('pg_catalog', 'timestamp')),
        column('filler', type('pg_catalog', 'bpchar', { modifiers: [{ kind: 'literal', value: { type: 'integer', text: '22' } }] })),
      ],
    });
  });

  test('create table pgbench_accounts with (fillfactor=100)', () => {
    expect(noPositions(one('create table pgbench_accounts(aid int not null,bid int,abalance int,filler char(84)) with (fillfactor=100)'))).toMatchObject({
      kind: 'createTable', name: table('pgbench_accounts'),
      columns: [{ name: 'aid', constraints: [{ kind: 'notNull', name: null }] }, { name: 'bid' }, { name: 'abalance' }, { name: 'filler', type: { name: 'bpchar' } }],
      options: [{ name: 'fillfactor', value: '100' }],
    });
  });

  test('truncate table', () => {
    expect(noPositions(one('truncate table pgbench_accounts, pgbench_branches, pgbench_history, pgbench_tellers'))).toEqual({
      kind: 'truncate', restartIdentity: false, cascade: false,
      tables: ['pgbench_accounts', 'pgbench_branches', 'pgbench_history', 'pgbench_tellers'].map((n) => ({ name: table(n), only: false })),
    });
  });

  test('copy from stdin with (freeze on)', () => {
    expect(noPositions(one('copy pgbench_accounts from stdin with (freeze on)'))).toMatchObject({
      kind: 'copy', direction: 'from', source: { kind: 'table', table: table('pgbench_accounts'), columns: [] },
      options: { format: 'text', freeze: true },
    });
  });

  test('vacuum analyze', () => {
    expect(noPositions(one('vacuum analyze pgbench_branches'))).toEqual({
      kind: 'vacuum', command: 'vacuum', options: [{ name: 'analyze', value: null }], tables: [{ table: table('pgbench_branches'), columns: [] }],
    });
  });

  test('alter table add primary key', () => {
    expect(noPositions(one('alter table pgbench_branches add primary key (bid)'))).toEqual({
      kind: 'alterTable', table: table('pgbench_branches'), ifExists: false, only: false,
      actions: [{ kind: 'addConstraint', constraint: { name: null, kind: 'primaryKey', columns: ['bid'] } }],
    });
  });
});
