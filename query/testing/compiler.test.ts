// compileStatement's contract: metadata of the compiled statement, error
// codes and positions, refusals (0A000) for what is not implemented, and
// re-execution of one compiled statement.

import { beforeAll, describe, expect, test } from 'vitest';
import { loadSqlParser } from '../parser/index.js';
import { SqlError } from '../types/errors.js';
import { SqlTypes } from '../types/sql-type.js';
import { TestDatabase } from './test-database.js';

let db: TestDatabase;

beforeAll(async () => {
  await loadSqlParser();
  db = new TestDatabase();
  await db.run('CREATE TABLE t (id int PRIMARY KEY, name text); CREATE TABLE u (id int, t_id int)');
});

function compileError(sql: string): SqlError {
  try {
    db.compile(sql);
  } catch (error) {
    if (error instanceof SqlError) return error;
    throw error;
  }
  throw new Error(`compiled: ${sql}`);
}

describe('compiled statement metadata', () => {
  test('kind, result columns with their source columns, tables read and written', () => {
    const table = db.catalog.lookupTable(null, 't', ['public']);
    const select = db.compile('SELECT id, name AS n, id + 1 FROM t');
    expect(select.kind).toBe('select');
    expect(select.catalogVersion).toBe(db.catalog.version);
    expect(select.resultColumns).toEqual([
      { name: 'id', type: SqlTypes.int4, tableId: table?.id, columnNumber: 1 },
      { name: 'n', type: SqlTypes.text, tableId: table?.id, columnNumber: 2 },
      { name: '?column?', type: SqlTypes.int4, tableId: 0, columnNumber: 0 },
    ]);
    expect(select.tablesRead).toEqual([table?.id]);
    expect(select.tablesWritten).toEqual([]);
    const insert = db.compile('INSERT INTO t VALUES (1, $1)');
    expect(insert.kind).toBe('insert');
    expect(insert.resultColumns).toBeUndefined();
    expect(insert.tablesWritten).toEqual([table?.id]);
    expect(db.compile('UPDATE t SET name = $1 RETURNING id').resultColumns?.map((c) => c.name)).toEqual(['id']);
    expect(db.compile('VALUES (1)').kind).toBe('values');
    expect(db.compile('EXPLAIN SELECT 1').resultColumns?.map((c) => c.name)).toEqual(['QUERY PLAN']);
  });

  test('PostgreSQL column names', () => {
    const names = db.compile(`SELECT count(*), t.name, 1::int, 'a'::text, CASE WHEN true THEN 1 END, coalesce(1), (SELECT 1 AS x), EXISTS (SELECT 1), ARRAY[1], now(), CURRENT_DATE, -id FROM t GROUP BY t.id`).resultColumns?.map((c) => c.name);
    expect(names).toEqual(['count', 'name', 'int4', 'text', 'case', 'coalesce', 'x', 'exists', 'array', 'now', 'current_date', '?column?']);
  });
});

describe('errors', () => {
  test('undefined column: 42703 with the position of the reference', () => {
    const error = compileError('SELECT id, nosuch FROM t');
    expect(error.sqlState).toBe('42703');
    expect(error.message).toBe('column "nosuch" does not exist');
    expect(error.position).toBe(12);
  });

  test('undefined relation and ambiguous column', () => {
    expect(compileError('SELECT 1 FROM missing').message).toBe('relation "missing" does not exist');
    expect(compileError('SELECT id FROM t JOIN u ON true').message).toBe('column reference "id" is ambiguous');
  });

  test('grouping errors name the column', () => {
    expect(compileError('SELECT id, name FROM t GROUP BY name HAVING count(*) > 1').message).toBe(
      'column "t.id" must appear in the GROUP BY clause or be used in an aggregate function');
  });

  test('undefined functions carry PostgreSQL\'s hint', () => {
    const error = compileError('SELECT foo(1)');
    expect([error.sqlState, error.message, error.hint]).toEqual(['42883', 'function foo(integer) does not exist',
      'No function matches the given name and argument types. You might need to add explicit type casts.']);
  });
});

describe('refused with 0A000, never answered wrongly', () => {
  test.each([
    'SELECT * FROM t FOR UPDATE',
    'WITH x AS (DELETE FROM t RETURNING id) SELECT * FROM x',
    'SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY id) FROM t',
    `SELECT 'a' COLLATE "de_DE"`,
    'SELECT * FROM t WHERE generate_series(1, 2) = id',
  ])('%s', (sql) => {
    expect(compileError(sql).sqlState).toBe('0A000');
  });
});

describe('execution', () => {
  test('a compiled statement runs many times with different parameters', async () => {
    const insert = db.compile('INSERT INTO t VALUES ($1, $2) RETURNING id, name');
    const results = [];
    for (const [id, name] of [[10, 'x'], [11, 'y']] as const) results.push(await insert.execute(db.runtime([id, name])));
    expect(results).toEqual([
      { kind: 'rows', columns: insert.resultColumns, rows: [[10, 'x']], tag: 'INSERT 0 1' },
      { kind: 'rows', columns: insert.resultColumns, rows: [[11, 'y']], tag: 'INSERT 0 1' },
    ]);
    expect(await db.compile('DELETE FROM t WHERE id >= $1').execute(db.runtime([10]))).toEqual({ kind: 'command', tag: 'DELETE 2' });
  });

  test('too few parameters is a protocol error', async () => {
    await expect(db.compile('SELECT $1::int').execute(db.runtime([]))).rejects.toMatchObject({ sqlState: '08P01' });
  });
});
