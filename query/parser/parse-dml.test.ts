import { beforeAll, describe, expect, test } from 'vitest';
import { loadSqlParser } from './parse.js';
import { bin, call, col, int, noPositions, one, param, str } from './test-support.js';

beforeAll(async () => {
  await loadSqlParser();
});

describe('INSERT', () => {
  test('columns, multi-row VALUES with DEFAULT, RETURNING', () => {
    expect(noPositions(one('INSERT INTO s.t AS x (a, b) VALUES (1, DEFAULT), ($1, 2) RETURNING *, a AS z'))).toEqual({
      kind: 'insert', with: null,
      table: { name: { schema: 's', name: 't' }, only: false, alias: 'x' },
      columns: [{ name: 'a' }, { name: 'b' }],
      source: {
        kind: 'select', with: null, orderBy: [], limit: null, limitWithTies: false, offset: null, locking: [],
        body: { kind: 'values', rows: [[int('1'), { kind: 'default' }], [param(1), int('2')]] },
      },
      overriding: 'none', onConflict: null,
      returning: [{ expr: { kind: 'star', qualifier: [] }, alias: null }, { expr: col('a'), alias: 'z' }],
    });
  });

  test('INSERT ... SELECT, DEFAULT VALUES, OVERRIDING', () => {
    expect(one('INSERT INTO t SELECT * FROM u')).toMatchObject({ kind: 'insert', columns: [], source: { kind: 'select', body: { kind: 'selectCore' } } });
    expect(one('INSERT INTO t DEFAULT VALUES')).toMatchObject({ source: { kind: 'defaultValues' } });
    expect(one('INSERT INTO t OVERRIDING SYSTEM VALUE VALUES (1)')).toMatchObject({ overriding: 'systemValue' });
    expect(one('INSERT INTO t OVERRIDING USER VALUE VALUES (1)')).toMatchObject({ overriding: 'userValue' });
  });

  test('ON CONFLICT (cols) WHERE ... DO UPDATE SET ... WHERE, incl. multi-column SET', () => {
    const insert = one('INSERT INTO t VALUES (1) ON CONFLICT (a, lower(b)) WHERE a > 0 DO UPDATE SET b = excluded.b, (c, d) = (1, 2) WHERE t.a > 1');
    expect(noPositions(insert)).toMatchObject({
      onConflict: {
        target: { kind: 'columns', columns: [{ kind: 'column', name: 'a' }, { kind: 'expression', expr: call('lower', [col('b')]) }], where: bin('>', col('a'), int('0')) },
        action: {
          kind: 'update',
          set: [
            { kind: 'column', column: 'b', value: col('excluded', 'b') },
            { kind: 'multi', columns: ['c', 'd'], source: { kind: 'row', args: [int('1'), int('2')], explicit: false } },
          ],
          where: bin('>', col('t', 'a'), int('1')),
        },
      },
    });
  });

  test('ON CONFLICT ON CONSTRAINT ... DO NOTHING, and a bare DO NOTHING', () => {
    expect(noPositions(one('INSERT INTO t DEFAULT VALUES ON CONFLICT ON CONSTRAINT t_pkey DO NOTHING'))).toMatchObject({
      onConflict: { target: { kind: 'constraint', name: 't_pkey' }, action: { kind: 'nothing' } },
    });
    expect(noPositions(one('INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING'))).toMatchObject({ onConflict: { target: null, action: { kind: 'nothing' } } });
  });

  test('WITH before INSERT', () => {
    expect(one('WITH v AS (SELECT 1) INSERT INTO t SELECT * FROM v')).toMatchObject({ kind: 'insert', with: { ctes: [{ name: 'v' }] } });
  });
});

describe('UPDATE', () => {
  test('SET incl. multi-column from a subquery and DEFAULT, FROM, WHERE, RETURNING, ONLY and alias', () => {
    const update = one('UPDATE ONLY t AS x SET a = a + 1, (b, c) = (SELECT 1, 2), d = DEFAULT FROM u WHERE x.id = u.id RETURNING a');
    expect(noPositions(update)).toMatchObject({
      kind: 'update',
      table: { name: { schema: null, name: 't' }, only: true, alias: 'x' },
      set: [
        { kind: 'column', column: 'a', value: bin('+', col('a'), int('1')) },
        { kind: 'multi', columns: ['b', 'c'], source: { kind: 'subquery' } },
        { kind: 'column', column: 'd', value: { kind: 'default' } },
      ],
      from: [{ kind: 'table', name: { name: 'u' } }],
      where: bin('=', col('x', 'id'), col('u', 'id')),
      returning: [{ expr: col('a'), alias: null }],
    });
  });

  test('multi-column SET with ROW and a following single column', () => {
    const update = one("UPDATE t SET (a, b) = ROW(1, 'x'), c = 3");
    expect(noPositions(update)).toMatchObject({
      set: [
        { kind: 'multi', columns: ['a', 'b'], source: { kind: 'row', explicit: true, args: [int('1'), str('x')] } },
        { kind: 'column', column: 'c', value: int('3') },
      ],
    });
  });
});

describe('DELETE', () => {
  test('USING, WHERE, RETURNING', () => {
    expect(noPositions(one('DELETE FROM t USING u, v WHERE t.a = u.a RETURNING t.*'))).toEqual({
      kind: 'delete', with: null,
      table: { name: { schema: null, name: 't' }, only: false, alias: null },
      using: [
        { kind: 'table', name: { schema: null, name: 'u' }, only: false, alias: null },
        { kind: 'table', name: { schema: null, name: 'v' }, only: false, alias: null },
      ],
      where: bin('=', col('t', 'a'), col('u', 'a')),
      returning: [{ expr: { kind: 'star', qualifier: ['t'] }, alias: null }],
    });
  });
});
