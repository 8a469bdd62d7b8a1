import { beforeAll, describe, expect, test } from 'vitest';
import { SqlError } from '../types/errors.js';
import { errorPosition } from './errors.js';
import { loadSqlParser, parseSql } from './parse.js';

beforeAll(async () => {
  await loadSqlParser();
});

/** The error parseSql throws for `sql`. */
function failure(sql: string): SqlError {
  try {
    parseSql(sql);
  } catch (error) {
    if (error instanceof SqlError) return error;
    throw error;
  }
  throw new Error(`expected ${sql} to fail`);
}

describe('multiple statements', () => {
  test('each statement keeps its own source slice and start', () => {
    const text = '  /* hi */ SELECT 1 ;\n  INSERT INTO t VALUES (2);;  select 3  ';
    const statements = parseSql(text);
    expect(statements.map((s) => [s.statement.kind, s.text, s.position])).toEqual([
      ['select', 'SELECT 1', text.indexOf('SELECT')],
      ['insert', 'INSERT INTO t VALUES (2)', text.indexOf('INSERT')],
      ['select', 'select 3', text.indexOf('select 3')],
    ]);
  });

  test('positions in later statements count from the start of the whole string', () => {
    const text = 'SELECT 1; SELECT x FROM t';
    const [, second] = parseSql(text);
    expect(second?.statement).toMatchObject({ body: { targets: [{ expr: { kind: 'columnRef', position: text.indexOf('x') } }] } });
  });

  test('empty, blank and comment-only strings have no statements', () => {
    expect(parseSql('')).toEqual([]);
    expect(parseSql('   \n')).toEqual([]);
    expect(parseSql('-- nothing')).toEqual([]);
    expect(parseSql(';;')).toEqual([]);
  });

  test('slices are string offsets even after non-ASCII text', () => {
    const text = "SELECT 'ü'; SELECT 'é' AS x";
    expect(parseSql(text).map((s) => s.text)).toEqual(["SELECT 'ü'", "SELECT 'é' AS x"]);
  });
});

describe('syntax errors (42601)', () => {
  test('carry PostgreSQL’s message and its 1-based character position', () => {
    const error = failure('SELECT * FORM t');
    expect(error.sqlState).toBe('42601');
    expect(error.message).toBe('syntax error at or near "FORM"');
    expect(error.position).toBe('SELECT * FORM t'.indexOf('FORM') + 1);
  });

  test('at end of input; in a later statement; after non-ASCII characters', () => {
    expect(failure('SELECT 1 +')).toMatchObject({ sqlState: '42601', message: 'syntax error at end of input', position: 11 });
    const multi = 'SELECT 1; SELECT FROM WHERE';
    expect(failure(multi)).toMatchObject({ message: 'syntax error at or near "WHERE"', position: multi.indexOf('WHERE') + 1 });
    // PostgreSQL counts characters: '😀' is one, though two UTF-16 units and four UTF-8 bytes.
    expect(failure("SELECT '😀' FORM t")).toMatchObject({ message: 'syntax error at or near "t"', position: 17 });
  });

  test('scanner errors and grammar checks', () => {
    expect(failure("SELECT 'abc")).toMatchObject({ sqlState: '42601', message: 'unterminated quoted string at or near "\'abc"', position: 8 });
    expect(failure('SELECT 123abc')).toMatchObject({ sqlState: '42601', message: 'trailing junk after numeric literal at or near "123abc"' });
    expect(failure('SELECT a FROM t FETCH FIRST 3 ROWS WITH TIES')).toMatchObject({ sqlState: '42601' });
  });

  test('option checks PostgreSQL makes while parsing options', () => {
    expect(failure('EXPLAIN (ANALYZE maybe) SELECT 1')).toMatchObject({ sqlState: '42601', message: 'analyze requires a Boolean value' });
    expect(failure('EXPLAIN (BOGUS) SELECT 1')).toMatchObject({ sqlState: '42601', message: 'unrecognized EXPLAIN option "bogus"' });
    expect(failure('EXPLAIN (FORMAT toml) SELECT 1')).toMatchObject({ sqlState: '22023' });
    expect(failure('COPY t FROM STDIN (BOGUS 1)')).toMatchObject({ sqlState: '42601', message: 'option "bogus" not recognized' });
    expect(failure('COPY t FROM STDIN (FORMAT csv, FORMAT text)')).toMatchObject({ sqlState: '42601', message: 'conflicting or redundant options' });
    expect(failure('COPY t FROM STDIN (FORMAT parquet)')).toMatchObject({ sqlState: '22023', message: 'COPY format "parquet" not recognized' });
  });
});

describe('valid PostgreSQL that ThunderDB refuses (0A000)', () => {
  test.each([
    ['CREATE VIEW v AS SELECT 1', 'CREATE VIEW is not supported'],
    ['SELECT * FROM t TABLESAMPLE SYSTEM (10)', 'TABLESAMPLE is not supported'],
    ['SELECT a FROM t GROUP BY ROLLUP (a)', 'GROUPING SETS/ROLLUP/CUBE is not supported'],
    ['SELECT f(a => 1)', 'named function argument is not supported'],
    ['SELECT 1 INTO x', 'SELECT INTO is not supported'],
    ['CREATE TABLE t (a int REFERENCES u DEFERRABLE)', 'DEFERRABLE constraint is not supported'],
    ["COPY t FROM '/tmp/data'", 'COPY to or from a file or program (use STDIN or STDOUT) is not supported'],
    ['ALTER TABLE t ALTER COLUMN a TYPE bigint', 'ALTER TABLE ALTER COLUMN ... TYPE is not supported'],
    ['ALTER TABLE t OWNER TO bob', 'ALTER TABLE OWNER TO is not supported'],
    ['MERGE INTO t USING u ON t.a = u.a WHEN MATCHED THEN DELETE', 'MERGE is not supported'],
    ['SELECT * FROM db.s.t', 'cross-database reference is not supported'],
    ['DROP VIEW v', 'DROP VIEW is not supported'],
    ['CREATE TABLE t (a int) PARTITION BY RANGE (a)', 'PARTITION BY is not supported'],
    ['CREATE TABLE t (LIKE u)', 'LIKE in CREATE TABLE is not supported'],
    ['SELECT (r).* FROM t', '(expression).* is not supported'],
    ['SELECT a OPERATOR(public.+) b', 'OPERATOR() with a schema-qualified operator is not supported'],
    ['SELECT x IS JSON', 'IS JSON is not supported'],
    ['SELECT * FROM ROWS FROM (f(), g())', 'ROWS FROM with several functions is not supported'],
    ['SELECT a FROM t ORDER BY a USING <', 'ORDER BY ... USING is not supported'],
    ['WITH RECURSIVE r AS (SELECT 1) SEARCH DEPTH FIRST BY x SET o SELECT 1', 'SEARCH in WITH RECURSIVE is not supported'],
    ['SET x FROM CURRENT', 'SET ... FROM CURRENT is not supported'],
    ['PREPARE TRANSACTION \'x\'', 'PREPARE TRANSACTION is not supported'],
    ['DO $$BEGIN END$$', 'DO is not supported'],
    ['UPDATE t SET a[1] = 2', 'assignment to a subscript or field of a column is not supported'],
  ])('%s', (sql, message) => {
    const error = failure(sql);
    expect(error.sqlState).toBe('0A000');
    expect(error.message).toBe(message);
  });

  test('points at the construct when it can', () => {
    const sql = 'SELECT 1, f(a => 1)';
    expect(failure(sql).position).toBe(sql.indexOf('a =>') + 1);
  });
});

describe('errorPosition', () => {
  test('turns a 0-based UTF-16 offset into PostgreSQL’s 1-based character count', () => {
    expect(errorPosition('SELECT x', 7)).toBe(8);
    expect(errorPosition("SELECT '😀' x", "SELECT '😀' x".indexOf('x'))).toBe(12);
    expect(errorPosition('SELECT x', -1)).toBeUndefined();
  });
});
