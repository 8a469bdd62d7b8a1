import { beforeAll, describe, expect, test } from 'vitest';
import { loadSqlParser } from './parse.js';
import { bin, call, col, core, int, noPositions, select, str } from './test-support.js';

beforeAll(async () => {
  await loadSqlParser();
});

const table = (name: string, extra: Record<string, unknown> = {}): unknown => ({
  kind: 'table', name: { schema: null, name }, only: false, alias: null, ...extra,
});

describe('SELECT', () => {
  test('a plain select has every clause explicit', () => {
    expect(noPositions(select('SELECT a AS x, b FROM t WHERE a > 1'))).toEqual({
      kind: 'select', with: null, orderBy: [], limit: null, limitWithTies: false, offset: null, locking: [],
      body: {
        kind: 'selectCore', distinct: { kind: 'all' },
        targets: [{ expr: col('a'), alias: 'x' }, { expr: col('b'), alias: null }],
        from: [table('t')], where: bin('>', col('a'), int('1')), groupBy: [], having: null, windows: [],
      },
    });
  });

  test('DISTINCT and DISTINCT ON', () => {
    expect(core('SELECT DISTINCT a FROM t').distinct).toEqual({ kind: 'distinct' });
    expect(noPositions(core('SELECT DISTINCT ON (a, b) a FROM t').distinct)).toEqual({ kind: 'distinctOn', exprs: [col('a'), col('b')] });
  });

  test('GROUP BY expressions and ordinals, HAVING', () => {
    const c = core('SELECT a, count(*) FROM t GROUP BY 1, a + 1 HAVING count(*) > 1');
    expect(noPositions(c.groupBy)).toEqual([int('1'), bin('+', col('a'), int('1'))]);
    expect(noPositions(c.having)).toEqual(bin('>', call('count', [], { star: true }), int('1')));
  });

  test('WINDOW clause', () => {
    const c = core('SELECT rank() OVER w FROM t WINDOW w AS (PARTITION BY a ORDER BY b DESC)');
    expect(noPositions(c.windows)).toEqual([{
      name: 'w',
      spec: { baseWindow: null, partitionBy: [col('a')], orderBy: [{ expr: col('b'), direction: 'desc', nulls: 'default' }], frame: null },
    }]);
  });

  test('ORDER BY with ASC/DESC and NULLS FIRST/LAST, LIMIT and OFFSET', () => {
    const s = select('SELECT a FROM t ORDER BY a ASC NULLS LAST, 2 DESC LIMIT 10 OFFSET 5');
    expect(noPositions(s.orderBy)).toEqual([
      { expr: col('a'), direction: 'asc', nulls: 'last' },
      { expr: int('2'), direction: 'desc', nulls: 'default' },
    ]);
    expect(noPositions(s.limit)).toEqual(int('10'));
    expect(noPositions(s.offset)).toEqual(int('5'));
  });

  test('LIMIT ALL is a null limit; FETCH FIRST, WITH TIES', () => {
    expect(noPositions(select('SELECT a FROM t LIMIT ALL').limit)).toEqual({ kind: 'literal', value: { type: 'null' } });
    const fetch = select('SELECT a FROM t OFFSET 2 ROWS FETCH FIRST 3 ROWS ONLY');
    expect(noPositions(fetch.limit)).toEqual(int('3'));
    expect(noPositions(fetch.offset)).toEqual(int('2'));
    expect(noPositions(select('SELECT a FROM t FETCH NEXT ROW ONLY').limit)).toEqual(int('1'));
    const ties = select('SELECT a FROM t ORDER BY a FETCH FIRST 3 ROWS WITH TIES');
    expect(ties.limitWithTies).toBe(true);
  });

  test('FOR UPDATE / SHARE locking clauses', () => {
    expect(noPositions(select('SELECT a FROM t FOR UPDATE OF t SKIP LOCKED').locking)).toEqual([
      { strength: 'update', tables: [{ schema: null, name: 't' }], waitPolicy: 'skipLocked' },
    ]);
    expect(select('SELECT a FROM t FOR NO KEY UPDATE NOWAIT FOR SHARE FOR KEY SHARE').locking).toEqual([
      { strength: 'noKeyUpdate', tables: [], waitPolicy: 'noWait' },
      { strength: 'share', tables: [], waitPolicy: 'block' },
      { strength: 'keyShare', tables: [], waitPolicy: 'block' },
    ]);
  });
});

describe('set operations and VALUES', () => {
  test('UNION / INTERSECT / EXCEPT [ALL] nest as the grammar binds them; a parenthesised operand keeps its clauses', () => {
    const s = select('(SELECT 1 ORDER BY 1 LIMIT 1) UNION ALL SELECT 2 INTERSECT SELECT 3 EXCEPT SELECT 4 ORDER BY 1');
    expect(noPositions(s.orderBy)).toEqual([{ expr: int('1'), direction: 'default', nulls: 'default' }]);
    expect(s.body).toMatchObject({
      kind: 'setOperation', op: 'except', all: false,
      left: {
        kind: 'setOperation', op: 'union', all: true,
        left: { kind: 'select', limit: { value: { text: '1' } }, body: { kind: 'selectCore' } },
        right: { kind: 'setOperation', op: 'intersect', all: false, left: { kind: 'selectCore' }, right: { kind: 'selectCore' } },
      },
      right: { kind: 'selectCore', targets: [{ expr: { value: { text: '4' } } }] },
    });
  });

  test('VALUES with ORDER BY; DEFAULT inside VALUES', () => {
    const s = select("VALUES (1, 'a'), (2, DEFAULT) ORDER BY 1");
    expect(noPositions(s.body)).toEqual({ kind: 'values', rows: [[int('1'), str('a')], [int('2'), { kind: 'default' }]] });
    expect(s.orderBy).toHaveLength(1);
  });
});

describe('WITH', () => {
  test('RECURSIVE with column list, MATERIALIZED, data-modifying CTEs', () => {
    const s = select('WITH RECURSIVE r(n) AS MATERIALIZED (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5), '
      + 'd AS NOT MATERIALIZED (DELETE FROM t RETURNING *) SELECT * FROM r');
    expect(s.with).toMatchObject({
      recursive: true,
      ctes: [
        { name: 'r', columns: ['n'], materialized: 'always', query: { kind: 'select', body: { kind: 'setOperation', op: 'union', all: true } } },
        { name: 'd', columns: [], materialized: 'never', query: { kind: 'delete', returning: [{ expr: { kind: 'star' } }] } },
      ],
    });
  });
});

describe('FROM', () => {
  test('schema-qualified tables, aliases with column aliases, ONLY', () => {
    const c = core('SELECT * FROM s.t AS x (a, b), ONLY u, v w');
    expect(noPositions(c.from)).toEqual([
      { kind: 'table', name: { schema: 's', name: 't' }, only: false, alias: { name: 'x', columns: ['a', 'b'] } },
      table('u', { only: true }),
      table('v', { alias: { name: 'w', columns: [] } }),
    ]);
  });

  test('subqueries, LATERAL, functions WITH ORDINALITY', () => {
    const c = core('SELECT * FROM (SELECT 1) AS s(x), LATERAL (SELECT x) l, generate_series(1, 3) WITH ORDINALITY AS g(v, n)');
    expect(c.from[0]).toMatchObject({ kind: 'subquery', lateral: false, alias: { name: 's', columns: ['x'] }, query: { kind: 'select' } });
    expect(c.from[1]).toMatchObject({ kind: 'subquery', lateral: true, alias: { name: 'l' } });
    expect(noPositions(c.from[2])).toEqual({
      kind: 'function', call: call('generate_series', [int('1'), int('3')]), lateral: false, withOrdinality: true,
      alias: { name: 'g', columns: ['v', 'n'] },
    });
  });

  test('joins: inner/left/right/full/cross with ON, USING (AS alias) and NATURAL', () => {
    const c = core('SELECT * FROM a NATURAL LEFT JOIN b CROSS JOIN c FULL JOIN d USING (x) AS j RIGHT OUTER JOIN e ON a.x = e.x JOIN f ON true');
    expect(noPositions(c.from)).toEqual([{
      kind: 'join', joinType: 'inner', alias: null, right: table('f'), condition: { kind: 'on', expr: { kind: 'literal', value: { type: 'boolean', value: true } } },
      left: {
        kind: 'join', joinType: 'right', alias: null, right: table('e'), condition: { kind: 'on', expr: bin('=', col('a', 'x'), col('e', 'x')) },
        left: {
          kind: 'join', joinType: 'full', alias: null, right: table('d'), condition: { kind: 'using', columns: ['x'], alias: 'j' },
          left: {
            kind: 'join', joinType: 'cross', alias: null, right: table('c'), condition: null,
            left: { kind: 'join', joinType: 'left', alias: null, left: table('a'), right: table('b'), condition: { kind: 'natural' } },
          },
        },
      },
    }]);
  });

  test('a parenthesised join with an alias', () => {
    const c = core('SELECT * FROM (a JOIN b USING (x)) AS j');
    expect(c.from[0]).toMatchObject({ kind: 'join', joinType: 'inner', alias: { name: 'j', columns: [] } });
  });
});
