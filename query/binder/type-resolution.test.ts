// Type resolution as PostgreSQL does it: literal typing, operator and
// function overloads, common types for CASE/COALESCE/UNION/VALUES, and
// parameter inference from context.

import { beforeAll, describe, expect, test } from 'vitest';
import { loadSqlParser } from '../parser/index.js';
import { TestDatabase } from '../testing/test-database.js';
import { formatTypeName } from '../types/sql-type.js';
import type { SqlType } from '../types/sql-type.js';
import { SqlError } from '../types/errors.js';

let db: TestDatabase;

beforeAll(async () => {
  await loadSqlParser();
  db = new TestDatabase();
  await db.run(`CREATE TABLE t (i2 smallint, i4 int, i8 bigint, n numeric(10,2), f4 real, f8 float8, v varchar(20), c char(3), tx text, d date, ts timestamp, tz timestamptz, j jsonb, a int[])`);
});

function typesOf(sql: string): string[] {
  return (db.compile(sql).resultColumns ?? []).map((c) => formatTypeName(c.type));
}

function paramsOf(sql: string, declared: (SqlType | undefined)[] = []): string[] {
  return db.compile(sql, declared).parameterTypes.map(formatTypeName);
}

function sqlStateOf(sql: string): string | undefined {
  try {
    db.compile(sql);
    return undefined;
  } catch (error) {
    return error instanceof SqlError ? error.sqlState : 'not an SqlError';
  }
}

describe('literals', () => {
  test('integers by magnitude, decimals as numeric, strings as text once unresolved', () => {
    expect(typesOf(`SELECT 1, 2147483648, 9223372036854775808, 1.5, 'x', NULL, true`)).toEqual(
      ['integer', 'bigint', 'numeric', 'numeric', 'text', 'text', 'boolean']);
  });
});

describe('operators', () => {
  test.each([
    ['i2 + i2', 'smallint'], ['i2 + i4', 'integer'], ['i4 + i8', 'bigint'], ['i4 + n', 'numeric'], ['i4 + 1.5', 'numeric'],
    ['f4 + f4', 'real'], ['f4 + i4', 'double precision'], ['n + f8', 'double precision'], ['i4 / 2', 'integer'],
    [`v || 'x'`, 'text'], [`tx || 1`, 'text'], ['d + 1', 'date'], ['d - d', 'integer'], [`d + interval '1 day'`, 'timestamp without time zone'],
    [`ts - ts`, 'interval'], [`tz + interval '1 hour'`, 'timestamp with time zone'], [`j->'k'`, 'jsonb'], [`j->>'k'`, 'text'],
    [`a || 4`, 'integer[]'], [`'1' + 2`, 'integer'], [`i8 = 5`, 'boolean'], [`c = 'ab'`, 'boolean'], [`d < ts`, 'boolean'],
  ])('%s is %s', (expr, type) => {
    expect(typesOf(`SELECT ${expr} FROM t`)).toEqual([type]);
  });

  test('errors PostgreSQL raises', () => {
    expect(sqlStateOf(`SELECT tx + 1 FROM t`)).toBe('42883');
    expect(sqlStateOf(`SELECT 'a' + 'b'`)).toBe('42725');
    expect(sqlStateOf(`SELECT i4 = tx FROM t`)).toBe('42883');
  });
});

describe('functions', () => {
  test.each([
    ['round(2.5)', 'numeric'], ['round(i4)', 'double precision'], ['round(n, 1)', 'numeric'], ['abs(i8)', 'bigint'],
    ['sqrt(2)', 'double precision'], [`length(v)`, 'integer'], [`lower(c)`, 'text'], [`coalesce(i2, i8)`, 'bigint'],
    [`coalesce(i4, 1.5)`, 'numeric'], [`greatest(d, ts)`, 'timestamp without time zone'], [`extract(year from d)`, 'numeric'],
    [`date_trunc('day', ts)`, 'timestamp without time zone'], [`now()`, 'timestamp with time zone'], [`array_length(a, 1)`, 'integer'],
    [`count(*)`, 'bigint'], [`sum(i4)`, 'bigint'], [`sum(i8)`, 'numeric'], [`avg(i2)`, 'numeric'], [`avg(f4)`, 'double precision'],
    [`max(v)`, 'character varying(20)'], [`string_agg(tx, ',')`, 'text'], [`array_agg(i4)`, 'integer[]'],
  ])('%s is %s', (expr, type) => {
    expect(typesOf(`SELECT ${expr} FROM t`)).toEqual([type]);
  });

  test('unknown functions name the argument types', () => {
    expect(() => db.compile('SELECT nosuch(1, $1)')).toThrow('function nosuch(integer, unknown) does not exist');
  });
});

describe('common types', () => {
  test('CASE, UNION and VALUES unify to one type', () => {
    expect(typesOf(`SELECT CASE WHEN true THEN 1 ELSE 2.5 END`)).toEqual(['numeric']);
    expect(typesOf(`SELECT 1 UNION SELECT 2::int8`)).toEqual(['bigint']);
    expect(typesOf(`SELECT 'a' UNION SELECT 'b'`)).toEqual(['text']);
    expect(typesOf(`VALUES (1, 'a'), (2.5, NULL)`)).toEqual(['numeric', 'text']);
    expect(sqlStateOf(`SELECT CASE WHEN true THEN 1 ELSE now() END`)).toBe('42804');
  });
});

describe('parameter inference', () => {
  test('from the column or operator a parameter meets', () => {
    expect(paramsOf(`SELECT * FROM t WHERE i8 = $1 AND v = $2 AND ts > $3`)).toEqual(['bigint', 'text', 'timestamp without time zone']);
    expect(paramsOf(`INSERT INTO t (n, d) VALUES ($1, $2)`)).toEqual(['numeric', 'date']);
    expect(paramsOf(`UPDATE t SET f8 = $1 WHERE i4 = $2`)).toEqual(['double precision', 'integer']);
    expect(paramsOf(`SELECT $1 + 1`)).toEqual(['integer']);
    expect(paramsOf(`SELECT * FROM t LIMIT $1`)).toEqual(['bigint']);
  });

  test('unresolved parameters are text, declared ones are kept', () => {
    expect(paramsOf(`SELECT $1`)).toEqual(['text']);
    expect(paramsOf(`SELECT $2`)).toEqual(['text', 'text']);
    expect(paramsOf(`SELECT $1 = 1`, [{ kind: 'int8' }])).toEqual(['bigint']);
  });
});
