// IN / NOT IN with NULLs, the classic trap: `x NOT IN (subquery)` is never
// TRUE when the subquery yields a NULL, and NULL NOT IN (non-empty) is NULL.
// Checked for literal lists, uncorrelated (hashed) and correlated subqueries.

import { beforeAll, describe, expect, test } from 'vitest';
import { loadSqlParser } from '../parser/index.js';
import { TestDatabase } from '../testing/test-database.js';

let db: TestDatabase;

beforeAll(async () => {
  await loadSqlParser();
  db = new TestDatabase();
  await db.run(`
    CREATE TABLE l (x int);
    CREATE TABLE r (y int);
    CREATE TABLE empty (y int);
    INSERT INTO l VALUES (1), (2), (NULL);
    INSERT INTO r VALUES (2), (NULL);
  `);
});

const value = async (sql: string): Promise<unknown> => (await db.query(sql))[0]?.[0];

describe('NOT IN with NULLs', () => {
  test.each([
    ['1 NOT IN (SELECT y FROM r)', null],
    ['2 NOT IN (SELECT y FROM r)', false],
    ['1 IN (SELECT y FROM r)', null],
    ['2 IN (SELECT y FROM r)', true],
    ['NULL::int NOT IN (SELECT y FROM r)', null],
    ['NULL::int NOT IN (SELECT y FROM empty)', true],
    ['NULL::int IN (SELECT y FROM empty)', false],
    ['1 NOT IN (SELECT y FROM r WHERE y IS NOT NULL)', true],
    ['1 NOT IN (2, NULL)', null],
    ['2 NOT IN (2, NULL)', false],
    ['1 NOT IN (2, 3)', true],
    ['1 <> ALL (SELECT y FROM r)', null],
    ['3 > ALL (SELECT y FROM r)', null],
    ['1 = ANY (ARRAY[2, NULL])', null],
  ])('%s is %s', async (expr, expected) => {
    expect(await value(`SELECT ${expr}`)).toBe(expected);
  });

  test('WHERE keeps only TRUE rows', async () => {
    expect(await db.query('SELECT x FROM l WHERE x NOT IN (SELECT y FROM r)')).toEqual([]);
    expect(await db.query('SELECT x FROM l WHERE x NOT IN (SELECT y FROM r WHERE y IS NOT NULL) ORDER BY x')).toEqual([[1]]);
    expect(await db.query('SELECT x FROM l WHERE NOT (x IN (SELECT y FROM empty)) ORDER BY x')).toEqual([[1], [2], [null]]);
  });

  test('correlated subqueries keep the same logic per row', async () => {
    const rows = await db.query('SELECT x, x NOT IN (SELECT y FROM r WHERE y IS NULL OR y <> l.x) FROM l ORDER BY x');
    expect(rows).toEqual([[1, null], [2, null], [null, null]]);
    const filtered = await db.query('SELECT x, x NOT IN (SELECT y FROM r WHERE y IS NOT NULL AND y >= l.x) FROM l ORDER BY x');
    expect(filtered).toEqual([[1, true], [2, false], [null, true]]);
  });
});
